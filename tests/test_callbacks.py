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


def test_epoch_timer_measures_cpu_and_can_leave_the_evaluation_out():
    x, y = np.zeros((64, 4)), np.zeros(64)
    big_x, big_y = np.zeros((4_000, 4)), np.zeros(4_000)  # a validation longer than training
    with_eval, without = EpochTimer(), EpochTimer(exclude_evaluation=True)
    _model().fit(x, y, epochs=2, verbose=0, validation_data=(big_x, big_y),
                 callbacks=[with_eval, without])
    assert len(without.cpu_seconds) == len(without.epoch_seconds) == 2
    assert all(c >= 0 for c in without.cpu_seconds)
    for a, b in zip(without.epoch_seconds, with_eval.epoch_seconds, strict=True):
        assert 0 < a < b
