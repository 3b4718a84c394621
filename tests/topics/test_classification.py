"""Classification rules (lesson 01): hand-checked examples and properties."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import classification as cls
from crmkit.errors import CrmkitError

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
    # with losses the total is the net profit (80 here): the top customer alone brings 100%
    losses = _series([80, 20, 10, -30])
    assert cls.pareto_share(losses, 0.8) == pytest.approx(1 / 4)
    top = cls.concentration_table(losses, points=(0.25,))["share of total"].iloc[0]
    assert top == pytest.approx(1.0)  # the same basis as the concentration table
    abc = cls.abc_analysis(losses)
    # the top customer already covers 100% of the net total, so nobody else is A or B
    assert abc["class"].tolist() == ["A", "C", "C", "C"]
    assert abc["cum_share"].tolist() == pytest.approx([1.0, 1.25, 1.375, 1.0])


def test_zero_and_negative_values_are_class_c():
    abc = cls.abc_analysis(_series([100, 0, -20, 50]))
    assert abc.loc["C001", "class"] == "C" and abc.loc["C002", "class"] == "C"
    assert abc.loc["C000", "class"] == "A"


def test_profit_split_by_hand():
    profit = _series([100, 80, 5, 3, 1, 0, -2, -4, -50, -60])
    split = cls.profit_split(profit)
    assert set(split.index[split["group"] == "top"]) == {"C000", "C001"}
    assert set(split.index[split["group"] == "bottom"]) == {"C008", "C009"}
    summary = cls.profit_split_summary(split)
    assert summary.loc["bottom", "profit"] == -110
    assert summary["profit_share"].sum() == pytest.approx(1.0)


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
    if s.sum() <= 0:  # no positive total to take shares of: a clear error instead
        with pytest.raises(CrmkitError, match="no total"):
            cls.abc_analysis(s)
        return
    abc = cls.abc_analysis(s)
    assert sorted(abc.index) == sorted(s.index)  # every customer exactly once
    assert set(abc["class"]) <= {"A", "B", "C"}
    assert cls.abc_summary(abc)["customers"].sum() == len(s)
    order = list(s.index)
    rnd.shuffle(order)
    shuffled = cls.abc_analysis(s.loc[order])
    pd.testing.assert_series_equal(abc["class"], shuffled["class"])
    # shares of the net total add up to 1, and the running total ends at 100%
    assert abc["share"].sum() == pytest.approx(1.0)
    assert abc["cum_share"].iloc[-1] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(value_lists)
def test_profit_split_partitions_and_shares_sum_to_one(values):
    split = cls.profit_split(_series(values))
    assert len(split) == len(values) and split["group"].notna().all()
    try:
        summary = cls.profit_split_summary(split)
    except CrmkitError as error:  # a total of zero has no shares: a sentence, not NaN
        assert "add up to zero" in str(error) and abs(sum(values)) <= 1e-6
        return
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
    for value, score, better in [
        ("frequency", "f_score", 1),
        ("monetary", "m_score", 1),
        ("recency_days", "r_score", -1),
    ]:
        # equal values share one score, and a better value never scores lower
        assert (rfm.groupby(value)[score].nunique() == 1).all()
        ordered = rfm.sort_values(value, ascending=better == 1)[score]
        assert ordered.is_monotonic_increasing
    if rfm["frequency"].is_unique and len(rfm) >= 5:
        assert set(rfm["f_score"]) == {1, 2, 3, 4, 5}
    again = cls.rfm_table(orders.sample(frac=1, random_state=1), "2025-12-31")
    pd.testing.assert_frame_equal(rfm, again)


def _window_data():
    """Hand-made orders for the period 2025-01-01 .. 2025-12-31 (period_end 2025-12-31)."""
    ts = pd.to_datetime
    orders = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "C", "C", "D", "D"],
            "order_date": ts(
                [
                    "2025-03-01",
                    "2025-06-01",
                    "2024-05-01",
                    "2025-12-31",
                    "2024-12-31",
                    "2026-01-01",
                    "2025-01-01",
                    "2024-06-01",
                ]
            ),
            "revenue": [100.0, 300.0, 200.0, 100.0, 70.0, 70.0, 100.0, 400.0],
            "gross_margin": [30.0, 50.0, 10.0, 100.0, 7.0, 7.0, 20.0, 40.0],
            "discount": 0.0,
            "promotion": [True, False, False, True, False, False, False, True],
            "payment_due_date": ts(
                [
                    "2025-03-31",
                    "2025-07-01",
                    "2024-05-31",
                    "2026-01-30",
                    "2025-01-30",
                    "2026-01-31",
                    "2025-01-31",
                    "2024-07-01",
                ]
            ),
            "paid_date": ts(
                [
                    "2025-03-20",
                    "2025-07-15",
                    "2024-05-30",
                    None,
                    "2025-01-10",
                    None,
                    "2025-01-31",
                    "2024-06-10",
                ]
            ),
        }
    )
    category = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B"],
            "month": ["2025-03", "2025-06", "2024-05", "2025-12"],
            "category_total": [1000.0, 1000.0, 5000.0, 50.0],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["A", "B", "A"],
            "contact_date": ts(["2025-05-01", "2025-12-01", "2024-12-31"]),
            "contact_type": ["visit", "phone_call", "visit"],
            "purpose": ["routine", "complaint_follow_up", "routine"],
            "cost": [30.0, 200.0, 999.0],
        }
    )
    complaints = pd.DataFrame(
        {
            "customer_id": ["D", "A"],
            "opened_at": ts(["2025-04-02 10:00", "2023-02-01 09:00"]),
            "compensation": [10.0, 500.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "shop_name": ["Ann's", "Bo's", "Cy's", "Di's"],
            "business_format": pd.Categorical(["grocery", "kiosk", "grocery", "grocery"]),
            "market_type": pd.Categorical(["city", "city", "town", "town"]),
        }
    )
    return SimpleNamespace(
        customers=customers,
        orders=orders,
        contacts=contacts,
        complaints=complaints,
        category_purchases=category,
        analysis_date=pd.Timestamp("2025-12-31"),
    )


def test_value_indicators_by_hand():
    d = _window_data()
    ind = cls.value_indicators(d.orders, d.category_purchases, period_end="2025-12-31")
    assert list(ind.index) == ["A", "B", "D"]  # C has no order in the period
    assert list(ind.columns) == cls.INDICATOR_NAMES
    # A: 100 of 400 paid on time; 1 of 2 promotions; 400 of 2000 wallet; 400 vs 200 before
    assert ind.loc["A"].tolist()[:4] == pytest.approx([25.0, 50.0, 20.0, 100.0])
    # B: unpaid counts as late; wallet 50 < revenue 100 -> capped; new customer -> 75
    assert ind.loc["B"].tolist()[:4] == pytest.approx([0.0, 100.0, 100.0, 75.0])
    # D: paid on the due date is on time; no wallet data -> 100; 100 vs 400 -> -75% -> 12.5
    assert ind.loc["D"].tolist()[:4] == pytest.approx([100.0, 0.0, 100.0, 12.5])
    # margins D 20 < A 80 < B 100
    assert ind["contribution"].tolist() == pytest.approx([200 / 3, 100.0, 100 / 3])


def test_customer_overview_by_hand():
    d = _window_data()
    overview = cls.customer_overview(d)
    assert list(overview.index) == ["A", "B", "D"]
    # profit = gross margin - cost to serve (contacts and complaint compensation in the period)
    assert overview.loc["A", "profit"] == 50 and overview.loc["B", "profit"] == -100
    assert overview.loc["D", "profit"] == 20 - 10
    assert overview.loc["D", "shop_name"] == "Di's"
    for column in [
        "business_format",
        "market_type",
        "revenue",
        "cost_to_serve",
        *cls.INDICATOR_NAMES,
    ]:
        assert column in overview.columns
    table = cls.breakdown(overview, by=("business_format",))
    assert table.loc["grocery", "customers"] == 2 and table.loc["kiosk", "customers"] == 1
    assert table.loc["grocery", "margin_rate"] == pytest.approx(100 / 500)
    assert table.loc["grocery", "cost_to_serve_per_customer"] == (30 + 10) / 2
    assert table.loc["kiosk", "profit_share"] == pytest.approx(-100 / -40)
    assert table["profit_share"].sum() == pytest.approx(1.0)
    assert cls.breakdown(overview, by="market_type").loc["town", "customers"] == 1
    with pytest.raises(CrmkitError, match="colour"):
        cls.breakdown(overview, by=["colour"])


def test_reevaluate_grades_each_period():
    d = _window_data()
    grades = cls.reevaluate(
        d.orders, d.category_purchases, period_ends=["2024-12-31", "2025-12-31"]
    )
    assert list(grades.columns) == ["2024-12-31", "2025-12-31"]
    assert list(grades.index) == ["A", "B", "C", "D"]
    assert pd.isna(grades.loc["B", "2024-12-31"]) and pd.isna(grades.loc["C", "2025-12-31"])
    ind = cls.value_indicators(d.orders, d.category_purchases, period_end="2025-12-31")
    expected = cls.value_grade(cls.value_score(ind))
    assert grades["2025-12-31"].dropna().astype(str).to_dict() == expected.astype(str).to_dict()
    moves = cls.movers(grades["2024-12-31"], grades["2025-12-31"])
    assert moves.loc["B", "direction"] == "new" and moves.loc["C", "direction"] == "gone"
    table = cls.grade_migration(grades["2024-12-31"], grades["2025-12-31"])
    assert table.to_numpy().sum() == 4 and "new" in table.index and "gone" in table.columns


def test_rfm_by_hand_with_two_bins():
    orders = pd.DataFrame(
        {
            "customer_id": ["W", "W", "W", "X", "Y", "Y", "Z"],
            "order_date": pd.to_datetime(
                [
                    "2025-12-30",
                    "2025-11-01",
                    "2025-10-01",
                    "2025-12-01",
                    "2025-06-30",
                    "2025-03-01",
                    "2025-01-01",
                ]
            ),
            "revenue": [100.0, 100.0, 100.0, 50.0, 250.0, 250.0, 10.0],
        }
    )
    rfm = cls.rfm_table(orders, "2025-12-31", bins=2)
    assert rfm["recency_days"].tolist() == [1, 30, 184, 364]
    assert rfm["frequency"].tolist() == [3, 1, 2, 1]
    # X and Z tie on frequency 1, so both score F 1
    assert rfm["rfm_score"].tolist() == ["222", "211", "122", "111"]
    assert rfm["segment"].astype(str).tolist() == [
        "Champions",
        "New",
        "Cannot lose them",
        "Gone quiet",
    ]
    summary = cls.rfm_segment_summary(rfm)
    assert summary["customers"].sum() == 4
    assert summary["revenue_share"].sum() == pytest.approx(1.0)


def test_rfm_five_bins_reads_like_the_textbook():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "order_date": pd.to_datetime(
                ["2025-12-30", "2025-12-20", "2025-11-01", "2025-06-01", "2025-01-01"]
            ),
            "revenue": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    rfm = cls.rfm_table(orders, "2025-12-31")
    assert rfm["r_score"].tolist() == [5, 4, 3, 2, 1]
    assert rfm["m_score"].tolist() == [1, 2, 3, 4, 5]
    assert rfm["f_score"].tolist() == [1, 1, 1, 1, 1]  # all tie at 1 order: equal scores


def test_abc_ties_are_broken_by_customer_id():
    values = pd.Series([10.0, 40.0, 10.0, 40.0], index=["d", "b", "c", "a"])
    abc = cls.abc_analysis(values, cutoffs=(0.5, 0.9))
    assert list(abc.index) == ["a", "b", "c", "d"]
    assert list(abc["rank"]) == [1, 2, 3, 4]
    # cumulative 40, 80, 90, 100 %: a, b reach 50% (A); c reaches 90% (B); d is C
    assert list(abc["class"]) == ["A", "A", "B", "C"]


def test_abc_second_cutoff_by_hand():
    abc = cls.abc_analysis(_series([60, 30, 6, 4]), cutoffs=(0.5, 0.9))
    # cumulative 60 (A: reaches 50), 90 (B: reaches 90), 96 (C), 100 (C)
    assert list(abc["class"]) == ["A", "B", "C", "C"]
    summary = cls.abc_summary(abc)
    assert summary["customers"].tolist() == [1, 1, 2]
    assert summary["customer_share"].tolist() == [0.25, 0.25, 0.5]
    assert summary["value_share"].tolist() == pytest.approx([0.6, 0.3, 0.1])


def test_no_positive_total_is_explained():
    # shares of a total of zero or less mean nothing: a clear error instead of classes
    for values in ([0, -1, -5], [5, -5]):
        with pytest.raises(CrmkitError, match="no total to take shares of"):
            cls.abc_analysis(_series(values))
        with pytest.raises(CrmkitError, match="no total to take shares of"):
            cls.pareto_share(_series(values))


def test_concentration_table_by_hand():
    table = cls.concentration_table(_series([50, 30, 10, 5, 3, 2, 0, 0, 0, 0]), points=(0.1, 0.2))
    assert table["customers"].tolist() == [1, 2]
    assert table["share of total"].tolist() == pytest.approx([0.5, 0.8])


def test_indicator_texts_and_typologies_are_complete():
    assert [i["chinese"] for i in cls.INDICATORS] == [
        "诚信度",
        "配合度",
        "依存度",
        "成长度",
        "贡献度",
    ]
    assert all(i["rule"] and i["english"] for i in cls.INDICATORS)
    assert set(cls.DEFAULT_WEIGHTS) == set(cls.INDICATOR_NAMES)
    assert sum(cls.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    kinds = {kind for pairs in cls.TYPOLOGIES.values() for kind, _ in pairs}
    for kind in ["internal", "future", "potential", "final", "confused", "agitated", "ethical"]:
        assert kind in kinds
    assert cls.FOLLOW_UP["follow up within (days)"].to_dict() == {"A": 3, "B": 7, "C": 30, "D": 90}


def test_grade_boundaries_are_inclusive():
    grades = cls.value_grade(pd.Series([80.0, 79.99, 60.0, 40.0, 39.9]))
    assert grades.astype(str).tolist() == ["A", "B", "B", "C", "D"]
    assert grades.cat.ordered


@pytest.mark.parametrize(
    "call",
    [
        lambda: cls.rfm_table(
            pd.DataFrame(columns=["customer_id", "order_date", "revenue"]), "2025-12-31"
        ),
        lambda: cls.rfm_table(_window_data().orders, "2025-12-31", bins=1),
        lambda: cls.value_indicators(
            _window_data().orders, _window_data().category_purchases, period_end="2030-12-31"
        ),
        lambda: cls.value_score(pd.DataFrame({"growth": [1.0]})),
        lambda: cls.value_score(
            pd.DataFrame({n: [1.0] for n in cls.INDICATOR_NAMES}), {"growth": 0}
        ),
        lambda: cls.abc_analysis(_series([1, 2]), cutoffs=(0, 0.5)),
        lambda: cls.abc_analysis(_series([1, 2]), cutoffs=(0.8, 1.2)),
        lambda: cls.abc_analysis(_series([1, 2]), cutoffs=(0.8,)),
        lambda: cls.profit_split(pd.Series(dtype=float)),
        lambda: cls.pareto_share(_series([1, 2]), target=0),
        lambda: cls.grade_leads(pd.DataFrame(columns=["lead_id"])),
        lambda: cls.breakdown(pd.DataFrame(columns=["business_format", "revenue"])),
    ],
)
def test_more_mistakes_give_a_friendly_error(call):
    with pytest.raises(CrmkitError):
        call()


def test_empty_input_names_the_problem():
    with pytest.raises(CrmkitError, match="no customers to classify"):
        cls.abc_analysis(pd.Series(dtype=float))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list("PQRSTU")),
            st.integers(0, 729),
            st.floats(1, 1000, allow_nan=False),
            st.booleans(),
            st.integers(-10, 40),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_indicators_stay_between_0_and_100(rows):
    start = pd.Timestamp("2024-01-01")
    dates = [start + pd.Timedelta(days=r[1]) for r in rows]
    orders = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_date": dates,
            "revenue": [r[2] for r in rows],
            "gross_margin": [r[2] / 4 for r in rows],
            "promotion": [r[3] for r in rows],
            "payment_due_date": [d + pd.Timedelta(days=30) for d in dates],
            "paid_date": [
                d + pd.Timedelta(days=r[4]) if r[4] >= 0 else pd.NaT
                for d, r in zip(dates, rows, strict=True)
            ],
        }
    )
    category = pd.DataFrame(
        {"customer_id": list("PQRS"), "month": "2025-06", "category_total": [0.0, 10.0, 1e4, 1e6]}
    )
    if not (orders["order_date"] >= "2025-01-01").any():
        return
    ind = cls.value_indicators(orders, category, period_end="2025-12-31")
    assert ((ind >= 0) & (ind <= 100)).all().all()
    assert set(ind.index) == set(orders.loc[orders["order_date"] >= "2025-01-01", "customer_id"])
    grades = cls.value_grade(cls.value_score(ind))
    assert grades.notna().all()


def test_rfm_identical_customers_score_alike_whatever_their_ids():
    # many one-time buyers with the same order: the same R, F and M, so the same scores
    ids = [f"C{i:02d}" for i in range(12)]
    orders = pd.DataFrame(
        {
            "customer_id": ids + ["C00", "C01", "C02"],
            "order_date": pd.to_datetime(["2025-06-01"] * 12 + ["2025-12-01"] * 3),
            "revenue": [100.0] * 12 + [100.0] * 3,
        }
    )
    rfm = cls.rfm_table(orders, "2025-12-31")
    alike = rfm.loc[ids[3:]]
    for score in ("r_score", "f_score", "m_score", "segment"):
        assert alike[score].nunique() == 1, score
    assert (rfm.loc[ids[3:], "f_score"] == 1).all()
    assert (rfm.loc[ids[:3], "f_score"] > 1).all()
