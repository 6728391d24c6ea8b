"""Tests of coursekit.plots: what each figure shows, and the errors it raises."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io
import types
from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sklearn.metrics
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from coursekit import plots
from coursekit.errors import InvalidParameterError

LONG_NAMES = [f"a rather long class name {i}" for i in range(10)]


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def _images(n=6, shape=(8, 8), dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, (n, *shape), dtype=np.uint8)
    return rng.random((n, *shape)).astype(dtype)


def _draw(fig):
    """Draw a figure closed in pyplot (its canvas is then a bare FigureCanvasBase)."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _check_figure(fig):
    """Every function returns a closed, notebook-sized Figure that renders headless."""
    assert isinstance(fig, Figure)
    assert not plt.fignum_exists(fig.number)  # closed in pyplot: displayed once in Jupyter
    assert fig.get_figwidth() <= plots.MAX_WIDTH + 1e-9
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # what Jupyter's inline backend does
    assert buffer.getvalue().startswith(b"\x89PNG")


def _raises(name, func, *args, match=None, **kwargs):
    with pytest.raises(InvalidParameterError, match=match) as info:
        func(*args, **kwargs)
    assert info.value.name == name
    return info.value


# ----------------------------------------------------------------------------
# image_grid
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 1), (8, 8, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_image_grid_shapes_and_dtypes(shape, dtype):
    fig = plots.image_grid(_images(7, shape, dtype), ncols=3, title="some images")
    _check_figure(fig)
    assert len(fig.axes) == 7  # unused grid cells are removed
    assert fig.get_suptitle() == "some images"
    for ax in fig.axes:
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
        data = ax.images[0].get_array()
        assert data.min() >= 0.0 and data.max() <= 1.0


def test_image_grid_titles_labels_and_class_names():
    labels = np.array([0, 1, 2, 1])
    fig = plots.image_grid(_images(4), labels)
    assert [ax.get_title() for ax in fig.axes] == ["0", "1", "2", "1"]
    fig = plots.image_grid(_images(4), labels, ["cat", "dog", "bird"])
    assert [ax.get_title() for ax in fig.axes] == ["cat", "dog", "bird", "dog"]
    one_hot = np.eye(3)[labels]
    fig = plots.image_grid(_images(4), one_hot, ["cat", "dog", "bird"])
    assert fig.axes[2].get_title() == "bird"
    fig = plots.image_grid(_images(4), labels[:, None])
    assert fig.axes[1].get_title() == "1"


def test_image_grid_max_images_and_layout():
    fig = plots.image_grid(_images(60), max_images=50)
    _check_figure(fig)
    assert len(fig.axes) == 50
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes}
    assert len(rows) == 5  # 10 columns by default


def test_image_grid_errors():
    err = _raises("images", plots.image_grid, np.zeros((8, 8)))
    assert "(N, H, W)" in err.expected and "(N, H, W, 3)" in err.expected
    _raises("images", plots.image_grid, np.zeros((2, 8, 8, 2)))
    _raises("images", plots.image_grid, np.zeros((0, 8, 8)))
    _raises("labels", plots.image_grid, _images(4), [0, 1, 2])
    _raises("labels", plots.image_grid, _images(2), [0.5, 1.0])
    _raises("class_names", plots.image_grid, _images(3), [0, 1, 2], ["a", "b"])
    _raises("class_names", plots.image_grid, _images(3), [0, 1, 2], "abc")
    _raises("ncols", plots.image_grid, _images(3), ncols=0)
    _raises("max_images", plots.image_grid, _images(3), max_images=1.5)
    _raises("cmap", plots.image_grid, _images(3), cmap="not-a-colormap")
    _raises("title", plots.image_grid, _images(3), title=3)


# ----------------------------------------------------------------------------
# training_curves
# ----------------------------------------------------------------------------

HISTORY = {"loss": [0.9, 0.5, 0.4], "accuracy": [0.6, 0.8, 0.9],
           "val_loss": [1.0, 0.7, 0.6], "val_accuracy": [0.55, 0.75, 0.8]}


def test_training_curves_from_dict():
    fig = plots.training_curves(HISTORY, title="dense")
    _check_figure(fig)
    acc, loss = fig.axes
    assert (acc.get_title(), loss.get_title()) == ("accuracy", "loss")
    assert acc.get_xlabel() == loss.get_xlabel() == "epoch"
    assert fig.get_suptitle() == "dense"
    styles = {line.get_label(): line for line in loss.lines}
    assert styles["train"].get_linestyle() == "-"
    assert styles["validation"].get_linestyle() == "--"
    assert list(styles["train"].get_xdata()) == [1, 2, 3]
    assert list(styles["validation"].get_ydata()) == HISTORY["val_loss"]
    assert list(acc.lines[0].get_ydata()) == HISTORY["accuracy"]


def test_training_curves_accepts_history_objects():
    import keras

    history = keras.callbacks.History()
    history.history = dict(HISTORY)
    result = types.SimpleNamespace(history=dict(HISTORY))  # like coursekit's TrainingResult
    for obj in (history, result):
        fig = plots.training_curves(obj)
        assert len(fig.axes) == 2
        assert list(fig.axes[1].lines[0].get_ydata()) == HISTORY["loss"]


def test_training_curves_without_validation_or_accuracy():
    fig = plots.training_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]})
    assert all(line.get_linestyle() == "-" for ax in fig.axes for line in ax.lines)
    fig = plots.training_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]})
    assert [ax.get_title() for ax in fig.axes] == ["loss"]


def test_training_curves_compare_models():
    other = {k: [v * 0.9 for v in vals] for k, vals in HISTORY.items()}
    fig = plots.training_curves([HISTORY, other], labels=["dense", "cnn"])
    _check_figure(fig)
    acc = fig.axes[0]
    assert len(acc.lines) == 4
    colors = {to_rgba(line.get_color()) for line in acc.lines}
    assert len(colors) == 2  # one colour per model
    legend = [t.get_text() for t in acc.get_legend().get_texts()]
    assert legend == ["dense", "cnn", "train", "validation"]
    fig = plots.training_curves([HISTORY, other])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == [
        "model 1", "model 2"]


def test_training_curves_errors():
    _raises("history[0]", plots.training_curves, [1, 2, 3])
    _raises("history", plots.training_curves, "history")
    _raises("history", plots.training_curves, [])
    _raises("history", plots.training_curves, {"loss": []})
    _raises("history", plots.training_curves, {"lr": [0.1]})
    _raises("history[1]", plots.training_curves, [HISTORY, None])
    _raises("labels", plots.training_curves, [HISTORY, HISTORY], labels=["one"])


# ----------------------------------------------------------------------------
# misclassified_gallery
# ----------------------------------------------------------------------------

Y_TRUE = np.array([0, 1, 2, 0, 1])
Y_PROB = np.array([
    [0.9, 0.05, 0.05],  # right
    [0.7, 0.2, 0.1],    # wrong: pred 0 (70%)
    [0.05, 0.93, 0.02],  # wrong: pred 1 (93%)
    [0.1, 0.1, 0.8],    # wrong: pred 2 (80%)
    [0.1, 0.8, 0.1],    # right
])


def test_misclassified_gallery_most_confident_first():
    fig = plots.misclassified_gallery(_images(5), Y_TRUE, Y_PROB)
    _check_figure(fig)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["true: 2 / pred: 1 (93%)", "true: 0 / pred: 2 (80%)",
                      "true: 1 / pred: 0 (70%)"]
    assert "3 of 5" in fig.get_suptitle()


def test_misclassified_gallery_index_order_names_and_max():
    names = ["cat", "dog", "bird"]
    fig = plots.misclassified_gallery(_images(5), Y_TRUE, Y_PROB, names, order="index",
                                      max_images=2)
    assert [ax.get_title() for ax in fig.axes] == ["true: dog / pred: cat (70%)",
                                                   "true: bird / pred: dog (93%)"]


def test_misclassified_gallery_shows_the_right_images():
    images = _images(5)
    fig = plots.misclassified_gallery(images, Y_TRUE, Y_PROB)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), images[2] / 255.0,
                               rtol=1e-6)


@pytest.mark.parametrize("y_true", [Y_TRUE[:, None], np.eye(3)[Y_TRUE], list(Y_TRUE)])
def test_misclassified_gallery_label_formats(y_true):
    fig = plots.misclassified_gallery(_images(5, (8, 8, 3)), y_true, Y_PROB)
    assert fig.axes[0].get_title() == "true: 2 / pred: 1 (93%)"


def test_misclassified_gallery_long_names_wrap():
    y_prob = np.zeros((2, 10))
    y_prob[:, 9] = 1.0
    fig = plots.misclassified_gallery(_images(2), [0, 1], y_prob, LONG_NAMES)
    title = fig.axes[0].get_title()
    assert title.startswith("true: a rather long") and "\n" in title
    assert title.replace("\n", " ").endswith("pred: a rather long class name 9 (100%)")


def test_misclassified_gallery_no_mistakes():
    fig = plots.misclassified_gallery(_images(2), [0, 1], np.eye(2))
    _check_figure(fig)
    assert len(fig.axes) == 1
    assert "No misclassified images" in fig.axes[0].texts[0].get_text()


def test_misclassified_gallery_errors():
    _raises("y_prob", plots.misclassified_gallery, _images(4), Y_TRUE[:4], Y_PROB)
    _raises("y_true", plots.misclassified_gallery, _images(5), Y_TRUE[:4], Y_PROB)
    _raises("y_true", plots.misclassified_gallery, _images(5), [0, 1, 2, 3, 0], Y_PROB)
    _raises("y_true", plots.misclassified_gallery, _images(5), np.eye(4)[[0, 1, 2, 3, 0]],
            Y_PROB)
    err = _raises("y_prob", plots.misclassified_gallery, _images(5), Y_TRUE, Y_PROB * 10)
    assert "softmax" in err.expected
    _raises("y_prob", plots.misclassified_gallery, _images(5), Y_TRUE, Y_PROB[:, 0])
    _raises("class_names", plots.misclassified_gallery, _images(5), Y_TRUE, Y_PROB, ["a"])
    _raises("order", plots.misclassified_gallery, _images(5), Y_TRUE, Y_PROB, order="random")
    _raises("images", plots.misclassified_gallery, np.zeros((5, 8)), Y_TRUE, Y_PROB)


# ----------------------------------------------------------------------------
# confusion_matrix
# ----------------------------------------------------------------------------

def _labels(n=200, n_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, n_classes, n))
    return y_true, y_pred


def test_confusion_matrix_counts_match_sklearn():
    y_true, y_pred = _labels()
    fig = plots.confusion_matrix(y_true, y_pred)
    _check_figure(fig)
    ax = fig.axes[0]
    expected = sklearn.metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    shown = np.array([int(t.get_text()) for t in ax.texts]).reshape(expected.shape)
    np.testing.assert_array_equal(shown, expected)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted label", "true label")
    assert len(fig.axes) == 2  # matrix and colour bar


def test_confusion_matrix_accepts_probabilities_and_one_hot():
    y_true, y_pred = _labels(n_classes=3)
    y_prob = np.eye(3)[y_pred] * 0.8 + 0.05
    fig = plots.confusion_matrix(np.eye(3)[y_true], y_prob, ["a", "b", "c"])
    expected = sklearn.metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), expected)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]


def test_confusion_matrix_class_names_keep_missing_classes():
    fig = plots.confusion_matrix([0, 1, 1], [0, 1, 0], ["a", "b", "c", "d"])
    assert fig.axes[0].images[0].get_array().shape == (4, 4)


@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_confusion_matrix_normalize(normalize):
    y_true, y_pred = _labels(n_classes=4)
    fig = plots.confusion_matrix(y_true, y_pred, normalize=normalize)
    expected = sklearn.metrics.confusion_matrix(y_true, y_pred, normalize=normalize)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), expected)
    assert "." in fig.axes[0].texts[0].get_text()


def test_confusion_matrix_long_class_names_do_not_overlap():
    y_true, y_pred = _labels()
    fig = plots.confusion_matrix(y_true, y_pred, LONG_NAMES)
    renderer = _draw(fig)
    ax = fig.axes[0]
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        boxes = [t.get_window_extent(renderer) for t in ticks]
        assert len(boxes) == 10
        for a, b in combinations(boxes, 2):
            assert not a.overlaps(b)
    # and the x tick labels stay inside the figure
    fig_box = fig.bbox
    for t in ax.get_xticklabels():
        box = t.get_window_extent(renderer)
        assert box.x0 >= fig_box.x0 and box.x1 <= fig_box.x1 and box.y0 >= fig_box.y0


def test_confusion_matrix_errors():
    _raises("y_pred", plots.confusion_matrix, [0, 1, 2], [0, 1])
    _raises("y_true", plots.confusion_matrix, [0.5, 1], [0, 1])
    _raises("y_true", plots.confusion_matrix, [], [])
    _raises("normalize", plots.confusion_matrix, [0, 1], [0, 1], normalize="rows")
    err = _raises("class_names", plots.confusion_matrix, [0, 1, 2], [0, 1, 2], ["a", "b"])
    assert "3 class names" in err.expected
    _raises("y_true", plots.confusion_matrix, np.zeros((2, 2, 2)), [0, 1])


# ----------------------------------------------------------------------------
# heatmap / heatmaps
# ----------------------------------------------------------------------------

def test_heatmap_annotations_equal_values():
    array = np.arange(16).reshape(4, 4)
    fig = plots.heatmap(array, title="input")
    _check_figure(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [str(v) for v in array.ravel()]
    assert ax.get_title() == "input"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3"]
    assert ax.get_aspect() == 1.0  # square cells
    assert ax.get_xlabel() and ax.get_ylabel()


def test_heatmap_float_format_and_custom_fmt():
    array = np.array([[0.123, 1.5], [2.0, 0.25]])
    fig = plots.heatmap(array)
    assert [t.get_text() for t in fig.axes[0].texts] == [format(v, ".2g") for v in array.ravel()]
    fig = plots.heatmap(array, fmt=".1f")
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.1", "1.5", "2.0", "0.2"]
    # a pooled integer array that Keras returns as float32 still reads as integers
    fig = plots.heatmap(np.array([[1.0, 2.0], [30.0, 4.0]], dtype="float32"))
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "2", "30", "4"]


def test_heatmap_squeezes_keras_shaped_output():
    fig = plots.heatmap(np.arange(4).reshape(1, 2, 2, 1))
    assert [t.get_text() for t in fig.axes[0].texts] == ["0", "1", "2", "3"]


def test_heatmap_on_given_axis():
    user_fig, (left, right) = plt.subplots(1, 2)
    fig = plots.heatmap(np.eye(3, dtype=int), ax=right, title="right")
    assert fig is user_fig
    assert right.get_title() == "right" and len(right.texts) == 9 and not left.texts
    assert plt.fignum_exists(user_fig.number)  # the caller's figure is left open


def test_heatmap_errors():
    err = _raises("array", plots.heatmap, np.arange(4))
    assert "2-D" in err.expected
    _raises("array", plots.heatmap, np.zeros((2, 3, 4)))
    _raises("array", plots.heatmap, np.zeros((0, 3)))
    _raises("array", plots.heatmap, [["a", "b"]])
    _raises("fmt", plots.heatmap, np.eye(2), fmt="d")  # floats with "d"
    _raises("fmt", plots.heatmap, np.eye(2), fmt=2)
    _raises("cmap", plots.heatmap, np.eye(2), cmap="nope")
    _raises("ax", plots.heatmap, np.eye(2), ax="left")


def test_heatmaps_side_by_side_with_shared_scale():
    x = np.arange(64).reshape(8, 8)
    blocks = x.reshape(4, 2, 4, 2)
    max_pooled, mean_pooled = blocks.max(axis=(1, 3)), blocks.mean(axis=(1, 3))
    fig = plots.heatmaps([x, max_pooled, mean_pooled], ["input", "max", "mean"])
    _check_figure(fig)
    panels, colorbar = fig.axes[:3], fig.axes[3:]
    assert len(colorbar) == 1
    assert [ax.get_title() for ax in panels] == ["input", "max", "mean"]
    assert {ax.collections[0].get_clim() for ax in panels} == {(0.0, 63.0)}
    assert [t.get_text() for t in panels[1].texts] == [str(v) for v in max_pooled.ravel()]
    assert [t.get_text() for t in panels[2].texts] == [
        format(v, ".0f" if v == int(v) else ".2g") for v in mean_pooled.ravel()]
    # cells are the same size in every panel: the 4×4 maps are half as wide
    widths = [ax.get_window_extent().width for ax in panels]
    assert widths[1] == pytest.approx(widths[0] / 2, rel=0.05)


def test_heatmaps_errors():
    _raises("arrays", plots.heatmaps, [])
    _raises("arrays", plots.heatmaps, np.eye(3)[None, None])
    _raises("arrays[1]", plots.heatmaps, [np.eye(2), np.arange(3)])
    _raises("titles", plots.heatmaps, [np.eye(2), np.eye(2)], ["one"])


# ----------------------------------------------------------------------------
# conv_filters / feature_maps (tiny untrained Keras models)
# ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    return keras


@pytest.fixture(scope="module")
def tiny_cnn(keras):
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(4, 3, name="conv_a"),
        keras.layers.Conv2D(6, 3, name="conv_b"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(3, name="out"),
    ])


def test_conv_filters_shows_each_kernel(tiny_cnn):
    fig = plots.conv_filters(tiny_cnn)
    _check_figure(fig)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 4
    assert len(fig.axes) == 5  # plus the colour bar
    kernel = tiny_cnn.get_layer("conv_a").get_weights()[0]
    np.testing.assert_allclose(panels[2].images[0].get_array(), kernel[:, :, 0, 2], rtol=1e-6)
    assert "conv_a" in fig.get_suptitle() and "1 input channel" in fig.get_suptitle()


def test_conv_filters_other_layer_and_limits(tiny_cnn):
    for layer in ("conv_b", 1, -3):
        fig = plots.conv_filters(tiny_cnn, layer, max_filters=5, ncols=3)
        panels = [ax for ax in fig.axes if ax.images]
        assert len(panels) == 5
        assert "mean over 4 input channels" in fig.get_suptitle()
        kernel = tiny_cnn.get_layer("conv_b").get_weights()[0]
        np.testing.assert_allclose(panels[0].images[0].get_array(),
                                   kernel[:, :, :, 0].mean(axis=2), rtol=1e-5)


def test_conv_filters_errors(keras, tiny_cnn):
    err = _raises("layer", plots.conv_filters, tiny_cnn, "conv_c")
    assert "'conv_a'" in err.expected and "'conv_b'" in err.expected
    err = _raises("layer", plots.conv_filters, tiny_cnn, 2)
    assert "0 ('conv_a')" in err.expected
    _raises("layer", plots.conv_filters, tiny_cnn, 10)
    _raises("layer", plots.conv_filters, tiny_cnn, 1.0)
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    err = _raises("model", plots.conv_filters, dense)
    assert "Conv2D" in err.expected
    _raises("model", plots.conv_filters, "model")
    _raises("max_filters", plots.conv_filters, tiny_cnn, max_filters=0)
    unbuilt = keras.Sequential([keras.layers.Conv2D(2, 3)])
    _raises("model", plots.conv_filters, unbuilt)


def test_feature_maps_count_and_values(keras, tiny_cnn):
    image = np.random.default_rng(0).random((8, 8)).astype("float32")
    fig = plots.feature_maps(tiny_cnn, image)
    _check_figure(fig)
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes] == [f"channel {i}" for i in range(4)]
    expected = keras.Model(tiny_cnn.inputs, tiny_cnn.get_layer("conv_a").output).predict(
        image[None, :, :, None], verbose=0)[0]
    np.testing.assert_allclose(fig.axes[3].images[0].get_array(), expected[:, :, 3],
                               rtol=1e-5, atol=1e-6)
    assert fig.axes[0].images[0].get_array().shape == (6, 6)
    fig = plots.feature_maps(tiny_cnn, image[None, :, :, None], "conv_b", max_maps=5)
    assert len(fig.axes) == 5
    assert "5 of 6" in fig.get_suptitle()


def test_feature_maps_functional_and_rgb(keras):
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(3, 3, activation="relu", name="c")(inputs)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    fig = plots.feature_maps(model, np.zeros((8, 8, 3), dtype=np.uint8))
    assert len(fig.axes) == 3
    fig = plots.conv_filters(model)
    assert "mean over 3 input channels" in fig.get_suptitle()


def test_feature_maps_errors(keras, tiny_cnn):
    err = _raises("image", plots.feature_maps, tiny_cnn, np.zeros((9, 9)))
    assert "(8, 8, 1)" in err.expected
    _raises("image", plots.feature_maps, tiny_cnn, np.zeros((2, 8, 8, 1)))
    _raises("image", plots.feature_maps, tiny_cnn, np.zeros(8))
    _raises("layer", plots.feature_maps, tiny_cnn, np.zeros((8, 8)), "out")
    _raises("max_maps", plots.feature_maps, tiny_cnn, np.zeros((8, 8)), max_maps=0)
    unbuilt = keras.Sequential([keras.layers.Conv2D(2, 3)])
    err = _raises("model", plots.feature_maps, unbuilt, np.zeros((8, 8)))
    assert "keras.Input" in err.expected


# ----------------------------------------------------------------------------
# probability_bars
# ----------------------------------------------------------------------------

def _bar_colors(ax):
    return [to_rgba(p.get_facecolor()) for p in ax.patches]


def test_probability_bars_highlights_argmax():
    probs = np.array([0.1, 0.6, 0.3])
    fig = plots.probability_bars(probs, ["cat", "dog", "bird"])
    _check_figure(fig)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    colors = _bar_colors(ax)
    assert len(colors) == 3
    assert colors[0] == colors[2] != colors[1]
    np.testing.assert_allclose([p.get_width() for p in ax.patches], probs)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "bird"]
    assert "dog" in ax.get_title() and "60%" in ax.get_title()
    assert ax.get_xlabel() == "probability"


def test_probability_bars_marks_true_label_and_shows_image():
    probs = np.array([[0.1, 0.6, 0.3]])
    fig = plots.probability_bars(probs, true_label=2, image=_images(1, (8, 8, 1))[0])
    _check_figure(fig)
    image_ax, ax = fig.axes
    assert image_ax.images and not ax.images
    colors = _bar_colors(ax)
    assert len(set(colors)) == 3  # predicted (wrong), true, others
    assert colors[1] == to_rgba("tab:red") and colors[2] == to_rgba("tab:green")
    assert ax.get_yticklabels()[2].get_fontweight() == "bold"
    assert "true: 2" in ax.get_title()
    fig = plots.probability_bars(probs, true_label=1)
    assert _bar_colors(fig.axes[0])[1] == to_rgba("tab:blue")


def test_probability_bars_errors():
    _raises("probabilities", plots.probability_bars, np.full((2, 3), 1 / 3))
    _raises("probabilities", plots.probability_bars, [2.0, -1.0])
    _raises("probabilities", plots.probability_bars, [])
    _raises("class_names", plots.probability_bars, [0.5, 0.5], ["a", "b", "c"])
    _raises("true_label", plots.probability_bars, [0.5, 0.5], true_label=2)
    _raises("true_label", plots.probability_bars, [0.5, 0.5], true_label="a")
    _raises("image", plots.probability_bars, [0.5, 0.5], image=np.zeros(5))
