"""The customer base: what every topic needs per customer, computed one way.

Profit per customer with all its parts, the customers' attributes, period
windows taken from the data, customer lookup and money formatting. Topic
modules (classification, pyramid, value, key accounts, ...) build on this
module and not on each other, so one definition gives one number everywhere.

Speed: every per-customer total here is a `np.bincount` over integer customer
codes, found once per table with one hash look-up. That is the core of the
1,000,000-order benchmark (benchmarks/README.md), and faster than a pandas
groupby per column, which re-hashes the string ids for each aggregation.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmkit.errors import CrmkitError, MissingData

if TYPE_CHECKING:
    from crmkit.datasets.load import SampleData

# -- periods taken from the data -------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A window of dates, `start` included and `end` excluded, with a label for people."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise CrmkitError(f"a period must start before it ends; got {self.start} to {self.end}")

    @property
    def last_day(self) -> pd.Timestamp:
        """The last day inside the period (the day before `end`)."""
        return self.end - pd.Timedelta(days=1)

    @property
    def year(self) -> int | None:
        """The calendar year, when the period is exactly one; otherwise None."""
        whole = self.start == pd.Timestamp(
            year=self.start.year, month=1, day=1
        ) and self.end == pd.Timestamp(year=self.start.year + 1, month=1, day=1)
        return self.start.year if whole else None

    def contains(self, dates: pd.Series) -> np.ndarray:
        """True for each date inside the period (a boolean array aligned with `dates`)."""
        values = dates.to_numpy(dtype="datetime64[ns]")
        return (values >= self.start.to_datetime64()) & (values < self.end.to_datetime64())

    def previous(self) -> Period:
        """The period of the same length just before this one (a year before a year)."""
        if self.year is not None:
            return year(self.year - 1)
        months = _whole_months(self.start, self.end)
        if months is not None:
            return months_to(self.start - pd.Timedelta(days=1), months)
        return as_period((self.start - (self.end - self.start), self.start))

    def __str__(self) -> str:
        return self.label


def _whole_months(start: pd.Timestamp, end: pd.Timestamp) -> int | None:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if start + pd.DateOffset(months=months) == end and months > 0 else None


def year(value: int) -> Period:
    """The calendar year `value` as a period, e.g. 2025 -> 2025-01-01 up to 2026-01-01."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise CrmkitError(f"give the year as a whole number, e.g. 2025; got {value!r}")
    start = pd.Timestamp(year=int(value), month=1, day=1)
    return Period(start, pd.Timestamp(year=int(value) + 1, month=1, day=1), str(int(value)))


def months_to(last_day, months: int = 12) -> Period:
    """The `months` months that end on `last_day` (included), e.g. the 12 months to a date."""
    if int(months) != months or months < 1:
        raise CrmkitError(f"months must be a whole number of at least 1; got {months}")
    end = pd.Timestamp(last_day).normalize() + pd.Timedelta(days=1)
    start = end - pd.DateOffset(months=int(months))
    return Period(start, end, f"{int(months)} months to {pd.Timestamp(last_day):%Y-%m-%d}")


#: What a function accepts as a period: a Period, a calendar year, a (start, end) pair or None.
PeriodLike = Period | int | tuple | None


def as_period(value: PeriodLike) -> Period | None:
    """A Period from a Period, a year number or a (start, end) pair; None stays None."""
    if value is None or isinstance(value, Period):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return year(int(value))
    if isinstance(value, tuple) and len(value) == 2:
        start, end = (pd.Timestamp(v) for v in value)
        if start >= end:
            raise CrmkitError(f"start ({start:%Y-%m-%d}) must come before end; end is excluded")
        return Period(start, end, f"{start:%Y-%m-%d} to {end - pd.Timedelta(days=1):%Y-%m-%d}")
    raise CrmkitError(f"give a period as a year (e.g. 2025) or a (start, end) pair; got {value!r}")


@dataclass(frozen=True)
class Periods:
    """The periods a lesson asks the data for, so no lesson types a year or a date.

    A calendar year is *full* when the data starts in its first month or before
    and the analysis date is on or after its last day.
    """

    analysis_date: pd.Timestamp
    first_date: pd.Timestamp
    full_years: tuple[int, ...]

    @property
    def last_full_year(self) -> Period:
        """The latest full calendar year of the data."""
        if not self.full_years:
            raise CrmkitError(
                f"the data ({self.first_date:%Y-%m-%d} to {self.analysis_date:%Y-%m-%d}) "
                "covers no full calendar year; use periods(data).last_12_months instead"
            )
        return year(self.full_years[-1])

    @property
    def year_before(self) -> Period:
        """The full calendar year before the last one."""
        if len(self.full_years) < 2:
            raise MissingData(
                "this part compares two full calendar years, and the data covers "
                f"{len(self.full_years)} ({self.first_date:%Y-%m-%d} to "
                f"{self.analysis_date:%Y-%m-%d})"
            )
        return year(self.full_years[-2])

    @property
    def last_12_months(self) -> Period:
        """The 12 months up to and including the analysis date."""
        return months_to(self.analysis_date, 12)

    def years(self) -> list[Period]:
        """Every full calendar year of the data, oldest first."""
        return [year(y) for y in self.full_years]


def periods(data: SampleData) -> Periods:
    """The periods of `data` (a SampleData): analysis date, first order date, full years."""
    dates = data.orders["order_date"]
    if dates.empty:
        raise CrmkitError("the orders table is empty, so the data has no periods")
    first = pd.Timestamp(dates.min()).normalize()
    analysis = pd.Timestamp(data.analysis_date).normalize()
    # data that starts in January covers that year (the first order may come on 2 January)
    first_full = first.year if first.month == 1 else first.year + 1
    last_full = analysis.year if (analysis.month, analysis.day) == (12, 31) else analysis.year - 1
    return Periods(analysis, first, tuple(range(first_full, last_full + 1)))


# -- customer codes: the ids of each table as integer positions -------------------------------


def customer_ids(data: SampleData) -> pd.Index:
    """Every customer id of the customers table, sorted (the loader keeps ids as strings)."""
    return pd.Index(data.customers["customer_id"], name="customer_id").sort_values()


def codes(ids: pd.Index, column: pd.Series) -> np.ndarray:
    """The position in `ids` of each value of `column` (a customer_id column).

    Raises a clear error for ids that `ids` does not hold (the loader's foreign
    key check normally makes that impossible).
    """
    found = ids.get_indexer(column)
    if (found < 0).any():
        unknown = pd.unique(column[found < 0])[:3]
        raise CrmkitError(
            f"{int((found < 0).sum())} rows name customers that are not in the customers "
            f"table, e.g. {list(unknown)}"
        )
    return found


def sorted_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a customer_id column and its distinct ids in sorted order.

    The same as `pd.factorize(column, sort=True)`, faster: hashing first and
    sorting only the distinct ids costs less than sorting while hashing.
    """
    code, ids = pd.factorize(column)
    order = np.argsort(np.asarray(ids), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[code], pd.Index(ids[order], name="customer_id")


# -- profit per customer with all its parts ---------------------------------------------------

#: The cost-to-serve parts, in the order a profit waterfall shows them.
SERVICE_PARTS = ["visits", "phone_calls", "call_backs", "complaint_handling"]
#: Contact types of the contacts table and the part each one's cost goes to.
CONTACT_PARTS = {"visit": "visits", "phone_call": "phone_calls", "call_back": "call_backs"}
COMPLAINT_PURPOSE = "complaint_follow_up"

PROFIT_COLUMNS = [
    "revenue",
    "margin_before_discount",
    "discounts",
    "gross_margin",
    *SERVICE_PARTS,
    "cost_to_serve",
    "profit",
    "orders",
    "contacts",
    "complaints",
]

#: The short view lesson 01 shows: the same computation, fewer columns.
SHORT_COLUMNS = ["revenue", "gross_margin", "cost_to_serve", "profit", "orders"]

_NEEDS = {
    "orders": ["customer_id", "order_date", "revenue", "gross_margin", "discount"],
    "contacts": ["customer_id", "contact_date", "contact_type", "purpose", "cost"],
    "complaints": ["customer_id", "opened_at", "compensation"],
}


def need(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """Raise a clear error when `frame` (the `table` table) lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CrmkitError(f"the {table} table lacks the column(s) {missing}")


def _sums(code: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(code, weights=weights, minlength=n).astype(float)


#: Which customers a per-customer table lists (see `customer_profit`).
WHO = ("buyers", "served", "all")


def customer_profit(
    data: SampleData, period: PeriodLike = None, *, customers: str = "buyers"
) -> pd.DataFrame:
    """Profit of every customer in `period` with every part of it shown.

    `data` is a SampleData; `period` a Period, a year or a (start, end) pair
    (end excluded), or None for all the data. Rule, per customer:

    - margin_before_discount = gross margin + discounts given (what the goods
      would have earned at list price); gross_margin = margin_before_discount
      - discounts;
    - visits, phone_calls, call_backs = the cost of those contacts, except
      contacts made to follow up a complaint;
    - complaint_handling = the cost of complaint follow-up contacts plus the
      compensation paid on complaints opened in the period;
    - cost_to_serve = visits + phone_calls + call_backs + complaint_handling;
    - profit = gross_margin - cost_to_serve.

    Which customers are rows (`customers`): "buyers", those who ordered in the
    period (a period's customers, the workbook's one definition); "served",
    also those who only had a contact or a complaint (their cost is real, but
    they bought nothing); "all", every customer of the customers table, with
    zeros where nothing happened. Indexed by customer_id, sorted. `short_view`
    gives lesson 01's five columns of the same table.
    """
    if customers not in WHO:
        raise CrmkitError(f"customers must be one of {list(WHO)}; got {customers!r}")
    for table, columns in _NEEDS.items():
        need(getattr(data, table), table, columns)
    window = as_period(period)
    ids = customer_ids(data)
    n = len(ids)

    orders = data.orders
    keep = window.contains(orders["order_date"]) if window else slice(None)
    oc = codes(ids, orders["customer_id"])[keep]
    revenue = _sums(oc, n, orders["revenue"].to_numpy(dtype=float)[keep])
    margin = _sums(oc, n, orders["gross_margin"].to_numpy(dtype=float)[keep])
    discounts = _sums(oc, n, orders["discount"].to_numpy(dtype=float)[keep])
    n_orders = np.bincount(oc, minlength=n)

    contacts = data.contacts
    keep = window.contains(contacts["contact_date"]) if window else slice(None)
    cc = codes(ids, contacts["customer_id"])[keep]
    kinds = pd.Categorical(contacts["contact_type"], categories=list(CONTACT_PARTS)).codes
    part = np.where(kinds < 0, 0, kinds)  # a contact type outside the three counts as a visit
    part = np.where(contacts["purpose"].to_numpy() == COMPLAINT_PURPOSE, 3, part)[keep]
    cost = contacts["cost"].to_numpy(dtype=float)[keep]
    # numpy counts in integers when there is nothing to add up (no contacts): money is float
    by_part = np.bincount(cc * 4 + part, weights=cost, minlength=n * 4).reshape(n, 4).astype(float)
    n_contacts = np.bincount(cc, minlength=n)

    complaints = data.complaints
    keep = window.contains(complaints["opened_at"]) if window else slice(None)
    pc = codes(ids, complaints["customer_id"])[keep]
    compensation = _sums(pc, n, complaints["compensation"].to_numpy(dtype=float)[keep])
    n_complaints = np.bincount(pc, minlength=n)

    cost_to_serve = by_part.sum(axis=1) + compensation
    gross = margin
    out = pd.DataFrame(
        {
            "revenue": revenue,
            "margin_before_discount": gross + discounts,
            "discounts": discounts,
            "gross_margin": gross,
            "visits": by_part[:, 0],
            "phone_calls": by_part[:, 1],
            "call_backs": by_part[:, 2],
            "complaint_handling": by_part[:, 3] + compensation,
            "cost_to_serve": cost_to_serve,
            "profit": gross - cost_to_serve,
            "orders": n_orders.astype("int64"),
            "contacts": n_contacts.astype("int64"),
            "complaints": n_complaints.astype("int64"),
        },
        index=ids,
    )
    if customers == "buyers":
        out = out[n_orders > 0]
    elif customers == "served":
        out = out[(n_orders > 0) | (n_contacts > 0) | (n_complaints > 0)]
    return out


def buyers(data: SampleData, period: PeriodLike) -> pd.Index:
    """The customers who placed at least one order in `period` (the period's customers)."""
    window = as_period(period)
    orders = data.orders
    ids = (
        orders["customer_id"][window.contains(orders["order_date"])]
        if window
        else orders["customer_id"]
    )
    return pd.Index(ids.unique(), name="customer_id").sort_values()


def lost_customers(data: SampleData, period: PeriodLike) -> pd.Index:
    """Lost customers (流失客户) of `period`: they ordered in the period before it, not in it.

    The workbook's one definition of a customer who stopped ordering; the
    retention rate is 1 - lost / the customers of the period before.
    """
    window = as_period(period)
    if window is None:
        raise CrmkitError("give the period to compare with the one before, e.g. a year")
    return buyers(data, window.previous()).difference(buyers(data, window))


def short_view(profit: pd.DataFrame) -> pd.DataFrame:
    """Lesson 01's view of a `customer_profit` table: revenue, margin, cost, profit, orders."""
    return profit[SHORT_COLUMNS]


# -- customer attributes and lookup ----------------------------------------------------------

#: The attributes shown beside a customer wherever a table lists customers.
ATTRIBUTES = ["shop_name", "business_format", "market_type"]


def attributes(data: SampleData, columns: Sequence[str] = ATTRIBUTES) -> pd.DataFrame:
    """The customers table indexed by customer_id, with the chosen columns."""
    missing = [c for c in columns if c not in data.customers.columns]
    if missing:
        raise CrmkitError(f"the customers table lacks the column(s) {missing}")
    return data.customers.set_index("customer_id")[list(columns)]


def with_attributes(table: pd.DataFrame, data, columns: Sequence[str] = ATTRIBUTES) -> pd.DataFrame:
    """`table` (indexed by customer_id) with each customer's shop name, format and market first.

    Only customers in both are kept, sorted by id.
    """
    return attributes(data, columns).join(table, how="inner").sort_index()


def known_customer(data: SampleData, customer_id: str) -> str:
    """The customer id as the data spells it, or a clear error with the closest ids."""
    cid = str(customer_id).strip().upper()
    ids = pd.Index(data.customers["customer_id"])
    if cid not in ids:
        close = difflib.get_close_matches(cid, list(ids), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; ids look like C00042"
        raise CrmkitError(f"there is no customer '{customer_id}' in the customers table{hint}")
    return cid


def known_customers(data: SampleData, ids: Iterable[str]) -> list[str]:
    """Each id checked by `known_customer`, in the order given."""
    if isinstance(ids, str):
        ids = [ids]
    return [known_customer(data, cid) for cid in ids]


def find_customers(data: SampleData, text: str, limit: int = 10) -> pd.DataFrame:
    """Customers whose id or shop name contains `text` (case-insensitive), ids in order."""
    needle = str(text).strip().lower()
    if not needle:
        raise CrmkitError("type part of a customer id or shop name to search for")
    customers = data.customers
    hit = customers["customer_id"].str.lower().str.contains(needle, regex=False) | customers[
        "shop_name"
    ].str.lower().str.contains(needle, regex=False)
    found = customers[hit.to_numpy()].sort_values("customer_id").head(limit)
    return found.set_index("customer_id")[ATTRIBUTES]


# -- money --------------------------------------------------------------------------------


#: Why a measure can be unknown for every customer: the sentence a lesson shows instead.
UNKNOWN_BECAUSE = {
    "profit": "profit needs each order's gross margin, and this data leaves the margins out "
    "(orders: gross_margin); the parts by revenue still run",
    "gross_margin": "this data leaves the orders' gross margins out (orders: gross_margin)",
    "margin_before_discount": "this data leaves the orders' gross margins out "
    "(orders: gross_margin)",
}


def require_known(values: pd.Series, doing: str) -> None:
    """Refuse values with gaps: MissingData (shown as one sentence in a lesson) when every
    value is unknown because the data leaves its source out, CrmkitError when some are."""
    missing = values.isna().to_numpy()
    if not missing.any():
        return
    if missing.all():
        name = str(values.name) if values.name is not None else "value"
        raise MissingData(
            UNKNOWN_BECAUSE.get(name, f"the {name.replace('_', ' ')} of every customer is unknown")
        )
    raise CrmkitError(f"some values are missing (NaN); fill or drop them before {doing}")


def known(values: pd.Series) -> pd.Series:
    """`values` themselves, once checked: MissingData (one sentence in a lesson) where the
    data leaves them all out, such as profit without margins."""
    require_known(values, "using them")
    return values


def service_cost(table: pd.DataFrame) -> float:
    """The total cost to serve of a `customer_profit` table; MissingData where it is zero
    because the data records no visits, calls or complaints, so no share of it means much."""
    total = float(table["cost_to_serve"].sum())
    if total == 0:
        raise MissingData(
            "this data has no visits, calls or complaints, so serving a customer costs nothing "
            "in it"
        )
    return total


def ranking_measure(table: pd.DataFrame) -> tuple[str, str]:
    """What to rank a `customer_profit` table's customers by: ("profit", "") as the lessons
    do, or ("revenue", why) where the data has no margins, so profit is unknown."""
    if table["profit"].notna().any():
        return "profit", ""
    return "revenue", (
        "this data has no margins, so profit is unknown: customers are ranked by revenue instead"
    )


def most_profitable(table: pd.DataFrame) -> str:
    """The id of the customer with the highest profit in a `customer_profit` table (the first
    by id on a tie); MissingData where the data has no margins to compute profit from."""
    require_known(table["profit"], "ranking by profit")
    _require_customers(table)
    return str(table["profit"].sort_index(kind="mergesort").idxmax())


def least_profitable(table: pd.DataFrame) -> str:
    """The id of the customer with the lowest profit in a `customer_profit` table (the first
    by id on a tie); MissingData where the data has no margins to compute profit from."""
    require_known(table["profit"], "ranking by profit")
    _require_customers(table)
    return str(table["profit"].sort_index(kind="mergesort").idxmin())


def _require_customers(table: pd.DataFrame) -> None:
    if table.empty:
        raise CrmkitError(
            "the table lists no customers (nobody ordered in its period), so none is the most "
            "or least profitable; choose a period with orders"
        )


def money(value: float) -> str:
    """Yuan with thousands separators and the sign in front: -¥1,234."""
    return f"{'-' if value < 0 else ''}¥{abs(value):,.0f}"


# -- ranking ---------------------------------------------------------------------------------


def best_first(values: pd.Series) -> pd.Series:
    """`values` (indexed by customer id) sorted from the highest down, ties by customer id.

    Sorting by value and then id makes every ranking independent of row order.
    A stable sort of the values over id-sorted rows gives the same order and is
    much faster than sorting on two keys. Values equal to a millionth count as
    equal: float sums of the same cents can differ in the last bit.
    """
    return values.iloc[best_first_positions(values)]


def net_total(values, remedy: str) -> float:
    """The net sum of `values` (losses included), the basis of every share in the workbook.

    A clear error when it is zero or less, since shares of it would mean nothing; `remedy`
    says what to do instead. Values with gaps are refused as `require_known` does (MissingData
    where every value is unknown), rather than added up as if the gaps were zero.
    """
    if isinstance(values, pd.Series):
        require_known(values, "taking shares of the total")
    elif np.isnan(np.asarray(values, dtype=float)).any():
        raise CrmkitError("some values are missing (NaN); fill or drop them before adding them up")
    total = float(np.sum(values))
    if total <= 0:
        raise CrmkitError(
            f"the values add up to zero or less, so there is no total to take shares of; {remedy}"
        )
    return total


def best_first_positions(values: pd.Series) -> np.ndarray:
    """The positions of `values` in `best_first` order (to mark the top n without labels)."""
    by_id = (
        np.arange(len(values))
        if values.index.is_monotonic_increasing
        else np.argsort(values.index.to_numpy(), kind="stable")
    )
    # rounded to a millionth, so sums equal to the cent tie whatever order they were added in
    key = -np.round(values.to_numpy(dtype=float)[by_id], 6)
    return by_id[np.argsort(key, kind="stable")]


# -- lost customers and revenue --------------------------------------------------------------

#: What `revenue_bridge` returns, in the order a bridge reads.
BRIDGE_FIELDS = [
    "customers_before",
    "lost_customers",
    "new_customers",
    "customers_now",
    "revenue_before",
    "from_lost",
    "from_stayers",
    "from_new",
    "revenue_now",
    "revenue_change",
]


def revenue_bridges(data: SampleData) -> pd.DataFrame:
    """`revenue_bridge` of every full year that has a year before it, one row per year
    (index: the year); MissingData when the data has fewer than two full years."""
    years = periods(data).years()
    if len(years) < 2:
        periods(data).year_before  # noqa: B018 (raises MissingData with the reason)
    bridge = pd.DataFrame([revenue_bridge(data, period) for period in years[1:]])
    bridge.index.name = "year"
    return bridge


def revenue_bridge(data: SampleData, period: PeriodLike) -> pd.Series:
    """How revenue went from the period before `period` to `period`, customer group by group.

    Why many customers can be lost while revenue grows. The buyers of the period
    before are split into lost customers (no order in `period`) and stayers; the
    buyers of `period` who did not buy before are new. Counts: customers_before,
    lost_customers, new_customers, customers_now. Yuan: revenue_before and
    revenue_now, and the bridge between them, which adds up to revenue_change:
    from_lost (minus what the lost customers bought the period before), from_stayers
    (the stayers' revenue now minus before) and from_new (what new customers bought).
    """
    window = as_period(period)
    if window is None:
        raise CrmkitError("give the period to compare with the one before, e.g. a year")
    before = customer_profit(data, window.previous())["revenue"]
    now = customer_profit(data, window)["revenue"]
    lost = before.index.difference(now.index)
    new = now.index.difference(before.index)
    stayers = now.index.intersection(before.index)
    values = {
        "customers_before": len(before),
        "lost_customers": len(lost),
        "new_customers": len(new),
        "customers_now": len(now),
        "revenue_before": float(before.sum()),
        "from_lost": -float(before[lost].sum()),
        "from_stayers": float(now[stayers].sum() - before[stayers].sum()),
        "from_new": float(now[new].sum()),
        "revenue_now": float(now.sum()),
        "revenue_change": float(now.sum() - before.sum()),
    }
    return pd.Series(values, index=BRIDGE_FIELDS, dtype=object, name=str(window))
