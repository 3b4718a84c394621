"""Satisfaction surveys: expectation, perception and importance per service dimension (SA1, SA3).

Expectations and perceptions differ by dimension, so gap and importance-performance analysis
single out a weakest one; recent complaints and a coming departure lower the scores, and
satisfaction and likelihood to recommend correlate only loosely (SA2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.datasets.generate.complaints import Complaints
from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.draws import day_in_month
from crmkit.datasets.generate.frames import frame, ids
from crmkit.datasets.generate.lifecycle import Lifecycle, MonthGrid
from crmkit.datasets.generate.period import as_dates

DIMENSIONS = ("reliability", "tangibles", "responsiveness", "empathy", "assurance")
_EXPECT = np.array([6.2, 4.8, 6.0, 5.3, 5.6])
_GAP = np.array([-0.35, 0.25, -1.35, -0.25, 0.1])  # responsiveness falls short most
_IMPORTANCE = np.array([6.1, 4.2, 6.3, 5.0, 5.5])


@dataclass(frozen=True)
class Surveys:
    """One entry per answered survey; scores per dimension are columns of (n, 5) arrays."""

    customer: np.ndarray
    day: np.ndarray
    expect: np.ndarray
    perceive: np.ndarray
    importance: np.ndarray
    overall: np.ndarray  # 1-10
    recommend: np.ndarray  # 0-10


def simulate_surveys(
    r: np.random.Generator,
    shops: Shops,
    life: Lifecycle,
    grid: MonthGrid,
    complaints: Complaints,
) -> Surveys:
    """About one survey a year per active customer, answered by six in ten.

    Mood rises for customers who will still be here in a year and falls with service failures
    and the complaints of the last 12 months.
    """
    n = len(life.joined)
    parts = []
    for year in range(3):
        sm = 12 * year + r.integers(2, 11, n)
        ok = (sm >= life.first_month) & (life.stage_at(sm) < 4) & (r.random(n) < 0.6)
        idx = np.flatnonzero(ok)
        parts.append((idx, sm[idx], day_in_month(r, sm[idx], life.join_day[idx])))
    cust = np.concatenate([p[0] for p in parts])
    month = np.concatenate([p[1] for p in parts])
    day = np.concatenate([p[2] for p in parts])
    ns = len(cust)
    stays = life.ended[cust] > month + 12
    # complaints in the 12 months up to the survey: service failures the customer remembers
    q_rows = grid.row(complaints.customer, complaints.month)
    cum = np.concatenate([[0], np.cumsum(np.bincount(q_rows, minlength=len(grid.customer)))])
    since = np.maximum(month - 11, life.first_month[cust])
    recent_q = cum[grid.row(cust, month) + 1] - cum[grid.row(cust, since)]
    mood = (
        0.42 * np.where(stays, 1.0, -1.0)
        - 0.35 * np.log(shops.failure[cust])
        - 0.45 * np.minimum(recent_q, 3)
        + r.normal(0.0, 0.55, ns)
    )
    expect_level = r.normal(0.0, 0.45, ns) + np.where(shops.format[cust] == 1, 0.3, 0.0)
    e_raw = _EXPECT[None, :] + expect_level[:, None] + r.normal(0, 0.6, (ns, 5))
    p_raw = e_raw + _GAP[None, :] + mood[:, None] + r.normal(0, 0.65, (ns, 5))
    i_raw = _IMPORTANCE[None, :] + r.normal(0, 0.75, (ns, 5))
    e_sc = np.clip(np.round(e_raw), 1, 7).astype(np.int64)
    p_sc = np.clip(np.round(p_raw), 1, 7).astype(np.int64)
    i_sc = np.clip(np.round(i_raw), 1, 7).astype(np.int64)
    wgap = ((p_sc - e_sc) * i_sc).sum(axis=1) / i_sc.sum(axis=1)
    overall = np.clip(np.round(7.0 + 1.25 * wgap + r.normal(0, 1.0, ns)), 1, 10).astype(np.int64)
    recommend = np.clip(
        np.round(6.6 + 0.45 * (overall - 6.0) + r.normal(0, 2.2, ns)), 0, 10
    ).astype(np.int64)
    return Surveys(
        customer=cust,
        day=day,
        expect=e_sc,
        perceive=p_sc,
        importance=i_sc,
        overall=overall,
        recommend=recommend,
    )


def surveys_table(surveys: Surveys, cid: np.ndarray) -> pd.DataFrame:
    """The surveys table in date order, three score columns per dimension."""
    o = np.lexsort((surveys.customer, surveys.day))
    columns: dict[str, object] = {
        "survey_id": ids("S", len(o), 5),
        "customer_id": cid[surveys.customer[o]],
        "survey_date": as_dates(surveys.day[o]),
        "overall_satisfaction": surveys.overall[o],
        "recommend": surveys.recommend[o],
    }
    for d, dim in enumerate(DIMENSIONS):
        columns[f"expect_{dim}"] = surveys.expect[o, d]
        columns[f"perceive_{dim}"] = surveys.perceive[o, d]
        columns[f"importance_{dim}"] = surveys.importance[o, d]
    return frame("surveys", columns)
