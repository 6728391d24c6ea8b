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
``pyproject.toml`` (``[project.urls] Repository``), so a fork changes one line
(a course folder without that URL gets neither); the kernelspec as ipykernel
names it, so JupyterLab opens a notebook unmodified; and ``metadata.coursekit.notebook``
(the notebook's name), which grading reads to recognise a submission.

A *course* is a folder holding ``solutions/NN_name.ipynb``, optionally
``checks/*.py`` (its own checks, see :func:`coursekit.checks.load_course`), and the
generated ``notebooks/``; coursekit's repository is one. Before writing anything,
:func:`build` validates the course and raises a :class:`BuildError` subclass that
names the file and the fix: no ``solutions/`` (:class:`NoCourseError`), a name without
its ``NN_`` number (:class:`NotebookNameError`), unbalanced or missing solution markers
(:class:`MarkerError`), a ``check("NN.name", ...)`` with no registered check
(:class:`UnknownCheckError`); a course check file that cannot be loaded or reuses an id
raises :class:`coursekit.checks.CourseCheckError`.

Example
-------
::

    $ coursekit build                      # regenerate notebooks/ of the course in .
    $ coursekit build --check              # exit 1 if notebooks/ is out of date
    $ coursekit build --course my-course   # another course folder
"""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..checks import REGISTRY
from ..checks._builtin import course_loaded
from ..claims import TAG as CLAIM_TAG
from ..errors import CourseKitError

__all__ = ["BEGIN", "END", "STUB", "BuildError", "BuildResult", "MarkerError", "NoCourseError",
           "NotebookNameError", "UnknownCheckError", "build", "course_root", "execute_solutions",
           "make_exercise", "repository_url", "setup_source", "solution_paths",
           "strip_solutions"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*$")
_BRANCH = "main"
#: The notebooks' kernel, spelled as ipykernel's spec spells it: JupyterLab rewrites a
#: different spelling on opening, so the notebook would show as modified (●) at once.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


#: A notebook's file name: its two-digit number, an underscore, a name.
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d{2})_\w+\.ipynb$")
#: A check call in a code cell: ``check("08.normalise", ...)``.
CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([^"']+)["']""")
#: Where the README explains how to add an exercise or a notebook.
HOWTO = "README, 'Add an exercise or a notebook to your course'"


class BuildError(CourseKitError):
    """The course cannot be built; the message names the file and what to do."""


class NoCourseError(BuildError):
    """The folder given (or the current one) has no ``solutions/``."""


class NotebookNameError(BuildError):
    """A solution's name does not start with its own two-digit number (``NN_``)."""


class MarkerError(BuildError):
    """Solution markers that do not pair up, or an exercise without them."""


class UnknownCheckError(BuildError):
    """A ``check("NN.name", ...)`` call whose id no registered check has (or of another
    notebook's check)."""


def shown(path: Path) -> str:
    """``path`` as a person types it here: relative to the working folder if under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def course_root(course: str | Path | None = None) -> Path:
    """The course folder: ``course``, or the working folder; it must hold ``solutions/``.

    >>> course_root("/nonexistent")
    Traceback (most recent call last):
    ...
    coursekit.instructor.build.NoCourseError: no solutions/ folder in /nonexistent: a course \
folder holds solutions/NN_name.ipynb (and checks/, notebooks/): check the path.
    """
    root = Path.cwd() if course is None else Path(course)
    if not (root / "solutions").is_dir():
        if course is None:
            raise NoCourseError(f"no solutions/ folder in the current folder ({root}): run the "
                                "command in your course folder (the one holding solutions/), "
                                "or pass --course DIR.")
        raise NoCourseError(f"no solutions/ folder in {shown(root)}: a course folder holds "
                            "solutions/NN_name.ipynb (and checks/, notebooks/): check the path.")
    return root


def solution_paths(root: str | Path) -> list[Path]:
    """The course's solution notebooks, sorted by their ``NN_`` number (validated)."""
    folder = Path(root) / "solutions"
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise NoCourseError(f"{shown(folder)} holds no notebook: add one named "
                            "NN_name.ipynb (NN: its two-digit number).")
    numbers: dict[str, Path] = {}
    for path in paths:
        match = NOTEBOOK_NAME.match(path.name)
        if match is None:
            raise NotebookNameError(
                f"{shown(path)}: a notebook's name starts with its two-digit number and an "
                f"underscore, e.g. 08_{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}.ipynb: "
                "rename it (its check ids start with the same number).")
        number = match["number"]
        if number in numbers:
            raise NotebookNameError(f"{shown(path)} and {shown(numbers[number])} share the "
                                    f"number {number}: give each notebook its own.")
        numbers[number] = path
    return sorted(paths, key=lambda p: p.name[:2])


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


def _normalise_header(nb: nbformat.NotebookNode, repo: str | None, relpath: str) -> None:
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    # what grading recognises a submission by (with its cells), whatever the file is called
    nb.metadata.setdefault("coursekit", {})["notebook"] = Path(relpath).stem
    if repo is None:  # a course without a repository URL: no Colab badge, no setup cell
        return
    first = nb.cells[0] if nb.cells else None
    lines = first.source.splitlines() if first is not None else []
    if first is None or first.cell_type != "markdown" or not lines or not BADGE.match(lines[0]):
        raise BuildError(f"{relpath}: the first cell must be markdown starting with the Colab "
                         "badge: add the line [![Open In Colab](x)](x) (build writes the URLs)")
    first.source = "\n".join([badge(repo, relpath), *lines[1:]])
    setup = [c for c in nb.cells if "setup" in c.get("metadata", {}).get("tags", [])]
    if len(setup) != 1 or setup[0].cell_type != "code":
        raise BuildError(f"{relpath}: needs exactly one code cell tagged 'setup' (build "
                         "writes its code): add an empty code cell with that tag")
    setup[0].source = setup_source(repo)


#: The import of :func:`coursekit.claims.claim`, which only claim cells use.
CLAIM_IMPORT = "from coursekit.claims import claim"


def _without_claim_import(source: str) -> str:
    return "".join(line for line in source.splitlines(keepends=True)
                   if line.split("#")[0].strip() != CLAIM_IMPORT)


def make_exercise(solution: nbformat.NotebookNode, repo: str | None, relpath: str
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


def course_repository(root: Path) -> str | None:
    """:func:`repository_url` if the course's ``pyproject.toml`` names one, else None."""
    try:
        return repository_url(root)
    except (OSError, KeyError, TypeError, ValueError):
        return None


def _read_solution(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise BuildError(f"{shown(path)} is not a notebook nbformat can read "
                         f"({type(exc).__name__}): open it in JupyterLab and save it "
                         "again") from None


def validate_solution(solution: nbformat.NotebookNode, path: Path) -> None:
    """Raise a :class:`BuildError` naming ``path`` if the exercises cannot be generated.

    The markers of every code cell must pair up; a notebook with check calls must mark
    its solution code; every ``check("NN.name", ...)`` must name a registered check of
    this notebook.
    """
    where, stem = shown(path), path.stem
    marked, calls = False, []
    for number, cell in enumerate(solution.cells, 1):
        if cell.cell_type != "code":
            continue
        try:
            strip_solutions(cell.source)
        except ValueError as exc:
            raise MarkerError(f"{where}, cell {number}: {exc}: each solution is one "
                              f"`{BEGIN}` line, the code, then one `{END}` line.") from None
        marked = marked or BEGIN in cell.source
        calls += [(number, cid) for cid in CHECK_CALL.findall(cell.source)]
    if calls and not marked:
        raise MarkerError(f"{where} has check cells ({calls[0][1]}...) but no solution "
                          f"block: put each exercise's solution code between `{BEGIN}` and "
                          f"`{END}`, so that the exercise gets a stub instead.")
    for number, cid in calls:
        found = REGISTRY.get(cid)
        if found is None or found.hidden:
            raise UnknownCheckError(
                f"{where}, cell {number}: no check has the id {cid!r}: define it in the "
                f"course's checks/nb{stem[:2]}.py, a Check subclass with id = {cid!r} and "
                f"notebook = {stem!r}, decorated with @register ({HOWTO}).")
        if found.notebook != stem or not cid.startswith(stem[:2] + "."):
            raise UnknownCheckError(
                f"{where}, cell {number}: check {cid!r} belongs to notebook "
                f"{found.notebook!r}, not {stem!r}: give this exercise a check of its own, "
                f"with an id starting {stem[:2]}. and notebook = {stem!r}.")


def build(root: str | Path | None = None, *, check: bool = False) -> BuildResult:
    """Regenerate ``notebooks/`` (and the solutions' badge and setup cell) of a course.

    ``root`` is the course folder (default: the working folder); its ``checks/`` are
    loaded while the check cells are validated. With ``check=True`` nothing is written;
    ``stale`` lists the files that differ from what would be written. Every problem found
    is a :class:`BuildError` (or :class:`coursekit.checks.CourseCheckError`), raised
    before anything is written.
    """
    root = course_root(root)
    repo = course_repository(root)
    ex_dir = root / "notebooks"
    written, stale = [], []
    targets: dict[Path, str] = {}
    solutions = [(path, _read_solution(path)) for path in solution_paths(root)]
    with course_loaded(root):  # its checks, for the ids of the check cells
        for path, solution in solutions:
            validate_solution(solution, path)
    for sol_path, solution in solutions:
        sol_rel = f"solutions/{sol_path.name}"
        ex_rel = f"notebooks/{sol_path.name}"
        _normalise_header(solution, repo, sol_rel)
        exercise = make_exercise(solution, repo, ex_rel)
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


def execute_solutions(root: str | Path | None = None, names: list[str] | None = None, *,
                      timeout: int = 1800) -> dict[str, float]:
    """Run solution notebooks top to bottom in a fresh kernel and save their outputs.

    Uses the active profile (``COURSEKIT_PROFILE``): run it with ``full`` to refresh
    the committed outputs. Returns each notebook's wall time in seconds.
    """
    import time

    from nbclient import NotebookClient

    root = course_root(root)
    paths = solution_paths(root)
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
