"""The course's learning-rate schedule: one cycle, a short warm-up and a cosine decay to zero.

:class:`OneCycle` is the schedule of every course recipe (:mod:`coursekit.recipes`): the
learning rate climbs linearly from a tenth of its peak to the peak during the warm-up
(usually the first epoch), then falls to zero along a cosine by the last step. Large steps
early and small careful ones at the end reach in a few epochs the accuracy that a
constant rate needs many epochs for.

It is Keras's own :class:`keras.optimizers.schedules.CosineDecay` with its warm-up, given
by the three numbers a person thinks in (peak, total steps, warm-up steps), so its values
are CosineDecay's to the last bit. It is a registered Keras object: an optimizer that uses
it saves and loads with its model (once :mod:`coursekit.schedules` is imported).

Example
-------
>>> import keras
>>> from coursekit.schedules import OneCycle
>>> schedule = OneCycle(3e-3, total_steps=1000, warmup_steps=100)
>>> [round(float(schedule(step)), 5) for step in (0, 50, 100, 550, 1000)]
[0.0003, 0.00165, 0.003, 0.0015, 0.0]
>>> optimizer = keras.optimizers.Adam(learning_rate=schedule)
>>> config = keras.saving.serialize_keras_object(schedule)
>>> config["config"]
{'peak': 0.003, 'total_steps': 1000, 'warmup_steps': 100, 'name': 'OneCycle'}
>>> keras.saving.deserialize_keras_object(config) == schedule
True
"""

from __future__ import annotations

from typing import Any

import keras

from ._validation import check_float, check_int
from .errors import InvalidParameterError

__all__ = ["OneCycle"]


@keras.saving.register_keras_serializable(package="coursekit")
class OneCycle(keras.optimizers.schedules.CosineDecay):
    """Warm up linearly from ``peak / 10`` to ``peak``, then decay to 0 along a cosine.

    Parameters
    ----------
    peak : float > 0
        The highest learning rate, reached after ``warmup_steps``.
    total_steps : int >= 1
        Gradient steps of the whole training (epochs × batches per epoch). The rate is
        0 from this step on.
    warmup_steps : int in [0, total_steps]
        Steps of the linear warm-up, usually one epoch's worth or less. With 0 the
        cosine starts at ``peak``.
    name : str, default "OneCycle"

    Raises
    ------
    InvalidParameterError
        If a parameter has a wrong type or value (a warm-up longer than the training,
        for one).

    Example
    -------
    >>> OneCycle(0.004, total_steps=10, warmup_steps=11)
    Traceback (most recent call last):
    ...
    coursekit.errors.InvalidParameterError: warmup_steps=11 is not valid: expected an integer \
in [0, 10].
    """

    def __init__(self, peak: float, total_steps: int, warmup_steps: int,
                 name: str = "OneCycle") -> None:
        peak = check_float("peak", peak, min_value=0.0)
        if not peak > 0:
            raise InvalidParameterError("peak", peak, "a learning rate > 0")
        total_steps = check_int("total_steps", total_steps, min_value=1)
        warmup_steps = check_int("warmup_steps", warmup_steps, min_value=0,
                                 max_value=total_steps)
        super().__init__(initial_learning_rate=peak / 10, warmup_target=peak,
                         warmup_steps=warmup_steps,
                         decay_steps=max(total_steps - warmup_steps, 1), name=name)
        self.peak, self.total_steps = peak, total_steps

    def get_config(self) -> dict[str, Any]:
        return {"peak": self.peak, "total_steps": self.total_steps,
                "warmup_steps": self.warmup_steps, "name": self.name}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash(tuple(self.get_config().items()))

    def __repr__(self) -> str:
        return (f"OneCycle(peak={self.peak:g}, total_steps={self.total_steps}, "
                f"warmup_steps={self.warmup_steps})")
