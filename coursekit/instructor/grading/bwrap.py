"""The operating-system sandbox of a kernel: a bubblewrap command line.

`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``, the
sandbox under Flatpak; ``apt-get install bubblewrap``) starts the kernel in
new mount, PID, IPC, network, UTS (and, where possible, cgroup) namespaces,
in a new session, killed with SIGKILL when the grader dies. Its file system
is built from nothing:

- read-only: the operating system's programs and libraries (``/usr`` and
  the ``/lib*``, ``/bin`` links), a few files of ``/etc`` the dynamic loader
  and Python need, the Python environment (``sys.prefix``,
  ``sys.base_prefix``), the ``coursekit`` package's own folder (not the
  repository around it: no ``solutions/``) and the dataset mirror
  (``COURSEKIT_DATA_DIR``);
- writable, size-limited and private: ``/tmp`` and ``HOME`` (tmpfs, gone
  when the kernel ends);
- the kernel's private folder (:class:`Sandbox.private`), bound at the same
  path inside: its connection file, its Unix sockets (the kernel talks over
  ZeroMQ's ``ipc`` transport, as there is no network) and the evidence
  folder of its extraction. No other kernel's folder is mounted there;
- ``/dev`` (null, zero, random, urandom, tty, shm) and a ``/proc`` of its
  own PID namespace; ``/proc/sys`` read-only.

Nothing else exists inside: not the solutions, the ``--hidden`` folder, the
other submissions, the gradebook, nor the grader's home. The environment is
cleared (``--clearenv``) and only the allow-listed variables are set.

When the grader runs as root, bwrap keeps only ``CAP_SETUID`` and
``CAP_SETGID`` and the launcher switches, before it runs anything of the
student's, to a uid of its own (:func:`sandbox_uid`; like IOI's ``isolate``,
one uid per sandbox), which leaves it no capability at all. Otherwise bwrap
creates a user namespace (``--unshare-user``, uid 65534 inside) and forbids
nested ones (``--disable-userns``).

Example
-------
>>> cmd = bwrap_args(Sandbox(Path("/tmp/ck-1"), env={"HOME": "/home/student"}))
>>> cmd[0].endswith("bwrap"), "--unshare-net" in cmd, "--clearenv" in cmd
(True, True, True)
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import CourseKitError

__all__ = ["HOME", "INSTALL_HINT", "Sandbox", "SandboxUnavailable", "bwrap_args",
           "bwrap_path", "probe", "require_sandbox", "sandbox_uid"]

#: ``HOME`` and working folder of every kernel (a tmpfs inside the sandbox).
HOME = "/home/student"
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: "
                "`dnf install bubblewrap`) on a Linux machine with user namespaces, or "
                "give --no-sandbox to run the kernels unconfined (unsafe for a class)")
#: Files of /etc the loader, Python and TensorFlow read (those that exist are bound).
_ETC = ("fonts", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
        "nsswitch.conf", "host.conf", "mime.types", "os-release", "debian_version")
#: uids handed to sandboxes (above any real account; see :func:`sandbox_uid`).
_UID_BASE, _UID_SPAN = 2_000_000_000, 100_000_000
_NAMESPACES = ["--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session"]


class SandboxUnavailable(CourseKitError):
    """bubblewrap is missing or cannot create its namespaces on this machine."""


def bwrap_path() -> str | None:
    """The ``bwrap`` executable (``COURSEKIT_BWRAP`` or the PATH), None if there is none."""
    return os.environ.get("COURSEKIT_BWRAP") or shutil.which("bwrap")


def sandbox_uid() -> int:
    """A fresh uid for one sandbox when the grader is root (no account has it).

    Each sandbox gets its own, so ``RLIMIT_NPROC`` (counted per uid) bounds that
    sandbox alone, and no two kernels share an owner.
    """
    return _UID_BASE + secrets.randbelow(_UID_SPAN)


@dataclass(frozen=True)
class Sandbox:
    """What one kernel's sandbox mounts and sets.

    Attributes
    ----------
    private : Path
        The kernel's private folder on the grader's side (bound read-write at
        the same path; connection file, sockets, evidence).
    env : dict
        The kernel's whole environment.
    tmpfs_bytes : int
        Size of each of ``/tmp`` and ``HOME``.
    uid : int
        The uid the launcher switches to when the grader is root (0: none).
    files : dict
        Path inside → file of the grader's, bound read-only (``/etc/passwd``,
        the submission's copy, the font cache).
    """

    private: Path
    env: dict[str, str]
    tmpfs_bytes: int = 256 * 2**20
    uid: int = 0
    files: dict[str, Path] = field(default_factory=dict)


def _python_paths() -> list[str]:
    """The Python environment and the coursekit package (code only), as real paths."""
    import coursekit

    package = Path(coursekit.__file__).resolve().parent
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    paths.add(str(package))
    data = os.environ.get("COURSEKIT_DATA_DIR")
    if data and os.path.isdir(data):
        paths.add(os.path.realpath(data))
    return sorted(paths)


def _system() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in _ETC:
        if os.path.exists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _parents(paths: list[str], perms: str, skip: tuple[str, ...] = ()) -> list[str]:
    """``--dir`` arguments for every folder above ``paths`` (bwrap would make them 0700)."""
    above = {str(p) for path in paths for p in Path(path).parents
             if str(p) != "/" and str(p) not in skip}
    args: list[str] = []
    for folder in sorted(above, key=lambda p: (p.count("/"), p)):
        args += ["--perms", perms, "--dir", folder]
    return args


def bwrap_args(sandbox: Sandbox, bwrap: str | None = None) -> list[str]:
    """The ``bwrap`` command line (up to ``--``) that confines one kernel."""
    args = [bwrap or bwrap_path() or "bwrap", *_NAMESPACES]
    if os.getuid() != 0:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
    else:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    python = _python_paths()
    writable = ("/tmp", "/dev/shm", HOME)

    def under_writable(path: str) -> bool:
        return any(path == w or path.startswith(w + "/") for w in writable)

    args += _parents([*python, str(sandbox.private), HOME, "/etc/passwd"], "0755")
    args += _system()
    size = str(int(sandbox.tmpfs_bytes))
    args += ["--proc", "/proc", "--dev", "/dev"]
    for folder in writable:
        args += ["--perms", "1777", "--size", size, "--tmpfs", folder]
    # After the tmpfs mounts, so that a Python environment, a checkout or a dataset mirror
    # that lives under /tmp (a CI clone, say) is bound over the private /tmp, not hidden by it.
    args += _parents([p for p in python if under_writable(p)], "0755",
                     skip=(*writable, "/home", "/dev"))
    for path in python:
        args += ["--ro-bind", path, path]
    files = sorted(sandbox.files.items())
    inner = [inside for inside in (*sandbox.files, str(sandbox.private))
             if any(inside.startswith(w + "/") for w in writable)]
    args += _parents(inner, "1777", skip=(*writable, "/home", "/dev"))
    for inside, outside in files:
        args += ["--ro-bind", str(outside), inside]
    args += ["--bind", str(sandbox.private), str(sandbox.private),
             "--chdir", HOME, "--hostname", "sandbox", "--clearenv"]
    for key, value in sorted(sandbox.env.items()):
        args += ["--setenv", key, value]
    return [*args, "--"]


@functools.lru_cache(maxsize=4)
def probe(bwrap: str | None = None) -> str | None:
    """Start ``true`` in the same namespaces once; None if it works, else why not."""
    exe = bwrap or bwrap_path()
    if exe is None or not os.access(exe, os.X_OK):
        return "bubblewrap (bwrap) is not installed"
    try:
        with tempfile.TemporaryDirectory(prefix="ck-probe-") as private:
            cmd = [*bwrap_args(Sandbox(Path(private), env={}), exe), "/bin/true"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap could not start ({type(exc).__name__}: {exc})"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"bubblewrap cannot create its namespaces here ({reason[:200]})"
    return None


def require_sandbox() -> None:
    """Raise :class:`SandboxUnavailable`, saying what to install, where bwrap cannot run."""
    problem = probe(bwrap_path())
    if problem is not None:
        raise SandboxUnavailable(f"{problem}: the grader runs every submission in a "
                                 f"sandbox; {INSTALL_HINT}")
