"""Answer keys of exercise set 3 (the customer pyramid).

A decision question has two keys, checked in one cell: the number that justifies
the decision ("ex03.qN_number") and the choice itself ("ex03.qN"). Where the data
decides the choice, the key computes the letter from the number, so it holds on
any data. Every key lists its plausible wrong answers (`wrong`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import pyramid as pyr
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data
from crmkit.customer_base import Period, customer_profit, periods

#: The customer whose complaint handling Q1 asks about (Old Street Fresh Market).
Q1_CUSTOMER = "C00729"
#: Q4: the VIP-scheme tier to translate, and the metal names behind the option letters.
Q4_TIER = "ordinary"
Q4_OPTIONS = {"a": "platinum", "b": "gold", "c": "iron", "d": "lead"}


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


def _lost_vips() -> int:
    counts = pyr.tier_migration(_tiers(_before()), _tiers(_last()))
    return int(counts.loc["VIP", pyr.GONE])


def _risers_into(tiers: set[str]) -> int:
    """How many small customers of the year before were in `tiers` in the last full year."""
    moves = _moves()
    rose = (moves["before"] == "small") & moves["after"].isin(sorted(tiers))
    return int(rose.sum())


def _small_risers() -> int:
    return _risers_into({"VIP", "major"})


def _changed_by_contacts() -> int:
    """A slip for Q2: the contact ranking instead of the revenue ranking."""
    year = _year(_last())
    by_contacts = pyr.assign_tiers(year["contacts"])["tier"].sort_index()
    by_profit = pyr.assign_tiers(year["profit"])["tier"].sort_index()
    return int((by_contacts != by_profit).sum())


def _tier_count(tier: str, **options) -> int:
    tiers = pyr.assign_tiers(_year(_last())["profit"], **options)
    return int((tiers["tier"] == tier).sum())


def _tier_of_or_equal(position: float, cutoffs=pyr.DEFAULT_CUTOFFS["percentile"]) -> str:
    """A slip for Q5: <= instead of <, wrong on the cut-offs themselves."""
    names = pyr.SCHEMES["vip"].names
    for name, cut in zip(names, cutoffs, strict=False):
        if position <= cut:
            return name
    return names[3]


def _tier_of_fixed(position: float, cutoffs=(0.1, 0.3, 0.6)) -> str:
    """A slip for Q5: the default cut-offs typed in, so other cut-offs are ignored."""
    return _tier_of_reference(position)


# -- Q7: the small tier, customer by customer ----------------------------------------------


def _small_tier() -> pd.DataFrame:
    tiers = _tiers(_last())
    return _year(_last()).loc[tiers.index[tiers["tier"] == "small"]]


def _small_profitable() -> int:
    return int((_small_tier()["profit"] > 0).sum())


def _small_plan() -> str:
    """d (review each customer) while the tier mixes earners and loss makers; b if all earn."""
    return "b" if _small_profitable() == len(_small_tier()) else "d"


# -- Q11: does service follow value? -------------------------------------------------------


def _per_customer(column: str) -> pd.Series:
    summary = pyr.tier_summary(_year(_last()), _tiers(_last()))
    return summary[column] / summary["customers"]


def _service_ratio() -> float:
    """The cost to serve per small customer as a fraction of the cost per VIP customer."""
    cost = _per_customer("cost_to_serve")
    return float(cost["small"] / cost["VIP"])


def _service_letter() -> str:
    """a: a VIP gets at least four times the service; c: a small customer gets more; else b."""
    ratio = _service_ratio()
    return "a" if ratio <= 0.25 else "c" if ratio > 1 else "b"


def _tier_total_ratio() -> float:
    """A slip for Q11: the tiers' total cost to serve instead of the cost per customer."""
    summary = pyr.tier_summary(_year(_last()), _tiers(_last()))
    return float(summary.loc["small", "cost_to_serve"] / summary.loc["VIP", "cost_to_serve"])


# -- Q12: which movement took the most profit away -----------------------------------------

#: Q12's options: the letter of each kind of move.
Q12_OPTIONS = {"a": "new", "b": "same", "c": "down", "d": pyr.GONE}


@cache
def _profit_moves() -> pd.Series:
    """The summed profit change per kind of move, year before to last full year."""
    before, last = _before(), _last()
    moves = pyr.migration_moves(
        _tiers(before), _tiers(last), _year(before)["profit"], _year(last)["profit"]
    )
    return moves.groupby("direction")["change"].sum()


def _worst_move_letter() -> str:
    changes = _profit_moves()
    return min(Q12_OPTIONS, key=lambda letter: changes.get(Q12_OPTIONS[letter], 0.0))


def _worst_move_change() -> float:
    return float(_profit_moves()[Q12_OPTIONS[_worst_move_letter()]])


KEYS: dict[str, Key] = {
    "ex03.q1": Key(
        "Q1, the complaint-handling cost of Old Street Fresh Market (C00729) in the last full year",
        "number",
        _complaint_cost,
        "In the helper's table, read the row of the last full year (not the year before) "
        "and the column 'Complaint handling' (not the whole cost to serve); give the cost "
        "as a positive amount in yuan.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            -_complaint_cost(),  # the waterfall's step, sign and all
            float(_year(_last()).loc[Q1_CUSTOMER, "cost_to_serve"]),  # the whole cost to serve
            float(_year(_before()).loc[Q1_CUSTOMER, "complaint_handling"]),  # the year before
        ),
    ),
    "ex03.q2": Key(
        "Q2, the number of customers whose tier changes between revenue and profit",
        "number",
        _changed_tier,
        "In the helper's table, the diagonal cells (VIP and VIP, major and major, ...) hold "
        "the customers who keep their tier; take the total number of customers minus "
        "those four cells.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            len(_year(_last())) - _changed_tier(),  # the customers who kept their tier
            _changed_by_contacts(),  # contacts instead of revenue
        ),
    ),
    "ex03.q3": Key(
        "Q3, the number of platinum customers under the profit-share rule",
        "number",
        _platinum_count,
        "Read the helper's table (profit-share rule, metal names, default cut-offs): the "
        "customers of the platinum row.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _tier_count("platinum", scheme_name="metal"),  # the percentile rule
            _tier_count("gold", method="profit_share", scheme_name="metal"),  # the next tier
        ),
    ),
    "ex03.q4": Key(
        "Q4, the metal name of the ordinary customers",
        "choice",
        _metal_letter,
        "Both schemes name the same four tiers from the top down; count which tier from "
        "the top 'ordinary' is and take the metal name in the same place.",
        options=LETTERS,
        wrong=lambda: other_letters(_metal_letter()),
    ),
    "ex03.q5": Key(
        "Q5, your tier_of function (optional challenge)",
        "function",
        lambda: _tier_of_reference,
        "A customer is VIP while the share of customers ranked above it is below the "
        "first cut-off, major while it is below the second, ordinary while it is below "
        "the third, otherwise small. Use `<`, not `<=`, and the cut-offs the function is "
        "given. Return the names exactly: 'VIP', 'major', 'ordinary', 'small'.",
        cases=FUNCTION_CASES,
        wrong=lambda: (_tier_of_or_equal, _tier_of_fixed, lambda position, cutoffs=None: "small"),
    ),
    "ex03.q6": Key(
        "Q6, the share of profit the loss makers give back",
        "number",
        lambda: pyr.whale_peak(_year(_last())["profit"])["destroyed"],
        "Read the helper's row 'given back by the loss makers': the height of the hump "
        "above 100%, not the height of the peak itself. Give it as a fraction: 25% is 0.25.",
        # read off the percentage the helper prints: right to half a point
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            pyr.whale_peak(_year(_last())["profit"])["profit_share"],  # the peak itself
            pyr.whale_peak(_year(_last())["profit"])["customer_share"],  # where it peaks
            pyr.whale_peak(_year(_last())["profit"])["destroyed"] * 100,  # a percentage
        ),
    ),
    "ex03.q7_number": Key(
        "Q7, the number of small customers who made a profit in the last full year",
        "number",
        _small_profitable,
        "The given cell's table splits the small tier; read the customers of the row "
        "'made a profit'.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            len(_small_tier()) - _small_profitable(),  # the loss makers instead
            len(_small_tier()),  # the whole tier
            int((_year(_last())["profit"] > 0).sum()),  # profitable customers of every tier
        ),
    ),
    "ex03.q7": Key(
        "Q7, what to do first with the small tier",
        "choice",
        _small_plan,
        "The tier loses money as a whole, but look at your count: seed 003 asks first why "
        "the unprofitable relationships lose money and whether that can change, customer "
        "by customer; only then whether to end them.",
        options=LETTERS,
        wrong=lambda: other_letters(_small_plan()),
    ),
    "ex03.q8": Key(
        "Q8, the number of VIP customers of the year before in a lower tier in the last full year",
        "number",
        _fell_from_vip,
        "In the migration table, read the VIP row (the tier of the year before) and add up the "
        "major, ordinary and small columns; leave out the 'lost' column.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _fell_from_vip() + _lost_vips(),  # the lost VIPs counted too
            _lost_vips(),  # the lost VIPs only
            int((_tiers(_before())["tier"] == "VIP").sum()),  # the whole VIP row
        ),
    ),
    "ex03.q9": Key(
        "Q9, the number of small customers of the year before who became VIP or major "
        "customers in the last full year",
        "number",
        _small_risers,
        "In the helper's row (small customers of the year before), add up the VIP and the "
        "major cells; leave out ordinary, small and lost.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _risers_into({"VIP"}),  # VIP only
            _risers_into({"VIP", "major", "ordinary"}),  # any rise
        ),
    ),
    "ex03.q10": Key(
        "Q10, the service plan for the major customers",
        "choice",
        lambda: "a",
        "Service follows value: the second tier gets regular, tailored attention to grow "
        "it towards the top, less than a VIP and more than the standard service. "
        "pyr.tier_responses('vip') shows each tier's plan.",
        options=LETTERS,
        wrong=lambda: other_letters("a"),
    ),
    "ex03.q11_number": Key(
        "Q11, the cost to serve per small customer as a fraction of the cost per VIP customer",
        "number",
        _service_ratio,
        "Read the helper's last column on the small row: the cost to serve per small "
        "customer divided by the cost per VIP customer, as a fraction (0.5 would mean half).",
        tolerance={"rel_tol": 0.01},
        wrong=lambda: (
            1 / _service_ratio(),  # VIP over small
            _tier_total_ratio(),  # tier totals, not per customer
            float(_per_customer("profit")["small"] / _per_customer("profit")["VIP"]),  # profit
        ),
    ),
    "ex03.q11": Key(
        "Q11, whether our service follows value",
        "choice",
        _service_letter,
        "Read your fraction: how much of a VIP customer's service does a small customer "
        "get? Then compare with what each earns (the profit per customer of each tier).",
        options=LETTERS,
        wrong=lambda: other_letters(_service_letter()),
    ),
    "ex03.q12_number": Key(
        "Q12, the profit change of the movement that took the most profit away",
        "number",
        _worst_move_change,
        "The helper's table gives each kind of move's summed profit change; give the most "
        "negative one, in yuan, sign and all.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            -_worst_move_change(),  # the sign dropped
            *(  # another movement's total, e.g. the lost customers'
                float(_profit_moves().get(move, 0.0))
                for letter, move in Q12_OPTIONS.items()
                if letter != _worst_move_letter()
            ),
        ),
    ),
    "ex03.q12": Key(
        "Q12, the movement to act on first",
        "choice",
        _worst_move_letter,
        "Compare the summed profit change of each kind of move: the most negative total is "
        "the movement that took the most profit away.",
        options=LETTERS,
        wrong=lambda: other_letters(_worst_move_letter()),
    ),
}
