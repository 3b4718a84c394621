"""Answer keys of exercise set 6 (the relationship lifecycle).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex06.qN_number") and the choice itself ("ex06.qN"). The choice is computed
from the number where the data decides it, so the key holds on any data. Every key
lists its plausible wrong answers (`wrong`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import lifecycle as lc
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data, sample_periods
from crmkit.customer_base import customer_profit
from crmkit.tiers import assign_tiers


@cache
def _stages(**rules) -> pd.DataFrame:
    """Every customer's stage in every month, by the default rules or the ones given."""
    return lc.detect_stages(sample_data(), lc.StageRules(**rules))


@cache
def _score(**rules) -> lc.StageScore:
    return lc.score_stages(_stages(**rules), sample_data().lifecycle_truth)


def _latest_month(**rules) -> pd.DataFrame:
    """The rows of the last month of the data."""
    stages = _stages(**rules)
    return stages[stages["month"] == stages["month"].max()]


def _letter(options: dict[str, object], value: object) -> str:
    """The letter of the option that is `value`."""
    return next(letter for letter, option in options.items() if option == value)


# --- Q1: seed 000's names and the sign of stability -------------------------------------------

#: The phase a colleague trained on seed 000 names (set in the exercise).
Q1_NAME = "maturity"
#: The sign the rules read for stability: a share of wallet (lc.StageRules.stable_share), not
#: rising volume, the sign of formation.
STABLE_SIGN = "share of wallet"
Q1_OPTIONS = {
    "a": ("stability", "rising volume"),
    "b": ("formation", "share of wallet"),
    "c": ("stability", "share of wallet"),
    "d": ("formation", "rising volume"),
}


def _q1_stage() -> str:
    return next(stage for stage, name in lc.SEED_000_NAMES.items() if name == Q1_NAME)


def _q1_letter() -> str:
    return _letter(Q1_OPTIONS, (_q1_stage(), STABLE_SIGN))


# --- Q2: the rules applied to one customer's last month --------------------------------------

#: The customer whose last month the learner reads by the rules (set in the exercise).
Q2_CUSTOMER = "C00151"
Q2_OPTIONS = {"a": "stability", "b": "decline", "c": "formation", "d": "ended"}


def _stage_now(customer_id: str) -> str:
    now = _latest_month()
    return str(now.loc[now["customer_id"] == customer_id, "stage"].iloc[0])


def _q2_letter() -> str:
    return _letter(Q2_OPTIONS, _stage_now(Q2_CUSTOMER))


# --- Q3: are the rules useless for decline? --------------------------------------------------


def _true_share(stage: str) -> float:
    """The share of all customer-months (with a true stage) that are truly in `stage`."""
    confusion = _score().confusion
    return float(confusion.loc[stage].sum() / confusion.to_numpy().sum())


def _decline_precision() -> float:
    return float(_score().precision["decline"])


def _q3_letter() -> str:
    """a: keep the label as a first filter (a month called decline is truly decline more
    often than a month picked at random); b: throw it away (it is not)."""
    return "a" if _decline_precision() > _true_share("decline") else "b"


# --- Q4: a silent customer: decline or a normal pause? ----------------------------------------

#: The customer whose silence the learner weighs (set in the exercise).
Q4_CUSTOMER = "C00029"


def _pauses(customer_id: str) -> tuple[int, int]:
    """The months without an order up to the last month, and the longest pause before them
    (after the customer's first order in the data)."""
    stages = _stages()
    signs = stages[stages["customer_id"] == customer_id].reset_index(drop=True)
    silence = int(signs["months_since_order"].iloc[-1])
    first_order = int((signs["ours"] > 0).to_numpy().argmax())
    earlier = signs["months_since_order"].iloc[first_order : len(signs) - silence]
    return silence, int(earlier.max())


def _q4_letter() -> str:
    """d: a normal pause for this shop (it has paused as long before and came back);
    a: treat it as lost (its silence is longer than any pause before)."""
    silence, longest = _pauses(Q4_CUSTOMER)
    return "d" if silence <= longest else "a"


# --- Q5: the threshold when a missed decline costs most ---------------------------------------

#: The three settings the exercise compares, and the letter of each.
Q5_SETTINGS = {
    "default": {},
    "shorter window": {"window_months": 3},
    "earlier decline": {"decline_drop": 0.7},
}
Q5_LETTERS = {"default": "a", "shorter window": "b", "earlier decline": "c"}


def _decline_recall(setting: str) -> float:
    return float(_score(**Q5_SETTINGS[setting]).recall["decline"])


def _q5_letter() -> str:
    """The setting that finds the largest share of the true decline months."""
    return Q5_LETTERS[max(Q5_SETTINGS, key=_decline_recall)]


# --- Q6: the pattern of one relationship ------------------------------------------------------

#: The customer whose stage history the learner reads, and the workbook's long-term rule
#: (both set in the exercise).
Q6_CUSTOMER = "C00775"
Q6_LONG_TERM = 12
Q6_OPTIONS = {"a": "early_abort", "b": "midway", "c": "early_exit", "d": "long_term"}


@cache
def _patterns() -> pd.Series:
    return lc.relationship_patterns(_stages(), long_term_months=Q6_LONG_TERM)


def _q6_letter() -> str:
    return _letter(Q6_OPTIONS, _patterns()[Q6_CUSTOMER])


# --- Q7, Q8: what each stage costs and returns; winning against keeping -----------------------

Q7_OPTIONS = {"a": "exploration", "b": "formation", "c": "stability", "d": "decline"}


@cache
def _economics() -> pd.DataFrame:
    return lc.stage_economics(sample_data(), _stages())


def _q7_letter() -> str:
    """The stage (of the four of seed 003) with the highest contact cost per customer-month."""
    costs = _economics().loc[list(Q7_OPTIONS.values()), "contact_cost"]
    return _letter(Q7_OPTIONS, costs.idxmax())


@cache
def _retention() -> pd.Series:
    return lc.retention_economics(sample_data(), _stages())


def _q8_letter() -> str:
    """c: disagree, the data leaves out what finding a customer costs (winning looks cheaper
    than keeping); d: disagree, the data agrees with seed 004 (winning costs more)."""
    money = _retention()
    return "c" if money["cost to win one"] < money["cost to keep one a year"] else "d"


# --- Q9: the programme for a stage ------------------------------------------------------------

#: The shop the exercise describes, as the signs the rules read.
Q9_SHOP = {"tenure": 8, "share": 0.25, "peak_share": 0.25, "months_since_order": 0}
Q9_OPTIONS = {"a": "exploration", "b": "formation", "c": "stability", "d": "decline"}


def _q9_stage() -> str:
    signs = pd.DataFrame({name: [value] for name, value in Q9_SHOP.items()})
    return str(lc.apply_rules(signs, lc.StageRules())["stage"].iloc[0])


def _q9_letter() -> str:
    return _letter(Q9_OPTIONS, _q9_stage())


# --- Q10: this month's retention calls --------------------------------------------------------

#: The retention calls the team can make this month (set in the exercise).
Q10_CALLS = 50


@cache
def _plan() -> pd.DataFrame:
    year = customer_profit(sample_data(), sample_periods().last_full_year)
    return lc.programmes(_stages(), assign_tiers(year["profit"]))


def _in_stage(stage: str, tiers: tuple[str, ...] = ()) -> int:
    plan = _plan()
    chosen = plan["stage"] == stage
    if tiers:
        chosen &= plan["tier"].astype(str).isin(tiers)
    return int(chosen.sum())


def _q10_letter() -> str:
    """d: rank the customers in decline by last year's profit (more than the calls); a: call
    them all (the list fits)."""
    return "d" if _in_stage("decline") > Q10_CALLS else "a"


KEYS: dict[str, Key] = {
    "ex06.q1": Key(
        f"Q1, seed 003's stage for seed 000's {Q1_NAME} phase, and its sign",
        "choice",
        _q1_letter,
        "Seed 000's introduction, growth and maturity are seed 003's exploration, formation "
        "and stability; the rules call a relationship stable from a share of wallet on "
        "(lc.rules_table()), while rising volume is the sign of formation.",
        options=LETTERS,
        wrong=lambda: other_letters(_q1_letter()),
    ),
    "ex06.q2": Key(
        f"Q2, the stage the rules give {Q2_CUSTOMER} in the last month",
        "choice",
        _q2_letter,
        "Apply the rules in their order: ended (months without an order), then exploration "
        "(tenure), then decline (a peak share at least the stable threshold, and a share "
        "now below the decline fraction times that peak), then stability. Decline comes "
        "before stability and formation.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex06.q3_number": Key(
        "Q3, the share of the months called decline that are truly decline",
        "number",
        _decline_precision,
        "Read the helper's row 'decline', column 'Of the months called so, right', and give "
        "it as a fraction: 25% is 0.25.",
        # read off the percentage with one decimal the helper prints: right to half a point
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            float(_score().recall["decline"]),  # found, not right
            _true_share("decline"),  # the share of all months truly in decline
            _score().accuracy,  # all stages together
            _decline_precision() * 100,  # a percentage, not a fraction
        ),
    ),
    "ex06.q3": Key(
        "Q3, what to answer the trainer who calls the decline rule useless",
        "choice",
        _q3_letter,
        "Compare your number with the share of all customer-months that are truly in "
        "decline (the last column): is a month the rules call decline more likely to be "
        "decline than a month picked at random?",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex06.q4_number": Key(
        f"Q4, the months {Q4_CUSTOMER} has gone without an order",
        "number",
        lambda: _pauses(Q4_CUSTOMER)[0],
        "Read the last row of the pause table (the pause still going on in the last month), "
        "column 'Months': not the longest pause before it, and not the rules' threshold.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _pauses(Q4_CUSTOMER)[1],  # the longest earlier pause
            lc.StageRules().silence_months,  # the rules' threshold for an end
            _pauses(Q4_CUSTOMER)[0] + 1,  # counted from the month of the last order
        ),
    ),
    "ex06.q4": Key(
        f"Q4, whether the silence of {Q4_CUSTOMER} is an end or a normal pause",
        "choice",
        _q4_letter,
        "Compare the pause going on now with the pauses this shop had before, after which "
        "it ordered again: is this silence longer than any of them?",
        options=LETTERS,
        wrong=lambda: other_letters(_q4_letter()),
    ),
    "ex06.q5_number": Key(
        "Q5, the share of the true decline months the shorter window finds",
        "number",
        lambda: _decline_recall("shorter window"),
        "Read the helper's row 'shorter window', column 'Decline months found', and give it "
        "as a fraction: 25% is 0.25.",
        tolerance={"abs_tol": 0.005},
        wrong=lambda: (
            _decline_recall("default"),  # the default rules
            _decline_recall("earlier decline"),  # the other setting
            float(_score(**Q5_SETTINGS["shorter window"]).precision["decline"]),  # right
            _score(**Q5_SETTINGS["shorter window"]).accuracy,  # all months right
            _decline_recall("shorter window") * 100,  # a percentage
        ),
    ),
    "ex06.q5": Key(
        "Q5, the rule setting when a missed decline costs more than a false alarm",
        "choice",
        _q5_letter,
        "When a missed decline costs most, the setting to prefer is the one that finds the "
        "largest share of the true decline months, even if it gets fewer months right "
        "overall.",
        options=LETTERS,
        wrong=lambda: other_letters(_q5_letter()),
    ),
    "ex06.q6": Key(
        f"Q6, the lifecycle pattern of {Q6_CUSTOMER}",
        "choice",
        _q6_letter,
        "Count the months of stability before the first month of decline or end: none at "
        "all is early abort or mid-way; fewer than the long-term rule's months is early "
        "exit; at least that many is long-term.",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter()),
    ),
    "ex06.q7": Key(
        "Q7, the stage with the highest contact cost per customer-month",
        "choice",
        _q7_letter,
        "Read the column 'Contact cost' of the helper's table, a cost per customer-month: "
        "not the revenue or the return.",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_letter()),
    ),
    "ex06.q8_number": Key(
        "Q8, what winning one customer cost in contacts",
        "number",
        lambda: float(_retention()["cost to win one"]),
        "Read the helper's row 'cost to win one' (yuan): not the cost of keeping one a year, "
        "and not the ratio of the two.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            float(_retention()["cost to keep one a year"]),  # keeping, not winning
            float(_retention()["cost to keep one a year"]) / 12,  # a month of keeping
            float(_retention()["win / keep"]),  # the ratio
            float(_retention()["customers won"]),  # a count
            float(_economics().loc["exploration", "contact_cost"]),  # one exploring month
        ),
    ),
    "ex06.q8": Key(
        "Q8, what to answer the manager who would move the retention budget to prospecting",
        "choice",
        _q8_letter,
        "Where do the data's contacts start? Ask what winning a customer costs before its "
        "first order, and what a stable customer returns each month (the last row).",
        options=LETTERS,
        wrong=lambda: other_letters(_q8_letter()),
    ),
    "ex06.q9": Key(
        "Q9, the strategy and programme for the shop described",
        "choice",
        _q9_letter,
        "First the shop's stage by the rules (it is past exploration, has never reached the "
        "stable share, so it cannot be in decline); then that stage's row of the playbook.",
        options=LETTERS,
        wrong=lambda: other_letters(_q9_letter()),
    ),
    "ex06.q10_number": Key(
        "Q10, the customers in decline in the last month",
        "number",
        lambda: _in_stage("decline"),
        "Read the helper's first line: the customers in decline this month, all tiers "
        "together, not only the VIP and major ones, and not the calls we can make.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _in_stage("decline", ("VIP", "major")),  # VIP and major only
            _in_stage("ended"),  # ended, not declining
            _in_stage("stability"),  # stable
            Q10_CALLS,  # the calls, not the customers
        ),
    ),
    "ex06.q10": Key(
        "Q10, the rule for this month's retention calls",
        "choice",
        _q10_letter,
        "Compare the customers in decline with the calls the team can make: if they do not "
        "all fit, which of them are worth the most to keep?",
        options=LETTERS,
        wrong=lambda: other_letters(_q10_letter()),
    ),
}
