"""Self-checks for the exercises, ready for instructor grading.

In a notebook::

    from coursekit.checks import check
    check("01.build_mlp", build_mlp)

Each check has an id, points, and a ``collect``/``judge`` pair (see
:mod:`coursekit.checks._core`); the course's checks live in one module per
notebook (``nb01.py``...).

Imported under IPython (a notebook), the package also starts remembering
whether each cell failed, so that a check run after a broken exercise cell
says so (:mod:`coursekit.checks._cell_status`).
"""

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

__all__ = ["REGISTRY", "Check", "CheckFailed", "Verdict", "all_checks", "check", "get_check",
           "register"]

_recorder()  # under IPython: register the cell hooks once, from the first import on
