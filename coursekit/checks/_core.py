"""The self-check machinery: check ids, points, evidence and verdicts.

A check judges a student's *object* (a function, a model, an array), never
their text. It runs in two steps, so that grading can keep the verdict outside
the student's control:

1. ``collect(obj)`` runs where the object lives (the student's kernel) and
   turns it into *evidence*: plain data only (numbers, strings, lists, dicts,
   NumPy arrays and Keras models). A function is called here, a model built.
2. ``judge(evidence)`` decides, from the evidence alone, and returns a
   :class:`Verdict`. The grader runs it in its own process on evidence it
   reloaded itself (models with ``safe_mode=True``).

In a notebook, :func:`check` does both at once and prints the verdict. It never
raises, whatever the student passes in.

Example
-------
>>> from coursekit.checks import Check, register
>>> @register
... class Double(Check):
...     id = "00.double"
...     notebook = "00_demo"
...     points = 1
...     expects = "a function double(x)"
...     def collect(self, double):
...         return {"out": [double(v) for v in (0, 1, 5)]}
...     def judge(self, evidence):
...         if evidence["out"] != [0, 2, 10]:
...             return self.fail(f"expected [0, 2, 10], got {evidence['out']}",
...                              hint="return x * 2")
...         return self.ok("double works")
>>> check("00.double", lambda x: x * 2)
✅ [00.double] 1/1: double works
>>> check("00.double", None)
❌ [00.double] 0/1: expected a function double(x), got None.
   Hint: run the exercise cell above first, then this check
>>> del REGISTRY["00.double"]
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, ClassVar

from . import _cell_status

__all__ = ["REGISTRY", "Check", "CheckFailed", "DuplicateCheckId", "Verdict", "all_checks",
           "check", "get_check", "register"]

#: Every registered check, by id ("01.build_mlp").
REGISTRY: dict[str, Check] = {}

_MISSING = object()


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    check_id: str
    passed: bool
    message: str
    hint: str
    points: float
    max_points: float

    def __str__(self) -> str:
        mark = "✅" if self.passed else "❌"
        text = f"{mark} [{self.check_id}] {self.points:g}/{self.max_points:g}: {self.message}"
        if self.hint and not self.passed:
            text += f"\n   Hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "passed": self.passed, "message": self.message,
                "hint": self.hint, "points": self.points, "max_points": self.max_points}


class CheckFailed(Exception):
    """Raise inside ``collect`` or ``judge`` to fail with a message and hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Check:
    """Base class of a check. Subclasses set the class attributes and two methods.

    Attributes
    ----------
    id : str
        ``"<notebook number>.<name>"``, e.g. ``"01.build_mlp"``.
    notebook : str
        The notebook's file stem, e.g. ``"01_mlp"``.
    points : float
        What a pass is worth.
    expects : str
        What the student must pass in, for messages ("a function build_mlp(...)").
    hidden : bool
        Hidden checks (instructors' stricter ones) are not shown to students.
    """

    id: ClassVar[str]
    notebook: ClassVar[str]
    points: ClassVar[float] = 1
    expects: ClassVar[str] = "an answer"
    hidden: ClassVar[bool] = False

    # -- what subclasses write -------------------------------------------------
    def collect(self, obj: Any) -> Any:
        """Turn the student's object into evidence (runs in the student's process)."""
        return obj

    def judge(self, evidence: Any) -> Verdict:
        """Decide from the evidence alone; return ``self.ok(...)`` or ``self.fail(...)``."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------
    def ok(self, message: str) -> Verdict:
        return Verdict(self.id, True, message, "", float(self.points), float(self.points))

    def fail(self, message: str, hint: str = "") -> Verdict:
        return Verdict(self.id, False, message, hint, 0.0, float(self.points))

    # -- running ---------------------------------------------------------------
    def gather(self, obj: Any) -> tuple[Any, Verdict | None]:
        """Run ``collect`` safely: ``(evidence, None)`` or ``(None, failing verdict)``."""
        if obj is _MISSING or obj is None:
            return None, self.fail(f"expected {self.expects}, got None.",
                                   hint="run the exercise cell above first, then this check")
        try:
            return self.collect(obj), None
        except CheckFailed as exc:
            return None, self.fail(exc.message, exc.hint)
        except NotImplementedError:
            return None, self.fail("not answered yet: the exercise still raises "
                                   "NotImplementedError.",
                                   hint="replace `raise NotImplementedError()` with your code")
        except Exception as exc:
            return None, self.fail(f"your code raised {_one_line(exc)}",
                                   hint=_where(exc))

    def decide(self, evidence: Any) -> Verdict:
        """Run ``judge`` safely."""
        try:
            verdict = self.judge(evidence)
        except CheckFailed as exc:
            return self.fail(exc.message, exc.hint)
        except Exception as exc:
            return self.fail(f"could not judge the answer ({_one_line(exc)}).",
                             hint=f"check that you passed {self.expects}")
        if not isinstance(verdict, Verdict):  # pragma: no cover - a bug in a check
            return self.fail("internal error in the check (no verdict).")
        return verdict

    def run(self, obj: Any) -> Verdict:
        evidence, failed = self.gather(obj)
        return failed if failed is not None else self.decide(evidence)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:197] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "coursekit" not in f.filename and "site-packages" not in f.filename]
    if frames:
        f = frames[-1]
        return f"look at line {f.lineno} of your code: {f.line or ''}".strip()
    return "read the error above and the exercise's instructions again"


class DuplicateCheckId(ValueError):
    """:func:`register` was given an id that another check class already has."""

    def __init__(self, check_id: str, owner: type) -> None:
        super().__init__(f"check id {check_id!r} is registered twice (first by "
                         f"{owner.__module__}.{owner.__qualname__})")
        self.check_id = check_id
        self.owner = owner


def _same_definition(a: type, b: type) -> bool:
    """The same class statement run again (a notebook cell or a check file re-run)."""
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: add a check to :data:`REGISTRY` (its id must be new).

    Running the same class statement again (same module and name: a re-run cell, a
    reloaded check file) replaces the check; another class with a taken id raises
    :class:`DuplicateCheckId`.

    Example
    -------
    >>> for worth in (1, 2):  # the same cell, run twice
    ...     @register
    ...     class Twice(Check):
    ...         id = "00.twice"
    ...         notebook = "00_demo"
    ...         points = worth
    >>> REGISTRY["00.twice"].points
    2
    >>> @register
    ... class Other(Check):
    ...     id = "00.twice"
    ...     notebook = "00_demo"
    Traceback (most recent call last):
    ...
    coursekit.checks._core.DuplicateCheckId: check id '00.twice' is registered twice (first \
by coursekit.checks._core.Twice)
    >>> del REGISTRY["00.twice"]
    """
    for attr in ("id", "notebook"):
        if not isinstance(getattr(cls, attr, None), str):
            raise TypeError(f"{cls.__name__} must set `{attr}`")
    if cls.id in REGISTRY and not _same_definition(type(REGISTRY[cls.id]), cls):
        raise DuplicateCheckId(cls.id, type(REGISTRY[cls.id]))
    REGISTRY[cls.id] = cls()
    return cls


def get_check(check_id: str) -> Check:
    """The registered check with this id (KeyError with the known ids if none).

    An id coursekit does not know is looked up in the course folder the notebook runs
    in (its ``checks/`` folder; see :mod:`coursekit.checks._builtin`).
    """
    _load_builtin_checks()
    if check_id not in REGISTRY:
        from ._builtin import load_nearby_course

        load_nearby_course()
    try:
        return REGISTRY[check_id]
    except KeyError:
        known = ", ".join(sorted(c for c, v in REGISTRY.items() if not v.hidden))
        raise KeyError(f"no check {check_id!r}; known checks: {known}") from None


def _load_builtin_checks() -> None:
    from ._builtin import load_builtin

    load_builtin()


def all_checks() -> dict[str, Check]:
    """Every check of the course, by id (loading the notebooks' check modules)."""
    _load_builtin_checks()
    return dict(REGISTRY)


def check(check_id: str, obj: Any = _MISSING) -> None:
    """Check an exercise answer and print the verdict. Never raises.

    Parameters
    ----------
    check_id : str
        The check's id, as written in the notebook's check cell.
    obj : object
        The answer: a function, a model, an array...

    Notes
    -----
    Under IPython, if the cell run before this check failed (a syntax error:
    nothing in it ran), ``obj`` is an older definition or missing; the check
    then says so instead of judging it (see :mod:`coursekit.checks._cell_status`).
    """
    recorder = _cell_status.recorder()  # None outside IPython
    try:
        spec = get_check(check_id)
    except KeyError as exc:
        print(f"❌ {exc.args[0]}")
        return
    failure = recorder.checking() if recorder is not None else None
    if failure is not None and failure.may_be_stale(obj):
        print(_stale(spec, obj, failure))
        return
    print(spec.run(obj))


def _stale(spec: Check, obj: Any, failure: _cell_status.CellFailure) -> Verdict:
    """The verdict when the cell run before the check failed: what is judged is not fresh."""
    name = getattr(obj, "__name__", None)
    what = f"`{name}`" if isinstance(name, str) and name.isidentifier() else "your answer"
    cell = f" (In [{failure.execution_count}])" if failure.execution_count else ""
    if failure.ran:
        message = (f"the cell run before this check{cell} stopped part-way: "
                   f"{failure.describe()}. So {what} may be an older definition, not the code "
                   "of that cell.")
    else:
        message = (f"the cell run before this check{cell} did not run: {failure.describe()}. "
                   f"So {what} is not the code of that cell but an older definition, or "
                   "nothing.")
    return spec.fail(message, hint="fix the error and run that cell again, then this check")
