"""Experiment checks: judge a model the student trained, on data the check loads itself.

An experiment exercise asks the student to write ``compile`` and ``fit`` and train a
model. Its check never trusts a number the student reports: :class:`TrainedModelCheck`
takes the trained model itself as evidence, loads held-out images itself (the test
set of the notebook's dataset, through :func:`coursekit.data.load`), and measures the
accuracy. In grading, the grader does the same in its own process, on the model it
extracted from the student's kernel.

The model may take the images in any of the usual forms, which the check finds from
its input shape and first layer:

- flat vectors ``(784,)``, images ``(28, 28)`` or images with channels ``(28, 28, 1)``;
- pixels already scaled to 0–1 (the notebook scaled them with NumPy), or raw 0–255
  pixels when the model starts with a ``Rescaling`` layer.

Thresholds are per profile (``quick`` trains on a few thousand images for an epoch or
two; ``full`` is the real course), chosen with a margin under what the solution reaches
over several seeds and far above an untrained model (about 10%).

Example
-------
>>> from coursekit.checks._trained import adapt_images
>>> import numpy as np, keras
>>> flat = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])
>>> adapt_images(np.zeros((2, 28, 28), "uint8"), flat).shape
(2, 784)
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .. import profiles
from ._core import Check, CheckFailed, Verdict

__all__ = ["TrainedModelCheck", "accuracy_of", "adapt_images", "binomial_se", "held_out",
           "predicted_labels"]

#: Below this accuracy on ten balanced classes, a model has learned next to nothing.
CHANCE_LEVEL = 0.2


def binomial_se(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on ``n`` independent images.

    >>> from coursekit.checks._trained import binomial_se
    >>> round(100 * binomial_se(0.99, 10_000), 2)  # ±0.1 point at 99% on 10,000 images
    0.1
    """
    return math.sqrt(max(accuracy * (1 - accuracy), 0.0) / n)


@functools.lru_cache(maxsize=3)
def loaded(dataset: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of ``dataset``: the checks' one way to read
    data, loaded once per process, printing nothing (the notebook announced the data, and a
    subset is announced even when quiet), with flat labels (CIFAR-10's come as (N, 1))."""
    from .. import data

    with contextlib.redirect_stdout(io.StringIO()):
        (x_train, y_train), (x_test, y_test) = data.load(dataset, verbose=False)
    return (x_train, np.asarray(y_train).reshape(-1)), (x_test, np.asarray(y_test).reshape(-1))


def held_out(dataset: str, n: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` test images of ``dataset`` (all with None), as stored (uint8)."""
    x, y = loaded(dataset)[1]
    return (x, y) if n is None else (x[:n], y[:n])


def _first_layer(model: Any) -> Any:
    """The first layer that sees pixel values as numbers, looking past the input and the
    augmentation layers (RandomFlip, ...), which work at any scale, and into nested models."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer) or type(layer).__name__.startswith("Random"):
            continue
        if isinstance(layer, keras.Model):
            inner = _first_layer(layer)
            if inner is None:  # an augmentation block
                continue
            return inner
        return layer
    return None


def _starts_with_rescaling(model: Any) -> bool:
    import keras

    return isinstance(_first_layer(model), keras.layers.Rescaling)


def adapt_images(x: np.ndarray, model: Any) -> np.ndarray:
    """Stored uint8 images ``x`` in the form ``model`` takes (shape and scale).

    Raises
    ------
    CheckFailed
        When the model's input fits none of the usual forms.
    """
    try:
        want = tuple(model.inputs[0].shape[1:])
    except Exception:
        raise CheckFailed("the model has no input shape: Keras does not know what it takes.",
                          hint="build the model from a keras.Input, then train it") from None
    image = tuple(x.shape[1:])
    pixels = int(np.prod(image))
    if want == (pixels,):
        x = x.reshape(len(x), pixels)
    elif want == (pixels, 1):  # a sequence of single pixels (notebook 06)
        x = x.reshape(len(x), pixels, 1)
    elif want == (*image, 1):
        x = x[..., None]
    elif want != image:
        raise CheckFailed(
            f"the model takes inputs of shape {want}; this check feeds the test images as "
            f"{(pixels,)}, {(pixels, 1)}, {image} or {(*image, 1)}.",
            hint="train the model on the images as the notebook prepared them")
    if _starts_with_rescaling(model):
        return x
    return x.astype("float32") / 255.0


def predicted_labels(model: Any, x: np.ndarray) -> np.ndarray:
    """The classes ``model`` predicts for stored images ``x`` (uint8).

    Raises
    ------
    CheckFailed
        When the model cannot take the images or gives no score per class.
    """
    import keras

    inputs = adapt_images(x, model)
    try:  # eager calls, not predict: no tf.function is traced (and warned about) per model
        scores = np.concatenate([keras.ops.convert_to_numpy(model(inputs[i:i + 500],
                                                                  training=False))
                                 for i in range(0, len(inputs), 500)])
    except Exception as exc:
        raise CheckFailed(f"the model could not predict on the test images "
                          f"({type(exc).__name__}).",
                          hint="check the model's layers: does it end with one output per "
                               "class?") from None
    if scores.ndim != 2 or scores.shape[0] != len(x):
        raise CheckFailed(f"the model's output has shape {scores.shape[1:]}, expected one score "
                          "per class.",
                          hint="look at the output layer: how many units, which activation?")
    return np.argmax(scores, axis=-1)


def accuracy_of(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """The accuracy of ``model`` on stored images ``x`` with integer labels ``y``."""
    return float(np.mean(predicted_labels(model, x) == y))


class TrainedModelCheck(Check):
    """Base class: pass when the student's trained model is accurate enough on test images.

    Subclasses set :attr:`dataset`, :attr:`min_accuracy` (per profile) and the usual
    check attributes; :attr:`eval_samples` says how many test images are used.
    """

    expects: ClassVar[str] = "a trained Keras model"
    dataset: ClassVar[str] = "mnist"
    min_accuracy: ClassVar[Mapping[str, float]]
    eval_samples: ClassVar[Mapping[str, int | None]] = {"quick": 2_000, "full": None,
                                                           "grade": 1_000}
    #: What to train, for the hint when the accuracy is too low.
    advice: ClassVar[str] = ("train for the epochs the exercise asks, on all of its training "
                             "images, with the pixels scaled to 0–1")

    def collect(self, model: Any) -> Any:
        import keras

        if not isinstance(model, keras.Model):
            raise CheckFailed(f"expected {self.expects}, got {type(model).__name__}.",
                              hint="pass the model you trained (the object you called fit on)")
        if not model.built or not model.inputs:
            raise CheckFailed("the model is not built: it has not been trained yet.",
                              hint="compile and fit the model, then run this check")
        return model

    def judge(self, model: Any) -> Verdict:
        profile = profiles.current()
        x, y = held_out(self.dataset, self.eval_samples[profile.name])
        accuracy = accuracy_of(model, x, y)
        need = self.min_accuracy[profile.name]
        needed = f"{need:.1%}".replace(".0%", "%")
        where = (f"{accuracy:.1%} of {len(y):,} test images it never saw "
                 f"(± {binomial_se(accuracy, len(y)):.1%})")
        if accuracy >= need:
            return self.ok(f"your trained model classifies {where} correctly; at least "
                           f"{needed} was needed in the {profile.name} profile.")
        if accuracy < CHANCE_LEVEL:
            return self.fail(f"your model classifies only {where} correctly: about what "
                             "guessing gives, so it has not learned yet.",
                             hint="did you call fit on this very model? A model rebuilt after "
                                  "fit starts again from random weights")
        return self.fail(f"your model classifies {where} correctly; at least {needed} is "
                         f"needed in the {profile.name} profile.", hint=self.advice)
