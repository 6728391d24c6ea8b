"""The project's packaging: dependencies agree, CI runs the README's command, no legacy Keras."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = NAME.match(requirement.split(";")[0]).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_dependencies() -> set[tuple[str, str]]:
    deps, in_deps = set(), False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - (\S.*)$", line)  # top-level list items only (not pip's)
        if in_deps and m and not m.group(1).startswith("pip:"):
            deps.add(_normalise(m.group(1)))
    return deps


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_normalise(r) for r in project["dependencies"]}
    wanted |= {_normalise(r) for r in project["optional-dependencies"]["test"]
               if "python_version" not in r}
    conda = _conda_dependencies()
    extra_conda_only = {("python", "=3.11"), ("pip", "")}
    assert conda - extra_conda_only == wanted
    assert extra_conda_only <= conda
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text and "- -e .[test]" in text


def test_pyproject_basics():
    project = _pyproject()["project"]
    assert project["name"] == "coursekit"
    assert project["requires-python"] == ">=3.10"
    assert project["scripts"]["coursekit"] == "coursekit.instructor.cli:main"
    names = {_normalise(r)[0] for r in project["dependencies"]}
    assert {"tensorflow", "keras", "numpy", "matplotlib", "seaborn", "scikit-image",
            "scikit-learn", "tqdm", "nbformat", "nbclient"} <= names
    assert ("tensorflow", ">=2.16") in {_normalise(r) for r in project["dependencies"]}
    test_extra = {_normalise(r)[0] for r in project["optional-dependencies"]["test"]}
    # jupyterlab and playwright: the browser test (tests/test_browser.py) drives JupyterLab
    assert {"pytest", "nbval", "jupyterlab", "playwright"} <= test_extra


def _readme_block(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    m = re.search(rf"{title}.*?```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert m, f"README has no code block after {title!r}"
    return m.group(1).strip()


def test_ci_runs_the_readme_test_command():
    command = _readme_block("Run the tests")
    ci = (ROOT / ".ci" / "run").read_text()
    last_line = [ln for ln in command.splitlines() if ln.strip()][-1]
    assert "pytest" in last_line
    assert last_line.split("&&")[-1].strip() in ci
    assert "COURSEKIT_DATA_DIR" in ci and "../shared/datasets" in ci


def test_ci_installs_chromium_for_the_browser_test():
    """CI must run the browser test: .ci/run installs Debian's Chromium where it is missing."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "[ -x /usr/bin/chromium ] || need+=(chromium)" in ci
    assert re.search(r"apt-get -qq\)\n.*install -y --no-install-recommends", ci)
    assert ci.index("need+=(chromium)") < ci.index("python -m pytest")


def test_readme_setup_command_opens_jupyterlab():
    assert "jupyter lab" in _readme_block("Set up and open the course")


LEGACY = ["tf.keras", "from tensorflow import keras", "tensorflow.keras", "nb_epoch",
          "Convolution2D", "border_mode", "np_utils", "predict_classes", "W_regularizer",
          "keras_tqdm", "keras-tqdm", "image_dim_ordering"]


@pytest.mark.parametrize("path", sorted((ROOT / "coursekit").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_tf_keras_or_legacy_names_in_package(path):
    text = path.read_text()
    found = [name for name in LEGACY if re.search(rf"(?<![\w_]){re.escape(name)}", text)]
    assert not found, f"{path.name} uses legacy Keras names: {found}"
