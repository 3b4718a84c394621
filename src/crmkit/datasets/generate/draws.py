"""Vectorised random draws that several processes share (one call per table, no Python loops).

Each function consumes its generator in a fixed way, so the order of calls in a process is the
order of the random stream: change a call and the committed sample changes.
"""

from __future__ import annotations

import numpy as np

from crmkit.datasets.generate.period import END_DAY, month_start


def pick(r: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One categorical draw per row of `weights` (rows need not sum to 1)."""
    cum = np.cumsum(weights, axis=1)
    u = r.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index of each expanded item, and its position within its row (counts -> events)."""
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return rows, np.arange(len(rows)) - first[rows]


def day_between(r: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform day index in [lo, hi] for each pair."""
    return lo + np.floor(r.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def day_in_month(r: np.random.Generator, month: np.ndarray, join_day: np.ndarray) -> np.ndarray:
    """A uniform day of month index `month`, not before `join_day` nor after the period."""
    lo = np.maximum(month_start(month), join_day)
    hi = np.minimum(month_start(month + 1) - 1, END_DAY)
    return day_between(r, lo, hi)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function: log-odds to probability."""
    return 1.0 / (1.0 + np.exp(-x))
