"""The callbacks the notebooks pass to model.fit."""

import keras
import numpy as np

from coursekit.callbacks import EpochTimer


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    # eagerly: one step an epoch needs no compiled graph (tracing one costs more than it saves)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    return model


def test_epoch_timer_times_every_epoch_and_restarts_with_each_fit():
    x, y = np.zeros((32, 4)), np.zeros(32)
    timer, model = EpochTimer(), _model()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.epoch_seconds) == 3 and all(s > 0 for s in timer.epoch_seconds)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[timer])
    assert len(timer.epoch_seconds) == 2


def test_epoch_timer_median_ignores_the_slow_first_epoch():
    timer = EpochTimer()
    assert np.isnan(timer.seconds_per_epoch)
    timer.epoch_seconds = [9.0, 1.0, 1.1, 1.2]
    assert timer.seconds_per_epoch == 1.15
    assert timer.total_seconds == sum(timer.epoch_seconds)
