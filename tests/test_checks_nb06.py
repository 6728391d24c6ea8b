"""Checks of notebook 06: 06.sequence_shapes and 06.stacked_lstm."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from coursekit.checks import check, get_check


def run(check_id, answer):
    return get_check(check_id).run(answer)


def _todo(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- #
# 06.sequence_shapes
# --------------------------------------------------------------------------- #

def to_rows(x):  # the solution
    return x.reshape(len(x), 28, 28)


def test_sequence_shapes_passes_on_the_solution(capsys):
    verdict = run("06.sequence_shapes", to_rows)
    assert verdict.passed and verdict.points == 1, verdict
    check("06.sequence_shapes", to_rows)
    assert capsys.readouterr().out.startswith("✅ [06.sequence_shapes] 1/1")
    assert run("06.sequence_shapes", lambda x: np.reshape(x, (-1, 28, 28))).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda x: x.reshape(len(x), 784, 1), "pixel sequence", "one row of 28 pixels"),
    (lambda x: x.reshape(len(x), 28, 28, 1), "without a channel axis", "(N, 28, 28)"),
    (lambda x: x.reshape(3, 28, 28), "failed for a single image", "number of images"),
    (lambda x: x.reshape(60000, 28, 28), "failed for 3 images", "number of images"),
    (lambda x: x.reshape(len(x), 28, 28).transpose(0, 2, 1), "column by column", "transpose"),
    (lambda x: x.reshape(len(x), 28, 28) / 255.0, "pixel values changed", "only reshapes"),
    (lambda x: x.reshape(len(x), 28, 28)[:, ::-1], "not row t of image i", "reading order"),
    (lambda x: x[:, :28], "expected (3, 28, 28)", "one time step per image row"),
    (lambda x: "rows", "expected (3, 28, 28)", ""),
    (lambda x: None, "not a NumPy array", "NumPy array"),
])
def test_sequence_shapes_fails_with_specific_messages(answer, message, hint):
    verdict = run("06.sequence_shapes", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    (42, "expected a function to_rows(x), got int"),
    (np.zeros((3, 28, 28)), "got ndarray"),
    (_todo, "not answered yet"),
])
def test_sequence_shapes_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("06.sequence_shapes", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("06.sequence_shapes", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


# --------------------------------------------------------------------------- #
# 06.stacked_lstm
# --------------------------------------------------------------------------- #

def build_stacked_lstm(units, num_layers):  # the solution
    layers = [keras.Input(shape=(28, 28))]
    for i in range(num_layers):
        layers.append(keras.layers.LSTM(units, return_sequences=i < num_layers - 1))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def _stack(units, num_layers, *, shape=(28, 28), flags=None, head=None, unit_list=None,
           extra=()):
    flags = flags or [i < num_layers - 1 for i in range(num_layers)]
    unit_list = unit_list or [units] * num_layers
    layers = [keras.Input(shape=shape), *extra]
    layers += [keras.layers.LSTM(u, return_sequences=f)
               for u, f in zip(unit_list, flags, strict=True)]
    layers += head if head is not None else [keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers)


def test_stacked_lstm_passes_on_the_solution(capsys):
    verdict = run("06.stacked_lstm", build_stacked_lstm)
    assert verdict.passed and verdict.points == 2, verdict
    check("06.stacked_lstm", build_stacked_lstm)
    assert capsys.readouterr().out.startswith("✅ [06.stacked_lstm] 2/2")


def test_stacked_lstm_accepts_dropout_and_a_separate_softmax():
    def with_dropout(units, n):
        return _stack(units, n, extra=[keras.layers.Rescaling(1 / 255)],
                      head=[keras.layers.Dropout(0.2), keras.layers.Dense(10),
                            keras.layers.Activation("softmax")])

    assert run("06.stacked_lstm", with_dropout).passed


@pytest.mark.parametrize("head", [
    lambda: [keras.layers.Dense(10, activation=tf.nn.softmax)],
    lambda: [keras.layers.Dense(10), keras.layers.Softmax()],
], ids=["tf.nn.softmax", "Softmax-layer"])
def test_stacked_lstm_accepts_every_spelling_of_softmax(head):
    assert run("06.stacked_lstm", lambda u, n: _stack(u, n, head=head())).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda u, n: _stack(u, n, shape=(784, 1)), "input shape is (None, 784, 1)",
     "keras.Input"),
    (lambda u, n: _stack(u, n, flags=[False] * n), "an LSTM received a vector (ndim=2)",
     "every LSTM but the last"),
    (lambda u, n: _stack(u, n, flags=[True] * n), "the last LSTM has return_sequences=True",
     "return_sequences of the last LSTM"),
    (lambda u, n: _stack(u, 2), "found 2 LSTM layer(s); expected num_layers = 3",
     "exactly num_layers times"),
    (lambda u, n: _stack(u, n + 1), "found 4 LSTM layer(s)", "exactly num_layers times"),
    (lambda u, n: _stack(32, n), "an LSTM has 32 units; expected units = 16", "units"),
    (lambda u, n: _stack(u, n, unit_list=[u] * (n - 1) + [10]), "an LSTM has 10 units",
     "units"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(10, activation="relu")]),
     "output activation is 'relu'", "activation argument of the output"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(1, activation="softmax")]),
     "has 1 units; expected 10", "one unit per class"),
    (lambda u, n: _stack(u, n, head=[]), "found 0 Dense layer(s)", "exactly one Dense layer"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(64, activation="relu"),
                                     keras.layers.Dense(10, activation="softmax")]),
     "found 2 Dense layer(s)", "exactly one Dense layer"),
    (lambda u, n: keras.Sequential([keras.Input((28, 28)), keras.layers.GRU(u),
                                    keras.layers.Dense(10, activation="softmax")]),
     "unexpected layer GRU", "keras.layers.LSTM"),
    (lambda u, n: keras.Sequential([keras.layers.LSTM(u),
                                    keras.layers.Dense(10, activation="softmax")]),
     "no input shape", "keras.Input"),
    (lambda u, n: "model", "returned str, expected a Keras model", "return the model"),
    (lambda u, n: None, "returned None", "`return`"),
])
@pytest.mark.filterwarnings("ignore:You are using a softmax over axis -1")
def test_stacked_lstm_fails_with_specific_messages(answer, message, hint):
    verdict = run("06.stacked_lstm", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


def test_stacked_lstm_checks_the_single_layer_case_too():
    def always_sequences(units, n):  # right for n >= 2 only if flags are computed wrongly
        return _stack(units, n, flags=[True] * (n - 1) + [n == 1])

    verdict = run("06.stacked_lstm", always_sequences)
    assert not verdict.passed
    assert "build_stacked_lstm(8, 1)" in verdict.message, verdict.message


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    ("lstm", "expected a function build_stacked_lstm(units, num_layers), got str"),
    (_todo, "not answered yet"),
])
def test_stacked_lstm_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("06.stacked_lstm", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("06.stacked_lstm", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


def test_stacked_lstm_fails_on_a_model_instead_of_a_function():
    verdict = run("06.stacked_lstm", build_stacked_lstm(8, 1))
    assert not verdict.passed and "got Sequential" in verdict.message


# --------------------------------------------------------------------------- #
# The grader judges evidence it saved and reloaded: the verdicts must not change
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, answer", [
    ("06.sequence_shapes", to_rows),
    ("06.sequence_shapes", lambda x: x.reshape(len(x), 28, 28).transpose(0, 2, 1)),
    ("06.stacked_lstm", build_stacked_lstm),
    ("06.stacked_lstm", lambda u, n: _stack(u, n, flags=[True] * n)),
])
def test_verdicts_survive_the_graders_evidence_round_trip(tmp_path, check_id, answer):
    ks = pytest.importorskip("coursekit.grading._kernel_side")
    evidence_mod = pytest.importorskip("coursekit.grading.evidence")
    spec = get_check(check_id)
    evidence = spec.collect(answer)
    tree = ks.Encoder(str(tmp_path), 2**24).encode(evidence)
    ks.write_manifest(str(tmp_path), {"kind": "evidence", "tree": tree})
    reloaded = evidence_mod.read_outcome(tmp_path, 2**24).evidence
    assert spec.judge(reloaded) == spec.judge(evidence)
