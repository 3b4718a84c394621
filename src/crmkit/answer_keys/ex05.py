"""Answer keys of exercise set 5 (key accounts).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex05.qN_number") and the choice itself ("ex05.qN"). The choice is computed
from the number where the data decides it, so the key holds on any data.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import key_accounts as ka
from crmkit import value
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data, sample_periods
from crmkit.customer_base import customer_profit
from crmkit.tiers import assign_tiers

# --- Q1, Q2: core customers -------------------------------------------------------------------

Q1_CUSTOMER = "C00002"


def _core_row(customer_id: str, **options) -> pd.Series:
    return value.core_value_analysis(sample_data(), customer_id, **options)


#: Places in the core-customer programme (set in the exercise).
Q2_PLACES = 10


@cache
def _vip_table() -> pd.DataFrame:
    year = customer_profit(sample_data(), sample_periods().last_full_year)
    tiers = assign_tiers(year["profit"])
    return value.core_value_table(sample_data(), tiers.index[tiers["tier"] == "VIP"])


def _not_in_both(column: str = "profit in the last 12 months") -> int:
    """Customers of the top places by expected profit who are not in the top by `column`."""
    table = _vip_table()
    by_expected = set(table["expected profit"].nlargest(Q2_PLACES, keep="first").index)
    by_other = set(table[column].nlargest(Q2_PLACES, keep="first").index)
    return len(by_expected - by_other)


def _q2_letter() -> str:
    """b: choose by expected profit (the lists differ); a: last year's profit (they agree)."""
    return "b" if _not_in_both() > 0 else "a"


# --- Q3 to Q7: key accounts -------------------------------------------------------------------


@cache
def _measures() -> pd.DataFrame:
    return ka.key_account_measures(
        sample_data(), period_end=sample_periods().last_full_year.last_day
    )


@cache
def _key_accounts(**rule) -> frozenset[str]:
    found = ka.identify_key_accounts(_measures(), ka.KeyAccountRule(**rule))
    return frozenset(found.index[found["key_account"]])


def _changes() -> pd.DataFrame:
    p = sample_periods()
    return ka.key_account_changes(
        sample_data(), [p.year_before.last_day, p.last_full_year.last_day]
    )


def _left_last_year() -> int:
    """Key accounts at the end of the year before that are not key accounts a year later."""
    return int(_changes()["left"].iloc[-1])


def _q4_letter() -> str:
    """d: review the list every year (accounts left it); a: fix it (nobody left)."""
    return "d" if _left_last_year() > 0 else "a"


#: Account managers and the key accounts each can look after (set in the exercise).
Q7_MANAGERS = 8
Q7_PER_MANAGER = 10


def _q7_letter() -> str:
    """c: adopt the stricter rule, its list fits; d: even the stricter list is too long."""
    fits = len(_key_accounts(min_other_criteria=3)) <= Q7_MANAGERS * Q7_PER_MANAGER
    return "c" if fits else "d"


def _generic_plan(customer_id: str) -> ka.AccountPlan:
    """A plan complete in form that names nothing about the customer."""
    return ka.AccountPlan(
        customer_id,
        {key: (3, f"{key} seems fine for now") for key in ka.RELATIONSHIP_KEYS.index},
        {
            "supply priority": "key accounts always like this",
            "annual meeting": "a good habit with every account",
        },
    )


#: The key account whose plan the learner writes in Q8 (set in the exercise).
Q8_CUSTOMER = "C00006"


def _plan_of_counts(customer_id: str) -> ka.AccountPlan:
    """A plan whose only numbers are counts and time spans (12 and 9 happen to be on the card)."""
    return ka.AccountPlan(
        customer_id,
        {
            "trust": (4, "we visit them every 12 months and they seem happy with us"),
            "competitors": (3, "they order 9 times a year, so rivals must get the rest"),
            "entry barriers": (3, "a review every 12 months keeps the rivals out"),
            "exit barriers": (3, "we should call on them 9 times a year at least"),
            "cooperation risk": (3, "check the account every 6 months for any problems"),
        },
        {
            "annual meeting": "meet them every 12 months to agree next year's volume",
            "supply priority": "deliver within 2 days on each of the 9 orders a year",
        },
    )


def _plan_blind_to_overdue(customer_id: str) -> ka.AccountPlan:
    """A plan that cites the card but scores trust 5 while invoices are overdue."""
    return ka.AccountPlan(
        customer_id,
        {
            "trust": (5, "¥112,173 of recent orders show a partner who relies on us fully"),
            "competitors": (4, "revenue of ¥370,600 last year: rivals have little room here"),
            "entry barriers": (3, "56% of its orders come with a promotion: a rival could copy it"),
            "exit barriers": (3, "discounts at 53% of margin tie it to us by price alone"),
            "cooperation risk": (3, "profit of ¥22,008 last year is still a solid base"),
        },
        {
            "annual meeting": "agree next year's volume together and review the terms",
            "supply priority": "keep its shelves full so it has no reason to look elsewhere",
        },
    )


def _scored_template(customer_id: str) -> ka.AccountPlan:
    """The template with scores typed in but its notes and strategy reasons left as given."""
    plan = ka.plan_template(customer_id)
    plan.keys = {key: (3, note) for key, (_, note) in plan.keys.items()}
    plan.strategies = {"annual meeting": ka.TEMPLATE_REASON, "supply priority": ka.TEMPLATE_REASON}
    return plan


def _first_key_account() -> str:
    return sorted(_key_accounts())[0]


KEYS: dict[str, Key] = {
    "ex05.q1": Key(
        f"Q1, the expected profit of customer {Q1_CUSTOMER}",
        "number",
        lambda: float(_core_row(Q1_CUSTOMER)["expected profit"]),
        "Read the helper's row 'expected profit': over the workbook's horizon, not with no "
        "horizon, and not the profit of the last 12 months or the net customer profit to date.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_core_row(Q1_CUSTOMER)["profit in the last 12 months"]),  # last year only
            float(_core_row(Q1_CUSTOMER, years=None)["expected profit"]),  # no horizon
            float(_core_row(Q1_CUSTOMER)["net customer profit"]),  # the past, not the future
        ),
    ),
    "ex05.q2_number": Key(
        "Q2, top customers by expected profit who are not in the top by last year's profit",
        "number",
        _not_in_both,
        "Take the top places of the VIP table by 'expected profit' and by 'profit in the last "
        "12 months' (nlargest), and count the customers in the first list and not the second.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (Q2_PLACES - _not_in_both(), Q2_PLACES, _not_in_both("annual sales")),
    ),
    "ex05.q2": Key(
        "Q2, how to fill the core-customer programme",
        "choice",
        _q2_letter,
        "If the two top lists differ, last year's profit alone would pick different customers "
        "than the forward view.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex05.q3": Key(
        "Q3, the number of key accounts with the stricter volume rule",
        "number",
        lambda: len(_key_accounts(volume_top_share=0.05)),
        "Read the helper's row 'stricter', column 'Key accounts': not the default rule's "
        "row, and not the customers in the top share by revenue, who must also meet two of "
        "the other four criteria.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            len(_key_accounts()),  # the default rule
            int(round(0.05 * len(_measures()))),  # the top 5% by revenue, criteria ignored
        ),
    ),
    "ex05.q4_number": Key(
        "Q4, the key accounts of the year before that left the list in the last full year",
        "number",
        _left_last_year,
        "Read the helper's row of the end of the last full year, column 'Left the list': not "
        "the accounts that joined, and not the size of the list.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            int(_changes()["joined"].iloc[-1]),  # joined, not left
            int(_changes()["key_accounts"].iloc[-1]),  # the size of the list
        ),
    ),
    "ex05.q4": Key(
        "Q4, fix the key-account list or review it",
        "choice",
        _q4_letter,
        "How many of last year's key accounts are still on the list?",
        options=LETTERS,
        wrong=lambda: other_letters(_q4_letter()),
    ),
    "ex05.q5": Key(
        "Q5, where the card keeps overdue invoices, and where the file files them",
        "choice",
        lambda: "a",
        "Overdue invoices are about the trading going on now; look at ka.KA3_CATEGORY. "
        "Core information is our own plan for the account (seed 001 §5.3.9).",
        options=LETTERS,
        wrong=lambda: ("b", "c", "d"),
    ),
    "ex05.q6": Key(
        "Q6, where the account plan goes in the key-account file",
        "choice",
        lambda: "b",
        "Seed 001 §5.3.9: core information is our own plans and strategy for the account, "
        "checked for their effect.",
        options=LETTERS,
        wrong=lambda: ("a", "c", "d"),
    ),
    "ex05.q7_number": Key(
        "Q7, the number of key accounts when three of the other four criteria are required",
        "number",
        lambda: len(_key_accounts(min_other_criteria=3)),
        "Read the helper's row 'stricter' (three of the other four criteria), column 'Key "
        "accounts': not the default or the strictest rule, and not the team's capacity.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            len(_key_accounts()),  # the default rule
            len(_key_accounts(min_other_criteria=4)),  # all four
            Q7_MANAGERS * Q7_PER_MANAGER,  # the capacity, not the list
        ),
    ),
    "ex05.q7": Key(
        "Q7, the key-account rule the team can serve",
        "choice",
        _q7_letter,
        "Compare the stricter list with the accounts the managers can look after.",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_letter()),
    ),
    "ex05.q8": Key(
        "Q8, your relationship plan for a key account",
        "plan",
        _key_accounts,
        "Assess all five relationship keys with a score 1-5 and a note, choose at least two "
        "strategies from ka.LOYALTY_STRATEGIES, each with a reason; in at least three notes "
        "use an amount or a percentage from the card section of that key (ka.KEY_EVIDENCE), "
        "and give no 5 the card contradicts.",
        wrong=lambda: (
            _scored_template(Q8_CUSTOMER),  # scores given, the template's notes left
            ka.AccountPlan(_first_key_account()),  # empty
            _generic_plan(_first_key_account()),  # complete in form, about nobody
            "a plan for " + _first_key_account(),  # a sentence, not a plan
            _plan_of_counts(Q8_CUSTOMER),  # "every 12 months", "9 times a year"
            _plan_blind_to_overdue(Q8_CUSTOMER),  # trust 5 while invoices are overdue
        ),
    ),
}
