"""The reference notebooks: what each check is called on, and how to recognise a notebook.

The grader trusts only the course's own solution notebooks (``solutions/`` of
the repository): the object a check judges is the expression in the
*reference's* check cell (``build_mlp`` in ``check("01.build_mlp",
build_mlp)``), never the submission's. :func:`identify` decides which notebook
a submission is from its metadata (``metadata.coursekit.notebook``) and its
content (check ids in ``check("NN.name", ...)`` calls, and fingerprints of
the cells it shares with the reference), never from its file name.

Example
-------
>>> check_expressions('check("01.build_mlp", build_mlp)\\nx = 1')
{'01.build_mlp': 'build_mlp'}
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ...errors import CourseKitError
from ..build import BADGE, BEGIN, strip_solutions

__all__ = ["Identification", "ReferenceNotebook", "check_expressions", "default_reference_dir",
           "fingerprints", "identify", "load_references"]

_CHECK_ID = re.compile(r"^\d{2}\.[A-Za-z0-9_]+$")
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d{2}\.[A-Za-z0-9_]+)["']""")
_MIN_CELL_CHARS = 24


@dataclass
class ReferenceNotebook:
    """One solution notebook: its stem, title, check expressions and cell fingerprints."""

    stem: str
    path: Path
    title: str
    expressions: dict[str, str] = field(default_factory=dict)
    fingerprints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Identification:
    """Which notebook a submission is (``notebook``), or why not (``problem``).

    ``how`` is ``"metadata"``, ``"content"`` or ``"metadata and content"``.
    """

    notebook: str | None
    problem: str | None = None
    how: str = ""


def default_reference_dir() -> Path | None:
    """``solutions/`` of the repository this coursekit comes from, or of the cwd."""
    import coursekit

    for candidate in (Path(coursekit.__file__).resolve().parents[1] / "solutions",
                      Path.cwd() / "solutions"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def check_expressions(source: str) -> dict[str, str]:
    """``{check id: expression}`` of the ``check("id", EXPR)`` calls in a cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "check" and len(node.args) == 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str) and _CHECK_ID.match(node.args[0].value)):
            expression = ast.get_source_segment(source, node.args[1])
            if expression:
                found[node.args[0].value] = expression
    return found


def _normalise(text: str) -> str:
    lines = [ln for ln in text.splitlines() if not BADGE.match(ln.strip())]
    return " ".join(" ".join(lines).split())


def fingerprints(nb: nbformat.NotebookNode) -> frozenset[str]:
    """Hashes of a notebook's non-trivial cells, solution blocks replaced by the stub.

    A solved and a blank copy of the same notebook share all but their
    exercise cells' fingerprints (and those too when solution markers remain).
    """
    out = set()
    for cell in nb.cells:
        source = cell.get("source")
        if not isinstance(source, str) or "setup" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.get("cell_type") == "code" and BEGIN in source:
            with contextlib.suppress(ValueError):
                source = strip_solutions(source)
        text = _normalise(source)
        if len(text) >= _MIN_CELL_CHARS:
            out.add(hashlib.sha256(f"{cell.get('cell_type')}:{text}".encode()).hexdigest()[:20])
    return frozenset(out)


def _title(nb: nbformat.NotebookNode, stem: str) -> str:
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return stem


def load_references(folder: Path) -> dict[str, ReferenceNotebook]:
    """The reference notebooks in ``folder`` (``*.ipynb``), by stem."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise CourseKitError(f"no reference notebooks in {folder}: pass the course's "
                             "solutions folder with --reference")
    references = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        expressions: dict[str, str] = {}
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                expressions.update(check_expressions(cell.source))
        references[path.stem] = ReferenceNotebook(path.stem, path, _title(nb, path.stem),
                                                  expressions, fingerprints(nb))
    return references


def _metadata_stem(nb: nbformat.NotebookNode) -> str | None:
    meta = nb.get("metadata", {})
    coursekit = meta.get("coursekit") if isinstance(meta, dict) else None
    stem = coursekit.get("notebook") if isinstance(coursekit, dict) else None
    return stem if isinstance(stem, str) else None


def content_scores(nb: nbformat.NotebookNode, references: dict[str, ReferenceNotebook]
                   ) -> Counter[str]:
    """How strongly the cells say each notebook: 5 per check id, 1 per shared cell."""
    owner = {cid: ref.stem for ref in references.values() for cid in ref.expressions}
    scores: Counter[str] = Counter()
    ids = {m for c in nb.cells if c.get("cell_type") == "code"
           for m in _CHECK_CALL.findall(c.get("source", ""))}
    for cid in ids:
        if cid in owner:
            scores[owner[cid]] += 5
    prints = fingerprints(nb)
    for ref in references.values():
        shared = len(prints & ref.fingerprints)
        if shared:
            scores[ref.stem] += shared
    return scores


def identify(nb: nbformat.NotebookNode, references: dict[str, ReferenceNotebook],
             min_score: int = 3) -> Identification:
    """Which reference notebook ``nb`` is a copy of.

    The metadata names the notebook the student meant; the content (check ids,
    shared cells) says which notebook the cells are. If both are known and
    disagree, the result is ``wrong notebook``; if neither is, ``unknown
    notebook``.
    """
    meta = _metadata_stem(nb)
    meta = meta if meta in references else None
    scores = content_scores(nb, references)
    ranked = scores.most_common(2)
    content = None
    if ranked and ranked[0][1] >= min_score and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        content = ranked[0][0]
    if meta and content and meta != content:
        return Identification(meta, f"wrong notebook (cells of {content})", "metadata")
    if meta and content:
        return Identification(meta, None, "metadata and content")
    if meta:
        return Identification(meta, None, "metadata")
    if content:
        return Identification(content, None, "content")
    return Identification(None, "unknown notebook")
