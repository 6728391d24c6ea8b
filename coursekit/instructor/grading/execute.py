"""Execute one submission in a fresh, sandboxed kernel and collect its evidence.

:func:`execute` makes a :class:`~coursekit.instructor.grading.sandbox.KernelFolder`,
puts the submission's copy (outputs removed) in the kernel's working folder
(its ``HOME``, a private tmpfs of the sandbox); starts a
:class:`~coursekit.instructor.grading.sandbox.SandboxKernelManager` (bubblewrap, unless
``sandboxed=False``); runs a seed cell and then every code cell of the
submission, discarding every output as it arrives (grading never reads
outputs, and a flood then costs no memory); and, if the kernel is still
alive, runs the extraction: one cell that rebuilds the checks from the
source text the grader sends (only the modules this notebook's checks need,
hidden checks without their ``judge``), then one cell per check, each with
its own time limit, writing evidence into a folder of the kernel's private
folder created only at that moment. The kernel is then killed, with every
process of its sandbox, *before* anything reads the evidence: nothing can
change it after. The caller judges and then calls :meth:`Execution.cleanup`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import zmq
import zmq.asyncio
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError

from .sandbox import KernelFolder, Limits, SandboxKernelManager, Watchdog, kernel_env
from .status import RunStatus, Status

__all__ = ["Execution", "KernelCheck", "execute"]

#: nbclient and jupyter_client log a dying kernel as an error; for the grader it is a status.
_QUIET = logging.getLogger("coursekit.instructor.grading.kernel")
_QUIET.setLevel(logging.CRITICAL)
_QUIET.propagate = False
_IMPORTS_KERAS = re.compile(r"^\s*(import|from)\s+(keras|coursekit|tensorflow)\b", re.M)
_KERNEL_SIDE = (Path(__file__).with_name("_kernel_side.py")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class KernelCheck:
    """What the kernel must collect for one check.

    ``expression`` is evaluated in the student's namespace (taken from the
    reference notebook's check cell); ``module`` and ``qualname`` name the
    check class among the sources sent to the kernel.
    """

    check_id: str
    expression: str
    module: str
    qualname: str


@dataclass
class Execution:
    """How a submission ran.

    ``status`` is the text of a :class:`~coursekit.instructor.grading.status.RunStatus`:
    ``"ok"``, ``"timeout"``, ``"memory limit"``, ``"cpu limit"``, ``"kernel died"``,
    ``"kernel did not start"`` or ``"grader error: ..."``; ``error`` is the first
    failing cell as ``(cell number, exception name, message)`` (1-based, among
    all cells of the notebook). ``folders`` maps check ids to the evidence
    folders the kernel wrote (only for checks that were extracted).
    """

    status: str = Status.OK
    error: tuple[int, str, str] | None = None
    folders: dict[str, Path] = field(default_factory=dict)
    evidence_root: Path | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0
    kernel_folder: KernelFolder | None = None

    def cleanup(self) -> None:
        """Delete the kernel's folder, evidence included."""
        if self.kernel_folder is not None:
            self.kernel_folder.remove()
        elif self.evidence_root is not None:
            shutil.rmtree(self.evidence_root, ignore_errors=True)


class _QuietClient(NotebookClient):
    """A NotebookClient that keeps no output at all, only each cell's first error."""

    def __init__(self, nb: nbformat.NotebookNode, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.errors: dict[int, tuple[str, str]] = {}

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> None:
        msg_type = msg.get("msg_type")
        content = msg.get("content") or {}
        if msg_type == "status":
            if content.get("execution_state") == "idle":
                raise CellExecutionComplete()
        elif msg_type == "error" and cell_index not in self.errors:
            self.errors[cell_index] = (str(content.get("ename", ""))[:100],
                                       str(content.get("evalue", ""))[:500])
        return None


def _seed_cell(uses_keras: bool) -> str:
    lines = ["import random as _ck_random", "_ck_random.seed(0)", "del _ck_random"]
    if uses_keras:
        lines += ["import keras as _ck_keras", "_ck_keras.utils.set_random_seed(0)",
                  "del _ck_keras"]
    return "\n".join(lines)


def _prepare_cell(token: str, sources: dict[str, str], wanted: list[str], folder: Path,
                  max_bytes: int) -> str:
    return (
        f"def _ck_prepare_{token}():\n"
        f"    namespace = {{'__name__': '_coursekit_grading_{token}'}}\n"
        f"    exec(compile({_KERNEL_SIDE!r}, '<coursekit grader>', 'exec'), namespace)\n"
        f"    return namespace['Extractor']({sources!r}, {wanted!r}, {str(folder)!r}, "
        f"{max_bytes!r})\n"
        f"_ck_{token} = _ck_prepare_{token}()\n"
        f"del _ck_prepare_{token}\n"
    )


def _extract_cell(token: str, index: int, check: KernelCheck) -> str:
    return (f"_ck_{token}.extract({index}, {check.module!r}, {check.qualname!r}, "
            f"{check.expression!r}, globals())")


def _died(km: SandboxKernelManager, dog: Watchdog, folder: KernelFolder) -> str:
    if dog.reason:
        return dog.reason
    if folder.cgroup is not None and folder.cgroup.out_of_memory():
        return Status.MEMORY_LIMIT
    process = getattr(km.provisioner, "process", None)
    code = process.poll() if process is not None else None
    xcpu = getattr(signal, "SIGXCPU", -1)
    if code is not None and (-code == xcpu or code == 128 + xcpu):  # bwrap: 128 + signal
        return Status.CPU_LIMIT
    return Status.KERNEL_DIED


def _code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [(i, c.source) for i, c in enumerate(nb.cells, start=1)
            if c.get("cell_type") == "code" and isinstance(c.get("source"), str)
            and c.source.strip()]


async def _execute(nb: nbformat.NotebookNode, name: str, checks: list[KernelCheck],
                   sources: dict[str, str], wanted: list[str], limits: Limits,
                   profile: str, sandboxed: bool) -> Execution:
    folder = KernelFolder(sandboxed, limits)
    result = Execution(kernel_folder=folder)
    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
    folder.add_notebook(name, nbformat.writes(clean))
    cells = _code_cells(nb)
    uses_keras = any(_IMPORTS_KERAS.search(src) for _, src in cells)
    env = kernel_env(folder, profile, limits.threads)

    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, limits.message_mb * 2**20)
    km = SandboxKernelManager(
        kernel_name="python3", context=context, log=_QUIET, folder=folder,
        launcher_args=limits.launcher_args(len(checks), folder.uid),
        sandbox=folder.sandbox(env, limits) if sandboxed else None)
    run_nb = nbformat.v4.new_notebook()
    client = _QuietClient(run_nb, km=km, log=_QUIET, allow_errors=True, record_timing=False,
                          iopub_timeout=4, raise_on_iopub_timeout=False,
                          startup_timeout=int(limits.startup_timeout))
    budget = {"deadline": time.monotonic() + limits.timeout}
    client.timeout_func = lambda cell: max(1, int(budget["deadline"] - time.monotonic()) + 5)
    dog: Watchdog | None = None
    started = time.monotonic()

    async def run(source: str, store_history: bool = False) -> int:
        run_nb.cells.append(nbformat.v4.new_code_cell(source))
        index = len(run_nb.cells) - 1
        await client.async_execute_cell(run_nb.cells[index], index,
                                        store_history=store_history)
        return index

    try:
        await km.start_kernel(cwd=str(folder.root if sandboxed else folder.home), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              extra_arguments=["--HistoryManager.hist_file=:memory:"])
        dog = Watchdog(km.provisioner.process.pid, limits.memory_bytes, cgroup=folder.cgroup)
        dog.set_deadline(limits.startup_timeout, "kernel did not start")
        budget["deadline"] = time.monotonic() + limits.startup_timeout
        dog.start()
        kc = km.client(context=context, log=_QUIET)
        client.kc = kc
        kc.start_channels()
        await kc.wait_for_ready(timeout=limits.startup_timeout)
        kc.allow_stdin = False

        await run(_seed_cell(uses_keras))  # under the start-up deadline, like the kernel

        # The student's cells, under one wall-clock deadline.
        budget["deadline"] = time.monotonic() + limits.timeout
        dog.set_deadline(limits.timeout, "timeout")
        started = time.monotonic()
        for number, source in cells:
            index = await run(source, store_history=True)
            if index in client.errors and result.error is None:
                ename, evalue = client.errors[index]
                result.error = (number, ename, evalue)
        result.seconds = time.monotonic() - started

        # Extraction: a folder made now, one cell (and one time limit) per check.
        if checks:
            token = secrets.token_hex(8)
            result.evidence_root = folder.evidence_folder(token)
            client.interrupt_on_timeout = True
            budget["deadline"] = time.monotonic() + limits.check_timeout
            dog.set_deadline(limits.check_timeout + 20, "timeout")
            await run(_prepare_cell(token, sources, wanted, result.evidence_root,
                                    limits.evidence_mb * 2**20))
            for index, check in enumerate(checks):
                budget["deadline"] = time.monotonic() + limits.check_timeout
                dog.set_deadline(limits.check_timeout + 20, "timeout")
                await run(_extract_cell(token, index, check))
                result.folders[check.check_id] = result.evidence_root / str(index)
            dog.set_deadline(None)
    except (DeadKernelError, CellTimeoutError, RuntimeError, TimeoutError,
            asyncio.TimeoutError) as exc:
        if dog is None:
            result.status = Status.KERNEL_DID_NOT_START
        elif isinstance(exc, CellTimeoutError):
            result.status = dog.reason or Status.TIMEOUT
        else:
            result.status = _died(km, dog, folder)
        if result.status == Status.KERNEL_DIED and dog.peak_bytes > 0.9 * limits.memory_bytes:
            result.status = Status.MEMORY_LIMIT
    except Exception as exc:  # anything else: the kernel's doing if it is dead, else ours
        process = getattr(km.provisioner, "process", None)
        if dog is not None and (dog.reason or (process is not None and process.poll() is not None)):
            result.status = _died(km, dog, folder)
        else:
            result.status = str(RunStatus(Status.GRADER_ERROR, exception=type(exc).__name__,
                                          message=str(exc)[:200]))
    finally:
        if not result.seconds:
            result.seconds = time.monotonic() - started
        if dog is not None:
            result.peak_mb = dog.peak_bytes / 2**20
            dog.stop()  # kills the whole tree, whatever left the process group
        if folder.cgroup is not None:
            folder.cgroup.kill()
        try:
            if client.kc is not None:
                client.kc.stop_channels()
            await km.shutdown_kernel(now=True)
        except Exception:
            pass
        context.destroy(linger=0)
        if result.evidence_root is None:
            folder.remove()
    return result


def execute(nb: nbformat.NotebookNode, name: str, checks: list[KernelCheck],
            sources: dict[str, str], wanted: list[str], limits: Limits,
            profile: str = "quick", sandboxed: bool = True) -> Execution:
    """Run a submission's notebook and collect the evidence of ``checks``.

    Parameters
    ----------
    nb : NotebookNode
        The submission (never modified).
    name : str
        The file name it gets in the kernel's folder.
    checks : list of KernelCheck
        The checks whose evidence the kernel collects, in order.
    sources : dict
        Module name → source text of the check modules sent to the kernel.
    wanted : list of str
        The modules among ``sources`` that hold ``checks``' classes.
    limits : Limits
    profile : {"grade", "quick", "full"}
        ``COURSEKIT_PROFILE`` in the kernel.
    sandboxed : bool
        Run the kernel in bubblewrap (False only for ``--no-sandbox``).
    """
    return asyncio.run(_execute(nb, name, checks, sources, wanted, limits, profile, sandboxed))

