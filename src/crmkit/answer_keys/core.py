"""What an answer key is, and the sample data every key computes from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Key:
    """One question: its label, the check to use, the expected answer, a hint.

    kind is number | choice | set | series | frame | function; a function key's
    `expected` returns the reference function, called with each of `cases`.
    `wrong` returns the plausible wrong answers (what a learner gets by a
    typical slip, e.g. the default weights instead of the new ones): each must
    fail the check, which tests/topics/test_answer_keys.py makes sure of.
    """

    label: str
    kind: str
    expected: Callable[[], Any]
    hint: str
    options: tuple[str, ...] = ()
    tolerance: dict[str, float] = field(default_factory=dict)
    cases: tuple[tuple, ...] = ()
    wrong: Callable[[], tuple[Any, ...]] = tuple


@cache
def sample_data():
    """The sample data, loaded once per session."""
    from crmkit.datasets import load_sample

    return load_sample()


#: The letters of a multiple-choice question.
LETTERS = ("a", "b", "c", "d")


def other_letters(right: str) -> tuple[str, ...]:
    """Every letter but the right one: the wrong answers of a choice question."""
    return tuple(letter for letter in LETTERS if letter != right)


@cache
def sample_periods():
    """The periods of the sample data, as an exercise's set-up cell finds them."""
    from crmkit.customer_base import periods

    return periods(sample_data())
