"""Keep TensorFlow's start-up log out of the notebooks.

Importing TensorFlow 2.21 writes lines like these to the process's standard error
(file descriptor 2), which Jupyter shows in red under the first code cell::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. ...
    I0000 00:00:... cudart_stub.cc:31] Could not find cuda drivers on your machine, ...
    E0000 00:00:... cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error ...

None of them is the student's business, and the red ``E0000`` line reads as if the
course were broken. ``TF_CPP_MIN_LOG_LEVEL=3`` silences what TensorFlow logs after its
start (the cuInit error), but not the absl lines written while its libraries load. So
:func:`install` (called by ``import coursekit``, which the notebooks do first) sets
``TF_CPP_MIN_LOG_LEVEL`` to 3 unless the user set it, and puts a finder on
``sys.meta_path`` that runs the *first* import of ``tensorflow`` or ``keras`` with file
descriptor 2 pointed at ``/dev/null``. Python exceptions are not affected: an import
that fails still raises its error as usual. Importing coursekit stays cheap:
TensorFlow loads only when something imports it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

__all__ = ["install", "quiet_stderr"]

_QUIETED = ("tensorflow", "keras")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Point file descriptor 2 at ``/dev/null`` for the duration (C-level output only)."""
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 to redirect
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    """Wrap a module's loader so that executing the module is quiet."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The wrapped loader becomes the module's own again, for reloads and introspection.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        with quiet_stderr():
            self._loader.exec_module(module)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Find ``tensorflow`` and ``keras`` as usual, and load them quietly, once."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _QUIETED:
            return None
        _uninstall()  # only the first import of either needs it
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader)
        return spec


_FINDER = _QuietFinder()


def _uninstall() -> None:
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_FINDER)


def install() -> None:
    """Quiet TensorFlow's start-up log from now on (does nothing if it already loaded).

    >>> from coursekit._quiet import install
    >>> install()  # idempotent; import coursekit has already called it
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if any(name in sys.modules for name in _QUIETED) or _FINDER in sys.meta_path:
        return
    sys.meta_path.insert(0, _FINDER)
