"""Checks of notebook 07: 07.cifar_cnn and 07.augmentation."""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from coursekit import models
from coursekit.checks import check, get_check

L = keras.layers


def run(check_id, answer):
    return get_check(check_id).run(answer)


def _todo(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- #
# 07.cifar_cnn
# --------------------------------------------------------------------------- #

def build_cifar_cnn():  # the solution
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(64, 3, activation="relu"),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])


def _cnn(*, shape=(32, 32, 3), convs=(32, 64, 64), kernel=3, padding="valid", pool=2,
         act="relu", dense=64, out_act="softmax", extra_pool=False):
    layers = [keras.Input(shape=shape)]
    for i, f in enumerate(convs):
        layers.append(L.Conv2D(f, kernel, activation=act, padding=padding))
        if i < len(convs) - 1 or extra_pool:
            layers.append(L.MaxPooling2D(pool))
    layers += [L.Flatten(), L.Dense(dense, activation="relu"), L.Dense(10, activation=out_act)]
    return keras.Sequential(layers)


def test_cifar_cnn_passes_on_the_solution_and_the_builder(capsys):
    verdict = run("07.cifar_cnn", build_cifar_cnn)
    assert verdict.passed and verdict.points == 2, verdict
    assert "122,570" in verdict.message
    check("07.cifar_cnn", build_cifar_cnn)
    assert capsys.readouterr().out.startswith("✅ [07.cifar_cnn] 2/2")
    builder = lambda: models.build_cnn((32, 32, 3), filters=[32, 64, 64], pool_last=False,  # noqa: E731
                                       dense_units=[64], input_rescale=1 / 255)
    assert run("07.cifar_cnn", builder).passed


def test_cifar_cnn_accepts_activation_layers_and_tf_functions():
    def build():
        layers = [keras.Input(shape=(32, 32, 3))]
        for i, f in enumerate((32, 64, 64)):
            layers += [L.Conv2D(f, 3), L.ReLU()] + ([L.MaxPooling2D(2)] if i < 2 else [])
        layers += [L.Flatten(), L.Dense(64, activation=tf.nn.relu), L.Dense(10),
                   L.Activation(tf.nn.softmax)]
        return keras.Sequential(layers)

    assert run("07.cifar_cnn", build).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda: _cnn(shape=(28, 28, 1)), "input shape is (None, 28, 28, 1)", "keras.Input"),
    (lambda: _cnn(convs=(32, 64)), "layer 4 is Flatten; expected MaxPooling2D",
     "exercise's instructions"),
    (lambda: _cnn(extra_pool=True), "layer 6 is MaxPooling2D; expected Flatten",
     "exercise's instructions"),
    (lambda: _cnn(convs=(32, 32, 64)), "layer 3 (Conv2D) has 32 filters; expected 64",
     "first argument of layer 3"),
    (lambda: _cnn(dense=128), "layer 7 (Dense) has 128 units; expected 64",
     "first argument of layer 7"),
    (lambda: _cnn(act="tanh"), "activation 'tanh'; expected 'relu'", "activation argument"),
    (lambda: _cnn(out_act="relu"), "activation 'relu'; expected 'softmax'",
     "activation argument of layer 8"),
    (lambda: _cnn(kernel=5), "(5, 5) kernel", "kernel size"),
    (lambda: _cnn(padding="same"), "padding='same'", "padding"),
    (lambda: _cnn(pool=1), "pools (1, 1)", "pool_size"),
    (lambda: _cnn(pool=3), "smaller than a 3×3 kernel", "32 → 30 → 15"),
    (lambda: keras.Sequential([L.Conv2D(32, 3)]), "no input shape", "keras.Input"),
    (lambda: "cnn", "returned str", "return the model"),
])
def test_cifar_cnn_fails_with_specific_messages(answer, message, hint):
    verdict = run("07.cifar_cnn", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


def test_cifar_cnn_counts_layers():
    def longer():
        model = build_cifar_cnn()
        model.add(L.Dense(10, activation="softmax"))
        return model

    verdict = run("07.cifar_cnn", longer)
    assert not verdict.passed and "9 layers, more than the 8 expected" in verdict.message


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    (3, "expected a function build_cifar_cnn(), got int"),
    (build_cifar_cnn(), "got Sequential"),
    (_todo, "not answered yet"),
])
def test_cifar_cnn_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("07.cifar_cnn", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("07.cifar_cnn", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


# --------------------------------------------------------------------------- #
# 07.augmentation
# --------------------------------------------------------------------------- #

def build_augmentation():  # the solution
    return keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1)])


def test_augmentation_passes_on_the_solution(capsys):
    verdict = run("07.augmentation", build_augmentation)
    assert verdict.passed and verdict.points == 2, verdict
    check("07.augmentation", build_augmentation)
    assert capsys.readouterr().out.startswith("✅ [07.augmentation] 2/2")
    other = lambda: keras.Sequential([keras.Input((32, 32, 3)), L.RandomZoom(0.1),  # noqa: E731
                                      L.RandomFlip("horizontal"), L.RandomContrast(0.1),
                                      L.RandomTranslation(0.05, 0.1), L.RandomRotation(0.05)])
    assert run("07.augmentation", other).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda: keras.Sequential([L.RandomTranslation(0.1, 0.1)]), "no RandomFlip",
     "mirrored cat"),
    (lambda: keras.Sequential([L.RandomFlip(), L.RandomTranslation(0.1, 0.1)]),
     "mode='horizontal_and_vertical'", "mode argument"),
    (lambda: keras.Sequential([L.RandomFlip("vertical"), L.RandomZoom(0.1)]),
     "upside down", "mode argument"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal")]), "no RandomTranslation layer",
     "random shift"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomZoom(0.1)]),
     "no RandomTranslation layer", "random shift"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1),
                               L.RandomRotation(0.5)]),
     "RandomRotation has factor=0.5", "gentle"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1),
                               L.RandomZoom((-0.5, 0.5))]),
     "RandomZoom has height_factor=0.5", "gentle"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.5, 0.1)]),
     "RandomTranslation has height_factor=0.5", "gentle"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1),
                               L.Rescaling(1 / 255)]),
     "Rescaling is not a random augmentation layer", "RandomFlip"),
    (lambda: keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1),
                               L.Dense(3)]),
     "Dense is not a random augmentation layer", "RandomFlip"),
    (lambda: keras.Sequential([]), "the Sequential is empty", "Sequential's list"),
    (lambda: L.RandomFlip("horizontal"), "returned RandomFlip", "keras.Sequential"),
])
def test_augmentation_fails_with_specific_messages(answer, message, hint):
    verdict = run("07.augmentation", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    ("flip", "expected a function build_augmentation(), got str"),
    (build_augmentation(), "got Sequential"),
    (_todo, "not answered yet"),
])
def test_augmentation_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("07.augmentation", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("07.augmentation", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


def test_augmentation_judges_a_pipeline_that_changes_nothing():
    spec = get_check("07.augmentation")
    evidence = spec.collect(build_augmentation)
    evidence["training_changed"] = 0.0
    verdict = spec.judge(evidence)
    assert not verdict.passed and "none of 16 images was changed" in verdict.message
    evidence["training_changed"], evidence["inference_max_diff"] = 0.5, 12.0
    verdict = spec.judge(evidence)
    assert not verdict.passed and "in inference mode (training=False)" in verdict.message


# --------------------------------------------------------------------------- #
# The grader judges evidence it saved and reloaded: the verdicts must not change
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, answer", [
    ("07.cifar_cnn", build_cifar_cnn),
    ("07.cifar_cnn", lambda: _cnn(dense=128)),
    ("07.augmentation", build_augmentation),
    ("07.augmentation", lambda: keras.Sequential([L.RandomFlip(), L.RandomTranslation(0.1, 0.1)])),
])
def test_verdicts_survive_the_graders_evidence_round_trip(tmp_path, check_id, answer):
    ks = pytest.importorskip("coursekit.instructor.grading._kernel_side")
    evidence_mod = pytest.importorskip("coursekit.instructor.grading.evidence")
    spec = get_check(check_id)
    evidence = spec.collect(answer)
    tree = ks.Encoder(str(tmp_path), 2**24).encode(evidence)
    ks.write_manifest(str(tmp_path), {"kind": "evidence", "tree": tree})
    reloaded = evidence_mod.read_outcome(tmp_path, 2**24).evidence
    assert spec.judge(reloaded) == spec.judge(evidence)
