"""Shared fixtures: the real offline mirror, an isolated Keras cache, no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mirror() -> Path | None:
    env = os.environ.get("COURSEKIT_DATA_DIR")
    for candidate in (env, ROOT.parent / "shared" / "datasets"):
        if candidate and (Path(candidate) / "mnist.npz").is_file():
            return Path(candidate).resolve()
    return None


@pytest.fixture(scope="session")
def shared_mirror() -> Path:
    """The real offline dataset mirror (COURSEKIT_DATA_DIR, as CI sets it)."""
    mirror = _mirror()
    if mirror is None:
        if os.environ.get("CI"):
            pytest.fail("CI must set COURSEKIT_DATA_DIR to the offline dataset mirror")
        pytest.skip("no offline dataset mirror: set COURSEKIT_DATA_DIR")
    return mirror


@pytest.fixture
def no_network(monkeypatch):
    """Make every network connection fail at once, as on a machine offline."""

    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test (no_network fixture)")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def clean_sources(monkeypatch, tmp_path):
    """No mirror and an empty Keras cache in tmp_path/keras (returns the cache's datasets dir)."""
    monkeypatch.delenv("COURSEKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    cache = tmp_path / "keras" / "datasets"
    cache.mkdir(parents=True)
    return cache
