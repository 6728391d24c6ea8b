"""Grading one submission: read, identify, execute, judge.

:class:`Grader` is built once per run, in the grader's process, before any
kernel starts: it checks that the sandbox works (:func:`~coursekit.instructor.grading.
bwrap.require_sandbox`, unless ``sandbox=False``), loads the course's checks
(coursekit's own, and those of the course folder's ``checks/``: the folder holding
the reference ``solutions/``), the reference notebooks, the hidden checks, and the
source text kernels will
get (per notebook: only the check modules its checks need, hidden checks cut
down to their ``collect``), and starts the judging process
(:class:`~coursekit.instructor.grading.judging.JudgeProcess`, the only place ``judge``
ever runs). Then :meth:`Grader.grade` grades one
:class:`~coursekit.instructor.grading.submissions.Submission` into a
:class:`~coursekit.instructor.grading.results.Result`; it never raises.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ...checks import REGISTRY, Check, Verdict, all_checks, load_course
from ...checks._builtin import (
    COURSE_MODULE_PREFIX,
    course_check_files,
    module_name,
    unload_course,
)
from ...errors import CourseKitError
from ...profiles import PROFILES, for_notebook
from ..build import BEGIN, strip_solutions
from .bwrap import require_sandbox
from .evidence import Outcome
from .execute import Execution, KernelCheck, execute
from .hidden import HiddenCheck, collect_source, load_hidden_checks
from .judging import JudgeProcess
from .redact import Redactor, clean, exception_name
from .reference import ReferenceNotebook, default_reference_dir, identify, load_references
from .results import Result
from .sandbox import Limits
from .status import RunStatus, Status
from .submissions import Submission, snapshot
from .templates import Templates

__all__ = ["CheckPlan", "Grader", "verdict_from"]

_CORE = "coursekit.checks._core"
_JUDGE_LOCK = threading.Lock()
_LOG = logging.getLogger("coursekit.instructor.grading")
#: What feedback says when a check's message is not one of its templates.
UNSHOWN_FAIL = "your answer did not pass this check."
UNSHOWN_HINT = "run the check cell in your notebook to see why"
UNSHOWN_PASS = "passed."
#: The most characters a value may have in a message that came from a kernel.
KERNEL_VALUE_CHARS = 60


@functools.cache
def refusal_templates() -> Templates:
    """The messages the evidence encoder (kernel side) and reader (grader side) write."""
    from . import _kernel_side, evidence

    return Templates(Path(m.__file__).read_text(encoding="utf-8")
                     for m in (_kernel_side, evidence))


def _exception(name: str) -> str:
    return exception_name(name) or "an exception"


@dataclass(frozen=True)
class CheckPlan:
    """How one check of a notebook is graded.

    ``kernel`` says what the kernel collects (None when the check reuses the
    evidence of the visible check ``reuses``, or when it cannot be collected,
    ``problem`` then saying why).
    """

    check: Check
    hidden: bool
    kernel: KernelCheck | None
    reuses: str | None = None
    problem: str | None = None

    @property
    def check_id(self) -> str:
        return self.check.id


def _imported_checks(source: str) -> list[str]:
    """The ``coursekit.checks`` modules a check module imports (``from .nb03 import ...``)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                out.append(f"coursekit.checks.{node.module}")
            elif node.level == 1:  # from . import _cell_status
                out += [f"coursekit.checks.{alias.name}" for alias in node.names]
            elif node.level == 0 and (node.module or "").startswith("coursekit.checks."):
                out.append(node.module or "")
    return out


def verdict_from(check: Check, outcome: Outcome, check_timeout: float) -> Verdict:
    """The grader's verdict on what the kernel reported; ``judge`` only sees evidence."""
    kind = outcome.kind
    if kind == "evidence":
        with _JUDGE_LOCK:
            return check.decide(outcome.evidence)
    if kind == "missing":
        _, failed = check.gather(None)
        return failed if failed is not None else check.fail(f"expected {check.expects}.")
    if kind == "failed":  # the kernel's words: Grader keeps them only if a template fits
        return check.fail(outcome.message, outcome.hint)
    if kind == "raised":  # the exception's class, never its message
        return check.fail(f"your code raised {_exception(outcome.exc_type)}",
                          hint="run your answer on a small example and read the error")
    if kind == "interrupted":
        return check.fail(f"your code took longer than {check_timeout:g} s when the check "
                          "called it.", hint="look for a loop that never ends")
    if kind == "refused":
        reason = refusal_templates().render(outcome.message)
        return check.fail(f"your answer could not be graded: {reason}" if reason else
                          "your answer could not be graded.",
                          hint="use standard Keras layers, NumPy arrays, numbers and lists")
    if kind == "error":
        return check.fail("the grader could not collect this answer.",
                          hint="your instructor will look into it")
    return check.fail("not graded: the notebook stopped before this check could run.",
                      hint="make the whole notebook run from top to bottom")


class Grader:
    """Everything a grading run needs, loaded once in the grader's own process.

    Parameters
    ----------
    reference_dir : path, optional
        The course's solution notebooks (default: ``solutions/`` of this
        repository). Their folder's parent is the course folder: the checks of its
        ``checks/*.py`` are graded too (sent to kernels as source text, like
        coursekit's own check modules, and loaded by the judging process).
    hidden_dir : path, optional
        A folder of hidden checks (see :mod:`coursekit.instructor.grading.hidden`).
    limits : Limits
    profile : {"grade", "quick", "full"}
        The course profile the notebooks run in (``grade``: the grader's own, smaller
        than ``quick``; see :mod:`coursekit.profiles`).
    secrets : iterable of str
        Texts no result may quote (other students' cells); the hidden checks'
        files are added.
    sandbox : bool
        Run every kernel in bubblewrap (the default; raises
        :class:`~coursekit.instructor.grading.bwrap.SandboxUnavailable` saying what to
        install where it cannot run). False runs them unconfined and warns.
    """

    def __init__(self, reference_dir: str | Path | None = None,
                 hidden_dir: str | Path | None = None, limits: Limits | None = None,
                 profile: str = "quick", secrets: list[str] | tuple[str, ...] = (),
                 sandbox: bool = True) -> None:
        if profile not in PROFILES:
            raise CourseKitError(f"profile {profile!r}: expected 'grade', 'quick' or 'full'")
        self.sandbox = bool(sandbox)
        if self.sandbox:
            require_sandbox()
        else:
            print("WARNING: --no-sandbox: every submission runs UNCONFINED, as your user: it "
                  "can read and change your files (solutions, hidden checks, gradebook), "
                  "use the network and leave processes behind. Grade only code you trust.",
                  file=sys.stderr)
        self.limits = limits or Limits()
        self.profile = profile
        folder = Path(reference_dir) if reference_dir else default_reference_dir()
        if folder is None:
            raise CourseKitError("no reference notebooks found: run the command in your course "
                                 "folder (the one holding solutions/), or pass --course DIR")
        self.references: dict[str, ReferenceNotebook] = load_references(folder)
        self.course = folder.resolve().parent
        self.course_files = course_check_files(self.course)
        all_checks()
        load_course(self.course)  # and drops the checks of a course loaded before
        self.visible: dict[str, Check] = {cid: c for cid, c in sorted(REGISTRY.items())
                                          if not c.hidden}
        self.hidden: dict[str, HiddenCheck] = (load_hidden_checks(hidden_dir)
                                               if hidden_dir else {})
        self.sources = self._check_sources()
        self.templates = self._templates()
        self.redactor = Redactor(secrets, public=self._public_texts())
        for hidden in self.hidden.values():
            self.redactor.add(hidden.source)
        if hidden_dir:
            for path in Path(hidden_dir).rglob("*"):
                if path.is_file() and path.stat().st_size < 2**20:
                    with contextlib.suppress(OSError, UnicodeDecodeError):
                        self.redactor.add(path.read_text(encoding="utf-8"))
        self.plans = {stem: self._plan(stem) for stem in self.references}
        self.kernel_sources = {stem: self._kernel_sources(stem) for stem in self.references}
        self.judging = JudgeProcess(hidden_dir, timeout=max(60.0, self.limits.check_timeout),
                                    profile=profile,
                                    course=self.course if self.course_files else None)

    def close(self) -> None:
        """Stop the judging process (the grader is done); unregister the course's checks."""
        self.judging.close()
        if self.course_files:
            unload_course()

    # -- set-up ---------------------------------------------------------------------------
    def _check_sources(self) -> dict[str, str]:
        """Source text of every check module, read now, before any kernel runs."""
        import coursekit.checks as package

        folder = Path(package.__file__).parent
        sources = {}
        for path in sorted(folder.glob("*.py")):
            if path.stem in ("__init__", "_builtin"):
                continue
            sources[f"coursekit.checks.{path.stem}"] = path.read_text(encoding="utf-8")
        for path in self.course_files:  # the course's checks: as public as coursekit's
            sources[module_name(path)] = path.read_text(encoding="utf-8")
        collected: dict[str, list[HiddenCheck]] = {}
        for hidden in self.hidden.values():
            if hidden.own_collect or not hidden.reuses:
                collected.setdefault(hidden.module, []).append(hidden)
        for module, checks in collected.items():
            sources[module] = collect_source(checks[0].source, [h.qualname for h in checks])
        return sources

    def _templates(self) -> dict[str, Templates]:
        """Per check module, the messages its checks may show: the module's own strings,
        the check machinery's and this module's (read now, before any kernel runs)."""
        common = Templates([self.sources[_CORE], Path(__file__).read_text(encoding="utf-8")])
        refusal_templates()
        return {name: Templates([source], also=common) for name, source in self.sources.items()
                if name != _CORE}

    def _kernel_sources(self, stem: str) -> dict[str, str]:
        """The sources one notebook's kernels get: its checks' modules and what they import."""
        needed = [_CORE, *(p.kernel.module for p in self.plans[stem] if p.kernel is not None)]
        out: dict[str, str] = {}
        while needed:
            name = needed.pop()
            if name in out or name not in self.sources:
                continue
            out[name] = self.sources[name]
            needed += _imported_checks(self.sources[name])
        return out

    def _public_texts(self) -> list[str]:
        """The course's own text: notebooks (solved and blank) and visible check modules."""
        texts = [text for name, text in self.sources.items()
                 if name.startswith(("coursekit.checks.", COURSE_MODULE_PREFIX))]
        for ref in self.references.values():
            nb = nbformat.read(ref.path, as_version=4)
            for cell in nb.cells:
                texts.append(cell.source)
                if cell.cell_type == "code" and BEGIN in cell.source:
                    with contextlib.suppress(ValueError):
                        texts.append(strip_solutions(cell.source))
        return texts

    def _plan(self, stem: str) -> list[CheckPlan]:
        ref = self.references[stem]
        order = list(ref.expressions)
        visible = sorted((c for c in self.visible.values() if c.notebook == stem),
                         key=lambda c: (order.index(c.id) if c.id in order else len(order),
                                        c.id))
        plans = []
        for check in visible:
            cls = type(check)
            expression = ref.expressions.get(check.id)
            if expression is None:
                plans.append(CheckPlan(check, False, None,
                                       problem="the reference notebook has no check cell "
                                               "for it"))
                continue
            plans.append(CheckPlan(check, False, KernelCheck(check.id, expression,
                                                             cls.__module__, cls.__qualname__)))
        for hidden in (h for h in self.hidden.values() if h.check.notebook == stem):
            if hidden.reuses:
                problem = None if hidden.reuses in ref.expressions else \
                    f"its target {hidden.reuses} is not a check of {stem}"
                plans.append(CheckPlan(hidden.check, True, None, reuses=hidden.reuses,
                                       problem=problem))
                continue
            target = hidden.target
            if target in ref.expressions:
                target = ref.expressions[target]
            elif target[:2].isdigit() and "." in target:
                plans.append(CheckPlan(hidden.check, True, None,
                                       problem=f"its target {target} is not a check of {stem}"))
                continue
            plans.append(CheckPlan(hidden.check, True, KernelCheck(
                hidden.check.id, target, hidden.module, hidden.qualname)))
        return plans

    def check_ids(self, stem: str) -> list[str]:
        """The CSV columns of a notebook: its visible then hidden check ids."""
        return [p.check_id for p in self.plans.get(stem, [])]

    def title(self, stem: str) -> str:
        ref = self.references.get(stem)
        return ref.title if ref else stem

    # -- grading --------------------------------------------------------------------------
    def grade(self, submission: Submission) -> Result:
        """Grade one submission (never raises: a grader bug becomes a status)."""
        started = time.monotonic()
        submission = snapshot(submission)  # no-op when the run took its snapshot already
        try:
            result = self._grade(submission)
        except Exception as exc:  # a bug of ours must not stop the batch
            _LOG.warning("grader error on %s: %s", clean(submission.label),
                         clean(f"{type(exc).__name__}: {exc}", 300))
            result = Result(submission.label, submission.student, "",
                            str(RunStatus(Status.GRADER_ERROR, exception=type(exc).__name__)),
                            sha256=submission.sha256)
        result.seconds = time.monotonic() - started
        return result

    def _grade(self, submission: Submission) -> Result:
        base = {"submission": submission.label, "student": submission.student,
                "sha256": submission.sha256}
        if submission.cells is None:
            return Result(notebook="", status=submission.problem or "not a notebook", **base)
        nb = nbformat.reads(submission.cells, as_version=4)
        found = identify(nb, self.references)
        if found.notebook is None:
            return Result(notebook="", status=found.problem or "unknown notebook", **base)
        stem = found.notebook
        plans = self.plans[stem]
        hidden = {p.check_id for p in plans if p.hidden}
        max_score = float(sum(p.check.points for p in plans))
        if found.problem:
            verdicts = [p.check.fail(f"not graded: {found.problem}.") for p in plans]
            return Result(notebook=stem, status=found.problem, verdicts=verdicts, hidden=hidden,
                          max_score=max_score, **base)
        kernel_checks = [p.kernel for p in plans if p.kernel is not None]
        wanted = sorted({_CORE, *(k.module for k in kernel_checks)})
        name = submission.path.name if submission.path.suffix == ".ipynb" else "submission.ipynb"
        run = execute(nb, name, kernel_checks, self.kernel_sources[stem], wanted, self.limits,
                      for_notebook(stem, self.profile), sandboxed=self.sandbox)
        try:
            verdicts = [self._verdict(p, run) for p in plans]
        finally:
            run.cleanup()
        own = "\n".join(c.get("source", "") for c in nb.cells)
        verdicts = [self._redact(v, own, p) for v, p in zip(verdicts, plans, strict=True)]
        return Result(notebook=stem, status=self._status(run, own), verdicts=verdicts,
                      hidden=hidden, max_score=max_score, **base)

    def _verdict(self, plan: CheckPlan, run: Execution) -> Verdict:
        check = plan.check
        if plan.problem:
            return check.fail(f"not graded: {plan.problem}.")
        source_id = plan.reuses or plan.check_id
        folder = run.folders.get(source_id)
        if folder is None and run.status != "ok":
            return check.fail(f"not graded: the notebook stopped ({run.status}) before "
                              "this check could run.",
                              hint="make the whole notebook run within the limits")
        verdict, kind = self.judging.judge_outcome(check, folder, self.limits.evidence_mb * 2**20,
                                                   self.limits.check_timeout)
        if kind == "failed":  # every word came from the kernel: shorter values
            verdict = self._grader_words(verdict, plan, KERNEL_VALUE_CHARS)
        return verdict

    def _grader_words(self, verdict: Verdict, plan: CheckPlan | None,
                      value_chars: int | None = None) -> Verdict:
        """The verdict with the grader's texts only: its message and hint rebuilt from the
        check's templates (each value at most ``value_chars`` characters, cleaned), else
        a generic sentence of the grader's."""
        templates = self.templates.get(type(plan.check).__module__) if plan else None
        message = templates.render(verdict.message, value_chars) \
            if templates and verdict.message else None
        hint = templates.render(verdict.hint, value_chars) if templates and verdict.hint else ""
        if message is None:
            message = UNSHOWN_PASS if verdict.passed else UNSHOWN_FAIL
            hint = "" if verdict.passed else UNSHOWN_HINT
        return Verdict(verdict.check_id, verdict.passed, message, hint or "", verdict.points,
                       verdict.max_points)

    def _redact(self, verdict: Verdict, own: str, plan: CheckPlan | None = None) -> Verdict:
        """:meth:`_grader_words`, then copies of other students' and hidden texts redacted."""
        verdict = self._grader_words(verdict, plan)
        return Verdict(verdict.check_id, verdict.passed,
                       self.redactor(clean(verdict.message, 600), own),
                       self.redactor(clean(verdict.hint, 300), own), verdict.points,
                       verdict.max_points)

    def _status(self, run: Execution, own: str) -> str:
        """The grader's words for how the notebook ran; of a cell's error, only the
        exception's class name (validated), never its message."""
        status = RunStatus.parse(run.status)
        if status.kind is Status.GRADER_ERROR:  # its message is dropped: the class name only
            return str(RunStatus(Status.GRADER_ERROR, exception=status.exception))
        if status.kind is not Status.OK:
            return clean(str(status), 80)
        if run.error is None:
            return str(status)
        number, ename, _message = run.error
        return str(RunStatus(Status.CELL_ERROR, cell=int(number), exception=ename))
