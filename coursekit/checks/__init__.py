"""Self-checks for the exercises, ready for instructor grading.

In a notebook::

    from coursekit.checks import check
    check("01.build_mlp", build_mlp)

Each check has an id, points, and a ``collect``/``judge`` pair (see
:mod:`coursekit.checks._core`); the course's checks live in one module per
notebook (``nb01.py``...).
"""

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
