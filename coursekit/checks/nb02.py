"""Checks of notebook 02 (looking at a classifier's mistakes).

Both checks call the student's function on small fixed arrays (not on the
notebook's trained model), so that their verdicts are deterministic.

- ``02.misclassified_indices`` (2 points): ``misclassified(y_true, y_prob)``
  returns the indices of the wrong predictions, most confident first.
- ``02.per_class_accuracy`` (1 point): ``per_class_accuracy(y_true, y_pred,
  num_classes)`` returns, for each class, the fraction of its images that were
  predicted right (scikit-learn's per-class recall).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Check, CheckFailed, register
from ._question import Question
from ._trained import TrainedModelCheck, loaded

__all__ = ["CNNFixesMost", "LessSureWhenWrong", "MisclassifiedIndices", "PerClassAccuracy",
           "TopConfusion", "TrainCNN", "expected_misclassified", "validation_set"]

# --------------------------------------------------------------------------- #
# Fixed cases
# --------------------------------------------------------------------------- #

#: (name, y_true, y_prob) for ``misclassified``. No two mistakes of a case share a
#: confidence, so the expected order is unique.
MISCLASSIFIED_CASES: tuple[tuple[str, list[int], list[list[float]]], ...] = (
    ("6 images, 3 classes",
     [0, 1, 2, 1, 0, 2],
     [[0.80, 0.10, 0.10],
      [0.30, 0.10, 0.60],
      [0.20, 0.10, 0.70],
      [0.90, 0.05, 0.05],
      [0.35, 0.55, 0.10],
      [0.70, 0.18, 0.12]]),
    ("3 images, all predicted right",
     [2, 0, 1],
     [[0.10, 0.20, 0.70],
      [0.50, 0.25, 0.25],
      [0.05, 0.90, 0.05]]),
    ("10 images, 4 classes",
     [3, 1, 0, 2, 2, 1, 0, 3, 1, 0],
     [[0.10, 0.20, 0.30, 0.40],
      [0.05, 0.15, 0.72, 0.08],
      [0.61, 0.19, 0.10, 0.10],
      [0.33, 0.12, 0.21, 0.34],
      [0.02, 0.03, 0.94, 0.01],
      [0.49, 0.41, 0.05, 0.05],
      [0.22, 0.26, 0.27, 0.25],
      [0.80, 0.05, 0.05, 0.10],
      [0.01, 0.97, 0.01, 0.01],
      [0.30, 0.28, 0.12, 0.295]]),
)

#: (name, y_true, y_pred, num_classes) for ``per_class_accuracy``; every class
#: occurs in y_true.
PER_CLASS_CASES: tuple[tuple[str, list[int], list[int], int], ...] = (
    ("10 images, 4 classes",
     [0, 0, 0, 1, 1, 2, 2, 2, 2, 3],
     [0, 0, 1, 1, 1, 2, 2, 0, 2, 0],
     4),
    ("30 images, 10 classes",
     [i % 10 for i in range(30)],
     [(i % 10) if i % 7 else (i * 3) % 10 for i in range(30)],
     10),
    ("5 images, 2 classes, all right",
     [1, 0, 1, 1, 0],
     [1, 0, 1, 1, 0],
     2),
)


def expected_misclassified(y_true: Any, y_prob: Any) -> list[int]:
    """The reference answer: wrong predictions, most confident first."""
    prob = np.asarray(y_prob, dtype=float)
    pred = prob.argmax(axis=1)
    conf = prob.max(axis=1)
    wrong = np.flatnonzero(pred != np.asarray(y_true))
    return [int(i) for i in wrong[np.argsort(-conf[wrong], kind="stable")]]


def _expected_per_class(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    from sklearn.metrics import recall_score

    return np.asarray(recall_score(y_true, y_pred, labels=list(range(num_classes)),
                                   average=None, zero_division=0), dtype=float)


def _precision(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    from sklearn.metrics import precision_score

    return np.asarray(precision_score(y_true, y_pred, labels=list(range(num_classes)),
                                      average=None, zero_division=0), dtype=float)


def _to_vector(value: Any, call: str, what: str) -> np.ndarray:
    """A 1-D NumPy array from the student's return value, or CheckFailed."""
    if value is None:
        raise CheckFailed(f"{call} returned None, expected {what}.",
                          hint="end your function with a `return` statement")
    if isinstance(value, (str, bytes, dict, set)):
        raise CheckFailed(f"{call} returned a {type(value).__name__}, expected {what}.",
                          hint="return a NumPy array or a list")
    try:
        arr = np.asarray(value)
    except Exception:
        raise CheckFailed(f"{call} returned {type(value).__name__}, expected {what}.",
                          hint="return a NumPy array or a list") from None
    if arr.ndim == 0:
        raise CheckFailed(f"{call} returned a single value ({value!r}), expected {what}.",
                          hint="return one value per element, not a total")
    if arr.ndim != 1:
        raise CheckFailed(f"{call} returned an array of shape {arr.shape}, expected {what}.",
                          hint="return a 1-D array: one value per element, not a table")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise CheckFailed(f"{call} returned values of type {arr.dtype}, expected {what}.",
                          hint="return numbers")
    return arr


# --------------------------------------------------------------------------- #
# 02.misclassified_indices
# --------------------------------------------------------------------------- #

@register
class MisclassifiedIndices(Check):
    id = "02.misclassified_indices"
    notebook = "02_misclassified"
    points = 2
    expects = "a function misclassified(y_true, y_prob) returning an array of indices"

    def collect(self, misclassified: Any) -> Any:
        if not callable(misclassified):
            raise CheckFailed(f"expected a function misclassified(y_true, y_prob), got "
                              f"{type(misclassified).__name__}.",
                              hint='pass the function itself: '
                                   'check("02.misclassified_indices", misclassified)')
        out = []
        for name, y_true, y_prob in MISCLASSIFIED_CASES:
            call = f"misclassified(y_true, y_prob) on the {name} case"
            yt = np.array(y_true, dtype=np.int64)
            yp = np.array(y_prob, dtype=np.float32)
            arr = _to_vector(misclassified(yt.copy(), yp.copy()), call,
                             "a 1-D array of indices")
            if arr.dtype == np.bool_:
                raise CheckFailed(
                    f"{call} returned a boolean mask of length {len(arr)}, expected the "
                    "indices of the wrong predictions.",
                    hint="return the positions where the mask is True, not the mask "
                         "itself")
            if arr.size and not np.all(np.mod(arr, 1) == 0):
                raise CheckFailed(
                    f"{call} returned non-integer values {arr.tolist()}, expected indices.",
                    hint="return positions in the test set (np.flatnonzero, np.argsort), "
                         "not probabilities")
            out.append([int(v) for v in arr])
        return out

    def judge(self, evidence: Any) -> Any:
        if not isinstance(evidence, list) or len(evidence) != len(MISCLASSIFIED_CASES):
            return self.fail("the check got no answer for every case.")
        for got, (name, y_true, y_prob) in zip(evidence, MISCLASSIFIED_CASES, strict=True):
            want = expected_misclassified(y_true, y_prob)
            if got == want:
                continue
            prob = np.asarray(y_prob)
            pred = prob.argmax(axis=1)
            where = f"on the {name} case (y_true={y_true})"
            message = f"misclassified returned {got} {where}, expected {want}"
            right = [i for i in got if 0 <= i < len(y_true) and pred[i] == y_true[i]]
            outside = [i for i in got if not 0 <= i < len(y_true)]
            missing = [i for i in want if i not in got]
            if outside:
                hint = (f"index {outside[0]} is not a position in y_true (0 to "
                        f"{len(y_true) - 1})")
            elif right:
                i = right[0]
                hint = (f"image {i} is predicted right (true {y_true[i]}, predicted "
                        f"{pred[i]}): only the wrong predictions belong in the answer")
            elif missing:
                i = missing[0]
                hint = (f"image {i} is a mistake (true {y_true[i]}, predicted {pred[i]}) "
                        "but is missing from your answer")
            elif len(got) != len(set(got)):
                hint = "an index appears twice: each mistake should appear once"
            elif got == want[::-1]:
                hint = ("right indices, but least confident first: the most confident "
                        "mistake comes first")
            elif got == sorted(want):
                hint = ("right indices, but in test-set order: sort them by the confidence "
                        "of the prediction, largest first")
            elif got == _by_true_probability(y_true, prob, want):
                hint = ("right indices, but sorted by the probability of the true class: "
                        "the confidence is the probability of the *predicted* class, the "
                        "largest value of each row")
            else:
                hint = ("right indices, wrong order: sort by the probability of the "
                        "predicted class (the row's maximum), largest first")
            return self.fail(message + ".", hint=hint)
        return self.ok("right indices in the right order on all "
                       f"{len(MISCLASSIFIED_CASES)} cases (including one with no mistakes).")


def _by_true_probability(y_true: list[int], prob: np.ndarray, wrong: list[int]) -> list[int]:
    true_prob = prob[np.arange(len(y_true)), y_true]
    order = sorted(wrong, key=lambda i: true_prob[i])
    return [int(i) for i in order]


# --------------------------------------------------------------------------- #
# 02.per_class_accuracy
# --------------------------------------------------------------------------- #

@register
class PerClassAccuracy(Check):
    id = "02.per_class_accuracy"
    notebook = "02_misclassified"
    points = 1
    expects = ("a function per_class_accuracy(y_true, y_pred, num_classes) returning one "
               "accuracy per class")

    def collect(self, per_class_accuracy: Any) -> Any:
        if not callable(per_class_accuracy):
            raise CheckFailed(
                "expected a function per_class_accuracy(y_true, y_pred, num_classes), got "
                f"{type(per_class_accuracy).__name__}.",
                hint='pass the function itself: '
                     'check("02.per_class_accuracy", per_class_accuracy)')
        out = []
        for name, y_true, y_pred, num_classes in PER_CLASS_CASES:
            call = f"per_class_accuracy(y_true, y_pred, {num_classes}) on the {name} case"
            arr = _to_vector(
                per_class_accuracy(np.array(y_true), np.array(y_pred), num_classes), call,
                f"{num_classes} accuracies, one per class")
            out.append([float(v) for v in arr.astype(float)])
        return out

    def judge(self, evidence: Any) -> Any:
        if not isinstance(evidence, list) or len(evidence) != len(PER_CLASS_CASES):
            return self.fail("the check got no answer for every case.")
        for got, (name, y_true, y_pred, k) in zip(evidence, PER_CLASS_CASES, strict=True):
            want = _expected_per_class(y_true, y_pred, k)
            where = f"on the {name} case"
            if len(got) != k:
                return self.fail(
                    f"per_class_accuracy returned {len(got)} values {where}, expected {k}, "
                    "one per class.",
                    hint="return an array of length num_classes, one entry per class "
                         "0, 1, ..., num_classes - 1 (np.unique skips absent classes)")
            arr = np.asarray(got, dtype=float)
            if np.allclose(arr, want, atol=1e-6):
                continue
            bad = int(np.flatnonzero(~np.isclose(arr, want, atol=1e-6))[0])
            yt, yp = np.asarray(y_true), np.asarray(y_pred)
            n_c = int(np.sum(yt == bad))
            right = int(np.sum((yt == bad) & (yp == bad)))
            message = (f"per_class_accuracy gave {arr[bad]:.4g} for class {bad} {where}, "
                       f"expected {want[bad]:.4g} ({right} of its {n_c} images are predicted "
                       f"as {bad})")
            if np.allclose(arr, 100 * want, atol=1e-4):
                hint = "return fractions between 0 and 1, not percentages"
            elif np.allclose(arr, _precision(y_true, y_pred, k), atol=1e-6):
                hint = ("you divided by the number of images *predicted* as each class "
                        "(that is precision); divide by the number of images that truly "
                        "belong to the class")
            elif np.allclose(arr, want * np.bincount(yt, minlength=k)[:k], atol=1e-6):
                hint = ("you returned counts of right predictions; divide each by the number "
                        "of images of that class")
            else:
                hint = ("for each class c: among the images with y_true == c, the fraction "
                        "with y_pred == c")
            return self.fail(message + ".", hint=hint)
        return self.ok(f"matches scikit-learn's per-class recall on all {len(PER_CLASS_CASES)} "
                       "cases.")


# --------------------------------------------------------------------------- #
# Experiments and questions
# --------------------------------------------------------------------------- #

#: Notebook 02 trains on the first 50,000 training images and studies the mistakes on
#: the last 10,000 (its validation set; at most 1,000 in the quick profile).
VALIDATION_START = 50_000


def validation_set() -> tuple[Any, Any]:
    """Notebook 02's validation images (uint8) and labels, as the notebook cuts them."""
    from .. import profiles

    (x_train, y_train), _ = loaded("mnist")
    n_val = profiles.current().samples(10_000, quick=1_000)
    return x_train[VALIDATION_START:][:n_val], y_train[VALIDATION_START:][:n_val]


def _predictions(model: Any) -> Any:
    from ._trained import predicted_labels

    x_val, _ = validation_set()
    return predicted_labels(model, x_val)


def _model(obj: Any, name: str) -> Any:
    import keras

    if not isinstance(obj, keras.Model):
        raise CheckFailed(f"{name} is a {type(obj).__name__}, expected a trained Keras model.",
                          hint="keep the check cell as it was given")
    return obj


@register
class TrainCNN(TrainedModelCheck):
    """``02.train_cnn``: the course CNN, compiled and fitted by the student.

    Thresholds, from the solution (the course CNN with the course recipe, batch 128),
    measured on 2026-12-01 on the 2-core CI machine with real MNIST:

    - quick (2,000 training images, 2 epochs; 2,000 test images), seeds 0–4: 79.7–82.4%;
      one epoch on 200 images: 24.6%; untrained: 8.0%. Threshold 70%.
    - full (50,000 images, 8 epochs; 10,000 test images), seeds 0–4 (about 105 s each
      here): 99.20–99.28% for seeds 0–2, 99.3% for seeds 3 and 4 (as the check rounds
      them); one epoch on 5,000 images: 84.9%; untrained: 7.7%. Threshold 98.5%, 8
      standard errors under the worst seed. ``test_train_cnn_passes_the_solution_over_seeds``
      repeats both profiles (the full one with ``COURSEKIT_FULL_SEEDS=1``).
    - grade (500 images, 2 epochs; 1,000 test images), seeds 0–4: 58.6–67.5%. Threshold 50%.
    """

    id = "02.train_cnn"
    notebook = "02_misclassified"
    points = 2
    dataset = "mnist"
    min_accuracy = {"quick": 0.70, "full": 0.985, "grade": 0.50}
    advice = ("compile with the recipe's optimizer (sized for your training images and "
              "epochs) and loss, and fit for the exercise's epochs with the recipe's batch size")


@register
class TopConfusion(Check):
    """``02.q_top_confusion``: the most frequent confusion in the MLP's confusion matrix."""

    id = "02.q_top_confusion"
    notebook = "02_misclassified"
    points = 1
    expects = "a pair (true digit, predicted digit)"

    def collect(self, obj: Any) -> Any:
        if not (isinstance(obj, tuple) and len(obj) == 2):
            raise CheckFailed("expected (your answer, mlp).",
                              hint="keep the check cell as it was given")
        answer, mlp = obj
        if answer is Ellipsis:
            raise CheckFailed("not answered yet: the answer is still `...`.",
                              hint="replace ... with a pair such as (3, 5)")
        try:
            true, predicted = (int(v) for v in answer)
        except (TypeError, ValueError):
            raise CheckFailed(f"expected {self.expects}, got {answer!r}.",
                              hint="write two digits in parentheses: (true, predicted)") from None
        return {"answer": [true, predicted], "mlp": _model(mlp, "mlp")}

    def judge(self, evidence: Any) -> Any:
        _, y_val = validation_set()
        y_pred = _predictions(evidence["mlp"])
        counts = np.zeros((10, 10), dtype=int)
        np.add.at(counts, (y_val, y_pred), 1)
        np.fill_diagonal(counts, 0)
        true, predicted = evidence["answer"]
        if true == predicted:
            return self.fail(f"({true}, {predicted}) is on the diagonal: those are the right "
                             "predictions, not confusions.",
                             hint="look off the diagonal, for the largest count")
        if not (0 <= true < 10 and 0 <= predicted < 10):
            return self.fail(f"({true}, {predicted}) is not a pair of digits.",
                             hint="both numbers go from 0 to 9")
        top = counts.max()
        if counts[true, predicted] == top:
            return self.ok(f"right: a {true} read as a {predicted} is the most frequent confusion "
                           f"({top} times on the validation images).")
        return self.fail(f"a {true} read as a {predicted} happened {counts[true, predicted]} "
                         "times; one confusion is more frequent.",
                         hint="rows are the true digits, columns the predictions: find the "
                              "largest number off the diagonal")


@register
class LessSureWhenWrong(Question):
    """``02.q_less_sure``: predict whether the MLP is less confident when it is wrong."""

    id = "02.q_less_sure"
    notebook = "02_misclassified"
    prompt = "Is the network usually less sure when it is wrong?"
    choices = {"a": "yes: its wrong predictions have lower confidences",
               "b": "no: right and wrong predictions are made with the same confidence"}
    answer = "a"
    hint = ("think of what the training pushes the softmax towards on the images it gets right, "
            "and look at the table of the most confident mistakes above")
    explanation = ("the right predictions pile up near 100% confidence, while the wrong ones "
                   "spread over the whole range; run the next cell to see it.")


@register
class CNNFixesMost(Question):
    """``02.q_cnn_fixes``: does the CNN get most of the MLP's mistakes right?"""

    id = "02.q_cnn_fixes"
    notebook = "02_misclassified"
    prompt = "Of the MLP's validation mistakes, does your CNN get more than half right?"
    choices = {"a": "yes, more than half", "b": "no, half or fewer"}
    hint = ("compare the two models' predictions on the MLP's mistakes: where the MLP is wrong, "
            "how often is the CNN right?")
    explanation = ("most of the MLP's mistakes were readable digits: a model that keeps the "
                   "image's 2-D layout reads them.")

    def collect(self, obj: Any) -> Any:
        if not (isinstance(obj, tuple) and len(obj) == 3):
            raise CheckFailed("expected (your answer, mlp, cnn).",
                              hint="keep the check cell as it was given")
        answer, mlp, cnn = obj
        return {"answer": super().collect(answer), "mlp": _model(mlp, "mlp"),
                "cnn": _model(cnn, "cnn")}

    def right_answer(self, evidence: Any) -> str:
        _, y_val = validation_set()
        mlp_wrong = _predictions(evidence["mlp"]) != y_val
        cnn_right = _predictions(evidence["cnn"]) == y_val
        fixed = int(np.sum(mlp_wrong & cnn_right))
        return "a" if fixed > mlp_wrong.sum() / 2 else "b"
