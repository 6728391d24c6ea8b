"""The course notebooks: in sync, no leaked solutions, checks that fail blank and pass solved."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursekit.checks import all_checks
from coursekit.claims import TAG as CLAIM_TAG
from coursekit.instructor import build as b

ROOT = Path(__file__).resolve().parents[1]
#: The course's notebooks, as build finds them (NN_name, sorted by NN): none counted by hand.
SOLUTIONS = b.solution_paths(ROOT)
CHECK_CALL = re.compile(r'^check\("([0-9]{2}\.[a-z0-9_]+)",', re.M)


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _ids(path: Path) -> list[str]:
    return [m for c in _read(path).cells if c.cell_type == "code"
            for m in CHECK_CALL.findall(c.source)]


def test_exercises_are_in_sync_with_solutions():
    """One exercise per solution, none missing, none left over, none edited by hand."""
    stale = b.build(ROOT, check=True).stale
    assert not stale, f"run `coursekit build`: {[str(p.relative_to(ROOT)) for p in stale]}"


def _names_assigned(source: str) -> set[str]:
    """The names a cell binds at its top level (assignments, definitions, imports)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _names_used(source: str) -> set[str]:
    """The names a cell reads."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - {"check"}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_line_leaks_into_the_exercise(solution):
    sol = _read(solution)
    visible = {ln.strip() for c in sol.cells
               for ln in (b.strip_solutions(c.source) if c.cell_type == "code" else c.source
                          ).splitlines()}
    secret = {ln.strip() for c in sol.cells if c.cell_type == "code"
              for ln in b.solution_lines(c.source)} - {""}
    exercise_text = (ROOT / "notebooks" / solution.name).read_text()
    ex = _read(ROOT / "notebooks" / solution.name)
    ex_lines = {ln.strip() for c in ex.cells for ln in c.source.splitlines()}
    # Lines such as `keras.utils.set_random_seed(42)` are in solution blocks and in the
    # notebook's visible code alike: they give nothing away. Every other one must stay hidden.
    distinctive = secret - visible
    assert distinctive, f"{solution.name} has no exercise"
    assert not distinctive & ex_lines, sorted(distinctive & ex_lines)
    assert b.BEGIN not in exercise_text and b.END not in exercise_text


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_carry_no_outputs_and_solutions_do(solution):
    ex = _read(ROOT / "notebooks" / solution.name)
    assert all(not c.get("outputs") for c in ex.cells if c.cell_type == "code")
    sol = _read(solution)
    assert any(c.get("outputs") for c in sol.cells if c.cell_type == "code")
    assert sol.metadata["coursekit"]["notebook"] == solution.stem


def test_every_check_is_used_once_in_its_own_notebook():
    used: dict[str, str] = {}
    for path in SOLUTIONS:
        for check_id in _ids(path):
            assert check_id not in used, f"{check_id} used twice"
            used[check_id] = path.stem
    registered = {k: v for k, v in all_checks().items() if not v.hidden}
    assert set(used) == set(registered)
    for check_id, stem in used.items():
        assert registered[check_id].notebook == stem


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_committed_solution_checks_pass(solution):
    """The committed (full-profile) outputs show every check passing."""
    cells = [c for c in _read(solution).cells
             if c.cell_type == "code" and CHECK_CALL.search(c.source)]
    assert cells
    for cell in cells:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("✅"), f"{solution.name}: {cell.source!r} printed {text!r}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_fails_on_the_blank_exercise(solution):
    """Run the exercise's import cell, its (blank) exercise cells and its check cells in a
    fresh kernel: every check must print a ❌ verdict (not crash, not pass)."""
    from nbclient import NotebookClient

    ex = _read(ROOT / "notebooks" / solution.name)
    sol = _read(solution)
    sol.cells = [c for c in sol.cells if CLAIM_TAG not in c.metadata.get("tags", [])]
    keep, defined, last_definition = [], set(), {}
    for i, (cell, sol_cell) in enumerate(zip(ex.cells, sol.cells, strict=True)):
        if cell.cell_type != "code" or "setup" in cell.metadata.get("tags", []):
            continue
        is_import = "from coursekit.checks import check" in cell.source
        is_exercise = b.BEGIN in sol_cell.source
        if is_exercise or CHECK_CALL.search(cell.source):
            # A model or data the notebook made outside the exercises (02's `mlp`): run the
            # cell that defines it too, as a student who skipped the exercises would.
            for name in _names_used(cell.source) - defined:
                if name in last_definition and last_definition[name] not in keep:
                    keep.append(last_definition[name])
                    defined |= _names_assigned(last_definition[name][1].source)
        if is_import or is_exercise or CHECK_CALL.search(cell.source):
            keep.append((i, cell))
            defined |= _names_assigned(cell.source)
        for name in _names_assigned(cell.source):
            last_definition[name] = (i, cell)
    keep.sort(key=lambda pair: pair[0])
    nb = nbformat.v4.new_notebook(cells=[c for _, c in keep], metadata=ex.metadata)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    for cell in nb.cells:
        if not CHECK_CALL.search(cell.source):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source!r} raised {errors[0].ename}: {errors[0].evalue}"
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("❌") and "Hint:" in text, f"{cell.source!r} printed {text!r}"


#: What TensorFlow writes while it starts, when nothing keeps it quiet.
TF_LOG = re.compile(r"^(?:[IWE]0000 |WARNING: All log messages before absl)|failed call to cuInit",
                    re.M)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_committed_outputs_carry_no_tensorflow_log(solution):
    """The full-profile outputs a student reads show no start-up log and no CUDA error."""
    noisy = [i for i, c in enumerate(_read(solution).cells) if c.cell_type == "code"
             for o in c.get("outputs", [])
             if TF_LOG.search("".join(o.get("text", "")))]
    assert not noisy, f"{solution.name}: TensorFlow's log in the outputs of cells {noisy}"


#: An absolute path of two or more parts, e.g. ``/home/ann/data/mnist.npz``.
ABSOLUTE_PATH = re.compile(r"(?<![\w$~.:/])/(?:[\w.-]+/)+[\w.-]*")


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_committed_outputs_name_no_folder_of_the_machine_that_ran_them(solution):
    """Outputs are read, and compared by nbval, on other machines: no absolute paths."""
    found = {(i, m) for i, c in enumerate(_read(solution).cells) if c.cell_type == "code"
             for o in c.get("outputs", [])
             for m in ABSOLUTE_PATH.findall("".join(o.get("text", "")) + "".join(
                 o.get("data", {}).get("text/plain", "")) + "".join(o.get("traceback", [])))}
    assert not found, f"{solution.name}: absolute paths in outputs (cell, path): {sorted(found)}"
