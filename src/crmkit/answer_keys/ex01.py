"""Answer keys of exercise set 1 (customer classification)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import classification as cls
from crmkit.answer_keys.core import Key, sample_data
from crmkit.customer_base import Periods, customer_profit, periods


def _data():
    return sample_data()


@cache
def _periods() -> Periods:
    """The periods of the sample data, as the exercise's set-up cell finds them."""
    return periods(_data())


@cache
def _year() -> pd.DataFrame:
    return customer_profit(_data(), _periods().last_full_year)


@cache
def _indicators() -> pd.DataFrame:
    data = _data()
    end = _periods().last_full_year.last_day
    return cls.value_indicators(data.orders, data.category_purchases, period_end=end)


def _abc_class_reference(share_before: float, a: float = 0.8, b: float = 0.95) -> str:
    if share_before < a:
        return "A"
    return "B" if share_before < b else "C"


FUNCTION_CASES = ((0.0,), (0.5,), (0.79,), (0.85,), (0.97,), (0.3, 0.4, 0.6), (0.5, 0.4, 0.6))

Q6_WEIGHTS = {
    "integrity": 0.1,
    "cooperation": 0.1,
    "dependence": 0.4,
    "growth": 0.1,
    "contribution": 0.3,
}
FORMATS = ("convenience_store", "supermarket", "restaurant", "kiosk", "online_shop")

KEYS: dict[str, Key] = {
    "ex01.q1": Key(
        "Q1, the share of customers that brings 80% of profit",
        "number",
        lambda: cls.pareto_share(_year()["profit"], target=0.8),
        "Rank customers by their profit in the last full year, best first, and find how far "
        "down the list you must go before the cumulative profit reaches 80% of the total.",
        tolerance={"rel_tol": 0.01},
    ),
    "ex01.q2": Key(
        "Q2, the number of class A customers by revenue (cut-offs 70% and 90%)",
        "number",
        lambda: int(
            (cls.abc_analysis(_year()["revenue"], cutoffs=(0.7, 0.9))["class"] == "A").sum()
        ),
        "Use revenue, not profit, and cut-offs of 0.7 and 0.9; then count the rows of class A.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex01.q3": Key(
        "Q3, your abc_class function",
        "function",
        lambda: _abc_class_reference,
        "A customer is in A while the share already covered by better customers is below "
        "the first cut-off; B while it is below the second; otherwise C.",
        cases=FUNCTION_CASES,
    ),
    "ex01.q4": Key(
        "Q4, the total profit of the value destroyers in the last full year",
        "number",
        lambda: float(
            cls.profit_split(_year()["profit"]).query("group == 'bottom'")["profit"].sum()
        ),
        "Split the customers with cls.profit_split and add up the profit of the bottom group; "
        "the answer is a loss, so it is negative.",
        tolerance={"rel_tol": 1e-3},
    ),
    "ex01.q5": Key(
        "Q5, the first step with value-destroying customers",
        "choice",
        lambda: "b",
        "The seeds advise finding the cause first: some unprofitable customers can be made "
        "profitable by a different service model or price.",
        options=("a", "b", "c", "d"),
    ),
    "ex01.q6": Key(
        "Q6, the top customer under the new weights",
        "choice",
        lambda: cls.value_score(_indicators(), Q6_WEIGHTS).idxmax(),
        "Score every customer with cls.value_score(indicators, weights) and take the id with "
        "the highest score (Series.idxmax()).",
    ),
    "ex01.q7": Key(
        "Q7, the number of grade A customers with the default weights",
        "number",
        lambda: int((cls.value_grade(cls.value_score(_indicators())) == "A").sum()),
        "value_grade turns scores into grades A to D; count the A's.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex01.q8": Key(
        "Q8, the business format with the highest profit per customer",
        "choice",
        lambda: str(cls.breakdown(cls.customer_overview(_data()))["profit_per_customer"].idxmax()),
        "cls.breakdown(overview) gives a profit_per_customer column by business format.",
        options=FORMATS,
    ),
    "ex01.q9": Key(
        "Q9, the margin rate by market type",
        "series",
        lambda: cls.breakdown(cls.customer_overview(_data()), by=("market_type",))[
            "margin_rate"
        ].rename("margin_rate"),
        "Use cls.breakdown with by=('market_type',) and keep its margin_rate column.",
        tolerance={"rel_tol": 1e-3},
    ),
    "ex01.q10": Key(
        "Q10, the customers who moved up into grade A in the last full year",
        "set",
        lambda: _moved_into_a(),
        "Re-evaluate at the end of the year before and at the end of the last full year, "
        "then keep customers graded A at the second date who were not A at the first "
        "(new customers count too).",
    ),
    "ex01.q11": Key(
        "Q11, the buying motive of the shop that values twice-weekly delivery",
        "choice",
        lambda: "convenience",
        "Which motive is about saving time and effort rather than price or personal ties?",
        options=("economic", "ethical", "personalising", "convenience"),
    ),
    "ex01.q12": Key(
        "Q12, the number of A leads with a buying-power threshold of ¥15,000",
        "number",
        lambda: int(
            (cls.grade_leads(_data().leads, min_monthly_purchase=15000)["lead_grade"] == "A").sum()
        ),
        "Pass min_monthly_purchase=15000 to cls.grade_leads and count grade A.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
}


def _moved_into_a() -> set[str]:
    data, p = _data(), _periods()
    ends = [p.year_before.last_day, p.last_full_year.last_day]
    grades = cls.reevaluate(data.orders, data.category_purchases, period_ends=ends)
    before, after = (grades[column] for column in grades.columns)
    return set(grades.index[(after == "A") & (before != "A")])
