"""Making an offline dataset mirror, for an instructor preparing a lab.

On a connected machine, :func:`fetch` downloads the course's datasets into
Keras's cache; :func:`export` then writes a mirror folder (a USB stick, a
shared drive) from the verified copies on this machine, which students point
``COURSEKIT_DATA_DIR`` at. Both read the catalogue
(:data:`coursekit.data.DATASETS`): each dataset's file layouts, hashes and the
names a mirror gives them. The command line is ``coursekit data fetch`` and
``coursekit data export DIR``.

Example
-------
>>> import tempfile
>>> from coursekit.instructor import mirror
>>> mirror.fetch(["mnist"])  # doctest: +SKIP
>>> usb = tempfile.mkdtemp()  # say /media/usb/datasets
>>> [(info.title, info.source) for info in mirror.export(usb, ["mnist"])]
[('MNIST', <Source.FOLDER: 'folder'>)]
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

from .. import data
from ..data import DATASETS, DatasetInfo, Source
from ..data._loading import download, mirror_dir
from ..errors import DataUnavailableError

__all__ = ["export", "fetch", "mirror_folder"]


def mirror_folder() -> Path | None:
    """The offline mirror this machine reads (``COURSEKIT_DATA_DIR``), or None if unset."""
    return mirror_dir()


def fetch(names: list[str] | None = None) -> list[DatasetInfo]:
    """Download datasets into Keras's cache, unless they are there already.

    Ignores the offline mirror; returns what is in the cache afterwards,
    verified.

    Parameters
    ----------
    names : list of str, optional
        Datasets of :data:`coursekit.data.DATASETS` (default: all of them).
    """
    infos = []
    for name in names or list(DATASETS):
        if not data.locate(name, sources=(Source.CACHE,)):
            download(name)
        info = data.local_info(name, sources=(Source.CACHE,))
        if info is None:
            raise DataUnavailableError(f"{DATASETS[name].title} was downloaded but not found "
                                       f"in {data.keras_cache_dir()}.")
        infos.append(info)
    return infos


def export(target: str | os.PathLike, names: list[str] | None = None) -> list[DatasetInfo]:
    """Write an offline mirror folder from the data already on this machine.

    Copies each dataset's verified files (from the mirror or Keras's cache,
    never downloading) into ``target`` under the names of the mirror layout
    (:attr:`Layout.exported_name <coursekit.data.Layout.exported_name>`), then
    verifies the copy by loading it. Datasets not on this machine are skipped.

    Returns
    -------
    list of DatasetInfo
        Of the copies written, as :func:`coursekit.data.load` reads them.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    infos = []
    for name in names or list(DATASETS):
        places = data.locate(name)
        if not places:
            continue
        data.local_info(name)  # verify before copying (raises if corrupt)
        _, candidate = places[0]
        out = target / candidate.layout.exported_name
        if candidate.layout.is_folder:
            out.mkdir(parents=True, exist_ok=True)
            for f in candidate.files():
                shutil.copyfile(f, out / f.name)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate.path, out)
        with contextlib.redirect_stdout(io.StringIO()):  # a subset's notice: callers report
            infos.append(data.load(name, path=target, verbose=False).info)
    return infos
