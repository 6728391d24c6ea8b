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

* **a learning-rate schedule** (:class:`coursekit.schedules.OneCycle`: a short
  warm-up, then a cosine decay to zero) instead of a constant rate, so that a few epochs reach
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

Every architecture is a :mod:`coursekit.models` builder and its arguments
(:class:`Architecture`), and a recipe's :attr:`Recipe.summary` is written from
its fields, so what the README, the notebooks and the benchmark print is what
trains. Importing this module is light (no Keras): ``coursekit bench --help``
lists :data:`TASKS` without starting TensorFlow.

Example
-------
>>> from coursekit import recipes
>>> task = recipes.get("cnn-mnist")
>>> task.original.epochs, task.course.epochs
(20, 8)
>>> print(task.course.summary)
build_cnn(filters=[16, 32], padding='same', flatten_dropout=0.4, dense_units=[128], \
add_channel=True); Adam one-cycle (peak 3e-3, warm-up 1 epoch), batch 128, 8 epochs; \
uint8 images, scaled in the model
>>> model = task.course.build((28, 28))
>>> model.inputs[0].shape, model.inputs[0].dtype
((None, 28, 28), 'uint8')
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")  # doctest: +SKIP
>>> result = task.course.train(x_train, y_train, test_data=(x_test, y_test))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_bool, check_choice, check_float, check_int
from .errors import InvalidParameterError

if TYPE_CHECKING:  # Keras is imported when a model is built or trained, not with the catalogue
    import keras

    from .training import TrainingResult

__all__ = ["OPTIMIZERS", "TASKS", "Architecture", "Recipe", "Task", "get"]

#: Optimizers a recipe may name, with the names people write.
OPTIMIZERS = {"adam": "Adam", "rmsprop": "RMSprop"}

#: The builders of :mod:`coursekit.models`, with the argument that takes the image shape.
_BUILDERS = {"build_mlp": "input_shape", "build_cnn": "input_shape", "build_lstm": "image_shape"}
#: Builder arguments that the recipe sets from its own fields (the input pipeline).
_STEM = ("input_shape", "image_shape", "input_dtype", "input_rescale", "name")


def _rate(value: float) -> str:
    """A learning rate as people write it: 0.003 -> '3e-3'."""
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


# --------------------------------------------------------------------------- #
# Architectures
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Architecture:
    """A course architecture: a :mod:`coursekit.models` builder and its arguments.

    Parameters
    ----------
    name : str
        The model's name, e.g. ``"course_cnn"``.
    builder : {"build_mlp", "build_cnn", "build_lstm"}
        The :mod:`coursekit.models` function that builds it.
    arguments : mapping
        Its keyword arguments, less the input pipeline (shape, dtype, rescaling),
        which the recipe adds.

    Example
    -------
    >>> classic = Architecture("classic_mlp", "build_mlp",
    ...                        {"hidden_size": 512, "num_layers": 2, "dropout": 0.2})
    >>> classic.call
    'build_mlp(hidden_size=512, num_layers=2, dropout=0.2)'
    >>> classic.build((28, 28)).count_params()
    669706
    """

    name: str
    builder: str
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice("builder", self.builder, _BUILDERS)
        stem = sorted(set(self.arguments) & set(_STEM))
        if stem:
            raise InvalidParameterError(
                "arguments", stem, "the architecture's own arguments: the input's shape, dtype "
                "and scaling and the model's name come from the recipe and the architecture")
        object.__setattr__(self, "arguments", MappingProxyType(dict(self.arguments)))

    @property
    def call(self) -> str:
        """The builder call, as a person would type it (without the input pipeline)."""
        args = ", ".join(f"{key}={value!r}" for key, value in self.arguments.items())
        return f"{self.builder}({args})"

    def build(self, input_shape: Sequence[int], **overrides: Any) -> keras.Model:
        """A new, uncompiled model for images of ``input_shape`` (as stored).

        ``overrides`` are more builder arguments, or new values for the
        architecture's own (``batch_norm=True``, ``input_dtype="uint8"``).
        """
        from . import models

        arguments = {"name": self.name, **self.arguments, **overrides,
                     _BUILDERS[self.builder]: tuple(input_shape)}
        return getattr(models, self.builder)(**arguments)


#: The classic Keras MNIST MLP: 512-512 ReLU with dropout 0.2.
CLASSIC_MLP = Architecture("classic_mlp", "build_mlp",
                           {"hidden_size": 512, "num_layers": 2, "dropout": 0.2})
#: The Keras 1 MNIST CNN: 2 × Conv(32, 3×3), max-pool, dropout, Dense(128), dropout.
CLASSIC_CNN = Architecture("classic_cnn", "build_cnn", {
    "filters": [[32, 32]], "conv_dropout": 0.25, "dense_units": [128], "dense_dropout": 0.5,
    "add_channel": True})
#: The course CNN: Conv-ReLU blocks, each followed by 2×2 max pooling, then one dense
#: layer. Pooling after *every* convolution keeps the maps small: the second block works
#: on 14×14 maps, not 24×24, and with 16 then 32 filters the network needs about a sixth
#: of the classic CNN's multiply-adds per image.
COURSE_CNN = Architecture("course_cnn", "build_cnn", {
    "filters": [16, 32], "padding": "same", "flatten_dropout": 0.4, "dense_units": [128],
    "add_channel": True})
#: The course CNN with twice the filters, for Fashion-MNIST: clothes need more capacity
#: than digits (with 16 and 32 filters it levels off below the classic CNN's 20 epochs).
WIDE_COURSE_CNN = Architecture("wide_course_cnn", "build_cnn", {
    **COURSE_CNN.arguments, "filters": [32, 64]})
#: A row-wise LSTM(128): each image is a sequence of 28 rows of 28 pixels.
LSTM_128 = Architecture("lstm_128", "build_lstm", {"units": 128})
#: The row-wise LSTM with 64 units. An LSTM's cost per time step is
#: ``4 × units × (features + units)`` multiply-adds (four gates): 4 × 64 × (28 + 64) =
#: 23,552 per row against 79,872 for 128 units; with a higher peak learning rate it
#: still reaches the course's target of 98.5%.
LSTM_64 = Architecture("lstm_64", "build_lstm", {"units": 64})
#: The TensorFlow tutorials' CIFAR-10 CNN: Conv 32-64-64 (3×3) with pooling, Dense(64).
CIFAR_CNN = Architecture("cifar_cnn", "build_cnn", {
    "filters": [32, 64, 64], "pool_last": False, "dense_units": [64]})


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
    architecture : Architecture
        The model: a :mod:`coursekit.models` builder and its arguments.
    epochs, batch_size : int
        The training budget as published (original) or as the course trains.
    optimizer : {"adam", "rmsprop"}
        A Keras optimizer name.
    learning_rate : float
        The constant learning rate when there is no schedule (Keras's default 1e-3,
        as in the tutorials).
    peak_learning_rate : float or None
        With a number, the learning rate follows :class:`coursekit.schedules.OneCycle`
        up to this peak (see :meth:`schedule`) instead of ``learning_rate``.
    warmup_epochs : float
        Length of the schedule's warm-up, in epochs.
    label_smoothing : float
        With a number above 0, the loss is
        :class:`coursekit.losses.SparseCategoricalCrossentropy` with this
        smoothing; with 0, Keras's plain ``sparse_categorical_crossentropy``.
    float_inputs : bool
        True for the original recipes: the tutorials converted the images to
        float32 in [0, 1] with NumPy before training, and so do we for them.
        False: the model takes the stored uint8 images and scales them itself.
    """

    name: str
    architecture: Architecture
    epochs: int
    batch_size: int
    optimizer: str
    learning_rate: float = 1e-3
    peak_learning_rate: float | None = None
    warmup_epochs: float = 1.0
    label_smoothing: float = 0.0
    float_inputs: bool = False

    def __post_init__(self) -> None:
        check_choice("name", self.name, ("original", "course"))
        if not isinstance(self.architecture, Architecture):
            raise InvalidParameterError("architecture", self.architecture,
                                        "a coursekit.recipes.Architecture")
        check_int("epochs", self.epochs, min_value=1)
        check_int("batch_size", self.batch_size, min_value=1)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_float("learning_rate", self.learning_rate, min_value=0.0)
        if self.peak_learning_rate is not None:
            check_float("peak_learning_rate", self.peak_learning_rate, min_value=0.0)
        check_float("warmup_epochs", self.warmup_epochs, min_value=0.0)
        check_float("label_smoothing", self.label_smoothing, min_value=0.0, max_value=1.0,
                    include_max=False)
        check_bool("float_inputs", self.float_inputs)

    @property
    def summary(self) -> str:
        """One line for people, written from the fields: model; optimizer, batch, epochs; inputs.

        >>> print(get("mlp-mnist").original.summary)
        build_mlp(hidden_size=512, num_layers=2, dropout=0.2); RMSprop 1e-3, batch 128, \
20 epochs; float32 images scaled to [0, 1] with NumPy
        """
        optimizer = OPTIMIZERS[self.optimizer]
        if self.peak_learning_rate is None:
            optimizer += f" {_rate(self.learning_rate)}"
        else:
            unit = "epoch" if self.warmup_epochs == 1 else "epochs"
            optimizer += (f" one-cycle (peak {_rate(self.peak_learning_rate)}, "
                          f"warm-up {self.warmup_epochs:g} {unit})")
        if self.label_smoothing:
            optimizer += f", label smoothing {self.label_smoothing:g}"
        inputs = ("float32 images scaled to [0, 1] with NumPy" if self.float_inputs
                  else "uint8 images, scaled in the model")
        return (f"{self.architecture.call}; {optimizer}, batch {self.batch_size}, "
                f"{self.epochs} epochs; {inputs}")

    def build(self, input_shape: Sequence[int], **overrides: Any) -> keras.Model:
        """A new, uncompiled model that takes images of ``input_shape`` as this recipe feeds them.

        The input is uint8 with a ``Rescaling`` layer, or float32 for a recipe with
        ``float_inputs``; grey images need no channel axis (``input_shape=(28, 28)``).
        ``overrides`` are passed to the builder (see :meth:`Architecture.build`).
        """
        stem: dict[str, Any] = ({"input_dtype": "float32", "input_rescale": None}
                                if self.float_inputs
                                else {"input_dtype": "uint8", "input_rescale": 1 / 255})
        return self.architecture.build(input_shape, **{**stem, **overrides})

    def schedule(self, steps_per_epoch: int,
                 epochs: int) -> keras.optimizers.schedules.LearningRateSchedule | None:
        """The :class:`~coursekit.schedules.OneCycle` schedule for this many steps, or None.

        None means a constant rate (:attr:`learning_rate`).
        """
        if self.peak_learning_rate is None:
            return None
        from .schedules import OneCycle

        total = check_int("steps_per_epoch", steps_per_epoch, min_value=1) * epochs
        warmup = min(round(self.warmup_epochs * steps_per_epoch), total)
        return OneCycle(self.peak_learning_rate, total, warmup_steps=warmup)

    def optimizer_for(self, n_train: int, epochs: int | None = None) -> keras.optimizers.Optimizer:
        """A new optimizer for training on ``n_train`` images, schedule included.

        What a notebook passes to ``model.compile(optimizer=...)``: the schedule is
        sized for ``epochs`` (default: the recipe's) of ``n_train`` images in batches of
        :attr:`batch_size`.

        >>> opt = get("mlp-mnist").course.optimizer_for(n_train=55_000)
        >>> type(opt).__name__, opt.get_config()["learning_rate"]["class_name"]
        ('Adam', 'OneCycle')
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
            from .losses import SparseCategoricalCrossentropy

            return SparseCategoricalCrossentropy(label_smoothing=self.label_smoothing)
        return "sparse_categorical_crossentropy"

    def make_optimizer(self, steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
        """A new optimizer, with its learning-rate schedule sized for the training."""
        import keras

        schedule = self.schedule(steps_per_epoch, epochs)
        rate = self.learning_rate if schedule is None else schedule
        return keras.optimizers.get({"class_name": self.optimizer,
                                     "config": {"learning_rate": rate}})

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
        import keras

        from .training import train

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
# Tasks
# --------------------------------------------------------------------------- #

def _original(architecture: Architecture, *, epochs: int, batch_size: int,
              optimizer: str) -> Recipe:
    """A tutorial's recipe: a constant learning rate, images scaled with NumPy."""
    return Recipe("original", architecture, epochs=epochs, batch_size=batch_size,
                  optimizer=optimizer, float_inputs=True)


_ORIGINAL_CNN = _original(CLASSIC_CNN, epochs=20, batch_size=128, optimizer="adam")

#: The benchmark tasks, by name: the one catalogue that ``coursekit bench`` (its
#: ``--help`` included), ``--choose`` and the notebooks read.
TASKS: dict[str, Task] = {
    "mlp-mnist": Task(
        "mlp-mnist", "mnist", 0.9840, "the classic Keras MNIST MLP example (98.40%)",
        original=_original(CLASSIC_MLP, epochs=20, batch_size=128, optimizer="rmsprop"),
        course=Recipe("course", CLASSIC_MLP, epochs=5, batch_size=512, optimizer="adam",
                      peak_learning_rate=4e-3, label_smoothing=0.1)),
    "cnn-mnist": Task(
        "cnn-mnist", "mnist", 0.9921, "the classic Keras MNIST CNN example (99.21%)",
        original=_ORIGINAL_CNN,
        course=Recipe("course", COURSE_CNN, epochs=8, batch_size=128, optimizer="adam",
                      peak_learning_rate=3e-3)),
    "cnn-fashion": Task(
        "cnn-fashion", "fashion_mnist", None, "what the original recipe reaches in the same run",
        original=_ORIGINAL_CNN,
        course=Recipe("course", WIDE_COURSE_CNN, epochs=10, batch_size=128, optimizer="adam",
                      peak_learning_rate=3e-3, label_smoothing=0.1)),
    "lstm-mnist": Task(
        "lstm-mnist", "mnist", 0.985, "the course's own target for a row-wise LSTM (98.5%)",
        original=_original(LSTM_128, epochs=20, batch_size=128, optimizer="adam"),
        course=Recipe("course", LSTM_64, epochs=10, batch_size=512, optimizer="adam",
                      peak_learning_rate=8e-3)),
    "cnn-cifar10": Task(
        "cnn-cifar10", "cifar10", None,
        "what the original recipe reaches in the same run, on the data available",
        original=_original(CIFAR_CNN, epochs=10, batch_size=32, optimizer="adam"),
        course=Recipe("course", CIFAR_CNN, epochs=8, batch_size=64, optimizer="adam",
                      peak_learning_rate=2e-3)),
}


def get(task: str) -> Task:
    """The :class:`Task` named ``task``, one of :data:`TASKS`.

    Raises
    ------
    InvalidParameterError
        If ``task`` is not a known task name.
    """
    return TASKS[check_choice("task", task, TASKS)]
