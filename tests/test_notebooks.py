"""The course notebooks: in sync, no leaked solutions, checks that fail blank and pass solved."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursekit.checks import all_checks
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


@pytest.mark.slow
def test_every_check_fails_on_the_blank_exercise_run_top_to_bottom():
    """The generated exercise notebook 01, blank, run top to bottom in a fresh kernel (quick
    profile): every check cell prints a ❌ verdict with its hint (not a crash, not a pass).
    That each check fails on each blank form (None, ``...``, a function that raises
    NotImplementedError) is proven for all notebooks in-process, in test_checks_core.py."""
    from nbclient import NotebookClient

    nb = _read(ROOT / "notebooks" / "01_mlp.ipynb")
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    checked = [c for c in nb.cells if c.cell_type == "code" and CHECK_CALL.search(c.source)]
    assert checked
    for cell in checked:
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
