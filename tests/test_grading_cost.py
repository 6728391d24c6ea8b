"""What makes a submission cheaper: the grader's ``grade`` profile and TensorFlow's threads.

The figures (seconds per submission) are in ``tests/bench_grading_cost.py``, never here;
these tests show what each kernel is given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import ClassVar

import pytest

from coursekit.instructor.cli import main
from coursekit.instructor.grading import batch
from coursekit.instructor.grading.bwrap import bwrap_args, probe
from coursekit.instructor.grading.results import Result
from coursekit.instructor.grading.sandbox import (
    LAUNCHER,
    KernelFolder,
    Limits,
    kernel_env,
    threads_per_kernel,
)

needs_bwrap = pytest.mark.skipif(probe() is not None, reason=f"no sandbox here: {probe()}")


def test_kernels_running_at_once_share_the_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert [threads_per_kernel(jobs) for jobs in (1, 2, 3, 8, 20)] == [8, 4, 2, 1, 1]


SEES = """
import json, os
from coursekit import profiles
p = profiles.current()
print(json.dumps({k: os.environ.get(k) for k in
                  ("COURSEKIT_PROFILE", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                   "OMP_NUM_THREADS")} | {"samples": p.samples(55_000), "quick": p.is_quick}))
"""


@needs_bwrap
@pytest.mark.parametrize("threads", [1, None])
def test_the_sandboxed_kernel_sees_the_grade_profile_and_its_thread_share(threads):
    """The environment kernel_env gives reaches the program inside bubblewrap (which clears
    everything else): the grade profile's sizes, and the thread share when there is one."""
    limits = Limits(threads=threads)
    folder = KernelFolder(True, limits)
    try:
        env = kernel_env(folder, "grade", limits.threads)
        cmd = [sys.executable, str(LAUNCHER), *limits.launcher_args(0, folder.uid), "--",
               sys.executable, "-c", textwrap.dedent(SEES)]
        join = folder.cgroup.join_command() if folder.cgroup else []
        done = subprocess.run([*join, *bwrap_args(folder.sandbox(env, limits)), *cmd],
                              capture_output=True, text=True, timeout=60, cwd=folder.root,
                              env=env)
    finally:
        folder.remove()
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    share = None if threads is None else str(threads)
    assert seen == {"COURSEKIT_PROFILE": "grade", "TF_NUM_INTRAOP_THREADS": share,
                    "TF_NUM_INTEROP_THREADS": share, "OMP_NUM_THREADS": share,
                    "samples": 500, "quick": True}


class _Recorder:
    """Stands in for the Grader: records what the batch gave it, grades nothing."""

    seen: ClassVar[list[tuple[str, Limits]]] = []

    def __init__(self, reference, hidden, limits, profile, sandbox=True):
        self.limits, self.profile = limits, profile
        _Recorder.seen.append((profile, limits))

    def check_ids(self, notebook):
        return []

    def grade(self, sub):
        return Result(sub.label, sub.student, "01_mlp", "ok", sha256=sub.sha256)

    def title(self, notebook):
        return notebook

    def close(self):
        pass


@pytest.mark.parametrize("argv, profile, jobs", [([], "quick", 1),
                                                 (["--profile", "grade", "--jobs", "2"],
                                                  "grade", 2),
                                                 (["--profile", "quick", "--jobs", "3"],
                                                  "quick", 3)])
def test_coursekit_grade_runs_kernels_in_the_profile_asked_with_their_share(
        tmp_path, monkeypatch, argv, profile, jobs):
    monkeypatch.setattr(batch, "Grader", _Recorder)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5}, raising=False)
    _Recorder.seen.clear()
    (tmp_path / "alice_01_mlp.ipynb").write_text('{"cells": [], "metadata": {}, '
                                                 '"nbformat": 4, "nbformat_minor": 5}')
    assert main(["grade", str(tmp_path / "alice_01_mlp.ipynb"), "--out",
                 str(tmp_path / "g.csv"), "--no-progress", *argv]) in (0, None)
    [(given, limits)] = _Recorder.seen
    assert given == profile and limits.threads == 6 // jobs


PROFILE_OF = '''
from coursekit.checks import Check
from coursekit import profiles

class Seen{n}(Check):
    id = "{nb}.hidden_profile"
    notebook = "{stem}"
    target = "x"

    def judge(self, evidence):
        return self.ok("judged in " + profiles.current().name)
'''


def test_each_notebook_is_judged_in_the_profile_its_kernel_ran_in(tmp_path):
    """Asked for grade, the grader runs a notebook calibrated for it in grade and the others
    in quick (profiles.for_notebook), and its judging process holds each check to the
    profile its own notebook ran in."""
    from coursekit.instructor.grading import load_hidden_checks
    from coursekit.instructor.grading.judging import JudgeProcess
    from coursekit.profiles import for_notebook

    hidden = tmp_path / "hidden"
    hidden.mkdir()
    for n, (nb, stem) in enumerate([("01", "01_mlp"), ("05", "05_regularization")]):
        (hidden / f"h{n}.py").write_text(PROFILE_OF.format(n=n, nb=nb, stem=stem))
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "evidence", "tree": 1}))
    checks = load_hidden_checks(hidden)
    judge = JudgeProcess(hidden, timeout=30, profile="grade")
    try:
        seen = [judge.judge(checks[f"{nb}.hidden_profile"].check, folder, 2**20, 10).message
                for nb in ("01", "05")]
    finally:
        judge.close()
    assert seen == ["judged in grade", "judged in quick"]
    assert [for_notebook(stem, "grade") for stem in ("01_mlp", "05_regularization")] == [
        "grade", "quick"]


def test_asked_for_grade_the_grader_runs_uncalibrated_notebooks_in_quick(tmp_path, monkeypatch):
    from test_grading import save, solution

    from coursekit.instructor.grading import Grader, find_submissions
    from coursekit.instructor.grading import grader as grader_module
    from coursekit.instructor.grading.execute import Execution
    from coursekit.instructor.grading.submissions import snapshot

    ran = {}

    def fake_execute(nb, name, checks, sources, wanted, limits, profile, sandboxed=True):
        ran[name] = profile
        return Execution(status="kernel did not start")

    monkeypatch.setattr(grader_module, "execute", fake_execute)
    for stem in ("01_mlp", "05_regularization"):
        save(solution(stem), tmp_path / f"alice_{stem}.ipynb")
    grader = Grader(profile="grade", sandbox=False)
    try:
        for sub in find_submissions([tmp_path]):
            grader.grade(snapshot(sub))
    finally:
        grader.close()
    assert ran == {"alice_01_mlp.ipynb": "grade", "alice_05_regularization.ipynb": "quick"}
