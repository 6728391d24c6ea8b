"""A tiny pytest plugin (enabled in pyproject.toml): tests run in the quick profile.

The solution notebooks are validated by nbval in the kernel's environment; this
makes ``python -m pytest`` use ``COURSEKIT_PROFILE=quick`` unless the caller set
a profile (``COURSEKIT_PROFILE=full python -m pytest solutions`` runs them for real).
"""

from __future__ import annotations

import os


def pytest_configure(config) -> None:
    os.environ.setdefault("COURSEKIT_PROFILE", "quick")


def pytest_report_header(config) -> str:
    return f"coursekit profile: {os.environ.get('COURSEKIT_PROFILE')}"
