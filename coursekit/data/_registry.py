"""What coursekit knows about each dataset: sizes, class names and file hashes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "DatasetSpec", "get_spec"]


@dataclass(frozen=True)
class DatasetSpec:
    """Facts about one dataset, as ``keras.datasets`` returns it.

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
    """

    name: str
    title: str
    image_shape: tuple[int, ...]
    label_shape: tuple[int, ...]
    train_count: int
    test_count: int
    class_names: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(
        name="mnist",
        title="MNIST",
        image_shape=(28, 28),
        label_shape=(),
        train_count=60_000,
        test_count=10_000,
        class_names=tuple(str(d) for d in range(10)),
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
    ),
}

# sha256 of Keras's own mnist.npz (the hash keras.datasets.mnist checks).
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_NPZ_BYTES = 11_490_434

# sha256 of the *decompressed* official Fashion-MNIST IDX files. Keras's
# download and Debian's dataset-fashion-mnist package use different gzip
# containers around the same bytes, so the contents are what we verify.
FASHION_IDX_SHA256 = {
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
CIFAR10_TAR_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"

# sha256 of the offline mirror's genuine CIFAR-10 subset (first 1,017 images of
# each official batch): see the mirror's README.
CIFAR10_SUBSET_SHA256 = "1bafd91b5b84ed30c41f392a8ef9516a577d599b2653cd143312d79c3ca37222"


def get_spec(name: str) -> DatasetSpec:
    """Return the :class:`DatasetSpec` of ``name`` or raise a clear error."""
    from .._validation import check_choice

    check_choice("name", name, DATASETS)
    return DATASETS[name]
