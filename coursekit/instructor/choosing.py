"""``coursekit bench --choose``: each course recipe's learning rate, chosen on validation.

The course recipes were first tuned with ``coursekit bench``, whose yardstick is the
*test* accuracy. This module makes the choice the way the notebooks teach: for each
task it trains the course recipe with its peak learning rate scaled by each of
:data:`FACTORS`, on the training images less a validation split (the last
:data:`coursekit.instructor.bench.VALIDATION` of them), and measures the validation accuracy
after the recipe's last epoch. The test set is not read.

The rule: the factor with the best validation accuracy wins, unless the course's
own (factor 1) is within the noise of it, twice the standard error of the difference
of the two accuracies, in which case the data cannot tell them apart and the course
recipe stands. Each variant is one run with seed 0 in a fresh process, so a
difference within the noise is reported as such.

Example
-------
::

    $ coursekit bench --choose
    $ coursekit bench --choose cnn-mnist --json choice.json
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["FACTORS", "Choice", "choose", "decide", "format_table", "run"]

#: The peak learning rates tried, as multiples of the course recipe's.
FACTORS = (0.5, 1.0, 2.0)


@dataclass
class Choice:
    """The validation accuracies of one task's variants, and what they decide.

    Attributes
    ----------
    task, data : str
        The task, and the images trained on and validated on.
    peak : float
        The course recipe's peak learning rate.
    accuracy : dict
        ``{factor: validation accuracy after the last epoch}``.
    curves : dict
        ``{factor: validation accuracy after each epoch}``.
    validation_images : int
    best : float
        The factor with the best validation accuracy.
    noise : float
        Twice the standard error of the difference between the best accuracy and the
        course's (0 when the course's is the best).
    chosen : float
        The factor the rule keeps: 1.0 when the course recipe is within ``noise``
        of the best, else ``best``.
    """

    task: str
    data: str
    peak: float
    accuracy: dict[float, float]
    curves: dict[float, list[float]]
    validation_images: int
    best: float
    noise: float
    chosen: float

    @property
    def verdict(self) -> str:
        """One phrase: whether the course recipe stands on validation."""
        if self.best == 1.0:
            return "the course's peak is the best on validation"
        if self.chosen == 1.0:
            gain = 100 * (self.accuracy[self.best] - self.accuracy[1.0])
            return (f"×{self.best:g} is {gain:+.2f} points, within the noise: the course's "
                    "peak stands")
        return f"×{self.best:g} is better beyond the noise: re-choose the peak"


def decide(accuracy: dict[float, float], n: int) -> tuple[float, float, float]:
    """The best factor, the noise of its difference from the course's, and the choice.

    >>> decide({0.5: 0.980, 1.0: 0.984, 2.0: 0.982}, n=5_000)
    (1.0, 0.0, 1.0)
    >>> best, noise, chosen = decide({0.5: 0.95, 1.0: 0.97, 2.0: 0.99}, n=5_000)
    >>> best, round(noise, 4), chosen
    (2.0, 0.0056, 2.0)
    """
    best = max(accuracy, key=lambda f: (accuracy[f], f == 1.0))
    if best == 1.0:
        return best, 0.0, 1.0
    p, q = accuracy[best], accuracy[1.0]
    noise = 2 * math.sqrt((p * (1 - p) + q * (1 - q)) / n)
    return best, noise, (1.0 if p - q <= noise else best)


def choose(task: str, *, quick: bool = False,
           echo: Callable[[str], None] = print) -> Choice:
    """Train the course recipe of ``task`` at each of :data:`FACTORS` and decide."""
    from .. import recipes
    from . import bench

    spec = recipes.get(task)
    runs = {f: bench._spawn(task, "course", quick, echo, on="validation", peak_factor=f,
                            label=f"×{f:g}") for f in FACTORS}
    accuracy = {f: r.accuracy[-1] for f, r in runs.items()}
    n = bench.VALIDATION[spec.dataset]
    best, noise, chosen = decide(accuracy, n)
    return Choice(task=task, data=runs[1.0].data, peak=float(spec.course.peak_learning_rate),
                  accuracy=accuracy, curves={f: r.accuracy for f, r in runs.items()},
                  validation_images=n, best=best, noise=noise, chosen=chosen)


def run(tasks: Sequence[str] | None = None, *, quick: bool = False,
        json_path: str | os.PathLike | None = None,
        echo: Callable[[str], None] | None = None) -> list[Choice]:
    """Choose on validation for ``tasks`` (default: all); print and return the choices."""
    from .. import recipes
    from . import bench

    return bench.drive(f"coursekit bench --choose{' --quick' if quick else ''}",
                       list(tasks) if tasks else list(recipes.TASKS),
                       lambda task, echo: choose(task, quick=quick, echo=echo), format_table,
                       json_path=json_path, echo=echo)


def format_table(choices: Sequence[Choice]) -> str:
    """The choices as a Markdown table, one row a task."""
    head = ["task", "data (train / validation)", "course peak",
            *(f"×{f:g}" for f in FACTORS), "noise (2 s.e.)", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in choices:
        cells = [f"**{c.accuracy[f]:.2%}**" if f == c.best else f"{c.accuracy[f]:.2%}"
                 for f in FACTORS]
        lines.append("| " + " | ".join([c.task, c.data, f"{c.peak:g}", *cells,
                                        f"±{c.noise:.2%}" if c.noise else "-",
                                        c.verdict]) + " |")
    lines += ["", "Validation accuracy after each variant's last epoch (seed 0, one run each); "
              "×f: the course recipe with its peak learning rate times f; bold: the best."]
    return "\n".join(lines)
