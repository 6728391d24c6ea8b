"""Finding and loading datasets: offline mirror first, then Keras's cache and download."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataUnavailableError
from ._files import Arrays, Candidate, candidates_in, file_candidate
from ._registry import DATASETS, DatasetSpec, get_spec

__all__ = ["Dataset", "DatasetInfo", "Source", "class_names", "keras_cache_dir", "load",
           "local_info", "locate"]

MIRROR_ENV = "COURSEKIT_DATA_DIR"
#: The README section that explains the mirror, named by the errors below.
README_DATA_SECTION = "The datasets, online and offline"


class Source(str, enum.Enum):
    """Where a loaded dataset came from. A ``str``: it compares and prints as its text.

    >>> Source.MIRROR == "offline mirror", f"from {Source.CACHE}"
    (True, 'from Keras cache')
    """

    MIRROR = "offline mirror"    # the folder COURSEKIT_DATA_DIR names
    CACHE = "Keras cache"        # $KERAS_HOME/datasets
    DOWNLOAD = "Keras download"  # downloaded through keras.datasets just now
    FILE = "file"                # load(name, path=<a file>)
    FOLDER = "folder"            # load(name, path=<a folder>)

    __str__ = str.__str__
    __format__ = str.__format__


@dataclass(frozen=True)
class DatasetInfo:
    """Where a loaded dataset came from, how it was verified, and its size.

    Attributes
    ----------
    name, title : str
        ``"cifar10"`` and ``"CIFAR-10"``, say.
    source : Source
        ``"offline mirror"``, ``"Keras cache"``, ``"Keras download"``, ``"file"`` or
        ``"folder"`` (a :class:`Source`, which is a ``str``).
    path : str
        The file or folder read.
    verified : str
        How the contents were checked, e.g. ``"sha256 verified"``.
    train_count, test_count : int
        Number of images in each split.
    is_subset : bool
        True when fewer images than the full official dataset.
    """

    name: str
    title: str
    source: Source
    path: str
    verified: str
    train_count: int
    test_count: int
    is_subset: bool

    @property
    def label(self) -> str:
        """A short name for figure titles, e.g. ``"CIFAR-10 subset (5,085 / 1,017)"``."""
        if self.is_subset:
            return f"{self.title} subset ({self.train_count:,} / {self.test_count:,})"
        return self.title

    def describe(self) -> str:
        """One or two lines for people, stating the counts and any subset."""
        spec = DATASETS[self.name]
        text = (f"{self.title}: {self.train_count:,} train / {self.test_count:,} test images "
                f"from {self.source} {_shown(self.source, self.path)} ({self.verified}).")
        if self.is_subset:
            text += (f"\nNOTE: this is a SUBSET of {self.title}; the full set has "
                     f"{spec.train_count:,} / {spec.test_count:,} images. Accuracies measured "
                     "on it are not comparable with full-set figures.")
        return text


class Dataset(tuple):
    """``((x_train, y_train), (x_test, y_test))``, as ``keras.datasets`` returns,
    with an ``info`` attribute (:class:`DatasetInfo`) saying where it came from."""

    info: DatasetInfo

    def __new__(cls, arrays: Arrays, info: DatasetInfo) -> Dataset:
        obj = super().__new__(cls, arrays)
        obj.info = info
        return obj

    def __getnewargs__(self):  # keep pickling/copying working
        return (tuple(self), self.info)


def _shown(source: str, path: str) -> str:
    """``path`` as people read it on any machine: under ``$COURSEKIT_DATA_DIR`` or ``~``.

    Printed descriptions end up in committed notebook outputs, so they must not
    name the folders of the machine that ran them.
    """
    places = [(mirror_dir(), f"${MIRROR_ENV}")] if source == Source.MIRROR else []
    places.append((Path.home(), "~"))
    for folder, name in places:
        if folder is not None:
            try:
                return f"{name}/{Path(path).relative_to(folder).as_posix()}"
            except ValueError:
                continue
    return path


def mirror_dir() -> Path | None:
    """The offline mirror folder named by ``COURSEKIT_DATA_DIR``, or None.

    Private to the data package: :func:`locate` says where each dataset is, and
    :func:`coursekit.instructor.mirror.mirror_folder` tells instructors.
    """
    value = os.environ.get(MIRROR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def keras_cache_dir() -> Path:
    """Keras's dataset cache: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``),
    resolved the way Keras resolves it."""
    if os.environ.get("KERAS_HOME"):
        base = Path(os.environ["KERAS_HOME"])
    else:
        home = Path.home()
        base = home / ".keras" if os.access(home, os.W_OK) else Path("/tmp/.keras")
    return base / "datasets"


def class_names(name: str) -> list[str]:
    """The class names of a dataset, indexed by label.

    Example
    -------
    >>> class_names("fashion_mnist")[9]
    'Ankle boot'
    """
    return list(get_spec(name).class_names)


def locate(name: str, *, sources: tuple[Source, ...] = (Source.MIRROR, Source.CACHE)
           ) -> list[tuple[Source, Candidate]]:
    """Local places that hold ``name``, in the order :func:`load` tries them.

    Returns ``(source, candidate)`` pairs; nothing is read or verified yet.
    ``sources`` limits the search (``(Source.CACHE,)``: Keras's cache only).
    """
    spec = get_spec(name)
    places: list[tuple[Source, Candidate]] = []
    mirror = mirror_dir()
    if mirror is not None and Source.MIRROR in sources:
        places += [(Source.MIRROR, c) for c in candidates_in(mirror, spec)]
    if Source.CACHE in sources:
        places += [(Source.CACHE, c) for c in candidates_in(keras_cache_dir(), spec)]
    return places


def local_info(name: str, *, sources: tuple[Source, ...] = (Source.MIRROR, Source.CACHE)
               ) -> DatasetInfo | None:
    """Verify the copy of ``name`` that :func:`load` would read, without downloading.

    Returns its :class:`DatasetInfo`, or None when the dataset is not on this
    machine (in ``sources``). Raises :class:`~coursekit.errors.DataIntegrityError`
    if it is corrupt.
    """
    places = locate(name, sources=sources)
    return _read(*places[0]).info if places else None


def _info(spec: DatasetSpec, source: Source, path: Path | str, verified: str,
          arrays: Arrays) -> DatasetInfo:
    (x_train, _), (x_test, _) = arrays
    return DatasetInfo(
        name=spec.name, title=spec.title, source=source, path=str(path), verified=verified,
        train_count=len(x_train), test_count=len(x_test),
        is_subset=len(x_train) < spec.train_count or len(x_test) < spec.test_count,
    )


def _read(source: Source, candidate: Candidate) -> Dataset:
    arrays, verified = candidate.read()
    return Dataset(arrays, _info(candidate.spec, source, candidate.path, verified, arrays))


def download(name: str) -> Arrays:
    """Download ``name`` through ``keras.datasets`` (which caches it); one clear error if not.

    A dataset whose spec names no Keras loader cannot be downloaded: the error
    says where it was looked for.
    """
    import keras

    spec = get_spec(name)
    try:
        if spec.keras_loader is None:
            raise DataUnavailableError("coursekit has no download for it")
        return getattr(keras.datasets, spec.keras_loader).load_data()
    except Exception as exc:  # any download failure gets one clear message
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        mirror = mirror_dir()
        where = (f"{MIRROR_ENV}={mirror} holds no {spec.title} files"
                 if mirror else f"{MIRROR_ENV} is not set")
        raise DataUnavailableError(
            f"{spec.title} is not on this machine and could not be downloaded ({reason}).\n"
            f"Looked in: the offline mirror ({where}) and Keras's cache {keras_cache_dir()}.\n"
            "Do one of: connect to the internet and run again (Keras downloads and caches it);\n"
            f"or set {MIRROR_ENV} to a folder holding the datasets (an offline mirror) before "
            "JupyterLab (or Python) starts: its kernels inherit its environment, and a variable "
            "set later does not reach them. E.g.\n"
            f"    {MIRROR_ENV}=/path/to/datasets jupyter lab notebooks/\n"
            f"(see the README's section {README_DATA_SECTION!r}; a mirror is made on a "
            "connected machine with `coursekit data fetch` and `coursekit data export DIR`)."
        ) from None


def load(name: str, *, path: str | os.PathLike | None = None, verbose: bool = True) -> Dataset:
    """Load a dataset as ``keras.datasets`` would: ``(x_train, y_train), (x_test, y_test)``.

    Sources, in order: the offline mirror folder named by ``COURSEKIT_DATA_DIR``;
    Keras's cache (``$KERAS_HOME/datasets``); a download through
    ``keras.datasets`` (which caches it). Files with a known hash are verified;
    a corrupt file raises :class:`~coursekit.errors.DataIntegrityError` naming
    it, and is never loaded.

    Parameters
    ----------
    name : {"mnist", "fashion_mnist", "cifar10"}
        The dataset.
    path : path-like, optional
        Read from this folder (any layout the mirror accepts) or ``.npz`` file
        only, instead of the sources above.
    verbose : bool, default True
        Print where the data came from. A subset is always announced, with its
        counts, whatever ``verbose`` says.

    Returns
    -------
    Dataset
        A tuple ``((x_train, y_train), (x_test, y_test))`` of uint8 images and
        labels with the shapes of ``keras.datasets``; ``.info`` tells the source,
        the verification and whether it is a subset.

    Example
    -------
    >>> (x_train, y_train), (x_test, y_test) = load("mnist")  # doctest: +ELLIPSIS
    MNIST: 60,000 train / 10,000 test images from ... (sha256 verified).
    >>> x_train.shape, y_test.dtype, load("mnist", verbose=False).info.source in list(Source)
    ((60000, 28, 28), dtype('uint8'), True)
    """
    spec = get_spec(name)
    if path is not None:
        dataset = _load_path(spec, Path(path))
    else:
        places = locate(name)
        if places:
            dataset = _read(*places[0])
        else:
            arrays = download(name)
            cached = candidates_in(keras_cache_dir(), spec)
            dataset = (_read(Source.DOWNLOAD, cached[0]) if cached else Dataset(
                arrays, _info(spec, Source.DOWNLOAD, keras_cache_dir(),
                              "downloaded by Keras", arrays)))
    if verbose or dataset.info.is_subset:
        print(dataset.info.describe())
    return dataset


def _load_path(spec: DatasetSpec, path: Path) -> Dataset:
    if path.is_file():
        if path.suffix != ".npz" and not any(Path(lay.path).name == path.name
                                             for lay in spec.layouts):
            raise DataUnavailableError(f"{path} is not an .npz file; give a folder or an .npz.")
        return _read(Source.FILE, file_candidate(path, spec))
    found = candidates_in(path, spec) if path.is_dir() else []
    if not found:
        raise DataUnavailableError(
            f"No {spec.title} files in {path}. Expected one of the mirror layouts "
            f"(see the README's section {README_DATA_SECTION!r}).")
    return _read(Source.FOLDER, found[0])
