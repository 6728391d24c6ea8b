"""Checks of notebook 03_cnn (convolutional networks)."""

from __future__ import annotations

from typing import Any, ClassVar

from ._core import Check, CheckFailed, register
from ._facts import LayerFacts, ModelFacts, describe, merge_activations, model_facts
from ._question import NumberQuestion, Question
from ._returns import require_model

__all__ = ["SimpleCNN", "built_facts"]


# --------------------------------------------------------------------------- #
# A built model's facts (shared with nb05)
# --------------------------------------------------------------------------- #

def built_facts(obj: Any, *, name: str) -> dict[str, Any]:
    """The facts (:mod:`._facts`) of a built Keras model, as stored evidence.

    Raises CheckFailed (with a hint) if ``obj`` is not a built Keras model.
    """
    require_model(obj, name)
    facts = model_facts(obj)
    if not [layer for layer in facts.layers if layer.class_name != "InputLayer"]:
        raise CheckFailed(f"{name} returned a model with no layers, only an input.",
                          hint="look at where the layers are added: none of them reached "
                               "the model (a Sequential's list, or model.add)")
    if facts.input_shape is None:
        raise CheckFailed("the model has no input shape yet (it is not built).",
                          hint="look at the start of the model: it needs its input "
                               "(keras.Input, one 28×28×1 image) before its first layer")
    return facts.to_dict()


def without_inputs(facts: ModelFacts) -> list[LayerFacts]:
    """The model's layers but its InputLayer."""
    return [f for f in facts.layers if f.class_name != "InputLayer"]


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
        return built_facts(model, name="build_simple_cnn()")

    def judge(self, evidence: dict[str, Any]) -> Any:
        facts = ModelFacts.from_dict(evidence)
        shape = (facts.input_shape or ())[1:]
        if shape != (28, 28, 1):
            return self.fail(f"the model's input shape is {tuple(shape)}, expected (28, 28, 1).",
                             hint="look at the shape given to keras.Input: 28×28 pixels, "
                                  "1 channel")
        layers = [f for f in merge_activations(without_inputs(facts))
                  if f.class_name != "Rescaling"]
        found = " → ".join(describe(f) for f in layers) or "no layers"
        types = [f.class_name for f in layers]
        if not types or types[0] != "Conv2D":
            return self.fail(f"the first layer should be a Conv2D layer; found: {found}.",
                             hint="the convolution comes first, right after the model's "
                                  "input")
        conv = layers[0]
        if conv.filters != 12:
            return self.fail(f"the convolution has {conv.filters} filters, expected 12.",
                             hint="the first argument of Conv2D is the number of filters")
        if conv.kernel_size != (3, 3):
            k = "×".join(map(str, conv.kernel_size))
            return self.fail(f"the kernel is {k}, expected 3×3.",
                             hint="look at Conv2D's kernel_size (its second argument)")
        if conv.strides != (1, 1):
            return self.fail(f"the convolution has strides {tuple(conv.strides)}, "
                             "expected the default 1.",
                             hint="leave strides at its default (1)")
        if conv.padding != "valid":
            return self.fail(f"the convolution uses padding='{conv.padding}', expected "
                             "the default 'valid' (a 26×26 output).",
                             hint="look at Conv2D's padding argument: this exercise counts "
                                  "the 26×26×12 outputs of a 'valid' convolution")
        if conv.activation != "relu":
            return self.fail(f"the convolution's activation is "
                             f"{conv.activation or 'none'}, expected relu.",
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
        if dense.units != 10:
            return self.fail(f"the output layer has {dense.units} units, expected 10 "
                             "(one per digit).",
                             hint="the output layer has one unit per class")
        if dense.activation != "softmax":
            return self.fail(f"the output layer's activation is "
                             f"{dense.activation or 'none'}, expected softmax.",
                             hint="softmax turns the 10 outputs into class probabilities")
        if facts.params != 81_250:
            return self.fail(f"the model has {facts.params:,} parameters, expected "
                             "81,250 (120 in the convolution, 81,130 in the Dense layer).",
                             hint="keep the default use_bias=True in both layers")
        return self.ok("Conv2D(12, 3×3, relu) → Flatten → Dense(10, softmax) on 28×28×1 "
                       "images, 81,250 parameters.")


# --------------------------------------------------------------------------- #
# Experiment: a CNN and an MLP on shuffled pixels (03.shuffle_models, 03.q_shuffle)
# --------------------------------------------------------------------------- #

#: The seed of notebook 03's one fixed pixel permutation:
#: ``np.random.default_rng(PERMUTATION_SEED).permutation(28 * 28)``.
PERMUTATION_SEED = 0
#: The four models of the experiment, in the order they are reported.
SHUFFLE_KEYS = ("mlp", "mlp_shuffled", "cnn", "cnn_shuffled")
_SHUFFLE_EXPECTS = ("a dict {'mlp': model, 'mlp_shuffled': model, 'cnn': model, "
                    "'cnn_shuffled': model} of trained models")


def pixel_permutation() -> Any:
    """The notebook's fixed permutation of the 784 pixel positions.

    >>> pixel_permutation()[:5]
    array([318,   2, 606, 446, 758])
    """
    import numpy as np

    return np.random.default_rng(PERMUTATION_SEED).permutation(28 * 28)


def shuffle_pixels(x: Any) -> Any:
    """Images ``x`` of shape (N, 28, 28) or (N, 28, 28, 1), each with its pixels shuffled.

    Every image gets the same permutation (:func:`pixel_permutation`), as in notebook 03.

    >>> import numpy as np
    >>> x = np.arange(2 * 784).reshape(2, 28, 28)
    >>> shuffle_pixels(x).shape, bool(np.array_equal(np.sort(shuffle_pixels(x)[1], None),
    ...                                              np.sort(x[1], None)))
    ((2, 28, 28), True)
    """
    return x.reshape(len(x), -1)[:, pixel_permutation()].reshape(x.shape)


def _has_conv(model: Any) -> bool:
    """Whether a model (or a model nested in it) has a convolution layer."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            return True
        if isinstance(layer, keras.Model) and _has_conv(layer):
            return True
    return False


def _eval_samples() -> int | None:
    from .. import profiles

    return ShuffleModels.eval_samples[profiles.current().name]


def shuffle_accuracies(trained: dict[str, Any]) -> tuple[dict[str, float], int]:
    """The accuracy of each model of the experiment, measured by the check, and on how many images.

    Each model reads the check's own test images: shuffled with the notebook's
    permutation for ``*_shuffled``, as they are for the others.
    """
    from ._trained import accuracy_of, held_out

    x, y = held_out("mnist", _eval_samples())
    x_shuffled = shuffle_pixels(x)
    return ({key: accuracy_of(model, x_shuffled if key.endswith("_shuffled") else x, y)
             for key, model in trained.items()}, len(y))


def shuffle_losses(accuracies: dict[str, float], n: int) -> dict[str, tuple[float, float]]:
    """What the shuffle costs each architecture, in points and in standard errors.

    Returns ``{"mlp": (loss, z), "cnn": (loss, z)}``: the accuracy on the original
    images minus the accuracy on the shuffled ones, and that loss divided by its
    standard error (the two accuracies' binomial errors on ``n`` images, added in
    quadrature).

    >>> losses = shuffle_losses({"mlp": .9725, "mlp_shuffled": .9727, "cnn": .98,
    ...                          "cnn_shuffled": .964}, 10_000)
    >>> [(round(100 * loss, 2), round(z, 1)) for loss, z in losses.values()]
    [(-0.02, -0.1), (1.6, 6.9)]
    """
    import math

    from ._trained import binomial_se

    out = {}
    for kind in ("mlp", "cnn"):
        original, shuffled = accuracies[kind], accuracies[f"{kind}_shuffled"]
        se = math.sqrt(binomial_se(original, n) ** 2 + binomial_se(shuffled, n) ** 2)
        out[kind] = (original - shuffled, (original - shuffled) / se if se > 0 else 0.0)
    return out


@register
class ShuffleModels(Check):
    """``03.shuffle_models``: an MLP and a CNN, each trained on the images and on shuffled ones.

    The check measures each model itself on MNIST test images it loads itself (the
    first 2,000 in the quick profile, all 10,000 in the full one), shuffled with the
    notebook's fixed permutation (:data:`PERMUTATION_SEED`) for the ``*_shuffled`` models.

    Thresholds, measured on 2026-12-01 on the 2-core machine (shared with other runs), with
    the solution (``models.build_mlp((28, 28, 1), hidden_size=128, num_layers=1)`` and the
    simple CNN, Adam, batch 128, each seeded before it is built), for seeds 0–4; test
    accuracy of mlp / mlp_shuffled / cnn / cnn_shuffled as this check measures it:

    - quick (the first 2,000 training images, 2 epochs; 2,000 test images): lowest
      76.3% / 77.1% / 76.6% / 76.2%, highest 80.4%. Trained on 500 images for 1 epoch
      (seeds 0–2): 41.1%–58.5%. Threshold 65%.
    - full (55,000 training images, 5 epochs; 10,000 test images): 97.08–97.26% /
      97.16–97.38% / 97.66–97.96% / 95.87–96.52%. Trained on 5,000 images for 1 epoch
      (seeds 0–2): 85.5%–87.4%. Threshold 94%. (The notebook trains on 50,000 images and
      validates on the last 10,000; its own full run is in the committed outputs.)
    - grade (the first 500 training images, 2 epochs; 1,000 test images), seeds 0–4: the
      first model the check measures reached 57.2–62.4% (the others were not recorded).
      Threshold 45%, well under that for the models not recorded.

    The shuffle cost the CNN 1.19–1.80 points on the test images (5.0–7.2 standard
    errors) and the MLP −0.23 to +0.08 points (at most 1.0 standard error), so in the
    full profile :class:`ShuffleConclusion` accepts only "b". In the quick profile the
    CNN's loss (−0.7 to +2.1 points, at most 1.6 standard errors) is within the noise.
    """

    id = "03.shuffle_models"
    notebook = "03_cnn"
    points = 2
    expects = _SHUFFLE_EXPECTS
    min_accuracy = {"quick": 0.65, "full": 0.94, "grade": 0.45}
    eval_samples = {"quick": 2_000, "full": None, "grade": 1_000}

    def collect(self, trained: Any) -> Any:
        import keras

        if not isinstance(trained, dict) or not trained:
            raise CheckFailed(f"expected {self.expects}, got {type(trained).__name__}"
                              f"{' (empty)' if isinstance(trained, dict) else ''}.",
                              hint="store each trained model in shuffle_models[name], with the "
                                   "four names of the exercise")
        keys = {str(k) for k in trained}
        if keys != set(SHUFFLE_KEYS):
            missing = ", ".join(repr(k) for k in SHUFFLE_KEYS if k not in keys) or "none"
            extra = ", ".join(repr(k) for k in sorted(keys - set(SHUFFLE_KEYS))) or "none"
            raise CheckFailed(f"shuffle_models has the keys {sorted(keys)}; missing: {missing}, "
                              f"unexpected: {extra}.",
                              hint="use exactly the four names of the exercise as keys")
        for key, model in trained.items():
            if not isinstance(model, keras.Model):
                raise CheckFailed(f"shuffle_models[{key!r}] is a {type(model).__name__}, "
                                  "expected a trained Keras model.",
                                  hint="store the model itself (the object you called fit on), "
                                       "not its history or its accuracy")
            if not model.built or not model.inputs:
                raise CheckFailed(f"shuffle_models[{key!r}] is not built: it has not been "
                                  "trained.", hint="compile and fit each model, then store it")
            conv = _has_conv(model)
            if key.startswith("cnn") and not conv:
                raise CheckFailed(f"shuffle_models[{key!r}] has no convolution layer: it is not "
                                  "a CNN.", hint="build the CNN of the exercise for the 'cnn' "
                                                 "models, the MLP for the 'mlp' ones")
            if key.startswith("mlp") and conv:
                raise CheckFailed(f"shuffle_models[{key!r}] has a convolution layer: it is not "
                                  "an MLP.", hint="build the MLP of the exercise for the 'mlp' "
                                                  "models, the CNN for the 'cnn' ones")
        return {key: trained[key] for key in SHUFFLE_KEYS}

    def judge(self, trained: Any) -> Any:
        from .. import profiles
        from ._trained import CHANCE_LEVEL, accuracy_of, binomial_se, held_out

        profile = profiles.current()
        need = self.min_accuracy[profile.name]
        accuracies, n = shuffle_accuracies(trained)
        for key in SHUFFLE_KEYS:
            accuracy = accuracies[key]
            if accuracy >= need:
                continue
            shuffled = key.endswith("_shuffled")
            reads = "shuffled test images" if shuffled else "test images"
            where = f"{accuracy:.1%} of {n:,} {reads} (± {binomial_se(accuracy, n):.1%})"
            # Trained on the other kind of images? Measure it on those.
            x, y = held_out("mnist", _eval_samples())
            other = accuracy_of(trained[key], x if shuffled else shuffle_pixels(x), y)
            if accuracy < CHANCE_LEVEL and other >= need:
                kind = "original" if shuffled else "shuffled"
                return self.fail(f"shuffle_models[{key!r}] classifies only {where} correctly, "
                                 f"but {other:.1%} of the {kind} ones: it was trained on the "
                                 f"{kind} images.",
                                 hint=("train the '_shuffled' models on the shuffled training "
                                       "images, made with the notebook's permutation")
                                 if shuffled else "train this model on the original images")
            if accuracy < CHANCE_LEVEL:
                hint = ("did you call fit on this very model? A model rebuilt after fit starts "
                        "again from random weights")
                if shuffled:
                    hint += ("; and shuffle with the notebook's `permutation` (seed "
                             f"{PERMUTATION_SEED}), which the check uses too")
                return self.fail(f"shuffle_models[{key!r}] classifies only {where} correctly: "
                                 "about what guessing gives, so it has not learned.", hint=hint)
            return self.fail(f"shuffle_models[{key!r}] classifies {where} correctly; at least "
                             f"{need:.0%} is needed in the {profile.name} profile.",
                             hint="train each model on all of x_fit (shuffled or not) for "
                                  "EPOCHS epochs, as the exercise says")
        shown = ", ".join(f"{key} {accuracies[key]:.1%}" for key in SHUFFLE_KEYS)
        return self.ok(f"four trained models; measured by the check on {n:,} test images "
                       f"(shuffled ones for the shuffled models): {shown}.")


@register
class ShuffleConclusion(Question):
    """``03.q_shuffle``: which model does the shuffle hurt? It must follow from the measurements.

    The check measures the four models itself (:func:`shuffle_accuracies`) and, for
    each architecture, compares what the shuffle costs it with the standard error of
    that loss (:func:`shuffle_losses`). Above 3 standard errors a model is hurt; below 1
    it is not; in between (where a student's validation set and the check's test images
    may honestly disagree about "more than twice the standard error") both readings
    are accepted.
    """

    id = "03.q_shuffle"
    notebook = "03_cnn"
    expects = "(your answer, shuffle_models)"
    prompt = "Which model does shuffling the pixels hurt, beyond the noise?"
    choices = {"a": "the MLP loses more than twice its standard error, the CNN does not",
               "b": "the CNN loses more than twice its standard error, the MLP does not",
               "c": "both lose more than twice their standard errors",
               "d": "neither loses more than twice its standard error"}
    hint = ("for each model, subtract its accuracy on the shuffled images from its accuracy on "
            "the original ones, in your own table, and compare that loss with twice its "
            "standard error")
    explanation = ("a convolution reads neighbourhoods of pixels, and the shuffle scatters "
                   "neighbours all over the image; a dense layer gives every pixel its own "
                   "weight wherever it is, so for the MLP the shuffled task is the same task.")
    #: (MLP hurt, CNN hurt) -> the choice that says so.
    _LETTERS: ClassVar[dict[tuple[bool, bool], str]] = {
        (True, False): "a", (False, True): "b", (True, True): "c", (False, False): "d"}

    def collect(self, obj: Any) -> Any:
        if not (isinstance(obj, tuple) and len(obj) == 2):
            raise CheckFailed(f"expected {self.expects}.",
                              hint="keep the check cell as it was given")
        answer, trained = obj
        return {"answer": super().collect(answer), "models": ShuffleModels().collect(trained)}

    @staticmethod
    def _hurt(z: float) -> set[bool]:
        if z > 3:
            return {True}
        if z < 1:
            return {False}
        return {True, False}

    @classmethod
    def accepted(cls, losses: dict[str, tuple[float, float]]) -> set[str]:
        """The answers that the measured losses (in standard errors) support."""
        return {cls._LETTERS[(mlp, cnn)] for mlp in cls._hurt(losses["mlp"][1])
                for cnn in cls._hurt(losses["cnn"][1])}

    def right_answer(self, evidence: Any) -> str:
        accuracies, n = shuffle_accuracies(evidence["models"])
        return min(self.accepted(shuffle_losses(accuracies, n)))

    def judge(self, evidence: Any) -> Any:
        choice = evidence["answer"]
        if choice not in self.choices:
            letters = " or ".join(f'"{c}"' for c in self.choices)
            return self.fail(f'"{choice}" is not one of the choices: answer {letters}.',
                             hint="set the variable to the letter of your choice, as a string")
        accuracies, n = shuffle_accuracies(evidence["models"])
        losses = shuffle_losses(accuracies, n)
        if choice in self.accepted(losses):
            shown = "; ".join(f"the {kind.upper()}'s accuracy changes by {-100 * loss:+.2f} "
                              f"points with shuffled pixels ({abs(z):.1f} standard errors)"
                              for kind, (loss, z) in losses.items())
            return self.ok(f"right: measured by the check on {n:,} test images, {shown}. "
                           f"{self.explanation}")
        return self.fail(f'not this one: you answered "{choice}" ({self.choices[choice]}).',
                         hint=self.hint)


# --------------------------------------------------------------------------- #
# Inline questions
# --------------------------------------------------------------------------- #

@register
class OutputSize(NumberQuestion):
    """``03.q_output_size``: the output size of a strided convolution."""

    id = "03.q_output_size"
    notebook = "03_cnn"
    prompt = "Conv2D(32, 5, strides=2) on a 28×28 image: how many rows has its output?"
    answer = 12
    tolerance = 0
    hint = ("use the rule for a stride in the list above: how many positions can a 5-pixel "
            "window take along 28 pixels when it jumps 2 pixels at a time?")
    explanation = ("(28 − 5) // 2 + 1 = 12: the window starts at pixels 0, 2, …, 22, and the "
                   "next start, 24, would need pixels up to 28.")


@register
class ConvParams(NumberQuestion):
    """``03.q_conv_params``: the parameters of Conv2D(12, 3) on a one-channel image."""

    id = "03.q_conv_params"
    notebook = "03_cnn"
    prompt = "How many parameters has Conv2D(12, 3) on a one-channel 28×28 image?"
    answer = 120
    tolerance = 0
    hint = ("a filter has one weight per pixel of its window and per input channel, plus a "
            "bias; does the size of the image matter?")
    explanation = ("12 filters × (3 × 3 × 1 weights + 1 bias) = 120, whatever the size of the "
                   "image: the same 12 kernels are used at every position.")


@register
class ChannelsFirst(Question):
    """``03.q_channels``: the shape of a channels_first batch."""

    id = "03.q_channels"
    notebook = "03_cnn"
    prompt = ("32 CIFAR-10 colour images (32×32 pixels, 3 channels) in Theano's "
              "channels_first order: what is the shape of the batch?")
    choices = {"a": "(32, 32, 32, 3)", "b": "(32, 3, 32, 32)", "c": "(3, 32, 32, 32)"}
    answer = "b"
    hint = ("which axis is the batch, and where does each data format put the channels? "
            "Compare the two MNIST shapes printed above")
    explanation = ("the batch axis comes first in both formats; channels_first puts the 3 "
                   "channels next, then height and width: (32, 3, 32, 32). Keras's default, "
                   "channels_last, would give (32, 32, 32, 3).")
