"""Checks of notebook 01 (multilayer perceptrons on MNIST).

- ``01.build_mlp`` (2 points): ``build_mlp(hidden_size, num_layers)`` returns a
  Keras model 784 → ``num_layers`` × Dense(hidden_size, relu) → Dense(10, softmax).
- ``01.param_count`` (1 point): ``param_count(hidden_size, num_layers)`` computes
  that model's number of parameters with the formula, without building it.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ._activations import ACTIVATION_LAYERS
from ._core import Check, CheckFailed, register
from ._facts import ModelFacts, merge_activations, model_facts
from ._question import Question
from ._returns import require_model
from ._trained import TrainedModelCheck, loaded

__all__ = ["BiggestLayer", "BuildMLP", "DropoutModels", "DropoutNoise", "ParamCount",
           "SigmoidPrediction", "SmallestGap", "TrainMLP", "dropout_gaps", "mlp_param_count"]

#: The (hidden_size, num_layers) the checks try, small so that they run in a second.
BUILD_CASES = ((16, 2), (32, 1), (8, 3), (8, 0))
COUNT_CASES = ((512, 2), (128, 1), (32, 3), (100, 0), (1, 1), (64, 4))


def mlp_param_count(hidden_size: int, num_layers: int, n_in: int = 784,
                    n_out: int = 10) -> int:
    """Parameters of n_in → num_layers × Dense(hidden_size) → Dense(n_out).

    >>> mlp_param_count(512, 2)
    669706
    >>> mlp_param_count(100, 0)
    7850
    """
    if num_layers == 0:
        return n_in * n_out + n_out
    first = n_in * hidden_size + hidden_size
    middle = (num_layers - 1) * (hidden_size * hidden_size + hidden_size)
    last = hidden_size * n_out + n_out
    return first + middle + last


def _call(hidden_size: int, num_layers: int) -> str:
    return f"build_mlp({hidden_size}, {num_layers})"


def _is_model(obj: Any) -> bool:
    import keras

    return isinstance(obj, keras.Model)


def _built_facts(model: Any, call: str) -> dict[str, Any]:
    """The model's facts (:mod:`._facts`), refused with a hint if Keras cannot size it.

    A model with no layer at all (``keras.Input`` only) passes, so that the
    judge can say which layer is missing.
    """
    require_model(model, call)
    facts = model_facts(model)
    if any(f.class_name != "InputLayer" for f in facts.layers) and not facts.built:
        raise CheckFailed(
            f"the model returned by {call} is not built: Keras does not know the shape of "
            "its inputs.",
            hint="look at the start of the model: it needs an input of 784 values "
                 "(keras.Input) before its first layer")
    return facts.to_dict()


@register
class BuildMLP(Check):
    id = "01.build_mlp"
    notebook = "01_mlp"
    points = 2
    expects = "a function build_mlp(hidden_size, num_layers) returning a Keras model"

    def collect(self, build_mlp: Any) -> Any:
        if _is_model(build_mlp):
            raise CheckFailed("expected the function build_mlp, got a Keras model (a "
                              f"{type(build_mlp).__name__}).",
                              hint="pass the function itself, not a model it built: "
                                   "check(\"01.build_mlp\", build_mlp)")
        if not callable(build_mlp):
            raise CheckFailed(f"expected a function build_mlp(hidden_size, num_layers), got "
                              f"{type(build_mlp).__name__}.",
                              hint="pass the function itself: check(\"01.build_mlp\", build_mlp)")
        evidence = []
        for hidden_size, num_layers in BUILD_CASES:
            call = _call(hidden_size, num_layers)
            model = build_mlp(hidden_size, num_layers)
            evidence.append({"hidden_size": hidden_size, "num_layers": num_layers,
                             "model": _built_facts(model, call)})
        return evidence

    def judge(self, evidence: Any) -> Any:
        if [(f["hidden_size"], f["num_layers"]) for f in evidence] != list(BUILD_CASES):
            return self.fail("the check did not get a model for every case it tries.")
        models = [ModelFacts.from_dict(case["model"]) for case in evidence]
        for case, facts in zip(evidence, models, strict=True):
            verdict = self._judge_one(case["hidden_size"], case["num_layers"], facts)
            if verdict is not None:
                return verdict
        shown = ", ".join(f"{_call(case['hidden_size'], case['num_layers'])}: "
                          f"{facts.params or 0:,} params"
                          for case, facts in zip(evidence, models, strict=True))
        return self.ok(f"your models have the right layers ({shown}).")

    def _judge_one(self, hidden_size: int, num_layers: int, facts: ModelFacts) -> Any:
        """The failing verdict for one built model, or None if it is right."""
        call = _call(hidden_size, num_layers)
        layers = [layer for layer in merge_activations(facts.layers)
                  if layer.class_name != "InputLayer"]
        expected = (f"{num_layers} hidden layer(s) of {hidden_size} units, then the output "
                    "layer" if num_layers else "only the output layer")
        if not layers:
            return self.fail(
                f"the model of {call} has no layers; expected {expected}: the output layer "
                "is missing.",
                hint="even when num_layers is 0 the model needs its output layer: 10 units "
                     "with softmax, added after the loop over the hidden layers")
        shape = facts.input_shape
        if shape != (None, 784):
            return self.fail(
                f"the model of {call} takes inputs of shape {shape}, expected (None, 784): "
                "one flattened 28×28 image per row.",
                hint="look at the shape given to keras.Input: 784 values per image")
        others = ["Activation" if layer.class_name in ACTIVATION_LAYERS else layer.class_name
                  for layer in layers if layer.class_name != "Dense"]
        if others:
            return self.fail(
                f"the model of {call} has a {others[0]} layer; this exercise asks for "
                "Dense layers only.",
                hint="remove that layer: the model is num_layers hidden Dense layers and "
                     "one Dense output layer, nothing else")
        out = layers[-1]
        if out.units != 10:
            if out.units == hidden_size and len(layers) == num_layers:
                return self.fail(
                    f"the output layer of {call} is missing: its last layer is hidden layer "
                    f"{num_layers} ({hidden_size} units, {out.activation}); the model must "
                    "end with 10 units with softmax, one probability per digit.",
                    hint="after the loop that adds the hidden layers, the model needs one "
                         "more Dense layer: the output layer")
            return self.fail(
                f"the output layer (the last layer) of {call} has {out.units} units, "
                "expected 10: one per digit.",
                hint="the output layer's number of units is the number of classes, "
                     "whatever hidden_size and num_layers are")
        inner = [i for i, layer in enumerate(layers[:-1], start=1)
                 if layer.units == 10 and layer.activation == "softmax"]
        if inner and hidden_size != 10:
            return self.fail(
                f"{call} has an output-like layer (10 units, softmax) at position {inner[0]} "
                f"of {len(layers)}: the output layer must come once, at the end.",
                hint="look at where the output layer is added: inside the loop over the "
                     "hidden layers it is added once per hidden layer")
        n_hidden = len(layers) - 1
        if n_hidden != num_layers:
            how = "one too many" if n_hidden == num_layers + 1 else (
                "one too few" if n_hidden == num_layers - 1 else "")
            return self.fail(
                f"{call} has {n_hidden} hidden layer(s) before the output layer, expected "
                f"{num_layers} (num_layers){': ' + how if how else ''}.",
                hint="the loop that adds the hidden layers must run exactly num_layers "
                     "times (not at all when num_layers is 0): check its range, and that no "
                     "hidden layer is added outside it")
        for i, layer in enumerate(layers[:-1], start=1):
            if layer.units != hidden_size:
                return self.fail(
                    f"hidden layer {i} of {call} has {layer.units} units, expected "
                    f"{hidden_size} (hidden_size).",
                    hint="give every hidden layer hidden_size units, not a fixed number")
            if layer.activation != "relu":
                return self.fail(
                    f"hidden layer {i} of {call} has activation {layer.activation!r}, "
                    "expected 'relu'.",
                    hint="look at the activation argument of the hidden Dense layers")
        if out.activation != "softmax":
            return self.fail(
                f"the output layer of {call} has activation {out.activation!r}, expected "
                "'softmax': 10 probabilities that add up to 1, one per digit.",
                hint="look at the activation argument of the last Dense layer")
        expected_params = mlp_param_count(hidden_size, num_layers)
        if facts.params != expected_params:  # pragma: no cover - implied by the above
            return self.fail(f"{call} has {facts.params:,} parameters, expected "
                             f"{expected_params:,}.")
        return None


def _as_int(value: Any, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CheckFailed(f"{call} returned {type(value).__name__} {value!r}, expected an int.",
                          hint="return the number of parameters, e.g. `return total`")
    if not math.isfinite(value) or value != int(value):
        raise CheckFailed(f"{call} returned {value!r}, which is not a whole number.",
                          hint="a parameter count is an int: use only +, * and // on ints")
    return int(value)


@register
class ParamCount(Check):
    id = "01.param_count"
    notebook = "01_mlp"
    points = 1
    expects = "a function param_count(hidden_size, num_layers) returning an int"

    def collect(self, param_count: Any) -> Any:
        if not callable(param_count):
            raise CheckFailed(f"expected a function param_count(hidden_size, num_layers), got "
                              f"{type(param_count).__name__}.",
                              hint="pass the function itself: "
                                   "check(\"01.param_count\", param_count)")
        out = []
        for hidden_size, num_layers in COUNT_CASES:
            call = f"param_count({hidden_size}, {num_layers})"
            out.append([hidden_size, num_layers,
                        _as_int(param_count(hidden_size, num_layers), call)])
        return out

    def judge(self, evidence: Any) -> Any:
        if [(h, n) for h, n, _ in evidence] != list(COUNT_CASES):
            return self.fail("the check did not get an answer for every case it tries.")
        for hidden_size, num_layers, got in evidence:
            expected = mlp_param_count(hidden_size, num_layers)
            if got == expected:
                continue
            call = f"param_count({hidden_size}, {num_layers})"
            message = f"{call} returned {got:,}, expected {expected:,}"
            if num_layers == 0:
                hint = ("with num_layers=0 there is no hidden layer: the 784 inputs "
                        "connect straight to the output layer")
            elif got == expected - (num_layers * hidden_size + 10):
                hint = "you seem to have left out the biases: every unit has one bias"
            elif got == expected - (hidden_size * 10 + 10):
                hint = "you seem to have left out the output layer Dense(10)"
            elif got == expected - 10:
                hint = "you seem to have left out the 10 biases of the output layer"
            elif got == expected - hidden_size * (hidden_size + 1):
                hint = ("you counted one hidden-to-hidden layer too few: there are "
                        "num_layers - 1 of them")
            else:
                hint = ("a Dense layer with n_in inputs and n_out units has n_in × n_out "
                        "weights + n_out biases; the first hidden layer has n_in = 784, the "
                        "other hidden layers n_in = hidden_size, and the output layer "
                        "n_out = 10")
            return self.fail(message + ".", hint=hint)
        return self.ok(f"your formula matches Keras on {len(evidence)} networks "
                       f"(e.g. param_count(512, 2) = {mlp_param_count(512, 2):,}).")


# --------------------------------------------------------------------------- #
# Experiments and questions
# --------------------------------------------------------------------------- #

#: The sizes notebook 01 trains its small experiments with (full profile; the quick
#: profile takes at most 2,000 training and 500 validation images).
DROPOUT_TRAIN = 6_000
VALIDATION = 5_000
DROPOUT_RATES = (0.0, 0.2, 0.5)


def _flat_scaled(x: Any) -> Any:
    return x.reshape(len(x), -1).astype("float32") / 255.0


def _dropout_split() -> tuple[Any, Any, Any, Any]:
    """The images the dropout experiment trains on and validates on, as notebook 01 cuts them."""
    from .. import profiles

    profile = profiles.current()
    (x_train, y_train), _ = loaded("mnist")
    n_small = profile.samples(DROPOUT_TRAIN)
    n_val = profile.samples(VALIDATION, quick=500)
    return (x_train[:n_small], y_train[:n_small],
            x_train[-VALIDATION:][:n_val], y_train[-VALIDATION:][:n_val])


def dropout_gaps(trained: dict[float, Any]) -> dict[float, tuple[float, float]]:
    """(training accuracy, validation accuracy) of each model, measured by the check."""
    from ._trained import accuracy_of

    x_small, y_small, x_val, y_val = _dropout_split()
    return {rate: (accuracy_of(model, x_small, y_small), accuracy_of(model, x_val, y_val))
            for rate, model in trained.items()}


@register
class TrainMLP(TrainedModelCheck):
    """``01.train_mlp``: the student's own MLP, compiled and fitted by the student.

    Thresholds, from the solution (2 × 128 ReLU MLP, RMSprop, batch 128) over seeds 0–4,
    measured on 2026-12-01 on the 2-core CI machine with real MNIST:

    - quick (2,000 training images, 3 epochs; 2,000 test images): 81.4–84.2%; one epoch
      on 200 images: 42.5%; untrained: 9.0%. Threshold 70%.
    - full (55,000 images, 10 epochs; 10,000 test images): 97.07–97.75%; one epoch on
      5,500 images: 88.0%; untrained: 9.2%. Threshold 96.5%, 3 standard errors under the
      worst seed.
    - grade (500 images, 3 epochs; 1,000 test images): 66.1–73.2%; one epoch on all 500:
      59.2%; one epoch on 125: 27.3%. Threshold 60%.
    """

    id = "01.train_mlp"
    notebook = "01_mlp"
    points = 2
    dataset = "mnist"
    min_accuracy = {"quick": 0.70, "full": 0.965, "grade": 0.60}
    advice = ("train the MLP of the exercise (hidden layers of 128 ReLU units) on all of x_fit, "
              "with the epochs the exercise gives; look at the validation curve: is it still "
              "rising at the end?")


@register
class DropoutModels(Check):
    """``01.dropout_models``: three MLPs trained with dropout 0, 0.2 and 0.5.

    In the grade profile (500 images, 2 epochs), the solution's models over seeds 0–4
    reached 68.0–79.2% on 125 validation images; one epoch on 100 images, 32%. (The grade
    profile now validates on 300; the seed test passes on them.)
    """

    id = "01.dropout_models"
    notebook = "01_mlp"
    points = 1
    expects = "a dict {0.0: model, 0.2: model, 0.5: model} of trained models"
    #: Validation accuracy each model must reach (it learned something).
    min_accuracy = {"quick": 0.60, "full": 0.90, "grade": 0.55}

    def collect(self, trained: Any) -> Any:
        import keras

        if not isinstance(trained, dict) or not trained:
            raise CheckFailed(f"expected {self.expects}, got {type(trained).__name__}"
                              f"{' (empty)' if isinstance(trained, dict) else ''}.",
                              hint="store each trained model in dropout_models[rate]")
        rates = sorted(float(r) for r in trained)
        if rates != list(DROPOUT_RATES):
            raise CheckFailed(f"dropout_models has the rates {rates}, expected "
                              f"{list(DROPOUT_RATES)}.",
                              hint="train one model for each rate of the exercise, and use the "
                                   "rate as the key")
        for rate, model in trained.items():
            if not isinstance(model, keras.Model):
                raise CheckFailed(f"dropout_models[{rate}] is a {type(model).__name__}, "
                                  "expected a trained Keras model.",
                                  hint="store the model itself, not its history")
        return {float(r): m for r, m in trained.items()}

    def judge(self, trained: Any) -> Any:
        from .. import profiles

        need = self.min_accuracy[profiles.current().name]
        gaps = dropout_gaps(trained)
        for rate, (_, val) in sorted(gaps.items()):
            if val < need:
                return self.fail(f"the model with dropout {rate:g} classifies {val:.1%} of the "
                                 f"validation images correctly; at least {need:.0%} was "
                                 "expected from a trained model.",
                                 hint="was each model compiled and fitted on the small training "
                                      "set for the exercise's epochs?")
        shown = ", ".join(f"{rate:g}: {train:.1%} → {val:.1%}" for rate, (train, val)
                          in sorted(gaps.items()))
        return self.ok(f"three trained models (training → validation accuracy, measured by the "
                       f"check: {shown}).")


def _models_answer(obj: Any) -> tuple[str, dict[float, Any]]:
    """A question about the dropout models: ``(answer, dropout_models)``."""
    if not (isinstance(obj, tuple) and len(obj) == 2):
        raise CheckFailed("expected (your answer, dropout_models).",
                          hint="keep the check cell as it was given")
    answer, trained = obj
    return answer, DropoutModels().collect(trained)


@register
class SmallestGap(Question):
    """``01.q_smallest_gap``: which dropout rate has the smallest train–validation gap?"""

    id = "01.q_smallest_gap"
    notebook = "01_mlp"
    prompt = "In your own table, which dropout rate has the smallest gap?"
    choices = {"a": "dropout 0", "b": "dropout 0.2", "c": "dropout 0.5"}
    hint = ("look at the column 'gap' of your own table: training accuracy minus validation "
            "accuracy, measured on your models")
    explanation = ("the more units dropout silences during training, the less the network can "
                   "memorise its training images, so the two accuracies move closer.")

    def collect(self, obj: Any) -> Any:
        answer, trained = _models_answer(obj)
        return {"answer": super().collect(answer), "models": trained}

    def right_answer(self, evidence: Any) -> str:
        gaps = dropout_gaps(evidence["models"])
        smallest = min(gaps, key=lambda r: gaps[r][0] - gaps[r][1])
        return "abc"[DROPOUT_RATES.index(smallest)]


@register
class DropoutNoise(Question):
    """``01.q_dropout_noise``: is dropout 0.2's validation gain bigger than the noise?"""

    id = "01.q_dropout_noise"
    notebook = "01_mlp"
    prompt = ("Is the difference in validation accuracy between dropout 0 and dropout 0.2 "
              "bigger than the noise of the measurement?")
    choices = {"a": "yes: more than twice the standard error",
               "b": "no: within twice the standard error"}
    hint = ("compute the standard error of an accuracy p measured on n images, "
            "sqrt(p(1 − p) / n), for your validation set, and compare twice it with the "
            "difference in your table")
    explanation = ("a difference smaller than about two standard errors could come from which "
                   "images happen to be in the validation set; to rank such models, repeat "
                   "with other seeds or measure on more images.")

    def collect(self, obj: Any) -> Any:
        answer, trained = _models_answer(obj)
        return {"answer": super().collect(answer), "models": trained}

    def right_answer(self, evidence: Any) -> str:
        from ._trained import binomial_se

        gaps = dropout_gaps(evidence["models"])
        without, with_02 = gaps[0.0][1], gaps[0.2][1]
        _, _, _, y_val = _dropout_split()
        noise = 2 * binomial_se((without + with_02) / 2, len(y_val))
        return "a" if abs(with_02 - without) > noise else "b"



@register
class BiggestLayer(Question):
    """``01.q_biggest_layer``: predict which layer of build_mlp(512, 2) has most parameters."""

    id = "01.q_biggest_layer"
    notebook = "01_mlp"
    prompt = "In build_mlp(512, 2), which layer has the most parameters?"
    choices = {"a": "the first hidden layer", "b": "the second hidden layer",
               "c": "the output layer"}
    answer = "a"
    hint = ("count the weights of each Dense layer: inputs × units, plus one bias per unit; "
            "how many inputs does each layer get?")
    explanation = ("784 × 512 + 512 = 401,920 parameters, against 512 × 512 + 512 = 262,656 for "
                   "the second hidden layer and 512 × 10 + 10 = 5,130 for the output layer.")


@register
class SigmoidPrediction(Question):
    """``01.q_sigmoid``: predict the sigmoid network's accuracy after one epoch of SGD."""

    id = "01.q_sigmoid"
    notebook = "01_mlp"
    prompt = ("Two hidden layers of 684 sigmoid units, plain SGD (learning rate 0.01), 6,000 "
              "images, one epoch: what validation accuracy do you expect?")
    choices = {"a": "above 90%, like the ReLU networks above", "b": "around 50%",
               "c": "hardly better than guessing (10–20%)"}
    answer = "c"
    hint = ("the sigmoid's derivative is at most 0.25, and backpropagation multiplies by it once "
            "per layer: how big are the steps of the first layer's weights?")
    explanation = ("the gradients that reach the first layer are tiny (vanishing gradients), so "
                   "after one epoch the network has hardly moved from its random start; run the "
                   "next cell to see it.")
