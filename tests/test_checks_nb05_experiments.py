"""Notebook 05's experiment exercises and questions, judged on models the check measures."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_checks_nb05 import solution as solution_cnn  # the exercise's solution

from coursekit import data, recipes
from coursekit.checks import get_check
from coursekit.checks.nb05 import l2_factors, sweep_accuracies, validation_images

L = keras.layers
R = keras.regularizers


pytestmark = pytest.mark.usefixtures("mirror_for_checks")


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")


def run(check_id, answer):
    return get_check(check_id).run(answer)


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    return data.add_channel(x_train[:4_000]), y_train[:4_000]


def small_cnn(l2, *, functional=False):
    """A cheap CNN with an L2 penalty: not the exercise's network, but a sweep all the same."""
    keras.utils.set_random_seed(0)
    if functional:
        inputs = keras.Input((28, 28, 1))
        h = L.Rescaling(1 / 255)(inputs)
        h = L.Conv2D(8, 3, activation="relu", kernel_regularizer=R.L2(l2))(h)
        h = L.Flatten()(L.MaxPooling2D(2)(h))
        return keras.Model(inputs, L.Dense(10, activation="softmax",
                                           kernel_regularizer=R.L2(l2))(h))
    return keras.Sequential([
        keras.Input((28, 28, 1)), L.Rescaling(1 / 255),
        L.Conv2D(8, 3, activation="relu", kernel_regularizer=R.L2(l2)), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(10, activation="softmax", kernel_regularizer=R.L2(l2))])


def fit(model, x, y, epochs=1, optimizer="adam"):
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return model


@pytest.fixture(scope="module")
def sweep(mnist):
    """Three small models of different L2 strengths, trained for one epoch on 2,000 images."""
    x, y = mnist
    return {l2: fit(small_cnn(l2), x[:2_000], y[:2_000]) for l2 in (1e-4, 1e-3, 1e-1)}


def best_and_worst(models):
    accuracies = sweep_accuracies(models)
    return max(accuracies, key=accuracies.get), min(accuracies, key=accuracies.get)


@pytest.mark.slow
def test_the_validation_images_are_the_notebooks():
    """The notebook adds a channel, then subsamples: the same images as the check's."""
    (x_all, y_all), _ = data.load("mnist", verbose=False)
    x_nb, y_nb = data.subsample(data.add_channel(x_all)[-5_000:], y_all[-5_000:], n=500, seed=0)
    x_check, y_check = validation_images()
    assert len(y_check) == 500
    assert np.array_equal(x_nb[..., 0], x_check) and np.array_equal(y_nb, y_check)


def test_l2_factors_reads_every_kernel_regularizer():
    assert l2_factors(small_cnn(1e-3)) == {0.001}
    assert l2_factors(keras.Sequential([keras.Input((4,)), L.Dense(2)])) == set()


# --------------------------------------------------------------------------- #
# 05.choose_l2
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("answer, expected", [
    ((None, {}), "at least two"),
    ((1e-3, {1e-3: None, 1e-2: None}), "expected a trained Keras model"),
    ("0.001", "expected (best_l2, sweep_models)"),
])
def test_choose_l2_names_what_is_wrong(answer, expected):
    verdict = run("05.choose_l2", answer)
    assert not verdict.passed and expected in verdict.message and verdict.hint


@pytest.mark.slow
def test_choose_l2_before_the_choice_is_made(sweep):
    for blank in (None, ...):
        verdict = run("05.choose_l2", (blank, sweep))
        assert not verdict.passed and "not set yet" in verdict.message
    verdict = run("05.choose_l2", ("0.001", sweep))
    assert not verdict.passed and "expected a number" in verdict.message


@pytest.mark.slow
def test_choose_l2_checks_each_model_has_the_strength_of_its_key(sweep):
    swapped = {1e-4: sweep[1e-3], 1e-3: sweep[1e-4]}
    verdict = run("05.choose_l2", (1e-3, swapped))
    assert not verdict.passed and "not 0.0001" in verdict.message
    histories = {**sweep, 1e-3: sweep[1e-3].history}
    assert "not its history" in run("05.choose_l2", (1e-3, histories)).hint


@pytest.mark.slow
def test_an_untrained_model_in_the_sweep_fails(sweep):
    untrained = {**sweep, 1e-3: small_cnn(1e-3)}
    verdict = run("05.choose_l2", (1e-4, untrained))
    assert not verdict.passed and "L2 0.001" in verdict.message
    assert "fit" in verdict.hint


@pytest.mark.slow
def test_the_choice_must_be_the_best_on_validation(sweep):
    best, worst = best_and_worst(sweep)
    verdict = run("05.choose_l2", (best, sweep))
    assert verdict.passed, verdict
    verdict = run("05.choose_l2", (worst, sweep))
    assert not verdict.passed and "validation" in verdict.hint
    assert not run("05.choose_l2", (0.5, sweep)).passed  # not a strength of the sweep


@pytest.mark.slow
def test_another_correct_sweep_passes(mnist):
    """The Functional API, SGD with momentum, two strengths, one of them 0: all accepted."""
    x, y = mnist
    models = {l2: fit(small_cnn(l2, functional=True), x[:2_000], y[:2_000], epochs=2,
                      optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
              for l2 in (0.0, 3e-3)}
    best, _ = best_and_worst(models)
    assert run("05.choose_l2", (best, models)).passed


# --------------------------------------------------------------------------- #
# 05.q_sweep_noise: the right answer follows from the student's own sweep
# --------------------------------------------------------------------------- #

@pytest.mark.slow
def test_the_noise_question_compares_with_twice_the_standard_error(sweep):
    from coursekit.checks._trained import binomial_se

    accuracies = sorted(sweep_accuracies(sweep).values(), reverse=True)
    n = len(validation_images()[1])
    beyond = accuracies[0] - accuracies[1] > 2 * binomial_se(sum(accuracies[:2]) / 2, n)
    right, wrong = ("a", "b") if beyond else ("b", "a")
    assert run("05.q_sweep_noise", (right, sweep)).passed
    verdict = run("05.q_sweep_noise", (wrong, sweep))
    assert not verdict.passed and "sqrt" in verdict.hint
    assert "not one of the choices" in run("05.q_sweep_noise", ("d", sweep)).message
    assert not run("05.q_sweep_noise", (..., sweep)).passed
    assert not run("05.q_sweep_noise", ("a", {})).passed


@pytest.mark.slow
def test_a_near_tie_is_within_the_noise(sweep):
    """The same model twice: a lead of 0, within any noise."""
    twins = {1e-4: sweep[1e-4], 2e-4: keras.models.clone_model(sweep[1e-4])}
    twins[2e-4].set_weights(sweep[1e-4].get_weights())
    for layer in twins[2e-4].layers:  # the clone's penalty must match its key
        if getattr(layer, "kernel_regularizer", None) is not None:
            layer.kernel_regularizer = R.L2(2e-4)
    assert run("05.q_sweep_noise", ("b", twins)).passed


# --------------------------------------------------------------------------- #
# Fixed-answer questions
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, right", [
    ("05.q_l2_weights", "a"), ("05.q_bn_time", "c"), ("05.q_tutorial_noise", "b")])
def test_the_prediction_questions(check_id, right):
    assert run(check_id, right.upper()).passed
    for wrong in {"a", "b", "c"} - {right}:
        verdict = run(check_id, wrong)
        assert not verdict.passed and verdict.hint
        assert right not in verdict.hint.split()  # the hint never names the answer
    assert not run(check_id, ...).passed


# --------------------------------------------------------------------------- #
# 05.train_regularized
# --------------------------------------------------------------------------- #

def regularized_cnn(l2=1e-3, dropout=0.5):
    """The exercise's network, written with the Functional API and ReLU layers.

    Its batch normalisation forgets faster (momentum 0.9 instead of Keras's 0.99), so that
    its running averages settle within the few steps a cheap test can afford.
    """
    inputs = keras.Input((28, 28, 1))
    h = L.Rescaling(1 / 255)(inputs)
    for filters in (16, 32):
        h = L.Conv2D(filters, 4, use_bias=False, kernel_regularizer=R.L2(l2))(h)
        h = L.MaxPooling2D(2)(L.ReLU()(L.BatchNormalization(momentum=0.9)(h)))
    h = L.Dropout(dropout)(L.Flatten()(h))
    h = L.ReLU()(L.BatchNormalization(momentum=0.9)(L.Dense(100, use_bias=False,
                                                             kernel_regularizer=R.L2(l2))(h)))
    return keras.Model(inputs, L.Dense(10, activation="softmax", kernel_regularizer=R.L2(l2))(h))


@pytest.mark.parametrize("answer", [None, "a model", keras.Sequential()])
def test_train_regularized_fails_without_a_trained_model(answer):
    verdict = run("05.train_regularized", answer)
    assert not verdict.passed and verdict.hint


@pytest.mark.slow
def test_an_untrained_regularized_cnn_learned_nothing():
    keras.utils.set_random_seed(0)
    verdict = run("05.train_regularized", regularized_cnn())
    assert not verdict.passed and "guessing" in verdict.message


@pytest.mark.slow
def test_the_model_must_be_the_regularised_cnn(mnist):
    x, y = mnist
    verdict = run("05.train_regularized", fit(small_cnn(1e-3), x[:2_000], y[:2_000]))
    assert not verdict.passed
    assert "no BatchNormalization layer and no Dropout layer" in verdict.message
    assert "build_regularized_cnn" in verdict.hint


@pytest.mark.slow
def test_a_regularised_cnn_trained_on_too_little_fails(mnist):
    """The solution's network after one epoch on 200 images (2 steps)."""
    x, y = mnist
    keras.utils.set_random_seed(0)
    verdict = run("05.train_regularized", fit(solution_cnn(), x[:200], y[:200]))
    assert not verdict.passed and ("fit" in verdict.hint or "epochs" in verdict.hint)


@pytest.mark.slow
def test_another_correct_form_passes(mnist, monkeypatch):
    """The Functional API, ReLU layers, RMSprop with the course's batch size: accepted."""
    x, y = mnist
    keras.utils.set_random_seed(0)
    model = fit(regularized_cnn(), x[:2_000], y[:2_000], epochs=3, optimizer="rmsprop")
    assert run("05.train_regularized", model).passed
    monkeypatch.setenv("COURSEKIT_PROFILE", "full")
    verdict = run("05.train_regularized", model)  # 2,000 images are not the full exercise
    assert not verdict.passed and "at least 98%" in verdict.message


# --------------------------------------------------------------------------- #
# The solution over 5 seeds, as the notebook trains it
# --------------------------------------------------------------------------- #

def notebook_run(seed, profile_name):
    """The sweep and the final training of the solution, in the notebook's sizes."""
    from coursekit.profiles import Profile

    profile = Profile(profile_name)
    (x_all, y_all), _ = data.load("mnist", verbose=False)
    x_all = data.add_channel(x_all)
    x_sweep, y_sweep = data.subsample(x_all[:-5_000], y_all[:-5_000],
                                      n=profile.samples(5_000), seed=3)
    recipe = recipes.get("cnn-mnist").course

    def train(l2, x, y, epochs):
        keras.utils.set_random_seed(seed)
        model = solution_cnn(l2=l2)
        model.compile(optimizer=recipe.optimizer_for(n_train=len(x), epochs=epochs),
                      loss=recipe.loss(), metrics=["accuracy"])
        model.fit(x, y, batch_size=recipe.batch_size, epochs=epochs, verbose=0)
        return model

    sweep = {l2: train(l2, x_sweep, y_sweep, profile.epochs(20))
             for l2 in (1e-4, 5e-4, 2e-3)}
    best, _ = best_and_worst(sweep)
    x_train, y_train = data.subsample(x_all, y_all, n=profile.samples(60_000), seed=0)
    return best, sweep, train(best, x_train, y_train, profile.epochs(5))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_the_solution_passes_over_seeds(seed, seed_profile):
    """Quick: seconds a seed; full: about 2 to 4 minutes a seed on 2 cores."""
    best, sweep, final = notebook_run(seed, seed_profile.name)
    assert run("05.choose_l2", (best, sweep)).passed
    assert run("05.train_regularized", final).passed
