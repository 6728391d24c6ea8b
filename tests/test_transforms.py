"""coursekit.data preprocessing helpers: results and error messages."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import data
from coursekit.errors import InvalidParameterError

IMAGES = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256


def test_scale_uint8_to_unit_interval():
    x = np.array([[0, 128, 255]], dtype=np.uint8)
    out = data.scale(x)
    assert out.dtype == np.float32 and out[0].tolist() == pytest.approx([0, 128 / 255, 1])
    assert x.dtype == np.uint8  # input untouched


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_scale_of_uint8_gives_every_value_as_the_float64_division_does(dtype):
    every = np.arange(256, dtype=np.uint8)
    scaled = data.scale(every.reshape(1, 16, 16), dtype=dtype)
    assert scaled.dtype == np.dtype(dtype) and scaled.shape == (1, 16, 16)
    assert np.array_equal(scaled.ravel(), (every / 255.0).astype(dtype))  # bit for bit


def test_scale_twice_is_refused():
    once = data.scale(np.array([0, 255], dtype=np.uint8))
    with pytest.raises(InvalidParameterError, match="already scaled"):
        data.scale(once)


def test_scale_out_of_range_and_bad_type():
    with pytest.raises(InvalidParameterError, match="0–255"):
        data.scale(np.array([-1, 300]))
    with pytest.raises(InvalidParameterError, match="x"):
        data.scale(None)
    with pytest.raises(InvalidParameterError, match="x"):
        data.scale("images")


def test_standardize_uses_training_statistics_only():
    train = np.array([0.0, 2.0, 4.0])
    test = np.array([2.0, 6.0])
    s_train, s_test = data.standardize(train, test)
    assert s_train.mean() == pytest.approx(0) and s_train.std() == pytest.approx(1)
    std = np.std(train)
    assert s_test.tolist() == pytest.approx([0.0, 4.0 / std])
    assert data.standardize(train).shape == (3,)


def test_standardize_constant_and_empty():
    assert data.standardize(np.ones(3)).tolist() == [0, 0, 0]
    with pytest.raises(InvalidParameterError, match="x_train"):
        data.standardize(np.array([]))


def test_flatten_and_add_channel():
    assert data.flatten(IMAGES).shape == (2, 784)
    assert data.flatten(IMAGES)[1, 0] == IMAGES[1, 0, 0]
    assert data.add_channel(IMAGES).shape == (2, 28, 28, 1)
    with pytest.raises(InvalidParameterError, match="x"):
        data.add_channel(np.zeros((2, 28, 28, 1)))
    with pytest.raises(InvalidParameterError, match="2 or 3 or 4 dimensions"):
        data.flatten(np.zeros(5))


def test_sequences():
    pixels = data.to_pixel_sequence(IMAGES)
    assert pixels.shape == (2, 784, 1) and pixels[0, 29, 0] == IMAGES[0, 1, 1]
    rows = data.to_row_sequence(data.add_channel(IMAGES))
    assert rows.shape == (2, 28, 28) and np.array_equal(rows, IMAGES)
    with pytest.raises(InvalidParameterError, match="greyscale"):
        data.to_row_sequence(np.zeros((2, 32, 32, 3)))
    with pytest.raises(InvalidParameterError, match="x"):
        data.to_pixel_sequence(np.zeros((784,)))


def test_one_hot():
    out = data.one_hot(np.array([[2], [0]]), num_classes=3)
    assert out.tolist() == [[0, 0, 1], [1, 0, 0]] and out.dtype == np.float32
    assert data.one_hot([1, 3]).shape == (2, 4)
    with pytest.raises(InvalidParameterError, match="num_classes"):
        data.one_hot([0, 5], num_classes=3)
    with pytest.raises(InvalidParameterError, match="not already one-hot"):
        data.one_hot(np.eye(3))
    with pytest.raises(InvalidParameterError, match="integer labels"):
        data.one_hot([0.5, 1])


def test_subsample_is_reproducible_and_aligned():
    x = np.arange(100)
    y = x % 10
    xs, ys = data.subsample(x, y, n=20, seed=3)
    assert len(xs) == 20 and len(set(xs.tolist())) == 20 and np.array_equal(ys, xs % 10)
    xs2, _ = data.subsample(x, y, n=20, seed=3)
    assert np.array_equal(xs, xs2)
    xs3, _ = data.subsample(x, y, n=20, seed=4)
    assert not np.array_equal(xs, xs3)
    assert data.subsample(x, n=None) is not None and len(data.subsample(x, n=500)) == 100


def test_subsample_stratified_keeps_proportions():
    y = np.array([0] * 80 + [1] * 20)
    _, ys = data.subsample(np.arange(100), y, n=10, stratify=True)
    assert sorted(ys.tolist()) == [0] * 8 + [1] * 2


def test_subsample_errors():
    with pytest.raises(InvalidParameterError, match="equal length"):
        data.subsample(np.arange(3), np.arange(4), n=2)
    with pytest.raises(InvalidParameterError, match=r"^n="):
        data.subsample(np.arange(3), n=0)
    with pytest.raises(InvalidParameterError, match="seed"):
        data.subsample(np.arange(3), n=1, seed=-1)
    with pytest.raises(InvalidParameterError, match="arrays"):
        data.subsample(n=1)
