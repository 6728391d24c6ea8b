"""The catalogue of datasets: everything coursekit knows about each, in one entry.

A :class:`DatasetSpec` holds a dataset's shapes, counts and class names, the
file layouts it may be found in (each a :class:`Layout`: where it lies in a
folder, which reader reads it, the sha256 to verify, the name an exported
mirror gives it) and the ``keras.datasets`` loader that downloads it. The
loading code (:mod:`._files`, :mod:`._loading`) and the mirror tools
(:mod:`coursekit.instructor.mirror`) read this catalogue and nothing else.

Add a dataset
-------------
Write one entry into :data:`DATASETS` (in a fork, here; in a course folder or a
test, at run time with :func:`register`): its layouts use the readers of
:data:`coursekit.data._files.READERS` (``"npz"``: one ``.npz`` with arrays
``x_train``, ``y_train``, ``x_test``, ``y_test``; ``"idx-gz"``; ``"cifar-tar"``;
``"cifar-batches"``). Then :func:`coursekit.data.load` finds it in the offline
mirror or Keras's cache, verifies it, and ``coursekit data info`` and ``export``
list it.

>>> import tempfile
>>> from pathlib import Path
>>> import numpy as np
>>> from coursekit import data
>>> folder = Path(tempfile.mkdtemp())
>>> x, y = np.zeros((6, 4, 4), np.uint8), np.array([0, 1, 2, 0, 1, 2], np.uint8)
>>> np.savez(folder / "tiny.npz", x_train=x, y_train=y, x_test=x[:3], y_test=y[:3])
>>> spec = register(DatasetSpec(
...     name="tiny", title="Tiny", image_shape=(4, 4), label_shape=(), train_count=6,
...     test_count=3, class_names=("a", "b", "c"), layouts=(Layout("tiny.npz", "npz"),)))
>>> (x_train, y_train), _ = data.load("tiny", path=folder)  # doctest: +ELLIPSIS
Tiny: 6 train / 3 test images from folder ... (shapes checked (no known hash for this file)).
>>> x_train.shape, data.class_names("tiny")
((6, 4, 4), ['a', 'b', 'c'])
>>> del DATASETS["tiny"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DATASETS", "DatasetSpec", "Layout", "get_spec", "register"]


@dataclass(frozen=True)
class Layout:
    """One place a dataset's files may lie in a folder, and how to read them.

    Attributes
    ----------
    path : str
        Relative to the folder (a mirror, Keras's cache): a file such as
        ``"mnist.npz"`` or, for folder readers, a folder such as ``"fashion-mnist"``.
    reader : str
        A key of :data:`coursekit.data._files.READERS`: ``"npz"``, ``"idx-gz"``,
        ``"cifar-tar"`` or ``"cifar-batches"``.
    sha256 : str or mapping of str to str, optional
        The file's sha256; for a folder, each file name's (of its gzip contents
        for ``"idx-gz"``). None: there is no published hash, only the arrays'
        shapes and labels are checked.
    size : int, optional
        The file's size in bytes, named in the error when it is wrong.
    export_as : str, optional
        The name an exported mirror gives it (default: ``path``), e.g. Keras 3's
        cache ``cifar-10-batches-py-target_archive`` is the official tarball.
    """

    path: str
    reader: str
    sha256: str | Mapping[str, str] | None = None
    size: int | None = None
    export_as: str | None = None

    @property
    def exported_name(self) -> str:
        return self.export_as or self.path

    @property
    def is_folder(self) -> bool:
        from ._files import READERS

        return READERS[self.reader].folder


@dataclass(frozen=True)
class DatasetSpec:
    """Everything about one dataset, as ``keras.datasets`` returns it.

    Attributes
    ----------
    name : str
        The name :func:`coursekit.data.load` accepts, e.g. ``"mnist"``.
    title : str
        The name people use, e.g. ``"Fashion-MNIST"``.
    image_shape : tuple of int
        Shape of one image.
    label_shape : tuple of int
        Shape of one label: ``()`` for MNIST, ``(1,)`` for CIFAR-10.
    train_count, test_count : int
        Sizes of the full official splits.
    class_names : tuple of str
        Name of each class, indexed by label.
    layouts : tuple of Layout
        Where its files may be, in the order they are tried.
    keras_loader : str, optional
        The ``keras.datasets`` module that downloads it (``"mnist"`` for
        ``keras.datasets.mnist``); None: it cannot be downloaded, only found.
    """

    name: str
    title: str
    image_shape: tuple[int, ...]
    label_shape: tuple[int, ...]
    train_count: int
    test_count: int
    class_names: tuple[str, ...]
    layouts: tuple[Layout, ...] = field(default=())
    keras_loader: str | None = None

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


_FASHION_IDX = {
    # sha256 of the *decompressed* official Fashion-MNIST IDX files. Keras's download and
    # Debian's dataset-fashion-mnist package use different gzip containers around the same
    # bytes, so the contents are what is verified.
    "train-images-idx3-ubyte.gz":
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz":
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz":
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz":
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
# sha256 of the official cifar-10-python.tar.gz (the hash keras.datasets.cifar10 checks).
_CIFAR10_TAR = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"

DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        image_shape=(28, 28),
        label_shape=(),
        train_count=60_000,
        test_count=10_000,
        class_names=tuple(str(d) for d in range(10)),
        layouts=(
            # Keras's own mnist.npz (the hash keras.datasets.mnist checks)
            Layout("mnist.npz", "npz", size=11_490_434,
                   sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
        ),
        keras_loader="mnist",
    ),
    "fashion_mnist": DatasetSpec(
        name="fashion_mnist",
        title="Fashion-MNIST",
        image_shape=(28, 28),
        label_shape=(),
        train_count=60_000,
        test_count=10_000,
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        layouts=(
            Layout("fashion-mnist", "idx-gz", sha256=_FASHION_IDX),  # Keras's cache, the mirror
            Layout("fashion_mnist.npz", "npz"),
        ),
        keras_loader="fashion_mnist",
    ),
    "cifar10": DatasetSpec(
        name="cifar10",
        title="CIFAR-10",
        image_shape=(32, 32, 3),
        label_shape=(1,),
        train_count=50_000,
        test_count=10_000,
        class_names=("airplane", "automobile", "bird", "cat", "deer",
                     "dog", "frog", "horse", "ship", "truck"),
        layouts=(
            Layout("cifar-10-python.tar.gz", "cifar-tar", sha256=_CIFAR10_TAR),
            Layout("cifar-10-batches-py-target_archive", "cifar-tar", sha256=_CIFAR10_TAR,
                   export_as="cifar-10-python.tar.gz"),  # Keras 3's cache
            Layout("cifar-10-batches-py", "cifar-batches"),
            Layout("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-batches",
                   export_as="cifar-10-batches-py"),
            Layout("cifar10.npz", "npz"),
            # the offline mirror's genuine subset: the first 1,017 images of each official
            # batch (see the mirror's README)
            Layout("cifar10-subset.npz", "npz",
                   sha256="1bafd91b5b84ed30c41f392a8ef9516a577d599b2653cd143312d79c3ca37222"),
        ),
        keras_loader="cifar10",
    ),
}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add ``spec`` to :data:`DATASETS` (a new name), after checking its layouts' readers.

    Returns the spec, so that it can be kept. See the module's example.
    """
    from ._files import READERS

    if not isinstance(spec, DatasetSpec):
        raise TypeError(f"expected a DatasetSpec, got {type(spec).__name__}")
    if spec.name in DATASETS and DATASETS[spec.name] != spec:
        raise ValueError(f"a dataset named {spec.name!r} is already registered")
    if not spec.layouts:
        raise ValueError(f"dataset {spec.name!r} has no layouts: give at least one, "
                         f"e.g. Layout({spec.name + '.npz'!r}, 'npz')")
    for layout in spec.layouts:
        if layout.reader not in READERS:
            raise ValueError(f"dataset {spec.name!r}: layout {layout.path!r} has reader "
                             f"{layout.reader!r}; expected one of {', '.join(READERS)}")
    DATASETS[spec.name] = spec
    return spec


def get_spec(name: str) -> DatasetSpec:
    """Return the :class:`DatasetSpec` of ``name`` or raise a clear error."""
    from .._validation import check_choice

    check_choice("name", name, DATASETS)
    return DATASETS[name]
