"""Packaging: each role's install has what its code imports, conda's agrees with pip's, the
README's CI blocks are all there, and the package uses no legacy Keras names."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from coursekit.data import _loading

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _readme_blocks():
    path = ROOT / ".ci" / "readme_blocks.py"
    spec = importlib.util.spec_from_file_location("readme_blocks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(requirement: str) -> tuple[str, str]:
    name, spec = NAME.match(requirement.split(";")[0]).groups()
    return _canonical(name), spec.replace(" ", "")


def _names(requirements: list[str]) -> set[str]:
    return {_requirement(r)[0] for r in requirements}


def _extra(name: str) -> set[str]:
    """The distributions extra ``name`` installs over the base, self-references expanded."""
    names: set[str] = set()
    for requirement in PROJECT["optional-dependencies"][name]:
        m = re.match(r"^coursekit\[([\w,\s-]+)\]$", requirement.strip())
        if m:
            for inner in m.group(1).split(","):
                names |= _extra(inner.strip())
        else:
            names.add(_requirement(requirement)[0])
    return names


BASE = _names(PROJECT["dependencies"])
#: What each role's install provides, by distribution name.
ROLES = {"student": BASE, "instructor": BASE | _extra("instructor"),
         "test": BASE | _extra("instructor") | _extra("test")}


def _third_party(tree: ast.AST, local: set[str]) -> set[str]:
    """The top-level modules ``tree`` imports that are neither the stdlib, coursekit nor
    ``local`` (the tests' own helper modules)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return {m for m in found
            if m not in sys.stdlib_module_names and m != "coursekit" and m not in local}


@functools.cache
def _distribution(module: str) -> str:
    """The distribution that provides importable ``module`` (installed here, or else the
    module's own name, as for tomli on Python 3.11)."""
    owners = importlib.metadata.packages_distributions().get(module, [module])
    return _canonical(owners[0])


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _sources(role: str) -> dict[str, ast.AST]:
    package = ROOT / "coursekit"
    if role == "student":
        files = [p for p in package.rglob("*.py") if "instructor" not in p.parts]
        trees = {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8"))
                 for p in files}
        for nb in sorted((ROOT / "solutions").glob("*.ipynb")):
            trees[str(nb.relative_to(ROOT))] = ast.parse(_notebook_code(nb))
        return trees
    folder = package / "instructor" if role == "instructor" else ROOT / "tests"
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8"))
            for p in folder.rglob("*.py")}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_declares_what_its_code_imports(role):
    """student: the package a notebook imports and the notebooks themselves; instructor:
    coursekit/instructor/; test: tests/. Each third-party import must come from a
    distribution that role's install names directly, not one that happens to arrive with
    another (as pandas once came only with seaborn)."""
    local = {p.stem for p in (ROOT / "tests").glob("*.py")}
    missing = {}
    for where, tree in _sources(role).items():
        for module in sorted(_third_party(tree, local)):
            if _distribution(module) not in ROLES[role]:
                missing.setdefault(_distribution(module), []).append(where)
    assert not missing, f"the {role} install does not declare: {missing}"


def test_the_student_install_has_none_of_the_instructors_or_testers_tools():
    assert BASE.isdisjoint({"nbformat", "nbclient", "distributed", "pytest", "nbval", "ruff",
                            "playwright"})
    assert "jupyterlab" in BASE  # the student's second command opens it


def _conda_dependencies(text: str) -> tuple[set[tuple[str, str]], list[str]]:
    """environment.yml's conda packages, and the lines of its ``pip:`` list."""
    conda, pip = set(), []
    body = text.split("\ndependencies:\n", 1)[1]
    for line in body.splitlines():
        if m := re.match(r"^      - (\S.*)$", line):
            pip.append(m.group(1).strip())
        elif (m := re.match(r"^  - (\S.*)$", line)) and m.group(1) != "pip:":
            conda.add(_requirement(m.group(1)))
    return conda, pip


def test_environment_yml_is_the_student_install():
    """conda's environment is the same packages and versions as ``pip install -e .``, and
    installs the checkout without extras."""
    conda, pip = _conda_dependencies((ROOT / "environment.yml").read_text())
    assert conda - {("python", "=3.11"), ("pip", "")} == {
        _requirement(r) for r in PROJECT["dependencies"]}
    assert pip == ["-e ."]


def test_ci_starts_with_the_students_set_up_which_installs_no_extra():
    """.ci/run runs the README's ci blocks in order: the student's first, in a fresh clone,
    and that install must leave out the instructor's and the tests' tools."""
    found = _readme_blocks().blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert next(iter(found)) == "student"
    assert re.search(r"pip install -e \.\s*$", found["student"], re.M), found["student"]


@pytest.mark.parametrize(("text", "problem"), [
    ("<!-- ci: student -->\nSome prose.\n", "'ci: student' is not followed by a ```bash"),
    ("<!-- ci: a -->\n```bash\nx\n```\n<!-- ci: a -->\n```bash\ny\n```\n", "two README blocks"),
    ("<!-- ci: a -->\n```bash\n\n```\n", "is empty"),
])
def test_a_broken_ci_marker_stops_ci_with_the_reason(text, problem):
    blocks = _readme_blocks()
    with pytest.raises(blocks.BlockError, match=re.escape(problem)):
        blocks.blocks(text)
    with pytest.raises(blocks.BlockError, match="no block marked '<!-- ci: test -->'"):
        blocks.block("<!-- ci: student -->\n```bash\npip install -e .\n```\n", "test")


def test_the_data_errors_name_a_readme_section_that_exists():
    headings = re.findall(r"^#+ (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert _loading.README_DATA_SECTION in headings


LEGACY = ["tf.keras", "from tensorflow import keras", "tensorflow.keras", "nb_epoch",
          "Convolution2D", "border_mode", "np_utils", "predict_classes", "W_regularizer",
          "keras_tqdm", "keras-tqdm", "image_dim_ordering"]


@pytest.mark.parametrize("path", sorted((ROOT / "coursekit").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_tf_keras_or_legacy_names_in_package(path):
    text = path.read_text()
    found = [name for name in LEGACY if re.search(rf"(?<![\w_]){re.escape(name)}", text)]
    assert not found, f"{path.name} uses legacy Keras names: {found}"
