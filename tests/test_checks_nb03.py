"""Check 03.simple_cnn: passes on the solution, fails with specific messages otherwise."""

from __future__ import annotations

import re

import keras
import pytest
import tensorflow as tf

from coursekit.checks import get_check

L = keras.layers


def run(obj):
    return get_check("03.simple_cnn").run(obj)


def solution():
    cnn = keras.Sequential(name="simple_cnn")
    cnn.add(keras.Input(shape=(28, 28, 1)))
    cnn.add(L.Conv2D(12, (3, 3), activation="relu"))
    cnn.add(L.Flatten())
    cnn.add(L.Dense(10, activation="softmax"))
    return cnn


def make(*layers, shape=(28, 28, 1)):
    return lambda: keras.Sequential([keras.Input(shape=shape), *layers])


def test_passes_on_the_solution():
    verdict = run(solution)
    assert verdict.passed, verdict.message
    assert verdict.points == 2
    assert "81,250" in verdict.message


def test_accepts_a_model_and_separate_activation_layers():
    assert run(solution()).passed
    alt = make(L.Conv2D(12, 3), L.ReLU(), L.Flatten(), L.Dense(10), L.Activation("softmax"))
    assert run(alt).passed


@pytest.mark.parametrize("conv_act, out_act", [
    (tf.nn.relu, tf.nn.softmax),  # softmax_v2 was rejected
    (L.ReLU(), L.Softmax()),
], ids=["tf.nn", "layers-as-activation"])
def test_accepts_every_spelling_of_the_activations(conv_act, out_act):
    build = make(L.Conv2D(12, 3, activation=conv_act), L.Flatten(),
                 L.Dense(10, activation=out_act))
    assert run(build).passed, run(build).message


def test_accepts_the_functional_api_with_activation_layers():
    def build_simple_cnn():
        inputs = keras.Input(shape=(28, 28, 1))
        x = L.Activation(tf.nn.relu)(L.Conv2D(12, 3)(inputs))
        outputs = L.Activation(tf.nn.softmax)(L.Dense(10)(L.Flatten()(x)))
        return keras.Model(inputs, outputs)

    assert run(build_simple_cnn).passed


@pytest.mark.parametrize("build, words", [
    (make(L.Conv2D(12, 3, activation="relu"), L.Flatten()), "the output layer is missing"),
    (make(), "no layers"),
    (lambda: [L.Conv2D(12, 3), L.Flatten(), L.Dense(10)], "returned a list of 3 layers"),
    (make(L.Conv2D(12, 3, activation=tf.nn.sigmoid), L.Flatten(), L.Dense(10, "softmax")),
     "activation is sigmoid, expected relu"),
], ids=["no-output-layer", "no-layers", "list-of-layers", "tf-sigmoid"])
def test_names_the_actual_mistake_without_giving_the_code(build, words):
    verdict = run(build)
    assert not verdict.passed and words in verdict.message, verdict.message
    assert verdict.hint and not re.search(r"\w\(|\w=\S", verdict.hint), verdict.hint


@pytest.mark.parametrize("build, words", [
    (make(L.Conv2D(16, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax")),
     "16 filters, expected 12"),
    (make(L.Conv2D(12, 5, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax")),
     "5×5, expected 3×3"),
    (make(L.Conv2D(12, 3), L.Flatten(), L.Dense(10, activation="softmax")),
     "activation is linear, expected relu"),
    (make(L.Conv2D(12, 3, activation="relu", padding="same"), L.Flatten(),
          L.Dense(10, activation="softmax")), "padding='same'"),
    (make(L.Conv2D(12, 3, activation="relu", strides=2), L.Flatten(),
          L.Dense(10, activation="softmax")), "strides (2, 2)"),
    (make(L.Conv2D(12, 3, activation="relu"), L.Flatten(), L.Dense(100, activation="relu"),
          L.Dense(10, activation="softmax")), "(extra: Dense(10, softmax))"),
    (make(L.Conv2D(12, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax"),
          L.Dropout(0.5)), "(extra: Dropout(0.5))"),
    (make(L.Conv2D(12, 3, activation="relu"), L.Flatten(), L.Dense(10)),
     "activation is linear, expected softmax"),
    (make(L.Conv2D(12, 3, activation="relu"), L.GlobalAveragePooling2D(),
          L.Dense(10, activation="softmax")), "expected a Flatten layer"),
    (make(L.Flatten(), L.Dense(10, activation="softmax"), shape=(28, 28, 1)),
     "first layer should be a Conv2D"),
    (make(L.Conv2D(12, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax"),
          shape=(28, 28, 3)), "input shape is (28, 28, 3)"),
    (make(L.Conv2D(12, 3, activation="relu", use_bias=False), L.Flatten(),
          L.Dense(10, activation="softmax")), "81,238 parameters, expected 81,250"),
    (make(L.Conv2D(12, 3, activation="relu")), "expected a Flatten layer"),
])
def test_fails_with_a_specific_message(build, words):
    verdict = run(build)
    assert not verdict.passed
    assert words in verdict.message, verdict.message
    assert verdict.hint


def test_unbuilt_model_and_wrong_returns():
    verdict = run(lambda: keras.Sequential([L.Conv2D(12, 3)]))
    assert not verdict.passed and "keras.Input" in verdict.hint
    verdict = run(lambda: None)
    assert not verdict.passed and "returned None" in verdict.message


@pytest.mark.parametrize("obj, words", [
    (None, "got None"), (12, "got int"), ("build_simple_cnn", "got str"),
])
def test_fails_on_wrong_objects(obj, words):
    verdict = run(obj)
    assert not verdict.passed and words in verdict.message


def test_fails_on_the_blank_exercise():
    def build_simple_cnn():
        raise NotImplementedError()

    verdict = run(build_simple_cnn)
    assert not verdict.passed and "NotImplementedError" in verdict.message


def test_judge_works_on_evidence_alone():
    check = get_check("03.simple_cnn")
    evidence = check.collect(solution)
    assert check.judge(evidence).passed
