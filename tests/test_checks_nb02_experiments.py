"""Notebook 02's experiment exercise and questions, judged on models the check measures."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit import data
from coursekit.checks import get_check
from coursekit.checks.nb02 import validation_set

pytestmark = pytest.mark.usefixtures("mirror_for_checks", "quick_profile")


def run(check_id, answer):
    return get_check(check_id).run(answer)


@pytest.fixture(scope="module")
def train_images():
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    return x_train[:2_000], y_train[:2_000]


def mlp(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Rescaling(1 / 255),
                             keras.layers.Flatten(),
                             keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")])


def cnn_functional(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Rescaling(1 / 255)(inputs)
    h = keras.layers.Conv2D(8, 3, activation="relu")(h)
    h = keras.layers.MaxPooling2D(2)(h)
    h = keras.layers.Flatten()(h)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))


def fit(model, x, y, epochs=3):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    if model.inputs[0].shape[-1] == 1:
        x = x[..., None]
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return model


@pytest.fixture(scope="module")
def trained(train_images):
    x, y = train_images
    return fit(mlp(), x, y), fit(cnn_functional(), x, y)


@pytest.mark.slow
def test_train_cnn_judges_the_trained_network(trained, train_images):
    x, y = train_images
    assert not run("02.train_cnn", None).passed
    untrained = run("02.train_cnn", cnn_functional())
    assert not untrained.passed and "guessing" in untrained.message
    too_little = run("02.train_cnn", fit(cnn_functional(), x[:300], y[:300], epochs=1))
    assert not too_little.passed
    verdict = run("02.train_cnn", trained[1])  # another architecture, the Functional API, Adam
    assert verdict.passed, verdict


@pytest.mark.slow
def test_top_confusion_is_read_from_the_students_own_matrix(trained):
    model = trained[0]
    x_val, y_val = validation_set()
    pred = np.argmax(model.predict(x_val, verbose=0), -1)
    counts = np.zeros((10, 10), int)
    np.add.at(counts, (y_val, pred), 1)
    np.fill_diagonal(counts, 0)
    true, predicted = np.unravel_index(np.argmax(counts), counts.shape)
    assert run("02.q_top_confusion", ((true, predicted), model)).passed
    assert run("02.q_top_confusion", ([int(true), int(predicted)], model)).passed  # any pair form
    smallest = np.unravel_index(np.argmin(counts + 10**6 * np.eye(10, dtype=int)), counts.shape)
    wrong = run("02.q_top_confusion", (smallest, model))
    assert not wrong.passed and "more frequent" in wrong.message
    diagonal = run("02.q_top_confusion", ((3, 3), model))
    assert not diagonal.passed and "diagonal" in diagonal.message
    assert "not answered" in run("02.q_top_confusion", (..., model)).message
    assert not run("02.q_top_confusion", ("3 and 5", model)).passed


@pytest.mark.slow
def test_cnn_fixes_follows_the_students_own_models(trained):
    model_mlp, model_cnn = trained
    x_val, y_val = validation_set()
    mlp_wrong = np.argmax(model_mlp.predict(x_val, verbose=0), -1) != y_val
    cnn_right = np.argmax(model_cnn.predict(x_val[..., None], verbose=0), -1) == y_val
    right = "a" if np.sum(mlp_wrong & cnn_right) > mlp_wrong.sum() / 2 else "b"
    assert run("02.q_cnn_fixes", (right, model_mlp, model_cnn)).passed
    assert not run("02.q_cnn_fixes", ("b" if right == "a" else "a", model_mlp, model_cnn)).passed
    # the same models the other way round give the other answer or the same: never a crash
    assert run("02.q_cnn_fixes", (right, model_mlp, "cnn")).hint


def test_less_sure_question():
    assert run("02.q_less_sure", "a").passed
    verdict = run("02.q_less_sure", "b")
    assert not verdict.passed and verdict.hint


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_train_cnn_passes_the_solution_over_seeds(seed, seed_profile):
    """The exercise's solution (the course CNN, the course recipe) in the notebook's sizes
    (quick: 2,000 images, 2 epochs; full: 50,000 images, 8 epochs) passes for seeds 0–4."""
    from coursekit import recipes

    (x_train, y_train), _ = data.load("mnist", verbose=False)
    n = seed_profile.samples(50_000)
    x_fit, y_fit = x_train[:n], y_train[:n]
    recipe = recipes.get("cnn-mnist").course
    epochs = seed_profile.epochs(recipe.epochs, quick=2)
    keras.utils.set_random_seed(seed)
    cnn = recipe.build(x_train.shape[1:])
    cnn.compile(optimizer=recipe.optimizer_for(n_train=len(x_fit), epochs=epochs),
                loss=recipe.loss(), metrics=["accuracy"])
    cnn.fit(x_fit, y_fit, batch_size=recipe.batch_size, epochs=epochs, verbose=0)
    verdict = run("02.train_cnn", cnn)
    assert verdict.passed, verdict
