"""Answers travel out of the kernel as data and come back exactly; checks run on them here."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.grading import transfer
from crmkit.grading.outside import Givens, needed_names, run_check
from crmkit.grading.restore import load_sets
from crmkit.key_accounts import AccountPlan

ROOT = Path(__file__).resolve().parents[2]


def _trip(value):
    """Encode, go through JSON text as the kernel's display does, decode."""
    return transfer.decode(json.loads(json.dumps(transfer.encode(value))))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
nested = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=5)), max_size=4),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)


@given(nested)
def test_python_values_come_back_equal_and_of_the_same_type(value):
    back = _trip(value)
    assert back == value
    assert type(back) is type(value)


def test_special_floats_ellipsis_and_sets():
    back = _trip([math.nan, math.inf, -math.inf, 0.1, Ellipsis, {3, 1, 2}])
    assert math.isnan(back[0]) and back[1:4] == [math.inf, -math.inf, 0.1]
    assert back[4] is Ellipsis and back[5] == {1, 2, 3}


def test_numpy_scalars_keep_their_type():
    for value in [np.int64(7), np.float64(0.25), np.bool_(True), np.str_("kiosk")]:
        back = _trip(value)
        assert type(back) is type(value) and back == value


def test_series_and_frames_come_back_identical():
    s = pd.Series([0.1, 0.2, np.nan], index=pd.Index(["urban", "suburban", "rural"],
                  name="market_type"), name="margin_rate")  # fmt: skip
    pd.testing.assert_series_equal(_trip(s), s)
    frame = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "orders": [3, 4], "profit": [1.5, -2.0],
         "when": pd.to_datetime(["2025-01-01", "2025-02-03"])}
    )  # fmt: skip
    pd.testing.assert_frame_equal(_trip(frame), frame)
    cat = pd.Series(["A", "B", "A"], dtype="category")
    pd.testing.assert_series_equal(_trip(cat), cat)
    pd.testing.assert_index_equal(_trip(pd.Index([3, 1])), pd.Index([3, 1]))


def test_an_account_plan_is_rebuilt_but_no_other_class():
    plan = AccountPlan("C00003", {"trust": (4, "pays on time")}, {"supply priority": "why"})
    assert _trip(plan) == plan

    class Sneaky(float):
        def __eq__(self, other):
            return True

    back = _trip(Sneaky(0.5))
    assert isinstance(back, transfer.Opaque) and back != 0.5 and back != back.text


def test_forged_data_never_runs_code():
    for forged in [
        {"~": "dataclass", "type": "os.system", "v": {"command": "echo hi"}},
        {"~": "np", "dtype": "O", "v": 1},
        {"~": "series", "v": "not a list"},
        {"~": "no such tag"},
        {"plain": "dict"},
    ]:
        assert isinstance(transfer.decode(forged), transfer.Opaque)


def test_needed_names_are_the_answers_only():
    source = (
        'check_answer("ex03.q5", tier_of)\n'
        "for rule in [(0.1, 0.2, 0.3)]:\n"
        "    ranked = pyr.assign_tiers(year['profit'], cutoffs=rule)\n"
        "    assert len([tier_of(p, rule) for p in ranked['x']]) and risers\n"
    )
    assert needed_names(source, {"check_answer", "pyr", "year"}) == ["tier_of", "risers"]


@pytest.fixture(scope="module")
def ex01():
    sets = load_sets(ROOT / "solutions")
    return sets["ex01_classification"], Givens(sets["ex01_classification"])


def test_given_cells_may_call_display_as_in_a_notebook(ex01):
    """A given cell that calls `display` (a kernel builtin) runs outside the kernel too."""
    exercise, _ = ex01
    shown = copy.deepcopy(exercise)
    given = next(c for c in shown.source.cells if c.metadata["nbgrader"]["grade_id"] == "q1_given")
    given.source += "\ndisplay(measures)\nshown_here = True"
    assert Givens(shown).namespace()["shown_here"] is True


def _check_cell(exercise, gid):
    return next(
        c for c in exercise.source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid
    )


def _bundle(gid, **values):
    return {"question": gid, "values": {k: transfer.encode(v) for k, v in values.items()}}


def test_a_right_value_scores_and_a_wrong_one_does_not(ex01):
    exercise, givens = ex01
    cell = _check_cell(exercise, "q5_check")
    right = run_check(cell, givens, _bundle("q5_check", first_step="d"), lambda *a: [])
    wrong = run_check(cell, givens, _bundle("q5_check", first_step="a"), lambda *a: [])
    missing = run_check(cell, givens, _bundle("q5_check"), lambda *a: [])
    assert (right.points, wrong.points, missing.points) == (1.0, 0.0, 0.0)
    assert "Correct" in right.outputs[0]["text"]
    assert wrong.outputs[-1]["output_type"] == "error"


def test_a_bundle_for_another_question_is_ignored(ex01):
    exercise, givens = ex01
    cell = _check_cell(exercise, "q5_check")
    assert run_check(cell, givens, _bundle("q7_check", first_step="d"), lambda *a: []).points == 0


def _kernel_of(func):
    """A stand-in for the kernel side of call_batch: calls `func` as the kernel would."""
    calls_seen = []

    def call_batch(question, name, calls):
        calls_seen.append(len(calls))
        out = []
        for args, kwargs in calls:
            try:
                value = func(*transfer.decode(args), **transfer.decode(kwargs))
                out.append({"ok": transfer.encode(value)})
            except Exception as err:
                out.append({"raised": type(err).__name__, "message": str(err)})
        return out

    return call_batch, calls_seen


def test_a_function_answer_is_called_in_batches_and_scored_on_real_results(ex01):
    exercise, givens = ex01
    cell = _check_cell(exercise, "q3_check")
    bundle = {"question": "q3_check",
              "values": {"abc_class": {"~": "function", "signature": "(share_before, a, b)"}}}  # fmt: skip

    def right(share_before, a=0.8, b=0.95):
        return "A" if share_before < a else "B" if share_before < b else "C"

    def off_by_one(share_before, a=0.8, b=0.95):  # wrong only at the boundaries (hidden tests)
        return "A" if share_before <= a else "B" if share_before <= b else "C"

    def broken(share_before, a=0.8, b=0.95):
        raise ZeroDivisionError("oops")

    batch, seen = _kernel_of(right)
    outcome = run_check(cell, givens, bundle, batch)
    assert outcome.points == 3.0 and len(seen) <= 3
    assert run_check(cell, givens, bundle, _kernel_of(off_by_one)[0]).points == 0.0
    failed = run_check(cell, givens, bundle, _kernel_of(broken)[0])
    assert failed.points == 0.0 and "ZeroDivisionError" in json.dumps(failed.outputs)


def test_check_output_on_stderr_scores_zero_as_in_nbgrader(ex01):
    exercise, givens = ex01
    cell = nbformat.v4.new_code_cell(
        "import sys\nprint('warning', file=sys.stderr)",
        metadata={"nbgrader": {"grade": True, "grade_id": "x", "points": 2, "solution": False}},
    )
    assert run_check(cell, givens, {"question": "x", "values": {}}, lambda *a: []).points == 0
