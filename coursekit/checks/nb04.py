"""Checks of notebook 04_pooling (pooling layers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Check, CheckFailed, register

__all__ = ["ZERO", "MaxPool"]

#: The 8×8 drawing of a zero used in the pooling lesson.
ZERO = np.array([[0, 0, 0, 1, 0, 0, 0, 0],
                 [0, 1, 2, 3, 2, 1, 0, 0],
                 [0, 4, 3, 1, 3, 2, 0, 0],
                 [1, 5, 2, 0, 0, 5, 1, 0],
                 [2, 4, 0, 0, 0, 6, 2, 0],
                 [1, 3, 0, 0, 0, 4, 1, 0],
                 [0, 2, 3, 2, 1, 3, 0, 0],
                 [0, 0, 3, 4, 3, 1, 0, 0]])

_RNG = np.random.default_rng(4)
_TALL = _RNG.integers(-9, 10, size=(6, 4))  # non-square, with negative values
_ODD = _RNG.integers(0, 10, size=(7, 5))  # 2 does not divide 7 nor 5
_FLOAT = _RNG.normal(size=(4, 4)).round(3)

#: (description, array, size, expected shape or "ValueError")
CASES: list[tuple[str, np.ndarray, int, Any]] = [
    ("the 8×8 zero with size=2", ZERO, 2, (4, 4)),
    ("the 8×8 zero with size=4", ZERO, 4, (2, 2)),
    ("a 6×4 array (rows ≠ columns, negative values) with size=2", _TALL, 2, (3, 2)),
    ("an array of negative numbers (-zero) with size=2", -ZERO, 2, (4, 4)),
    ("a 4×4 float array with size=2", _FLOAT, 2, (2, 2)),
    ("the 8×8 zero with size=1", ZERO, 1, (8, 8)),
    ("a 7×5 array with size=2 (2 divides neither side)", _ODD, 2, (3, 2)),
    ("the 8×8 zero with size=3 (3 does not divide 8)", ZERO, 3, (2, 2)),
    ("a 3×3 array with size=4 (the window is larger than the array)",
     np.arange(9).reshape(3, 3), 4, "ValueError"),
]


def reference_max_pool(a: np.ndarray, size: int) -> np.ndarray:
    """Max pooling with non-overlapping size×size windows, cropping the leftovers."""
    h, w = a.shape[0] // size * size, a.shape[1] // size * size
    return a[:h, :w].reshape(h // size, size, w // size, size).max(axis=(1, 3))


def _run(max_pool: Any, a: np.ndarray, size: int) -> dict[str, Any]:
    try:
        out = max_pool(a.copy(), size)
    except NotImplementedError:
        raise
    except Exception as exc:  # recorded: some cases must raise ValueError
        return {"error": type(exc).__name__, "message": str(exc).strip()[:200]}
    if out is None:
        return {"none": True}
    try:
        arr = np.asarray(out)
        if not np.issubdtype(arr.dtype, np.number):
            return {"not_numeric": type(out).__name__}
        return {"output": arr}
    except Exception:
        return {"not_numeric": type(out).__name__}


@register
class MaxPool(Check):
    id = "04.max_pool"
    notebook = "04_pooling"
    points = 2
    expects = "a function max_pool(a, size)"

    def collect(self, max_pool: Any) -> list[dict[str, Any]]:
        if not callable(max_pool):
            raise CheckFailed(f"expected a function max_pool(a, size), got "
                              f"{type(max_pool).__name__}.",
                              hint="pass the function itself: check('04.max_pool', max_pool)")
        return [_run(max_pool, a, size) for _, a, size, _ in CASES]

    def judge(self, evidence: list[dict[str, Any]]) -> Any:
        if not isinstance(evidence, list) or len(evidence) != len(CASES):
            raise CheckFailed("the evidence does not match this check's cases.")
        for (what, a, size, expected), got in zip(CASES, evidence, strict=True):
            call = f"max_pool(a, {size}) on {what}"
            if expected == "ValueError":
                if got.get("error") == "ValueError":
                    continue
                if "error" in got:
                    return self.fail(f"{call} raised {got['error']}, expected a ValueError.",
                                     hint="raise ValueError('...') with a message saying the "
                                          "window is larger than the array")
                shape = np.shape(got["output"]) if "output" in got else None
                returned = f"an array of shape {shape}" if shape is not None else "a value"
                return self.fail(f"{call} returned {returned}, expected a ValueError.",
                                 hint="check `size` against a.shape first and "
                                      "raise ValueError if it is larger than either side")
            if "error" in got:
                crops = bool(a.shape[0] % size or a.shape[1] % size)
                hint = ("the rows and columns that do not fill a whole window must go "
                        "before view_as_blocks, as MaxPooling2D drops them"
                        if crops and got["error"] == "ValueError"
                        else "read the error and try your function on this array")
                return self.fail(f"{call} raised {got['error']}: {got['message']}", hint=hint)
            if got.get("none"):
                return self.fail(f"{call} returned None.",
                                 hint="end the function with `return` and the pooled array")
            if "not_numeric" in got:
                return self.fail(f"{call} returned a {got['not_numeric']}, expected a NumPy "
                                 "array of numbers.", hint="return a NumPy array")
            out = got["output"]
            want = reference_max_pool(a, size)
            if out.shape != want.shape:
                hint = ("drop the rows and columns that do not fill a whole window (as "
                        "MaxPooling2D does)" if a.shape[0] % size or a.shape[1] % size
                        else "the result has one value per size×size window: shape "
                             "(rows // size, columns // size)")
                return self.fail(f"{call} returned shape {out.shape}, expected {want.shape}.",
                                 hint=hint)
            if not np.allclose(out, want):
                i, j = np.argwhere(~np.isclose(out, want))[0]
                hint = ("take the maximum over each window's values: look at which axes "
                        "your maximum runs over")
                if np.allclose(out, a[:want.shape[0] * size, :want.shape[1] * size]
                               .reshape(want.shape[0], size, want.shape[1], size)
                               .mean(axis=(1, 3))):
                    hint = "this is mean pooling: take the max, not the mean"
                elif (want < 0).any() and np.allclose(out, np.maximum(want, 0)):
                    hint = ("negative windows came out as 0: do not start the maximum from 0, "
                            "use .max() over the window")
                return self.fail(f"{call}: value [{i}, {j}] is {out[i, j]:g}, expected "
                                 f"{want[i, j]:g}.", hint=hint)
        return self.ok(f"max_pool is right on all {len(CASES)} test arrays (square, "
                       "non-square, negative, non-dividing sizes, and a too-large window).")
