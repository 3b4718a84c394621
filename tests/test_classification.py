"""Classification rules (lesson 01): hand-checked examples and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import classification as cls
from crmkit.errors import CrmkitError
from crmkit.profit import customer_profit

money = st.floats(min_value=-1e5, max_value=1e6, allow_nan=False, allow_infinity=False)
value_lists = st.lists(money, min_size=1, max_size=60)


def _series(values):
    return pd.Series(values, index=[f"C{i:03d}" for i in range(len(values))], dtype=float)


# -- hand-checked examples --------------------------------------------------------


def test_abc_by_hand():
    # shares: 50, 30, 10, 5, 3, 2 (%); cumulative before: 0, 50, 80, 90, 95, 98
    abc = cls.abc_analysis(_series([10, 50, 3, 30, 5, 2]), cutoffs=(0.8, 0.95))
    assert list(abc.index) == ["C001", "C003", "C000", "C004", "C002", "C005"]
    assert list(abc["class"]) == ["A", "A", "B", "B", "C", "C"]
    assert abc["cum_share"].iloc[-1] == pytest.approx(1.0)
    summary = cls.abc_summary(abc)
    assert summary.loc["A", "customers"] == 2 and summary.loc["A", "value_share"] == 0.8


def test_pareto_share_by_hand():
    assert cls.pareto_share(_series([50, 30, 10, 5, 3, 2]), 0.8) == pytest.approx(2 / 6)
    assert cls.pareto_share(_series([50, 30, 10, 5, 3, 2]), 0.81) == pytest.approx(3 / 6)


def test_zero_and_negative_values_are_class_c():
    abc = cls.abc_analysis(_series([100, 0, -20, 50]))
    assert abc.loc["C001", "class"] == "C" and abc.loc["C002", "class"] == "C"
    assert abc.loc["C000", "class"] == "A"


def test_profit_split_by_hand():
    profit = _series([100, 80, 5, 3, 1, 0, -2, -4, -50, -60])
    split = cls.profit_split(profit)
    assert set(split.index[split["group"] == "profit makers"]) == {"C000", "C001"}
    assert set(split.index[split["group"] == "value destroyers"]) == {"C008", "C009"}
    summary = cls.profit_split_summary(split)
    assert summary.loc["value destroyers", "profit"] == -110
    assert summary["profit_share"].sum() == pytest.approx(1.0)


def test_customer_profit_counts_cost_to_serve_and_silent_customers():
    orders = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "order_date": pd.to_datetime(["2025-01-05"] * 3),
            "revenue": [100.0, 50.0, 80.0],
            "gross_margin": [20.0, 10.0, 8.0],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["B", "C"],
            "contact_date": pd.to_datetime(["2025-02-01"] * 2),
            "cost": [30.0, 15.0],
        }
    )
    table = customer_profit(orders, contacts, customers=["A", "B", "C", "D"])
    assert table.loc["A", "profit"] == 30 and table.loc["B", "profit"] == -22
    assert table.loc["C", "profit"] == -15 and table.loc["D", "orders"] == 0
    later = customer_profit(orders, contacts, start="2025-01-10")
    assert later["gross_margin"].sum() == 0 and later["service_cost"].sum() == 45


def test_value_score_and_grade_rules():
    ind = pd.DataFrame({n: [100.0, 50.0, 0.0] for n in cls.INDICATOR_NAMES}, index=["X", "Y", "Z"])
    score = cls.value_score(ind)
    assert list(score) == [100.0, 50.0, 0.0]
    assert list(cls.value_grade(score)) == ["A", "C", "D"]
    only_growth = cls.value_score(ind.assign(growth=[0.0, 100.0, 0.0]), {"growth": 1})
    assert list(only_growth) == [0.0, 100.0, 0.0]


def test_lead_grades_count_the_criteria():
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4"],
            "est_monthly_purchase": [30000, 30000, 100, 100],
            "decision_maker_reached": [True, True, False, False],
            "need_confirmed": [True, False, True, False],
            "last_contact_date": pd.to_datetime(["2025-12-01"] * 4),
        }
    )
    graded = cls.grade_leads(leads, min_monthly_purchase=20000)
    assert list(graded["lead_grade"]) == ["A", "B", "C", "D"]
    assert graded["next_follow_up"].iloc[0] == pd.Timestamp("2025-12-04")


def test_grade_migration_rows_are_the_earlier_counts():
    before = pd.Series(["A", "B", "B", None], index=["p", "q", "r", "s"])
    after = pd.Series(["B", "B", None, "A", "C"], index=["p", "q", "r", "s", "t"])
    table = cls.grade_migration(before, after)
    assert table.loc["B"].sum() == 2 and table.loc["A", "B"] == 1
    assert table.loc["new"].sum() == 2 and table.loc["B", "gone"] == 1
    moves = cls.movers(before, after)
    assert moves.loc["p", "direction"] == "down" and moves.loc["t", "direction"] == "new"


# -- friendly errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: cls.abc_analysis(pd.Series(dtype=float)),
        lambda: cls.abc_analysis(_series([1, 2]), cutoffs=(0.9, 0.8)),
        lambda: cls.pareto_share(_series([-1, -2])),
        lambda: cls.profit_split(_series([1]), top=0.7, bottom=0.5),
        lambda: cls.value_score(
            pd.DataFrame({n: [1.0] for n in cls.INDICATOR_NAMES}), {"loyalty": 1}
        ),
        lambda: cls.value_score(
            pd.DataFrame({n: [1.0] for n in cls.INDICATOR_NAMES}), {"growth": -1}
        ),
        lambda: cls.value_grade(pd.Series([50.0]), cutoffs=(40, 60, 80)),
    ],
)
def test_bad_input_gives_a_friendly_error(call):
    with pytest.raises(CrmkitError):
        call()


# -- properties ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(value_lists, st.randoms(use_true_random=False))
def test_abc_partitions_and_ignores_row_order(values, rnd):
    s = _series(values)
    abc = cls.abc_analysis(s)
    assert sorted(abc.index) == sorted(s.index)  # every customer exactly once
    assert set(abc["class"]) <= {"A", "B", "C"}
    assert cls.abc_summary(abc)["customers"].sum() == len(s)
    order = list(s.index)
    rnd.shuffle(order)
    shuffled = cls.abc_analysis(s.loc[order])
    pd.testing.assert_series_equal(abc["class"], shuffled["class"])
    if s.clip(lower=0).sum() > 0:
        assert abc["share"].clip(lower=0).sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(value_lists)
def test_profit_split_partitions_and_shares_sum_to_one(values):
    split = cls.profit_split(_series(values))
    assert len(split) == len(values) and split["group"].notna().all()
    summary = cls.profit_split_summary(split)
    assert summary["customers"].sum() == len(values)
    if abs(sum(values)) > 1e-6:
        assert summary["profit_share"].sum() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=5, max_size=5), st.floats(0.1, 10))
def test_score_is_in_range_and_weight_scale_free(raw, factor):
    ind = pd.DataFrame([raw], columns=cls.INDICATOR_NAMES, index=["X"])
    weights = {"integrity": 1, "cooperation": 2, "dependence": 3, "growth": 1, "contribution": 1}
    score = cls.value_score(ind, weights).iloc[0]
    scaled = cls.value_score(ind, {k: v * factor for k, v in weights.items()}).iloc[0]
    assert 0 <= score <= 100 and score == pytest.approx(scaled)


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 80), st.integers(0, 2**16))
def test_rfm_scores_use_every_level_and_ignore_order(n, seed):
    rng = np.random.default_rng(seed)
    orders = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in rng.integers(0, n, 4 * n)],
            "order_date": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(rng.integers(0, 365, 4 * n), "D"),
            "revenue": rng.integers(1, 5, 4 * n).astype(float),
        }
    )
    rfm = cls.rfm_table(orders, "2025-12-31")
    assert rfm[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    if len(rfm) >= 5:
        assert set(rfm["f_score"]) == {1, 2, 3, 4, 5}
    again = cls.rfm_table(orders.sample(frac=1, random_state=1), "2025-12-31")
    pd.testing.assert_frame_equal(rfm, again)


def test_indicators_on_the_sample_are_scaled_and_distinct():
    from crmkit.datasets import load_sample

    data = load_sample()
    ind = cls.value_indicators(data.orders, data.category_purchases, period_end="2025-12-31")
    assert ((ind >= 0) & (ind <= 100)).all().all()
    corr = ind.corr(method="spearman").abs().to_numpy()
    assert corr[np.triu_indices(5, 1)].max() < 0.8  # no indicator is a copy of another
    overview = cls.customer_overview(data)
    assert len(overview) == len(ind) and overview["profit"].notna().all()
