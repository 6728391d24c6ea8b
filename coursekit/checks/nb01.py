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

from ._core import Check, CheckFailed, register

__all__ = ["BuildMLP", "ParamCount", "mlp_param_count"]

#: The (hidden_size, num_layers) the checks try, small so that they run in a second.
BUILD_CASES = ((16, 2), (32, 1), (8, 3), (8, 0))
COUNT_CASES = ((512, 2), (128, 1), (32, 3), (100, 0), (1, 1), (64, 4))

_ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax"}


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


def _activation_name(layer: Any) -> str:
    try:
        value = layer.get_config().get("activation", "linear")
    except Exception:  # a layer without a usable config
        return "unknown"
    if isinstance(value, dict):  # a serialised custom activation
        value = value.get("config", {}).get("name") or value.get("class_name", "unknown")
    return str(value)


def _describe_model(model: Any, call: str) -> dict[str, Any]:
    """Plain facts about a model: input shape, layers (kind, units, activation), params."""
    import keras

    if not isinstance(model, keras.Model):
        raise CheckFailed(
            f"{call} returned {type(model).__name__}, expected a Keras model.",
            hint="end your function with `return` and the keras.Sequential you built")
    try:
        input_shape = [None if d is None else int(d) for d in model.inputs[0].shape]
        params = int(model.count_params())
    except Exception:
        raise CheckFailed(
            f"the model returned by {call} is not built (Keras does not know its input "
            "shape yet).",
            hint="start the Sequential with keras.Input(shape=(784,))") from None
    layers = []
    for layer in model.layers:
        kind = type(layer).__name__
        facts: dict[str, Any] = {"kind": kind}
        if isinstance(layer, keras.layers.Dense):
            facts["units"] = int(layer.units)
            facts["activation"] = _activation_name(layer)
        elif isinstance(layer, keras.layers.Activation):
            facts["activation"] = _activation_name(layer)
        elif kind in _ACTIVATION_LAYERS:
            facts = {"kind": "Activation", "activation": _ACTIVATION_LAYERS[kind]}
        layers.append(facts)
    return {"input_shape": input_shape, "layers": layers, "params": params}


def _merge_activations(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold Dense(linear) + Activation(a) into Dense(a), as in the old Keras style."""
    merged: list[dict[str, Any]] = []
    for layer in layers:
        if (layer["kind"] == "Activation" and merged and merged[-1]["kind"] == "Dense"
                and merged[-1]["activation"] == "linear"):
            merged[-1] = {**merged[-1], "activation": layer["activation"]}
        else:
            merged.append(dict(layer))
    return merged


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
            facts = _describe_model(model, call)
            facts.update(hidden_size=hidden_size, num_layers=num_layers)
            evidence.append(facts)
        return evidence

    def judge(self, evidence: Any) -> Any:
        if [(f["hidden_size"], f["num_layers"]) for f in evidence] != list(BUILD_CASES):
            return self.fail("the check did not get a model for every case it tries.")
        for facts in evidence:
            hidden_size, num_layers = facts["hidden_size"], facts["num_layers"]
            call = _call(hidden_size, num_layers)
            shape = tuple(facts["input_shape"])
            if shape != (None, 784):
                return self.fail(
                    f"the model of {call} takes inputs of shape {shape}, expected (None, 784): "
                    "one flattened 28×28 image per row.",
                    hint="start the Sequential with keras.Input(shape=(784,))")
            layers = [layer for layer in _merge_activations(facts["layers"])
                      if layer["kind"] != "InputLayer"]
            others = [layer["kind"] for layer in layers if layer["kind"] != "Dense"]
            if others:
                return self.fail(
                    f"the model of {call} has a {others[0]} layer; this exercise asks for "
                    "Dense layers only.",
                    hint="use num_layers Dense(hidden_size, activation='relu') layers and "
                         "one Dense(10, activation='softmax') layer, nothing else")
            n_hidden = len(layers) - 1
            if n_hidden != num_layers:
                extra = " (with num_layers=0 the model is just Dense(10, softmax))" \
                    if num_layers == 0 else ""
                return self.fail(
                    f"{call} has {n_hidden} hidden Dense layer(s) before the output layer, "
                    f"expected {num_layers}{extra}.",
                    hint="add the hidden layers in a loop: for _ in range(num_layers): ...")
            for i, layer in enumerate(layers[:-1], start=1):
                if layer["units"] != hidden_size:
                    return self.fail(
                        f"hidden layer {i} of {call} has {layer['units']} units, expected "
                        f"{hidden_size} (hidden_size).",
                        hint="give every hidden layer hidden_size units, not a fixed number")
                if layer["activation"] != "relu":
                    return self.fail(
                        f"hidden layer {i} of {call} has activation {layer['activation']!r}, "
                        "expected 'relu'.",
                        hint="keras.layers.Dense(hidden_size, activation='relu')")
            out = layers[-1]
            if out["units"] != 10 or out["activation"] != "softmax":
                return self.fail(
                    f"the last layer of {call} has {out['units']} units with activation "
                    f"{out['activation']!r}, expected 10 units with 'softmax' (one probability "
                    "per digit).",
                    hint="end with keras.layers.Dense(10, activation='softmax')")
            expected = mlp_param_count(hidden_size, num_layers)
            if facts["params"] != expected:  # pragma: no cover - implied by the above
                return self.fail(f"{call} has {facts['params']:,} parameters, expected "
                                 f"{expected:,}.")
        shown = ", ".join(f"{_call(f['hidden_size'], f['num_layers'])}: {f['params']:,} params"
                          for f in evidence)
        return self.ok(f"your models have the right layers ({shown}).")


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
                hint = ("with num_layers=0 the network is input → Dense(10): "
                        "784 × 10 weights + 10 biases")
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
