"""Checks of notebook 05_regularization (dropout, L2, batch normalisation)."""

from __future__ import annotations

import math
from typing import Any

from ._activations import ACTIVATION_LAYERS
from ._core import Check, CheckFailed, register
from .nb03 import describe, get_model, model_facts

__all__ = ["CONV_FILTERS", "DENSE_UNITS", "RegularizedCNN"]

#: The plain CNN of the lesson (notebook 04's best network without dropout):
#: Conv2D(16, 4×4) → pool → Conv2D(32, 4×4) → pool → Flatten → Dense(100) → Dense(10).
CONV_FILTERS = (16, 32)
DENSE_UNITS = 100
_DEFAULTS = {"l2": 5e-4, "dropout": 0.5}
_OTHER = {"l2": 1e-3, "dropout": 0.25}  # a second call: are the arguments used?

_POOLS = ("MaxPooling2D", "AveragePooling2D")


def _l2_of(f: dict[str, Any]) -> float | None:
    """The L2 factor of a layer's kernel regularizer (None if it has none or L1)."""
    reg = f.get("regularizer")
    if not reg or reg.get("l2") is None or (reg.get("l1") or 0.0) != 0.0:
        return None
    return float(reg["l2"])


def _blocks(layers: list[dict[str, Any]]) -> tuple[list[list[dict]], list[dict]]:
    """Split the layers into conv blocks (each ends at a pooling) and the dense part."""
    blocks: list[list[dict]] = []
    current: list[dict] = []
    rest: list[dict] = []
    seen_flatten = False
    for f in layers:
        if seen_flatten:
            rest.append(f)
        elif f["type"] in ("Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            seen_flatten = True
            if current:
                blocks.append(current)
            current = []
            rest.append(f)
        else:
            current.append(f)
            if f["type"] in _POOLS:
                blocks.append(current)
                current = []
    if current:
        blocks.append(current)
    return blocks, rest


def _judge_model(ev: dict[str, Any], l2: float, dropout: float, call: str) -> tuple[str, str]:
    """Return ("", "") if the model is right, else (message, hint)."""
    if ev["input_shape"] != [28, 28, 1]:
        return (f"{call} has input shape {tuple(ev['input_shape'])}, expected (28, 28, 1).",
                "keep the input and the Rescaling layer of the plain CNN as they were")
    layers = [f for f in ev["layers"] if f["type"] != "Rescaling"]
    found = " → ".join(describe(f) for f in layers)
    convs = [f for f in layers if f["type"] == "Conv2D"]
    denses = [f for f in layers if f["type"] == "Dense"]
    if [c["filters"] for c in convs] != list(CONV_FILTERS):
        return (f"{call} has convolutions with {[c['filters'] for c in convs]} filters, "
                f"expected {list(CONV_FILTERS)} as in the plain CNN.",
                "keep the plain CNN's layers; only add regularization")
    if [d["units"] for d in denses] != [DENSE_UNITS, 10]:
        return (f"{call} has Dense layers with {[d['units'] for d in denses]} units, expected "
                f"[{DENSE_UNITS}, 10] as in the plain CNN.",
                "keep the plain CNN's layers; only add regularization")
    blocks, rest = _blocks(layers)
    if not rest or rest[0]["type"] != "Flatten":
        return (f"{call}: expected a Flatten layer after the convolution blocks; found: "
                f"{found}.", "keep the Flatten layer of the plain CNN")
    conv_blocks = [b for b in blocks if any(f["type"] == "Conv2D" for f in b)]
    if len(conv_blocks) != len(CONV_FILTERS) or any(b[-1]["type"] not in _POOLS
                                                    for b in conv_blocks):
        return (f"{call}: expected {len(CONV_FILTERS)} blocks Conv2D → … → MaxPooling2D; "
                f"found: {found}.", "keep one MaxPooling2D after each convolution")
    # 1. batch normalisation after each convolution, before the pooling, with a relu
    for i, block in enumerate(conv_blocks, start=1):
        types = [f["type"] for f in block]
        conv_at = types.index("Conv2D")
        if "BatchNormalization" not in types[conv_at + 1:]:
            return (f"{call}: convolution block {i} has no BatchNormalization between its "
                    f"Conv2D and its pooling; found: {' → '.join(describe(f) for f in block)}.",
                    "look between this block's convolution and its pooling: batch "
                    "normalisation normalises the convolution's output, before the relu")
        acts = [block[conv_at].get("activation")] + [
            f.get("activation") for f in block if f["type"] in ACTIVATION_LAYERS]
        if "relu" not in acts:
            return (f"{call}: convolution block {i} has no relu activation.",
                    "the block's relu now comes after its BatchNormalization: look for it "
                    "there")
    # 2. batch normalisation after the hidden Dense layer
    hidden_at = next(i for i, f in enumerate(rest) if f["type"] == "Dense")
    output_at = max(i for i, f in enumerate(rest) if f["type"] == "Dense")
    between = rest[hidden_at + 1:output_at]
    if "BatchNormalization" not in [f["type"] for f in between]:
        return (f"{call}: no BatchNormalization after the hidden Dense({DENSE_UNITS}) layer; "
                f"found after Flatten: {' → '.join(describe(f) for f in rest)}.",
                f"look right after the hidden Dense({DENSE_UNITS}) layer: batch normalisation "
                "goes between it and its relu")
    hidden_acts = [rest[hidden_at].get("activation")] + [
        f.get("activation") for f in between if f["type"] in ACTIVATION_LAYERS]
    if "relu" not in hidden_acts:
        return (f"{call}: the hidden Dense({DENSE_UNITS}) layer has no relu activation.",
                "the hidden layer's relu now comes after its BatchNormalization: look for it "
                "there")
    # 3. dropout after Flatten (right after it, or before the output layer)
    drops = [f for f in rest[:output_at] if f["type"] == "Dropout"]
    if not drops:
        where = [describe(f) for f in layers if f["type"] == "Dropout"]
        extra = f" (found {', '.join(where)} before Flatten)" if where else ""
        return (f"{call}: no Dropout between Flatten and the output layer{extra}.",
                "look at the layers after Flatten: the dropout goes there, before the "
                "output layer")
    if not math.isclose(drops[-1]["rate"], dropout, rel_tol=1e-6):
        return (f"{call}: the Dropout rate is {drops[-1]['rate']:g}, expected {dropout:g} "
                "(the function's dropout argument).",
                "the rate must come from the function's dropout argument, not a fixed "
                "number")
    # 4. an L2 penalty on every kernel
    for f in convs + denses:
        got = _l2_of(f)
        if got is None:
            reg = f.get("regularizer")
            what = "no kernel_regularizer" if not reg else f"a {reg['kind']} regularizer"
            return (f"{call}: {describe(f)} has {what}; expected an L2 penalty of {l2:g} "
                    "on its kernel.",
                    "look at the kernel_regularizer of every Conv2D and Dense layer (the "
                    "output layer too)")
        if not math.isclose(got, l2, rel_tol=1e-5):
            return (f"{call}: {describe(f)} has L2({got:g}), expected L2({l2:g}) "
                    "(the function's l2 argument).",
                    "the L2 factor must come from the function's l2 argument, not a fixed "
                    "number")
    if denses[-1].get("activation") != "softmax" and not (
            rest[-1]["type"] in ACTIVATION_LAYERS and rest[-1].get("activation")
            == "softmax"):
        return (f"{call}: the output layer's activation is "
                f"{denses[-1].get('activation') or 'none'}, expected softmax.",
                "look at the activation of the output layer: it gives class probabilities")
    return "", ""


@register
class RegularizedCNN(Check):
    id = "05.regularized_cnn"
    notebook = "05_regularization"
    points = 2
    expects = "a function build_regularized_cnn(l2=5e-4, dropout=0.5) returning a Keras model"

    def collect(self, build_regularized_cnn: Any) -> dict[str, Any]:
        import keras

        if isinstance(build_regularized_cnn, keras.Model) or not callable(build_regularized_cnn):
            raise CheckFailed(
                f"expected a function build_regularized_cnn(l2, dropout), got "
                f"{type(build_regularized_cnn).__name__}.",
                hint="pass the function itself: check('05.regularized_cnn', "
                     "build_regularized_cnn)")
        name = "build_regularized_cnn()"
        default = model_facts(get_model(build_regularized_cnn, name), name=name)
        other = model_facts(get_model(build_regularized_cnn, name, **_OTHER), name=name)
        return {"default": default, "other": other}

    def judge(self, evidence: dict[str, Any]) -> Any:
        message, hint = _judge_model(evidence["default"], _DEFAULTS["l2"],
                                     _DEFAULTS["dropout"], "build_regularized_cnn()")
        if message:
            return self.fail(message, hint)
        message, hint = _judge_model(evidence["other"], _OTHER["l2"], _OTHER["dropout"],
                                     "build_regularized_cnn(l2=0.001, dropout=0.25)")
        if message:
            return self.fail(message, hint + " (are the arguments l2 and dropout used?)")
        n_bn = sum(f["type"] == "BatchNormalization" for f in evidence["default"]["layers"])
        return self.ok(f"batch normalisation after each convolution and the hidden layer "
                       f"({n_bn} BatchNormalization layers), L2 on every kernel, dropout after "
                       "Flatten; the arguments l2 and dropout are used.")
