"""The one place that names activations: every spelling of an activation gets Keras's name."""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from coursekit.checks._activations import activation_name, layer_activation

L = keras.layers


@pytest.mark.parametrize("spelling, name", [
    ("softmax", "softmax"), (keras.activations.softmax, "softmax"),
    (keras.ops.softmax, "softmax"), (tf.nn.softmax, "softmax"), (L.Softmax(), "softmax"),
    (lambda x: tf.nn.softmax(x), "softmax"),
    ("relu", "relu"), (keras.activations.relu, "relu"), (keras.ops.relu, "relu"),
    (tf.nn.relu, "relu"), (L.ReLU(), "relu"), (L.Activation("relu"), "relu"),
    (None, "linear"), ("linear", "linear"), (lambda x: x, "linear"),
    (tf.math.sigmoid, "sigmoid"), ("swish", "silu"), (tf.nn.log_softmax, "log_softmax"),
], ids=repr)
def test_every_spelling_gets_the_keras_name(spelling, name):
    assert activation_name(spelling) == name


def test_an_unknown_function_keeps_its_own_name():
    def halve(x):
        return x / 2

    assert activation_name(halve) == "halve"
    assert activation_name(lambda x: x * 3) == "<lambda>"


def test_activation_layers_and_other_layers():
    assert layer_activation(L.Activation(tf.nn.softmax)) == "softmax"
    assert layer_activation(L.ReLU(max_value=6.0)) != "relu"  # not plain relu
    assert layer_activation(L.Softmax(axis=1)) != "softmax"
    assert layer_activation(L.Dense(3, activation="relu")) is None
