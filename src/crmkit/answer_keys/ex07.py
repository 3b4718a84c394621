"""Answer keys of exercise set 7 (customer-base models: is a quiet customer still a customer?).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex07.qN_number") and the choice itself ("ex07.qN"); in Q9 the choice is the
list of customers to call. The choice is computed from the number where the data decides
it, so the key holds on any data. Q1 asks for three numbers, one key each. The customers
the questions name are picked from the data by stated rules (`_q3_pair`,
`_q4_customer`), and every key lists its plausible wrong answers (`wrong`).

The models are fitted as lesson 7 fits them: on every order up to the analysis date for
today's decisions (`_today`, `_fits`), and on the orders before the last 12 months for the
check against that hidden year (`_calibration`, `_calibration_fits`). Every time is in
weeks (`alive.UNIT_DAYS`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import alive as al
from crmkit import lifecycle as lc
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data
from crmkit.customer_base_models import clv, pareto_nbd


@cache
def _today() -> al.ModelData:
    """The summary of every order up to the analysis date (no holdout)."""
    return al.model_data(sample_data(), holdout_months=0)


@cache
def _fits() -> al.Fits:
    return al.fit_models(_today().summary)


@cache
def _calibration() -> al.ModelData:
    """The summary before the last 12 months (the calibration), with that year held out."""
    return al.model_data(sample_data(), holdout_months=12)


@cache
def _calibration_fits() -> al.Fits:
    return al.fit_models(_calibration().summary)


def _p_alive(model: str, customer_id: str) -> float:
    """P(alive) today of one customer, by "BG/NBD" or "Pareto/NBD"."""
    summary = _today().summary.loc[[customer_id]]
    return float(al.probability_alive(_fits().transactions(model), summary).iloc[0])


# --- Q1: one customer's frequency, recency and T, in weeks -------------------------------------

#: The customer whose calibration summary the learner works out (set in the exercise): it
#: joined inside the data and never placed two orders on one day before the calibration end.
Q1_CUSTOMER = "C00072"


def _q1(column: str) -> float:
    return float(_calibration().summary.loc[Q1_CUSTOMER, column])


def _in_months(weeks: float) -> float:
    return weeks * al.UNIT_DAYS / al.MONTH_DAYS


# --- Q2: which model explains the orders better ------------------------------------------------


@cache
def _log_likelihoods(holdout: bool = False) -> pd.Series:
    fits = _calibration_fits() if holdout else _fits()
    return al.model_comparison(fits)["log-likelihood"].astype(float)


def _ll_difference(holdout: bool = False) -> float:
    """Pareto/NBD's log-likelihood minus BG/NBD's (both have four parameters)."""
    ll = _log_likelihoods(holdout)
    return float(ll["Pareto/NBD"] - ll["BG/NBD"])


def _q2_letter() -> str:
    """b: Pareto/NBD (its log-likelihood is higher); a: BG/NBD."""
    return "b" if _ll_difference() > 0 else "a"


# --- Q3: the same silence, two customers -------------------------------------------------------

#: The silence the two customers share, in weeks: half a year (the lesson's own pair is
#: silent for 20 weeks; this one is another).
Q3_WEEKS = 26.0


@cache
def _q3_pair() -> tuple[str, str]:
    """(frequent, rare): of the repeat buyers last seen between Q3_WEEKS - 0.5 and
    Q3_WEEKS + 0.5 weeks ago (so their silences differ by less than a week), the one with
    the most repeat purchases, and the one with the longest usual gap between purchases
    (recency / frequency); ties by customer id."""
    s = _today().summary
    silent = s["T"] - s["recency"]
    near = s[(s["frequency"] > 0) & ((silent - Q3_WEEKS).abs() <= 0.5)]
    frame = pd.DataFrame(
        {
            "id": near.index.astype(str),
            "frequency": near["frequency"].to_numpy(),
            "gap": (near["recency"] / near["frequency"]).to_numpy(),
        }
    )
    frequent = frame.sort_values(["frequency", "id"], ascending=[False, True]).iloc[0]["id"]
    rare = frame.sort_values(["gap", "id"], ascending=[False, True]).iloc[0]["id"]
    return str(frequent), str(rare)


def _q3_letter() -> str:
    """c: the frequent buyer's silence is the alarm (its P(alive) is the lower); a: the
    rare buyer's."""
    frequent, rare = _q3_pair()
    return "c" if _p_alive("Pareto/NBD", frequent) < _p_alive("Pareto/NBD", rare) else "a"


# --- Q4: BG/NBD's blind spot -------------------------------------------------------------------


@cache
def _q4_customer() -> str:
    """The customer who bought once, longest ago, and never again (ties by id)."""
    s = _today().summary
    once = s[s["frequency"] == 0]
    frame = pd.DataFrame({"id": once.index.astype(str), "T": once["T"].to_numpy()})
    return str(frame.sort_values(["T", "id"], ascending=[False, True]).iloc[0]["id"])


#: The explanation that is right: in BG/NBD a customer can leave only just after a repeat
#: purchase, so a customer who never made one is certainly alive (P(alive) = 1, a property
#: of the model, not of the data). The other options are in the exercise.
Q4_RIGHT = "b"


# --- Q5, Q6: what to expect from the frequent buyer of Q3 ---------------------------------------

#: The horizon of Q5, in weeks (the models' unit).
Q5_WEEKS = 12.0


def _q5_customer() -> str:
    return _q3_pair()[0]


def _expected_purchases(weeks: float, *, new: bool = False) -> float:
    """Pareto/NBD's expected purchases in the next `weeks` weeks: of the Q5 customer given
    its history, or (new=True) of a customer with no history at all."""
    fit = _fits().pareto_nbd
    if new:
        return float(pareto_nbd.expected_purchases(fit, weeks))
    row = _today().summary.loc[[_q5_customer()]]
    value = pareto_nbd.conditional_expected_purchases(
        fit, weeks, row["frequency"], row["recency"], row["T"]
    )
    return float(value.iloc[0])


#: Q6's value: 12 months, discounted at 10% a year. The settings the exercise compares, by
#: letter: the right one (weeks fitted, months of 365.25 / 12 days, the yearly rate turned
#: into a monthly one) and three slips.
Q6_MONTHS = 12
Q6_ANNUAL_RATE = 0.10
Q6_SETTINGS = {
    "A": {"period_days": al.MONTH_DAYS, "rate": Q6_ANNUAL_RATE},  # 10% every month
    "B": {"period_days": al.UNIT_DAYS, "rate": (1 + Q6_ANNUAL_RATE) ** (1 / 12) - 1},  # weeks
    "C": {"period_days": al.MONTH_DAYS, "rate": (1 + Q6_ANNUAL_RATE) ** (1 / 12) - 1},  # right
    "D": {"period_days": al.MONTH_DAYS, "rate": 0.0},  # no discount
}
Q6_RIGHT = "C"


def _q6_value(setting: str) -> float:
    row = _today().summary.loc[[_q5_customer()]]
    value = clv.lifetime_value(
        _fits().pareto_nbd,
        _fits().gamma_gamma,
        row,
        unit_days=_today().unit_days,
        periods=Q6_MONTHS,
        **Q6_SETTINGS[setting],
    )
    return float(value.iloc[0])


# --- Q7: the check on the hidden year ----------------------------------------------------------


@cache
def _holdout(model: str = "Pareto/NBD") -> pd.DataFrame:
    return al.holdout_check(_calibration_fits().transactions(model), _calibration())


def _over(row: str = "0", model: str = "Pareto/NBD") -> float:
    """Predicted minus actual mean purchases in the hidden year, for one row of the check."""
    table = _holdout(model)
    return float(table.loc[row, "predicted"] - table.loc[row, "actual"])


def _q7_letter() -> str:
    """a: about right (within a tenth of what they bought); b: too high; c: too low."""
    actual = float(_holdout().loc["0", "actual"])
    if abs(_over()) <= 0.1 * actual:
        return "a"
    return "b" if _over() > 0 else "c"


# --- Q8: the early warning ---------------------------------------------------------------------

#: The alarm threshold of P(alive) (set in the exercise).
Q8_THRESHOLD = 0.5


@cache
def _warning() -> pd.DataFrame:
    data = sample_data()
    monthly = al.alive_by_month(data, _fits().pareto_nbd)
    stages = lc.detect_stages(data)
    table = al.early_warning(stages, monthly, data.lifecycle_truth, Q8_THRESHOLD).table
    return table.set_axis(["rules", "model"])


def _caught_difference(column: str = "decline months caught") -> float:
    """The stage rules' share minus P(alive)'s share."""
    table = _warning()
    return float(table.loc["rules", column] - table.loc["model", column])


def _q8_letter() -> str:
    """a: the stage rules catch more of the true decline months; b: P(alive) does."""
    return "a" if _caught_difference() > 0 else "b"


# --- Q9: this month's retention calls ----------------------------------------------------------

#: The calls the team can make this month (set in the exercise).
Q9_CALLS = 50


@cache
def _values() -> pd.DataFrame:
    return al.lifetime_values(_fits(), _today())


def _call_list(by: str = "value_at_risk", n: int = Q9_CALLS) -> list[str]:
    return [str(i) for i in al.retention_list(_values(), n=n, by=by).index]


def _covered(by: str = "value_at_risk", column: str = "value_at_risk") -> float:
    """The total of `column` over the customers of the list ranked by `by`."""
    return float(_values().loc[_call_list(by), column].sum())


KEYS: dict[str, Key] = {
    "ex07.q1_frequency": Key(
        f"Q1, the frequency of {Q1_CUSTOMER} at the calibration end",
        "number",
        lambda: _q1("frequency"),
        "Frequency counts the purchase days after the first one: the first purchase only "
        "starts the customer's clock, so it is not counted.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (_q1("frequency") + 1,),  # the first purchase counted too
    ),
    "ex07.q1_recency": Key(
        f"Q1, the recency of {Q1_CUSTOMER} in weeks",
        "number",
        lambda: _q1("recency"),
        "Recency runs from the first purchase to the last one (not from the last purchase "
        "to the end of the period), in weeks: divide the days by 7.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.05},
        wrong=lambda: (
            _q1("recency") * al.UNIT_DAYS,  # in days
            _in_months(_q1("recency")),  # in months
            _q1("T") - _q1("recency"),  # the weeks since the last purchase
        ),
    ),
    "ex07.q1_T": Key(
        f"Q1, T (the age) of {Q1_CUSTOMER} in weeks",
        "number",
        lambda: _q1("T"),
        "T runs from the first purchase to the end of the calibration period (not to the "
        "analysis date), in weeks: divide the days by 7.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.05},
        wrong=lambda: (
            _q1("T") * al.UNIT_DAYS,  # in days
            _in_months(_q1("T")),  # in months
            _q1("T") + _calibration().holdout_weeks,  # to the analysis date
        ),
    ),
    "ex07.q2_number": Key(
        "Q2, Pareto/NBD's log-likelihood minus BG/NBD's",
        "number",
        _ll_difference,
        "Take the log-likelihood of the row 'Pareto/NBD' minus that of the row 'BG/NBD': "
        "both are negative, so mind the signs (a number closer to zero is higher).",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            -_ll_difference(),  # BG/NBD minus Pareto/NBD
            float(_log_likelihoods()["Pareto/NBD"]),  # one log-likelihood only
            float(_log_likelihoods()["BG/NBD"]),
            _ll_difference(holdout=True),  # the calibration fits of the lesson
        ),
    ),
    "ex07.q2": Key(
        "Q2, the model that explains the orders better",
        "choice",
        _q2_letter,
        "The model with the higher log-likelihood (closer to zero) makes the orders we saw "
        "more likely; the two models have the same number of parameters, so the "
        "log-likelihoods compare fairly.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex07.q3_number": Key(
        "Q3, the P(alive) of the frequent buyer by Pareto/NBD",
        "number",
        lambda: _p_alive("Pareto/NBD", _q3_pair()[0]),
        "Read the column 'P(alive), Pareto/NBD' in the row of the customer the question "
        "names (the frequent buyer), and give it as a fraction: 25% is 0.25.",
        # read off the percentage with one decimal that the helper prints
        tolerance={"abs_tol": 0.001},
        wrong=lambda: (
            # (not BG/NBD's value: for this customer the two models agree to the digits
            # the helper shows)
            _p_alive("Pareto/NBD", _q3_pair()[1]),  # the other customer
            1 - _p_alive("Pareto/NBD", _q3_pair()[0]),  # the chance it has gone
            _p_alive("Pareto/NBD", _q3_pair()[0]) * 100,  # a percentage
        ),
    ),
    "ex07.q3": Key(
        "Q3, whose silence is the alarm",
        "choice",
        _q3_letter,
        "Weigh each silence against the customer's own habit (the usual gap between its "
        "purchases): which of the two is the model less sure is still a customer?",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex07.q4_number": Key(
        "Q4, the P(alive) of the one-time buyer by Pareto/NBD",
        "number",
        lambda: _p_alive("Pareto/NBD", _q4_customer()),
        "Read the column 'P(alive), Pareto/NBD' (not BG/NBD's) and give it as a fraction: "
        "0.5% is 0.005.",
        # read off the percentage with two decimals that the helper prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0001},
        wrong=lambda: (
            _p_alive("BG/NBD", _q4_customer()),  # the other model: 1
            1 - _p_alive("Pareto/NBD", _q4_customer()),  # the chance it has gone
            _p_alive("Pareto/NBD", _q4_customer()) * 100,  # a percentage
            0.0,  # rounded to nothing
        ),
    ),
    "ex07.q4": Key(
        "Q4, why BG/NBD calls the one-time buyer surely alive",
        "choice",
        lambda: Q4_RIGHT,
        "Ask when each model lets a customer leave: at any moment, or only at a certain "
        "event? And has this customer ever had that event?",
        options=LETTERS,
        wrong=lambda: other_letters(Q4_RIGHT),
    ),
    "ex07.q5_number": Key(
        "Q5, the purchases to expect from the frequent buyer in the next 12 weeks",
        "number",
        lambda: _expected_purchases(Q5_WEEKS),
        "The models count time in weeks: find the row whose horizon is 12 weeks (not 12 "
        "months), in the column for this customer's own history (not a new customer's).",
        # read off the two decimals the helper prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.005},
        wrong=lambda: (
            _expected_purchases(12 * al.MONTH_DAYS / al.UNIT_DAYS),  # 12 months
            _expected_purchases(3 * al.MONTH_DAYS / al.UNIT_DAYS),  # 3 months, "about 12 weeks"
            _expected_purchases(Q5_WEEKS, new=True),  # a new customer, no history
        ),
    ),
    "ex07.q6_number": Key(
        "Q6, the frequent buyer's value over the next 12 months at 10% a year",
        "number",
        lambda: _q6_value(Q6_RIGHT),
        "The right setting has monthly periods (an average month of days, not a week), a "
        "discount per month that adds up to 10% over a year (not 10% every month), and "
        "some discount (not none).",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: tuple(_q6_value(s) for s in Q6_SETTINGS if s != Q6_RIGHT),
    ),
    "ex07.q7_number": Key(
        "Q7, predicted minus actual purchases in the hidden year, customers with no repeat "
        "purchase in calibration",
        "number",
        _over,
        "Use the row '0' (no repeat purchase in calibration): the column 'predicted' minus "
        "the column 'actual'. Positive means the model expected more than they bought.",
        # the difference of two numbers read off with two decimals each
        tolerance={"rel_tol": 0.0, "abs_tol": 0.011},
        wrong=lambda: (
            -_over(),  # actual minus predicted
            _over("1"),  # the customers with one repeat purchase
            _over("10+"),  # the most frequent
            _over(model="BG/NBD"),  # the other model
            float(_holdout().loc["0", "predicted"]),  # the forecast alone
        ),
    ),
    "ex07.q7": Key(
        "Q7, what to do with the forecast for the customers who never came back",
        "choice",
        _q7_letter,
        "Which way does the model lean for these customers, and by how much compared with "
        "what they really bought?",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_letter()),
    ),
    "ex07.q8_number": Key(
        "Q8, the share of the true decline months the stage rules catch, minus the share "
        "P(alive) below 50% catches",
        "number",
        _caught_difference,
        "Use the column 'Decline months caught': the row of the stage rules minus the row "
        "of P(alive), as a fraction (25% is 0.25), negative if P(alive) catches more.",
        # the difference of two percentages read off with one decimal each
        tolerance={"rel_tol": 0.0, "abs_tol": 0.002},
        wrong=lambda: (
            -_caught_difference(),  # the other way round
            _caught_difference() * 100,  # a percentage
            _caught_difference("right when flagged"),  # right, not caught
            _caught_difference("endings warned ahead"),  # endings, not decline months
            float(_warning().loc["rules", "decline months caught"]),  # one share only
            float(_warning().loc["model", "decline months caught"]),
        ),
    ),
    "ex07.q8": Key(
        "Q8, the warning to put first on the early-warning list",
        "choice",
        _q8_letter,
        "Which signal catches the larger share of the months that were truly decline?",
        options=LETTERS,
        wrong=lambda: other_letters(_q8_letter()),
    ),
    "ex07.q9_number": Key(
        f"Q9, the most value at risk that one list of {Q9_CALLS} calls covers",
        "number",
        _covered,
        "Compare the column 'Value at risk covered' (yuan) of the three lists and give the "
        "largest amount: the value at risk, not the lifetime value.",
        tolerance={"rel_tol": 1e-3},
        wrong=lambda: (
            _covered("p_alive"),  # the list of the lowest P(alive)
            _covered("lifetime_value"),  # the list of the highest lifetime value
            _covered(column="lifetime_value"),  # the lifetime value of the right list
        ),
    ),
    "ex07.q9": Key(
        f"Q9, the {Q9_CALLS} customers to call this month",
        "set",
        _call_list,
        "Rank by the value at risk: the lowest P(alive) first fills the list with customers "
        "who left long ago and were worth little, and the highest lifetime value first with "
        "loyal customers who are still buying and need no rescue. Give the whole list of "
        "the ranking you choose, by its name in the cell: lists[name].",
        wrong=lambda: (
            _call_list("p_alive"),  # the lowest P(alive) first
            _call_list("lifetime_value"),  # the highest lifetime value first
            _call_list(n=10),  # only the ten the table shows
        ),
    ),
}
