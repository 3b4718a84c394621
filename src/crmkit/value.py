"""Customer value (客户价值): what the offer is worth to the customer, and the customer to us.

Two sides of one idea. To the customer, value is what they get minus what they
give up (VA1), judged against what they were promised (VA4). To the firm, a
customer is worth the profit they will bring over the whole relationship, a
forward view rather than last year's sales alone (VA2, PY5), and some small
customers are worth more than their own sales show (VA5). Value-added services
are how a firm raises value on both sides (VA6).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.customer_base import (
    UNKNOWN_BECAUSE,
    as_period,
    attributes,
    buyers,
    customer_profit,
    known_customers,
    money,
    months_to,
    periods,
    require_known,
)
from crmkit.errors import CrmkitError, MissingData

if TYPE_CHECKING:
    from crmkit.datasets.load import SampleData
from crmkit.tiers import assign_tiers


def _number(value, what: str, *, minimum: float | None = None) -> float:
    """`value` as a finite float, or a CrmkitError naming `what`."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise CrmkitError(f"{what} must be a finite number; got {value!r}")
    if minimum is not None and value < minimum:
        raise CrmkitError(f"{what} cannot be below {minimum:g}; got {value!r}")
    return float(value)


# -- VA1: customer-perceived value ---------------------------------------------------------

#: The parts of the calculation: (side, part, Chinese term), value parts first.
VALUE_PARTS = [
    ("value", "product", "产品价值"),
    ("value", "service", "服务价值"),
    ("value", "personnel", "人员价值"),
    ("value", "image", "形象价值"),
]
COST_PARTS = [
    ("cost", "money", "货币成本"),
    ("cost", "time", "时间成本"),
    ("cost", "energy", "精力成本"),
    ("cost", "physical", "体力成本"),
]


@dataclass(frozen=True)
class PerceivedValue:
    """The eight parts of customer-perceived value (客户感知价值) and what they add up to."""

    product: float
    service: float
    personnel: float
    image: float
    money: float
    time: float
    energy: float
    physical: float

    @property
    def total_value(self) -> float:
        """Total customer value (顾客总价值) = product + service + personnel + image value."""
        return self.product + self.service + self.personnel + self.image

    @property
    def total_cost(self) -> float:
        """Total customer cost (顾客总成本) = money + time + energy + physical cost."""
        return self.money + self.time + self.energy + self.physical

    @property
    def perceived_value(self) -> float:
        """Perceived value = total customer value - total customer cost."""
        return self.total_value - self.total_cost

    @property
    def ratio(self) -> float:
        """Total value / total cost: above 1 the customer gets more than they give up.

        With no cost at all the ratio is infinite (nan if the value is zero too).
        """
        if self.total_cost == 0:
            return math.inf if self.total_value > 0 else math.nan
        return self.total_value / self.total_cost

    def table(self) -> pd.DataFrame:
        """One row per part: side (value or cost), part, chinese term and amount."""
        rows = [
            {"side": side, "part": part, "chinese": chinese, "amount": getattr(self, part)}
            for side, part, chinese in VALUE_PARTS + COST_PARTS
        ]
        return pd.DataFrame(rows, columns=["side", "part", "chinese", "amount"])


def perceived_value(
    *,
    product: float,
    service: float,
    personnel: float,
    image: float,
    money: float,
    time: float,
    energy: float,
    physical: float,
) -> PerceivedValue:
    """Customer-perceived value = total customer value - total customer cost (001 §2.2.2, 003).

    Give each part as an amount on one scale (money, or points); none may be negative.
    """
    parts = {
        "product": product,
        "service": service,
        "personnel": personnel,
        "image": image,
        "money": money,
        "time": time,
        "energy": energy,
        "physical": physical,
    }
    checked = {
        name: _number(amount, f"the {name} part", minimum=0) for name, amount in parts.items()
    }
    return PerceivedValue(**checked)


# -- VA4: expectations -----------------------------------------------------------------------

VERDICTS = ("delighted", "satisfied", "disappointed")


def promise_scenarios(
    delivered: float, promises: Sequence[float], *, tolerance: float = 0.0
) -> pd.DataFrame:
    """What each promise does to the customer's verdict on the same delivered level (seed 000).

    Rule: a promise sets the expectation at the promised level; gap = delivered - expected;
    gap above `tolerance` -> delighted, within it -> satisfied, below -> disappointed.
    So promising more than we deliver turns the same service into a disappointment.
    """
    delivered = _number(delivered, "the delivered level")
    tolerance = _number(tolerance, "the tolerance", minimum=0)
    if isinstance(promises, (str, bytes)) or not isinstance(promises, Sequence) or not promises:
        raise CrmkitError(
            "give the promised levels as a non-empty list of numbers, e.g. [6, 8, 10]"
        )
    levels = [_number(p, f"promise {i + 1}") for i, p in enumerate(promises)]
    gap = np.array([delivered - p for p in levels])
    verdict = np.select([gap > tolerance, gap >= -tolerance], VERDICTS[:2], VERDICTS[2])
    return pd.DataFrame(
        {
            "promised": levels,
            "expectation": levels,
            "delivered": delivered,
            "gap": gap,
            "verdict": verdict,
        }
    )


# -- VA3: what value is made of --------------------------------------------------------------

#: The parts of value (VA3) with an example each, from crmkit/content/value_components.csv.
VALUE_COMPONENTS = content.table("value_components")


# -- VA2: customer lifetime value ------------------------------------------------------------

#: The workbook's one lifetime-value horizon and discount rate (our choice, not a seed's):
#: every lesson, exercise and default uses them, so two values are always comparable.
HORIZON_YEARS = 5
DISCOUNT_RATE = 0.08

ASSUMPTIONS = [
    "The customer brings the same margin every year they stay; it does not grow or shrink.",
    "Each year the customer stays with the same probability (the retention rate); once "
    "gone, they never come back.",
    "The customer is still with us in year t with probability retention ** t, so even the "
    "first year is at risk.",
    "Each year's margin arrives at the end of that year and is discounted by "
    "(1 + discount rate) ** t, because money later is worth less than money now.",
    "The cost of winning the customer is already spent and is not counted.",
    f"The sum stops after a stated horizon: {HORIZON_YEARS} years in this workbook, "
    "because nobody can see further ahead with any confidence.",
    "Referrals and other value beyond the customer's own margin are left out (see VA5).",
]


def _clv_inputs(retention, discount_rate, years) -> tuple[float, float, int | None]:
    d = _number(discount_rate, "the discount rate")
    if d <= -1:
        raise CrmkitError(f"the discount rate must be above -1 (-100%); got {discount_rate!r}")
    r = _number(retention, "the retention rate")
    if years is None:
        if not 0 <= r < 1:
            raise CrmkitError(
                f"the retention rate must be at least 0 and below 1 (e.g. 0.8 for 80%); got {r!r}. "
                "A customer kept for ever with certainty would be worth an infinite amount; "
                "give `years` to stop the sum."
            )
        if r >= 1 + d:
            raise CrmkitError(
                "with this discount rate the sum never ends (retention must be below "
                "1 + discount rate); raise the discount rate or give `years`"
            )
        return r, d, None
    if not 0 <= r <= 1:
        raise CrmkitError(f"the retention rate must be between 0 and 1 (e.g. 0.8); got {r!r}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 0:
        raise CrmkitError(f"years must be a whole number, 0 or more, or None; got {years!r}")
    return r, d, int(years)


def _clv_factor(r: float, d: float, years: int | None) -> float:
    """Lifetime value of a margin of 1 a year."""
    if years is None:
        return r / (1 + d - r)
    t = np.arange(1, years + 1)
    return float(np.sum((r / (1 + d)) ** t))


def lifetime_value(
    margin: float,
    retention: float,
    discount_rate: float = DISCOUNT_RATE,
    years: int | None = HORIZON_YEARS,
) -> float:
    """Customer lifetime value (客户终生价值): the margin a customer will bring, discounted.

    Rule: the sum over years t = 1..years of margin * retention**t / (1 + discount_rate)**t,
    over the workbook's horizon (HORIZON_YEARS) unless told otherwise; years=None runs for
    ever: margin * retention / (1 + discount_rate - retention).
    """
    m = _number(margin, "the margin per year")
    r, d, years = _clv_inputs(retention, discount_rate, years)
    return m * _clv_factor(r, d, years)


def lifetime_values(
    margins: pd.Series,
    retention: float,
    discount_rate: float = DISCOUNT_RATE,
    years: int | None = HORIZON_YEARS,
) -> pd.Series:
    """`lifetime_value` for every customer's yearly margin (same rule, same index)."""
    if not isinstance(margins, pd.Series) or not pd.api.types.is_numeric_dtype(margins):
        raise CrmkitError("give the margins as a Series of numbers, one per customer")
    if margins.isna().all():
        require_known(margins, "valuing the customers")  # MissingData: the data has none
    if margins.isna().any():
        raise CrmkitError("some margins are missing (NaN); fill or drop them first")
    r, d, years = _clv_inputs(retention, discount_rate, years)
    return (margins.astype(float) * _clv_factor(r, d, years)).rename("lifetime_value")


def clv_by_year(
    margin: float,
    retention: float,
    discount_rate: float = DISCOUNT_RATE,
    years: int = HORIZON_YEARS,
) -> pd.DataFrame:
    """Year by year: the chance the customer is still here, the discounted margin, the total.

    Columns: year, still_here (retention**t), discounted_margin (margin * still_here /
    (1 + discount_rate)**t) and cumulative (their running sum, ending at the lifetime value).
    """
    m = _number(margin, "the margin per year")
    r, d, years = _clv_inputs(retention, discount_rate, years)
    if years is None:
        raise CrmkitError("give a horizon in whole years, e.g. 5")
    t = np.arange(1, years + 1)
    still = r**t
    discounted = m * still / (1 + d) ** t
    return pd.DataFrame(
        {
            "year": t,
            "still_here": still,
            "discounted_margin": discounted,
            "cumulative": np.cumsum(discounted),
        }
    )


SENSITIVITY_INPUTS = ("margin", "retention", "discount_rate")


def clv_sensitivity(
    margin: float,
    retention: float,
    discount_rate: float = DISCOUNT_RATE,
    years: int | None = HORIZON_YEARS,
    change: float = 0.10,
    retention_step: str = "relative",
) -> pd.DataFrame:
    """How much the lifetime value moves when each input moves by the same share of itself.

    Equal relative steps are a convention, not a law: +10% of a retention of 85% removes
    more than half of the customers lost each year. `retention_step="lost"` measures the
    retention step in lost customers instead: the share lost falls (or rises) by `change`
    of itself (85% -> 86.5% and 83.5%). Column `capped` says whether the high step was cut
    at the top (a retention near 100% cannot rise by a full 10%).

    Rule: every input moves by ±change of its own value (±10%: margin 1,000 -> 900 and 1,100;
    retention 0.80 -> 0.72 and 0.88; discount rate 8% -> 7.2% and 8.8%), the others held at
    base, so the steps are equal and the comparison is fair. Retention is clipped at 1 (0.99
    without a horizon). effect_up = (CLV at high - base CLV) / base CLV; swing = CLV at high -
    CLV at low. Rows sorted by the size of the swing, largest first.
    """
    change = _number(change, "the change")
    if not 0 < change < 1:
        raise CrmkitError(f"the change must be between 0 and 1 (e.g. 0.10 for 10%); got {change}")
    base = {"margin": margin, "retention": retention, "discount_rate": discount_rate}
    base_clv = lifetime_value(margin, retention, discount_rate, years)
    if retention_step not in ("relative", "lost"):
        raise CrmkitError(f"retention_step is 'relative' or 'lost'; got {retention_step!r}")
    top = 1.0 if years is not None else 0.99
    moves = {name: (value * (1 - change), value * (1 + change)) for name, value in base.items()}
    if retention_step == "lost":
        lost = 1 - retention
        wanted = 1 - lost * (1 - change)
        moves["retention"] = (max(1 - lost * (1 + change), 0.0), min(wanted, top))
    else:
        wanted = retention * (1 + change)
        moves["retention"] = (retention * (1 - change), min(wanted, top))
    rows = []
    for name, (low, high) in moves.items():
        clv_low = lifetime_value(**{**base, name: low}, years=years)
        clv_high = lifetime_value(**{**base, name: high}, years=years)
        rows.append(
            {
                "input": name,
                "low": low,
                "base": base[name],
                "high": high,
                "clv_low": clv_low,
                "clv_base": base_clv,
                "clv_high": clv_high,
                "effect_up": (clv_high - base_clv) / base_clv if base_clv else math.nan,
                "swing": clv_high - clv_low,
                "capped": bool(name == "retention" and wanted > top),
            }
        )
    out = pd.DataFrame(rows)
    order = out["swing"].abs().sort_values(ascending=False, kind="mergesort").index
    return out.loc[order].reset_index(drop=True)


def sensitivity_headline(
    table: pd.DataFrame, change: float = 0.10, retention_step: str = "relative"
) -> str:
    """One sentence naming the input that moves the value most, from a `clv_sensitivity` table.

    `retention_step` names the convention the table was made with, so the sentence says it.
    """
    top = table.iloc[0]
    name = str(top["input"]).replace("_", " ")
    if not np.isfinite(table["effect_up"].to_numpy(dtype=float)).all():
        return _zero_value_headline(table, name)
    others = ", ".join(
        f"{str(r['input']).replace('_', ' ')} {r['effect_up']:+.1%}"
        for _, r in table.iloc[1:].iterrows()
    )
    if retention_step == "lost":
        step = (
            f"Margin and discount rate moved by {change:.0%} of themselves, retention by "
            f"{change:.0%} fewer lost customers"
        )
    else:
        step = f"Each input raised by {change:.0%} of itself"
    capped = "capped" in table and bool(table["capped"].any())
    cap = " Retention was capped at 100%: the full step up was not possible." if capped else ""
    return f"{step}: {name} moves the lifetime value most ({top['effect_up']:+.1%}); {others}.{cap}"


def _zero_value_headline(table: pd.DataFrame, name: str) -> str:
    """The headline when the base lifetime value is 0 (no margin, or no customer kept), so a
    change cannot be a share of it: the swings in yuan instead."""
    top = table.iloc[0]
    moves = (
        f"{name} moves it most, from {money(top['clv_low'])} to {money(top['clv_high'])}."
        if top["swing"] != 0
        else "no input moves it on its own."
    )
    return (
        "The lifetime value is ¥0 at these inputs (a margin of 0 or a retention of 0), so a "
        f"change cannot be given as a share of it: {moves}"
    )


def retention_step_note(retention: float, change: float = 0.10) -> str:
    """The same retention step under both conventions, in lost customers (printed, not typed)."""
    retention = _number(retention, "retention")
    if not 0 <= retention < 1:
        raise CrmkitError(f"retention is a share below 1 here; got {retention}")
    lost = 1 - retention
    relative = min(retention * (1 + change), 1.0)
    removed = (relative - retention) / lost
    cap = " (capped at 100%)" if retention * (1 + change) > 1 else ""
    return (
        f"From a retention of {retention:.1%} ({lost:.1%} of customers lost a year): "
        f"+{change:.0%} of itself takes it to {relative:.1%}{cap}, which removes {removed:.0%} of "
        f"the customers lost each year; measured in lost customers, the same '{change:.0%}' "
        f"step cuts the share lost to {lost * (1 - change):.1%} (retention "
        f"{1 - lost * (1 - change):.1%})."
    )


# -- retention measured in the data ----------------------------------------------------------


def retention_rate(data: SampleData, year: int, by: pd.Series | None = None) -> float | pd.Series:
    """Share of the customers who ordered in year-1 that ordered again in `year`.

    Rule: retained / customers with at least one order in year-1. With `by` (a group per
    customer, e.g. their tier in year-1) the same share is given for every group that has
    customers in year-1 (an empty group has no share to give, so it is left out).
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise CrmkitError(f"give the year as a whole number, e.g. 2025; got {year!r}")
    before, now = buyers(data, year - 1), buyers(data, year)
    if len(before) == 0:
        raise CrmkitError(f"no customer ordered in {year - 1}, so {year} has no retention rate")
    kept = pd.Series(before.isin(now), index=before, dtype=float)
    if by is None:
        return float(kept.mean())
    if isinstance(by, pd.DataFrame) and "tier" in by.columns:
        by = by["tier"]
    if not isinstance(by, pd.Series):
        raise CrmkitError("`by` must be a Series giving the group of each customer id")
    missing = before.difference(by.dropna().index)
    if len(missing):
        raise CrmkitError(
            f"`by` gives no group for {len(missing)} customers who ordered in {year - 1}, "
            f"e.g. {list(missing[:3])}; group the customers of {year - 1} (e.g. their tiers "
            f"of {year - 1})"
        )
    groups = by.reindex(before)
    rates = kept.groupby(groups, observed=False, sort=True).mean()
    rates = rates[kept.groupby(groups, observed=False, sort=True).size() > 0]
    rates.index.name = by.name or "group"
    return rates.rename("retention_rate")


# -- PY5: core-customer value analysis ------------------------------------------------------

#: The six figures of seed 001 §5.2.5 and the two behind the expected profit, in order.
CORE_LABELS = [
    "annual sales",
    "total revenue",
    "contact cost",
    "net customer profit",
    "relationship duration (years)",
    "profit in the last 12 months",
    "retention rate used",
    "expected profit",
]


def _since_joining(data: SampleData, joined: pd.Series, end: pd.Timestamp):
    """`data` with only the orders, contacts and complaints dated from each customer's join
    date up to `end` (excluded)."""

    def keep(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        start = frame["customer_id"].map(joined)
        dates = frame[column]
        return frame[
            start.notna().to_numpy() & (dates >= start).to_numpy() & (dates < end).to_numpy()
        ]

    history = copy.copy(data)  # the same kind of bundle, three tables narrowed
    history.orders = keep(data.orders, "order_date")
    history.contacts = keep(data.contacts, "contact_date")
    history.complaints = keep(data.complaints, "opened_at")
    return history


def _tier_retention(data: SampleData, year: int) -> tuple[pd.Series, pd.Series, float]:
    """Tiers of year-1 (by profit), retention per tier into `year`, and the overall rate."""
    tiers = assign_tiers(customer_profit(data, as_period(year - 1))["profit"])["tier"]
    return tiers, retention_rate(data, year, by=tiers), retention_rate(data, year)


def core_value_table(
    data,
    ids: Sequence[str],
    *,
    as_of=None,
    discount_rate: float = DISCOUNT_RATE,
    years: int | None = HORIZON_YEARS,
    retention: float | None = None,
) -> pd.DataFrame:
    """The core-customer value analysis (001 §5.2.5) for several customers, one row each.

    See `core_value_analysis` for the rule behind every column.
    """
    if isinstance(ids, str):
        ids = [ids]
    ids = known_customers(data, list(ids))
    if not ids:
        raise CrmkitError("give at least one customer id")
    as_of = pd.Timestamp(data.analysis_date if as_of is None else as_of).normalize()
    if as_of > data.analysis_date:
        raise CrmkitError(f"as_of ({as_of.date()}) is after the analysis date; the data ends there")
    end = as_of + pd.Timedelta(days=1)
    join_dates = attributes(data, ["join_date"])["join_date"]
    joined = join_dates.loc[ids]
    late = joined[joined > as_of]
    if len(late):
        raise CrmkitError(f"customer {late.index[0]} joined after as_of ({as_of.date()})")

    if len(data.orders) and data.orders["gross_margin"].isna().all():
        raise MissingData(UNKNOWN_BECAUSE["profit"])  # the profit figures are the point
    history = _since_joining(data, join_dates, end)
    last_year = customer_profit(history, months_to(as_of, 12), customers="all").loc[ids]
    lifetime = customer_profit(history, customers="all").loc[ids]

    if retention is None:
        # the last full calendar year up to as_of, judged against the year before it
        year = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
        try:
            tiers, per_tier, overall = _tier_retention(data, year)
        except MissingData:
            raise
        except CrmkitError as error:
            raise CrmkitError(f"{error}; give the retention rate yourself, e.g. 0.7") from None
        rates = tiers.reindex(ids).astype(object).map(per_tier.to_dict()).fillna(overall)
    else:
        rates = pd.Series(_number(retention, "the retention rate"), index=ids)

    out = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    out["annual sales"] = last_year["revenue"]
    out["total revenue"] = lifetime["revenue"]
    out["contact cost"] = lifetime["cost_to_serve"]
    out["net customer profit"] = lifetime["profit"]
    out["relationship duration (years)"] = (as_of - joined).dt.days / 365.25
    out["profit in the last 12 months"] = last_year["profit"]
    out["retention rate used"] = rates.astype(float)
    out["expected profit"] = [
        lifetime_value(p, r, discount_rate, years)
        for p, r in zip(
            out["profit in the last 12 months"], out["retention rate used"], strict=True
        )
    ]
    return out[CORE_LABELS]


def core_value_analysis(
    data,
    customer_id: str,
    *,
    as_of=None,
    discount_rate: float = DISCOUNT_RATE,
    years: int | None = HORIZON_YEARS,
    retention: float | None = None,
) -> pd.Series:
    """The six figures of a core customer's value (001 §5.2.5), each stated as a rule.

    annual sales = revenue of the 12 months up to as_of; total revenue, contact cost (cost to
    serve) and net customer profit = totals since the customer joined, or since the data
    starts if they joined before it; relationship duration = years from join date to as_of;
    expected profit = `lifetime_value` of the last 12 months' profit over `years` years,
    with the retention rate of the customer's tier in the last full year (all customers'
    rate if untiered).
    """
    table = core_value_table(
        data,
        [customer_id],
        as_of=as_of,
        discount_rate=discount_rate,
        years=years,
        retention=retention,
    )
    return table.iloc[0].rename(table.index[0])


# -- VA5: value beyond a customer's own sales ------------------------------------------------


def network_value(data: SampleData, year: int | None = None) -> pd.DataFrame:
    """Each active customer's own profit plus the profit of the customers they referred.

    Rule: referrals = customers whose referred_by is this customer; referred_profit = the
    `year` profit of those customers; network_profit = own_profit + referred_profit.
    consumer_reach (consumers served a week) is shown beside it. Active = in the profit table
    of `year` (an order, contact or complaint that year).
    """
    period = periods(data).last_full_year if year is None else as_period(year)
    table = customer_profit(data, period)
    if table.empty:
        raise CrmkitError(f"no customer was active in {period}; pick a year inside the data")
    require_known(table["profit"], "adding up the profit of referrals")
    customers = attributes(data, ["referred_by", "consumer_reach"])
    referrer = customers["referred_by"].dropna()
    referrals = referrer.value_counts()
    referred_profit = (
        table["profit"].reindex(referrer.index, fill_value=0.0).groupby(referrer).sum()
    )
    out = pd.DataFrame(index=table.index)
    out["revenue"] = table["revenue"]
    out["own_profit"] = table["profit"]
    out["referrals"] = referrals.reindex(out.index, fill_value=0).astype("int64")
    out["referred_profit"] = referred_profit.reindex(out.index, fill_value=0.0).astype(float)
    out["consumer_reach"] = customers["consumer_reach"].reindex(out.index)
    out["network_profit"] = out["own_profit"] + out["referred_profit"]
    return out


def hidden_value_summary(network: pd.DataFrame, tiers: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Per tier: how many customers refer others, the profit they bring, and consumer reach.

    `network` is a `network_value` frame, `tiers` the tier of each customer. referred_beats_own
    counts customers whose referred profit is positive and larger than their own profit.
    """
    tier = tiers["tier"] if isinstance(tiers, pd.DataFrame) else tiers
    missing = network.index.difference(tier.index)
    if len(missing):
        raise CrmkitError(
            f"{len(missing)} customers of the network table have no tier, e.g. "
            f"{list(missing[:3])}; tier the same year's customers"
        )
    frame = network.assign(tier=tier.reindex(network.index))
    frame["refers"] = frame["referrals"] > 0
    frame["beats"] = (frame["referred_profit"] > 0) & (
        frame["referred_profit"] > frame["own_profit"]
    )
    grouped = frame.groupby("tier", observed=False, sort=True)
    out = pd.DataFrame(
        {
            "customers": grouped.size(),
            "referrers": grouped["refers"].sum().astype("int64"),
            "referred_profit": grouped["referred_profit"].sum(),
            "mean_consumer_reach": grouped["consumer_reach"].mean(),
            "referred_beats_own": grouped["beats"].sum().astype("int64"),
        }
    )
    out.insert(2, "share_referring", out["referrers"] / out["customers"].replace(0, np.nan))
    per = out["referred_profit"] / out["referrers"].replace(0, np.nan)
    out.insert(4, "referred_profit_per_referrer", per.fillna(0.0))
    out["share_referring"] = out["share_referring"].fillna(0.0)
    out.index = pd.Index(out.index.astype(str), name="tier")
    return out


# -- VA6: value-added services --------------------------------------------------------------

#: The value-added services of VA6, from crmkit/content/value_added_services.csv.
VALUE_ADDED_SERVICES = content.table("value_added_services")


def _fact(default, unit: str, source: str = "seed 002"):
    return field(default=default, metadata={"unit": unit, "source": source})


OURS = "our assumption"


@dataclass(frozen=True)
class StayWhatIf:
    """Starbucks what-if (seed 002): is free Wi-Fi worth what it costs?

    Seed 002 gives the facts: core customers aged 25 to 40 came about 18 times a month; from
    August 2002, 1,000 stores offered wireless internet, and stays grew from about 2 hours to
    3 to 4 hours per person. The seed gives no period for the stay, and 18 two-hour visits
    would be 36 hours a month, so the workbook reads the stays as those of a laptop visit
    (the seed: more and more young customers brought laptops) and lets only a share of the
    visits be laptop visits. Rule, per core customer a month: laptop visits = visits *
    laptop_share; extra hours = laptop visits * (stay after - stay before); extra spend =
    extra hours * spend per extra hour + extra visits * spend per visit. A year, all Wi-Fi
    stores: extra margin = extra spend * 12 * margin rate * customers per store * stores;
    service cost = cost per store a month * 12 * stores; net gain = extra margin - service
    cost. Break-even spend per extra hour = what each extra hour must bring for the net gain
    to be zero. Shorter stays (after < before) are allowed: the extras come out negative.
    """

    core_age_min: int = _fact(25, "years of age")
    core_age_max: int = _fact(40, "years of age")
    visits_per_month: float = _fact(18.0, "visits per core customer a month")
    stay_before_hours: float = _fact(2.0, "hours per laptop visit (seed: about 2 per person)")
    stay_after_hours: float = _fact(3.5, "hours per laptop visit (seed: 3-4 per person)")
    wifi_launch: str = _fact("2002-08", "month")
    wifi_stores: int = _fact(1000, "stores")
    laptop_share: float = _fact(0.15, "share of visits with a laptop", OURS)
    spend_per_hour: float = _fact(2.0, "USD per extra hour in the shop", OURS)
    margin_rate: float = _fact(0.6, "share of spend", OURS)
    customers_per_store: int = _fact(300, "core customers per Wi-Fi store", OURS)
    cost_per_store_month: float = _fact(
        500.0, "USD per store a month (line, equipment, support)", OURS
    )
    extra_visits_per_month: float = _fact(0.0, "visits per core customer a month", OURS)
    spend_per_visit: float = _fact(4.0, "USD per extra visit", OURS)

    def __post_init__(self) -> None:
        for name in ("visits_per_month", "stay_before_hours", "stay_after_hours"):
            _number(getattr(self, name), name, minimum=0)
        for name in (
            "spend_per_hour",
            "customers_per_store",
            "wifi_stores",
            "cost_per_store_month",
            "spend_per_visit",
        ):
            _number(getattr(self, name), name, minimum=0)
        _number(self.core_age_min, "core_age_min", minimum=0)
        if _number(self.core_age_max, "core_age_max") < self.core_age_min:
            raise CrmkitError("core_age_max must not be below core_age_min")
        for name in ("margin_rate", "laptop_share"):
            if not 0 <= _number(getattr(self, name), name) <= 1:
                raise CrmkitError(f"{name} is a share between 0 and 1; got {getattr(self, name)}")
        extra = _number(self.extra_visits_per_month, "extra_visits_per_month")
        if self.visits_per_month + extra < 0:
            raise CrmkitError("extra_visits_per_month cannot take the visits below zero")

    def assumptions(self) -> pd.DataFrame:
        """Every input with its value, unit and source ('seed 002' or 'our assumption')."""
        rows = [
            {
                "name": f.name,
                "value": getattr(self, f.name),
                "unit": f.metadata["unit"],
                "source": f.metadata["source"],
            }
            for f in fields(self)
        ]
        return pd.DataFrame(rows, columns=["name", "value", "unit", "source"])

    def figures(self) -> dict[str, float]:
        """The results as a dict (see `results` for the rows and the class for the rule)."""
        laptop_visits = self.visits_per_month * self.laptop_share
        hours_before = laptop_visits * self.stay_before_hours
        hours_after = laptop_visits * self.stay_after_hours
        extra_hours = hours_after - hours_before
        spend_month = extra_hours * self.spend_per_hour + (
            self.extra_visits_per_month * self.spend_per_visit
        )
        customers = self.customers_per_store * self.wifi_stores
        margin_year = spend_month * 12 * self.margin_rate * customers
        cost_year = self.cost_per_store_month * 12 * self.wifi_stores
        hour_margin = extra_hours * 12 * self.margin_rate * customers
        other = self.extra_visits_per_month * self.spend_per_visit * 12 * self.margin_rate
        other *= customers
        break_even = (cost_year - other) / hour_margin if hour_margin > 0 else math.nan
        return {
            "laptop visits per customer a month": laptop_visits,
            "hours with a laptop per customer a month, before": hours_before,
            "hours with a laptop per customer a month, after": hours_after,
            "extra hours per customer a month": extra_hours,
            "extra spend per customer a month": spend_month,
            "extra margin a year, all Wi-Fi stores": margin_year,
            "service cost a year, all Wi-Fi stores": cost_year,
            "net gain a year": margin_year - cost_year,
            "service cost per customer a month": cost_year / 12 / customers
            if customers
            else math.nan,
            "break-even spend per extra hour": break_even,
        }

    def results(self) -> pd.DataFrame:
        """Each figure of the what-if with its unit: hours, spend, margin, the service's cost."""
        units = {
            "laptop visits per customer a month": "visits",
            "hours with a laptop per customer a month, before": "hours",
            "hours with a laptop per customer a month, after": "hours",
            "extra hours per customer a month": "hours",
        }
        rows = [(name, value, units.get(name, "USD")) for name, value in self.figures().items()]
        return pd.DataFrame(rows, columns=["measure", "value", "unit"])

    def sweep(self, name: str, values: Sequence[float]) -> pd.DataFrame:
        """The extra margin, service cost and net gain as one assumption takes each value."""
        known = {f.name for f in fields(self)}
        if name not in known:
            raise CrmkitError(
                f"'{name}' is not an input of the what-if; use one of {sorted(known)}"
            )
        rows = []
        for v in values:
            f = replace(self, **{name: v}).figures()
            rows.append(
                {
                    name: v,
                    "extra_margin": f["extra margin a year, all Wi-Fi stores"],
                    "service_cost": f["service cost a year, all Wi-Fi stores"],
                    "net_gain": f["net gain a year"],
                }
            )
        return pd.DataFrame(rows)
