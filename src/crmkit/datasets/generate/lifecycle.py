"""The relationship lifecycle: when each customer joins and enters each stage (LC1, LC5).

Stage rule of the truth table (`lifecycle_truth`): the relationship's pattern follows from
the stage in which decline starts: in exploration = early_abort (the trial simply stops), in
formation = midway, after less than 12 months of stability = early_exit, later (or never,
within the window) = long_term.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crmkit.datasets.generate.draws import expand
from crmkit.datasets.generate.frames import frame
from crmkit.datasets.generate.period import MONTHS, NEVER, days_in_month, month_labels, month_start

_PATTERN_P = np.array([0.215, 0.205, 0.165, 0.415])  # planned; complaints move a few earlier
_EXISTING_P = np.array([0.0, 0.15, 0.40, 0.65])  # share already a customer before 2023


@dataclass(frozen=True)
class Lifecycle:
    """Month index of joining and of the start of each stage, one entry per customer.

    `formation`, `stability`, `decline` and `ended` are the first month of that stage
    (NEVER if it does not start); exploration starts in the joining month `joined`.
    """

    joined: np.ndarray  # month index, negative for customers from before 2023
    join_day: np.ndarray  # day index of joining (the first order's day)
    formation: np.ndarray
    stability: np.ndarray
    decline: np.ndarray
    ended: np.ndarray

    @property
    def first_month(self) -> np.ndarray:
        """First month of the customer in the window (0 for those who joined before)."""
        return np.maximum(self.joined, 0)

    def stage_at(self, month: np.ndarray, who: np.ndarray | None = None) -> np.ndarray:
        """Stage code (0 exploration .. 4 ended) of customers `who` (default all) in `month`."""
        w = slice(None) if who is None else who
        return (
            (month >= self.formation[w]).astype(np.int8)
            + (month >= self.stability[w]).astype(np.int8)
            + (month >= self.decline[w]).astype(np.int8)
            + (month >= self.ended[w]).astype(np.int8)
        )

    def pattern(self) -> np.ndarray:
        """LC5 pattern code from the stage in which decline starts (see the module docstring)."""
        tf, ts, td = self.formation, self.stability, self.decline
        return np.select([td <= tf, td <= ts, td - ts < 12], [0, 1, 2], default=3).astype(np.int8)

    def leave_from(self, month: np.ndarray, quick: np.ndarray) -> Lifecycle:
        """The lifecycle when customers decide to leave in `month` (NEVER = stay as planned).

        A decision after the planned decline or the window changes nothing. Leaving during
        exploration ends the trial at once; later, the decline lasts `quick` months.
        """
        tf, ts, td = self.formation, self.stability, self.decline
        hit = (month < td) & (month <= MONTHS - 1)
        in_ex = hit & (month <= tf)
        in_form = hit & ~in_ex & (month <= ts)
        in_stab = hit & ~in_ex & ~in_form
        return replace(
            self,
            formation=np.where(in_ex, month, tf),
            stability=np.where(in_ex | in_form, month, ts),
            decline=np.where(hit, month, td),
            ended=np.where(in_ex, month, np.where(in_form | in_stab, month + quick, self.ended)),
        )


def plan_lifecycle(r: np.random.Generator, n: int) -> Lifecycle:
    """Plan each customer's stages along one of the four LC5 patterns, in plausible shares.

    New customers join early enough for their pattern to show within the window; some
    midway, early-exit and long-term customers were already trading before 2023. Complaints
    can later end a relationship earlier than planned (see `Lifecycle.leave_from`).
    """
    pat = r.choice(4, size=n, p=_PATTERN_P)
    existing = r.random(n) < _EXISTING_P[pat]
    ex = r.choice([1, 2, 3, 4], size=n, p=[0.25, 0.35, 0.25, 0.15])
    ex = np.where(pat == 0, r.choice([1, 2, 3, 4, 5], size=n, p=[0.2, 0.3, 0.25, 0.15, 0.1]), ex)
    form = r.integers(3, 10, n)
    stab = r.integers(3, 12, n)
    dl = np.select([pat == 1, pat == 2], [r.integers(1, 4, n), r.integers(2, 6, n)], 0)
    dl = np.where(pat == 3, r.integers(2, 7, n), dl)
    late_end = (pat == 3) & (r.random(n) < 0.22)
    u = r.random(n)
    # join month of new customers: early enough for the pattern to show within the window
    span = np.select([pat == 0, pat == 1, pat == 2], [ex, ex + form + dl, ex + form + stab], 0)
    span = np.where(pat == 3, ex + form + 12, span)
    max_join = np.maximum(MONTHS - 1 - span, 0)
    j = np.floor(u * (max_join + 1)).astype(np.int64)
    # customers already trading before 2023
    j_lt = -(ex + form + 1) - np.floor(r.random(n) * 100).astype(np.int64)
    ts_ee = -8 + np.floor(r.random(n) * (np.minimum(4, ex + form - 1) + 9)).astype(np.int64)
    j_ee = ts_ee - form - ex
    tf_mw = -np.floor(r.random(n) * 4).astype(np.int64)
    j_mw = tf_mw - ex
    j = np.where(existing & (pat == 3), j_lt, j)
    j = np.where(existing & (pat == 2), j_ee, j)
    j = np.where(existing & (pat == 1), j_mw, j)
    tf = j + ex
    ts = tf + form
    td = np.full(n, NEVER, dtype=np.int64)
    td = np.where(pat == 0, tf, td)
    td = np.where(pat == 1, np.maximum(ts, 1), td)
    ts = np.where(pat == 1, td, ts)
    td = np.where(pat == 2, np.maximum(ts + stab, 1), td)
    lt_decl = np.maximum(ts + 24, 12) + np.floor(r.random(n) * 30).astype(np.int64)
    td = np.where(late_end, lt_decl, td)
    tf = np.where(pat == 0, td, tf)
    ts = np.where(pat == 0, td, ts)
    te = np.where(td >= NEVER, NEVER, td + dl)
    join_day = month_start(j) + np.floor(r.random(n) * days_in_month(j)).astype(np.int64)
    return Lifecycle(joined=j, join_day=join_day, formation=tf, stability=ts, decline=td, ended=te)


@dataclass(frozen=True)
class MonthGrid:
    """One row per customer and month from the customer's first month in the window."""

    customer: np.ndarray
    month: np.ndarray
    first_row: np.ndarray  # grid row of each customer's first month
    first_month: np.ndarray  # that month

    def row(self, customer: np.ndarray, month: np.ndarray) -> np.ndarray:
        """Grid row of `customer` in `month`."""
        return self.first_row[customer] + month - self.first_month[customer]

    def table_order(self, rank: np.ndarray) -> np.ndarray:
        """Grid rows sorted by customer id (`rank`), then month: the order of monthly tables."""
        return np.lexsort((self.month, rank[self.customer]))


def month_grid(life: Lifecycle) -> MonthGrid:
    """The customer-month grid of `life` (the rows of lifecycle_truth and category_purchases)."""
    jm = life.first_month
    customer, pos = expand(MONTHS - jm)
    return MonthGrid(
        customer=customer,
        month=jm[customer] + pos,
        first_row=np.cumsum(MONTHS - jm) - (MONTHS - jm),
        first_month=jm,
    )


def lifecycle_table(
    grid: MonthGrid, stage: np.ndarray, life: Lifecycle, cid: np.ndarray, rank: np.ndarray
) -> pd.DataFrame:
    """The truth table: every customer's stage each month and its relationship pattern."""
    o = grid.table_order(rank)
    return frame(
        "lifecycle_truth",
        {
            "customer_id": cid[grid.customer[o]],
            "month": month_labels()[grid.month[o]],
            "stage": stage[o],
            "pattern": life.pattern()[grid.customer[o]],
        },
    )
