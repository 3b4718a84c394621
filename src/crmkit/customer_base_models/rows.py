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


def dot(weights: np.ndarray, values: np.ndarray) -> float:
    """The sum of weights * values over one axis, without BLAS.

    `weights @ values` hands a long 1-D product to OpenBLAS, whose worker threads then
    spin-wait between calls; on a two-core machine they take the core the fit's own
    ufuncs need, and a 100,000-customer BG/NBD fit ran 2.2 times slower (0.195 s against
    0.087 s with one BLAS thread). einsum sums in numpy's own loop: a few microseconds more
    per call, no threads.
    """
    return float(np.einsum("i,i->", weights, values))
