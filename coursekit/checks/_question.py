"""Inline questions: "predict before you run", answered in code, checked with an explanation.

A question cell sets a variable to a choice (``"b"``) or a value (``98.1``), and the
check cell under it says whether it is right. A right answer gets the explanation; a
wrong one gets a pointer to where the answer can be found, never the answer itself.
The accepted answers live here, in the package, not in the notebook.

Example
-------
>>> from coursekit.checks import check, register
>>> from coursekit.checks._question import Question
>>> @register
... class Demo(Question):
...     id = "00.q_demo"
...     notebook = "00_demo"
...     prompt = "Which is larger?"
...     choices = {"a": "2 + 2", "b": "2 × 3"}
...     answer = "b"
...     hint = "work both out"
...     explanation = "2 × 3 = 6 beats 2 + 2 = 4."
>>> check("00.q_demo", "B")
✅ [00.q_demo] 1/1: right: 2 × 3 = 6 beats 2 + 2 = 4.
>>> check("00.q_demo", "a")
❌ [00.q_demo] 0/1: not this one: you answered "a" (2 + 2).
   Hint: work both out
>>> check("00.q_demo", "c")
❌ [00.q_demo] 0/1: "c" is not one of the choices: answer "a" or "b".
   Hint: set the variable to the letter of your choice, as a string
>>> from coursekit.checks import REGISTRY; del REGISTRY["00.q_demo"]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

from ._core import Check, CheckFailed, Verdict

__all__ = ["NumberQuestion", "Question"]


class Question(Check):
    """A multiple-choice question; subclasses set the class attributes.

    Attributes
    ----------
    prompt : str
        The question, for the grader's reports.
    choices : dict of str to str
        Letter → text of each choice.
    answer : str
        The letter of the right choice (subclasses may override :meth:`right_answer`
        when it depends on the student's own measurements, passed as evidence).
    hint : str
        Where to look when the answer is wrong.
    explanation : str
        Why the right answer is right, shown when it is given.
    """

    expects: ClassVar[str] = "your answer, a letter such as 'a'"
    prompt: ClassVar[str] = ""
    choices: ClassVar[Mapping[str, str]] = {}
    answer: ClassVar[str] = ""
    hint: ClassVar[str] = ""
    explanation: ClassVar[str] = ""

    def collect(self, value: Any) -> Any:
        if value is Ellipsis:
            raise CheckFailed("not answered yet: the answer is still `...`.",
                              hint="replace ... with the letter of your choice, as a string")
        if not isinstance(value, str):
            raise CheckFailed(f"expected {self.expects}, got {type(value).__name__}.",
                              hint="set the variable to the letter of your choice, as a string")
        return value.strip().strip("()").lower()

    def right_answer(self, evidence: Any) -> str:
        """The letter that is right (by default :attr:`answer`).

        Questions about the student's own run override it: their ``collect`` returns
        ``{"answer": letter, ...}`` with the student's measurements beside the letter.
        """
        return self.answer

    def judge(self, evidence: Any) -> Verdict:
        choice = evidence["answer"] if isinstance(evidence, dict) else evidence
        if choice not in self.choices:
            letters = " or ".join(f'"{c}"' for c in self.choices)
            return self.fail(f'"{choice}" is not one of the choices: answer {letters}.',
                             hint="set the variable to the letter of your choice, as a string")
        if choice == self.right_answer(evidence):
            return self.ok(f"right: {self.explanation}")
        return self.fail(f'not this one: you answered "{choice}" ({self.choices[choice]}).',
                         hint=self.hint)


class NumberQuestion(Check):
    """A question answered with a number, right within a tolerance.

    Attributes
    ----------
    answer : float
        The right value.
    tolerance : float
        How far from it an answer may be.
    hint, explanation : str
        As for :class:`Question`.
    """

    expects: ClassVar[str] = "a number"
    prompt: ClassVar[str] = ""
    answer: ClassVar[float] = 0.0
    tolerance: ClassVar[float] = 0.0
    hint: ClassVar[str] = ""
    explanation: ClassVar[str] = ""

    def collect(self, value: Any) -> Any:
        if value is Ellipsis:
            raise CheckFailed("not answered yet: the answer is still `...`.",
                              hint="replace ... with your number")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise CheckFailed(f"expected {self.expects}, got {type(value).__name__}.",
                              hint="write the number itself, without quotes")
        return float(value)

    def judge(self, evidence: Any) -> Verdict:
        if abs(evidence - self.answer) <= self.tolerance:
            return self.ok(f"right: {self.explanation}")
        return self.fail(f"{evidence:,g} is not it.", hint=self.hint)
