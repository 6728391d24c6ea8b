"""Tests of the training recipes: the originals as published, the course's as taught."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from coursekit import models, recipes
from coursekit.errors import InvalidParameterError
from coursekit.training import TrainingResult

README = Path(__file__).resolve().parents[1] / "README.md"

SHAPES = {"mnist": (28, 28), "fashion_mnist": (28, 28), "cifar10": (32, 32, 3)}

# Parameter counts of the original recipes (the CNN is the Keras 1 example: 2 × Conv(32)).
PUBLISHED_PARAMS = {"mlp-mnist": 669_706, "cnn-mnist": 600_810, "cnn-fashion": 600_810,
                    "lstm-mnist": 81_674, "cnn-cifar10": 122_570}


def test_unknown_task_names_the_choices():
    with pytest.raises(InvalidParameterError, match="cnn-mnist"):
        recipes.get("cnn-minst")


@pytest.mark.parametrize("name", list(recipes.TASKS))
def test_original_recipe_is_the_published_one(name):
    task = recipes.get(name)
    model = task.original.build(SHAPES[task.dataset])
    assert model.count_params() == PUBLISHED_PARAMS[name]
    assert model.inputs[0].dtype == "float32"  # the tutorials fed float32 copies


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
    course = task.course.compile(task.course.build((28, 28)), n_train=1000)
    assert isinstance(course.loss, SparseCategoricalCrossentropy)
    assert course.loss.label_smoothing == pytest.approx(0.1)
    original = task.original.compile(task.original.build((28, 28)), n_train=1000)
    assert original.loss == "sparse_categorical_crossentropy"  # as the tutorial had it


def test_course_schedule_is_sized_to_the_training():
    recipe = recipes.get("cnn-mnist").course
    schedule = recipe.schedule(steps_per_epoch=50, epochs=4)
    assert float(schedule(50)) == pytest.approx(recipe.peak_learning_rate)  # after one epoch
    assert float(schedule(200)) == pytest.approx(0.0, abs=1e-9)  # at the very end
    optimizer = recipe.make_optimizer(50, 4)
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert optimizer.learning_rate.dtype == "float32"  # a schedule Keras calls each step


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


# --------------------------------------------------------------------------- #
# One source: the models' builders, summaries written from the fields
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("name", list(recipes.TASKS))
def test_every_recipe_model_is_built_by_coursekit_models(name, monkeypatch):
    task = recipes.get(name)
    for recipe in (task.original, task.course):
        builder = getattr(models, recipe.architecture.builder)
        calls: list[dict] = []
        monkeypatch.setattr(models, recipe.architecture.builder,
                            lambda *a, _b=builder, _c=calls, **kw: _c.append(kw) or _b(*a, **kw))
        model = recipe.build(SHAPES[task.dataset])
        assert len(calls) == 1 and model.name == recipe.architecture.name
        direct = builder(**calls[0])
        assert [type(layer) for layer in model.layers] == [type(layer) for layer in direct.layers]
        assert model.count_params() == direct.count_params()
        monkeypatch.undo()


def test_recipes_define_no_layers_of_their_own():
    source = Path(recipes.__file__).read_text()
    assert "keras.layers" not in source and "Sequential(" not in source


@pytest.mark.parametrize(("field", "value"), [
    ("architecture", recipes.LSTM_64), ("epochs", 7), ("batch_size", 256),
    ("optimizer", "rmsprop"), ("peak_learning_rate", 5e-3), ("warmup_epochs", 0.5),
    ("label_smoothing", 0.2), ("float_inputs", True),
])
def test_the_summary_follows_every_field(field, value):
    course = recipes.get("mlp-mnist").course
    changed = dataclasses.replace(course, **{field: value})
    assert changed.summary != course.summary


def test_a_constant_rate_is_in_the_summary_and_the_optimizer():
    constant = dataclasses.replace(recipes.get("mlp-mnist").original, learning_rate=3e-4)
    assert "RMSprop 3e-4," in constant.summary
    assert float(constant.make_optimizer(10, 2).learning_rate) == pytest.approx(3e-4)


def test_the_readme_quotes_the_summaries_as_generated():
    readme = README.read_text()
    for task in recipes.TASKS.values():
        for recipe in (task.original, task.course):
            assert recipe.summary in readme, (task.name, recipe.name)


def test_architecture_leaves_the_input_pipeline_to_the_recipe():
    with pytest.raises(InvalidParameterError, match="input_shape"):
        recipes.Architecture("mlp", "build_mlp", {"input_shape": (784,)})
    with pytest.raises(InvalidParameterError, match="build_resnet"):
        recipes.Architecture("resnet", "build_resnet")


def test_the_catalogue_imports_without_keras():
    """So that ``coursekit bench --help`` lists the tasks without starting TensorFlow."""
    code = ("import sys; from coursekit import recipes; recipes.get('cnn-mnist').course.summary; "
            "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
