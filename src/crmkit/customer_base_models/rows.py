"""Distinct customer histories: many customers share the same (frequency, recency, T), so
the models compute each distinct history once and weigh it by how many share it."""

from __future__ import annotations

import numpy as np


def distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The distinct rows of equal-length columns: those rows' columns, how many rows share
    each (as floats, to weigh a likelihood) and, for each row, which distinct row it is.

    One lexsort and runs of equal rows: several times faster than np.unique(axis=0),
    which compares rows as raw bytes.
    """
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    new = np.zeros(order.size, dtype=bool)  # True where a row differs from the one before
    new[:1] = True
    for column in ordered:
        new[1:] |= column[1:] != column[:-1]
    which = np.empty(order.size, dtype=np.intp)
    which[order] = np.cumsum(new) - 1
    counts = np.diff(np.append(np.flatnonzero(new), order.size))
    return [column[new] for column in ordered], counts.astype(float), which
