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
   (:mod:`~coursekit.grading.reference`). Metadata and content that disagree
   give ``wrong notebook``; a file that is not a notebook, ``not a notebook``
   or ``invalid notebook JSON``: score 0, no kernel started.
2. **Execute** a copy of it (outputs removed) in a new kernel, in an empty
   temporary folder that is also its ``HOME`` and ``TMPDIR`` (deleted after),
   with an allow-listed environment, in the quick profile unless told
   otherwise, after a seed cell (``keras.utils.set_random_seed(0)``)
   (:mod:`~coursekit.grading.execute`, :mod:`~coursekit.grading.sandbox`).
   The kernel runs in its own session under ``RLIMIT_CPU`` and an
   ``RLIMIT_AS`` backstop; a watchdog thread of the grader kills the whole
   process tree past the wall-clock ``timeout`` (all cells together) or the
   memory limit (resident memory of the tree). Every output is discarded as it
   arrives and messages over 32 MiB are dropped by ZeroMQ, so a flood costs
   the grader no memory. Errors do not stop the run; the first is reported.
3. **Extract**: once the student's cells have run, the grader creates a fresh
   evidence folder (random name, outside the kernel's folder) and injects one
   cell that rebuilds the check classes from the grader's copy of their
   *source text* into new module objects (a monkeypatched
   ``coursekit.checks`` in the kernel is bypassed), then one cell per check,
   each with its own time limit: evaluate the expression of the *reference*
   notebook's check cell (``build_mlp`` in ``check("01.build_mlp",
   build_mlp)``) in the student's namespace, run ``collect``, and save the
   evidence: JSON for numbers, strings, lists and dicts, ``.npy`` without
   pickle, ``.keras`` models; anything else is refused
   (:mod:`~coursekit.grading._kernel_side`).
4. **Judge** in the grader's process: load the evidence as untrusted data
   (``allow_pickle=False``, ``load_model(safe_mode=True)``, strict manifest;
   :mod:`~coursekit.grading.evidence`) and run ``judge`` from the grader's own,
   unpatched checks (:mod:`~coursekit.grading.grader`).
5. **Record**: a CSV row per submission, signed (HMAC under a key in the
   grader's private state folder) and flushed as it arrives, under an exclusive
   lock on the gradebook for the run; a resume trusts only validly signed rows.
   Cells a spreadsheet would run as formulas get a leading ``'``. Markdown
   feedback is built from verdicts only, and every text in it, and in the CSV,
   is the grader's: a cell's error is named by its exception class only, check
   messages are rebuilt from the checks' own templates with the values in them
   bounded and cleaned, links and HTML are removed
   (:mod:`~coursekit.grading.results`, :mod:`~coursekit.grading.feedback`,
   :mod:`~coursekit.grading.templates`, :mod:`~coursekit.grading.redact`).

Before step 1, every submission is snapshotted into the grader's memory (its
hash and its cells, without outputs); links, hard links and oversized cells
are refused (:mod:`~coursekit.grading.submissions`).

Limits (what this does not protect against)
-------------------------------------------
- **No operating-system sandbox.** The kernel runs as the grader's user:
  it can read any file that user can (it is never told where the hidden checks
  or the other submissions are, and its outputs never reach a report, but it
  can look), write outside its folder, use the network if there is one, and
  fork many processes (only the wall-clock, CPU and memory limits and the
  process-group kill bound it). For untrusted classes, run the grader as a user
  that can read nothing else, or in a container.
- **The kernel is the student's.** Whatever runs there, extraction included,
  can be subverted by code the submission left behind (patched ``numpy``,
  ``keras``, ``json``, background threads writing into the evidence folder).
  Only the judge is out of reach, so the guarantee is: *forged evidence passes
  only if it is what a correct answer produces.* Checks whose evidence is raw
  objects (models, arrays, the outputs of the student's function) make forging
  as hard as answering; checks whose evidence is summary facts (layer counts,
  units) can be forged by a student who knows the expected facts.
- A hidden check with its own ``collect`` sends its file's source into the
  kernel at extraction time; keep secrets in ``judge``. Hidden checks that
  reuse a visible check's evidence send nothing.
- A check message may quote the student's values (bounded to 160 characters,
  60 when the message came from the kernel); redaction removes verbatim copies
  (20+ characters) of hidden files and other submissions there, not encoded ones.
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
