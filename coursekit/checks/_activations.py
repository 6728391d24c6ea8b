"""One name per activation, however the student spelled it.

A Keras model can apply the same activation in many ways: a string
(``activation="softmax"``), a function from ``keras.activations``,
``keras.ops`` or TensorFlow (``tf.nn.softmax``, whose name is ``softmax_v2``),
a layer passed as the activation, or a separate activation layer
(``keras.layers.Softmax()``, ``ReLU()``, ``Activation("relu")``) after a
linear ``Dense`` or ``Conv2D``. The checks compare one canonical name, the
one Keras itself uses (``"softmax"``, ``"relu"``, ``"linear"``...), computed
here and nowhere else.

Example
-------
>>> from coursekit.checks._activations import activation_name, layer_activation
>>> import keras
>>> import tensorflow as tf
>>> activation_name(tf.nn.softmax), activation_name("relu"), activation_name(None)
('softmax', 'relu', 'linear')
>>> activation_name(lambda x: keras.ops.maximum(x, 0.0))
'relu'
>>> layer_activation(keras.layers.Softmax()), layer_activation(keras.layers.Dense(3))
('softmax', None)

A linear layer followed by an activation layer reads as one layer: see
:func:`coursekit.checks._facts.merge_activations`.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

import numpy as np

__all__ = ["ACTIVATION_LAYERS", "activation_name", "layer_activation"]

#: Layer classes (by name) that only apply an activation.
ACTIVATION_LAYERS = ("Activation", "ReLU", "Softmax", "LeakyReLU", "ELU", "PReLU")

#: Inputs on which an unnamed activation (a lambda, a helper) is recognised by its values.
_PROBE = np.array([[-2.0, -0.5, 0.0, 1.0, 3.0],
                   [0.3, -1.2, 2.2, -3.1, 0.7]], dtype="float32")


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: What the common activations give on ``_PROBE``.
_BEHAVIOURS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "softmax": _softmax,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
}


def _keras_name(name: str) -> str | None:
    """The name of the Keras activation ``name`` stands for, or None if Keras has none."""
    import keras

    for candidate in (name, name.removesuffix("_v2")):  # TensorFlow: softmax_v2
        try:
            fn = keras.activations.get(candidate)
        except Exception:  # not a name Keras knows
            continue
        return str(getattr(fn, "__name__", candidate))  # aliases: swish -> silu
    return None


def _by_behaviour(fn: Any) -> str | None:
    """Recognise a common activation from its outputs on a small probe, if any."""
    import keras

    try:
        out = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(_PROBE)))
        out = np.asarray(out, dtype="float64")
    except Exception:  # not an activation we can call on a tensor
        return None
    if out.shape != _PROBE.shape:
        return None
    for name, reference in _BEHAVIOURS.items():
        if np.allclose(out, reference(_PROBE.astype("float64")), atol=1e-5):
            return name
    return None


def activation_name(fn: Any) -> str:
    """The canonical name of an activation: a string, a function, a layer or None.

    Parameters
    ----------
    fn : str, callable, keras.layers.Layer or None
        What a layer's ``activation`` holds (or what was passed as one).

    Returns
    -------
    str
        Keras's name for it (``"softmax"`` for ``tf.nn.softmax``,
        ``keras.ops.softmax`` and ``keras.layers.Softmax()`` alike), ``"linear"``
        for None; an unnamed function computing a common activation gets that
        activation's name, any other function its own name.

    Examples
    --------
    >>> from coursekit.checks._activations import activation_name
    >>> import keras
    >>> [activation_name(f) for f in (keras.ops.relu, keras.activations.softmax, "swish")]
    ['relu', 'softmax', 'silu']
    >>> def halve(x):
    ...     return x / 2
    >>> activation_name(halve)
    'halve'
    """
    import keras

    if fn is None:
        return "linear"
    if isinstance(fn, str):
        return _keras_name(fn) or fn
    if isinstance(fn, keras.layers.Layer):
        return layer_activation(fn) or type(fn).__name__
    with contextlib.suppress(ValueError):  # a cycle of __wrapped__
        fn = inspect.unwrap(fn)
    name = str(getattr(fn, "__name__", type(fn).__name__))
    known = _keras_name(name)
    if known is not None:
        return known
    return _by_behaviour(fn) or name


def layer_activation(layer: Any) -> str | None:
    """The activation an activation layer applies (canonical name), or None for other layers.

    >>> from coursekit.checks._activations import layer_activation
    >>> import keras
    >>> layer_activation(keras.layers.Activation("relu")), layer_activation(keras.layers.ReLU())
    ('relu', 'relu')
    >>> layer_activation(keras.layers.ReLU(max_value=6.0))
    'ReLU(max_value=6)'
    """
    kind = type(layer).__name__
    if kind not in ACTIVATION_LAYERS:
        return None
    if kind == "Activation":
        return activation_name(getattr(layer, "activation", None))
    if kind == "ReLU":
        changed = {key: getattr(layer, key, None) for key in ("max_value", "negative_slope",
                                                               "threshold")}
        changed = {k: v for k, v in changed.items() if v is not None and float(v) != 0.0}
        if not changed:
            return "relu"
        return "ReLU(" + ", ".join(f"{k}={float(v):g}" for k, v in changed.items()) + ")"
    if kind == "Softmax":
        axis = getattr(layer, "axis", -1)
        return "softmax" if axis == -1 else f"softmax(axis={axis})"
    return {"LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}[kind]
