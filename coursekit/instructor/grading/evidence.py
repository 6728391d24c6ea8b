"""Reading the evidence a kernel wrote, in the grader's own process.

The kernel writes, per check, ``<index>/manifest.json`` plus ``.npy`` and
``.keras`` files (see :mod:`coursekit.instructor.grading._kernel_side`). Here the judging
process (:mod:`~coursekit.instructor.grading.judging`) reads them back as *untrusted*
data, with hard caps checked before anything large is built:

- the manifest: a plain file of at most :data:`MANIFEST_LIMIT` bytes, JSON,
  at most :data:`MAX_DEPTH` levels deep (measured on the text, before
  parsing) and :data:`MAX_NODES` values, every object one of four tags;
- at most :data:`MAX_FILES` referenced files, each referenced once, plain
  files of this folder with the names the encoder gives, together at most
  the evidence limit;
- arrays: the ``.npy`` header is read first and must describe exactly the
  bytes of the file (a sparse or truncated file, or a shape larger than the
  limit, is refused unread), then load with ``allow_pickle=False``; models
  load with ``keras.saving.load_model(..., safe_mode=True)`` (no lambdas, no
  custom code).

Anything unexpected becomes a refusal, never an exception.

This module reads the tree generically and never interprets it. Where a
check's evidence holds a model's *facts* (:mod:`coursekit.checks._facts`), the
check's ``judge`` validates them against the facts' schema
(``ModelFacts.from_dict``) before reading a field, in the judging process, so
forged facts end as "could not judge the answer", never as a pass.
"""

from __future__ import annotations

import json
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._kernel_side import ARRAY, ARRAY_KINDS, DICT, MODEL, TUPLE

__all__ = ["MANIFEST_LIMIT", "MAX_DEPTH", "MAX_FILES", "MAX_NODES", "EvidenceError",
           "Outcome", "check_references", "decode", "read_outcome"]

#: What one check's manifest may say happened in the kernel.
KINDS = ("evidence", "missing", "failed", "raised", "refused", "interrupted", "error")

#: Caps on one check's manifest (the kernel's encoder stays well below them).
MANIFEST_LIMIT = 16 * 2**20
MAX_DEPTH = 64
MAX_NODES = 400_000
MAX_FILES = 64
_BRACKETS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_NAME = re.compile(r"^[0-9]{1,6}\.(npy|keras)$")
_MODEL_LOCK = threading.Lock()  # Keras model loading is not known to be thread-safe


class EvidenceError(Exception):
    """The evidence files are not what the grader's encoder writes."""


@dataclass
class Outcome:
    """What the kernel reported for one check.

    ``kind`` is one of :data:`KINDS`, or ``"absent"`` when the kernel wrote
    nothing (it died or stopped before). ``evidence`` is set for ``"evidence"``.
    """

    kind: str
    evidence: Any = None
    message: str = ""
    hint: str = ""
    exc_type: str = ""


def _regular_file(folder: Path, name: str, limit: int) -> Path:
    if not isinstance(name, str) or not _NAME.match(name):
        raise EvidenceError(f"unexpected evidence file name {name!r}")
    path = folder / name
    info = path.lstat()  # a symlink is refused, not followed
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceError(f"{name} is not a plain file")
    if info.st_size > limit:
        raise EvidenceError(f"{name} is larger than {limit // 2**20} MB")
    return path


def _array_header(path: Path) -> None:
    """Refuse a ``.npy`` file unless its header describes exactly its bytes (nothing loaded)."""
    import numpy as np

    size = path.lstat().st_size
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read = {(1, 0): np.lib.format.read_array_header_1_0,
                    (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read is None:
                raise EvidenceError(f"unexpected .npy format {version}")
            shape, _, dtype = read(f, max_header_size=10_000)
            header = f.tell()
    except EvidenceError:
        raise
    except Exception as exc:
        raise EvidenceError(f"an array could not be read ({type(exc).__name__})") from None
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject:
        raise EvidenceError("an evidence file is not a plain NumPy array")
    count = 1
    for n in shape:
        count *= int(n)
    if header + count * dtype.itemsize != size:
        raise EvidenceError("an array file does not match its header")


def _load_array(path: Path) -> Any:
    import numpy as np

    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:
        raise EvidenceError(f"an array could not be read ({type(exc).__name__})") from None
    if type(arr) is not np.ndarray or arr.dtype.kind not in ARRAY_KINDS:
        raise EvidenceError("an evidence file is not a plain NumPy array")
    return arr


def _load_model(path: Path) -> Any:
    import keras

    with _MODEL_LOCK:
        try:
            return keras.saving.load_model(path, safe_mode=True)
        except Exception:
            pass
        try:  # a model compiled with a custom loss still loads without its training config
            return keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as exc:
            raise EvidenceError(
                f"the model could not be loaded safely ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:120] if str(exc) else ''}); "
                "use standard Keras layers only") from None


def _depth(text: bytes) -> int:
    """The nesting depth of a JSON text, from its brackets outside strings (no parsing)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def check_references(tree: Any, folder: Path, limit: int) -> None:
    """Check a whole manifest tree before anything is loaded (raises :class:`EvidenceError`).

    At most :data:`MAX_NODES` values; at most :data:`MAX_FILES` files, each
    referenced once, plain files of ``folder``, together at most ``limit``
    bytes; every array's header matching its file.
    """
    seen: set[str] = set()
    left, nodes, stack = limit, 0, [tree]
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise EvidenceError(f"the evidence holds more than {MAX_NODES:,} values")
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if len(node) == 1 and next(iter(node)) in (ARRAY, MODEL):
                (tag, name), = node.items()
                path = _regular_file(folder, name, limit)
                if name in seen:
                    raise EvidenceError("the evidence references one file twice")
                seen.add(name)
                if len(seen) > MAX_FILES:
                    raise EvidenceError(f"the evidence references more than {MAX_FILES} files")
                left -= path.lstat().st_size
                if left < 0:
                    raise EvidenceError(f"the evidence is larger than {limit // 2**20} MB")
                if tag == ARRAY:
                    _array_header(path)
            else:
                stack.extend(node.values())


def decode(tree: Any, folder: Path, limit: int) -> Any:
    """Rebuild the evidence from a manifest tree (raises :class:`EvidenceError`).

    Call :func:`check_references` on the tree first: this loads what it references.
    """
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode(v, folder, limit) for v in tree]
    if isinstance(tree, dict) and len(tree) == 1:
        (tag, value), = tree.items()
        if tag == TUPLE and isinstance(value, list):
            return tuple(decode(v, folder, limit) for v in value)
        if tag == DICT and isinstance(value, list):
            out = {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise EvidenceError("a malformed dict in the evidence")
                key = decode(pair[0], folder, limit)
                try:
                    out[key] = decode(pair[1], folder, limit)
                except TypeError:
                    raise EvidenceError("an unhashable dict key in the evidence") from None
            return out
        if tag == ARRAY:
            return _load_array(_regular_file(folder, value, limit))
        if tag == MODEL:
            return _load_model(_regular_file(folder, value, limit))
    raise EvidenceError("the evidence holds an object the grader does not accept")


def _text(value: Any, limit: int = 2000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def read_outcome(folder: Path, limit: int) -> Outcome:
    """Read ``folder/manifest.json`` and its files into an :class:`Outcome`."""
    try:
        if folder.is_symlink() or not stat.S_ISDIR(folder.lstat().st_mode):
            raise EvidenceError("the evidence folder was replaced")
        raw = _regular_file_manifest(folder).read_bytes()
        if _depth(raw) > MAX_DEPTH:
            raise EvidenceError(f"it is nested more than {MAX_DEPTH} levels deep")
        manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return Outcome("absent")
    except EvidenceError as exc:  # the grader's own words: why it refused
        reason = str(exc)
        return Outcome("refused", message=f"the evidence could not be read ({reason})")
    except (OSError, ValueError, RecursionError) as exc:
        return Outcome("refused", message=f"the evidence could not be read ({exc})")
    kind = manifest.get("kind") if isinstance(manifest, dict) else None
    if kind not in KINDS:
        return Outcome("refused", message="the evidence could not be read (unknown kind)")
    if kind != "evidence":
        return Outcome(kind, message=_text(manifest.get("message")),
                       hint=_text(manifest.get("hint")), exc_type=_text(manifest.get("type"), 80))
    try:
        check_references(manifest.get("tree"), folder, limit)
        return Outcome("evidence", evidence=decode(manifest.get("tree"), folder, limit))
    except EvidenceError as exc:
        return Outcome("refused", message=str(exc))
    except RecursionError:
        return Outcome("refused", message="the evidence is too deeply nested")


def _regular_file_manifest(folder: Path) -> Path:
    path = folder / "manifest.json"
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceError("manifest.json is not a plain file")
    if info.st_size > MANIFEST_LIMIT:
        raise EvidenceError("manifest.json is too large")
    return path
