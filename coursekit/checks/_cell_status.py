"""Whether the notebook cell run before a check failed, so the check can say so.

When an exercise cell has a syntax error, nothing in it runs: the name the
check cell then passes is the *previous* definition (or none), and judging
it would be judging something the student no longer wrote. Under IPython,
:func:`recorder` registers (once per shell) a ``pre_run_cell`` and a
``post_run_cell`` hook that remember how the last cell ended;
:func:`coursekit.checks.check` asks it before judging. Outside IPython (plain
Python, the grader's own process) there is no shell, no hook, and
:func:`recorder` returns None.

A cell that only ran checks, and ran them without error, does not count as
the "last cell": running a check cell twice keeps reporting the broken
exercise cell until that cell runs again.

Example
-------
>>> from coursekit.checks._cell_status import CellRecorder
>>> from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult
>>> rec = CellRecorder()
>>> info = ExecutionInfo("def f(:\\n    pass", store_history=True, silent=False,
...                      shell_futures=True, cell_id="a1")
>>> result = ExecutionResult(info)
>>> result.error_before_exec = SyntaxError("invalid syntax", ("<cell>", 1, 7, "def f(:"))
>>> rec.pre_run_cell(info); rec.post_run_cell(result)
>>> rec.checking().describe()
'SyntaxError on line 1'
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from typing import Any

__all__ = ["CellFailure", "CellRecorder", "recorder"]


@dataclass(frozen=True)
class CellFailure:
    """How a cell failed: the error, where, and whether any of it ran.

    Attributes
    ----------
    error : str
        The exception's type name (``"SyntaxError"``).
    line : int or None
        The line of the cell where it happened.
    ran : bool
        False if the cell never started (a syntax error), True if it stopped
        part-way (an exception while running).
    execution_count : int or None
        The cell's ``In [n]`` number.
    cell_id : str or None
        The notebook cell's id (Jupyter sends it; plain IPython does not).
    filename : str or None
        The file name Python gave the cell's code (functions defined in it
        carry it in ``__code__.co_filename``).
    """

    error: str
    line: int | None
    ran: bool
    execution_count: int | None = None
    cell_id: str | None = None
    filename: str | None = None

    def describe(self) -> str:
        """``"SyntaxError on line 4"``."""
        return self.error + (f" on line {self.line}" if self.line else "")

    def may_be_stale(self, obj: Any) -> bool:
        """Whether ``obj`` may come from before this cell's run (not from this run).

        A cell that never started defined nothing. A cell that stopped part-way
        did define the functions whose code is its own.
        """
        if not self.ran:
            return True
        code = getattr(obj, "__code__", None)
        return code is None or self.filename is None or code.co_filename != self.filename


def _failure_of(result: Any) -> CellFailure | None:
    """The failure in an IPython ``ExecutionResult``, or None if the cell succeeded."""
    info = getattr(result, "info", None)
    common = {"execution_count": getattr(result, "execution_count", None),
              "cell_id": getattr(info, "cell_id", None)}
    before = getattr(result, "error_before_exec", None)
    if before is not None:
        line = getattr(before, "lineno", None) if isinstance(before, SyntaxError) else None
        return CellFailure(type(before).__name__, line, ran=False, **common)
    during = getattr(result, "error_in_exec", None)
    if during is None:
        return None
    frames = traceback.extract_tb(during.__traceback__)
    cell = next((f.filename for f in frames if f.name == "<module>"), None)
    lines = [f.lineno for f in frames if cell is not None and f.filename == cell]
    return CellFailure(type(during).__name__, lines[-1] if lines else None, ran=True,
                       filename=cell, **common)


class CellRecorder:
    """Remembers how the last cell (other than a check-only cell) ended.

    Its methods are the IPython hooks; :meth:`checking` is what a check calls.
    """

    #: Marks a recorder among a shell's callbacks, whichever copy of this module made it.
    coursekit_cell_recorder = True

    def __init__(self) -> None:
        self.failure: CellFailure | None = None
        self._checked = False

    def pre_run_cell(self, info: Any) -> None:
        """A cell starts: re-running the failed cell clears its failure."""
        self._checked = False
        cell_id = getattr(info, "cell_id", None)
        if self.failure is not None and cell_id is not None and cell_id == self.failure.cell_id:
            self.failure = None

    def post_run_cell(self, result: Any) -> None:
        """A cell ended: remember its failure, or forget the last one if it was not a check."""
        try:
            failure = _failure_of(result)
        except Exception:  # never disturb the student's notebook
            failure = None
        if failure is not None:
            self.failure = failure
        elif not self._checked:
            self.failure = None

    def checking(self) -> CellFailure | None:
        """Called by a check: the failure of the cell before it, if that cell failed."""
        self._checked = True
        return self.failure


def _shell() -> Any:
    """The running IPython shell, or None (IPython not even imported: plain Python)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return shell if hasattr(shell, "events") else None


def recorder() -> CellRecorder | None:
    """The shell's :class:`CellRecorder`, registering it on first use; None outside IPython."""
    try:
        shell = _shell()
        if shell is None:
            return None
        for callback in shell.events.callbacks.get("post_run_cell", []):
            owner = getattr(callback, "__self__", None)
            if getattr(owner, "coursekit_cell_recorder", False):
                return owner
        rec = CellRecorder()
        shell.events.register("pre_run_cell", rec.pre_run_cell)
        shell.events.register("post_run_cell", rec.post_run_cell)
        return rec
    except Exception:  # an unusual shell: checks work as without IPython
        return None
