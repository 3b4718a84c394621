"""Profit per customer: gross margin minus the cost to serve.

The cost to serve (服务成本) is what the visits, calls and call-backs of a
customer cost; counting it is what turns some busy customers into loss makers.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from crmkit.errors import CrmkitError

COLUMNS = ["revenue", "gross_margin", "service_cost", "profit", "orders"]


def _need(frame: pd.DataFrame, table: str, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CrmkitError(f"the {table} table lacks the column(s) {missing}")


def _window(frame: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    if start is not None:
        mask &= frame[column] >= pd.Timestamp(start)
    if end is not None:
        mask &= frame[column] < pd.Timestamp(end)
    return frame[mask]


def customer_profit(
    orders: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    start=None,
    end=None,
    customers: pd.DataFrame | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Revenue, gross margin, cost to serve, profit and order count per customer.

    Orders and contacts from `start` (inclusive) to `end` (exclusive) count.
    Customers with contacts but no orders appear with a loss; `customers` (a
    frame with customer_id, or ids) adds zero rows for customers with no activity.

    Rule, per customer: revenue and gross_margin are the sums over the orders;
    service_cost is the sum of the cost of the contacts (visits, calls);
    profit = gross_margin - service_cost; orders is the number of orders.
    The result is indexed by customer_id, sorted.
    """
    _need(orders, "orders", ["customer_id", "order_date", "revenue", "gross_margin"])
    _need(contacts, "contacts", ["customer_id", "contact_date", "cost"])
    if start is not None and end is not None and pd.Timestamp(start) >= pd.Timestamp(end):
        raise CrmkitError(f"start ({start}) must come before end ({end}); end is exclusive")
    sold = _window(orders, "order_date", start, end)
    served = _window(contacts, "contact_date", start, end)
    by_customer = sold.groupby("customer_id", observed=True, sort=False).agg(
        revenue=("revenue", "sum"), gross_margin=("gross_margin", "sum"), orders=("revenue", "size")
    )
    cost = served.groupby("customer_id", observed=True, sort=False)["cost"].sum()
    ids = by_customer.index.union(cost.index)
    if customers is not None:
        extra = customers["customer_id"] if isinstance(customers, pd.DataFrame) else customers
        ids = ids.union(pd.Index(list(extra)))
    table = by_customer.reindex(ids, fill_value=0)
    table["service_cost"] = cost.reindex(ids, fill_value=0.0)
    table["profit"] = table["gross_margin"] - table["service_cost"]
    table["orders"] = table["orders"].astype("int64")
    table.index = table.index.astype(str)
    table.index.name = "customer_id"
    return table[COLUMNS].sort_index()
