"""Tests of the training recipes: the originals as published, the course's as taught."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from coursekit import recipes
from coursekit.errors import InvalidParameterError
from coursekit.training import TrainingResult

SHAPES = {"mnist": (28, 28), "fashion_mnist": (28, 28), "cifar10": (32, 32, 3)}

# Parameter counts of the original recipes (the CNN is the Keras 1 example: 2 × Conv(32)).
PUBLISHED_PARAMS = {"mlp-mnist": 669_706, "cnn-mnist": 600_810, "cnn-fashion": 600_810,
                    "lstm-mnist": 81_674, "cnn-cifar10": 122_570}


def test_the_five_tasks():
    assert list(recipes.TASKS) == ["mlp-mnist", "cnn-mnist", "cnn-fashion", "lstm-mnist",
                                   "cnn-cifar10"]
    assert recipes.get("cnn-mnist").target == pytest.approx(0.9921)
    assert recipes.get("mlp-mnist").target == pytest.approx(0.984)
    assert recipes.get("lstm-mnist").target == pytest.approx(0.985)
    assert recipes.get("cnn-fashion").target is None
    assert recipes.get("cnn-cifar10").target is None


def test_unknown_task_names_the_choices():
    with pytest.raises(InvalidParameterError, match="cnn-mnist"):
        recipes.get("cnn-minst")


@pytest.mark.parametrize("name", list(recipes.TASKS))
def test_original_recipe_is_the_published_one(name):
    task = recipes.get(name)
    model = task.original.build(SHAPES[task.dataset])
    assert model.count_params() == PUBLISHED_PARAMS[name]
    assert task.original.float_inputs
    assert task.original.epochs == (10 if name == "cnn-cifar10" else 20)


@pytest.mark.parametrize("name", list(recipes.TASKS))
def test_course_model_takes_the_stored_uint8_images(name):
    task = recipes.get(name)
    model = task.course.build(SHAPES[task.dataset])
    (images_in,) = model.inputs
    assert images_in.dtype == "uint8"
    assert tuple(images_in.shape[1:]) == SHAPES[task.dataset]
    assert tuple(model.outputs[0].shape[1:]) == (10,)
    images = np.full((2, *SHAPES[task.dataset]), 255, dtype=np.uint8)
    assert task.course.prepare(images) is images  # no float copy
    # ...and it scales them itself: the first layer after the input is a Rescaling.
    assert isinstance(model.layers[0], keras.layers.Rescaling)


def test_original_recipes_scale_with_numpy_like_the_tutorials():
    images = np.array([[[0, 255]]], dtype=np.uint8)
    prepared = recipes.get("mlp-mnist").original.prepare(images)
    assert prepared.dtype == np.float32
    np.testing.assert_allclose(prepared, [[[0.0, 1.0]]])


def test_course_cnn_needs_far_fewer_multiply_adds():
    """The reason the course CNN is faster: its convolutions run on pooled maps."""
    def conv_macs(model):
        total = 0
        for layer in model.layers:
            if isinstance(layer, keras.layers.Conv2D):
                h, w, c_out = layer.output.shape[1:]
                kh, kw, c_in, _ = layer.kernel.shape
                total += h * w * c_out * kh * kw * c_in
        return total

    task = recipes.get("cnn-mnist")
    original = conv_macs(task.original.build((28, 28)))
    course = conv_macs(task.course.build((28, 28)))
    assert course * 4 < original


def test_course_lstm_needs_far_fewer_multiply_adds():
    """4 gates × units × (features + units) per row: 64 units cost under a third of 128."""
    def lstm_macs(model):
        (lstm,) = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        features = lstm.input.shape[-1]
        return 4 * lstm.units * (features + lstm.units)

    task = recipes.get("lstm-mnist")
    assert lstm_macs(task.course.build((28, 28))) * 3 < lstm_macs(task.original.build((28, 28)))


def test_label_smoothing_sets_the_loss():
    from coursekit.losses import SparseCategoricalCrossentropy

    task = recipes.get("mlp-mnist")
    assert task.course.label_smoothing == pytest.approx(0.1)
    course = task.course.compile(task.course.build((28, 28)), n_train=1000)
    assert isinstance(course.loss, SparseCategoricalCrossentropy)
    assert course.loss.label_smoothing == pytest.approx(0.1)
    original = task.original.compile(task.original.build((28, 28)), n_train=1000)
    assert original.loss == "sparse_categorical_crossentropy"  # as the tutorial had it


def test_one_cycle_warms_up_then_decays_to_zero():
    schedule = recipes.one_cycle(0.004, total_steps=1000, warmup_steps=100)
    rates = [float(schedule(step)) for step in (0, 50, 100, 550, 1000)]
    assert rates[0] == pytest.approx(0.0004)
    assert rates[0] < rates[1] < rates[2] == pytest.approx(0.004)
    assert rates[2] > rates[3] > rates[4]
    assert rates[4] == pytest.approx(0.0, abs=1e-9)


def test_one_cycle_rejects_a_warmup_longer_than_training():
    with pytest.raises(InvalidParameterError, match="warmup_steps"):
        recipes.one_cycle(0.001, total_steps=10, warmup_steps=11)


def test_course_schedule_is_sized_to_the_training():
    recipe = recipes.get("cnn-mnist").course
    schedule = recipe.schedule(steps_per_epoch=50, epochs=4)
    assert float(schedule(50)) == pytest.approx(recipe.peak_learning_rate)  # after one epoch
    assert float(schedule(200)) == pytest.approx(0.0, abs=1e-9)  # at the very end
    optimizer = recipe.make_optimizer(50, 4)
    assert isinstance(optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize(("name", "kind"), [("mlp-mnist", keras.optimizers.RMSprop),
                                            ("cnn-mnist", keras.optimizers.Adam)])
def test_original_optimizers_are_keras_defaults(name, kind):
    recipe = recipes.get(name).original
    assert recipe.schedule(100, 20) is None
    optimizer = recipe.make_optimizer(100, 20)
    assert isinstance(optimizer, kind)
    assert float(optimizer.learning_rate) == pytest.approx(1e-3)


@pytest.mark.slow
def test_recipe_train_runs_on_stored_images():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (256, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 256)
    result = recipes.get("cnn-mnist").course.train(
        x, y, epochs=1, test_data=(x[:64], y[:64]), progress=False)
    assert isinstance(result, TrainingResult)
    assert result.epochs == 1
    assert 0.0 <= result.test_accuracy <= 1.0


def test_recipe_train_rejects_bad_epochs():
    with pytest.raises(InvalidParameterError, match="epochs"):
        recipes.get("mlp-mnist").course.train(np.zeros((4, 28, 28), np.uint8),
                                              np.zeros(4, int), epochs=0)
