"""Orders: what each shop buys from us month by month, at what margin, and when it pays.

Our share of the shop's buying and its order rhythm follow the lifecycle stage (LC2, LC3):
small trial orders in exploration, growing in formation, steady in stability, falling in
decline while the shop's own buying holds, so tiers change from year to year (CL7, PY6).
Promotions, negotiated discounts and payment habits make margin and payment differ (CL2-CL5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.draws import day_in_month, expand
from crmkit.datasets.generate.frames import cents, frame, ids
from crmkit.datasets.generate.lifecycle import Lifecycle, MonthGrid
from crmkit.datasets.generate.period import END_DAY, as_dates

_PROMO_MONTHS = np.array([1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1], dtype=bool)  # Jan May Aug Oct Dec


@dataclass(frozen=True)
class Orders:
    """One entry per order (money in cents, days as indexes), plus two per grid row."""

    customer: np.ndarray
    day: np.ndarray
    revenue: np.ndarray
    gross_margin: np.ndarray
    discount: np.ndarray
    promotion: np.ndarray
    due: np.ndarray
    paid: np.ndarray  # may lie after the period end; see `unpaid`
    unpaid: np.ndarray
    share: np.ndarray  # per grid row: our planned share of the shop's buying
    monthly_revenue: np.ndarray  # per grid row: our revenue in cents


def simulate_orders(
    r: np.random.Generator, shops: Shops, life: Lifecycle, grid: MonthGrid, stage: np.ndarray
) -> Orders:
    """Orders of every customer-month, sized by stage, share of wallet and the shop's demand.

    Every customer orders in its joining month (the first order is on the joining day); the
    planned share falls harder in decline when the relationship never reached stability.
    """
    gc, month = grid.customer, grid.month
    tf, ts, td, te = life.formation[gc], life.stability[gc], life.decline[gc], life.ended[gc]
    prog_form = np.clip((month - tf + 0.5) / np.maximum(ts - tf, 1), 0, 1)
    prog_decl = np.clip((month - td + 0.5) / np.maximum(te - td, 1), 0, 1)
    shop_size = shops.demand(gc, month)
    ng = len(gc)
    sow = shops.wallet_share[gc]
    explore_sow = 0.06 + 0.10 * r.random(ng)
    share = np.select(
        [stage == 0, stage == 1, stage == 2, stage == 3],
        [
            explore_sow,
            0.18 + (sow - 0.18) * prog_form,
            sow,
            np.where(ts >= td, 0.6, 1.0) * sow * (0.7 - 0.55 * prog_decl),
        ],
        0.0,
    )
    freq_m = np.select(
        [stage == 0, stage == 1, stage == 2, stage == 3],
        [0.45, 0.6 + 0.4 * prog_form, 1.0, 0.8 - 0.45 * prog_decl],
        0.0,
    )
    lam = shops.frequency[gc] * freq_m
    expected = share * shop_size  # our expected revenue this month
    k = r.poisson(lam)
    first_month = (month == life.joined[gc]) & (stage < 4)
    k = np.where(first_month, np.maximum(k, 1), k)
    o_row, o_pos = expand(k)
    no = len(o_row)
    cust = gc[o_row]
    o_month = month[o_row]
    join_day = life.join_day[cust]
    day = day_in_month(r, o_month, join_day)
    day = np.where(first_month[o_row] & (o_pos == 0), join_day, day)
    promo_month = _PROMO_MONTHS[o_month % 12]
    promo = r.random(no) < shops.cooperation[cust] * np.where(promo_month, 1.0, 0.2)
    size = expected[o_row] / np.maximum(lam[o_row], 0.3) * np.exp(r.normal(-0.08, 0.4, no))
    size = np.where(promo, size * 1.25, size)
    size = np.where(stage[o_row] == 0, np.minimum(size, 0.4 * shop_size[o_row]), size)
    size = np.maximum(size, 30.0)
    disc_rate = np.where(
        promo,
        r.uniform(0.05, 0.13, no),
        np.where(r.random(no) < 0.3, r.uniform(0.0, 0.03, no), 0.0),
    )
    disc_rate = np.minimum(disc_rate + shops.hunter[cust] * (r.random(no) < 0.8), 0.3)
    rev_c = cents(size)
    list_price = rev_c / (1.0 - disc_rate)
    disc_c = np.maximum(cents(list_price / 100.0) - rev_c, 0)
    cost_rate = 1.0 - np.clip(shops.margin[cust] + r.normal(0.0, 0.012, no), 0.0, 0.5)
    gm_c = rev_c - cents((rev_c + disc_c) * cost_rate / 100.0)
    terms = shops.terms[cust]
    due = day + terms
    pays_on_time = r.random(no) < shops.on_time[cust]
    early = np.floor(r.random(no) * (terms + 1)).astype(np.int64)
    late_by = (
        1 + r.geometric(1.0 / 16.0, no) + np.where(r.random(no) < 0.1, r.integers(30, 200, no), 0)
    )
    paid = np.where(pays_on_time, day + early, due + late_by)
    bad_debt = (stage[o_row] == 3) & shops.late_payer[cust] & (r.random(no) < 0.25)
    return Orders(
        customer=cust,
        day=day,
        revenue=rev_c,
        gross_margin=gm_c,
        discount=disc_c,
        promotion=promo,
        due=due,
        paid=paid,
        unpaid=(paid > END_DAY) | bad_debt,
        share=share,
        monthly_revenue=np.bincount(o_row, weights=rev_c, minlength=ng),
    )


def orders_table(orders: Orders, cid: np.ndarray) -> pd.DataFrame:
    """The orders table, numbered by delivery date."""
    o = np.lexsort((orders.customer, orders.day))
    return frame(
        "orders",
        {
            "order_id": ids("O", len(o), 7),
            "customer_id": cid[orders.customer[o]],
            "order_date": as_dates(orders.day[o]),
            "revenue": orders.revenue[o] / 100.0,
            "gross_margin": orders.gross_margin[o] / 100.0,
            "discount": orders.discount[o] / 100.0,
            "promotion": orders.promotion[o],
            "payment_due_date": as_dates(orders.due[o]),
            "paid_date": as_dates(np.minimum(orders.paid[o], END_DAY), orders.unpaid[o]),
        },
    )
