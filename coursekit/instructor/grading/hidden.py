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
kernel*. One that defines ``collect`` sends the kernel, at extraction time
and only for its own notebook, :func:`collect_source`: its file cut down to
its check classes without ``judge``, the class attributes and methods they
keep, and the module-level names these use (comments and docstrings go too:
the text is rebuilt from the syntax tree). The files are executed in fresh
modules; anything they register is moved out of the course's global registry
into the returned one, and ``hidden`` is set on every class.

Example
-------
>>> text = collect_source('''
... SECRET = 42
... HELPER = 10
... class C(Check):
...     id = "01.x"
...     answer = SECRET
...     def collect(self, f):
...         return f(HELPER)
...     def judge(self, evidence):
...         return self.ok("") if evidence == self.answer else self.fail("")
... ''', ["C"])
>>> "SECRET" in text or "judge" in text or "answer" in text, "HELPER = 10" in text
(False, True)
"""

from __future__ import annotations

import ast
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from ...checks import REGISTRY, Check
from ...errors import CourseKitError

__all__ = ["HiddenCheck", "collect_source", "load_hidden_checks"]

_CHECK_ID = re.compile(r"^\d{2}\.[A-Za-z0-9_]+$")
#: Class attributes a check keeps in the kernel whatever its methods use.
_CHECK_ATTRIBUTES = {"id", "notebook", "points", "expects", "title", "hidden", "target"}
#: Methods that never enter a kernel.
_JUDGING = {"judge", "decide"}


def _names(node: ast.AST) -> set[str]:
    """Names a piece of code reads, and attributes it reads (``self.answer`` → answer)."""
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
    return out


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return set()


def _strip_class(node: ast.ClassDef) -> ast.ClassDef:
    methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               and n.name not in _JUDGING]
    used = set().union(*(_names(m) for m in methods)) if methods else set()
    body: list[ast.stmt] = []
    for item in node.body:
        attribute = isinstance(item, (ast.Assign, ast.AnnAssign)) and bool(
            _defines(item) & (_CHECK_ATTRIBUTES | used))
        if item in methods or attribute:
            body.append(item)
    node.body = body or [ast.Pass()]
    return node


def collect_source(source: str, qualnames: list[str]) -> str:
    """What the kernel needs of a hidden check file to run ``collect`` (no ``judge``).

    Keeps the classes ``qualnames`` (their ``judge``/``decide`` removed, and
    class attributes that only those used), then every module-level statement
    defining a name the kept code uses, until nothing more is needed; imports
    of names used are kept. Everything else (other checks, constants of
    ``judge``, comments, docstrings) is left out.
    """
    tree = ast.parse(source)
    roots = {q.split(".")[0] for q in qualnames}
    kept: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in roots:
            kept.append(_strip_class(node))
    needed = set().union(*(_names(n) for n in kept)) if kept else set()
    changed = True
    while changed:
        changed = False
        for node in tree.body:
            if node in kept or not (_defines(node) & needed):
                continue
            kept.append(node)
            needed |= _names(node)
            changed = True
    order = {id(n): i for i, n in enumerate(tree.body)}
    module = ast.Module(body=sorted(kept, key=lambda n: order[id(n)]), type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node.body and isinstance(node.body[0], ast.Expr) and \
                isinstance(getattr(node.body[0], "value", None), ast.Constant) and \
                isinstance(node.body[0].value.value, str):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(ast.fix_missing_locations(module)) + "\n"


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
