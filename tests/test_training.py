"""Tests of the training helpers.

These are unit tests of the helper, not benchmarks: the data is tiny and
random (but seeded), so the accuracies mean nothing; the tests check the
returned structure, the timings, reproducibility, the compilation, the
validation messages and the progress bar.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from tqdm.keras import TqdmCallback

from coursekit import training
from coursekit.callbacks import ProgressBar
from coursekit.errors import InvalidParameterError
from coursekit.models import build_mlp
from coursekit.training import TrainingResult, evaluate, predict_labels, train

N, FEATURES, CLASSES = 160, 8, 3


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.random((N, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, N)
    return x, y


def small_model(seed: int = 0, dropout: float = 0.0, num_classes: int = CLASSES):
    keras.utils.set_random_seed(seed)  # weights are drawn when the model is built
    return build_mlp((FEATURES,), num_classes=num_classes, hidden_size=8, num_layers=1,
                     dropout=dropout)


def spy_on_fit(model, monkeypatch) -> list[dict]:
    """Record the keyword arguments of model.fit, still running it."""
    calls: list[dict] = []
    original = model.fit

    def fit(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "fit", fit)
    return calls


# --------------------------------------------------------------------------- #
# train
# --------------------------------------------------------------------------- #

@pytest.mark.slow
def test_train_returns_result_with_history_timings_and_test_scores(data, capsys):
    x, y = data
    model = small_model()
    result = train(model, x, y, epochs=2, batch_size=32, validation_split=0.25,
                   test_data=(x[:40], y[:40]), progress=False)
    assert isinstance(result, TrainingResult)
    assert result.epochs == 2
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in result.history.values())
    assert all(isinstance(v, float) for values in result.history.values() for v in values)
    assert len(result.epoch_seconds) == 2
    assert all(s > 0 for s in result.epoch_seconds)
    assert result.seconds >= sum(result.epoch_seconds) > 0
    assert 0.0 <= result.test_accuracy <= 1.0
    assert result.test_loss > 0
    assert result.final("val_loss") == result.history["val_loss"][-1]
    line = str(result)
    assert re.fullmatch(r"2 epochs in \d+\.\d s \(\d+\.\d s/epoch\), "
                        r"test accuracy \d{1,3}\.\d\d%", line), line
    assert capsys.readouterr().out.strip() == line  # report=True prints it
    assert model.compiled
    assert model.loss == "sparse_categorical_crossentropy"


@pytest.mark.slow
def test_train_same_seed_gives_identical_history(data):
    x, y = data

    def run(seed: int, draws: int) -> dict:
        model = small_model(seed=1, dropout=0.3)
        # Use the random generators between building and training, differently in
        # each run: train must reseed them itself for the shuffling to repeat.
        np.random.random(draws)
        keras.random.uniform((draws + 1,))
        return train(model, x, y, epochs=2, batch_size=16, validation_split=0.2, seed=seed,
                     progress=False, report=False).history

    first = run(seed=1, draws=0)
    assert run(seed=1, draws=5) == first
    assert run(seed=2, draws=0) != first


@pytest.mark.slow
@pytest.mark.parametrize(("labels", "loss"), [
    ("sparse", "sparse_categorical_crossentropy"),
    ("column", "sparse_categorical_crossentropy"),
    ("onehot", "categorical_crossentropy"),
])
def test_train_infers_loss_from_labels(data, labels, loss):
    x, y = data
    y = {"sparse": y, "column": y[:, None],
         "onehot": np.eye(CLASSES, dtype="float32")[y]}[labels]
    model = small_model()
    result = train(model, x, y, epochs=1, batch_size=64, test_data=(x, y),
                   progress=False, report=False)
    assert model.loss == loss
    assert 0.0 <= result.test_accuracy <= 1.0
    assert result.test_accuracy == pytest.approx(evaluate(model, x, y), abs=1e-6)


def test_train_shape_mismatch_says_how_to_fix_it():
    model = build_mlp((784,), hidden_size=4, num_layers=1)
    x = np.zeros((10, 28, 28), dtype="float32")
    y = np.zeros(10, dtype=int)
    message = ("x has samples of shape (28, 28) but the model expects (784,): "
               "flatten the images first, e.g. coursekit.data.flatten(x)")
    with pytest.raises(InvalidParameterError, match=re.escape(message)) as info:
        train(model, x, y, epochs=1, progress=False, report=False)
    assert info.value.name == "x"
    assert not model.compiled  # nothing ran


def test_train_too_many_classes_for_the_output_layer(data):
    x, _ = data
    y = np.arange(N) % 10
    model = small_model(num_classes=5)
    message = "labels go up to 9 (10 classes) but the model's output layer has 5 units"
    with pytest.raises(InvalidParameterError, match=re.escape(message)) as info:
        train(model, x, y, epochs=1, progress=False, report=False)
    assert info.value.name == "y"


def test_train_one_hot_width_must_match_output_units(data):
    x, y = data
    with pytest.raises(InvalidParameterError, match=r"y is one-hot with 4 classes.*3 units"):
        train(small_model(), x, np.eye(4)[y], epochs=1, progress=False, report=False)


def test_train_x_and_y_must_have_the_same_length(data):
    x, y = data
    with pytest.raises(InvalidParameterError, match=r"y has 10 labels but x has 160 samples"):
        train(small_model(), x, y[:10], epochs=1, progress=False, report=False)


def test_train_checks_validation_and_test_data(data):
    x, y = data
    with pytest.raises(InvalidParameterError, match=r"validation_data has samples of shape"):
        train(small_model(), x, y, epochs=1, validation_data=(x[:, :4], y),
              progress=False, report=False)
    with pytest.raises(InvalidParameterError, match=r"test_data has 5 labels"):
        train(small_model(), x, y, epochs=1, test_data=(x, y[:5]),
              progress=False, report=False)


@pytest.mark.parametrize(("param", "value"), [
    ("epochs", 0),
    ("epochs", 1.5),
    ("batch_size", 0),
    ("validation_split", 1.0),
    ("validation_split", -0.1),
    ("validation_data", "val"),
    ("test_data", (1, 2, 3)),
    ("seed", -1),
    ("optimizer", "adagradx"),
    ("learning_rate", 0),
    ("learning_rate", -0.1),
    ("progress", "yes"),
    ("report", None),
    ("callbacks", [1]),
    ("callbacks", keras.callbacks.History()),
])
def test_train_rejects_invalid_parameters(data, param, value):
    x, y = data
    kwargs = {"epochs": 1, "progress": False, "report": False, param: value}
    with pytest.raises(InvalidParameterError, match=param):
        train(small_model(), x, y, **kwargs)


def test_train_rejects_non_models_and_conflicting_options(data):
    x, y = data
    with pytest.raises(InvalidParameterError, match="model"):
        train("mlp", x, y, epochs=1)
    with pytest.raises(InvalidParameterError, match="validation_split"):
        train(small_model(), x, y, epochs=1, validation_data=(x, y), validation_split=0.1)
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        train(small_model(), x, y, epochs=1, optimizer=keras.optimizers.SGD(),
              learning_rate=0.1)
    compiled = small_model()
    compiled.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        train(compiled, x, y, epochs=1, learning_rate=0.1)


@pytest.mark.slow
def test_train_optimizer_learning_rate_and_compiled_models(data):
    x, y = data
    model = small_model()
    train(model, x, y, epochs=1, optimizer="sgd", learning_rate=0.05,
          progress=False, report=False)
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)

    # An already compiled model keeps its optimizer (and its loss, without accuracy).
    compiled = small_model()
    optimizer = keras.optimizers.RMSprop()
    compiled.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    result = train(compiled, x, y, epochs=1, test_data=(x, y), seed=None,
                   progress=False, report=False)
    assert compiled.optimizer is optimizer
    assert "accuracy" not in result.history
    assert 0.0 <= result.test_accuracy <= 1.0  # computed from the predictions


@pytest.mark.slow
def test_train_passes_user_callbacks_and_stops_early(data):
    x, y = data
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    result = train(small_model(), x, y, epochs=5, batch_size=64, callbacks=[stopper],
                   progress=False, report=False)
    assert result.epochs == len(result.epoch_seconds) == len(result.history["loss"]) < 5


@pytest.mark.slow
def test_progress_bar_is_a_tqdm_callback_with_keras_output_off(data, monkeypatch, capsys):
    x, y = data
    model = small_model()
    calls = spy_on_fit(model, monkeypatch)
    train(model, x, y, epochs=2, batch_size=64, progress=True, report=False)
    (kwargs,) = calls
    assert kwargs["verbose"] == 0
    bars = [cb for cb in kwargs["callbacks"] if isinstance(cb, TqdmCallback)]
    assert len(bars) == 1
    assert bars[0].epoch_bar.n == 2  # the epoch bar went to the end
    err = capsys.readouterr().err
    assert "2/2" in err and "epoch" in err


@pytest.mark.slow
def test_no_progress_bar_when_progress_is_false(data, monkeypatch, capsys):
    x, y = data
    model = small_model()
    calls = spy_on_fit(model, monkeypatch)
    train(model, x, y, epochs=1, batch_size=64, progress=False, report=False)
    (kwargs,) = calls
    assert kwargs["verbose"] == 0
    assert not any(isinstance(cb, TqdmCallback) for cb in kwargs["callbacks"])
    captured = capsys.readouterr()
    assert "epoch" not in captured.err
    assert captured.out == ""  # report=False prints nothing


# --------------------------------------------------------------------------- #
# TrainingResult
# --------------------------------------------------------------------------- #

def test_training_result_str_and_final():
    result = TrainingResult(history={"loss": [0.5], "accuracy": [0.8], "val_accuracy": [0.75]},
                            seconds=2.0, epoch_seconds=[2.0], epochs=1)
    assert str(result) == "1 epoch in 2.0 s (2.0 s/epoch), validation accuracy 75.00%"
    result.test_accuracy = 0.9812
    assert str(result) == "1 epoch in 2.0 s (2.0 s/epoch), test accuracy 98.12%"
    assert result.final("accuracy") == 0.8
    with pytest.raises(InvalidParameterError, match="metric"):
        result.final("val_loss")


# --------------------------------------------------------------------------- #
# evaluate and predict_labels
# --------------------------------------------------------------------------- #

def test_evaluate_and_predict_labels_agree(data):
    x, y = data
    model = small_model()  # uncompiled models work too
    labels = predict_labels(model, x, batch_size=50)
    assert labels.shape == (N,)
    assert np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(labels, np.argmax(model.predict(x, verbose=0), axis=-1))
    accuracy = evaluate(model, x, y)
    assert isinstance(accuracy, float)
    assert accuracy == pytest.approx(np.mean(labels == y))
    assert evaluate(model, x, np.eye(CLASSES)[y]) == pytest.approx(accuracy)


def test_evaluate_and_predict_labels_validate_their_input(data):
    x, y = data
    model = small_model()
    with pytest.raises(InvalidParameterError, match="model"):
        evaluate(None, x, y)
    with pytest.raises(InvalidParameterError, match=r"x has samples of shape \(4,\)"):
        evaluate(model, x[:, :4], y)
    with pytest.raises(InvalidParameterError, match="y has 3 labels"):
        evaluate(model, x, y[:3])
    with pytest.raises(InvalidParameterError, match="batch_size"):
        evaluate(model, x, y, batch_size=0)
    with pytest.raises(InvalidParameterError, match="x has samples of shape"):
        predict_labels(model, x[:, None, :])
    with pytest.raises(InvalidParameterError, match="batch_size"):
        predict_labels(model, x, batch_size=-1)


def test_module_exports():
    assert {"TrainingResult", "train", "evaluate", "predict_labels"} <= set(training.__all__)
    assert not hasattr(training, "predict_classes")


@pytest.mark.slow
@pytest.mark.parametrize("steps_per_execution", [1, 2])
def test_batch_bar_counts_every_batch(data, monkeypatch, steps_per_execution):
    """With steps_per_execution=N Keras reports every N-th batch; the bar still ends full."""
    x, y = data  # 160 samples in batches of 32: 5 batches per epoch
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    seen: list[tuple[int, int]] = []  # (bar position, bar total) after each report
    original = ProgressBar._advance

    def record(self, batch, logs=None):
        original(self, batch, logs)
        seen.append((self.batch_bar.n, self.batch_bar.total))

    monkeypatch.setattr(ProgressBar, "_advance", record)
    train(model, x, y, epochs=2, batch_size=32, progress=True, report=False)
    assert len(seen) == 2 * -(-5 // steps_per_execution)  # Keras's reports
    assert seen.count((5, 5)) == 2  # each epoch's bar ends full
    assert max(n for n, _ in seen) == 5
