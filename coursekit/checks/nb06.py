"""Checks of notebook 06 (recurrent networks: images read as sequences).

- ``06.sequence_shapes``: a function ``to_rows(x)`` turning flat MNIST vectors
  (N, 784) into row sequences (N, 28, 28).
- ``06.stacked_lstm``: a function ``build_stacked_lstm(units, num_layers)``
  returning a stack of LSTMs reading 28 rows of 28 pixels, then Dense(10, softmax).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._activations import ACTIVATION_LAYERS, activation_name, layer_activation
from ._core import Check, CheckFailed, register
from ._returns import require_model

__all__ = ["SequenceShapes", "StackedLSTM"]

#: Layers that may sit anywhere in the stack without changing its meaning.
_NEUTRAL = ("InputLayer", "Dropout", "Rescaling")


def _shape(value: Any) -> tuple | None:
    """A Keras shape as a tuple (None for unknown)."""
    try:
        return tuple(None if d is None else int(d) for d in value)
    except Exception:
        return None


# --------------------------------------------------------------------------- #
# 06.sequence_shapes
# --------------------------------------------------------------------------- #

@register
class SequenceShapes(Check):
    id = "06.sequence_shapes"
    notebook = "06_rnn"
    points = 1
    expects = "a function to_rows(x) turning images of shape (N, 784) into (N, 28, 28)"

    def collect(self, to_rows: Any) -> dict[str, Any]:
        if not callable(to_rows):
            raise CheckFailed(f"expected a function to_rows(x), got {type(to_rows).__name__}",
                              hint="define it with def to_rows(x): ... and pass the function "
                                   "itself, without calling it: check(..., to_rows)")
        rng = np.random.default_rng(6)
        cases = {}
        for n in (3, 1):
            x = rng.integers(0, 256, size=(n, 784), dtype=np.uint8)
            try:
                out = to_rows(x.copy())
            except (ValueError, TypeError) as exc:
                if "reshape" not in str(exc) and "size" not in str(exc):
                    raise
                which = "3 images" if n == 3 else "a single image"
                raise CheckFailed(
                    f"to_rows(x) failed for {which}, x of shape {x.shape}: "
                    f"{str(exc).strip().splitlines()[0][:150]}",
                    hint="do not write the number of images into the code: take it from "
                         "x itself") from None
            try:
                arr = np.asarray(out)
            except Exception:
                arr = None
            if arr is None or arr.dtype == object:
                raise CheckFailed(f"to_rows returned {type(out).__name__}, not a NumPy array",
                                  hint="return a NumPy array: x with a new shape")
            cases[n] = {"x": x, "out": arr}
        return {"cases": cases}

    def judge(self, evidence: dict[str, Any]) -> Any:
        for n, case in evidence["cases"].items():
            x, out = case["x"], case["out"]
            expected = (n, 28, 28)
            if out.shape != expected:
                n_images = "3 images" if n == 3 else "a single image"
                if out.shape == (n, 784, 1):
                    return self.fail(
                        f"to_rows(x) with x of shape {x.shape} returned shape {out.shape}: that "
                        "is the pixel sequence (784 steps of 1 value), not the rows",
                        hint="each of the 28 time steps is one row of 28 pixels: (N, 28, 28)")
                if out.shape == (n, 28, 28, 1):
                    return self.fail(
                        f"to_rows(x) with x of shape {x.shape} returned shape {out.shape}: an "
                        "LSTM wants (samples, time steps, features), without a channel axis",
                        hint="reshape to (N, 28, 28): 28 time steps of 28 features")
                if out.size == x.size and n == 1:
                    return self.fail(
                        f"to_rows works for 3 images but for {n_images} (x of shape {x.shape}) "
                        f"it returned shape {out.shape}; expected {expected}",
                        hint="do not write the number of images into the code: take it "
                             "from x (its length), or let NumPy infer it")
                return self.fail(
                    f"to_rows(x) with x of shape {x.shape} returned shape {out.shape}; "
                    f"expected {expected}",
                    hint="the result has one time step per image row: (number of images, "
                         "28 rows, 28 pixels)")
            flat = x.reshape(n, 28, 28)
            if not np.array_equal(out, flat):
                if np.array_equal(out, flat.transpose(0, 2, 1)):
                    return self.fail(
                        "the shape is right but out[i, t] is column t of image i, not row t: "
                        "you read the images column by column",
                        hint="look for a transpose or swapped axes: a plain reshape keeps "
                             "the row order")
                if np.allclose(out * 255.0, flat) or np.allclose(out, flat / 255.0):
                    return self.fail(
                        "the shape and order are right but the pixel values changed (scaled by "
                        "255?)",
                        hint="to_rows only reshapes; scaling is a separate step (or a "
                             "Rescaling layer in the model)")
                return self.fail(
                    "the shape is right but out[i, t] is not row t of image i (pixels "
                    "28·t … 28·t + 27 of the flat vector)",
                    hint="the pixels must stay in reading order: look for anything that "
                         "reorders them (a transpose, swapped axes, order='F')")
        return self.ok("to_rows turns (N, 784) vectors into (N, 28, 28) sequences: "
                       "28 time steps, one image row of 28 pixels each")


# --------------------------------------------------------------------------- #
# 06.stacked_lstm
# --------------------------------------------------------------------------- #

def _describe(model: Any) -> dict[str, Any]:
    """Plain facts about a built model: shapes, layers, a forward pass."""
    import keras

    try:
        input_shape = _shape(model.input_shape)
    except Exception:
        raise CheckFailed(
            "your model has no input shape, so it is not built",
            hint="look at the start of the model: it needs its input (keras.Input, 28 "
                 "time steps of 28 features) before its first layer") from None
    layers = []
    for layer in model.layers:
        name = type(layer).__name__
        facts: dict[str, Any] = {"type": name, "name": layer.name}
        if isinstance(layer, keras.layers.LSTM):
            facts["units"] = int(layer.units)
            facts["return_sequences"] = bool(layer.return_sequences)
            try:
                facts["output_shape"] = _shape(layer.output.shape)
            except Exception:
                facts["output_shape"] = None
        elif isinstance(layer, keras.layers.Dense):
            facts["units"] = int(layer.units)
            facts["activation"] = activation_name(layer.activation)
        elif name in ACTIVATION_LAYERS:
            facts["activation"] = layer_activation(layer)
        layers.append(facts)
    output = None
    if input_shape is not None and len(input_shape) == 3 and None not in input_shape[1:]:
        x = np.random.default_rng(0).random((2, *input_shape[1:]), dtype=np.float32)
        output = np.asarray(model(x, training=False))
    return {"input_shape": input_shape, "output_shape": _shape(model.output_shape),
            "layers": layers, "output": output, "params": int(model.count_params())}


@register
class StackedLSTM(Check):
    id = "06.stacked_lstm"
    notebook = "06_rnn"
    points = 2
    expects = "a function build_stacked_lstm(units, num_layers) returning a Keras model"

    #: (units, num_layers) the function is called with.
    CALLS = ((16, 3), (8, 1))

    def collect(self, build_stacked_lstm: Any) -> dict[str, Any]:
        import keras

        if not callable(build_stacked_lstm) or isinstance(build_stacked_lstm, keras.Model):
            got = type(build_stacked_lstm).__name__
            raise CheckFailed(
                f"expected a function build_stacked_lstm(units, num_layers), got {got}",
                hint="pass the function itself: check(\"06.stacked_lstm\", build_stacked_lstm)")
        models = {}
        for units, num_layers in self.CALLS:
            try:
                model = build_stacked_lstm(units, num_layers)
            except ValueError as exc:
                if "expected ndim=3, found ndim=2" not in str(exc):
                    raise
                raise CheckFailed(
                    f"build_stacked_lstm({units}, {num_layers}) failed: an LSTM received a "
                    "vector (ndim=2) where it needs a sequence (ndim=3), because the LSTM "
                    "before it has return_sequences=False",
                    hint="look at return_sequences: every LSTM but the last must pass on "
                         "its whole sequence") from None
            require_model(model, f"build_stacked_lstm({units}, {num_layers})")
            models[f"{units},{num_layers}"] = _describe(model)
        return {"models": models}

    def judge(self, evidence: dict[str, Any]) -> Any:
        for key, facts in evidence["models"].items():
            units, num_layers = (int(v) for v in key.split(","))
            call = f"build_stacked_lstm({units}, {num_layers})"
            verdict = self._judge_one(call, units, num_layers, facts)
            if verdict is not None:
                return verdict
        return self.ok("a stack of LSTMs on (28, 28) row sequences: every LSTM but the last "
                       "returns its whole sequence, the last one a vector for Dense(10, softmax)")

    def _judge_one(self, call: str, units: int, num_layers: int, facts: dict[str, Any]):
        if facts["input_shape"] != (None, 28, 28):
            return self.fail(
                f"{call}: the input shape is {facts['input_shape']}; expected (None, 28, 28), "
                "28 time steps (rows) of 28 features (pixels)",
                hint="look at the shape given to keras.Input: (time steps, features)")
        core = [f for f in facts["layers"] if f["type"] not in _NEUTRAL]
        lstms = [f for f in core if f["type"] == "LSTM"]
        others = [f["type"] for f in core
                  if f["type"] not in ("LSTM", "Dense", *ACTIVATION_LAYERS)]
        if others:
            return self.fail(
                f"{call}: unexpected layer {others[0]}; expected only LSTM layers and a Dense "
                "output",
                hint="use keras.layers.LSTM for the recurrent layers")
        if len(lstms) != num_layers:
            return self.fail(
                f"{call}: found {len(lstms)} LSTM layer(s); expected num_layers = {num_layers}",
                hint="the loop that adds the LSTM layers must run exactly num_layers times")
        bad_units = [f["units"] for f in lstms if f["units"] != units]
        if bad_units:
            return self.fail(
                f"{call}: an LSTM has {bad_units[0]} units; expected units = {units} in every "
                "LSTM layer",
                hint="every LSTM's size must come from the function's units argument, not "
                     "a fixed number")
        if core[:num_layers] != lstms:
            return self.fail(
                f"{call}: the layers are {[f['type'] for f in core]}; expected the "
                f"{num_layers} LSTM layer(s) first, then the Dense output",
                hint="the LSTM layers come first, right after the input, and the Dense "
                     "output layer last")
        for i, f in enumerate(lstms[:-1], 1):
            if not f["return_sequences"]:
                return self.fail(
                    f"{call}: LSTM {i} of {num_layers} has return_sequences=False, so it "
                    "passes only its last output (a vector) to the next LSTM, which needs a "
                    "sequence",
                    hint="look at return_sequences: every LSTM but the last must pass on "
                         "its whole sequence")
        if lstms[-1]["return_sequences"]:
            shape = lstms[-1].get("output_shape") or f"(None, 28, {units})"
            return self.fail(
                f"{call}: the last LSTM has return_sequences=True: it outputs the whole "
                f"sequence {shape}, so the classifier would see 28 vectors instead of one",
                hint="look at return_sequences of the last LSTM: it must pass on only its "
                     "last output")
        head = core[num_layers:]
        dense = [f for f in head if f["type"] == "Dense"]
        if len(dense) != 1:
            return self.fail(
                f"{call}: found {len(dense)} Dense layer(s) after the LSTMs; expected exactly "
                "one, the output layer",
                hint="after the last LSTM the model needs exactly one Dense layer: the "
                     "output layer, one probability per digit")
        out = dense[0]
        activation = out["activation"]
        if head[-1]["type"] in ACTIVATION_LAYERS:
            activation = head[-1]["activation"]
        if out["units"] != 10:
            return self.fail(f"{call}: the output Dense layer has {out['units']} units; "
                             "expected 10, one per digit",
                             hint="the output layer has one unit per class")
        if activation != "softmax":
            return self.fail(f"{call}: the output activation is {activation!r}; expected "
                             "'softmax' (class probabilities)",
                             hint="look at the activation argument of the output Dense layer")
        if facts["output_shape"] != (None, 10):
            return self.fail(f"{call}: the model's output shape is {facts['output_shape']}; "
                             "expected (None, 10)",
                             hint="the last LSTM must return a vector, not a sequence")
        output = facts.get("output")
        if output is None or output.shape != (2, 10) or not np.allclose(output.sum(-1), 1,
                                                                        atol=1e-4):
            return self.fail(f"{call}: on two images the model did not give 10 "
                             "probabilities summing to 1 per image",
                             hint="look at the output layer's activation: it must give "
                                  "probabilities")
        return None
