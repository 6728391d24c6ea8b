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
from pathlib import Path

from .results import Result

__all__ = ["feedback_name", "markdown_text", "render", "write"]

_STATUS_TEXT = {
    "ok": "your notebook ran from top to bottom without errors.",
    "timeout": "your notebook did not finish within the time limit, so it was stopped "
               "(look for a loop that never ends or a much larger training run).",
    "memory limit": "your notebook used more memory than allowed, so it was stopped.",
    "cpu limit": "your notebook used more processor time than allowed, so it was stopped.",
    "kernel died": "the Python kernel running your notebook crashed (for example "
                   "`os._exit`, a crash in native code, or `exit()`).",
    "kernel did not start": "the grader could not start a kernel for your notebook; "
                            "your instructor will look into it.",
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


def _status_line(status: str) -> str:
    if status in _STATUS_TEXT:
        return _STATUS_TEXT[status]
    match = re.match(r"error in cell (\d+)(?:: ([A-Za-z_][A-Za-z0-9_.]{0,60}))?", status)
    if match:
        what = f"a {match.group(2)}" if match.group(2) else "an exception"
        return (f"cell {match.group(1)} (counting text cells) raised {what}; "
                "the cells after it still ran.")
    if status.startswith("wrong notebook"):
        return ("these are not the cells of this notebook: submit the notebook you worked in "
                "for this assignment.")
    return _md(status) + "."


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
