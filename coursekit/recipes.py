"""Training recipes: the original tutorials' and the course's faster ones.

A :class:`Recipe` is everything needed to train a model for one task: the
architecture, how the images enter the model, the batch size, the number of
epochs and the optimizer with its learning-rate schedule. Each benchmark task
(:data:`TASKS`) pairs the **original** recipe, as the Keras 1/2 tutorials
published it, with the **course** recipe that the notebooks use by default.
``coursekit bench`` trains both side by side; the notebooks call
:meth:`Recipe.train`, so what is benchmarked is what students run.

What makes the course recipes faster (measured; see the README's
"Performance" section for the figures):

* **a learning-rate schedule** (:func:`one_cycle`: a short warm-up, then a
  cosine decay to zero) instead of a constant rate, so that a few epochs reach
  the accuracy a constant rate needs many epochs for;
* **bigger batches** for the MLP and the LSTM (512 instead of 128), whose
  epochs then take fewer, better-used steps; the schedule's higher peak keeps
  the progress per epoch;
* **architectures sized for the FLOPs**: pooling early, so the convolutions
  run on smaller maps (the original CNN spends most of its time in a 32→32
  convolution over 24×24 maps), and an LSTM of 64 units instead of 128;
* **label smoothing** for the MLP and the Fashion-MNIST CNN
  (:mod:`coursekit.losses`): softened targets that lift test accuracy in a
  short training, so the MLP reaches the tutorial's figure an epoch or two
  sooner;
* images stay ``uint8`` and are scaled inside the model (a ``Rescaling``
  layer): not faster, but a quarter of the memory of float32 copies, and no
  preprocessing to forget at prediction time.

Knobs that were measured and *dropped* (batch normalisation and XLA were
slower on a CPU; mixed bfloat16, thread settings, ``steps_per_execution`` and
``tf.data`` gave nothing clear) are listed with their figures in the README;
``coursekit bench --knobs`` measures them again.

Example
-------
>>> from coursekit import recipes
>>> task = recipes.get("cnn-mnist")
>>> task.original.epochs, task.course.epochs
(20, 8)
>>> model = task.course.build((28, 28))
>>> model.inputs[0].shape, model.inputs[0].dtype
((None, 28, 28), 'uint8')
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")  # doctest: +SKIP
>>> result = task.course.train(x_train, y_train, test_data=(x_test, y_test))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from ._validation import check_choice, check_int
from .losses import SparseCategoricalCrossentropy
from .training import TrainingResult, train

__all__ = ["TASKS", "Recipe", "Task", "get", "one_cycle"]

L = keras.layers


# --------------------------------------------------------------------------- #
# Learning-rate schedule
# --------------------------------------------------------------------------- #

def one_cycle(peak: float, total_steps: int,
              warmup_steps: int) -> keras.optimizers.schedules.LearningRateSchedule:
    """A one-cycle schedule: warm up from ``peak / 10`` to ``peak``, then cosine to 0.

    Parameters
    ----------
    peak : float
        The highest learning rate, reached after ``warmup_steps``.
    total_steps : int
        Gradient steps of the whole training (epochs × batches per epoch).
    warmup_steps : int
        Steps of the linear warm-up, usually one epoch's worth or less.

    Example
    -------
    >>> s = one_cycle(0.003, total_steps=1000, warmup_steps=100)
    >>> round(float(s(0)), 5), round(float(s(100)), 5), round(float(s(1000)), 5)
    (0.0003, 0.003, 0.0)
    """
    total_steps = check_int("total_steps", total_steps, min_value=1)
    warmup_steps = check_int("warmup_steps", warmup_steps, min_value=0, max_value=total_steps)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 10, warmup_target=peak, warmup_steps=warmup_steps,
        decay_steps=max(total_steps - warmup_steps, 1))


# --------------------------------------------------------------------------- #
# Recipes
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Recipe:
    """How to train one model: architecture, input pipeline, batch, epochs, optimizer.

    Attributes
    ----------
    name : str
        ``"original"`` or ``"course"``.
    summary : str
        One line for people, e.g. ``"2×Conv(32) → Dense(128), Adam, batch 128"``.
    build : callable
        ``build(input_shape)`` returns a new, uncompiled Keras model whose input
        takes images of ``input_shape`` as stored (uint8, no channel axis for
        grey images) unless ``float_inputs`` is set.
    epochs, batch_size : int
        The training budget as published (original) or as the course trains.
    optimizer : str
        A Keras optimizer name: ``"adam"`` or ``"rmsprop"``.
    peak_learning_rate : float or None
        With a number, the learning rate follows :func:`one_cycle` up to this
        peak (see :meth:`schedule`); with None, it is the optimizer's constant
        Keras default, as in the tutorials.
    warmup_epochs : float
        Length of the schedule's warm-up, in epochs.
    label_smoothing : float
        With a number above 0, the loss is
        :class:`coursekit.losses.SparseCategoricalCrossentropy` with this
        smoothing; with 0, Keras's plain ``sparse_categorical_crossentropy``.
    float_inputs : bool
        True for the original recipes: the tutorials converted the images to
        float32 in [0, 1] with NumPy before training, and so do we for them.
    """

    name: str
    summary: str
    build: Callable[[tuple[int, ...]], keras.Model]
    epochs: int
    batch_size: int
    optimizer: str
    peak_learning_rate: float | None = None
    warmup_epochs: float = 1.0
    label_smoothing: float = 0.0
    float_inputs: bool = False

    def schedule(self, steps_per_epoch: int,
                 epochs: int) -> keras.optimizers.schedules.LearningRateSchedule | None:
        """The one-cycle schedule for this many steps, or None for a constant rate."""
        if self.peak_learning_rate is None:
            return None
        total = check_int("steps_per_epoch", steps_per_epoch, min_value=1) * epochs
        warmup = min(round(self.warmup_epochs * steps_per_epoch), total)
        return one_cycle(self.peak_learning_rate, total, warmup_steps=warmup)

    def optimizer_for(self, n_train: int, epochs: int | None = None) -> keras.optimizers.Optimizer:
        """A new optimizer for training on ``n_train`` images, schedule included.

        What a notebook passes to ``model.compile(optimizer=...)``: the schedule is
        sized for ``epochs`` (default: the recipe's) of ``n_train`` images in batches of
        :attr:`batch_size`.

        >>> opt = get("mlp-mnist").course.optimizer_for(n_train=55_000)
        >>> type(opt).__name__, opt.get_config()["learning_rate"]["class_name"]
        ('Adam', 'CosineDecay')
        """
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, min_value=1)
        n_train = check_int("n_train", n_train, min_value=1)
        return self.make_optimizer(math.ceil(n_train / self.batch_size), epochs)

    def loss(self) -> str | keras.losses.Loss:
        """The loss to pass to ``model.compile(loss=...)``, for integer labels.

        >>> get("mlp-mnist").original.loss()
        'sparse_categorical_crossentropy'
        """
        if self.label_smoothing:
            return SparseCategoricalCrossentropy(label_smoothing=self.label_smoothing)
        return "sparse_categorical_crossentropy"

    def make_optimizer(self, steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
        """A new optimizer, with its learning-rate schedule sized for the training."""
        schedule = self.schedule(steps_per_epoch, epochs)
        if schedule is None:
            return keras.optimizers.get(self.optimizer)
        return keras.optimizers.get({"class_name": self.optimizer,
                                     "config": {"learning_rate": schedule}})

    def prepare(self, x: np.ndarray) -> np.ndarray:
        """The images as this recipe feeds them to its model.

        The course recipes take the stored ``uint8`` images unchanged; the
        original recipes take float32 copies scaled to [0, 1].
        """
        x = np.asarray(x)
        if self.float_inputs:
            return x.astype("float32") / 255.0
        return x

    def compile(self, model: keras.Model, n_train: int, epochs: int | None = None) -> keras.Model:
        """Compile ``model`` with this recipe's optimizer, sized for ``n_train`` images."""
        model.compile(optimizer=self.optimizer_for(n_train, epochs), loss=self.loss(),
                      metrics=["accuracy"])
        return model

    def train(
        self,
        x: Any,
        y: Any,
        *,
        model: keras.Model | None = None,
        epochs: int | None = None,
        test_data: tuple[Any, Any] | None = None,
        validation_data: tuple[Any, Any] | None = None,
        seed: int | None = 0,
        progress: bool = True,
        callbacks: Sequence[keras.callbacks.Callback] = (),
    ) -> TrainingResult:
        """Build (unless ``model`` is given), compile and train with this recipe.

        Parameters
        ----------
        x, y : arrays
            Training images as stored (uint8) and integer labels.
        model : keras.Model or None
            A model to train instead of this recipe's own architecture; it
            must take the prepared images. Default: ``self.build(x.shape[1:])``.
        epochs : int or None
            Override the recipe's epochs (the schedule is resized to match).
        test_data, validation_data, seed, progress, callbacks
            As in :func:`coursekit.training.train`; test and validation images
            are prepared like the training images.

        Returns
        -------
        TrainingResult
        """
        x = self.prepare(x)
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, min_value=1)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        if model is None:
            model = self.build(tuple(x.shape[1:]))
        self.compile(model, len(x), epochs)

        def prep(pair: tuple[Any, Any] | None) -> tuple[Any, Any] | None:
            return None if pair is None else (self.prepare(pair[0]), pair[1])

        return train(model, x, y, epochs=epochs, batch_size=self.batch_size,
                     test_data=prep(test_data), validation_data=prep(validation_data),
                     seed=seed, progress=progress, callbacks=callbacks)


@dataclass(frozen=True)
class Task:
    """A benchmark task: a dataset, a target accuracy, and two recipes.

    Attributes
    ----------
    name : str
        e.g. ``"cnn-mnist"``.
    dataset : str
        A :data:`coursekit.data.DATASETS` name.
    target : float or None
        The test accuracy to reach (the original's published figure), or None
        when the target is whatever the original recipe reaches in the same run.
    target_source : str
        Where the target comes from, for people.
    original, course : Recipe
    """

    name: str
    dataset: str
    target: float | None
    target_source: str
    original: Recipe
    course: Recipe


# --------------------------------------------------------------------------- #
# Architectures
# --------------------------------------------------------------------------- #

def _stem(input_shape: tuple[int, ...], *, channels: bool, rescale: bool) -> list[Any]:
    """Input layer, optional in-model scaling, and a channel axis for grey images."""
    dtype = "uint8" if rescale else "float32"
    layers: list[Any] = [keras.Input(shape=input_shape, dtype=dtype, name="images")]
    if rescale:
        layers.append(L.Rescaling(1 / 255, name="rescale"))
    if channels and len(input_shape) == 2:
        layers.append(L.Reshape((*input_shape, 1), name="add_channel"))
    return layers


def _mlp(input_shape: tuple[int, ...], *, rescale: bool, name: str) -> keras.Model:
    """The classic Keras MNIST MLP: 512-512 ReLU with dropout 0.2."""
    return keras.Sequential([
        *_stem(input_shape, channels=False, rescale=rescale),
        L.Flatten(name="flatten"),
        L.Dense(512, activation="relu", name="dense_1"), L.Dropout(0.2, name="dropout_1"),
        L.Dense(512, activation="relu", name="dense_2"), L.Dropout(0.2, name="dropout_2"),
        L.Dense(10, activation="softmax", name="output"),
    ], name=name)


def _classic_cnn(input_shape: tuple[int, ...], *, rescale: bool, name: str) -> keras.Model:
    """The Keras 1 MNIST CNN: 2 × Conv(32, 3×3), max-pool, dropout, Dense(128)."""
    return keras.Sequential([
        *_stem(input_shape, channels=True, rescale=rescale),
        L.Conv2D(32, 3, activation="relu", name="conv_1"),
        L.Conv2D(32, 3, activation="relu", name="conv_2"),
        L.MaxPooling2D(2, name="pool"), L.Dropout(0.25, name="dropout_1"),
        L.Flatten(name="flatten"),
        L.Dense(128, activation="relu", name="dense"), L.Dropout(0.5, name="dropout_2"),
        L.Dense(10, activation="softmax", name="output"),
    ], name=name)


def _course_cnn(input_shape: tuple[int, ...], widths: Sequence[int] = (16, 32),
                kernel: int = 3, dense: int = 128, dropout: float = 0.4,
                name: str = "course_cnn") -> keras.Model:
    """Conv-ReLU blocks, each followed by 2×2 max pooling, then one dense layer.

    Pooling after *every* convolution keeps the maps small: the second block
    works on 14×14 maps, not 24×24, and with 16 then 32 filters the network
    needs about a sixth of the original's multiply-adds per image.
    """
    layers = _stem(input_shape, channels=True, rescale=True)
    for i, width in enumerate(widths, start=1):
        layers += [L.Conv2D(width, kernel, padding="same", activation="relu", name=f"conv_{i}"),
                   L.MaxPooling2D(2, name=f"pool_{i}")]
    layers += [L.Flatten(name="flatten"), L.Dropout(dropout, name="dropout"),
               L.Dense(dense, activation="relu", name="dense"),
               L.Dense(10, activation="softmax", name="output")]
    return keras.Sequential(layers, name=name)


def _wide_course_cnn(input_shape: tuple[int, ...]) -> keras.Model:
    """The course CNN with twice the filters (32 then 64), for Fashion-MNIST.

    Clothes need more capacity than digits: with 16 and 32 filters the course
    CNN levels off below what the original CNN reaches in 20 epochs.
    """
    return _course_cnn(input_shape, widths=(32, 64), name="wide_course_cnn")


def _lstm(input_shape: tuple[int, ...], *, rescale: bool, name: str,
          units: int = 128) -> keras.Model:
    """A row-wise LSTM: each image is a sequence of 28 rows of 28 pixels."""
    return keras.Sequential([
        *_stem(input_shape, channels=False, rescale=rescale),
        L.LSTM(units, name="lstm"),
        L.Dense(10, activation="softmax", name="output"),
    ], name=name)


def _course_lstm(input_shape: tuple[int, ...]) -> keras.Model:
    """The row-wise LSTM with 64 units: about a third of LSTM(128)'s multiply-adds per step.

    An LSTM's cost per time step is ``4 × units × (features + units)``
    multiply-adds (four gates): 4 × 64 × (28 + 64) = 23,552 per row against
    79,872 for 128 units. An epoch takes about half the time (smaller matrix
    products use the CPU less well), and with a higher peak learning rate it
    still reaches the course's target of 98.5%.
    """
    return _lstm(input_shape, rescale=True, name="course_lstm", units=64)


def _cifar_cnn(input_shape: tuple[int, ...], *, rescale: bool, name: str) -> keras.Model:
    """The tutorials' CIFAR-10 CNN: Conv 32-64-64 (3×3) with pooling, Dense(64)."""
    return keras.Sequential([
        *_stem(input_shape, channels=True, rescale=rescale),
        L.Conv2D(32, 3, activation="relu", name="conv_1"), L.MaxPooling2D(2, name="pool_1"),
        L.Conv2D(64, 3, activation="relu", name="conv_2"), L.MaxPooling2D(2, name="pool_2"),
        L.Conv2D(64, 3, activation="relu", name="conv_3"),
        L.Flatten(name="flatten"), L.Dense(64, activation="relu", name="dense"),
        L.Dense(10, activation="softmax", name="output"),
    ], name=name)


def _original(builder: Callable[..., keras.Model], name: str) -> Callable[..., keras.Model]:
    """``builder`` for float32 inputs scaled beforehand, as the tutorials did."""
    return lambda input_shape: builder(input_shape, rescale=False, name=name)


def _uint8(builder: Callable[..., keras.Model], name: str) -> Callable[..., keras.Model]:
    """``builder`` for the stored uint8 images, scaled inside the model."""
    return lambda input_shape: builder(input_shape, rescale=True, name=name)


# --------------------------------------------------------------------------- #
# Tasks
# --------------------------------------------------------------------------- #

def _original_recipe(summary: str, build: Callable[..., keras.Model], name: str, *,
                     epochs: int, batch_size: int, optimizer: str) -> Recipe:
    return Recipe("original", summary, _original(build, name), epochs=epochs,
                  batch_size=batch_size, optimizer=optimizer, float_inputs=True)


_ORIGINAL_CNN = _original_recipe(
    "2×Conv(32, 3×3) → pool → Dense(128), dropout; Adam 1e-3, batch 128, 20 epochs",
    _classic_cnn, "original_cnn", epochs=20, batch_size=128, optimizer="adam")

TASKS: dict[str, Task] = {
    "mlp-mnist": Task(
        "mlp-mnist", "mnist", 0.9840, "the classic Keras MNIST MLP example (98.40%)",
        original=_original_recipe(
            "MLP 512-512, dropout 0.2; RMSprop 1e-3, batch 128, 20 epochs",
            _mlp, "original_mlp", epochs=20, batch_size=128, optimizer="rmsprop"),
        course=Recipe(
            "course", "the same MLP; Adam one-cycle (peak 4e-3), label smoothing 0.1, "
            "batch 512, 5 epochs",
            _uint8(_mlp, "course_mlp"), epochs=5, batch_size=512,
            optimizer="adam", peak_learning_rate=4e-3, label_smoothing=0.1)),
    "cnn-mnist": Task(
        "cnn-mnist", "mnist", 0.9921, "the classic Keras MNIST CNN example (99.21%)",
        original=_ORIGINAL_CNN,
        course=Recipe("course", "Conv(16)→pool→Conv(32)→pool→Dense(128), dropout; Adam one-cycle "
                      "(peak 3e-3), batch 128, 8 epochs", _course_cnn, epochs=8, batch_size=128,
                      optimizer="adam", peak_learning_rate=3e-3)),
    "cnn-fashion": Task(
        "cnn-fashion", "fashion_mnist", None, "what the original recipe reaches in the same run",
        original=_ORIGINAL_CNN,
        course=Recipe(
            "course", "Conv(32)→pool→Conv(64)→pool→Dense(128), dropout; Adam one-cycle "
            "(peak 3e-3), label smoothing 0.1, batch 128, 10 epochs",
            _wide_course_cnn, epochs=10, batch_size=128, optimizer="adam",
            peak_learning_rate=3e-3, label_smoothing=0.1)),
    "lstm-mnist": Task(
        "lstm-mnist", "mnist", 0.985, "the course's own target for a row-wise LSTM (98.5%)",
        original=_original_recipe(
            "LSTM(128) over 28 rows; Adam 1e-3, batch 128, 20 epochs",
            _lstm, "original_lstm", epochs=20, batch_size=128, optimizer="adam"),
        course=Recipe(
            "course", "LSTM(64) over 28 rows; Adam one-cycle (peak 8e-3), batch 512, 10 epochs",
            _course_lstm, epochs=10, batch_size=512, optimizer="adam", peak_learning_rate=8e-3)),
    "cnn-cifar10": Task(
        "cnn-cifar10", "cifar10", None,
        "what the original recipe reaches in the same run, on the data available",
        original=_original_recipe(
            "Conv 32-64-64 (3×3) with pooling → Dense(64); Adam 1e-3, batch 32, 10 epochs",
            _cifar_cnn, "original_cifar_cnn", epochs=10, batch_size=32, optimizer="adam"),
        course=Recipe(
            "course", "the same CNN; Adam one-cycle (peak 2e-3), batch 64, 8 epochs",
            _uint8(_cifar_cnn, "course_cifar_cnn"), epochs=8, batch_size=64,
            optimizer="adam", peak_learning_rate=2e-3)),
}


def get(task: str) -> Task:
    """The :class:`Task` named ``task``, one of :data:`TASKS`.

    Raises
    ------
    InvalidParameterError
        If ``task`` is not a known task name.
    """
    return TASKS[check_choice("task", task, TASKS)]
