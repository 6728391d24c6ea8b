"""Notebook 03's experiment (a CNN and an MLP on shuffled pixels) and its inline questions."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit import data, models
from coursekit.checks import get_check
from coursekit.checks.nb03 import SHUFFLE_KEYS, ShuffleConclusion, shuffle_losses, shuffle_pixels

pytestmark = pytest.mark.usefixtures("mirror_for_checks", "quick_profile")


def run(check_id, answer):
    return get_check(check_id).run(answer)


@pytest.fixture(scope="module")
def images():
    """The quick profile's training images, as notebook 03 keeps them (uint8, one channel)."""
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    return data.add_channel(x_train[:2_000]), y_train[:2_000]


def mlp(seed=42):
    keras.utils.set_random_seed(seed)
    return models.build_mlp((28, 28, 1), hidden_size=128, num_layers=1, input_rescale=1 / 255)


def cnn(seed=42):
    keras.utils.set_random_seed(seed)
    return models.build_cnn((28, 28, 1), filters=12, kernel_size=3, pooling=None, dense_units=[],
                            input_rescale=1 / 255)


def fit(model, x, y, epochs=2, optimizer="adam"):
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return model


def train_four(x, y, seed=42, epochs=2):
    """The exercise's solution: the MLP and the CNN, on the images and on shuffled ones."""
    xs = shuffle_pixels(x)
    return {"mlp": fit(mlp(seed), x, y, epochs), "mlp_shuffled": fit(mlp(seed), xs, y, epochs),
            "cnn": fit(cnn(seed), x, y, epochs), "cnn_shuffled": fit(cnn(seed), xs, y, epochs)}


@pytest.fixture(scope="module")
def four(images):
    return train_four(*images)


# --------------------------------------------------------------------------- #
# 03.shuffle_models
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("answer, expected", [
    (None, "got None"),
    ({}, "empty"),
    ("models", "expected a dict"),
    ({"mlp": None}, "missing"),
])
def test_the_blank_exercise_and_wrong_containers_fail_with_a_hint(answer, expected):
    verdict = run("03.shuffle_models", answer)
    assert not verdict.passed and expected in verdict.message and verdict.hint


@pytest.mark.slow
def test_it_refuses_histories_and_models_of_the_wrong_kind(four):
    with_history = {**four, "mlp": four["mlp"].history}
    verdict = run("03.shuffle_models", with_history)
    assert not verdict.passed and "not its history" in verdict.hint
    verdict = run("03.shuffle_models", {**four, "cnn": four["mlp"]})
    assert not verdict.passed and "not a CNN" in verdict.message
    verdict = run("03.shuffle_models", {**four, "mlp_shuffled": four["cnn_shuffled"]})
    assert not verdict.passed and "not an MLP" in verdict.message


@pytest.mark.slow
def test_untrained_models_are_told_they_learned_nothing(four):
    verdict = run("03.shuffle_models", {**four, "cnn_shuffled": cnn()})
    assert not verdict.passed and "guessing" in verdict.message
    assert "fit" in verdict.hint and "permutation" in verdict.hint


@pytest.mark.slow
def test_a_shuffled_model_trained_on_the_original_images_is_diagnosed(four):
    verdict = run("03.shuffle_models", {**four, "cnn_shuffled": four["cnn"]})
    assert not verdict.passed and "trained on the original images" in verdict.message
    verdict = run("03.shuffle_models", {**four, "mlp": four["mlp_shuffled"]})
    assert not verdict.passed and "trained on the shuffled images" in verdict.message


@pytest.mark.slow
def test_models_trained_on_too_little_fail(images, four):
    x, y = images
    verdict = run("03.shuffle_models", {**four, "mlp": fit(mlp(), x[:500], y[:500], epochs=1)})
    assert not verdict.passed and "at least 65%" in verdict.message


@pytest.mark.slow
def test_the_solution_passes(four):
    verdict = run("03.shuffle_models", four)
    assert verdict.passed, verdict


@pytest.mark.slow
def test_another_correct_form_passes(images, four):
    """A Functional CNN on pixels scaled with NumPy, trained with RMSprop: accepted."""
    x, y = images
    keras.utils.set_random_seed(1)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(12, 3, activation="relu")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(h))
    functional = fit(keras.Model(inputs, outputs), shuffle_pixels(x).astype("float32") / 255, y,
                     optimizer="rmsprop")
    verdict = run("03.shuffle_models", {**four, "cnn_shuffled": functional})
    assert verdict.passed, verdict


@pytest.mark.slow
def test_the_threshold_depends_on_the_profile(four, monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "full")
    verdict = run("03.shuffle_models", four)  # 2,000 images, 2 epochs: not the full exercise
    assert not verdict.passed and "at least 94%" in verdict.message


# --------------------------------------------------------------------------- #
# 03.q_shuffle
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("mlp_loss, cnn_loss, accepted", [
    (0.0002, 0.016, {"b"}),       # the notebook's full run: only the CNN is hurt
    (0.016, 0.0002, {"a"}),
    (0.016, 0.016, {"c"}),
    (0.0002, -0.001, {"d"}),
    (0.0002, 0.005, {"b", "d"}),  # the CNN's loss is 1-3 standard errors: both readings
])
def test_the_accepted_conclusions_follow_the_losses_and_their_noise(mlp_loss, cnn_loss, accepted):
    accuracies = {"mlp": 0.975, "mlp_shuffled": 0.975 - mlp_loss,
                  "cnn": 0.98, "cnn_shuffled": 0.98 - cnn_loss}
    assert ShuffleConclusion.accepted(shuffle_losses(accuracies, 10_000)) == accepted


@pytest.mark.slow
def test_the_conclusion_is_judged_on_the_checks_own_measurements(four):
    from coursekit.checks.nb03 import shuffle_accuracies

    accepted = ShuffleConclusion.accepted(shuffle_losses(*shuffle_accuracies(four)))
    for letter in "abcd":
        verdict = run("03.q_shuffle", (letter, four))
        assert verdict.passed == (letter in accepted), (letter, verdict)
        if not verdict.passed:
            assert "standard error" in verdict.hint and "right" not in verdict.message


@pytest.mark.parametrize("answer, expected", [
    ((..., {}), "not answered yet"),
    (("b", {}), "empty"),
    ("b", "expected (your answer, shuffle_models)"),
    (("e", None), "got NoneType"),
])
def test_the_conclusion_needs_an_answer_and_the_models(answer, expected):
    verdict = run("03.q_shuffle", answer)
    assert not verdict.passed and expected in verdict.message


@pytest.mark.slow
def test_a_letter_that_is_no_choice_is_named(four):
    verdict = run("03.q_shuffle", ("e", four))
    assert not verdict.passed and '"e" is not one of the choices' in verdict.message


# --------------------------------------------------------------------------- #
# The prediction questions, and the build exercise in the Functional API
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, right, wrong, answer_text", [
    ("03.q_output_size", 12, 24, "12"),
    ("03.q_conv_params", 120, 108, "120"),
    ("03.q_channels", "b", "a", "(32, 3, 32, 32)"),
])
def test_prediction_questions(check_id, right, wrong, answer_text):
    assert run(check_id, right).passed
    verdict = run(check_id, wrong)
    assert not verdict.passed and verdict.hint and answer_text not in verdict.hint
    assert "not answered yet" in run(check_id, ...).message


def test_number_questions_refuse_text():
    verdict = run("03.q_conv_params", "120")
    assert not verdict.passed and "without quotes" in verdict.hint


def test_the_build_exercise_accepts_the_functional_api():
    def build_simple_cnn():
        inputs = keras.Input(shape=(28, 28, 1))
        maps = keras.layers.Conv2D(12, (3, 3), activation="relu")(inputs)
        outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(maps))
        return keras.Model(inputs, outputs)

    verdict = run("03.simple_cnn", build_simple_cnn)
    assert verdict.passed, verdict


# --------------------------------------------------------------------------- #
# The solution over seeds
# --------------------------------------------------------------------------- #

@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_the_solution_passes_over_seeds(seed, seed_profile):
    """The exercise's solution in the notebook's sizes (quick: 2,000 images, 2 epochs; full:
    50,000 images, 5 epochs), seeds 0-4: both checks pass, with the conclusion drawn from
    the notebook's validation images (the last 10,000; 1,000 of them in the quick profile)."""
    (x_train, y_train), _ = data.load("mnist", verbose=False)
    n_fit, n_val = seed_profile.samples(50_000), seed_profile.samples(10_000, quick=1_000)
    x_fit, y_fit = data.add_channel(x_train[:n_fit]), y_train[:n_fit]
    x_val, y_val = data.add_channel(x_train[-10_000:][:n_val]), y_train[-10_000:][:n_val]
    trained = train_four(x_fit, y_fit, seed=seed, epochs=seed_profile.epochs(5, quick=2))
    assert set(SHUFFLE_KEYS) == set(trained)
    assert run("03.shuffle_models", trained).passed
    accuracies = {key: float(np.mean(np.argmax(model.predict(
        shuffle_pixels(x_val) if key.endswith("_shuffled") else x_val, verbose=0), -1)
        == y_val)) for key, model in trained.items()}
    (_, z_mlp), (_, z_cnn) = shuffle_losses(accuracies, len(y_val)).values()
    answer = {(True, False): "a", (False, True): "b", (True, True): "c",
              (False, False): "d"}[(z_mlp > 2, z_cnn > 2)]
    verdict = run("03.q_shuffle", (answer, trained))
    assert verdict.passed, (answer, verdict)
