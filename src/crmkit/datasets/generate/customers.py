"""The customers: retail shops of five formats in three markets, and the customers table.

Format and market set a shop's size, margin, order rhythm, service needs and reach (CL6);
sizes are log-normal and a few accounts are price hunters, so profit is concentrated and a
minority loses money once the cost to serve is counted (CL2-CL4, the whale curve).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.datasets.generate.draws import pick
from crmkit.datasets.generate.frames import frame, ids
from crmkit.datasets.generate.period import as_dates

# by business format: convenience_store, supermarket, restaurant, kiosk, online_shop
FORMAT_P = np.array([0.30, 0.10, 0.25, 0.20, 0.15])
CAP_MEDIAN = np.array([7000.0, 32000.0, 6000.0, 2200.0, 8000.0])  # monthly category buying
_MARGIN = np.array([0.14, 0.075, 0.16, 0.19, 0.11])  # gross margin rate at list price
_FREQ = np.array([0.60, 1.15, 0.56, 0.45, 0.42])  # orders a month in stability
_SERVICE = np.array([1.0, 1.3, 1.0, 1.15, 0.45])  # contact intensity
_REACH = np.array([2800.0, 6000.0, 600.0, 2400.0, 1200.0])  # consumers a week
_HUNTER_P = np.array([0.05, 0.3, 0.04, 0.02, 0.15])  # share of price hunters
_TERMS = (  # payment terms in days, and how often each is agreed
    ((0, 7, 15, 30), (0.2, 0.3, 0.3, 0.2)),
    ((15, 30, 45), (0.3, 0.5, 0.2)),
    ((0, 7, 15, 30), (0.3, 0.3, 0.25, 0.15)),
    ((0, 7), (0.6, 0.4)),
    ((7, 15, 30), (0.3, 0.5, 0.2)),
)
# by market: urban, suburban, rural
MARKET_P = np.array([0.45, 0.33, 0.22])
MARKET_CAP = np.array([1.1, 1.0, 0.72])
_MARKET_MARGIN = np.array([0.0, 0.005, 0.015])
_MARKET_FAIL = np.array([0.9, 1.0, 1.35])  # service-failure rate
_MARKET_REACH = np.array([1.3, 1.0, 0.65])
_ONLINE_MARKET_P = np.array([[0.6, 0.3, 0.1]])  # online shops are mostly urban
# by calendar month, January first
_SEASON = np.array([1.15, 1.05, 0.92, 0.95, 1.0, 1.04, 1.1, 1.1, 1.0, 1.06, 0.95, 1.08])


@dataclass(frozen=True)
class Shops:
    """What each shop is, one array entry per customer (codes index the schema's enums)."""

    format: np.ndarray
    market: np.ndarray
    capacity: np.ndarray  # monthly category purchases from all suppliers at the 2023 level
    wallet_share: np.ndarray  # our share of that buying once the relationship is stable
    frequency: np.ndarray  # orders a month in stability
    margin: np.ndarray  # gross margin rate at list price
    service: np.ndarray  # how much contact the shop asks for
    failure: np.ndarray  # how often service fails it (drives complaints)
    late_payer: np.ndarray
    on_time: np.ndarray  # chance of paying an order within its terms
    cooperation: np.ndarray  # chance of taking up a promotion
    hunter: np.ndarray  # extra discount negotiated by price hunters (0 for most)
    growth: np.ndarray  # yearly log growth of the shop's own business
    terms: np.ndarray  # payment terms in days
    credit: np.ndarray  # credit limit in yuan
    reach: np.ndarray  # consumers served a week

    def demand(self, customer: np.ndarray, month: np.ndarray) -> np.ndarray:
        """The shop's own category buying in a month (yuan): grown and seasonal."""
        seasonal = _SEASON[month % 12]
        return self.capacity[customer] * np.exp(self.growth[customer] * month / 12.0) * seasonal


def draw_shops(r: np.random.Generator, n: int) -> Shops:
    """Draw `n` shops: format, market, size and habits, each spread wide enough to rank them.

    Carries CL6 (formats and markets differ in size, margin and service cost), the
    concentration of CL2-CL4, and independent value indicators for CL5 and VA5.
    """
    fmt = r.choice(5, size=n, p=FORMAT_P)
    mkt = pick(r, np.where(fmt[:, None] == 4, _ONLINE_MARKET_P, MARKET_P[None, :]))
    cap = CAP_MEDIAN[fmt] * MARKET_CAP[mkt] * np.exp(r.normal(0.0, 0.65, n))
    sow = r.beta(7.0, 2.6, n)
    freq = _FREQ[fmt] * np.exp(r.normal(0.0, 0.3, n)) * np.where(mkt == 2, 0.85, 1.0)
    margin = np.clip(_MARGIN[fmt] + _MARKET_MARGIN[mkt] + r.normal(0.0, 0.022, n), 0.02, 0.35)
    service = _SERVICE[fmt] * np.exp(r.normal(-0.15, 0.5, n))
    failure = _MARKET_FAIL[mkt] * np.exp(r.normal(-0.25, 0.7, n))
    late_payer = r.random(n) < 0.15
    on_time = np.where(late_payer, r.beta(2.0, 2.5, n), r.beta(14.0, 1.2, n))
    coop = r.beta(1.6, 2.4, n)
    # price hunters: accounts that negotiated discounts deeper than our margin
    hunter = np.where(r.random(n) < _HUNTER_P[fmt], r.uniform(0.07, 0.18, n), 0.0)
    growth = r.normal(0.03, 0.2, n)
    terms = np.zeros(n, dtype=np.int64)
    for f, (choices, probs) in enumerate(_TERMS):
        sel = fmt == f
        terms[sel] = r.choice(np.array(choices), size=int(sel.sum()), p=np.array(probs))
    credit = np.where(
        terms > 0,
        np.round(cap * sow * np.maximum(terms, 7) / 30.0 * r.uniform(1.2, 2.2, n), -2),
        0.0,
    )
    reach = _REACH[fmt] * _MARKET_REACH[mkt] * np.exp(r.normal(0.0, 0.5, n))
    return Shops(
        format=fmt,
        market=mkt,
        capacity=cap,
        wallet_share=sow,
        frequency=freq,
        margin=margin,
        service=service,
        failure=failure,
        late_payer=late_payer,
        on_time=on_time,
        cooperation=coop,
        hunter=hunter,
        growth=growth,
        terms=terms,
        credit=credit,
        reach=np.round(reach, -1).astype(np.int64),
    )


def number_customers(join_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer ids in order of joining: (id of each customer, its rank by id)."""
    n = len(join_day)
    order = np.lexsort((np.arange(n), join_day))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return ids("C", n, 5)[rank], rank


def customers_table(
    shops: Shops,
    cid: np.ndarray,
    rank: np.ndarray,
    *,
    names: np.ndarray,
    join_day: np.ndarray,
    referred_by: np.ndarray,
) -> pd.DataFrame:
    """The customers table, in id order; `referred_by` holds a customer index or -1."""
    o = np.argsort(rank)
    ref = np.where(referred_by >= 0, cid[np.maximum(referred_by, 0)], None)
    return frame(
        "customers",
        {
            "customer_id": cid[o],
            "shop_name": names[o],
            "business_format": shops.format[o],
            "market_type": shops.market[o],
            "join_date": as_dates(join_day[o]),
            "credit_limit": shops.credit[o],
            "referred_by": ref[o],
            "consumer_reach": shops.reach[o],
        },
    )
