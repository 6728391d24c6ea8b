"""Parameter validation shared by the public builders and helpers.

Each function returns the validated (possibly normalised) value or raises
:class:`~coursekit.errors.InvalidParameterError` naming the parameter and what
was expected.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import InvalidParameterError


def check_int(name: str, value: Any, *, min_value: int | None = None,
              max_value: int | None = None) -> int:
    """Return ``value`` as an int within ``[min_value, max_value]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(name, value, _int_range(min_value, max_value))
    if (min_value is not None and value < min_value) or (
        max_value is not None and value > max_value
    ):
        raise InvalidParameterError(name, value, _int_range(min_value, max_value))
    return int(value)


def _int_range(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"an integer in [{lo}, {hi}]"
    if lo is not None:
        return f"an integer >= {lo}"
    if hi is not None:
        return f"an integer <= {hi}"
    return "an integer"


def check_float(name: str, value: Any, *, min_value: float | None = None,
                max_value: float | None = None, include_max: bool = True) -> float:
    """Return ``value`` as a float within the given bounds."""
    hi = ("]" if include_max else ")") if max_value is not None else ""
    expected = "a number"
    if min_value is not None and max_value is not None:
        expected = f"a number in [{min_value}, {max_value}{hi}"
    elif min_value is not None:
        expected = f"a number >= {min_value}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(name, value, expected)
    v = float(value)
    too_high = max_value is not None and (v > max_value or (not include_max and v == max_value))
    if (min_value is not None and v < min_value) or too_high or v != v:
        raise InvalidParameterError(name, value, expected)
    return v


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        raise InvalidParameterError(name, value, f"one of {shown}")
    return value


def check_str(name: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(name, value, "a non-empty string")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise InvalidParameterError(name, value, "True or False")
    return value


def check_shape(name: str, value: Any, *, ndim: Sequence[int] | None = None) -> tuple[int, ...]:
    """Return ``value`` as a tuple of positive ints (an input shape)."""
    expected = "a tuple of positive integers"
    if ndim is not None:
        expected += f" of length {' or '.join(map(str, ndim))}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        shape = tuple(value)
    except TypeError:
        raise InvalidParameterError(name, value, expected) from None
    if not shape or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1
                        for d in shape):
        raise InvalidParameterError(name, value, expected)
    if ndim is not None and len(shape) not in ndim:
        raise InvalidParameterError(name, value, expected)
    return tuple(int(d) for d in shape)


def check_array(name: str, value: Any, *, ndim: Sequence[int] | None = None):
    """Return ``value`` as a NumPy array, checking its number of dimensions."""
    import numpy as np

    if value is None or isinstance(value, (str, bytes, dict)):
        raise InvalidParameterError(name, value, _array_expected(ndim))
    try:
        arr = np.asarray(value)
    except Exception:  # anything unconvertible is a user error
        raise InvalidParameterError(name, type(value).__name__, _array_expected(ndim)) from None
    if arr.dtype == object or (ndim is not None and arr.ndim not in ndim):
        got = f"array of shape {arr.shape}" if arr.dtype != object else type(value).__name__
        raise InvalidParameterError(name, got, _array_expected(ndim))
    return arr


def _array_expected(ndim: Sequence[int] | None) -> str:
    if ndim is None:
        return "a numeric array"
    return f"a numeric array with {' or '.join(map(str, ndim))} dimensions"
