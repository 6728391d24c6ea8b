"""One-line preprocessing helpers for what the original tutorials did by hand.

Each takes and returns NumPy arrays, validates its input and says clearly
what it expected. They never modify their input in place.

Example
-------
>>> import numpy as np
>>> x = np.zeros((5, 28, 28), dtype=np.uint8)
>>> flatten(scale(x)).shape
(5, 784)
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_int
from ..errors import InvalidParameterError

__all__ = ["add_channel", "flatten", "one_hot", "scale", "standardize", "subsample",
           "to_pixel_sequence", "to_row_sequence"]


#: Output dtypes in which uint8 / 255 rounds exactly as the float64 division does.
_EXACT_IN_PLACE = (np.dtype("float32"), np.dtype("float64"))


def scale(x, *, dtype: str = "float32") -> np.ndarray:
    """Scale pixel values from 0–255 to [0, 1].

    Parameters
    ----------
    x : array of uint8 (or numbers in 0–255)
        Images, any shape.
    dtype : str, default "float32"
        Output dtype.

    Raises
    ------
    InvalidParameterError
        If ``x`` is a float array already within [0, 1] (scaling twice is a
        classic bug that silently ruins training), or has values outside 0–255.

    Example
    -------
    >>> scale(np.array([0, 51, 255], dtype=np.uint8))
    array([0. , 0.2, 1. ], dtype=float32)
    """
    x = check_array("x", x)
    if x.dtype == np.uint8 and np.dtype(dtype) in _EXACT_IN_PLACE:
        # in the output's own dtype: the same numbers as below (every one of the 256
        # values is checked in the tests), without a float64 copy four times the images'
        # size (0.8 s of page faults for MNIST's training set)
        return np.divide(x, np.asarray(255, dtype=dtype), dtype=dtype)
    if x.size and np.issubdtype(x.dtype, np.floating) and x.max() <= 1.0 and x.min() >= 0.0:
        raise InvalidParameterError(
            "x", f"float array with values in [{x.min():g}, {x.max():g}]",
            "pixel values 0–255 (x looks already scaled to [0, 1]; scale it only once)")
    if x.size and (x.min() < 0 or x.max() > 255):
        raise InvalidParameterError("x", f"array with values in [{x.min():g}, {x.max():g}]",
                                    "pixel values 0–255")
    return (x / 255.0).astype(dtype)


def standardize(x_train, *others, dtype: str = "float32"):
    """Standardise with the *training set's* mean and standard deviation.

    The statistics come from ``x_train`` only and are applied to every array,
    so the test set never leaks into preprocessing.

    Returns
    -------
    ndarray, or tuple of ndarrays
        ``x_train`` standardised alone, or ``(x_train, *others)`` standardised.

    Example
    -------
    >>> a, b = standardize(np.array([0., 2.]), np.array([4.]))
    >>> a.tolist(), b.tolist()
    ([-1.0, 1.0], [3.0])
    """
    x_train = check_array("x_train", x_train)
    if x_train.size == 0:
        raise InvalidParameterError("x_train", "an empty array", "a non-empty array")
    mean = float(x_train.mean())
    std = float(x_train.std()) or 1.0
    out = [((np.asarray(a, dtype="float64") - mean) / std).astype(dtype)
           for a in (x_train, *(check_array(f"others[{i}]", o) for i, o in enumerate(others)))]
    return out[0] if not others else tuple(out)


def flatten(x) -> np.ndarray:
    """Turn each sample into a vector: (N, 28, 28) → (N, 784).

    Example
    -------
    >>> flatten(np.zeros((2, 28, 28))).shape
    (2, 784)
    """
    x = check_array("x", x, ndim=(2, 3, 4))
    return x.reshape(len(x), -1)


def add_channel(x) -> np.ndarray:
    """Add a trailing channel axis for Conv2D: (N, 28, 28) → (N, 28, 28, 1).

    Example
    -------
    >>> add_channel(np.zeros((2, 28, 28))).shape
    (2, 28, 28, 1)
    """
    x = check_array("x", x, ndim=(3,))
    return x[..., np.newaxis]


def _images_2d(x) -> np.ndarray:
    x = check_array("x", x, ndim=(3, 4))
    if x.ndim == 4:
        if x.shape[-1] != 1:
            raise InvalidParameterError("x", f"array of shape {x.shape}",
                                        "greyscale images (N, H, W) or (N, H, W, 1)")
        x = x[..., 0]
    return x


def to_pixel_sequence(x) -> np.ndarray:
    """Read each image pixel by pixel: (N, 28, 28) → (N, 784, 1), one time step per pixel.

    Example
    -------
    >>> to_pixel_sequence(np.zeros((2, 28, 28))).shape
    (2, 784, 1)
    """
    x = _images_2d(x)
    return x.reshape(len(x), -1, 1)


def to_row_sequence(x) -> np.ndarray:
    """Read each image row by row: (N, 28, 28[, 1]) → (N, 28, 28), one time step per row.

    Example
    -------
    >>> to_row_sequence(np.zeros((2, 28, 28, 1))).shape
    (2, 28, 28)
    """
    return _images_2d(x).copy()


def one_hot(y, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels with ``keras.utils.to_categorical``.

    Labels of shape (N,) or (N, 1) become (N, num_classes) float32.

    Example
    -------
    >>> one_hot([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = check_array("y", y, ndim=(1, 2))
    if y.ndim == 2:
        if y.shape[1] != 1:
            raise InvalidParameterError("y", f"array of shape {y.shape}",
                                        "integer labels of shape (N,) or (N, 1), "
                                        "not already one-hot")
        y = y[:, 0]
    if y.size and (not np.all(np.equal(np.mod(y, 1), 0)) or y.min() < 0):
        raise InvalidParameterError("y", "non-integer or negative labels",
                                    "integer labels 0, 1, 2, ...")
    y = y.astype("int64")
    if num_classes is not None:
        check_int("num_classes", num_classes, min_value=1)
        if y.size and y.max() >= num_classes:
            raise InvalidParameterError("num_classes", num_classes,
                                        f"more than the largest label ({y.max()})")
    import keras

    return keras.utils.to_categorical(y, num_classes=num_classes).astype("float32")


def subsample(*arrays, n: int | None, seed: int = 0, stratify: bool = False):
    """Draw the same reproducible random subset of ``n`` samples from each array.

    Parameters
    ----------
    *arrays : arrays of equal length
        E.g. ``x_train, y_train``.
    n : int or None
        How many samples to keep. None, or ``n`` >= the length, keeps all
        (in the original order).
    seed : int, default 0
        The same seed always gives the same subset.
    stratify : bool, default False
        Keep the class proportions of the *last* array (the labels), using
        scikit-learn's ``train_test_split``.

    Returns
    -------
    tuple of arrays (or one array if one was given)

    Example
    -------
    >>> x, y = np.arange(10), np.arange(10) % 2
    >>> xs, ys = subsample(x, y, n=4, seed=0)
    >>> len(xs), bool(np.all(ys == xs % 2))
    (4, True)
    """
    if not arrays:
        raise InvalidParameterError("arrays", "nothing", "at least one array")
    arrays = tuple(check_array(f"arrays[{i}]", a) for i, a in enumerate(arrays))
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise InvalidParameterError("arrays", f"lengths {[len(a) for a in arrays]}",
                                    "arrays of equal length")
    total = lengths.pop()
    if n is not None:
        check_int("n", n, min_value=1)
    check_int("seed", seed, min_value=0)
    if n is None or n >= total:
        out = arrays
    elif stratify:
        from sklearn.model_selection import train_test_split

        labels = arrays[-1].reshape(total, -1)[:, 0] if arrays[-1].ndim > 1 else arrays[-1]
        idx, _ = train_test_split(np.arange(total), train_size=n, random_state=seed,
                                  stratify=labels)
        out = tuple(a[idx] for a in arrays)
    else:
        idx = np.random.default_rng(seed).choice(total, size=n, replace=False)
        out = tuple(a[idx] for a in arrays)
    return out[0] if len(out) == 1 else out
