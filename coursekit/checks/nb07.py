"""Checks of notebook 07 (CIFAR-10: colour images, a CNN, data augmentation).

- ``07.cifar_cnn``: a function ``build_cifar_cnn()`` returning the TensorFlow
  tutorials' CIFAR-10 CNN, written layer by layer.
- ``07.augmentation``: a function ``build_augmentation()`` returning a
  ``keras.Sequential`` of random preprocessing layers with a horizontal flip and a
  translation (and optionally a gentle rotation, zoom, contrast or brightness change).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._activations import ACTIVATION_LAYERS, activation_name, layer_activation, merge_activations
from ._core import Check, CheckFailed, register
from ._returns import require_model

__all__ = ["Augmentation", "CifarCNN"]


def _shape(value: Any) -> tuple | None:
    try:
        return tuple(None if d is None else int(d) for d in value)
    except Exception:
        return None


# --------------------------------------------------------------------------- #
# 07.cifar_cnn
# --------------------------------------------------------------------------- #

#: The tutorials' CIFAR-10 CNN: (layer type, filters or units, activation).
CIFAR_CNN = (
    ("Conv2D", 32, "relu"),
    ("MaxPooling2D", None, None),
    ("Conv2D", 64, "relu"),
    ("MaxPooling2D", None, None),
    ("Conv2D", 64, "relu"),
    ("Flatten", None, None),
    ("Dense", 64, "relu"),
    ("Dense", 10, "softmax"),
)
CIFAR_CNN_PARAMS = 122_570
_COMPARE = "compare your layers, in order, with the list in the exercise's instructions"
_CNN_TEXT = ("Conv2D(32) → MaxPooling2D → Conv2D(64) → MaxPooling2D → Conv2D(64) → Flatten → "
             "Dense(64) → Dense(10, softmax)")


@register
class CifarCNN(Check):
    id = "07.cifar_cnn"
    notebook = "07_cifar10"
    points = 2
    expects = "a function build_cifar_cnn() returning a Keras model"

    def collect(self, build_cifar_cnn: Any) -> dict[str, Any]:
        import keras

        if not callable(build_cifar_cnn) or isinstance(build_cifar_cnn, keras.Model):
            raise CheckFailed(
                f"expected a function build_cifar_cnn(), got {type(build_cifar_cnn).__name__}",
                hint="pass the function itself: check(\"07.cifar_cnn\", build_cifar_cnn)")
        try:
            model = build_cifar_cnn()
        except ValueError as exc:
            if "output size would be zero or negative" not in str(exc):
                raise
            raise CheckFailed(
                "build_cifar_cnn() failed: the feature maps became smaller than a 3×3 kernel "
                "before the last convolution",
                hint="the sizes go 32 → 30 → 15 → 13 → 6 → 4 with 3×3 convolutions (valid "
                     "padding) and MaxPooling2D(2)") from None
        require_model(model, "build_cifar_cnn()")
        try:
            input_shape = _shape(model.input_shape)
        except Exception:
            raise CheckFailed("your model has no input shape, so it is not built",
                              hint="look at the start of the model: it needs its input "
                                   "(keras.Input, one 32×32 colour image) before its first "
                                   "layer") from None
        layers = []
        for layer in model.layers:
            facts: dict[str, Any] = {"type": type(layer).__name__}
            if isinstance(layer, keras.layers.Conv2D):
                facts.update(size=int(layer.filters), activation=activation_name(layer.activation),
                             kernel=_shape(layer.kernel_size), padding=str(layer.padding))
            elif isinstance(layer, keras.layers.Dense):
                facts.update(size=int(layer.units), activation=activation_name(layer.activation))
            elif facts["type"] in ACTIVATION_LAYERS:
                facts.update(activation=layer_activation(layer))
            elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
                facts.update(pool=_shape(layer.pool_size))
            layers.append(facts)
        return {"input_shape": input_shape, "output_shape": _shape(model.output_shape),
                "layers": layers, "params": int(model.count_params())}

    def judge(self, evidence: dict[str, Any]) -> Any:
        if evidence["input_shape"] != (None, 32, 32, 3):
            return self.fail(f"the input shape is {evidence['input_shape']}; expected "
                             "(None, 32, 32, 3): 32×32 pixels, 3 colour channels",
                             hint="look at the shape given to keras.Input")
        layers = [f for f in merge_activations(evidence["layers"])
                  if f["type"] not in ("InputLayer", "Rescaling")]
        types = [f["type"] for f in layers]
        expected_types = [t for t, _, _ in CIFAR_CNN]
        if types != expected_types:
            for i, (got, want) in enumerate(zip(types, expected_types, strict=False), 1):
                if got != want:
                    return self.fail(f"layer {i} is {got}; expected {want}. Your layers: "
                                     f"{', '.join(types)}",
                                     hint=_COMPARE)
            more = "more" if len(types) > len(expected_types) else "fewer"
            return self.fail(f"your model has {len(types)} layers, {more} than the "
                             f"{len(expected_types)} expected. Your layers: {', '.join(types)}",
                             hint=_COMPARE)
        for i, (facts, (kind, size, act)) in enumerate(zip(layers, CIFAR_CNN, strict=True), 1):
            what = "filters" if kind == "Conv2D" else "units"
            if size is not None and facts["size"] != size:
                return self.fail(f"layer {i} ({kind}) has {facts['size']} {what}; expected "
                                 f"{size}",
                                 hint=f"look at the first argument of layer {i} (its number "
                                      f"of {what})")
            if act is not None and facts["activation"] != act:
                return self.fail(f"layer {i} ({kind}({size})) has activation "
                                 f"{facts['activation']!r}; expected {act!r}",
                                 hint=f"look at the activation argument of layer {i}")
            if kind == "Conv2D" and facts["kernel"] != (3, 3):
                return self.fail(f"layer {i} (Conv2D) has a {facts['kernel']} kernel; "
                                 "expected 3×3",
                                 hint=f"look at the kernel size (second argument) of layer {i}")
            if kind == "Conv2D" and facts["padding"] != "valid":
                return self.fail(f"layer {i} (Conv2D) has padding={facts['padding']!r}; the "
                                 "tutorials' CNN uses the default 'valid' padding",
                                 hint="leave out the padding argument")
            if kind == "MaxPooling2D" and facts["pool"] != (2, 2):
                return self.fail(f"layer {i} (MaxPooling2D) pools {facts['pool']}; expected "
                                 "2×2", hint=f"look at the pool_size of layer {i}")
        if evidence["params"] != CIFAR_CNN_PARAMS:
            return self.fail(f"the model has {evidence['params']:,} parameters; the tutorials' "
                             f"CNN has {CIFAR_CNN_PARAMS:,}",
                             hint="compare model.summary() with the architecture in the "
                                  "exercise's instructions")
        return self.ok(f"the tutorials' CIFAR-10 CNN, {CIFAR_CNN_PARAMS:,} parameters: "
                       f"{_CNN_TEXT}")


# --------------------------------------------------------------------------- #
# 07.augmentation
# --------------------------------------------------------------------------- #

#: Random geometric transforms that keep a CIFAR-10 image a plausible photo,
#: with the largest factor accepted (a fraction of the size, or of a full turn).
GEOMETRIC = {"RandomTranslation": 0.25, "RandomRotation": 0.15, "RandomZoom": 0.35}
#: Other random layers that are the identity at inference and keep the shape.
PHOTOMETRIC = ("RandomContrast", "RandomBrightness")
_FACTOR_KEYS = {"RandomTranslation": ("height_factor", "width_factor"),
                "RandomRotation": ("factor",),
                "RandomZoom": ("height_factor", "width_factor")}


def _max_abs(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, (list, tuple)):
        return max((_max_abs(v) for v in value), default=0.0)
    return abs(float(value))


@register
class Augmentation(Check):
    id = "07.augmentation"
    notebook = "07_cifar10"
    points = 2
    expects = "a function build_augmentation() returning a keras.Sequential"

    N_IMAGES = 16

    def collect(self, build_augmentation: Any) -> dict[str, Any]:
        import keras

        if not callable(build_augmentation) or isinstance(build_augmentation, keras.Layer):
            raise CheckFailed(
                "expected a function build_augmentation(), got "
                f"{type(build_augmentation).__name__}",
                hint="pass the function itself: check(\"07.augmentation\", build_augmentation)")
        pipeline = build_augmentation()
        if not isinstance(pipeline, keras.Sequential):
            raise CheckFailed(f"build_augmentation() returned {type(pipeline).__name__}; "
                              "expected a keras.Sequential of preprocessing layers",
                              hint="return a keras.Sequential holding the random layers")
        layers = []
        for layer in pipeline.layers:
            facts: dict[str, Any] = {"type": type(layer).__name__}
            config = layer.get_config()
            if facts["type"] == "RandomFlip":
                facts["mode"] = str(config.get("mode"))
            for key in _FACTOR_KEYS.get(facts["type"], ()):
                facts[key] = _max_abs(config.get(key))
            layers.append(facts)
        rng = np.random.default_rng(7)
        x = rng.integers(0, 256, size=(self.N_IMAGES, 32, 32, 3)).astype("float32")
        evidence: dict[str, Any] = {"layers": layers, "shape_in": x.shape}
        if not layers:
            return evidence
        inference = np.asarray(pipeline(x, training=False))
        evidence["inference_shape"] = inference.shape
        evidence["inference_max_diff"] = (float(np.max(np.abs(inference - x)))
                                          if inference.shape == x.shape else None)
        changed = 0.0
        for _ in range(3):  # random layers may, by chance, leave every image as it was
            training = np.asarray(pipeline(x, training=True))
            evidence["training_shape"] = training.shape
            if training.shape != x.shape:
                break
            diff = np.abs(training - x).reshape(len(x), -1).max(axis=1)
            changed = float(np.mean(diff > 1e-3))
            if changed > 0:
                break
        evidence["training_changed"] = changed
        return evidence

    def judge(self, evidence: dict[str, Any]) -> Any:
        layers = evidence["layers"]
        types = [f["type"] for f in layers]
        if not layers:
            return self.fail("the Sequential is empty",
                             hint="the random augmentation layers go into the Sequential's "
                                  "list")
        allowed = {"RandomFlip", *GEOMETRIC, *PHOTOMETRIC, "InputLayer"}
        strangers = [t for t in types if t not in allowed]
        if strangers:
            return self.fail(
                f"{strangers[0]} is not a random augmentation layer; found the layers "
                f"{', '.join(types)}",
                hint="use only RandomFlip, RandomTranslation, RandomRotation, RandomZoom "
                     "(and optionally RandomContrast/RandomBrightness); the model adds the rest")
        flips = [f for f in layers if f["type"] == "RandomFlip"]
        if not flips:
            return self.fail(f"no RandomFlip layer; found {', '.join(types)}",
                             hint="a random flip is missing: a mirrored cat is still a cat")
        mode = flips[0]["mode"]
        if mode != "horizontal":
            why = ("vertical flips turn ships and trucks upside down, which never happens in "
                   "the test photos" if "vertical" in mode else "")
            return self.fail(f"RandomFlip has mode={mode!r}; expected 'horizontal'"
                             + (f": {why}" if why else ""),
                             hint="look at RandomFlip's mode argument")
        if "RandomTranslation" not in types:
            return self.fail(f"no RandomTranslation layer: found {', '.join(types)}",
                             hint="a random shift is missing: a cat moved a few pixels is "
                                  "still a cat")
        geometric = [f for f in layers if f["type"] in GEOMETRIC]
        for f in geometric:
            limit = GEOMETRIC[f["type"]]
            for key in _FACTOR_KEYS[f["type"]]:
                if f[key] > limit:
                    unit = ("of a full turn" if f["type"] == "RandomRotation"
                            else "of the image size")
                    return self.fail(
                        f"{f['type']} has {key}={f[key]:g}, {f[key]:.0%} {unit}: too strong, "
                        "the images would no longer look like the test photos",
                        hint=f"keep {f['type']} gentle: a factor of {limit:g} or less "
                             "(0.05–0.1 is typical)")
        if evidence.get("inference_shape") != evidence["shape_in"]:
            return self.fail(f"in inference mode, images of shape {evidence['shape_in']} came "
                             f"out with shape {evidence.get('inference_shape')}",
                             hint="augmentation must keep the shape (32, 32, 3)")
        if evidence.get("training_shape") != evidence["shape_in"]:
            return self.fail(f"in training mode, images of shape {evidence['shape_in']} came "
                             f"out with shape {evidence.get('training_shape')}",
                             hint="augmentation must keep the shape (32, 32, 3)")
        diff = evidence.get("inference_max_diff")
        if diff is None or diff > 1e-3:
            return self.fail(f"in inference mode (training=False) the pipeline changed the "
                             f"images (by up to {diff:g} on a 0–255 scale); it must pass "
                             "them through unchanged",
                             hint="use only the Random* layers: they are the identity outside "
                                  "training")
        if evidence.get("training_changed", 0.0) == 0:
            return self.fail(f"in training mode (training=True) none of {self.N_IMAGES} "
                             "images was changed, three times in a row",
                             hint="check the factors: a factor of 0 makes a layer do nothing")
        return self.ok(f"{' → '.join(types)}: the images keep their shape (32, 32, 3), come "
                       "through unchanged at inference, and are randomly changed in training")
