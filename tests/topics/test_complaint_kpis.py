"""Triage and complaint KPIs: the rules hold on the sample, the figures are computed as
stated (checked by hand on small tables), and the KPIs are properties of the complaints,
not of their order: any order, any filter (an empty one too), percentiles inside the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import complaint_kpis as ck
from crmkit import complaint_triage as ct
from crmkit.customer_base import customer_profit, ranking_measure
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.tiers import NO_TIER, assign_tiers, tiers_at


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def triaged(data):
    return ct.triage(data)


def test_priority_never_drops_for_a_better_tier_or_a_graver_complaint():
    matrix = ct.priority_matrix()
    rank = {p: i for i, p in enumerate(ct.PRIORITIES)}
    numbers = matrix.map(rank.get).to_numpy()
    assert (np.diff(numbers, axis=1) >= 0).all()  # worse tier: same or later priority
    assert (np.diff(numbers, axis=0) >= 0).all()  # lower severity: same or later priority
    assert (numbers[0] <= rank["P2"]).all()  # high severity is never below P2
    goals = ct.targets()
    assert goals["respond_within_hours"].is_monotonic_increasing
    assert (goals["resolve_within_hours"] > goals["respond_within_hours"]).all()


def test_triage_applies_the_rules_to_every_complaint(data, triaged):
    assert len(triaged) == len(data.complaints)
    assert triaged["complaint_id"].tolist() == data.complaints["complaint_id"].tolist()
    rules = ct.severity_rules()["severity"]
    assert (triaged["severity"].astype(str) == triaged["desired_resolution"].map(rules)).all()
    matrix = ct.priority_matrix()
    for row in triaged.sample(60, random_state=3).itertuples():
        position = list(triaged["tier"].cat.categories).index(row.tier) + 1
        assert row.priority == matrix.loc[row.severity, position]
    goals = ct.targets()
    assert (
        triaged["respond_target_h"]
        == triaged["priority"].map(goals["respond_within_hours"]).astype(float)
    ).all()


def test_a_complaints_tier_is_the_tier_of_the_year_before_its_month(data, triaged):
    row = triaged.iloc[500]
    month_start = row["opened_at"].to_period("M").to_timestamp()
    table = customer_profit(data, (month_start - pd.DateOffset(months=12), month_start))
    tiers = assign_tiers(table[ranking_measure(table)[0]])["tier"]
    expected = tiers.get(row["customer_id"], NO_TIER)
    assert row["tier"] == expected
    # a customer with no order before the data starts has no tier yet
    first = data.orders["order_date"].min()
    assert tiers_at(data, pd.Series(["C00001"]), pd.Series([first])).iloc[0] == NO_TIER


def test_times_and_targets_are_measured_as_stated(data, triaged):
    c = data.complaints.reset_index(drop=True)
    hours = (c["first_response_at"] - c["opened_at"]).dt.total_seconds() / 3600
    assert np.allclose(triaged["response_hours"], hours, equal_nan=True)
    done = triaged["response_hours"].notna()
    late = triaged["response_hours"] > triaged["respond_target_h"]
    assert (triaged.loc[done, "responded_in_time"] == ~late[done]).all()
    still_open = triaged["resolution_hours"].isna()
    assert still_open.sum() > 0  # the sample has open complaints, so the rule below is tried
    age = (data.analysis_date - triaged["opened_at"]).dt.total_seconds() / 3600
    past = still_open & (age > triaged["resolve_target_h"])
    assert (triaged.loc[past, "resolved_in_time"] == False).all()  # noqa: E712
    running = still_open & ~past
    assert triaged.loc[running, "resolved_in_time"].isna().all()


def test_one_complaints_priority_and_targets_for_the_form():
    top = ct.triage_one("high", 1)
    assert top["priority"] == "P1" and top["respond_within_hours"] == 2
    assert ct.triage_one("low", 5)["priority"] == "P4"
    with pytest.raises(CrmkitError, match="no priority"):
        ct.triage_one("urgent", 1)


def small_table() -> pd.DataFrame:
    """Five complaints whose KPIs are worked out by hand in the test below."""
    return pd.DataFrame(
        {
            "complaint_id": ["Q1", "Q2", "Q3", "Q4", "Q5"],
            "channel": ["phone", "phone", "email", "email", "email"],
            "response_hours": [1.0, 3.0, 10.0, 20.0, np.nan],
            "resolution_hours": [5.0, 30.0, 100.0, np.nan, np.nan],
            "responded_in_time": pd.array([True, True, False, False, pd.NA], dtype="boolean"),
            "resolved_in_time": pd.array([True, True, False, pd.NA, pd.NA], dtype="boolean"),
            "first_contact_resolution": pd.array(
                [True, False, False, pd.NA, pd.NA], dtype="boolean"
            ),
            "reopened": pd.array([False, True, False, False, False], dtype="boolean"),
            "satisfied": pd.array([True, False, pd.NA, pd.NA, pd.NA], dtype="boolean"),
        }
    )


def test_kpis_worked_by_hand():
    table = ck.kpis(small_table())
    row = table.loc["all complaints"]
    assert row["complaints"] == 5 and row["still_open"] == 2
    assert row["response_median_h"] == pytest.approx(6.5)  # of 1, 3, 10, 20
    assert row["response_p90_h"] == pytest.approx(17.0)  # 10 + 0.7 * (20 - 10)
    assert row["response_mean_h"] == pytest.approx(8.5)
    assert row["resolution_median_h"] == pytest.approx(30.0)
    assert row["reopen_rate"] == pytest.approx(1 / 3)  # reopened over resolved
    assert row["responded_in_time"] == pytest.approx(0.5)  # of the four known
    assert row["response_breach_rate"] == pytest.approx(0.5)
    assert row["resolved_in_time"] == pytest.approx(2 / 3)
    assert row["first_contact_resolution"] == pytest.approx(1 / 3)
    assert row["satisfied_with_resolution"] == pytest.approx(0.5)
    by = ck.kpis(small_table(), "channel")
    assert by.loc["email", "still_open"] == 2 and by.loc["phone", "reopen_rate"] == 0.5
    with pytest.raises(CrmkitError, match="grouped by"):
        ck.kpis(small_table(), "weather")


def test_kpis_on_the_sample_agree_across_groupings(triaged):
    total = ck.kpis(triaged).loc["all complaints"]
    for by in ck.GROUPINGS:
        table = ck.kpis(triaged, by)
        assert table["complaints"].sum() == total["complaints"], by
        assert table["still_open"].sum() == total["still_open"], by
    # long tails: the mean resolution time sits above the median
    assert total["resolution_mean_h"] > total["resolution_median_h"]


def test_the_cause_pareto_covers_the_nine_causes(triaged):
    pareto = ck.cause_pareto(triaged)
    assert list(pareto.index) != list(ck.CAUSES)  # sorted by count, not the seed's order
    assert set(pareto.index) == set(ck.CAUSES) and len(pareto) == 9
    assert pareto["complaints"].is_monotonic_decreasing
    assert pareto["complaints"].sum() == len(triaged)
    assert pareto["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    few = ck.vital_few(pareto)
    assert pareto.loc[few, "share"].sum() >= 0.8 > pareto.loc[few[:-1], "share"].sum()
    empty = ck.cause_pareto(triaged.iloc[0:0])
    assert (empty["complaints"] == 0).all() and ck.vital_few(empty) == []


def test_the_wants_checklist_reads_the_handling(triaged):
    checklist = ck.wants_checklist(triaged)
    assert (
        checklist["taken_seriously"].fillna(False) == triaged["responded_in_time"].fillna(False)
    ).all()
    unpaid = (
        triaged["desired_resolution"].astype(str).eq("refund")
        & triaged["customer_reasonable"]
        & (triaged["compensation"] == 0)
    )
    assert not checklist.loc[unpaid, "compensation_and_solution"].any()
    assert checklist["wants_met"].between(0, 5).all()
    summary = ck.wants_summary(checklist)
    assert summary["met"].is_monotonic_increasing and len(summary) == 5


@st.composite
def complaint_tables(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 25))
    hours = st.one_of(st.none(), st.floats(0, 500, allow_nan=False))
    flag = st.sampled_from([True, False, None])
    frame = pd.DataFrame(
        {
            "complaint_id": [f"Q{i}" for i in range(n)],
            "channel": draw(st.lists(st.sampled_from(["phone", "email"]), min_size=n, max_size=n)),
            "response_hours": draw(st.lists(hours, min_size=n, max_size=n)),
            "resolution_hours": draw(st.lists(hours, min_size=n, max_size=n)),
        }
    )
    for name in (
        "responded_in_time",
        "resolved_in_time",
        "first_contact_resolution",
        "reopened",
        "satisfied",
    ):
        frame[name] = pd.array(draw(st.lists(flag, min_size=n, max_size=n)), dtype="boolean")
    frame[["response_hours", "resolution_hours"]] = frame[
        ["response_hours", "resolution_hours"]
    ].astype(float)
    return frame


@settings(max_examples=60, deadline=None)
@given(complaint_tables(), st.randoms(use_true_random=False))
def test_kpis_do_not_depend_on_row_order_and_stay_in_range(table, rnd):
    order = list(range(len(table)))
    rnd.shuffle(order)
    shuffled = table.iloc[order].reset_index(drop=True)
    for by in (None, "channel"):
        a, b = ck.kpis(table, by), ck.kpis(shuffled, by)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    if table.empty:
        assert ck.kpis(table).empty and ck.kpis(table, "channel").empty
        return
    row = ck.kpis(table).iloc[0]
    for kind in ("response", "resolution"):
        values = table[f"{kind}_hours"].dropna()
        for stat in ("median", "p90", "mean"):
            got = row[f"{kind}_{stat}_h"]
            if values.empty:
                assert np.isnan(got)
            else:
                assert values.min() - 1e-9 <= got <= values.max() + 1e-9
        if not values.empty:
            assert row[f"{kind}_median_h"] <= row[f"{kind}_p90_h"] + 1e-9
    rates = row[
        [
            "first_contact_resolution",
            "reopen_rate",
            "responded_in_time",
            "satisfied_with_resolution",
        ]
    ]
    assert ((rates.dropna() >= 0) & (rates.dropna() <= 1)).all()


def test_the_action_list_reads_the_data(triaged):
    from crmkit import churn

    rows = churn.index_days(load_sample())
    actions = ck.action_list(triaged, rows)
    assert len(actions) == 5 and list(actions.columns)[:2] == ["step", "chinese"]
    worst = ck.kpis(triaged, "channel")["response_breach_rate"].idxmax()
    assert worst in actions.loc[2, "what the data says"]
    unhappy = rows[(rows["group"] == "not resolved well") & ~rows["ended"]]
    assert actions.loc[4, "what the data says"].startswith(f"{len(unhappy):,} customers")
