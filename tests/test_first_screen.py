"""The first cell of every notebook: what it teaches, how long it takes, how to check answers.

tests/test_browser.py proves, in JupyterLab, that this text is on the first screen; these
tests check the text itself, everywhere (no browser needed), and keep the time estimate in step
with the README's measured table: the estimate is one line starting with "⏱", so that new
measurements are easy to carry over.
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


def _measured_minutes() -> dict[str, float]:
    rows = README_ROW.findall((ROOT / "README.md").read_text())
    return {name: float(minutes) for name, minutes in rows}


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


def test_time_estimates_match_the_measured_table():
    measured = _measured_minutes()
    assert len(measured) == 7, "the README's table of measured times has changed shape"
    for relpath in NOTEBOOKS:
        name = Path(relpath).stem
        minutes = int(TIME_LINE.match(next(line for line in _first_cell(relpath).splitlines()
                                           if line.startswith("⏱")))["minutes"])
        assert abs(minutes - measured[name]) < 1, (
            f"{relpath} says about {minutes} min; the README measured {measured[name]} min")
