"""Datasets for the course, online or offline, verified, plus preprocessing helpers.

``load(name)`` returns what ``keras.datasets`` returns, reading first an offline
mirror folder named by the environment variable ``COURSEKIT_DATA_DIR``, then
Keras's cache, then downloading through Keras. Known hashes are verified, and a
subset (such as the offline CIFAR-10 mirror) is always announced with its counts.

Example
-------
>>> from coursekit import data
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")  # doctest: +SKIP
>>> x_train = data.flatten(data.scale(x_train))  # doctest: +SKIP
"""

from ._loading import (
    Dataset,
    DatasetInfo,
    class_names,
    export,
    fetch,
    keras_cache_dir,
    load,
    local_info,
    locate,
    mirror_dir,
)
from ._registry import DATASETS
from .transforms import (
    add_channel,
    flatten,
    one_hot,
    scale,
    standardize,
    subsample,
    to_pixel_sequence,
    to_row_sequence,
)

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetInfo",
    "add_channel",
    "class_names",
    "export",
    "fetch",
    "flatten",
    "keras_cache_dir",
    "load",
    "local_info",
    "locate",
    "mirror_dir",
    "one_hot",
    "scale",
    "standardize",
    "subsample",
    "to_pixel_sequence",
    "to_row_sequence",
]
