"""Every answer key rejects the plausible wrong answers it lists, and accepts its own answer."""

from __future__ import annotations

import contextlib
import io

import pytest

from crmkit import answer_keys, check
from crmkit.answer_keys import KEYS

WITH_WRONG = sorted(name for name, key in KEYS.items() if key.wrong() != ())


def _quiet(fn, *args):
    """Run a check without its printed verdict."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


@pytest.mark.parametrize("name", WITH_WRONG)
def test_listed_wrong_answers_fail(name):
    for wrong in KEYS[name].wrong():
        with pytest.raises(check.WrongAnswer):
            _quiet(answer_keys.check_answer, name, wrong)


@pytest.mark.parametrize("name", WITH_WRONG)
def test_the_expected_answer_passes(name):
    if KEYS[name].kind in ("function", "plan"):
        pytest.skip("checked with the solutions notebook")
    assert _quiet(answer_keys.check_answer, name, answer_keys.expected(name))
