"""Answer keys of exercise set 2 (the customer pyramid)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import pyramid as pyr
from crmkit.answer_keys.core import Key, sample_data
from crmkit.customer_base import Period, customer_profit, periods

#: The customer whose complaint handling Q1 asks about (Old Street Fresh Market).
Q1_CUSTOMER = "C00729"
#: Q4: the VIP-scheme tier to translate, and the metal names behind the option letters.
Q4_TIER = "ordinary"
Q4_OPTIONS = {"a": "platinum", "b": "gold", "c": "iron", "d": "lead"}
LETTERS = ("a", "b", "c", "d")


def _last() -> Period:
    """The last full year of the sample data (the exercise's `year`)."""
    return periods(sample_data()).last_full_year


def _before() -> Period:
    """The full year before the last one."""
    return periods(sample_data()).year_before


@cache
def _year(period: Period) -> pd.DataFrame:
    return customer_profit(sample_data(), period)


@cache
def _tiers(period: Period) -> pd.DataFrame:
    """Default pyramid of a period: percentile rule, default cut-offs, VIP names, by profit."""
    return pyr.assign_tiers(_year(period)["profit"])


@cache
def _moves() -> pd.DataFrame:
    return pyr.migration_moves(_tiers(_before()), _tiers(_last()))


def _complaint_cost() -> float:
    steps = pyr.profit_waterfall(_year(_last()).loc[Q1_CUSTOMER]).set_index("step")["amount"]
    return float(-steps["complaint handling"])


def _changed_tier() -> int:
    year = _year(_last())
    by_revenue = pyr.assign_tiers(year["revenue"])["tier"].sort_index()
    by_profit = pyr.assign_tiers(year["profit"])["tier"].sort_index()
    return int((by_revenue != by_profit).sum())


def _platinum_count() -> int:
    metal = pyr.assign_tiers(_year(_last())["profit"], method="profit_share", scheme_name="metal")
    return int((metal["tier"] == "platinum").sum())


def _metal_letter() -> str:
    vip, metal = pyr.SCHEMES["vip"], pyr.SCHEMES["metal"]
    name = metal.names[vip.names.index(Q4_TIER)]
    return next(letter for letter, option in Q4_OPTIONS.items() if option == name)


def _tier_of_reference(position: float, cutoffs=pyr.DEFAULT_CUTOFFS["percentile"]) -> str:
    a, b, c = cutoffs
    names = pyr.SCHEMES["vip"].names
    if position < a:
        return names[0]
    if position < b:
        return names[1]
    return names[2] if position < c else names[3]


FUNCTION_CASES = (
    (0.0,),
    (0.03,),
    (0.05,),
    (0.12,),
    (0.2,),
    (0.45,),
    (0.5,),
    (0.93,),
    (0.05, (0.1, 0.3, 0.6)),
    (0.25, (0.1, 0.3, 0.6)),
    (0.3, (0.1, 0.3, 0.6)),
    (0.75, (0.1, 0.3, 0.6)),
)


def _fell_from_vip() -> int:
    counts = pyr.tier_migration(_tiers(_before()), _tiers(_last()))
    return int(counts.loc["VIP", ["major", "ordinary", "small"]].sum())


def _small_risers() -> set[str]:
    moves = _moves()
    rose = (moves["before"] == "small") & moves["after"].isin(["VIP", "major"])
    return set(moves.index[rose])


KEYS: dict[str, Key] = {
    "ex02.q1": Key(
        "Q1, the complaint-handling cost of Old Street Fresh Market (C00729) in the last full year",
        "number",
        _complaint_cost,
        "Look up the customer's row in `year` (year.loc['C00729']) and read its "
        "complaint_handling column, or the 'complaint handling' step of its profit "
        "waterfall; give the cost as a positive amount in yuan.",
        tolerance={"rel_tol": 1e-3},
    ),
    "ex02.q2": Key(
        "Q2, the number of customers whose tier changes between revenue and profit",
        "number",
        _changed_tier,
        "Tier the customers once by year['revenue'] and once by year['profit'] (default "
        "rule), sort both tier columns by customer id with .sort_index(), then count the "
        "customers whose two tiers differ.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex02.q3": Key(
        "Q3, the number of platinum customers under the profit-share rule",
        "number",
        _platinum_count,
        "Use method='profit_share' and scheme_name='metal' with the default cut-offs, "
        "then count the rows whose tier is 'platinum'.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex02.q4": Key(
        "Q4, the metal name of the ordinary customers",
        "choice",
        _metal_letter,
        "Both schemes name the same four tiers from the top down; count which tier from "
        "the top 'ordinary' is and take the metal name in the same place.",
        options=LETTERS,
    ),
    "ex02.q5": Key(
        "Q5, your tier_of function",
        "function",
        lambda: _tier_of_reference,
        "A customer is VIP while the share of customers ranked above it is below the "
        "first cut-off, major while it is below the second, ordinary while it is below "
        "the third, otherwise small. Return the names exactly: 'VIP', 'major', "
        "'ordinary', 'small'.",
        cases=FUNCTION_CASES,
    ),
    "ex02.q6": Key(
        "Q6, the share of profit the loss makers give back",
        "number",
        lambda: pyr.whale_peak(_year(_last())["profit"])["destroyed"],
        "pyr.whale_peak(year['profit']) returns a dictionary; its 'destroyed' entry is the "
        "height of the hump above 100%, as a fraction (0.25 would mean 25%).",
        tolerance={"rel_tol": 0.01},
    ),
    "ex02.q7": Key(
        "Q7, the first step with the loss-making tier",
        "choice",
        lambda: "b",
        "Seed 003 asks first why the unprofitable relationships lose money and whether "
        "that can change; only then whether to give them up.",
        options=LETTERS,
    ),
    "ex02.q8": Key(
        "Q8, the number of VIP customers of the year before in a lower tier in the last full year",
        "number",
        _fell_from_vip,
        "In the migration table, read the VIP row (the tier of the year before) and add up the "
        "major, "
        "ordinary and small columns; leave out the 'inactive' column.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex02.q9": Key(
        "Q9, the small customers of the year before who became VIP or major customers "
        "in the last full year",
        "set",
        _small_risers,
        "In pyr.migration_moves(tiers_before, tiers_last) keep the rows whose 'before' is "
        "'small' and whose 'after' is 'VIP' or 'major', and give their customer ids "
        "(the index) as a set.",
    ),
    "ex02.q10": Key(
        "Q10, the service plan for the major customers",
        "choice",
        lambda: "b",
        "Service follows value: the second tier gets regular, tailored attention to grow "
        "it towards the top, less than a VIP and more than the standard service.",
        options=LETTERS,
    ),
}
