"""Finding submissions, naming their students, and snapshotting them before any kernel runs.

A submission is one ``.ipynb`` file. Folders given on the command line are
searched recursively for ``*.ipynb`` (checkpoints skipped). The student is
named from the path only for the gradebook (never to decide which notebook it
is): ``alice_01_mlp.ipynb`` → ``alice``; ``alice/01_mlp.ipynb`` → ``alice``;
``bob_random.ipynb`` → ``bob_random``. Names and labels are printable (control
and format characters become ``?``).

:func:`snapshot` reads each file once, before any kernel starts, into the
grader's memory: its SHA-256 and a copy of its cells without outputs,
attachments or metadata the grader does not use. Grading uses only that copy,
so nothing a kernel does to the file afterwards counts. A file is refused
(score 0, no kernel) when it, or a folder between it and the folder it was
found in, is a symbolic link (``refused: symlink``), when it has other hard
links (``refused: hard link``), when it is not a regular file, and when it is
larger than :data:`MAX_NOTEBOOK_BYTES`, or one of its cells larger than
:data:`MAX_CELL_BYTES`, or all of them larger than :data:`MAX_SOURCE_BYTES`.

Example
-------
>>> student_name(Path("subs/alice_01_mlp.ipynb")), student_name(Path("bob/03_cnn.ipynb"))
('alice', 'bob')
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["MAX_CELL_BYTES", "MAX_NOTEBOOK_BYTES", "MAX_SOURCE_BYTES", "Submission",
           "file_sha256", "find_submissions", "parse_notebook", "printable", "read_notebook",
           "snapshot", "student_name"]

#: Larger files are not read (a course notebook with outputs is a few MB).
MAX_NOTEBOOK_BYTES = 64 * 2**20
#: A larger cell refuses the notebook (the course's largest cell is under 2 KB).
MAX_CELL_BYTES = 256 * 2**10
#: All cells' text together (the course's longest notebook has 35 KB).
MAX_SOURCE_BYTES = 2 * 2**20

_NOTEBOOK_STEM = re.compile(r"^\d{2}(_[A-Za-z0-9]+)*$")
_PREFIXED = re.compile(r"^(?P<student>.+?)[_\-. ]+\d{2}(_[A-Za-z0-9]+)*$")
_KEPT_METADATA = ("coursekit", "kernelspec", "language_info")
_NOT_PRINTABLE = ("Cc", "Cf", "Cs", "Zl", "Zp")


@dataclass(frozen=True)
class Submission:
    """One file to grade: its ``path``, the ``label`` the CSV shows, its ``student``.

    After :func:`snapshot`: ``sha256`` of the file's bytes, and either
    ``cells`` (the notebook the grader grades, as JSON text without outputs)
    or ``problem`` (the status saying why it is not graded). ``root`` is the
    folder it was found in (None for a file given by name).
    """

    path: Path
    label: str
    student: str
    root: Path | None = None
    sha256: str = ""
    cells: str | None = None
    problem: str | None = None

    @property
    def snapshotted(self) -> bool:
        """Whether the file was read already (into ``cells`` or a ``problem``)."""
        return self.cells is not None or self.problem is not None


def printable(text: str) -> str:
    """``text`` with control and format characters (escapes, bidi overrides) as ``?``."""
    return "".join("?" if unicodedata.category(ch) in _NOT_PRINTABLE else ch for ch in text)


def student_name(path: Path) -> str:
    """The student a submission belongs to, from its file name (or its folder's)."""
    stem = path.stem
    if _NOTEBOOK_STEM.match(stem):
        parent = path.parent.name
        return printable(parent if parent not in ("", ".", "..") else stem)
    match = _PREFIXED.match(stem)
    return printable(match.group("student") if match else stem)


def _walk(folder: Path) -> list[tuple[Path, bool]]:
    """``(path, is_symlink)`` of every ``*.ipynb`` under ``folder`` (symlinked folders
    are listed, not entered), sorted."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for name in list(dirs):
            if os.path.islink(os.path.join(top, name)):
                dirs.remove(name)
                found.append((Path(top) / name, True))
        for name in files:
            if name.endswith(".ipynb"):
                found.append((Path(top) / name, os.path.islink(os.path.join(top, name))))
    return sorted(found)


def find_submissions(paths: list[str | Path]) -> list[Submission]:
    """Every submission under ``paths`` (files as given, folders searched), in order.

    A file given by name is graded whatever its extension (a ``.pdf`` gets
    ``not a notebook``); in folders only ``*.ipynb`` files count, and a
    symbolic link (to a file or a folder) is listed with the status
    ``refused: symlink``. A path given twice is graded once; two files whose
    printable labels are the same get ``#2``, ``#3``... appended.
    """
    found: list[Submission] = []
    seen: set[Path] = set()
    labels: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():  # a folder given by name may be a link: the instructor's choice
            files = _walk(path)
            root: Path | None = path
        else:
            files, root = [(path, path.is_symlink())], None
        for file, link in files:
            key = file.absolute() if link else file.resolve()
            if key in seen:
                continue
            seen.add(key)
            label, n = printable(str(file)), 1
            while label in labels:
                n += 1
                label = f"{printable(str(file))}#{n}"
            labels.add(label)
            found.append(Submission(file, label, student_name(file), root,
                                    problem="refused: symlink" if link else None))
    return found


def _open_beneath(sub: Submission) -> int:
    """A descriptor of the submission, opened without following any symbolic link
    between its folder and it (raises OSError; ELOOP for a link)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if sub.root is None:
        return os.open(sub.path, flags)
    parts = sub.path.relative_to(sub.root).parts
    fd = os.open(sub.root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return os.open(parts[-1], flags, dir_fd=fd)
    finally:
        os.close(fd)


def _read_safely(sub: Submission) -> tuple[bytes | None, str | None]:
    """The file's bytes, read once, or ``(None, status)``."""
    try:
        fd = _open_beneath(sub)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and (
                sub.path.is_symlink() or any(p.is_symlink() for p in sub.path.parents)):
            return None, "refused: symlink"
        if exc.errno == errno.ENOENT:
            return None, "file not found"
        return None, "not a notebook" if sub.path.is_dir() else "unreadable file"
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode) or not stat.S_ISREG(info.st_mode):
            return None, "not a notebook"
        if info.st_nlink > 1:
            return None, "refused: hard link"
        if info.st_size > MAX_NOTEBOOK_BYTES:
            return None, f"file too large (over {MAX_NOTEBOOK_BYTES // 2**20} MB)"
        chunks, total = [], 0
        while total <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_NOTEBOOK_BYTES:  # it grew while being read
            return None, f"file too large (over {MAX_NOTEBOOK_BYTES // 2**20} MB)"
        return b"".join(chunks), None
    except OSError:
        return None, "unreadable file"
    finally:
        os.close(fd)


def snapshot(sub: Submission) -> Submission:
    """``sub`` read once into the grader's memory: its hash and its cells, or a problem."""
    if sub.snapshotted:
        return sub
    raw, problem = _read_safely(sub)
    if raw is None:
        return dataclasses.replace(sub, problem=problem or "unreadable file")
    sha = hashlib.sha256(raw).hexdigest()
    nb, problem = parse_notebook(raw, sub.path.suffix)
    del raw
    if nb is None:
        return dataclasses.replace(sub, sha256=sha, problem=problem or "not a notebook")
    return dataclasses.replace(sub, sha256=sha, cells=nbformat.writes(nb))


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (empty string if it cannot be read)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _stripped(data: dict) -> dict:
    """Only what grading reads: cells' type, source, id and tags; three metadata keys."""
    meta = data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    out = {key: value for key, value in data.items() if key not in ("cells", "metadata")}
    out["metadata"] = {k: copy.deepcopy(meta[k]) for k in _KEPT_METADATA if k in meta}
    cells = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            cells.append(cell)  # refused by the checks below
            continue
        kept = {k: cell[k] for k in ("cell_type", "source", "id") if k in cell}
        tags = (cell.get("metadata") or {}).get("tags") if isinstance(
            cell.get("metadata"), dict) else None
        kept["metadata"] = {"tags": [t for t in tags if isinstance(t, str)][:20]} \
            if isinstance(tags, list) else {}
        if kept.get("cell_type") == "code":
            kept["outputs"], kept["execution_count"] = [], None
        cells.append(kept)
    out["cells"] = cells
    return out


def _too_large(cells: list) -> str | None:
    total = 0
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        size = len(source.encode("utf-8", "replace")) if isinstance(source, str) else 0
        if size > MAX_CELL_BYTES:
            return f"cell {number} too large (over {MAX_CELL_BYTES // 2**10} KB of text)"
        total += size
    if total > MAX_SOURCE_BYTES:
        return f"notebook too large (over {MAX_SOURCE_BYTES // 2**20} MB of cell text)"
    return None


def parse_notebook(raw: bytes, suffix: str = ".ipynb") -> tuple[nbformat.NotebookNode | None,
                                                                 str | None]:
    """``(notebook, None)`` from a file's bytes, outputs removed, or ``(None, status)``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "not a notebook"
    if suffix.lower() != ".ipynb":
        return None, "not a notebook"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, "invalid notebook JSON"
    del text
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")),
                                                     list):
        return None, "not a notebook"
    if "cells" in data:
        problem = _too_large(data["cells"])
        if problem:
            return None, problem
        data = _stripped(data)
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception:
        return None, "not a notebook"
    if "cells" not in data and _too_large(nb.cells):  # an old (v3) notebook, converted
        return None, _too_large(nb.cells)
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source"), str):
            return None, "not a notebook"
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)
    return nb, None


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """``(notebook, None)``, or ``(None, status)`` saying why it cannot be graded.

    The file is read as :func:`snapshot` reads it (no symbolic link, size caps).
    """
    sub = snapshot(Submission(Path(path), str(path), student_name(Path(path))))
    if sub.cells is None:
        return None, sub.problem
    with contextlib.suppress(Exception):
        return nbformat.reads(sub.cells, as_version=4), None
    return None, "not a notebook"  # pragma: no cover - written by nbformat just now
