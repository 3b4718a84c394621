"""The customer pyramid (客户金字塔): tiers, the whale curve, migration, tier responses.

The pyramid ranks customers by what they are worth to the firm, profit first
(PY1: by revenue or profit, never by how often they visit), cuts the ranking
into tiers under one of two naming schemes (PY2), and says what management
does with each tier (PY3, PY7). Year on year, customers move between tiers
(PY6), which is why the tiers are recomputed every year rather than kept.
Profit per customer comes from `crmkit.customer_base`; the tiers themselves
from `crmkit.tiers`, which the other topics share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.customer_base import SERVICE_PARTS, require_known
from crmkit.errors import CrmkitError
from crmkit.tiers import (  # noqa: F401  (the pyramid lesson names them from here)
    DEFAULT_CUTOFFS,
    METHODS,
    SCHEMES,
    TierScheme,
    assign_tiers,
    scheme,
)


def profit_waterfall(row: pd.Series) -> pd.DataFrame:
    """The steps from margin at list price to profit for one customer (a profitability row).

    Columns: step, amount (signed), running (the total after the step).
    """
    steps = [
        ("margin before discount", row["margin_before_discount"]),
        ("discounts", 0.0 - row["discounts"]),
    ]
    steps += [(name.replace("_", " "), 0.0 - row[name]) for name in SERVICE_PARTS]
    frame = pd.DataFrame(steps, columns=["step", "amount"])
    frame["running"] = frame["amount"].cumsum()
    total = pd.DataFrame([{"step": "profit", "amount": row["profit"], "running": row["profit"]}])
    return pd.concat([frame, total], ignore_index=True)


def tier_summary(table: pd.DataFrame, tiers: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue, cost to serve and profit per tier, with shares of the whole.

    `table` is a `profitability` frame; `tiers` the tier of each customer (the
    `assign_tiers` frame or its 'tier' column). Rules: customer_share = the
    tier's customers / all customers; profit_share = the tier's profit / the
    total profit (signed, so the shares add up to 1 and a loss-making tier has
    a negative share); profit_per_customer = the tier's profit / its customers.
    Every tier of the scheme appears, empty ones with zeros.
    """
    tier = tiers["tier"] if isinstance(tiers, pd.DataFrame) else tiers
    position = table.index.get_indexer(tier.index)
    if (position < 0).any():
        missing = tier.index[position < 0]
        raise CrmkitError(
            f"{len(missing)} tiered customers are not in the profit table, e.g. {list(missing[:3])}"
        )
    if not isinstance(tier.dtype, pd.CategoricalDtype):
        tier = tier.astype("category")
    names, code = tier.cat.categories, tier.cat.codes.to_numpy()
    if (code < 0).any():
        raise CrmkitError(f"{int((code < 0).sum())} customers have no tier; tier every customer")
    k = len(names)
    out = pd.DataFrame(index=pd.Index([str(t) for t in names], name="tier"))
    out["customers"] = np.bincount(code, minlength=k)
    out["customer_share"] = out["customers"] / out["customers"].sum()
    for column in ("revenue", "cost_to_serve", "profit"):
        values = table[column].to_numpy(dtype=float)[position]
        out[column] = np.bincount(code, weights=values, minlength=k)
    if table["profit"].isna().all():  # no margins in the data: every tier's profit unknown
        out["profit"] = np.nan
    total = out["profit"].sum()
    out["profit_share"] = out["profit"] / total if total else np.nan
    # zero for an empty tier; unknown (NaN) where the data has no margins
    per = out["profit"] / out["customers"].replace(0, np.nan)
    out["profit_per_customer"] = per.where(out["customers"] > 0, 0.0)
    return out


def per_customer(summary: pd.DataFrame) -> pd.DataFrame:
    """What one customer of each tier costs to serve and earns, from a `tier_summary` frame.

    The question of PY7 (does service follow value?) needs profit, so data without margins
    gives MissingData (one sentence in a lesson) instead of a column of unknowns.
    """
    require_known(summary["profit"], "comparing service with profit")
    customers = summary["customers"].replace(0, np.nan)
    out = pd.DataFrame(
        {
            "cost to serve per customer": summary["cost_to_serve"] / customers,
            "profit per customer": summary["profit"] / customers,
        }
    )
    return out.fillna(0.0).rename_axis("tier")


# -- the whale curve -------------------------------------------------------------------------


def whale_curve(profit: pd.Series) -> pd.DataFrame:
    """Cumulative profit against the share of customers, ranked from most to least profitable.

    Columns: customer_share (0 to 1), cum_profit, cum_profit_share (of the
    total profit). It rises above 1 while the profitable customers are counted
    and falls back to exactly 1 as the loss makers are added: the hump above
    100% is the profit the loss makers destroy. Starts with a (0, 0) point.
    """
    if profit is None or len(profit) == 0:
        raise CrmkitError("no customers for a whale curve")
    require_known(pd.Series(profit, dtype=float), "drawing the whale curve")
    ranked = np.sort(pd.Series(profit, dtype=float).to_numpy())[::-1]
    total = ranked.sum()
    if total <= 0:
        raise CrmkitError("the customers make no profit in total, so the curve has no 100% mark")
    cum = np.concatenate([[0.0], np.cumsum(ranked)])
    return pd.DataFrame(
        {
            "customer_share": np.arange(len(ranked) + 1) / len(ranked),
            "cum_profit": cum,
            "cum_profit_share": cum / total,
        }
    )


def whale_peak(profit: pd.Series) -> dict[str, float]:
    """Where the whale curve peaks: the share of customers and the share of profit there.

    Also gives 'destroyed', the profit lost by the loss makers, as a share of
    the total: the height of the hump above 100%.
    """
    curve = whale_curve(profit)
    i = int(curve["cum_profit_share"].to_numpy().argmax())
    peak = float(curve["cum_profit_share"].iloc[i])
    return {
        "customer_share": float(curve["customer_share"].iloc[i]),
        "profit_share": peak,
        "destroyed": peak - 1.0,
    }


def whale_note(table: pd.DataFrame, measure: str = "profit") -> str:
    """Why the whale curve of `table` (a `customer_profit` frame) ranked by `measure` has no
    hump, or a smaller one than it would have: "" where the data shows the full hump.

    Rules: ranked by revenue (no margins) only returns can fall below zero; with no visits,
    calls or complaints in the data serving costs nothing, so only discounts make losses;
    with both, a curve without a hump means no customer lost us money that year.
    """
    values = table[measure]
    losses = bool((values < 0).any())
    if measure == "revenue":
        return (
            "Revenue stands in for profit (this data has no margins). The hump is made by "
            "customers who lose us money, and revenue cannot show them: only returns take it "
            "below zero. "
            + ("Here returns make the small hump." if losses else "So the curve has no hump.")
        )
    if float(table["cost_to_serve"].abs().sum()) == 0.0:
        return (
            "This data has no visits, calls or complaints, so serving a customer costs nothing "
            "in it and only discounts deeper than the margin make a loss: "
            + (
                "the hump is smaller than it would be with the cost of serving."
                if losses
                else "so the curve has no hump, though the real cost of serving may make one."
            )
        )
    if float(table["contacts"].sum()) == 0.0:
        return (
            "This data has no visits or calls, so the cost to serve counts complaint handling "
            "only, and the hump is smaller than it would be with the cost of every contact."
        )
    if not losses:
        return "No customer lost us money in this period, so the curve has no hump."
    return ""


# -- PY6: tier migration --------------------------------------------------------------------

#: The extra row (no order in the earlier year) and column (lost customers: no order in the
#: later year) of the migration matrix.
NEW, GONE = "new", "lost"


def _migration_labels(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    b = before["tier"] if isinstance(before, pd.DataFrame) else before
    a = after["tier"] if isinstance(after, pd.DataFrame) else after
    ids = b.index.union(a.index)
    frame = pd.DataFrame(
        {
            "before": b.reindex(ids).astype(object).where(lambda s: s.notna(), NEW),
            "after": a.reindex(ids).astype(object).where(lambda s: s.notna(), GONE),
        }
    )
    frame.index.name = "customer_id"
    rows = [t for t in _categories(b)] + [NEW]
    cols = [t for t in _categories(a)] + [GONE]
    frame["before"] = pd.Categorical(frame["before"], categories=rows, ordered=True)
    frame["after"] = pd.Categorical(frame["after"], categories=cols, ordered=True)
    return frame


def _categories(tiers: pd.Series) -> list[str]:
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        return [str(c) for c in tiers.cat.categories]
    return sorted(str(t) for t in tiers.dropna().unique())


def migration_moves(
    before: pd.Series,
    after: pd.Series,
    profit_before: pd.Series | None = None,
    profit_after: pd.Series | None = None,
) -> pd.DataFrame:
    """Each customer's tier before and after and the move: up, down, same, new or lost.

    Tier each year's buyers (`customer_base.customer_profit` lists them); then
    'lost' marks the lost customers (流失客户: ordered in the earlier year, not
    in the later) and 'new' those with no order in the earlier year. With both
    profits given, a `change` column holds later profit minus earlier profit
    (zero for a year without orders). `migration_counts` and
    `migration_profit_table` turn this frame into the two matrices, so a two-year
    comparison labels its customers once.
    """
    labels = _migration_labels(before, after)
    rank_b = labels["before"].cat.codes
    rank_a = labels["after"].cat.codes
    direction = np.select(
        [labels["before"] == NEW, labels["after"] == GONE, rank_a < rank_b, rank_a > rank_b],
        [NEW, GONE, "up", "down"],
        "same",
    )
    labels["direction"] = direction
    if profit_before is not None and profit_after is not None:
        require_known(profit_before, "comparing two years")  # MissingData without margins
        require_known(profit_after, "comparing two years")
        pb = profit_before.reindex(labels.index).fillna(0.0)
        pa = profit_after.reindex(labels.index).fillna(0.0)
        labels["change"] = (pa - pb).to_numpy()
    return labels


def _matrix(moves: pd.DataFrame, weights: np.ndarray | None) -> pd.DataFrame:
    rows, cols = moves["before"].cat.categories, moves["after"].cat.categories
    cells = moves["before"].cat.codes.to_numpy() * len(cols) + moves["after"].cat.codes.to_numpy()
    sums = np.bincount(cells, weights=weights, minlength=len(rows) * len(cols))
    table = pd.DataFrame(sums.reshape(len(rows), len(cols)), index=rows, columns=cols)
    if not (moves["before"] == NEW).any():
        table = table.drop(index=NEW)
    table.index = pd.Index([str(r) for r in table.index], name="tier before")
    table.columns = pd.Index([str(c) for c in table.columns], name="tier after")
    return table


def migration_counts(moves: pd.DataFrame) -> pd.DataFrame:
    """The counts matrix of a `migration_moves` frame (see `tier_migration`)."""
    return _matrix(moves, None).astype("int64")


def migration_profit_table(moves: pd.DataFrame) -> pd.DataFrame:
    """The profit-moved matrix of a `migration_moves` frame with profits."""
    if "change" not in moves:
        raise CrmkitError("give migration_moves both years' profit to see the profit moved")
    return _matrix(moves, moves["change"].to_numpy(dtype=float)).astype(float)


def tier_migration(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Customers by tier in the earlier year (rows) and the later year (columns).

    Rows add 'new' (no order in the earlier year); columns add 'lost' (lost
    customers: no order in the later year), so each tier's row sums to its count
    in the earlier year and each column to the count in the later year. The
    'new' row's 'lost' cell is always 0: a customer with no order in either year
    is in neither pyramid.
    """
    return migration_counts(migration_moves(before, after))


def migration_profit(
    before: pd.Series,
    after: pd.Series,
    profit_before: pd.Series,
    profit_after: pd.Series,
) -> pd.DataFrame:
    """Profit moved between tiers: later profit minus earlier profit, summed per cell.

    Same rows and columns as `tier_migration`. A customer absent in a year
    counts zero profit for it, so the 'new' row is the profit the new customers
    brought and the 'lost' column the profit that left with the lost customers.
    """
    return migration_profit_table(migration_moves(before, after, profit_before, profit_after))


# -- PY3, PY7: what management does with each tier ------------------------------------------

#: The response per tier position (1 = top), from crmkit/content/tier_responses.csv.
RESPONSES = content.table("tier_responses")


def tier_responses(scheme_name: str = "vip") -> pd.DataFrame:
    """The management response per tier (PY3) and its service and resources (PY7), by name."""
    chosen = scheme(scheme_name)
    out = RESPONSES.copy()
    out.insert(0, "tier", list(chosen.names))
    out.insert(1, "chinese", list(chosen.chinese))
    return out.drop(columns="position").set_index("tier")
