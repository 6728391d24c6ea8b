"""The kernel a submission runs in: its own folder, environment, limits and watchdog.

- :class:`Limits`: the wall-clock timeout of the student's cells, the memory
  limit (resident memory of the kernel and everything it spawned), the time
  each check may take at extraction, and caps on messages and evidence.
- :class:`SandboxKernelManager`: starts ``ipykernel`` with the grader's own
  interpreter through ``_launcher.py``, which puts the kernel in its own
  session and sets ``RLIMIT_CPU`` and an ``RLIMIT_AS`` backstop.
- :func:`kernel_env`: an allow-listed environment (no tokens or other secrets
  of the grader's), with ``HOME``, ``TMPDIR`` and every cache inside the
  submission's temporary folder.
- :class:`Watchdog`: a thread of the grader that polls the kernel's process
  tree with psutil and kills the whole tree (process group, then every
  descendant it has seen, even those that left the group) when the tree's
  resident memory passes the limit or a deadline passes. Measured: a
  TensorFlow kernel reserves about 3 GB of address space for 0.7 GB resident,
  so ``RLIMIT_AS`` alone would either kill honest notebooks or allow far too
  much; it is only a backstop (memory limit + 8 GiB).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager

__all__ = ["LAUNCHER", "Limits", "SandboxKernelManager", "Watchdog", "kernel_env",
           "kill_all_kernels"]

LAUNCHER = Path(__file__).with_name("_launcher.py")

#: Environment variables a kernel inherits from the grader (everything else is dropped).
_INHERITED = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "COURSEKIT_DATA_DIR",
              "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
              "SSL_CERT_FILE")


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
    """

    timeout: float = 300.0
    memory_mb: int = 4096
    check_timeout: float = 60.0
    startup_timeout: float = 120.0
    evidence_mb: int = 256
    message_mb: int = 32

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


class SandboxKernelManager(AsyncKernelManager):
    """An ipykernel started with this interpreter, through the limits launcher."""

    def __init__(self, *, launcher_args: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self._launcher_args = [str(a) for a in launcher_args]

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel = [sys.executable, "-m", "ipykernel_launcher",
                  "-f", os.path.realpath(self.connection_file), *(extra_arguments or [])]
        return [sys.executable, str(LAUNCHER), *self._launcher_args, "--", *kernel]


def _matplotlib_cache() -> Path | None:
    env = os.environ.get("MPLCONFIGDIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "matplotlib"


def kernel_env(root: Path, profile: str) -> dict[str, str]:
    """The kernel's environment: allow-listed variables, everything personal in ``root``."""
    import coursekit

    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    home, tmp = root / "home", root / "tmp"
    for folder in (home, tmp, home / ".cache" / "matplotlib"):
        folder.mkdir(parents=True, exist_ok=True)
    source = _matplotlib_cache()
    if source is not None and source.is_dir():  # saves rebuilding the font list per kernel
        for fonts in source.glob("fontlist-*.json"):
            shutil.copy(fonts, home / ".cache" / "matplotlib" / fonts.name)
    package_parent = str(Path(coursekit.__file__).resolve().parents[1])
    env.update({
        "HOME": str(home), "TMPDIR": str(tmp), "TMP": str(tmp), "TEMP": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
        "MPLCONFIGDIR": str(home / ".cache" / "matplotlib"), "MPLBACKEND": "Agg",
        "KERAS_HOME": str(home / ".keras"), "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".jupyter"),
        "PYTHONPATH": package_parent, "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
        "COURSEKIT_PROFILE": profile,
    })
    env.setdefault("PATH", os.defpath)
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

    def __init__(self, pid: int, memory_bytes: int, poll: float = 0.1) -> None:
        super().__init__(name=f"watchdog-{pid}", daemon=True)
        self.pid = pid
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
        if self._root is None:
            return []
        procs = [self._root]
        with contextlib.suppress(psutil.Error):
            procs += self._root.children(recursive=True)
        for p in procs:
            self._seen.setdefault(p.pid, p)
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
