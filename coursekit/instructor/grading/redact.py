"""Keeping what a submission wrote out of the gradebook, the feedback and the terminal.

Two kinds of text still come from a submission's run: the name of the first
error (the ``status`` column; its message is never kept, see
:func:`exception_name`) and messages a check builds from the student's objects
(values, layer names; see :mod:`~coursekit.instructor.grading.templates`). :func:`clean`
makes any text one short printable line (no control characters, escape
sequences or bidirectional overrides); a :class:`Redactor` then replaces any
verbatim copy (``window`` characters or more, whitespace ignored) of text the
submission must not reveal: the hidden checks' files and the other
submissions' cells, minus the course's public text (its notebooks and check
modules, whose hints quote expected code).

Example
-------
>>> r = Redactor(["SECRET_TOKEN_1234567890_abcdef"], window=12)
>>> r("leaked: SECRET_TOKEN_1234567890_abcdef!")
'leaked: [redacted]!'
>>> clean("\x1b[31mred\x1b[0m \u202egnp.exe\x1b]8;;http://x\x07link\x1b]8;;\x07")
'red gnp.exelink'
>>> exception_name("NameError"), exception_name("Error: see http://x"), exception_name("")
('NameError', '', '')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["Redactor", "clean", "exception_name"]

#: Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks,
#: clipboard) up to BEL or ST, and two-character ESC sequences; C1 CSI/OSC too.
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                      r"|(?:\x1b[\]PX^_]|[\x90\x9d\x98\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
                      r"|\x1b[ -/]*[0-~]?", re.S)
#: Unicode categories shown as a space: controls, format characters (zero-width,
#: bidirectional overrides and isolates, BOM), surrogates, line/paragraph separators.
_INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")
_EXCEPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,60}")


def clean(text: str, limit: int = 240) -> str:
    """One printable line of at most ``limit`` characters.

    Escape sequences are removed; control and format characters (``\\r``,
    ``\\x1b``, zero-width spaces, bidirectional overrides) become spaces; runs of
    whitespace become one space.
    """
    text = _ESCAPES.sub("", str(text))
    text = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exception_name(name: str) -> str:
    """``name`` if it looks like an exception class name (``ValueError``,
    ``keras.errors.X``), else ``""``: the only part of a kernel's error the grader keeps."""
    name = str(name)
    return name if _EXCEPTION_NAME.fullmatch(name) else ""


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
