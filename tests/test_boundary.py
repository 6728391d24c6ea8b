"""The boundary between the student package and the instructor's tools.

Everything under ``coursekit/`` outside ``coursekit/instructor/`` is what a notebook imports; it
must not load the tools (``coursekit.instructor``) nor their libraries (nbformat, nbclient,
jupyter_client), which a student's install need not have. And where a student does run an
instructor subcommand, the ``coursekit`` command says what to install instead of a traceback.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.instructor import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coursekit"
FORBIDDEN = ("coursekit.instructor", "nbformat", "nbclient", "jupyter_client")
STUDENT_FILES = sorted(p for p in PACKAGE.rglob("*.py")
                       if "instructor" not in p.relative_to(PACKAGE).parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


STUDENT_MODULES = [_module_name(p) for p in STUDENT_FILES]


def _is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved,
    including the names of ``from X import name`` (which may be submodules) and
    ``importlib.import_module("...")`` with a literal name."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def test_the_source_finder_sees_relative_lazy_and_dynamic_imports():
    """The static check below is only as good as this finder: it resolves every form."""
    source = ("import nbformat.v4\n"
              "def f():\n    from ..instructor import build\n"
              "def g():\n    from . import instructor\n"
              "import importlib\nimportlib.import_module('jupyter_client.manager')\n"
              "from .models import mlp\n")
    found = imported_names(source, "coursekit.checks._core")
    assert {n for n in found if _is_forbidden(n)} == {
        "nbformat.v4", "coursekit.instructor", "coursekit.instructor.build",
        "jupyter_client.manager"}
    assert "coursekit.checks.models.mlp" in found
    assert "coursekit.instructor" in imported_names("from . import instructor", "coursekit",
                                                    is_package=True)


@pytest.mark.parametrize("path", STUDENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_student_module_imports_the_tools(path):
    names = imported_names(path.read_text(encoding="utf-8"), _module_name(path),
                           is_package=path.name == "__init__.py")
    bad = sorted(n for n in names if _is_forbidden(n))
    assert not bad, (f"{path.relative_to(ROOT)} imports {bad}: the student package must not "
                     "depend on the instructor's tools (move the code to coursekit/instructor/)")


def test_importing_the_student_package_loads_none_of_the_tools():
    """In a fresh interpreter, as a notebook's kernel starts: every student module (the
    checks of every notebook included) imports, and nothing forbidden is in sys.modules."""
    assert {"coursekit.data", "coursekit.checks", "coursekit.checks.nb01"} <= set(STUDENT_MODULES)
    code = ("import importlib, json, sys\n"
            f"for name in {STUDENT_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert "coursekit.checks.nb07" in loaded
    assert [m for m in loaded if _is_forbidden(m)] == []


# ----------------------------------------------------------------------------
# The coursekit command in a student's install (no instructor extra)
# ----------------------------------------------------------------------------

@pytest.fixture
def without():
    """``without("psutil")``: from now on, importing psutil fails as where it is not
    installed, and the instructor's modules are imported afresh. Afterwards the modules
    taken out are put back and the fresh ones dropped (the rest stay: numpy's, for one,
    cannot be loaded twice in a process)."""
    blocked: list[str] = []
    taken: dict[str, object] = {}

    def fresh(name: str) -> bool:
        return (any(name == m or name.startswith(m + ".") for m in blocked)
                or (name.startswith("coursekit.instructor.") and name != cli.__name__))

    def block(module: str) -> None:
        blocked.append(module)
        for name in [n for n in sys.modules if fresh(n)]:
            taken.setdefault(name, sys.modules.pop(name))
        sys.modules[module] = None  # what `import module` then raises: ModuleNotFoundError

    yield block
    for name in [n for n in sys.modules if fresh(n)]:
        del sys.modules[name]
    sys.modules.update(taken)


@pytest.mark.parametrize(("argv", "module", "package"), [
    (["build", "--check"], "nbformat", "nbformat"),
    (["grade", "x.ipynb", "--out", "grades.csv"], "psutil", "psutil"),
])
def test_an_instructor_command_without_the_extra_says_what_to_install(
        without, capsys, tmp_path, monkeypatch, argv, module, package):
    monkeypatch.chdir(tmp_path)
    without(module)
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"coursekit {argv[0]}` needs {package}," in err
    assert 'pip install "coursekit[instructor]"' in err and 'pip install -e ".[instructor]"' in err
    assert not (tmp_path / "grades.csv").exists()


def test_any_other_missing_module_keeps_its_traceback(monkeypatch):
    """A module the extra does not provide is a bug, not a missing extra: it is not hidden."""
    def broken(args):
        raise ModuleNotFoundError("No module named 'coursekit_no_such_module'",
                                  name="coursekit_no_such_module")

    monkeypatch.setattr(cli, "_build", broken)
    with pytest.raises(ModuleNotFoundError, match="coursekit_no_such_module"):
        cli.main(["build", "--check"])
