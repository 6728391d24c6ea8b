"""Train, time and evaluate a Keras model in one call, with one progress bar.

:func:`train` wraps ``model.fit``: it validates the data against the model
*before* training (a wrong shape or too few output units gives a short message
saying what to do, not a TensorFlow traceback), compiles the model if needed,
seeds the random generators, times every epoch, evaluates on test data and
returns a :class:`TrainingResult`.

Progress and timing come from the callbacks of :mod:`coursekit.callbacks`
(:class:`~coursekit.callbacks.ProgressBar`, :class:`~coursekit.callbacks.EpochTimer`),
the same ones the notebooks pass to their own ``model.fit`` calls: :func:`train`
calls ``model.fit(..., verbose=0)`` and adds a ``ProgressBar`` when ``progress=True``.
Notebooks show ``compile`` and ``fit`` in the open first and use :func:`train` only
to repeat them in a loop of comparisons.

Reproducibility
---------------
:func:`train` calls ``keras.utils.set_random_seed(seed)`` before fitting,
which fixes the shuffling and dropout of the fit. The model's *weights*,
however, were initialised when the model was built, so notebooks also call
``keras.utils.set_random_seed`` before building the model.

Example
-------
>>> import keras
>>> from coursekit import data, models, training
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")  # doctest: +SKIP
>>> keras.utils.set_random_seed(0)
>>> model = models.build_mlp((28, 28), input_rescale=1 / 255)
>>> result = training.train(model, x_train, y_train, epochs=5,
...                         validation_split=0.1,
...                         test_data=(x_test, y_test))  # doctest: +SKIP
5 epochs in 12.3 s (2.5 s/epoch), test accuracy 98.12%
>>> result.final("val_accuracy")  # doctest: +SKIP
0.9801
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from ._validation import check_array, check_bool, check_choice, check_float, check_int
from .callbacks import EpochTimer, ProgressBar
from .errors import InvalidParameterError

__all__ = ["OPTIMIZERS", "TrainingResult", "evaluate", "predict_labels", "train"]

#: Optimizer names :func:`train` accepts as strings.
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "nadam")


# --------------------------------------------------------------------------- #
# Result
# --------------------------------------------------------------------------- #

@dataclass
class TrainingResult:
    """What :func:`train` returns: the history, timings and test scores.

    Attributes
    ----------
    history : dict of str to list of float
        ``History.history`` of the fit: one value per epoch for each metric
        ("loss", "accuracy", and "val_loss", "val_accuracy" with validation).
    seconds : float
        Wall-clock time of ``model.fit``, in seconds.
    epoch_seconds : list of float
        Wall-clock time of each epoch (validation included), in seconds.
    epochs : int
        Number of epochs run (fewer than asked if a callback such as
        ``EarlyStopping`` stopped the training).
    test_loss, test_accuracy : float or None
        Scores on ``test_data``; None when no test data was given.

    Example
    -------
    >>> r = TrainingResult(history={"loss": [0.3, 0.1], "accuracy": [0.9, 0.97]},
    ...                    seconds=5.0, epoch_seconds=[2.6, 2.4], epochs=2,
    ...                    test_loss=0.09, test_accuracy=0.9812)
    >>> print(r)
    2 epochs in 5.0 s (2.5 s/epoch), test accuracy 98.12%
    >>> r.final("accuracy")
    0.97
    """

    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float] = field(default_factory=list)
    epochs: int = 0
    test_loss: float | None = None
    test_accuracy: float | None = None

    @property
    def seconds_per_epoch(self) -> float:
        """Mean wall-clock time of an epoch, in seconds."""
        if self.epoch_seconds:
            return sum(self.epoch_seconds) / len(self.epoch_seconds)
        return self.seconds / self.epochs if self.epochs else float("nan")

    def final(self, metric: str = "loss") -> float:
        """Return the last value of a history metric, such as "val_accuracy".

        Raises
        ------
        InvalidParameterError
            If ``metric`` is not in :attr:`history`.
        """
        check_choice("metric", metric, self.history)
        values = self.history[metric]
        if not values:
            raise InvalidParameterError("metric", metric, "a metric with at least one value")
        return values[-1]

    def __str__(self) -> str:
        unit = "epoch" if self.epochs == 1 else "epochs"
        text = (f"{self.epochs} {unit} in {self.seconds:.1f} s "
                f"({self.seconds_per_epoch:.1f} s/epoch)")
        if self.test_accuracy is not None:
            text += f", test accuracy {self.test_accuracy:.2%}"
        elif self.history.get("val_accuracy"):
            text += f", validation accuracy {self.history['val_accuracy'][-1]:.2%}"
        elif self.history.get("accuracy"):
            text += f", training accuracy {self.history['accuracy'][-1]:.2%}"
        return text


# --------------------------------------------------------------------------- #
# Validation of the model and the data
# --------------------------------------------------------------------------- #

def _error(name: str, value: Any, expected: str, message: str) -> InvalidParameterError:
    """An InvalidParameterError whose text is a custom, more readable message."""
    err = InvalidParameterError(name, value, expected)
    err.args = (message,)
    return err


def _check_model(model: Any) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise InvalidParameterError("model", type(model).__name__,
                                    "a Keras model, such as one from coursekit.models")
    return model


def _input_shape(model: keras.Model) -> tuple[int | None, ...] | None:
    """Per-sample input shape of a single-input built model, else None."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):  # a Sequential without an Input
        return None
    if not inputs or len(inputs) != 1:
        return None
    return tuple(inputs[0].shape[1:])


def _output_units(model: keras.Model) -> int | None:
    """Units of a single (batch, units) output, else None."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    if not outputs or len(outputs) != 1 or len(outputs[0].shape) != 2:
        return None
    return outputs[0].shape[-1]


def _shape_hint(got: tuple[int, ...], want: tuple[int | None, ...]) -> str:
    """A suggestion to turn samples of shape ``got`` into ``want``, or ''."""
    if None in want:
        return ""
    size = math.prod(got)
    if len(want) == 1 and len(got) > 1 and size == want[0]:
        return ": flatten the images first, e.g. coursekit.data.flatten(x)"
    if len(want) == 3 and want[-1] == 1 and got == want[:2]:
        return ": add a channel axis first, e.g. coursekit.data.add_channel(x)"
    if len(want) == 2 and want[-1] == 1 and len(got) in (2, 3) and size == want[0]:
        return (": read each image pixel by pixel, "
                "e.g. coursekit.data.to_pixel_sequence(x)")
    if len(want) == 2 and got == (*want, 1):
        return ": drop the channel axis, e.g. coursekit.data.to_row_sequence(x)"
    if len(got) == 1 and len(want) > 1 and size == math.prod(want):
        return f": reshape the vectors into images, e.g. x.reshape(-1, {', '.join(map(str, want))})"
    return ""


def _check_x(name: str, x: Any, model: keras.Model) -> np.ndarray:
    x = check_array(name, x)
    if x.ndim < 1 or len(x) == 0:
        raise InvalidParameterError(name, f"array of shape {x.shape}",
                                    "an array with at least one sample")
    want = _input_shape(model)
    got = tuple(x.shape[1:])
    if want is not None and (
        len(got) != len(want)
        or any(w is not None and g != w for g, w in zip(got, want, strict=True))
    ):
        shown = str(want)
        raise _error(name, f"array of shape {x.shape}", f"samples of shape {shown}",
                     f"{name} has samples of shape {got} but the model expects "
                     f"{shown}{_shape_hint(got, want)}")
    return x


def _label_kind(y: np.ndarray) -> str | None:
    """'sparse' (integer labels), 'onehot' (one row per sample) or None (not labels)."""
    if y.ndim == 2 and y.shape[1] > 1:
        return "onehot" if np.issubdtype(y.dtype, np.number) else None
    if y.ndim not in (1, 2):
        return None
    if np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        return "sparse"
    if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return "sparse"
    return None


def _check_y(name: str, y: Any, n_samples: int,
             model: keras.Model) -> tuple[np.ndarray, str | None]:
    y = check_array(name, y, ndim=(1, 2))
    if len(y) != n_samples:
        raise _error(name, f"array of length {len(y)}", f"{n_samples} labels",
                     f"{name} has {len(y)} labels but x has {n_samples} samples: "
                     "they must have the same length")
    kind = _label_kind(y)
    units = _output_units(model)
    if kind == "sparse" and y.size:
        low, high = int(np.min(y)), int(np.max(y))
        if low < 0:
            raise _error(name, f"labels from {low} to {high}", "labels >= 0",
                         f"{name} has a negative label ({low}): class labels go from 0 to "
                         "num_classes - 1")
        if units is not None and high + 1 > max(units, 2):
            raise _error(name, f"labels up to {high}", f"labels below {units}",
                         f"labels go up to {high} ({high + 1} classes) but the model's output "
                         f"layer has {units} units: build the model with "
                         f"num_classes={high + 1}")
    elif kind == "onehot" and units is not None and y.shape[1] != units:
        raise _error(name, f"array of shape {y.shape}", f"{units} columns",
                     f"{name} is one-hot with {y.shape[1]} classes but the model's output "
                     f"layer has {units} units: build the model with "
                     f"num_classes={y.shape[1]}")
    return y, kind


def _check_pair(name: str, value: Any, model: keras.Model) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InvalidParameterError(name, type(value).__name__, "None or a pair (x, y)")
    x = _check_x(name, value[0], model)
    y, _ = _check_y(name, value[1], len(x), model)
    return x, y


def _infer_loss(kind: str | None, model: keras.Model) -> str:
    if kind == "onehot":
        return "categorical_crossentropy"
    if kind == "sparse":
        return "binary_crossentropy" if _output_units(model) == 1 else \
            "sparse_categorical_crossentropy"
    raise InvalidParameterError(
        "y", "non-integer values",
        "integer class labels of shape (N,) or (N, 1), or one-hot rows of shape (N, C), "
        "to infer the loss (or compile the model yourself)")


def _resolve_optimizer(optimizer: Any, learning_rate: float | None) -> Any:
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if learning_rate is not None:
            raise InvalidParameterError(
                "learning_rate", learning_rate,
                "None when optimizer is an Optimizer instance (set its learning_rate instead)")
        return optimizer
    name = check_choice("optimizer", optimizer, (None, *OPTIMIZERS)) or "adam"
    if learning_rate is None:
        return name
    return keras.optimizers.get({"class_name": name, "config": {"learning_rate": learning_rate}})


# --------------------------------------------------------------------------- #
# Public helpers
# --------------------------------------------------------------------------- #

def train(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int = 128,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    test_data: tuple[Any, Any] | None = None,
    seed: int | None = 0,
    optimizer: str | keras.optimizers.Optimizer | None = None,
    learning_rate: float | None = None,
    progress: bool = True,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    report: bool = True,
) -> TrainingResult:
    """Train ``model`` on ``(x, y)`` with one progress bar, and time it.

    Parameters
    ----------
    model : keras.Model
        A built model with one input, such as one from :mod:`coursekit.models`.
        It is compiled here if it is not compiled yet, or if ``optimizer`` is
        given.
    x : array
        Training samples; each sample must have the model's input shape.
    y : array
        Labels: integers of shape (N,) or (N, 1), or one-hot rows of shape
        (N, C). The number of classes must fit the model's output layer.
    epochs : int
        Number of epochs (>= 1).
    batch_size : int, default 128
        Samples per gradient update (>= 1).
    validation_data : (x_val, y_val) or None, default None
        Data to score at the end of each epoch ("val_loss", "val_accuracy").
    validation_split : float in [0, 1), default 0.0
        Fraction of the training data held out for validation (the *last*
        samples, before shuffling). Must be 0 when ``validation_data`` is given.
    test_data : (x_test, y_test) or None, default None
        If given, evaluated after training to fill ``test_loss`` and
        ``test_accuracy``.
    seed : int or None, default 0
        Passed to ``keras.utils.set_random_seed`` before fitting (None: do not
        seed). The weights were initialised when the model was built: seed
        before building the model too for reproducible results.
    optimizer : {"adam", "sgd", "rmsprop", "adamw", "nadam"}, keras Optimizer or None
        Optimizer to compile with; None means "adam" for a model that is not
        compiled, and keeps the optimizer of a compiled model. Compiling again
        resets the optimizer's state (not the weights).
    learning_rate : float > 0 or None, default None
        Learning rate for an optimizer given by name (None: Keras's default).
        With an already compiled model, give ``optimizer`` too.
    progress : bool, default True
        Show a tqdm progress bar (a widget in Jupyter and Colab, text in a
        terminal). False shows nothing during training.
    callbacks : sequence of keras.callbacks.Callback, default ()
        More callbacks for ``model.fit``, such as ``EarlyStopping``.
    report : bool, default True
        Print the one-line summary ``str(result)`` at the end.

    Returns
    -------
    TrainingResult
        History, timings and, with ``test_data``, the test scores.

    Raises
    ------
    InvalidParameterError
        If a parameter is wrong, or if the data does not fit the model: samples
        of the wrong shape, x and y of different lengths, or labels with more
        classes than the model's output layer has units.

    Notes
    -----
    When the model is compiled here, the loss is inferred from ``y``:
    "sparse_categorical_crossentropy" for integer labels,
    "categorical_crossentropy" for one-hot rows ("binary_crossentropy" for
    0/1 labels and a one-unit output), with the metric "accuracy".

    Example
    -------
    >>> import keras, numpy as np
    >>> from coursekit import models
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.random((64, 8), dtype="float32"), rng.integers(0, 3, 64)
    >>> keras.utils.set_random_seed(0)
    >>> model = models.build_mlp((8,), num_classes=3, hidden_size=4, num_layers=1)
    >>> result = train(model, x, y, epochs=2, batch_size=32, progress=False, report=False)
    >>> result.epochs, sorted(result.history)
    (2, ['accuracy', 'loss'])
    """
    model = _check_model(model)
    x = _check_x("x", x, model)
    y, kind = _check_y("y", y, len(x), model)
    epochs = check_int("epochs", epochs, min_value=1)
    batch_size = check_int("batch_size", batch_size, min_value=1)
    validation_split = check_float("validation_split", validation_split,
                                   min_value=0.0, max_value=1.0, include_max=False)
    if validation_data is not None:
        if validation_split > 0:
            raise InvalidParameterError("validation_split", validation_split,
                                        "0 when validation_data is given")
        validation_data = _check_pair("validation_data", validation_data, model)
    elif validation_split > 0 and int(len(x) * validation_split) < 1:
        raise InvalidParameterError(
            "validation_split", validation_split,
            f"a fraction that holds out at least one of the {len(x)} samples")
    if test_data is not None:
        test_data = _check_pair("test_data", test_data, model)
    if seed is not None:
        seed = check_int("seed", seed, min_value=0)
    if learning_rate is not None:
        learning_rate = check_float("learning_rate", learning_rate, min_value=0.0)
        if learning_rate == 0 or math.isinf(learning_rate):
            raise InvalidParameterError("learning_rate", learning_rate, "a number > 0")
    progress = check_bool("progress", progress)
    report = check_bool("report", report)
    if isinstance(callbacks, keras.callbacks.Callback) or not isinstance(callbacks, Sequence):
        raise InvalidParameterError("callbacks", callbacks,
                                    "a list of keras.callbacks.Callback instances")
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            raise InvalidParameterError("callbacks", callbacks,
                                        "a list of keras.callbacks.Callback instances")

    if not model.compiled or optimizer is not None:
        model.compile(optimizer=_resolve_optimizer(optimizer, learning_rate),
                      loss=_infer_loss(kind, model), metrics=["accuracy"])
    elif learning_rate is not None:
        raise InvalidParameterError(
            "learning_rate", learning_rate,
            "None for a model that is already compiled, unless optimizer is given too "
            "(the model is then compiled again)")

    if seed is not None:
        keras.utils.set_random_seed(seed)
    timer = EpochTimer()
    all_callbacks: list[keras.callbacks.Callback] = [timer, *callbacks]
    if progress:
        all_callbacks.append(ProgressBar())

    start = time.perf_counter()
    fit = model.fit(x, y, epochs=epochs, batch_size=batch_size,
                    validation_data=validation_data, validation_split=validation_split,
                    callbacks=all_callbacks, verbose=0)
    seconds = time.perf_counter() - start

    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    result = TrainingResult(history=history, seconds=seconds,
                            epoch_seconds=list(timer.epoch_seconds),
                            epochs=len(timer.epoch_seconds))
    if test_data is not None:
        x_test, y_test = test_data
        scores = model.evaluate(x_test, y_test, batch_size=max(batch_size, 512), verbose=0,
                                return_dict=True)
        result.test_loss = float(scores["loss"])
        accuracy = scores.get("accuracy")  # absent if the user compiled without it
        result.test_accuracy = (float(accuracy) if accuracy is not None
                                else _accuracy(model, x_test, y_test, 512))
    if report:
        print(result)
    return result


def _predict(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
    probs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    if probs.ndim == 2 and probs.shape[1] == 1:  # one sigmoid unit: binary
        return (probs[:, 0] > 0.5).astype(np.int64)
    return np.argmax(probs, axis=-1)


def _accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    labels = np.argmax(y, axis=-1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
    return float(np.mean(_predict(model, x, batch_size) == labels))


def evaluate(model: keras.Model, x: Any, y: Any, *, batch_size: int = 512) -> float:
    """Return the accuracy of ``model`` on ``(x, y)``, a float in [0, 1].

    Works for compiled and uncompiled models, with integer labels or one-hot
    rows; the data is validated as in :func:`train`.

    Parameters
    ----------
    model : keras.Model
    x : array
        Samples with the model's input shape.
    y : array
        Integer labels of shape (N,) or (N, 1), or one-hot rows (N, C).
    batch_size : int, default 512

    Example
    -------
    >>> import numpy as np
    >>> from coursekit import models
    >>> model = models.build_mlp((8,), num_classes=3, hidden_size=4, num_layers=1)
    >>> acc = evaluate(model, np.zeros((10, 8)), np.zeros(10, dtype=int))
    >>> 0.0 <= acc <= 1.0
    True
    """
    model = _check_model(model)
    x = _check_x("x", x, model)
    y, kind = _check_y("y", y, len(x), model)
    batch_size = check_int("batch_size", batch_size, min_value=1)
    if kind is None:
        raise InvalidParameterError("y", "non-integer values",
                                    "integer class labels or one-hot rows")
    return _accuracy(model, x, y, batch_size)


def predict_labels(model: keras.Model, x: Any, *, batch_size: int = 512) -> np.ndarray:
    """Return the predicted class of each sample: the argmax of the model's output.

    This is the current way to turn class probabilities into labels.
    For a model with a single (sigmoid) output unit, it returns 1 where the
    output is above 0.5, else 0.

    Parameters
    ----------
    model : keras.Model
    x : array
        Samples with the model's input shape.
    batch_size : int, default 512

    Returns
    -------
    numpy.ndarray of int, shape (N,)

    Example
    -------
    >>> import numpy as np
    >>> from coursekit import models
    >>> model = models.build_mlp((8,), num_classes=3, hidden_size=4, num_layers=1)
    >>> predict_labels(model, np.zeros((5, 8))).shape
    (5,)
    """
    model = _check_model(model)
    x = _check_x("x", x, model)
    batch_size = check_int("batch_size", batch_size, min_value=1)
    return _predict(model, x, batch_size)
