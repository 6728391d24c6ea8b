"""Check 04.max_pool: passes on the solution, fails with specific messages otherwise."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.util import view_as_blocks

from coursekit.checks import get_check
from coursekit.checks.nb04 import ZERO, reference_max_pool


def run(obj):
    return get_check("04.max_pool").run(obj)


def solution(a, size):
    a = np.asarray(a)
    if size > a.shape[0] or size > a.shape[1]:
        raise ValueError(f"a {size}×{size} window does not fit in a {a.shape} array")
    rows, cols = a.shape[0] // size * size, a.shape[1] // size * size
    blocks = view_as_blocks(a[:rows, :cols], (size, size))
    return blocks.max(axis=(2, 3))


def test_passes_on_the_solution():
    verdict = run(solution)
    assert verdict.passed, verdict.message
    assert verdict.points == 2


def test_reference_on_the_zero():
    assert reference_max_pool(ZERO, 2).tolist() == [[1, 3, 2, 0], [5, 3, 5, 1],
                                                   [4, 0, 6, 2], [2, 4, 3, 0]]


def no_crop(a, size):  # view_as_blocks without cropping: ValueError on 7×5
    if size > min(a.shape):
        raise ValueError("too large")
    return view_as_blocks(a, (size, size)).max(axis=(2, 3))


def mean_pool(a, size):
    return solution(a, size) * 0 + view_as_blocks(
        a[:a.shape[0] // size * size, :a.shape[1] // size * size], (size, size)).mean(axis=(2, 3))


def zero_start(a, size):
    return np.maximum(solution(a, size), 0)


def no_value_error(a, size):
    rows, cols = a.shape[0] // size * size, a.shape[1] // size * size
    return a[:rows, :cols].reshape(rows // size, size, cols // size, size).max(axis=(1, 3))


def rows_only(a, size):
    return a[::size, :]


def first_value(a, size):
    return solution(a, size) if size == 1 else view_as_blocks(
        a[:a.shape[0] // size * size, :a.shape[1] // size * size], (size, size))[:, :, 0, 0]


@pytest.mark.parametrize("func, words, hint", [
    (no_crop, "raised ValueError", "do not fill a whole window"),
    (mean_pool, "value [0, 0]", "mean pooling"),
    (zero_start, "negative", "do not start the maximum from 0"),
    (no_value_error, "expected a ValueError", "raise ValueError"),
    (rows_only, "returned shape (4, 8), expected (4, 4)", "one value per size×size window"),
    (first_value, "is 0, expected 1", "maximum"),
    (lambda a, size: None, "returned None", "return"),
    (lambda a, size: "pooled", "returned a str", "NumPy array"),
    (lambda a, size: [[1]], "returned shape (1, 1), expected (4, 4)", "window"),
    (lambda a, size: 1 / 0, "raised ZeroDivisionError", "read the error"),
    (lambda a: a, "raised TypeError", "read the error"),
])
def test_fails_with_a_specific_message(func, words, hint):
    verdict = run(func)
    assert not verdict.passed
    assert words in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


def test_wrong_exception_for_too_large_window():
    def raises_index_error(a, size):
        if size > min(a.shape):
            raise IndexError("no")
        return solution(a, size)

    verdict = run(raises_index_error)
    assert not verdict.passed and "raised IndexError, expected a ValueError" in verdict.message


@pytest.mark.parametrize("obj, words", [(None, "got None"), (3, "got int"),
                                        (np.zeros((2, 2)), "got ndarray")])
def test_fails_on_wrong_objects(obj, words):
    verdict = run(obj)
    assert not verdict.passed and words in verdict.message


def test_fails_on_the_blank_exercise():
    def max_pool(a, size):
        raise NotImplementedError()

    verdict = run(max_pool)
    assert not verdict.passed and "NotImplementedError" in verdict.message


def test_student_cannot_change_the_test_arrays():
    def mutating(a, size):
        out = solution(a, size)
        a[...] = 0
        return out

    assert run(mutating).passed
    assert run(solution).passed
