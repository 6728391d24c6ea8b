"""The first cell of every notebook: what it teaches, how long it takes, how to check answers.

tests/test_browser.py proves, in JupyterLab, that this text is on the first screen; these
tests check the text itself, everywhere (no browser needed): the estimate is one line starting
with "⏱", so that new measurements are easy to carry over.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for folder in ("notebooks", "solutions")
                   for p in (ROOT / folder).glob("*.ipynb"))
TIME_LINE = re.compile(r"^⏱ \*\*Time:\*\* about (?P<minutes>\d+) min on a laptop CPU "
                       r"\(measured on 2 cores[^)]*\)\. Colab, not measured: .+$")
README_ROW = re.compile(r"^\| (?P<name>\d\d_\w+) \| \d+ s \((?P<minutes>[\d.]+) min\) \|", re.M)


def _first_cell(relpath: str) -> str:
    cell = nbformat.read(ROOT / relpath, as_version=4).cells[0]
    assert cell.cell_type == "markdown"
    return cell.source


@pytest.mark.parametrize("relpath", NOTEBOOKS)
def test_first_cell_says_what_how_long_and_how_to_check(relpath):
    lines = _first_cell(relpath).splitlines()
    name = Path(relpath).stem
    title = [line for line in lines if line.startswith("# ")]
    assert title and title[0].startswith(f"# {name[:2]} · ")
    timed = [line for line in lines if line.startswith("⏱")]
    assert len(timed) == 1, "the time estimate is one line starting with ⏱"
    match = TIME_LINE.match(timed[0])
    assert match, f"unexpected time line: {timed[0]}"
    assert "CPU" in timed[0] and "Colab" in timed[0]
    checking = [line for line in lines if "check(" in line]
    assert len(checking) == 1 and "✅" in checking[0] and "❌" in checking[0]
    topics = [line for line in lines if line.startswith("- ")]
    assert len(topics) >= 3
    # title, time, how to check, then the topics: the first three fit the first screen
    order = [lines.index(line) for line in (title[0], timed[0], checking[0], topics[0])]
    assert order == sorted(order)


def test_the_readmes_measured_times_say_when_and_on_what_machine():
    """The README's wall times are measurements: the text above its table names the date and
    the machine. (Whether they equal the notebooks' ⏱ lines is left to whoever re-measures:
    a new measurement must not fail CI.)"""
    readme = (ROOT / "README.md").read_text()
    first_row = README_ROW.search(readme)
    assert first_row, "no table of measured wall times (| 01_mlp | 318 s (5.3 min) | ...)"
    section = readme[readme.rfind("\n#", 0, first_row.start()):first_row.start()]
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", section), "the measurements' date"
    assert re.search(r"\d+ cores", section), "the machine the measurements ran on"
