"""The one-cycle learning-rate schedule: its shape, its checks, its saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit.errors import InvalidParameterError
from coursekit.schedules import OneCycle


def test_one_cycle_warms_up_then_decays_to_zero():
    schedule = OneCycle(0.004, total_steps=1000, warmup_steps=100)
    rates = [float(schedule(step)) for step in (0, 50, 100, 550, 1000, 2000)]
    assert rates[0] == pytest.approx(0.0004)
    assert rates[0] < rates[1] < rates[2] == pytest.approx(0.004)
    assert rates[2] > rates[3] > rates[4]
    assert rates[4] == rates[5] == pytest.approx(0.0, abs=1e-9)


def test_one_cycle_is_keras_cosine_decay_with_warmup_to_the_bit():
    """What the notebooks' outputs were measured with: the same rates at every step."""
    ours = OneCycle(3e-3, total_steps=400, warmup_steps=50)
    keras_own = keras.optimizers.schedules.CosineDecay(
        3e-4, decay_steps=350, warmup_target=3e-3, warmup_steps=50)
    steps = np.arange(0, 420)
    assert [float(ours(s)) for s in steps] == [float(keras_own(s)) for s in steps]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"peak": 0.0}, "peak"), ({"peak": "fast"}, "peak"), ({"total_steps": 0}, "total_steps"),
    ({"warmup_steps": 11}, "warmup_steps"), ({"warmup_steps": -1}, "warmup_steps"),
])
def test_one_cycle_rejects_bad_parameters(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        OneCycle(**{"peak": 1e-3, "total_steps": 10, "warmup_steps": 1, **kwargs})


def test_one_cycle_saves_and_loads_with_its_model(tmp_path):
    schedule = OneCycle(2e-3, total_steps=100, warmup_steps=10)
    config = keras.saving.serialize_keras_object(schedule)
    assert config["registered_name"] == "coursekit>OneCycle"
    assert keras.saving.deserialize_keras_object(config) == schedule

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((8, 3)), np.zeros(8), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    saved = loaded.optimizer.get_config()["learning_rate"]
    assert keras.saving.deserialize_keras_object(saved) == schedule
    assert int(loaded.optimizer.iterations) == 1
    assert float(loaded.optimizer.learning_rate) == pytest.approx(float(schedule(1)))
