"""A grading run: many submissions, a pool of jobs, the gradebook, feedback, a summary.

:func:`grade` is what ``coursekit grade`` calls. Each submission runs in its
own kernel process; ``jobs`` threads of the grader drive that many kernels at
once (the threads only wait on kernels and judge small evidence, so they need
no process of their own). A row reaches the CSV, flushed, as soon as its
submission is graded, in whatever order they finish.

Before any kernel starts, the run takes an exclusive lock on the gradebook
(:class:`~coursekit.instructor.grading.results.GradebookLock`) and snapshots every
submission (:func:`~coursekit.instructor.grading.submissions.snapshot`): grading, hashes
and redaction use those copies only.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ...errors import CourseKitError
from . import feedback as fb
from .grader import Grader
from .redact import clean, exception_name
from .results import Gradebook, GradebookLock, Result
from .sandbox import Limits, kill_all_kernels, threads_per_kernel
from .submissions import Submission, find_submissions, snapshot

if TYPE_CHECKING:
    from .cluster import ClusterGrader

__all__ = ["grade", "summary_table"]


#: Of each submission, the redactor indexes this much text (its first cells).
SECRET_CHARS = 256 * 2**10


def _cell_sources(sub: Submission) -> list[str]:
    """The snapshot's cells, their first :data:`SECRET_CHARS` characters in all."""
    if sub.cells is None:
        return []
    out, left = [], SECRET_CHARS
    for cell in json.loads(sub.cells).get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        out.append(source[:left])
        left -= len(out[-1])
        if left <= 0:
            break
    return out


def _secrets(submissions: list[Submission]) -> list[str]:
    """Every submission's cells: no other student's result may quote them (the grader
    removes the course's public text, and each submission may quote its own)."""
    return [source for sub in submissions for source in _cell_sources(sub)]


def _feedback_names(submissions: list[Submission]) -> dict[str, str]:
    taken: set[str] = set()
    names = {}
    for sub in submissions:
        stem = sub.path.stem
        label = stem if stem.startswith(sub.student) else f"{sub.student}_{stem}"
        names[sub.label] = fb.feedback_name(label, taken)
    return names


def summary_table(rows: list[dict[str, str]]) -> str:
    """A plain-text table of gradebook rows (student, notebook, score, status)."""
    header = ["student", "notebook", "score", "status"]
    body = [[clean(r.get("student", ""), 40), clean(r.get("notebook", ""), 40) or "-",
             clean(f"{r.get('score', '')}/{r.get('max_score', '') or '?'}", 20),
             clean(r.get("status", ""), 70)] for r in rows]
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def grade(submissions: list[str | Path], out: str | Path, *, timeout: float = 300,
          jobs: int = 1, hidden: str | Path | None = None, feedback: str | Path | None = None,
          force: bool = False, profile: str = "quick", memory_mb: int = 4096,
          check_timeout: float = 60, reference: str | Path | None = None,
          progress: bool = True, summary: bool = True,
          stream: TextIO | None = None, sandbox: bool = True,
          cluster: str | None = None) -> list[Result]:
    """Grade submissions into the CSV ``out``; return this run's results.

    Parameters
    ----------
    submissions : list of paths
        ``.ipynb`` files or folders of them.
    out : path
        The gradebook CSV (created, or resumed: rows already there for the
        same file content and checks are kept and not regraded unless ``force``).
    timeout : float
        Wall-clock seconds for each submission's cells together.
    jobs : int
        Submissions graded at once (one kernel each); each kernel's TensorFlow
        gets max(1, cores // jobs) threads (:func:`~.sandbox.threads_per_kernel`).
    hidden : path, optional
        Folder of hidden checks.
    feedback : path, optional
        Folder for one Markdown report per submission.
    force : bool
        Regrade submissions already in the gradebook.
    profile : {"quick", "grade", "full"}
        The course profile the notebooks run in (``grade``: the grader's own, see
        :func:`coursekit.profiles.for_notebook`).
    memory_mb : int
        Memory limit of each kernel (resident, whole process tree).
    check_timeout : float
        Seconds each check may take when it calls the student's code.
    reference : path, optional
        The course's solution notebooks (default: ``solutions/``).
    progress : bool
        Show a progress bar (tqdm, on stderr).
    summary : bool
        Print the summary table at the end.
    stream : file, optional
        Where the summary goes (default: stdout).
    sandbox : bool
        Run each kernel in bubblewrap (refuses, saying what to install, where
        it cannot run); False (``--no-sandbox``) runs them unconfined.
    cluster : str, optional
        Grade on Dask workers instead of ``jobs`` local threads: ``"local:N"``
        (N worker processes on this machine) or a scheduler's address such as
        ``"tcp://host:8786"`` (:mod:`~coursekit.instructor.grading.cluster`). Only this
        process writes the gradebook; workers grade in their own sandboxes.
    """
    if jobs < 1:
        raise CourseKitError(f"--jobs {jobs}: expected at least 1")
    if timeout <= 0:
        raise CourseKitError(f"--timeout {timeout}: expected a positive number of seconds")
    if cluster is not None:
        from .cluster import parse_cluster

        parse_cluster(cluster)
        if jobs > 1:
            raise CourseKitError(f"--jobs {jobs} and --cluster: give one (a cluster grades as "
                                 "many submissions at once as its workers have threads)")
        if not sandbox:
            raise CourseKitError("--no-sandbox and --cluster: workers grade in bubblewrap only")
    subs = find_submissions(list(submissions))
    if not subs:
        raise CourseKitError("no submissions found (give .ipynb files or folders of them)")
    limits = Limits(timeout=float(timeout), memory_mb=int(memory_mb),
                    check_timeout=float(check_timeout), threads=threads_per_kernel(jobs))
    with GradebookLock(out):
        return _run(subs, out, limits, jobs=jobs, hidden=hidden, feedback=feedback,
                    force=force, profile=profile, reference=reference, progress=progress,
                    summary=summary, stream=stream, sandbox=sandbox, cluster=cluster)


def _run(subs: list[Submission], out: str | Path, limits: Limits, *, jobs: int,
         hidden: str | Path | None, feedback: str | Path | None, force: bool, profile: str,
         reference: str | Path | None, progress: bool, summary: bool,
         stream: TextIO | None, sandbox: bool, cluster: str | None = None) -> list[Result]:
    """:func:`grade` once the gradebook is locked."""
    from tqdm.auto import tqdm

    subs = [snapshot(sub) for sub in subs]  # before any kernel starts
    if cluster is None:
        grader: Grader | ClusterGrader = Grader(reference, hidden, limits, profile,
                                                sandbox=sandbox)
    else:
        from .cluster import ClusterGrader

        grader = ClusterGrader(cluster, reference, hidden, limits, profile)
    if not sandbox:  # a sandboxed kernel cannot read the other submissions
        for secret in _secrets(subs):
            grader.redactor.add(secret)
    book = Gradebook(out)
    if book.untrusted:
        shown = ", ".join(clean(Path(label).name, 60) for label in book.untrusted[:5])
        more = f" and {len(book.untrusted) - 5} more" if len(book.untrusted) > 5 else ""
        print(f"warning: {len(book.untrusted)} row(s) of {clean(str(out))} have no valid "
              f"signature (not written by this grader, or edited since): {shown}{more}; "
              "they are ignored and graded again", file=sys.stderr)
    names = _feedback_names(subs)
    feedback_dir = Path(feedback) if feedback else None

    todo, skipped = [], []
    for sub in subs:
        row = book.rows.get(sub.label)
        notebook = row.get("notebook", "") if row else ""
        if not force and book.graded(sub.label, sub.sha256, grader.check_ids(notebook)):
            skipped.append(sub)
        else:
            todo.append(sub)

    results: list[Result] = []
    bar = tqdm(total=len(todo), desc="grading", unit="notebook", disable=not progress,
               file=sys.stderr)

    def record(sub: Submission, result: Result) -> None:
        """The one place a result is written (thread pool and cluster alike)."""
        results.append(result)
        book.add(result)
        if feedback_dir is not None:
            fb.write(feedback_dir, names[sub.label], result, grader.title(result.notebook))
        bar.set_postfix_str(clean(f"{result.student}: {result.status}", 40))
        bar.update()

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade")
    pending: dict[Future[Result], Submission] = {}
    try:
        queue = list(todo)
        if not isinstance(grader, Grader):  # a cluster: its workers grade, this process writes
            grader.grade_all(queue, record)
            queue = []
        while queue or pending:
            while queue and len(pending) < jobs:
                sub = queue.pop(0)
                pending[pool.submit(grader.grade, sub)] = sub
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                sub = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # pragma: no cover - grade() does not raise
                    result = Result(sub.label, sub.student, "", "grader error: "
                                    f"{exception_name(type(exc).__name__) or 'an exception'}")
                record(sub, result)
    except BaseException:
        for future in pending:
            future.cancel()
        kill_all_kernels()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        grader.close()
        bar.close()
        if book.rows:
            book.rewrite()

    if summary:
        out_stream = stream or sys.stdout
        order = [s.label for s in subs]
        rows = [book.rows[label] for label in order if label in book.rows]
        print(summary_table(rows), file=out_stream)
        counts = Counter(r.run_status.brief for r in results)
        parts = ", ".join(f"{n} {k}" for k, n in counts.most_common())
        print(f"\n{len(results)} graded ({clean(parts) or 'none'}), {len(skipped)} already in "
              f"{clean(Path(out).name)} (--force regrades them). Gradebook: {clean(str(out))}",
              file=out_stream)
        if feedback_dir is not None:
            print(f"Feedback: {feedback_dir}/", file=out_stream)
    return results
