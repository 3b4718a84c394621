"""Service contacts: visits, phone calls and call-backs, and what each costs us.

Contact intensity follows stage (sales calls in exploration, routine care in stability),
format and size; rural visits cost more travel; complaints bring call-backs; festivals bring
greetings. Contact cost is the cost to serve that turns some customers unprofitable (CL2-CL4,
LC3, CL6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.datasets.generate.complaints import Complaints
from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.draws import day_in_month, expand, pick
from crmkit.datasets.generate.frames import cents, frame, ids
from crmkit.datasets.generate.lifecycle import Lifecycle, MonthGrid
from crmkit.datasets.generate.period import END_DAY, as_dates, day_of, month_of

# contacts a month by stage (exploration, formation, stability, decline)
_ROUTINE = np.array([0.5, 0.55, 0.45, 0.5])
_SALES = np.array([0.45, 0.3, 0.07, 0.30])
_NEW_NEEDS = np.array([0.03, 0.08, 0.05, 0.02])
_PURPOSE_TYPE_P = np.array(  # visit, phone_call, call_back
    [
        [0.50, 0.40, 0.10],  # routine
        [0.65, 0.35, 0.00],  # sales
        [0.20, 0.10, 0.70],  # complaint_follow_up
        [0.20, 0.60, 0.20],  # greeting
        [0.60, 0.40, 0.00],  # new_needs
    ]
)
_FORMAT_VISIT_OK = np.array([1.0, 1.0, 1.0, 1.0, 0.3])  # online shops are rarely visited
_MARKET_TRAVEL = np.array([60.0, 110.0, 200.0])  # yuan of travel per visit
# Chinese New Year and the Mid-Autumn Festival, when shops are greeted
_FESTIVALS = ("2023-01-22", "2023-09-29", "2024-02-10", "2024-09-17", "2025-01-29", "2025-10-06")
_ROUTINE_P, _SALES_P, _FOLLOW_UP_P, _GREETING_P, _NEW_NEEDS_P = range(5)  # purpose codes


@dataclass(frozen=True)
class Contacts:
    """One entry per contact; codes index the schema's enums, cost in cents."""

    customer: np.ndarray
    day: np.ndarray
    purpose: np.ndarray
    type: np.ndarray
    duration: np.ndarray  # minutes
    cost: np.ndarray


def simulate_contacts(
    r: np.random.Generator,
    shops: Shops,
    life: Lifecycle,
    grid: MonthGrid,
    stage: np.ndarray,
    complaints: Complaints,
) -> Contacts:
    """Contacts from monthly care, festival greetings and complaint call-backs, with costs."""
    gc = grid.customer
    active = stage < 4
    st = np.minimum(stage, 3)
    attention = np.clip((shops.capacity / 6000.0) ** 0.35, 0.35, 3.0)  # bigger shops, more visits
    heavy = (shops.service * attention)[gc] * active
    n_routine = r.poisson(_ROUTINE[st] * heavy)
    n_sales = r.poisson(_SALES[st] * np.sqrt(shops.service[gc]) * active)
    n_needs = r.poisson(_NEW_NEEDS[st] * active)
    parts = []
    for purpose, counts in ((_ROUTINE_P, n_routine), (_SALES_P, n_sales), (_NEW_NEEDS_P, n_needs)):
        rows, _ = expand(counts)
        day = day_in_month(r, grid.month[rows], life.join_day[gc[rows]])
        parts.append((gc[rows], day, np.full(len(rows), purpose)))
    n = len(life.joined)
    greet_p = np.clip(0.35 + 0.12 * np.log(shops.capacity / 5000.0), 0.15, 0.85)
    for fest in _FESTIVALS:
        gday = day_of(fest) - r.integers(0, 10, n)
        gm = month_of(gday)
        ok = (
            (gday >= life.join_day)
            & (gm >= life.first_month)
            & (life.stage_at(gm) < 4)
            & (r.random(n) < greet_p)
        )
        idx = np.flatnonzero(ok)
        parts.append((idx, gday[idx], np.full(len(idx), _GREETING_P)))
    followed = r.random(len(complaints.customer)) < 0.85
    f_day = complaints.first_response[followed] // 1440 + r.integers(1, 10, int(followed.sum()))
    parts.append(
        (
            complaints.customer[followed],
            np.minimum(f_day, END_DAY),
            np.full(int(followed.sum()), _FOLLOW_UP_P),
        )
    )
    cust = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    purpose = np.concatenate([p[2] for p in parts])
    nk = len(cust)
    type_p = _PURPOSE_TYPE_P[purpose].copy()
    visit_ok = _FORMAT_VISIT_OK[shops.format[cust]]
    type_p[:, 1] += type_p[:, 0] * (1.0 - visit_ok)
    type_p[:, 0] *= visit_ok
    kind = pick(r, type_p)
    dur = np.select(
        [kind == 0, kind == 1],
        [40.0 * np.exp(r.normal(0, 0.35, nk)), 8.0 * np.exp(r.normal(0, 0.5, nk))],
        6.0 * np.exp(r.normal(0, 0.4, nk)),
    )
    dur = np.maximum(np.round(dur), 1.0)
    travel = np.where(
        kind == 0, _MARKET_TRAVEL[shops.market[cust]] * np.exp(r.normal(0, 0.25, nk)), 0
    )
    cost = cents(dur * np.where(kind == 0, 2.5, 1.5) + travel)
    return Contacts(customer=cust, day=day, purpose=purpose, type=kind, duration=dur, cost=cost)


def contacts_table(contacts: Contacts, cid: np.ndarray) -> pd.DataFrame:
    """The contacts table in date order."""
    o = np.lexsort((contacts.purpose, contacts.customer, contacts.day))
    return frame(
        "contacts",
        {
            "contact_id": ids("K", len(o), 7),
            "customer_id": cid[contacts.customer[o]],
            "contact_date": as_dates(contacts.day[o]),
            "contact_type": contacts.type[o],
            "purpose": contacts.purpose[o],
            "duration_minutes": contacts.duration[o],
            "cost": contacts.cost[o] / 100.0,
        },
    )
