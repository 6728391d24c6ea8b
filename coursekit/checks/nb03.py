"""Checks of notebook 03_cnn (convolutional networks)."""

from __future__ import annotations

import contextlib
from typing import Any

from ._activations import ACTIVATION_LAYERS, activation_name, layer_activation, merge_activations
from ._core import Check, CheckFailed, register
from ._returns import require_model

__all__ = ["SimpleCNN", "layer_facts"]


# --------------------------------------------------------------------------- #
# Model facts (shared with nb05): plain data describing a model's layers
# --------------------------------------------------------------------------- #

def _regularizer_facts(reg: Any) -> dict[str, Any] | None:
    if reg is None:
        return None
    facts: dict[str, Any] = {"kind": type(reg).__name__}
    for attr in ("l1", "l2"):
        value = getattr(reg, attr, None)
        if value is not None:
            with contextlib.suppress(TypeError, ValueError):
                facts[attr] = float(value)
    return facts


def layer_facts(model: Any) -> list[dict[str, Any]]:
    """One dict of plain facts per layer of a Keras model (InputLayer excluded)."""
    import keras

    facts = []
    for layer in model.layers:
        kind = type(layer).__name__
        if isinstance(layer, keras.layers.InputLayer):
            continue
        f: dict[str, Any] = {"type": kind, "name": layer.name}
        if isinstance(layer, keras.layers.Conv2D):
            f.update(filters=int(layer.filters), kernel_size=[int(k) for k in layer.kernel_size],
                     strides=[int(s) for s in layer.strides], padding=str(layer.padding))
        if isinstance(layer, keras.layers.Dense):
            f.update(units=int(layer.units))
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            f.update(activation=activation_name(layer.activation),
                     use_bias=bool(layer.use_bias),
                     regularizer=_regularizer_facts(layer.kernel_regularizer))
        elif kind in ACTIVATION_LAYERS:
            f.update(activation=layer_activation(layer))
        elif isinstance(layer, keras.layers.Dropout):
            f.update(rate=float(layer.rate))
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            f.update(pool_size=[int(p) for p in layer.pool_size])
        facts.append(f)
    return facts


def model_facts(obj: Any, *, name: str) -> dict[str, Any]:
    """Evidence about a model: its layers, input shape and parameter count.

    Raises CheckFailed (with a hint) if ``obj`` is not a built Keras model.
    """
    require_model(obj, name)
    if not [layer for layer in obj.layers if type(layer).__name__ != "InputLayer"]:
        raise CheckFailed(f"{name} returned a model with no layers, only an input.",
                          hint="look at where the layers are added: none of them reached "
                               "the model (a Sequential's list, or model.add)")
    try:
        inputs = obj.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise CheckFailed("the model has no input shape yet (it is not built).",
                          hint="look at the start of the model: it needs its input "
                               "(keras.Input, one 28×28×1 image) before its first layer")
    shape = [None if d is None else int(d) for d in inputs[0].shape[1:]]
    return {"input_shape": shape, "layers": layer_facts(obj),
            "params": int(obj.count_params())}


def describe(f: dict[str, Any]) -> str:
    """A short, readable name for a layer's facts: ``Conv2D(12, 3×3, relu)``."""
    kind = f["type"]
    if kind == "Conv2D":
        k = "×".join(map(str, f["kernel_size"]))
        return f"Conv2D({f['filters']}, {k}, {f.get('activation') or 'linear'})"
    if kind == "Dense":
        return f"Dense({f['units']}, {f.get('activation') or 'linear'})"
    if kind == "Dropout":
        return f"Dropout({f['rate']:g})"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return f"{kind}({'×'.join(map(str, f['pool_size']))})"
    if kind in ACTIVATION_LAYERS:
        return f"{kind}({f.get('activation')})"
    return kind


def get_model(obj: Any, func_name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``obj`` (a function) to get a model; accept a model directly too."""
    import keras

    if isinstance(obj, keras.Model):
        return obj
    if not callable(obj):
        raise CheckFailed(f"expected a function {func_name}() returning a Keras model, got "
                          f"{type(obj).__name__}.",
                          hint=f"pass the function itself: check(..., {func_name})")
    return obj(*args, **kwargs)


# --------------------------------------------------------------------------- #
# 03.simple_cnn
# --------------------------------------------------------------------------- #

@register
class SimpleCNN(Check):
    id = "03.simple_cnn"
    notebook = "03_cnn"
    points = 2
    expects = "a function build_simple_cnn() returning a Keras model"

    def collect(self, build_simple_cnn: Any) -> dict[str, Any]:
        model = get_model(build_simple_cnn, "build_simple_cnn")
        return model_facts(model, name="build_simple_cnn()")

    def judge(self, evidence: dict[str, Any]) -> Any:
        shape = evidence["input_shape"]
        if shape != [28, 28, 1]:
            return self.fail(f"the model's input shape is {tuple(shape)}, expected (28, 28, 1).",
                             hint="look at the shape given to keras.Input: 28×28 pixels, "
                                  "1 channel")
        layers = [f for f in merge_activations(evidence["layers"]) if f["type"] != "Rescaling"]
        found = " → ".join(describe(f) for f in layers) or "no layers"
        types = [f["type"] for f in layers]
        if not types or types[0] != "Conv2D":
            return self.fail(f"the first layer should be a Conv2D layer; found: {found}.",
                             hint="the convolution comes first, right after the model's "
                                  "input")
        conv = layers[0]
        if conv["filters"] != 12:
            return self.fail(f"the convolution has {conv['filters']} filters, expected 12.",
                             hint="the first argument of Conv2D is the number of filters")
        if conv["kernel_size"] != [3, 3]:
            k = "×".join(map(str, conv["kernel_size"]))
            return self.fail(f"the kernel is {k}, expected 3×3.",
                             hint="look at Conv2D's kernel_size (its second argument)")
        if conv["strides"] != [1, 1]:
            return self.fail(f"the convolution has strides {tuple(conv['strides'])}, "
                             "expected the default 1.",
                             hint="leave strides at its default (1)")
        if conv["padding"] != "valid":
            return self.fail(f"the convolution uses padding='{conv['padding']}', expected "
                             "the default 'valid' (a 26×26 output).",
                             hint="look at Conv2D's padding argument: this exercise counts "
                                  "the 26×26×12 outputs of a 'valid' convolution")
        if conv.get("activation") != "relu":
            return self.fail(f"the convolution's activation is "
                             f"{conv.get('activation') or 'none'}, expected relu.",
                             hint="look at the convolution's activation argument")
        if len(types) < 2 or types[1] != "Flatten":
            return self.fail(f"expected a Flatten layer right after the convolution; "
                             f"found: {found}.",
                             hint="a Dense layer needs a vector: a Flatten layer goes "
                                  "between the convolution and the Dense layer")
        if len(types) < 3 or types[2] != "Dense":
            return self.fail(f"the output layer is missing: expected a Dense output layer "
                             f"after Flatten; found: {found}.",
                             hint="after Flatten the model needs its output layer: one "
                                  "probability per digit")
        if len(layers) > 3:
            extra = ", ".join(describe(f) for f in layers[3:])
            return self.fail(f"expected exactly three layers, Conv2D → Flatten → Dense(10), "
                             f"but found: {found} (extra: {extra}).",
                             hint="no hidden Dense layer and no Dropout here: the Dense layer "
                                  "right after Flatten is the output layer")
        dense = layers[2]
        if dense["units"] != 10:
            return self.fail(f"the output layer has {dense['units']} units, expected 10 "
                             "(one per digit).",
                             hint="the output layer has one unit per class")
        if dense.get("activation") != "softmax":
            return self.fail(f"the output layer's activation is "
                             f"{dense.get('activation') or 'none'}, expected softmax.",
                             hint="softmax turns the 10 outputs into class probabilities")
        if evidence["params"] != 81_250:
            return self.fail(f"the model has {evidence['params']:,} parameters, expected "
                             "81,250 (120 in the convolution, 81,130 in the Dense layer).",
                             hint="keep the default use_bias=True in both layers")
        return self.ok("Conv2D(12, 3×3, relu) → Flatten → Dense(10, softmax) on 28×28×1 "
                       "images, 81,250 parameters.")
