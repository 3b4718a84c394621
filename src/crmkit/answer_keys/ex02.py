"""Answer keys of exercise set 2 (grading customers and leads: CL5 to CL9).

A decision question has two keys, checked in one cell: the number that justifies
the decision ("ex02.qN_number") and the choice itself ("ex02.qN"). The choice is
computed from the number where the data decides it, so the key holds on any data.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import classification as cls
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data, sample_periods
from crmkit.customer_base import revenue_bridge


@cache
def _indicators() -> pd.DataFrame:
    data = sample_data()
    end = sample_periods().last_full_year.last_day
    return cls.value_indicators(data.orders, data.category_purchases, period_end=end)


# --- Q1: new weights and the visit diary --------------------------------------------------

Q1_WEIGHTS = {
    "integrity": 0.1,
    "cooperation": 0.1,
    "dependence": 0.4,
    "growth": 0.1,
    "contribution": 0.3,
}
#: Customers the regional manager can visit in person in a year (set in the exercise).
Q1_VISITS = 50


def _grade_a(weights: dict[str, float] | None) -> int:
    return int((cls.value_grade(cls.value_score(_indicators(), weights)) == "A").sum())


def _q1_letter(n_grade_a: int) -> str:
    """c: she visits every grade A customer herself; d: the list is longer than her diary."""
    return "c" if n_grade_a <= Q1_VISITS else "d"


# --- Q2: business formats ------------------------------------------------------------------

#: The four formats of Q2's options, by letter (online shops are not an option).
Q2_OPTIONS = {"a": "supermarket", "b": "kiosk", "c": "restaurant", "d": "convenience_store"}


@cache
def _all_formats() -> pd.DataFrame:
    return cls.breakdown(cls.customer_overview(sample_data()))


def _formats() -> pd.DataFrame:
    return _all_formats().loc[list(Q2_OPTIONS.values())]


def _q2_letter(column: str, highest: bool = True) -> str:
    """The letter of the format with the highest (or lowest) value in `column`."""
    pick = _formats()[column].idxmax() if highest else _formats()[column].idxmin()
    return next(letter for letter, name in Q2_OPTIONS.items() if name == pick)


def _q2_costliest() -> pd.Series:
    """The format whose customers cost the most to serve: where a cheaper model saves most."""
    return _formats().loc[Q2_OPTIONS[_q2_letter("cost_to_serve_per_customer")]]


# --- Q3: who moved up into grade A ---------------------------------------------------------


@cache
def _grades() -> pd.DataFrame:
    data, p = sample_data(), sample_periods()
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


def _q3_letter() -> str:
    """c: re-grade every year, most of this year's A customers were not A a year ago; a: keep."""
    now_a = int((_grades().iloc[:, 1] == "A").sum())
    return "c" if len(_moved(into_a=True)) > now_a / 2 else "a"


# --- Q5: lead grading ----------------------------------------------------------------------

#: First visits the sales team can make to new leads next month (set in the exercise).
Q5_VISITS = 10
Q5_THRESHOLD = 15000


def _a_leads(threshold: float) -> int:
    return int(
        (
            cls.grade_leads(sample_data().leads, min_monthly_purchase=threshold)["lead_grade"]
            == "A"
        ).sum()
    )


def _a_or_b_leads(threshold: float) -> int:
    grades = cls.grade_leads(sample_data().leads, min_monthly_purchase=threshold)["lead_grade"]
    return int(grades.isin(["A", "B"]).sum())


def _q5_letter() -> str:
    """b: every A lead gets a visit and B leads get the rest; c: too few visits, rank the A's."""
    return "b" if _a_leads(Q5_THRESHOLD) <= Q5_VISITS else "c"


# --- Q6: lost customers and revenue ---------------------------------------------------------


@cache
def _bridge() -> pd.Series:
    return revenue_bridge(sample_data(), sample_periods().last_full_year)


def _q6_letter() -> str:
    """c: revenue grew (the stayers bought more), so keep them and win back the largest lost;
    a: revenue fell, so find out first why the largest lost customers left."""
    return "c" if _bridge()["revenue_change"] > 0 else "a"


KEYS: dict[str, Key] = {
    "ex02.q1_number": Key(
        "Q1, the number of grade A customers under the new weights",
        "number",
        lambda: _grade_a(Q1_WEIGHTS),
        "Read grade A in the column of the new weights, not the default weights.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _grade_a(None),  # the default weights: new_weights ignored
            _grade_a(Q1_WEIGHTS) / len(_indicators()),  # a share, not a count
            1,  # only the top customer
        ),
    ),
    "ex02.q1": Key(
        "Q1, the regional manager's visit plan",
        "choice",
        lambda: _q1_letter(_grade_a(Q1_WEIGHTS)),
        "Compare the number of grade A customers under the NEW weights with the visits "
        "she has in her diary.",
        options=LETTERS,
        wrong=lambda: other_letters(_q1_letter(_grade_a(Q1_WEIGHTS))),
    ),
    "ex02.q2_number": Key(
        "Q2, the cost to serve per customer of the format you chose",
        "number",
        lambda: float(_q2_costliest()["cost_to_serve_per_customer"]),
        "Read the cost to serve per customer (not the profit per customer, not the revenue) "
        "of the format whose customers cost the most to serve.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_q2_costliest()["profit_per_customer"]),  # the profit column
            float(_q2_costliest()["cost_to_serve_per_customer"] * _q2_costliest()["customers"]),
            float(_formats()["cost_to_serve_per_customer"].nlargest(2).iloc[1]),  # the runner-up
            float(_all_formats()["cost_to_serve_per_customer"].min()),  # the cheapest, online
        ),
    ),
    "ex02.q2": Key(
        "Q2, the business format whose service model to review first",
        "choice",
        lambda: _q2_letter("cost_to_serve_per_customer"),
        "Compare the formats on cost to serve per customer: a cheaper service model saves "
        "the most where serving a customer costs the most. Profit per customer and margin "
        "rate answer other questions.",
        options=LETTERS,
        # every other letter (the lowest profit per customer among them), and the right
        # format's name instead of its letter
        wrong=lambda: (
            *other_letters(_q2_letter("cost_to_serve_per_customer")),
            Q2_OPTIONS[_q2_letter("cost_to_serve_per_customer")],
        ),
    ),
    "ex02.q3_number": Key(
        "Q3, the number of customers who moved up into grade A in the last full year",
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
    "ex02.q3": Key(
        "Q3, whether to keep last year's grade A list",
        "choice",
        lambda: _q3_letter(),
        "Compare the customers who moved up into A with all the grade A customers now: "
        "if most of them are new to A, last year's list would miss them.",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex02.q4": Key(
        "Q4, the buying motive of the shop that values twice-weekly delivery",
        "choice",
        lambda: "convenience",
        "Which motive is about saving time and effort rather than price or personal ties?",
        options=("economic", "ethical", "personalising", "convenience"),
        wrong=lambda: ("economic", "ethical", "personalising"),
    ),
    "ex02.q5_number": Key(
        "Q5, the number of A leads with a buying-power threshold of ¥15,000",
        "number",
        lambda: _a_leads(Q5_THRESHOLD),
        "Read grade A in the column of the new threshold, ¥15,000.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _a_leads(20000),  # the old threshold
            _a_or_b_leads(Q5_THRESHOLD),  # A and B together
        ),
    ),
    "ex02.q5": Key(
        "Q5, who gets next month's first visits",
        "choice",
        lambda: _q5_letter(),
        "Compare the A leads at the new threshold with the first visits the team can make "
        "next month: are there visits left over, or too few for every A lead?",
        options=LETTERS,
        wrong=lambda: other_letters(_q5_letter()),
    ),
    "ex02.q6_number": Key(
        "Q6, the share of the year before's revenue that the lost customers had brought",
        "number",
        lambda: -_bridge()["from_lost"] / _bridge()["revenue_before"],
        "Read the share of the revenue (not of the customers) of the year before, as a "
        "fraction: 14% is 0.14.",
        # read off a percentage printed to one decimal
        tolerance={"abs_tol": 0.0006},
        wrong=lambda: (
            _bridge()["lost_customers"] / _bridge()["customers_before"],  # of the customers
            -_bridge()["from_lost"] / _bridge()["revenue_now"],  # of this year's revenue
            -_bridge()["from_lost"],  # the amount in yuan, not a share
            -_bridge()["from_lost"] / _bridge()["revenue_before"] * 100,  # a percentage
        ),
    ),
    "ex02.q6": Key(
        "Q6, what to advise the sales director about the lost customers",
        "choice",
        lambda: _q6_letter(),
        "Look at the last line of the bridge first: did revenue grow or fall? Then see which "
        "part of the bridge explains it.",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter()),
    ),
}
