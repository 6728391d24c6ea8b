"""What one notebook-01 submission costs: wall seconds, CPU seconds, and where they go.

Run from the repository root (not collected by pytest)::

    COURSEKIT_DATA_DIR=../shared/datasets python tests/bench_grading_cost.py \
        [--n N] [--jobs 1 2] [--configs quick+nothreads quick grade] [--tf-import]

grades N (default 1) copies of notebook 01's whole solution, in the sandbox,
once per configuration and ``--jobs`` value, side by side in one run. A
configuration is a profile (``quick``, ``grade``), optionally with ``+nothreads``
(kernels get no TensorFlow thread settings: what ``main`` did). For each run it
prints:

- wall seconds per submission and submissions per hour;
- machine seconds per submission (cores × seconds): the CPU time of the grader
  and of the judging process (``getrusage``, ``RUSAGE_SELF`` + ``RUSAGE_CHILDREN``,
  around the batch) plus that of every kernel's process tree (read with psutil
  by the grader's watchdog every 0.1 s and just before the kill: a killed
  sandbox is never waited for, so ``RUSAGE_CHILDREN`` does not count it);
- cores × wall seconds per submission (what the batch held the machine for);
- for ``--jobs 1``: the breakdown of the first submission, in wall seconds and
  in the kernel's CPU seconds: kernel start (until it answers), the seed cell
  (imports Keras, so TensorFlow), each of the notebook's cells that took over
  0.5 s, the extraction, and the rest (judging, writing the gradebook);
- the load average before the run (the machine is shared: compare ratios
  within one run).

``--tf-import`` also times ``import keras`` in a fresh interpreter (what a warm,
forked interpreter would save at most).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from test_grading import save, solution

from coursekit.instructor.grading import grade

execute = importlib.import_module("coursekit.instructor.grading.execute")
batch = importlib.import_module("coursekit.instructor.grading.batch")

#: (first line of the cell, start, end, kernel CPU seconds at start, at end)
_TIMES: list[tuple[str, float, float, float, float]] = []
_STARTS: list[float] = []
_KERNEL_CPU: dict[int, float] = {}  # pid -> user + system seconds, last seen (kernel trees)
_DOGS: list = []  # the watchdogs started, newest last


def _instrument() -> None:
    """Record each cell's wall time and each kernel's start (bench only)."""
    cell_run = execute._QuietClient.async_execute_cell
    start_kernel = execute.SandboxKernelManager.start_kernel

    async def timed_cell(self, cell, index, **kwargs):
        begin, cpu = time.monotonic(), _kernel_cpu_now()
        try:
            return await cell_run(self, cell, index, **kwargs)
        finally:
            _TIMES.append((cell.source.splitlines()[0][:60] if cell.source else "",
                           begin, time.monotonic(), cpu, _kernel_cpu_now()))

    async def timed_start(self, **kwargs):
        _STARTS.append(time.monotonic())
        return await start_kernel(self, **kwargs)

    execute._QuietClient.async_execute_cell = timed_cell
    execute.SandboxKernelManager.start_kernel = timed_start

    class CountingWatchdog(execute.Watchdog):
        """The grader's watchdog, also adding up the CPU time of the kernel's tree: a
        killed sandbox is never waited for, so RUSAGE_CHILDREN does not see it."""

        def start(self):
            _DOGS.append(self)
            super().start()

        def _tree(self):
            procs = super()._tree()
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    _KERNEL_CPU[p.pid] = t.user + t.system
            return procs

        def kill(self, reason=None):
            self._tree()  # the last reading, just before the kill
            super().kill(reason)

    execute.Watchdog = CountingWatchdog


def _kernel_cpu_now() -> float:
    """The kernels' CPU seconds so far, the newest kernel's tree read now."""
    if _DOGS:
        with contextlib.suppress(Exception):
            _DOGS[-1]._tree()
    return sum(_KERNEL_CPU.values())


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _breakdown(t0: float, t1: float,
               numbers: dict[str, int]) -> list[tuple[str, float, float | None]]:
    """(what, wall seconds, kernel CPU seconds) of the first submission graded."""
    start = _STARTS[0]
    cells = [c for c in _TIMES if t0 <= c[1] <= t1]
    seed = cells[0]
    rows = [("grader set-up (references, judging process)", start - t0, None),
            ("kernel start, until it answers", seed[1] - start, seed[3]),
            ("seed cell (import keras: TensorFlow)", seed[2] - seed[1], seed[4] - seed[3])]
    extraction = [0.0, 0.0]
    small = [0.0, 0.0]
    end = seed[2]
    for first, begin, finish, cpu0, cpu1 in cells[1:]:
        if first.startswith("import random as _ck_random"):  # the next submission's seed
            break
        end = finish
        if first.startswith(("def _ck_prepare_", "_ck_")):
            extraction[0] += finish - begin
            extraction[1] += cpu1 - cpu0
        elif finish - begin >= 0.5:
            rows.append((f"cell {numbers.get(first)}: {first[:45]}", finish - begin, cpu1 - cpu0))
        else:
            small[0] += finish - begin
            small[1] += cpu1 - cpu0
    rows.append(("the other cells (< 0.5 s each)", *small))
    rows.append(("extraction (one cell per check)", *extraction))
    after = (_STARTS[1] if len(_STARTS) > 1 and _STARTS[1] > end else t1) - end
    rows.append(("after its kernel, until the next starts (judging, gradebook)", after, None))
    return rows


def run(config: str, jobs: int, n: int, root: Path, numbers: dict[str, int]) -> dict:
    profile, _, flag = config.partition("+")
    threads = flag != "nothreads"
    saved = batch.threads_per_kernel
    if not threads:
        batch.threads_per_kernel = lambda jobs: None  # TensorFlow's default, as on main
    _TIMES.clear()
    _STARTS.clear()
    _KERNEL_CPU.clear()
    load = os.getloadavg()[0]
    cpu0, t0 = _cpu(), time.monotonic()
    try:
        results = grade([root / "subs"], root / f"g-{config}-{jobs}.csv", jobs=jobs,
                        profile=profile, progress=False, summary=False, force=True)
    finally:
        batch.threads_per_kernel = saved
    wall, cpu = time.monotonic() - t0, _cpu() - cpu0
    kernels = sum(_KERNEL_CPU.values())
    scores = sorted({(r.status, r.score, r.max_score) for r in results})
    row = {"config": config, "jobs": jobs, "n": n, "load_before": round(load, 2),
           "wall_per_submission": round(wall / n, 1),
           "per_hour": round(3600 * n / wall),
           "cores_x_wall_per_submission": round((os.cpu_count() or 1) * wall / n, 1),
           "machine_s_per_submission": round((cpu + kernels) / n, 1),
           "kernel_cpu_s_per_submission": round(kernels / n, 1),
           "grader_and_judge_cpu_s_per_submission": round(cpu / n, 1),
           "results": [f"{s} {sc:g}/{m:g}" for s, sc, m in scores]}
    if jobs == 1:
        row["breakdown"] = [(k, round(w, 2), None if c is None else round(c, 2))
                            for k, w, c in _breakdown(t0, t0 + wall, numbers)]
    return row


def tf_import() -> float:
    code = "import time; t = time.perf_counter(); import keras; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1])
    parser.add_argument("--configs", nargs="+", default=["quick+nothreads", "grade"])
    parser.add_argument("--tf-import", action="store_true")
    args = parser.parse_args(argv)
    _instrument()
    root = Path(tempfile.mkdtemp(prefix="ck-cost-"))
    nb = solution("01_mlp")
    numbers = {c.source.splitlines()[0][:60]: i for i, c in enumerate(nb.cells, start=1)
               if c.cell_type == "code" and c.source}
    for i in range(args.n):
        save(nb, root / "subs" / f"s{i}_01_mlp.ipynb")
    table = []
    print(f"machine: {os.cpu_count()} cores; uptime: {os.popen('uptime').read().strip()}",
          flush=True)
    try:
        if args.tf_import:
            print(f"import keras in a fresh interpreter: {tf_import():.2f} s", flush=True)
        for jobs in args.jobs:
            for config in args.configs:
                row = run(config, jobs, args.n, root, numbers)
                table.append(row)
                print(json.dumps(row, indent=1), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("\nconfig            jobs  wall s/sub  machine s/sub  per hour  load")
    for r in table:
        print(f"{r['config']:<17} {r['jobs']:>4} {r['wall_per_submission']:>11} "
              f"{r['machine_s_per_submission']:>14} {r['per_hour']:>9}  {r['load_before']}")
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
