"""The check machinery: verdicts, safety against any input, the registry."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.checks import (
    REGISTRY,
    Check,
    CheckFailed,
    Verdict,
    all_checks,
    check,
    get_check,
    register,
)


@pytest.fixture
def square_check():
    @register
    class Square(Check):
        id = "00.square"
        notebook = "00_demo"
        points = 2
        expects = "a function square(x)"

        def collect(self, square):
            if not callable(square):
                raise CheckFailed(f"expected a function, got {type(square).__name__}",
                                  hint="define it with def square(x): ...")
            return [square(v) for v in (0, 3)]

        def judge(self, evidence):
            if evidence != [0, 9]:
                return self.fail(f"expected square(3) == 9, got {evidence[1]!r}",
                                 hint="return x * x")
            return self.ok("square works")

    yield REGISTRY["00.square"]
    del REGISTRY["00.square"]


def test_pass_and_fail_verdicts(square_check, capsys):
    check("00.square", lambda x: x * x)
    assert capsys.readouterr().out == "✅ [00.square] 2/2: square works\n"
    check("00.square", lambda x: x + x)
    out = capsys.readouterr().out
    assert out.startswith("❌ [00.square] 0/2: expected square(3) == 9, got 6")
    assert "Hint: return x * x" in out


def _boom(x):
    raise ZeroDivisionError("division by zero")


def _todo(x):
    raise NotImplementedError()


@pytest.mark.parametrize("answer, message", [
    (None, "expected a function square(x), got None"),
    (42, "expected a function, got int"),
    (_todo, "not answered yet"),
    (_boom, "your code raised ZeroDivisionError: division by zero"),
    (lambda x: np.array([x, x]), "could not judge"),  # judge's comparison raises
])
def test_never_raises_and_says_what_went_wrong(square_check, capsys, answer, message):
    verdict = square_check.run(answer)
    assert isinstance(verdict, Verdict) and not verdict.passed and verdict.points == 0
    assert message in verdict.message
    check("00.square", answer)
    assert capsys.readouterr().out.startswith("❌")


def test_error_hint_points_at_student_line(square_check):
    verdict = square_check.run(_boom)
    assert verdict.hint.startswith("look at line") and "ZeroDivisionError" in verdict.hint


def test_unknown_check_id_lists_known(capsys):
    check("99.nope", 1)
    out = capsys.readouterr().out
    assert out.startswith("❌ no check '99.nope'") and "known checks" in out
    with pytest.raises(KeyError):
        get_check("99.nope")


def test_register_rejects_duplicates_and_missing_ids(square_check):
    with pytest.raises(ValueError, match="registered twice"):
        @register
        class Again(Check):
            id = "00.square"
            notebook = "00_demo"

    with pytest.raises(TypeError, match="id"):
        @register
        class NoId(Check):
            notebook = "00_demo"


def test_verdict_dict_round_trip():
    v = Verdict("01.x", True, "fine", "", 2.0, 2.0)
    assert Verdict(**v.to_dict()) == v


def test_builtin_checks_are_well_formed():
    for check_id, spec in all_checks().items():
        number, _, name = check_id.partition(".")
        assert number.isdigit() and name, check_id
        assert spec.notebook.startswith(number + "_"), check_id
        assert spec.points > 0 and spec.expects
