"""Errors that coursekit shows to people, kept short on purpose.

Every error a student or an instructor can trigger derives from
:class:`CourseKitError`. In Jupyter (IPython), such an error is rendered as its
message alone, without the long traceback through coursekit and TensorFlow
internals: IPython calls ``_render_traceback_`` when an exception defines it.

Example
-------
>>> from coursekit.errors import InvalidParameterError
>>> err = InvalidParameterError("dropout", 1.5, "a float in [0, 1)")
>>> print(err)
dropout=1.5 is not valid: expected a float in [0, 1).
"""

from __future__ import annotations

__all__ = [
    "CourseKitError",
    "DataIntegrityError",
    "DataUnavailableError",
    "InvalidParameterError",
]


class CourseKitError(Exception):
    """Base class of the errors coursekit reports to people."""

    def _render_traceback_(self) -> list[str]:  # IPython display hook
        name = type(self).__name__
        return [f"\x1b[31m{name}\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines() or [""])]


class InvalidParameterError(CourseKitError, ValueError, TypeError):
    """A parameter has a wrong type or value.

    Subclasses both ``ValueError`` and ``TypeError`` (as scikit-learn's
    ``InvalidParameterError`` does), so callers can catch either.
    """

    def __init__(self, name: str, value: object, expected: str) -> None:
        self.name = name
        self.value = value
        self.expected = expected
        super().__init__(f"{name}={value!r} is not valid: expected {expected}.")


class DataIntegrityError(CourseKitError):
    """A data file exists but is corrupt, truncated or not what it claims."""


class DataUnavailableError(CourseKitError):
    """A dataset cannot be found locally nor downloaded."""
