"""The simulated period: 36 months from 2023-01-01, counted as day, minute and month indexes.

Every process works on plain integers (day 0 = 2023-01-01, month 0 = 2023-01) and turns them
into dates only when a table is built, so no clock and no time zone ever enters the data.
"""

from __future__ import annotations

from datetime import date

import numpy as np

START = date(2023, 1, 1)
END = date(2025, 12, 31)
ANALYSIS_DATE = END
MONTHS = 36

DAY0 = np.datetime64("2023-01-01", "D")
MONTH0 = np.datetime64("2023-01", "M")
END_DAY = int((np.datetime64("2025-12-31", "D") - DAY0).astype(np.int64))  # 1095
END_MINUTE = END_DAY * 1440 + 23 * 60 + 59
NEVER = 10_000  # month index of a stage that never starts


def month_start(m: np.ndarray) -> np.ndarray:
    """Day index (0 = 2023-01-01) of the first day of month index m (0 = 2023-01)."""
    return ((MONTH0 + np.asarray(m, dtype=np.int64)).astype("datetime64[D]") - DAY0).astype(
        np.int64
    )


def days_in_month(m: np.ndarray) -> np.ndarray:
    """Number of days of month index m."""
    return month_start(np.asarray(m) + 1) - month_start(m)


def month_of(day: np.ndarray) -> np.ndarray:
    """Month index of day index `day`."""
    return (as_dates(day).astype("datetime64[M]") - MONTH0).astype(np.int64)


def day_of(iso: str) -> int:
    """Day index of an ISO date such as '2024-02-10'."""
    return int((np.datetime64(iso) - DAY0).astype(np.int64))


def month_labels() -> np.ndarray:
    """'YYYY-MM' of every month index of the period, as the tables write a month."""
    return (MONTH0 + np.arange(MONTHS)).astype(str).astype(object)


def as_dates(day: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Day indexes as datetime64[D], NaT where `missing` is true."""
    out = DAY0 + np.asarray(day, dtype="timedelta64[D]")
    if missing is not None:
        out = out.copy()
        out[missing] = np.datetime64("NaT")
    return out


def as_minutes(minute: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Minute indexes (0 = 2023-01-01 00:00) as datetime64[m], NaT where `missing` is true."""
    out = np.datetime64("2023-01-01T00:00", "m") + np.asarray(minute, dtype="timedelta64[m]")
    if missing is not None:
        out = out.copy()
        out[missing] = np.datetime64("NaT")
    return out
