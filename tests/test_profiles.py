"""coursekit.profiles: the quick/full switch the notebooks read."""

from __future__ import annotations

import pytest

from coursekit import profiles
from coursekit.errors import InvalidParameterError


def test_default_is_full(monkeypatch):
    monkeypatch.delenv("COURSEKIT_PROFILE", raising=False)
    p = profiles.current()
    assert p.name == "full" and not p.is_quick
    assert p.epochs(20) == 20 and p.samples(60_000) == 60_000 and p.samples(None) is None
    assert p.pick(full=1, quick=2) == 1


def test_quick_shrinks(monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "Quick ")
    p = profiles.current()
    assert p.is_quick
    assert p.epochs(20) == 1 and p.epochs(20, quick=2) == 2
    assert p.samples(60_000) == 2_000 and p.samples(500) == 500 and p.samples(None) == 2_000
    assert p.samples(60_000, quick=300) == 300
    assert p.pick(full="a", quick="b") == "b"


def test_grade_is_quick_on_a_quarter_of_its_samples(monkeypatch):
    """The grader's profile: the quick profile's epochs and choices, a quarter of its samples
    but at least 300 (never more than asked for or than quick), and claims are not checked."""
    from coursekit.claims import claim

    monkeypatch.setenv("COURSEKIT_PROFILE", "grade")
    p = profiles.current()
    assert p.is_quick and p.pick(full="a", quick="b") == "b"
    assert p.epochs(20) == 1 and p.epochs(10, quick=3) == 3
    assert p.samples(60_000) == 500 and p.samples(None) == 500
    assert p.samples(5_000, quick=1_600) == 400 and p.samples(5_000, quick=500) == 300
    assert p.samples(1_000, quick=200) == 200 and p.samples(100) == 100
    claim(False, "a claim the full profile checks")  # does not raise


def test_invalid_profile_names_allowed_values(monkeypatch):
    monkeypatch.setenv("COURSEKIT_PROFILE", "fast")
    with pytest.raises(InvalidParameterError, match=r"COURSEKIT_PROFILE='fast'.*'full' or 'quick'"):
        profiles.current()


def test_invalid_counts():
    p = profiles.Profile("full")
    with pytest.raises(InvalidParameterError, match="full"):
        p.epochs(0)
    with pytest.raises(InvalidParameterError, match="quick"):
        p.samples(10, quick=-1)


def test_show_prints_profile(monkeypatch, capsys):
    monkeypatch.setenv("COURSEKIT_PROFILE", "quick")
    assert profiles.show().name == "quick"
    out = capsys.readouterr().out
    assert "profile: quick" in out and "NOT representative" in out
