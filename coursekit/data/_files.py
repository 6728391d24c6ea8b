"""Reading dataset files safely: hashes first, then contents.

Each reader either returns the four arrays of a dataset or raises
:class:`~coursekit.errors.DataIntegrityError` with a few lines that name the
file and what was expected. A corrupt file is never loaded as garbage, and
low-level errors (``zipfile.BadZipFile``, ``EOFError``...) never reach the
user as tracebacks.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import tarfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataIntegrityError
from ._registry import DatasetSpec, Layout

__all__ = ["READERS", "Arrays", "Candidate", "Reader", "candidates_in", "file_candidate",
           "sha256_of"]

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, zlib.error, tarfile.TarError,
                pickle.UnpicklingError, IndexError)


def sha256_of(path: Path, *, decompress: bool = False) -> str:
    """Return the hex sha256 of a file (of its gzip contents if ``decompress``)."""
    digest = hashlib.sha256()
    opener = gzip.open if decompress else open
    with opener(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(path: Path, problem: str, expected: str) -> DataIntegrityError:
    size = path.stat().st_size if path.exists() and path.is_file() else None
    size_text = f" ({size:,} bytes)" if size is not None else ""
    return DataIntegrityError(
        f"{path}{size_text}: {problem}\n"
        f"Expected: {expected}.\n"
        "The file is corrupt, truncated or not the genuine dataset: delete it and "
        "copy or download it again (see `coursekit data info`)."
    )


def _check_hash(path: Path, expected: str, *, decompress: bool = False,
                expected_size: int | None = None) -> None:
    try:
        actual = sha256_of(path, decompress=decompress)
    except _READ_ERRORS as exc:  # e.g. a truncated gzip stream
        what = "the gzip contents cannot be read" if decompress else "it cannot be read"
        raise _fail(path, f"{what} ({type(exc).__name__}: {exc}).",
                    f"readable data with sha256 {expected}") from None
    if actual != expected:
        what = "sha256 of its decompressed contents" if decompress else "sha256"
        size = f" and {expected_size:,} bytes" if expected_size else ""
        raise _fail(path, f"{what} is {actual}.", f"sha256 {expected}{size}")


@dataclass(frozen=True)
class Reader:
    """How one file format is verified and read (see :data:`READERS`)."""

    folder: bool  # the layout's path is a folder, not a file
    read: Callable[[Path, DatasetSpec, Layout], tuple[Arrays, str]]  # (arrays, how verified)
    files: Callable[[Path, Layout], list[Path]]  # what it consists of (for export)


def _one_file(path: Path, layout: Layout) -> list[Path]:
    return [path]


def _read_npz_layout(path: Path, spec: DatasetSpec, layout: Layout) -> tuple[Arrays, str]:
    if isinstance(layout.sha256, str):
        _check_hash(path, layout.sha256, expected_size=layout.size)
        return _read_npz(path, spec), "sha256 verified"
    return _read_npz(path, spec), "shapes checked (no known hash for this file)"


def _read_idx_layout(path: Path, spec: DatasetSpec, layout: Layout) -> tuple[Arrays, str]:
    hashes = layout.sha256 if isinstance(layout.sha256, Mapping) else {}
    for fname, digest in hashes.items():
        _check_hash(path / fname, digest, decompress=True)
    try:
        arrays = _read_idx_folder(path)
    except _READ_ERRORS as exc:
        raise _fail(path, f"it cannot be read ({type(exc).__name__}: {exc}).",
                    "the four gzipped IDX files (train-images-idx3-ubyte.gz ...)") from None
    _check_arrays(path, spec, _named(arrays))
    return arrays, ("sha256 of contents verified" if hashes
                    else "structure checked (no known hash for these files)")


def _named(arrays: Arrays) -> dict[str, np.ndarray]:
    (x_train, y_train), (x_test, y_test) = arrays
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _idx_files(path: Path, layout: Layout) -> list[Path]:
    return [path / f for f in sorted(_IDX_FILES)]


def _read_tar_layout(path: Path, spec: DatasetSpec, layout: Layout) -> tuple[Arrays, str]:
    if isinstance(layout.sha256, str):
        _check_hash(path, layout.sha256, expected_size=layout.size)
        return _read_cifar_tar(path), "sha256 verified"
    return _read_cifar_tar(path), "structure checked (no known hash for this file)"


def _read_batches_layout(path: Path, spec: DatasetSpec, layout: Layout) -> tuple[Arrays, str]:
    return (_read_cifar_batches(path),
            "structure checked (extracted batches have no published hash)")


#: The file formats a :class:`~coursekit.data._registry.Layout` may name, by key.
READERS: dict[str, Reader] = {
    # x_train, y_train, x_test, y_test in one .npz (Keras's mnist.npz, any dataset)
    "npz": Reader(False, _read_npz_layout, _one_file),
    # a folder of the four gzipped IDX files (MNIST's original format, Fashion-MNIST)
    "idx-gz": Reader(True, _read_idx_layout, _idx_files),
    # the official cifar-10-python.tar.gz
    "cifar-tar": Reader(False, _read_tar_layout, _one_file),
    # its extracted cifar-10-batches-py/ folder
    "cifar-batches": Reader(True, _read_batches_layout,
                            lambda path, layout: [path / f for f in _CIFAR_BATCHES]),
}


@dataclass(frozen=True)
class Candidate:
    """A place in a folder where a dataset may be, and the layout it has there."""

    path: Path
    layout: Layout
    spec: DatasetSpec

    def read(self) -> tuple[Arrays, str]:
        """Verify and read the arrays. Returns ``(arrays, how_verified)``."""
        return READERS[self.layout.reader].read(self.path, self.spec, self.layout)

    def files(self) -> list[Path]:
        """The files this candidate consists of (for export)."""
        return READERS[self.layout.reader].files(self.path, self.layout)


_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_CIFAR_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _present(path: Path, layout: Layout) -> bool:
    if not READERS[layout.reader].folder:
        return path.is_file()
    if layout.reader == "idx-gz":  # a partial folder is found, then reported as corrupt
        return path.is_dir() and any((path / f).exists() for f in _IDX_FILES)
    return path.is_dir()


def candidates_in(folder: Path, spec: DatasetSpec) -> list[Candidate]:
    """The places in ``folder`` (a mirror or Keras's cache) that hold ``spec``'s data.

    The layouts tried are the spec's (:attr:`DatasetSpec.layouts
    <coursekit.data._registry.DatasetSpec.layouts>`), in their order: the
    offline mirror's (see its README), Keras's own cache files (``mnist.npz``,
    ``fashion-mnist/*.gz``, ``cifar-10-batches-py-target/``), the official
    ``cifar-10-python.tar.gz`` or extracted ``cifar-10-batches-py/``, and
    ``<name>.npz`` with the four arrays.
    """
    return [Candidate(folder / layout.path, layout, spec) for layout in spec.layouts
            if _present(folder / layout.path, layout)]


def file_candidate(path: Path, spec: DatasetSpec) -> Candidate:
    """One ``.npz`` (or other file) given by path: read with the spec's layout of that name.

    A file that no layout names is read as a plain ``.npz`` without a known hash.
    """
    for layout in spec.layouts:
        if not READERS[layout.reader].folder and Path(layout.path).name == path.name:
            return Candidate(path, layout, spec)
    return Candidate(path, Layout(path.name, "npz"), spec)


def _read_npz(path: Path, spec: DatasetSpec) -> Arrays:
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise _fail(path, f"it has no array(s) {', '.join(missing)} "
                                  f"(it has: {', '.join(f.files) or 'none'}).",
                            "an .npz with arrays x_train, y_train, x_test, y_test")
            arrays = {k: f[k] for k in keys}
    except DataIntegrityError:
        raise
    except Exception as exc:  # BadZipFile and friends: never a traceback
        raise _fail(path, f"it is not a readable .npz archive ({type(exc).__name__}: {exc}).",
                    "an .npz with arrays x_train, y_train, x_test, y_test") from None
    _check_arrays(path, spec, arrays)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _check_arrays(path: Path, spec: DatasetSpec, a: dict[str, np.ndarray]) -> None:
    for split, full in (("train", spec.train_count), ("test", spec.test_count)):
        x, y = a[f"x_{split}"], a[f"y_{split}"]
        want_x = (len(x), *spec.image_shape)
        want_y = (len(x), *spec.label_shape)
        problem = None
        if x.dtype != np.uint8 or x.shape != want_x:
            problem = f"x_{split} is {x.dtype} {x.shape}"
            expected = f"x_{split} uint8 of shape (N, {', '.join(map(str, spec.image_shape))})"
        elif y.shape != want_y or not np.issubdtype(y.dtype, np.integer):
            problem = f"y_{split} is {y.dtype} {y.shape}"
            expected = f"integer y_{split} of shape {want_y}"
        elif not 0 < len(x) <= full:
            problem = f"it has {len(x):,} {split} images"
            expected = f"between 1 and {full:,} {split} images ({spec.title})"
        elif y.size and (y.min() < 0 or y.max() >= spec.num_classes):
            problem = f"y_{split} has labels from {y.min()} to {y.max()}"
            expected = f"labels 0 to {spec.num_classes - 1}"
        if problem:
            raise _fail(path, problem + ".", f"{spec.title} arrays: {expected}")


def _read_idx(path: Path, magic: int, header: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < header or int.from_bytes(data[:4], "big") != magic:
        raise _fail(path, "it is not an IDX file.", f"an IDX file with magic number {magic}")
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def _read_idx_folder(folder: Path) -> Arrays:
    def images(name: str) -> np.ndarray:
        return _read_idx(folder / name, 2051, 16).reshape(-1, 28, 28)

    def labels(name: str) -> np.ndarray:
        return _read_idx(folder / name, 2049, 8)

    return ((images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")),
            (images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")))


def _unpickle_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    batch = pickle.loads(raw, encoding="bytes")  # official files, hash-checked
    x = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    y = np.asarray(batch[b"labels"], dtype=np.uint8).reshape(-1, 1)
    if len(x) != len(y) or not len(x):
        raise ValueError(f"{where} has {len(x)} images and {len(y)} labels")
    return x, y


def _assemble(batches: dict[str, tuple[np.ndarray, np.ndarray]]) -> Arrays:
    train = [batches[f"data_batch_{i}"] for i in range(1, 6)]
    x_train = np.concatenate([b[0] for b in train])
    y_train = np.concatenate([b[1] for b in train])
    return (x_train, y_train), batches["test_batch"]


def _read_cifar_tar(path: Path) -> Arrays:
    batches = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if name in _CIFAR_BATCHES:
                    raw = tar.extractfile(member).read()
                    batches[name] = _unpickle_batch(raw, member.name)
    except _READ_ERRORS as exc:
        raise _fail(path, f"it cannot be read ({type(exc).__name__}: {exc}).",
                    "the official cifar-10-python.tar.gz") from None
    missing = sorted(set(_CIFAR_BATCHES) - set(batches))
    if missing:
        raise _fail(path, f"it lacks {', '.join(missing)}.", "the official cifar-10-python.tar.gz")
    return _assemble(batches)


def _read_cifar_batches(folder: Path) -> Arrays:
    batches = {}
    for name in _CIFAR_BATCHES:
        p = folder / name
        if not p.is_file():
            raise _fail(folder, f"{name} is missing.",
                        "data_batch_1 … data_batch_5 and test_batch (CIFAR-10, python version)")
        try:
            batches[name] = _unpickle_batch(p.read_bytes(), str(p))
        except _READ_ERRORS as exc:
            raise _fail(p, f"it cannot be read ({type(exc).__name__}: {exc}).",
                        "a CIFAR-10 python batch of 10,000 images") from None
    return _assemble(batches)
