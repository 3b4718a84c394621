"""The customer pyramid: profit parts, tiers, whale curve, migration, responses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import customer_base as cb
from crmkit import pyramid as pyr
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData


@pytest.fixture(scope="module")
def data():
    return load_sample()


def test_waterfall_steps_end_at_the_profit(data):
    row = cb.customer_profit(data, cb.periods(data).last_full_year).iloc[5]
    steps = pyr.profit_waterfall(row)
    assert steps["step"].iloc[0] == "margin before discount"
    assert steps["running"].iloc[-2] == pytest.approx(row["profit"])
    assert steps["amount"].iloc[-1] == pytest.approx(row["profit"])
    assert (steps["amount"].iloc[1:-1] <= 0).all()


def test_percentile_tiers_by_hand():
    values = pd.Series(
        [100, 90, 80, 70, 60, 50, 40, 30, 20, -10], index=[f"C{i}" for i in range(10)]
    )
    tiers = pyr.assign_tiers(values, cutoffs=(0.1, 0.3, 0.6))
    assert (
        tiers["tier"].astype(str).tolist()
        == ["VIP"] + ["major"] * 2 + ["ordinary"] * 3 + ["small"] * 4
    )


def test_profit_share_tiers_by_hand():
    # pool of positive profit = 100; running shares before each customer: 0, .5, .8, .9, 1
    values = pd.Series([50, 30, 10, 10, 0, -5], index=list("abcdef"))
    tiers = pyr.assign_tiers(
        values, method="profit_share", cutoffs=(0.5, 0.8, 0.95), scheme_name="metal"
    )
    assert tiers["tier"].astype(str).tolist() == [
        "platinum", "gold", "iron", "iron", "lead", "lead"
    ]  # fmt: skip


def test_tier_rules_reject_bad_settings():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.raises(CrmkitError, match="rise"):
        pyr.assign_tiers(values, cutoffs=(0.5, 0.2, 0.9))
    with pytest.raises(CrmkitError, match="three cut-offs"):
        pyr.assign_tiers(values, cutoffs=(0.5, 0.9))
    with pytest.raises(CrmkitError, match="unknown naming scheme"):
        pyr.assign_tiers(values, scheme_name="gemstones")
    with pytest.raises(CrmkitError, match="unknown method"):
        pyr.assign_tiers(values, method="visits")
    with pytest.raises(CrmkitError, match="no customers"):
        pyr.assign_tiers(pd.Series([], dtype=float))


profits = st.lists(
    st.floats(min_value=-1e5, max_value=1e6, allow_nan=False), min_size=1, max_size=80
).map(lambda xs: pd.Series(xs, index=[f"C{i:03d}" for i in range(len(xs))]))


@settings(max_examples=60, deadline=None)
@given(profits, st.sampled_from(pyr.METHODS), st.sampled_from(sorted(pyr.SCHEMES)))
def test_tiers_partition_customers_and_ignore_row_order(values, method, scheme_name):
    try:
        tiers = pyr.assign_tiers(values, method=method, scheme_name=scheme_name)
    except CrmkitError as error:
        # shares of a total of zero or less mean nothing: only then is profit_share refused
        scale = max(1.0, float(values.abs().sum()))
        assert method == "profit_share" and values.sum() <= 1e-9 * scale, error
        return
    assert sorted(tiers.index) == sorted(values.index)  # every customer exactly once
    shuffled = values.sample(frac=1.0, random_state=1)
    again = pyr.assign_tiers(shuffled, method=method, scheme_name=scheme_name)
    pd.testing.assert_series_equal(tiers["tier"], again["tier"])
    # better values never sit in a worse tier
    codes = tiers["tier"].cat.codes.to_numpy()
    assert (np.diff(codes) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(profits)
def test_profit_shares_sum_to_one(values):
    table = pd.DataFrame({"revenue": values.abs(), "cost_to_serve": 1.0, "profit": values})
    summary = pyr.tier_summary(table, pyr.assign_tiers(values))
    assert summary["customers"].sum() == len(values)
    assert summary["customer_share"].sum() == pytest.approx(1.0)
    if abs(values.sum()) > 1e-6 * max(1.0, values.abs().sum()):
        assert summary["profit_share"].sum() == pytest.approx(1.0)


def test_tier_summary_on_the_sample(data):
    table = cb.customer_profit(data, 2025)
    summary = pyr.tier_summary(table, pyr.assign_tiers(table["profit"]))
    assert list(summary.index) == ["VIP", "major", "ordinary", "small"]
    assert summary["profit_per_customer"].is_monotonic_decreasing
    assert summary.loc["small", "profit"] < 0  # the bottom half loses money (PY3)
    assert summary.loc["VIP", "profit_share"] > 0.3


def test_whale_curve_rises_above_one_and_ends_at_one():
    profit = pd.Series([60.0, 50.0, -10.0])
    curve = pyr.whale_curve(profit)
    assert curve["cum_profit_share"].tolist() == pytest.approx([0, 0.6, 1.1, 1.0])
    peak = pyr.whale_peak(profit)
    assert peak["profit_share"] == pytest.approx(1.1)
    assert peak["customer_share"] == pytest.approx(2 / 3)
    assert peak["destroyed"] == pytest.approx(0.1)
    with pytest.raises(CrmkitError, match="no profit in total"):
        pyr.whale_curve(pd.Series([-1.0, 0.0]))


def test_sample_whale_curve_peaks_well_above_100_percent(data):
    peak = pyr.whale_peak(cb.customer_profit(data, 2025)["profit"])
    assert 1.05 < peak["profit_share"] < 1.4
    assert 0.6 < peak["customer_share"] < 0.95


def test_migration_by_hand():
    before = pd.Series(["VIP", "major", "small", "small"], index=["a", "b", "c", "d"])
    after = pd.Series(["major", "VIP", "small", "VIP"], index=["a", "b", "c", "e"])
    counts = pyr.tier_migration(before, after)
    assert counts.loc["VIP", "major"] == 1 and counts.loc["major", "VIP"] == 1
    assert counts.loc["small", "lost"] == 1 and counts.loc["new", "VIP"] == 1
    moves = pyr.migration_moves(before, after)["direction"]
    assert moves.to_dict() == {"a": "down", "b": "up", "c": "same", "d": "lost", "e": "new"}
    profit = pyr.migration_profit(
        before, after, pd.Series({"a": 10.0, "b": 5.0, "c": 1.0, "d": 3.0}),
        pd.Series({"a": 4.0, "b": 9.0, "c": 2.0, "e": 7.0}),
    )  # fmt: skip
    assert profit.loc["VIP", "major"] == -6 and profit.loc["small", "lost"] == -3
    assert profit.loc["new", "VIP"] == 7


def test_migration_rows_sum_to_the_earlier_counts(data):
    years = {y: cb.customer_profit(data, y) for y in (2024, 2025)}
    tiers = {y: pyr.assign_tiers(t["profit"]) for y, t in years.items()}
    counts = pyr.tier_migration(tiers[2024], tiers[2025])
    earlier = tiers[2024]["tier"].value_counts()
    later = tiers[2025]["tier"].value_counts()
    for tier in earlier.index:
        assert counts.loc[str(tier)].sum() == earlier[tier]
    for tier in later.index:
        assert counts[str(tier)].sum() == later[tier]
    # PY6: customers move both ways
    assert counts.loc["small", "VIP"] + counts.loc["ordinary", "VIP"] > 0
    assert counts.loc["VIP", "small"] + counts.loc["VIP", "ordinary"] > 0
    moved = pyr.migration_profit(
        tiers[2024], tiers[2025], years[2024]["profit"], years[2025]["profit"]
    )
    total = years[2025]["profit"].sum() - years[2024]["profit"].sum()
    assert moved.to_numpy().sum() == pytest.approx(total)


def test_lost_column_counts_the_lost_customers(data):
    # One term, one count: the matrix's 'lost' column is customer_base's lost customers.
    p = cb.periods(data)
    tiers = [
        pyr.assign_tiers(cb.customer_profit(data, year)["profit"])
        for year in (p.year_before, p.last_full_year)
    ]
    moves = pyr.migration_moves(*tiers)
    lost = cb.lost_customers(data, p.last_full_year)
    assert pyr.tier_migration(*tiers)[pyr.GONE].sum() == len(lost) > 0
    assert set(moves.index[moves["direction"] == pyr.GONE]) == set(lost)
    assert pyr.tier_migration(*tiers).loc[pyr.NEW, pyr.GONE] == 0


def test_migration_without_newcomers_has_no_new_row():
    before = pd.Series(["VIP", "small"], index=["a", "b"])
    after = pd.Series(["small"], index=["a"])
    counts = pyr.tier_migration(before, after)
    assert "new" not in counts.index
    assert counts.loc["VIP", "small"] == 1 and counts.loc["small", "lost"] == 1


def test_responses_follow_the_scheme():
    vip = pyr.tier_responses("vip")
    metal = pyr.tier_responses("metal")
    assert list(vip.index) == ["VIP", "major", "ordinary", "small"]
    assert list(metal["chinese"]) == ["铂金层", "黄金层", "钢铁层", "重铅层"]
    assert "end" in metal.loc["lead", "aim"]  # PY3: change the relationship or end it
    assert vip["source"].str.contains("003").all()


def test_with_attributes_adds_the_shop_columns(data):
    table = cb.with_attributes(cb.customer_profit(data, 2025), data)
    assert {"shop_name", "business_format", "market_type", "profit"} <= set(table.columns)
    assert len(table) == len(cb.customer_profit(data, 2025))


def test_profit_share_tiers_take_shares_of_the_net_total():
    # net total 100: the top customer alone brings 100% of it, as the whale curve shows
    values = pd.Series([100.0, 50.0, 30.0, -80.0], index=["C1", "C2", "C3", "C4"])
    tiers = pyr.assign_tiers(values, method="profit_share")
    assert tiers["value_share_before"].tolist() == pytest.approx([0.0, 1.0, 1.5, 1.8])
    assert tiers["tier"].astype(str).tolist() == ["VIP", "small", "small", "small"]
    with pytest.raises(CrmkitError, match="no total"):
        pyr.assign_tiers(pd.Series([5.0, -5.0], index=["A", "B"]), method="profit_share")


def _profit_table(profit, revenue, cost_to_serve, contacts) -> pd.DataFrame:
    """A small customer_profit-shaped table: only the columns the whale note reads."""
    ids = [f"C{i}" for i in range(len(revenue))]
    return pd.DataFrame(
        {
            "revenue": revenue,
            "profit": profit,
            "cost_to_serve": cost_to_serve,
            "contacts": contacts,
        },
        index=pd.Index(ids, name="customer_id"),
    )


def test_whale_note_says_why_the_hump_is_missing_or_small():
    nan = float("nan")
    no_margins = _profit_table([nan, nan], [100.0, 50.0], [0.0, 0.0], [0, 0])
    assert "no hump" in pyr.whale_note(no_margins, "revenue")
    returns = _profit_table([nan, nan], [100.0, -20.0], [0.0, 0.0], [0, 0])
    assert "returns make the small hump" in pyr.whale_note(returns, "revenue")
    no_service = _profit_table([30.0, -5.0], [100.0, 50.0], [0.0, 0.0], [0, 0])
    assert "no visits, calls or complaints" in pyr.whale_note(no_service)
    assert "smaller" in pyr.whale_note(no_service)
    no_service_no_loss = _profit_table([30.0, 5.0], [100.0, 50.0], [0.0, 0.0], [0, 0])
    assert "no hump" in pyr.whale_note(no_service_no_loss)
    complaints_only = _profit_table([30.0, -5.0], [100.0, 50.0], [2.0, 0.0], [0, 0])
    assert "complaint handling only" in pyr.whale_note(complaints_only)
    no_loss = _profit_table([30.0, 5.0], [100.0, 50.0], [2.0, 1.0], [3, 1])
    assert "no hump" in pyr.whale_note(no_loss)
    full = _profit_table([30.0, -5.0], [100.0, 50.0], [2.0, 9.0], [3, 8])
    assert pyr.whale_note(full) == ""


def test_sample_whale_needs_no_note(data):
    assert pyr.whale_note(cb.customer_profit(data, 2025)) == ""


def test_per_customer_divides_the_tier_totals_and_needs_profit(data):
    table = cb.customer_profit(data, 2025)
    summary = pyr.tier_summary(table, pyr.assign_tiers(table["profit"]))
    per = pyr.per_customer(summary)
    vip = table.loc[pyr.assign_tiers(table["profit"])["tier"] == "VIP"]
    assert per.loc["VIP", "cost to serve per customer"] == pytest.approx(
        vip["cost_to_serve"].mean()
    )
    assert per.loc["VIP", "profit per customer"] == pytest.approx(vip["profit"].mean())
    unknown = table.assign(profit=np.nan)
    no_margins = pyr.tier_summary(unknown, pyr.assign_tiers(unknown["revenue"]))
    with pytest.raises(MissingData, match="margin"):
        pyr.per_customer(no_margins)


def test_tier_summary_without_margins_leaves_profit_unknown(data):
    table = cb.customer_profit(data, 2025).assign(profit=np.nan)
    summary = pyr.tier_summary(table, pyr.assign_tiers(table["revenue"]))
    assert summary["profit_per_customer"].isna().all()
    assert summary["profit_share"].isna().all()
    assert summary["revenue"].sum() == pytest.approx(table["revenue"].sum())
    # an empty tier still shows zero customers and zero profit per customer
    known = cb.customer_profit(data, 2025)
    tiers = pyr.assign_tiers(known["profit"]).copy()
    tiers["tier"] = tiers["tier"].cat.add_categories(["extra"])
    assert pyr.tier_summary(known, tiers).loc["extra", "profit_per_customer"] == 0.0
