"""A course of one's own: a notebook 08 with one exercise and its check, built, validated and
graded without touching coursekit's source.

The files and the commands are read from the README's section "Add an exercise or a
notebook to your course", so the section and this test cannot drift apart: the test runs
the section's steps as written (the ``coursekit`` commands through ``cli.main``, the others
in a subprocess), from the folder holding ``my-course/``.
"""

from __future__ import annotations

import csv
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from coursekit.checks import check
from coursekit.checks._builtin import course_loaded
from coursekit.instructor.cli import main

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Add an exercise or a notebook to your course"
BLOCK = re.compile(r"<!-- extend: (?P<name>.+?) -->\n```\w+\n(?P<body>.*?)```", re.S)
CHECK_CELL = "check cell, tagged nbval-check-output"

HIDDEN = """from coursekit.checks import Check


class Strict(Check):
    id = "08.hidden_strict"
    notebook = "08_normalise"
    target = "08.normalise"

    def judge(self, out):
        return self.ok("") if abs(out[0] + 1.3416407865) < 1e-9 else self.fail("")
"""


def readme_blocks() -> dict[str, str]:
    """The section's marked code blocks, by name (``checks/nb08.py``, ``build``...)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return {m["name"]: m["body"] for m in BLOCK.finditer(section)}


def commands(name: str) -> list[list[str]]:
    return [shlex.split(line) for line in readme_blocks()[name].splitlines() if line.strip()]


def run(argv: list[str]) -> int:
    """One command of the README, as a shell in the current folder would run it."""
    if argv[0] == "coursekit":
        return main(argv[1:])
    assert argv[:3] == ["python", "-m", "pytest"], argv
    return subprocess.run([sys.executable, *argv[1:], "-p", "no:cacheprovider"],
                          capture_output=True, text=True, timeout=600).returncode


def outputs(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def write_course(top: Path) -> Path:
    """``top/my-course`` with the README's check file and solution notebook."""
    blocks = readme_blocks()
    course = top / "my-course"
    (course / "checks").mkdir(parents=True)
    (course / "solutions").mkdir()
    (course / "checks" / "nb08.py").write_text(blocks["checks/nb08.py"])
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(blocks["markdown cell"].strip()),
        nbformat.v4.new_code_cell(blocks["exercise cell"].strip()),
        nbformat.v4.new_code_cell(blocks[CHECK_CELL].strip(),
                                  metadata={"tags": ["nbval-check-output"]}),
    ])
    nbformat.write(nb, course / "solutions" / "08_normalise.ipynb")
    return course


def test_kernels_get_the_course_checks_and_nothing_of_the_solutions(tmp_path):
    """What the grader will send a notebook 08 kernel: its check module's source (and the
    check machinery), never a solution line nor the hidden check's judge."""
    from coursekit.instructor.grading import Grader

    course = write_course(tmp_path)
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "strict.py").write_text(HIDDEN)
    grader = Grader(course / "solutions", hidden_dir=tmp_path / "hidden", sandbox=False)
    try:
        sent = grader.kernel_sources["08_normalise"]
        assert sorted(sent) == ["coursekit.checks._cell_status", "coursekit.checks._core",
                                "coursekit_course_nb08"]
        assert sent["coursekit_course_nb08"] == (course / "checks" / "nb08.py").read_text()
        text = "".join(sent.values())
        assert "x.std()" not in text and "1.3416407865" not in text
        assert grader.check_ids("08_normalise") == ["08.normalise", "08.hidden_strict"]
    finally:
        grader.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The README's course folder, after its step 3 (build, check, nbval) has passed."""
    top = tmp_path_factory.mktemp("extend")
    course = write_course(top)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(top)
        execute, up_to_date, nbval = commands("build")
        assert run(execute) == 0
        assert run(up_to_date) == 0
        assert run(nbval) == 0
    return course


@pytest.mark.slow
def test_build_writes_the_exercise_and_the_solution_passes_its_check(course, capsys):
    solution = nbformat.read(course / "solutions" / "08_normalise.ipynb", as_version=4)
    exercise_path = course / "notebooks" / "08_normalise.ipynb"
    exercise = nbformat.read(exercise_path, as_version=4)
    assert outputs(solution.cells[2]).startswith(
        "✅ [08.normalise] 2/2: mean 0 and standard deviation 1")
    text = exercise_path.read_text()
    assert "x.std()" not in text and "### BEGIN SOLUTION" not in text
    assert "raise NotImplementedError()" in exercise.cells[1].source
    assert exercise.metadata["coursekit"] == {"notebook": "08_normalise"}

    capsys.readouterr()
    assert main(["build", "--check", "--course", str(course)]) == 0
    assert capsys.readouterr().out.strip() == "notebooks are up to date"


@pytest.mark.slow
def test_the_exercise_check_fails_with_a_hint(course):
    from nbclient import NotebookClient

    exercise = nbformat.read(course / "notebooks" / "08_normalise.ipynb", as_version=4)
    NotebookClient(exercise, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(course / "notebooks")}}).execute()
    printed = outputs(exercise.cells[2])
    assert printed.startswith("❌ [08.normalise] 0/2: not answered yet"), printed
    assert "Hint: replace `raise NotImplementedError()` with your code" in printed


def test_a_wrong_answer_gets_the_checks_own_hint(tmp_path, capsys):
    with course_loaded(write_course(tmp_path)):
        check("08.normalise", lambda x: x - np.mean(x))
    printed = capsys.readouterr().out
    assert printed.startswith("❌ [08.normalise] 0/2: the result has mean 0 and standard "
                              "deviation 1.12, not 0 and 1")
    assert "Hint: look at what you subtract from x and what you divide by" in printed


@pytest.mark.slow
def test_grading_scores_the_solution_full_and_the_blank_exercise_zero(course, monkeypatch):
    from coursekit.instructor.grading.bwrap import probe

    if probe() is not None:
        pytest.skip(f"grading needs the bubblewrap sandbox: {probe()}")
    top = course.parent
    submissions = top / "submissions"
    submissions.mkdir()
    shutil.copy(course / "solutions" / "08_normalise.ipynb",
                submissions / "alice_08_normalise.ipynb")
    shutil.copy(course / "notebooks" / "08_normalise.ipynb",
                submissions / "bob_08_normalise.ipynb")
    monkeypatch.chdir(top)
    (grade,) = commands("grade")
    assert run(grade) == 0

    with open(top / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["alice"]["notebook"] == rows["bob"]["notebook"] == "08_normalise"
    assert (float(rows["alice"]["score"]), float(rows["alice"]["max_score"])) == (2, 2)
    assert (float(rows["bob"]["score"]), float(rows["bob"]["max_score"])) == (0, 2)
    assert float(rows["alice"]["08.normalise"]) == 2 and float(rows["bob"]["08.normalise"]) == 0

    feedback = {path.name: path.read_text() for path in (top / "feedback").glob("*.md")}
    alice = next(text for name, text in feedback.items() if name.startswith("alice"))
    bob = next(text for name, text in feedback.items() if name.startswith("bob"))
    assert "✅ **08.normalise** (2/2)" in alice
    assert "❌ **08.normalise** (0/2)" in bob and "not answered yet" in bob
