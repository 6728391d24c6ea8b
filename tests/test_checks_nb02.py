"""Checks of notebook 02: 02.misclassified_indices and 02.per_class_accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.checks import check, get_check
from coursekit.checks.nb02 import MISCLASSIFIED_CASES, expected_misclassified


def run(check_id, answer):
    return get_check(check_id).run(answer)


def _todo(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- #
# 02.misclassified_indices
# --------------------------------------------------------------------------- #

def misclassified(y_true, y_prob):  # the solution
    predicted = np.argmax(y_prob, axis=-1)
    confidence = np.max(y_prob, axis=-1)
    wrong = np.flatnonzero(predicted != np.asarray(y_true))
    return wrong[np.argsort(-confidence[wrong], kind="stable")]


def test_cases_have_the_expected_answers():
    assert expected_misclassified(*MISCLASSIFIED_CASES[0][1:]) == [3, 5, 1, 4]
    assert expected_misclassified(*MISCLASSIFIED_CASES[1][1:]) == []
    assert expected_misclassified(*MISCLASSIFIED_CASES[2][1:]) == [7, 1, 5, 3, 6]


def test_misclassified_passes_on_the_solution(capsys):
    verdict = run("02.misclassified_indices", misclassified)
    assert verdict.passed and verdict.points == 2, verdict
    check("02.misclassified_indices", misclassified)
    assert capsys.readouterr().out.startswith("✅ [02.misclassified_indices] 2/2")
    # a list is fine too
    assert run("02.misclassified_indices", lambda t, p: misclassified(t, p).tolist()).passed


def _mask(y_true, y_prob):
    return np.argmax(y_prob, -1) != y_true


def _all_wrong_and_right(y_true, y_prob):
    return np.argsort(-np.max(y_prob, -1))


def _in_order(y_true, y_prob):
    return np.flatnonzero(np.argmax(y_prob, -1) != y_true)


def _ascending(y_true, y_prob):
    return misclassified(y_true, y_prob)[::-1]


def _by_true_class(y_true, y_prob):
    wrong = _in_order(y_true, y_prob)
    return wrong[np.argsort(y_prob[wrong, y_true[wrong]], kind="stable")]


def _reverse_index(y_true, y_prob):
    return _in_order(y_true, y_prob)[::-1]


@pytest.mark.parametrize("answer, message, hint", [
    (_mask, "returned a boolean mask of length 6",
     "positions where the mask is True"),
    (_all_wrong_and_right, "expected [3, 5, 1, 4]", "image 0 is predicted right"),
    (lambda t, p: misclassified(t, p)[:-1], "expected [3, 5, 1, 4]", "image 4 is a mistake"),
    (lambda t, p: misclassified(t, p) + 1, "expected [3, 5, 1, 4]", "is not a position"),
    (lambda t, p: np.concatenate([misclassified(t, p)] * 2), "expected [3, 5, 1, 4]",
     "appears twice"),
    (_in_order, "returned [1, 3, 4, 5]", "in test-set order"),
    (_ascending, "returned [4, 1, 5, 3]", "least confident first"),
    (_by_true_class, "returned [3, 1, 5, 4]", "probability of the true class"),
    (_reverse_index, "returned [5, 4, 3, 1]", "right indices, wrong order"),
    (lambda t, p: np.max(p, -1), "non-integer values", "not probabilities"),
    (lambda t, p: len(misclassified(t, p)), "returned a single value", "not a total"),
    (lambda t, p: misclassified(t, p)[None], "array of shape (1, 4)", "1-D"),
    (lambda t, p: None, "returned None", "return"),
    (lambda t, p: "3, 5, 1, 4", "returned a str", "NumPy array"),
])
def test_misclassified_fails_with_specific_messages(answer, message, hint):
    verdict = run("02.misclassified_indices", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


def test_misclassified_fails_when_correct_images_are_returned():
    verdict = run("02.misclassified_indices", lambda t, p: [0, *misclassified(t, p)])
    assert not verdict.passed
    assert "image 0 is predicted right (true 0, predicted 0)" in verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    ("misclassified", "got str"),
    (_todo, "not answered yet"),
    (lambda y_true: [], "TypeError"),
])
def test_misclassified_on_wrong_objects(answer, message):
    verdict = run("02.misclassified_indices", answer)
    assert not verdict.passed
    assert message in verdict.message, verdict.message


# --------------------------------------------------------------------------- #
# 02.per_class_accuracy
# --------------------------------------------------------------------------- #

def per_class_accuracy(y_true, y_pred, num_classes=10):  # the solution
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return np.array([np.mean(y_pred[y_true == c] == c) for c in range(num_classes)])


def _precision(y_true, y_pred, num_classes=10):
    out = []
    for c in range(num_classes):
        predicted = y_pred == c
        out.append(np.mean(y_true[predicted] == c) if predicted.any() else 0.0)
    return np.array(out)


def _counts(y_true, y_pred, num_classes=10):
    return np.array([np.sum((y_true == c) & (y_pred == c)) for c in range(num_classes)])


def test_per_class_accuracy_passes_on_the_solution(capsys):
    verdict = run("02.per_class_accuracy", per_class_accuracy)
    assert verdict.passed and verdict.points == 1, verdict
    check("02.per_class_accuracy", per_class_accuracy)
    assert capsys.readouterr().out.startswith("✅ [02.per_class_accuracy] 1/1")
    from sklearn.metrics import confusion_matrix

    def from_confusion(y_true, y_pred, num_classes=10):
        cm = confusion_matrix(y_true, y_pred, labels=range(num_classes))
        return cm.diagonal() / cm.sum(axis=1)

    assert run("02.per_class_accuracy", from_confusion).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda t, p, k: 100 * per_class_accuracy(t, p, k), "gave 66.67 for class 0",
     "not percentages"),
    (_precision, "gave 0.5 for class 0", "precision"),
    (_counts, "gave 2 for class 0", "counts"),
    (lambda t, p, k: per_class_accuracy(t, p, k)[:-1], "returned 3 values", "num_classes"),
    (lambda t, p, k: np.mean(t == p), "returned a single value", "not a total"),
    (lambda t, p, k: 1 - per_class_accuracy(t, p, k), "expected 0.6667 (2 of its 3 images",
     "fraction with y_pred == c"),
    (lambda t, p, k: None, "returned None", "return"),
])
def test_per_class_accuracy_fails_with_specific_messages(answer, message, hint):
    verdict = run("02.per_class_accuracy", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    ([0.5, 0.5], "got list"),
    (_todo, "not answered yet"),
    (lambda y_true, y_pred: [], "TypeError"),
])
def test_per_class_accuracy_on_wrong_objects(answer, message):
    verdict = run("02.per_class_accuracy", answer)
    assert not verdict.passed
    assert message in verdict.message, verdict.message


def test_judges_reject_incomplete_evidence():
    mis, per = get_check("02.misclassified_indices"), get_check("02.per_class_accuracy")
    assert mis.judge(mis.collect(misclassified)).passed
    assert not mis.judge(mis.collect(misclassified)[:1]).passed
    assert per.judge(per.collect(per_class_accuracy)).passed
    assert not per.judge(per.collect(per_class_accuracy)[:2]).passed
