"""Answer keys of exercise set 3 (customer value and key accounts)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import key_accounts as ka
from crmkit import value
from crmkit.answer_keys.core import Key, sample_data
from crmkit.customer_base import Period, Periods, customer_profit, periods
from crmkit.tiers import assign_tiers


@cache
def _periods() -> Periods:
    """The periods of the sample data, as the exercise's set-up cell finds them."""
    return periods(sample_data())


@cache
def _tiers(period: Period) -> pd.DataFrame:
    return assign_tiers(customer_profit(sample_data(), period)["profit"])


def _clv_reference(margin: float, retention: float, discount_rate: float, years: int) -> float:
    return value.lifetime_value(margin, retention, discount_rate, years=years)


CLV_CASES = (
    (1000.0, 0.8, 0.08, 1),
    (1000.0, 0.8, 0.08, 5),
    (2500.0, 0.5, 0.1, 3),
    (100.0, 0.0, 0.05, 4),
    (800.0, 0.9, 0.0, 10),
)

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
WHAT_IF = {"stay_after_hours": 3.0, "spend_per_hour": 2.5}


def _hidden_small() -> int:
    last = _periods().last_full_year
    network = value.network_value(sample_data(), last.year)
    summary = value.hidden_value_summary(network, _tiers(last))
    return int(summary.loc["small", "referred_beats_own"])


def _expected_profit(customer_id: str) -> float:
    analysis = value.core_value_analysis(sample_data(), customer_id)
    return float(analysis["expected profit"])


KA_RULE = {"volume_top_share": 0.05, "min_other_criteria": 2}


@cache
def _key_accounts(**rule) -> frozenset[str]:
    end = _periods().last_full_year.last_day
    found = ka.identify_key_accounts(
        ka.key_account_measures(sample_data(), period_end=end), ka.KeyAccountRule(**rule)
    )
    return frozenset(found.index[found["key_account"]])


def _left_last_year() -> int:
    """Key accounts at the end of the year before that are not key accounts a year later."""
    p = _periods()
    ends = [p.year_before.last_day, p.last_full_year.last_day]
    return int(ka.key_account_changes(sample_data(), ends)["left"].iloc[-1])


def _small_retention() -> float:
    p = _periods()
    rates = value.retention_rate(sample_data(), p.last_full_year.year, by=_tiers(p.year_before))
    return float(rates["small"])


def _extra_margin() -> float:
    results = value.StayWhatIf(**WHAT_IF).results().set_index("measure")["value"]
    return float(results["extra margin a year, whole core group"])


KEYS: dict[str, Key] = {
    "ex03.q1": Key(
        "Q1, the perceived value of the supermarket's offer",
        "number",
        lambda: value.perceived_value(**Q1_PARTS).perceived_value,
        "Perceived value = (product + service + personnel + image) − (money + time + "
        "energy + physical effort).",
        tolerance={"rel_tol": 1e-6},
    ),
    "ex03.q2": Key(
        "Q2, the promise that keeps the customer satisfied or delighted",
        "choice",
        lambda: "b",
        "A promise sets the expectation; the same delivery disappoints when more was "
        "promised than delivered (seed 000). Which promise is at or below what the "
        "warehouse really delivers?",
        options=("a", "b", "c", "d"),
    ),
    "ex03.q3": Key(
        "Q3, your lifetime-value function",
        "function",
        lambda: _clv_reference,
        "Add up margin × retention**t / (1 + discount_rate)**t for t = 1, 2, …, years.",
        tolerance={"rel_tol": 1e-6},
        cases=CLV_CASES,
    ),
    "ex03.q4": Key(
        "Q4, the retention rate of the small tier from the year before into the last full year",
        "number",
        _small_retention,
        "Tier the customers of the year before by that year's profit (tiers_before), then use "
        "value.retention_rate(data, p.last_full_year.year, by=tiers_before) and read the "
        "'small' row.",
        tolerance={"rel_tol": 1e-3},
    ),
    "ex03.q5": Key(
        "Q5, small customers whose referrals bring more than their own profit",
        "number",
        _hidden_small,
        "value.network_value(data, p.last_full_year.year) then "
        "value.hidden_value_summary(network, tiers) with the tiers of the last full year; "
        "read referred_beats_own for 'small'.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex03.q6": Key(
        "Q6, the expected profit of customer C00002",
        "number",
        lambda: _expected_profit("C00002"),
        "value.core_value_analysis(data, 'C00002') gives the six figures of the core-customer "
        "value analysis; take 'expected profit'.",
        tolerance={"rel_tol": 1e-3},
    ),
    "ex03.q7": Key(
        "Q7, the kind of value of a single weekly delivery for all categories",
        "choice",
        lambda: "convenience value",
        "Which kind of value is about saving the shop time and effort?",
        options=(
            "functional value",
            "experiential value",
            "social value",
            "convenience value",
        ),
    ),
    "ex03.q8": Key(
        "Q8, the extra margin a year in the Starbucks what-if",
        "number",
        _extra_margin,
        "value.StayWhatIf(stay_after_hours=3.0, spend_per_hour=2.5).results(); take the "
        "row 'extra margin a year, whole core group'.",
        tolerance={"rel_tol": 1e-6},
    ),
    "ex03.q9": Key(
        "Q9, the number of key accounts with the stricter volume rule",
        "number",
        lambda: len(_key_accounts(**KA_RULE)),
        "ka.identify_key_accounts(measures, ka.KeyAccountRule(volume_top_share=0.05)) and "
        "count the True values of the key_account column.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex03.q10": Key(
        "Q10, the key accounts of the year before that left the list in the last full year",
        "number",
        _left_last_year,
        "ka.key_account_changes(data, [p.year_before.last_day, p.last_full_year.last_day]) "
        "has a 'left' column; read its last row.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
    ),
    "ex03.q11": Key(
        "Q11, where the card keeps overdue invoices",
        "choice",
        lambda: "c",
        "Overdue invoices are about the trading going on now; look at ka.KA3_CATEGORY.",
        options=("a", "b", "c", "d"),
    ),
    "ex03.q12": Key(
        "Q12, your relationship plan for a key account",
        "plan",
        lambda: _key_accounts(),
        "Assess all five relationship keys with a score 1-5 and a note, and choose at least "
        "two strategies from ka.LOYALTY_STRATEGIES, each with a reason.",
    ),
}
