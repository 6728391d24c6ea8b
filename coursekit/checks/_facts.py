"""One description of a Keras model for every check: its *facts*.

A check's ``collect`` turns the student's model into facts (names, numbers and
shapes, nothing else) with :func:`model_facts`; its ``judge`` reads them back
with :meth:`ModelFacts.from_dict`. Grading stores the facts in between: the
student's kernel writes them and the judging process reads them back as
*untrusted* data (:mod:`coursekit.instructor.grading.evidence`), so the format
has one declared schema (:data:`MODEL_SCHEMA`, :data:`LAYER_SCHEMA`) and
:func:`validate` checks a stored dict against it: an unknown field or a value
of the wrong type is refused with a message naming both.

One vocabulary: a layer is named by its Keras class (``class_name``), its
activation by the one canonical name of :mod:`._activations` (``"relu"``,
``"softmax"``, ``"linear"``...), however the student spelled it. A field that
does not apply to a layer (``units`` of a ``Flatten``) is absent from the dict
and None on the dataclass.

Example
-------
>>> import json, keras
>>> model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(16, activation="relu"),
...                           keras.layers.Dense(10), keras.layers.Softmax()])
>>> facts = model_facts(model)
>>> facts.input_shape, facts.params, [layer.class_name for layer in facts.layers]
((None, 784), 12730, ['Dense', 'Dense', 'Softmax'])
>>> [describe(layer) for layer in merge_activations(facts.layers)]
['Dense(16, relu)', 'Dense(10, softmax)']
>>> stored = json.loads(json.dumps(facts.to_dict()))  # what grading keeps
>>> ModelFacts.from_dict(stored) == facts
True
>>> ModelFacts.from_dict({**stored, "score": 100})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
coursekit.checks._facts.FactsError: model facts: unknown field 'score' (known: class_name, ...)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._activations import ACTIVATION_LAYERS, activation_name, layer_activation

__all__ = ["LAYER_SCHEMA", "MODEL_SCHEMA", "FactsError", "LayerFacts", "ModelFacts",
           "describe", "layer_facts", "merge_activations", "model_facts", "validate"]

#: A shape: a tuple of dimensions, None for an unknown one (the batch).
Shape = tuple[int | None, ...]

#: The fields of one layer's facts and their types (see :func:`validate`). ``class_name``
#: and ``name`` are required; every other field is there only where it applies.
LAYER_SCHEMA: dict[str, str] = {
    "class_name": "str",          # the Keras class: "Dense", "Conv2D", "LSTM"...
    "name": "str",                # the layer's name in the model
    "params": "int",              # its parameter count (absent when not built)
    "input_shape": "shape",       # with the batch dimension: (None, 28, 28, 1)
    "output_shape": "shape",
    "activation": "str",          # canonical (see _activations); activation layers too
    "units": "int",               # Dense, LSTM, GRU...
    "filters": "int",             # convolutions
    "kernel_size": "ints",
    "strides": "ints",
    "padding": "str",
    "pool_size": "ints",          # pooling layers
    "rate": "float",              # Dropout
    "return_sequences": "bool",   # recurrent layers
    "use_bias": "bool",
    "kernel_regularizer": "str",  # the regularizer's class: "L2", "L1L2"...
    "kernel_l1": "float",
    "kernel_l2": "float",
    "mode": "str",                # RandomFlip
    "factor": "float",            # Random* layers: the largest absolute factor
    "height_factor": "float",
    "width_factor": "float",
}
#: The fields of a model's facts and their types; ``class_name``, ``name`` and ``layers``
#: are required.
MODEL_SCHEMA: dict[str, str] = {
    "class_name": "str",          # "Sequential", "Functional"...
    "name": "str",
    "input_shape": "shape",       # of the first input, with the batch dimension
    "output_shape": "shape",
    "params": "int",              # absent when the model is not built
    "layers": "layers",           # LAYER_SCHEMA dicts, in model.layers order
    "compiled": "bool",
    "optimizer": "str",           # the optimizer's class, when compiled
    "loss": "str",
}
_REQUIRED = {"layer": ("class_name", "name"), "model": ("class_name", "name", "layers")}
#: Caps on untrusted facts (far above any course model).
MAX_LAYERS = 1_000
MAX_TEXT = 1_000
MAX_RANK = 16


class FactsError(ValueError):
    """Stored facts do not follow the schema (names the field and what was wrong)."""


@dataclass(frozen=True)
class LayerFacts:
    """The facts of one layer (see :data:`LAYER_SCHEMA`; None: does not apply)."""

    class_name: str
    name: str
    params: int | None = None
    input_shape: Shape | None = None
    output_shape: Shape | None = None
    activation: str | None = None
    units: int | None = None
    filters: int | None = None
    kernel_size: tuple[int, ...] | None = None
    strides: tuple[int, ...] | None = None
    padding: str | None = None
    pool_size: tuple[int, ...] | None = None
    rate: float | None = None
    return_sequences: bool | None = None
    use_bias: bool | None = None
    kernel_regularizer: str | None = None
    kernel_l1: float | None = None
    kernel_l2: float | None = None
    mode: str | None = None
    factor: float | None = None
    height_factor: float | None = None
    width_factor: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the fields that apply, shapes as lists."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: Any) -> LayerFacts:
        """Validate ``data`` (see :func:`validate`) and rebuild the facts."""
        validate(data, "layer")
        return cls(**{k: _tuple(v) for k, v in data.items() if v is not None})


@dataclass(frozen=True)
class ModelFacts:
    """The facts of one model (see :data:`MODEL_SCHEMA`)."""

    class_name: str
    name: str
    layers: tuple[LayerFacts, ...]
    input_shape: Shape | None = None
    output_shape: Shape | None = None
    params: int | None = None
    compiled: bool = False
    optimizer: str | None = None
    loss: str | None = None

    @property
    def built(self) -> bool:
        """Whether Keras knows the model's input shape and parameter count."""
        return self.input_shape is not None and self.params is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the fields that apply, shapes as lists, layers as dicts."""
        out = _plain(self, skip=("layers",))
        out["layers"] = [layer.to_dict() for layer in self.layers]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> ModelFacts:
        """Validate ``data`` (see :func:`validate`) and rebuild the facts.

        Raises :class:`FactsError` naming the first field that breaks the schema.
        """
        validate(data, "model")
        fields = {k: _tuple(v) for k, v in data.items() if v is not None and k != "layers"}
        layers = tuple(LayerFacts(**{k: _tuple(v) for k, v in layer.items() if v is not None})
                       for layer in data["layers"])
        return cls(layers=layers, **fields)


def _plain(facts: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    out = {}
    for field in dataclasses.fields(facts):
        value = getattr(facts, field.name)
        if field.name in skip or value is None:
            continue
        out[field.name] = list(value) if isinstance(value, tuple) else value
    return out


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --------------------------------------------------------------------------- #
# The schema, checked on untrusted data
# --------------------------------------------------------------------------- #

def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_dims(v: Any, unknown: bool) -> bool:
    return (isinstance(v, (list, tuple)) and len(v) <= MAX_RANK
            and all((d is None and unknown) or (_is_int(d) and d >= 0) for d in v))


_TYPES = {
    "str": (lambda v: isinstance(v, str) and len(v) <= MAX_TEXT, "a string"),
    "int": (lambda v: _is_int(v) and v >= 0, "a non-negative int"),
    "float": (lambda v: (_is_int(v) or isinstance(v, float)) and math.isfinite(v),
              "a finite number"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "shape": (lambda v: _is_dims(v, unknown=True), "a list of ints or None"),
    "ints": (lambda v: _is_dims(v, unknown=False), "a list of ints"),
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(data: Any, what: str = "model") -> None:
    """Check stored facts against the schema; raise :class:`FactsError` if they break it.

    Parameters
    ----------
    data : object
        A dict as :meth:`ModelFacts.to_dict` (``what="model"``) or
        :meth:`LayerFacts.to_dict` (``what="layer"``) writes it, possibly read
        back from JSON, possibly forged.
    what : {"model", "layer"}
        Which schema.

    Examples
    --------
    >>> validate({"class_name": "Dense", "name": "d", "units": 10}, "layer")
    >>> validate({"class_name": "Dense", "name": "d", "units": "10"}, "layer")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coursekit.checks._facts.FactsError: layer facts: field 'units' is '10' (str), expected ...
    >>> try:
    ...     validate({"class_name": "Sequential", "name": "m", "layers": [{"name": "d"}]})
    ... except FactsError as exc:
    ...     print(exc)
    model facts: layer 1: field 'class_name' is missing
    """
    if what not in _REQUIRED:
        raise ValueError(f"what must be 'model' or 'layer', got {what!r}")
    _check(data, what, f"{what} facts")


def _check(data: Any, what: str, where: str) -> None:
    schema = MODEL_SCHEMA if what == "model" else LAYER_SCHEMA
    if not isinstance(data, dict):
        raise FactsError(f"{where}: expected a dict, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in schema)
    if unknown:
        raise FactsError(f"{where}: unknown field {_shown(unknown[0])} "
                         f"(known: {', '.join(sorted(schema))})")
    for key in _REQUIRED[what]:
        if data.get(key) is None:
            raise FactsError(f"{where}: field {key!r} is missing")
    for key, value in data.items():
        kind = schema[key]
        if value is None:
            continue
        if kind == "layers":
            if not isinstance(value, (list, tuple)) or len(value) > MAX_LAYERS:
                raise FactsError(f"{where}: field 'layers' is {type(value).__name__}, "
                                 f"expected a list of at most {MAX_LAYERS} layer dicts")
            for i, layer in enumerate(value, start=1):
                _check(layer, "layer", f"{where}: layer {i}")
            continue
        accepts, expected = _TYPES[kind]
        if not accepts(value):
            raise FactsError(f"{where}: field {key!r} is {_shown(value)} "
                             f"({type(value).__name__}), expected {expected}")


# --------------------------------------------------------------------------- #
# From a live Keras model (runs where the model lives: the student's kernel)
# --------------------------------------------------------------------------- #

def _shape(value: Any) -> Shape | None:
    try:
        return tuple(None if d is None else int(d) for d in value)
    except Exception:  # unknown, or several inputs
        return None


def _ints(value: Any) -> tuple[int, ...] | None:
    try:
        if isinstance(value, int):
            return (int(value),)
        return tuple(int(d) for d in value)
    except Exception:
        return None


def _largest(value: Any) -> float | None:
    """The largest absolute value of a factor (a number or a (low, high) pair)."""
    try:
        if value is None:
            return 0.0
        if isinstance(value, (list, tuple)):
            return max((_largest(v) or 0.0 for v in value), default=0.0)
        return abs(float(value))
    except Exception:
        return None


def _attempt(fn: Any) -> Any:
    try:
        return fn()
    except Exception:  # not built, not applicable, a custom layer's quirk
        return None


#: Layer attributes read into facts, with how to read each.
_ATTRIBUTES = {"units": int, "filters": int, "kernel_size": _ints, "strides": _ints,
               "padding": str, "pool_size": _ints, "rate": float, "return_sequences": bool,
               "use_bias": bool}
#: Keys of a random layer's config read into facts.
_CONFIG = {"mode": str, "factor": _largest, "height_factor": _largest,
           "width_factor": _largest}


def layer_facts(layer: Any) -> LayerFacts:
    """The facts of one Keras layer (what applies to it; nothing that fails is kept).

    >>> import keras
    >>> conv = layer_facts(keras.layers.Conv2D(12, 3, activation="relu", name="conv"))
    >>> conv.class_name, conv.filters, conv.kernel_size, conv.activation, conv.units
    ('Conv2D', 12, (3, 3), 'relu', None)
    """
    kind = type(layer).__name__
    fields: dict[str, Any] = {"class_name": kind, "name": str(layer.name)}
    if getattr(layer, "built", False):
        fields["params"] = _attempt(lambda: int(layer.count_params()))
    fields["input_shape"] = _attempt(lambda: _shape(layer.input.shape))
    fields["output_shape"] = _attempt(lambda: _shape(layer.output.shape))
    if kind in ACTIVATION_LAYERS:
        fields["activation"] = layer_activation(layer)
    elif hasattr(layer, "activation"):
        fields["activation"] = _attempt(lambda: activation_name(layer.activation))
    for attr, read in _ATTRIBUTES.items():
        if hasattr(layer, attr):
            fields[attr] = _attempt(lambda a=attr, r=read: r(getattr(layer, a)))
    reg = getattr(layer, "kernel_regularizer", None)
    if reg is not None:
        fields["kernel_regularizer"] = type(reg).__name__
        for attr in ("l1", "l2"):
            fields[f"kernel_{attr}"] = _attempt(lambda a=attr: float(getattr(reg, a)))
    if kind.startswith("Random"):
        config = _attempt(layer.get_config) or {}
        for key, read in _CONFIG.items():
            if key in config:
                fields[key] = _attempt(lambda k=key, r=read: r(config[k]))
    return LayerFacts(**{k: v for k, v in fields.items() if v is not None})


def model_facts(model: Any) -> ModelFacts:
    """The facts of a Keras model: its layers (``model.layers``), shapes, parameters.

    Never raises on a model Keras can describe at all: what it cannot tell (the
    input shape of a model that is not built) is None, and the check says what
    is missing. Nested models appear as one layer each.

    Parameters
    ----------
    model : keras.Model
        The model (a Sequential, a Functional model or a subclass).

    Returns
    -------
    ModelFacts
    """
    optimizer = getattr(model, "optimizer", None)
    loss = getattr(model, "loss", None)
    return ModelFacts(
        class_name=type(model).__name__,
        name=str(model.name),
        layers=tuple(layer_facts(layer) for layer in model.layers),
        input_shape=_attempt(lambda: _shape(model.inputs[0].shape)),
        output_shape=_attempt(lambda: _shape(model.outputs[0].shape)),
        params=_attempt(lambda: int(model.count_params())) if model.built else None,
        compiled=bool(getattr(model, "compiled", False)),
        optimizer=type(optimizer).__name__ if optimizer is not None else None,
        loss=None if loss is None else (loss if isinstance(loss, str)
                                        else getattr(loss, "__name__", type(loss).__name__)),
    )


# --------------------------------------------------------------------------- #
# Reading facts
# --------------------------------------------------------------------------- #

#: Layer classes whose own activation may be left linear and given by the next layer.
_LINEAR_LAYERS = ("Dense", "Conv2D")


def merge_activations(layers: Iterable[LayerFacts]) -> list[LayerFacts]:
    """Fold each activation layer into the linear Dense or Conv2D just before it.

    ``Dense(10)`` followed by ``Softmax()`` reads as one ``Dense(10,
    activation="softmax")``. Activation layers after anything else are kept.

    >>> dense = LayerFacts("Dense", "d", units=10, activation="linear")
    >>> [describe(f) for f in merge_activations([dense, LayerFacts("Softmax", "s",
    ...                                          activation="softmax")])]
    ['Dense(10, softmax)']
    """
    out: list[LayerFacts] = []
    for layer in layers:
        prev = out[-1] if out else None
        if (layer.class_name in ACTIVATION_LAYERS and prev is not None
                and prev.class_name in _LINEAR_LAYERS
                and prev.activation in (None, "linear")):
            out[-1] = dataclasses.replace(prev, activation=layer.activation)
        else:
            out.append(layer)
    return out


def describe(f: LayerFacts) -> str:
    """A short, readable name for a layer's facts: ``Conv2D(12, 3×3, relu)``.

    >>> describe(LayerFacts("MaxPooling2D", "pool", pool_size=(2, 2)))
    'MaxPooling2D(2×2)'
    """
    kind = f.class_name
    if kind == "Conv2D":
        k = "×".join(map(str, f.kernel_size or ()))
        return f"Conv2D({f.filters}, {k}, {f.activation or 'linear'})"
    if kind == "Dense":
        return f"Dense({f.units}, {f.activation or 'linear'})"
    if kind == "Dropout":
        return f"Dropout({f.rate:g})"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return f"{kind}({'×'.join(map(str, f.pool_size or ()))})"
    if kind in ACTIVATION_LAYERS:
        return f"{kind}({f.activation})"
    return kind
