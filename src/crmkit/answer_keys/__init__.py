"""Answer keys of the exercise sets: what each question expects, and how to check it.

A test cell in an exercise says only `check_answer("ex01.q1", top_share)`, so
it stays short and does not print the expected answer for the learner to
copy; the expected value is computed here from the sample data with the same
tested crmkit functions the lesson uses. Keeping the keys in one place also
lets a grader check answers outside a learner's kernel later on.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from crmkit import check, lessons
from crmkit.answer_keys.core import Key
from crmkit.errors import CrmkitError

#: Every question of every exercise set, by "exNN.qM", from the modules the lesson
#: manifest names.
KEYS: dict[str, Key] = {
    name: key
    for lesson in lessons.lessons()
    if lesson.answer_keys
    for name, key in importlib.import_module(lesson.answer_keys).KEYS.items()
}


@cache
def expected(key: str) -> Any:
    """The expected answer of one question (computed once per session)."""
    return _key(key).expected()


def _key(key: str) -> Key:
    if key not in KEYS:
        raise CrmkitError(f"no answer key '{key}'")
    return KEYS[key]


def check_answer(key: str, answer: Any) -> check.Passed:
    """Check a learner's answer to question `key`; friendly message if wrong or missing."""
    spec = _key(key)
    label, hint = spec.label, spec.hint
    if spec.kind == "function":
        if not callable(answer):
            check.answered(answer if answer is not None else None, label)
            return check.check_true(False, label=label, message="this is not a function", hint=hint)
        reference = expected(key)
        for case in spec.cases:
            given = check.call(answer, *case, label=label)
            want = reference(*case)
            where = f"{label}, for the arguments {case}"
            if isinstance(want, str):
                if not (isinstance(given, str) and given.strip().upper() == want.upper()):
                    # Raises WrongAnswer with the friendly wording; silent when right.
                    check.check_choice(given, want, label=where, hint=hint)
            elif not _close(given, want, spec.tolerance):
                check.check_number(given, want, label=where, hint=hint, **spec.tolerance)
        return check.check_true(True, label=label, message="")
    if spec.kind == "plan":
        return _check_plan(answer, spec)
    check.answered(answer, label)
    value = expected(key)
    if spec.kind == "number":
        return check.check_number(answer, value, label=label, hint=hint, **spec.tolerance)
    if spec.kind == "choice":
        return check.check_choice(
            answer, value, label=label, hint=hint, options=spec.options or None
        )
    if spec.kind == "set":
        return check.check_set(answer, value, label=label, hint=hint)
    if spec.kind == "series":
        return check.check_series(answer, value, label=label, hint=hint, **spec.tolerance)
    if spec.kind == "frame":
        return check.check_frame(answer, value, label=label, hint=hint, **spec.tolerance)
    raise CrmkitError(f"answer key '{key}' has an unknown kind '{spec.kind}'")


def _check_plan(answer: Any, spec: Key) -> check.Passed:
    """A plan passes when it is complete and made for one of the key accounts (KA4, KA5)."""
    from crmkit import key_accounts as ka
    from crmkit.answer_keys.core import sample_data

    check.answered(
        None if isinstance(answer, ka.AccountPlan) and answer.is_template() else answer, spec.label
    )  # the filled template cell, not edited yet
    if not isinstance(answer, ka.AccountPlan):
        return check.check_true(
            False,
            label=spec.label,
            message="make the plan with ka.AccountPlan(...)",
            hint=spec.hint,
        )
    problems = answer.problems(sample_data())
    accounts = spec.expected()
    if answer.customer_id not in accounts:
        problems.insert(
            0,
            f"{answer.customer_id} is not a key account under the default rule; "
            f"pick one of them, e.g. {sorted(accounts)[0]}",
        )
    return check.check_true(
        not problems, label=spec.label, message="; ".join(problems), hint=spec.hint
    )


def _close(given: Any, want: float, tolerance: dict[str, float]) -> bool:
    """Whether a function's result is right, quietly (check_number prints its verdict)."""
    import math

    try:
        return math.isclose(
            float(given),
            want,
            rel_tol=tolerance.get("rel_tol", 1e-9),
            abs_tol=tolerance.get("abs_tol", 0.0),
        )
    except (TypeError, ValueError):
        return False
