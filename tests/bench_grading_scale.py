"""What scaling out buys: notebook-01 submissions per hour with ``--jobs 1``, ``--jobs 2``
and a 2-worker local Dask cluster, side by side in one run.

Run from the repository root (not collected by pytest)::

    COURSEKIT_DATA_DIR=../shared/datasets .venv/bin/python tests/bench_grading_scale.py \\
        [--count 20] [--tiny] [--json scale.json]

It writes ``--count`` submissions of notebook 01 (default 20), a mix in turn of
the solution, the blank exercise and two typical wrong answers (parameters
counted without biases, one hidden layer too many: the helpers of
tests/test_grading_cluster.py), whole notebooks in the quick profile, or with
``--tiny`` cut down to their build exercises (no data, no training). It first
grades one solution alone, to warm the disk caches and to print an estimate of
the whole run; then grades the batch three times into fresh gradebooks:
``--jobs 1``, ``--jobs 2``, ``--cluster local:2``; then times a second
``--cluster local:2`` run with nothing left to grade (the cluster's start-up:
scheduler, two workers, the course sent, their graders built). It prints the
machine (cores, CPU model, memory), the load average before each run, a table
(seconds per submission, submissions per hour, ratio to ``--jobs 1``, machine
time per submission: cores x seconds), whether the three gradebooks agree
(scores, statuses, per-check points), and the projection for 2,100
submissions (300 students x 7 notebooks) on one such machine and on 20.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_grading import read_csv
from test_grading_cluster import KINDS, write_class

from coursekit.instructor.grading import grade
from coursekit.profiles import machine

#: A class of 300 students handing in the course's seven notebooks.
CLASS = 2100
MACHINES = 20
RUNS = (("--jobs 1", {"jobs": 1}), ("--jobs 2", {"jobs": 2}),
        ("--cluster local:2", {"cluster": "local:2"}))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def essentials(path: Path) -> dict[str, dict[str, str]]:
    """The gradebook by file name, without its timing and signature."""
    return {Path(r["submission"]).name: {k: v for k, v in r.items()
                                         if k not in ("seconds", "signature", "submission")}
            for r in read_csv(path)}


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20, help="submissions (default: 20)")
    parser.add_argument("--tiny", action="store_true",
                        help="cut each notebook down to its build exercises (no training)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds per submission (default: 600)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count: expected at least 1")
    full = not args.tiny
    root = Path(tempfile.mkdtemp(prefix="ck-scale-"))
    report: dict = {"machine": machine(), "count": args.count,
                    "notebook": "01_mlp" + ("" if full else " (tiny)"), "runs": {}}
    cores = os.cpu_count() or 1
    try:
        print("machine: " + report["machine"],
              flush=True)
        paths = write_class(root / "subs", args.count, KINDS, full=full)
        kinds = {k: sum(1 for p in paths if f"_{k}_" in p.name) for k in KINDS}
        print(f"batch: {args.count} notebook-01 submissions ("
              + ", ".join(f"{n} {k}" for k, n in kinds.items() if n) + "), "
              + ("whole notebooks, quick profile" if full else "tiny (build exercises only)"),
              flush=True)
        write_class(root / "warm", 1, ("solution",), full=full)
        before = load()
        started = time.monotonic()
        grade([root / "warm"], root / "warm.csv", timeout=args.timeout, progress=False,
              summary=False)
        one = time.monotonic() - started
        # --jobs 1, then two runs that each take at most about as long, plus a cluster start
        estimate = one * args.count * 3 + 120
        print(f"warm-up: one solution in {one:.0f} s (load before {before}); the three runs "
              f"should take about {hours(estimate)} in all (at most {args.count} x {one:.0f} s "
              "each, plus the cluster's start-up)", flush=True)
        for name, options in RUNS:
            before = load()
            started = time.monotonic()
            results = grade([root / "subs"], root / f"{name.split()[-1]}.csv",
                            timeout=args.timeout, progress=False, summary=False, **options)
            wall = time.monotonic() - started
            assert len(results) == args.count, (name, len(results))
            report["runs"][name] = {"wall_s": round(wall, 1), "load_before": before,
                                    "statuses": sorted({r.status for r in results})}
            print(f"{name}: {wall:.0f} s for {args.count} (load before {before})", flush=True)
        before = load()
        started = time.monotonic()
        assert grade([root / "subs"], root / "local:2.csv", progress=False, summary=False,
                     cluster="local:2") == []
        startup = time.monotonic() - started
        report["cluster_startup_s"] = round(startup, 1)
        print(f"--cluster local:2 with nothing to grade: {startup:.0f} s (load before {before})",
              flush=True)
        books = [essentials(root / f"{name.split()[-1]}.csv") for name, _ in RUNS]
        report["identical"] = all(book == books[0] for book in books)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    base = report["runs"]["--jobs 1"]["wall_s"] / args.count
    header = ["run", "s/submission", "submissions/hour", "x --jobs 1", "core-s/submission",
              "load before (1, 5, 15 min)"]
    rows = []
    for name, run in report["runs"].items():
        per = run["wall_s"] / args.count
        run.update(s_per_submission=round(per, 1), per_hour=round(3600 / per),
                   ratio=round(base / per, 2))
        rows.append([name, f"{per:.1f}", f"{3600 / per:.0f}", f"{base / per:.2f}",
                     f"{per * cores:.0f}", run["load_before"]])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(f"\nthe three gradebooks agree (scores, statuses, per-check points): "
          f"{'yes' if report['identical'] else 'NO'}")

    cluster = report["runs"]["--cluster local:2"]
    steady = max(cluster["wall_s"] - startup, 1e-9) / args.count  # s per submission, warm
    one_machine = startup + CLASS * steady
    many = startup + CLASS * steady / MACHINES
    report["projection"] = {"one_machine_h": round(one_machine / 3600, 2),
                            f"{MACHINES}_machines_h": round(many / 3600, 2)}
    print(f"\nprojection for {CLASS:,} submissions like these, from the --cluster local:2 run "
          f"({steady:.1f} s per submission once started, {startup:.0f} s to start):\n"
          f"  one such machine (2 workers):      {hours(one_machine)}\n"
          f"  {MACHINES} such machines (40 workers):   {hours(many)}\n"
          "assumes: every machine like this one with two single-threaded workers; the "
          "scheduler's and network's overhead per submission as measured here on loopback "
          "(not across machines); the course (about 5 MB) sent once per worker; the rest of "
          "the course's notebooks as costly as notebook 01 (they are not: measure them).")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(f"wrote {args.json}")
    return report


if __name__ == "__main__":
    main()
