"""Answer keys of exercise set 1 (customer classification: 80/20, ABC, the split, RFM).

A decision question has two keys, checked in one cell: the number that justifies
the decision ("ex01.qN_number") and the choice itself ("ex01.qN"). The choice is
computed from the number where the data decides it, so the key holds on any data.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import classification as cls
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data, sample_periods
from crmkit.customer_base import customer_profit


@cache
def _profit(which: str = "last_full_year") -> pd.DataFrame:
    """Revenue and profit per buyer of the last full year (or of the year before)."""
    return customer_profit(sample_data(), getattr(sample_periods(), which))


def _year() -> pd.DataFrame:
    return _profit("last_full_year")


# --- Q1 to Q4: the 80/20 rule, ABC analysis, the three-way split ------------------------


def _positive_basis_share(profit: pd.Series, target: float = 0.8) -> float:
    """The old slip: the 80/20 share measured against the sum of the positive profits only."""
    ranked = profit.sort_values(ascending=False)
    gains = ranked.clip(lower=0)
    reached = (gains.cumsum() / gains.sum()).lt(target).sum() + 1
    return float(reached / len(profit))


#: The A cut-offs of Q2's options (B stays at 95%) and the customers the key-account team
#: can look after (four managers, 45 each; set in the exercise).
Q2_CUTOFFS = {"a": 0.5, "b": 0.6, "c": 0.7, "d": 0.8}
Q2_CAPACITY = 4 * 45


def _class_a(a: float, measure: str = "revenue") -> int:
    return int((cls.abc_analysis(_year()[measure], cutoffs=(a, 0.95))["class"] == "A").sum())


def _q2_letter() -> str:
    """The largest cut-off whose class A the team can look after (the smallest if none fits)."""
    fitting = [letter for letter, a in Q2_CUTOFFS.items() if _class_a(a) <= Q2_CAPACITY]
    return fitting[-1] if fitting else "a"


def _abc_class_reference(share_before: float, a: float = 0.8, b: float = 0.95) -> str:
    if share_before < a:
        return "A"
    return "B" if share_before < b else "C"


def _abc_fixed_cutoffs(share_before: float, a: float = 0.8, b: float = 0.95) -> str:
    """A slip: the cut-offs typed in, so the a and b given to the function are ignored."""
    return _abc_class_reference(share_before)


def _abc_always_c(share_before: float, a: float = 0.8, b: float = 0.95) -> str:
    return "C"


FUNCTION_CASES = ((0.0,), (0.5,), (0.79,), (0.85,), (0.97,), (0.3, 0.4, 0.6), (0.5, 0.4, 0.6))


def _bottom_profit(which: str = "last_full_year") -> float:
    split = cls.profit_split(_profit(which)["profit"])
    return float(split.loc[split["group"] == "bottom", "profit"].sum())


def _bottom_size() -> int:
    return int((cls.profit_split(_year()["profit"])["group"] == "bottom").sum())


# --- Q6, Q7: RFM ---------------------------------------------------------------------------


@cache
def _segments() -> pd.DataFrame:
    data, as_of = sample_data(), sample_periods().analysis_date
    rfm = cls.rfm_table(data.orders[data.orders["order_date"] <= as_of], as_of)
    return cls.rfm_segment_summary(rfm)


def _segment_count(name: str) -> int:
    return int(_segments().loc[name, "customers"])


KEYS: dict[str, Key] = {
    "ex01.q1": Key(
        "Q1, the share of customers that brings 80% of profit",
        "number",
        lambda: cls.pareto_share(_year()["profit"], target=0.8),
        "Read the row ranked by profit (not revenue) in the helper table, and give the share "
        "as a fraction: 25% is 0.25. Give a share of customers, not a number of customers.",
        # a share read off a percentage the lesson prints (22%) is right to half a point
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            cls.pareto_share(_year()["revenue"], target=0.8),  # revenue instead of profit
            cls.pareto_share(_profit("year_before")["profit"], target=0.8),  # the wrong year
            _positive_basis_share(_year()["profit"]),  # the total of the gains only
            round(cls.pareto_share(_year()["profit"]) * len(_year())),  # a count, not a share
            cls.pareto_share(_year()["profit"]) * 100,  # a percentage, not a fraction
        ),
    ),
    "ex01.q2_number": Key(
        "Q2, the number of class A customers by revenue at the cut-off you chose",
        "number",
        lambda: _class_a(Q2_CUTOFFS[_q2_letter()]),
        "Read the class A count in the row of the cut-off you chose: the largest class A "
        "that the key-account team can still look after.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _class_a(0.8),  # the lesson's cut-off, whatever the team can take
            *(_class_a(a) for letter, a in Q2_CUTOFFS.items() if letter != _q2_letter()),
            _class_a(Q2_CUTOFFS[_q2_letter()], "profit"),  # profit instead of revenue
            Q2_CAPACITY,  # the team's capacity, not the class
        ),
    ),
    "ex01.q2": Key(
        "Q2, the A cut-off for the key-account team",
        "choice",
        lambda: _q2_letter(),
        "Go down the cut-offs from the largest: the first whose class A is no larger than "
        "the team's capacity covers the most revenue the team can look after.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex01.q3": Key(
        "Q3, your abc_class function (optional challenge)",
        "function",
        lambda: _abc_class_reference,
        "A customer is in A while the share already covered by better customers is below "
        "the first cut-off; B while it is below the second; otherwise C. Use a and b, not "
        "0.8 and 0.95, so that other cut-offs work too.",
        cases=FUNCTION_CASES,
        wrong=lambda: (_abc_fixed_cutoffs, _abc_always_c),
    ),
    "ex01.q4": Key(
        "Q4, the total profit of the bottom group in the last full year",
        "number",
        lambda: _bottom_profit(),
        "Read the profit of the bottom row in the helper table (the last 20% by profit, not "
        "every customer who lost money); a loss keeps its minus sign.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_year()["profit"].clip(upper=0).sum()),  # every loss maker, not the bottom 20%
            -_bottom_profit(),  # the loss without its minus sign
            _bottom_profit("year_before"),  # the wrong year
            _bottom_profit() / _bottom_size(),  # per customer, not the total
        ),
    ),
    "ex01.q5": Key(
        "Q5, the first step with the bottom group",
        "choice",
        lambda: "d",
        "Seed 003 advises finding the cause first: some unprofitable customers can be made "
        "profitable by a different service model or price.",
        options=LETTERS,
        wrong=lambda: ("a", "b", "c"),
    ),
    "ex01.q6": Key(
        "Q6, the Champions' share of revenue",
        "number",
        lambda: float(_segments().loc["Champions", "revenue_share"]),
        "In the segment table, read the Champions' share of revenue (a fraction such as "
        "0.25), not their number of customers or their share of customers.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.001},
        wrong=lambda: (
            _segment_count("Champions") / int(_segments()["customers"].sum()),  # of customers
            _segment_count("Champions"),  # the count
            float(_segments().loc["Loyal", "revenue_share"]),  # the next row
        ),
    ),
    "ex01.q7_number": Key(
        'Q7, the number of "Cannot lose them" customers',
        "number",
        lambda: _segment_count("Cannot lose them"),
        'Read the number of customers in the "Cannot lose them" row of the segment table.',
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _segment_count("At risk"),  # the neighbouring segment
            _segment_count("Gone quiet"),
            _segment_count("Cannot lose them") / int(_segments()["customers"].sum()),  # a share
        ),
    ),
    "ex01.q7": Key(
        'Q7, the action that fits the "Cannot lose them" customers',
        "choice",
        lambda: "c",
        "They used to buy often and have gone quiet: what would you want to know first, "
        "and who should ask them?",
        options=LETTERS,
        wrong=lambda: ("a", "b", "d"),
    ),
}
