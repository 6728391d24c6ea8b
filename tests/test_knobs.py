"""Tests of ``coursekit bench --knobs``'s bookkeeping (no timing is asserted)."""

from __future__ import annotations

import pytest

from coursekit import recipes
from coursekit.errors import InvalidParameterError
from coursekit.instructor import knobs


def test_every_knob_has_a_control_and_an_alternative():
    for name, variants in knobs.KNOBS.items():
        assert len(variants) >= 2, name
        assert len({v.label for v in variants}) == len(variants), name


def test_ratios_are_against_the_knobs_first_variant(monkeypatch):
    times = iter([20.0, 10.0, 30.0, 15.0])
    monkeypatch.setattr(knobs, "_spawn", lambda knob, i: {"seconds_per_60k": next(times),
                                                          "cpu_per_wall": 1.5})
    lines: list[str] = []
    rows = knobs.run(["architecture", "inputs"], echo=lines.append)
    assert [r["ratio"] for r in rows] == [1.0, 0.5, 1.0, 0.5]
    assert rows[1]["variant"].startswith("course CNN")
    assert "| architecture | course CNN" in "\n".join(lines)


def test_the_machine_is_named_as_the_measuring_processes_saw_it(monkeypatch):
    monkeypatch.setattr(knobs, "_spawn", lambda knob, i: {"seconds_per_60k": 10.0,
                                                          "cpu_per_wall": 1.0,
                                                          "machine": "AMD EPYC, 2 cores"})
    lines: list[str] = []
    rows = knobs.run(["inputs"], echo=lines.append)
    assert lines[-1] == "\nmachine: AMD EPYC, 2 cores"
    assert all("machine" not in row for row in rows)


def test_per_model_knobs_restart_the_control_for_each_model(monkeypatch):
    times = iter([10.0, 5.0, 20.0, 40.0, 30.0, 60.0])
    monkeypatch.setattr(knobs, "_spawn", lambda knob, i: {"seconds_per_60k": next(times),
                                                          "cpu_per_wall": 1.0})
    rows = knobs.run(["xla"], echo=lambda line: None)
    assert [r["ratio"] for r in rows] == [1.0, 0.5, 1.0, 2.0, 1.0, 2.0]


def test_unknown_knob_is_refused_before_anything_runs(monkeypatch):
    monkeypatch.setattr(knobs, "_spawn", lambda *a: pytest.fail("nothing should run"))
    with pytest.raises(InvalidParameterError, match="xla"):
        knobs.run(["xla", "turbo"], echo=lambda line: None)


def test_every_knob_times_a_recipe_model():
    """The knobs build the recipes' architectures, fed as the variant says."""
    built: dict[tuple, object] = {}
    for variants in knobs.KNOBS.values():
        for v in variants:
            key = (v.model, v.float_inputs, v.batch_norm)
            if key not in built:
                built[key] = knobs.build_model(v)
    for (name, float_inputs, batch_norm), model in built.items():
        task, which = knobs.MODELS[name]
        recipe = getattr(recipes.get(task), which)
        assert model.name == recipe.architecture.name
        assert model.inputs[0].dtype == ("float32" if float_inputs else "uint8")
        if not batch_norm:
            assert model.count_params() == recipe.build((28, 28)).count_params()
        else:
            assert any("BatchNormalization" in type(layer).__name__ for layer in model.layers)
