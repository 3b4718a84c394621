"""Stage rules (LC1, LC2) and patterns (LC5): each rule by hand on a tiny data set, and the
rules scored on the sample's true stages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from crmkit import lifecycle as lc
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData


@pytest.fixture(scope="module")
def data():
    return load_sample()


def _tiny(ours: list[float], totals: list[float], joined: str = "2024-01-15"):
    """One customer: our revenue and its own category total per month from 2024-01."""
    sample = load_sample()
    months = pd.period_range("2024-01", periods=len(totals), freq="M")
    orders = sample.orders.iloc[:0].copy()
    rows = [
        {
            "order_id": f"O{i}",
            "customer_id": "C1",
            "order_date": m.to_timestamp() + pd.Timedelta(days=9),
            "revenue": v,
        }
        for i, (m, v) in enumerate(zip(months, ours, strict=True))
        if v > 0
    ]
    orders = pd.concat([orders, pd.DataFrame(rows)], ignore_index=True)
    customers = sample.customers.iloc[:1].assign(customer_id="C1", join_date=pd.Timestamp(joined))
    totals_frame = pd.DataFrame(
        {"customer_id": "C1", "month": [str(m) for m in months], "category_total": totals}
    )
    return dataclasses.replace(
        sample, orders=orders, customers=customers, category_purchases=totals_frame
    )


def test_each_rule_by_hand():
    # months 1-3 exploring (tenure < 3); then a share of 60%: stable; then our orders fall to
    # 10% while the customer's total holds: decline; then five silent months: ended
    ours = [10, 10, 10, 60, 60, 60, 60, 60, 60, 10, 10, 10, 10, 10, 10, 0, 0, 0, 0, 0]
    totals = [100.0] * len(ours)
    rules = lc.StageRules(
        window_months=1, exploration_months=3, stable_share=0.4, decline_drop=0.5, silence_months=5
    )
    stages = lc.detect_stages(_tiny(ours, totals), rules)
    got = stages["stage"].astype(str).tolist()
    assert got[:3] == ["exploration"] * 3
    assert got[3:9] == ["stability"] * 6
    assert got[9:15] == ["decline"] * 6
    assert got[15:19] == ["decline"] * 4  # silent, but not yet for five months
    assert got[19] == "ended"
    assert stages["share"].iloc[3] == pytest.approx(0.6)
    assert stages["months_since_order"].iloc[19] == 5
    # a share that never reaches stable_share after exploration is formation
    forming = lc.detect_stages(_tiny([10, 20, 30, 30, 30], [100.0] * 5), rules)
    assert forming["stage"].astype(str).tolist() == ["exploration"] * 3 + ["formation"] * 2
    assert lc.relationship_patterns(stages).loc["C1"] == "early_exit"  # six stable months


def test_decline_needs_our_volume_to_fall_against_the_customers_own_total():
    rules = lc.StageRules(window_months=1, exploration_months=1, silence_months=5)
    both_fall = lc.detect_stages(_tiny([60, 60, 6, 6], [100, 100, 10, 10]), rules)
    assert both_fall["stage"].astype(str).tolist()[-1] == "stability"  # share holds at 60%
    only_ours = lc.detect_stages(_tiny([60, 60, 6, 6], [100, 100, 100, 100]), rules)
    assert only_ours["stage"].astype(str).tolist()[-1] == "decline"


def test_the_rules_on_the_sample_beat_every_single_guess(data):
    score = lc.score_stages(lc.detect_stages(data), data.lifecycle_truth)
    truth = data.lifecycle_truth["stage"].astype(str)
    most_common = truth.value_counts(normalize=True).iloc[0]
    assert score.accuracy > most_common + 0.2  # well above calling every month "stability"
    assert score.confusion.to_numpy().sum() == len(truth)
    right = np.diag(score.confusion.to_numpy()).sum() / score.confusion.to_numpy().sum()
    assert score.accuracy == pytest.approx(right)
    assert set(score.recall.index) == set(lc.STAGES)
    assert score.recall["exploration"] > 0.8 and score.recall["ended"] > 0.8


def test_patterns_are_read_from_the_stage_history(data):
    patterns = lc.relationship_patterns(lc.detect_stages(data))
    truth = data.lifecycle_truth.groupby("customer_id", observed=True)["pattern"].first()
    assert set(patterns.unique()) <= set(lc.PATTERNS) | {"ongoing"}
    agree = (patterns == truth.astype(str).reindex(patterns.index)).mean()
    assert agree > 0.4  # four patterns: a guess would get about a quarter right


def test_without_category_totals_or_truth_the_parts_say_why(data):
    no_totals = dataclasses.replace(data, category_purchases=data.category_purchases.iloc[:0])
    with pytest.raises(MissingData, match="category_purchases.csv"):
        lc.detect_stages(no_totals)
    with pytest.raises(MissingData, match="lifecycle_truth.csv"):
        lc.score_stages(lc.detect_stages(data), data.lifecycle_truth.iloc[:0])
    with pytest.raises(CrmkitError, match="stable_share must be a share"):
        lc.StageRules(stable_share=1.5)
    with pytest.raises(CrmkitError, match="silence_months must be a whole number"):
        lc.StageRules(silence_months=0)


def test_stage_economics_add_up_the_months_of_each_stage(data):
    stages = lc.detect_stages(data)
    table = lc.stage_economics(data, stages)
    assert list(table.index) == list(lc.STAGES)
    assert table["customer_months"].sum() == len(stages)
    # stability returns the most per month, as seed 003 says (LC3); exploration costs most
    assert table["return"].idxmax() == "stability"
    assert table["contact_cost"].idxmax() == "exploration"
    # by hand for one stage: the margin of the orders in its customer-months
    orders = data.orders.assign(month=data.orders["order_date"].dt.to_period("M"))
    stable = stages.loc[stages["stage"] == "stability", ["customer_id", "month"]]
    margin = orders.merge(stable, on=["customer_id", "month"])["gross_margin"].sum()
    assert table.loc["stability", "gross_margin"] == pytest.approx(margin / len(stable))
    no_margins = dataclasses.replace(data, orders=data.orders.assign(gross_margin=np.nan))
    with pytest.raises(MissingData, match="gross_margin"):
        lc.stage_economics(no_margins, stages)


def test_pattern_curves_and_retention_economics(data):
    stages = lc.detect_stages(data)
    truth = data.lifecycle_truth.groupby("customer_id", observed=True)["pattern"].first()
    curves = lc.pattern_curves(stages, truth.astype(str), months=24)
    assert len(curves) == 24 and set(curves.columns) == set(lc.PATTERNS)
    # an early abort buys nothing a year in; a long-term customer still does
    assert curves.loc[12, "early_abort"] == 0 and curves.loc[12, "long_term"] > 0
    money = lc.retention_economics(data, stages)
    assert money["win / keep"] == pytest.approx(
        money["cost to win one"] / money["cost to keep one a year"]
    )
    assert money["customers won"] > 0
    no_contacts = dataclasses.replace(data, contacts=data.contacts.iloc[:0])
    with pytest.raises(MissingData, match="contacts.csv"):
        lc.retention_economics(no_contacts, stages)


def test_programmes_follow_the_playbook_for_this_months_stage(data):
    stages = lc.detect_stages(data)
    tiers = pd.Series({"C00001": "VIP"}, name="tier")
    plan = lc.programmes(stages, tiers)
    latest = stages[stages["month"] == stages["month"].max()]
    assert len(plan) == len(latest)
    assert (plan["programme"] == lc.PLAYBOOK.loc[plan["stage"], "programme"].to_numpy()).all()
    assert set(plan["tier"]) <= {"VIP", "no orders"}
    with pytest.raises(CrmkitError, match="no customer has a stage"):
        lc.programmes(stages, month="1990-01")


def test_the_fast_path_scores_like_score_stages(data):
    """The explorer re-applies the rules to cached signs and scores codes: same numbers."""
    rules = lc.StageRules(stable_share=0.5, silence_months=4)
    slow = lc.score_stages(lc.detect_stages(data, rules), data.lifecycle_truth)
    signs = lc.monthly_signs(data, window_months=rules.window_months)
    fast_stages = lc.apply_rules(signs, rules)
    true = lc.true_stages(fast_stages, data.lifecycle_truth)
    known = true.notna().to_numpy()
    fast = lc.score_codes(
        fast_stages["stage"].cat.codes.to_numpy()[known], true.cat.codes.to_numpy()[known]
    )
    assert fast.accuracy == pytest.approx(slow.accuracy)
    pd.testing.assert_frame_equal(fast.confusion, slow.confusion, check_dtype=False)


def test_the_rules_table_names_every_threshold():
    rules = lc.StageRules(stable_share=0.55)
    table = lc.rules_table(rules)
    assert list(table.index) == [f.name for f in dataclasses.fields(lc.StageRules)]
    assert table.loc["stable_share", "value"] == 0.55
    assert table["what it decides"].str.len().min() > 20


def test_example_customers_with_and_without_a_truth_table(data):
    stages = lc.detect_stages(data)
    truth = data.lifecycle_truth
    example = lc.example_customer(stages, truth, "early_exit")
    assert lc.true_patterns(truth)[example] == "early_exit"
    no_truth = truth.iloc[:0]
    detected = lc.example_customer(stages, no_truth, "early_exit")
    assert lc.relationship_patterns(stages)[detected] == "early_exit"
    with pytest.raises(MissingData, match="lifecycle_truth.csv"):
        lc.true_patterns(no_truth)
    with pytest.raises(CrmkitError, match="no pattern"):
        lc.example_customer(stages, truth, "forever")
