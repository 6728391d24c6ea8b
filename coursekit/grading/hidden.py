"""Hidden checks: the instructor's own checks, loaded from a folder only by the grader.

A hidden check is a :class:`~coursekit.checks.Check` subclass in a Python file
of the ``--hidden`` folder, with one more attribute, ``target``: either a
visible check's id (judge the same object, e.g. ``"01.build_mlp"``) or an
expression evaluated in the student's namespace (``"build_mlp"``)::

    from coursekit.checks import Check

    class MLPDepth(Check):
        id = "01.hidden_mlp_depth"
        notebook = "01_mlp"
        points = 1
        target = "01.build_mlp"      # reuse that check's evidence

        def judge(self, evidence):
            ...

A hidden check that keeps the default ``collect`` and targets a visible check
reuses that check's evidence, so *no hidden code ever enters a student's
kernel*. One that defines ``collect`` has its file's source sent to the kernel
only at extraction time, after the student's cells ran (keep secrets in
``judge``, which never leaves the grader). The files are executed in fresh
modules; anything they register is moved out of the course's global registry
into the returned one, and ``hidden`` is set on every class.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from ..checks import REGISTRY, Check
from ..errors import CourseKitError

__all__ = ["HiddenCheck", "load_hidden_checks"]

_CHECK_ID = re.compile(r"^\d{2}\.[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class HiddenCheck:
    """A loaded hidden check and what the kernel needs to collect its evidence."""

    check: Check
    target: str
    module: str
    qualname: str
    source: str
    path: Path

    @property
    def own_collect(self) -> bool:
        """Whether the check defines ``collect`` (else it gets its target's evidence)."""
        return type(self.check).collect is not Check.collect

    @property
    def reuses(self) -> str | None:
        """The visible check whose evidence this one judges, if any."""
        if _CHECK_ID.match(self.target) and not self.own_collect:
            return self.target
        return None


def _module_name(path: Path) -> str:
    return "coursekit_hidden_" + re.sub(r"\W", "_", path.stem)


def load_hidden_checks(folder: str | Path) -> dict[str, HiddenCheck]:
    """Load every ``*.py`` of ``folder`` (except ``_*.py``) into a separate registry."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseKitError(f"--hidden {folder}: not a folder")
    found: dict[str, HiddenCheck] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text(encoding="utf-8")
        name = _module_name(path)
        module = types.ModuleType(name)
        module.__file__ = str(path)
        before = dict(REGISTRY)
        sys.modules[name] = module
        try:
            exec(compile(source, str(path), "exec"), module.__dict__)
        except Exception as exc:
            raise CourseKitError(f"hidden checks {path}: {type(exc).__name__}: {exc}") from exc
        finally:
            sys.modules.pop(name, None)
            for key in [k for k in REGISTRY if k not in before or REGISTRY[k] is not before[k]]:
                del REGISTRY[key]
            REGISTRY.update(before)
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, Check) and obj is not Check
                    and obj.__module__ == name and isinstance(getattr(obj, "id", None), str)):
                continue
            check_id = obj.id
            if check_id in found or check_id in REGISTRY:
                raise CourseKitError(f"hidden check id {check_id!r} ({path}) is already used")
            target = getattr(obj, "target", None)
            if not isinstance(target, str) or not target.strip():
                raise CourseKitError(
                    f"hidden check {check_id} ({path}) must set `target`: a visible check's "
                    "id (\"01.build_mlp\") or an expression (\"build_mlp\")")
            if not isinstance(getattr(obj, "notebook", None), str):
                raise CourseKitError(f"hidden check {check_id} ({path}) must set `notebook`")
            obj.hidden = True
            found[check_id] = HiddenCheck(obj(), target.strip(), name, obj.__qualname__,
                                          source, path)
    return found
