"""Claim cells: a false claim fails a full-profile run; the quick profile skips them."""

import subprocess
import sys

import nbformat
import pytest

from coursekit.claims import TAG, ClaimError, claim
from coursekit.errors import InvalidParameterError
from coursekit.instructor import build


def test_a_false_claim_fails_in_the_full_profile(monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "full")
    with pytest.raises(ClaimError, match="pool 4 is faster"):
        claim(3.0 < 2.0, "pool 4 is faster")


def test_the_quick_profile_skips_claims_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    claim(False, "pool 4 is faster")
    assert "not checked in the quick profile: pool 4 is faster" in capsys.readouterr().out


def test_a_claim_needs_a_statement():
    with pytest.raises(InvalidParameterError, match="statement"):
        claim(True, "  ")


def test_exercises_keep_no_claim_cells_nor_their_import():
    sol = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("[![Open In Colab](x)](y)\n# 00 · Demo"),
        nbformat.v4.new_code_cell("# Setup\n", metadata={"tags": ["setup"]}),
        nbformat.v4.new_code_cell("import keras\nfrom coursekit.claims import claim\nx = 1"),
        nbformat.v4.new_code_cell('claim(x == 1, "x is one")', metadata={"tags": [TAG]}),
    ])
    exercise = build.make_exercise(sol, "https://example.org/r", "notebooks/00.ipynb")
    assert [c.source for c in exercise.cells][2:] == ["import keras\nx = 1"]  # nor its import


@pytest.mark.slow  # a fresh interpreter imports TensorFlow and trains
def test_importing_coursekit_keeps_tensorflow_quiet(tmp_path):
    """A student's first cell imports coursekit, then keras, and trains: stderr stays empty
    of TensorFlow's start-up log (absl lines, oneDNN, CUDA), which Jupyter shows in red."""
    code = ("import coursekit, keras, numpy as np\n"
            "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
            "m.compile(optimizer='adam', loss='mse')\n"
            "m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)\n"
            "print('trained')\n")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TF_CPP")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "trained"
    noise = [line for line in run.stderr.splitlines()
             if line.startswith(("I0000", "W0000", "E0000", "WARNING: All log messages"))]
    assert noise == []
