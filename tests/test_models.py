"""Tests of the model builders: layer names and types, shapes, parameter counts, errors.

Parameter counts are computed by hand (weights + biases) and compared with
Keras's ``count_params``; no model is trained here.
"""

from __future__ import annotations

import keras
import pytest

from coursekit.errors import InvalidParameterError
from coursekit.models import build_cnn, build_lstm, build_mlp


def names(model: keras.Model) -> list[str]:
    return [layer.name for layer in model.layers]


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def conv_params(k: int, c_in: int, c_out: int, bias: bool = True) -> int:
    return k * k * c_in * c_out + (c_out if bias else 0)


def lstm_params(n_in: int, units: int) -> int:
    return 4 * (units * (n_in + units) + units)


# --------------------------------------------------------------------------- #
# build_mlp
# --------------------------------------------------------------------------- #

def test_mlp_default_is_two_hidden_layers_of_512():
    model = build_mlp((784,), hidden_size=512, num_layers=2)
    assert isinstance(model, keras.Sequential)
    assert names(model) == ["hidden_1", "hidden_2", "output"]
    assert model.count_params() == 669_706
    assert model.count_params() == (dense_params(784, 512) + dense_params(512, 512)
                                    + dense_params(512, 10))
    assert model.input_shape == (None, 784)
    assert model.output_shape == (None, 10)
    assert model.get_layer("hidden_1").get_config()["activation"] == "relu"
    assert model.get_layer("output").get_config()["activation"] == "softmax"
    assert model.name == "mlp"
    assert not model.compiled


def test_mlp_without_hidden_layers_is_softmax_regression():
    model = build_mlp(num_layers=0)
    assert names(model) == ["output"]
    assert model.count_params() == 7_850
    assert isinstance(model.layers[0], keras.layers.Dense)


def test_mlp_flattens_multidimensional_input():
    model = build_mlp((28, 28), hidden_size=16, num_layers=1, num_classes=3)
    assert names(model) == ["flatten", "hidden_1", "output"]
    assert isinstance(model.layers[0], keras.layers.Flatten)
    assert model.input_shape == (None, 28, 28)
    assert model.count_params() == dense_params(784, 16) + dense_params(16, 3)


def test_mlp_dropout_and_activation():
    model = build_mlp((20,), hidden_size=8, num_layers=3, activation="tanh", dropout=0.2,
                      name="net")
    assert names(model) == ["hidden_1", "dropout_1", "hidden_2", "dropout_2", "hidden_3",
                            "dropout_3", "output"]
    for i in (1, 2, 3):
        assert model.get_layer(f"dropout_{i}").rate == pytest.approx(0.2)
        assert model.get_layer(f"hidden_{i}").get_config()["activation"] == "tanh"
    assert model.name == "net"


@pytest.mark.parametrize(("param", "value"), [
    ("input_shape", (0,)),
    ("input_shape", "784"),
    ("input_shape", ()),
    ("num_classes", 1),
    ("num_classes", 10.0),
    ("hidden_size", 0),
    ("num_layers", -1),
    ("num_layers", True),
    ("activation", "softmaxx"),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("dropout", "0.5"),
    ("name", ""),
    ("name", 3),
    ("input_rescale", 0),
    ("input_rescale", "1/255"),
])
def test_mlp_rejects_invalid_parameters(param, value):
    with pytest.raises(InvalidParameterError, match=param):
        build_mlp(**{param: value})


# --------------------------------------------------------------------------- #
# build_cnn
# --------------------------------------------------------------------------- #

def test_cnn_classic_keras_mnist_model():
    model = build_cnn((28, 28, 1), filters=[[32, 32]], conv_dropout=0.25,
                      dense_units=[128], dense_dropout=0.5)
    assert names(model) == ["conv_1", "conv_2", "pool_1", "dropout_1", "flatten", "dense_1",
                            "dropout_2", "output"]
    # 28 -> 26 -> 24 -> pool 12: flatten has 12 * 12 * 32 = 4608 values.
    expected = (conv_params(3, 1, 32) + conv_params(3, 32, 32)
                + dense_params(12 * 12 * 32, 128) + dense_params(128, 10))
    assert model.count_params() == expected == 600_810
    assert isinstance(model.get_layer("pool_1"), keras.layers.MaxPooling2D)
    assert model.get_layer("dropout_1").rate == pytest.approx(0.25)
    assert model.get_layer("dropout_2").rate == pytest.approx(0.5)
    assert model.get_layer("flatten").output.shape == (None, 4608)
    assert model.output_shape == (None, 10)
    assert not model.compiled


def test_cnn_default_matches_classic_without_dropout():
    model = build_cnn()
    assert names(model) == ["conv_1", "conv_2", "pool_1", "flatten", "dense_1", "output"]
    assert model.count_params() == 600_810


def test_cnn_tutorial_cifar10_model():
    model = build_cnn((32, 32, 3), filters=[32, 64, 64], pool_last=False, dense_units=[64])
    assert names(model) == ["conv_1", "pool_1", "conv_2", "pool_2", "conv_3", "flatten",
                            "dense_1", "output"]
    # 32 -> 30 -> 15 -> 13 -> 6 -> 4: flatten has 4 * 4 * 64 = 1024 values.
    expected = (conv_params(3, 3, 32) + conv_params(3, 32, 64) + conv_params(3, 64, 64)
                + dense_params(1024, 64) + dense_params(64, 10))
    assert model.count_params() == expected == 122_570
    assert model.get_layer("conv_3").output.shape == (None, 4, 4, 64)


def test_cnn_filters_forms():
    single = build_cnn((12, 12, 1), filters=8, dense_units=())
    assert names(single) == ["conv_1", "pool_1", "flatten", "output"]
    mixed = build_cnn((16, 16, 1), filters=[[4, 4], 8], dense_units=())
    assert names(mixed) == ["conv_1", "conv_2", "pool_1", "conv_3", "pool_2", "flatten",
                            "output"]
    assert [layer.filters for layer in mixed.layers
            if isinstance(layer, keras.layers.Conv2D)] == [4, 4, 8]


def test_cnn_pooling_kinds():
    avg = build_cnn((12, 12, 1), filters=[4, 4], pooling="average", dense_units=())
    pools = [layer for layer in avg.layers if "pool" in layer.name]
    assert len(pools) == 2
    assert all(isinstance(p, keras.layers.AveragePooling2D) for p in pools)
    for none in (None, "none"):
        model = build_cnn((12, 12, 1), filters=[4, 4], pooling=none, dense_units=())
        assert not any("pool" in name for name in names(model))
        # 12 -> 10 -> 8 with no pooling: 8 * 8 * 4 values flattened.
        assert model.get_layer("flatten").output.shape == (None, 8 * 8 * 4)


def test_cnn_padding_kernel_and_pool_sizes():
    model = build_cnn((28, 28, 1), filters=[8], kernel_size=(5, 3), padding="same",
                      pool_size=(4, 2), dense_units=())
    assert model.get_layer("conv_1").output.shape == (None, 28, 28, 8)
    assert model.get_layer("conv_1").kernel_size == (5, 3)
    assert model.get_layer("pool_1").output.shape == (None, 7, 14, 8)
    assert model.count_params() == 5 * 3 * 8 + 8 + dense_params(7 * 14 * 8, 10)


def test_cnn_batch_norm_after_conv_and_dense_before_activation():
    model = build_cnn((12, 12, 1), filters=[[4, 4]], dense_units=[8], batch_norm=True)
    assert names(model) == ["conv_1", "batchnorm_1", "activation_1",
                            "conv_2", "batchnorm_2", "activation_2", "pool_1", "flatten",
                            "dense_1", "batchnorm_3", "activation_3", "output"]
    for i in (1, 2):
        conv = model.get_layer(f"conv_{i}")
        assert not conv.use_bias
        assert conv.get_config()["activation"] == "linear"
    dense = model.get_layer("dense_1")
    assert not dense.use_bias
    assert dense.get_config()["activation"] == "linear"
    for i in (1, 2, 3):
        assert isinstance(model.get_layer(f"batchnorm_{i}"), keras.layers.BatchNormalization)
        assert model.get_layer(f"activation_{i}").get_config()["activation"] == "relu"
    # Biases are replaced by BN's beta; BN adds 4 values per channel (2 trainable).
    expected = (conv_params(3, 1, 4, bias=False) + 4 * 4 + conv_params(3, 4, 4, bias=False)
                + 4 * 4 + dense_params(4 * 4 * 4, 8, bias=False) + 4 * 8
                + dense_params(8, 10))
    assert model.count_params() == expected


def test_cnn_l2_regularizes_conv_and_dense_layers():
    model = build_cnn((12, 12, 1), filters=[4], dense_units=[8], l2=1e-4)
    weighted = [layer for layer in model.layers
                if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert [layer.name for layer in weighted] == ["conv_1", "dense_1", "output"]
    for layer in weighted:
        assert isinstance(layer.kernel_regularizer, keras.regularizers.L2)
        assert layer.kernel_regularizer.l2 == pytest.approx(1e-4)
    plain = build_cnn((12, 12, 1), filters=[4], dense_units=[8])
    assert all(getattr(layer, "kernel_regularizer", None) is None for layer in plain.layers)


def test_cnn_flatten_dropout_comes_before_the_dense_layers():
    model = build_cnn((12, 12, 1), filters=[4, 8], padding="same", flatten_dropout=0.4,
                      dense_units=[16])
    assert names(model) == ["conv_1", "pool_1", "conv_2", "pool_2", "flatten", "dropout_1",
                            "dense_1", "output"]
    assert model.get_layer("dropout_1").rate == pytest.approx(0.4)


def test_cnn_add_channel_takes_grey_images_without_a_channel_axis():
    model = build_cnn((28, 28), add_channel=True, input_rescale=1 / 255, input_dtype="uint8")
    assert names(model)[:3] == ["rescale", "add_channel", "conv_1"]
    assert model.input_shape == (None, 28, 28) and model.inputs[0].dtype == "uint8"
    assert model.count_params() == build_cnn((28, 28, 1)).count_params()


def test_cnn_without_dense_layers_goes_from_flatten_to_output():
    model = build_cnn((12, 12, 1), filters=[4], dense_units=[], activation="elu")
    assert names(model)[-2:] == ["flatten", "output"]
    assert model.get_layer("conv_1").get_config()["activation"] == "elu"


def test_cnn_spatial_size_errors_name_the_culprit():
    with pytest.raises(InvalidParameterError, match=r"filters=.*1x1 feature map"):
        build_cnn((28, 28, 1), filters=[32, 64, 64, 64])
    with pytest.raises(InvalidParameterError, match=r"kernel_size=30.*28x28 input"):
        build_cnn((28, 28, 1), kernel_size=30)
    with pytest.raises(InvalidParameterError, match=r"pool_size=\(30, 2\).*24x24"):
        build_cnn((28, 28, 1), pool_size=(30, 2))
    with pytest.raises(InvalidParameterError, match=r"filters=.*block 2"):
        build_cnn((6, 6, 1), filters=[4, 4, 4])
    # The same depth fits with padding="same" or without the last pooling.
    build_cnn((28, 28, 1), filters=[8, 8, 8, 8], padding="same", dense_units=())
    build_cnn((8, 8, 1), filters=[4, 4], pool_last=False, dense_units=())


@pytest.mark.parametrize(("param", "value"), [
    ("input_shape", (28, 28)),
    ("input_shape", (28, 28, 0)),
    ("num_classes", 1),
    ("filters", []),
    ("filters", [0]),
    ("filters", [[]]),
    ("filters", "32"),
    ("filters", [[32], "a"]),
    ("filters", 3.5),
    ("kernel_size", 0),
    ("kernel_size", (3, 3, 3)),
    ("kernel_size", "3"),
    ("padding", "full"),
    ("pooling", "min"),
    ("pool_size", 0),
    ("pool_size", (2,)),
    ("pool_last", "yes"),
    ("conv_dropout", 1.0),
    ("dense_units", [0]),
    ("dense_units", "128"),
    ("dense_dropout", -0.5),
    ("l2", -0.1),
    ("l2", "0.01"),
    ("batch_norm", 1),
    ("activation", "swishy"),
    ("name", "a/b"),
    ("input_rescale", -1.0),
    ("flatten_dropout", 1.0),
    ("input_dtype", "int64"),
    ("add_channel", "yes"),
    ("add_channel", True),  # with the default 3-d input_shape
])
def test_cnn_rejects_invalid_parameters(param, value):
    with pytest.raises(InvalidParameterError, match=param):
        build_cnn(**{param: value})


# --------------------------------------------------------------------------- #
# build_lstm
# --------------------------------------------------------------------------- #

def test_lstm_rows_mode():
    model = build_lstm("rows", units=128)
    assert names(model) == ["lstm_1", "output"]
    assert model.input_shape == (None, 28, 28)
    assert model.output_shape == (None, 10)
    assert not model.get_layer("lstm_1").return_sequences
    assert model.count_params() == lstm_params(28, 128) + dense_params(128, 10) == 81_674
    assert not model.compiled


def test_lstm_pixels_mode():
    model = build_lstm("pixels", image_shape=(8, 6), units=16, num_classes=4)
    assert model.input_shape == (None, 48, 1)
    assert model.count_params() == lstm_params(1, 16) + dense_params(16, 4)
    assert build_lstm("pixels", units=4).input_shape == (None, 784, 1)


def test_lstm_stack_returns_sequences_except_last():
    model = build_lstm("rows", units=8, num_layers=3, dropout=0.3)
    assert names(model) == ["lstm_1", "lstm_2", "lstm_3", "dropout", "output"]
    assert [model.get_layer(f"lstm_{i}").return_sequences for i in (1, 2, 3)] == [
        True, True, False]
    assert model.get_layer("lstm_1").output.shape == (None, 28, 8)
    assert model.get_layer("dropout").rate == pytest.approx(0.3)
    assert model.count_params() == (lstm_params(28, 8) + 2 * lstm_params(8, 8)
                                    + dense_params(8, 10))


@pytest.mark.parametrize(("param", "value"), [
    ("mode", "cols"),
    ("image_shape", (28,)),
    ("image_shape", (28, 28, 1)),
    ("units", 0),
    ("num_layers", 0),
    ("num_classes", 0),
    ("dropout", 1.5),
    ("name", None),
    ("input_rescale", False),
])
def test_lstm_rejects_invalid_parameters(param, value):
    with pytest.raises(InvalidParameterError, match=param):
        build_lstm(**{param: value})


# --------------------------------------------------------------------------- #
# input_rescale (all builders)
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("builder", [
    lambda **kw: build_mlp((28, 28), hidden_size=4, num_layers=1, **kw),
    lambda **kw: build_cnn((12, 12, 1), filters=[4], dense_units=(), **kw),
    lambda **kw: build_lstm("rows", units=4, **kw),
], ids=["mlp", "cnn", "lstm"])
def test_input_rescale_is_the_first_layer(builder):
    model = builder(input_rescale=1 / 255)
    first = model.layers[0]
    assert first.name == "rescale"
    assert isinstance(first, keras.layers.Rescaling)
    assert first.scale == pytest.approx(1 / 255)
    assert "rescale" not in names(builder())


@pytest.mark.parametrize("builder", [build_mlp, build_cnn, build_lstm])
def test_input_dtype_uint8_takes_stored_images(builder):
    assert builder().inputs[0].dtype == "float32"
    assert builder(input_dtype="uint8", input_rescale=1 / 255).inputs[0].dtype == "uint8"
    with pytest.raises(InvalidParameterError, match="input_dtype"):
        builder(input_dtype="float64")
