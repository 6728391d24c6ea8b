"""Keeping what a submission wrote out of the gradebook and the feedback.

Outputs are never stored, but two kinds of text still come from a
submission's run: the message of the first error (the ``status`` column) and
messages a check builds from the student's objects (exception text, values).
:func:`clean` makes such a text one short printable line; a
:class:`Redactor` then replaces any verbatim copy (``window`` characters or
more, whitespace ignored) of text the submission must not reveal: the hidden
checks' files and the other submissions' cells, minus the course's public
text (its notebooks and check modules, whose hints quote expected code).

Example
-------
>>> r = Redactor(["SECRET_TOKEN_1234567890_abcdef"], window=12)
>>> r("leaked: SECRET_TOKEN_1234567890_abcdef!")
'leaked: [redacted]!'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["Redactor", "clean"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e]")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def clean(text: str, limit: int = 240) -> str:
    """One printable line of at most ``limit`` characters."""
    text = _ANSI.sub("", str(text))
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Redactor:
    """Replace verbatim copies of secret texts by ``[redacted]``.

    Every ``window``-character slice of every secret (whitespace removed) is
    indexed; a text is scanned slice by slice, so a copy of any part of a
    secret at least ``window`` characters long is found in time linear in the
    text, whatever the number of secrets.
    """

    def __init__(self, secrets: Iterable[str] = (), window: int = 20,
                 public: Iterable[str] = ()) -> None:
        self.window = window
        self._public: set[str] = set()
        for text in public:
            self._public.update(self._windows(text))
        self._slices: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def _windows(self, text: str) -> set[str]:
        w, out = self.window, set()
        for line in str(text).splitlines():
            squeezed = "".join(line.split())
            out.update(squeezed[i:i + w] for i in range(0, max(0, len(squeezed) - w + 1)))
        return out

    def add(self, secret: str) -> None:
        """Index every line of ``secret``, except what is public (the course's own text:
        a check's hint quoting the expected code is no leak)."""
        self._slices.update(self._windows(secret) - self._public)

    def __len__(self) -> int:
        return len(self._slices)

    def __call__(self, text: str, allow: str = "") -> str:
        """``text`` with secret copies redacted, except those also found in ``allow``
        (the submission's own cells: quoting the student's own code is no leak)."""
        if not self._slices or not text:
            return text
        allowed = "".join(allow.split())
        # map positions of the squeezed text back to the original
        positions = [i for i, ch in enumerate(text) if not ch.isspace()]
        squeezed = "".join(text[i] for i in positions)
        w = self.window
        spans: list[list[int]] = []  # [first, last] positions in the original text
        for i in range(0, len(squeezed) - w + 1):
            piece = squeezed[i:i + w]
            if piece in self._slices and piece not in allowed:
                first, last = positions[i], positions[i + w - 1]
                if (spans and first <= spans[-1][1] + 1) or (
                        spans and not text[spans[-1][1] + 1:first].strip()):
                    spans[-1][1] = max(spans[-1][1], last)
                else:
                    spans.append([first, last])
        if not spans:
            return text
        out, at = [], 0
        for first, last in spans:
            out += [text[at:first], "[redacted]"]
            at = last + 1
        out.append(text[at:])
        return "".join(out)
