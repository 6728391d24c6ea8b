"""What the sandbox costs: seconds per notebook-01 submission, with and without it.

Run from the repository root (not collected by pytest)::

    COURSEKIT_DATA_DIR=../shared/datasets python tests/bench_sandbox.py [N] [--reverse]

grades N (default 4) copies of notebook 01's solution, cut down to its graded
cells (the test suite's ``tiny`` notebook), four times side by side in one run:
``--jobs 1`` and ``--jobs 2``, each without and with the sandbox (``--reverse``:
with first), and prints the wall time per submission, the median of the
submissions' own times and the machine's load average before each.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_grading import save, solution, tiny

from coursekit.instructor.grading import grade


def main(argv: list[str]) -> dict[str, dict[str, float]]:
    n = int(next((a for a in argv if a.isdigit()), 4))
    order = (True, False) if "--reverse" in argv else (False, True)
    root = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    solved = tiny(solution("01_mlp"), "01_mlp")
    for i in range(n):
        save(solved, root / "subs" / f"s{i}_01_mlp.ipynb")
    table = {}
    try:
        for jobs in (1, 2):
            for sandbox in order:
                load = os.getloadavg()[0]
                started = time.monotonic()
                results = grade([root / "subs"], root / f"g-{sandbox}-{jobs}.csv", jobs=jobs,
                                sandbox=sandbox, progress=False, summary=False)
                wall = time.monotonic() - started
                assert all(r.status == "ok" and r.score == 3 for r in results)
                row = {"wall_per_submission": round(wall / n, 1),
                       "median_submission": round(statistics.median(
                           r.seconds for r in results), 1),
                       "load_before": round(load, 1)}
                table[f"jobs={jobs} sandbox={sandbox}"] = row
                print(f"jobs={jobs} sandbox={sandbox}: {row}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(table, indent=1))
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
