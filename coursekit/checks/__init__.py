"""Self-checks for the exercises, ready for instructor grading.

In a notebook::

    from coursekit.checks import check
    check("01.build_mlp", build_mlp)

Each check has an id, points, and a ``collect``/``judge`` pair (see
:mod:`coursekit.checks._core`); the course's checks live in one module per
notebook (``nb01.py``...). A course of your own keeps its checks in its folder's
``checks/`` (see :mod:`coursekit.checks._builtin`, :func:`load_course`); a notebook's
``check(...)`` finds them there by itself.

Imported under IPython (a notebook), the package also starts remembering
whether each cell failed, so that a check run after a broken exercise cell
says so (:mod:`coursekit.checks._cell_status`).
"""

from ._builtin import CourseCheckError, DuplicateCheckError, find_course, load_course
from ._cell_status import recorder as _recorder
from ._core import (
    REGISTRY,
    Check,
    CheckFailed,
    Verdict,
    all_checks,
    check,
    get_check,
    register,
)

__all__ = ["REGISTRY", "Check", "CheckFailed", "CourseCheckError", "DuplicateCheckError",
           "Verdict", "all_checks", "check", "find_course", "get_check", "load_course",
           "register"]

_recorder()  # under IPython: register the cell hooks once, from the first import on
