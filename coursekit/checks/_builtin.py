"""Where checks come from: coursekit's own, and a course folder's ``checks/``.

coursekit's own checks (``coursekit/checks/nb01.py`` ...) register themselves when
:func:`load_builtin` imports them. A course of your own keeps its checks beside its
notebooks, in ``checks/*.py`` of the course folder (one file per notebook, by custom
``nbNN.py``; files starting with ``_`` are skipped); :func:`load_course` executes those
files, each in a module of its own named ``coursekit_course_<file stem>``, and their
``@register`` puts their checks in :data:`~coursekit.checks.REGISTRY`. Loading a course
again (or another course) first removes the checks the previous load registered, so an
edited check file is picked up by loading again.

A notebook needs no extra line for this: when :func:`~coursekit.checks.check` is asked for an
id coursekit does not know, it loads the course that :func:`find_course` finds from the
kernel's working folder (Jupyter runs a notebook in its own folder: ``notebooks/`` or
``solutions/``, whose parent is the course folder).

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> course = Path(tempfile.mkdtemp())
>>> (course / "checks").mkdir()
>>> _ = (course / "checks" / "nb98.py").write_text(
...     "from coursekit.checks import Check, register\\n"
...     "@register\\n"
...     "class Answer(Check):\\n"
...     "    id = '98.answer'\\n"
...     "    notebook = '98_demo'\\n"
...     "    def judge(self, evidence):\\n"
...     "        if evidence == 42:\\n"
...     "            return self.ok('right')\\n"
...     "        return self.fail('wrong', hint='6 x 7')\\n")
>>> sorted(load_course(course))
['98.answer']
>>> from coursekit.checks import check
>>> check("98.answer", 41)
❌ [98.answer] 0/1: wrong
   Hint: 6 x 7
>>> unload_course()
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

from ..errors import CourseKitError
from . import __path__ as _here
from ._core import REGISTRY, DuplicateCheckId

__all__ = ["COURSE_MODULE_PREFIX", "CourseCheckError", "DuplicateCheckError", "course_loaded",
           "find_course", "load_builtin", "load_course", "unload_course"]

#: The module name a course's check file gets: ``checks/nb08.py`` → ``coursekit_course_nb08``.
COURSE_MODULE_PREFIX = "coursekit_course_"
_CHECK_ID = re.compile(r"^\d{2}\.[A-Za-z0-9_]+$")
_loaded: dict[str, object] = {"builtin": False, "folder": None}


class CourseCheckError(CourseKitError):
    """A course's ``checks/`` file cannot be loaded: it names the file and what to fix."""


def load_builtin() -> None:
    """Import coursekit's own check modules (``nb01.py`` ...), which register themselves."""
    if _loaded["builtin"]:
        return
    for module in pkgutil.iter_modules(_here):
        if module.name.startswith("nb"):
            importlib.import_module(f"{__package__}.{module.name}")
    _loaded["builtin"] = True


def course_check_files(course: str | Path) -> list[Path]:
    """The check files of a course folder: ``checks/*.py`` but ``_*.py``, sorted."""
    folder = Path(course) / "checks"
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_")) \
        if folder.is_dir() else []


def module_name(path: str | Path) -> str:
    """The module a course check file is loaded as (``nb08.py`` → ``coursekit_course_nb08``)."""
    return COURSE_MODULE_PREFIX + re.sub(r"\W", "_", Path(path).stem)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def unload_course() -> None:
    """Remove the checks (and modules) that the last :func:`load_course` registered."""
    for key in [k for k, v in REGISTRY.items()
                if type(v).__module__.startswith(COURSE_MODULE_PREFIX)]:
        del REGISTRY[key]
    for name in [n for n in sys.modules if n.startswith(COURSE_MODULE_PREFIX)]:
        del sys.modules[name]
    _loaded["folder"] = None


def load_course(course: str | Path) -> dict[str, object]:
    """Register the checks of a course folder's ``checks/*.py``; return them by id.

    The checks of a previously loaded course are removed first. Each file is executed
    as module ``coursekit_course_<stem>``; it imports what it needs
    (``from coursekit.checks import Check, register``) and decorates its check classes
    with ``@register``. An id must be ``NN.name`` and new (neither coursekit's nor
    another file's): otherwise :class:`CourseCheckError` names the file and the fix.
    """
    load_builtin()
    unload_course()
    course = Path(course)
    found: dict[str, object] = {}
    for path in course_check_files(course):
        name = module_name(path)
        module = types.ModuleType(name)
        module.__file__ = str(path)
        before = dict(REGISTRY)
        sys.modules[name] = module
        try:
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
        except DuplicateCheckId as exc:
            unload_course()
            raise DuplicateCheckError(
                f"{_shown(path)}: check id {exc.check_id!r} is already used by "
                f"{_owner(exc.owner)}. Give this check an id of its own (NN.name, NN being "
                "its notebook's number).") from None
        except Exception as exc:
            unload_course()
            where = f", line {exc.lineno}" if isinstance(exc, SyntaxError) else ""
            raise CourseCheckError(f"{_shown(path)}{where}: {type(exc).__name__}: {exc}. "
                                   "Fix the file, then build again.") from None
        new = {k: v for k, v in REGISTRY.items() if k not in before}
        for cid in new:
            if not _CHECK_ID.match(cid):
                unload_course()
                raise CourseCheckError(
                    f"{_shown(path)}: check id {cid!r} is not of the form NN.name "
                    "(NN: its notebook's two-digit number, e.g. '08.normalise').")
        found.update(new)
    _loaded["folder"] = course.resolve()
    return found


class DuplicateCheckError(CourseCheckError):
    """Two checks (of the course, or of the course and coursekit) have one id."""


def _owner(owner: type) -> str:
    module = owner.__module__
    if module.startswith(COURSE_MODULE_PREFIX):
        return f"checks/{module.removeprefix(COURSE_MODULE_PREFIX)}.py"
    return f"coursekit's own {module}"


@contextlib.contextmanager
def course_loaded(course: str | Path) -> Iterator[dict[str, object]]:
    """:func:`load_course` for a ``with`` block; the course loaded before is back after."""
    previous = _loaded["folder"]
    try:
        yield load_course(course)
    finally:
        unload_course()
        if previous is not None:
            with contextlib.suppress(CourseKitError):
                load_course(previous)  # type: ignore[arg-type]


def find_course(start: str | Path | None = None) -> Path | None:
    """The course folder of a notebook running in ``start`` (default: the working folder).

    ``start`` itself or its parent, whichever first has a ``checks/`` folder beside a
    ``notebooks/`` or ``solutions/`` folder; None if neither has.
    """
    start = Path.cwd() if start is None else Path(start)
    for folder in (start, start.parent):
        if (folder / "checks").is_dir() and ((folder / "notebooks").is_dir()
                                            or (folder / "solutions").is_dir()):
            return folder
    return None


def load_nearby_course() -> bool:
    """Load the course :func:`find_course` finds, once; whether one was newly loaded."""
    course = find_course()
    if course is None or _loaded["folder"] == course.resolve():
        return False
    try:
        load_course(course)
    except CourseKitError as exc:
        print(f"❌ {exc}")
        return False
    return True
