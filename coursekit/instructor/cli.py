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
    $ coursekit report grades.csv --canvas canvas.csv --moodle moodle.csv
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
    from .mirror import mirror_folder

    mirror = mirror_folder()
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
    from .mirror import fetch

    infos = fetch(args.names or None)
    print(_table(_info_rows(infos), _HEADER))
    return 0


def _data_export(args: argparse.Namespace) -> int:
    from .mirror import export

    infos = export(args.dir, args.names or None)
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
        execute_solutions(args.course, args.execute or None, timeout=args.timeout)
    result = build(args.course, check=args.check)
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
    """``coursekit build [--check] [--course DIR]``."""
    p = sub.add_parser("build", help="generate the exercise notebooks from the solutions")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if notebooks/ is out of date")
    p.add_argument("--course", "--root", dest="course", metavar="DIR",
                   help="the course folder: solutions/, checks/ and the notebooks/ it writes "
                        "(default: the current folder)")
    p.add_argument("--execute", nargs="*", metavar="NN",
                   help="first run these solution notebooks (default: all) in the active "
                        "profile and save their outputs, printing each one's wall time")
    p.add_argument("--timeout", type=int, default=1800,
                   help="seconds allowed per cell with --execute (default: 1800)")
    p.set_defaults(func=_build)


def _reference(args: argparse.Namespace) -> Path | None:
    """The solutions ``grade`` reads: ``--reference``, else the course's ``solutions/``."""
    if args.reference:
        return Path(args.reference)
    if args.course is not None:
        from .build import course_root

        return course_root(args.course) / "solutions"
    here = Path.cwd() / "solutions"
    return here if here.is_dir() else None  # None: the grader's default, this repository's


def _grade(args: argparse.Namespace) -> int:
    from .grading import grade

    reference = _reference(args)
    try:
        grade(args.submissions, args.out, timeout=args.timeout, jobs=args.jobs,
              hidden=args.hidden, feedback=args.feedback, force=args.force,
              profile=args.profile, memory_mb=args.memory_limit, reference=reference,
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
    p.add_argument("--jobs", type=int, default=1,
                   help="notebooks graded at once (default: 1); each kernel's TensorFlow "
                        "gets max(1, cores // jobs) threads")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="grade on Dask workers instead of --jobs: a scheduler's address "
                        "(tcp://HOST:8786) or local:N for N worker processes here; this "
                        "process alone writes the gradebook (see the README)")
    p.add_argument("--hidden", metavar="DIR", help="folder of hidden checks (*.py)")
    p.add_argument("--feedback", metavar="DIR", help="write a Markdown report per submission")
    p.add_argument("--force", action="store_true", help="regrade what the CSV already has")
    p.add_argument("--profile", choices=["quick", "grade", "full"], default="quick",
                   help="the course profile the notebooks run in (default: quick); grade: "
                        "the grader's own, a quarter of quick's samples (at least 300) for "
                        "notebooks 01, 02, 03 and 06 (quick for the others), with "
                        "thresholds measured for it: about 15%% less CPU on notebook 01, "
                        "looser checks")
    p.add_argument("--memory-limit", type=int, default=4096, metavar="MB",
                   help="memory limit of each notebook's kernel (default: 4096)")
    p.add_argument("--course", metavar="DIR",
                   help="the course folder: its solutions/ are the reference, its checks/ "
                        "are graded (default: the current folder if it has solutions/)")
    p.add_argument("--reference", metavar="DIR",
                   help="the solution notebooks, if not the course's solutions/ (their "
                        "folder's parent is the course: its checks/ are graded)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the notebooks without the bubblewrap sandbox (UNSAFE: a "
                        "submission can then read the solutions and change your files)")
    p.set_defaults(func=_grade)


def _report(args: argparse.Namespace) -> int:
    from .grading import export, report
    from .grading.results import read_rows

    rows, checks = read_rows(args.gradebook)
    out = Path(args.out) if args.out else Path(args.gradebook).with_suffix(".html")
    for option, path in (("--out", out), ("--canvas", args.canvas), ("--moodle", args.moodle)):
        if path and Path(path).resolve() == Path(args.gradebook).resolve():
            raise CourseKitError(f"{option} {path} is the gradebook itself: give another file")
    roster = export.read_roster(args.roster) if args.roster else None
    feedback = args.feedback
    if feedback is None:  # the README's layout: feedback/ beside the gradebook
        beside = Path(args.gradebook).parent / "feedback"
        feedback = beside if beside.is_dir() and any(beside.glob("*.md")) else None
    elif not Path(feedback).is_dir():
        raise CourseKitError(f"--feedback {feedback}: no such folder (give the folder "
                             "`coursekit grade --feedback` wrote)")
    result = report.build(rows, checks, roster=roster, feedback=feedback,
                          source=Path(args.gradebook).name)
    report.write(out, result)
    print(f"wrote {out}: {result.submissions} submissions, {len(result.totals.students)} "
          f"students, {len(result.needs_human)} need a human"
          + (f" (hints from {feedback}/)" if feedback else " (no feedback folder: no hints)"))
    for path, make in ((args.canvas, export.canvas_csv), (args.moodle, export.moodle_csv)):
        if path:
            export.write_csv(path, make(result.totals, roster))
            print(f"wrote {path}")
    return 0


def add_report(sub: argparse._SubParsersAction) -> None:
    """``coursekit report GRADES.csv [--out FILE] [--feedback DIR] [--roster FILE]
    [--canvas FILE] [--moodle FILE]``."""
    p = sub.add_parser(
        "report", help="a class report (HTML) of a gradebook; Canvas and Moodle grade imports",
        description="Write one self-contained HTML page from a gradebook that `coursekit grade` "
                    "wrote: the score distribution per notebook, each check's pass rate, the "
                    "most frequent failure hints per check, the students missing a notebook "
                    "and the submissions that need a human. Optionally export each student's "
                    "best score per notebook for a Canvas or Moodle grade import.",
        epilog="A roster CSV has a 'student' column (the name the gradebook gives, from the "
               "file name) and any of: name, id, sis_user_id, sis_login_id, section (Canvas), "
               "email, username, id_number (Moodle). Without one, the gradebook's names go in "
               "Canvas's 'SIS Login ID' and Moodle's 'Username', and the class is the "
               "students the gradebook names.")
    p.add_argument("gradebook", metavar="GRADES.csv", help="the gradebook `coursekit grade` wrote")
    p.add_argument("--out", metavar="FILE", help="the HTML page (default: GRADES.html)")
    p.add_argument("--feedback", metavar="DIR",
                   help="the folder `coursekit grade --feedback` wrote, for the hints "
                        "(default: feedback/ beside the gradebook, if there)")
    p.add_argument("--roster", metavar="FILE",
                   help="CSV of the class: student -> platform identifiers (below)")
    p.add_argument("--canvas", metavar="FILE", help="also write a Canvas grade import CSV")
    p.add_argument("--moodle", metavar="FILE", help="also write a Moodle grade import CSV")
    p.set_defaults(func=_report)


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
    from ..recipes import TASKS  # light, as knobs: Keras is imported only to build a model
    from .knobs import KNOBS

    p = sub.add_parser(
        "bench", help="time the original and the course recipes side by side",
        description="Train each task's original recipe and the course's recipe, one after "
                    "the other in fresh processes, and compare the training time to the "
                    "target accuracy, the final accuracy and the peak memory.")
    p.add_argument("tasks", nargs="*", metavar="TASK",
                   help=f"tasks to run (default: all): {', '.join(TASKS)}")
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
    add_data, add_build, add_grade, add_report, add_bench]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursekit", description="Tools for the coursekit deep-learning course.")
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


#: The instructor extra's packages, by the name they are imported as. A student's install
#: (``pip install coursekit``, no extra) may lack some (JupyterLab brings others); where one
#: is missing, :func:`main` says which and how to install it instead of a traceback.
INSTRUCTOR_IMPORTS = {"nbformat": "nbformat", "nbclient": "nbclient",
                      "jupyter_client": "jupyter_client", "ipykernel": "ipykernel",
                      "zmq": "pyzmq", "psutil": "psutil", "distributed": "distributed",
                      "dask": "distributed", "tomli": "tomli"}


def missing_extra_message(command: str, exc: ModuleNotFoundError) -> str | None:
    """The one line saying which instructor package ``command`` lacks; None if ``exc`` is
    about any other module (a real bug, which keeps its traceback).

    Example
    -------
    >>> print(missing_extra_message("grade", ModuleNotFoundError(name="psutil")))
    ... # doctest: +ELLIPSIS
    error: `coursekit grade` needs psutil, from the instructor extra: pip install "coursekit[...
    >>> missing_extra_message("grade", ModuleNotFoundError(name="numpyy")) is None
    True
    """
    package = INSTRUCTOR_IMPORTS.get((exc.name or "").partition(".")[0])
    if package is None:
        return None
    return (f"error: `coursekit {command}` needs {package}, from the instructor extra: "
            'pip install "coursekit[instructor]" (in a checkout: pip install -e ".[instructor]")')


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 problem found, 2 error)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseKitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        message = missing_extra_message(args.command, exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
