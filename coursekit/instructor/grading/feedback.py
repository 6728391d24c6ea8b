"""Per-student feedback: a short Markdown report of each check's verdict and hint.

It is built only from the grader's verdicts and the run's status, never from
the submission's outputs. Every text in it is the grader's: its own sentences,
and check messages rebuilt from the checks' own templates (values in them
cleaned and bounded; :mod:`~coursekit.instructor.grading.templates`). The first error is
named by its cell and exception type only (not its message). Hidden checks
appear as "hidden check N: passed/failed" with their points, without id,
message or hint.

On top of that, every text is made inert Markdown (:func:`markdown_text`): no
HTML, no links or images (brackets escaped, web addresses and e-mail
addresses replaced by ``(link removed)``), no table breaks.

Example
-------
>>> print(markdown_text("see [my site](http://evil.example) or www.evil.example <b>!</b>"))
see \\[my site\\]((link removed)) or (link removed) &lt;b&gt;!&lt;/b&gt;
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .results import Result
from .status import RunStatus, Status

__all__ = ["FeedbackVerdict", "feedback_name", "markdown_text", "read_verdicts", "render",
           "write"]

_STATUS_TEXT = {
    Status.OK: "your notebook ran from top to bottom without errors.",
    Status.TIMEOUT: "your notebook did not finish within the time limit, so it was stopped "
               "(look for a loop that never ends or a much larger training run).",
    Status.MEMORY_LIMIT: "your notebook used more memory than allowed, so it was stopped.",
    Status.CPU_LIMIT: "your notebook used more processor time than allowed, so it was stopped.",
    Status.KERNEL_DIED: "the Python kernel running your notebook crashed (for example "
                   "`os._exit`, a crash in native code, or `exit()`).",
    Status.KERNEL_DID_NOT_START: "the grader could not start a kernel for your notebook; "
                            "your instructor will look into it.",
    Status.WRONG_NOTEBOOK: "these are not the cells of this notebook: submit the notebook "
                           "you worked in for this assignment.",
}


_LINK = re.compile(r"(?i)\b(?:https?|ftps?|file|mailto|javascript|data|vbscript|tel):[^\s<>()]*"
                   r"|\bwww\d{0,3}\.[^\s<>()]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def markdown_text(text: str) -> str:
    """``text`` as inert Markdown: no HTML, no link, image or autolink, no table break."""
    text = _LINK.sub("(link removed)", str(text))
    text = html.escape(text, quote=False)
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]") \
        .replace("|", "\\|")


_md = markdown_text
_UNESCAPE = re.compile(r"\\([\\\[\]|])")


def _plain(text: str) -> str:
    """The text :func:`markdown_text` was given (its links stay removed)."""
    return html.unescape(_UNESCAPE.sub(r"\1", text))


def _status_line(text: str) -> str:
    status = RunStatus.parse(text)
    if status.kind in _STATUS_TEXT:
        return _STATUS_TEXT[status.kind]
    if status.kind is Status.CELL_ERROR:
        what = f"a {status.exception}" if status.exception else "an exception"
        return (f"cell {status.cell} (counting text cells) raised {what}; "
                "the cells after it still ran.")
    return _md(str(status)) + "."


def feedback_name(base: str, taken: set[str]) -> str:
    """A safe file name ``<base>.md``, made unique among ``taken`` (which it updates)."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base).lstrip("._-").rstrip("._") or "submission"
    name, n = f"{base}.md", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}.md"
    taken.add(name)
    return name


def render(result: Result, title: str = "") -> str:
    """The Markdown feedback of one result."""
    heading = title or result.notebook or "your submission"
    lines = [f"# Feedback: {_md(heading)}", "",
             f"**Student:** {_md(result.student)}  ",
             f"**Score:** {result.score:g} / "
             f"{'?' if result.max_score is None else format(result.max_score, 'g')}  ",
             f"**Run:** {_status_line(result.status)}", ""]
    visible = [v for v in result.verdicts if v.check_id not in result.hidden]
    hidden = [v for v in result.verdicts if v.check_id in result.hidden]
    if visible:
        lines += ["## Checks", ""]
        for v in visible:
            mark = "✅" if v.passed else "❌"
            lines.append(f"- {mark} **{_md(v.check_id)}** ({v.points:g}/{v.max_points:g}): "
                         f"{_md(v.message)}")
            if v.hint and not v.passed:
                lines.append(f"  - Hint: {_md(v.hint)}")
        lines.append("")
    if hidden:
        lines += ["## Hidden checks", "",
                  "Your instructor's extra checks; their details stay hidden.", ""]
        for i, v in enumerate(hidden, start=1):
            lines.append(f"- hidden check {i}: {'passed' if v.passed else 'failed'} "
                         f"({v.points:g}/{v.max_points:g})")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write(folder: Path, name: str, result: Result, title: str = "") -> Path:
    """Write the feedback file ``folder/name`` (a new file renamed into place, so a link
    planted at that name is replaced, never followed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(render(result, title))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class FeedbackVerdict:
    """A visible check's verdict as a feedback file states it (see :func:`read_verdicts`)."""

    check_id: str
    passed: bool
    points: float
    max_points: float
    message: str
    hint: str = ""


_VERDICT = re.compile(r"- (?P<mark>✅|❌) \*\*(?P<id>.+?)\*\* \((?P<points>[-+.\deE]+)/"
                      r"(?P<max>[-+.\deE]+)\): (?P<message>.*)")
_HINT = re.compile(r"  - Hint: (?P<hint>.*)")


def read_verdicts(text: str) -> list[FeedbackVerdict]:
    """The visible checks' verdicts of a feedback file that :func:`render` wrote, their
    texts as they were before :func:`markdown_text` (hidden checks have none).

    >>> from coursekit.checks import Verdict
    >>> r = Result("a.ipynb", "ann", "01_mlp", "ok",
    ...            [Verdict("01.x", False, "got [1] | 2", "use <b>relu</b>", 0.0, 2.0)])
    >>> read_verdicts(render(r))
    [FeedbackVerdict(check_id='01.x', passed=False, points=0.0, max_points=2.0, \
message='got [1] | 2', hint='use <b>relu</b>')]
    """
    out: list[FeedbackVerdict] = []
    for line in str(text).splitlines():
        match = _VERDICT.fullmatch(line)
        if match:
            try:
                points, max_points = float(match["points"]), float(match["max"])
            except ValueError:
                continue
            out.append(FeedbackVerdict(_plain(match["id"]), match["mark"] == "✅", points,
                                       max_points, _plain(match["message"])))
            continue
        match = _HINT.fullmatch(line)
        if match and out and not out[-1].hint:
            last = out[-1]
            out[-1] = FeedbackVerdict(last.check_id, last.passed, last.points, last.max_points,
                                      last.message, _plain(match["hint"]))
    return out
