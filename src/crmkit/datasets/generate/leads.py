"""Leads: prospects not yet customers, with what a salesperson knows about each (CL9).

Buying power, reaching the decision maker and a confirmed need are drawn independently
enough that grading leads A-D needs all three criteria, not one alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.datasets.generate.customers import CAP_MEDIAN, FORMAT_P, MARKET_CAP, MARKET_P
from crmkit.datasets.generate.frames import frame, ids
from crmkit.datasets.generate.period import END_DAY, as_dates


def lead_count(customers: int) -> int:
    """How many leads go with `customers` customers: 150 per 2,000, at least 10."""
    return max(10, int(round(150 * customers / 2000)))


def lead_formats(r: np.random.Generator, n: int) -> np.ndarray:
    """The business format code of `n` leads, in the customers' format mix."""
    return r.choice(5, size=n, p=FORMAT_P)


def leads_table(r: np.random.Generator, fmt: np.ndarray, names: np.ndarray) -> pd.DataFrame:
    """The leads table in order of first contact: contacts, estimated buying, authority, need.

    The more often a lead was contacted, the likelier its decision maker was reached.
    """
    nl = len(fmt)
    mkt = r.choice(3, size=nl, p=MARKET_P)
    first = END_DAY - r.integers(5, 300, nl)
    contacts = 1 + r.poisson(2.5, nl)
    span = np.where(contacts > 1, np.floor(r.random(nl) * (END_DAY - first + 1)), 0)
    last = first + span.astype(np.int64)
    est = np.round(CAP_MEDIAN[fmt] * MARKET_CAP[mkt] * np.exp(r.normal(0.0, 0.9, nl)), -2)
    decision = r.random(nl) < np.clip(0.25 + 0.07 * contacts, 0, 0.85)
    need = r.random(nl) < 0.5
    o = np.lexsort((np.arange(nl), first))
    return frame(
        "leads",
        {
            "lead_id": ids("L", nl, 5),
            "shop_name": names[o],
            "business_format": fmt[o],
            "market_type": mkt[o],
            "first_contact_date": as_dates(first[o]),
            "last_contact_date": as_dates(last[o]),
            "contacts_so_far": contacts[o],
            "est_monthly_purchase": est[o],
            "decision_maker_reached": decision[o],
            "need_confirmed": need[o],
        },
    )
