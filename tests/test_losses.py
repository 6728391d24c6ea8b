"""Tests of coursekit.losses: sparse cross-entropy with label smoothing."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit.errors import InvalidParameterError
from coursekit.losses import SparseCategoricalCrossentropy

Y_TRUE = np.array([0, 2, 1])
Y_PRED = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]], dtype="float32")


def test_without_smoothing_it_is_keras_sparse_crossentropy():
    ours = SparseCategoricalCrossentropy()(Y_TRUE, Y_PRED)
    keras_own = keras.losses.SparseCategoricalCrossentropy()(Y_TRUE, Y_PRED)
    assert float(ours) == pytest.approx(float(keras_own), rel=1e-6)


def test_smoothing_matches_the_definition():
    eps, k = 0.1, 3
    targets = np.full((3, k), eps / k)
    targets[np.arange(3), Y_TRUE] += 1 - eps
    expected = -np.mean(np.sum(targets * np.log(Y_PRED), axis=1))
    loss = SparseCategoricalCrossentropy(label_smoothing=eps)
    assert float(loss(Y_TRUE, Y_PRED)) == pytest.approx(expected, rel=1e-5)
    # ...which is Keras's categorical loss with the same smoothing on one-hot labels.
    keras_own = keras.losses.CategoricalCrossentropy(label_smoothing=eps)(
        keras.utils.to_categorical(Y_TRUE, k), Y_PRED)
    assert float(loss(Y_TRUE, Y_PRED)) == pytest.approx(float(keras_own), rel=1e-5)


def test_smoothing_raises_the_loss_of_a_confident_right_answer():
    y_pred = np.array([[0.998, 0.001, 0.001]], dtype="float32")
    plain = float(SparseCategoricalCrossentropy()(np.array([0]), y_pred))
    smoothed = float(SparseCategoricalCrossentropy(0.1)(np.array([0]), y_pred))
    assert smoothed > plain + 0.3


def test_labels_as_a_column_are_accepted():
    loss = SparseCategoricalCrossentropy(0.1)
    assert float(loss(Y_TRUE[:, None], Y_PRED)) == pytest.approx(float(loss(Y_TRUE, Y_PRED)))


def test_from_logits():
    logits = np.log(Y_PRED)
    loss = SparseCategoricalCrossentropy(0.1, from_logits=True)
    assert float(loss(Y_TRUE, logits)) == pytest.approx(
        float(SparseCategoricalCrossentropy(0.1)(Y_TRUE, Y_PRED)), rel=1e-5)


@pytest.mark.parametrize("bad", [-0.1, 1.0, "0.1"])
def test_bad_smoothing_is_named(bad):
    with pytest.raises(InvalidParameterError, match="label_smoothing"):
        SparseCategoricalCrossentropy(label_smoothing=bad)


@pytest.mark.filterwarnings("ignore:Skipping variable loading:UserWarning")
def test_a_model_compiled_with_it_saves_and_loads(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=SparseCategoricalCrossentropy(0.2))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.loss, SparseCategoricalCrossentropy)
    assert loaded.loss.label_smoothing == pytest.approx(0.2)
