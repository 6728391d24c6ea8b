"""Notebook 01's experiment exercises and questions, judged on models the check measures."""

from __future__ import annotations

import keras
import pytest

from coursekit import data
from coursekit.checks import get_check

pytestmark = pytest.mark.usefixtures("mirror_for_checks")


def run(check_id, answer):
    return get_check(check_id).run(answer)


@pytest.fixture(scope="module")
def mnist_flat():
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    return data.flatten(data.scale(x_train[:2_000])), y_train[:2_000]


def sequential_mlp(dropout=0.0):
    keras.utils.set_random_seed(0)
    layers = [keras.Input((784,))]
    for _ in range(2):
        layers.append(keras.layers.Dense(64, activation="relu"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])


def fit(model, x, y, epochs=3, optimizer="rmsprop"):
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return model


# --------------------------------------------------------------------------- #
# 01.train_mlp
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("answer", [None, "a model", keras.Sequential()])
def test_train_mlp_fails_without_a_trained_model(answer, monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    verdict = run("01.train_mlp", answer)
    assert not verdict.passed and verdict.hint


@pytest.mark.slow
def test_an_untrained_model_is_told_it_learned_nothing(monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    verdict = run("01.train_mlp", sequential_mlp())
    assert not verdict.passed
    assert "guessing" in verdict.message and "fit" in verdict.hint


@pytest.mark.slow
def test_a_model_trained_on_too_little_fails(mnist_flat, monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    x, y = mnist_flat
    verdict = run("01.train_mlp", fit(sequential_mlp(), x[:500], y[:500], epochs=1))
    assert not verdict.passed and "at least 70%" in verdict.message


@pytest.mark.slow
def test_another_correct_form_passes(mnist_flat, monkeypatch):
    """The Functional API, Adam, uint8 images with a Rescaling layer: all accepted."""
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    x, y = mnist_flat
    keras.utils.set_random_seed(1)
    inputs = keras.Input((28, 28))
    h = keras.layers.Rescaling(1 / 255)(inputs)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(128, activation="relu")(h)
    outputs = keras.layers.Dense(10, activation="softmax")(h)
    model = fit(keras.Model(inputs, outputs), (x * 255).astype("uint8").reshape(-1, 28, 28), y,
                optimizer="adam")
    verdict = run("01.train_mlp", model)
    assert verdict.passed, verdict


@pytest.mark.slow
def test_the_threshold_depends_on_the_profile(mnist_flat, monkeypatch):
    x, y = mnist_flat
    model = fit(sequential_mlp(), x, y)
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    assert run("01.train_mlp", model).passed
    monkeypatch.setenv("COURSEKIT_PROFILE", "full")
    verdict = run("01.train_mlp", model)  # 2,000 images are not the full exercise
    assert not verdict.passed and "at least 96.5%" in verdict.message


# --------------------------------------------------------------------------- #
# 01.dropout_models and the questions on them
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="module")
def dropout_models():
    """Three small models trained in the quick profile's sizes (2,000 images, 2 epochs)."""
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    x, y = data.flatten(data.scale(x_train[:2_000])), y_train[:2_000]
    return {rate: fit(sequential_mlp(rate), x, y, epochs=4) for rate in (0.0, 0.2, 0.5)}


@pytest.mark.parametrize("answer, expected", [
    ({}, "empty"),
    ({0.0: None}, "rates"),
    ("models", "expected a dict"),
])
def test_dropout_models_names_what_is_wrong(answer, expected, monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    verdict = run("01.dropout_models", answer)
    assert not verdict.passed and expected in verdict.message


@pytest.mark.slow
def test_dropout_models_refuses_histories_and_untrained_models(monkeypatch, dropout_models):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    with_history = {**dropout_models, 0.5: dropout_models[0.5].history}
    assert "not its history" in run("01.dropout_models", with_history).hint
    untrained = {**dropout_models, 0.2: sequential_mlp(0.2)}
    verdict = run("01.dropout_models", untrained)
    assert not verdict.passed and "dropout 0.2" in verdict.message
    assert run("01.dropout_models", dropout_models).passed


@pytest.mark.slow
def test_the_gap_question_follows_the_students_own_models(monkeypatch, dropout_models):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    from coursekit.checks.nb01 import dropout_gaps

    gaps = dropout_gaps(dropout_models)
    smallest = min(gaps, key=lambda r: gaps[r][0] - gaps[r][1])
    right = "abc"[(0.0, 0.2, 0.5).index(smallest)]
    assert run("01.q_smallest_gap", (right, dropout_models)).passed
    wrong = next(c for c in "abc" if c != right)
    verdict = run("01.q_smallest_gap", (wrong, dropout_models))
    assert not verdict.passed and "gap" in verdict.hint
    assert not run("01.q_smallest_gap", (..., dropout_models)).passed


@pytest.mark.slow
def test_the_noise_question_compares_with_twice_the_standard_error(monkeypatch, dropout_models):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    from coursekit.checks._trained import binomial_se
    from coursekit.checks.nb01 import dropout_gaps

    gaps = dropout_gaps(dropout_models)
    a, b = gaps[0.0][1], gaps[0.2][1]
    bigger = abs(a - b) > 2 * binomial_se((a + b) / 2, 500)
    assert run("01.q_dropout_noise", ("a" if bigger else "b", dropout_models)).passed
    assert not run("01.q_dropout_noise", ("b" if bigger else "a", dropout_models)).passed


@pytest.mark.parametrize("check_id, right", [("01.q_biggest_layer", "a"),
                                             ("01.q_sigmoid", "c")])
def test_prediction_questions(check_id, right):
    assert run(check_id, right).passed
    assert run(check_id, f" ({right.upper()}) ").passed  # spaces, parentheses, capitals
    wrong = run(check_id, "b")
    assert not wrong.passed and wrong.hint and "right" not in wrong.message
    assert "not answered yet" in run(check_id, ...).message


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_train_mlp_solution_passes_over_seeds(seed, seed_profile):
    """The exercise's solution (2 × 128 ReLU, RMSprop, batch 128) in the notebook's sizes
    (quick: 2,000 images, 3 epochs; full: 55,000 images, 10 epochs) passes for seeds 0–4:
    the threshold has a margin."""
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    n = seed_profile.samples(55_000)
    x, y = data.flatten(data.scale(x_train[:n])), y_train[:n]
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    verdict = run("01.train_mlp", fit(model, x, y, epochs=seed_profile.epochs(10, quick=3)))
    assert verdict.passed, verdict


# --------------------------------------------------------------------------- #
# The grader's profile (grade: a quarter of the quick profile's samples)
# --------------------------------------------------------------------------- #

def _solution_dropout_models(seed, profile):
    """The exercise's solution in ``profile``'s sizes, as notebook 01 trains it."""
    from coursekit import models

    (x_train, y_train), _ = data.load("mnist", verbose=False)
    n = profile.samples(6_000)
    x, y = data.flatten(data.scale(x_train[:n])), y_train[:n]
    keras.utils.set_random_seed(seed)
    trained = {}
    for rate in (0.0, 0.2, 0.5):
        model = models.build_mlp((784,), hidden_size=512, num_layers=2, dropout=rate)
        trained[rate] = fit(model, x, y, epochs=profile.epochs(20, quick=2))
    return trained


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_dropout_models_of_the_solution_pass_over_seeds(seed, seed_profile):
    """The solution's three dropout models (2 × 512 ReLU, RMSprop, quick: 2,000 images and
    grade: 500, 2 epochs) pass for seeds 0–4, and so do the two questions on them with the
    answers the solution computes from its own table."""
    from coursekit.checks._trained import binomial_se
    from coursekit.checks.nb01 import _dropout_split, dropout_gaps

    trained = _solution_dropout_models(seed, seed_profile)
    verdict = run("01.dropout_models", trained)
    assert verdict.passed, verdict
    gaps = dropout_gaps(trained)
    smallest = min(gaps, key=lambda r: gaps[r][0] - gaps[r][1])
    assert run("01.q_smallest_gap", ("abc"[(0.0, 0.2, 0.5).index(smallest)], trained)).passed
    a, b = gaps[0.0][1], gaps[0.2][1]
    noise = 2 * binomial_se((a + b) / 2, len(_dropout_split()[3]))
    assert run("01.q_dropout_noise", ("a" if abs(a - b) > noise else "b", trained)).passed


def test_in_the_grade_profile_undertrained_models_still_fail(mnist_flat, monkeypatch):
    """Grade thresholds (60% and 55%) are under every seed of the solution and above what
    models trained for a step or a few reach."""
    monkeypatch.setenv("COURSEKIT_PROFILE", "grade")
    x, y = mnist_flat
    keras.utils.set_random_seed(0)
    verdict = run("01.train_mlp", fit(sequential_mlp(), x[:250], y[:250], epochs=2))
    assert not verdict.passed and "at least 60% is needed in the grade profile" in verdict.message
    assert not run("01.train_mlp", fit(sequential_mlp(), x[:125], y[:125], epochs=1)).passed
    short = {rate: fit(sequential_mlp(rate), x[:100], y[:100], epochs=1)
             for rate in (0.0, 0.2, 0.5)}
    verdict = run("01.dropout_models", short)
    assert not verdict.passed and "at least 55%" in verdict.message
