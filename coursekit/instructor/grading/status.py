"""How a submission ran, as data: a :class:`Status` kind and a :class:`RunStatus` with details.

The gradebook's ``status`` column holds the text of a :class:`RunStatus`
(``str(status)``): ``"ok"``, ``"timeout"``, ``"error in cell 3: NameError"``,
``"wrong notebook (cells of 03_cnn)"``, ``"refused: symlink"``... and
:meth:`RunStatus.parse` reads that text back, so gradebooks written before this
module existed stay readable and resumable. Text that fits no kind (an older
grader's) parses as :attr:`Status.OTHER`, kept verbatim.

:class:`Status` is a ``str`` enum: ``Status.TIMEOUT == "timeout"``, and
``str(Status.TIMEOUT)`` is ``"timeout"`` on every supported Python.

Example
-------
>>> s = RunStatus.parse("error in cell 3: NameError")
>>> s.kind, s.cell, s.exception, s.needs_human
(<Status.CELL_ERROR: 'error in cell'>, 3, 'NameError', False)
>>> str(RunStatus(Status.WRONG_NOTEBOOK, message="03_cnn"))
'wrong notebook (cells of 03_cnn)'
>>> RunStatus.parse("memory limit").needs_human, Status.MEMORY_LIMIT == "memory limit"
(True, True)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .redact import exception_name

__all__ = ["RunStatus", "Status"]


class Status(str, enum.Enum):
    """The kinds of status a graded submission can have (the value: the gradebook's words)."""

    OK = "ok"
    CELL_ERROR = "error in cell"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory limit"
    CPU_LIMIT = "cpu limit"
    KERNEL_DIED = "kernel died"
    KERNEL_DID_NOT_START = "kernel did not start"
    INTERRUPTED = "interrupted"
    GRADER_ERROR = "grader error"
    WRONG_NOTEBOOK = "wrong notebook"
    UNKNOWN_NOTEBOOK = "unknown notebook"
    NOT_A_NOTEBOOK = "not a notebook"
    INVALID_JSON = "invalid notebook JSON"
    UNREADABLE = "unreadable file"
    FILE_NOT_FOUND = "file not found"
    REFUSED = "refused"
    FILE_TOO_LARGE = "file too large"
    NOTEBOOK_TOO_LARGE = "notebook too large"
    CELL_TOO_LARGE = "cell too large"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


#: Kinds where the grader, not the submission, failed: such rows are graded again on resume.
RETRY = frozenset({Status.GRADER_ERROR, Status.KERNEL_DID_NOT_START, Status.INTERRUPTED})
#: Kinds a person should look at: everything but a notebook that ran (with or without an
#: error in a cell). The score of such a row says little about what the student knows.
_FINE = frozenset({Status.OK, Status.CELL_ERROR})
_BRIEF = {Status.CELL_ERROR: "error in a cell"}

_NAME = r"[A-Za-z_][A-Za-z0-9_.]{0,60}"
_PARSERS: list[tuple[Status, re.Pattern[str]]] = [
    # a cell's error: its exception's name only; anything after it (a message) is dropped
    (Status.CELL_ERROR,
     re.compile(rf"error in cell (?P<cell>\d+)(?:: (?P<exception>{_NAME})(?::.*)?)?", re.S)),
    (Status.GRADER_ERROR,
     re.compile(r"grader error(?:: (?P<exception>[^:]*)(?:: (?P<message>.*))?)?", re.S)),
    (Status.WRONG_NOTEBOOK, re.compile(r"wrong notebook(?: \(cells of (?P<message>.*)\))?", re.S)),
    (Status.REFUSED, re.compile(r"refused(?:: (?P<message>.*))?", re.S)),
    (Status.FILE_TOO_LARGE, re.compile(r"file too large(?: \((?P<message>.*)\))?", re.S)),
    (Status.NOTEBOOK_TOO_LARGE, re.compile(r"notebook too large(?: \((?P<message>.*)\))?", re.S)),
    (Status.CELL_TOO_LARGE,
     re.compile(r"cell (?P<cell>\d+) too large(?: \((?P<message>.*)\))?", re.S)),
]


@dataclass(frozen=True)
class RunStatus:
    """One submission's status: its :class:`Status` and the details its text carries.

    Parameters
    ----------
    kind : Status
    cell : int, optional
        The cell (1-based, among all cells) of :attr:`Status.CELL_ERROR` and
        :attr:`Status.CELL_TOO_LARGE`.
    exception : str
        The exception's class name of :attr:`Status.CELL_ERROR` and
        :attr:`Status.GRADER_ERROR` (validated with
        :func:`~coursekit.instructor.grading.redact.exception_name`). A cell's error
        never keeps its message: :meth:`parse` drops what follows the name.
    message : str
        The kind's detail: the notebook whose cells a :attr:`Status.WRONG_NOTEBOOK`
        holds, why a file was refused (``"symlink"``), the limit a file passed, a
        grader error's message, or the whole text of :attr:`Status.OTHER`.
    """

    kind: Status
    cell: int | None = None
    exception: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Status(self.kind))
        if self.kind in (Status.CELL_ERROR, Status.CELL_TOO_LARGE) and (
                not isinstance(self.cell, int) or self.cell < 0):
            raise ValueError(f"{self.kind.value!r} needs a cell number, got {self.cell!r}")
        object.__setattr__(self, "exception", exception_name(self.exception))

    def __str__(self) -> str:
        """The gradebook's text of this status (read back by :meth:`parse`)."""
        k = self.kind
        if k is Status.CELL_ERROR:
            return f"error in cell {self.cell}" + (f": {self.exception}" if self.exception else "")
        if k is Status.GRADER_ERROR:
            text = f"grader error: {self.exception or 'an exception'}"
            return text + (f": {self.message}" if self.message else "")
        if k is Status.WRONG_NOTEBOOK:
            return f"wrong notebook (cells of {self.message})" if self.message else k.value
        if k is Status.REFUSED:
            return f"refused: {self.message}" if self.message else k.value
        if k is Status.CELL_TOO_LARGE:
            return f"cell {self.cell} too large" + (f" ({self.message})" if self.message else "")
        if k in (Status.FILE_TOO_LARGE, Status.NOTEBOOK_TOO_LARGE):
            return k.value + (f" ({self.message})" if self.message else "")
        if k is Status.OTHER:
            return self.message
        return k.value

    @property
    def text(self) -> str:
        """``str(self)``: the gradebook's text."""
        return str(self)

    @classmethod
    def parse(cls, text: str) -> RunStatus:
        """The status whose gradebook text is ``text`` (:attr:`Status.OTHER` if none fits)."""
        text = str(text).strip()
        try:
            kind = Status(text)
        except ValueError:
            pass
        else:
            if kind not in (Status.CELL_ERROR, Status.CELL_TOO_LARGE, Status.OTHER):
                return cls(kind)
        for kind, pattern in _PARSERS:
            match = pattern.fullmatch(text)
            if match:
                found = match.groupdict()
                cell = found.get("cell")
                return cls(kind, cell=int(cell) if cell else None,
                           exception=found.get("exception") or "",
                           message=found.get("message") or "")
        return cls(Status.OTHER, message=text)

    @property
    def needs_human(self) -> bool:
        """Whether a person should look at this submission: it did not run to its end
        (timeout, memory or CPU limit, the kernel died or did not start, the grader
        failed) or could not be graded (wrong or unknown notebook, not a notebook,
        refused, too large, unreadable)."""
        return self.kind not in _FINE

    @property
    def retry(self) -> bool:
        """Whether a resumed run grades this submission again (the grader's failure)."""
        return self.kind in RETRY

    @property
    def brief(self) -> str:
        """The kind in a few words, for counts (``"error in a cell"``, ``"timeout"``)."""
        if self.kind is Status.OTHER:
            return self.message.split(" (")[0]
        return _BRIEF.get(self.kind, self.kind.value)
