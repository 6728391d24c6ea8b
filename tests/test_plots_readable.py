"""Every figure of coursekit.plots is readable at notebook width, as the notebooks draw it.

Each case below calls a plot function the way a notebook does (same arguments, the longest
titles and class names of the course: Fashion-MNIST's and CIFAR-10's, "CIFAR-10 subset (...)"),
draws it headless, saves it as a PNG under ``$COURSEKIT_ARTIFACTS/plots`` (default
``tests/artifacts/plots``) for a human to look at, and asserts what makes it readable:

- it fits a notebook cell: at most ``plots.MAX_WIDTH`` inches wide;
- it says what it shows: a figure title, or a title on every panel;
- every axis that has tick labels has an axis label (colour bars excepted);
- no two texts overlap (tick labels, axis labels, titles, values written in cells), and no
  text is cut off at the figure's edge;
- no text is smaller than 6 points.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from coursekit import plots

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
         "truck"]
DIGITS = [str(i) for i in range(10)]
CIFAR_LABEL = "CIFAR-10 subset (5,085 / 1,017)"
MIN_POINTS = 6.0

rng = np.random.default_rng(0)


def _images(n: int, shape: tuple[int, ...] = (28, 28)) -> np.ndarray:
    return rng.integers(0, 256, (n, *shape), dtype=np.uint8)


def _probabilities(n: int, classes: int = 10) -> np.ndarray:
    logits = rng.normal(0, 3, (n, classes))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def _history(epochs: int, start: float = 0.8, seed: int = 0) -> dict[str, list[float]]:
    r = np.random.default_rng(seed)
    t = np.arange(1, epochs + 1)
    acc = 1 - (1 - start) / t ** 0.7
    return {"accuracy": list(acc), "val_accuracy": list(acc - 0.01 - 0.002 * t),
            "loss": list(0.6 / t ** 0.8 + r.normal(0, 0.005, epochs)),
            "val_loss": list(0.65 / t ** 0.6 + r.normal(0, 0.005, epochs))}


def _cnn(filters: int = 12, deep: bool = False):
    import keras

    keras.utils.set_random_seed(0)
    layers = [keras.Input((28, 28, 1)), keras.layers.Conv2D(filters, 3, name="conv_1")]
    if deep:
        layers.append(keras.layers.Conv2D(filters, 3, name="conv_2"))
    return keras.Sequential(layers)


CASES: dict[str, Callable[[], Figure]] = {
    # 01 · MLP
    "01-image-grid": lambda: plots.image_grid(
        _images(20), rng.integers(0, 10, 20), ncols=10,
        title="The first 20 training images and their labels (MNIST)"),
    "01-heatmap-20x20": lambda: plots.heatmap(
        _images(1, (20, 20))[0], cmap="gray",
        title="Pixel values of the first training image (its central 20 × 20 pixels)"),
    "01-weights-grid": lambda: plots.image_grid(
        rng.random((10, 28, 28)), np.arange(10), ncols=5, cmap="RdBu_r",
        title="Weights of softmax regression, one 28 × 28 image per digit\n"
              "(red: ink there raises the digit's score, blue: lowers it)"),
    "01-curves-compare": lambda: plots.training_curves(
        [_history(10, 0.85), _history(10, 0.9, 1), _history(10, 0.93, 2)],
        labels=["SGD", "RMSprop", "Adam"],
        title="Three optimisers, 2 × 512 ReLU, 10,000 images of MNIST"),
    "01-curves-20-epochs": lambda: plots.training_curves(
        _history(20), title="The classic MLP, faster recipe, on MNIST (dashed: test set)"),
    "01-fashion-grid": lambda: plots.image_grid(
        _images(20), rng.integers(0, 10, 20), class_names=FASHION, ncols=10,
        title="The first 20 training images (Fashion-MNIST)"),
    "01-probability-bars": lambda: plots.probability_bars(
        _probabilities(1)[0], FASHION, true_label=9, image=_images(1)[0]),
    # 02 · mistakes
    "02-gallery": lambda: plots.misclassified_gallery(
        _images(300), rng.integers(0, 10, 300), _probabilities(300), order="index",
        max_images=20, title="The first 20 misclassified test images (MNIST, 150 mistakes in all)"),
    "02-confusion-digits": lambda: plots.confusion_matrix(
        rng.integers(0, 10, 10_000), rng.integers(0, 10, 10_000), class_names=DIGITS,
        title="Confusion matrix of the MLP on the MNIST test set"),
    # 03 · CNN
    "03-heatmaps-conv": lambda: plots.heatmaps(
        [rng.integers(0, 9, (7, 5)), rng.integers(-1, 2, (3, 3)), rng.integers(-9, 9, (5, 3))],
        ["7×5 image", "3×3 kernel", "5×3 output"]),
    "03-curves-mlp-cnn": lambda: plots.training_curves(
        [_history(5, 0.9), _history(5, 0.95, 1)], labels=["MLP", "CNN"],
        title="MLP vs CNN (MNIST, validation = test set)"),
    "03-conv-filters": lambda: plots.conv_filters(
        _cnn(), ncols=6, title="the 12 learned 3×3 filters of the simple CNN (MNIST)"),
    "03-feature-maps": lambda: plots.feature_maps(
        _cnn(deep=True), rng.random((28, 28, 1)), layer="conv_2", max_maps=12, ncols=6,
        title="feature maps of the second conv layer (MNIST)"),
    # 04 · pooling
    "04-heatmap-8x8": lambda: plots.heatmap(rng.integers(0, 7, (8, 8)),
                                            title="an 8×8 image of a zero"),
    "04-heatmaps-pooling": lambda: plots.heatmaps(
        [rng.integers(0, 7, (8, 8)), rng.integers(0, 7, (4, 4)), rng.random((4, 4)) * 6],
        ["8×8 input", "2×2 max pooling", "2×2 mean pooling"], fmt="g"),
    # 05 · regularization
    "05-curves-five": lambda: plots.training_curves(
        [_history(12, 0.9, i) for i in range(5)],
        labels=["no regularization", "dropout 0.25", "L2 1e-4", "batch norm", "all three"],
        title="one technique at a time, 5,000 training images (MNIST)"),
    # 06 · RNN
    "06-gallery-15": lambda: plots.misclassified_gallery(
        _images(500), rng.integers(0, 10, 500), _probabilities(500), max_images=15,
        title="Row-by-row LSTM: 107 of 10,000 MNIST test images misclassified "
              "(most confident first)"),
    # 07 · CIFAR-10
    "07-cifar-grid": lambda: plots.image_grid(
        _images(30, (32, 32, 3)), rng.integers(0, 10, 30), CIFAR, ncols=10,
        title=f"The first 30 training images of {CIFAR_LABEL}"),
    "07-cifar-gallery": lambda: plots.misclassified_gallery(
        _images(200, (32, 32, 3)), rng.integers(0, 10, 200), _probabilities(200), CIFAR,
        max_images=15, title=f"The CNN's most confident mistakes on the {CIFAR_LABEL} "
                             "test images"),
    "07-cifar-confusion": lambda: plots.confusion_matrix(
        rng.integers(0, 10, 1_017), _probabilities(1_017), CIFAR, normalize="true",
        title=f"CNN on the {CIFAR_LABEL} test images (rows sum to 1)"),
    "07-augmentation-grid": lambda: plots.image_grid(
        _images(16, (32, 32, 3)), np.array(["original"] + ["augmented"] * 15), ncols=8,
        title=f"Your augmentation pipeline, on a horse of {CIFAR_LABEL}"),
    "07-curves-long-labels": lambda: plots.training_curves(
        [_history(20, 0.4), _history(40, 0.35, 1)], labels=["CNN", "CNN + augmentation"],
        title=f"Data augmentation against overfitting, {CIFAR_LABEL}, "
              "6,000 training images sampled"),
}


def _is_colorbar(ax: Axes) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _tick_labels(axis) -> list[Text]:
    """The tick labels the axis draws: visible, not empty, inside the view limits."""
    low, high = sorted(axis.get_view_interval())
    margin = 1e-9 * max(1.0, abs(high - low))
    return [label for tick in axis.get_major_ticks()
            if low - margin <= tick.get_loc() <= high + margin
            for label in (tick.label1, tick.label2)
            if label.get_visible() and label.get_text().strip()]


def _texts(fig: Figure) -> list[tuple[str, Text]]:
    """Every text a reader has to read, with a name for messages."""
    found = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        found.append(("suptitle", fig._suptitle))
    for i, ax in enumerate(fig.axes):
        for where, title in (("title", ax.title), ("left title", ax._left_title),
                             ("right title", ax._right_title)):
            if title.get_text():
                found.append((f"axes {i} {where}", title))
        for name, label in (("xlabel", ax.xaxis.label), ("ylabel", ax.yaxis.label)):
            if label.get_visible() and label.get_text():
                found.append((f"axes {i} {name}", label))
        for name, axis in (("x tick", ax.xaxis), ("y tick", ax.yaxis)):
            found += [(f"axes {i} {name} {t.get_text()!r}", t) for t in _tick_labels(axis)]
        found += [(f"axes {i} text {t.get_text()!r}", t) for t in ax.texts
                  if t.get_visible() and t.get_text().strip()]
    return found


def _shrunk(box: Bbox, pixels: float = 1.0) -> Bbox:
    """A text's box less a pixel on each side: touching is not overlapping."""
    return Bbox.from_extents(box.x0 + pixels, box.y0 + pixels, box.x1 - pixels, box.y1 - pixels)


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    path = artifacts / "plots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_figure_is_readable_at_notebook_width(case, shots):
    fig = CASES[case]()
    FigureCanvasAgg(fig)
    fig.savefig(shots / f"{case}.png")  # as Jupyter's inline backend shows it
    renderer = fig.canvas.get_renderer()

    assert fig.get_figwidth() <= plots.MAX_WIDTH + 1e-9

    panels = [ax for ax in fig.axes if not _is_colorbar(ax) and ax.get_visible()]
    has_suptitle = fig._suptitle is not None and bool(fig._suptitle.get_text())
    untitled = [i for i, ax in enumerate(panels) if not ax.get_title()]
    assert has_suptitle or not untitled, f"panels {untitled} have no title and no suptitle"

    for i, ax in enumerate(panels):
        if _tick_labels(ax.xaxis):
            assert ax.get_xlabel(), f"panel {i} ({ax.get_title()!r}) has no x label"
        if _tick_labels(ax.yaxis):
            assert ax.get_ylabel(), f"panel {i} ({ax.get_title()!r}) has no y label"

    texts = _texts(fig)
    assert texts
    boxes = [(name, text, text.get_window_extent(renderer)) for name, text in texts]
    frame = fig.bbox
    for name, text, box in boxes:
        assert text.get_fontsize() >= MIN_POINTS, f"{name} is {text.get_fontsize():g} pt"
        assert (box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1
                and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1), f"{name} is cut off"
    # Bbox.overlaps for every pair at once (a 20 × 20 heatmap writes 400 values)
    ext = np.array([_shrunk(box).extents for _, _, box in boxes])
    x0, x1 = np.minimum(ext[:, 0], ext[:, 2]), np.maximum(ext[:, 0], ext[:, 2])
    y0, y1 = np.minimum(ext[:, 1], ext[:, 3]), np.maximum(ext[:, 1], ext[:, 3])
    hit = ((x0[:, None] <= x1[None, :]) & (x0[None, :] <= x1[:, None])
           & (y0[:, None] <= y1[None, :]) & (y0[None, :] <= y1[:, None]))
    overlaps = [f"{boxes[i][0]} / {boxes[j][0]}" for i, j in np.argwhere(np.triu(hit, 1))]
    assert not overlaps, f"overlapping texts: {overlaps[:5]}"
    plt.close(fig)
