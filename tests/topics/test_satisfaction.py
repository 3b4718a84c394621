"""Satisfaction measures: gap scores, importance–performance quadrants and the net promoter
score with its adjusted-Wald interval, each checked by hand on small surveys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmkit import satisfaction as sa
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData


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
