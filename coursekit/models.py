"""Model builders for the course: multilayer perceptrons, CNNs and LSTMs.

Each builder returns a Keras 3 ``keras.Sequential`` model that starts with a
``keras.Input``, so it is built: ``model.summary()`` and ``model.count_params()``
work right away. Layers have readable names ("hidden_1", "conv_1", "pool_1",
"batchnorm_1", "output", ...), so a summary reads like the lecture's diagram.

The models are *not* compiled: :func:`coursekit.training.train` compiles them
(or compile them yourself with ``model.compile``). Their weights are initialised
when they are built, so call ``keras.utils.set_random_seed`` *before* building a
model when results must be reproducible.

These builders are the course's only definition of its architectures: the
notebooks call them, and so do the training recipes (:mod:`coursekit.recipes`,
e.g. the classic Keras MNIST CNN is ``build_cnn(filters=[[32, 32]], ...)``) and
the benchmarks that time them (``coursekit bench``).

Every argument is validated; a wrong value raises
:class:`~coursekit.errors.InvalidParameterError` naming the parameter and what
was expected, instead of an error from deep inside TensorFlow.

Example
-------
>>> import keras
>>> from coursekit import models
>>> keras.utils.set_random_seed(0)
>>> mlp = models.build_mlp((784,), hidden_size=512, num_layers=2)
>>> mlp.count_params()
669706
>>> cnn = models.build_cnn((28, 28, 1), filters=[[32, 32]], conv_dropout=0.25,
...                        dense_units=[128], dense_dropout=0.5)
>>> cnn.count_params()
600810
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import keras

from ._validation import check_bool, check_choice, check_float, check_int, check_shape
from .errors import InvalidParameterError

__all__ = ["ACTIVATIONS", "INPUT_DTYPES", "LSTM_MODES", "PADDINGS", "POOLINGS", "build_cnn",
           "build_lstm", "build_mlp"]

#: Activation functions the builders accept for hidden layers.
ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "gelu", "selu", "linear")
#: Pooling kinds accepted by :func:`build_cnn` (None and "none" mean no pooling).
POOLINGS = (None, "none", "max", "average")
#: Convolution paddings accepted by :func:`build_cnn`.
PADDINGS = ("valid", "same")
#: How :func:`build_lstm` reads an image as a sequence.
LSTM_MODES = ("rows", "pixels")
#: Dtypes of the input the builders accept: "uint8" takes stored images as they are
#: (with ``input_rescale=1 / 255``), without a float copy of the data set.
INPUT_DTYPES = ("float32", "uint8")


# --------------------------------------------------------------------------- #
# Validation helpers specific to the builders
# --------------------------------------------------------------------------- #

def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or "/" in name:
        raise InvalidParameterError("name", name, "a non-empty string without '/'")
    return name


def _check_dropout(name: str, value: Any) -> float:
    return check_float(name, value, min_value=0.0, max_value=1.0, include_max=False)


def _check_rescale(value: Any) -> float | None:
    if value is None:
        return None
    expected = "None or a number > 0, such as 1/255"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError("input_rescale", value, expected)
    if not float(value) > 0:  # also rejects NaN
        raise InvalidParameterError("input_rescale", value, expected)
    return float(value)


def _check_pair(name: str, value: Any) -> tuple[int, int]:
    """A kernel or pool size: a positive int or a pair of positive ints."""
    expected = "a positive integer or a pair of positive integers"
    if _is_int(value):
        pair: tuple[Any, ...] = (value, value)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        pair = tuple(value)
    else:
        raise InvalidParameterError(name, value, expected)
    if len(pair) != 2 or not all(_is_int(v) and v >= 1 for v in pair):
        raise InvalidParameterError(name, value, expected)
    return int(pair[0]), int(pair[1])


def _check_filters(filters: Any) -> list[list[int]]:
    """Normalise ``filters`` to a list of blocks, each a list of conv widths."""
    expected = ("a positive integer, a sequence of positive integers (one conv per block) "
                "or a sequence of non-empty sequences (several convs per block)")
    if _is_int(filters):
        blocks: list[Any] = [[filters]]
    elif isinstance(filters, Sequence) and not isinstance(filters, str) and len(filters) > 0:
        blocks = []
        for block in filters:
            if _is_int(block):
                blocks.append([block])
            elif isinstance(block, Sequence) and not isinstance(block, str) and len(block) > 0:
                blocks.append(list(block))
            else:
                raise InvalidParameterError("filters", filters, expected)
    else:
        raise InvalidParameterError("filters", filters, expected)
    if not all(_is_int(f) and f >= 1 for block in blocks for f in block):
        raise InvalidParameterError("filters", filters, expected)
    return [[int(f) for f in block] for block in blocks]


def _check_units(name: str, value: Any) -> list[int]:
    """A sequence of positive ints (possibly empty), or one positive int."""
    expected = "a positive integer or a (possibly empty) sequence of positive integers"
    if _is_int(value):
        units: list[Any] = [value]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        units = list(value)
    else:
        raise InvalidParameterError(name, value, expected)
    if not all(_is_int(u) and u >= 1 for u in units):
        raise InvalidParameterError(name, value, expected)
    return [int(u) for u in units]


def _format_hw(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _stem(shape: tuple[int, ...], input_dtype: str, input_rescale: float | None,
          *, add_channel: bool = False) -> list[Any]:
    """The input, then [``rescale``] and [``add_channel``]: the layers every builder starts with."""
    layers: list[Any] = [keras.Input(shape=shape, dtype=input_dtype, name="input")]
    if input_rescale is not None:
        layers.append(keras.layers.Rescaling(input_rescale, name="rescale"))
    if add_channel:
        layers.append(keras.layers.Reshape((*shape, 1), name="add_channel"))
    return layers


# --------------------------------------------------------------------------- #
# Builders
# --------------------------------------------------------------------------- #

def build_mlp(
    input_shape: Sequence[int] | int = (784,),
    num_classes: int = 10,
    hidden_size: int = 512,
    num_layers: int = 2,
    activation: str = "relu",
    dropout: float = 0.0,
    name: str = "mlp",
    input_rescale: float | None = None,
    input_dtype: str = "float32",
) -> keras.Sequential:
    """Build a multilayer perceptron (fully connected network) for classification.

    Layers: [``rescale``] → [``flatten``] → ``num_layers`` × (``hidden_i``
    [→ ``dropout_i``]) → ``output`` (softmax).

    Parameters
    ----------
    input_shape : tuple of int, default (784,)
        Shape of one sample. With more than one dimension (such as (28, 28)),
        the first layer is a ``Flatten`` named "flatten".
    num_classes : int, default 10
        Number of classes: units of the softmax output layer (at least 2).
    hidden_size : int, default 512
        Units of each hidden ``Dense`` layer.
    num_layers : int, default 2
        Number of hidden layers. ``0`` gives a single-layer perceptron
        (softmax regression): input → ``Dense(num_classes, "softmax")``.
    activation : {"relu", "sigmoid", "tanh", "elu", "gelu", "selu", "linear"}, default "relu"
        Activation of the hidden layers.
    dropout : float in [0, 1), default 0.0
        Rate of a ``Dropout`` layer after each hidden layer; 0 adds none.
    name : str, default "mlp"
        Name of the model.
    input_rescale : float or None, default None
        If given, the first layer is ``keras.layers.Rescaling(input_rescale)``
        named "rescale", so raw uint8 images can be fed (use ``1 / 255``).
    input_dtype : {"float32", "uint8"}, default "float32"
        Dtype of the model's input. "uint8" with ``input_rescale=1 / 255`` takes the
        stored images as they are (Keras would cast floats fed to it to uint8).

    Returns
    -------
    keras.Sequential
        A built, uncompiled model.

    Raises
    ------
    InvalidParameterError
        If a parameter has a wrong type or value.

    Example
    -------
    >>> model = build_mlp((784,), num_classes=10, hidden_size=512, num_layers=2)
    >>> model.count_params()
    669706
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'hidden_2', 'output']
    >>> build_mlp(num_layers=0).count_params()  # softmax regression
    7850
    """
    input_shape = check_shape("input_shape", input_shape)
    num_classes = check_int("num_classes", num_classes, min_value=2)
    hidden_size = check_int("hidden_size", hidden_size, min_value=1)
    num_layers = check_int("num_layers", num_layers, min_value=0)
    activation = check_choice("activation", activation, ACTIVATIONS)
    dropout = _check_dropout("dropout", dropout)
    name = _check_name(name)
    input_rescale = _check_rescale(input_rescale)
    input_dtype = check_choice("input_dtype", input_dtype, INPUT_DTYPES)

    layers = _stem(input_shape, input_dtype, input_rescale)
    if len(input_shape) > 1:
        layers.append(keras.layers.Flatten(name="flatten"))
    for i in range(1, num_layers + 1):
        layers.append(keras.layers.Dense(hidden_size, activation=activation, name=f"hidden_{i}"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def build_cnn(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    filters: int | Sequence[int] | Sequence[Sequence[int]] = ((32, 32),),
    kernel_size: int | tuple[int, int] = 3,
    padding: str = "valid",
    pooling: str | None = "max",
    pool_size: int | tuple[int, int] = 2,
    pool_last: bool = True,
    conv_dropout: float = 0.0,
    flatten_dropout: float = 0.0,
    dense_units: int | Sequence[int] = (128,),
    dense_dropout: float = 0.0,
    l2: float = 0.0,
    batch_norm: bool = False,
    activation: str = "relu",
    name: str = "cnn",
    input_rescale: float | None = None,
    input_dtype: str = "float32",
    add_channel: bool = False,
) -> keras.Sequential:
    """Build a convolutional network for image classification.

    The network is a stack of convolution *blocks*, then ``flatten`` (and
    ``Dropout(flatten_dropout)`` if ``flatten_dropout > 0``), hidden dense layers
    and a softmax ``output``. Each block is one or more
    ``Conv2D`` layers (``conv_1``, ``conv_2``, ... numbered across blocks),
    followed by pooling (``pool_i``) and by ``Dropout(conv_dropout)`` if
    ``conv_dropout > 0``.

    Parameters
    ----------
    input_shape : tuple of 3 int, default (28, 28, 1)
        (height, width, channels) of one image. Greyscale images of shape
        (N, 28, 28) need a channel axis: ``coursekit.data.add_channel(x)``, or
        ``add_channel=True`` with ``input_shape=(28, 28)``.
    num_classes : int, default 10
        Units of the softmax output layer (at least 2).
    filters : int, sequence of int, or sequence of sequences of int, default ((32, 32),)
        The convolution blocks. An int is one block of one conv; a sequence
        of ints is one block per int, each with one conv; a sequence of
        sequences is one block per inner sequence, with one conv per int.
        ``[[32, 32]]`` is the classic Keras MNIST CNN (two convs, then one
        pooling); ``[32, 64, 64]`` with ``pool_last=False`` is the
        TensorFlow tutorials' CIFAR-10 CNN.
    kernel_size : int or (int, int), default 3
        Size of every convolution kernel.
    padding : {"valid", "same"}, default "valid"
        Padding of the convolutions ("same" keeps the spatial size).
        Pooling always uses "valid" padding.
    pooling : {"max", "average", "none", None}, default "max"
        Pooling after each block: ``MaxPooling2D`` or ``AveragePooling2D``
        with ``pool_size``; "none" or None adds no pooling.
    pool_size : int or (int, int), default 2
        Pooling window (and stride).
    pool_last : bool, default True
        Whether the last block is followed by pooling too.
    conv_dropout : float in [0, 1), default 0.0
        Dropout rate after each block; 0 adds none.
    flatten_dropout : float in [0, 1), default 0.0
        Dropout rate right after ``flatten``, before the dense layers; 0 adds none.
    dense_units : int or sequence of int, default (128,)
        Units of the hidden dense layers (``dense_1``, ...) between
        ``flatten`` and ``output``. May be empty: flatten → output.
    dense_dropout : float in [0, 1), default 0.0
        Dropout rate after each hidden dense layer; 0 adds none.
    l2 : float >= 0, default 0.0
        If > 0, every ``Conv2D`` and ``Dense`` layer (the output included)
        gets ``kernel_regularizer=keras.regularizers.L2(l2)``.
    batch_norm : bool, default False
        If True, each conv and each hidden dense layer is built without
        activation and without bias and followed by ``BatchNormalization``
        (``batchnorm_i``) and then an ``Activation`` layer (``activation_i``).
    activation : {"relu", "sigmoid", "tanh", "elu", "gelu", "selu", "linear"}, default "relu"
        Activation of the conv and hidden dense layers.
    name : str, default "cnn"
        Name of the model.
    input_rescale : float or None, default None
        If given, the first layer is ``keras.layers.Rescaling(input_rescale)``
        named "rescale", so raw uint8 images can be fed (use ``1 / 255``).
    input_dtype : {"float32", "uint8"}, default "float32"
        Dtype of the model's input. "uint8" with ``input_rescale=1 / 255`` takes the
        stored images as they are (Keras would cast floats fed to it to uint8).
    add_channel : bool, default False
        If True, ``input_shape`` is (height, width) and a ``Reshape`` layer named
        "add_channel" gives the greyscale images their channel axis inside the model.

    Returns
    -------
    keras.Sequential
        A built, uncompiled model.

    Raises
    ------
    InvalidParameterError
        If a parameter has a wrong type or value, or if the convolutions and
        poolings would shrink the image below 1x1 (the error names
        ``kernel_size``, ``pool_size`` or ``filters`` and says what to change).

    Example
    -------
    The classic Keras MNIST CNN (600,810 parameters):

    >>> model = build_cnn((28, 28, 1), filters=[[32, 32]], conv_dropout=0.25,
    ...                   dense_units=[128], dense_dropout=0.5)
    >>> [layer.name for layer in model.layers]  # doctest: +NORMALIZE_WHITESPACE
    ['conv_1', 'conv_2', 'pool_1', 'dropout_1', 'flatten', 'dense_1', 'dropout_2',
     'output']
    >>> model.count_params()
    600810

    The CIFAR-10 CNN of the TensorFlow tutorials (122,570 parameters):

    >>> build_cnn((32, 32, 3), filters=[32, 64, 64], pool_last=False,
    ...           dense_units=[64]).count_params()
    122570
    """
    add_channel = check_bool("add_channel", add_channel)
    input_shape = check_shape("input_shape", input_shape, ndim=(2, 3) if add_channel else (3,))
    if add_channel and len(input_shape) != 2:
        raise InvalidParameterError("input_shape", input_shape,
                                    "(height, width) with add_channel=True: the model adds "
                                    "the channel axis of grey images itself")
    num_classes = check_int("num_classes", num_classes, min_value=2)
    blocks = _check_filters(filters)
    kernel = _check_pair("kernel_size", kernel_size)
    padding = check_choice("padding", padding, PADDINGS)
    pooling = check_choice("pooling", pooling, POOLINGS)
    pool = _check_pair("pool_size", pool_size)
    pool_last = check_bool("pool_last", pool_last)
    conv_dropout = _check_dropout("conv_dropout", conv_dropout)
    flatten_dropout = _check_dropout("flatten_dropout", flatten_dropout)
    units = _check_units("dense_units", dense_units)
    dense_dropout = _check_dropout("dense_dropout", dense_dropout)
    l2 = check_float("l2", l2, min_value=0.0)
    batch_norm = check_bool("batch_norm", batch_norm)
    activation = check_choice("activation", activation, ACTIVATIONS)
    name = _check_name(name)
    input_rescale = _check_rescale(input_rescale)
    input_dtype = check_choice("input_dtype", input_dtype, INPUT_DTYPES)
    use_pooling = pooling in ("max", "average")

    _check_spatial_size(input_shape[:2], blocks, kernel, padding, pool,
                        use_pooling=use_pooling, pool_last=pool_last,
                        filters=filters, kernel_size=kernel_size, pool_size=pool_size)

    def regularizer() -> keras.regularizers.Regularizer | None:
        return keras.regularizers.L2(l2) if l2 > 0 else None

    counters = {"conv": 0, "pool": 0, "dropout": 0, "batchnorm": 0, "activation": 0,
                "dense": 0}

    def next_name(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}_{counters[kind]}"

    def normalise_and_activate() -> list[keras.layers.Layer]:
        return [keras.layers.BatchNormalization(name=next_name("batchnorm")),
                keras.layers.Activation(activation, name=next_name("activation"))]

    layers = _stem(input_shape, input_dtype, input_rescale, add_channel=add_channel)
    for b, block in enumerate(blocks):
        for width in block:
            layers.append(keras.layers.Conv2D(
                width, kernel, padding=padding,
                activation=None if batch_norm else activation,
                use_bias=not batch_norm,
                kernel_regularizer=regularizer(),
                name=next_name("conv"),
            ))
            if batch_norm:
                layers.extend(normalise_and_activate())
        is_last = b == len(blocks) - 1
        if use_pooling and (pool_last or not is_last):
            pool_cls = (keras.layers.MaxPooling2D if pooling == "max"
                        else keras.layers.AveragePooling2D)
            layers.append(pool_cls(pool_size=pool, name=next_name("pool")))
        if conv_dropout > 0:
            layers.append(keras.layers.Dropout(conv_dropout, name=next_name("dropout")))

    layers.append(keras.layers.Flatten(name="flatten"))
    if flatten_dropout > 0:
        layers.append(keras.layers.Dropout(flatten_dropout, name=next_name("dropout")))
    for width in units:
        layers.append(keras.layers.Dense(
            width,
            activation=None if batch_norm else activation,
            use_bias=not batch_norm,
            kernel_regularizer=regularizer(),
            name=next_name("dense"),
        ))
        if batch_norm:
            layers.extend(normalise_and_activate())
        if dense_dropout > 0:
            layers.append(keras.layers.Dropout(dense_dropout, name=next_name("dropout")))
    layers.append(keras.layers.Dense(num_classes, activation="softmax",
                                     kernel_regularizer=regularizer(), name="output"))
    return keras.Sequential(layers, name=name)


def _check_spatial_size(
    size: tuple[int, ...],
    blocks: list[list[int]],
    kernel: tuple[int, int],
    padding: str,
    pool: tuple[int, int],
    *,
    use_pooling: bool,
    pool_last: bool,
    filters: Any,
    kernel_size: Any,
    pool_size: Any,
) -> None:
    """Follow the feature-map size through the blocks; fail before Keras does."""
    h, w = size
    fixes = ("use fewer blocks or convs in filters, padding='same', a smaller kernel_size "
             "or pool_size, pool_last=False, or a larger input")
    conv_index = 0
    for b, block in enumerate(blocks, start=1):
        for _ in block:
            conv_index += 1
            if padding == "valid":
                if h < kernel[0] or w < kernel[1]:
                    where = (f"conv {conv_index} (block {b}) gets a {_format_hw((h, w))} "
                             f"feature map, smaller than its {_format_hw(kernel)} kernel")
                    if conv_index == 1:
                        raise InvalidParameterError(
                            "kernel_size", kernel_size,
                            f"a kernel no larger than the {_format_hw((h, w))} input "
                            f"(with padding='valid'); {where}")
                    raise InvalidParameterError(
                        "filters", filters,
                        f"blocks that keep the feature map at least 1x1: {where}; {fixes}")
                h, w = h - kernel[0] + 1, w - kernel[1] + 1
        if use_pooling and (pool_last or b < len(blocks)):
            if h < pool[0] or w < pool[1]:
                where = (f"the pooling after block {b} gets a {_format_hw((h, w))} feature "
                         f"map, smaller than its {_format_hw(pool)} window")
                if b == 1:
                    raise InvalidParameterError(
                        "pool_size", pool_size,
                        f"a pool window that fits the feature map: {where}; {fixes}")
                raise InvalidParameterError(
                    "filters", filters,
                    f"blocks that keep the feature map at least 1x1: {where}; {fixes}")
            h, w = h // pool[0], w // pool[1]


def build_lstm(
    mode: str = "rows",
    image_shape: Sequence[int] = (28, 28),
    units: int = 128,
    num_layers: int = 1,
    num_classes: int = 10,
    dropout: float = 0.0,
    name: str = "lstm",
    input_rescale: float | None = None,
    input_dtype: str = "float32",
) -> keras.Sequential:
    """Build an LSTM classifier that reads each image as a sequence.

    Layers: [``rescale``] → ``lstm_1`` ... ``lstm_n`` → [``dropout``] →
    ``output`` (softmax). In a stack, every LSTM but the last returns its
    whole sequence (``return_sequences=True``) to feed the next one.

    Parameters
    ----------
    mode : {"rows", "pixels"}, default "rows"
        "rows": each image row is a time step, the input has shape
        ``image_shape`` (28 steps of 28 values for MNIST; prepare the data
        with ``coursekit.data.to_row_sequence``). "pixels": each pixel is a
        time step, the input has shape ``(height * width, 1)`` (784 steps of
        one value; prepare the data with ``coursekit.data.to_pixel_sequence``).
        Pixel mode is much slower to train.
    image_shape : (int, int), default (28, 28)
        (height, width) of the greyscale images.
    units : int, default 128
        Units of each LSTM layer.
    num_layers : int, default 1
        Number of stacked LSTM layers.
    num_classes : int, default 10
        Units of the softmax output layer (at least 2).
    dropout : float in [0, 1), default 0.0
        Rate of a ``Dropout`` layer (named "dropout") before the output; 0 adds none.
    name : str, default "lstm"
        Name of the model.
    input_rescale : float or None, default None
        If given, the first layer is ``keras.layers.Rescaling(input_rescale)``
        named "rescale", so raw uint8 images can be fed (use ``1 / 255``).
    input_dtype : {"float32", "uint8"}, default "float32"
        Dtype of the model's input. "uint8" with ``input_rescale=1 / 255`` takes the
        stored images as they are (Keras would cast floats fed to it to uint8).

    Returns
    -------
    keras.Sequential
        A built, uncompiled model.

    Raises
    ------
    InvalidParameterError
        If a parameter has a wrong type or value.

    Example
    -------
    >>> model = build_lstm("rows", units=128)
    >>> model.input_shape
    (None, 28, 28)
    >>> model.count_params()
    81674
    >>> build_lstm("pixels", units=16, num_layers=2).input_shape
    (None, 784, 1)
    """
    mode = check_choice("mode", mode, LSTM_MODES)
    image_shape = check_shape("image_shape", image_shape, ndim=(2,))
    units = check_int("units", units, min_value=1)
    num_layers = check_int("num_layers", num_layers, min_value=1)
    num_classes = check_int("num_classes", num_classes, min_value=2)
    dropout = _check_dropout("dropout", dropout)
    name = _check_name(name)
    input_rescale = _check_rescale(input_rescale)
    input_dtype = check_choice("input_dtype", input_dtype, INPUT_DTYPES)

    if mode == "rows":
        shape: tuple[int, ...] = image_shape
    else:
        shape = (image_shape[0] * image_shape[1], 1)
    layers = _stem(shape, input_dtype, input_rescale)
    for i in range(1, num_layers + 1):
        layers.append(keras.layers.LSTM(units, return_sequences=i < num_layers,
                                        name=f"lstm_{i}"))
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)
