"""The class report and the Canvas/Moodle exports, from a small synthetic gradebook (no kernel)."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import pytest

from coursekit.checks import Verdict
from coursekit.errors import CourseKitError
from coursekit.instructor import cli
from coursekit.instructor.grading import feedback as fb
from coursekit.instructor.grading import report
from coursekit.instructor.grading.export import Totals, read_roster
from coursekit.instructor.grading.results import Gradebook, Result, read_rows

EVIL = "<script>alert(1)</script>"
RELU = "look at the activation argument of the hidden Dense layers"


def _v(check_id: str, passed: bool, points: float, hint: str = "") -> Verdict:
    return Verdict(check_id, passed, "fine" if passed else "wrong answer", "" if passed else hint,
                   points if passed else 0.0, points)


def _mlp(ok_build: bool, ok_count: bool, hint: str = RELU) -> list[Verdict]:
    return [_v("01.build_mlp", ok_build, 2, hint), _v("01.param_count", ok_count, 1, "count")]


def write_class(folder: Path, extra: int = 0) -> Path:
    """A gradebook of five students and two notebooks, and their feedback files; ``extra``
    more students (``s00``...) make the class look like one (for the browser's screenshot)."""
    book = Gradebook(folder / "grades.csv", key=b"k" * 32)
    results = [
        Result("s/ann_01.ipynb", "ann", "01_mlp", "ok", _mlp(True, True), max_score=3),
        Result("s/ann_03.ipynb", "ann", "03_cnn", "ok", [_v("03.conv", True, 4)], max_score=4),
        Result("s/bob_01.ipynb", "bob", "01_mlp", "error in cell 12: NameError",
               _mlp(False, True), max_score=3),
        Result("s/cat_01.ipynb", "cat", "01_mlp", "ok", _mlp(False, False), max_score=3),
        Result("s/cat_03.ipynb", "cat", "03_cnn", "timeout", [_v("03.conv", False, 4, "faster")],
               max_score=4),
        Result("s/dan.ipynb", "dan", "", "not a notebook"),
        Result(f"s/{EVIL}_01.ipynb", EVIL, "01_mlp", "ok", _mlp(False, True, hint=EVIL),
               max_score=3),
    ]
    for i in range(extra):
        results.append(Result(f"s/s{i:02}_01.ipynb", f"s{i:02}", "01_mlp", "ok",
                              _mlp(i % 3 != 0, i % 5 != 0), max_score=3))
        if i % 4:
            results.append(Result(f"s/s{i:02}_03.ipynb", f"s{i:02}", "03_cnn",
                                  "memory limit" if i == 7 else "ok",
                                  [_v("03.conv", i % 2 == 0, 4, "padding='same'")],
                                  max_score=4))
    taken: set[str] = set()
    for r in results:
        book.add(r)
        fb.write(folder / "feedback", fb.feedback_name(f"{r.student}_{r.notebook}", taken), r)
    return folder / "grades.csv"


@pytest.fixture
def gradebook(tmp_path):
    return write_class(tmp_path)


def test_feedback_files_read_back_as_the_verdicts_they_show(tmp_path):
    r = Result("a.ipynb", "ann", "01_mlp", "ok",
               [_v("01.build_mlp", False, 2, "use `relu` [not sigmoid] | &amp; http://x.y"),
                _v("01.param_count", True, 1)], max_score=3)
    [failed, passed] = fb.read_verdicts(fb.render(r))
    assert (failed.check_id, failed.passed, failed.points, failed.max_points) == (
        "01.build_mlp", False, 0, 2)
    assert failed.hint == "use `relu` [not sigmoid] | &amp; (link removed)"
    assert passed.passed and passed.hint == ""


def test_the_report_shows_each_section_and_escapes_what_students_named(gradebook):
    rows, checks = read_rows(gradebook)
    result = report.build(rows, checks, feedback=gradebook.parent / "feedback")
    page = report.render(result)
    for heading in ("Score distribution per notebook", "Pass rate per check",
                    "Most frequent failure hints", "Students missing a notebook",
                    "Statuses that need a human"):
        assert f"{heading}</h2>" in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=\"(?!data:)", page)  # nothing outside the page
    # the plot: an SVG image inside the page, titled per notebook
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)[1])
    assert svg.lstrip().startswith(b"<?xml") and b"<script" not in svg
    # pass rates: 01.build_mlp passed by ann only, of 4 graded
    assert re.search(r"<code>01\.build_mlp</code>.*?25%</td><td class=n>1 / 4<", page)
    # the frequent hint, counted over students: relu 2× (bob, cat), the evil one 1×
    assert f"{RELU} <span class=muted>(2×)</span>" in page
    # missing: bob and the evil student lack 03_cnn, dan lacks both
    missing = dict(result.missing)
    assert missing == {"bob": ["03_cnn"], "dan": ["01_mlp", "03_cnn"], EVIL: ["03_cnn"]}
    # need a human: the timeout and the file that is not a notebook, not bob's NameError
    assert {(h.student, h.status) for h in result.needs_human} == {
        ("cat", "timeout"), ("dan", "not a notebook")}
    assert "<td>cat</td><td>03_cnn</td><td>timeout</td>" in page


def test_canvas_and_moodle_files_have_their_headers_and_the_best_totals(gradebook, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,Name,SIS User ID,Section,Email\n"
                      "ann,\"Lee, Ann\",S1,A,ann@uni.example\nbob,,S2,B,bob@uni.example\n"
                      "eve,Eve,S5,A,eve@uni.example\n")
    canvas, moodle = tmp_path / "canvas.csv", tmp_path / "moodle.csv"
    assert cli.main(["report", str(gradebook), "--roster", str(roster), "--canvas", str(canvas),
                     "--moodle", str(moodle)]) == 0
    assert (gradebook.parent / "grades.html").exists()
    rows = list(csv.reader(canvas.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_mlp",
                       "03_cnn"]
    assert rows[1] == ["Points Possible", "", "", "", "", "3", "4"]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["Lee, Ann"] == ["Lee, Ann", "", "S1", "", "A", "3", "4"]
    assert by_name["Eve"][5:] == ["", ""]  # in the roster only: blank, not 0
    assert by_name["cat"][:5] == ["cat", "", "", "cat", ""]  # not in the roster: login = name
    moodle_rows = list(csv.reader(moodle.open()))
    assert moodle_rows[0] == ["Username", "Email address", "01_mlp", "03_cnn"]
    assert ["bob", "bob@uni.example", "1", ""] in moodle_rows
    assert ["cat", "", "0", "0"] in moodle_rows


def test_totals_keep_each_students_best_submission():
    rows = [{"student": "a", "notebook": "01", "score": s, "max_score": "3"} for s in "213"]
    assert Totals.from_rows(rows).best == {("a", "01"): 3.0}


def test_a_roster_or_gradebook_that_is_wrong_says_what_was_expected(tmp_path, capsys):
    bad = tmp_path / "roster.csv"
    bad.write_text("student,e-mial\nann,x\n")
    with pytest.raises(CourseKitError, match="unknown column 'e-mial'; expected 'student'"):
        read_roster(bad)
    bad.write_text("name\nAnn\n")
    with pytest.raises(CourseKitError, match="no 'student' column"):
        read_roster(bad)
    other = tmp_path / "marks.csv"
    other.write_text("name,mark\nann,12\n")
    assert cli.main(["report", str(other)]) == 2
    err = capsys.readouterr().err
    assert "is not a coursekit gradebook" in err and "Traceback" not in err
    book = write_class(tmp_path)
    assert cli.main(["report", str(book), "--canvas", str(book)]) == 2
    assert "is the gradebook itself" in capsys.readouterr().err
