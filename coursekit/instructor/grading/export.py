"""Totals per student and notebook, and their export to Canvas and Moodle grade imports.

A student's total for a notebook is the best score among their submissions of
it (as ``pivot_table(aggfunc="max")``); a notebook they did not hand in is left
blank, so an import changes nothing there.

The gradebook knows each student by the name taken from the submission's file
name (``alice`` for ``alice_01_mlp.ipynb``). The learning platforms match
students by an identifier of their own; a *roster* CSV maps one to the other
(:func:`read_roster`): a ``student`` column (the name in the gradebook) and any
of ``name``, ``id``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``,
``username``, ``id_number`` (case, spaces, ``_`` and ``-`` ignored: a column
named ``SIS Login ID`` is ``sis_login_id``).

- **Canvas** (Grades > Import): ``Student``, ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment (here: per
  notebook; a column whose name is not an assignment of the course creates
  one), and a ``Points Possible`` row first. Canvas matches a row by ``ID``,
  ``SIS User ID`` or ``SIS Login ID``, not by name: without a roster, the
  gradebook's student name goes in ``SIS Login ID``.
- **Moodle** (Grades > Import > CSV file): an identifier column, mapped at
  import ("Map from" the column, "Map to" ``username``, ``useremail`` or
  ``useridnumber``), then one column per grade item. The file has
  ``Username`` (the roster's ``username``, else the gradebook's name), then
  ``Email address`` and ``ID number`` when the roster has them.

Example
-------
>>> rows = [{"student": "ann", "notebook": "01_mlp", "score": "4", "max_score": "10"},
...         {"student": "ann", "notebook": "01_mlp", "score": "9", "max_score": "10"},
...         {"student": "bob", "notebook": "", "score": "0", "max_score": ""}]
>>> t = Totals.from_rows(rows)
>>> t.notebooks, t.students, t.best, t.max_score
(['01_mlp'], ['ann', 'bob'], {('ann', '01_mlp'): 9.0}, {'01_mlp': 10.0})
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import CourseKitError
from .results import to_cell

__all__ = ["ROSTER_COLUMNS", "Person", "Totals", "canvas_csv", "moodle_csv", "read_roster",
           "write_csv"]

#: Roster columns (normalised: lower case, no spaces, ``_`` or ``-``) and their fields.
ROSTER_COLUMNS = {"student": "student", "name": "name", "id": "canvas_id",
                  "sisuserid": "sis_user_id", "sisloginid": "sis_login_id",
                  "section": "section", "email": "email", "emailaddress": "email",
                  "username": "username", "idnumber": "id_number"}
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@dataclass(frozen=True)
class Person:
    """A student of the roster: the gradebook's name and the platforms' identifiers."""

    student: str
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    username: str = ""
    id_number: str = ""


def _key(column: str) -> str:
    return re.sub(r"[\s_-]+", "", column.strip().lower())


def read_roster(path: str | Path) -> dict[str, Person]:
    """The roster CSV at ``path``, by gradebook name (see the module's docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CourseKitError(f"--roster {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseKitError(f"--roster {path} cannot be read ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    fields = {}
    for column in header:
        key = _key(column)
        if key not in ROSTER_COLUMNS:
            raise CourseKitError(
                f"--roster {path}: unknown column {column!r}; expected 'student' (the name "
                "the gradebook gives) and any of name, id, sis_user_id, sis_login_id, "
                "section, email, username, id_number")
        fields[column] = ROSTER_COLUMNS[key]
    if "student" not in fields.values():
        raise CourseKitError(f"--roster {path}: no 'student' column (the name the gradebook "
                             "gives each student, from the submission's file name)")
    people: dict[str, Person] = {}
    for number, raw in enumerate(reader, start=2):
        values = {fields[c]: (v or "").strip() for c, v in raw.items() if c in fields}
        if not values.get("student"):
            continue
        if values["student"] in people:
            raise CourseKitError(f"--roster {path}, line {number}: student "
                                 f"{values['student']!r} is listed twice")
        people[values["student"]] = Person(**values)
    return people


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


@dataclass
class Totals:
    """The best score of each student in each notebook (see :meth:`from_rows`)."""

    students: list[str]
    notebooks: list[str]
    best: dict[tuple[str, str], float] = field(default_factory=dict)
    max_score: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]],
                  roster: Mapping[str, Person] | None = None) -> Totals:
        """Totals of gradebook rows; the students are the roster's, else those the rows name
        (the roster's first, then any it lacks)."""
        best: dict[tuple[str, str], float] = {}
        max_score: dict[str, float] = {}
        seen: list[str] = []
        notebooks: set[str] = set()
        for row in rows:
            student, notebook = row.get("student", ""), row.get("notebook", "")
            if student and student not in seen:
                seen.append(student)
            if not notebook:
                continue
            notebooks.add(notebook)
            score, top = _number(row.get("score", "")), _number(row.get("max_score", ""))
            if top is not None:
                max_score[notebook] = max(top, max_score.get(notebook, top))
            if student and score is not None:
                best[student, notebook] = max(score, best.get((student, notebook), score))
        students = list(roster or {}) + sorted(s for s in seen if s not in (roster or {}))
        return cls(students, sorted(notebooks), best, max_score)

    def missing(self) -> dict[str, list[str]]:
        """The notebooks each student has no graded submission of (students missing none
        left out)."""
        out = {s: [n for n in self.notebooks if (s, n) not in self.best] for s in self.students}
        return {s: ns for s, ns in out.items() if ns}


def canvas_csv(totals: Totals, roster: Mapping[str, Person] | None = None) -> list[list[str]]:
    """The rows of a Canvas grade import (header, ``Points Possible``, one per student)."""
    roster = roster or {}
    out = [CANVAS_HEADER + totals.notebooks,
           ["Points Possible", "", "", "", ""]
           + [_fmt(totals.max_score.get(n)) for n in totals.notebooks]]
    for student in totals.students:
        p = roster.get(student) or Person(student)
        login = p.sis_login_id or ("" if (p.canvas_id or p.sis_user_id) else student)
        out.append([p.name or student, p.canvas_id, p.sis_user_id, login, p.section]
                   + [_fmt(totals.best.get((student, n))) for n in totals.notebooks])
    return out


def moodle_csv(totals: Totals, roster: Mapping[str, Person] | None = None) -> list[list[str]]:
    """The rows of a Moodle CSV grade import (header, one per student)."""
    roster = roster or {}
    people = [roster.get(s) or Person(s) for s in totals.students]
    ids = [("Username", lambda p: p.username or p.student)]
    if any(p.email for p in people):
        ids.append(("Email address", lambda p: p.email))
    if any(p.id_number for p in people):
        ids.append(("ID number", lambda p: p.id_number))
    out = [[name for name, _ in ids] + totals.notebooks]
    for p in people:
        out.append([get(p) for _, get in ids]
                   + [_fmt(totals.best.get((p.student, n))) for n in totals.notebooks])
    return out


def write_csv(path: str | Path, rows: list[list[str]]) -> Path:
    """Write ``rows`` as UTF-8 CSV; a text cell a spreadsheet would run as a formula gets a
    leading ``'`` (:func:`~coursekit.instructor.grading.results.to_cell`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in rows:
            writer.writerow([c if _number(c) is not None else to_cell(c) for c in row])
    return path
