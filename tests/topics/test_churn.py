"""Churn: one definition of leaving, index days that see a full follow-up and never look
past a complaint, rates and intervals computed as stated, a regression that recovers a
known effect, Kaplan-Meier worked by hand, and active/passive churn and cohorts read right."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from crmkit import churn
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData
from crmkit.lifecycle import StageRules


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def rows(data):
    return churn.index_days(data)


def test_a_relationship_ends_after_the_lifecycle_silence(data):
    spans = churn.relationships(data)
    cut = data.analysis_date - pd.DateOffset(months=StageRules().silence_months)
    assert (spans["ended"] == (spans["last_order"] <= cut)).all()
    assert (spans["first_order"] <= spans["last_order"]).all()
    longer = churn.relationships(data, StageRules(silence_months=9))
    assert longer["ended"].sum() < spans["ended"].sum()


def test_handling_reads_resolution_reopening_and_satisfaction():
    complaints = pd.DataFrame(
        {
            "resolved_at": pd.to_datetime(
                ["2024-01-02", None, "2024-01-03", "2024-01-04", "2024-01-05"]
            ),
            "reopened": [False, False, True, False, False],
            "resolution_satisfied": pd.array([True, pd.NA, True, False, pd.NA], dtype="boolean"),
        }
    )
    assert churn.handling(complaints).tolist() == [
        "resolved well",
        "not resolved well",
        "not resolved well",
        "not resolved well",
        "satisfaction not asked",
    ]


def test_index_days_see_a_full_follow_up_and_never_look_past_a_complaint(data, rows):
    limit = churn.follow_up_limit(data)
    assert (rows["index_day"] <= limit).all()
    complained = rows[rows["group"] != "no complaint"]
    firsts = data.complaints.sort_values("opened_at").drop_duplicates("customer_id")
    firsts = firsts.set_index("customer_id")["opened_at"]
    assert (
        complained["index_day"].to_numpy() == firsts.loc[complained["customer_id"]].to_numpy()
    ).all()
    assert complained["customer_id"].is_unique
    quiet = rows[rows["group"] == "no complaint"]
    assert quiet["customer_id"].is_unique
    # no complaint before a quiet index day, and the customer was buying then
    first_complaint = firsts.reindex(quiet["customer_id"]).to_numpy()
    before = pd.notna(first_complaint) & (first_complaint < quiet["index_day"].to_numpy())
    assert not before.any()
    # the index day of a quiet row is one of the customer's own order days
    days = set(zip(data.orders["customer_id"].astype(str), data.orders["order_date"], strict=True))
    assert all(
        (c, d) in days for c, d in zip(quiet["customer_id"], quiet["index_day"], strict=True)
    )
    # churned: the relationship ended within the horizon
    spans = churn.relationships(data).loc[rows["customer_id"]]
    ends_by = rows["index_day"] + pd.DateOffset(months=churn.HORIZON_MONTHS)
    assert (
        rows["churned"].to_numpy() == (spans["last_order"].to_numpy() < ends_by.to_numpy())
    ).all()
    assert (rows.loc[rows["churned"], "customer_id"].map(churn.relationships(data)["ended"])).all()


def test_the_drawn_months_are_seeded(data, rows):
    again = churn.index_days(data)
    pd.testing.assert_frame_equal(rows, again)
    other = churn.index_days(data, seed=churn.SEED + 1)
    assert not other["index_day"].equals(rows["index_day"])
    assert other["customer_id"].sort_values().tolist() == rows["customer_id"].sort_values().tolist()


def test_churn_rates_and_wilson_intervals_by_hand():
    table = pd.DataFrame(
        {"group": ["a"] * 10 + ["b"] * 4, "churned": [True] * 3 + [False] * 7 + [True] * 4}
    )
    rates = churn.churn_rates(table, "group")
    assert rates.loc["a", "rate"] == pytest.approx(0.3) and rates.loc["b", "rate"] == 1.0
    n, p, z = 10, 0.3, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert rates.loc["a", "low"] == pytest.approx(centre - half)
    assert rates.loc["a", "high"] == pytest.approx(centre + half)
    assert rates.loc["b", "high"] == pytest.approx(1.0) and rates.loc["b", "low"] < 1.0
    assert churn.churn_rates(table.iloc[0:0], "group").empty
    with pytest.raises(CrmkitError, match="split by"):
        churn.churn_rates(table, "weather")


def test_the_recovery_differences_hold_their_estimates(rows):
    diffs = churn.recovery_differences(rows)
    assert len(diffs) == 3
    assert np.allclose(diffs["difference"], diffs["churn rate"] - diffs["compared rate"])
    assert ((diffs["low"] <= diffs["difference"]) & (diffs["difference"] <= diffs["high"])).all()
    well = diffs[
        (diffs["group"] == "resolved well") & (diffs["compared with"] == "not resolved well")
    ]
    assert well["difference"].iloc[0] < 0  # the sample carries the recovery effect


def synthetic_rows(n: int, odds_ratio: float, seed: int = 1) -> pd.DataFrame:
    """Customers whose churn follows a known logistic model: the group's odds ratio, a
    tier effect and a tenure effect."""
    rng = np.random.default_rng(seed)
    group = rng.choice(
        ["no complaint", "resolved well", "not resolved well"], n, p=[0.6, 0.25, 0.15]
    )
    tier = rng.choice(["VIP", "major", "ordinary", "small"], n)
    tenure = rng.uniform(0, 8, n)
    logit = (
        -0.2
        + np.log(odds_ratio) * (group == "not resolved well")
        - 0.3 * tenure
        + 0.5 * (tier == "small")
    )
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "churned": churned,
            "group": pd.Categorical(group, categories=churn.GROUPS, ordered=True),
            "tier": pd.Categorical(
                tier, categories=["VIP", "major", "ordinary", "small", "no tier yet"], ordered=True
            ),
            "tenure_years": tenure,
        }
    )


def test_the_regression_recovers_a_known_effect():
    model = churn.recovery_model(synthetic_rows(20000, odds_ratio=2.5))
    row = model.loc["group: not resolved well"]
    assert row["low"] < 2.5 < row["high"] and row["odds ratio"] == pytest.approx(2.5, rel=0.15)
    assert model.loc["group: resolved well", "low"] < 1 < model.loc["group: resolved well", "high"]
    assert model.loc["tenure (per year)", "odds ratio"] == pytest.approx(np.exp(-0.3), rel=0.05)
    with pytest.raises(MissingData):  # one group only: nothing to compare
        churn.recovery_model(synthetic_rows(500, 2.0).query("group == 'no complaint'"))


def test_kaplan_meier_worked_by_hand():
    table = pd.DataFrame(
        {"g": ["x"] * 5, "months": [1.0, 2.0, 2.0, 3.0, 4.0], "ended": [1, 1, 0, 1, 0]}
    )
    curve = churn.survival_curves(table, "g")
    # S(1) = 4/5; S(2) = 4/5 * 3/4; S(3) = 0.6 * 1/2 (the one censored at 2 has left the risk set)
    assert curve["months"].tolist()[:4] == [0.0, 1.0, 2.0, 3.0]
    assert curve["surviving"].tolist()[:4] == pytest.approx([1.0, 0.8, 0.6, 0.3])
    assert curve["at_risk"].tolist()[:4] == [5, 5, 4, 2]
    assert (
        (curve["low"] <= curve["surviving"] + 1e-12) & (curve["surviving"] <= curve["high"] + 1e-12)
    ).all()
    assert churn.surviving_at(curve, 2.5)["x"] == pytest.approx(0.6)


def test_curves_on_the_sample_fall_and_the_log_rank_test_tells_groups_apart(rows):
    curves = churn.survival_curves(rows, "tier")
    for _, curve in curves.groupby("group"):
        assert (np.diff(curve["surviving"].to_numpy()) <= 1e-12).all()
        assert curve["surviving"].iloc[0] == 1.0
    test = churn.logrank(rows, "tier")
    assert test["p_value"] < 0.001 and test["degrees_of_freedom"] == rows["tier"].nunique() - 1
    same = rows.assign(half=np.where(np.arange(len(rows)) % 2 == 0, "even", "odd"))
    assert churn.logrank(same, "half")["p_value"] > 0.01  # an arbitrary split: no difference
    with pytest.raises(MissingData):
        churn.logrank(rows.assign(one="x"), "one")


def test_stages_come_from_the_month_of_the_index_day(data, rows):
    staged = churn.with_stages(data, rows)
    assert staged["stage"].notna().mean() > 0.95
    empty = dataclasses.replace(data, category_purchases=data.category_purchases.iloc[0:0])
    with pytest.raises(MissingData, match="category"):
        churn.with_stages(empty, rows)
    with pytest.raises(MissingData, match="category"):
        churn.churn_kinds(empty)


def test_active_and_passive_churn_read_the_customers_own_buying(data):
    kinds = churn.churn_kinds(data)
    spans = churn.relationships(data)
    assert set(kinds.index) == set(spans.index[spans["ended"]])
    known = kinds[kinds["kind"] != "not known"]
    assert ((known["kind"] == "active") == (known["after"] >= 0.5 * known["before"])).all()
    assert {"active", "passive"} <= set(kinds["kind"])
    cid = known.index[0]
    totals = data.category_purchases[data.category_purchases["customer_id"] == cid]
    last = kinds.loc[cid, "last_order"].to_period("M")
    month = pd.PeriodIndex(totals["month"], freq="M")
    after = totals.loc[(month > last) & (month <= last + 3), "category_total"].sum()
    assert kinds.loc[cid, "after"] == pytest.approx(after)


def test_the_cohort_table_reads_row_percentages(data):
    table = churn.cohort_retention(data)
    shares = table.drop(columns="customers")
    assert (shares[0] == 1.0).all()
    values = shares.to_numpy()
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 1
    assert table["customers"].sum() == data.orders["customer_id"].nunique()
    last = pd.Timestamp(data.analysis_date).to_period("Q")
    for cohort, row in shares.iterrows():
        beyond = [s for s in shares.columns if pd.Period(cohort, "Q") + s > last]
        assert row[beyond].isna().all() and row.drop(beyond).notna().all()
    # one cell by hand: the first cohort's share ordering one quarter later
    orders = data.orders.assign(q=data.orders["order_date"].dt.to_period("Q"))
    first = orders.groupby("customer_id")["q"].min()
    cohort = first[first == first.min()].index
    later = orders[(orders["customer_id"].isin(cohort)) & (orders["q"] == first.min() + 1)]
    assert shares.iloc[0][1] == pytest.approx(later["customer_id"].nunique() / len(cohort))
    with pytest.raises(CrmkitError, match="quarter"):
        churn.cohort_retention(data, freq="Y")


def test_silent_leavers_count_the_ended_relationships_without_a_complaint(data):
    counts = churn.silent_leavers(data)
    spans = churn.relationships(data)
    ended = spans[spans["ended"]]
    assert counts["ended"] == len(ended)
    first = data.complaints.groupby("customer_id")["opened_at"].min().reindex(ended.index)
    by_end = ended["last_order"] + pd.DateOffset(months=StageRules().silence_months)
    assert counts["complained"] == int((first <= by_end).sum())
    assert counts["silent"] + counts["complained"] == counts["ended"]
    none = dataclasses.replace(data, complaints=data.complaints.iloc[0:0])
    with pytest.raises(MissingData, match="complaints"):
        churn.silent_leavers(none)


def test_sales_lost_add_up_the_year_before_each_index_day(data, rows):
    lost = churn.sales_lost(data, rows)
    assert list(lost.index) == list(churn.GROUPS)
    left = rows[rows["churned"] & (rows["group"] == "not resolved well")]
    assert lost.loc["not resolved well", "customers_left"] == len(left)
    one = left.iloc[0]
    orders = data.orders[data.orders["customer_id"] == one["customer_id"]]
    year = orders[
        (orders["order_date"] >= one["index_day"] - pd.DateOffset(months=12))
        & (orders["order_date"] < one["index_day"])
    ]
    alone = churn.sales_lost(data, left.iloc[[0]])
    assert alone.loc["not resolved well", "yearly_sales_lost"] == pytest.approx(
        year["revenue"].sum()
    )
    assert alone.loc["resolved well", "customers_left"] == 0


def test_without_complaints_the_comparison_says_so(data, rows):
    quiet = rows[rows["group"] == "no complaint"]
    with pytest.raises(MissingData, match="full follow-up"):
        churn.complaint_rows(quiet)
    with pytest.raises(MissingData):
        churn.recovery_differences(quiet)
    empty = dataclasses.replace(data, category_purchases=data.category_purchases.iloc[0:0])
    assert "stage" not in churn.with_stages(empty, rows, required=False).columns
