"""Instructor grading without kernels: files, identification, evidence, judging, gradebook.

The kernel-executing tests (threats at run time, full marks, determinism) are in
``test_grading_kernel.py``; the helpers here build submissions from the course's
own notebooks (solution = correct, generated exercise = blank).
"""

from __future__ import annotations

import copy
import csv
import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from coursekit.checks import REGISTRY, Check, all_checks, get_check
from coursekit.instructor import build as b
from coursekit.instructor.cli import main
from coursekit.instructor.grading import (
    Gradebook,
    Grader,
    Outcome,
    Result,
    find_submissions,
    grade,
    identify,
    load_hidden_checks,
    load_references,
    read_notebook,
    read_outcome,
    student_name,
    verdict_from,
)
from coursekit.instructor.grading import _kernel_side as ks
from coursekit.instructor.grading import feedback as fb
from coursekit.instructor.grading.redact import Redactor, clean

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
CHECK_CALL = re.compile(r'^check\("', re.M)


# -- helpers shared with test_grading_kernel.py ---------------------------------------------
def solution(stem: str) -> nbformat.NotebookNode:
    path = SOLUTIONS / f"{stem}.ipynb"
    if not path.exists():
        pytest.skip(f"solutions/{stem}.ipynb is not written yet")
    return nbformat.read(path, as_version=4)


def exercise(stem: str) -> nbformat.NotebookNode:
    """The blank exercise, as `coursekit build` writes it to notebooks/."""
    return b.make_exercise(solution(stem), b.repository_url(SOLUTIONS.parent),
                           f"notebooks/{stem}.ipynb")


def tiny(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """The title, setup and import cells of ``nb``, its *build* exercises (the exercise cells
    that define functions, which run without data or training) and their check cells.

    The experiments and questions need the notebook's data and trained models: their check
    cells are left out, so those checks score 0 in every tiny submission alike."""
    ref = solution(stem)
    if len(nb.cells) != len(ref.cells):  # an exercise: its claim cells were dropped
        ref.cells = [c for c in ref.cells if "claim" not in c.metadata.get("tags", [])]
    keep, functions = [nb.cells[0]], set()
    for cell, ref_cell in zip(nb.cells, ref.cells, strict=True):
        if cell.cell_type != "code":
            continue
        defined = set(re.findall(r"^def (\w+)\(", ref_cell.source, re.M))
        checked = re.findall(r'^check\("[^"]+", (\w+)\)', cell.source, re.M)
        if ("setup" in cell.metadata.get("tags", [])
                or "from coursekit.checks import check" in cell.source
                or (b.BEGIN in ref_cell.source and defined)
                or (checked and set(checked) <= functions)):
            keep.append(cell)
            functions |= defined
    out = nbformat.v4.new_notebook(cells=copy.deepcopy(keep), metadata=copy.deepcopy(nb.metadata))
    out.metadata.pop("widgets", None)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def course_points(stem: str) -> int:
    """The points of every visible check of a notebook (its submissions' ``max_score``)."""
    return int(sum(c.points for c in all_checks().values()
                   if c.notebook == stem and not c.hidden))


def header(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Only the title and setup cells (with the notebook's metadata): no TensorFlow to load."""
    return nbformat.v4.new_notebook(cells=copy.deepcopy(nb.cells[:2]),
                                    metadata=copy.deepcopy(nb.metadata))


def with_cell(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with one more code cell at the end."""
    out = copy.deepcopy(nb)
    out.cells.append(nbformat.v4.new_code_cell(source))
    return out


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- submissions ----------------------------------------------------------------------------
def test_student_names_come_from_the_path():
    assert student_name(Path("subs/alice_01_mlp.ipynb")) == "alice"
    assert student_name(Path("subs/alice/01_mlp.ipynb")) == "alice"
    assert student_name(Path("subs/bob-03_cnn.ipynb")) == "bob"
    assert student_name(Path("bob_random.ipynb")) == "bob_random"


def test_find_submissions_in_folders_and_files(tmp_path):
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir(parents=True)
    for rel in ("a/alice_01_mlp.ipynb", "a/.ipynb_checkpoints/alice_01_mlp-checkpoint.ipynb",
                "a/notes.txt", "b/bob/01_mlp.ipynb", "c.pdf"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    subs = find_submissions([tmp_path / "a", tmp_path / "b", tmp_path / "c.pdf",
                             tmp_path / "a" / "alice_01_mlp.ipynb"])
    assert [(Path(s.label).name, s.student) for s in subs] == [
        ("alice_01_mlp.ipynb", "alice"), ("01_mlp.ipynb", "bob"), ("c.pdf", "c")]


def test_files_that_are_not_notebooks_get_a_clear_status(tmp_path):
    (tmp_path / "a.ipynb").write_text('{"cells": [')
    (tmp_path / "b.ipynb").write_text("[1, 2, 3]")
    (tmp_path / "c.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "d.pdf").write_bytes(b"%PDF-1.4")
    save(nbformat.v4.new_notebook(), tmp_path / "e.ipynb")
    assert read_notebook(tmp_path / "a.ipynb") == (None, "invalid notebook JSON")
    assert read_notebook(tmp_path / "b.ipynb") == (None, "not a notebook")
    assert read_notebook(tmp_path / "c.ipynb") == (None, "not a notebook")
    assert read_notebook(tmp_path / "d.pdf") == (None, "not a notebook")
    assert read_notebook(tmp_path / "e.ipynb")[1] is None


# -- identification -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def references():
    if not (SOLUTIONS / "01_mlp.ipynb").exists():
        pytest.skip("solutions/01_mlp.ipynb is not written yet")
    return load_references(SOLUTIONS)


def test_identified_from_metadata_and_from_content_never_the_name(references, tmp_path):
    sol, blank = solution("01_mlp"), exercise("01_mlp")
    # content only: metadata removed, file renamed
    anonymous = copy.deepcopy(sol)
    anonymous.metadata.pop("coursekit")
    nb, _ = read_notebook(save(anonymous, tmp_path / "bob_random.ipynb"))
    assert identify(nb, references).notebook == "01_mlp"
    assert identify(nb, references).how == "content"
    # the blank exercise's check cells and shared cells are enough too
    blank_anonymous = tiny(blank, "01_mlp")
    blank_anonymous.metadata.pop("coursekit")
    assert identify(blank_anonymous, references).notebook == "01_mlp"
    # metadata only: every cell rewritten
    meta_only = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")],
                                         metadata={"coursekit": {"notebook": "01_mlp"}})
    assert identify(meta_only, references) .notebook == "01_mlp"
    # neither
    stranger = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# My notes")])
    assert identify(stranger, references).problem == "unknown notebook"


def test_a_file_named_01_holding_notebook_03_is_03(references, tmp_path):
    nb03 = solution("03_cnn")
    nb, _ = read_notebook(save(nb03, tmp_path / "x_01_mlp.ipynb"))
    assert identify(nb, references).notebook == "03_cnn"
    nb03.metadata.pop("coursekit")
    assert identify(nb03, references).notebook == "03_cnn"


def test_cells_of_another_notebook_are_the_wrong_notebook(references):
    mixed = copy.deepcopy(solution("03_cnn"))
    mixed.metadata["coursekit"] = {"notebook": "01_mlp"}
    found = identify(mixed, references)
    assert found.notebook == "01_mlp" and found.problem == "wrong notebook (cells of 03_cnn)"


def test_reference_expressions_come_from_the_solution_check_cells(references):
    assert references["01_mlp"].expressions["01.build_mlp"] == "build_mlp"
    assert references["01_mlp"].title.startswith("01 ")


# -- grading without a kernel ---------------------------------------------------------------
@pytest.mark.slow
def test_broken_wrong_and_unknown_submissions_score_zero_without_a_kernel(tmp_path, monkeypatch):
    import coursekit.instructor.grading.grader as grader_module

    def no_kernel(*args, **kwargs):
        raise AssertionError("no kernel should start for these submissions")

    monkeypatch.setattr(grader_module, "execute", no_kernel)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann_01_mlp.ipynb").write_text('{"cells": [}')
    (subs / "ben_01_mlp.ipynb").write_text("just text, not JSON at all")
    (subs / "cat_01_mlp.ipynb").write_text('{"hello": "world"}')
    mixed = copy.deepcopy(solution("03_cnn"))
    mixed.metadata["coursekit"] = {"notebook": "01_mlp"}
    save(mixed, subs / "dan_01_mlp.ipynb")
    save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Notes")]),
         subs / "eve_01_mlp.ipynb")
    out = tmp_path / "grades.csv"
    results = grade([subs], out, progress=False, summary=False, feedback=tmp_path / "fb")
    rows = {r["student"]: r for r in read_csv(out)}
    assert {k: v["status"] for k, v in rows.items()} == {
        "ann": "invalid notebook JSON", "ben": "invalid notebook JSON",
        "cat": "not a notebook", "dan": "wrong notebook (cells of 03_cnn)",
        "eve": "unknown notebook"}
    assert all(r["score"] == "0" for r in rows.values())
    assert rows["dan"]["notebook"] == "01_mlp"
    assert rows["dan"]["max_score"] == str(course_points("01_mlp"))
    assert rows["dan"]["01.build_mlp"] == "0"
    assert len(results) == 5
    assert "not the cells of this notebook" in (tmp_path / "fb" / "dan_01_mlp.md").read_text()


def _bad_files(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = [folder / f"s{i}_01_mlp.ipynb" for i in range(3)]
    for i, path in enumerate(paths):
        path.write_text(f'{{"broken {i}"')
    return paths


@pytest.mark.slow
def test_rows_are_written_as_they_arrive_and_a_rerun_resumes(tmp_path, monkeypatch):
    import coursekit.instructor.grading.batch as batch

    paths = _bad_files(tmp_path / "subs")
    out = tmp_path / "grades.csv"
    real = batch.Grader.grade
    calls = []

    def interrupted(self, sub):
        calls.append(sub.label)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, sub)

    monkeypatch.setattr(batch.Grader, "grade", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade(paths, out, progress=False, summary=False)
    assert [r["submission"] for r in read_csv(out)] == [str(paths[0])]
    monkeypatch.setattr(batch.Grader, "grade", real)
    again = grade(paths, out, progress=False, summary=False)
    assert [r.submission for r in again] == [str(p) for p in paths[1:]]
    assert len(read_csv(out)) == 3
    # nothing left to do; a crash mid-row leaves a partial line that is ignored and dropped
    with open(out, "a") as f:
        f.write(f"{paths[0]},s0,01_mlp,99,")
    assert grade(paths, out, progress=False, summary=False) == []
    assert len(read_csv(out)) == 3 and "99" not in [r["score"] for r in read_csv(out)]
    # a changed file is regraded; --force regrades all
    paths[1].write_text("{}")
    assert [r.submission for r in grade(paths, out, progress=False, summary=False)] == [
        str(paths[1])]
    assert {r["status"] for r in read_csv(out)} == {"invalid notebook JSON", "not a notebook"}
    assert len(grade(paths, out, force=True, progress=False, summary=False)) == 3
    assert len(read_csv(out)) == 3


def test_gradebook_appends_and_flushes_each_row_and_grows_columns(tmp_path):
    book = Gradebook(tmp_path / "g.csv")
    check = get_check("01.build_mlp") if "01.build_mlp" in all_checks() else None
    if check is None:
        pytest.skip("notebook 01's checks are not written yet")
    book.add(Result("a.ipynb", "a", "", "not a notebook"))
    assert read_csv(tmp_path / "g.csv")[0]["status"] == "not a notebook"
    book.add(Result("b.ipynb", "b", "01_mlp", "ok", [check.ok("fine")], max_score=3))
    rows = read_csv(tmp_path / "g.csv")
    assert rows[1]["01.build_mlp"] == "2" and rows[0]["01.build_mlp"] == ""
    assert Gradebook(tmp_path / "g.csv").rows["b.ipynb"]["score"] == "2"


def test_an_unrelated_csv_is_not_overwritten(tmp_path):
    out = tmp_path / "grades.csv"
    out.write_text("name,mark\nann,12\n")
    with pytest.raises(Exception, match="cannot be read as a gradebook"):
        Gradebook(out)


# -- evidence: encoded in the kernel, read back strictly in the grader ----------------------
def _encode(tmp_path: Path, evidence) -> Path:
    folder = tmp_path / "0"
    folder.mkdir()
    tree = ks.Encoder(str(folder), 2**24).encode(evidence)
    ks.write_manifest(str(folder), {"kind": "evidence", "tree": tree})
    return folder


def test_evidence_round_trip_keeps_types(tmp_path):
    evidence = {"out": [0, 2.5, None, True, "x"], 3: (1, 2), "arr": np.arange(6).reshape(2, 3),
                "scalar": np.float32(1.5), "words": np.array(["a", "bc"])}
    got = read_outcome(_encode(tmp_path, evidence), 2**24)
    assert got.kind == "evidence"
    assert got.evidence["out"] == [0, 2.5, None, True, "x"] and got.evidence[3] == (1, 2)
    np.testing.assert_array_equal(got.evidence["arr"], np.arange(6).reshape(2, 3))
    assert got.evidence["scalar"] == 1.5 and got.evidence["words"].tolist() == ["a", "bc"]


def test_a_keras_model_is_saved_and_reloaded_safely(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    got = read_outcome(_encode(tmp_path, [model]), 2**24)
    assert got.kind == "evidence" and got.evidence[0].count_params() == 10
    unsafe = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2)])
    folder = tmp_path / "lambda"
    folder.mkdir()
    tree = ks.Encoder(str(folder), 2**24).encode(unsafe)
    ks.write_manifest(str(folder), {"kind": "evidence", "tree": tree})
    refused = read_outcome(folder, 2**24)
    assert refused.kind == "refused" and "could not be loaded safely" in refused.message


@pytest.mark.parametrize("evidence", [object(), np.array([object()]), {1, 2}, print,
                                      [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
                         ids=["object", "object-array", "set", "function", "deep"])
def test_anything_but_plain_data_is_refused_in_the_kernel(tmp_path, evidence):
    with pytest.raises(ks.Refused):
        ks.Encoder(str(tmp_path), 2**24).encode(evidence)


def test_forged_evidence_files_are_refused(tmp_path):
    def manifest(folder: Path, tree) -> Path:
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"kind": "evidence", "tree": tree}))
        return folder

    pickled = manifest(tmp_path / "a", {ks.ARRAY: "1.npy"})
    np.save(pickled / "1.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    assert read_outcome(pickled, 2**24).kind == "refused"
    traversal = manifest(tmp_path / "b", {ks.ARRAY: "../a/1.npy"})
    assert read_outcome(traversal, 2**24).kind == "refused"
    linked = manifest(tmp_path / "c", {ks.ARRAY: "1.npy"})
    np.save(tmp_path / "real.npy", np.arange(3))
    (linked / "1.npy").symlink_to(tmp_path / "real.npy")
    assert read_outcome(linked, 2**24).kind == "refused"
    unknown_tag = manifest(tmp_path / "d", {"__pickle__": "x"})
    assert read_outcome(unknown_tag, 2**24).kind == "refused"
    assert read_outcome(tmp_path / "missing", 2**24).kind == "absent"
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "manifest.json").write_text('{"kind": "passed", "points": 100}')
    assert read_outcome(tmp_path / "e", 2**24).kind == "refused"


def test_judges_do_not_pass_forged_or_failed_evidence():
    all_checks()
    if "01.build_mlp" not in REGISTRY:
        pytest.skip("notebook 01's checks are not written yet")
    for check_id in ("01.build_mlp", "01.param_count"):
        check = REGISTRY[check_id]
        for forged in ({"passed": True}, "ok", [{"passed": True}], None, 3, [[1, 2, "x"]],
                       [{"hidden_size": 16, "num_layers": 2}]):
            assert not verdict_from(check, Outcome("evidence", forged), 60).passed, forged
        for kind in ("missing", "failed", "raised", "refused", "interrupted", "error",
                     "absent"):
            verdict = verdict_from(check, Outcome(kind, message="✅ 2/2 passed"), 60)
            assert not verdict.passed and verdict.points == 0


@pytest.mark.slow
def test_kernel_side_checks_are_fresh_copies_whatever_the_kernel_patched(monkeypatch):
    from coursekit.checks import _core

    all_checks()
    if "01.build_mlp" not in REGISTRY:
        pytest.skip("notebook 01's checks are not written yet")
    nb01 = sys.modules[type(REGISTRY["01.build_mlp"]).__module__]
    monkeypatch.setattr(_core.Check, "judge", lambda self, e: self.ok("x"))
    monkeypatch.setattr(_core.Check, "gather", lambda self, obj: ("FAKE", None))
    monkeypatch.setattr(nb01.BuildMLP, "collect", lambda self, f: "FAKE")
    grader = Grader(SOLUTIONS)
    modules = ks.fresh_modules(grader.sources, ["coursekit.checks._core",
                                                "coursekit.checks.nb01"])
    fresh = modules["coursekit.checks.nb01"].BuildMLP()
    assert fresh.gather(lambda h, n: None)[1] is not None  # the real gather: fails
    assert fresh.collect is not nb01.BuildMLP.collect
    assert type(fresh).__mro__[1] is modules["coursekit.checks._core"].Check
    assert sys.modules["coursekit.checks._core"] is _core  # the kernel's modules are back
    assert sys.modules["coursekit.checks"].Check is _core.Check


# -- hidden checks ----------------------------------------------------------------------------
HIDDEN = '''
from coursekit.checks import Check, register

# HIDDEN-TOKEN-{token}

@register
class Depth(Check):
    id = "01.hidden_depth"
    notebook = "01_mlp"
    points = 1
    target = "01.build_mlp"

    def judge(self, evidence):
        if isinstance(evidence, list) and len(evidence) >= 4 and all(
                isinstance(f, dict) and f["model"].get("params") for f in evidence):
            return self.ok("deep enough")
        return self.fail("not deep enough", hint="secret hint")


class Count(Check):
    id = "01.hidden_count"
    notebook = "01_mlp"
    points = 1
    target = "param_count"

    def collect(self, param_count):
        return int(param_count(10, 1))

    def judge(self, evidence):
        if type(evidence) is int and evidence == 784 * 10 + 10 + 10 * 10 + 10:
            return self.ok("right")
        return self.fail("wrong")
'''


def write_hidden(folder: Path, token: str = "0" * 32) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "extra.py").write_text(HIDDEN.replace("{token}", token))
    return folder


def test_hidden_checks_load_into_their_own_registry(tmp_path):
    all_checks()
    before = dict(REGISTRY)
    hidden = load_hidden_checks(write_hidden(tmp_path / "hidden"))
    assert before == REGISTRY  # @register inside the hidden file did not leak
    assert set(hidden) == {"01.hidden_depth", "01.hidden_count"}
    assert all(h.check.hidden for h in hidden.values())
    assert hidden["01.hidden_depth"].reuses == "01.build_mlp"
    assert hidden["01.hidden_count"].reuses is None and hidden["01.hidden_count"].own_collect
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.py").write_text(
        "from coursekit.checks import Check\nclass X(Check):\n    id = '01.x'\n"
        "    notebook = '01_mlp'\n")
    with pytest.raises(Exception, match="must set `target`"):
        load_hidden_checks(tmp_path / "bad")


@pytest.mark.slow
def test_hidden_checks_count_in_the_plan_and_only_own_collects_go_to_kernels(tmp_path):
    grader = Grader(SOLUTIONS, write_hidden(tmp_path / "hidden"))
    ids = grader.check_ids("01_mlp")
    assert ids[-2:] == ["01.hidden_depth", "01.hidden_count"]
    plans = {p.check_id: p for p in grader.plans["01_mlp"]}
    assert plans["01.hidden_depth"].kernel is None and plans["01.hidden_depth"].reuses
    assert plans["01.hidden_count"].kernel.expression == "param_count"
    assert "coursekit_hidden_extra" in grader.sources
    assert "01.hidden_depth" not in REGISTRY


# -- feedback and redaction -----------------------------------------------------------------
def test_feedback_shows_verdicts_and_hints_and_hides_hidden_checks():
    class Demo(Check):
        id = "00.demo"
        notebook = "00_demo"
        points = 2

    class Secret(Check):
        id = "00.secret_check"
        notebook = "00_demo"
        points = 1
        hidden = True

    result = Result("s.ipynb", "sam", "00_demo", "error in cell 7: NameError: name 'x' is "
                    "not defined",
                    [Demo().fail("expected <b>10</b> units | got 12", hint="use Dense(10)"),
                     Secret().fail("the secret message", hint="secret hint")],
                    hidden={"00.secret_check"}, max_score=3)
    text = fb.render(result, "00 · Demo")
    assert "❌ **00.demo** (0/2): expected &lt;b&gt;10&lt;/b&gt; units \\| got 12" in text
    assert "Hint: use Dense(10)" in text
    assert "hidden check 1: failed (0/1)" in text
    assert "secret" not in text and "00.secret_check" not in text
    assert "cell 7 (counting text cells) raised a NameError" in text
    assert "name 'x'" not in text  # the error's message came from the run: not shown


def test_redactor_and_clean():
    secret = "HIDDEN-TOKEN-5e0c9d27b1f84a6c93e2d0b7a41f6c58"
    r = Redactor([f"# {secret}\nother line"])
    assert r(f"ValueError: {secret} and more") == "ValueError: [redacted] and more"
    assert r(f"x {secret[5:35]} y") == "x [redacted] y"
    assert r("nothing to hide") == "nothing to hide"
    assert r(f"quoting {secret}", allow=f"x = '{secret}'") == f"quoting {secret}"
    assert clean("a\x1b[31mred\x1b[0m\nb\tc" + "x" * 500, 20) == "ared b c" + "x" * 11 + "…"


# -- command line -----------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_grade_writes_the_gradebook_and_a_summary(tmp_path, capsys):
    paths = _bad_files(tmp_path / "subs")
    out = tmp_path / "grades.csv"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--timeout", "30",
                 "--jobs", "2", "--no-progress", "--feedback", str(tmp_path / "fb")]) == 0
    text = capsys.readouterr().out
    assert "invalid notebook JSON" in text and "3 graded" in text
    assert len(read_csv(out)) == 3
    assert sorted(p.name for p in (tmp_path / "fb").iterdir()) == [
        f"{p.stem}.md" for p in paths]
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--no-progress"]) == 0
    assert "0 graded" in capsys.readouterr().out
