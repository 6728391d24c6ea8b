"""Generate the exercise notebooks from the solution notebooks.

The solutions (``solutions/*.ipynb``) are the single source. ``coursekit build``
writes ``notebooks/`` from them:

- every block between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the
  nbgrader markers) becomes a stub, ``# YOUR CODE HERE`` /
  ``raise NotImplementedError()``, at the block's indentation;
- outputs and execution counts are cleared;
- claim cells (tagged ``claim``, see :mod:`coursekit.claims`) are dropped: they
  assert what the course's own run showed, which a student's run need not repeat;
  with them goes the line that imports them (:data:`CLAIM_IMPORT`);
- check cells and everything else are kept as they are.

It also writes, in both copies, the "Open in Colab" badge (pointing at the
copy's own path) and the Colab setup cell, from the one repository URL in
``pyproject.toml`` (``[project.urls] Repository``), so a fork changes one line;
and the kernelspec as ipykernel names it, so JupyterLab opens a notebook unmodified.

Example
-------
::

    $ coursekit build           # regenerate notebooks/
    $ coursekit build --check   # exit 1 if notebooks/ is out of date
"""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..claims import TAG as CLAIM_TAG

__all__ = ["BEGIN", "END", "STUB", "BuildResult", "build", "execute_solutions", "make_exercise",
           "repository_url", "setup_source", "strip_solutions"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*$")
_BRANCH = "main"
#: The notebooks' kernel, spelled as ipykernel's spec spells it: JupyterLab rewrites a
#: different spelling on opening, so the notebook would show as modified (●) at once.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def repository_url(root: Path) -> str:
    """The course repository's URL, from ``pyproject.toml`` ``[project.urls] Repository``."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    return meta["project"]["urls"]["Repository"].rstrip("/")


def colab_url(repo: str, relpath: str) -> str:
    """Colab's URL for a notebook of a GitHub repository."""
    path = repo.split("github.com/", 1)[-1]
    return f"https://colab.research.google.com/github/{path}/blob/{_BRANCH}/{relpath}"


def badge(repo: str, relpath: str) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(repo, relpath)})"


def setup_source(repo: str) -> str:
    """The first code cell: installs coursekit on Colab, does nothing elsewhere."""
    return (
        "# Setup: on Google Colab, install coursekit from the course repository.\n"
        "# On your own machine (conda or venv, see the README) this cell does nothing.\n"
        "import importlib.util\n"
        "import os\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("google.colab") is not None:\n'
        '    source = os.environ.get("COURSEKIT_INSTALL_FROM",\n'
        f'                            "coursekit @ git+{repo}.git@{_BRANCH}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source],\n'
        "                   check=True)\n"
        '    print("coursekit installed from", source)'
    )


def strip_solutions(source: str) -> str:
    """Replace each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by the stub.

    Example
    -------
    >>> print(strip_solutions("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n"
    ...                       "    ### END SOLUTION"))
    def f():
        # YOUR CODE HERE
        raise NotImplementedError()
    """
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"line {number}: {BEGIN} inside another solution block")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + s for s in STUB]
        elif marker == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} is never closed")
    return "\n".join(out)


def solution_lines(source: str) -> list[str]:
    """The lines inside solution blocks (for the no-leak test)."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (BEGIN, END):
            inside = marker == BEGIN
        elif inside:
            lines.append(line)
    return lines


def _normalise_header(nb: nbformat.NotebookNode, repo: str, relpath: str) -> None:
    first = nb.cells[0]
    lines = first.source.splitlines()
    if first.cell_type != "markdown" or not lines or not BADGE.match(lines[0]):
        raise ValueError(f"{relpath}: the first cell must be markdown starting with "
                         "the Colab badge")
    first.source = "\n".join([badge(repo, relpath), *lines[1:]])
    setup = [c for c in nb.cells if "setup" in c.get("metadata", {}).get("tags", [])]
    if len(setup) != 1 or setup[0].cell_type != "code":
        raise ValueError(f"{relpath}: needs exactly one code cell tagged 'setup'")
    setup[0].source = setup_source(repo)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)


#: The import of :func:`coursekit.claims.claim`, which only claim cells use.
CLAIM_IMPORT = "from coursekit.claims import claim"


def _without_claim_import(source: str) -> str:
    return "".join(line for line in source.splitlines(keepends=True)
                   if line.split("#")[0].strip() != CLAIM_IMPORT)


def make_exercise(solution: nbformat.NotebookNode, repo: str, relpath: str
                  ) -> nbformat.NotebookNode:
    """The exercise version of a solution notebook (a new notebook)."""
    nb = copy.deepcopy(solution)
    _normalise_header(nb, repo, relpath)
    nb.cells = [c for c in nb.cells if CLAIM_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(_without_claim_import(cell.source))
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
    nb.metadata.pop("widgets", None)
    return nb


@dataclass
class BuildResult:
    """What :func:`build` did or, with ``check=True``, would do."""

    written: list[Path]
    stale: list[Path]


def _dump(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def build(root: str | Path = ".", *, check: bool = False) -> BuildResult:
    """Regenerate ``notebooks/`` (and the solutions' badge and setup cell).

    With ``check=True`` nothing is written; ``stale`` lists the files that
    differ from what would be written.
    """
    root = Path(root)
    repo = repository_url(root)
    sol_dir, ex_dir = root / "solutions", root / "notebooks"
    written, stale = [], []
    targets: dict[Path, str] = {}
    for sol_path in sorted(sol_dir.glob("*.ipynb")):
        solution = nbformat.read(sol_path, as_version=4)
        sol_rel = f"solutions/{sol_path.name}"
        ex_rel = f"notebooks/{sol_path.name}"
        exercise = make_exercise(solution, repo, ex_rel)
        _normalise_header(solution, repo, sol_rel)
        targets[sol_path] = _dump(solution)
        targets[ex_dir / sol_path.name] = _dump(exercise)
    expected = set(targets)
    extra = [p for p in ex_dir.glob("*.ipynb") if p not in expected] if ex_dir.is_dir() else []
    for path, text in targets.items():
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                written.append(path)
    for path in extra:
        stale.append(path)
        if not check:
            path.unlink()
            written.append(path)
    return BuildResult(written=written, stale=stale)


def execute_solutions(root: str | Path = ".", names: list[str] | None = None, *,
                      timeout: int = 1800) -> dict[str, float]:
    """Run solution notebooks top to bottom in a fresh kernel and save their outputs.

    Uses the active profile (``COURSEKIT_PROFILE``): run it with ``full`` to refresh
    the committed outputs. Returns each notebook's wall time in seconds.
    """
    import time

    from nbclient import NotebookClient

    root = Path(root)
    paths = sorted((root / "solutions").glob("*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    timings = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        timings[path.stem] = time.perf_counter() - start
        nbformat.write(nb, path)
        print(f"{path.stem}: {timings[path.stem]:.0f} s", flush=True)
    return timings
