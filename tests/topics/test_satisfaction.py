"""Satisfaction measures: gap scores, importance–performance quadrants and the net promoter
score with its adjusted-Wald interval, each checked by hand on small surveys."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from crmkit import churn, content
from crmkit import satisfaction as sa
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData
from crmkit.tiers import tiers_at


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def survey(rows: list[dict]) -> pd.DataFrame:
    """Respondents given as {dimension: (expect, perceive, importance)}; the dimensions a
    row leaves out answer (5, 5, 4)."""
    records = []
    for row in rows:
        record = {"overall_satisfaction": row.get("overall", 7), "recommend": row.get("nps", 8)}
        for d in sa.DIMENSIONS:
            e, p, i = row.get(d, (5, 5, 4))
            record |= {f"expect_{d}": e, f"perceive_{d}": p, f"importance_{d}": i}
        records.append(record)
    return pd.DataFrame(records)


def test_the_nps_interval_is_the_published_adjusted_wald():
    # 10 answers: 5 promoters, 2 passives, 3 detractors. By hand (Rocks 2016): n' = 13,
    # p = 5.75/13, q = 3.75/13, centre 0.153846, half-width 1.96 * sqrt((p + q - c^2)/13)
    answers = pd.Series([10, 9, 9, 10, 9, 8, 7, 6, 3, 0])
    result = sa.nps(answers)
    assert result["nps"] == pytest.approx(0.2)  # the plain score: (5 - 3) / 10
    assert result["low"] == pytest.approx(-0.30326, abs=1e-5)
    assert result["high"] == pytest.approx(0.61095, abs=1e-5)
    assert (result["promoters"], result["passives"], result["detractors"]) == (5, 2, 3)
    all_promoters = sa.nps(pd.Series([10] * 4))
    assert all_promoters["high"] == 1.0 and all_promoters["low"] < 1.0  # clipped, not > 1
    with pytest.raises(CrmkitError, match="0 to 10"):
        sa.nps(pd.Series([11, 3]))
    with pytest.raises(MissingData):
        sa.nps(pd.Series([], dtype=float))


def test_gap_scores_by_hand():
    table = sa.gap_scores(
        survey(
            [
                {"reliability": (6, 4, 7), "tangibles": (4, 6, 1)},
                {"reliability": (6, 5, 7), "tangibles": (4, 5, 1)},
            ]
        )
    )
    assert table.loc["reliability", "gap"] == pytest.approx(-1.5)  # (-2 - 1) / 2
    assert table.loc["tangibles", "gap"] == pytest.approx(1.5)
    assert table.loc["empathy", "gap"] == 0.0
    # respondent 1: gaps -2, +2, 0, 0, 0 -> mean 0; weighted (-14 + 2) / (7 + 1 + 12) = -0.6
    # respondent 2: gaps -1, +1, 0, 0, 0 -> mean 0; weighted (-7 + 1) / 20 = -0.3
    assert table.loc["overall", "gap"] == pytest.approx(0.0)
    assert table.loc["overall, weighted by importance", "gap"] == pytest.approx(-0.45)
    # t-interval of (-2, -1): mean -1.5, sd 0.7071, t(0.975, 1) = 12.706
    assert table.loc["reliability", "low"] == pytest.approx(-1.5 - 12.7062 * 0.5, abs=1e-3)


def test_the_crosshairs_decide_the_quadrants():
    rows = [
        {
            "reliability": (6, 6, 7),
            "responsiveness": (6, 4.5, 6.5),
            "tangibles": (4, 5.5, 3),
            "empathy": (5, 4.6, 4.2),
            "assurance": (5, 6.5, 4.4),
        }
    ]
    by_means = sa.importance_performance(survey(rows))
    assert by_means.loc["reliability", "quadrant"] == "keep up the good work"
    assert by_means.loc["responsiveness", "quadrant"] == "concentrate here"
    assert by_means.loc["tangibles", "quadrant"] == "possible overkill"
    assert by_means.loc["empathy", "quadrant"] == "low priority"
    by_midpoints = sa.importance_performance(survey(rows), crosshairs="midpoints")
    assert by_midpoints.attrs["crosshairs"] == {"importance": 4.0, "performance": 4.0}
    assert by_midpoints.loc["responsiveness", "quadrant"] == "keep up the good work"
    with pytest.raises(CrmkitError, match="crosshairs"):
        sa.importance_performance(survey(rows), crosshairs="median")


def test_on_the_sample_the_crosshairs_move_dimensions_and_importance_can_be_derived():
    surveys = load_sample().surveys
    by_means = sa.importance_performance(surveys)["quadrant"]
    by_midpoints = sa.importance_performance(surveys, crosshairs="midpoints")["quadrant"]
    assert (by_means != by_midpoints).any()  # the lesson's point: the choice matters
    derived = sa.derived_importance(surveys)
    for d in sa.DIMENSIONS:
        expected = np.corrcoef(surveys[f"perceive_{d}"], surveys["overall_satisfaction"])[0, 1]
        assert derived[d] == pytest.approx(expected)
    gaps = sa.gap_scores(surveys)
    weakest = gaps.drop(index=["overall", "overall, weighted by importance"])["gap"].idxmin()
    assert gaps.loc[weakest, "high"] < 0  # a weakest dimension the data singles out
    with pytest.raises(MissingData, match="surveys"):
        sa.gap_scores(surveys.iloc[0:0])


# -- comparing two scores ---------------------------------------------------------------------


def recommend(promoters: int, passives: int, detractors: int) -> pd.Series:
    """Answers to 'would you recommend us' with the given counts (10, 8 and 3)."""
    return pd.Series([10] * promoters + [8] * passives + [3] * detractors)


def test_the_nps_difference_is_the_adjusted_wald_worked_by_hand():
    a = recommend(5, 2, 3)  # NPS 0.2
    b = recommend(12, 4, 4)  # NPS 0.4
    result = sa.nps_difference(a, b)
    # by hand, each group adjusted as for one score (n + 3, promoters and detractors + 3/4):
    # a: n' = 13, p' = 5.75/13, q' = 3.75/13, NPS' = 2/13 = 0.153846
    #    V = (p' + q' - NPS'^2) / n' = (9.5/13 - 0.023669) / 13 = 0.707101 / 13 = 0.054392
    # b: n' = 23, p' = 12.75/23, q' = 4.75/23, NPS' = 8/23 = 0.347826
    #    V = (17.5/23 - 0.120983) / 23 = 0.639887 / 23 = 0.027821
    # centre 0.347826 - 0.153846 = 0.193980; se sqrt(0.082213) = 0.286728
    # half-width 1.959964 * 0.286728 = 0.561978 -> -0.367998 to 0.755958
    assert result["difference"] == pytest.approx(0.2)  # the plain scores: 0.4 - 0.2
    assert (result["nps_a"], result["nps_b"]) == (pytest.approx(0.2), pytest.approx(0.4))
    assert result["low"] == pytest.approx(-0.367998, abs=1e-5)
    assert result["high"] == pytest.approx(0.755958, abs=1e-5)
    assert (result["respondents_a"], result["respondents_b"]) == (10, 20)
    # b minus a: swapping the groups mirrors the interval
    swapped = sa.nps_difference(b, a)
    assert swapped["low"] == pytest.approx(-result["high"])
    assert swapped["difference"] == pytest.approx(-0.2)
    # a plain Wald interval (no adjustment) would be narrower and centred on 0.2: not this one
    assert (result["low"] + result["high"]) / 2 != pytest.approx(0.2, abs=1e-3)
    with pytest.raises(MissingData):
        sa.nps_difference(a, pd.Series([], dtype=float))
    with pytest.raises(CrmkitError, match="confidence"):
        sa.nps_difference(a, b, confidence=95)


def test_the_smallest_real_change_shrinks_with_more_answers_and_matches_the_interval():
    # 20 answers with 60% promoters and 20% detractors in each group: V = 0.027821 (above),
    # half-width 1.959964 * sqrt(2 * 0.027821) = 0.462329
    small = sa.smallest_real_change(20, 20, promoters=0.6, detractors=0.2)
    assert small == pytest.approx(0.462329, abs=1e-5)
    same = sa.nps_difference(recommend(12, 4, 4), recommend(12, 4, 4))
    assert small == pytest.approx((same["high"] - same["low"]) / 2)
    uneven = sa.nps_difference(recommend(5, 2, 3), recommend(10, 4, 6))  # 50% / 30% shares
    assert sa.smallest_real_change(10, 20, promoters=0.5, detractors=0.3) == pytest.approx(
        (uneven["high"] - uneven["low"]) / 2
    )
    sizes = [sa.smallest_real_change(n, n, promoters=0.6, detractors=0.2) for n in (10, 100, 1000)]
    assert sizes[0] > sizes[1] > sizes[2]
    assert (
        sa.smallest_real_change(100, 100, promoters=0.6, detractors=0.2, confidence=0.9)
        < (sizes[1])
    )
    with pytest.raises(CrmkitError, match="at least 1"):
        sa.smallest_real_change(0, 10, promoters=0.5, detractors=0.2)
    with pytest.raises(CrmkitError, match="add up to at most 1"):
        sa.smallest_real_change(10, 10, promoters=0.7, detractors=0.4)


# -- the score by quarter or tier -------------------------------------------------------------


def test_nps_by_quarter_in_time_order_by_hand():
    surveys = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E", "F"],
            "survey_date": pd.to_datetime(
                ["2024-02-01", "2023-11-05", "2024-02-01", "2024-03-30", "2024-01-02", "2023-12-31"]
            ),
            "recommend": [10, 8, 9, 7, 3, 6],
        }
    )
    table = sa.nps_by(SimpleNamespace(surveys=surveys), "quarter")
    assert list(table.index) == ["2023Q4", "2024Q1"]  # time order, not the rows' order
    assert list(table.columns) == [
        "respondents", "promoters", "passives", "detractors", "nps", "low", "high"
    ]  # fmt: skip
    # 2023Q4: 8 and 6 -> no promoter, one detractor: -1/2; 2024Q1: 10, 9, 7, 3 -> (2 - 1) / 4
    assert table.loc["2023Q4", ["respondents", "promoters", "detractors"]].tolist() == [2, 0, 1]
    assert table.loc["2023Q4", "nps"] == pytest.approx(-0.5)
    assert table.loc["2024Q1", "nps"] == pytest.approx(0.25)
    assert table["respondents"].dtype == "int64"
    assert table.loc["2024Q1", "low"] == pytest.approx(sa.nps(pd.Series([10, 9, 7, 3]))["low"])
    with pytest.raises(CrmkitError, match="'quarter' or 'tier'"):
        sa.nps_by(SimpleNamespace(surveys=surveys), "year")
    with pytest.raises(MissingData, match="surveys"):
        sa.nps_by(SimpleNamespace(surveys=surveys.iloc[0:0]), "quarter")


def test_nps_by_tier_uses_the_tier_on_the_survey_day_best_first(sample):
    table = sa.nps_by(sample, "tier")
    surveys = sample.surveys
    tier = tiers_at(sample, surveys["customer_id"], surveys["survey_date"])
    order = [t for t in tier.cat.categories if (tier == t).any()]
    assert list(table.index) == order
    assert table["respondents"].sum() == len(surveys)
    first = order[0]
    assert table.loc[first, "nps"] == pytest.approx(
        sa.nps(surveys.loc[(tier == first).to_numpy(), "recommend"])["nps"]
    )


# -- the indicators of SA4 --------------------------------------------------------------------


def tiny(
    orders: list[tuple[str, str, float]],
    *,
    complaints: list[tuple[str, str]] = (),
    surveys: list[tuple[str, str, int, int]] = (),
    totals: list[tuple[str, str, float]] = (),
    analysis_date: str = "2025-12-31",
):
    """Sample-shaped data built from (customer, date, revenue) orders, (customer, opened)
    complaints, (customer, date, overall satisfaction, recommend) surveys and (customer,
    month, category total) rows; no contacts."""
    sample = load_sample()
    ids = sorted({o[0] for o in orders} | {s[0] for s in surveys} | {c[0] for c in complaints})
    order_rows = pd.DataFrame(
        [
            {"order_id": f"O{i}", "customer_id": c, "order_date": pd.Timestamp(d), "revenue": v}
            for i, (c, d, v) in enumerate(orders)
        ]
    )
    complaint_rows = pd.DataFrame(
        [
            {
                "complaint_id": f"Q{i}",
                "customer_id": c,
                "opened_at": pd.Timestamp(d),
                "compensation": 0.0,
            }
            for i, (c, d) in enumerate(complaints)
        ],
        columns=["complaint_id", "customer_id", "opened_at", "compensation"],
    )
    survey_rows = pd.DataFrame(
        [
            {
                "survey_id": f"S{i}",
                "customer_id": c,
                "survey_date": pd.Timestamp(d),
                "overall_satisfaction": overall,
                "recommend": rec,
            }
            for i, (c, d, overall, rec) in enumerate(surveys)
        ],
        columns=["survey_id", "customer_id", "survey_date", "overall_satisfaction", "recommend"],
    )
    for d in sa.DIMENSIONS:
        for kind in ("expect", "perceive", "importance"):
            survey_rows[f"{kind}_{d}"] = 4
    return dataclasses.replace(
        sample,
        customers=sample.customers.iloc[: len(ids)].assign(
            customer_id=ids, join_date=pd.Timestamp("2022-01-01"), referred_by=None
        ),
        orders=pd.concat([sample.orders.iloc[:0], order_rows], ignore_index=True),
        contacts=sample.contacts.iloc[:0],
        complaints=pd.concat([sample.complaints.iloc[:0], complaint_rows], ignore_index=True),
        surveys=survey_rows,
        category_purchases=pd.DataFrame(totals, columns=["customer_id", "month", "category_total"]),
        analysis_date=pd.Timestamp(analysis_date),
    )


def test_the_indicators_by_hand():
    data = tiny(
        [
            ("A", "2024-03-01", 100.0),
            ("B", "2024-05-01", 100.0),
            ("C", "2024-01-05", 100.0),  # the data starts in the earlier year's first month
            ("A", "2025-02-01", 150.0),
            ("B", "2025-06-01", 50.0),
            ("D", "2025-09-01", 130.0),
        ],
        complaints=[("A", "2025-03-04"), ("C", "2025-04-01"), ("D", "2024-06-01")],
        surveys=[
            ("A", "2025-03-01", 8, 10),
            ("B", "2025-04-01", 8, 9),
            ("D", "2025-10-01", 5, 5),
            ("A", "2025-11-01", 7, 7),
            ("B", "2024-06-01", 9, 10),  # before the last 12 months: not counted
        ],
    )
    table = sa.indicators(data)
    assert list(table.index) == ["reputation", "awareness", "return rate", "complaint rate",
                                 "sales power"]  # fmt: skip
    assert list(table.columns) == ["chinese", "value", "rule", "available"]
    assert table["chinese"].tolist() == ["美誉度", "知名度", "回头率", "抱怨率", "销售力"]
    assert table.loc["reputation", "value"] == pytest.approx(0.5)  # 10, 9 of 10, 9, 5, 7
    # 2024's buyers A, B, C; A and B bought again in 2025
    assert table.loc["return rate", "value"] == pytest.approx(2 / 3)
    # 2025's buyers A, B, D; A complained in 2025 (C too, but C bought nothing in 2025; D's
    # complaint is from 2024)
    assert table.loc["complaint rate", "value"] == pytest.approx(1 / 3)
    assert table.loc["sales power", "value"] == pytest.approx(330 / 300 - 1)  # 300 -> 330
    assert not table.loc["awareness", "available"]
    assert np.isnan(table.loc["awareness", "value"])
    assert table["available"].tolist() == [True, False, True, True, True]
    assert all(isinstance(rule, str) and rule.endswith(".") for rule in table["rule"])
    assert table.attrs["period"] == "12 months to 2025-12-31"


def test_indicators_the_data_cannot_carry_say_what_a_firm_would_need():
    data = tiny([("A", "2025-03-01", 100.0), ("B", "2025-06-01", 80.0)])  # one year, no log
    table = sa.indicators(data)
    assert table["available"].tolist() == [False, False, False, False, False]
    assert table["value"].isna().all()
    assert "needs survey answers" in table.loc["reputation", "rule"]
    assert "24 months" in table.loc["return rate", "rule"]
    assert "complaints" in table.loc["complaint rate", "rule"]
    # the periods move with the analysis date, not the clock
    later = sa.indicators(tiny([("A", "2026-03-01", 1.0)], analysis_date="2026-06-30"))
    assert later.attrs["period"] == "12 months to 2026-06-30"
    with pytest.raises(MissingData, match="orders"):
        sa.indicators(dataclasses.replace(data, orders=data.orders.iloc[0:0]))


# -- satisfied is not loyal (SA2) -------------------------------------------------------------


def loyalty_data():
    """Six respondents worked by hand (analysis date 2025-12-31, six months after a survey,
    five months of silence: surveys up to 2025-01-31 have a full follow-up)."""
    return tiny(
        [
            ("A", "2024-05-01", 100.0),
            ("A", "2024-06-10", 500.0),  # the survey day, in the survey's month: not counted
            ("A", "2024-07-01", 100.0),
            ("A", "2024-09-01", 100.0),
            ("A", "2025-12-01", 100.0),
            ("B", "2024-06-10", 100.0),  # B's only order: on the survey day
            ("C", "2024-03-01", 100.0),
            ("C", "2024-04-01", 100.0),
            ("D", "2023-06-01", 100.0),  # gone before D's survey
            ("E", "2025-03-01", 100.0),
            ("F", "2024-01-10", 100.0),
            ("F", "2024-05-10", 60.0),
            ("F", "2025-10-01", 60.0),
        ],
        surveys=[
            ("A", "2023-06-01", 3, 0),  # A's earlier survey: the latest one counts
            ("A", "2024-06-10", 10, 10),
            ("B", "2024-06-10", 9, 9),
            ("C", "2024-03-15", 5, 5),
            ("D", "2024-03-15", 7, 7),
            ("E", "2025-06-01", 2, 2),  # too recent for a full follow-up
            ("F", "2024-03-20", 8, 8),
        ],
        totals=[
            *[("A", f"2024-{m:02d}", 100.0) for m in range(7, 13)],
            ("A", "2024-06", 1000.0),  # the survey's month: outside the window
            ("A", "2025-01", 1000.0),  # after the six months
            *[("B", f"2024-{m:02d}", 50.0) for m in range(7, 13)],
            ("C", "2024-04", 400.0),
            *[("F", f"2024-{m:02d}", 100.0) for m in range(4, 10)],
        ],
    )


def test_loyalty_after_the_survey_by_hand():
    rows = sa.loyalty_after_survey(loyalty_data()).set_index("customer_id")
    assert list(rows.index) == ["A", "B", "C", "F"]  # D had left, E is too recent
    assert rows.loc["A", "satisfaction"] == 10  # the latest survey
    # repeat: an order after the survey day within six months
    assert rows["repeat"].to_dict() == {"A": True, "B": False, "C": True, "F": True}
    # churned: last order before survey day + 6 months (A: 2025-12, F: 2025-10 stay)
    assert rows["churned"].to_dict() == {"A": False, "B": True, "C": True, "F": False}
    # share of wallet over the six calendar months after the survey's month
    assert rows.loc["A", "share_of_wallet"] == pytest.approx(200 / 600)
    assert rows.loc["B", "share_of_wallet"] == 0.0
    assert rows.loc["C", "share_of_wallet"] == pytest.approx(100 / 400)
    assert rows.loc["F", "share_of_wallet"] == pytest.approx(60 / 600)


def test_satisfaction_against_loyalty_by_band_with_wilson_intervals():
    table = sa.satisfaction_loyalty(loyalty_data())
    assert list(table.columns) == [
        "respondents", "repeat_rate", "repeat_low", "repeat_high",
        "share_of_wallet", "churn_rate", "churn_low", "churn_high",
    ]  # fmt: skip
    assert list(table.index) == ["low (1–6)", "middle (7–8)", "high (9–10)"]  # C; F; A and B
    assert table["respondents"].tolist() == [1, 1, 2]
    assert table["repeat_rate"].tolist() == [1.0, 1.0, 0.5]
    assert table["churn_rate"].tolist() == [1.0, 0.0, 0.5]
    assert table.loc["high (9–10)", "share_of_wallet"] == pytest.approx((1 / 3 + 0) / 2)
    # Wilson for 1 of 2: centre (1 + z^2/2) / (2 + z^2) = 0.5, half-width
    # z / (2 + z^2) * sqrt(1 * 1 / 2 + z^2 / 4) = 1.96 / 5.8415 * 1.20847 = 0.405469
    assert table.loc["high (9–10)", "repeat_low"] == pytest.approx(0.094531, abs=1e-5)
    assert table.loc["high (9–10)", "churn_high"] == pytest.approx(0.905469, abs=1e-5)
    summary = sa.satisfied_not_loyal(loyalty_data())
    assert summary["highly_satisfied"] == 2
    assert summary["not_loyal"] == 1  # B: no order after the survey, and gone
    assert summary["not_loyal_share"] == pytest.approx(0.5)
    # Spearman: satisfaction 10, 9, 5, 8 ranks 4, 3, 1, 2; share 1/3, 0, 1/4, 1/10 ranks
    # 4, 1, 3, 2; d = 0, 2, -2, 0; rho = 1 - 6 * 8 / (4 * 15) = 0.2
    assert summary["spearman"] == pytest.approx(0.2)
    with pytest.raises(CrmkitError, match="whole number"):
        sa.satisfaction_loyalty(loyalty_data(), months=0)


def test_on_the_sample_loyalty_rises_only_loosely_with_satisfaction(sample):
    table = sa.satisfaction_loyalty(sample)
    assert list(table.index) == list(sa.BANDS)
    assert (table["repeat_low"] <= table["repeat_rate"]).all()
    assert (table["churn_rate"] <= table["churn_high"]).all()
    rows = sa.loyalty_after_survey(sample)
    assert rows["customer_id"].is_unique
    assert table["respondents"].sum() == len(rows)
    assert (rows["survey_date"] <= churn.follow_up_limit(sample, 6)).all()
    summary = sa.satisfied_not_loyal(sample)
    assert -1 < summary["spearman"] < 1
    assert summary["highly_satisfied"] == table.loc["high (9–10)", "respondents"]


def test_loyalty_needs_surveys_orders_and_category_totals(sample):
    for table in ("surveys", "category_purchases", "orders"):
        empty = dataclasses.replace(sample, **{table: getattr(sample, table).iloc[0:0]})
        with pytest.raises(MissingData):
            sa.satisfaction_loyalty(empty)
        with pytest.raises(MissingData):
            sa.satisfied_not_loyal(empty)


# -- PDCA on the weakest dimension (SA6) ------------------------------------------------------


def dated(rows: list[dict], dates: list[str]) -> pd.DataFrame:
    return survey(rows).assign(survey_date=pd.to_datetime(dates))


def test_a_pdca_cycle_by_hand():
    # responsiveness gaps -2, -2, -1, -1 in January; 0, 0, +1, +1 in March
    before = [{"responsiveness": (6, p, 6)} for p in (4, 4, 5, 5)]
    after = [{"responsiveness": (6, p, 6)} for p in (6, 6, 7, 7)]
    dates = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    dates += ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]
    table = sa.pdca(dated(before + after, dates))
    assert list(table.columns) == ["step", "chinese", "what", "figure"]
    assert table["step"].tolist() == ["plan", "do", "check", "act"]
    assert table["chinese"].tolist() == ["计划", "执行", "检查", "处理"]
    # the default cut: halfway from 1 January to 4 March is 1 February
    assert table.attrs["split_date"] == pd.Timestamp("2024-02-01")
    assert table.attrs["dimension"] == "responsiveness"
    assert table["figure"].iloc[0] == pytest.approx(-1.5)  # the gap before the cut
    assert (
        "responsiveness" in table["what"].iloc[0] and "1.50 points below" in table["what"].iloc[0]
    )
    assert sa.service_actions().loc["responsiveness", "action"] in table["what"].iloc[1]
    # Welch: means -1.5 and 0.5, variances 1/3 each over 4 answers: se = sqrt(1/6) = 0.408248,
    # df = (1/6)^2 / (2 * (1/12)^2 / 3) = 6, t(0.975, 6) = 2.446912: 2 +- 0.998948
    assert table["figure"].iloc[2] == pytest.approx(2.0)
    assert table.attrs["low"] == pytest.approx(1.001052, abs=1e-5)
    assert table.attrs["high"] == pytest.approx(2.998948, abs=1e-5)
    assert table.attrs["real"] and "real at 95%" in table["what"].iloc[2]
    assert table["what"].iloc[3].startswith("Standardise")
    assert table["figure"].iloc[3] == pytest.approx(0.5)


def test_pdca_runs_another_cycle_when_the_change_is_not_real():
    rows = [{"responsiveness": (6, p, 6)} for p in (4, 5, 4, 5)]
    dates = ["2024-01-01", "2024-01-02", "2024-03-01", "2024-03-02"]
    table = sa.pdca(dated(rows, dates))
    assert not table.attrs["real"]
    assert "cannot tell it from chance" in table["what"].iloc[2]
    assert "another cycle" in table["what"].iloc[3]
    assert np.isnan(table["figure"].iloc[1])
    # a cut of one's own: everything before it, nothing after
    with pytest.raises(MissingData, match="two surveys"):
        sa.pdca(dated(rows, dates), split_date="2025-01-01")
    with pytest.raises(MissingData, match="surveys"):
        sa.pdca(dated(rows, dates).iloc[0:0])


def test_pdca_on_the_sample_works_on_the_weakest_dimension(sample):
    table = sa.pdca(sample.surveys)
    dates = sample.surveys["survey_date"]
    split = table.attrs["split_date"]
    assert dates.min() < split <= dates.max()
    before = sample.surveys[dates < split]
    gaps = sa.gap_scores(before).drop(index=["overall", "overall, weighted by importance"])
    assert table.attrs["dimension"] == gaps["gap"].idxmin()
    assert table.attrs["low"] < table["figure"].iloc[2] < table.attrs["high"]


# -- customer needs (SA7) and service stages (SA8) --------------------------------------------


def test_needs_and_stages_point_at_survey_dimensions():
    needs = sa.customer_needs()
    assert list(needs.index) == ["information", "environment", "emotional", "convenience"]
    assert needs["chinese"].tolist() == ["信息", "环境", "情感", "便利"]
    stages = sa.service_stages()
    assert list(stages.index) == ["pre-sale", "in-sale", "after-sale"]
    assert stages["chinese"].tolist() == ["售前", "售中", "售后"]
    for frame in (needs, stages):
        listed = {d for cell in frame["dimensions"] for d in cell.split(";")}
        assert listed <= set(sa.DIMENSIONS)
    every = {d for cell in needs["dimensions"] for d in cell.split(";")}
    assert every == set(sa.DIMENSIONS)  # each dimension speaks to some need
    assert list(sa.service_actions().index) == list(sa.DIMENSIONS)


def test_need_gaps_average_their_dimensions_by_hand():
    rows = [
        {
            "reliability": (6, 4, 4),
            "tangibles": (4, 5, 4),
            "responsiveness": (6, 5, 4),
            "assurance": (4, 5, 4),
        }
    ]
    gaps = sa.need_gaps(survey(rows))
    assert list(gaps.columns) == ["chinese", "dimensions", "gap"]
    # gaps: reliability -2, tangibles +1, responsiveness -1, empathy 0, assurance +1
    assert gaps.loc["information", "gap"] == pytest.approx(0.0)  # assurance, responsiveness
    assert gaps.loc["environment", "gap"] == pytest.approx(1.0)  # tangibles
    assert gaps.loc["emotional", "gap"] == pytest.approx(0.0)  # empathy
    assert gaps.loc["convenience", "gap"] == pytest.approx(-1.5)  # reliability, responsiveness
    with pytest.raises(MissingData):
        sa.need_gaps(survey(rows).iloc[0:0])


def test_an_unknown_dimension_in_a_needs_file_is_named(tmp_path, monkeypatch):
    for spec in content.TABLES.values():
        (tmp_path / spec.file).write_bytes((content.FOLDER / spec.file).read_bytes())
    path = tmp_path / "customer_needs.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";responsiveness", ";speed", 1),
                    encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(content, "FOLDER", tmp_path)
    with pytest.raises(CrmkitError, match=r"customer_needs.csv: information: .*'speed'"):
        sa.customer_needs()
