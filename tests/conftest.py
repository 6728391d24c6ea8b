"""Shared fixtures: the real offline mirror, an isolated Keras cache, no network; artifacts.

Tests marked ``browser`` (tests/test_browser.py) need Debian's Chromium at /usr/bin/chromium
(or ``COURSEKIT_CHROMIUM``), Playwright and JupyterLab. Where one is missing they are skipped
with the reason, which pytest's ``-ra`` summary and the report header both print.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The browser the browser tests drive: Debian's package (``apt-get install chromium``).
CHROMIUM = Path(os.environ.get("COURSEKIT_CHROMIUM", "/usr/bin/chromium"))


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; "
                       ".ci/run installs it)")
    for module in ("playwright", "jupyterlab"):
        if importlib.util.find_spec(module) is None:
            missing.append(f"{module} is not installed (pip install -e '.[test]')")
    return "; ".join(missing) or None


def pytest_report_header(config: pytest.Config) -> str:
    reason = browser_unavailable()
    if reason is None:
        return f"browser tests: JupyterLab in {CHROMIUM} (headless, through Playwright)"
    return f"browser tests: SKIPPED: {reason}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = browser_unavailable()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser test skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _private_state(tmp_path_factory: pytest.TempPathFactory):
    """The grader's state folder (its gradebook key) under the tests' temporary folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Chromium's executable, for tests marked ``browser`` (skipped where it is missing)."""
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests save screenshots and figures: ``COURSEKIT_ARTIFACTS`` or tests/artifacts/."""
    path = Path(os.environ.get("COURSEKIT_ARTIFACTS") or ROOT / "tests" / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _mirror() -> Path | None:
    # tests/_profile.py has set COURSEKIT_DATA_DIR to ../shared/datasets if the
    # caller set no mirror and one lies beside the checkout.
    env = os.environ.get("COURSEKIT_DATA_DIR")
    if env and (Path(env) / "mnist.npz").is_file():
        return Path(env).resolve()
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


#: Full-profile seed sweeps train as the notebooks do in the full profile: minutes a seed.
FULL_SEEDS = pytest.mark.skipif(
    not os.environ.get("COURSEKIT_FULL_SEEDS"),
    reason="the full profile's seed sweep takes minutes a seed: set COURSEKIT_FULL_SEEDS=1")
#: Seeds of each quick-profile sweep run by default; the rest (to 4) with COURSEKIT_ALL_SEEDS=1.
QUICK_SEEDS_IN_CI = 2
#: The grade profile is the grader's opt-in (``coursekit grade --profile grade``): its sweeps
#: run when asked for, as the full profile's do, and keep CI within its time.
GRADE_SEEDS = pytest.mark.skipif(
    not os.environ.get("COURSEKIT_GRADE_SEEDS"),
    reason="the grade profile (opt-in for the grader) is swept with COURSEKIT_GRADE_SEEDS=1")


@pytest.fixture(params=["quick", pytest.param("grade", marks=GRADE_SEEDS),
                        pytest.param("full", marks=FULL_SEEDS)])
def seed_profile(request, monkeypatch):
    """Each profile in turn (the full one only with ``COURSEKIT_FULL_SEEDS=1``, the grader's
    opt-in ``grade`` only with ``COURSEKIT_GRADE_SEEDS=1``), set as the current profile: a
    seed test trains the solution in that profile's sizes, as the notebook does, and the
    check judges it by that profile's thresholds. A notebook the grader runs in quick (not
    in ``GRADE_NOTEBOOKS``) skips the grade profile."""
    import re

    from coursekit.profiles import GRADE_NOTEBOOKS, Profile

    number = re.search(r"nb(\d\d)", request.module.__name__)
    if request.param == "grade" and number and not any(
            stem.startswith(number.group(1)) for stem in GRADE_NOTEBOOKS):
        pytest.skip(f"the grader runs notebook {number.group(1)} in the quick profile "
                    "(coursekit.profiles.GRADE_NOTEBOOKS)")
    seed = getattr(request.node, "callspec", None) and request.node.callspec.params.get("seed")
    if (request.param == "quick" and isinstance(seed, int) and seed >= QUICK_SEEDS_IN_CI
            and not os.environ.get("COURSEKIT_ALL_SEEDS")):
        pytest.skip(f"quick sweeps run seeds 0-{QUICK_SEEDS_IN_CI - 1} by default (CI's time); "
                    "all five with COURSEKIT_ALL_SEEDS=1")
    monkeypatch.setenv("COURSEKIT_PROFILE", request.param)
    return Profile(request.param)


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


@pytest.fixture(scope="module")
def mirror_for_checks(shared_mirror):
    """Experiment checks load their held-out images themselves: from the offline mirror."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
        yield shared_mirror


@pytest.fixture(scope="module")
def quick_profile():
    """The quick profile's sizes and thresholds, for a whole test module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_PROFILE", "quick")
        yield
