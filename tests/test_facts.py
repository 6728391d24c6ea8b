"""The one model-to-facts format of the checks: its schema, as grading stores it."""

import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from coursekit.checks import get_check
from coursekit.checks._facts import (
    LAYER_SCHEMA,
    MODEL_SCHEMA,
    FactsError,
    LayerFacts,
    ModelFacts,
    describe,
    merge_activations,
    model_facts,
    validate,
)
from coursekit.instructor.grading import _kernel_side as ks
from coursekit.instructor.grading.evidence import read_outcome

L = keras.layers


def mlp():
    return keras.Sequential([keras.Input((784,)), L.Dense(16, activation="relu"),
                             L.Dense(10, activation="softmax")])


def cnn():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(8, 3, padding="same", kernel_regularizer=keras.regularizers.L2(1e-3)),
        L.BatchNormalization(), L.ReLU(), L.MaxPooling2D(2), L.Dropout(0.25),
        L.Flatten(), L.Dense(10), L.Softmax()])


def lstm():
    return keras.Sequential([keras.Input((28, 28)), L.LSTM(8, return_sequences=True),
                             L.LSTM(4), L.Dense(10, activation=tf.nn.softmax)])


def functional():
    inputs = keras.Input((32, 32, 3))
    x = L.Conv2D(4, 3, activation="relu")(inputs)
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, L.Dense(10, activation="softmax")(x))


def augmented():
    augmentation = keras.Sequential([L.RandomFlip("horizontal"), L.RandomTranslation(0.1, 0.1),
                                     L.RandomRotation((-0.05, 0.08))])
    return keras.Sequential([keras.Input((32, 32, 3)), L.Rescaling(1 / 255), augmentation,
                             L.Flatten(), L.Dense(10, activation="softmax")])


MODELS = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "functional": functional,
          "augmented": augmented}


@pytest.mark.parametrize("build", MODELS.values(), ids=MODELS)
def test_facts_follow_the_schema_and_survive_a_json_round_trip(build):
    model = build()
    facts = model_facts(model)
    stored = facts.to_dict()
    validate(stored)
    assert ModelFacts.from_dict(json.loads(json.dumps(stored))) == facts
    assert facts.params == model.count_params() and facts.built
    assert facts.input_shape == (None, *model.inputs[0].shape[1:])


def test_the_schema_declares_exactly_the_fields_of_the_dataclasses():
    assert list(LAYER_SCHEMA) == [f.name for f in dataclasses.fields(LayerFacts)]
    assert set(MODEL_SCHEMA) == {f.name for f in dataclasses.fields(ModelFacts)}


def test_layers_are_described_in_one_vocabulary():
    facts = model_facts(cnn())
    conv, bn, relu, pool, drop, _, dense, soft = facts.layers
    assert (conv.class_name, conv.filters, conv.kernel_size, conv.padding) == (
        "Conv2D", 8, (3, 3), "same")
    assert (conv.kernel_regularizer, conv.kernel_l2, conv.output_shape) == (
        "L2", pytest.approx(1e-3), (None, 28, 28, 8))
    assert (bn.class_name, bn.params) == ("BatchNormalization", 32)
    assert (pool.pool_size, drop.rate, relu.activation) == ((2, 2), 0.25, "relu")
    assert [describe(f) for f in merge_activations([dense, soft])] == ["Dense(10, softmax)"]
    # an activation is named one way, however it was given
    last = [model_facts(m).layers[-1].activation for m in (mlp(), lstm(), functional())]
    assert last == ["softmax"] * 3
    first, second = model_facts(lstm()).layers[:2]
    assert (first.return_sequences, first.output_shape, second.output_shape) == (
        True, (None, 28, 8), (None, 4))
    flip, shift, turn = model_facts(augmented().layers[1]).layers
    assert (flip.mode, shift.height_factor, turn.factor) == ("horizontal", 0.1, 0.08)


def test_a_model_keras_cannot_size_is_described_not_refused():
    facts = model_facts(keras.Sequential([L.Dense(3)]))
    assert not facts.built and facts.input_shape is None and facts.params is None
    validate(facts.to_dict())
    compiled = mlp()
    compiled.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert (model_facts(compiled).compiled, model_facts(compiled).optimizer,
            model_facts(compiled).loss) == (True, "Adam", "sparse_categorical_crossentropy")


GOOD = model_facts(mlp()).to_dict()


@pytest.mark.parametrize("change, message", [
    ({"score": 100}, "model facts: unknown field 'score' (known: class_name, compiled"),
    ({"params": "12"}, "model facts: field 'params' is '12' (str), expected a non-negative int"),
    ({"params": True}, "field 'params' is True (bool)"),
    ({"input_shape": [None, "784"]}, "field 'input_shape' is [None, '784'] (list), expected a "
                                     "list of ints or None"),
    ({"layers": "Dense"}, "field 'layers' is str, expected a list of at most 1000 layer dicts"),
    ({"layers": [{"class_name": "Dense", "name": "d", "units": 1.5}]},
     "model facts: layer 1: field 'units' is 1.5 (float)"),
    ({"layers": [{"class_name": "Dense", "name": "d", "evil": 1}]},
     "layer 1: unknown field 'evil'"),
    ({"layers": [{"class_name": "Dense", "name": "d", "rate": float("nan")}]},
     "field 'rate' is nan (float), expected a finite number"),
    ({"layers": [["Dense"]]}, "layer 1: expected a dict, got list"),
    ({"name": None}, "model facts: field 'name' is missing"),
    ({"class_name": "x" * 5000}, "field 'class_name' is 'xxxxx"),
])
def test_facts_that_break_the_schema_are_refused_with_what_is_wrong(change, message):
    with pytest.raises(FactsError) as info:
        ModelFacts.from_dict({**GOOD, **change})
    assert message in str(info.value)
    assert len(str(info.value)) < 400


def test_facts_cross_the_grading_boundary_and_forged_ones_are_refused_by_the_judge(tmp_path):
    """What the kernel writes (its encoder) and the judging process reads back."""
    spec = get_check("03.simple_cnn")

    def build():
        return keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(12, 3, activation="relu"),
                                 L.Flatten(), L.Dense(10, activation="softmax")])

    evidence = spec.collect(build)
    tree = ks.Encoder(str(tmp_path), 2**20).encode(evidence)
    ks.write_manifest(str(tmp_path), {"kind": "evidence", "tree": tree})
    reloaded = read_outcome(tmp_path, 2**20).evidence
    assert ModelFacts.from_dict(reloaded) == ModelFacts.from_dict(evidence)
    assert spec.decide(reloaded).passed
    forged = {**evidence, "params": 81_250, "layers": [*evidence["layers"], {"x": np.int64(1)}]}
    verdict = spec.decide(forged)
    assert not verdict.passed
    assert verdict.message.startswith("could not judge the answer (FactsError: model facts: "
                                      "layer 4: unknown field 'x'")
