"""Datasets for the course, online or offline, verified, plus preprocessing helpers.

``load(name)`` returns what ``keras.datasets`` returns, reading first an offline
mirror folder named by the environment variable ``COURSEKIT_DATA_DIR``, then
Keras's cache, then downloading through Keras. Known hashes are verified, and a
subset (such as the offline CIFAR-10 mirror) is always announced with its counts.

Which datasets exist, their files and hashes, is one catalogue
(:mod:`coursekit.data._registry`, where "Add a dataset" is explained). Making an
offline mirror is an instructor's task: :mod:`coursekit.instructor.mirror`
(``coursekit data fetch`` / ``export``).

Example
-------
>>> from coursekit import data
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")  # doctest: +ELLIPSIS
MNIST: 60,000 train / 10,000 test images from ... (sha256 verified).
>>> data.flatten(data.scale(x_train)).shape
(60000, 784)
"""

from ._loading import (
    Dataset,
    DatasetInfo,
    Source,
    class_names,
    keras_cache_dir,
    load,
    local_info,
    locate,
)
from ._registry import DATASETS, DatasetSpec, Layout, register
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
    "DatasetSpec",
    "Layout",
    "Source",
    "add_channel",
    "class_names",
    "flatten",
    "keras_cache_dir",
    "load",
    "local_info",
    "locate",
    "one_hot",
    "register",
    "scale",
    "standardize",
    "subsample",
    "to_pixel_sequence",
    "to_row_sequence",
]
