"""What a student's builder function returned, when it is not a Keras model.

The usual slips have their own diagnosis: no ``return`` (None), returning a
single layer, or the list of layers instead of the model built from them.

Example
-------
>>> from coursekit.checks._returns import require_model
>>> import keras
>>> require_model(keras.layers.Dense(10), "build_mlp(16, 2)")
Traceback (most recent call last):
...
coursekit.checks._core.CheckFailed: build_mlp(16, 2) returned a Dense layer, not a model.
"""

from __future__ import annotations

from typing import Any

from ._core import CheckFailed

__all__ = ["require_model"]


def require_model(value: Any, call: str) -> Any:
    """Return ``value`` if it is a Keras model, else raise CheckFailed naming the slip.

    Parameters
    ----------
    value : object
        What the student's function returned.
    call : str
        The call, for messages (``"build_mlp(16, 2)"``).
    """
    import keras

    if isinstance(value, keras.Model):
        return value
    if value is None:
        raise CheckFailed(f"{call} returned None, expected a Keras model: the function "
                          "builds nothing or forgets to return it.",
                          hint="look at the end of your function: it needs a `return` "
                               "statement that returns the model")
    if isinstance(value, keras.layers.Layer):
        raise CheckFailed(f"{call} returned a {type(value).__name__} layer, not a model.",
                          hint="return the whole model (a keras.Sequential or keras.Model "
                               "holding all the layers), not one of its layers")
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (keras.layers.Layer, keras.KerasTensor)) for v in value):
        raise CheckFailed(f"{call} returned a {type(value).__name__} of {len(value)} layers, "
                          "not a model.",
                          hint="put the layers into a keras.Sequential and return that model")
    raise CheckFailed(f"{call} returned {type(value).__name__}, expected a Keras model.",
                      hint="return the model your function builds")
