"""Figures for the notebooks: images, training curves, errors and what a CNN sees.

Every function returns a :class:`matplotlib.figure.Figure` sized for a notebook
(at most 10 inches wide). The figure is closed in pyplot before it is returned,
so in Jupyter it is displayed exactly once when the call is the last
expression of a cell (and not a second time by the inline backend); to show it
elsewhere in a cell, use ``display(fig)``. To save it, use ``fig.savefig(...)``.

Keras (and so TensorFlow) is imported only by :func:`conv_filters` and
:func:`feature_maps`; seaborn and scikit-learn only by the functions that use
them, so importing this module is cheap.

Example
-------
>>> import numpy as np
>>> from coursekit import plots
>>> fig = plots.heatmap(np.arange(16).reshape(4, 4), title="a 4×4 array")
>>> fig.axes[0].get_title()
'a 4×4 array'
"""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ._validation import check_array, check_choice, check_int
from .errors import InvalidParameterError

if TYPE_CHECKING:
    import keras

__all__ = [
    "confusion_matrix",
    "conv_filters",
    "feature_maps",
    "heatmap",
    "heatmaps",
    "image_grid",
    "misclassified_gallery",
    "probability_bars",
    "training_curves",
]

#: Widest figure, in inches, that still fits a notebook cell.
MAX_WIDTH = 10.0
_TITLE_SIZE = 12
_PANEL_TITLE_SIZE = 8
_IMAGES_EXPECTED = "an array of shape (N, H, W), (N, H, W, 1) or (N, H, W, 3)"
_IMAGE_EXPECTED = "an array of shape (H, W), (H, W, 1) or (H, W, 3)"


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------

def _new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float],
                **kwargs: Any) -> tuple[Figure, Any]:
    """Create a figure with constrained layout, at most ``MAX_WIDTH`` wide."""
    width, height = figsize
    figsize = (min(width, MAX_WIDTH), height)
    return plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", squeeze=False,
                        **kwargs)


def _finish(fig: Figure) -> Figure:
    """Close ``fig`` in pyplot so Jupyter shows it once, through the returned value."""
    plt.close(fig)
    return fig


def _check_title(title: Any, name: str = "title") -> str | None:
    if title is not None and not isinstance(title, str):
        raise InvalidParameterError(name, title, "a string or None")
    return title


def _check_cmap(cmap: Any, name: str = "cmap") -> Any:
    if isinstance(cmap, mpl.colors.Colormap):
        return cmap
    if not isinstance(cmap, str) or cmap not in mpl.colormaps:
        raise InvalidParameterError(name, cmap,
                                    "a Matplotlib colormap name such as 'gray' or 'viridis'")
    return cmap


def _check_names(name: str, value: Any, n: int | None, what: str) -> list[str] | None:
    """Check a list of names (``class_names``, ``titles``, ``labels``) of length ``n``."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, np.ndarray)):
        raise InvalidParameterError(name, value, f"a list of {what}")
    names = [str(v) for v in value]
    if n is not None and len(names) != n:
        raise InvalidParameterError(name, f"a list of {len(names)} {what}",
                                    f"{n} {what}, one per {_ONE_PER[name]}")
    return names


_ONE_PER = {"class_names": "class", "titles": "array", "labels": "history"}


def _check_class_names(value: Any, n_classes: int | None, labels: np.ndarray | None = None
                       ) -> list[str] | None:
    """Check ``class_names`` against the number of classes or the largest label."""
    names = _check_names("class_names", value, n_classes, "class names")
    if names is not None and labels is not None and labels.size and labels.max() >= len(names):
        raise InvalidParameterError(
            "class_names", f"a list of {len(names)} class names",
            f"at least {int(labels.max()) + 1} class names (the labels go up to "
            f"{int(labels.max())})")
    return names


def _to_labels(name: str, value: Any, *, n: int | None = None,
               n_classes: int | None = None) -> np.ndarray:
    """Integer class labels from (N,), (N, 1) or one-hot / probabilities (N, C)."""
    arr = check_array(name, value, ndim=(1, 2))
    if arr.ndim == 2:
        if arr.shape[1] == 1:
            arr = arr[:, 0]
        else:
            if n_classes is not None and arr.shape[1] != n_classes:
                raise InvalidParameterError(
                    name, f"array of shape {arr.shape}",
                    f"labels of shape (N,) or (N, 1), or one-hot of shape (N, {n_classes})")
            arr = arr.argmax(axis=1) if arr.shape[0] else np.zeros(0, dtype=int)
    whole = np.issubdtype(arr.dtype, np.floating) and bool(np.all(np.mod(arr, 1) == 0))
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_) or whole):
        raise InvalidParameterError(name, f"array of dtype {arr.dtype}",
                                        "integer class labels (or one-hot rows)")
    arr = arr.astype(np.int64)
    if n is not None and arr.shape[0] != n:
        raise InvalidParameterError(name, f"{arr.shape[0]} labels",
                                    f"{n} labels, one per image")
    if arr.size and arr.min() < 0:
        raise InvalidParameterError(name, f"a label {int(arr.min())}",
                                    "class labels >= 0")
    if n_classes is not None and arr.size and arr.max() >= n_classes:
        raise InvalidParameterError(name, f"a label {int(arr.max())}",
                                    f"class labels in [0, {n_classes - 1}]")
    return arr


def _check_probabilities(name: str, value: Any, *, ndim: tuple[int, ...]) -> np.ndarray:
    arr = check_array(name, value, ndim=ndim).astype(np.float64)
    if arr.size and (np.nanmin(arr) < -1e-6 or np.nanmax(arr) > 1 + 1e-6):
        raise InvalidParameterError(
            name, f"values in [{np.nanmin(arr):.3g}, {np.nanmax(arr):.3g}]",
            "probabilities in [0, 1] (for logits, apply keras.ops.softmax first)")
    return arr


def _check_images(name: str, value: Any) -> np.ndarray:
    """Return (N, H, W) or (N, H, W, 3) float images scaled to [0, 1] for display."""
    arr = check_array(name, value)
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[-1] not in (1, 3)):
        raise InvalidParameterError(name, f"array of shape {arr.shape}", _IMAGES_EXPECTED)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    return _display_scale(name, arr)


def _check_image(name: str, value: Any) -> np.ndarray:
    """Return one (H, W) or (H, W, 3) float image scaled to [0, 1] for display."""
    arr = check_array(name, value)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (1, 3)):
        raise InvalidParameterError(name, f"array of shape {arr.shape}", _IMAGE_EXPECTED)
    return _check_images(name, arr[None])[0]


def _display_scale(name: str, arr: np.ndarray) -> np.ndarray:
    """Map pixel values to [0, 1]: uint8 / 0–255 divided by 255, other ranges min–max."""
    if np.issubdtype(arr.dtype, np.bool_):
        return arr.astype(np.float32)
    if not np.issubdtype(arr.dtype, np.number):
        raise InvalidParameterError(name, f"array of dtype {arr.dtype}", "numeric pixel values")
    arr = arr.astype(np.float32)
    if not arr.size:
        return arr
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    if lo >= 0 and hi <= 1:
        return arr
    if lo >= 0 and hi <= 255:
        return arr / 255.0
    # Standardised or otherwise rescaled images: stretch to [0, 1] for display.
    return (arr - lo) / (hi - lo)


def _show_image(ax: Axes, image: np.ndarray, cmap: Any) -> None:
    if image.ndim == 2:
        ax.imshow(image, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(np.clip(image, 0.0, 1.0), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def _text_width(text: str, fontsize: float = _PANEL_TITLE_SIZE) -> float:
    """Width of one line of ``text`` in inches, in Matplotlib's default font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _, _ = TextToPath().get_text_width_height_descent(
        text, FontProperties(size=fontsize), ismath=False)
    return width / 72.0


def _wrap(text: str, width_in: float, fontsize: float = _PANEL_TITLE_SIZE) -> str:
    """Wrap ``text`` so that each line fits ``width_in`` inches at ``fontsize`` points."""
    full = _text_width(text, fontsize)
    if not text or full <= width_in:
        return text
    chars = max(6, int(len(text) * width_in / full))
    return "\n".join(textwrap.wrap(text, chars, break_long_words=True)) or text


def _grid(n: int, ncols: int) -> tuple[int, int]:
    ncols = max(1, min(ncols, n))
    return math.ceil(n / ncols), ncols


def _remove_unused(axes: np.ndarray, used: int) -> None:
    for ax in axes.flat[used:]:
        ax.remove()


def _label_text(label: Any, class_names: list[str] | None) -> str:
    if class_names is not None:
        return class_names[int(label)]
    return str(label)


# ----------------------------------------------------------------------------
# Images
# ----------------------------------------------------------------------------

def image_grid(images: Any, labels: Any = None, class_names: Sequence[str] | None = None, *,
               ncols: int = 10, max_images: int = 50, title: str | None = None,
               cmap: str = "gray") -> Figure:
    """Show the first images of a data set in a grid, each titled with its label.

    Parameters
    ----------
    images : array of shape (N, H, W), (N, H, W, 1) or (N, H, W, 3)
        Greyscale or colour images, ``uint8`` in 0–255 or float in [0, 1].
        Float images in another range (e.g. standardised) are stretched to
        [0, 1] for display.
    labels : array of shape (N,), (N, 1) or one-hot (N, C), optional
        Integer labels shown above each image. Strings are shown as they are.
    class_names : list of str, optional
        Names shown instead of the integer labels (``class_names[label]``).
    ncols : int, default 10
        Number of columns.
    max_images : int, default 50
        Show at most this many images (the first ones).
    title : str, optional
        Figure title.
    cmap : str, default "gray"
        Colormap of greyscale images.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per image shown.

    Raises
    ------
    InvalidParameterError
        If ``images`` does not have one of the shapes above, ``labels`` does
        not have one label per image, or a label has no class name.

    Example
    -------
    >>> import numpy as np
    >>> from coursekit.plots import image_grid
    >>> images = np.random.default_rng(0).integers(0, 256, (12, 28, 28), dtype=np.uint8)
    >>> fig = image_grid(images, np.arange(12) % 10, ncols=6, title="digits")
    >>> len(fig.axes), fig.axes[0].get_title()
    (12, '0')
    """
    arr = _check_images("images", images)
    ncols = check_int("ncols", ncols, min_value=1)
    max_images = check_int("max_images", max_images, min_value=1)
    title = _check_title(title)
    cmap = _check_cmap(cmap)
    if arr.shape[0] == 0:
        raise InvalidParameterError("images", f"array of shape {np.shape(images)}",
                                    "at least one image")
    texts: list[str] | None = None
    if labels is not None:
        raw = check_array("labels", labels, ndim=(1, 2))
        if raw.dtype.kind in "USO":
            if raw.ndim != 1 or len(raw) != len(arr):
                raise InvalidParameterError("labels", f"array of shape {raw.shape}",
                                            f"{len(arr)} labels, one per image")
            if class_names is not None:
                raise InvalidParameterError("class_names", class_names,
                                            "None when the labels are already names")
            texts = [str(v) for v in raw]
        else:
            ints = _to_labels("labels", raw, n=len(arr))
            names = _check_class_names(class_names, None, ints)
            texts = [_label_text(v, names) for v in ints]
    elif class_names is not None:
        _check_class_names(class_names, None)

    n = min(len(arr), max_images)
    nrows, ncols = _grid(n, ncols)
    height, width = arr.shape[1:3]
    panel = min(1.5, MAX_WIDTH / ncols)
    title_h = 0.0 if texts is None else 0.3
    fig, axes = _new_figure(
        nrows, ncols,
        figsize=(ncols * panel, nrows * (panel * height / width + title_h) + 0.5 * bool(title)))
    for i, ax in enumerate(axes.flat[:n]):
        _show_image(ax, arr[i], cmap)
        if texts is not None:
            ax.set_title(_wrap(texts[i], panel), fontsize=_PANEL_TITLE_SIZE)
    _remove_unused(axes, n)
    if title:
        fig.suptitle(title, fontsize=_TITLE_SIZE)
    return _finish(fig)


def misclassified_gallery(images: Any, y_true: Any, y_prob: Any,
                          class_names: Sequence[str] | None = None, *, max_images: int = 20,
                          order: str = "confidence", ncols: int = 5,
                          title: str | None = None) -> Figure:
    """Show the test images the model got wrong, with true and predicted classes.

    Each panel is titled ``"true: 7 / pred: 2 (93%)"``, the percentage being
    the probability the model gave to its (wrong) prediction.

    Parameters
    ----------
    images : array of shape (N, H, W), (N, H, W, 1) or (N, H, W, 3)
        The test images.
    y_true : array of shape (N,), (N, 1) or one-hot (N, C)
        The true labels.
    y_prob : array of shape (N, C)
        Predicted class probabilities, e.g. ``model.predict(images)``. A single
        sigmoid column (N, 1) is read as the probability of class 1.
    class_names : list of str, optional
        One name per class, shown instead of the integer labels.
    max_images : int, default 20
        Show at most this many mistakes.
    order : {"confidence", "index"}, default "confidence"
        ``"confidence"`` shows the most confident mistakes first; ``"index"``
        keeps the order of the test set.
    ncols : int, default 5
        Number of columns.
    title : str, optional
        Figure title; by default says how many mistakes there are.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per mistake shown, or a single axis saying that there are no
        mistakes.

    Raises
    ------
    InvalidParameterError
        If the shapes of ``images``, ``y_true`` and ``y_prob`` do not match,
        ``y_prob`` holds values outside [0, 1] (logits), or ``class_names`` does
        not have one name per class.

    Example
    -------
    >>> import numpy as np
    >>> from coursekit.plots import misclassified_gallery
    >>> images = np.zeros((3, 8, 8), dtype=np.uint8)
    >>> y_prob = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> fig = misclassified_gallery(images, [0, 0, 1], y_prob)
    >>> [ax.get_title() for ax in fig.axes]
    ['true: 0 / pred: 1 (80%)', 'true: 1 / pred: 0 (60%)']
    """
    arr = _check_images("images", images)
    prob = _check_probabilities("y_prob", y_prob, ndim=(2,))
    if prob.shape[1] == 1:
        prob = np.concatenate([1.0 - prob, prob], axis=1)
    n_classes = prob.shape[1]
    if prob.shape[0] != len(arr):
        raise InvalidParameterError("y_prob", f"array of shape {np.shape(y_prob)}",
                                    f"one row of probabilities per image ({len(arr)} rows)")
    true = _to_labels("y_true", y_true, n=len(arr), n_classes=n_classes)
    names = _check_class_names(class_names, n_classes)
    max_images = check_int("max_images", max_images, min_value=1)
    order = check_choice("order", order, ("confidence", "index"))
    ncols = check_int("ncols", ncols, min_value=1)
    title = _check_title(title)

    pred = prob.argmax(axis=1) if len(prob) else np.zeros(0, dtype=np.int64)
    confidence = prob[np.arange(len(prob)), pred]
    wrong = np.flatnonzero(pred != true)
    if order == "confidence":
        wrong = wrong[np.argsort(-confidence[wrong], kind="stable")]
    shown = wrong[:max_images]

    if not len(shown):
        fig, axes = _new_figure(figsize=(6, 1.5))
        ax = axes[0, 0]
        ax.axis("off")
        ax.text(0.5, 0.5, f"No misclassified images: all {len(arr)} predictions are correct.",
                ha="center", va="center", fontsize=_TITLE_SIZE, transform=ax.transAxes)
        if title:
            fig.suptitle(title, fontsize=_TITLE_SIZE)
        return _finish(fig)

    nrows, ncols = _grid(len(shown), ncols)
    height, width = arr.shape[1:3]
    panel = min(1.7, MAX_WIDTH / ncols)
    fig, axes = _new_figure(nrows, ncols,
                            figsize=(ncols * panel, nrows * (panel * height / width + 0.45) + 0.5))
    for ax, i in zip(axes.flat, shown, strict=False):
        _show_image(ax, arr[i], "gray")
        ax.set_title(_mistake_text(_label_text(true[i], names), _label_text(pred[i], names),
                                   confidence[i], panel),
                     fontsize=_PANEL_TITLE_SIZE, color="darkred")
    _remove_unused(axes, len(shown))
    if title is None:
        first = "most confident first" if order == "confidence" else "in test order"
        title = (f"{len(wrong)} of {len(arr)} images misclassified "
                 f"(showing {len(shown)}, {first})")
    fig.suptitle(title, fontsize=_TITLE_SIZE)
    return _finish(fig)


def _mistake_text(true: str, pred: str, confidence: float, width_in: float) -> str:
    """``"true: 7 / pred: 2 (93%)"``, on two lines (then wrapped) when too wide for the panel."""
    text = f"true: {true} / pred: {pred} ({confidence:.0%})"
    if _text_width(text) <= width_in:
        return text
    return "\n".join(_wrap(line, width_in)
                     for line in (f"true: {true}", f"pred: {pred} ({confidence:.0%})"))


def probability_bars(probabilities: Any, class_names: Sequence[str] | None = None, *,
                     true_label: int | None = None, image: Any = None,
                     title: str | None = None) -> Figure:
    """Bar chart of the class probabilities the model gives to one image.

    The predicted class (the largest probability) is highlighted: blue when it
    is right (or ``true_label`` is not given), red when it is wrong, in which
    case the true class is green. The true class's name is also shown in bold.

    Parameters
    ----------
    probabilities : array of shape (C,) or (1, C)
        Class probabilities for one image, e.g. ``model.predict(x[:1])``.
    class_names : list of str, optional
        One name per class.
    true_label : int, optional
        The true class, to mark it.
    image : array of shape (H, W), (H, W, 1) or (H, W, 3), optional
        The image, shown in a left panel.
    title : str, optional
        Figure title; by default the prediction (and the true class).

    Returns
    -------
    matplotlib.figure.Figure
        With one axis (the bars), or two when ``image`` is given (image first).

    Raises
    ------
    InvalidParameterError
        If ``probabilities`` is not one vector of values in [0, 1], or
        ``class_names`` does not have one name per class.

    Example
    -------
    >>> from coursekit.plots import probability_bars
    >>> fig = probability_bars([0.1, 0.7, 0.2], ["cat", "dog", "bird"], true_label=1)
    >>> fig.axes[0].get_title()
    'predicted: dog (70%), true: dog'
    """
    prob = _check_probabilities("probabilities", probabilities, ndim=(1, 2))
    if prob.ndim == 2:
        if prob.shape[0] != 1:
            raise InvalidParameterError("probabilities", f"array of shape {prob.shape}",
                                        "the probabilities of one image: shape (C,) or (1, C)")
        prob = prob[0]
    if prob.size == 0:
        raise InvalidParameterError("probabilities", "an empty array", "at least one class")
    n_classes = prob.size
    names = _check_class_names(class_names, n_classes) or [str(i) for i in range(n_classes)]
    if true_label is not None:
        true_label = check_int("true_label", true_label, min_value=0, max_value=n_classes - 1)
    img = None if image is None else _check_image("image", image)
    title = _check_title(title)

    pred = int(np.argmax(prob))
    colors = ["lightgray"] * n_classes
    correct = true_label is None or true_label == pred
    colors[pred] = "tab:blue" if correct else "tab:red"
    if true_label is not None and not correct:
        colors[true_label] = "tab:green"

    height = max(2.5, 0.28 * n_classes + 1.0)
    if img is None:
        fig, axes = _new_figure(figsize=(6.5, height))
        bar_ax = axes[0, 0]
    else:
        fig, axes = _new_figure(1, 2, figsize=(9, height), width_ratios=[1, 2])
        _show_image(axes[0, 0], img, "gray")
        axes[0, 0].set_title("input image", fontsize=10)
        bar_ax = axes[0, 1]

    y = np.arange(n_classes)
    bar_ax.barh(y, prob, color=colors, edgecolor="black", linewidth=0.5)
    for yi, p in zip(y, prob, strict=True):
        bar_ax.text(min(p, 1.0) + 0.01, yi, f"{p:.0%}", va="center", fontsize=8)
    bar_ax.set_yticks(y, names, fontsize=9)
    if true_label is not None:
        bar_ax.get_yticklabels()[true_label].set_fontweight("bold")
    bar_ax.set_ylim(n_classes - 0.5, -0.5)  # class 0 at the top
    bar_ax.set_xlim(0, 1.12)
    bar_ax.set_xticks(np.linspace(0, 1, 6))
    bar_ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(xmax=1.0))
    bar_ax.set_xlabel("probability")
    bar_ax.set_ylabel("class")
    handles = [mpl.patches.Patch(color=colors[pred], label="predicted")]
    if true_label is not None and not correct:
        handles.append(mpl.patches.Patch(color="tab:green", label="true class"))
    bar_ax.legend(handles=handles, loc="best", fontsize=8)
    if title is None:
        title = f"predicted: {names[pred]} ({prob[pred]:.0%})"
        if true_label is not None:
            title += f", true: {names[true_label]}"
    bar_ax.set_title(title, fontsize=11)
    return _finish(fig)


# ----------------------------------------------------------------------------
# Training and evaluation
# ----------------------------------------------------------------------------

_ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                  "binary_accuracy")


def _history_dict(value: Any, name: str) -> dict[str, np.ndarray]:
    """The metrics dict of a History, a TrainingResult or a plain dict."""
    if isinstance(value, Mapping):
        hist = value
    elif isinstance(getattr(value, "history", None), Mapping):
        hist = value.history
    else:
        raise InvalidParameterError(
            name, type(value).__name__,
            "a keras History (returned by model.fit), an object with a .history dict, "
            "a dict of lists, or a list of those")
    if "loss" not in hist and not any(k in hist for k in _ACCURACY_KEYS):
        raise InvalidParameterError(name, f"a history with keys {sorted(hist)}",
                                    "a 'loss' or 'accuracy' entry (one value per epoch)")
    out = {}
    for key, values in hist.items():
        if not isinstance(key, str):
            continue
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            continue  # not a per-epoch series (we only plot the ones we know)
        if arr.ndim == 1:
            out[key] = arr
    if not any(len(v) for v in out.values()):
        raise InvalidParameterError(name, "an empty history", "at least one epoch")
    return out


def _accuracy_key(hist: Mapping[str, Any]) -> str | None:
    for key in _ACCURACY_KEYS:
        if key in hist:
            return key
    return next((k for k in hist if k.endswith("accuracy") and not k.startswith("val_")), None)


def training_curves(history: Any, *, labels: Sequence[str] | None = None,
                    title: str | None = None) -> Figure:
    """Plot accuracy and loss per epoch, training (solid) vs validation (dashed).

    Parameters
    ----------
    history : History, dict, object with a ``.history`` dict, or a list of those
        What ``model.fit`` returned (a ``keras.callbacks.History``), its
        ``.history`` dict of lists, coursekit's ``TrainingResult``, or a list of
        several of them to compare models (one colour per model).
    labels : list of str, optional
        One name per history, for the legend (default "model 1", "model 2", …
        when several histories are given).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (accuracy, then loss), or one (loss) when no accuracy was
        recorded. Validation curves are drawn when ``val_*`` keys exist.

    Raises
    ------
    InvalidParameterError
        If ``history`` is none of the above or holds no epoch, or ``labels``
        does not have one name per history.

    Example
    -------
    >>> from coursekit.plots import training_curves
    >>> hist = {"loss": [0.9, 0.5, 0.4], "accuracy": [0.7, 0.85, 0.9],
    ...         "val_loss": [0.8, 0.6, 0.6], "val_accuracy": [0.75, 0.8, 0.82]}
    >>> fig = training_curves(hist, title="dense network")
    >>> [ax.get_title() for ax in fig.axes]
    ['accuracy', 'loss']
    """
    many = isinstance(history, (list, tuple))
    if many and not history:
        raise InvalidParameterError("history", history, "at least one history")
    items = list(history) if many else [history]
    hists = [_history_dict(h, f"history[{i}]" if many else "history")
             for i, h in enumerate(items)]
    names = _check_names("labels", labels, len(hists), "labels")
    title = _check_title(title)
    if names is None and len(hists) > 1:
        names = [f"model {i + 1}" for i in range(len(hists))]

    panels = []
    if any(_accuracy_key(h) for h in hists):
        panels.append("accuracy")
    if any("loss" in h for h in hists):
        panels.append("loss")
    fig, axes = _new_figure(1, len(panels), figsize=(4.5 * len(panels), 3.6))
    any_val = False
    for ax, panel in zip(axes.flat, panels, strict=True):
        for i, hist in enumerate(hists):
            key = _accuracy_key(hist) if panel == "accuracy" else "loss"
            if key is None or key not in hist:
                continue
            color = f"C{i % 10}"
            train = hist[key]
            prefix = "" if names is None else f"{names[i]} "
            ax.plot(np.arange(1, len(train) + 1), train, color=color, linestyle="-",
                    marker="o" if len(train) <= 20 else None, markersize=3,
                    label=f"{prefix}train")
            val = hist.get(f"val_{key}")
            if val is not None and len(val):
                any_val = True
                ax.plot(np.arange(1, len(val) + 1), val, color=color, linestyle="--",
                        marker="o" if len(val) <= 20 else None, markersize=3,
                        label=f"{prefix}validation")
        ax.set_title(panel, fontsize=11)
        ax.set_xlabel("epoch")
        ax.set_ylabel(panel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        if names is None:
            ax.legend(fontsize=8)
        else:  # colours name the models, line styles name train / validation
            handles = [Line2D([], [], color=f"C{i % 10}", label=lab)
                       for i, lab in enumerate(names)]
            handles.append(Line2D([], [], color="black", linestyle="-", label="train"))
            if any_val:
                handles.append(Line2D([], [], color="black", linestyle="--",
                                      label="validation"))
            ax.legend(handles=handles, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=_TITLE_SIZE)
    return _finish(fig)


def confusion_matrix(y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None, *,
                     normalize: str | None = None, title: str | None = None) -> Figure:
    """Plot the confusion matrix of a classifier (rows: true, columns: predicted).

    Drawn by scikit-learn's
    :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`. Long class
    names on the x axis are rotated so they do not overlap.

    Parameters
    ----------
    y_true : array of shape (N,), (N, 1) or one-hot (N, C)
        The true labels.
    y_pred : array of shape (N,), (N, 1) or (N, C)
        The predicted labels, or predicted probabilities (their argmax is
        taken), e.g. ``model.predict(x_test)``.
    class_names : list of str, optional
        One name per class; then the matrix has one row and one column per
        class, even for classes that never occur.
    normalize : {None, "true", "pred", "all"}, default None
        None shows counts; "true" divides each row by its total (recall on the
        diagonal), "pred" each column (precision on the diagonal), "all" by N.
    title : str, optional
        Axis title; "confusion matrix" by default.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the matrix and its colour bar.

    Raises
    ------
    InvalidParameterError
        If the labels are not integers, ``y_true`` and ``y_pred`` differ in
        length, or a label has no class name.

    Example
    -------
    >>> from coursekit.plots import confusion_matrix
    >>> fig = confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2], ["a", "b", "c"])
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('predicted label', 'true label')
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    true = _to_labels("y_true", y_true)
    pred = _to_labels("y_pred", y_pred, n=len(true))
    if not len(true):
        raise InvalidParameterError("y_true", "an empty array", "at least one label")
    normalize = check_choice("normalize", normalize, (None, "true", "pred", "all"))
    title = _check_title(title)
    names = _check_class_names(class_names, None, np.concatenate([true, pred]))
    labels = np.arange(len(names)) if names is not None else np.union1d(true, pred)
    display = names if names is not None else [str(v) for v in labels]
    n = len(labels)

    side = float(np.clip(0.5 * n + 2.5, 4.0, 8.0))
    fig, axes = _new_figure(figsize=(side + 1.0, side))
    ax = axes[0, 0]
    cell_in = (side - 2.0) / n  # rough width of one cell, in inches
    longest = max(len(s) for s in display)
    rotation = "vertical" if longest * 0.6 * 9 / 72 > 0.9 * cell_in else "horizontal"
    fontsize = 10 if n <= 6 else 9 if n <= 12 else 7
    ConfusionMatrixDisplay.from_predictions(
        true, pred, labels=labels, display_labels=display, normalize=normalize, ax=ax,
        cmap="Blues", colorbar=True, values_format="d" if normalize is None else ".2f",
        include_values=n <= 20, xticks_rotation=rotation, text_kw={"fontsize": fontsize})
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.tick_params(labelsize=9)
    if normalize is None:  # counts: integer ticks on the colour bar
        display_obj = ax.images[0].colorbar
        display_obj.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title is None:
        title = "confusion matrix"
        if normalize is not None:
            title += {"true": " (each row sums to 1)", "pred": " (each column sums to 1)",
                      "all": " (fractions of all images)"}[normalize]
    ax.set_title(title, fontsize=_TITLE_SIZE)
    return _finish(fig)


# ----------------------------------------------------------------------------
# Small arrays (convolution and pooling lessons)
# ----------------------------------------------------------------------------

def _check_small_array(name: str, value: Any) -> np.ndarray:
    arr = check_array(name, value)
    if arr.ndim > 2 and np.squeeze(arr).ndim == 2:
        arr = np.squeeze(arr)  # e.g. a Keras output of shape (1, 4, 4, 1)
    if arr.ndim != 2 or not arr.size:
        raise InvalidParameterError(
            name, f"array of shape {arr.shape}",
            "a non-empty 2-D array (extra axes of size 1, as in (1, H, W, 1), are dropped)")
    if np.issubdtype(arr.dtype, np.bool_):
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise InvalidParameterError(name, f"array of dtype {arr.dtype}", "a real-valued array")
    return arr


def _auto_fmt(arr: np.ndarray) -> str:
    """"d" for integers (also floats holding whole numbers), ".2g" otherwise."""
    if np.issubdtype(arr.dtype, np.integer):
        return "d"
    finite = arr[np.isfinite(arr)]
    if finite.size and np.all(np.mod(finite, 1) == 0):
        return ".0f"  # e.g. a pooled integer array that Keras returns as float32
    if finite.size and np.abs(finite).max() >= 100:
        return ".0f"  # ".2g" would write 127.5 as "1.3e+02"
    return ".2g"


def _draw_heatmap(ax: Axes, arr: np.ndarray, *, fmt: str | None, cmap: Any, cbar: bool,
                  vmin: float | None = None, vmax: float | None = None,
                  cell_in: float = 0.5) -> None:
    import seaborn as sns

    fmt = _auto_fmt(arr) if fmt is None else fmt
    annot = arr.size <= 400  # beyond 20×20 numbers are unreadable
    fontsize = float(np.clip(cell_in * 22, 6, 11))
    sns.heatmap(arr, ax=ax, annot=annot, fmt=fmt, cmap=cmap, square=True, cbar=cbar,
                vmin=vmin, vmax=vmax, linewidths=0.5, linecolor="white",
                xticklabels=True, yticklabels=True, annot_kws={"fontsize": fontsize},
                cbar_kws={"shrink": 0.8} if cbar else None)
    step_r = max(1, math.ceil(arr.shape[0] / 16))
    step_c = max(1, math.ceil(arr.shape[1] / 16))
    ax.set_yticks(np.arange(0, arr.shape[0], step_r) + 0.5,
                  [str(i) for i in range(0, arr.shape[0], step_r)], rotation=0)
    ax.set_xticks(np.arange(0, arr.shape[1], step_c) + 0.5,
                  [str(i) for i in range(0, arr.shape[1], step_c)], rotation=0)
    ax.tick_params(labelsize=8, length=0)
    ax.set_xlabel("column", fontsize=9)
    ax.set_ylabel("row", fontsize=9)


def heatmap(array: Any, *, title: str | None = None, fmt: str | None = None,
            cmap: str = "viridis", ax: Axes | None = None) -> Figure:
    """Show a small 2-D array as an annotated heatmap, one square cell per value.

    Parameters
    ----------
    array : 2-D array
        E.g. an 8×8 image patch or a pooled 4×4 map. Extra axes of size 1 (a
        Keras output of shape (1, 4, 4, 1)) are dropped. Values are written in
        the cells for arrays up to 20×20.
    title : str, optional
        Axis title.
    fmt : str, optional
        Format of the numbers, e.g. ".1f". By default "d" for integer arrays
        (and float arrays holding whole numbers), ".2g" otherwise (".0f" for
        values of 100 or more).
    cmap : str, default "viridis"
        Colormap.
    ax : matplotlib Axes, optional
        Draw on this axis (of a figure you made) instead of a new figure. That
        figure is left open: it belongs to you.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure (heatmap and colour bar axes), or the figure of ``ax``.

    Raises
    ------
    InvalidParameterError
        If ``array`` is not a non-empty numeric 2-D array.

    Example
    -------
    >>> import numpy as np
    >>> from coursekit.plots import heatmap
    >>> fig = heatmap(np.arange(16).reshape(4, 4), title="input")
    >>> [t.get_text() for t in fig.axes[0].texts][:5]
    ['0', '1', '2', '3', '4']
    """
    arr = _check_small_array("array", array)
    title = _check_title(title)
    if fmt is not None and not isinstance(fmt, str):
        raise InvalidParameterError("fmt", fmt, "a format string such as 'd' or '.2f', or None")
    cmap = _check_cmap(cmap)
    if ax is not None and not isinstance(ax, Axes):
        raise InvalidParameterError("ax", type(ax).__name__, "a matplotlib Axes or None")
    try:
        format(arr.flat[0].item(), fmt or _auto_fmt(arr))
    except (ValueError, TypeError):
        raise InvalidParameterError("fmt", fmt,
                                    f"a format for the array's {arr.dtype} values") from None

    own = ax is None
    if own:
        rows, cols = arr.shape
        cell = float(np.clip(6.0 / max(rows, cols), 0.25, 0.6))
        fig, axes = _new_figure(figsize=(cols * cell + 1.8, rows * cell + 1.2))
        ax = axes[0, 0]
    else:
        cell = 0.5
    _draw_heatmap(ax, arr, fmt=fmt, cmap=cmap, cbar=True, cell_in=cell)
    if title:
        ax.set_title(title, fontsize=11)
    fig = ax.figure
    return _finish(fig) if own else fig


def heatmaps(arrays: Sequence[Any], titles: Sequence[str] | None = None, *,
             fmt: str | None = None, cmap: str = "viridis") -> Figure:
    """Show several small 2-D arrays side by side, on one shared colour scale.

    Cells have the same size in every panel, so a 4×4 pooled map looks half
    as wide as its 8×8 input.

    Parameters
    ----------
    arrays : list of 2-D arrays
        E.g. an 8×8 input and its max-pooled and mean-pooled 4×4 versions.
    titles : list of str, optional
        One title per array.
    fmt : str, optional
        Format of the numbers; by default chosen per array as in :func:`heatmap`.
    cmap : str, default "viridis"
        Colormap, shared by all panels, with one colour bar.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per array, plus the colour bar's.

    Raises
    ------
    InvalidParameterError
        If ``arrays`` is empty or holds something that is not a 2-D array, or
        ``titles`` does not have one title per array.

    Example
    -------
    >>> import numpy as np
    >>> from coursekit.plots import heatmaps
    >>> x = np.arange(64).reshape(8, 8)
    >>> pooled = x.reshape(4, 2, 4, 2).max(axis=(1, 3))
    >>> fig = heatmaps([x, pooled], ["input", "max pooled"])
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['input', 'max pooled']
    """
    if isinstance(arrays, np.ndarray) and arrays.ndim == 3:
        arrays = list(arrays)
    if (isinstance(arrays, (str, bytes, Mapping)) or not isinstance(arrays, Sequence)
            or not arrays):
        raise InvalidParameterError("arrays", type(arrays).__name__,
                                    "a non-empty list of 2-D arrays")
    arrs = [_check_small_array(f"arrays[{i}]", a) for i, a in enumerate(arrays)]
    names = _check_names("titles", titles, len(arrs), "titles")
    if fmt is not None and not isinstance(fmt, str):
        raise InvalidParameterError("fmt", fmt, "a format string such as 'd' or '.2f', or None")
    cmap = _check_cmap(cmap)

    finite = [a[np.isfinite(a)] for a in arrs]
    finite = [f for f in finite if f.size]
    vmin = float(min(f.min() for f in finite)) if finite else None
    vmax = float(max(f.max() for f in finite)) if finite else None
    total_cols = sum(a.shape[1] for a in arrs)
    max_rows = max(a.shape[0] for a in arrs)
    cell = float(np.clip((MAX_WIDTH - 1.0 - 0.7 * len(arrs)) / total_cols, 0.15, 0.55))
    fig, axes = _new_figure(
        1, len(arrs), width_ratios=[a.shape[1] for a in arrs],
        figsize=(total_cols * cell + 0.7 * len(arrs) + 1.0, max_rows * cell + 1.5))
    for i, (ax, arr) in enumerate(zip(axes.flat, arrs, strict=True)):
        _draw_heatmap(ax, arr, fmt=fmt, cmap=cmap, cbar=False, vmin=vmin, vmax=vmax,
                      cell_in=cell)
        if names is not None:
            ax.set_title(names[i], fontsize=11)
    mappable = axes[0, -1].collections[0]
    fig.colorbar(mappable, ax=list(axes.flat), shrink=0.8, fraction=0.04, aspect=25, pad=0.01)
    _trim(fig, list(axes.flat))
    return _finish(fig)


def _trim(fig: Figure, axes: list[Axes]) -> None:
    """Shrink a one-row figure of square-celled axes by the space their aspect leaves unused."""
    for _ in range(3):
        fig.draw_without_rendering()  # runs the constrained layout and applies the aspect
        boxes = [(ax.get_position(original=True), ax.get_position(original=False))
                 for ax in axes]
        slack_w = sum(box.width - used.width for box, used in boxes)
        slack_h = min(box.height - used.height for box, used in boxes)
        if slack_w < 0.005 and slack_h < 0.005:
            break
        fig.set_size_inches(fig.get_figwidth() * (1.0 - max(slack_w, 0.0)),
                            fig.get_figheight() * (1.0 - max(slack_h, 0.0)))


# ----------------------------------------------------------------------------
# What a CNN sees
# ----------------------------------------------------------------------------

def _conv_layer(model: Any, layer: Any) -> keras.layers.Conv2D:
    """Find the Conv2D layer named or indexed by ``layer`` (default: the first)."""
    import keras

    if not isinstance(model, keras.Model):
        raise InvalidParameterError("model", type(model).__name__,
                                    "a Keras model (keras.Sequential or keras.Model)")
    convs = [(i, lyr) for i, lyr in enumerate(model.layers)
             if isinstance(lyr, keras.layers.Conv2D)]
    if not convs:
        raise InvalidParameterError("model", model.name, "a model with a Conv2D layer")
    if layer is None:
        return convs[0][1]
    if isinstance(layer, str):
        for _, lyr in convs:
            if lyr.name == layer:
                return lyr
        names = ", ".join(repr(lyr.name) for _, lyr in convs)
        raise InvalidParameterError("layer", layer, f"the name of a Conv2D layer: {names}")
    if isinstance(layer, numbers.Integral) and not isinstance(layer, bool):
        n = len(model.layers)
        index = check_int("layer", layer, min_value=-n, max_value=n - 1)
        lyr = model.layers[index]
        if isinstance(lyr, keras.layers.Conv2D):
            return lyr
        where = ", ".join(f"{i} ({lyr.name!r})" for i, lyr in convs)
        raise InvalidParameterError(
            "layer", layer,
            f"the index in model.layers of a Conv2D layer: {where} "
            f"(layer {index} is a {type(lyr).__name__})")
    raise InvalidParameterError("layer", layer,
                                "None, a Conv2D layer name, or an index into model.layers")


def conv_filters(model: keras.Model, layer: str | int | None = None, *, max_filters: int = 32,
                 ncols: int = 8, title: str | None = None) -> Figure:
    """Show the kernels (weights) of a Conv2D layer as small greyscale images.

    All kernels share one symmetric grey scale: white is the largest positive
    weight, black the most negative, mid-grey zero. For a layer whose input
    has several channels (e.g. RGB, or a deeper layer), each panel is the mean
    of the kernel over the input channels; the title says so.

    Parameters
    ----------
    model : keras.Model
        A built model (e.g. a ``keras.Sequential`` starting with ``keras.Input``).
    layer : str or int, optional
        The Conv2D layer: its name, or its index in ``model.layers``. By
        default the first Conv2D layer.
    max_filters : int, default 32
        Show at most this many filters (the first ones).
    ncols : int, default 8
        Number of columns.
    title : str, optional
        Figure title; by default the layer's name, kernel size and what is shown.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per filter shown, plus the colour bar's.

    Raises
    ------
    InvalidParameterError
        If ``model`` is not a Keras model or has no Conv2D layer, ``layer``
        names no Conv2D layer (the message lists them), or the model is not
        built.

    Example
    -------
    >>> from coursekit.plots import conv_filters
    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3)])
    >>> fig = conv_filters(model)
    >>> len(fig.axes) - 1  # one per filter, plus the colour bar
    4
    """
    import keras

    conv = _conv_layer(model, layer)
    max_filters = check_int("max_filters", max_filters, min_value=1)
    ncols = check_int("ncols", ncols, min_value=1)
    title = _check_title(title)
    if not conv.built:
        raise InvalidParameterError(
            "model", model.name,
            "a built model (start it with keras.Input(shape=...) or call it on data)")
    kernel = keras.ops.convert_to_numpy(conv.kernel).astype(np.float64)  # (kh, kw, in, out)
    kh, kw, n_in, n_out = kernel.shape
    if n_in == 1:
        shown, how = kernel[:, :, 0, :], "1 input channel"
    else:
        shown, how = kernel.mean(axis=2), f"mean over {n_in} input channels"
    n = min(n_out, max_filters)
    limit = float(np.abs(shown[..., :n]).max()) or 1.0

    nrows, ncols = _grid(n, ncols)
    panel = min(1.1, (MAX_WIDTH - 1.0) / ncols)
    fig, axes = _new_figure(nrows, ncols,
                            figsize=(ncols * panel + 1.0, nrows * (panel + 0.25) + 0.6))
    image = None
    for i, ax in enumerate(axes.flat[:n]):
        image = ax.imshow(shown[:, :, i], cmap="gray", vmin=-limit, vmax=limit,
                          interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"filter {i}", fontsize=_PANEL_TITLE_SIZE)
    _remove_unused(axes, n)
    fig.colorbar(image, ax=list(axes.flat[:n]), shrink=0.8, label="weight")
    if title is None:
        title = (f"{conv.name}: {n} of {n_out} filters, {kh}×{kw} ({how})"
                 if n < n_out else f"{conv.name}: {n_out} filters, {kh}×{kw} ({how})")
    fig.suptitle(title, fontsize=_TITLE_SIZE)
    return _finish(fig)


def feature_maps(model: keras.Model, image: Any, layer: str | int | None = None, *,
                 max_maps: int = 16, ncols: int = 8, title: str | None = None) -> Figure:
    """Show the activations (feature maps) of a Conv2D layer for one image.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or functional model (e.g. a ``keras.Sequential``
        starting with ``keras.Input``).
    image : array of shape (H, W), (H, W, C) or (1, H, W, C)
        One image, preprocessed as the model expects (e.g. scaled to [0, 1]).
        A greyscale (H, W) image gets its channel axis added.
    layer : str or int, optional
        The Conv2D layer: its name, or its index in ``model.layers``. By
        default the first Conv2D layer.
    max_maps : int, default 16
        Show at most this many channels (the first ones).
    ncols : int, default 8
        Number of columns.
    title : str, optional
        Figure title; by default the layer's name and what is shown.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per feature map shown. Each map has its own colour scale
        (bright = strong activation).

    Raises
    ------
    InvalidParameterError
        If ``model`` is not a built single-input Keras model with a Conv2D
        layer, ``layer`` names no Conv2D layer, or ``image`` does not match the
        model's input shape.

    Example
    -------
    >>> import numpy as np
    >>> from coursekit.plots import feature_maps
    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3)])
    >>> fig = feature_maps(model, np.zeros((8, 8)))
    >>> len(fig.axes)
    4
    """
    import keras

    conv = _conv_layer(model, layer)
    max_maps = check_int("max_maps", max_maps, min_value=1)
    ncols = check_int("ncols", ncols, min_value=1)
    title = _check_title(title)
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise InvalidParameterError(
            "model", model.name,
            "a built Sequential or functional model (start it with keras.Input(shape=...))")
    if len(inputs) != 1:
        raise InvalidParameterError("model", model.name, "a model with a single input")
    expected = tuple(inputs[0].shape[1:])
    x = check_array("image", image, ndim=(2, 3, 4))
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise InvalidParameterError("image", f"array of shape {x.shape}",
                                        "one image: (H, W), (H, W, C) or (1, H, W, C)")
        x = x[0]
    if x.ndim == len(expected) - 1 and expected[-1] == 1:
        x = x[..., None]
    if x.ndim != len(expected) or any(e is not None and e != d
                                      for e, d in zip(expected, x.shape, strict=True)):
        shape = "(" + ", ".join("?" if e is None else str(e) for e in expected) + ")"
        raise InvalidParameterError("image", f"array of shape {np.shape(image)}",
                                    f"one image of the model's input shape {shape}")
    if not np.issubdtype(x.dtype, np.number):
        raise InvalidParameterError("image", f"array of dtype {x.dtype}", "numeric pixel values")

    extractor = keras.Model(inputs[0], conv.output)
    maps = keras.ops.convert_to_numpy(extractor(x[None].astype("float32"), training=False))[0]
    if conv.data_format == "channels_first":
        maps = np.moveaxis(maps, 0, -1)
    n_maps = maps.shape[-1]
    n = min(n_maps, max_maps)

    nrows, ncols = _grid(n, ncols)
    height, width = maps.shape[:2]
    panel = min(1.4, MAX_WIDTH / ncols)
    fig, axes = _new_figure(nrows, ncols,
                            figsize=(ncols * panel, nrows * (panel * height / width + 0.25) + 0.6))
    for i, ax in enumerate(axes.flat[:n]):
        ax.imshow(maps[:, :, i], cmap="viridis", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"channel {i}", fontsize=_PANEL_TITLE_SIZE)
    _remove_unused(axes, n)
    if title is None:
        what = f"{n} of {n_maps} channels" if n < n_maps else f"{n_maps} channels"
        title = f"feature maps of {conv.name} ({what}, {height}×{width})"
    fig.suptitle(title, fontsize=_TITLE_SIZE)
    return _finish(fig)
