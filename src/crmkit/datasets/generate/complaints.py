"""Complaints: service failures, their cause, channel and handling, and the churn they cause.

Complaints follow service failures and cluster by cause (CO5) with format and market;
channels differ in response and resolution times; a share reopen; and how a complaint was
handled changes the odds that the customer leaves, with enough noise that the effect must be
estimated (CO4, CO5).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.draws import day_in_month, expand, pick, sigmoid
from crmkit.datasets.generate.lifecycle import Lifecycle, MonthGrid
from crmkit.datasets.generate.period import END_MINUTE, NEVER

_STAGE_FAIL = np.array([1.3, 1.0, 0.85, 1.5, 0.0])  # failure rate by stage; none once ended
_HOUR_W = np.array([2, 6, 9, 10, 9, 7, 6, 7, 8, 8, 7, 6, 4, 3, 2], dtype=np.float64)  # 7h-21h
# causes: price product service technology promotion demand management political other
_CAUSE_W = np.array([0.16, 0.24, 0.22, 0.05, 0.10, 0.07, 0.08, 0.02, 0.06])
_CAUSE_FORMAT = np.ones((5, 9))
_CAUSE_FORMAT[1, [0, 4]] = 1.9  # supermarkets: price and promotion
_CAUSE_FORMAT[2, 1] = 1.7  # restaurants: product (freshness)
_CAUSE_FORMAT[3, 2] = 1.6  # kiosks: service (small drops skipped)
_CAUSE_FORMAT[4, 3] = 5.0  # online shops: technology (ordering, e-invoices)
_CAUSE_FORMAT[0, 4] = 1.3
_CAUSE_MARKET = np.ones((3, 9))
_CAUSE_MARKET[2, 2] = 1.4  # rural: late deliveries
# channels: phone visit wechat email, by format (online shops write more)
_CHANNEL_P = np.array([[0.40, 0.15, 0.30, 0.15]] * 4 + [[0.20, 0.05, 0.45, 0.30]])
_RESPONSE_H = np.array([1.0, 0.3, 3.0, 18.0])  # median hours to first response by channel
_RESOLVE_H = np.array([20.0, 16.0, 30.0, 70.0])  # median hours from response to closing
_CAUSE_RESOLVE = np.array([1.0, 1.0, 0.9, 1.5, 1.0, 1.2, 2.0, 2.5, 0.8])
# desired resolution by cause: refund replacement repair discount apology explanation
_RESOLUTION_P = np.array(
    [
        [0.15, 0.00, 0.00, 0.55, 0.05, 0.25],
        [0.35, 0.50, 0.00, 0.05, 0.05, 0.05],
        [0.10, 0.10, 0.00, 0.15, 0.45, 0.20],
        [0.05, 0.05, 0.55, 0.05, 0.10, 0.20],
        [0.20, 0.05, 0.00, 0.50, 0.05, 0.20],
        [0.00, 0.00, 0.00, 0.20, 0.10, 0.70],
        [0.30, 0.00, 0.10, 0.10, 0.20, 0.30],
        [0.00, 0.20, 0.20, 0.00, 0.10, 0.50],
        [0.00, 0.00, 0.00, 0.10, 0.60, 0.30],
    ]
)


@dataclass(frozen=True)
class Complaints:
    """One entry per complaint; times are minute indexes, codes index the schema's enums."""

    customer: np.ndarray
    month: np.ndarray
    opened: np.ndarray
    cause: np.ndarray
    channel: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray  # may lie after the period end; see `unresolved`
    unresolved: np.ndarray
    reasonable: np.ndarray
    resolution: np.ndarray
    compensation: np.ndarray
    satisfied: np.ndarray
    asked: np.ndarray  # asked whether the resolution satisfied them
    reopened: np.ndarray

    def take(self, rows: np.ndarray) -> Complaints:
        """The complaints at `rows` (an index or a mask), in that order."""
        return Complaints(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


def simulate_complaints(
    r: np.random.Generator, shops: Shops, planned: Lifecycle, grid: MonthGrid
) -> tuple[Complaints, Lifecycle]:
    """Complaints on the planned lifecycle, and the lifecycle after the churn they trigger.

    Returns only the complaints made before the customer's relationship ended.
    """
    gc = grid.customer
    g_stage = planned.stage_at(grid.month, gc)
    rate = (
        0.025 * shops.failure[gc] * _STAGE_FAIL[g_stage] * np.where(shops.format[gc] == 1, 1.4, 1.0)
    )
    q_row, _ = expand(r.poisson(rate))
    cust = gc[q_row]
    month = grid.month[q_row]
    nq = len(q_row)
    day = day_in_month(r, month, planned.join_day[cust])
    hour = r.choice(np.arange(7, 22), size=nq, p=_HOUR_W / _HOUR_W.sum())
    opened = day * 1440 + hour * 60 + r.integers(0, 60, nq)
    cause_w = (
        _CAUSE_W[None, :] * _CAUSE_FORMAT[shops.format[cust]] * _CAUSE_MARKET[shops.market[cust]]
    )
    cause_w[:, 2] *= np.sqrt(shops.failure[cust])
    cause = pick(r, cause_w)
    channel = pick(r, _CHANNEL_P[shops.format[cust]])
    resp_min = np.ceil(_RESPONSE_H[channel] * 60 * np.exp(r.normal(0.0, 0.7, nq))).astype(np.int64)
    res_hours = _RESOLVE_H[channel] * _CAUSE_RESOLVE[cause] * np.exp(r.normal(0.0, 0.85, nq))
    first_resp = np.minimum(opened + resp_min, END_MINUTE)
    resolved = first_resp + np.ceil(res_hours * 60).astype(np.int64)
    reasonable = r.random(nq) < 0.82
    abandoned = r.random(nq) < 0.02
    unresolved = (resolved > END_MINUTE) | abandoned
    resolution = pick(r, _RESOLUTION_P[cause])
    comp = np.select(
        [resolution == 0, resolution == 3, resolution == 1],
        [
            np.round(np.minimum(shops.capacity[cust] * 0.05, 3000) * r.uniform(0.3, 1.0, nq), 0),
            np.round(r.uniform(20, 300, nq), 0),
            np.where(r.random(nq) < 0.3, np.round(r.uniform(10, 80, nq), 0), 0.0),
        ],
        0.0,
    )
    comp = np.where(reasonable, comp, np.where(r.random(nq) < 0.7, 0.0, comp))
    sat_logit = (
        1.9
        - 0.9 * np.log(np.maximum(res_hours, 1.0) / 24.0)
        - 1.3 * ~reasonable
        + 0.4 * (comp > 0)
        + r.normal(0.0, 0.3, nq)
    )
    satisfied = r.random(nq) < sigmoid(sat_logit)
    asked = ~unresolved & (r.random(nq) < 0.85)
    reopened = ~unresolved & (
        r.random(nq) < sigmoid(-2.7 + 1.9 * ~satisfied + 0.25 * np.log(res_hours / 24.0))
    )
    slow = res_hours > 72
    churn_logit = -3.0 + 1.6 * ~satisfied + 1.1 * reopened + 0.5 * slow + 1.0 * unresolved
    trigger = r.random(nq) < sigmoid(churn_logit)
    leave = np.full(len(planned.joined), NEVER, dtype=np.int64)
    lag = r.integers(1, 3, nq)
    np.minimum.at(leave, cust[trigger], (month + lag)[trigger])
    quick = r.integers(1, 4, len(planned.joined))
    life = planned.leave_from(leave, quick)
    everything = Complaints(
        customer=cust,
        month=month,
        opened=opened,
        cause=cause,
        channel=channel,
        first_response=first_resp,
        resolved=resolved,
        unresolved=unresolved,
        reasonable=reasonable,
        resolution=resolution,
        compensation=comp,
        satisfied=satisfied,
        asked=asked,
        reopened=reopened,
    )
    return everything.take(np.flatnonzero(month < life.ended[cust])), life
