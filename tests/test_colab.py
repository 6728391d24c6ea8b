"""Colab's setup, simulated: each notebook's own setup cell, run where ``google.colab`` imports.

On Colab, the setup cell that ``coursekit build`` writes into every notebook
(:func:`coursekit.instructor.build.setup_source`) pip-installs coursekit from the course repository;
elsewhere it does nothing. These tests take that cell from each notebook file and run it in a
real Jupyter kernel (nbclient) whose Python is a throwaway virtual environment that, like
Colab:

- imports ``google.colab`` (a stub package on ``PYTHONPATH``), so the cell takes its Colab branch;
- already has TensorFlow, Keras and the rest of coursekit's dependencies, but not coursekit: its
  site-packages point at a view of this environment's site-packages without coursekit (creating
  it takes a fraction of a second);
- has a recent pip, as Colab does: the view's pip is not this environment's (the one a fresh
  ``python3 -m venv`` gives, pip 23.2 on Python 3.11, rejects ``coursekit @ git+file://...``)
  but the newest from the package index, installed once into a venv of its own;
- gets ``COURSEKIT_INSTALL_FROM``, the override the cell honours, in place of the repository URL,
  so that the cell's own ``pip install`` line installs this checkout.

Notebook 01's cell installs from a git repository made of this checkout's package files, with a
requirement of the very form the cell uses on Colab (``coursekit @ git+file://...@main``): pip
clones and builds it from source, as it does from GitHub. Then the notebook's next cell (the
imports, TensorFlow included) must run. The six other cells are the same text (asserted) and
install a wheel built once from the same files, which keeps this module at about half a minute.

Also here: every "Open in Colab" badge points at its notebook's own path, and the repository URL
reaches the notebooks from ``pyproject.toml`` alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from coursekit.instructor import build as b

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for folder in ("notebooks", "solutions")
                   for p in (ROOT / folder).glob("*.ipynb"))
EXERCISES = [p for p in NOTEBOOKS if p.startswith("notebooks/")]
#: What a clone of the repository holds that building the package needs.
PACKAGE_FILES = ("pyproject.toml", "README.md", "coursekit")
BADGE = re.compile(r"^\[!\[Open In Colab\]\((?P<image>[^)\s]+)\)\]\((?P<url>[^)\s]+)\)$")
INSTALLED = "coursekit installed from "


def _setup_cell(relpath: str) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / relpath, as_version=4)
    cells = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{relpath}: expected one cell tagged 'setup'"
    return cells[0]


def _text(cell: nbformat.NotebookNode, name: str = "stdout") -> str:
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == name)


def _run(cells: list[str], python: str, cwd: Path, env: dict[str, str],
         timeout: int = 300) -> list[nbformat.NotebookNode]:
    """Run ``cells`` in a fresh kernel of ``python``; return the executed cells."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    specs = cwd / "kernels"
    spec_dir = specs / "colab-sim"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab simulation", "language": "python"}))
    manager = KernelManager(kernel_name="colab-sim",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, km=manager, timeout=timeout,
                   resources={"metadata": {"path": str(cwd)}}).execute(env=env, cleanup_kc=True)
    return nb.cells


# ----------------------------------------------------------------------------
# A Colab-like Python: the dependencies, a google.colab stub, no coursekit
# ----------------------------------------------------------------------------

@dataclass
class Colab:
    """Everything a simulated Colab runtime needs."""

    tmp: Path
    view: Path
    stub: Path
    git_url: str
    wheel: Path

    def runtime(self, name: str) -> tuple[str, Path]:
        """A new throwaway environment: (its python, its site-packages)."""
        home = self.tmp / name
        venv.EnvBuilder(with_pip=False).create(home / "env")
        python = str(home / "env" / "bin" / "python")
        purelib = Path(subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True).stdout.strip())
        (purelib / "colab_preinstalled.pth").write_text(f"{self.view}\n")
        return python, purelib

    def env(self, python: str, install_from: str) -> dict[str, str]:
        bin_dir = str(Path(python).parent)
        keep = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        return {**keep, "PYTHONPATH": str(self.stub), "VIRTUAL_ENV": str(Path(bin_dir).parent),
                "PATH": f"{bin_dir}:{keep.get('PATH', '')}", "PYTHONNOUSERSITE": "1",
                "COURSEKIT_INSTALL_FROM": install_from, "TF_CPP_MIN_LOG_LEVEL": "2",
                "COURSEKIT_PROFILE": "quick"}


def _is_coursekit(name: str) -> bool:
    return name.startswith(("coursekit", "__editable__.coursekit", "__editable___coursekit"))


def _is_pip(name: str) -> bool:
    return name == "pip" or re.fullmatch(r"pip-[^-]+\.dist-info", name) is not None


def _recent_pip(home: Path) -> tuple[str, Path]:
    """A venv with the newest pip from the package index: (its python, its site-packages)."""
    venv.EnvBuilder(with_pip=True).create(home)
    python = str(home / "bin" / "python")
    upgraded = subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                              capture_output=True, text=True)
    assert upgraded.returncode == 0, (
        "could not bring pip up to date from the package index (Colab's pip is recent; "
        f"this test needs the index): {upgraded.stderr[-2000:]}")
    purelib = subprocess.run([python, "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return python, Path(purelib)


@pytest.fixture(scope="module")
def colab(tmp_path_factory: pytest.TempPathFactory) -> Colab:
    tmp = tmp_path_factory.mktemp("colab")
    # This environment's packages as Colab's preinstalled ones: everything but coursekit.
    view = tmp / "preinstalled"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not (_is_coursekit(entry.name) or _is_pip(entry.name) or entry.suffix == ".pth"):
            (view / entry.name).symlink_to(entry)
    # ...and Colab's recent pip in place of this environment's, whatever its age.
    pip_python, pip_lib = _recent_pip(tmp / "pip")
    for entry in pip_lib.iterdir():
        if _is_pip(entry.name):
            (view / entry.name).symlink_to(entry)
    # google.colab, as a namespace-package portion (no google/__init__.py, which would hide
    # google.protobuf from TensorFlow).
    stub = tmp / "stub"
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "colab" / "__init__.py").write_text('"""A stub of Colab\'s module."""\n')
    # The repository as pip clones it from GitHub: the package files, committed on main.
    repo = tmp / "repo"
    repo.mkdir()
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repo / name)
    git = ["git", "-C", str(repo), "-c", "user.name=ci", "-c", "user.email=ci@localhost"]
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "snapshot"], check=True)
    wheels = tmp / "wheels"
    built = subprocess.run([pip_python, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--wheel-dir", str(wheels), str(repo)],
                           check=True, capture_output=True, text=True)
    # pip shows the build's warnings; on Colab they would clutter the setup cell.
    assert "warning" not in built.stderr.lower(), built.stderr
    (wheel,) = wheels.glob("coursekit-*.whl")
    return Colab(tmp=tmp, view=view, stub=stub, git_url=f"git+file://{repo}@main", wheel=wheel)


# ----------------------------------------------------------------------------
# The setup cell on Colab, and at home
# ----------------------------------------------------------------------------

PROBE_BEFORE = ('import importlib.util\n'
                'print("coursekit importable:", '
                'importlib.util.find_spec("coursekit") is not None)\n'
                'print("google.colab importable:", '
                'importlib.util.find_spec("google.colab") is not None)')
PROBE_AFTER = ('import json, sys\nimport coursekit\nfrom coursekit.checks import check\n'
               'print(json.dumps({"file": coursekit.__file__, "prefix": sys.prefix}))')


def test_all_setup_cells_are_the_built_one():
    """The fourteen setup cells are one text, the one `coursekit build` writes."""
    expected = b.setup_source(b.repository_url(ROOT))
    assert {_setup_cell(p).source for p in NOTEBOOKS} == {expected}
    assert 'os.environ.get("COURSEKIT_INSTALL_FROM"' in expected


@pytest.mark.slow
@pytest.mark.parametrize("relpath", EXERCISES)
def test_setup_cell_installs_coursekit_on_colab(colab, relpath):
    """The cell takes its Colab branch, pip installs this checkout, and coursekit imports."""
    name = Path(relpath).stem
    python, site_packages = colab.runtime(name)
    from_git = relpath == EXERCISES[0]
    target = f"coursekit @ {colab.git_url}" if from_git else str(colab.wheel)
    cells = [PROBE_BEFORE, _setup_cell(relpath).source, PROBE_AFTER]
    if from_git:  # the notebook goes on: its imports cell, TensorFlow and all
        notebook = nbformat.read(ROOT / relpath, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        cells.append(code[code.index(_setup_cell(relpath)) + 1].source)
    work = colab.tmp / name / "work"
    work.mkdir()
    before, setup, after, *rest = _run(cells, python, work, colab.env(python, target))

    assert _text(before).splitlines() == ["coursekit importable: False",
                                          "google.colab importable: True"]
    assert f"{INSTALLED}{target}" in _text(setup).splitlines()
    facts = json.loads(_text(after))
    assert Path(facts["file"]).is_relative_to(site_packages)  # installed, not the checkout
    assert Path(facts["prefix"]) == site_packages.parents[2]
    assert not (site_packages / "tensorflow").exists()  # the dependencies were there already
    assert len(rest) == from_git
    for cell in rest:  # the imports cell: coursekit.profiles.show() ran
        assert _text(cell).startswith("coursekit profile: quick")


# ----------------------------------------------------------------------------
# Badges and the one repository URL
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("relpath", NOTEBOOKS)
def test_badge_opens_the_notebooks_own_path_in_colab(relpath):
    repo = b.repository_url(ROOT)
    owner_name = repo.removeprefix("https://github.com/")
    first = nbformat.read(ROOT / relpath, as_version=4).cells[0]
    match = BADGE.match(first.source.splitlines()[0])
    assert match, f"{relpath}: the first line is not the Open in Colab badge"
    assert match["image"] == "https://colab.research.google.com/assets/colab-badge.svg"
    assert match["url"] == (f"https://colab.research.google.com/github/{owner_name}"
                            f"/blob/main/{relpath}")
    assert (ROOT / match["url"].split("/blob/main/", 1)[1]).is_file()
    assert first.source.count("colab.research.google.com/github/") == 1


def test_repository_url_reaches_the_notebooks_from_pyproject_alone(tmp_path):
    """A fork changes one line of pyproject.toml and rebuilds: every badge and setup cell
    follows, and the old URL is left nowhere in the notebooks."""
    old = b.repository_url(ROOT)
    new = "https://github.com/a-fork/deep-learning-course"
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    (course / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text().replace(old, new))
    b.build(course)
    built = sorted(course.glob("*/*.ipynb"))
    assert len(built) == len(NOTEBOOKS)
    for path in built:
        relpath = path.relative_to(course).as_posix()
        text = path.read_text()
        assert old.removeprefix("https://") not in text, relpath
        nb = nbformat.reads(text, as_version=4)
        assert nb.cells[0].source.splitlines()[0] == b.badge(new, relpath)
        setup = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
        assert f"git+{new}.git@main" in setup[0].source
