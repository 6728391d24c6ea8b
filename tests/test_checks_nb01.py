"""Checks of notebook 01: 01.build_mlp and 01.param_count."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from coursekit.checks import check, get_check
from coursekit.checks.nb01 import mlp_param_count


def run(check_id, answer):
    return get_check(check_id).run(answer)


def _todo(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- #
# 01.build_mlp
# --------------------------------------------------------------------------- #

def build_mlp(hidden_size, num_layers):  # the solution
    model = keras.Sequential(name=f"mlp_{num_layers}x{hidden_size}")
    model.add(keras.Input(shape=(784,)))
    for _ in range(num_layers):
        model.add(keras.layers.Dense(hidden_size, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return model


def old_style(hidden_size, num_layers):  # Dense + Activation layers, as in Keras 1
    layers = [keras.Input(shape=(784,))]
    for _ in range(num_layers):
        layers += [keras.layers.Dense(hidden_size), keras.layers.Activation("relu")]
    layers += [keras.layers.Dense(10), keras.layers.Softmax()]
    return keras.Sequential(layers)


def functional(hidden_size, num_layers):
    inputs = keras.Input(shape=(784,))
    h = inputs
    for _ in range(num_layers):
        h = keras.layers.Dense(hidden_size, activation="relu")(h)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))


def variant(*, input_shape=(784,), hidden_units=None, activation="relu", n_hidden=None,
            out_units=10, out_activation="softmax", dropout=False, no_input=False,
            no_output=False, output_in_loop=False):
    def build(hidden_size, num_layers):
        layers = [] if no_input else [keras.Input(shape=input_shape)]
        if len(input_shape) > 1:
            layers.append(keras.layers.Flatten())
        output = [] if no_output else [keras.layers.Dense(out_units, activation=out_activation)]
        for _ in range(num_layers if n_hidden is None else n_hidden(num_layers)):
            layers.append(keras.layers.Dense(hidden_units or hidden_size, activation=activation))
            if dropout:
                layers.append(keras.layers.Dropout(0.2))
            if output_in_loop:
                layers += output
        return keras.Sequential(layers if output_in_loop else layers + output)
    return build


#: A hint says what is wrong and where to look; it never prints code (a call or a keyword
#: argument) that would fix it.
CODE = re.compile(r"\w\(|\w=\S")


def test_build_mlp_passes_on_the_solution(capsys):
    verdict = run("01.build_mlp", build_mlp)
    assert verdict.passed and verdict.points == 2, verdict
    assert "build_mlp(16, 2): 13,002 params" in verdict.message
    check("01.build_mlp", build_mlp)
    assert capsys.readouterr().out.startswith("✅ [01.build_mlp] 2/2")


@pytest.mark.parametrize("answer", [old_style, functional], ids=["activation-layers",
                                                                   "functional"])
def test_build_mlp_accepts_equivalent_models(answer):
    assert run("01.build_mlp", answer).passed


@pytest.mark.parametrize("hidden, output", [
    ("relu", tf.nn.softmax),
    (tf.nn.relu, "softmax"),
    (keras.ops.relu, keras.ops.softmax),
    (keras.activations.relu, keras.activations.softmax),
    (keras.layers.ReLU(), keras.layers.Softmax()),
    ("relu", lambda x: keras.ops.softmax(x)),
], ids=["tf.nn.softmax", "tf.nn.relu", "keras.ops", "keras.activations", "layers-as-activation",
        "lambda"])
def test_build_mlp_accepts_every_spelling_of_the_activations(hidden, output):
    assert run("01.build_mlp", variant(activation=hidden, out_activation=output)).passed


def test_build_mlp_accepts_tf_softmax_in_a_functional_model():
    def build(hidden_size, num_layers):
        inputs = x = keras.Input(shape=(784,))
        for _ in range(num_layers):
            x = keras.layers.ReLU()(keras.layers.Dense(hidden_size)(x))
        outputs = keras.layers.Activation(tf.nn.softmax)(keras.layers.Dense(10)(x))
        return keras.Model(inputs, outputs)

    assert run("01.build_mlp", build).passed


@pytest.mark.parametrize("answer, words", [
    (variant(no_output=True), ["output layer of build_mlp(16, 2) is missing"]),
    (variant(out_units=12), ["output layer", "has 12 units, expected 10"]),
    (variant(out_activation=None), ["output layer", "activation 'linear', expected 'softmax'"]),
    (variant(out_activation="relu"), ["output layer", "activation 'relu', expected 'softmax'"]),
    (variant(n_hidden=lambda n: n + 1), ["has 3 hidden layer(s)", "expected 2", "one too many"]),
    (variant(n_hidden=lambda n: n - 1 if n else 0), ["has 1 hidden layer(s)", "expected 2",
                                                     "one too few"]),
    (variant(n_hidden=lambda n: max(n, 1)), ["build_mlp(8, 0) has 1 hidden layer(s)",
                                             "expected 0"]),
    (variant(hidden_units=512), ["hidden layer 1 of build_mlp(16, 2) has 512 units, "
                                 "expected 16"]),
    (variant(activation="sigmoid"), ["hidden layer 1", "activation 'sigmoid', expected 'relu'"]),
    (variant(activation=None), ["hidden layer 1", "activation 'linear', expected 'relu'"]),
    (variant(output_in_loop=True), ["output-like layer", "position 2 of 4"]),
    (variant(dropout=True), ["has a Dropout layer"]),
    (variant(input_shape=(28, 28)), ["(None, 28, 28), expected (None, 784)"]),
    (variant(no_input=True), ["is not built", "shape of its inputs"]),
    (lambda h, n: None, ["build_mlp(16, 2) returned None"]),
    (lambda h, n: "model", ["returned str, expected a Keras model"]),
    (lambda h, n: [keras.Input(shape=(784,)), keras.layers.Dense(10)],
     ["returned a list of 2 layers, not a model"]),
    (lambda h, n: keras.layers.Dense(10), ["returned a Dense layer, not a model"]),
], ids=["no-output-layer", "output-units", "no-softmax", "output-relu", "hidden-too-many",
        "hidden-too-few", "hidden-with-0", "hidden-units", "hidden-sigmoid", "hidden-linear",
        "output-in-loop", "dropout", "input-shape", "no-input", "none", "str", "list", "layer"])
def test_build_mlp_names_the_actual_mistake(answer, words):
    verdict = run("01.build_mlp", answer)
    assert not verdict.passed and verdict.points == 0
    for w in words:
        assert w in verdict.message, verdict.message
    assert verdict.hint and not CODE.search(verdict.hint), verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    (42, "expected a function build_mlp(hidden_size, num_layers), got int"),
    (build_mlp(8, 1), "got a Keras model (a Sequential)"),
    (_todo, "not answered yet"),
    (lambda hidden_size: None, "TypeError"),
])
def test_build_mlp_on_wrong_objects(answer, message):
    verdict = run("01.build_mlp", answer)
    assert not verdict.passed
    assert message in verdict.message, verdict.message


# --------------------------------------------------------------------------- #
# 01.param_count
# --------------------------------------------------------------------------- #

def param_count(hidden_size, num_layers):  # the solution
    if num_layers == 0:
        return 784 * 10 + 10
    first = 784 * hidden_size + hidden_size
    middle = (num_layers - 1) * (hidden_size * hidden_size + hidden_size)
    return first + middle + hidden_size * 10 + 10


@pytest.mark.parametrize("h, n", [(512, 2), (128, 1), (32, 3), (100, 0), (64, 4)])
def test_reference_formula_matches_keras(h, n):
    assert mlp_param_count(h, n) == build_mlp(h, n).count_params()


def test_param_count_passes_on_the_solution(capsys):
    verdict = run("01.param_count", param_count)
    assert verdict.passed and verdict.points == 1, verdict
    check("01.param_count", param_count)
    assert capsys.readouterr().out.startswith("✅ [01.param_count] 1/1")
    # numpy integers and whole floats are fine too
    assert run("01.param_count", lambda h, n: np.int64(param_count(h, n))).passed
    assert run("01.param_count", lambda h, n: float(param_count(h, n))).passed


def no_biases(h, n):
    return 7840 if n == 0 else 784 * h + (n - 1) * h * h + h * 10


@pytest.mark.parametrize("answer, message, hint", [
    (no_biases, "param_count(512, 2) returned 668,672, expected 669,706", "biases"),
    (lambda h, n: param_count(h, n) - (10 * h + 10) if n else 7850,
     "expected 669,706", "output layer Dense(10)"),
    (lambda h, n: param_count(h, n) - 10 if n else 7850, "expected 669,706",
     "10 biases of the output layer"),
    (lambda h, n: param_count(h, n) - h * (h + 1) if n else 7850, "expected 669,706",
     "num_layers - 1"),
    (lambda h, n: param_count(h, n) if n else 0, "param_count(100, 0) returned 0, expected 7,850",
     "no hidden layer"),
    (lambda h, n: 784 * h * n, "expected 669,706", "n_in × n_out"),
    (lambda h, n: "669706", "returned str '669706', expected an int", "return"),
    (lambda h, n: param_count(h, n) + 0.5, "not a whole number", "int"),
    (lambda h, n: float("nan"), "not a whole number", "int"),
    (lambda h, n: None, "returned NoneType", "return"),
])
def test_param_count_fails_with_specific_messages(answer, message, hint):
    verdict = run("01.param_count", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    (669706, "got int"),
    (_todo, "not answered yet"),
])
def test_param_count_on_wrong_objects(answer, message):
    verdict = run("01.param_count", answer)
    assert not verdict.passed
    assert message in verdict.message, verdict.message


def test_judges_reject_incomplete_evidence():
    build, count = get_check("01.build_mlp"), get_check("01.param_count")
    evidence = build.collect(build_mlp)
    assert build.judge(evidence).passed
    assert not build.judge(evidence[:1]).passed
    answers = count.collect(param_count)
    assert count.judge(answers).passed
    assert not count.judge(answers[:2]).passed
