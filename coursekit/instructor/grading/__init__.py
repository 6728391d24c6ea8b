"""Instructor grading: run students' notebooks, judge their answers, write a gradebook.

``coursekit grade SUBMISSION... --out grades.csv`` (see :func:`grade`) runs
each submitted notebook in a fresh kernel and scores the course's checks
(and the instructor's hidden ones) with their points.

Design
------
The score is computed only from what the grader verifies itself, never from
what the submission prints or writes:

1. **Identify** the notebook from its metadata (``metadata.coursekit.notebook``)
   and its content (check ids of its check cells, fingerprints of the cells it
   shares with the course's notebooks), never from the file name
   (:mod:`~coursekit.instructor.grading.reference`). Metadata and content that disagree
   give ``wrong notebook``; a file that is not a notebook, ``not a notebook``
   or ``invalid notebook JSON``: score 0, no kernel started.
2. **Execute** a copy of it (outputs removed) in a new kernel inside an
   operating-system sandbox (:mod:`~coursekit.instructor.grading.bwrap`: bubblewrap, the
   sandbox under Flatpak): new mount, PID, IPC, network and UTS namespaces, a
   uid of its own with no capability (when the grader is root; otherwise uid
   65534 in a user namespace), ``--die-with-parent``, a new session; a file
   system built from nothing with, read-only, only the operating system's
   libraries, the Python environment, the ``coursekit`` package's own folder
   and the dataset mirror; a private, size-limited tmpfs for ``/tmp``,
   ``/dev/shm`` and ``HOME``; a cleared environment with an allow-list. The
   solutions, the hidden checks, the other submissions, the gradebook and the
   grader's processes do not exist in there. The kernel talks to the grader
   over ZeroMQ on Unix sockets in its *private folder* (``transport="ipc"``),
   the only folder it shares with the grader and with no other kernel. It
   runs under ``RLIMIT_CPU``, ``RLIMIT_NPROC`` (per uid, so per sandbox),
   ``RLIMIT_FSIZE`` and an ``RLIMIT_AS`` backstop, in a memory+pids cgroup
   where the machine lets the grader make one (:mod:`~coursekit.instructor.grading.cgroup`);
   a watchdog thread kills it past the wall-clock ``timeout`` (all cells
   together) or the memory limit (resident memory of the tree), and its PID
   namespace takes every process it started with it (double forks, ``setsid``,
   ``nohup``). Every output is discarded as it arrives and messages over 32 MiB
   are dropped by ZeroMQ. Errors do not stop the run; the first is reported
   (:mod:`~coursekit.instructor.grading.execute`, :mod:`~coursekit.instructor.grading.sandbox`).
   Where bubblewrap is missing or cannot make its namespaces, grading refuses
   (saying what to install) unless ``--no-sandbox`` is given, with a warning.
3. **Extract**: once the student's cells have run, the grader creates a fresh
   evidence folder (random name) in the kernel's private folder and injects
   one cell that rebuilds the check classes from source text the grader read
   before the first kernel: only the modules this notebook's checks need, and
   hidden checks cut down to what ``collect`` needs (no ``judge``, no other
   notebook's checks; :func:`~coursekit.instructor.grading.hidden.collect_source`), into
   new module objects (a monkeypatched ``coursekit.checks`` in the kernel is
   bypassed); then one cell per check, each with its own time limit, that
   evaluates the expression of the *reference* notebook's check cell in the
   student's namespace, runs ``collect`` and saves the evidence (JSON,
   ``.npy`` without pickle, ``.keras``; anything else is refused;
   :mod:`~coursekit.instructor.grading._kernel_side`). Then the kernel is killed, with
   every process of its sandbox, before anything reads the evidence.
4. **Judge** in a separate, memory-limited process started before the first
   kernel (:mod:`~coursekit.instructor.grading.judging`), from its own, unpatched checks:
   load the evidence as untrusted data with hard caps checked before anything
   large is built (manifest size, nesting depth measured before parsing,
   number of values, files referenced once and in total at most the evidence
   limit, ``.npy`` headers that must match their files, ``allow_pickle=False``,
   ``load_model(safe_mode=True)``; :mod:`~coursekit.instructor.grading.evidence`) and run
   ``judge`` (:mod:`~coursekit.instructor.grading.grader`). Evidence that exhausts the
   process's memory or time fails that check with a message and the process
   is started again.
5. **Record**: a CSV row per submission, signed (HMAC under a key in the
   grader's private state folder) and flushed as it arrives, under an exclusive
   lock on the gradebook for the run; a resume trusts only validly signed rows.
   Cells a spreadsheet would run as formulas get a leading ``'``. Markdown
   feedback is built from verdicts only, and every text in it, and in the CSV,
   is the grader's: a cell's error is named by its exception class only, check
   messages are rebuilt from the checks' own templates with the values in them
   bounded and cleaned, links and HTML are removed
   (:mod:`~coursekit.instructor.grading.results`, :mod:`~coursekit.instructor.grading.feedback`,
   :mod:`~coursekit.instructor.grading.templates`, :mod:`~coursekit.instructor.grading.redact`).

Before step 1, every submission is snapshotted into the grader's memory (its
hash and its cells, without outputs); links, hard links and oversized cells
are refused (:mod:`~coursekit.instructor.grading.submissions`).

Limits (what this does not protect against)
-------------------------------------------
- **The kernel is the student's.** Whatever runs there, extraction included,
  can be subverted by code the submission left behind (patched ``numpy``,
  ``keras``, ``json``, threads writing into its own evidence folder). Only the
  judge is out of reach, so the guarantee is: *forged evidence passes only if
  it is what a correct answer produces.* Checks whose evidence is raw objects
  (models, arrays, the outputs of the student's function) make forging as hard
  as answering; checks whose evidence is summary facts (layer counts, units)
  can be forged by a student who knows the expected facts.
- A check message may quote the student's values (bounded to 160 characters,
  60 when the message came from the kernel); redaction removes verbatim copies
  (20+ characters) of hidden files and other submissions there, not encoded ones.
- The sandbox shares the machine's kernel: a Linux kernel exploit is out of
  its reach (as for Flatpak and contest judges). The kernel's private folder
  is on the grader's disk: its files are bounded by ``RLIMIT_FSIZE`` each, not
  in number. Without the cgroup, tmpfs pages are bounded by their size only.
- ``--no-sandbox`` removes all of the above but the rlimits, the watchdog and
  the judging process: a submission can then read and change the grader's
  files.
"""

from .batch import grade, summary_table
from .evidence import Outcome, read_outcome
from .execute import Execution, KernelCheck, execute
from .grader import CheckPlan, Grader, verdict_from
from .hidden import HiddenCheck, load_hidden_checks
from .reference import Identification, ReferenceNotebook, identify, load_references
from .results import Gradebook, Result
from .sandbox import Limits
from .submissions import Submission, find_submissions, read_notebook, student_name

__all__ = ["CheckPlan", "Execution", "Gradebook", "Grader", "HiddenCheck", "Identification",
           "KernelCheck", "Limits", "Outcome", "ReferenceNotebook", "Result", "Submission",
           "execute", "find_submissions", "grade", "identify", "load_hidden_checks",
           "load_references", "read_notebook", "read_outcome", "student_name", "summary_table",
           "verdict_from"]
