"""``coursekit bench --knobs``: what each speed knob does to the time of one epoch.

The course recipes were chosen by measuring, one knob at a time, the training
time of an epoch with and without the knob. This module repeats those
measurements so anyone can check them on their own machine: each variant runs
in a fresh Python process (threading and mixed precision are process-wide
settings) and trains two epochs on :data:`SAMPLES` MNIST images in one
``fit``; the second epoch (after graph tracing and compilation) is timed from
its start to its end and scaled to 60,000 images. Variants of one knob run
one after the other in the same invocation, so compare them by their ratio.

The models are the recipes' own (:data:`MODELS`: each is a
:class:`coursekit.recipes.Architecture`, built by :mod:`coursekit.models`), the
timer is :class:`coursekit.callbacks.EpochTimer` and each variant runs through
the benchmarks' worker protocol (:mod:`coursekit.instructor._worker`).

Accuracy knobs (learning-rate schedule, batch size with it, architecture) are
measured by ``coursekit bench`` itself, as time to the target accuracy.

Example
-------
::

    $ coursekit bench --knobs
    $ coursekit bench --knobs xla threads
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .._validation import check_choice
from ._worker import emit, run_worker

__all__ = ["KNOBS", "MODELS", "SAMPLES", "Variant", "build_model", "measure", "run"]

#: Training images per timed epoch (the result is scaled to 60,000).
SAMPLES = 12_000

#: The models the knobs time, each a recipe's architecture: ``(task, recipe)`` in
#: :data:`coursekit.recipes.TASKS`.
MODELS = {"mlp": ("mlp-mnist", "course"),          # the classic MLP 512-512
          "cnn": ("cnn-mnist", "original"),        # the classic CNN, 2 × Conv(32)
          "course-cnn": ("cnn-mnist", "course"),   # Conv(16) → pool → Conv(32) → pool
          "lstm": ("lstm-mnist", "original"),      # LSTM(128)
          "lstm-64": ("lstm-mnist", "course")}     # LSTM(64)


@dataclass(frozen=True)
class Variant:
    """One setting of a knob: a model, how its data is fed, and process settings."""

    label: str
    model: str = "cnn"  # a key of MODELS
    batch_size: int = 128
    float_inputs: bool = False
    tf_data: bool = False
    batch_norm: bool = False
    jit_compile: bool = False
    threads: tuple[int, int] | None = None  # (intra-op, inter-op)
    mixed_bfloat16: bool = False
    steps_per_execution: int = 1


#: The knobs: for each, the variants timed side by side (the first is the control).
KNOBS: dict[str, list[Variant]] = {
    "inputs": [Variant("float32 scaled with NumPy (original)", float_inputs=True),
               Variant("uint8 + Rescaling layer")],
    "tf-data": [Variant("NumPy arrays to fit"), Variant("tf.data cache + prefetch", tf_data=True)],
    "batch": [Variant(f"{m} batch {b}", model=m, batch_size=b)
              for m in ("mlp", "cnn", "lstm") for b in (128, 256, 512)],
    "architecture": [Variant("original CNN (2×Conv32 on 26/24 px)"),
                     Variant("course CNN (Conv16→pool→Conv32→pool)", model="course-cnn")],
    "lstm-width": [Variant("LSTM(128), batch 512", model="lstm", batch_size=512),
                   Variant("LSTM(64), batch 512", model="lstm-64", batch_size=512)],
    "batch-norm": [Variant("course CNN", model="course-cnn"),
                   Variant("course CNN + batch norm", model="course-cnn", batch_norm=True)],
    "steps-per-execution": [
        Variant(f"{m}{f', {n} steps per execution' if n > 1 else ''}", model=m,
                steps_per_execution=n)
        for m in ("mlp", "course-cnn", "lstm") for n in (1, 16)],
    "xla": [Variant(f"{m}{' + XLA' if jit else ''}", model=m, jit_compile=jit)
            for m in ("course-cnn", "mlp", "lstm") for jit in (False, True)],
    "threads": [Variant("TensorFlow's default threads", model="course-cnn"),
                Variant("intra-op 2, inter-op 1", model="course-cnn", threads=(2, 1)),
                Variant("intra-op 1, inter-op 1", model="course-cnn", threads=(1, 1))],
    "bfloat16": [Variant(f"{m}{' + mixed bfloat16' if bf else ''}", model=m, mixed_bfloat16=bf)
                 for m in ("mlp", "course-cnn") for bf in (False, True)],
}


#: Knobs timed on several models: each model's first variant is its own control.
_PER_MODEL = {"batch", "steps-per-execution", "xla", "bfloat16"}


def build_model(variant: Variant) -> Any:
    """The model of ``variant``: its recipe's, fed as the variant says (uint8 by default)."""
    from .. import recipes

    task, which = MODELS[check_choice("model", variant.model, MODELS)]
    recipe = replace(getattr(recipes.get(task), which), float_inputs=variant.float_inputs)
    return recipe.build((28, 28), **({"batch_norm": True} if variant.batch_norm else {}))


def measure(variant: Variant) -> dict[str, float]:
    """Time one epoch of ``variant`` in *this* process (see the module docstring).

    Returns the seconds per 60,000-image epoch, the CPU time per wall second, and the
    machine line (:func:`coursekit.profiles.machine`) as this process saw it.
    """
    import tensorflow as tf

    if variant.threads is not None:
        tf.config.threading.set_intra_op_parallelism_threads(variant.threads[0])
        tf.config.threading.set_inter_op_parallelism_threads(variant.threads[1])
    import keras

    from .. import data
    from ..callbacks import EpochTimer
    from ..profiles import machine

    if variant.mixed_bfloat16:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    (x, y), _ = data.load("mnist", verbose=False)
    x, y = x[:SAMPLES], y[:SAMPLES]
    if variant.float_inputs:
        x = x.astype("float32") / 255
    keras.utils.set_random_seed(0)
    model = build_model(variant)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=variant.jit_compile,
                  steps_per_execution=variant.steps_per_execution)
    if variant.tf_data:
        inputs = {"x": (tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(len(x))
                        .batch(variant.batch_size).prefetch(tf.data.AUTOTUNE))}
    else:
        inputs = {"x": x, "y": y, "batch_size": variant.batch_size}
    timer = EpochTimer()
    model.fit(**inputs, epochs=2, verbose=0, callbacks=[timer])
    wall, cpu = timer.epoch_seconds[-1], timer.cpu_seconds[-1]  # the second: no tracing
    return {"seconds_per_60k": round(wall * 60_000 / SAMPLES, 2),
            "cpu_per_wall": round(cpu / wall, 2), "machine": machine()}


def _spawn(knob: str, index: int) -> dict[str, float]:
    return run_worker("coursekit.instructor.knobs", [knob, str(index)],
                      label=f"knob {knob} / {KNOBS[knob][index].label}")


def run(knobs: Sequence[str] | None = None, *,
        echo: Callable[[str], None] = print) -> list[dict]:
    """Time every variant of ``knobs`` (default: all), printing a table; return the rows."""
    knobs = list(knobs) if knobs else list(KNOBS)
    for knob in knobs:
        check_choice("knob", knob, KNOBS)
    rows, machines = [], set()
    echo("| knob | variant | s per 60k-image epoch | CPU / wall | vs first |\n"
         "|---|---|---|---|---|")
    for knob in knobs:
        first = None
        for index, variant in enumerate(KNOBS[knob]):
            result = _spawn(knob, index)
            machines.add(result.pop("machine", None))
            if knob in _PER_MODEL and variant.model != KNOBS[knob][max(index - 1, 0)].model:
                first = None  # a new model within the knob: a new control
            first = first or result["seconds_per_60k"]
            ratio = result["seconds_per_60k"] / first
            rows.append({"knob": knob, "variant": variant.label, **result,
                         "ratio": round(ratio, 2)})
            echo(f"| {knob} | {variant.label} | {result['seconds_per_60k']:.1f} | "
                 f"{result['cpu_per_wall']:.2f} | {ratio:.2f}× |")
    for machine in sorted(machines - {None}):  # as each measuring process saw it
        echo(f"\nmachine: {machine}")
    return rows


if __name__ == "__main__":
    name, position = sys.argv[1], int(sys.argv[2])
    emit(measure(KNOBS[name][position]))
