"""Judging in a separate, memory-limited process.

:class:`JudgeProcess` starts one worker process (a fresh interpreter in
isolated mode, ``python -I``, talking over a socket pair with
``multiprocessing.connection``: nothing inherited of the grader's threads,
and no ``__main__`` re-imported) before the first kernel starts. The worker
loads the course's checks (coursekit's own and the course folder's ``checks/``) and
the hidden checks once, then, for each
request, reads one check's evidence
(:func:`~coursekit.instructor.grading.evidence.read_outcome`, with its caps on size,
nesting, references and array headers) and runs ``judge``
(:func:`~coursekit.instructor.grading.grader.verdict_from`). It runs under
``RLIMIT_AS`` (:attr:`JudgeProcess.memory_bytes`) and each request under a
time limit: evidence that would make it run out of memory or time costs the
worker, never the grader. The worker is then killed and started again, and
that check fails with a message saying so (its submission's other checks,
and every other submission, are judged as usual).
"""

from __future__ import annotations

import contextlib
import multiprocessing.connection
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from ...checks import Check, Verdict

__all__ = ["JudgeProcess"]

_READY = "ready"
#: A worker that spends this many times its CPU budget in wall time without answering is
#: stuck (waiting, not computing), and is restarted.
WALL_FACTOR = 10


_WORKER = ("import sys; sys.path.insert(0, sys.argv[1]); "
           "from coursekit.instructor.grading.judging import main; main(sys.argv[2:])")


def main(argv: list[str]) -> None:  # pragma: no cover - runs in the worker process
    """The worker's entry point: ``FD MEMORY_BYTES HIDDEN_DIR COURSE_DIR`` ("" for none)."""
    fd, memory = int(argv[0]), int(argv[1])
    hidden, course = [*argv[2:4], "", ""][:2]
    _serve(multiprocessing.connection.Connection(fd), hidden or None, memory, course or None)


def _serve(conn: multiprocessing.connection.Connection, hidden_dir: str | None,
           memory_bytes: int, course: str | None = None
           ) -> None:  # pragma: no cover - runs in the worker process
    """The worker: load the checks, then answer ``(check_id, folder, limit, timeout)``."""
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from ...checks import REGISTRY, all_checks, load_course
    from ...profiles import for_notebook
    from .evidence import Outcome, read_outcome
    from .grader import verdict_from
    from .hidden import load_hidden_checks

    base_profile = os.environ.get("COURSEKIT_PROFILE", "").strip().lower()
    all_checks()
    if course:
        load_course(course)
    checks: dict[str, Check] = dict(REGISTRY)
    if hidden_dir:
        checks.update({cid: h.check for cid, h in load_hidden_checks(hidden_dir).items()})
    conn.send(_READY)
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        check_id, folder, limit, check_timeout, kind = request
        check = checks[check_id]
        if base_profile:  # the profile its notebook ran in (grade only where calibrated)
            os.environ["COURSEKIT_PROFILE"] = for_notebook(check.notebook, base_profile)
        try:
            outcome = read_outcome(Path(folder), limit) if folder else Outcome(kind)
            answer: Any = (verdict_from(check, outcome, check_timeout), outcome.kind)
        except MemoryError:
            answer = "memory"
        except RecursionError:
            answer = "nesting"
        conn.send(answer)


class JudgeProcess:
    """A worker process that judges evidence (thread-safe; restarted when it fails).

    Parameters
    ----------
    hidden_dir : path, optional
        The hidden checks' folder (loaded by the worker when it starts).
    memory_bytes : int
        ``RLIMIT_AS`` of the worker (address space: Keras reserves a few GB).
    timeout : float
        CPU seconds one check's judging may take (the wall clock only stops a worker
        that waits, at ``WALL_FACTOR`` times this).
    profile : {"quick", "full"} or None
        The course profile the notebooks ran in: checks that judge a trained model hold
        it to that profile's threshold (default: the grader's own ``COURSEKIT_PROFILE``).
    course : path, optional
        A course folder whose ``checks/*.py`` the worker loads too
        (:func:`coursekit.checks.load_course`).
    """

    def __init__(self, hidden_dir: str | Path | None = None, memory_bytes: int = 8 * 2**30,
                 timeout: float = 120.0, profile: str | None = None,
                 course: str | Path | None = None) -> None:
        self.profile = profile
        self.course = str(course) if course else None
        self.hidden_dir = str(hidden_dir) if hidden_dir else None
        self.memory_bytes = int(memory_bytes)
        self.timeout = float(timeout)
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._start()

    def _start(self) -> None:
        import coursekit

        ours, theirs = socket.socketpair()
        package_parent = str(Path(coursekit.__file__).resolve().parents[1])
        args = [sys.executable, "-I", "-c", _WORKER, package_parent, str(theirs.fileno()),
                str(self.memory_bytes), self.hidden_dir or "", self.course or ""]
        env = dict(os.environ)
        if self.profile:
            env["COURSEKIT_PROFILE"] = self.profile
        process = subprocess.Popen(args, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                   env=env)
        theirs.close()
        parent = multiprocessing.connection.Connection(ours.detach())
        try:
            ready = parent.poll(max(120.0, self.timeout)) and parent.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            raise RuntimeError("the judging process did not start")
        self._process, self._conn = process, parent

    def _restart(self) -> None:
        self.close()
        self._start()

    def _wait(self) -> str:
        """Wait for the worker's answer: ``""`` once it is there, else what was exceeded.

        The budget is the worker's CPU time, not the clock: on a loaded machine (a batch
        with ``--jobs``, other users) a fair judgement takes longer in wall time, and a
        student must not lose points for that. The clock only catches a worker that
        waits instead of computing, at :data:`WALL_FACTOR` times the budget.
        """
        assert self._conn is not None and self._process is not None
        try:
            worker = psutil.Process(self._process.pid)
            start = sum(worker.cpu_times()[:2])
        except psutil.Error:
            return ""  # it has just exited: recv() below tells what happened
        began = time.monotonic()
        while not self._conn.poll(0.25):
            try:
                used = sum(worker.cpu_times()[:2]) - start
            except psutil.Error:
                return ""
            if used > self.timeout:
                return f"{self.timeout:g} s of CPU time"
            if time.monotonic() - began > WALL_FACTOR * self.timeout:
                return f"{WALL_FACTOR * self.timeout:g} s"
        return ""

    def judge(self, check: Check, folder: Path | None, limit: int, check_timeout: float,
              kind: str = "absent") -> Verdict:
        """The verdict on ``folder``'s evidence (``kind`` when there is no folder)."""
        return self.judge_outcome(check, folder, limit, check_timeout, kind)[0]

    def judge_outcome(self, check: Check, folder: Path | None, limit: int,
                      check_timeout: float, kind: str = "absent") -> tuple[Verdict, str]:
        """The verdict and what the kernel reported (an :data:`evidence.KINDS` value, or
        ``"judging"`` when judging itself failed)."""
        request = (check.id, str(folder) if folder else None, limit, check_timeout, kind)
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            assert self._conn is not None
            answer: Any = None
            over = ""
            try:
                self._conn.send(request)
                over = self._wait()
                if not over:
                    answer = self._conn.recv()
            except (EOFError, OSError):
                answer = "memory"
            if answer is None:
                self._restart()
                return check.fail(f"your answer could not be judged: judging it took longer "
                                  f"than {over}.",
                                  hint="return smaller answers (standard Keras layers, "
                                       "NumPy arrays, numbers and lists)"), "judging"
            if isinstance(answer, tuple):
                return answer
            if answer != "nesting":
                self._restart()
            what = "is too deeply nested" if answer == "nesting" else \
                "needs more memory than the grader allows"
            return check.fail(f"your answer could not be graded: the evidence {what}.",
                              hint="use standard Keras layers, NumPy arrays, numbers and "
                                   "lists"), "judging"

    def close(self) -> None:
        """Stop the worker."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
        self._process, self._conn = None, None
