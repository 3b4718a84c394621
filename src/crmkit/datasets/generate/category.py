"""Category purchases: each shop's total buying of our category from all suppliers.

Set beside our own revenue this gives share of wallet; in decline our volume falls while the
shop's own total holds (LC2, LC3), which is how a learner tells decline from a shrinking shop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.frames import cents, frame
from crmkit.datasets.generate.lifecycle import MonthGrid
from crmkit.datasets.generate.orders import Orders
from crmkit.datasets.generate.period import month_labels


def category_totals(
    r: np.random.Generator, shops: Shops, grid: MonthGrid, stage: np.ndarray, orders: Orders
) -> np.ndarray:
    """Cents the shop spends on the category per grid row: ours plus what it buys elsewhere."""
    demand = shops.demand(grid.customer, grid.month)
    other_share = np.where(stage == 4, 1.0, 1.0 - np.minimum(orders.share, 0.97))
    other = demand * other_share * np.exp(r.normal(-0.01, 0.15, len(grid.customer)))
    return orders.monthly_revenue + cents(other)


def category_table(
    grid: MonthGrid, totals: np.ndarray, cid: np.ndarray, rank: np.ndarray
) -> pd.DataFrame:
    """The category_purchases table: one row per customer and month, in id order."""
    o = grid.table_order(rank)
    return frame(
        "category_purchases",
        {
            "customer_id": cid[grid.customer[o]],
            "month": month_labels()[grid.month[o]],
            "category_total": totals[o] / 100.0,
        },
    )
