"""Keras callbacks the notebooks pass to ``model.fit``: a progress bar and an epoch timer.

Training in the course is plain Keras: the notebooks write ``model.compile(...)`` and
``model.fit(...)`` themselves, and extend ``fit`` the way Keras users do, with callbacks:

- :class:`ProgressBar`: one bar that updates in place (tqdm), instead of Keras's own
  progress bar, which prints a line per redraw in saved notebooks and Colab. Pass
  ``verbose=0`` to ``fit`` with it, so that Keras draws nothing itself.
- :class:`EpochTimer`: the wall-clock (and CPU) time of every epoch, for the timing tables
  the notebooks draw conclusions from, and for the benchmarks.

Why tqdm rather than Keras's own progress bar
---------------------------------------------
Keras 3's progress bar (``verbose=1``) redraws by printing; in Colab, in VS Code and
in saved or captured notebook outputs (nbclient, nbval) every redraw can become its
own line, so a long training leaves hundreds of lines, and ``verbose=2`` prints one
line per epoch. :class:`tqdm.keras.TqdmCallback` uses ``tqdm.auto``: in Jupyter and
Colab it draws *one* widget bar that updates in place (the epoch bar, with the latest
metrics; a batch bar for the current epoch shows during the epoch and disappears at
its end), and in a terminal it falls back to a text bar on one line.

Example
-------
>>> import keras, numpy as np
>>> from coursekit.callbacks import EpochTimer, ProgressBar
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
>>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
>>> timer = EpochTimer()
>>> history = model.fit(np.zeros((64, 4)), np.zeros(64), epochs=3, verbose=0,
...                     callbacks=[timer, ProgressBar(leave=False)])
>>> len(timer.epoch_seconds)
3
>>> timer.total_seconds == sum(timer.epoch_seconds)
True
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import keras
from tqdm.keras import TqdmCallback

from ._validation import check_bool

__all__ = ["EpochTimer", "ProgressBar"]


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock and CPU time of each epoch of a ``fit``.

    The first epoch includes TensorFlow's tracing of the training step (a second or
    two), so :attr:`seconds_per_epoch` is the median epoch, which that one slow
    epoch does not move. A timer passed to several ``fit`` calls starts afresh at
    each. This is the course's one epoch timer: the notebooks, :func:`coursekit.training.train`
    and the benchmarks (``coursekit bench``) all use it.

    Parameters
    ----------
    exclude_evaluation : bool, default False
        If True, the time ``fit`` spends evaluating ``validation_data`` at the end of
        an epoch is left out of that epoch, so the times are the training's alone (what
        the benchmarks compare).

    Attributes
    ----------
    epoch_seconds : list of float
        One wall-clock time per epoch, in seconds.
    cpu_seconds : list of float
        The CPU time of this process (all its threads) during each epoch, in seconds.
        On a shared machine wall time stretches while the CPU time of the same work
        does not, so the two together say how busy the machine was.
    """

    def __init__(self, exclude_evaluation: bool = False) -> None:
        super().__init__()
        self.exclude_evaluation = check_bool("exclude_evaluation", exclude_evaluation)
        self.epoch_seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self._start = self._cpu_start = 0.0
        self._test_start = self._cpu_test_start = 0.0
        self._in_test = self._cpu_in_test = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch_seconds, self.cpu_seconds = [], []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start, self._cpu_start = time.perf_counter(), time.process_time()
        self._in_test = self._cpu_in_test = 0.0

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._test_start, self._cpu_test_start = time.perf_counter(), time.process_time()

    def on_test_end(self, logs: dict | None = None) -> None:
        if self.exclude_evaluation:
            self._in_test += time.perf_counter() - self._test_start
            self._cpu_in_test += time.process_time() - self._cpu_test_start

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch_seconds.append(time.perf_counter() - self._start - self._in_test)
        self.cpu_seconds.append(time.process_time() - self._cpu_start - self._cpu_in_test)

    @property
    def total_seconds(self) -> float:
        """All the epochs together, in seconds (0.0 before any)."""
        return sum(self.epoch_seconds)

    @property
    def seconds_per_epoch(self) -> float:
        """The median epoch, in seconds (``nan`` before any).

        >>> timer = EpochTimer()
        >>> timer.epoch_seconds = [3.1, 1.0, 1.2]
        >>> timer.seconds_per_epoch
        1.2
        """
        return statistics.median(self.epoch_seconds) if self.epoch_seconds else float("nan")


class ProgressBar(TqdmCallback):
    """One progress bar for ``model.fit``, updated in place, with the latest metrics.

    tqdm's Keras callback, with the batch bar counting whole batches: Keras 3 gives
    callbacks no batch size, so ``TqdmCallback``'s batch bar would show
    "3.00/4.00 batch". With ``steps_per_execution=N`` Keras reports only every N-th
    batch, so the bar advances to the batch index it is given rather than by one.

    Parameters
    ----------
    **kwargs
        Passed to :class:`tqdm.keras.TqdmCallback` (``leave=False`` removes the bar
        when the training ends).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._batches_done = 0

    def on_epoch_begin(self, epoch: int, *args: Any, **kwargs: Any) -> None:
        super().on_epoch_begin(epoch, *args, **kwargs)
        batch_bar = getattr(self, "batch_bar", None)
        if batch_bar is not None:
            batch_bar.unit_scale = False
            batch_bar.refresh()
            self._batches_done = 0
            self.on_batch_end = self._advance

    def _advance(self, batch: int, logs: dict | None = None) -> None:
        batch_bar = self.batch_bar
        if logs:
            batch_bar.set_postfix({k: v for k, v in logs.items() if k not in ("batch", "size")},
                                  refresh=False)
        done = batch + 1  # Keras may report past the last batch of a short final execution
        if batch_bar.total:
            done = min(done, batch_bar.total)
        batch_bar.update(max(done - self._batches_done, 0))
        self._batches_done = done
