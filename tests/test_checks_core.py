"""The check machinery: verdicts, safety against any input, the registry."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from coursekit.checks import (
    REGISTRY,
    Check,
    CheckFailed,
    Verdict,
    _cell_status,
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


def _not_implemented(*args, **kwargs):
    raise NotImplementedError()


#: What an exercise holds before the student answers: ``trained_mlp = None``,
#: ``answer_biggest_layer = ...``, ``def build_mlp(...): raise NotImplementedError()``.
BLANKS = {"None": None, "Ellipsis": ..., "raises NotImplementedError": _not_implemented}


@pytest.mark.parametrize("blank", list(BLANKS))
def test_every_check_fails_a_blank_answer_with_a_hint(blank):
    for check_id, spec in all_checks().items():
        verdict = spec.run(BLANKS[blank])
        assert not verdict.passed and verdict.points == 0, (check_id, verdict)
        assert verdict.hint, (check_id, verdict)


def test_builtin_checks_are_well_formed():
    for check_id, spec in all_checks().items():
        number, _, name = check_id.partition(".")
        assert number.isdigit() and name, check_id
        assert spec.notebook.startswith(number + "_"), check_id
        assert spec.points > 0 and spec.expects


# --------------------------------------------------------------------------- #
# A check run after a failed cell says so (IPython's cell hooks)
# --------------------------------------------------------------------------- #

class FakeShell:
    """Just IPython's event machinery: what the recorder registers its hooks with."""

    def __init__(self):
        from IPython.core.events import EventManager, available_events

        self.events = EventManager(self, available_events)
        self.count = 0

    def run_cell(self, source, *, body=None, before=None, during=None, cell_id=None):
        """Fire the hooks as IPython does around a cell: ``body`` is what the cell runs."""
        from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

        self.count += 1
        info = ExecutionInfo(source, store_history=True, silent=False, shell_futures=True,
                             cell_id=cell_id)
        self.events.trigger("pre_run_cell", info)
        if body is not None:
            body()
        result = ExecutionResult(info)
        result.execution_count = self.count
        result.error_before_exec, result.error_in_exec = before, during
        self.events.trigger("post_run_cell", result)


@pytest.fixture
def shell(monkeypatch):
    fake = FakeShell()
    monkeypatch.setattr(_cell_status, "_shell", lambda: fake)
    return fake


def _syntax_error(line):
    return SyntaxError("invalid syntax", ("<cell>", line, 5, "    x = (\n"))


def test_check_after_a_syntax_error_says_the_cell_did_not_run(square_check, shell, capsys):
    square = lambda x: x * x  # noqa: E731 - the older, correct definition
    shell.run_cell("check", body=lambda: check("00.square", square))
    capsys.readouterr()
    shell.run_cell("def square(x):\n ...", before=_syntax_error(4), cell_id="exercise")
    for _ in range(2):  # running the check cell again does not hide the broken cell
        shell.run_cell("check", body=lambda: check("00.square", square))
        out = capsys.readouterr().out
        assert out.startswith("❌ [00.square] 0/2") and "did not run" in out, out
        assert "SyntaxError on line 4" in out and "run that cell again" in out
    shell.run_cell("def square(x): ...", cell_id="exercise")  # fixed and run again
    shell.run_cell("check", body=lambda: check("00.square", square))
    assert capsys.readouterr().out.startswith("✅")


def test_rerunning_the_broken_cell_with_its_check_judges_the_new_code(square_check, shell,
                                                                        capsys):
    shell.run_cell("check", body=lambda: check("00.square", lambda x: x * x))
    shell.run_cell("def square(x): ...\ncheck(...)", before=_syntax_error(1), cell_id="both")
    capsys.readouterr()
    shell.run_cell("def square(x): ...\ncheck(...)", cell_id="both",
                   body=lambda: check("00.square", lambda x: x * x))
    assert capsys.readouterr().out.startswith("✅")


def test_an_error_after_the_definition_still_judges_the_new_function(square_check, shell,
                                                                      capsys):
    namespace = {}
    try:
        exec(compile("def square(x):\n    return x * x\nsquare(1) / 0\n", "<cell-7>", "exec"),
             namespace)
    except ZeroDivisionError as exc:
        error = exc
    shell.run_cell("check", body=lambda: check("00.square", namespace["square"]))
    shell.run_cell("def square...", during=error)
    capsys.readouterr()
    shell.run_cell("check", body=lambda: check("00.square", namespace["square"]))
    assert capsys.readouterr().out.startswith("✅")  # defined by the failed cell: fresh
    shell.run_cell("check", body=lambda: check("00.square", lambda x: x * x))
    out = capsys.readouterr().out
    assert out.startswith("❌") and "stopped part-way: ZeroDivisionError on line 3" in out, out


def test_the_hooks_are_registered_once_whichever_copy_of_the_module_asks(shell, monkeypatch):
    import importlib.util

    first = _cell_status.recorder()
    assert _cell_status.recorder() is first
    spec = importlib.util.spec_from_file_location("grader_copy", _cell_status.__file__)
    copy = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "grader_copy", copy)
    spec.loader.exec_module(copy)  # the grader executes the checks' sources afresh
    copy._shell = _cell_status._shell
    assert copy.recorder() is first
    assert len(shell.events.callbacks["post_run_cell"]) == 1


def test_no_hook_outside_ipython():
    assert _cell_status.recorder() is None  # plain Python: checks judge as before


@pytest.mark.slow
def test_a_real_ipython_shell_reports_the_syntax_error_of_the_cell_above(capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    hooks = sys.displayhook, sys.excepthook
    ipython = InteractiveShell.instance(config=config)
    try:
        # A kernel's first import of coursekit.checks (here it was imported before the shell).
        ipython.run_cell("import importlib, coursekit.checks\n"
                         "importlib.reload(coursekit.checks)\n"
                         "from coursekit.checks import check", store_history=True)
        ipython.run_cell("def param_count(h, n):\n    return 1", store_history=True)
        ipython.run_cell("def param_count(h, n):\n    x = (\n    return 2", store_history=True)
        capsys.readouterr()
        ipython.run_cell('check("01.param_count", param_count)', store_history=True)
        out = capsys.readouterr().out
        assert out.startswith("❌ [01.param_count]") and "SyntaxError on line 2" in out, out
        ipython.run_cell("def param_count(h, n):\n    return 7850 if n == 0 else "
                         "784*h + h + (n-1)*(h*h + h) + 10*h + 10", store_history=True)
        ipython.run_cell('check("01.param_count", param_count)', store_history=True)
        assert capsys.readouterr().out.startswith("✅ [01.param_count]")
    finally:
        for event in ("pre_run_cell", "post_run_cell"):
            ipython.events.callbacks[event].clear()
        InteractiveShell.clear_instance()
        sys.displayhook, sys.excepthook = hooks
