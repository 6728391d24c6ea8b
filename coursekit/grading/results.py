"""Results and the gradebook CSV, written as each result arrives.

:class:`Gradebook` appends one row per result and flushes it to disk at once
(``fsync``), so a crash or Ctrl-C loses nothing already graded; a later run
reads the file back and skips the submissions it holds (same file content,
same checks) unless ``force``. When a row brings a new column (a notebook not
seen yet, a hidden check added), and at the end of the run, the whole file is
rewritten from memory through a temporary file and an atomic rename: rows
appended to it by anything else (a submission writing to the gradebook's path
while it ran) are dropped then.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import Verdict

__all__ = ["BASE_COLUMNS", "RETRY_STATUSES", "Gradebook", "Result"]

#: Statuses that say the grader, not the submission, failed: such rows are graded again.
RETRY_STATUSES = ("grader error", "kernel did not start")

BASE_COLUMNS = ["submission", "student", "notebook", "score", "max_score", "status", "seconds",
                "sha256"]


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


@dataclass
class Result:
    """The grade of one submission.

    ``verdicts`` hold every check of the notebook (visible then hidden), their
    texts already cleaned and redacted; ``hidden`` names the hidden ones.
    """

    submission: str
    student: str
    notebook: str
    status: str
    verdicts: list[Verdict] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    seconds: float = 0.0
    sha256: str = ""
    max_score: float | None = None

    @property
    def score(self) -> float:
        return float(sum(v.points for v in self.verdicts))

    def row(self) -> dict[str, str]:
        row = {"submission": self.submission, "student": self.student,
               "notebook": self.notebook, "score": _num(self.score),
               "max_score": _num(self.max_score), "status": self.status,
               "seconds": f"{self.seconds:.1f}", "sha256": self.sha256}
        row.update({v.check_id: _num(v.points) for v in self.verdicts})
        return row


class Gradebook:
    """The CSV at ``path``: rows by submission label, in first-seen order."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: dict[str, dict[str, str]] = {}
        self.checks: list[str] = []
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            with open(self.path, newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                header = reader.fieldnames or []
                if not set(BASE_COLUMNS[:6]) <= set(header):
                    raise ValueError("not a coursekit gradebook")
                for row in reader:
                    if None in row or any(v is None for v in row.values()):
                        continue  # a row cut short by a crash
                    self.rows[row["submission"]] = row
        except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
            from ..errors import CourseKitError

            raise CourseKitError(f"{self.path} exists but cannot be read as a gradebook "
                                 f"({exc}); move it away or choose another --out") from None
        self.checks = [c for c in header if c not in BASE_COLUMNS]

    @property
    def header(self) -> list[str]:
        return BASE_COLUMNS + self.checks

    def graded(self, label: str, sha256: str, check_ids: list[str]) -> bool:
        """Whether ``label`` was graded already, from the same file and with these checks."""
        row = self.rows.get(label)
        if row is None or row.get("sha256") != sha256 or row.get("status", "").startswith(
                RETRY_STATUSES):
            return False
        return all(row.get(c, "") != "" for c in check_ids)

    def add(self, result: Result) -> None:
        """Record ``result`` and write it to disk now."""
        row = result.row()
        new = [c for c in row if c not in BASE_COLUMNS and c not in self.checks]
        self.rows.pop(result.submission, None)
        self.rows[result.submission] = row
        if new or not self.path.exists():
            self.checks = sorted(set(self.checks) | set(new))
            self.rewrite()
            return
        with open(self.path, "a", newline="", encoding="utf-8") as f:
            csv.DictWriter(f, self.header, restval="").writerow(row)
            f.flush()
            os.fsync(f.fileno())

    def rewrite(self) -> None:
        """Write every row afresh (temporary file, then an atomic rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, self.header, restval="", extrasaction="ignore")
            writer.writeheader()
            for row in self.rows.values():
                writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
