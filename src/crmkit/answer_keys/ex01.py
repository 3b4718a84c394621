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

#: The four formats of Q8's options, by letter.
Q8_OPTIONS = {"a": "kiosk", "b": "supermarket", "c": "convenience_store", "d": "restaurant"}


@cache
def _formats() -> pd.DataFrame:
    return cls.breakdown(cls.customer_overview(_data())).loc[list(Q8_OPTIONS.values())]


def _q8_letter(column: str) -> str:
    best = _formats()[column].idxmax()
    return next(letter for letter, name in Q8_OPTIONS.items() if name == best)


def _q8_best() -> pd.Series:
    return _formats().loc[Q8_OPTIONS[_q8_letter("profit_per_customer")]]


# --- Q12: lead grading ---------------------------------------------------------------------

#: First visits the sales team can make to new leads next month (set in the exercise).
Q12_VISITS = 5
Q12_THRESHOLD = 15000


def _a_leads(threshold: float) -> int:
    return int(
        (cls.grade_leads(_data().leads, min_monthly_purchase=threshold)["lead_grade"] == "A").sum()
    )


def _q12_letter() -> str:
    """a: keep the old threshold (the A list would outgrow the visits); b: lower it."""
    return "a" if _a_leads(Q12_THRESHOLD) > Q12_VISITS else "b"


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
        "Rank customers by their profit in the last full year, best first, and find how far "
        "down the list you must go before the cumulative profit reaches 80% of the net total "
        "(losses included). Give a share of customers, not a number of customers.",
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
        "Use revenue, not profit, and cut-offs of 0.7 and 0.9; then count the rows of class A.",
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
        "Split the customers with cls.profit_split and add up the profit of the bottom group "
        "(the last 20% by profit, not every customer who lost money).",
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
        "The seeds advise finding the cause first: some unprofitable customers can be made "
        "profitable by a different service model or price.",
        options=LETTERS,
        wrong=lambda: ("a", "c", "d"),
    ),
    "ex01.q6_number": Key(
        "Q6, the number of grade A customers under the new weights",
        "number",
        lambda: _grade_a(Q6_WEIGHTS),
        "Score the customers with cls.value_score(indicators, new_weights), grade the scores "
        "with cls.value_grade and count the A's. Did you pass new_weights?",
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
        "Q8, the profit per customer of the format you chose",
        "number",
        lambda: float(_q8_best()["profit_per_customer"]),
        "Read the profit per customer (not the revenue, not the format's total profit) of "
        "the format with the highest profit per customer.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_q8_best()["revenue"] / _q8_best()["customers"]),  # revenue per customer
            float(_q8_best()["profit_per_customer"] * _q8_best()["customers"]),  # total profit
            float(_q8_best()["profit_share"]),  # its share of all profit
            float(_formats()["profit_per_customer"].nlargest(2).iloc[1]),  # the runner-up
        ),
    ),
    "ex01.q8": Key(
        "Q8, the business format for the new account manager",
        "choice",
        lambda: _q8_letter("profit_per_customer"),
        "Compare the formats on profit per customer: revenue per customer and margin rate "
        "leave out what a customer costs to serve.",
        options=LETTERS,
        # every other letter (the best by revenue per customer, or by margin rate, is
        # among them), and the right format's name instead of its letter
        wrong=lambda: (
            *other_letters(_q8_letter("profit_per_customer")),
            Q8_OPTIONS[_q8_letter("profit_per_customer")],
        ),
    ),
    "ex01.q10": Key(
        "Q10, the customers who moved up into grade A in the last full year",
        "set",
        lambda: _moved(into_a=True),
        "Re-evaluate at the end of the year before and at the end of the last full year, "
        "then keep customers graded A at the second date who were not A at the first "
        "(new customers count too).",
        wrong=lambda: (
            _moved(into_a=False),  # the other direction: out of A
            _moved(into_a=True, new_count=False),  # new customers left out
            set(_grades().index[_grades().iloc[:, 1] == "A"]),  # every A, also those already A
        ),
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
        "Pass min_monthly_purchase=15000 to cls.grade_leads and count grade A.",
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
        "Q12, the buying-power threshold for next month",
        "choice",
        lambda: _q12_letter(),
        "Count the A leads at the lower threshold and compare them with the first visits "
        "the team can make next month.",
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
