"""Claim cells: the sentences of a notebook that depend on a run, checked by the run.

A notebook's prose says things like "pooling 4×4 trains much faster than no pooling".
Such a sentence is true only if the run above it says so, so it comes with a **claim
cell**: a code cell tagged ``claim`` that states it in code::

    claim(epoch_s[4] < 0.7 * epoch_s[1], "pool 4 is much faster than pool 1")

In the **full** profile (the real course, and ``coursekit build --execute``, which
refreshes the committed outputs) a false claim raises :class:`ClaimError`, so the
notebook's run fails and the false sentence cannot be committed. In the **quick**
profile (CI, slow laptops) the data and the epochs are too few for the figures to
mean anything, so claims are not judged: each prints that it was skipped.

The exercise notebooks keep no claim cells (``coursekit build`` drops them): a
student's own run may differ, and the prose says what the course's run showed.

Example
-------
>>> from coursekit.claims import claim
>>> import os
>>> os.environ["COURSEKIT_PROFILE"] = "full"
>>> claim(2 + 2 == 4, "two and two make four")
✔ claim: two and two make four
>>> claim(2 + 2 == 5, "two and two make five")
Traceback (most recent call last):
...
coursekit.claims.ClaimError: the notebook says "two and two make five", but this run shows otherwise
>>> os.environ["COURSEKIT_PROFILE"] = "quick"
>>> claim(2 + 2 == 5, "two and two make five")
– claim not checked in the quick profile: two and two make five
>>> del os.environ["COURSEKIT_PROFILE"]
"""

from __future__ import annotations

from typing import Any

from . import profiles
from ._validation import check_str

__all__ = ["TAG", "ClaimError", "claim"]

#: The cell tag of claim cells.
TAG = "claim"


class ClaimError(AssertionError):
    """A sentence of the notebook that the run contradicts."""


def claim(condition: Any, statement: str) -> None:
    """State that ``condition`` holds, as the prose around it says.

    Parameters
    ----------
    condition : bool-like
        What the run must show, computed from the notebook's own variables.
    statement : str
        The sentence of the prose it backs, in words.

    Raises
    ------
    ClaimError
        In the full profile, when ``condition`` is false.
    """
    statement = check_str("statement", statement)
    if profiles.current().is_quick:
        print(f"– claim not checked in the quick profile: {statement}")
        return
    if not bool(condition):
        raise ClaimError(f'the notebook says "{statement}", but this run shows otherwise')
    print(f"✔ claim: {statement}")
