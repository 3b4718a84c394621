"""Answer keys of exercise set 4 (customer value).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex04.qN_number") and the choice itself ("ex04.qN"). The choice is computed
from the number where the data decides it, so the key holds on any data.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import value
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data, sample_periods
from crmkit.customer_base import Period, customer_profit
from crmkit.tiers import assign_tiers


@cache
def _profit(period: Period) -> pd.DataFrame:
    return customer_profit(sample_data(), period)


@cache
def _tiers(period: Period) -> pd.DataFrame:
    return assign_tiers(_profit(period)["profit"])


# --- Q1: perceived value ----------------------------------------------------------------------

Q1_PARTS = {
    "product": 35,
    "service": 20,
    "personnel": 12,
    "image": 8,
    "money": 40,
    "time": 12,
    "energy": 6,
    "physical": 4,
}
_Q1 = value.perceived_value(**Q1_PARTS)


# --- Q3: lifetime value, price or retention --------------------------------------------------


@cache
def _retention_by_tier() -> pd.Series:
    p = sample_periods()
    return value.retention_rate(sample_data(), p.last_full_year.year, by=_tiers(p.year_before))


@cache
def _typical_major() -> tuple[float, float]:
    """The median profit of the major tier of the last full year, and the tier's retention."""
    last = sample_periods().last_full_year
    year, tiers = _profit(last), _tiers(last)
    margin = float(year["profit"][tiers["tier"].reindex(year.index) == "major"].median())
    return margin, float(_retention_by_tier()["major"])


def _gains(years: int | None = value.HORIZON_YEARS) -> dict[str, float]:
    """What each of the four proposals of Q3 adds to the typical major customer's value.

    a: a price rise, margin +10%; b: a service programme, retention +10% of itself; c: a
    smaller service programme that keeps a tenth of the customers now lost; d: payment
    terms that lower the discount rate by a tenth of itself.
    """
    m, r = _typical_major()
    top = 1.0 if years else 0.99
    base = value.lifetime_value(m, r, years=years)
    return {
        "a": value.lifetime_value(m * 1.1, r, years=years) - base,
        "b": value.lifetime_value(m, min(r * 1.1, top), years=years) - base,
        "c": value.lifetime_value(m, min(1 - (1 - r) * 0.9, top), years=years) - base,
        "d": value.lifetime_value(m, r, value.DISCOUNT_RATE * 0.9, years=years) - base,
    }


def _q3_letter() -> str:
    """The proposal that adds the most lifetime value (b on the sample: retention)."""
    gains = _gains()
    return max(gains, key=gains.get)


# --- Q4, Q5, Q6: retention and hidden value ----------------------------------------------------


@cache
def _network() -> pd.DataFrame:
    return value.network_value(sample_data(), sample_periods().last_full_year.year)


def _hidden_small() -> int:
    summary = value.hidden_value_summary(_network(), _tiers(sample_periods().last_full_year))
    return int(summary.loc["small", "referred_beats_own"])


def _top_small_referrer() -> pd.Series:
    """The small customer of the last full year whose referred customers bring most profit."""
    tiers = _tiers(sample_periods().last_full_year)["tier"]
    network = _network()
    small = network[tiers.reindex(network.index) == "small"]
    ranked = small.sort_values("referred_profit", ascending=False, kind="mergesort")
    return ranked.iloc[0]


def _visits_cost(customer_id: str) -> float:
    """What the visits to a customer cost us in the last full year (what stopping them saves)."""
    return float(_profit(sample_periods().last_full_year).loc[customer_id, "visits"])


def _q6_letter() -> str:
    """c: keep its visits (a year of referrals brings more than they cost); a: cut them."""
    shop = _top_small_referrer()
    return "c" if shop["referred_profit"] > _visits_cost(shop.name) else "a"


# --- Q7: what the shop owner who may leave complains of ---------------------------------------

#: The offer that cuts her time and effort (convenience value), not the price (a), the
#: shop's standing (b, social value) or the goods (d, functional value).
Q7_LETTER = "c"


# --- Q8, Q9: the Starbucks what-if -------------------------------------------------------------

#: The spend per extra hour the regional chain's own survey finds (USD, set in the exercise).
Q8_SURVEY_SPEND = 1.50
Q8_WHAT_IF = {
    "cost_per_store_month": 800.0,
    "laptop_share": 0.10,
    "spend_per_hour": Q8_SURVEY_SPEND,
}
Q9_WHAT_IF = {"laptop_share": 0.05, "stay_after_hours": 3.0}


def _figure(name: str, **changes) -> float:
    return float(value.StayWhatIf(**changes).figures()[name])


def _q8_letter() -> str:
    """b: do not roll it out (the survey's spend is below the break-even, so the net gain
    is below zero); a: roll it out."""
    return "a" if _figure("net gain a year", **Q8_WHAT_IF) >= 0 else "b"


def _q9_letter() -> str:
    """a: do not roll it out (it loses money); b: roll it out (it pays)."""
    return "b" if _figure("net gain a year", **Q9_WHAT_IF) > 0 else "a"


KEYS: dict[str, Key] = {
    "ex04.q1": Key(
        "Q1, the perceived value of the supermarket's offer",
        "number",
        lambda: _Q1.perceived_value,
        "Perceived value = total customer value − total customer cost: read the helper's "
        "row 'what she gets minus what it costs her', not one of the totals or the ratio.",
        tolerance={"rel_tol": 1e-6},
        wrong=lambda: (_Q1.total_value, _Q1.total_cost, _Q1.ratio, -_Q1.perceived_value),
    ),
    "ex04.q2": Key(
        "Q2, the promise that keeps the shops satisfied",
        "choice",
        lambda: "d",
        "A promise sets the expectation; the same delivery disappoints when more was "
        "promised than delivered (seed 000). Which promise is at what the warehouse really "
        "delivers?",
        options=LETTERS,
        wrong=lambda: other_letters("d"),
    ),
    "ex04.q3_number": Key(
        "Q3, what the best of the four proposals adds to the lifetime value",
        "number",
        lambda: max(_gains().values()),
        f"The table above the answer gives each proposal's lifetime value over the workbook's "
        f"horizon ({value.HORIZON_YEARS} years) and what it adds; take the largest addition.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            _gains()["a"],  # the price rise
            _gains()["c"],  # a tenth fewer lost customers
            max(_gains(None).values()),  # no horizon: the sum run for ever
            value.lifetime_value(*_typical_major()),  # the value itself, not what is added
            value.lifetime_value(_typical_major()[0], _typical_major()[1] + 0.1)
            - value.lifetime_value(*_typical_major()),  # ten points, not 10% of itself
        ),
    ),
    "ex04.q3": Key(
        "Q3, the proposal to fund",
        "choice",
        _q3_letter,
        "Which proposal adds the most lifetime value in the table?",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex04.q4": Key(
        "Q4, the retention rate of the small tier from the year before into the last full year",
        "number",
        lambda: float(_retention_by_tier()["small"]),
        "Read the helper's row 'small' (the tier of the year before), column 'Bought again', "
        "and give it as a fraction: 25% is 0.25.",
        # read off the percentage the helper prints: right to half a point
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            float(value.retention_rate(sample_data(), sample_periods().last_full_year.year)),  # all
            1 - float(_retention_by_tier()["small"]),  # the share lost
            float(_retention_by_tier()["small"]) * 100,  # a percentage, not a fraction
            float(_retention_by_tier()["ordinary"]),  # the row above
        ),
    ),
    "ex04.q5": Key(
        "Q5, small customers whose referrals bring more than their own profit",
        "number",
        _hidden_small,
        "Read the helper's row 'small', column 'Referrals brought more than own profit': not "
        "every small customer who referred others, and not all tiers together.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            int(
                value.hidden_value_summary(_network(), _tiers(sample_periods().last_full_year)).loc[
                    "small", "referrers"
                ]
            ),  # every referrer, not those whose referrals beat their own profit
            int(
                value.hidden_value_summary(_network(), _tiers(sample_periods().last_full_year))[
                    "referred_beats_own"
                ].sum()
            ),  # every tier, not only small
        ),
    ),
    "ex04.q6_number": Key(
        "Q6, the referred profit of the small shop",
        "number",
        lambda: float(_top_small_referrer()["referred_profit"]),
        "Read the 'Referred profit' column of the shop's row: the profit of the customers it "
        "referred, without its own profit (that is the network profit).",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_top_small_referrer()["own_profit"]),  # own profit only
            float(_top_small_referrer()["network_profit"]),  # own and referred together
            float(_top_small_referrer()["revenue"]),  # revenue, not profit
        ),
    ),
    "ex04.q6": Key(
        "Q6, the decision on the small shop's visits",
        "choice",
        _q6_letter,
        "If its visits stop, we save what they cost and its referrals to come stop too: does "
        "a year of its referred profit bring more than its visits cost in that year?",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter()),
    ),
    "ex04.q7": Key(
        "Q7, the offer that answers the shop owner who may leave",
        "choice",
        lambda: Q7_LETTER,
        "She is content with the goods and the prices; what she complains of is the time and "
        "trouble of dealing with us, a cost to her as real as money (VA1). Which offer adds "
        "convenience value, the time and trouble we save the shop (VA3)?",
        options=LETTERS,
        wrong=lambda: other_letters(Q7_LETTER),
    ),
    "ex04.q8_number": Key(
        "Q8, the break-even spend per extra hour of the regional chain's Wi-Fi",
        "number",
        lambda: _figure("break-even spend per extra hour", **Q8_WHAT_IF),
        "Read the 'break-even spend per extra hour' row of the table above the answer.",
        # read off the two decimals the helper prints (1.65): right to half a cent
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            _figure("break-even spend per extra hour"),  # the lesson's default figures
            value.StayWhatIf().spend_per_hour,  # the lesson's spend, not the break-even
            Q8_SURVEY_SPEND,  # the survey's spend, not the break-even
            _figure("service cost per customer a month", **Q8_WHAT_IF),  # the cost
            _figure("extra spend per customer a month", **Q8_WHAT_IF),
        ),
    ),
    "ex04.q8": Key(
        "Q8, the regional chain's decision on the Wi-Fi",
        "choice",
        _q8_letter,
        "Compare the spend per extra hour the survey found with the break-even: is the "
        "net gain a year above zero?",
        options=LETTERS,
        wrong=lambda: other_letters(_q8_letter()),
    ),
    "ex04.q9_number": Key(
        "Q9, the net gain a year with few laptop visits and shorter stays",
        "number",
        lambda: _figure("net gain a year", **Q9_WHAT_IF),
        "value.StayWhatIf(laptop_share=..., stay_after_hours=...).figures()['net gain a "
        "year']: the extra margin minus the service's cost.",
        tolerance={"rel_tol": 1e-4},
        wrong=lambda: (
            _figure("extra margin a year, all Wi-Fi stores", **Q9_WHAT_IF),  # no cost
            _figure("net gain a year"),  # the default assumptions
            _figure("net gain a year", laptop_share=0.05),  # the stays left at 3.5 hours
        ),
    ),
    "ex04.q9": Key(
        "Q9, roll out the Wi-Fi or not",
        "choice",
        _q9_letter,
        "Does the net gain a year (margin minus the service's cost) come out above zero?",
        options=LETTERS,
        wrong=lambda: other_letters(_q9_letter()),
    ),
}
