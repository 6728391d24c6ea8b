"""The kernel a submission runs in: its sandbox, environment, limits and watchdog.

- :class:`Limits`: the wall-clock timeout of the student's cells, the memory
  limit (resident memory of the kernel and everything it spawned), the time
  each check may take at extraction, caps on messages and evidence, and the
  sandbox's process, file and disk limits.
- :class:`KernelFolder`: the grader's temporary folder for one kernel: the
  *private* folder the kernel shares with the grader alone (connection file,
  Unix sockets, evidence; owned by the sandbox's uid) and the read-only files
  bound into the sandbox (the submission's copy, ``/etc/passwd``, the font
  cache).
- :class:`SandboxKernelManager`: starts ``ipykernel`` with the grader's own
  interpreter, inside bubblewrap (:mod:`~coursekit.instructor.grading.bwrap`) unless
  the run is ``--no-sandbox``, through ``_launcher.py`` (resource limits,
  the sandbox's uid). The kernel speaks ZeroMQ over Unix sockets in its
  private folder (``transport="ipc"``): it has no network, and no other
  kernel can reach those sockets. Interrupts go as messages on the control
  channel (a signal to bubblewrap would not reach the kernel).
- :func:`kernel_env`: the kernel's whole environment: allow-listed variables
  (no tokens or other secrets of the grader's), with ``HOME``, ``TMPDIR``
  and every cache in the sandbox's private tmpfs.
- :class:`Watchdog`: a thread of the grader that polls the kernel's process
  tree with psutil and kills it (bubblewrap first: its PID namespace then
  takes every process of the sandbox with it, double forks and ``setsid``
  included) when the tree's resident memory passes the limit or a deadline
  passes. Measured: a TensorFlow kernel reserves about 3 GB of address space
  for 0.7 GB resident, so ``RLIMIT_AS`` alone would either kill honest
  notebooks or allow far too much; it is only a backstop (memory limit + 8 GiB).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager

from .bwrap import HOME, Sandbox, bwrap_args, sandbox_uid
from .cgroup import KernelCgroup, orphans

__all__ = ["LAUNCHER", "KernelFolder", "Limits", "SandboxKernelManager", "Watchdog",
           "kernel_env", "kill_all_kernels", "threads_per_kernel"]

LAUNCHER = Path(__file__).with_name("_launcher.py")

#: Environment variables a kernel inherits from the grader (everything else is dropped).
_INHERITED = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "COURSEKIT_DATA_DIR",
              "CUDA_VISIBLE_DEVICES")
_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's kernel.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds for all of the student's cells together.
    memory_mb : int
        Resident memory of the kernel's process tree, in MiB.
    check_timeout : float
        Seconds each check's ``collect`` may take at extraction.
    startup_timeout : float
        Seconds for the kernel to start and answer.
    evidence_mb : int
        Largest evidence one check may write, in MiB.
    message_mb : int
        Largest single message the grader accepts from the kernel (output
        floods are discarded, and one giant message is dropped by ZeroMQ).
    processes : int
        ``RLIMIT_NPROC`` of the sandbox: processes and threads together.
    file_mb : int
        ``RLIMIT_FSIZE``: the largest file the kernel may write, in MiB.
    disk_mb : int
        Size of each of the sandbox's ``/tmp``, ``/dev/shm`` and ``HOME``.
    threads : int or None
        CPU threads each of TensorFlow's pools (intra-op, inter-op) and OpenMP
        may use in the kernel (:func:`threads_per_kernel`: the cores shared
        among the kernels running at once); None leaves TensorFlow's default,
        one thread per core of the machine in each pool.
    """

    timeout: float = 300.0
    memory_mb: int = 4096
    check_timeout: float = 60.0
    startup_timeout: float = 120.0
    evidence_mb: int = 256
    message_mb: int = 32
    processes: int = 1024
    file_mb: int = 512
    disk_mb: int = 256
    threads: int | None = None

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_mb) * 2**20

    def cpu_seconds(self, n_checks: int) -> int:
        """``RLIMIT_CPU``: a backstop far above what the wall-clock limits allow."""
        wall = self.timeout + self.startup_timeout + n_checks * self.check_timeout
        return int(wall * max(1, os.cpu_count() or 1) + 60)

    def address_space(self) -> int:
        """``RLIMIT_AS``: the memory limit plus 8 GiB of headroom for reserved space."""
        return self.memory_bytes + 8 * 2**30

    def cgroup_memory(self) -> int:
        """The cgroup's hard limit: memory, the three tmpfs and 512 MiB of margin."""
        return self.memory_bytes + (3 * self.disk_mb + 512) * 2**20

    def launcher_args(self, n_checks: int, uid: int) -> list[str]:
        """The arguments of ``_launcher.py`` before ``--``."""
        return [str(a) for a in (self.cpu_seconds(n_checks), self.address_space(),
                                 self.processes, self.file_mb * 2**20, uid)]


#: Kernel folders are ``ck-kernel-XXXX.PID`` (PID: the grader's), their cgroups alike.
_PREFIX = "ck-kernel"


def remove_orphan_folders(parent: Path) -> None:
    """Delete the kernel folders under ``parent`` whose grader is gone (a Dask worker
    killed mid-submission leaves its kernel's folder behind; the next kernel made on that
    machine removes it)."""
    for folder in orphans(parent, _PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


class KernelFolder:
    """The grader's temporary folder for one kernel (deleted by :meth:`remove`).

    ``private`` is the only folder the kernel can write that the grader reads;
    with a sandbox it is owned by the sandbox's uid (``uid``) and bound at the
    same path inside, where no other kernel's folder exists. ``cgroup`` is its
    :class:`~coursekit.instructor.grading.cgroup.KernelCgroup` (None where none can be made).
    """

    def __init__(self, sandboxed: bool, limits: Limits | None = None) -> None:
        parent = Path(tempfile.gettempdir())
        remove_orphan_folders(parent)
        self.root = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}-", suffix=f".{os.getpid()}",
                                          dir=parent))
        self.cgroup = KernelCgroup.create(self.root.name.rpartition(".")[0],
                                          limits.cgroup_memory(),
                                          limits.processes) if sandboxed and limits else None
        self.private = self.root / "private"
        self.files = self.root / "files"
        self.private.mkdir(mode=0o700)
        self.files.mkdir(mode=0o755)
        self.sandboxed = sandboxed
        self.uid = sandbox_uid() if sandboxed and os.getuid() == 0 else 0
        self.mounts: dict[str, Path] = {}
        if self.uid:
            os.chown(self.private, self.uid, self.uid)
        if sandboxed:
            inside = self.uid or 65534
            self._file("/etc/passwd", f"root:x:0:0::/root:/bin/false\n"
                       f"student:x:{inside}:{inside}:student:{HOME}:/bin/sh\n")
            self._file("/etc/group", f"root:x:0:\nstudent:x:{inside}:\n")
        self.home = Path(HOME) if sandboxed else self.root / "home"
        self.tmp = Path("/tmp") if sandboxed else self.root / "tmp"

    def _file(self, inside: str, text: str) -> Path:
        path = self.files / f"{len(self.mounts)}-{Path(inside).name}"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
        self.mounts[inside] = path
        return path

    def add_notebook(self, name: str, text: str) -> None:
        """The submission's copy (outputs removed) in the kernel's working folder."""
        if self.sandboxed:
            self._file(f"{HOME}/{name}", text)
        else:
            (self.home / name).parent.mkdir(parents=True, exist_ok=True)
            (self.home / name).write_text(text, encoding="utf-8")

    def evidence_folder(self, token: str) -> Path:
        """A new folder for the extraction's evidence, made now, writable by the kernel."""
        folder = self.private / f"evidence-{token}"
        folder.mkdir(mode=0o700)
        if self.uid:
            os.chown(folder, self.uid, self.uid)
        return folder

    def sandbox(self, env: dict[str, str], limits: Limits) -> Sandbox:
        """The bubblewrap sandbox of this kernel."""
        return Sandbox(self.private, env, tmpfs_bytes=limits.disk_mb * 2**20, uid=self.uid,
                       files=dict(self.mounts))

    def remove(self) -> None:
        """Kill what is left in the cgroup, delete it and the folder."""
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.root, ignore_errors=True)


class SandboxKernelManager(AsyncKernelManager):
    """An ipykernel started with this interpreter, in its sandbox, through the launcher.

    Parameters
    ----------
    folder : KernelFolder
    launcher_args : list of str
        :meth:`Limits.launcher_args`.
    sandbox : Sandbox, optional
        None runs the kernel unconfined (``--no-sandbox``).
    """

    def __init__(self, *, folder: KernelFolder, launcher_args: list[str],
                 sandbox: Sandbox | None, **kwargs) -> None:
        super().__init__(transport="ipc", ip=str(folder.private / "zmq"),
                         connection_file=str(folder.private / "kernel.json"), **kwargs)
        self._folder = folder
        self._launcher_args = [str(a) for a in launcher_args]
        self._sandbox = sandbox
        spec = self.kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if self._folder.uid:
            os.chown(self.connection_file, self._folder.uid, self._folder.uid)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel = [sys.executable, "-m", "ipykernel_launcher",
                  "-f", os.path.realpath(self.connection_file), *(extra_arguments or [])]
        launcher = [sys.executable, str(LAUNCHER), *self._launcher_args, "--", *kernel]
        if self._sandbox is None:
            return launcher
        join = self._folder.cgroup.join_command() if self._folder.cgroup else []
        return [*join, *bwrap_args(self._sandbox), *launcher]


def _matplotlib_cache() -> Path | None:
    env = os.environ.get("MPLCONFIGDIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "matplotlib"


def threads_per_kernel(jobs: int) -> int:
    """The CPU threads each of ``jobs`` kernels running at once gets: max(1, cores // jobs).

    The cores are those this process may run on (``sched_getaffinity``).

    >>> threads_per_kernel(10**6)
    1
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, int(jobs)))


def kernel_env(folder: KernelFolder, profile: str, threads: int | None = None) -> dict[str, str]:
    """The kernel's environment: allow-listed variables, everything personal in its HOME.

    With a sandbox, ``HOME`` and ``/tmp`` are the sandbox's own tmpfs; the
    grader's font cache is bound read-only into it (saves rebuilding the font
    list per kernel). ``threads`` (see :attr:`Limits.threads`) sets
    ``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS`` and ``OMP_NUM_THREADS``,
    so that kernels running side by side do not each start a thread per core.
    """
    import coursekit

    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    home, tmp = folder.home, folder.tmp
    mpl = home / ".cache" / "matplotlib"
    if not folder.sandboxed:
        for path in (home, tmp, mpl):
            path.mkdir(parents=True, exist_ok=True)
    source = _matplotlib_cache()
    if source is not None and source.is_dir():
        for fonts in source.glob("fontlist-*.json"):
            if folder.sandboxed:
                folder.mounts[str(mpl / fonts.name)] = fonts
            else:
                shutil.copy(fonts, mpl / fonts.name)
    package_parent = str(Path(coursekit.__file__).resolve().parents[1])
    env.update({
        "PATH": _PATH, "HOME": str(home), "USER": "student", "LOGNAME": "student",
        "TMPDIR": str(tmp), "TMP": str(tmp), "TEMP": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
        "MPLCONFIGDIR": str(mpl), "MPLBACKEND": "Agg",
        "KERAS_HOME": str(home / ".keras"), "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".jupyter" / "runtime"),
        "PYTHONPATH": package_parent, "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
        "COURSEKIT_PROFILE": profile,
    })
    if threads is not None:
        count = str(max(1, int(threads)))
        env.update({"TF_NUM_INTRAOP_THREADS": count, "TF_NUM_INTEROP_THREADS": count,
                    "OMP_NUM_THREADS": count})
    return env


_ACTIVE: set[Watchdog] = set()
_ACTIVE_LOCK = threading.Lock()


def kill_all_kernels(reason: str = "interrupted") -> None:
    """Kill every kernel a watchdog of this process is watching (on Ctrl-C)."""
    with _ACTIVE_LOCK:
        dogs = list(_ACTIVE)
    for dog in dogs:
        dog.kill(reason)


class Watchdog(threading.Thread):
    """Kill a kernel's process tree above a memory limit or past a deadline.

    ``reason`` says why it killed (``"memory limit"``, ``"timeout"``...), None
    while it has not. ``peak_bytes`` is the largest resident memory it saw.
    """

    def __init__(self, pid: int, memory_bytes: int, poll: float = 0.1,
                 cgroup: KernelCgroup | None = None) -> None:
        super().__init__(name=f"watchdog-{pid}", daemon=True)
        self.pid = pid
        self.cgroup = cgroup
        self.memory_bytes = memory_bytes
        self.poll = poll
        self.reason: str | None = None
        self.peak_bytes = 0
        self._deadline: tuple[float, str] | None = None
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        self._seen: dict[int, psutil.Process] = {}
        try:
            self._root: psutil.Process | None = psutil.Process(pid)
            self._pgid: int | None = os.getpgid(pid)
        except (psutil.Error, OSError):
            self._root, self._pgid = None, None

    def start(self) -> None:
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        super().start()

    def set_deadline(self, seconds: float | None, reason: str = "timeout") -> None:
        """Kill the tree ``seconds`` from now (None: no deadline)."""
        with self._lock:
            self._deadline = None if seconds is None else (time.monotonic() + seconds, reason)

    def _tree(self) -> list[psutil.Process]:
        """The kernel's processes: those of its cgroup when it has one (a file to read),
        else the root's descendants (psutil reads every process of the machine for them)."""
        if self._root is None:
            return []
        procs = [self._root]
        if self.cgroup is not None:
            for pid in self.cgroup.pids() - {self.pid}:
                with contextlib.suppress(psutil.Error):
                    procs.append(self._seen[pid] if pid in self._seen and
                                 self._seen[pid].is_running() else psutil.Process(pid))
        else:
            with contextlib.suppress(psutil.Error):
                procs += self._root.children(recursive=True)
        for p in procs:
            self._seen[p.pid] = p
        return procs

    def _rss(self, procs: list[psutil.Process]) -> int:
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def run(self) -> None:
        while not self._stop_event.wait(self.poll):
            if self._root is None or not self._root.is_running():
                return
            rss = self._rss(self._tree())
            self.peak_bytes = max(self.peak_bytes, rss)
            if rss > self.memory_bytes:
                self.kill("memory limit")
                return
            with self._lock:
                deadline = self._deadline
            if deadline is not None and time.monotonic() > deadline[0]:
                self.kill(deadline[1])
                return

    def kill(self, reason: str | None = None) -> None:
        """Kill the process group and every descendant seen (idempotent)."""
        if reason is not None and self.reason is None:
            self.reason = reason
        self._tree()
        if self._pgid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pgid, signal.SIGKILL)
        for p in list(self._seen.values()):
            with contextlib.suppress(psutil.Error):
                p.kill()

    def stop(self) -> None:
        """Stop watching and kill whatever of the tree is left."""
        self._stop_event.set()
        self.kill()
        with _ACTIVE_LOCK:
            _ACTIVE.discard(self)
