"""Grading on a Dask cluster: submissions go to workers, results come back to the coordinator.

``coursekit grade SUBMISSIONS --cluster tcp://scheduler:8786`` (or ``--cluster
local:N``, a :class:`distributed.LocalCluster` of N single-threaded worker
processes on loopback) grades with `Dask <https://distributed.dask.org>`_
instead of the local thread pool. Dask already does what a grading farm
needs (scheduling, a worker that dies having its task run elsewhere, workers
that join late, Slurm and Kubernetes launchers), so this module only says what
travels and who writes what:

- The **coordinator** (the process that runs ``coursekit grade``) takes the
  gradebook's lock and snapshots every submission as a local run does. It
  checks every worker first (:func:`worker_identity`: the same coursekit, the
  same check and grading sources, the same Keras, TensorFlow and NumPy, a
  working bubblewrap) and refuses, naming the worker, on any difference.
- The **course** (:class:`Course`: the reference notebooks, the hidden checks,
  the limits and the profile, as bytes) goes to each worker process once, in a
  worker plugin (:class:`CoursePlugin`, also given to workers that join
  later). The worker writes it into a private folder (``0700``) in its own
  scratch folder, which no sandbox mounts, and builds one
  :class:`~coursekit.instructor.grading.grader.Grader` from it: the solutions and hidden
  checks reach the worker process, never a kernel.
- Each **submission** (its snapshot: hash and cells) is one task,
  ``client.submit(grade_submission, ..., key=<sha256-based>, retries=2,
  pure=False)``, graded by the worker's Grader in the worker's own sandbox;
  the :class:`~coursekit.instructor.grading.results.Result` comes back. A task whose
  worker dies is run again elsewhere by the scheduler (up to its
  ``distributed.scheduler.allowed-failures``, 3 by default); one that still
  fails becomes a row ``grader error: worker lost``, which a rerun grades again.
- **Only the coordinator writes** the gradebook and the feedback, as each
  result arrives, once per task key (a result for a key already written is
  dropped): an interrupted run resumes where it stopped, as a local one does.
  The signing key never leaves it.

Trust: Dask's workers run whatever the scheduler sends them and send back
pickles; the scheduler's port must be reachable only by the instructor's
machines (a private network, TLS with ``tls://``, or an SSH tunnel). The
students' code stays in the sandbox, which has no network at all.

Example
-------
>>> parse_cluster("local:2"), parse_cluster("tcp://10.0.0.5:8786")
(('local', 2), ('address', 'tcp://10.0.0.5:8786'))
>>> from coursekit.errors import CourseKitError
>>> try:
...     parse_cluster("10.0.0.5")
... except CourseKitError as exc:
...     print(str(exc)[:46])
--cluster 10.0.0.5: expected local:N (N worker
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ...errors import CourseKitError
from .grader import Grader
from .redact import clean, exception_name
from .reference import default_reference_dir
from .results import Result
from .sandbox import Limits, threads_per_kernel
from .submissions import Submission

try:  # the instructor's extra; only a cluster run needs it
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - without Dask, --cluster says what to install
    _PluginBase = object

__all__ = ["ClusterGrader", "Course", "CoursePlugin", "Fingerprint", "WorkerNotReady",
           "course_plan", "fingerprint", "grade_submission", "local_cluster", "parse_cluster",
           "slots_on_host", "task_key", "worker_identity"]

#: Times a task that raised is run again (a worker that dies is the scheduler's business).
RETRIES = 2
#: The most bytes of hidden checks a run sends to each worker.
MAX_HIDDEN_BYTES = 64 * 2**20
#: Libraries whose versions must match between the coordinator and every worker.
LIBRARIES = ("keras", "tensorflow", "numpy")

_LOCAL = re.compile(r"^local:(\d+)$")
_ADDRESS = re.compile(r"^(tcp|tls|ucx)://[^\s/]+:\d+$")
_LOG = logging.getLogger("coursekit.instructor.grading")
_INSTALL_DASK = ("--cluster needs Dask's distributed on this machine and on the workers: "
                 "pip install 'distributed>=2024.1' (or coursekit's 'instructor' extra)")


def parse_cluster(spec: str) -> tuple[str, Any]:
    """``("local", N)`` for ``local:N``, ``("address", spec)`` for a scheduler's address."""
    local = _LOCAL.match(spec)
    if local and int(local.group(1)) >= 1:
        return "local", int(local.group(1))
    if _ADDRESS.match(spec):
        return "address", spec
    raise CourseKitError(f"--cluster {spec}: expected local:N (N worker processes on this "
                         "machine) or a Dask scheduler's address such as tcp://HOST:8786")


# -- what must be the same on every worker --------------------------------------------------
def _tree_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What makes two machines grade alike: coursekit's version, the sources of its checks
    and of its grader, and the versions of the libraries the checks run on."""

    version: str
    checks: str
    grading: str
    libraries: tuple[tuple[str, str], ...] = ()

    def mismatch(self, other: Fingerprint) -> str | None:
        """What differs in ``other`` (a worker's), in words; None when nothing does.

        >>> here = Fingerprint("0.1.0", "a" * 64, "b" * 64, (("numpy", "2.1"),))
        >>> here.mismatch(here) is None
        True
        >>> Fingerprint("0.2.0", "a" * 64, "b" * 64, (("numpy", "2.2"),)).mismatch(here)
        'coursekit 0.1.0 (here 0.2.0); numpy 2.1 (here 2.2)'
        """
        parts = []
        if other.version != self.version:
            parts.append(f"coursekit {other.version} (here {self.version})")
        for name, mine, theirs in (("check", self.checks, other.checks),
                                   ("grader", self.grading, other.grading)):
            if mine != theirs:
                parts.append(f"other {name} sources (sha256 {theirs[:12]}, here {mine[:12]})")
        ours, their = dict(self.libraries), dict(other.libraries)
        for name in sorted(set(ours) | set(their)):
            if ours.get(name) != their.get(name):
                parts.append(f"{name} {their.get(name, 'missing')} (here "
                             f"{ours.get(name, 'missing')})")
        return "; ".join(parts) or None


@functools.cache
def fingerprint() -> Fingerprint:
    """This process's :class:`Fingerprint` (the sources as they were at its first call,
    close to what the process has loaded)."""
    import coursekit
    import coursekit.checks

    libraries = []
    for name in LIBRARIES:
        try:
            libraries.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            libraries.append((name, "missing"))
    return Fingerprint(coursekit.__version__, _tree_sha256(Path(coursekit.checks.__file__).parent),
                       _tree_sha256(Path(__file__).parent), tuple(libraries))


def worker_identity() -> dict[str, Any]:
    """Run on each worker at the start (``client.run``): its fingerprint and whether
    bubblewrap works there (``sandbox``: None, or why not)."""
    from .bwrap import probe

    return {"fingerprint": fingerprint(), "sandbox": probe(), "host": os.uname().nodename}


# -- what travels to the workers ------------------------------------------------------------
def _files(folder: Path, pattern: str, limit: int | None) -> tuple[tuple[str, bytes], ...]:
    out, total = [], 0
    for path in sorted(folder.glob(pattern)):
        if not path.is_file() or path.is_symlink() or "__pycache__" in path.parts:
            continue
        data = path.read_bytes()
        total += len(data)
        if limit is not None and total > limit:
            raise CourseKitError(f"--hidden {folder}: over {limit // 2**20} MB of files; a "
                                 "cluster run sends them to every worker (move data the "
                                 "hidden checks do not need elsewhere)")
        out.append((path.relative_to(folder).as_posix(), data))
    return tuple(out)


@dataclass(frozen=True)
class Course:
    """Everything a worker needs to grade as the coordinator would, as bytes.

    ``references``: the reference notebooks (name, bytes); ``hidden``: the
    hidden-checks folder's files (relative path, bytes), or None.
    """

    references: tuple[tuple[str, bytes], ...]
    hidden: tuple[tuple[str, bytes], ...] | None
    limits: Limits
    profile: str
    expected: Fingerprint
    digest: str = field(default="", compare=False)

    @classmethod
    def from_folders(cls, reference: str | Path | None, hidden: str | Path | None,
                     limits: Limits, profile: str) -> Course:
        """Read the course from the coordinator's folders (the same defaults as
        :class:`~coursekit.instructor.grading.grader.Grader`'s)."""
        folder = Path(reference) if reference else default_reference_dir()
        if folder is None or not folder.is_dir() or not any(folder.glob("*.ipynb")):
            raise CourseKitError("no reference notebooks found: pass the course's solutions "
                                 "folder with --reference")
        if hidden is not None and not Path(hidden).is_dir():
            raise CourseKitError(f"--hidden {hidden}: not a folder")
        references = _files(folder, "*.ipynb", None)
        files = _files(Path(hidden), "**/*", MAX_HIDDEN_BYTES) if hidden else None
        digest = hashlib.sha256()
        for name, data in references + (files or ()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        here = fingerprint()
        digest.update(repr((hidden is not None, limits, profile, here)).encode())
        return cls(references, files, limits, profile, here, digest.hexdigest())

    def write(self, parent: str | Path | None = None) -> Path:
        """The course in a new private folder (``reference/``, ``hidden/``) under
        ``parent`` (default: the temporary folder), which no sandbox may mount."""
        parent = Path(parent or tempfile.gettempdir()).resolve()
        shown = _mounted_in_sandbox(parent)
        if shown:
            raise CourseKitError(f"{parent} is inside {shown}, which every sandbox mounts: "
                                 "give the worker another --local-directory")
        root = Path(tempfile.mkdtemp(prefix="coursekit-course-", dir=parent))
        for sub, files in (("reference", self.references), ("hidden", self.hidden or ())):
            for name, data in files:
                rel = PurePosixPath(name)
                if rel.is_absolute() or ".." in rel.parts:
                    raise CourseKitError(f"a course file named {name!r} is refused")
                path = root / sub / rel
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                path.write_bytes(data)
        (root / "reference").mkdir(exist_ok=True)
        if self.hidden is not None:
            (root / "hidden").mkdir(exist_ok=True)
        return root


def _mounted_in_sandbox(path: Path) -> Path | None:
    """The folder bound into every sandbox that holds ``path``, if any
    (see :mod:`~coursekit.instructor.grading.bwrap`)."""
    import coursekit

    bound = [sys.prefix, sys.base_prefix, Path(coursekit.__file__).parent,
             os.environ.get("COURSEKIT_DATA_DIR", "")]
    for folder in (Path(b).resolve() for b in bound if b):
        if path == folder or folder in path.parents:
            return folder
    return None


class WorkerNotReady(CourseKitError):
    """A worker asked to grade before (or without) receiving the course."""


#: On each worker process, by run: the course it holds (and its folder), its grader.
_FOLDERS: dict[str, tuple[Course, Path]] = {}
_GRADERS: dict[str, Grader] = {}
_PROBLEMS: dict[str, str] = {}
_LOCK = threading.Lock()


def _install(run: str, course: Course, parent: str | Path | None = None) -> None:
    problem = course.expected.mismatch(fingerprint())
    if problem:
        _PROBLEMS[run] = problem
        raise WorkerNotReady(f"this worker has {problem}: install the coordinator's coursekit "
                             "and libraries on it")
    with _LOCK:
        if run not in _FOLDERS:
            _FOLDERS[run] = (course, course.write(parent))


def _uninstall(run: str) -> None:
    with _LOCK:
        grader = _GRADERS.pop(run, None)
        _, folder = _FOLDERS.pop(run, (None, None))
    if grader is not None:
        grader.close()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _grader(run: str) -> Grader:
    """The worker's Grader for this run, built on first use (in the task's thread)."""
    with _LOCK:
        if run in _GRADERS:
            return _GRADERS[run]
        if run not in _FOLDERS:
            raise WorkerNotReady(_PROBLEMS.get(run) or "this worker has not received the "
                                 "course (its coursekit plugin did not run)")
        course, folder = _FOLDERS[run]
        limits = dataclasses.replace(course.limits, threads=_kernel_threads())
        grader = Grader(folder / "reference",
                        folder / "hidden" if course.hidden is not None else None,
                        limits, course.profile, sandbox=True)
        _GRADERS[run] = grader
        return grader


def slots_on_host(workers: dict[str, dict[str, Any]], host: str) -> int:
    """The worker threads on ``host``: the sum of ``nthreads`` over the scheduler's
    workers there (``Client.scheduler_info()["workers"]``), at least 1.

    >>> workers = {"tcp://10.0.0.5:4001": {"host": "10.0.0.5", "nthreads": 1},
    ...            "tcp://10.0.0.5:4002": {"host": "10.0.0.5", "nthreads": 1},
    ...            "tcp://10.0.0.6:4001": {"host": "10.0.0.6", "nthreads": 4}}
    >>> slots_on_host(workers, "10.0.0.5"), slots_on_host(workers, "10.0.0.7")
    (2, 1)
    """
    return max(1, sum(int(info.get("nthreads", 1)) for info in workers.values()
                      if info.get("host") == host))


def _kernel_threads() -> int:
    """The CPU threads each kernel of this worker gets: this machine's cores shared by the
    worker threads the scheduler knows on this host, this worker's included (two
    single-threaded workers on 2 cores: 1 each, as ``--jobs 2`` gives; a worker that
    joins the host later is not counted by those already grading)."""
    from distributed import get_client, get_worker
    from distributed.comm import get_address_host

    worker = get_worker()
    try:
        client = get_client()
        try:
            info = client.scheduler_info(n_workers=-1)  # all of them (newer Dask: 5 by default)
        except TypeError:  # older Dask: always all of them
            info = client.scheduler_info()
        workers = info["workers"]
        slots = max(slots_on_host(workers, get_address_host(worker.address)),
                    worker.state.nthreads)
    except Exception:  # the scheduler unreachable: this worker's own threads
        slots = worker.state.nthreads
    return threads_per_kernel(slots)


class CoursePlugin(_PluginBase):  # type: ignore[misc, valid-type]
    """A Dask worker plugin: the course written on each worker, its Grader closed at the end.

    Registered by the coordinator (``client.register_plugin``) under :attr:`name`
    (from its ``run``: the course's digest and a random part, so that two runs sharing
    a scheduler never take each other's course away); the scheduler gives it to every
    worker, including those that join later.
    """

    def __init__(self, course: Course, run: str) -> None:
        self.course = course
        self.run = run
        self.name = f"coursekit-course-{run}"

    def setup(self, worker: Any) -> None:
        """Write the course in the worker's own folder (Dask removes it when the worker
        dies, even killed) and check that this worker grades as the coordinator does.

        It also pauses the worker's statistical profiler for the run (Dask samples every
        thread's stack every 10 ms for its dashboard; a grading task's thread spends its
        half minute waiting on a kernel, and the sampling cost about 1 CPU second a
        submission, measured on ``local:2``)."""
        _install(self.run, self.course, getattr(worker, "local_directory", None))
        callbacks = getattr(worker, "periodic_callbacks", {})
        self._paused = [callbacks[name] for name in ("profile", "profile-cycle")
                        if name in callbacks and callbacks[name].is_running()]
        for callback in self._paused:
            callback.stop()

    def teardown(self, worker: Any) -> None:
        _uninstall(self.run)
        for callback in getattr(self, "_paused", []):
            callback.start()


def grade_submission(run: str, submission: Submission) -> Result:
    """The task: grade one snapshotted submission with this worker's Grader."""
    return _grader(run).grade(submission)


def course_plan(run: str) -> dict[str, tuple[list[str], str]]:
    """Per notebook, its gradebook columns and title (the coordinator needs them to
    resume and to write feedback); building the worker's Grader on the way."""
    grader = _grader(run)
    return {stem: (grader.check_ids(stem), grader.title(stem)) for stem in grader.references}


def task_key(run: str, submission: Submission) -> str:
    """The task's Dask key: from the run, the submission's label and its sha256 (two
    students handing in the same file are two tasks, one student's file is one)."""
    text = f"{run}\0{submission.label}\0{submission.sha256}"
    return "coursekit-grade-" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:40]


def local_cluster(workers: int) -> Any:
    """A :class:`distributed.LocalCluster` of ``workers`` single-threaded worker processes
    on loopback, without a dashboard (its health page on a free loopback port). Each
    kernel has its own memory limit, so the workers have none.
    """
    try:
        from distributed import LocalCluster
    except ImportError:
        raise CourseKitError(_INSTALL_DASK) from None
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        memory_limit=0, silence_logs=logging.ERROR)


# -- the coordinator ------------------------------------------------------------------------
class ClusterGrader:
    """The coordinator's side of a cluster run: connect, check the workers, send the
    course, then grade submissions there (:meth:`grade_all`).

    It answers :meth:`check_ids` and :meth:`title` as a local
    :class:`~coursekit.instructor.grading.grader.Grader` does, from a worker's Grader, so the
    coordinator needs neither bubblewrap nor TensorFlow.

    Parameters
    ----------
    spec : str
        ``local:N`` or a scheduler's address (:func:`parse_cluster`).
    reference, hidden, limits, profile
        As for :class:`~coursekit.instructor.grading.grader.Grader`.
    connect_timeout : float
        Seconds to reach the scheduler, and then to wait for a first worker.
    """

    def __init__(self, spec: str, reference: str | Path | None, hidden: str | Path | None,
                 limits: Limits, profile: str, *, connect_timeout: float = 60.0) -> None:
        kind, value = parse_cluster(spec)
        try:
            from distributed import Client
        except ImportError:
            raise CourseKitError(_INSTALL_DASK) from None
        self.course = Course.from_folders(reference, hidden, limits, profile)
        self.run = f"{self.course.digest[:16]}-{secrets.token_hex(4)}"
        self.spec = spec
        self.cluster = local_cluster(value) if kind == "local" else None
        address = self.cluster.scheduler_address if self.cluster is not None else value
        self.client: Any = None
        self.plugin: str | None = None
        self._warned: set[str] = set()
        try:
            try:
                self.client = Client(address, timeout=connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise CourseKitError(f"--cluster {spec}: no Dask scheduler answers there "
                                     f"({clean(str(exc), 200) or type(exc).__name__}); start "
                                     "one with `dask scheduler` (see the README)") from None
            try:
                self.client.wait_for_workers(value if kind == "local" else 1,
                                             timeout=connect_timeout)
            except TimeoutError:
                raise CourseKitError(f"--cluster {spec}: no worker joined the scheduler within "
                                     f"{connect_timeout:g} s; start workers with `dask worker "
                                     f"{address} --nthreads 1`") from None
            self._check_workers()
            plugin = CoursePlugin(self.course, self.run)
            try:
                self.client.register_plugin(plugin, name=plugin.name)
            except CourseKitError as exc:
                raise CourseKitError(f"--cluster {spec}: a worker refused the course: "
                                     f"{exc}") from None
            self.plugin = plugin.name
            self.plans = self._plans()
        except BaseException:
            self.close()
            raise

    def _check_workers(self) -> None:
        expected = self.course.expected
        answers = self.client.run(worker_identity, on_error="return")
        problems = []
        for address, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                problems.append(f"{address} cannot run coursekit's worker code "
                                f"({type(answer).__name__}: {clean(str(answer), 120)}): "
                                "install the same coursekit there")
                continue
            mismatch = expected.mismatch(answer["fingerprint"])
            if mismatch:
                problems.append(f"{address} ({answer['host']}) has {mismatch}")
            if answer["sandbox"]:
                problems.append(f"{address} ({answer['host']}) cannot sandbox: "
                                f"{answer['sandbox']}")
        if problems:
            shown = "; ".join(problems[:5])
            more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
            raise CourseKitError(f"--cluster {self.spec}: workers that would not grade as this "
                                 f"machine does: {shown}{more}. Every worker needs bubblewrap "
                                 "and the coordinator's coursekit, Keras, TensorFlow and NumPy")

    def _plans(self) -> dict[str, tuple[list[str], str]]:
        """Each worker builds its Grader now (a broken course fails here, once, with the
        worker's own message); one answers the plan."""
        futures = [self.client.submit(course_plan, self.run, workers=[address],
                                      allow_other_workers=False, pure=False)
                   for address in self.client.nthreads()]
        try:
            answers = self.client.gather(futures)
        except CourseKitError as exc:
            raise CourseKitError(f"--cluster {self.spec}: a worker could not load the course: "
                                 f"{exc}") from None
        return answers[0]

    def check_ids(self, stem: str) -> list[str]:
        """The CSV columns of a notebook (as :meth:`Grader.check_ids`)."""
        return list(self.plans.get(stem, ([], stem))[0])

    def title(self, stem: str) -> str:
        return self.plans.get(stem, ([], stem))[1]

    def _window(self) -> int:
        """Tasks given to the scheduler at once: one per worker thread. A worker that
        finishes gets the next submission as its result comes back; none waits in the queue
        of a busy worker while another is idle (with two per thread, the scheduler could
        leave one worker of ``local:2`` two submissions to grade at the end of a batch and
        the other none), and 2,100 submissions' cells never all sit in the scheduler's
        memory. A worker that joins gets work with the next result."""
        return max(1, sum(self.client.nthreads().values()))

    def grade_all(self, submissions: list[Submission],
                  record: Callable[[Submission, Result], None]) -> None:
        """Grade ``submissions`` on the workers; call ``record`` once per submission, in
        the coordinator's thread, as each result arrives."""
        from distributed import as_completed

        queue = list(submissions)
        pending: dict[str, tuple[Any, Submission]] = {}
        written: set[str] = set()
        flow = as_completed(loop=self.client.loop)

        def fill() -> None:
            window = self._window()
            while queue and len(pending) < window:
                sub = queue.pop(0)
                key = task_key(self.run, sub)
                if key in pending or key in written:  # pragma: no cover - labels are unique
                    continue
                future = self.client.submit(grade_submission, self.run, sub, key=key,
                                            retries=RETRIES, pure=False)
                pending[key] = (future, sub)
                flow.add(future)

        try:
            fill()
            for future in flow:
                entry = pending.pop(future.key, None)
                if entry is None or future.key in written:
                    continue  # a result already written: never a second row
                result = self._result(future, entry[1])
                written.add(future.key)
                record(entry[1], result)
                future.release()
                fill()
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.cancel([f for f, _ in pending.values()])
            raise

    def _result(self, future: Any, sub: Submission) -> Result:
        from distributed import KilledWorker

        if future.status == "finished":
            result = future.result()
            if isinstance(result, Result) and result.submission == sub.label and \
                    result.sha256 == sub.sha256:
                return result
            return Result(sub.label, sub.student, "", "grader error: another result came back",
                          sha256=sub.sha256)
        if future.status == "cancelled":
            raise CourseKitError(f"--cluster {self.spec}: the scheduler dropped the work (was "
                                 "it restarted?); the rows graded so far are in the "
                                 "gradebook: run the same command again to resume")
        exc = future.exception()
        if isinstance(exc, KilledWorker):
            status = "grader error: worker lost"
        else:
            status = f"grader error: {exception_name(type(exc).__name__) or 'an exception'}"
        message = clean(f"{type(exc).__name__}: {exc}", 300)
        if message not in self._warned:
            self._warned.add(message)
            print(f"warning: {clean(sub.label, 80)}: {message}", file=sys.stderr)
        return Result(sub.label, sub.student, "", status, sha256=sub.sha256)

    def close(self) -> None:
        """Take the course off the workers; close the client (and a local cluster)."""
        if self.client is not None:
            if self.plugin is not None:
                with contextlib.suppress(Exception):
                    self.client.unregister_worker_plugin(self.plugin)
                self.plugin = None
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
            self.cluster = None
