"""A class report: one self-contained HTML page an instructor reads at a glance.

:func:`build` reads a gradebook (and, if given, the feedback folder and a
roster) and :func:`render` writes the page: the score distribution of each
notebook (a seaborn plot), each check's pass rate, the hints the class was
given most often per check (what to teach again), the students missing a
notebook, and the submissions that need a human (their
:attr:`~coursekit.instructor.grading.status.RunStatus.needs_human`).

The page has no script, no external link and no external resource: CSS inline,
plots as SVG in ``data:`` images, and a Content-Security-Policy that forbids
scripts, so it opens from a mail attachment or ``file://`` as it is. Every
text in it went through :func:`~coursekit.instructor.grading.redact.clean`
and :func:`html.escape`: student names come from file names, and check
messages may quote a student's values. Nothing a notebook printed is read:
the hints are the grader's, from the feedback files
(:func:`~coursekit.instructor.grading.feedback.read_verdicts`).

Example
-------
>>> rows = [{"submission": "a.ipynb", "student": "<b>ann</b>", "notebook": "01_mlp",
...          "score": "2", "max_score": "3", "status": "timeout", "01.build_mlp": "2"}]
>>> r = build(rows, ["01.build_mlp"])
>>> [(c.check_id, c.passed, c.graded) for c in r.checks], r.needs_human[0].status
([('01.build_mlp', 1, 1)], 'timeout')
>>> "&lt;b&gt;ann&lt;/b&gt;" in render(r, plots=False)
True
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .export import Person, Totals
from .feedback import read_verdicts
from .redact import clean
from .status import RunStatus

__all__ = ["CheckRate", "ClassReport", "HumanCase", "build", "render", "write"]

#: Hints shown per check, most frequent first.
TOP_HINTS = 3
#: A feedback folder holds at most this many files that are read (each at most 1 MB).
MAX_FEEDBACK_FILES = 100_000


@dataclass(frozen=True)
class CheckRate:
    """How a check went: ``passed`` of ``graded`` submissions that have its column."""

    check_id: str
    notebook: str
    passed: int
    graded: int

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class HumanCase:
    """A submission whose status needs a human."""

    student: str
    notebook: str
    status: str
    submission: str
    score: str


@dataclass
class ClassReport:
    """What the page shows (built by :func:`build`)."""

    source: str
    submissions: int
    totals: Totals
    scores: dict[str, list[float]]
    checks: list[CheckRate]
    hints: dict[str, list[tuple[str, int]]]
    failures: dict[str, int]
    missing: dict[str, list[str]]
    needs_human: list[HumanCase]
    statuses: Counter[str] = field(default_factory=Counter)
    feedback: str = ""


def _float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _notebook_of(check_id: str, rows: list[Mapping[str, str]]) -> str:
    for row in rows:
        if row.get(check_id, "") != "" and row.get("notebook"):
            return row["notebook"]
    return ""


def read_hints(folder: str | Path) -> tuple[dict[str, list[tuple[str, int]]], dict[str, int]]:
    """The most frequent hints per check in a feedback folder, and each check's number of
    failed verdicts there ("not graded" ones, whose cause is the run, left out)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    failures: Counter[str] = Counter()
    paths = sorted(Path(folder).glob("*.md"))[:MAX_FEEDBACK_FILES]
    for path in paths:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read(2**20)
        except OSError:
            continue
        for v in read_verdicts(text):
            if v.passed or v.message.startswith("not graded"):
                continue
            failures[v.check_id] += 1
            counts[v.check_id][clean(v.hint or v.message, 300)] += 1
    hints = {cid: c.most_common(TOP_HINTS) for cid, c in counts.items()}
    return hints, dict(failures)


def build(rows: list[Mapping[str, str]], checks: list[str], *,
          roster: Mapping[str, Person] | None = None, feedback: str | Path | None = None,
          source: str = "grades.csv") -> ClassReport:
    """The report of gradebook ``rows`` (:func:`~coursekit.instructor.grading.results.read_rows`)
    with check columns ``checks``; ``feedback`` is the folder ``coursekit grade --feedback``
    wrote (for the hints), ``roster`` the class (default: the students the rows name)."""
    totals = Totals.from_rows(rows, roster)
    scores = {n: [totals.best[s, n] for s in totals.students if (s, n) in totals.best]
              for n in totals.notebooks}
    rates = []
    for cid in checks:
        values = [_float(r.get(cid, "")) for r in rows]
        graded = [v for v in values if v is not None]
        rates.append(CheckRate(cid, _notebook_of(cid, rows), sum(v > 0 for v in graded),
                               len(graded)))
    rates.sort(key=lambda c: (c.notebook, c.check_id))
    statuses: Counter[str] = Counter()
    human = []
    for row in rows:
        status = RunStatus.parse(row.get("status", ""))
        statuses[status.brief] += 1
        if status.needs_human:
            human.append(HumanCase(row.get("student", ""), row.get("notebook", ""), str(status),
                                   Path(row.get("submission", "")).name, row.get("score", "")))
    human.sort(key=lambda h: (h.status, h.student, h.notebook))
    hints, failures = read_hints(feedback) if feedback else ({}, {})
    return ClassReport(source, len(rows), totals, scores, rates, hints, failures,
                       totals.missing(), human, statuses, str(feedback or ""))


# -- the page ---------------------------------------------------------------------------------
def _e(text: object, limit: int = 240) -> str:
    return html.escape(clean(str(text), limit), quote=True)


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _svg(fig: object) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight",  # type: ignore[attr-defined]
                metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{data}"


def score_plot(report: ClassReport) -> str:
    """The score distributions, one histogram per notebook, as a ``data:`` SVG image."""
    import numpy as np
    import seaborn as sns
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    notebooks = [n for n in report.totals.notebooks if report.scores.get(n)]
    cols = min(3, max(1, len(notebooks)))
    rows = max(1, -(-len(notebooks) // cols))
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(4.2 * cols, 3.0 * rows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, notebook in zip(axes, notebooks, strict=False):
            values = np.asarray(report.scores[notebook], dtype=float)
            top = report.totals.max_score.get(notebook) or float(values.max() or 1)
            whole = bool(np.all(values == np.round(values))) and top <= 40
            if whole:
                sns.histplot(x=values, ax=ax, discrete=True, color="#4c72b0")
            else:
                sns.histplot(x=values, ax=ax, bins=10, binrange=(0, top), color="#4c72b0")
            for container in ax.containers:
                ax.bar_label(container, fmt=lambda v: f"{v:.0f}" if v else "", fontsize=8)
            ax.set_xlim(-0.5 if whole else 0, top + (0.5 if whole else 0))
            if whole:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(0, ax.get_ylim()[1] * 1.12)  # room for the counts over the bars
            ax.set_title(f"{clean(notebook, 40)}: {len(values)} students, "
                         f"median {np.median(values):g}/{top:g}", fontsize=10)
            ax.set_xlabel("score (best submission)")
            ax.set_ylabel("students")
        for ax in axes[len(notebooks):]:
            ax.set_visible(False)
    return _svg(fig)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;
background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:0 0 10px}
.sub{color:#57606a;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 20px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:130px}
.card b{display:block;font-size:26px}.card.warn b{color:#cf222e}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;
margin:0 0 20px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid #eaeef2;vertical-align:top}th{background:#f6f8fa}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{background:#eaeef2;border-radius:4px;height:14px;width:180px;display:inline-block;
vertical-align:middle;margin-right:8px}.bar i{display:block;height:100%;border-radius:4px}
.good{background:#2da44e}.mid{background:#d4a72c}.low{background:#cf222e}
.muted{color:#57606a}img{max-width:100%}ol{margin:0;padding-left:20px}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px}
"""


def _table(header: list[str], body: list[str], numeric: tuple[int, ...] = ()) -> str:
    head = "".join(f"<th class=n>{h}</th>" if i in numeric else f"<th>{h}</th>"
                   for i, h in enumerate(header))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _scores_section(report: ClassReport, plots: bool) -> str:
    body = []
    for n in report.totals.notebooks:
        values = sorted(report.scores.get(n, []))
        top = report.totals.max_score.get(n)
        mean = sum(values) / len(values) if values else None
        median = values[len(values) // 2] if len(values) % 2 else (
            (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2 if values else None)
        body.append(f"<tr><td>{_e(n)}</td><td class=n>{len(values)}</td>"
                    f"<td class=n>{_g(None if mean is None else round(mean, 1))}</td>"
                    f"<td class=n>{_g(median)}</td><td class=n>{_g(top)}</td></tr>")
    image = ""
    if plots and any(report.scores.values()):
        image = (f'<img alt="Histograms of the best score per student, one per notebook" '
                 f'src="{score_plot(report)}">')
    return ('<section id="scores"><h2>Score distribution per notebook</h2>'
            '<p class="sub">Each student\'s best submission of each notebook.</p>'
            + image
            + _table(["notebook", "students", "mean", "median", "out of"], body, (1, 2, 3, 4))
            + "</section>")


def _checks_section(report: ClassReport) -> str:
    body = []
    for c in report.checks:
        pct = round(100 * c.rate)
        tone = "good" if pct >= 80 else "mid" if pct >= 50 else "low"
        body.append(f"<tr><td><code>{_e(c.check_id)}</code></td><td>{_e(c.notebook)}</td>"
                    f'<td><span class="bar"><i class="{tone}" style="width:{pct}%"></i></span>'
                    f"{pct}%</td><td class=n>{c.passed} / {c.graded}</td></tr>")
    if not body:
        body = ['<tr><td colspan=4 class="muted">no check columns in the gradebook</td></tr>']
    return ('<section id="checks"><h2>Pass rate per check</h2>'
            '<p class="sub">Submissions that scored the check\'s points, of those graded on '
            "it.</p>" + _table(["check", "notebook", "pass rate", "passed"], body, (3,))
            + "</section>")


def _hints_section(report: ClassReport) -> str:
    if not report.feedback:
        inner = ('<p class="muted">No feedback folder given: run <code>coursekit report '
                 "GRADES.csv --feedback DIR</code> with the folder <code>coursekit grade "
                 "--feedback</code> wrote to list the hints.</p>")
    else:
        order = sorted(report.hints, key=lambda cid: -report.failures.get(cid, 0))
        body = []
        for cid in order:
            items = "".join(f"<li>{_e(h, 300)} <span class=muted>({n}×)</span></li>"
                            for h, n in report.hints[cid])
            body.append(f"<tr><td><code>{_e(cid)}</code></td>"
                        f"<td class=n>{report.failures.get(cid, 0)}</td><td><ol>{items}</ol>"
                        "</td></tr>")
        inner = (_table(["check", "failed", "most frequent hints"], body, (1,)) if body else
                 '<p class="muted">No failed visible check in the feedback files.</p>')
    return ('<section id="hints"><h2>Most frequent failure hints</h2>'
            '<p class="sub">What the class got wrong, check by check, from the feedback '
            "students received (hidden checks have none): what to teach again.</p>"
            + inner + "</section>")


def _missing_section(report: ClassReport) -> str:
    by_notebook: dict[str, list[str]] = defaultdict(list)
    for student, notebooks in report.missing.items():
        for notebook in notebooks:
            by_notebook[notebook].append(student)
    body = [f"<tr><td>{_e(n)}</td><td class=n>{len(by_notebook[n])}</td>"
            f"<td>{', '.join(_e(s, 60) for s in by_notebook[n])}</td></tr>"
            for n in report.totals.notebooks if by_notebook.get(n)]
    inner = (_table(["notebook", "missing", "students"], body, (1,)) if body else
             '<p class="muted">Every student handed in every notebook.</p>')
    return ('<section id="missing"><h2>Students missing a notebook</h2>'
            f'<p class="sub">Of {len(report.totals.students)} students and '
            f"{len(report.totals.notebooks)} notebooks.</p>" + inner + "</section>")


def _human_section(report: ClassReport) -> str:
    body = [f"<tr><td>{_e(h.student)}</td><td>{_e(h.notebook) or '-'}</td>"
            f"<td>{_e(h.status, 120)}</td><td>{_e(h.submission, 80)}</td>"
            f"<td class=n>{_e(h.score, 20)}</td></tr>" for h in report.needs_human]
    inner = (_table(["student", "notebook", "status", "file", "score"], body, (4,)) if body else
             '<p class="muted">None: every notebook ran to its end.</p>')
    return ('<section id="human"><h2>Statuses that need a human</h2>'
            '<p class="sub">Timeouts, limits, crashed kernels, wrong or unknown notebooks, '
            "files that are not notebooks, grader errors: their score says little.</p>"
            + inner + "</section>")


def render(report: ClassReport, plots: bool = True) -> str:
    """The HTML page of ``report`` (``plots=False``: without the plot, for quick tests)."""
    missing = sum(len(ns) for ns in report.missing.values())
    cards = [("submissions", report.submissions, ""),
             ("students", len(report.totals.students), ""),
             ("notebooks", len(report.totals.notebooks), ""),
             ("need a human", len(report.needs_human), " warn" if report.needs_human else ""),
             ("missing notebooks", missing, " warn" if missing else "")]
    statuses = ", ".join(f"{n} {_e(k, 60)}" for k, n in report.statuses.most_common())
    return "".join([
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>Class report: {_e(report.source)}</title><style>{_CSS}</style></head><body>",
        f"<main><h1>Class report</h1><p class=sub>{_e(report.source)}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Statuses: {statuses or 'none'}.</p>",
        '<div class="cards">',
        "".join(f'<div class="card{tone}"><b>{n}</b>{label}</div>' for label, n, tone in cards),
        "</div>",
        _scores_section(report, plots), _checks_section(report), _hints_section(report),
        _missing_section(report), _human_section(report),
        "</main></body></html>\n"])


def write(path: str | Path, report: ClassReport) -> Path:
    """Write the page to ``path`` (UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), encoding="utf-8")
    return path
