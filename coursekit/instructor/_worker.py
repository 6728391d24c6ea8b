"""The benchmarks' worker protocol: a measurement in a fresh Python process, its result as JSON.

``coursekit bench`` (each recipe) and ``coursekit bench --knobs`` (each variant) measure
in a fresh interpreter, so that process-wide settings (threads, mixed precision), warm
caches and peak memory are each measurement's own. The parent runs
``python -m MODULE ARGS...`` with :func:`run_worker`; the child, in its ``__main__``
block, reports with :func:`progress` (any number of times: an epoch done) and
:func:`emit` (once, at the end: the result). Each message is one line of stdout,
``COURSEKIT-WORKER `` and a JSON object; every other line (a library's chatter) is
ignored, and the child's stderr is kept for the error message if it fails.

Example
-------
The child (``python -m mypackage.measure 3``)::

    if __name__ == "__main__":
        for epoch in range(int(sys.argv[1])):
            progress({"epoch": epoch + 1})
        emit({"seconds": 1.5})

The parent::

    result = run_worker("mypackage.measure", ["3"], on_progress=print)  # {'seconds': 1.5}
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import CourseKitError

__all__ = ["PREFIX", "emit", "progress", "run_worker"]

#: What starts a message line on the child's stdout.
PREFIX = "COURSEKIT-WORKER "


def _send(kind: str, message: Mapping[str, Any]) -> None:
    print(PREFIX + json.dumps({"kind": kind, "message": dict(message)}), flush=True)


def progress(message: Mapping[str, Any]) -> None:
    """Child side: report progress (passed to the parent's ``on_progress`` at once)."""
    _send("progress", message)


def emit(result: Mapping[str, Any]) -> None:
    """Child side: send the result, what :func:`run_worker` returns (the last one wins)."""
    _send("result", result)


def run_worker(module: str, args: Sequence[str], *,
               on_progress: Callable[[dict[str, Any]], None] | None = None,
               label: str | None = None) -> dict[str, Any]:
    """Run ``python -m module *args`` in a fresh interpreter and return its result.

    Parameters
    ----------
    module : str
        A module whose ``__main__`` block calls :func:`emit` (and :func:`progress`).
    args : sequence of str
        Its command-line arguments.
    on_progress : callable or None
        Called with each progress message, as it arrives.
    label : str or None
        What the error message calls the measurement (default: the command).

    Raises
    ------
    CourseKitError
        If the child exits with an error or sends no result; the message ends with
        the last lines of its stderr.
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", module, *args]
    result: dict[str, Any] | None = None
    # stderr goes to a file, not a pipe: a chatty child cannot fill a pipe nobody reads yet.
    with tempfile.TemporaryFile("w+") as errors:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True,
                              env=env) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                if not line.startswith(PREFIX):
                    continue
                sent = json.loads(line[len(PREFIX):])
                if sent["kind"] == "result":
                    result = sent["message"]
                elif on_progress is not None:
                    on_progress(sent["message"])
        errors.seek(0)
        stderr = errors.read()
    if proc.returncode != 0 or result is None:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        what = label or " ".join(["python -m", module, *args])
        why = f"exit {proc.returncode}" if proc.returncode != 0 else "no result"
        raise CourseKitError(f"{what} failed ({why}):\n{tail}")
    return result
