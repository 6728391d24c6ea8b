"""Grading on Dask workers (``coursekit grade --cluster``), on LocalClusters on loopback.

A class of three notebook-01 submissions cut down to their build exercises (the
``tiny`` notebook of test_grading.py: solution, blank, a typical wrong answer) is
graded once locally with ``--jobs 1``; the cluster runs must leave the same
gradebook (timing and signatures aside): on ``local:2``, and on a cluster
one of whose workers is killed while it grades. The cheaper checks (what a
cluster run refuses, resuming after an interrupted coordinator) grade files
that need no kernel.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from test_grading import exercise, header, read_csv, save, solution, tiny, with_cell
from test_grading_gradebook import essentials

from coursekit.errors import CourseKitError
from coursekit.instructor.cli import main
from coursekit.instructor.grading import grade

dask = pytest.importorskip("dask", reason="pip install -e '.[test]' (Dask)")
distributed = pytest.importorskip("distributed", reason="pip install -e '.[test]' (Dask)")

from coursekit.instructor.grading import batch  # noqa: E402
from coursekit.instructor.grading.cluster import (  # noqa: E402
    ClusterGrader,
    _kernel_threads,
    local_cluster,
)
from coursekit.instructor.grading.sandbox import Limits, threads_per_kernel  # noqa: E402

#: Typical wrong answers to notebook 01's build exercises: (the solution's text, the answer).
WRONG = {
    "no_biases": ("n_first = 784 * hidden_size + hidden_size",
                  "n_first = 784 * hidden_size"),
    "extra_layer": ("for _ in range(num_layers):", "for _ in range(num_layers + 1):"),
}
KINDS = ("solution", "blank", *WRONG)


def answer(kind: str, full: bool = False) -> nbformat.NotebookNode:
    """A notebook-01 submission: the solution, the blank exercise or a wrong answer; cut
    down to its build exercises (``tiny``) unless ``full``."""
    nb = exercise("01_mlp") if kind == "blank" else solution("01_mlp")
    nb = copy.deepcopy(nb) if full else tiny(nb, "01_mlp")
    if kind in WRONG:
        old, new = WRONG[kind]
        cell = next(c for c in nb.cells if old in c.source)
        cell.source = cell.source.replace(old, new)
    return nb


def write_class(folder: Path, count: int, kinds: tuple[str, ...] = KINDS,
                full: bool = False) -> list[Path]:
    """``count`` submissions in ``folder``, their kinds in turn."""
    return [save(answer(kind, full), folder / f"s{i:02d}_{kind}_01_mlp.ipynb")
            for i, kind in ((i, kinds[i % len(kinds)]) for i in range(count))]


def quiet(paths, out, **kwargs):
    return grade(paths, out, progress=False, summary=False, timeout=120, **kwargs)


def broken(folder: Path, count: int) -> list[Path]:
    """Files graded without a kernel (invalid JSON)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"s{i}_01_mlp.ipynb" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(f'{{"broken {i}"')
    return paths


# -- what a cluster run refuses, before any worker starts -----------------------------------
def test_a_bad_cluster_or_a_clash_of_options_is_refused_clearly(tmp_path, capsys):
    paths = broken(tmp_path / "subs", 1)
    out = tmp_path / "grades.csv"
    for kwargs, said in (({"cluster": "8786"}, "expected local:N"),
                         ({"cluster": "local:0"}, "expected local:N"),
                         ({"cluster": "local:2", "jobs": 2}, "give one"),
                         ({"cluster": "local:2", "sandbox": False}, "bubblewrap only")):
        with pytest.raises(CourseKitError, match=said):
            quiet(paths, out, **kwargs)
    assert main(["grade", str(paths[0]), "--out", str(out), "--cluster", "host"]) == 2
    assert "error: --cluster host: expected local:N" in capsys.readouterr().err
    assert not out.exists()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CourseKitError, match="no Dask scheduler answers there"):
        ClusterGrader(f"tcp://127.0.0.1:{port}", None, None, Limits(), "quick",
                      connect_timeout=2)


def kill_a_busy_worker(client, thread: threading.Thread, wait: float = 3) -> int:
    """SIGKILL the process of a worker that has been grading for ``wait`` seconds (its
    kernel starting or running the student's cells); return its pid."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and thread.is_alive():
        busy = [worker for worker, keys in client.processing().items()
                if any(str(k).startswith("coursekit-grade-") for k in keys)]
        if not busy:
            time.sleep(0.2)
            continue
        time.sleep(wait)
        if client.processing().get(busy[0]):
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            return pid
    raise AssertionError("no worker was ever seen grading")


def test_a_grading_worker_pauses_dasks_profiler_for_the_run_only(monkeypatch):
    """Dask's sampling profiler (its dashboard's) stops while the worker holds a course and
    starts again when the run takes the course away; the worker's other periodic work
    (heartbeats) is left alone."""
    from coursekit.instructor.grading import cluster as module

    monkeypatch.setattr(module, "_install", lambda *args: None)
    monkeypatch.setattr(module, "_uninstall", lambda *args: None)

    class Callback:
        def __init__(self):
            self.running = True

        def is_running(self):
            return self.running

        def stop(self):
            self.running = False

        def start(self):
            self.running = True

    class Worker:
        def __init__(self):
            self.local_directory = None
            self.periodic_callbacks = {name: Callback()
                                       for name in ("profile", "profile-cycle", "heartbeat")}

    worker = Worker()
    plugin = module.CoursePlugin(None, "run")
    plugin.setup(worker)
    assert {n: c.running for n, c in worker.periodic_callbacks.items()} == {
        "profile": False, "profile-cycle": False, "heartbeat": True}
    plugin.teardown(worker)
    assert all(c.running for c in worker.periodic_callbacks.values())


# -- with workers ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    """Two worker processes on loopback, and a client of the test's own to watch them."""
    with local_cluster(2) as running, distributed.Client(running, set_as_default=False) as client:
        yield running, client


@pytest.fixture(scope="module")
def klass(tmp_path_factory, shared_mirror):
    """Three submissions and the gradebook (and feedback) a local ``--jobs 1`` run leaves."""
    root = tmp_path_factory.mktemp("klass")
    paths = write_class(root / "subs", 3, ("solution", "blank", "no_biases"))
    quiet([root / "subs"], root / "local.csv", jobs=1, feedback=root / "local-feedback")
    return {"root": root, "paths": paths, "local": essentials(read_csv(root / "local.csv"))}


@pytest.mark.slow
def test_workers_on_one_machine_share_its_cores_among_their_kernels(cluster):
    """Two single-threaded workers on this machine: each kernel's TensorFlow gets half the
    cores, as with ``--jobs 2`` (two kernels of all the cores each would fight over them)."""
    _, client = cluster
    futures = [client.submit(_kernel_threads, workers=[address], pure=False)
               for address in client.nthreads()]
    assert client.gather(futures) == [threads_per_kernel(2)] * 2


@pytest.mark.slow
def test_an_interrupted_coordinator_resumes_with_what_is_missing(tmp_path, cluster,
                                                                 monkeypatch):
    paths = broken(tmp_path / "subs", 3)
    out = tmp_path / "grades.csv"
    real, calls = batch.Gradebook.add, []

    def interrupted(self, result):
        calls.append(result.submission)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(self, result)

    monkeypatch.setattr(batch.Gradebook, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        quiet(paths, out, cluster=cluster[0].scheduler_address)
    first = [r["submission"] for r in read_csv(out)]
    assert first == calls[:1]
    monkeypatch.setattr(batch.Gradebook, "add", real)
    again = quiet(paths, out, cluster=cluster[0].scheduler_address)
    assert sorted(r.submission for r in again) == sorted(set(map(str, paths)) - set(first))
    assert sorted(r["submission"] for r in read_csv(out)) == sorted(map(str, paths))


@pytest.mark.slow
def test_a_worker_with_another_coursekit_is_refused_by_name(tmp_path, cluster, monkeypatch):
    import coursekit
    from coursekit.instructor.grading import cluster as module

    here = dataclasses.replace(module.fingerprint(), version="9.9.9")
    monkeypatch.setattr(module, "fingerprint", lambda: here)  # the coordinator's, not theirs
    said = (rf"workers that would not grade as this machine does: tcp://127\.0\.0\.1:\d+ "
            rf"\(.+\) has coursekit {re.escape(coursekit.__version__)} \(here 9\.9\.9\)")
    with pytest.raises(CourseKitError, match=said):
        quiet(broken(tmp_path / "subs", 1), tmp_path / "grades.csv",
              cluster=cluster[0].scheduler_address)
    assert not (tmp_path / "grades.csv").exists()


@pytest.mark.slow
def test_a_local_cluster_grades_as_a_local_run_does(klass):
    root = klass["root"]
    results = quiet([root / "subs"], root / "cluster.csv", cluster="local:2",
                    feedback=root / "cluster-feedback")
    assert sorted(r.score for r in results) == [0, 2, 3]  # blank, no biases, solution
    assert essentials(read_csv(root / "cluster.csv")) == klass["local"]
    feedback = {name: {p.name: p.read_text() for p in (root / name).iterdir()}
                for name in ("local-feedback", "cluster-feedback")}
    assert len(feedback["cluster-feedback"]) == 3
    assert feedback["cluster-feedback"] == feedback["local-feedback"]


@pytest.mark.slow
def test_killing_a_worker_mid_batch_loses_and_duplicates_nothing(klass, cluster):
    running, client = cluster
    out = klass["root"] / "killed.csv"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            quiet([klass["root"] / "subs"], out, cluster=running.scheduler_address)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    pid = kill_a_busy_worker(client, thread)
    thread.join(600)
    assert not thread.is_alive() and not errors, errors
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    rows = read_csv(out)
    assert Counter(r["submission"] for r in rows) == Counter(map(str, klass["paths"]))
    assert essentials(rows) == klass["local"]


@pytest.mark.slow
def test_a_submission_whose_workers_keep_dying_needs_a_human_and_is_regraded(tmp_path):
    """Past ``allowed-failures`` (0 here: the first death), the row says so, and a rerun
    grades it again."""
    nb = with_cell(header(solution("01_mlp")), "import time\ntime.sleep(20)")
    path = save(nb, tmp_path / "subs" / "slow_01_mlp.ipynb")
    out = tmp_path / "grades.csv"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        running = local_cluster(1)
    with running, distributed.Client(running, set_as_default=False) as client:
        thread = threading.Thread(target=quiet, args=([path], out),
                                  kwargs={"cluster": running.scheduler_address})
        thread.start()
        kill_a_busy_worker(client, thread, wait=6)
        thread.join(600)
        assert [(r["submission"], r["status"]) for r in read_csv(out)] == [
            (str(path), "grader error: worker lost")]
        again = quiet([path], out, cluster=running.scheduler_address)
    assert [r.status for r in again] == ["ok"]
    assert [r["status"] for r in read_csv(out)] == ["ok"]
