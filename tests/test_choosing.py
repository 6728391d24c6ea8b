"""Tests of ``coursekit bench --choose``: the rule, and what it trains and reads."""

from __future__ import annotations

import json

import pytest

from coursekit.instructor import bench, choosing, cli
from coursekit.instructor.bench import RecipeRun


def fake_spawn(monkeypatch, accuracy: dict[float, float]) -> list[dict]:
    calls: list[dict] = []

    def spawn(task, recipe, quick, echo, *, on="test", peak_factor=1.0, label=""):
        calls.append({"task": task, "recipe": recipe, "on": on, "factor": peak_factor})
        return RecipeRun([1.0, 2.0], [0.5, accuracy[peak_factor]], 900.0,
                         "MNIST (55,000 / 5,000 validation)")

    monkeypatch.setattr(bench, "_spawn", spawn)
    return calls


def test_every_variant_is_the_course_recipe_measured_on_validation(monkeypatch):
    calls = fake_spawn(monkeypatch, {0.5: 0.98, 1.0: 0.99, 2.0: 0.985})
    choice = choosing.choose("cnn-mnist", echo=lambda line: None)
    assert [(c["recipe"], c["on"], c["factor"]) for c in calls] == [
        ("course", "validation", 0.5), ("course", "validation", 1.0),
        ("course", "validation", 2.0)]
    assert choice.peak == pytest.approx(3e-3) and choice.validation_images == 5_000
    assert (choice.best, choice.chosen) == (1.0, 1.0)
    assert "best on validation" in choice.verdict


@pytest.mark.parametrize("accuracy, n, chosen", [
    ({0.5: 0.980, 1.0: 0.984, 2.0: 0.986}, 5_000, 1.0),   # +0.2 points, noise ±0.5
    ({0.5: 0.950, 1.0: 0.970, 2.0: 0.990}, 5_000, 2.0),   # +2 points, noise ±0.56
    ({0.5: 0.55, 1.0: 0.51, 2.0: 0.50}, 1_000, 1.0),      # +4 points, noise ±4.4 on 1,000
    ({0.5: 0.58, 1.0: 0.51, 2.0: 0.50}, 1_000, 0.5),      # +7 points
])
def test_the_course_recipe_stands_unless_beaten_beyond_twice_the_standard_error(
        accuracy, n, chosen):
    assert choosing.decide(accuracy, n)[2] == chosen


def test_a_tie_with_the_course_recipe_keeps_it():
    assert choosing.decide({0.5: 0.99, 1.0: 0.99, 2.0: 0.98}, 5_000) == (1.0, 0.0, 1.0)


def test_the_table_and_json_say_what_was_measured(monkeypatch, tmp_path):
    fake_spawn(monkeypatch, {0.5: 0.980, 1.0: 0.984, 2.0: 0.986})
    lines: list[str] = []
    choosing.run(["cnn-mnist"], json_path=tmp_path / "c.json", echo=lines.append)
    table = "\n".join(lines)
    assert ("| cnn-mnist | MNIST (55,000 / 5,000 validation) | 0.003 | 98.00% | 98.40% | "
            "**98.60%** | ±0.49% | ×2 is +0.20 points, within the noise: the course's peak "
            "stands |") in table
    (saved,) = json.loads((tmp_path / "c.json").read_text())
    assert saved["chosen"] == 1.0 and saved["best"] == 2.0


def test_a_recipe_without_a_schedule_cannot_be_scaled():
    with pytest.raises(ValueError, match="constant learning rate"):
        bench.run_recipe("cnn-mnist", "original", peak_factor=2.0)


@pytest.mark.slow
def test_quick_choice_smoke(shared_mirror, monkeypatch, tmp_path, capsys):
    """Three real quick runs through the command line: validation held out, test unread."""
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
    out = tmp_path / "choice.json"
    assert cli.main(["bench", "--choose", "--quick", "mlp-mnist", "--json", str(out)]) == 0
    (choice,) = json.loads(out.read_text())
    assert choice["data"] == "MNIST (10,000 / 5,000 validation)"
    assert set(choice["accuracy"]) == {"0.5", "1.0", "2.0"}
    assert all(0.5 < a <= 1 for a in choice["accuracy"].values())
    assert "mlp-mnist    ×2       epoch  1/1" in capsys.readouterr().out
