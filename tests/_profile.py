"""A tiny pytest plugin (enabled in pyproject.toml): the tests' profile and data.

The solution notebooks are validated by nbval, and other tests start kernels, in
the environment of the test process; so this sets, for every kernel too:

- ``COURSEKIT_PROFILE=quick`` unless the caller set a profile
  (``COURSEKIT_PROFILE=full python -m pytest solutions`` runs them for real);
- ``COURSEKIT_DATA_DIR`` to ``../shared/datasets`` beside the checkout when the caller
  set no mirror and that folder holds one, as the README says.

It also marks as ``slow`` every cell nbval collects from a notebook (``solutions/*.ipynb``:
they run in a kernel, and train) and every ``browser`` test, so the fast loop,
``python -m pytest -m "not slow"``, leaves them out and the full ``python -m pytest`` runs them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def pytest_configure(config) -> None:
    os.environ.setdefault("COURSEKIT_PROFILE", "quick")
    beside = Path(config.rootpath).parent / "shared" / "datasets"
    if not os.environ.get("COURSEKIT_DATA_DIR") and (beside / "mnist.npz").is_file():
        os.environ["COURSEKIT_DATA_DIR"] = str(beside.resolve())


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.path.suffix == ".ipynb" or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A docstring example runs in this process: it may set the profile or draw figures, and
    neither may reach the next test."""
    if not isinstance(item, pytest.DoctestItem):
        return (yield)
    environ = dict(os.environ)
    try:
        return (yield)
    finally:
        os.environ.clear()
        os.environ.update(environ)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def pytest_report_header(config) -> str:
    return (f"coursekit profile: {os.environ.get('COURSEKIT_PROFILE')}; offline mirror: "
            f"{os.environ.get('COURSEKIT_DATA_DIR') or 'none (Keras downloads)'}")
