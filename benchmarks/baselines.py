"""The plain-pandas code a learner would otherwise write, timed beside crmkit.

These follow the common tutorial style (groupby with Python lambdas, `apply`
row by row), which is what the workbook's vectorised functions replace.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from crmkit import classification as cls
from crmkit.widgets import ClassificationSettings, ClassificationView


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
