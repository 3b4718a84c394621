"""Referrals: some small shops bring in new customers (VA5).

A customer's value is more than its own margin: a few small convenience stores, restaurants
and kiosks refer shops that join later, so ranking by profit alone misses them.
"""

from __future__ import annotations

import numpy as np

from crmkit.datasets.generate.customers import Shops
from crmkit.datasets.generate.lifecycle import Lifecycle

_REFERRING_FORMATS = [0, 2, 3]  # convenience_store, restaurant, kiosk


def draw_referrals(r: np.random.Generator, shops: Shops, life: Lifecycle) -> np.ndarray:
    """The index of the customer who referred each customer, or -1.

    Referrers are among the smallest fifth by our expected sales; a referred shop joined in
    the window, after its referrer, while the referrer was still a customer.
    """
    n = len(life.joined)
    ours = shops.capacity * shops.wallet_share
    small = ours < np.quantile(ours, 0.2)
    candidate = small & np.isin(shops.format, _REFERRING_FORMATS) & (r.random(n) < 0.35)
    cand = np.flatnonzero(candidate)
    cand = cand[np.argsort(life.join_day[cand], kind="stable")]
    referee = np.flatnonzero((life.joined >= 0) & (r.random(n) < 0.16))
    before = np.searchsorted(life.join_day[cand], life.join_day[referee], side="left")
    pick = np.floor(r.random(len(referee)) * before).astype(np.int64)
    has = before > 0
    referee, pick = referee[has], pick[has]
    referrer = cand[pick]
    alive = life.stage_at(life.joined[referee], referrer) < 4
    referred_by = np.full(n, -1, dtype=np.int64)
    referred_by[referee[alive]] = referrer[alive]
    return referred_by
