"""Customer tiers (客户分层): rank customers by value and cut the ranking into four tiers.

The pyramid lesson teaches them (PY1, PY2); value analysis and key-account
profiles use them too, so they live here rather than in one topic's module.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.customer_base import (
    best_first,
    customer_profit,
    net_total,
    require_known,
)
from crmkit.errors import CrmkitError


@dataclass(frozen=True)
class TierScheme:
    """A naming scheme for four tiers, best first, in English and Chinese."""

    key: str
    names: tuple[str, str, str, str]
    chinese: tuple[str, str, str, str]
    source: str


SCHEMES = {
    "vip": TierScheme(
        "vip",
        ("VIP", "major", "ordinary", "small"),
        ("VIP客户", "主要客户", "普通客户", "小客户"),
        "seed 003",
    ),
    "metal": TierScheme(
        "metal",
        ("platinum", "gold", "iron", "lead"),
        ("铂金层", "黄金层", "钢铁层", "重铅层"),
        "seed 003",
    ),
}

METHODS = ("percentile", "profit_share")
#: Default cut-offs: top 5% / next 15% / next 30% of customers, or the customers
#: bringing the first 50% / next 30% / next 15% of the net total profit.
DEFAULT_CUTOFFS = {"percentile": (0.05, 0.20, 0.50), "profit_share": (0.50, 0.80, 0.95)}


def scheme(name: str) -> TierScheme:
    """The naming scheme 'vip' or 'metal', with a friendly error for anything else."""
    if name not in SCHEMES:
        raise CrmkitError(f"unknown naming scheme '{name}'; choose one of {sorted(SCHEMES)}")
    return SCHEMES[name]


def _check_cutoffs(cutoffs: Sequence[float], method: str) -> tuple[float, float, float]:
    if method not in METHODS:
        raise CrmkitError(f"unknown method '{method}'; choose 'percentile' or 'profit_share'")
    if len(cutoffs) != 3:
        raise CrmkitError(f"give three cut-offs for four tiers, e.g. {DEFAULT_CUTOFFS[method]}")
    a, b, c = (float(x) for x in cutoffs)
    if not 0 < a < b < c <= 1:
        raise CrmkitError(f"cut-offs must rise between 0 and 1 (0 < a < b < c <= 1); got {a, b, c}")
    return a, b, c


def assign_tiers(
    values: pd.Series,
    *,
    method: str = "percentile",
    cutoffs: Sequence[float] | None = None,
    scheme_name: str = "vip",
) -> pd.DataFrame:
    """Cut customers ranked by `values` (profit or revenue) into four tiers.

    Customers are ranked best first, ties broken by customer id, so the input
    order never matters. Two rules (PY1 leaves the choice to the firm):

    - 'percentile': by position in the ranking. With cut-offs (0.05, 0.20, 0.50)
      the best 5% of customers form tier 1, the next 15% tier 2, the next 30%
      tier 3 and the rest tier 4. A customer is in tier 1 while the share of
      customers ranked above it is below 0.05, and so on.
    - 'profit_share': by the running share of the total, the net sum of the
      values (losses included: the basis of every share in the workbook, so
      with loss makers the best customers bring more than 100% of it, as the
      whale curve shows). A customer is in tier 1 while the share brought by
      the customers above it is below the first cut-off (so the customer who
      crosses 50% still belongs to tier 1), and so on. Customers with zero or
      negative value are always in the bottom tier under this rule.

    Columns: value, rank (1 = best), customer_share_before, value_share_before
    and tier (an ordered categorical of the scheme's names, best first).
    """
    cutoffs = DEFAULT_CUTOFFS.get(method, ()) if cutoffs is None else cutoffs
    a, b, c = _check_cutoffs(cutoffs, method)
    names = scheme(scheme_name).names
    if values is None or len(values) == 0:
        raise CrmkitError("no customers to put in tiers")
    values = pd.Series(values, dtype=float)
    require_known(values, "tiering")
    order = best_first(values)
    ranked = order.to_numpy()
    n = len(ranked)
    customers_before = np.arange(n) / n
    value_before = np.concatenate([[0.0], np.cumsum(ranked)[:-1]])
    if method == "profit_share":
        share_before = value_before / net_total(ranked, "use method='percentile'")
    else:  # shown for reference only: the percentile rule does not use it
        total = ranked.sum()
        share_before = value_before / total if total > 0 else np.zeros(n)
    eps = 1e-12
    position = customers_before if method == "percentile" else share_before
    tier_no = np.select([position < a - eps, position < b - eps, position < c - eps], [0, 1, 2], 3)
    if method == "profit_share":
        tier_no = np.where(ranked <= 0, 3, tier_no)
    out = pd.DataFrame(
        {
            "value": ranked,
            "rank": np.arange(1, n + 1),
            "customer_share_before": customers_before,
            "value_share_before": share_before,
            "tier": pd.Categorical.from_codes(tier_no, categories=list(names), ordered=True),
        },
        index=pd.Index(order.index, name=values.index.name or "customer_id"),
    )
    return out


#: What `tiers_at` calls a customer with no orders in the 12 months before the date.
NO_TIER = "no tier yet"


def tiers_at(
    data,
    customer_ids: pd.Series,
    dates: pd.Series,
    *,
    months: int = 12,
    scheme_name: str = "vip",
) -> pd.Series:
    """Each customer's tier on a date: tiers by profit over the `months` whole months
    before the date's month (`assign_tiers`, percentile rule), as the firm knew it then.

    One value per row of `customer_ids` and `dates` (aligned Series); an ordered
    categorical best first with NO_TIER last, for a customer who bought nothing in those
    months (new, or back after a long pause).

    Speed: profit is a sum of dated rows, so a window's profit is the sum of its months'.
    Each month's profit is computed once (`customer_profit` on that month's rows alone)
    and each window adds up its months: the same figures as one `customer_profit` call
    per window, without hashing every order's customer id once per window.
    """
    names = [*scheme(scheme_name).names, NO_TIER]
    ids = pd.Series(customer_ids).reset_index(drop=True).astype(str)
    starts = pd.to_datetime(pd.Series(dates).reset_index(drop=True)).dt.to_period("M")
    out = np.full(len(ids), NO_TIER, dtype=object)
    wanted = sorted(starts.dropna().unique())
    if wanted:
        span = pd.period_range(wanted[0] - months, wanted[-1] - 1, freq="M")
        values, orders, who, measure = _monthly_values(data, span)
        # running sums over months: a window's total is a difference of two of them
        run_values = np.vstack([np.zeros(len(who)), np.cumsum(values, axis=0)])
        run_orders = np.vstack([np.zeros(len(who)), np.cumsum(orders, axis=0)])
        for month in wanted:
            end = (month - span[0]).n  # months of the span before this one
            begin = max(end - months, 0)
            bought = run_orders[end] - run_orders[begin] > 0
            if not bought.any():
                continue
            total = pd.Series(np.round(run_values[end] - run_values[begin], 6), index=who)
            tiered = assign_tiers(total[bought], scheme_name=scheme_name)["tier"]
            rows = np.flatnonzero((starts == month).to_numpy())
            found = tiered.reindex(ids.iloc[rows]).astype(object)
            out[rows] = found.where(found.notna(), NO_TIER).to_numpy()
    index = pd.Series(customer_ids).index
    return pd.Series(pd.Categorical(out, categories=names, ordered=True), index=index, name="tier")


def _with_tables(data, tables: dict):
    """A shallow copy of `data` (a SampleData or any object with the same tables) holding
    `tables` instead of its own."""
    view = copy.copy(data)
    for name, frame in tables.items():
        object.__setattr__(view, name, frame)  # SampleData may be frozen
    return view


def _monthly_values(data, span: pd.PeriodIndex):
    """Per month of `span` and customer: the ranking measure (profit, or revenue where the
    data has no margins) and the number of orders, as (months x customers) arrays, with
    the customer ids and the measure's name."""
    first = span[0].year * 12 + span[0].month - 1
    sliced = {}
    for name, column in (
        ("orders", "order_date"),
        ("contacts", "contact_date"),
        ("complaints", "opened_at"),
    ):
        frame = getattr(data, name)
        when = pd.to_datetime(frame[column])
        month_no = (when.dt.year * 12 + when.dt.month - 1 - first).to_numpy()
        order = np.argsort(month_no, kind="stable")
        bounds = np.searchsorted(month_no[order], np.arange(len(span) + 1))
        sliced[name] = (frame.iloc[order], bounds)
    tables = []
    for i in range(len(span)):
        parts = {name: rows.iloc[b[i] : b[i + 1]] for name, (rows, b) in sliced.items()}
        tables.append(customer_profit(_with_tables(data, parts), customers="all"))
    measure = "profit" if any(t["profit"].notna().any() for t in tables) else "revenue"
    values = np.vstack([t[measure].fillna(0.0).to_numpy(dtype=float) for t in tables])
    counts = np.vstack([t["orders"].to_numpy(dtype=float) for t in tables])
    return values, counts, tables[0].index, measure
