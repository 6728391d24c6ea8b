"""A cgroup for one kernel's sandbox: a hard memory and process limit, killed as a whole.

Where the grader may create control groups (cgroup v1 ``memory`` and ``pids``
hierarchies it can write, as root on most Linux machines), :meth:`KernelCgroup.create`
makes one group per kernel below the grader's own, with

- ``memory.limit_in_bytes``: the kernel's memory limit plus its tmpfs
  (the pages of ``/tmp``, ``/dev/shm`` and ``HOME`` are charged to the group,
  which the watchdog's resident-memory sum does not see) and a margin;
- ``pids.max``: processes and threads together.

The sandbox enters it before bubblewrap starts (:meth:`KernelCgroup.join_command`),
so everything it ever starts is inside; :meth:`kill` SIGKILLs every member and
:meth:`remove` deletes the group. Where no group can be made,
:meth:`~KernelCgroup.create` returns None and the rlimits, the watchdog and the
PID namespace still bound the kernel.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import psutil

__all__ = ["KernelCgroup"]

_ROOT = Path("/sys/fs/cgroup")
_JOIN = ("import os, sys; i = sys.argv.index('--'); "
         "[open(p, 'w').write(str(os.getpid())) for p in sys.argv[1:i]]; "
         "os.execv(sys.argv[i + 1], sys.argv[i + 1:])")


def _own(controller: str) -> Path | None:
    """This process's group in the v1 hierarchy of ``controller`` (None if there is none)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            folder = _ROOT / controller / path.lstrip("/")
            return folder if (folder / "cgroup.procs").is_file() else None
    return None


def orphans(parent: Path, prefix: str) -> list[Path]:
    """The entries ``PREFIX-*.PID`` of ``parent`` whose creator, process PID, is gone
    (a grader that died: a Dask worker killed mid-submission, say)."""
    found = []
    for path in parent.glob(f"{prefix}-*.*"):
        creator = path.name.rpartition(".")[2]
        if creator.isdigit() and not psutil.pid_exists(int(creator)):
            found.append(path)
    return found


def _sweep(parent: Path, prefix: str) -> None:
    """Remove the groups that a grader which has died left behind, killing what is still
    in them."""
    for folder in orphans(parent, prefix):
        KernelCgroup({"stale": folder}).remove(wait=1.0)


class KernelCgroup:
    """The memory and pids groups of one kernel (see the module's docstring)."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders

    @classmethod
    def create(cls, name: str, memory_bytes: int, pids: int) -> KernelCgroup | None:
        """Make the groups and set their limits; None where this machine does not let us."""
        settings = {"memory": {"memory.limit_in_bytes": memory_bytes},
                    "pids": {"pids.max": pids}}
        folders: dict[str, Path] = {}
        group = cls(folders)
        try:
            for controller, values in settings.items():
                parent = _own(controller)
                if parent is None:
                    raise OSError(f"no {controller} cgroup")
                _sweep(parent, name.rpartition("-")[0])
                folder = parent / f"{name}.{os.getpid()}"
                folder.mkdir()
                folders[controller] = folder
                for key, value in values.items():
                    (folder / key).write_text(str(int(value)))
        except OSError:
            group.remove()
            return None
        return group

    def join_command(self) -> list[str]:
        """The command prefix that enters the groups, then execs what follows."""
        procs = [str(f / "cgroup.procs") for f in self.folders.values()]
        return [sys.executable, "-I", "-c", _JOIN, *procs, "--"]

    def pids(self) -> set[int]:
        out: set[int] = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError, ValueError):
                out.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
        return out

    def kill(self) -> None:
        """SIGKILL every process of the groups."""
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def out_of_memory(self) -> bool:
        """Whether the kernel ever hit the group's memory limit."""
        folder = self.folders.get("memory")
        try:
            return folder is not None and int((folder / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def remove(self, wait: float = 5.0) -> None:
        """Kill what is left and delete the groups (a group with members cannot go)."""
        deadline = time.monotonic() + wait
        for folder in list(self.folders.values()):
            while True:
                self.kill()
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
        self.folders = {}
