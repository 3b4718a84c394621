"""The plain-pandas code a learner would otherwise write, timed beside crmkit.

These follow the common tutorial style (groupby with Python lambdas, `apply`
row by row), which is what the workbook's vectorised functions replace.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from crmkit import classification as cls
from crmkit import customer_base as base
from crmkit.widgets import (
    ClassificationSettings,
    ClassificationView,
    MigrationView,
    PyramidSettings,
    PyramidView,
)


def as_sample(tables: dict[str, pd.DataFrame]) -> SimpleNamespace:
    """Generated tables as the attribute bundle the topic functions take."""
    from crmkit.datasets.generate import ANALYSIS_DATE

    return SimpleNamespace(**tables, analysis_date=pd.Timestamp(ANALYSIS_DATE))


def _abc_by_apply(totals: pd.Series, a: float, b: float) -> pd.DataFrame:
    ranked = totals.sort_values(ascending=False).to_frame("value")
    ranked["cum_share"] = ranked["value"].cumsum() / ranked["value"].clip(lower=0).sum()
    before = ranked["cum_share"].shift(fill_value=0.0)
    ranked["class"] = before.apply(lambda s: "A" if s < a else ("B" if s < b else "C"))
    return ranked


def classify_from_orders(
    orders: pd.DataFrame, metric: str, a: float, b: float
) -> ClassificationView:
    """Recompute totals from the orders on every redraw, then classify with `apply`."""
    column = "revenue" if metric == "revenue" else "gross_margin"
    totals = orders.groupby("customer_id")[column].apply(lambda s: s.sum())
    abc = _abc_by_apply(totals, a, b)
    settings = ClassificationSettings(metric=metric, a_cutoff=a, b_cutoff=b)
    return ClassificationView(settings, abc, cls.abc_summary(abc), abc.head(10), "")


def classify_and_rfm(orders: pd.DataFrame, contacts: pd.DataFrame, as_of) -> pd.DataFrame:
    """Profit, ABC, three-way split and RFM as in a typical tutorial notebook."""
    margin = orders.groupby("customer_id")["gross_margin"].sum()
    cost = contacts.groupby("customer_id")["cost"].sum()
    profit = margin.sub(cost, fill_value=0)
    abc = _abc_by_apply(profit, 0.8, 0.95)
    n = len(profit)
    ranks = profit.rank(ascending=False, method="first")
    abc["group"] = ranks.apply(
        lambda r: (
            "profit makers" if r <= 0.2 * n else ("value destroyers" if r > 0.8 * n else "base")
        )
    )
    rfm = orders.groupby("customer_id").agg(
        recency=("order_date", lambda d: (as_of - d.max()).days),
        frequency=("order_id", "count"),
        monetary=("revenue", "sum"),
    )
    rfm["r"] = pd.qcut(rfm["recency"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1])
    rfm["f"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["m"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["score"] = rfm.apply(lambda row: f"{row['r']}{row['f']}{row['m']}", axis=1)
    return rfm


def profit_by_groupby(data) -> pd.DataFrame:
    """Profit per customer with its parts, one groupby with a lambda per part (tutorial style)."""
    orders, contacts, complaints = data.orders, data.contacts, data.complaints
    table = orders.groupby("customer_id").agg(
        revenue=("revenue", lambda s: s.sum()),
        gross_margin=("gross_margin", lambda s: s.sum()),
    )
    table["cost_to_serve"] = contacts.groupby("customer_id")["cost"].apply(lambda s: s.sum())
    table["cost_to_serve"] += (
        complaints.groupby("customer_id")["compensation"]
        .apply(lambda s: s.sum())
        .reindex(table.index, fill_value=0.0)
    )
    table = table.fillna(0.0)
    table["profit"] = table["gross_margin"] - table["cost_to_serve"]
    return table


def tiers_by_apply(table: pd.DataFrame, cutoffs=(0.05, 0.2, 0.5), metric: str = "profit"):
    """Tier each customer by its rank position with `apply`, row by row."""
    ranked = table.sort_values(metric, ascending=False).copy()
    n = len(ranked)
    ranked["position"] = range(n)
    names = ("VIP", "major", "ordinary", "small")
    ranked["tier"] = ranked["position"].apply(lambda p: names[sum(p / n >= c for c in cutoffs)])
    return ranked


def _year_tables(data, year: int) -> SimpleNamespace:
    period = base.year(year)
    start, end = period.start, period.end
    return SimpleNamespace(
        orders=data.orders[
            (data.orders["order_date"] >= start) & (data.orders["order_date"] < end)
        ],
        contacts=data.contacts[
            (data.contacts["contact_date"] >= start) & (data.contacts["contact_date"] < end)
        ],
        complaints=data.complaints[
            (data.complaints["opened_at"] >= start) & (data.complaints["opened_at"] < end)
        ],
    )


def pyramid_from_orders(data, settings: PyramidSettings) -> PyramidView:
    """Recompute profit from the raw tables on every redraw, then tier with `apply`."""
    table = profit_by_groupby(_year_tables(data, 2025))
    ranked = tiers_by_apply(table, settings.cutoffs, settings.metric)
    summary = ranked.groupby("tier", sort=False).agg(
        customers=("profit", "size"), revenue=("revenue", "sum"), profit=("profit", "sum")
    )
    summary["customer_share"] = summary["customers"] / summary["customers"].sum()
    summary["profit_share"] = summary["profit"] / summary["profit"].sum()
    return PyramidView(settings, ranked, summary, "")


def migration_from_orders(data, before: int, after: int, show: str) -> MigrationView:
    """Both years' profit and tiers from the raw tables on every redraw, then pd.crosstab."""
    years = [tiers_by_apply(profit_by_groupby(_year_tables(data, y))) for y in (before, after)]
    joined = (
        years[0][["tier", "profit"]]
        .add_suffix("_before")
        .join(years[1][["tier", "profit"]].add_suffix("_after"), how="outer")
    )
    joined["tier_before"] = joined["tier_before"].fillna("new")
    joined["tier_after"] = joined["tier_after"].fillna("lost")
    counts = pd.crosstab(joined["tier_before"], joined["tier_after"])
    change = joined["profit_after"].fillna(0) - joined["profit_before"].fillna(0)
    profit = joined.assign(change=change).pivot_table(
        index="tier_before", columns="tier_after", values="change", aggfunc="sum", fill_value=0
    )
    return MigrationView(before, after, show, counts, profit, joined, "")


def profile_card_by_filtering(data, customer_id: str) -> dict:
    """A card as a tutorial builds it: each year's profit and tiers recomputed for one customer."""
    card = {}
    for year in (2023, 2024, 2025):
        table = profit_by_groupby(_year_tables(data, year))
        ranked = tiers_by_apply(table)
        if customer_id in ranked.index:
            card[year] = ranked.loc[customer_id, ["revenue", "profit", "tier"]].to_dict()
    orders = data.orders[data.orders["customer_id"] == customer_id]
    card["unpaid"] = orders["paid_date"].isna().sum()
    return card
