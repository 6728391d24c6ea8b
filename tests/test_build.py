"""coursekit build: exercises generated from solutions, badges and setup from one URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.checks import CourseCheckError, DuplicateCheckError
from coursekit.errors import CourseKitError
from coursekit.instructor import build as b
from coursekit.instructor.cli import main

ROOT = Path(__file__).resolve().parents[1]

SOLUTION = '''def build(n):
    """Docstring stays."""
    ### BEGIN SOLUTION
    secret = n * 2
    return secret
    ### END SOLUTION'''


def test_strip_solutions_keeps_indentation_and_context():
    out = b.strip_solutions(SOLUTION)
    assert out.splitlines() == ["def build(n):", '    """Docstring stays."""',
                                "    # YOUR CODE HERE", "    raise NotImplementedError()"]
    assert b.solution_lines(SOLUTION) == ["    secret = n * 2", "    return secret"]


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_errors(source, problem):
    with pytest.raises(ValueError, match=problem):
        b.strip_solutions(source)


CHECK_FILE = """from coursekit.checks import Check, register


@register
class Build(Check):
    id = "99.build"
    notebook = "99_demo"

    def judge(self, evidence):
        return self.ok("fine")
"""


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    (root / "checks").mkdir()
    (root / "checks" / "nb99.py").write_text(CHECK_FILE)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("[![Open In Colab](x)](COLAB_URL)\n# 99 · Demo"),
        nbformat.v4.new_code_cell("# setup", metadata={"tags": ["setup"]}),
        nbformat.v4.new_code_cell(SOLUTION, outputs=[nbformat.v4.new_output(
            "stream", text="hello")], execution_count=3),
        nbformat.v4.new_code_cell('check("99.build", build)'),
    ]
    nb.metadata["coursekit"] = {"notebook": "99_demo"}
    nbformat.write(nb, root / "solutions" / "99_demo.ipynb")
    return root


def test_build_writes_exercises_and_check_detects_staleness(tmp_path, capsys):
    root = _course(tmp_path)
    assert main(["build", "--check", "--root", str(root)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["build", "--root", str(root)]) == 0
    assert main(["build", "--check", "--root", str(root)]) == 0

    repo = b.repository_url(root)
    ex = nbformat.read(root / "notebooks" / "99_demo.ipynb", as_version=4)
    sol = nbformat.read(root / "solutions" / "99_demo.ipynb", as_version=4)
    assert ex.cells[0].source.splitlines()[0] == b.badge(repo, "notebooks/99_demo.ipynb")
    assert sol.cells[0].source.splitlines()[0] == b.badge(repo, "solutions/99_demo.ipynb")
    assert "colab.research.google.com/github/" in ex.cells[0].source
    assert ex.cells[1].source == sol.cells[1].source == b.setup_source(repo)
    assert "secret" not in ex.cells[2].source
    assert "raise NotImplementedError()" in ex.cells[2].source
    assert ex.cells[2].outputs == [] and ex.cells[2].execution_count is None
    assert sol.cells[2].outputs  # solutions keep their outputs
    assert ex.cells[3].source == 'check("99.build", build)'
    assert ex.metadata["coursekit"] == {"notebook": "99_demo"}
    assert ex.metadata["kernelspec"] == sol.metadata["kernelspec"] == b.KERNELSPEC

    # Editing an exercise by hand makes it stale; so does a leftover notebook.
    path = root / "notebooks" / "99_demo.ipynb"
    raw = json.loads(path.read_text())
    raw["cells"][2]["source"] = "hand edit"
    path.write_text(json.dumps(raw))
    (root / "notebooks" / "00_orphan.ipynb").write_text("{}")
    result = b.build(root, check=True)
    assert sorted(p.name for p in result.stale) == ["00_orphan.ipynb", "99_demo.ipynb"]
    b.build(root)
    assert not (root / "notebooks" / "00_orphan.ipynb").exists()
    assert b.build(root, check=True).stale == []


def test_repository_url_is_defined_once():
    """Only pyproject.toml names the repository; notebooks get it from `coursekit build`."""
    import subprocess

    url = b.repository_url(ROOT)
    assert url.startswith("https://github.com/")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    hits = [name for name in tracked
            if not name.startswith(("notebooks/", "solutions/"))
            and url in (ROOT / name).read_text(errors="ignore")]
    assert hits == ["pyproject.toml"]


def test_setup_cell_is_a_no_op_without_colab(tmp_path, monkeypatch, capsys):
    """At home (no google.colab) the cell prints nothing and installs nothing: an install
    attempt would fail, as COURSEKIT_INSTALL_FROM names a path that does not exist. (Every
    notebook's setup cell is this text: tests/test_colab.py.)"""
    monkeypatch.setenv("COURSEKIT_INSTALL_FROM", str(tmp_path / "no-such-checkout"))
    namespace: dict = {}
    exec(compile(b.setup_source("https://github.com/x/y"), "setup", "exec"), namespace)
    assert "source" not in namespace  # the install branch did not run
    assert capsys.readouterr() == ("", "")


def test_kernelspec_is_spelled_as_ipykernel_spells_it():
    """JupyterLab rewrites another spelling on opening: the notebook would open modified."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(b.KERNELSPEC["name"])
    assert (spec.display_name, spec.language) == (b.KERNELSPEC["display_name"],
                                                  b.KERNELSPEC["language"])


def test_header_must_have_badge_and_setup(tmp_path):
    root = _course(tmp_path)
    path = root / "solutions" / "99_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# no badge"
    nbformat.write(nb, path)
    with pytest.raises(b.BuildError, match="Colab badge"):
        b.build(root)


@pytest.mark.slow
def test_execute_solutions_saves_outputs(tmp_path):
    root = _course(tmp_path)
    path = root / "solutions" / "99_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = "print(6 * 7)"
    nb.cells[3].source = "x = 1"
    nbformat.write(nb, path)
    timings = b.execute_solutions(root, ["99"], timeout=60)
    assert list(timings) == ["99_demo"] and timings["99_demo"] > 0
    done = nbformat.read(path, as_version=4)
    assert done.cells[2].outputs[0]["text"] == "42\n"


# ----------------------------------------------------------------------------
# Build errors name the file and the fix (no kernel, no traceback)
# ----------------------------------------------------------------------------

def _edit(root: Path, cell: int, source: str) -> None:
    path = root / "solutions" / "99_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[cell].source = source
    nbformat.write(nb, path)


def test_no_solutions_folder_is_one_line_naming_the_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--check"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert "no solutions/ folder in the current folder" in err and "--course DIR" in err
    with pytest.raises(b.NoCourseError, match="no solutions/ folder in elsewhere"):
        b.build("elsewhere")


@pytest.mark.parametrize("edit, error, says", [
    (lambda root: _edit(root, 2, "### BEGIN SOLUTION\nx = 1"), b.MarkerError,
     "solutions/99_demo.ipynb, cell 3: ### BEGIN SOLUTION is never closed"),
    (lambda root: _edit(root, 2, "x = 1\n### END SOLUTION"), b.MarkerError,
     "cell 3: line 2: ### END SOLUTION without"),
    (lambda root: _edit(root, 2, "def build(n):\n    return n * 2"), b.MarkerError,
     "has check cells (99.build...) but no solution block"),
    (lambda root: _edit(root, 3, 'check("99.other", build)'), b.UnknownCheckError,
     "cell 4: no check has the id '99.other': define it in the course's checks/nb99.py"),
    (lambda root: _edit(root, 3, 'check("01.build_mlp", build)'), b.UnknownCheckError,
     "check '01.build_mlp' belongs to notebook '01_mlp', not '99_demo'"),
    (lambda root: (root / "solutions" / "99_demo.ipynb").rename(root / "solutions" /
                                                                 "demo.ipynb"),
     b.NotebookNameError, "solutions/demo.ipynb: a notebook's name starts with its two-digit"),
    (lambda root: shutil.copy(root / "solutions" / "99_demo.ipynb",
                              root / "solutions" / "99_again.ipynb"),
     b.NotebookNameError, "share the number 99"),
    (lambda root: (root / "checks" / "nb99_more.py").write_text(CHECK_FILE.replace(
        "class Build", "class Again")), DuplicateCheckError,
     "checks/nb99_more.py: check id '99.build' is already used by checks/nb99.py"),
    (lambda root: (root / "checks" / "nb01.py").write_text(CHECK_FILE.replace(
        "99.build", "01.build_mlp")), DuplicateCheckError,
     "checks/nb01.py: check id '01.build_mlp' is already used by coursekit's own"),
    (lambda root: (root / "checks" / "nb98.py").write_text("def broken(:\n"),
     CourseCheckError, "checks/nb98.py, line 1: SyntaxError"),
])
def test_build_errors_name_the_file_and_the_fix(tmp_path, monkeypatch, edit, error, says):
    root = _course(tmp_path)
    monkeypatch.chdir(root)
    edit(root)
    with pytest.raises(error) as caught:
        b.build(root, check=True)
    assert isinstance(caught.value, CourseKitError)
    assert says in str(caught.value)
    assert not (root / "notebooks").exists()  # nothing written


def test_cli_prints_a_build_error_in_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    root = _course(tmp_path)
    monkeypatch.chdir(root)
    _edit(root, 3, 'check("99.other", build)')
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: solutions/99_demo.ipynb, cell 4: no check")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
