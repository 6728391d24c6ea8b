"""Statuses as data: every kind formats to the gradebook's text and parses back from it."""

from __future__ import annotations

import pytest

from coursekit.instructor.grading.status import RunStatus, Status

#: One status of every kind, with the gradebook text it has (the texts older gradebooks hold).
EXAMPLES = {
    RunStatus(Status.OK): "ok",
    RunStatus(Status.CELL_ERROR, cell=41, exception="NameError"):
        "error in cell 41: NameError",
    RunStatus(Status.CELL_ERROR, cell=3): "error in cell 3",
    RunStatus(Status.TIMEOUT): "timeout",
    RunStatus(Status.MEMORY_LIMIT): "memory limit",
    RunStatus(Status.CPU_LIMIT): "cpu limit",
    RunStatus(Status.KERNEL_DIED): "kernel died",
    RunStatus(Status.KERNEL_DID_NOT_START): "kernel did not start",
    RunStatus(Status.INTERRUPTED): "interrupted",
    RunStatus(Status.GRADER_ERROR, exception="KeyError"): "grader error: KeyError",
    RunStatus(Status.GRADER_ERROR): "grader error: an exception",
    RunStatus(Status.GRADER_ERROR, exception="OSError", message="disk full: /tmp"):
        "grader error: OSError: disk full: /tmp",
    RunStatus(Status.WRONG_NOTEBOOK, message="03_cnn"): "wrong notebook (cells of 03_cnn)",
    RunStatus(Status.UNKNOWN_NOTEBOOK): "unknown notebook",
    RunStatus(Status.NOT_A_NOTEBOOK): "not a notebook",
    RunStatus(Status.INVALID_JSON): "invalid notebook JSON",
    RunStatus(Status.UNREADABLE): "unreadable file",
    RunStatus(Status.FILE_NOT_FOUND): "file not found",
    RunStatus(Status.REFUSED, message="symlink"): "refused: symlink",
    RunStatus(Status.REFUSED, message="hard link"): "refused: hard link",
    RunStatus(Status.FILE_TOO_LARGE, message="over 16 MB"): "file too large (over 16 MB)",
    RunStatus(Status.NOTEBOOK_TOO_LARGE, message="over 2 MB of cell text"):
        "notebook too large (over 2 MB of cell text)",
    RunStatus(Status.CELL_TOO_LARGE, cell=9, message="over 256 KB of text"):
        "cell 9 too large (over 256 KB of text)",
    RunStatus(Status.OTHER, message="a status of a future grader"):
        "a status of a future grader",
}


@pytest.mark.parametrize(("status", "text"), list(EXAMPLES.items()), ids=list(EXAMPLES.values()))
def test_every_kind_formats_to_its_gradebook_text_and_parses_back(status, text):
    assert str(status) == text
    assert RunStatus.parse(text) == status


def test_the_examples_cover_every_kind():
    assert {s.kind for s in EXAMPLES} == set(Status)


def test_needs_human_is_every_status_but_a_notebook_that_ran():
    humans = {s.kind for s in EXAMPLES if s.needs_human}
    assert humans == set(Status) - {Status.OK, Status.CELL_ERROR}


def test_only_the_graders_failures_are_graded_again():
    assert {s.kind for s in EXAMPLES if s.retry} == {
        Status.GRADER_ERROR, Status.KERNEL_DID_NOT_START, Status.INTERRUPTED}


def test_a_cells_error_never_keeps_its_message_nor_a_forged_name():
    parsed = RunStatus.parse("error in cell 7: NameError: name 'x' is not defined")
    assert str(parsed) == "error in cell 7: NameError" and parsed.message == ""
    assert RunStatus(Status.CELL_ERROR, cell=2, exception="<script>").exception == ""
    assert RunStatus.parse("error in cell 2: <b>x</b>").kind is Status.OTHER


def test_kinds_compare_and_print_as_the_gradebooks_words():
    assert Status.TIMEOUT == "timeout" and f"{Status.TIMEOUT}" == str(Status.TIMEOUT) == "timeout"
    assert Status("memory limit") is Status.MEMORY_LIMIT
    with pytest.raises(ValueError, match="needs a cell number"):
        RunStatus(Status.CELL_ERROR)
