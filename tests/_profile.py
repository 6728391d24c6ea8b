"""A tiny pytest plugin (enabled in pyproject.toml): the tests' profile and data.

The solution notebooks are validated by nbval, and other tests start kernels, in
the environment of the test process; so this sets, for every kernel too:

- ``COURSEKIT_PROFILE=quick`` unless the caller set a profile
  (``COURSEKIT_PROFILE=full python -m pytest solutions`` runs them for real);
- ``COURSEKIT_DATA_DIR`` to ``../shared/datasets`` beside the checkout when the caller
  set no mirror and that folder holds one, as the README says.
"""

from __future__ import annotations

import os
from pathlib import Path


def pytest_configure(config) -> None:
    os.environ.setdefault("COURSEKIT_PROFILE", "quick")
    beside = Path(config.rootpath).parent / "shared" / "datasets"
    if not os.environ.get("COURSEKIT_DATA_DIR") and (beside / "mnist.npz").is_file():
        os.environ["COURSEKIT_DATA_DIR"] = str(beside.resolve())


def pytest_report_header(config) -> str:
    return (f"coursekit profile: {os.environ.get('COURSEKIT_PROFILE')}; offline mirror: "
            f"{os.environ.get('COURSEKIT_DATA_DIR') or 'none (Keras downloads)'}")
