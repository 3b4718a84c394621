"""Answer keys of exercise set 1 (customer classification).

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


def _data():
    return sample_data()


@cache
def _profit(which: str = "last_full_year") -> pd.DataFrame:
    """Revenue and profit per buyer of the last full year (or of the year before)."""
    return customer_profit(_data(), getattr(sample_periods(), which))


def _year() -> pd.DataFrame:
    return _profit("last_full_year")


@cache
def _indicators() -> pd.DataFrame:
    data = _data()
    end = sample_periods().last_full_year.last_day
    return cls.value_indicators(data.orders, data.category_purchases, period_end=end)


# --- Q1 to Q4: the 80/20 rule, ABC analysis, the three-way split ------------------------


def _positive_basis_share(profit: pd.Series, target: float = 0.8) -> float:
    """The old slip: the 80/20 share measured against the sum of the positive profits only."""
    ranked = profit.sort_values(ascending=False)
    gains = ranked.clip(lower=0)
    reached = (gains.cumsum() / gains.sum()).lt(target).sum() + 1
    return float(reached / len(profit))


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


# --- Q6: new weights and the visit diary --------------------------------------------------

Q6_WEIGHTS = {
    "integrity": 0.1,
    "cooperation": 0.1,
    "dependence": 0.4,
    "growth": 0.1,
    "contribution": 0.3,
}
#: Customers the regional manager can visit in person in a year (set in the exercise).
Q6_VISITS = 50


def _grade_a(weights: dict[str, float] | None) -> int:
    return int((cls.value_grade(cls.value_score(_indicators(), weights)) == "A").sum())


def _q6_letter(n_grade_a: int) -> str:
    """c: she visits every grade A customer herself; d: the list is longer than her diary."""
    return "c" if n_grade_a <= Q6_VISITS else "d"


# --- Q8: business formats ------------------------------------------------------------------

#: The four formats of Q8's options, by letter (online shops are not an option).
Q8_OPTIONS = {"a": "supermarket", "b": "kiosk", "c": "restaurant", "d": "convenience_store"}


@cache
def _all_formats() -> pd.DataFrame:
    return cls.breakdown(cls.customer_overview(_data()))


def _formats() -> pd.DataFrame:
    return _all_formats().loc[list(Q8_OPTIONS.values())]


def _q8_letter(column: str, highest: bool = True) -> str:
    """The letter of the format with the highest (or lowest) value in `column`."""
    pick = _formats()[column].idxmax() if highest else _formats()[column].idxmin()
    return next(letter for letter, name in Q8_OPTIONS.items() if name == pick)


def _q8_costliest() -> pd.Series:
    """The format whose customers cost the most to serve: where a cheaper model saves most."""
    return _formats().loc[Q8_OPTIONS[_q8_letter("cost_to_serve_per_customer")]]


# --- Q10: who moved up into grade A ---------------------------------------------------------


def _q10_letter() -> str:
    """c: re-grade every year, most of this year's A customers were not A a year ago; a: keep."""
    now_a = int((_grades().iloc[:, 1] == "A").sum())
    return "c" if len(_moved(into_a=True)) > now_a / 2 else "a"


# --- Q12: lead grading ---------------------------------------------------------------------

#: First visits the sales team can make to new leads next month (set in the exercise).
Q12_VISITS = 10
Q12_THRESHOLD = 15000


def _a_leads(threshold: float) -> int:
    return int(
        (cls.grade_leads(_data().leads, min_monthly_purchase=threshold)["lead_grade"] == "A").sum()
    )


def _q12_letter() -> str:
    """b: every A lead gets a visit and B leads get the rest; c: too few visits, rank the A's."""
    return "b" if _a_leads(Q12_THRESHOLD) <= Q12_VISITS else "c"


# --- Q13, Q14: RFM -------------------------------------------------------------------------


@cache
def _rfm() -> pd.DataFrame:
    data, as_of = _data(), sample_periods().analysis_date
    return cls.rfm_table(data.orders[data.orders["order_date"] <= as_of], as_of)


@cache
def _segments() -> pd.DataFrame:
    return cls.rfm_segment_summary(_rfm())


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
    "ex01.q2": Key(
        "Q2, the number of class A customers by revenue (cut-offs 70% and 90%)",
        "number",
        lambda: int(
            (cls.abc_analysis(_year()["revenue"], cutoffs=(0.7, 0.9))["class"] == "A").sum()
        ),
        "Read row A in the column of the cut-offs 70% and 90% (not the lesson's 80% and 95%).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            int((cls.abc_analysis(_year()["revenue"])["class"] == "A").sum()),  # default cut-offs
            int(
                (cls.abc_analysis(_year()["profit"], cutoffs=(0.7, 0.9))["class"] == "A").sum()
            ),  # profit instead of revenue
            (cls.abc_analysis(_year()["revenue"], cutoffs=(0.7, 0.9))["class"] == "A").mean(),
        ),
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
        lambda: "b",
        "Seed 003 advises finding the cause first: some unprofitable customers can be made "
        "profitable by a different service model or price.",
        options=LETTERS,
        wrong=lambda: ("a", "c", "d"),
    ),
    "ex01.q6_number": Key(
        "Q6, the number of grade A customers under the new weights",
        "number",
        lambda: _grade_a(Q6_WEIGHTS),
        "Read grade A in the column of the new weights, not the default weights.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _grade_a(None),  # the default weights: new_weights ignored
            _grade_a(Q6_WEIGHTS) / len(_indicators()),  # a share, not a count
            1,  # only the top customer
        ),
    ),
    "ex01.q6": Key(
        "Q6, the regional manager's visit plan",
        "choice",
        lambda: _q6_letter(_grade_a(Q6_WEIGHTS)),
        "Compare the number of grade A customers under the NEW weights with the visits "
        "she has in her diary.",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter(_grade_a(Q6_WEIGHTS))),
    ),
    "ex01.q8_number": Key(
        "Q8, the cost to serve per customer of the format you chose",
        "number",
        lambda: float(_q8_costliest()["cost_to_serve_per_customer"]),
        "Read the cost to serve per customer (not the profit per customer, not the revenue) "
        "of the format whose customers cost the most to serve.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_q8_costliest()["profit_per_customer"]),  # the profit column
            float(_q8_costliest()["cost_to_serve_per_customer"] * _q8_costliest()["customers"]),
            float(_formats()["cost_to_serve_per_customer"].nlargest(2).iloc[1]),  # the runner-up
            float(_all_formats()["cost_to_serve_per_customer"].min()),  # the cheapest, online
        ),
    ),
    "ex01.q8": Key(
        "Q8, the business format whose service model to review first",
        "choice",
        lambda: _q8_letter("cost_to_serve_per_customer"),
        "Compare the formats on cost to serve per customer: a cheaper service model saves "
        "the most where serving a customer costs the most. Profit per customer and margin "
        "rate answer other questions.",
        options=LETTERS,
        # every other letter (the lowest profit per customer among them), and the right
        # format's name instead of its letter
        wrong=lambda: (
            *other_letters(_q8_letter("cost_to_serve_per_customer")),
            Q8_OPTIONS[_q8_letter("cost_to_serve_per_customer")],
        ),
    ),
    "ex01.q10_number": Key(
        "Q10, the number of customers who moved up into grade A in the last full year",
        "number",
        lambda: len(_moved(into_a=True)),
        "Add up column A of the table, leaving out the row of customers who were already A "
        "(the new customers' row counts too).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            len(_moved(into_a=False)),  # the other direction: out of A (lost included)
            len(_moved(into_a=True, new_count=False)),  # new customers left out
            int((_grades().iloc[:, 1] == "A").sum()),  # every A, also those already A
            int(((_grades().iloc[:, 0] == "A") & (_grades().iloc[:, 1] == "A")).sum()),  # kept A
        ),
    ),
    "ex01.q10": Key(
        "Q10, whether to keep last year's grade A list",
        "choice",
        lambda: _q10_letter(),
        "Compare the customers who moved up into A with all the grade A customers now: "
        "if most of them are new to A, last year's list would miss them.",
        options=LETTERS,
        wrong=lambda: other_letters(_q10_letter()),
    ),
    "ex01.q11": Key(
        "Q11, the buying motive of the shop that values twice-weekly delivery",
        "choice",
        lambda: "convenience",
        "Which motive is about saving time and effort rather than price or personal ties?",
        options=("economic", "ethical", "personalising", "convenience"),
        wrong=lambda: ("economic", "ethical", "personalising"),
    ),
    "ex01.q12_number": Key(
        "Q12, the number of A leads with a buying-power threshold of ¥15,000",
        "number",
        lambda: _a_leads(Q12_THRESHOLD),
        "Read grade A in the column of the new threshold, ¥15,000.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _a_leads(20000),  # the old threshold
            int(
                cls.grade_leads(_data().leads, min_monthly_purchase=Q12_THRESHOLD)["lead_grade"]
                .isin(["A", "B"])
                .sum()
            ),  # A and B together
        ),
    ),
    "ex01.q12": Key(
        "Q12, who gets next month's first visits",
        "choice",
        lambda: _q12_letter(),
        "Compare the A leads at the new threshold with the first visits the team can make "
        "next month: are there visits left over, or too few for every A lead?",
        options=LETTERS,
        wrong=lambda: other_letters(_q12_letter()),
    ),
    "ex01.q13": Key(
        "Q13, the Champions' share of revenue",
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
    "ex01.q14_number": Key(
        'Q14, the number of "Cannot lose them" customers',
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
    "ex01.q14": Key(
        'Q14, the action that fits the "Cannot lose them" customers',
        "choice",
        lambda: "c",
        "They used to buy often and have gone quiet: what would you want to know first, "
        "and who should ask them?",
        options=LETTERS,
        wrong=lambda: ("a", "b", "d"),
    ),
}


@cache
def _grades() -> pd.DataFrame:
    data, p = _data(), sample_periods()
    ends = [p.year_before.last_day, p.last_full_year.last_day]
    return cls.reevaluate(data.orders, data.category_purchases, period_ends=ends)


def _moved(*, into_a: bool, new_count: bool = True) -> set[str]:
    grades = _grades()
    before, after = (grades[column] for column in grades.columns)
    if not into_a:
        before, after = after, before
    moved = (after == "A") & (before != "A")
    if not new_count:
        moved &= before.notna()
    return set(grades.index[moved])
