"""The ISO 10002 workflow: steps in order, skips and steps back only with a reason, a closed
complaint only reopened with a reason, times never backwards, and the trail kept whole."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import complaint_workflow as wf
from crmkit.errors import CrmkitError

DAY = pd.Timestamp("2025-03-03 09:00")


def hours(n: float) -> pd.Timestamp:
    return DAY + pd.Timedelta(hours=n)


def test_a_complaint_passes_every_step_and_its_times_are_read_from_the_trail():
    h = wf.ComplaintHistory.received("Q1", DAY, by="hotline")
    for i, step in enumerate(wf.STEPS[1:], start=1):
        h = h.move(step, hours(4 * i), by="Wu Hui")
    assert h.step == "closed"
    assert [m.kind for m in h.moves] == ["receive"] + ["next"] * 5
    assert h.first_response() == hours(4) and h.resolved() == hours(20)
    assert h.reopenings() == 0
    table = h.table()
    assert list(table.columns) == wf.TRAIL_COLUMNS and list(table["step"]) == list(wf.STEPS)
    assert set(wf.ISO_STEPS) == set(wf.STEPS)


def test_a_skip_or_a_step_back_needs_a_reason_and_is_kept_with_it():
    h = wf.ComplaintHistory.received("Q2", DAY)
    with pytest.raises(
        CrmkitError, match="going straight to investigated skips acknowledged and assessed; give"
    ):
        h.move("investigated", hours(1))
    h = h.move("investigated", hours(1), reason="a known fault: straight to the batch record")
    assert h.moves[-1].kind == "skip" and "batch" in h.moves[-1].reason
    with pytest.raises(CrmkitError, match="going back to assessed undoes a step; give the reason"):
        h.move("assessed", hours(2))
    h = h.move("assessed", hours(2), reason="the customer added a second fault")
    assert h.moves[-1].kind == "back"
    with pytest.raises(CrmkitError, match="already assessed"):
        h.move("assessed", hours(3))
    with pytest.raises(CrmkitError, match="'solved' is not a step"):
        h.move("solved", hours(3))


def test_a_closed_complaint_is_only_reopened_with_a_reason():
    h = wf.ComplaintHistory.received("Q3", DAY).move("acknowledged", hours(1))
    with pytest.raises(CrmkitError, match="not closed: nothing to reopen"):
        h.reopen(hours(2), "still broken")
    h = h.move("closed", hours(3), reason="solved on the first call")
    with pytest.raises(CrmkitError, match="is closed: reopen it"):
        h.move("investigated", hours(4), reason="x")
    with pytest.raises(CrmkitError, match="give the reason Q3 is reopened"):
        h.reopen(hours(4), " ")
    h = h.reopen(hours(30), "the replacement leaked too")
    assert h.step == "investigated" and h.reopenings() == 1 and h.resolved() is None
    assert h.move("responded", hours(31)).move("closed", hours(32)).resolved() == hours(32)


def test_times_never_run_backwards_and_must_be_times():
    h = wf.ComplaintHistory.received("Q4", DAY)
    with pytest.raises(CrmkitError, match="comes before the last one"):
        h.move("acknowledged", DAY - pd.Timedelta(minutes=1))
    with pytest.raises(CrmkitError, match="must be a date and time"):
        h.move("acknowledged", "soon")
    with pytest.raises(CrmkitError, match="needs an id"):
        wf.ComplaintHistory.received(" ", DAY)


@st.composite
def histories(draw):
    """Random histories built only through the public moves, with reasons where needed."""
    h = wf.ComplaintHistory.received("Q9", DAY)
    t = 0.0
    for _ in range(draw(st.integers(0, 12))):
        t += draw(st.floats(0, 48))
        if h.step == "closed":
            to = draw(st.sampled_from(wf.STEPS[:-1]))
            h = h.reopen(hours(t), "came back", to=to)
        else:
            to = draw(st.sampled_from([s for s in wf.STEPS if s != h.step]))
            h = h.move(to, hours(t), reason=draw(st.sampled_from(["", "why"])) or "because")
    return h


@settings(max_examples=150, deadline=None)
@given(histories())
def test_any_trail_chains_its_steps_keeps_time_and_replays_to_itself(h):
    times = [m.at for m in h.moves]
    assert times == sorted(times)
    assert h.moves[0].kind == "receive"
    for before, after in zip(h.moves, h.moves[1:], strict=False):
        gap = wf.STEPS.index(after.step) - wf.STEPS.index(before.step)
        expected = (
            "reopen"
            if before.step == "closed"
            else "next"
            if gap == 1
            else "skip"
            if gap > 1
            else "back"
        )
        assert after.kind == expected
        assert after.kind == "next" or after.reason
    replayed = wf.histories_from(h.table())
    assert replayed == {"Q9": h}


def test_a_trail_edited_into_an_impossible_order_is_refused_with_its_row():
    trail = (
        wf.ComplaintHistory.received("Q5", DAY)
        .move("acknowledged", hours(1))
        .move("assessed", hours(2))
        .table()
    )
    swapped = trail.iloc[[0, 2, 1]].reset_index(drop=True)
    with pytest.raises(CrmkitError, match=r"trail row 2: Q5 is received: going straight to"):
        wf.histories_from(swapped)
    relabelled = trail.assign(kind=["receive", "next", "skip"])
    with pytest.raises(
        CrmkitError, match="trail row 3: Q5's move to assessed is a next, not a skip"
    ):
        wf.histories_from(relabelled)
    with pytest.raises(CrmkitError, match="no column 'reason'"):
        wf.histories_from(trail.drop(columns="reason"))


def test_the_example_to_replay_is_a_reopened_complaint():
    from crmkit.datasets import load_sample
    from crmkit.errors import MissingData

    complaints = load_sample().complaints
    case = wf.reopened_example(complaints)
    assert bool(case["reopened"]) and pd.notna(case["resolved_at"])
    assert case["complaint_id"] == complaints[complaints["reopened"]].iloc[0]["complaint_id"]
    never = complaints.assign(reopened=False)
    assert not bool(wf.reopened_example(never)["reopened"])
    with pytest.raises(MissingData, match="resolved"):
        wf.reopened_example(complaints.iloc[0:0])
