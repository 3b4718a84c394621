"""From an order table to the customer summary the customer-base models are fitted on.

The BG/NBD, Pareto/NBD and Gamma-Gamma models do not look at single orders: they need, for
each customer, how many times they came back (frequency), when they last bought (recency),
how long we have watched them (T) and what their repeat purchases were worth on average.
Rules, as in Fader, Hardie and Lee (2005), "Counting your customers the easy way",
Marketing Science 24(2), and "RFM and CLV", Journal of Marketing Research 42(4):
- time runs in days; several orders of one customer on one day are one purchase (their
  amounts added), because the models count purchase occasions, not order lines;
- the first purchase starts the customer's clock and is not counted: frequency is the
  number of purchase days after it, and monetary value averages those repeat days only;
- recency and T are measured from the first purchase day, in `unit_days`-day units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.errors import CrmkitError

_NS_PER_DAY = 86_400 * 10**9


def rfm_summary(
    orders: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "order_date",
    amount: str | None = "revenue",
    unit_days: float,
    calibration_end,
    observation_end=None,
) -> pd.DataFrame:
    """One row per customer who first bought on or before `calibration_end`: the frequency,
    recency and T (and monetary value) that BG/NBD, Pareto/NBD and Gamma-Gamma are fitted on.

    - `frequency`: purchase days after the first one, up to and including calibration_end's
      day (several orders on one day are one purchase, their amounts added);
    - `recency`: time from the first to the last of those purchase days; `T`: time from the
      first purchase day to calibration_end's day (Fader, Hardie and Lee 2005);
    - `monetary_value` (when `amount` names a column): the mean amount of the repeat purchase
      days, 0 for a customer with no repeat purchase (the first purchase is left out, as in
      Fader, Hardie and Lee 2005, "RFM and CLV");
    - with `observation_end`: `frequency_holdout`, the purchase days after calibration_end up
      to observation_end's day, and `duration_holdout`, that period's length.

    Times are in units of `unit_days` days: 7 for weeks, 1 for days. The unit is required,
    not defaulted, because fitting on weeks and then forecasting "12 periods" as if they
    were months (or the other way round) is the classic mistake with these models: the
    parameters, recency, T and every forecast horizon must all use the same unit.
    """
    unit = _unit_days(unit_days)
    if not isinstance(orders, pd.DataFrame):
        raise CrmkitError(f"give the orders as a pandas DataFrame; got {type(orders).__name__}")
    needed = [customer, date] + ([amount] if amount is not None else [])
    missing = [c for c in needed if c not in orders.columns]
    if missing:
        raise CrmkitError(
            f"the orders have no column {', '.join(map(repr, missing))}; the columns are "
            f"{list(orders.columns)}: name the right ones with customer=, date= and amount= "
            "(amount=None when there are no amounts)"
        )
    if len(orders) == 0:
        raise CrmkitError("the order table is empty: there are no purchases to summarise")
    cal_end = _day(calibration_end, "calibration_end")
    obs_end = None if observation_end is None else _day(observation_end, "observation_end")
    if obs_end is not None and obs_end <= cal_end:
        raise CrmkitError(
            f"observation_end ({obs_end.date()}) must come after calibration_end "
            f"({cal_end.date()}): the holdout period runs from one to the other"
        )

    ids = orders[customer]
    if ids.isna().any():
        raise CrmkitError(
            f"{int(ids.isna().sum()):,} orders have no {customer!r}: every order needs its "
            "customer; drop or fix those rows first"
        )
    days = _order_days(orders[date], date)
    values = _amounts(orders[amount], amount) if amount is not None else None

    # Work on whole days as integers and customers as codes: sort once by (customer, day),
    # then every per-customer figure is a count or a sum over consecutive runs.
    cal_day = _day_number(cal_end)
    last_day = _day_number(obs_end) if obs_end is not None else cal_day
    if not (days <= cal_day).any():
        earliest = pd.Timestamp(int(days.min()) * _NS_PER_DAY).date()
        raise CrmkitError(
            f"no customer made a first purchase on or before calibration_end "
            f"({cal_end.date()}); the earliest order is on {earliest}: choose a later "
            "calibration_end"
        )
    keep = days <= last_day
    codes, uniques = _codes(ids)
    codes, days = codes[keep], days[keep]
    # one int64 key per (customer, day) sorts about three times faster than two keys
    day_zero = days.min()
    order = np.argsort(codes * (last_day - day_zero + 1) + (days - day_zero))
    codes, days = codes[order], days[order]
    new_pair = np.ones(len(codes), dtype=bool)
    new_pair[1:] = (codes[1:] != codes[:-1]) | (days[1:] != days[:-1])
    starts = np.flatnonzero(new_pair)
    pair_code, pair_day = codes[starts], days[starts]  # one row per (customer, purchase day)

    n_codes = len(uniques)
    is_first = np.r_[True, pair_code[1:] != pair_code[:-1]]  # a customer's first day
    first_pair = np.flatnonzero(is_first)
    in_cal = pair_day <= cal_day
    cal_count = np.bincount(pair_code[in_cal], minlength=n_codes)
    kept = np.flatnonzero(cal_count > 0)  # first purchase on or before calibration_end
    # pairs are sorted by day within a customer, so a customer's calibration days come
    # first: the last of them sits cal_count - 1 places after the first one
    pair_start = np.zeros(n_codes, dtype=np.int64)
    pair_start[pair_code[first_pair]] = first_pair
    first = pair_start[kept]
    last_cal = first + cal_count[kept] - 1
    frequency = cal_count[kept] - 1
    result = {
        "frequency": frequency,
        "recency": (pair_day[last_cal] - pair_day[first]) / unit,
        "T": (cal_day - pair_day[first]) / unit,
    }
    if values is not None:
        pair_amount = np.add.reduceat(values[keep][order], starts)
        repeat = in_cal & ~is_first
        spent = np.bincount(pair_code[repeat], weights=pair_amount[repeat], minlength=n_codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            result["monetary_value"] = np.where(frequency > 0, spent[kept] / frequency, 0.0)
    if obs_end is not None:
        holdout = np.bincount(pair_code[~in_cal], minlength=n_codes)
        result["frequency_holdout"] = holdout[kept]
        result["duration_holdout"] = np.full(len(kept), (last_day - cal_day) / unit)
    index = pd.Index(uniques[kept], name=customer)
    return pd.DataFrame(result, index=index)


def _day_number(day: pd.Timestamp) -> int:
    """Whole days since 1970-01-01, as the order dates are counted."""
    return int(day.to_datetime64().astype("datetime64[D]").astype(np.int64))


def _unit_days(unit_days) -> float:
    if isinstance(unit_days, bool) or not isinstance(unit_days, int | float | np.number):
        raise CrmkitError(
            f"unit_days must be a number of days, e.g. 7 for weeks; got {unit_days!r}"
        )
    if not np.isfinite(unit_days) or unit_days <= 0:
        raise CrmkitError(
            f"unit_days must be a positive number of days (7 for weeks, 1 for days); "
            f"got {unit_days}"
        )
    return float(unit_days)


def _day(value, name: str) -> pd.Timestamp:
    """A date argument as a day (time of day dropped, time zone dropped)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise CrmkitError(
            f"{name} must be a date such as '1997-09-30'; could not read {value!r} ({error})"
        ) from None
    if pd.isna(stamp):
        raise CrmkitError(f"{name} must be a date such as '1997-09-30'; got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _order_days(column: pd.Series, name: str) -> np.ndarray:
    """The order dates as whole days since 1970-01-01 (int64)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
    else:
        parsed = _parse_dates(column)
        if (parsed.isna() & column.notna()).any():
            # pandas guesses one format from the first value; dates written in several
            # ways ("2024-01-05", "2024-01-05 18:30") need each value read on its own
            parsed = _parse_dates(column, format="mixed")
    bad = parsed.isna()
    if bad.any():
        examples = column[bad].head(3).tolist()
        raise CrmkitError(
            f"{int(bad.sum()):,} values of {name!r} are missing or not dates (for example "
            f"{examples}); fix or drop those orders, or name the date column with date="
        )
    return parsed.to_numpy().astype("datetime64[D]").astype(np.int64)


def _parse_dates(column: pd.Series, **options) -> pd.Series:
    try:
        parsed = pd.to_datetime(column, errors="coerce", **options)
    except (TypeError, ValueError):  # e.g. mixed time zones
        parsed = pd.to_datetime(column, errors="coerce", utc=True, **options)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _amounts(column: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        examples = column[bad].head(3).tolist()
        raise CrmkitError(
            f"{int(bad.sum()):,} values of {name!r} are missing or not numbers (for example "
            f"{examples}); fix them, or pass amount=None to summarise without amounts"
        )
    return values.to_numpy(dtype=float)


def _codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Customer codes 0..k-1 and the ids they stand for, in sorted order when the ids sort."""
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:  # ids of mixed types that do not sort: keep the order of appearance
        codes, uniques = pd.factorize(ids, sort=False)
    return codes.astype(np.int64), pd.Index(uniques)


def fit_columns(summary: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The frequency, recency and T columns a transaction model is fitted on, or a sentence
    saying what the summary lacks (the one check BG/NBD and Pareto/NBD share)."""
    if not isinstance(summary, pd.DataFrame):
        raise CrmkitError(
            "give the customer summary as a DataFrame with columns frequency, recency and T "
            "(rfm_summary makes one from an order table)"
        )
    missing = [c for c in ("frequency", "recency", "T") if c not in summary.columns]
    if missing:
        raise CrmkitError(
            f"the customer summary has no column {', '.join(map(repr, missing))}; it needs "
            "frequency, recency and T (rfm_summary makes them from an order table)"
        )
    return summary["frequency"], summary["recency"], summary["T"]
