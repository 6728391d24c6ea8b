"""Notebook 07's experiment (augmentation vs none, the same budget) and its questions,
judged on models the checks measure themselves."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit import data
from coursekit.checks import get_check

L = keras.layers


pytestmark = pytest.mark.usefixtures("mirror_for_checks", "quick_profile")


def run(check_id, answer):
    return get_check(check_id).run(answer)


@pytest.fixture(scope="module")
def cifar():
    (x_train, y_train), _ = data.load("cifar10", verbose=False)
    return x_train[:2_000], y_train[:2_000].ravel()


def augmentation():
    return keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1)])


def small_cnn(augmented=False, dense=32, seed=0):
    """A small CNN for cheap tests: raw pixels in, rescaled inside, augmentation first."""
    keras.utils.set_random_seed(seed)
    front = [augmentation()] if augmented else []
    return keras.Sequential([keras.Input((32, 32, 3)), *front, L.Rescaling(1 / 255),
                             L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(4),
                             L.Flatten(), L.Dense(dense, activation="relu"),
                             L.Dense(10, activation="softmax")])


def fit(model, x, y, epochs=1, optimizer="adam"):
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return model


# --------------------------------------------------------------------------- #
# 07.train_augmented
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("answer, expected", [
    (None, "got None"),
    ("a model", "expected a trained Keras model"),
    (keras.Sequential(), "not built"),
])
def test_train_augmented_fails_without_a_trained_model(answer, expected):
    verdict = run("07.train_augmented", answer)
    assert not verdict.passed and expected in verdict.message and verdict.hint


def test_an_untrained_model_is_told_to_fit_it():
    verdict = run("07.train_augmented", small_cnn(augmented=True))
    assert not verdict.passed and "not been trained" in verdict.message
    assert "fit" in verdict.hint


@pytest.mark.slow
def test_a_plain_cnn_is_not_an_augmented_one(cifar):
    x, y = cifar
    verdict = run("07.train_augmented", fit(small_cnn(), x[:256], y[:256]))
    assert not verdict.passed and "no random augmentation layer" in verdict.message
    assert "build_augmentation" in verdict.hint


@pytest.mark.slow
def test_a_model_trained_on_too_little_fails(cifar):
    x, y = cifar
    verdict = run("07.train_augmented", fit(small_cnn(augmented=True), x[:256], y[:256]))
    assert not verdict.passed
    assert "guessing" in verdict.message or "at least 25%" in verdict.message


def test_augmentation_before_rescaling_gets_raw_pixels():
    """The checks feed raw 0-255 pixels to a model that rescales them itself, also behind its
    augmentation layers (nested or not), and pixels in [0, 1] to one that does not."""
    from coursekit.checks._trained import adapt_images

    x = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype("uint8")
    behind = small_cnn(augmented=True)  # Input → Sequential(RandomFlip, …) → Rescaling → …
    flat = keras.Sequential([keras.Input((32, 32, 3)), L.RandomFlip("horizontal"),
                             L.Rescaling(1 / 255), L.Flatten(), L.Dense(10)])
    floats = keras.Sequential([keras.Input((32, 32, 3)), augmentation(), L.Flatten(),
                               L.Dense(10)])
    assert adapt_images(x, behind).max() > 1 and adapt_images(x, flat).max() > 1
    assert adapt_images(x, floats).max() <= 1


@pytest.mark.slow
def test_another_correct_form_passes_and_the_threshold_depends_on_the_profile(cifar,
                                                                             monkeypatch):
    """The Functional API, RMSprop, augmentation before the rescaling, a rotation: accepted
    in the quick profile; the same short training is not enough for the full profile."""
    x, y = cifar
    keras.utils.set_random_seed(3)
    inputs = keras.Input((32, 32, 3))
    h = L.RandomFlip("horizontal")(inputs)
    h = L.RandomRotation(0.05)(h)
    h = L.Rescaling(1 / 255)(h)
    for filters in (32, 64):
        h = L.MaxPooling2D(2)(L.Conv2D(filters, 3, activation="relu")(h))
    h = L.Dense(64, activation="relu")(L.Flatten()(h))
    model = fit(keras.Model(inputs, L.Dense(10, activation="softmax")(h)), x, y, epochs=5,
                optimizer="rmsprop")
    verdict = run("07.train_augmented", model)
    assert verdict.passed, verdict
    monkeypatch.setenv("COURSEKIT_PROFILE", "full")
    verdict = run("07.train_augmented", model)
    assert not verdict.passed and "at least 50%" in verdict.message


# --------------------------------------------------------------------------- #
# 07.fair_comparison
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="module")
def quick_pair(cifar):
    """A plain and an augmented small CNN, one short epoch each: structure tests only."""
    x, y = cifar
    return fit(small_cnn(), x[:256], y[:256]), fit(small_cnn(augmented=True), x[:256], y[:256])


@pytest.mark.parametrize("answer, expected", [
    ("models", "expected (plain_cnn, augmented_cnn)"),
    ((None, None), "still None"),
])
def test_fair_comparison_names_what_is_wrong(answer, expected):
    verdict = run("07.fair_comparison", answer)
    assert not verdict.passed and expected in verdict.message


@pytest.mark.slow
def test_fair_comparison_refuses_unfair_pairs(cifar, quick_pair):
    x, y = cifar
    plain, augmented = quick_pair
    cases = [
        ((augmented, augmented), "plain_cnn has augmentation layers"),
        ((plain, plain), "augmented_cnn has no random augmentation layer"),
        ((plain, fit(small_cnn(augmented=True, dense=64), x[:256], y[:256])),
         "differ beyond the augmentation"),
        ((plain, fit(small_cnn(augmented=True), x[:256], y[:256], epochs=2)),
         "not the same budget"),
        ((plain, small_cnn(augmented=True)), "augmented_cnn has not been trained"),
        ((plain, augmented.history), "store the model itself"),
    ]
    for pair, expected in cases:
        verdict = run("07.fair_comparison", pair)
        assert not verdict.passed, expected
        assert expected in verdict.message + verdict.hint, (expected, verdict)


@pytest.mark.slow
def test_fair_comparison_wants_both_models_to_have_learned(quick_pair):
    verdict = run("07.fair_comparison", quick_pair)  # one epoch on 256 images
    assert not verdict.passed and "at least 20%" in verdict.message


@pytest.mark.slow
def test_fair_comparison_passes_on_a_fair_pair_with_another_optimizer(cifar):
    x, y = cifar
    pair = (fit(small_cnn(), x, y, epochs=4, optimizer="nadam"),
            fit(small_cnn(augmented=True), x, y, epochs=4, optimizer="nadam"))
    verdict = run("07.fair_comparison", pair)
    assert verdict.passed, verdict
    assert "validation images" in verdict.message and "twice the standard error" in \
        verdict.message


# --------------------------------------------------------------------------- #
# The questions
# --------------------------------------------------------------------------- #

@pytest.mark.slow
def test_the_noise_question_follows_the_students_own_models(quick_pair):
    from coursekit.checks.nb07 import augmentation_difference

    plain, augmented = quick_pair
    diff, noise = augmentation_difference(plain, augmented)
    right = "a" if abs(diff) > noise else "b"
    wrong = "b" if right == "a" else "a"
    assert run("07.q_aug_noise", (right, plain, augmented)).passed
    verdict = run("07.q_aug_noise", (wrong, plain, augmented))
    assert not verdict.passed and "standard error" in verdict.hint
    assert "not answered yet" in run("07.q_aug_noise", (..., plain, augmented)).message
    assert "still None" in run("07.q_aug_noise", ("a", None, None)).message


def test_conv_params_question():
    assert run("07.q_conv_params", 896).passed
    assert run("07.q_conv_params", 896.0).passed
    for wrong in (864, 320, 288):  # no biases; one channel; neither
        verdict = run("07.q_conv_params", wrong)
        assert not verdict.passed and "896" not in verdict.message + verdict.hint
    assert "without quotes" in run("07.q_conv_params", "896").hint


def test_mlp_or_cnn_question():
    assert run("07.q_mlp_or_cnn", " (B) ").passed
    for wrong in ("a", "c"):
        verdict = run("07.q_mlp_or_cnn", wrong)
        assert not verdict.passed and verdict.hint and "right" not in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_the_solution_passes_over_seeds(seed, seed_profile):
    """The notebook's solution in its sizes (quick: 2,000 training images, 5 epochs; full:
    4,085 images, at most 50 epochs with early stopping on validation): TensorFlow's
    CIFAR-10 CNN, plain and behind RandomFlip + RandomTranslation(0.1), Adam 1e-3, batch
    128. Seeds 0–4 pass both checks: the thresholds have a margin."""
    from coursekit import models
    from coursekit.checks.nb07 import VALIDATION, validation_split

    (x_train, y_train), _ = data.load("cifar10", verbose=False)
    y_train = y_train.ravel()
    x_fit, y_fit = data.subsample(x_train[:-VALIDATION], y_train[:-VALIDATION],
                                  n=seed_profile.samples(6_000), seed=0, stratify=True)
    trained = []
    for augmented in (False, True):
        keras.utils.set_random_seed(seed)
        base = models.build_cnn((32, 32, 3), filters=[32, 64, 64], pool_last=False,
                                dense_units=[64], input_rescale=1 / 255)
        front = [augmentation()] if augmented else []
        model = keras.Sequential([keras.Input((32, 32, 3)), *front, *base.layers])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=8,
                                             restore_best_weights=True)
        model.fit(x_fit, y_fit, batch_size=128, epochs=seed_profile.epochs(50, quick=5),
                  validation_data=validation_split(), verbose=0, callbacks=[stop])
        trained.append(model)
    verdict = run("07.train_augmented", trained[1])
    assert verdict.passed, verdict
    verdict = run("07.fair_comparison", tuple(trained))
    assert verdict.passed, verdict
