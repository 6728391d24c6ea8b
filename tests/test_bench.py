"""Tests of ``coursekit bench``: its bookkeeping, and one real quick run as a smoke check.

Benchmarks are not tests: nothing here asserts how fast anything is.
"""

from __future__ import annotations

import json

import pytest

from coursekit.errors import InvalidParameterError
from coursekit.instructor import bench, cli
from coursekit.instructor.bench import BenchRow, RecipeRun

KEYS = ["task", "data", "target_accuracy", "baseline", "baseline_seconds", "baseline_accuracy",
        "course_seconds", "course_accuracy", "speedup", "baseline_peak_mb", "course_peak_mb"]


def fake_runs(monkeypatch, original: RecipeRun, course: RecipeRun) -> list[tuple]:
    calls: list[tuple] = []

    def spawn(task, recipe, quick, echo):
        calls.append((task, recipe, quick))
        return original if recipe == "original" else course

    monkeypatch.setattr(bench, "_spawn", spawn)
    return calls


def test_time_to_is_the_first_epoch_at_the_target():
    run = RecipeRun(seconds=[10.0, 20.0, 30.0], accuracy=[0.98, 0.9925, 0.991], peak_mb=1.0,
                    data="MNIST")
    assert run.time_to(0.9921) == (20.0, True)
    assert run.time_to(0.995) == (30.0, False)


def test_row_uses_the_published_target_and_divides_times(monkeypatch):
    calls = fake_runs(
        monkeypatch,
        RecipeRun([17.0, 34.0, 51.0], [0.985, 0.9915, 0.9925], 900.0, "MNIST (60,000 / 10,000)"),
        RecipeRun([3.0, 6.0], [0.99, 0.9930], 800.0, "MNIST (60,000 / 10,000)"))
    row = bench.bench_task("cnn-mnist", echo=lambda line: None)
    assert calls == [("cnn-mnist", "original", False), ("cnn-mnist", "course", False)]
    assert row.target_accuracy == pytest.approx(0.9921)
    assert (row.baseline_seconds, row.course_seconds) == (51.0, 6.0)
    assert row.speedup == pytest.approx(8.5)
    assert row.baseline_accuracy == pytest.approx(0.9925)
    assert row.course_accuracy == pytest.approx(0.9930)
    assert (row.baseline_peak_mb, row.course_peak_mb) == (900.0, 800.0)
    assert row.baseline_reached and row.course_reached
    assert (row.baseline_epochs, row.course_epochs) == (3, 2)


def test_cpu_time_speedup_is_reported_beside_wall_time(monkeypatch):
    fake_runs(monkeypatch,
              RecipeRun([17.0, 34.0], [0.985, 0.9925], 900.0, "MNIST", cpu_seconds=[30.0, 60.0]),
              RecipeRun([3.0, 6.0], [0.9930, 0.9931], 800.0, "MNIST", cpu_seconds=[5.0, 10.0]))
    row = bench.bench_task("cnn-mnist", echo=lambda line: None)
    assert (row.baseline_cpu_seconds, row.course_cpu_seconds) == (60.0, 5.0)
    assert row.cpu_speedup == pytest.approx(12.0)
    assert row.speedup == pytest.approx(34.0 / 3.0, rel=0.01)
    assert "| 12.0× |" in bench.format_table([row])


def test_a_missed_target_uses_the_whole_time_and_is_marked(monkeypatch):
    fake_runs(monkeypatch,
              RecipeRun([17.0, 34.0], [0.985, 0.990], 900.0, "MNIST"),
              RecipeRun([3.0, 6.0], [0.99, 0.9922], 800.0, "MNIST"))
    row = bench.bench_task("cnn-mnist", echo=lambda line: None)
    assert not row.baseline_reached and row.course_reached
    assert row.baseline_seconds == 34.0
    table = bench.format_table([row])
    assert "| 34.0* (2) |" in table
    assert "did not reach the target" in table


def test_without_a_published_target_the_original_sets_it(monkeypatch):
    fake_runs(monkeypatch,
              RecipeRun([20.0, 40.0, 60.0], [0.90, 0.915, 0.912], 900.0, "Fashion-MNIST"),
              RecipeRun([5.0, 10.0], [0.905, 0.913], 800.0, "Fashion-MNIST"))
    row = bench.bench_task("cnn-fashion", echo=lambda line: None)
    assert row.target_accuracy == pytest.approx(0.912)  # the original's final accuracy
    assert row.baseline_seconds == 40.0  # first reached (0.915) before the end
    assert row.course_seconds == 10.0
    assert row.speedup == pytest.approx(4.0)


def test_run_writes_the_promised_json_keys(monkeypatch, tmp_path):
    fake_runs(monkeypatch,
              RecipeRun([17.0], [0.9925], 900.0, "MNIST"),
              RecipeRun([3.0], [0.9930], 800.0, "MNIST"))
    lines: list[str] = []
    rows = bench.run(["cnn-mnist", "mlp-mnist"], json_path=tmp_path / "b.json",
                     echo=lines.append)
    saved = json.loads((tmp_path / "b.json").read_text())
    assert [r["task"] for r in saved] == ["cnn-mnist", "mlp-mnist"]
    for row in saved:
        assert list(row)[:len(KEYS)] == KEYS
    assert all(isinstance(r, BenchRow) for r in rows)
    assert any(line.startswith("| cnn-mnist | MNIST |") for line in "\n".join(lines).split("\n"))


def test_run_rejects_unknown_tasks_before_training(monkeypatch):
    calls = fake_runs(monkeypatch, None, None)
    with pytest.raises(InvalidParameterError, match="cnn-mnist"):
        bench.run(["cnn-mnist", "resnet"], echo=lambda line: None)
    assert calls == []


def test_cli_reports_an_unknown_task(capsys):
    assert cli.main(["bench", "resnet"]) != 0
    assert "task='resnet' is not valid" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_bench_smoke(shared_mirror, monkeypatch, tmp_path, capsys):
    """One real quick task, end to end, through the command line (a smoke check only)."""
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared_mirror))
    out = tmp_path / "bench.json"
    assert cli.main(["bench", "mlp-mnist", "--quick", "--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())
    assert list(row)[:len(KEYS)] == KEYS
    assert row["mode"] == "quick"
    assert row["data"] == "MNIST (10,000 / 10,000)"  # the real data, named
    assert 0.5 < row["baseline_accuracy"] <= 1 and 0.5 < row["course_accuracy"] <= 1
    assert row["baseline_peak_mb"] > 0 and row["course_peak_mb"] > 0
    assert row["speedup"] == pytest.approx(row["baseline_seconds"] / row["course_seconds"],
                                           rel=0.01)
    printed = capsys.readouterr().out
    assert "mlp-mnist    original epoch  1/1" in printed
    assert "| mlp-mnist | MNIST (10,000 / 10,000) |" in printed


def test_rows_carry_the_recipes_summaries(monkeypatch):
    from coursekit import recipes

    fake_runs(monkeypatch, RecipeRun([17.0], [0.9925], 900.0, "MNIST"),
              RecipeRun([3.0], [0.9930], 800.0, "MNIST"))
    row = bench.bench_task("lstm-mnist", echo=lambda line: None)
    task = recipes.get("lstm-mnist")
    assert (row.baseline, row.course) == (task.original.summary, task.course.summary)


def test_the_machine_line_is_the_notebooks_own(monkeypatch):
    from coursekit import profiles

    fake_runs(monkeypatch, RecipeRun([17.0], [0.9925], 900.0, "MNIST"),
              RecipeRun([3.0], [0.9930], 800.0, "MNIST"))
    lines: list[str] = []
    bench.run(["cnn-mnist"], echo=lines.append)
    assert lines[1] == f"machine: {profiles.machine()}"


def test_cli_help_lists_exactly_the_tasks(capsys):
    from coursekit import recipes

    with pytest.raises(SystemExit):
        cli.main(["bench", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ", ".join(recipes.TASKS) in help_text
    assert "--quick" in help_text and "--json FILE" in help_text
