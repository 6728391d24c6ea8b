"""The ``coursekit`` command line.

Subcommands are registered in :data:`COMMANDS`, one ``add_*`` function each,
so later work (``build``, ``grade``, ``bench``) adds a function and a line.

Example
-------
::

    $ coursekit data info
    $ coursekit data fetch mnist cifar10
    $ coursekit data export /media/usb/datasets
    $ coursekit grade submissions/ --out grades.csv --jobs 2 --feedback feedback/
    $ coursekit grade submissions/ --out grades.csv --cluster tcp://scheduler:8786
    $ coursekit bench cnn-mnist --json bench.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from ..errors import CourseKitError

__all__ = ["COMMANDS", "main"]


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _info_rows(infos) -> list[list[str]]:
    return [[i.title, i.source,
             f"{i.train_count:,} / {i.test_count:,}" + (" SUBSET" if i.is_subset else ""),
             i.verified, i.path] for i in infos]


_HEADER = ["dataset", "source", "train / test", "verified", "path"]


def _data_info(args: argparse.Namespace) -> int:
    from .. import data, profiles

    mirror = data.mirror_dir()
    print(f"offline mirror : {mirror or 'not set'}  (environment variable COURSEKIT_DATA_DIR)")
    if mirror is not None and not mirror.is_dir():
        print(f"                 WARNING: {mirror} is not a folder")
    print(f"Keras cache    : {data.keras_cache_dir()}")
    print(f"profile        : {profiles.current().name}  (environment variable COURSEKIT_PROFILE)")
    print()
    rows, status = [], 0
    for name, spec in data.DATASETS.items():
        places = data.locate(name)
        if not places:
            rows.append([spec.title, "not on this machine", "-",
                         "-", "downloads through Keras on first use (needs internet)"])
            continue
        try:
            rows += _info_rows([data.local_info(name)])
        except CourseKitError as exc:
            status = 1
            rows.append([spec.title, places[0][0], "-", "CORRUPT", str(places[0][1].path)])
            print(exc, file=sys.stderr)
    print(_table(rows, _HEADER))
    return status


def _data_fetch(args: argparse.Namespace) -> int:
    from .. import data

    infos = data.fetch(args.names or None)
    print(_table(_info_rows(infos), _HEADER))
    return 0


def _data_export(args: argparse.Namespace) -> int:
    from .. import data

    infos = data.export(args.dir, args.names or None)
    if not infos:
        print("Nothing to export: no dataset is on this machine yet "
              "(run `coursekit data fetch` on a connected machine first).", file=sys.stderr)
        return 1
    print(f"Wrote an offline mirror to {args.dir}; use it with "
          f"COURSEKIT_DATA_DIR={args.dir}")
    print(_table(_info_rows(infos), _HEADER))
    return 0


def add_data(sub: argparse._SubParsersAction) -> None:
    """``coursekit data {info,fetch,export}``."""
    from ..data import DATASETS

    p = sub.add_parser("data", help="what data is here; fetch it; export an offline mirror")
    dsub = p.add_subparsers(dest="data_command", required=True, metavar="{info,fetch,export}")
    dsub.add_parser("info", help="what is available, where from, and whether it was verified"
                    ).set_defaults(func=_data_info)
    f = dsub.add_parser("fetch", help="download datasets into Keras's cache (needs internet)")
    f.add_argument("names", nargs="*", metavar="NAME",
                   help=f"datasets to fetch (default: all of {', '.join(DATASETS)})")
    f.set_defaults(func=_data_fetch)
    e = dsub.add_parser("export", help="write an offline mirror folder from what is here")
    e.add_argument("dir", metavar="DIR", help="folder to write (created if needed)")
    e.add_argument("names", nargs="*", metavar="NAME", help="datasets to export (default: all)")
    e.set_defaults(func=_data_export)


def _build(args: argparse.Namespace) -> int:
    from .build import build, execute_solutions

    if args.execute is not None:
        execute_solutions(args.root, args.execute or None, timeout=args.timeout)
    result = build(args.root, check=args.check)
    if args.check:
        if result.stale:
            print("notebooks are out of date; run `coursekit build`:", file=sys.stderr)
            for path in result.stale:
                print(f"  {path}", file=sys.stderr)
            return 1
        print("notebooks are up to date")
        return 0
    for path in result.written:
        print(f"wrote {path}")
    print(f"{len(result.written)} file(s) written" if result.written else "nothing to do")
    return 0


def add_build(sub: argparse._SubParsersAction) -> None:
    """``coursekit build [--check]``."""
    p = sub.add_parser("build", help="generate the exercise notebooks from the solutions")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if notebooks/ is out of date")
    p.add_argument("--root", default=".", help="the course repository (default: .)")
    p.add_argument("--execute", nargs="*", metavar="NN",
                   help="first run these solution notebooks (default: all) in the active "
                        "profile and save their outputs, printing each one's wall time")
    p.add_argument("--timeout", type=int, default=1800,
                   help="seconds allowed per cell with --execute (default: 1800)")
    p.set_defaults(func=_build)


def _grade(args: argparse.Namespace) -> int:
    from .grading import grade

    try:
        grade(args.submissions, args.out, timeout=args.timeout, jobs=args.jobs,
              hidden=args.hidden, feedback=args.feedback, force=args.force,
              profile=args.profile, memory_mb=args.memory_limit, reference=args.reference,
              progress=not args.no_progress, sandbox=not args.no_sandbox,
              cluster=args.cluster)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the rows already graded are in {args.out}; run the same "
              "command again to resume", file=sys.stderr)
        return 130
    return 0


def add_grade(sub: argparse._SubParsersAction) -> None:
    """``coursekit grade SUBMISSION... --out grades.csv [options]``."""
    p = sub.add_parser("grade", help="run and grade students' notebooks into a CSV gradebook")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help=".ipynb files, or folders of them (one per student)")
    p.add_argument("--out", required=True, help="the gradebook CSV (resumed if it exists)")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds for each notebook's cells together (default: 300)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default: 1)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="grade on Dask workers instead of --jobs: a scheduler's address "
                        "(tcp://HOST:8786) or local:N for N worker processes here; this "
                        "process alone writes the gradebook (see the README)")
    p.add_argument("--hidden", metavar="DIR", help="folder of hidden checks (*.py)")
    p.add_argument("--feedback", metavar="DIR", help="write a Markdown report per submission")
    p.add_argument("--force", action="store_true", help="regrade what the CSV already has")
    p.add_argument("--profile", choices=["quick", "full"], default="quick",
                   help="the course profile the notebooks run in (default: quick)")
    p.add_argument("--memory-limit", type=int, default=4096, metavar="MB",
                   help="memory limit of each notebook's kernel (default: 4096)")
    p.add_argument("--reference", metavar="DIR",
                   help="the course's solution notebooks (default: solutions/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the notebooks without the bubblewrap sandbox (UNSAFE: a "
                        "submission can then read the solutions and change your files)")
    p.set_defaults(func=_grade)


#: The tasks of :data:`coursekit.recipes.TASKS`, named here so that building the
#: parser does not import Keras (a test keeps the two lists equal).
BENCH_TASKS = ("mlp-mnist", "cnn-mnist", "cnn-fashion", "lstm-mnist", "cnn-cifar10")


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    if args.knobs:
        from . import knobs

        rows = knobs.run(args.tasks)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
            print(f"wrote {args.json}")
        return 0
    if args.choose:
        from . import choosing

        choosing.run(args.tasks, quick=args.quick, json_path=args.json)
        if args.json:
            print(f"wrote {args.json}")
        return 0
    bench.run(args.tasks, quick=args.quick, json_path=args.json)
    if args.json:
        print(f"wrote {args.json}")
    return 0


def add_bench(sub: argparse._SubParsersAction) -> None:
    """``coursekit bench [TASK...] [--json FILE] [--quick] [--knobs | --choose]``."""
    from .knobs import KNOBS  # light: Keras is imported only when a knob is measured

    p = sub.add_parser(
        "bench", help="time the original and the course recipes side by side",
        description="Train each task's original recipe and the course's recipe, one after "
                    "the other in fresh processes, and compare the training time to the "
                    "target accuracy, the final accuracy and the peak memory.")
    p.add_argument("tasks", nargs="*", metavar="TASK",
                   help=f"tasks to run (default: all): {', '.join(BENCH_TASKS)}")
    p.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    p.add_argument("--quick", action="store_true",
                   help="a machine check in about a minute: one epoch on 10,000 images per "
                        "recipe (default task: cnn-mnist); not a time-to-accuracy benchmark")
    p.add_argument("--knobs", action="store_true",
                   help="instead, time one epoch with and without each speed knob ("
                        f"{', '.join(KNOBS)}); names given are then knobs")
    p.add_argument("--choose", action="store_true",
                   help="instead, choose each course recipe's peak learning rate on a "
                        "validation split of the training images (x0.5, x1, x2); the test "
                        "set is not read")
    p.set_defaults(func=_bench)


#: Subcommand registrars, in ``coursekit --help`` order.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_data, add_build, add_grade, add_bench]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursekit", description="Tools for the coursekit deep-learning course.")
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 problem found, 2 error)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseKitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
