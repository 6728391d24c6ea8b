"""Check 05.regularized_cnn: passes on the solution, fails with specific messages otherwise."""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from coursekit.checks import get_check

L = keras.layers
R = keras.regularizers


def run(obj):
    return get_check("05.regularized_cnn").run(obj)


def solution(l2=5e-4, dropout=0.5):
    model = keras.Sequential(name="regularized_cnn")
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(L.Rescaling(1 / 255))
    for filters in (16, 32):
        model.add(L.Conv2D(filters, 4, use_bias=False, kernel_regularizer=R.L2(l2)))
        model.add(L.BatchNormalization())
        model.add(L.Activation("relu"))
        model.add(L.MaxPooling2D(2))
    model.add(L.Flatten())
    model.add(L.Dropout(dropout))
    model.add(L.Dense(100, use_bias=False, kernel_regularizer=R.L2(l2)))
    model.add(L.BatchNormalization())
    model.add(L.Activation("relu"))
    model.add(L.Dense(10, activation="softmax", kernel_regularizer=R.L2(l2)))
    return model


def variant(*, conv_bn=True, dense_bn=True, drop="flatten", reg=R.L2, use_l2=True,
            use_dropout_arg=True, relu_first=False, filters=(16, 32), out_reg=True):
    def build(l2=5e-4, dropout=0.5):
        rate = dropout if use_dropout_arg else 0.5
        factor = l2 if use_l2 else 5e-4

        def kreg(out=False):
            if out and not out_reg:
                return None
            return reg(factor) if reg is not None else None

        layers = [keras.Input(shape=(28, 28, 1)), L.Rescaling(1 / 255)]
        for f in filters:
            if relu_first:
                layers += [L.Conv2D(f, 4, activation="relu", kernel_regularizer=kreg())]
                layers += [L.BatchNormalization()] if conv_bn else []
            else:
                layers += [L.Conv2D(f, 4, kernel_regularizer=kreg())]
                layers += [L.BatchNormalization()] if conv_bn else []
                layers += [L.Activation("relu")]
            layers += [L.MaxPooling2D(2)]
            layers += [L.Dropout(rate)] if drop == "conv" else []
        layers += [L.Flatten()]
        if drop == "flatten":
            layers += [L.Dropout(rate)]
        layers += [L.Dense(100, kernel_regularizer=kreg())]
        layers += [L.BatchNormalization()] if dense_bn else []
        layers += [L.Activation("relu")]
        if drop == "end":
            layers += [L.Dropout(rate)]
        layers += [L.Dense(10, activation="softmax", kernel_regularizer=kreg(out=True))]
        return keras.Sequential(layers)
    return build


@pytest.mark.slow
def test_passes_on_the_solution():
    verdict = run(solution)
    assert verdict.passed, verdict.message
    assert verdict.points == 2
    assert "3 BatchNormalization" in verdict.message


@pytest.mark.slow
def test_accepts_batchnorm_after_the_activation_and_dropout_before_the_output():
    assert run(variant(relu_first=True)).passed
    assert run(variant(drop="end")).passed


@pytest.mark.slow
def test_accepts_tf_activations_and_relu_layers():
    def build(l2=5e-4, dropout=0.5):
        model = solution(l2, dropout)
        layers = [L.ReLU() if type(layer).__name__ == "Activation" else layer
                  for layer in model.layers]
        layers[-1] = L.Dense(10, activation=tf.nn.softmax, kernel_regularizer=R.L2(l2))
        return keras.Sequential([keras.Input(shape=(28, 28, 1)), *layers])

    assert run(build).passed, run(build).message


@pytest.mark.parametrize("build, words, hint", [
    (variant(conv_bn=False), "convolution block 1 has no BatchNormalization",
     "between this block's convolution and its pooling"),
    (variant(dense_bn=False), "no BatchNormalization after the hidden Dense(100)",
     "right after the hidden Dense(100)"),
    (variant(drop=None), "no Dropout between Flatten and the output", "after Flatten"),
    (variant(drop="conv"), "(found Dropout(0.5), Dropout(0.5) before Flatten)",
     "after Flatten"),
    (variant(reg=None), "has no kernel_regularizer", "kernel_regularizer of every"),
    (variant(reg=R.L1), "a L1 regularizer", "kernel_regularizer of every"),
    (variant(out_reg=False), "Dense(10, softmax) has no kernel_regularizer",
     "the output layer too"),
    (variant(use_l2=False), "has L2(0.0005), expected L2(0.001)", "arguments"),
    (variant(use_dropout_arg=False), "Dropout rate is 0.5, expected 0.25", "arguments"),
    (variant(filters=(32, 64)), "[32, 64] filters, expected [16, 32]", "only add"),
])
def test_fails_with_a_specific_message(build, words, hint):
    verdict = run(build)
    assert not verdict.passed
    assert words in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


def test_plain_cnn_fails_on_batchnorm_first():
    def plain(l2=5e-4, dropout=0.5):
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1)), L.Rescaling(1 / 255),
            L.Conv2D(16, 4, activation="relu"), L.MaxPooling2D(2),
            L.Conv2D(32, 4, activation="relu"), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")])

    verdict = run(plain)
    assert not verdict.passed and "no BatchNormalization" in verdict.message


def test_function_without_arguments():
    verdict = run(lambda: solution())
    assert not verdict.passed and "TypeError" in verdict.message


@pytest.mark.parametrize("obj, words", [
    (None, "got None"), (3.5, "got float"), (solution(), "got Sequential"),
])
def test_fails_on_wrong_objects(obj, words):
    verdict = run(obj)
    assert not verdict.passed and words in verdict.message


def test_fails_on_the_blank_exercise():
    def build_regularized_cnn(l2=5e-4, dropout=0.5):
        raise NotImplementedError()

    verdict = run(build_regularized_cnn)
    assert not verdict.passed and "NotImplementedError" in verdict.message


@pytest.mark.slow
def test_judge_works_on_evidence_alone():
    check = get_check("05.regularized_cnn")
    assert check.judge(check.collect(solution)).passed
