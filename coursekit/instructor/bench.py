"""``coursekit bench``: the original and the course recipes, side by side, in one run.

For each task of :data:`coursekit.recipes.TASKS`, :func:`run` trains the
original recipe and then the course recipe on the same machine, each in a
fresh Python process (so that each one's peak memory is its own and neither
inherits the other's warm caches), evaluating test accuracy after every epoch.
It records:

* the training wall time until test accuracy first reaches the task's target
  (evaluation time excluded; the first epoch's graph tracing included, as a
  student waits for it too), and the final accuracy;
* the peak resident memory of each process (``ru_maxrss``);
* ``speedup = baseline_seconds / course_seconds``.

The time is :class:`coursekit.callbacks.EpochTimer`'s (wall and CPU, with the
evaluation left out), each process runs through the worker protocol of
:mod:`coursekit.instructor._worker`, and the machine is named by
:func:`coursekit.profiles.machine`, as at the top of every notebook.

When a task's target is None (``cnn-fashion``, ``cnn-cifar10``), the original
recipe runs its whole budget first and its final accuracy becomes the target.
When the original never reaches the target within its published budget, its
whole training time is used and the row is marked (``baseline_reached`` is
False, an asterisk in the table); likewise ``course_reached``.

``--quick`` is a check of a machine, not a benchmark: each recipe trains one
epoch on 10,000 images and ``speedup`` is then the ratio of those epoch times
(the rows say ``"mode": "quick"``). It finishes in about a minute.

Benchmarks are not tests: the test suite runs one quick task as a smoke check
and asserts nothing about time.

Example
-------
::

    $ coursekit bench cnn-mnist mlp-mnist --json bench.json
    $ coursekit bench --quick
"""

from __future__ import annotations

import json
import os
import resource
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .._validation import check_choice, check_float
from ..errors import InvalidParameterError
from ._worker import emit, progress, run_worker

__all__ = ["QUICK_SAMPLES", "VALIDATION", "BenchRow", "RecipeRun", "format_table", "run",
           "run_recipe"]

#: Training images per recipe in ``--quick`` mode.
QUICK_SAMPLES = 10_000
#: The validation split that choosing a recipe holds out: the last images of the
#: training set, as many as the notebooks hold out (5,000 of MNIST's and Fashion-MNIST's
#: 60,000; 1,000 of the CIFAR-10 subset's 5,085).
VALIDATION = {"mnist": 5_000, "fashion_mnist": 5_000, "cifar10": 1_000}


# --------------------------------------------------------------------------- #
# One recipe, in its own process
# --------------------------------------------------------------------------- #

@dataclass
class RecipeRun:
    """What training one recipe measured.

    Attributes
    ----------
    seconds : list of float
        Cumulative training time (evaluation excluded) at the end of each epoch.
    cpu_seconds : list of float
        The same in CPU time of the process (all its threads). On a shared or
        throttled machine wall time stretches while the CPU time of the same
        work does not, so the CPU-time ratio is a check on the wall-time one.
    accuracy : list of float
        Accuracy after each epoch, on the test set or on the validation split
        (see :func:`run_recipe`).
    peak_mb : float
        Peak resident memory of the process, in MiB.
    data : str
        The data trained and tested on, e.g. ``"MNIST (60,000 / 10,000)"``.
    """

    seconds: list[float]
    accuracy: list[float]
    peak_mb: float
    data: str
    cpu_seconds: list[float] = field(default_factory=list)

    def epochs_to(self, target: float) -> tuple[int, bool]:
        """Epochs until accuracy first reached ``target`` (all of them if never), and whether."""
        for epoch, accuracy in enumerate(self.accuracy, start=1):
            if accuracy >= target:
                return epoch, True
        return len(self.accuracy), False

    def time_to(self, target: float) -> tuple[float, bool]:
        """Seconds until accuracy first reached ``target``, and whether it did.

        If it never did, the whole training time and False.
        """
        epochs, reached = self.epochs_to(target)
        return self.seconds[epochs - 1], reached

    def cpu_time_to(self, target: float) -> float:
        """CPU seconds until accuracy first reached ``target`` (all of them if never)."""
        return self.cpu_seconds[self.epochs_to(target)[0] - 1] if self.cpu_seconds else 0.0


def run_recipe(task: str, recipe: str, *, quick: bool = False, on: str = "test",
               peak_factor: float = 1.0,
               on_epoch: Callable[[int, int, float, float], None] | None = None) -> RecipeRun:
    """Train one recipe of one task in *this* process and measure it.

    Parameters
    ----------
    task : str
        A :data:`coursekit.recipes.TASKS` name.
    recipe : {"original", "course"}
    quick : bool, default False
        One epoch on :data:`QUICK_SAMPLES` training images.
    on : {"test", "validation"}, default "test"
        What the accuracy is measured on after each epoch: the test set (the
        benchmark), or a validation split held out of the training images
        (:data:`VALIDATION` of them, the last ones), which is what choosing a recipe
        uses; the test set is then not read.
    peak_factor : float, default 1.0
        Multiplies the recipe's peak learning rate (a recipe with a schedule only).
    on_epoch : callable or None
        Called as ``on_epoch(epoch, epochs, seconds, accuracy)`` after each epoch.

    Returns
    -------
    RecipeRun
    """
    from .. import data, recipes

    spec = recipes.get(task)
    chosen: recipes.Recipe = getattr(spec, check_choice("recipe", recipe, ("original", "course")))
    check_choice("on", on, ("test", "validation"))
    peak_factor = check_float("peak_factor", peak_factor, min_value=0.01)
    if peak_factor != 1.0:
        if chosen.peak_learning_rate is None:
            raise InvalidParameterError("peak_factor", peak_factor, f"1.0: the {recipe} recipe "
                                        f"of {task} has a constant learning rate, no peak")
        chosen = replace(chosen, peak_learning_rate=chosen.peak_learning_rate * peak_factor)
    (x_train, y_train), (x_test, y_test) = loaded = data.load(spec.dataset, verbose=False)
    if on == "validation":
        held = VALIDATION[spec.dataset]
        (x_train, y_train), (x_test, y_test) = ((x_train[:-held], y_train[:-held]),
                                                (x_train[-held:], y_train[-held:]))
    if quick:
        x_train, y_train = x_train[:QUICK_SAMPLES], y_train[:QUICK_SAMPLES]
    epochs = 1 if quick else chosen.epochs
    x_train, x_test = chosen.prepare(x_train), chosen.prepare(x_test)

    import keras

    from ..callbacks import EpochTimer

    keras.utils.set_random_seed(0)
    model = chosen.compile(chosen.build(tuple(x_train.shape[1:])), len(x_train), epochs)
    timer = EpochTimer(exclude_evaluation=True)
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    accuracy: list[float] = []

    def epoch_done(epoch: int, logs: dict | None) -> None:  # runs after the timer's
        seconds.append(round(sum(timer.epoch_seconds), 2))
        cpu_seconds.append(round(sum(timer.cpu_seconds), 2))
        accuracy.append(round(float((logs or {})["val_accuracy"]), 4))
        if on_epoch is not None:
            on_epoch(epoch + 1, epochs, seconds[-1], accuracy[-1])

    model.fit(x_train, y_train, batch_size=chosen.batch_size, epochs=epochs,
              validation_data=(x_test, y_test), verbose=0,
              callbacks=[timer, keras.callbacks.LambdaCallback(on_epoch_end=epoch_done)])
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info = loaded.info
    subset = " subset" if info.is_subset else ""
    label = f"{info.title}{subset} ({len(x_train):,} / {len(x_test):,}" + (
        " validation)" if on == "validation" else ")")
    return RecipeRun(seconds, accuracy, round(peak_kib / 1024, 1), label, cpu_seconds)


def _worker(argv: Sequence[str]) -> int:
    """``python -m coursekit.instructor.bench TASK RECIPE [--quick] [--on SPLIT] [--peak-factor X]``
    runs one recipe and reports each epoch and the result (:mod:`._worker`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m coursekit.instructor.bench")
    parser.add_argument("task")
    parser.add_argument("recipe")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--on", default="test")
    parser.add_argument("--peak-factor", type=float, default=1.0)
    args = parser.parse_args(argv)

    def report(epoch: int, epochs: int, seconds: float, accuracy: float) -> None:
        progress({"epoch": epoch, "epochs": epochs, "seconds": seconds, "accuracy": accuracy})

    result = run_recipe(args.task, args.recipe, quick=args.quick, on=args.on,
                        peak_factor=args.peak_factor, on_epoch=report)
    emit(asdict(result))
    return 0


def _spawn(task: str, recipe: str, quick: bool, echo: Callable[[str], None], *,
           on: str = "test", peak_factor: float = 1.0, label: str = "") -> RecipeRun:
    """Run :func:`run_recipe` in a fresh interpreter and read its result."""
    label = label or recipe

    def show(epoch: dict[str, Any]) -> None:
        echo(f"  {task:<12} {label:<8} epoch {epoch['epoch']:>2}/{epoch['epochs']:<2} "
             f"{epoch['seconds']:7.1f} s  {on} accuracy {epoch['accuracy']:.2%}")

    args = [task, recipe, "--on", on, "--peak-factor", repr(peak_factor)]
    result = run_worker("coursekit.instructor.bench", args + (["--quick"] if quick else []),
                        on_progress=show, label=f"bench: {task} / {recipe}")
    return RecipeRun(**result)


# --------------------------------------------------------------------------- #
# A task: both recipes, one row
# --------------------------------------------------------------------------- #

@dataclass
class BenchRow:
    """One row of the benchmark: a task, both recipes' times, accuracies and memory.

    The first eleven fields are the JSON keys the course promises; the rest
    say how the figures were obtained.
    """

    task: str
    data: str
    target_accuracy: float | None
    baseline: str
    baseline_seconds: float
    baseline_accuracy: float
    course_seconds: float
    course_accuracy: float
    speedup: float
    baseline_peak_mb: float
    course_peak_mb: float
    course: str = ""
    baseline_epochs: int = 0
    course_epochs: int = 0
    baseline_cpu_seconds: float = 0.0
    course_cpu_seconds: float = 0.0
    cpu_speedup: float = 0.0
    baseline_reached: bool = True
    course_reached: bool = True
    target_source: str = ""
    mode: str = "full"
    baseline_curve: list[list[float]] = field(default_factory=list)
    course_curve: list[list[float]] = field(default_factory=list)


def bench_task(task: str, *, quick: bool = False,
               echo: Callable[[str], None] = print) -> BenchRow:
    """Train both recipes of ``task``, each in a fresh process, and compare them."""
    from .. import recipes

    spec = recipes.get(task)
    base = _spawn(task, "original", quick, echo)
    course = _spawn(task, "course", quick, echo)
    curves = {"baseline_curve": [list(p) for p in zip(base.seconds, base.accuracy, strict=True)],
              "course_curve": [list(p) for p in zip(course.seconds, course.accuracy, strict=True)]}
    common = {"task": task, "data": base.data, "baseline": spec.original.summary,
              "course": spec.course.summary, "baseline_peak_mb": base.peak_mb,
              "course_peak_mb": course.peak_mb, **curves}
    if quick:
        b_sec, c_sec = base.seconds[-1], course.seconds[-1]
        b_cpu, c_cpu = base.cpu_time_to(0.0), course.cpu_time_to(0.0)
        return BenchRow(**common, target_accuracy=None, baseline_seconds=b_sec,
                        baseline_accuracy=base.accuracy[-1], course_seconds=c_sec,
                        course_accuracy=course.accuracy[-1], speedup=round(b_sec / c_sec, 2),
                        baseline_epochs=1, course_epochs=1, baseline_cpu_seconds=b_cpu,
                        course_cpu_seconds=c_cpu,
                        cpu_speedup=round(b_cpu / c_cpu, 2) if c_cpu else 0.0,
                        target_source="none: --quick times one epoch of each recipe",
                        mode="quick")
    target = spec.target if spec.target is not None else base.accuracy[-1]
    b_sec, b_ok = base.time_to(target)
    c_sec, c_ok = course.time_to(target)
    b_cpu, c_cpu = base.cpu_time_to(target), course.cpu_time_to(target)
    return BenchRow(**common, target_accuracy=target, baseline_seconds=b_sec,
                    baseline_accuracy=base.accuracy[-1], course_seconds=c_sec,
                    course_accuracy=course.accuracy[-1], speedup=round(b_sec / c_sec, 2),
                    baseline_epochs=base.epochs_to(target)[0],
                    course_epochs=course.epochs_to(target)[0],
                    baseline_cpu_seconds=b_cpu, course_cpu_seconds=c_cpu,
                    cpu_speedup=round(b_cpu / c_cpu, 2) if c_cpu else 0.0,
                    baseline_reached=b_ok, course_reached=c_ok, target_source=spec.target_source)


def run(tasks: Sequence[str] | None = None, *, quick: bool = False,
        json_path: str | os.PathLike | None = None,
        echo: Callable[[str], None] | None = None) -> list[BenchRow]:
    """Benchmark ``tasks`` (default: all; with ``quick``, ``cnn-mnist``).

    Prints progress and the table through ``echo``; writes the rows as JSON to
    ``json_path`` if given. Returns the rows.

    Example
    -------
    >>> rows = run(["mlp-mnist"], quick=True, echo=lambda line: None)  # doctest: +SKIP
    >>> rows[0].speedup > 0  # doctest: +SKIP
    True
    """
    from .. import recipes

    if not tasks:
        tasks = ["cnn-mnist"] if quick else list(recipes.TASKS)
    return drive(f"coursekit bench{' --quick' if quick else ''}", tasks,
                 lambda task, echo: bench_task(task, quick=quick, echo=echo), format_table,
                 json_path=json_path, echo=echo)


def drive(command: str, tasks: Sequence[str], one: Callable[[str, Callable[[str], None]], Any],
          table: Callable[[list[Any]], str], *, json_path: str | os.PathLike | None = None,
          echo: Callable[[str], None] | None = None) -> list[Any]:
    """Run ``one(task, echo)`` for each task, after checking them all; print the table.

    The shared loop of ``coursekit bench`` and ``coursekit bench --choose``: progress
    through ``echo`` (default: print at once, even into a log file), the rows written as
    JSON to ``json_path`` after each task (a long run keeps what it has), and
    ``table(rows)`` at the end.
    """
    from .. import recipes

    if echo is None:
        def echo(line: str) -> None:
            print(line, flush=True)
    for task in tasks:
        check_choice("task", task, recipes.TASKS)
    echo(f"{command}: {', '.join(tasks)}")
    echo(f"machine: {_machine()}")
    rows = []
    for task in tasks:
        rows.append(one(task, echo))
        if json_path is not None:
            Path(json_path).write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    echo("")
    echo(table(rows))
    return rows


# --------------------------------------------------------------------------- #
# Presentation
# --------------------------------------------------------------------------- #

def _machine() -> str:
    """:func:`coursekit.profiles.machine`, with TensorFlow imported so that GPUs are counted."""
    import tensorflow  # noqa: F401

    from ..profiles import machine

    return machine()


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def format_table(rows: Sequence[BenchRow]) -> str:
    """The rows as a Markdown table; ``*`` marks a recipe that missed the target."""
    head = ["task", "data", "target", "original s (epochs)", "original final", "course s (epochs)",
            "course final", "speedup", "speedup in CPU time", "original MB", "course MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        star_b = "" if r.baseline_reached else "*"
        star_c = "" if r.course_reached else "*"
        lines.append("| " + " | ".join([
            r.task, r.data, _pct(r.target_accuracy),
            f"{r.baseline_seconds:.1f}{star_b} ({r.baseline_epochs})", _pct(r.baseline_accuracy),
            f"{r.course_seconds:.1f}{star_c} ({r.course_epochs})", _pct(r.course_accuracy),
            f"**{r.speedup:.1f}×**", f"{r.cpu_speedup:.1f}×" if r.cpu_speedup else "-",
            f"{r.baseline_peak_mb:.0f}", f"{r.course_peak_mb:.0f}",
        ]) + " |")
    notes = []
    if any(not (r.baseline_reached and r.course_reached) for r in rows):
        notes.append("* did not reach the target; its whole training time is shown.")
    if any(r.mode == "quick" for r in rows):
        notes.append(f"--quick: one epoch on {QUICK_SAMPLES:,} images each; seconds are that "
                     "epoch's and the speedup is their ratio, not time to accuracy.")
    notes.append("s (epochs): training wall time (evaluation excluded) and epochs until the "
                 "test accuracy first reached the target; final: test accuracy after the "
                 "recipe's last epoch; MB: peak resident memory of each recipe's process.")
    return "\n".join([*lines, "", *notes])


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
