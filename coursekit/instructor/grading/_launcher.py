"""Start a kernel under resource limits, inside its sandbox.

``python _launcher.py CPU_S AS_BYTES NPROC FSIZE_BYTES UID -- CMD...`` is the
first program bubblewrap runs in a kernel's sandbox (see
:mod:`coursekit.instructor.grading.bwrap`). Run by path (not ``-m``) so that it imports
nothing from coursekit. It

- applies ``RLIMIT_CPU`` (CPU seconds: SIGXCPU, then SIGKILL 10 s later),
  ``RLIMIT_AS`` (address space, a backstop well above the resident-memory
  limit the grader's watchdog enforces, because TensorFlow reserves
  gigabytes of address space it never touches), ``RLIMIT_NPROC`` (processes
  and threads of the sandbox's uid: a fork bomb stops there),
  ``RLIMIT_FSIZE`` (the largest file it may write) and no core dumps;
- when it starts as root (the grader is root), drops to ``UID`` (a uid no
  account and no other sandbox has) with no supplementary groups, which
  clears every capability bubblewrap left it; with ``UID`` 0 it stays who
  it is (an unprivileged grader: bubblewrap already made it uid 65534);
- restricts file permissions and execs the kernel command.

0 for a limit means "leave it as it is".
"""

import os
import resource
import sys


def _limit(which: int, soft: int, hard: int) -> None:
    """Lower a limit (never above the hard limit this process already has)."""
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def main(argv: list[str]) -> None:
    if len(argv) < 7 or argv[5] != "--":
        raise SystemExit("usage: _launcher.py CPU_S AS_BYTES NPROC FSIZE_BYTES UID -- CMD...")
    cpu_s, as_bytes, nproc, fsize, uid = (int(a) for a in argv[:5])
    cmd = argv[6:]
    if os.getsid(0) != os.getpid():
        os.setsid()
    if cpu_s > 0:
        _limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 10)
    if as_bytes > 0:
        _limit(resource.RLIMIT_AS, as_bytes, as_bytes)
    if fsize > 0:
        _limit(resource.RLIMIT_FSIZE, fsize, fsize)
    _limit(resource.RLIMIT_CORE, 0, 0)
    if uid > 0 and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getuid() != uid or os.geteuid() != uid:  # pragma: no cover - the kernel refuses
            raise SystemExit("could not drop to the sandbox's uid")
    if nproc > 0:  # counted per uid: set once we are the sandbox's uid
        _limit(resource.RLIMIT_NPROC, nproc, nproc)
    os.umask(0o077)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
