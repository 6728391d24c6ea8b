"""The code that runs inside the student's kernel at extraction time.

The grader never imports this module into a kernel by name: it reads this
file's *source text* once, at start-up, and sends it inside the extraction
cells, so a submission that edits or shadows ``coursekit`` in its kernel (or on
disk, during the run) cannot change it. It imports nothing from ``coursekit``.

:class:`Extractor` rebuilds the course's check classes from source text (sent
by the grader) into *new* module objects, so monkeypatches of
``coursekit.checks`` in the kernel do not reach them; evaluates the reference
notebook's expression (``build_mlp`` in ``check("01.build_mlp", build_mlp)``)
in the student's namespace; runs the check's ``collect``; and writes the
evidence as plain files into a folder the grader created for this moment:
``manifest.json`` (JSON), NumPy arrays (``.npy``, ``allow_pickle=False``) and
Keras models (``.keras``). Anything else is refused.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
import types
from typing import Any

#: Manifest tags (a JSON object in the tree is always exactly one of these).
ARRAY, MODEL, TUPLE, DICT = "__ndarray__", "__keras_model__", "__tuple__", "__dict__"
#: NumPy dtype kinds that save without pickle: bool, ints, floats, complex, str, bytes.
ARRAY_KINDS = "biufcUS"

_CORE = "coursekit.checks._core"
_PACKAGE = "coursekit.checks"


class Refused(Exception):
    """The evidence holds something that is not plain data."""


class Encoder:
    """Write an evidence tree as ``manifest.json`` plus array and model files."""

    def __init__(self, folder: str, max_bytes: int, max_nodes: int = 200_000,
                 max_depth: int = 32) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.files = 0
        self.nodes = 0
        self.bytes = 0

    def _file(self, suffix: str) -> tuple[str, str]:
        self.files += 1
        name = f"{self.files}{suffix}"
        return name, os.path.join(self.folder, name)

    def _count(self, path: str) -> None:
        self.bytes += os.path.getsize(path)
        if self.bytes > self.max_bytes:
            raise Refused(f"the evidence is larger than {self.max_bytes // 2**20} MB")

    def encode(self, obj: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes or depth > self.max_depth:
            raise Refused("the evidence is too large or too deeply nested")
        if obj is None or isinstance(obj, (bool, str)):
            if isinstance(obj, str) and len(obj) > 100_000:
                raise Refused("a string in the evidence is longer than 100,000 characters")
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, (list, tuple)):
            items = [self.encode(v, depth + 1) for v in obj]
            return items if isinstance(obj, list) else {TUPLE: items}
        if isinstance(obj, dict):
            pairs = [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                     for k, v in obj.items()]
            return {DICT: pairs}
        np = sys.modules.get("numpy")
        if np is not None:
            if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
                return obj.item()
            if isinstance(obj, np.ndarray):
                return self._array(np, obj)
        keras = sys.modules.get("keras")
        if keras is not None:
            if isinstance(obj, keras.Model):
                name, path = self._file(".keras")
                try:
                    obj.save(path)
                except Exception as exc:
                    raise Refused(f"the model could not be saved ({type(exc).__name__}); "
                                  "use standard Keras layers only") from None
                self._count(path)
                return {MODEL: name}
            if np is not None and keras.ops.is_tensor(obj):
                return self._array(np, np.asarray(keras.ops.convert_to_numpy(obj)))
        raise Refused(f"evidence of type {type(obj).__name__} cannot be graded (only "
                      "numbers, strings, lists, dicts, NumPy arrays and Keras models)")

    def _array(self, np: Any, arr: Any) -> dict[str, str]:
        if type(arr) is not np.ndarray:
            arr = np.asarray(arr)
        if arr.dtype.kind not in ARRAY_KINDS or arr.dtype.fields is not None:
            raise Refused(f"an array of dtype {arr.dtype} cannot be graded")
        if arr.nbytes > self.max_bytes:
            raise Refused(f"the evidence is larger than {self.max_bytes // 2**20} MB")
        name, path = self._file(".npy")
        np.save(path, arr, allow_pickle=False)
        self._count(path)
        return {ARRAY: name}


def write_manifest(folder: str, manifest: dict[str, Any]) -> None:
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f)


class _SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve modules from source text (the grader's copies), ahead of every other finder."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self.sources:
            return None
        return importlib.util.spec_from_loader(fullname, self,
                                               origin=f"<grader copy of {fullname}>")

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        exec(compile(self.sources[name], f"<grader copy of {name}>", "exec"), module.__dict__)


def fresh_modules(sources: dict[str, str], wanted: list[str]) -> dict[str, types.ModuleType]:
    """Execute the grader's check sources into new module objects.

    ``sources`` maps module names to source text and must hold
    ``coursekit.checks._core``. While the ``wanted`` modules load, the names in
    ``sources`` (and ``coursekit.checks``) resolve to fresh copies served from
    that text, so ``from ._core import Check``, ``from coursekit.checks import
    Check`` or ``from .nb01 import helper`` bind fresh classes whatever the
    kernel did to its own ``coursekit``; the kernel's modules are put back after.
    """
    names = [_PACKAGE, *sources]
    saved = {name: sys.modules.pop(name, None) for name in names}
    finder = _SourceFinder(sources)
    package = types.ModuleType(_PACKAGE)
    package.__path__ = []
    package.__package__ = _PACKAGE
    sys.meta_path.insert(0, finder)
    try:
        sys.modules[_PACKAGE] = package
        core = importlib.import_module(_CORE)
        for name in core.__all__:
            setattr(package, name, getattr(core, name))
        return {name: importlib.import_module(name) for name in wanted}
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name in names:
            sys.modules.pop(name, None)
            if saved[name] is not None:
                sys.modules[name] = saved[name]


class Extractor:
    """Collect the evidence of each check into ``folder/<index>/``."""

    def __init__(self, sources: dict[str, str], wanted: list[str], folder: str,
                 max_bytes: int) -> None:
        self.sources = sources
        self.wanted = wanted
        self.folder = folder
        self.max_bytes = max_bytes
        self._modules: dict[str, types.ModuleType] | None = None

    def _check(self, module: str, qualname: str) -> Any:
        if self._modules is None:
            self._modules = fresh_modules(self.sources, self.wanted)
        obj: Any = self._modules[module]
        for part in qualname.split("."):
            obj = getattr(obj, part)
        return obj()

    def extract(self, index: int, module: str, qualname: str, expression: str,
                namespace: dict[str, Any]) -> None:
        folder = os.path.join(self.folder, str(index))
        os.mkdir(folder)
        write_manifest(folder, self._collect(folder, module, qualname, expression, namespace))

    def _collect(self, folder: str, module: str, qualname: str, expression: str,
                 namespace: dict[str, Any]) -> dict[str, Any]:
        try:
            obj = eval(compile(expression, "<reference check cell>", "eval"), namespace)
        except NameError:
            return {"kind": "missing"}
        except KeyboardInterrupt:
            return {"kind": "interrupted"}
        except BaseException as exc:
            return {"kind": "raised", "type": type(exc).__name__, "message": _line(exc)}
        if obj is None:
            return {"kind": "missing"}
        try:
            check = self._check(module, qualname)
        except KeyboardInterrupt:  # the check's time ran out while its module loaded
            return {"kind": "interrupted"}
        except BaseException as exc:
            return {"kind": "error", "message": f"loading the check: {_line(exc)}"}
        try:
            evidence, failed = check.gather(obj)
        except KeyboardInterrupt:
            return {"kind": "interrupted"}
        except BaseException as exc:  # SystemExit and friends, which gather lets through
            return {"kind": "raised", "type": type(exc).__name__, "message": _line(exc)}
        if failed is not None:
            return {"kind": "failed", "message": str(failed.message), "hint": str(failed.hint)}
        try:
            tree = Encoder(folder, self.max_bytes).encode(evidence)
        except Refused as exc:
            return {"kind": "refused", "message": str(exc)}
        except BaseException as exc:
            return {"kind": "refused", "message": f"saving the evidence: {_line(exc)}"}
        return {"kind": "evidence", "tree": tree}


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""
