"""The gradebook nobody else can write, the snapshot, and texts only the grader wrote.

One hostile case per attack of issue 12 that the gradebook side stops: a forged row with
the right sha256 then a resume; two runs on one gradebook; a ``=HYPERLINK(...)`` file name;
a submission that is a link to the solution; a student's exception or check message
smuggling text; control characters in names. Each shows that the attacker scores no more
than the blank exercise, that honest submissions keep their scores, and that the gradebook
after the run is what an honest run writes. All but the last test need no kernel:
submissions that are graded without one (a notebook holding another notebook's cells), or
a stand-in for ``execute`` that returns what a hostile kernel could report.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_grading import (
    SOLUTIONS,
    exercise,
    read_csv,
    save,
    solution,
    tiny,
    with_cell,
)

import coursekit.instructor.grading.grader as grader_module
from coursekit.errors import CourseKitError
from coursekit.instructor.cli import main
from coursekit.instructor.grading import _kernel_side as ks
from coursekit.instructor.grading import grade, summary_table
from coursekit.instructor.grading.execute import Execution
from coursekit.instructor.grading.results import GradebookLock, from_cell, gradebook_key, to_cell
from coursekit.instructor.grading.submissions import (
    MAX_CELL_BYTES,
    find_submissions,
    printable,
    snapshot,
)
from coursekit.instructor.grading.templates import Templates

FORMULA = ("=", "+", "-", "@", "\t", "\r")
CONTROL = ("\x1b", "\r", "\x07", "\u202e", "\u2066", "\x9b", "\x00")
SMUGGLED = "SMUGGLED-5d1e8c3a"


def essentials(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows as an honest run must leave them (without the run's timing and its signature)."""
    return sorted(({k: v for k, v in r.items() if k not in ("seconds", "signature")}
                   for r in rows), key=lambda r: r["submission"])


def wrong_notebook() -> nbformat.NotebookNode:
    """Notebook 03's cells under notebook 01's name: graded 0/3 without starting a kernel."""
    nb = copy.deepcopy(solution("03_cnn"))
    nb.metadata["coursekit"] = {"notebook": "01_mlp"}
    return nb


@pytest.fixture
def no_kernel(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no kernel should start for these submissions")

    monkeypatch.setattr(grader_module, "execute", refuse)


def quiet(paths, out, **kwargs):
    return grade(paths, out, progress=False, summary=False, **kwargs)


# -- a forged row with the right sha256, then a resume --------------------------------------
@pytest.mark.slow
def test_a_forged_row_is_not_trusted_on_resume(tmp_path, no_kernel, capsys):
    subs, out = tmp_path / "subs", tmp_path / "grades.csv"
    for name in ("alice", "mallory"):
        save(wrong_notebook(), subs / f"{name}_01_mlp.ipynb")
    quiet([subs], out)
    honest = read_csv(out)
    mine = next(r for r in honest if r["student"] == "mallory")
    alice = next(r for r in honest if r["student"] == "alice")
    assert mine["score"] == "0"
    forged = {**mine, "score": "3", "status": "ok", "01.build_mlp": "2", "01.param_count": "1",
              "signature": "0" * 64}
    borrowed = {**alice, "submission": mine["submission"], "student": "mallory"}  # alice's sig
    ghost = {**forged, "submission": str(subs / "ghost_01_mlp.ipynb"), "student": "ghost"}

    def attacked(*rows: dict[str, str]) -> None:
        with open(out, "w", newline="") as f:
            writer = csv.DictWriter(f, list(honest[0]))
            writer.writeheader()
            writer.writerows(rows)

    # the grader was killed after the kernel appended its row, before writing the real one
    attacked(alice, forged, borrowed, ghost)
    again = quiet([subs], out)
    assert [r.student for r in again] == ["mallory"]  # regraded; alice's row kept as it was
    assert again[0].score == 0
    assert "3 row(s)" in capsys.readouterr().err
    assert essentials(read_csv(out)) == essentials(honest)  # no forged, borrowed or ghost row
    # a forged row after the real one changes nothing either
    attacked(*read_csv(out), forged)
    assert quiet([subs], out) == []
    assert essentials(read_csv(out)) == essentials(honest)
    assert quiet([subs], out) == []  # the rows it wrote itself are trusted


def test_the_signing_key_is_private_and_checked(tmp_path):
    key_path = tmp_path / "state" / "gradebook.key"
    key = gradebook_key(key_path)
    assert len(key) == 32 and gradebook_key(key_path) == key
    assert os.stat(key_path).st_mode & 0o777 == 0o600
    os.chmod(key_path, 0o644)
    with pytest.raises(CourseKitError, match="chmod 600"):
        gradebook_key(key_path)


# -- two runs on one gradebook ----------------------------------------------------------------
@pytest.mark.slow
def test_a_second_run_on_the_same_gradebook_stops_and_the_lock_dies_with_its_holder(
        tmp_path, no_kernel):
    subs, out = tmp_path / "subs", tmp_path / "grades.csv"
    save(wrong_notebook(), subs / "alice_01_mlp.ipynb")
    quiet([subs], out)
    before = out.read_text()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from coursekit.instructor.grading.results import GradebookLock\n"
         "lock = GradebookLock(sys.argv[1]).__enter__()\n"
         "print('locked', flush=True)\ntime.sleep(120)\n", str(out)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(CourseKitError, match=rf"another `coursekit grade` is writing "
                                                 rf".*grades.csv \(process {holder.pid}, "):
            quiet([subs], out, force=True)
        assert out.read_text() == before  # the first run's rows are untouched
        with pytest.raises(CourseKitError), GradebookLock(out):
            pass  # also within one process
    finally:
        holder.kill()  # SIGKILL: the lock goes with the process, nothing stale is left
        holder.wait()
    assert len(quiet([subs], out, force=True)) == 1


# -- spreadsheet formulas in names ------------------------------------------------------------
@pytest.mark.slow
def test_formulas_in_file_names_are_neutralised_in_every_cell(tmp_path, no_kernel,
                                                              monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "grades.csv"
    names = ['=HYPERLINK("www.evil.example","click")', "+1", "-2+3", "@SUM(A1)",
             "\tcmd", "'quoted"]
    for name in names:
        save(wrong_notebook(), subs / f"{name}_01_mlp.ipynb")
    monkeypatch.chdir(subs)
    quiet(["."], out, feedback=tmp_path / "fb")
    raw = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    cells = [cell for row in raw for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA)]
    assert {from_cell(row[1]) for row in raw[1:]} == {printable(n) for n in names}
    assert len(quiet(["."], out)) == 0  # read back exactly: the resume finds every row
    report = next((tmp_path / "fb").glob("HYPERLINK*.md")).read_text()
    assert "www" not in report and not re.search(r"(?<!\\)\]\(", report)
    assert not [p for p in (tmp_path / "fb").iterdir() if p.name.startswith(("-", "."))]
    assert to_cell("=1") == "'=1" and from_cell(to_cell("'x")) == "'x"


# -- a link to the solution -------------------------------------------------------------------
@pytest.mark.slow
def test_links_to_the_solution_are_refused_without_a_kernel(tmp_path, no_kernel):
    subs, out, elsewhere = tmp_path / "subs", tmp_path / "grades.csv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "01_mlp.ipynb").write_bytes((SOLUTIONS / "01_mlp.ipynb").read_bytes())
    subs.mkdir()
    (subs / "alice_01_mlp.ipynb").symlink_to(SOLUTIONS / "01_mlp.ipynb")
    (subs / "bob").symlink_to(elsewhere, target_is_directory=True)
    os.link(elsewhere / "01_mlp.ipynb", subs / "carol_01_mlp.ipynb")
    (subs / "dan").mkdir()
    (subs / "dan" / "01_mlp.ipynb").symlink_to(elsewhere / "01_mlp.ipynb")
    save(wrong_notebook(), subs / "erin_01_mlp.ipynb")
    given = subs.parent / "frank_01_mlp.ipynb"
    given.symlink_to(SOLUTIONS / "01_mlp.ipynb")
    quiet([subs, given], out)
    rows = {r["student"]: r for r in read_csv(out)}
    assert {k: (r["status"], r["score"]) for k, r in rows.items()} == {
        "alice": ("refused: symlink", "0"), "bob": ("refused: symlink", "0"),
        "carol": ("refused: hard link", "0"), "dan": ("refused: symlink", "0"),
        "erin": ("wrong notebook (cells of 03_cnn)", "0"), "frank": ("refused: symlink", "0")}
    # a folder swapped for a link after the files were listed is refused when read
    real = subs / "gina"
    real.mkdir()
    save(solution("01_mlp"), real / "01_mlp.ipynb")
    listed = [s for s in find_submissions([subs]) if s.student == "gina"]
    real.rename(subs / "gina-moved")
    real.symlink_to(elsewhere, target_is_directory=True)
    assert snapshot(listed[0]).problem == "refused: symlink"


# -- the snapshot and its caps ----------------------------------------------------------------
@pytest.mark.slow
def test_grading_uses_the_snapshot_taken_before_any_kernel(tmp_path, monkeypatch):
    path = save(wrong_notebook(), tmp_path / "subs" / "alice_01_mlp.ipynb")
    taken = snapshot(find_submissions([path])[0])
    save(solution("01_mlp"), path)  # the file changes once the snapshot is taken
    monkeypatch.setattr(grader_module, "execute", None)  # would fail if called
    result = grader_module.Grader(SOLUTIONS).grade(taken)
    assert result.status == "wrong notebook (cells of 03_cnn)"
    assert result.sha256 == taken.sha256 != snapshot(find_submissions([path])[0]).sha256
    assert '"outputs": []' in taken.cells and "image/png" not in taken.cells


@pytest.mark.slow
def test_an_8_mb_markdown_cell_is_refused_clearly_and_kept_out_of_memory(tmp_path, no_kernel):
    huge = with_cell(tiny(exercise("01_mlp"), "01_mlp"), "")
    huge.cells[-1] = nbformat.v4.new_markdown_cell("x" * (8 * 2**20))
    path = save(huge, tmp_path / "subs" / "bob_01_mlp.ipynb")
    sub = snapshot(find_submissions([path])[0])
    number = len(huge.cells)
    assert sub.problem == f"cell {number} too large (over {MAX_CELL_BYTES // 2**10} KB of text)"
    assert sub.cells is None and len(sub.sha256) == 64  # nothing of it is kept
    [result] = quiet([path], tmp_path / "grades.csv")
    assert (result.status, result.score) == (sub.problem, 0)


# -- texts that came from a kernel ------------------------------------------------------------
def _forged_build_evidence(kind: str) -> list[dict]:
    from coursekit.checks.nb01 import BUILD_CASES

    model = {"class_name": "Sequential", "name": "m", "input_shape": [None, 784], "params": 1,
             "layers": [{"class_name": kind, "name": "x"},
                        {"class_name": "Dense", "name": "d", "units": 10,
                         "activation": "softmax"}]}
    return [{"hidden_size": h, "num_layers": n, "model": model} for h, n in BUILD_CASES]


#: What a hostile kernel reports, per submission: its first error, then per check
#: (01.build_mlp, 01.param_count) a manifest, or evidence to encode.
HOSTILE = {
    "raised": ((41, "NameError", f"name '{SMUGGLED}' is not defined"),
               {"kind": "raised", "type": "ValueError", "message": SMUGGLED},
               {"kind": "raised", "type": f"Bad: {SMUGGLED} http://x", "message": ""}),
    "failed": ((3, f"X: {SMUGGLED}", ""),
               {"kind": "failed", "message": f"✅ 2/2 {SMUGGLED} [click](http://evil.example)",
                "hint": f"![x](http://evil.example/{SMUGGLED}.png)"},
               {"kind": "failed", "message": "expected a function param_count(hidden_size, "
                f"num_layers), got {SMUGGLED * 5}.", "hint": SMUGGLED}),
    "refused": ((None, "", ""), {"kind": "refused", "message": SMUGGLED},
                {"kind": "error", "message": f"loading the check: {SMUGGLED}"}),
    "judged": ((None, "", ""), {"evidence": _forged_build_evidence(
                "Conv [click](http://evil.example) <img src=x onerror=alert(1)>")},
               {"evidence": [(1, 1, 1)]}),
    "flooded": ((None, "", ""), {"evidence": _forged_build_evidence(SMUGGLED * 20)},
                {"kind": "failed", "message": "expected a function param_count(hidden_size, "
                 "num_layers), got int.", "hint": "pass the function itself: "
                 "check(\"01.param_count\", param_count)"}),
}


def _hostile_kernel(tmp_path: Path):
    def execute(nb, name, checks, *args, **kwargs):
        error, *reports = HOSTILE[name.split("_")[0]]
        root = tmp_path / f"evidence-{name}"
        run = Execution(error=None if error[0] is None else error, evidence_root=root)
        # the checks after those two (the experiments and questions) report nothing: absent
        for index, (check, report) in enumerate(zip(checks, reports, strict=False)):
            folder = root / str(index)
            folder.mkdir(parents=True)
            if "evidence" in report:
                tree = ks.Encoder(str(folder), 2**20).encode(report["evidence"])
                report = {"kind": "evidence", "tree": tree}
            ks.write_manifest(str(folder), report)
            run.folders[check.check_id] = folder
        return run

    return execute


@pytest.mark.slow
def test_texts_a_kernel_sends_never_reach_the_gradebook_or_feedback(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "grades.csv"
    for name in HOSTILE:
        save(tiny(solution("01_mlp"), "01_mlp"), subs / f"{name}_01_mlp.ipynb")
    monkeypatch.setattr(grader_module, "execute", _hostile_kernel(tmp_path))
    results = {r.student: r for r in quiet([subs], out, feedback=tmp_path / "fb")}
    reports = {p.name.split("_")[0]: p.read_text() for p in (tmp_path / "fb").iterdir()}
    for text in [out.read_text(), *reports.values()]:
        assert SMUGGLED not in text and "http" not in text and "<img" not in text
        assert not re.search(r"(?<!\\)\]\(", text)  # no Markdown link or image survives
    assert all(r.score == 0 for r in results.values())  # no more than the blank exercise
    assert results["raised"].status == "error in cell 41: NameError"
    assert results["failed"].status == "error in cell 3"
    # the first two checks (build_mlp, param_count) are the ones the hostile kernel answers
    messages = {name: [v.message for v in r.verdicts][:2] for name, r in results.items()}
    assert messages["raised"] == ["your code raised ValueError",
                                  "your code raised an exception"]
    assert messages["failed"] == [grader_module.UNSHOWN_FAIL] * 2  # not the check's words
    assert messages["refused"] == ["your answer could not be graded.",
                                   "the grader could not collect this answer."]
    # the judge quotes the (forged) evidence: bounded, cleaned, inert in Markdown
    assert messages["judged"][0].startswith("the model of build_mlp(16, 2) has a Conv [click]")
    assert "has a Conv \\[click\\]((link removed)) &lt;img" in reports["judged"]
    assert messages["flooded"] == [grader_module.UNSHOWN_FAIL,
                                   "expected a function param_count(hidden_size, num_layers), "
                                   "got int."]  # a template with a short value is shown


def test_templates_keep_the_structure_and_only_bounded_values():
    import coursekit.checks._core as core

    templates = Templates([Path(core.__file__).read_text()])
    assert templates.render("could not judge the answer (ValueError: invalid literal for "
                            f"int(): '{SMUGGLED}').") == "could not judge the answer (ValueError)."
    assert templates.render(f"expected {SMUGGLED}, got None.") == f"expected {SMUGGLED}, got None."
    assert templates.render(f"expected {'x' * 161}, got None.") is None
    assert templates.render(f"expected {SMUGGLED}, got None.", placeholder=10) is None
    assert templates.render("full marks for me") is None
    # matching stays linear however the text repeats a template's literals
    assert templates.render("expected " + ", got " * 90 + "None.") is None


# -- control characters in names --------------------------------------------------------------
@pytest.mark.slow
def test_control_characters_in_names_reach_no_terminal_csv_or_feedback(tmp_path, no_kernel,
                                                                       capsys):
    subs, out = tmp_path / "subs", tmp_path / "grades.csv"
    hostile = "\x1b]0;pwned\x07\x1b[2Jeve\u202etxt.exe\u2066\r"
    save(wrong_notebook(), subs / f"{hostile}_01_mlp.ipynb")
    save(wrong_notebook(), subs / "alice_01_mlp.ipynb")
    assert main(["grade", str(subs), "--out", str(out), "--no-progress",
                 "--feedback", str(tmp_path / "fb")]) == 0
    columns = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    forged = [f'"{hostile}"', "x", "01_mlp", "3", "3", "ok", "1.0", "", "00"]
    forged += ["1"] * (len(columns) - len(forged))
    with open(out, "a", newline="") as f:  # a forged row, to make the warning quote its name
        f.write(",".join(forged) + "\n")
    assert main(["grade", str(subs), "--out", str(out), "--no-progress"]) == 0
    streams = capsys.readouterr()
    texts = [streams.out, streams.err, out.read_text(encoding="utf-8"),
             *(p.read_text() for p in (tmp_path / "fb").iterdir()),
             *(p.name for p in (tmp_path / "fb").iterdir())]
    for text in texts:
        assert not [c for c in CONTROL if c in text], repr(text)
    assert "eve?txt.exe?" in streams.out and "1 row(s)" in streams.err
    table = summary_table([{"student": hostile, "notebook": hostile, "status": hostile}])
    assert not [c for c in CONTROL if c in table]  # whatever a row holds
    rows = read_csv(out)
    assert [r["score"] for r in rows] == ["0", "0"]


# -- the same attacks with real kernels, in one grading run and its resume ------------------
LEAK = "LEAKED-TOKEN-8e2b4f6a1c9d"
#: Builds its text at run time (so no cell holds it), then raises it everywhere it can.
SMUGGLER = f'''
leak = "".join(map(chr, {[ord(c) for c in LEAK]}))
def build_mlp(hidden_size, num_layers):
    raise ValueError(leak)
def param_count(hidden_size, num_layers):
    raise KeyError(leak)
raise RuntimeError(leak)
'''
HYPERLINK = '=HYPERLINK("www.evil.example","click")'


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory, shared_mirror):
    root = tmp_path_factory.mktemp("hostile")
    subs, out = root / "subs", root / "grades.csv"
    solved, blank = tiny(solution("01_mlp"), "01_mlp"), tiny(exercise("01_mlp"), "01_mlp")
    save(solved, subs / "alice_01_mlp.ipynb")
    save(blank, subs / "bob_01_mlp.ipynb")
    save(solved, subs / f"{HYPERLINK}_01_mlp.ipynb")
    save(with_cell(blank, SMUGGLER), subs / "eve_01_mlp.ipynb")
    (subs / "mallory_01_mlp.ipynb").symlink_to(SOLUTIONS / "01_mlp.ipynb")
    run = {"timeout": 120, "jobs": 2, "feedback": root / "feedback"}
    first = {r.student: r for r in quiet([subs], out, **run)}
    honest = read_csv(out)
    # bob's row as his kernel would forge it (right sha256, full marks), the grader killed
    # before it wrote the real one
    bob = next(r for r in honest if r["student"] == "bob")
    forged = {**bob, "score": "3", "status": "ok", "01.build_mlp": "2", "01.param_count": "1"}
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, list(honest[0]))
        writer.writeheader()
        writer.writerows([r for r in honest if r["student"] != "bob"] + [forged])
    second = quiet([subs], out, **run)
    return {"first": first, "honest": honest, "second": second, "out": out,
            "feedback": [p.read_text() for p in (root / "feedback").iterdir()]}


@pytest.mark.slow
def test_hostile_names_links_and_smuggled_texts_with_real_kernels(hostile_class):
    first = hostile_class["first"]
    alice, bob = first["alice"], first["bob"]
    assert (alice.status, alice.score, bob.score) == ("ok", 3, 0)
    assert alice.verdicts[0].message.startswith("your models have the right layers (build_mlp(")
    assert "not answered yet" in bob.verdicts[0].message  # the checks' own words are kept
    named = first[HYPERLINK]  # a formula for a name changes nothing of the grade
    assert (named.status, named.score) == ("ok", 3)
    assert [v.message for v in named.verdicts] == [v.message for v in alice.verdicts]
    assert (first["mallory"].status, first["mallory"].score) == ("refused: symlink", 0)
    eve = first["eve"]
    assert eve.score <= bob.score and re.fullmatch(r"error in cell \d+: [A-Za-z_.]+", eve.status)
    said = {v.check_id: v.message for v in eve.verdicts}
    assert (said["01.build_mlp"], said["01.param_count"]) == ("your code raised ValueError",
                                                              "your code raised KeyError")
    for text in [hostile_class["out"].read_text(), *hostile_class["feedback"]]:
        assert LEAK not in text
    cells = [c for row in csv.reader(io.StringIO(hostile_class["out"].read_text()))
             for c in row]
    assert not [c for c in cells if c.startswith(FORMULA)]


@pytest.mark.slow
def test_a_forged_row_then_a_resume_with_real_kernels(hostile_class):
    assert [r.student for r in hostile_class["second"]] == ["bob"]  # the forged row: regraded
    assert hostile_class["second"][0].score == 0
    assert essentials(read_csv(hostile_class["out"])) == essentials(hostile_class["honest"])
