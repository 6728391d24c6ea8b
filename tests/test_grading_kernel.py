"""Instructor grading with real kernels: the threats at run time, full marks, determinism.

Two batches are graded once per module (``jobs=2``) and the tests read their rows:

- ``runaway``: notebook 01's title and setup cells plus one injected cell that
  loops, sleeps, floods output, kills its kernel, segfaults or eats memory (no
  TensorFlow to import, a 10 s timeout);
- ``course``: notebook 01 cut down to its import, exercise and check cells:
  the solution (twice, for determinism), the blank exercise, and the blank
  exercise with injected attacks (monkeypatching the checks, forged files,
  snooping on the hidden checks and on another student's file).
"""

from __future__ import annotations

import re
import tempfile
import threading
import time

import psutil
import pytest
from test_grading import (
    course_points,
    exercise,
    header,
    read_csv,
    save,
    solution,
    tiny,
    with_cell,
    write_hidden,
)

from coursekit.instructor.grading import grade

pytestmark = pytest.mark.slow

HIDDEN_TOKEN = "7c1d0e9a3b5f48e2a6d4c8b0f1e3a5c7"
VICTIM_TOKEN = "VICTIM-SECRET-4b8e2f6a1c9d3e7b5a0f"

RUNAWAY = {
    "loop": "while True:\n    pass",
    "sleep": "import time\ntime.sleep(3600)",
    "flood": "while True:\n    print('spam ' * 200)",
    "exit": "import os\nos._exit(3)",
    "segfault": "import ctypes\nctypes.string_at(0)",
    "hog": "chunks = []\nwhile True:\n    chunks.append(bytearray(b'1') * (64 * 2**20))",
    "fine": "x = 1 + 1",
    "slowcheck": "def build_mlp(hidden_size, num_layers):\n    while True:\n        pass",
}

MONKEYPATCH = '''
import coursekit.checks as checks
import coursekit.checks._core as core
from coursekit.checks import get_check
core.Check.judge = lambda self, evidence: self.ok("patched judge")
core.Check.decide = lambda self, evidence: self.ok("patched decide")
core.Check.gather = lambda self, obj: ("FAKE", None)
for c in checks.all_checks().values():
    type(c).collect = lambda self, obj: {"passed": True}
    type(c).judge = lambda self, evidence: self.ok("patched")
get_check("01.build_mlp").collect = lambda obj: [{"passed": True}]
def check(check_id, obj=None):
    print(f"✅ [{check_id}] 2/2: your models have the right layers")
print("✅ [01.build_mlp] 2/2: your models have the right layers")
print("✅ [01.param_count] 1/1: your formula matches Keras")
check("01.build_mlp", build_mlp)
'''

FORGE = '''
import json, os, threading, time
open("grades.csv", "w").write("submission,student,score\\nforger,forger,100\\n")
os.makedirs("evidence/0", exist_ok=True)
open("evidence/0/manifest.json", "w").write(json.dumps({{"kind": "evidence", "tree": True}}))
with open({out!r}, "a") as f:
    f.write("{mallory},forger,01_mlp,5,5,ok,1.0,x,2,1,1,1\\n")
def forge():
    while True:
        for name in os.listdir({tmp!r}):
            if name.startswith("ck-evidence-"):
                root = os.path.join({tmp!r}, name)
                for i in range(4):
                    try:
                        os.makedirs(os.path.join(root, str(i)), exist_ok=True)
                        with open(os.path.join(root, str(i), "manifest.json"), "w") as f:
                            json.dump({{"kind": "evidence", "passed": True, "points": 2,
                                       "tree": {{"__dict__": [["passed", True]]}}}}, f)
                    except OSError:
                        pass
        time.sleep(0.01)
threading.Thread(target=forge, daemon=True).start()
'''

SNOOP = '''
import glob
from IPython.display import Markdown, display
hidden = "".join(open(p).read() for p in glob.glob({hidden!r} + "/*.py"))
victim = open({victim!r}).read()
print(hidden)
display(Markdown(victim))
leak = " ".join([ln for ln in hidden.splitlines() if "TOKEN" in ln]
                + [ln for ln in victim.splitlines() if "victim_note" in ln])
def build_mlp(hidden_size, num_layers):
    raise ValueError(leak)
raise RuntimeError(leak)
'''


class _PeakMemory:
    """The largest resident memory of this (the grader's) process while it runs."""

    def __enter__(self):
        self.me = psutil.Process()
        self.start = self.peak = self.me.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.me.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def runaway(tmp_path_factory, shared_mirror):
    root = tmp_path_factory.mktemp("runaway")
    base = header(exercise("01_mlp"))
    out = root / "grades.csv"
    for name, source in RUNAWAY.items():
        save(with_cell(base, source), root / "subs" / f"{name}_01_mlp.ipynb")
    forger = root / "subs" / "forger_01_mlp.ipynb"
    save(with_cell(base, FORGE.format(out=str(out), tmp=tempfile.gettempdir(),
                                      mallory=str(forger))), forger)
    started = time.monotonic()
    with _PeakMemory() as memory:
        results = grade([root / "subs"], out, timeout=10, jobs=2,
                        memory_mb=1500, check_timeout=20, progress=False, summary=False,
                        feedback=root / "feedback")
    return {"root": root, "out": out, "results": {r.student: r for r in results},
            "rows": {r["student"]: r for r in read_csv(out)},
            "seconds": time.monotonic() - started, "memory": memory}


@pytest.fixture(scope="module")
def course(tmp_path_factory, shared_mirror):
    root = tmp_path_factory.mktemp("course")
    subs, out = root / "subs", root / "grades.csv"
    hidden = write_hidden(root / "hidden", HIDDEN_TOKEN)
    solved, blank = tiny(solution("01_mlp"), "01_mlp"), tiny(exercise("01_mlp"), "01_mlp")
    save(solved, subs / "alice_01_mlp.ipynb")
    save(solved, subs / "alice2_01_mlp.ipynb")
    victim = save(with_cell(blank, f'victim_note = "{VICTIM_TOKEN}"'), subs / "bob_01_mlp.ipynb")
    save(with_cell(blank, MONKEYPATCH), subs / "mallory_01_mlp.ipynb")
    save(with_cell(blank, SNOOP.format(hidden=str(hidden), victim=str(victim))),
         subs / "eve_01_mlp.ipynb")
    results = grade([subs], out, timeout=120, jobs=2, hidden=hidden,
                    feedback=root / "feedback", progress=False, summary=False)
    return {"root": root, "subs": subs, "out": out, "hidden": hidden,
            "results": {r.student: r for r in results},
            "rows": {r["student"]: r for r in read_csv(out)},
            "feedback": {p.stem.split("_")[0]: p.read_text()
                         for p in (root / "feedback").iterdir()}}


# -- runaway submissions ----------------------------------------------------------------------
def test_loops_sleeps_and_floods_are_stopped_at_the_timeout(runaway):
    rows = runaway["rows"]
    for name in ("loop", "sleep", "flood"):
        assert rows[name]["status"] == "timeout", rows[name]
        assert rows[name]["score"] == "0" and rows[name]["01.build_mlp"] == "0"
        assert float(rows[name]["seconds"]) < 40
    assert rows["fine"]["status"] == "ok"  # the batch went on


def test_an_output_flood_does_not_grow_the_graders_memory(runaway):
    memory = runaway["memory"]
    assert memory.peak - memory.start < 300 * 2**20


def test_a_kernel_that_dies_or_eats_memory_is_recorded(runaway):
    rows = runaway["rows"]
    assert rows["exit"]["status"] == "kernel died"
    assert rows["segfault"]["status"] == "kernel died"
    assert rows["hog"]["status"] == "memory limit"
    assert all(r["score"] == "0" for r in rows.values())
    assert len(rows) == len(RUNAWAY) + 1
    text = (runaway["root"] / "feedback" / "hog_01_mlp.md").read_text()
    assert "more memory than allowed" in text


def test_a_check_that_runs_too_long_is_interrupted_and_the_next_check_runs(runaway):
    """The interrupt reaches the sandboxed kernel (a message on its control channel)."""
    slow = {v.check_id: v for v in runaway["results"]["slowcheck"].verdicts}
    assert runaway["rows"]["slowcheck"]["status"] == "ok"
    assert "took longer than 20 s" in slow["01.build_mlp"].message
    assert "expected" in slow["01.param_count"].message  # still asked, and missing


def test_no_kernel_process_is_left_behind(runaway):
    def is_kernel(p: psutil.Process) -> bool:
        try:
            return "ipykernel_launcher" in " ".join(p.cmdline())
        except psutil.Error:
            return False

    assert [p for p in psutil.Process().children(recursive=True) if is_kernel(p)] == []


# -- the course's notebook: correct, blank, adversarial -------------------------------------
def test_a_correct_solution_scores_full_marks(course):
    alice = course["rows"]["alice"]
    assert alice["status"] == "ok", alice
    # 3 points of the build exercises (all a tiny submission answers) + 2 hidden points
    assert alice["score"] == "5" and alice["max_score"] == str(course_points("01_mlp") + 2)
    assert (alice["01.build_mlp"], alice["01.param_count"]) == ("2", "1")
    assert (alice["01.hidden_depth"], alice["01.hidden_count"]) == ("1", "1")


def test_the_same_submission_graded_twice_gets_the_same_grade(course):
    first, second = course["results"]["alice"], course["results"]["alice2"]
    assert first.score == second.score
    assert [(v.check_id, v.points, v.message) for v in first.verdicts] == [
        (v.check_id, v.points, v.message) for v in second.verdicts]


def test_a_blank_exercise_scores_zero(course):
    bob = course["rows"]["bob"]
    assert bob["score"] == "0" and bob["max_score"] == str(course_points("01_mlp") + 2)
    assert "NotImplementedError" in course["feedback"]["bob"]


def test_monkeypatching_checks_and_printing_verdicts_do_not_raise_the_score(course):
    mallory = course["results"]["mallory"]
    assert mallory.score == 0, [(v.check_id, v.message) for v in mallory.verdicts]
    assert all(not v.passed for v in mallory.verdicts)


def test_fake_result_files_and_forged_evidence_do_not_count(runaway):
    """The forger writes a fake grades.csv and evidence folder where it runs, appends a row
    claiming full marks to the real gradebook, and keeps writing "passed" manifests into
    every evidence folder it finds while the grader extracts."""
    rows = read_csv(runaway["out"])
    forger = [r for r in rows if r["student"] == "forger"]
    assert len(forger) == 1 and forger[0]["score"] == "0", forger
    assert len(rows) == len(RUNAWAY) + 1 and all(r["score"] == "0" for r in rows)
    assert not (runaway["root"] / "subs" / "grades.csv").exists()  # it never ran in subs/


def test_hidden_checks_and_other_students_files_never_leak(course):
    texts = [course["out"].read_text(), *course["feedback"].values()]
    for secret in (HIDDEN_TOKEN, VICTIM_TOKEN):
        pieces = {secret[i:i + 20] for i in range(len(secret) - 19)}
        for text in texts:
            assert not any(p in text for p in pieces), text
    eve = course["rows"]["eve"]  # the sandbox shows it neither file
    assert re.fullmatch(r"error in cell \d+: [A-Za-z_.]+", eve["status"])  # no message
    assert eve["score"] == "0"
    for text in course["feedback"].values():
        assert "01.hidden" not in text and "secret hint" not in text
        assert "coursekit profile" not in text  # nothing the notebook printed


def test_feedback_reports_verdicts_hints_and_hidden_checks(course):
    alice = course["feedback"]["alice"]
    assert f"**Score:** 5 / {course_points('01_mlp') + 2}" in alice
    assert "✅ **01.build_mlp** (2/2)" in alice and "✅ **01.param_count** (1/1)" in alice
    assert "hidden check 1: passed (1/1)" in alice and "hidden check 2: passed" in alice
    bob = course["feedback"]["bob"]
    assert "❌ **01.build_mlp** (0/2)" in bob and "Hint:" in bob


def test_a_rerun_skips_what_is_graded_and_starts_no_kernel(course, monkeypatch):
    import coursekit.instructor.grading.grader as grader_module

    monkeypatch.setattr(grader_module, "execute", None)  # would fail if called
    before = {r["student"]: r["score"] for r in read_csv(course["out"])}
    assert grade([course["subs"]], course["out"], hidden=course["hidden"], progress=False,
                 summary=False) == []
    assert {r["student"]: r["score"] for r in read_csv(course["out"])} == before
