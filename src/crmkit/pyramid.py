"""The customer pyramid (客户金字塔): profit per customer, tiers, the whale curve, migration.

The pyramid ranks customers by what they are worth to the firm, profit first
(PY1: by revenue or profit, never by how often they visit), cuts the ranking
into tiers under one of two naming schemes (PY2), and says what management
does with each tier (PY3, PY7). Year on year, customers move between tiers
(PY6), which is why the tiers are recomputed every year rather than kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.errors import CrmkitError
from crmkit.profit import _need, _window

# -- profit per customer with its parts ---------------------------------------------------

#: The cost-to-serve parts, in the order a profit waterfall shows them.
SERVICE_PARTS = ["visits", "phone_calls", "call_backs", "complaint_handling"]
#: Contact types of the contacts table and the part each one's cost goes to.
CONTACT_PARTS = {"visit": "visits", "phone_call": "phone_calls", "call_back": "call_backs"}
COMPLAINT_PURPOSE = "complaint_follow_up"

PROFIT_COLUMNS = [
    "revenue",
    "margin_before_discount",
    "discounts",
    "gross_margin",
    *SERVICE_PARTS,
    "cost_to_serve",
    "profit",
    "orders",
    "contacts",
    "complaints",
]


def profitability(
    data,
    *,
    start=None,
    end=None,
    include_inactive: bool = False,
) -> pd.DataFrame:
    """Profit of every customer in [start, end) with every part of it shown.

    `data` is a SampleData (or anything with orders, contacts and complaints
    frames). Rule, per customer:

    - margin_before_discount = gross margin + discounts given (what the goods
      would have earned at list price); discounts are then taken off again, so
      gross_margin = margin_before_discount - discounts;
    - visits, phone_calls, call_backs = the cost of those contacts, except
      contacts made to follow up a complaint;
    - complaint_handling = the cost of complaint follow-up contacts plus the
      compensation paid on complaints opened in the period;
    - cost_to_serve = visits + phone_calls + call_backs + complaint_handling;
    - profit = gross_margin - cost_to_serve.

    Only customers with an order, a contact or a complaint in the period are
    included, unless `include_inactive` (then every customer of data.customers
    appears, with zeros). Indexed by customer_id, sorted.
    """
    orders, contacts, complaints = data.orders, data.contacts, data.complaints
    _need(orders, "orders", ["customer_id", "order_date", "revenue", "gross_margin", "discount"])
    _need(contacts, "contacts", ["customer_id", "contact_date", "contact_type", "purpose", "cost"])
    _need(complaints, "complaints", ["customer_id", "opened_at", "compensation"])
    if start is not None and end is not None and pd.Timestamp(start) >= pd.Timestamp(end):
        raise CrmkitError(f"start ({start}) must come before end ({end}); end is exclusive")

    sold = _window(orders, "order_date", start, end)
    served = _window(contacts, "contact_date", start, end)
    raised = _window(complaints, "opened_at", start, end)

    money = sold.groupby("customer_id", observed=True, sort=False).agg(
        revenue=("revenue", "sum"),
        gross_margin=("gross_margin", "sum"),
        discounts=("discount", "sum"),
        orders=("revenue", "size"),
    )
    part = np.where(
        served["purpose"].astype(str).to_numpy() == COMPLAINT_PURPOSE,
        "complaint_handling",
        served["contact_type"].astype(str).map(CONTACT_PARTS).fillna("visits").to_numpy(),
    )
    contact_cost = pd.DataFrame(
        {
            "customer_id": served["customer_id"].to_numpy(),
            "part": part,
            "cost": served["cost"].to_numpy(),
        }
    ).pivot_table(
        index="customer_id",
        columns="part",
        values="cost",
        aggfunc="sum",
        fill_value=0.0,
        observed=True,
    )
    n_contacts = served.groupby("customer_id", observed=True, sort=False).size()
    compensation = raised.groupby("customer_id", observed=True, sort=False)["compensation"].sum()
    n_complaints = raised.groupby("customer_id", observed=True, sort=False).size()

    ids = money.index.union(contact_cost.index).union(compensation.index)
    if include_inactive and getattr(data, "customers", None) is not None:
        ids = ids.union(pd.Index(data.customers["customer_id"]))
    ids = pd.Index(ids.astype(str), name="customer_id")

    out = pd.DataFrame(index=ids)
    for column in ("revenue", "gross_margin", "discounts"):
        out[column] = _aligned(money.get(column), ids)
    out["margin_before_discount"] = out["gross_margin"] + out["discounts"]
    for name in SERVICE_PARTS:
        out[name] = _aligned(contact_cost.get(name), ids)
    out["complaint_handling"] += _aligned(compensation, ids)
    out["cost_to_serve"] = out[SERVICE_PARTS].sum(axis=1)
    out["profit"] = out["gross_margin"] - out["cost_to_serve"]
    out["orders"] = _aligned(money["orders"], ids).astype("int64")
    out["contacts"] = _aligned(n_contacts, ids).astype("int64")
    out["complaints"] = _aligned(n_complaints, ids).astype("int64")
    return out[PROFIT_COLUMNS].sort_index()


def _aligned(values: pd.Series | None, ids: pd.Index) -> pd.Series:
    """`values` reindexed on the string ids, zeros where a customer has none."""
    if values is None:
        return pd.Series(0.0, index=ids)
    values = values.copy()
    values.index = values.index.astype(str)
    return values.reindex(ids, fill_value=0).astype(float)


def year_bounds(year: int) -> tuple[str, str]:
    """The [start, end) dates of a calendar year, e.g. 2025 -> ('2025-01-01', '2026-01-01')."""
    return f"{int(year)}-01-01", f"{int(year) + 1}-01-01"


def year_profitability(data, year: int) -> pd.DataFrame:
    """`profitability` for one calendar year: the customers active that year."""
    start, end = year_bounds(year)
    return profitability(data, start=start, end=end)


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


# -- PY2: tiers and their names --------------------------------------------------------------


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
#: bringing the first 50% / next 30% / next 15% of the profit pool.
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
    - 'profit_share': by the running share of the profit pool, the total of
      the positive values. A customer is in tier 1 while the share brought by
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
    if values.isna().any():
        raise CrmkitError("some values are missing (NaN); fill or drop them before tiering")
    order = pd.DataFrame({"value": values.to_numpy(), "id": values.index.astype(str)})
    order = order.sort_values(["value", "id"], ascending=[False, True], kind="mergesort")
    ranked = order["value"].to_numpy()
    n = len(ranked)
    customers_before = np.arange(n) / n
    pool = ranked.clip(min=0).sum()
    share_before = (
        np.concatenate([[0.0], np.cumsum(ranked.clip(min=0))[:-1]]) / pool
        if pool > 0
        else np.zeros(n)
    )
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
        index=pd.Index(order["id"].to_numpy(), name=values.index.name or "customer_id"),
    )
    return out


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
    missing = tier.index.difference(table.index.astype(str))
    if len(missing):
        raise CrmkitError(
            f"{len(missing)} tiered customers are not in the profit table, e.g. {list(missing[:3])}"
        )
    frame = table.loc[tier.index, ["revenue", "cost_to_serve", "profit"]].assign(tier=tier)
    grouped = frame.groupby("tier", observed=False)
    out = grouped[["revenue", "cost_to_serve", "profit"]].sum()
    out.insert(0, "customers", grouped.size())
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    total = out["profit"].sum()
    out["profit_share"] = out["profit"] / total if total else np.nan
    out["profit_per_customer"] = (out["profit"] / out["customers"].replace(0, np.nan)).fillna(0.0)
    out.index = pd.Index(out.index.astype(str), name="tier")
    return out


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


# -- PY6: tier migration --------------------------------------------------------------------

NEW, GONE = "new", "inactive"


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
    """Each customer's tier before and after and the move: up, down, same, new or left.

    With both profits given, a `change` column holds later profit minus earlier
    profit (zero for a year the customer was not active). `migration_counts` and
    `migration_profit_table` turn this frame into the two matrices, so a two-year
    comparison labels its customers once.
    """
    labels = _migration_labels(before, after)
    rank_b = labels["before"].cat.codes
    rank_a = labels["after"].cat.codes
    direction = np.select(
        [labels["before"] == NEW, labels["after"] == GONE, rank_a < rank_b, rank_a > rank_b],
        ["new", "left", "up", "down"],
        "same",
    )
    labels["direction"] = direction
    if profit_before is not None and profit_after is not None:
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

    Rows add 'new' (not active in the earlier year); columns add 'inactive'
    (not active in the later year), so each tier's row sums to its count in the
    earlier year and each column to the count in the later year.
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
    brought and the 'inactive' column the profit lost with the customers who left.
    """
    return migration_profit_table(migration_moves(before, after, profit_before, profit_after))


# -- PY3, PY7: what management does with each tier ------------------------------------------

RESPONSES = pd.DataFrame(
    [
        {
            "position": 1,
            "aim": "Keep them and win more of their business",
            "service": "Named account manager, priority delivery and stock, senior visits",
            "contact": "Visit monthly; call weekly",
            "resources": "The largest share of service time and budget",
            "source": "003 (keep the most valuable); 001 §5.1.4, 002 strategy 4",
        },
        {
            "position": 2,
            "aim": "Grow them into the top tier",
            "service": "Regular visits, tailored offers, first look at new products",
            "contact": "Visit quarterly; call monthly",
            "resources": "Invest where growth is likely",
            "source": "003 (grow the moderately profitable); 001 §5.1.4",
        },
        {
            "position": 3,
            "aim": "Raise their profitability",
            "service": "Standard service, cheaper channels (phone, online ordering)",
            "contact": "Call quarterly",
            "resources": "Efficient, standardised service",
            "source": "003 (grow profitability); 002 strategy 4",
        },
        {
            "position": 4,
            "aim": "Find the cause of the loss, then change the relationship or end it",
            "service": "Minimum order sizes, fees for costly service, self-service ordering",
            "contact": "Only on request; review each account once a year",
            "resources": "Cut the cost to serve; do not chase volume",
            "source": "003 (change or end unprofitable relationships); 001 §5.1.4",
        },
    ]
)


def tier_responses(scheme_name: str = "vip") -> pd.DataFrame:
    """The management response per tier (PY3) and its service and resources (PY7), by name."""
    chosen = scheme(scheme_name)
    out = RESPONSES.copy()
    out.insert(0, "tier", list(chosen.names))
    out.insert(1, "chinese", list(chosen.chinese))
    return out.drop(columns="position").set_index("tier")


def with_attributes(table: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """A profitability table with each customer's shop name, business format and market."""
    attrs = customers.assign(customer_id=customers["customer_id"].astype(str)).set_index(
        "customer_id"
    )[["shop_name", "business_format", "market_type"]]
    return attrs.join(table, how="inner").sort_index()
