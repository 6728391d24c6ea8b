"""A figure returned by coursekit.plots is displayed once in a real Jupyter kernel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytestmark = pytest.mark.slow  # a real Jupyter kernel

ROOT = Path(__file__).resolve().parents[1]


def test_figure_is_displayed_exactly_once(monkeypatch):
    # The kernel inherits this environment; without MPLBACKEND, ipykernel picks the
    # inline backend, as in a student's notebook.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from coursekit import plots; import numpy as np; "
            "plots.heatmap(np.arange(16).reshape(4,4))"),
        nbformat.v4.new_code_cell("import sys; print(sys.prefix)"),
    ]
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()

    plot_outputs, prefix_outputs = nb.cells[0].outputs, nb.cells[1].outputs
    # the kernel ran this Python environment (the one where coursekit is installed)
    assert prefix_outputs[0]["text"].strip() == sys.prefix
    pngs = [out for out in plot_outputs if "image/png" in out.get("data", {})]
    assert len(pngs) == 1, [out.get("data", {}).keys() for out in plot_outputs]
    assert pngs[0]["output_type"] == "execute_result"
    assert not [out for out in plot_outputs if out["output_type"] == "error"]
