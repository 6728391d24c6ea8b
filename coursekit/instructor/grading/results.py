"""Results and the gradebook CSV: written as each result arrives, signed, locked.

:class:`Gradebook` appends one row per result and flushes it to disk at once
(``fsync``), so a crash or Ctrl-C loses nothing already graded; a later run
reads the file back and skips the submissions it holds (same file content,
same checks) unless ``force``.

Only rows this grader wrote are trusted: each row carries a ``signature``, an
HMAC-SHA256 of its values under a key (:func:`gradebook_key`) kept in the
grader's user state folder (``$XDG_STATE_HOME/coursekit``, 0600), which no
kernel can see. A row without a valid signature (appended by anything else,
or edited) is ignored, reported and graded again; it is gone after the run.

When a row brings a new column, and at the end of the run, the whole file is
rewritten from memory into a new temporary file beside it (``O_EXCL``, so no
planted link is followed) and renamed over it atomically.

Every CSV cell that a spreadsheet would read as a formula (starting with
``= + - @``, a tab or a carriage return) is written with a leading ``'``, as
OWASP advises; so is a cell that starts with ``'``. Reading undoes it
(:func:`to_cell`, :func:`from_cell`).

:class:`GradebookLock` holds an exclusive ``flock`` on ``.<name>.lock``
beside the gradebook for a whole run: a second run on the same gradebook
stops at once with a message naming the first.

Example
-------
>>> to_cell('=HYPERLINK("http://x")'), from_cell(to_cell("=1+1")), to_cell("alice")
('\\'=HYPERLINK("http://x")', '=1+1', 'alice')
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from ...checks import Verdict
from ...errors import CourseKitError
from .status import RETRY, RunStatus

__all__ = ["BASE_COLUMNS", "RETRY_STATUSES", "Gradebook", "GradebookLock", "Result",
           "from_cell", "gradebook_key", "read_rows", "sign", "to_cell"]

#: Statuses that say the grader, not the submission, failed: such rows are graded again.
RETRY_STATUSES = tuple(sorted(RETRY))

BASE_COLUMNS = ["submission", "student", "notebook", "score", "max_score", "status", "seconds",
                "sha256", "signature"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_SIGNED = "coursekit gradebook row v1"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def to_cell(value: str) -> str:
    """A CSV cell no spreadsheet runs as a formula (reversible with :func:`from_cell`)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def from_cell(value: str) -> str:
    """The value :func:`to_cell` wrote."""
    return value[1:] if value.startswith("'") else value


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME", "")
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return folder / "coursekit"


def gradebook_key(path: str | Path | None = None) -> bytes:
    """The key that signs gradebook rows, created on first use (32 random bytes).

    It lives in ``$XDG_STATE_HOME/coursekit/gradebook.key`` (default
    ``~/.local/state/coursekit``), readable by its owner only: out of every
    kernel's sight, and never next to a gradebook that gets copied or shared.
    A key file that is a link, not the user's, or readable by others is refused.
    """
    path = Path(path) if path else _state_dir() / "gradebook.key"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise CourseKitError(f"the gradebook key {path} cannot be read ({exc.strerror}); "
                             "remove it (rows it signed will be graded again)") from None
    with os.fdopen(fd) as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or \
                info.st_mode & 0o077:
            raise CourseKitError(f"the gradebook key {path} must be a file of yours that only "
                                 f"you can read: run `chmod 600 {path}` (or remove it)")
        text = f.read(200).strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise CourseKitError(f"the gradebook key {path} is damaged; remove it (rows it signed "
                             "will be graded again)")
    return key


def sign(row: dict[str, str], key: bytes) -> str:
    """The HMAC-SHA256 of a row's non-empty values (its ``signature`` excluded)."""
    pairs = sorted((k, v) for k, v in row.items() if k != "signature" and v)
    message = json.dumps([_SIGNED, pairs], ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass
class Result:
    """The grade of one submission.

    ``verdicts`` hold every check of the notebook (visible then hidden), their
    texts already the grader's (:mod:`~coursekit.instructor.grading.templates`) and
    redacted; ``hidden`` names the hidden ones.
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
    def run_status(self) -> RunStatus:
        """:attr:`status` as data (kind, cell, exception, ...)."""
        return RunStatus.parse(self.status)

    @property
    def score(self) -> float:
        return float(sum(v.points for v in self.verdicts))

    def row(self) -> dict[str, str]:
        """The gradebook row (unsigned)."""
        row = {"submission": self.submission, "student": self.student,
               "notebook": self.notebook, "score": _num(self.score),
               "max_score": _num(self.max_score), "status": str(self.status),
               "seconds": f"{self.seconds:.1f}", "sha256": self.sha256}
        row.update({v.check_id: _num(v.points) for v in self.verdicts})
        return row


class GradebookLock:
    """An exclusive lock on a gradebook for one run (``with GradebookLock(path): ...``).

    ``flock`` on ``.<name>.lock`` beside it: released by the kernel when the
    grader exits, even killed, so it is never stale; not inherited by kernels
    (the descriptor is close-on-exec). A second run on the same gradebook
    raises :class:`~coursekit.errors.CourseKitError` at once rather than
    waiting: two runs on one gradebook are a mistake (the second would regrade
    what the first is grading), and a command that hangs silently is worse
    than one that says why it stopped.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.parent / f".{self.path.name}.lock"
        self._fd: int | None = None

    def __enter__(self) -> GradebookLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                         0o600)
        except OSError as exc:
            raise CourseKitError(f"cannot lock {self.path}: {self.lock_path} "
                                 f"({exc.strerror}); remove it if it is a link") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("ascii", "replace").split()
            os.close(fd)
            who = (f" (process {holder[0]}, started {holder[1]})"
                   if len(holder) >= 2 and holder[0].isdigit() else "")
            raise CourseKitError(f"another `coursekit grade` is writing {self.path}{who}: "
                                 "wait for it to finish, or give this run another --out"
                                 ) from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Gradebook:
    """The CSV at ``path``: rows by submission label, in first-seen order.

    Parameters
    ----------
    path : path
        The CSV file (read if it exists).
    key : bytes, optional
        The signing key (default: :func:`gradebook_key`).

    ``untrusted`` lists the labels of rows found without a valid signature
    (not kept: they are graded again and dropped at the next rewrite).
    """

    def __init__(self, path: str | Path, key: bytes | None = None) -> None:
        self.path = Path(path)
        self.key = key if key is not None else gradebook_key()
        self.rows: dict[str, dict[str, str]] = {}
        self.checks: list[str] = []
        self.untrusted: list[str] = []
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            with open(self.path, newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                header = reader.fieldnames or []
                if not set(BASE_COLUMNS[:6]) <= set(header):
                    raise ValueError("not a coursekit gradebook")
                for raw in reader:
                    if None in raw or any(v is None for v in raw.values()):
                        continue  # a row cut short by a crash
                    row = {k: from_cell(v) for k, v in raw.items()}
                    if not hmac.compare_digest(row.get("signature", ""), sign(row, self.key)):
                        self.untrusted.append(row.get("submission", ""))
                        continue
                    self.rows[row["submission"]] = row
        except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
            raise CourseKitError(f"{self.path} exists but cannot be read as a gradebook "
                                 f"({exc}); move it away or choose another --out") from None
        self.checks = [c for c in header if c not in BASE_COLUMNS]

    @property
    def header(self) -> list[str]:
        return BASE_COLUMNS + self.checks

    def graded(self, label: str, sha256: str, check_ids: list[str]) -> bool:
        """Whether ``label`` was graded already, from the same file and with these checks."""
        row = self.rows.get(label)
        if row is None or row.get("sha256") != sha256 or \
                RunStatus.parse(row.get("status", "")).retry:
            return False
        return all(row.get(c, "") != "" for c in check_ids)

    def add(self, result: Result) -> None:
        """Record ``result``, signed, and write it to disk now."""
        row = result.row()
        row["signature"] = sign(row, self.key)
        new = [c for c in row if c not in BASE_COLUMNS and c not in self.checks]
        self.rows.pop(result.submission, None)
        self.rows[result.submission] = row
        if new or not self.path.exists():
            self.checks = sorted(set(self.checks) | set(new))
            self.rewrite()
            return
        with open(self.path, "a", newline="", encoding="utf-8") as f:
            self._writer(f).writerow(self._cells(row))
            f.flush()
            os.fsync(f.fileno())

    def _writer(self, f: object) -> csv.DictWriter:
        return csv.DictWriter(f, self.header, restval="", extrasaction="ignore")  # type: ignore[arg-type]

    @staticmethod
    def _cells(row: dict[str, str]) -> dict[str, str]:
        return {k: to_cell(v) for k, v in row.items()}

    def rewrite(self) -> None:
        """Write every row afresh (new temporary file, then an atomic rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            mode = 0o600
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                   dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
                writer = self._writer(f)
                writer.writeheader()
                for row in self.rows.values():
                    writer.writerow(self._cells(row))
                f.flush()
                os.fchmod(f.fileno(), mode)
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def read_rows(path: str | Path) -> tuple[list[dict[str, str]], list[str]]:
    """A gradebook's rows as written (cells decoded, signatures not checked) and its
    check columns, for reports and exports: rows corrected by hand count too.

    Raises :class:`~coursekit.errors.CourseKitError` if ``path`` is not a gradebook.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in BASE_COLUMNS[:6] if c not in header]
            if missing:
                raise CourseKitError(f"{path} is not a coursekit gradebook: it has no "
                                     f"{', '.join(missing)} column (expected the CSV that "
                                     "`coursekit grade --out` wrote)")
            rows = [{k: from_cell(v) for k, v in raw.items()} for raw in reader
                    if None not in raw and all(v is not None for v in raw.values())]
    except FileNotFoundError:
        raise CourseKitError(f"{path}: no such gradebook (give the CSV that "
                             "`coursekit grade --out` wrote)") from None
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise CourseKitError(f"{path} cannot be read as a gradebook ({exc})") from None
    return rows, [c for c in header if c not in BASE_COLUMNS]
