"""Start a kernel under resource limits: ``python _launcher.py CPU_S AS_BYTES -- CMD...``.

Run by path (not ``-m``) so that it imports nothing from coursekit. It puts
the kernel in its own session (process group) unless it already leads one,
applies ``RLIMIT_CPU`` (CPU seconds: SIGXCPU, then SIGKILL 10 s later) and
``RLIMIT_AS`` (address space, a backstop well above the resident-memory limit
that the grader's watchdog enforces, because TensorFlow reserves gigabytes of
address space it never touches), restricts file permissions, and execs the
kernel command, which keeps this process's id.
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
    cpu, address_space, sep, *cmd = argv
    if sep != "--" or not cmd:
        raise SystemExit("usage: _launcher.py CPU_SECONDS AS_BYTES -- CMD...")
    if os.getsid(0) != os.getpid():
        os.setsid()
    cpu_s, as_bytes = int(cpu), int(address_space)
    if cpu_s > 0:
        _limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 10)
    if as_bytes > 0:
        _limit(resource.RLIMIT_AS, as_bytes, as_bytes)
    _limit(resource.RLIMIT_CORE, 0, 0)
    os.umask(0o077)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
