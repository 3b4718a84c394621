"""Answer keys of exercise set 8 (complaint handling and churn).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex08.qN_number") and the choice itself ("ex08.qN"); Q9 adds a third, whether
the difference's interval excludes zero ("ex08.q9_interval"). The choice is computed
from the data where the data decides it, so the key holds on any data; the options of
each question are named here (`Q*_OPTIONS`) as the exercise lists them. The record of
Q2, the two complaints of Q3 and the role-play turn of Q10 are set here and in the
exercise, and every key lists its plausible wrong answers (`wrong`).

Everything is read as lesson 8 reads it: complaints triaged on the day they were opened
(`complaint_triage.triage`), the KPIs of `complaint_kpis`, and churn as a relationship
that ended within six months of an index day (`churn.index_days`: a customer's first
complaint, or a seeded order day before any complaint).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from crmkit import churn, roleplay
from crmkit import complaint_kpis as kpi
from crmkit import complaint_record as record
from crmkit import complaint_triage as triage
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data
from crmkit.errors import CrmkitError


@cache
def _triaged() -> pd.DataFrame:
    """Every complaint, triaged and measured against its targets."""
    return triage.triage(sample_data())


@cache
def _rows() -> pd.DataFrame:
    """The index days with a full follow-up, one row per customer and group."""
    return churn.index_days(sample_data())


def _letter(options: dict[str, object], value: object) -> str:
    """The letter of the option that is `value`."""
    return next(letter for letter, option in options.items() if option == value)


# --- Q1: who leaves without a word (CO2) -------------------------------------------------------


@cache
def _leavers() -> pd.Series:
    return churn.silent_leavers(sample_data())


def _of_ended(part: str) -> float:
    """`part` ("silent" or "complained") as a share of the relationships that ended."""
    leavers = _leavers()
    return float(leavers[part] / leavers["ended"])


# --- Q2: the refused record (CO4) --------------------------------------------------------------

#: The customer of the record (set in the exercise).
Q2_CUSTOMER = "C00042"
#: The fields the exercise offers, by letter.
Q2_OPTIONS = {
    "a": "other_causes",
    "b": "staff_member",
    "c": "customer_status",
    "d": "desired_resolution",
}


def _q2_record() -> dict[str, str]:
    """The record the exercise shows: received the day before the analysis date, every
    point filled in but two, of which only one may be empty."""
    received = f"{sample_data().analysis_date - pd.Timedelta(days=1):%Y-%m-%d} 10:30"
    return {
        "customer_id": Q2_CUSTOMER,
        "opened_at": received,
        "channel": "wechat",
        "cause": "product",
        "what_happened": "Six cartons of cooking oil arrived leaking",
        "how_it_happened": "The cartons were packed under crates of drinks in the van",
        "product": "Cooking oil, five-litre bottles",
        "why_disappointed": "Leaking bottles cannot be sold, and the shelf stood empty",
        "staff_member": "",
        "other_causes": "",
        "customer_reasonable": "yes",
        "desired_resolution": "replacement",
        "customer_status": "returning",
    }


def _q2_field() -> str:
    """The one field the rules refuse (`check_complaint`, as the form checks it)."""
    data = sample_data()
    try:
        record.check_complaint(
            _q2_record(),
            as_of=data.analysis_date,
            known_customer_ids=data.customers["customer_id"],
        )
    except record.ComplaintRefused as refused:
        fields = list(refused.by_field)
        if len(fields) == 1:
            return str(fields[0])
        raise CrmkitError(f"Q2's record should break one rule; it breaks {fields}") from None
    raise CrmkitError("Q2's record should be refused, and it is accepted")


def _q2_letter() -> str:
    return _letter(Q2_OPTIONS, _q2_field())


# --- Q3: triage of two complaints (CO1) --------------------------------------------------------

#: The two complaints of the exercise: what each asks for, and the customer's tier position
#: (1 = the top tier, VIP; 4 = small).
Q3_COMPLAINTS = {"refund": ("refund", 1), "explanation": ("explanation", 4)}
#: Which complaint is answered first, and at what priority, by letter.
Q3_OPTIONS = {
    "a": ("refund", "P2"),
    "b": ("explanation", "P1"),
    "c": ("refund", "P1"),
    "d": ("both", "P3"),
}


def _q3_triage(name: str) -> pd.Series:
    """The priority and targets of one of the two complaints, by the workbook's rules."""
    resolution, position = Q3_COMPLAINTS[name]
    severity = str(triage.severity_rules().loc[resolution, "severity"])
    return triage.triage_one(severity, position)


def _q3_first() -> str:
    """The complaint answered first (the better priority); "both" if they share one."""
    refund, explanation = (str(_q3_triage(n)["priority"]) for n in Q3_COMPLAINTS)
    if refund == explanation:
        return "both"
    return "refund" if refund < explanation else "explanation"


def _q3_hours() -> float:
    """Hours to the first response of the complaint answered first."""
    first = _q3_first()
    return float(_q3_triage("refund" if first == "both" else first)["respond_within_hours"])


def _q3_letter() -> str:
    first = _q3_first()
    priority = str(_q3_triage("refund" if first == "both" else first)["priority"])
    return _letter(Q3_OPTIONS, (first, priority))


def _target(priority: str, column: str = "respond_within_hours") -> float:
    return float(triage.targets().loc[priority, column])


# --- Q4, Q5, Q6: the KPIs of handling ----------------------------------------------------------

#: The channel whose typical wait Q4 asks for (set in the exercise).
Q4_CHANNEL = "email"


@cache
def _by_channel() -> pd.DataFrame:
    return kpi.kpis(_triaged(), "channel")


@cache
def _overall() -> pd.Series:
    return kpi.kpis(_triaged()).iloc[0]


def _wait(column: str = "response_median_h", channel: str | None = Q4_CHANNEL) -> float:
    """A first-response time of one channel, or of all complaints (channel=None)."""
    if channel is None:
        return float(_overall()[column])
    return float(_by_channel().loc[channel, column])


def _counts() -> dict[str, int]:
    """The complaints, those resolved (closed at least once) and those reopened."""
    triaged = _triaged()
    return {
        "complaints": len(triaged),
        "resolved": int(triaged["resolution_hours"].notna().sum()),
        "reopened": int(triaged["reopened"].astype(bool).sum()),
    }


#: The channels Q6 offers, by letter.
Q6_OPTIONS = {"a": "phone", "b": "wechat", "c": "visit", "d": "email"}


def _breach(channel: str | None = None) -> float:
    """The response breach rate of `channel`; of the worst channel when None."""
    rates = _by_channel()["response_breach_rate"]
    return float(rates.max() if channel is None else rates[channel])


def _q6_letter() -> str:
    return _letter(Q6_OPTIONS, str(_by_channel()["response_breach_rate"].idxmax()))


def _busiest_channel() -> str:
    """The channel that brings the most complaints."""
    return str(_by_channel()["complaints"].idxmax())


# --- Q7: the cause to fix first (CO5, CO6) -----------------------------------------------------

#: The causes Q7 offers, by letter.
Q7_OPTIONS = {"a": "product", "b": "service", "c": "promotion", "d": "price"}


@cache
def _by_cause() -> pd.DataFrame:
    """Churn within six months of a first complaint, by its cause (Wilson intervals)."""
    return churn.churn_rates(churn.complaint_rows(_rows()), "cause", confidence=0.95)


def _cause_by(column: str = "churned") -> str:
    """The cause with the largest `column` of `_by_cause` (ties: the first by name)."""
    table = _by_cause().sort_index()
    return str(table[column].idxmax())


def _most_frequent_cause() -> str:
    return str(kpi.cause_pareto(_triaged()).index[0])


def _left_after(cause: str, column: str = "churned") -> float:
    return float(_by_cause().loc[cause, column])


def _q7_letter() -> str:
    return _letter(Q7_OPTIONS, _cause_by("churned"))


# --- Q8: active and passive churn (CO5) --------------------------------------------------------


@cache
def _kinds() -> pd.Series:
    counts = churn.churn_kinds(sample_data())["kind"].value_counts()
    return counts.reindex(["active", "passive", "not known"], fill_value=0).astype(int)


def _kind_share(kind: str = "active") -> float:
    """The share of `kind` among the ended relationships whose kind is known."""
    kinds = _kinds()
    return float(kinds[kind] / (kinds["active"] + kinds["passive"]))


def _q8_wrong() -> tuple[float, ...]:
    kinds = _kinds()
    wrong = (
        _kind_share("passive"),  # the other kind
        float(kinds["active"]),  # the count, not the share
        float(kinds["active"] / kinds["passive"]),  # active per passive
    )
    if kinds["not known"]:  # "not known" in the denominator (none on the sample)
        wrong += (float(kinds["active"] / kinds.sum()),)
    return wrong


# --- Q9: service recovery (CO6, CO8) -----------------------------------------------------------


@cache
def _differences() -> pd.DataFrame:
    table = churn.recovery_differences(_rows(), confidence=0.95)
    return table.set_index(["group", "compared with"])


def _gap(group: str = "resolved well", compared: str = "not resolved well") -> float:
    """A difference of six-month churn rates, in percentage points."""
    return 100 * float(_differences().loc[(group, compared), "difference"])


def _interval() -> tuple[float, float]:
    row = _differences().loc[("resolved well", "not resolved well")]
    return float(row["low"]), float(row["high"])


def _q9_excludes_zero() -> str:
    low, high = _interval()
    return "yes" if low > 0 or high < 0 else "no"


def _q9_letter() -> str:
    """b: pay for it (fewer leave after a complaint resolved well, beyond chance); c: the
    data points the other way; a: the interval includes zero."""
    low, high = _interval()
    if high < 0:
        return "b"
    return "c" if low > 0 else "a"


# --- Q10: the role play (CO3, CO9) -------------------------------------------------------------

#: The scenario and the customer's turn the exercise shows (set in the exercise).
Q10_SCENARIO = "late_delivery"
Q10_NODE = "fix"


def _q10_letter() -> str:
    """The best reply at the turn, as the letter the exercise gives it (a for the first)."""
    scenario = roleplay.scenarios()[Q10_SCENARIO]
    return LETTERS[scenario.best_reply(Q10_NODE)]


KEYS: dict[str, Key] = {
    "ex08.q1": Key(
        "Q1, the share of the ended relationships whose customer left without complaining",
        "number",
        lambda: _of_ended("silent"),
        "Divide the customers who left without a complaint by all the relationships that "
        "ended (not by the customers who complained), and give a fraction: 25% is 0.25.",
        # three decimals, as the question asks
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0005},
        wrong=lambda: (
            _of_ended("complained"),  # the share that complained
            float(_leavers()["silent"]),  # the count, not the share
            100 * _of_ended("silent"),  # a percentage
        ),
    ),
    "ex08.q2": Key(
        f"Q2, the field to fix before the complaint of {Q2_CUSTOMER} can be logged",
        "choice",
        _q2_letter,
        "Compare each value with the rule beside it: an empty value is refused only where "
        "the rule says the field must be filled in, and a value from the allowed list is "
        "never refused.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex08.q3_number": Key(
        "Q3, the hours to the first response of the complaint you answer first",
        "number",
        _q3_hours,
        "Read the severity of what the customer asks for, then the priority in the row of "
        "that severity and the column of the customer's tier, then that priority's "
        "first-response target (not its resolution target).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.01},
        wrong=lambda: (
            _target("P2"),  # high severity taken as P2, the tier ignored
            _target("P1", "resolve_within_hours"),  # the resolution target
            # the other complaint's target (the same number as the last on the sample)
            float(_q3_triage("explanation")["respond_within_hours"]),
        ),
    ),
    "ex08.q3": Key(
        "Q3, which complaint you answer first, and at what priority",
        "choice",
        _q3_letter,
        "The priority comes from two things together, the severity and the customer's tier: "
        "find the cell of each complaint in the matrix, and answer the better priority first.",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex08.q4": Key(
        f"Q4, the median hours to a first response of the {Q4_CHANNEL} complaints",
        "number",
        _wait,
        "Use the row of the email complaints (not all complaints) and the median column "
        "(the typical wait), not the mean or the 90th percentile.",
        # read off the one decimal the helper prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.051},
        wrong=lambda: (
            _wait("response_mean_h"),  # the mean
            _wait("response_p90_h"),  # the 90th percentile
            _wait(channel=None),  # the median of all complaints
        ),
    ),
    "ex08.q5": Key(
        "Q5, the reopen rate, out of the resolved complaints",
        "number",
        lambda: float(_overall()["reopen_rate"]),
        "Only a complaint that was closed can be reopened: divide the reopened complaints "
        "by the resolved ones, not by all complaints, and give a fraction.",
        # three decimals, as the question asks
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0005},
        wrong=lambda: (
            _counts()["reopened"] / _counts()["complaints"],  # out of all complaints
            _counts()["reopened"] / (_counts()["resolved"] - _counts()["reopened"]),  # of not
            100 * float(_overall()["reopen_rate"]),  # a percentage
        ),
    ),
    "ex08.q6_number": Key(
        "Q6, the highest response breach rate of a channel",
        "number",
        _breach,
        "Read the column of the share that missed the response target (not the share "
        "answered in time), and give the largest as a fraction: 25% is 0.25.",
        # read off the percentage with one decimal that the helper prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.001},
        wrong=lambda: (
            _breach(_busiest_channel()),  # the channel with the most complaints
            float(_overall()["response_breach_rate"]),  # all channels together
            1 - _breach(),  # the worst channel's share answered in time
            100 * _breach(),  # a percentage
        ),
    ),
    "ex08.q6": Key(
        "Q6, the channel whose first responses you fix first",
        "choice",
        _q6_letter,
        "The channel to fix is the one whose complaints miss their own target most often, "
        "not the one that brings the most complaints.",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter()),
    ),
    "ex08.q7_number": Key(
        "Q7, the customers who left within six months of a first complaint of the cause "
        "after which the most left",
        "number",
        lambda: _left_after(_cause_by("churned")),
        "Read the column of the customers who left (a count of customers), and give its "
        "largest value: not the complaints, not the share who left.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=lambda: (
            _left_after(_most_frequent_cause()),  # after the most frequent cause
            _left_after(_cause_by("rate")),  # after the cause with the highest share
            _left_after(_cause_by("churned"), "customers"),  # the customers followed
            float(kpi.cause_pareto(_triaged()).loc[_cause_by("churned"), "complaints"]),
            _left_after(_cause_by("churned"), "rate"),  # the share, not the count
        ),
    ),
    "ex08.q7": Key(
        "Q7, the cause you fix first",
        "choice",
        _q7_letter,
        "Fix first the cause that loses the most customers: a frequent cause with a middling "
        "share who leave can lose more than a rare cause with a high share.",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_letter()),
    ),
    "ex08.q8": Key(
        "Q8, the share of active churn among the ended relationships whose kind is known",
        "number",
        _kind_share,
        "Divide the active ones by the active and passive ones together (leave out 'not "
        "known'), and give a fraction: 25% is 0.25.",
        # three decimals, as the question asks
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0005},
        wrong=_q8_wrong,
    ),
    "ex08.q9_number": Key(
        "Q9, the six-month churn of 'resolved well' minus that of 'not resolved well', in "
        "percentage points",
        "number",
        _gap,
        "Use the row 'resolved well' compared with 'not resolved well' (not with 'no "
        "complaint'), its difference in percentage points, negative when fewer left after "
        "a complaint resolved well.",
        # read off the one decimal the helper prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.051},
        wrong=lambda: (
            -_gap(),  # the other way round
            _gap(compared="no complaint"),  # against customers who had not complained
            _gap("not resolved well", "no complaint"),
            _gap() / 100,  # a fraction, not percentage points
        ),
    ),
    "ex08.q9_interval": Key(
        "Q9, whether the 95% interval of that difference excludes zero",
        "choice",
        _q9_excludes_zero,
        "An interval excludes zero when both its ends are on the same side of zero: both "
        "below, or both above.",
        options=("yes", "no"),
        wrong=lambda: tuple(x for x in ("yes", "no") if x != _q9_excludes_zero()),
    ),
    "ex08.q9": Key(
        "Q9, whether better complaint handling is worth paying for",
        "choice",
        _q9_letter,
        "Look at the sign of the difference and whether its interval excludes zero; and "
        "remember that we did not choose which complaints were handled well, so the data "
        "show an association, not a proof.",
        options=LETTERS,
        wrong=lambda: other_letters(_q9_letter()),
    ),
    "ex08.q10": Key(
        "Q10, the reply you give Ms Lin",
        "choice",
        _q10_letter,
        "She asks what you will do, and her weekend starts now: the best reply acts at "
        "once, with something concrete, in the words of a do, and neither sends her "
        "elsewhere nor makes her wait.",
        options=LETTERS,
        wrong=lambda: other_letters(_q10_letter()),
    ),
}
