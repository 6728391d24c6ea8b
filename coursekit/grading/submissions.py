"""Finding submissions, naming their students, reading them safely.

A submission is one ``.ipynb`` file. Folders given on the command line are
searched recursively for ``*.ipynb`` (checkpoints skipped). The student is
named from the path only for the gradebook (never to decide which notebook it
is): ``alice_01_mlp.ipynb`` → ``alice``; ``alice/01_mlp.ipynb`` → ``alice``;
``bob_random.ipynb`` → ``bob_random``.

Example
-------
>>> student_name(Path("subs/alice_01_mlp.ipynb")), student_name(Path("bob/03_cnn.ipynb"))
('alice', 'bob')
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["MAX_NOTEBOOK_BYTES", "Submission", "file_sha256", "find_submissions",
           "read_notebook", "student_name"]

#: Larger files are not read (a course notebook with outputs is a few MB).
MAX_NOTEBOOK_BYTES = 64 * 2**20

_NOTEBOOK_STEM = re.compile(r"^\d{2}(_[A-Za-z0-9]+)*$")
_PREFIXED = re.compile(r"^(?P<student>.+?)[_\-. ]+\d{2}(_[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class Submission:
    """One file to grade: its ``path``, the ``label`` the CSV shows, its ``student``."""

    path: Path
    label: str
    student: str


def student_name(path: Path) -> str:
    """The student a submission belongs to, from its file name (or its folder's)."""
    stem = path.stem
    if _NOTEBOOK_STEM.match(stem):
        parent = path.parent.name
        return parent if parent not in ("", ".", "..") else stem
    match = _PREFIXED.match(stem)
    return match.group("student") if match else stem


def find_submissions(paths: list[str | Path]) -> list[Submission]:
    """Every submission under ``paths`` (files as given, folders searched), in order.

    A file given by name is graded whatever its extension (a ``.pdf`` gets
    ``not a notebook``); in folders only ``*.ipynb`` files count. A path given
    twice is graded once.
    """
    found: list[Submission] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.ipynb")
                           if ".ipynb_checkpoints" not in p.parts and p.is_file())
        else:
            files = [path]
        for file in files:
            key = file.resolve()
            if key in seen:
                continue
            seen.add(key)
            found.append(Submission(file, str(file), student_name(file)))
    return found


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


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """``(notebook, None)``, or ``(None, status)`` saying why it cannot be graded."""
    try:
        if not path.is_file():
            return None, "not a notebook" if path.exists() else "file not found"
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, f"file too large (over {MAX_NOTEBOOK_BYTES // 2**20} MB)"
        raw = path.read_bytes()
    except OSError:
        return None, "unreadable file"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "not a notebook"
    if path.suffix.lower() != ".ipynb":
        return None, "not a notebook"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, "invalid notebook JSON"
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")),
                                                     list):
        return None, "not a notebook"
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:
        return None, "not a notebook"
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source"), str):
            return None, "not a notebook"
    return nb, None
