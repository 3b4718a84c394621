"""Answer keys of exercise set 9 (satisfaction, service quality and the call-back plan).

A decision question has two keys, checked in one cell: the number that justifies the
decision ("ex09.qN_number") and the choice itself ("ex09.qN"); Q7 adds a third, the
service stages the weakest dimension shows in ("ex09.q7_stages"). The choice is computed
from the data where the data decides it, so the key holds on any data; the options of
each question are named here (`Q*_OPTIONS`) as the exercise lists them. The team of Q9
to Q12, its extra hours and the director's limit of Q10 are set here and in the
exercise, and every key lists its plausible wrong answers (`wrong`).

Everything is read as lesson 9 reads it: the survey through `crmkit.satisfaction`
(gap scores, importance-performance, NPS with Rocks's adjusted-Wald intervals, the SA4
indicators, loyalty in the six months after a survey, the worked PDCA cycle, needs and
stages), and the week's contacts through `crmkit.callback_plan` (the customers as the
planner knows them on the analysis date, the candidates of a week, the optimal plan
against the greedy rule, each customer kept with the manager of the book).
"""

from __future__ import annotations

import dataclasses
from functools import cache

import pandas as pd

from crmkit import callback_plan as cp
from crmkit import satisfaction as sat
from crmkit.answer_keys.core import LETTERS, Key, other_letters, sample_data
from crmkit.errors import CrmkitError


def _letter(options: dict[str, object], value: object) -> str:
    """The letter of the option that is `value`; an error if no option is."""
    for letter, option in options.items():
        if option == value:
            return letter
    raise CrmkitError(f"no option is {value!r}; the options are {options}")


@cache
def _surveys() -> pd.DataFrame:
    return sample_data().surveys


# --- Q1: perception against expectation (SA1, SA3) ---------------------------------------------


@cache
def _gaps() -> pd.DataFrame:
    return sat.gap_scores(_surveys(), confidence=0.95)


def _dimension_gaps() -> pd.Series:
    return _gaps()["gap"].drop(index=["overall", "overall, weighted by importance"])


def _weakest() -> str:
    """The dimension with the most negative mean gap."""
    return str(_dimension_gaps().idxmin())


def _gap(row: str | None = None, column: str = "gap") -> float:
    return float(_gaps().loc[row or _weakest(), column])


# --- Q2: importance-performance (SA5) ----------------------------------------------------------

#: The dimensions Q2 offers, by letter.
Q2_OPTIONS = {"a": "reliability", "b": "assurance", "c": "responsiveness", "d": "empathy"}


@cache
def _ipa(crosshairs: str = "means", importance: str = "stated") -> pd.DataFrame:
    return sat.importance_performance(_surveys(), crosshairs=crosshairs, importance=importance)


def _focus() -> str:
    """The dimension to improve first: "concentrate here" at the means with stated
    importance; of several, the one performing worst."""
    ipa = _ipa()
    here = ipa[ipa["quadrant"] == "concentrate here"]
    if here.empty:
        raise CrmkitError("no dimension is in 'concentrate here' at the means")
    return str(here["performance"].idxmin())


def _q2_letter() -> str:
    return _letter(Q2_OPTIONS, _focus())


# --- Q3: satisfied is not loyal (SA2) ----------------------------------------------------------

#: The months after a survey in which loyalty is read (set in the exercise).
LOYALTY_MONTHS = 6
#: Q3's options: "a" reward loyalty beside satisfaction, "b" satisfaction alone.
Q3_OPTIONS = {"a": "loyalty too", "b": "satisfaction alone", "c": "no link", "d": "survey only"}


@cache
def _loyalty() -> pd.DataFrame:
    return sat.satisfaction_loyalty(sample_data(), months=LOYALTY_MONTHS, confidence=0.95)


@cache
def _not_loyal() -> pd.Series:
    return sat.satisfied_not_loyal(sample_data(), months=LOYALTY_MONTHS)


def _q3_letter() -> str:
    """a when some of the highly satisfied did not stay loyal (satisfied is not loyal,
    SA2), b when every one of them did."""
    return _letter(
        Q3_OPTIONS, "loyalty too" if _not_loyal()["not_loyal"] > 0 else "satisfaction alone"
    )


# --- Q4: the five indicators (SA4) -------------------------------------------------------------

#: The indicators Q4 offers, by letter (the one this data cannot carry is the answer).
Q4_OPTIONS = {"a": "reputation", "b": "awareness", "c": "return rate", "d": "sales power"}


@cache
def _indicators() -> pd.DataFrame:
    return sat.indicators(sample_data())


def _indicator(name: str = "reputation") -> float:
    return float(_indicators().loc[name, "value"])


def _q4_letter() -> str:
    missing = _indicators().index[~_indicators()["available"]]
    if len(missing) != 1:
        raise CrmkitError(f"Q4 expects one indicator the data cannot carry; got {list(missing)}")
    return _letter(Q4_OPTIONS, str(missing[0]))


def _q4_wrong() -> tuple[float, ...]:
    recommend = _surveys()["recommend"].dropna().astype(float)
    return (
        float(sat.nps(recommend)["nps"]),  # the net promoter score of all surveys
        float((recommend >= 9).mean()),  # promoters over all surveys, not the last 12 months
        _indicator("return rate"),  # the wrong row
        100 * _indicator(),  # a percentage
    )


# --- Q5: is the change in NPS real? (SA5) ------------------------------------------------------

#: Q5's options, by what the difference of the last two quarters shows.
Q5_OPTIONS = {"a": "fell", "b": "rose", "c": "stop the survey", "d": "cannot tell"}


@cache
def _quarters() -> pd.DataFrame:
    return sat.nps_by(sample_data(), "quarter")


@cache
def _nps_change() -> pd.Series:
    """The latest quarter's score minus the one before, with its 95% interval."""
    answers = _surveys().dropna(subset=["recommend"])
    quarter = answers["survey_date"].dt.to_period("Q").astype(str)
    before, latest = _quarters().index[-2], _quarters().index[-1]
    return sat.nps_difference(
        answers.loc[quarter == before, "recommend"],
        answers.loc[quarter == latest, "recommend"],
        confidence=0.95,
    )


def _points(field: str) -> float:
    """A figure of `_nps_change` in points (a share times 100), as lesson 9 gives scores."""
    return 100 * float(_nps_change()[field])


def _q5_letter() -> str:
    change = _nps_change()
    if change["high"] < 0:
        return _letter(Q5_OPTIONS, "fell")
    if change["low"] > 0:
        return _letter(Q5_OPTIONS, "rose")
    return _letter(Q5_OPTIONS, "cannot tell")


# --- Q6: the PDCA cycle (SA6) ------------------------------------------------------------------

#: Q6's options: the step after Check, by what the check found.
Q6_OPTIONS = {"a": "standardise", "b": "plan again", "c": "next dimension", "d": "keep on trial"}


@cache
def _pdca() -> pd.DataFrame:
    return sat.pdca(_surveys(), confidence=0.95)


def _pdca_figure(step: str) -> float:
    table = _pdca().set_index("step")
    return float(table.loc[step, "figure"])


def _q6_letter() -> str:
    """Standardise a real improvement; plan again after a real worsening; otherwise keep
    the action on trial (the Act rules of `satisfaction.pdca`)."""
    attrs = _pdca().attrs
    if not attrs["real"]:
        return _letter(Q6_OPTIONS, "keep on trial")
    return _letter(Q6_OPTIONS, "standardise" if _pdca_figure("check") > 0 else "plan again")


# --- Q7: needs and service stages (SA7, SA8) ---------------------------------------------------

#: The needs Q7 offers, by letter.
Q7_OPTIONS = {"a": "information", "b": "emotional", "c": "convenience", "d": "environment"}
#: The sets of service stages Q7 offers, by letter.
Q7_STAGES = {
    "a": frozenset({"after-sale"}),
    "b": frozenset({"pre-sale", "after-sale"}),
    "c": frozenset({"in-sale", "after-sale"}),
    "d": frozenset({"pre-sale", "in-sale", "after-sale"}),
}


@cache
def _needs() -> pd.DataFrame:
    return sat.need_gaps(_surveys())


def _least_met() -> str:
    return str(_needs()["gap"].idxmin())


def _need_gap(need: str | None = None) -> float:
    return float(_needs().loc[need or _least_met(), "gap"])


def _q7_letter() -> str:
    return _letter(Q7_OPTIONS, _least_met())


def _stages_of(dimension: str) -> frozenset[str]:
    """The service stages whose dimensions include `dimension` (`satisfaction.service_stages`)."""
    stages = sat.service_stages()
    return frozenset(
        str(stage) for stage, cell in stages["dimensions"].items() if dimension in cell.split(";")
    )


def _q7_stages_letter() -> str:
    return _letter(Q7_STAGES, _stages_of(_weakest()))


# --- the call-back plan (MA1 to MA5) -----------------------------------------------------------

#: The five account managers and their hours for customers this week (set in the exercise).
TEAM = {"Chen Jing": 8, "Li Wei": 8, "Wang Fang": 8, "Zhao Lei": 8, "Liu Yang": 4}


@cache
def _known() -> cp.Customers:
    return cp.Customers.from_data(sample_data())


def _crew() -> pd.Series:
    return cp.team(list(TEAM), list(TEAM.values()))


@cache
def _book() -> pd.Series:
    """Every customer still buying with a named manager (`callback_plan.book_of`, as the
    exercise's set-up cell and lesson 9 deal them)."""
    return cp.book_of(_known(), _crew())


@cache
def _week() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidates of the first week after the analysis date, and those left out."""
    return cp.candidates(_known())


@cache
def _plans() -> tuple[cp.Plan, cp.Plan]:
    """The first week's optimal plan and the greedy one, with the team and the book."""
    cands = _week()[0]
    greedy = cp.greedy_week(cands, _crew(), accounts=_book())
    return cp.plan_week(cands, _crew(), accounts=_book(), greedy=greedy), greedy


# --- Q8: the week's list and the contact log (MA1, MA3) ----------------------------------------

#: Q8's options: "a" brings the log up to date before planning (the data decides: the log
#: takes customers off the list).
Q8_OPTIONS = {"a": "log first", "b": "without the log", "c": "orders only", "d": "last week's list"}


@cache
def _without_log() -> pd.DataFrame:
    known = _known()
    return cp.candidates(dataclasses.replace(known, contacts=known.contacts.head(0)))[0]


def _extra_listed() -> float:
    return float(len(_without_log()) - len(_week()[0]))


def _q8_letter() -> str:
    return _letter(Q8_OPTIONS, "log first" if _extra_listed() > 0 else "without the log")


def _q8_wrong() -> tuple[float, ...]:
    cands, left = _week()
    follow = "complaint follow-up"
    return (
        float(len(_without_log())),  # the list without the log, not the difference
        float(len(cands)),  # the list with the log
        float(len(left)),  # left out before planning (spoken to lately)
        float((_without_log()["reason"] == follow).sum() - (cands["reason"] == follow).sum()),
    )


# --- Q9: four more hours, whose? (MA2, MA5) ----------------------------------------------------

#: The extra hours of Q9 (set in the exercise).
EXTRA_HOURS = 4
#: Q9's options: a manager who gets all the hours, or a way of sharing them.
Q9_OPTIONS = {"a": "Chen Jing", "b": "spread", "c": "nobody", "d": "Liu Yang"}


@cache
def _gains() -> pd.Series:
    """The value the optimal plan gains when one manager gets the extra hours, and when
    they are spread evenly over the team."""
    cands = _week()[0]
    crew = _crew()
    base = _plans()[0].value
    gains = {}
    for manager in crew.index:
        more = crew.copy()
        more[manager] += EXTRA_HOURS
        gains[manager] = cp.plan_week(cands, more, accounts=_book()).value - base
    spread = crew + EXTRA_HOURS / len(crew)
    gains["spread"] = cp.plan_week(cands, spread, accounts=_book()).value - base
    return pd.Series(gains)


def _best_gain() -> float:
    return float(_gains().max())


def _q9_letter() -> str:
    gains = _gains()
    if gains.max() <= 1e-9:
        return _letter(Q9_OPTIONS, "nobody")
    return _letter(Q9_OPTIONS, str(gains.idxmax()))


def _q9_wrong() -> tuple[float, ...]:
    gains = _gains()
    best = str(gains.idxmax())
    others = gains.drop(index=[best, "spread"])
    by_manager = _plans()[0].by_manager()
    return (
        float(others.max()),  # the best of the others
        float(gains["spread"]),  # the hours spread over the team
        float(by_manager.loc[best, "value"] + gains[best]),  # her value after, not the gain
        float(_plans()[0].value + gains[best]),  # the team's value after
        float(gains[best] / EXTRA_HOURS),  # per hour
    )


# --- Q10: the week before the Spring Festival (MA3, MA5) ---------------------------------------

#: The holiday of Q10 (set in the exercise).
HOLIDAY = "Spring Festival"
#: The director's limit: keep the rule by hand unless it leaves more than this share of the
#: optimal plan's value on the table (set in the exercise).
LIMIT = 0.02
#: Q10's options: "a" keep the rule by hand (within the limit), "c" the optimal plan.
Q10_OPTIONS = {"a": "greedy", "b": "neither", "c": "optimal", "d": "greedy, same"}


@cache
def _festival() -> tuple[cp.Plan, cp.Plan]:
    """The optimal and greedy plans of the week before the festival, team and book as set."""
    cands = cp.candidates(_known(), cp.week_before(HOLIDAY, sample_data().analysis_date))[0]
    greedy = cp.greedy_week(cands, _crew(), accounts=_book())
    return cp.plan_week(cands, _crew(), accounts=_book(), greedy=greedy), greedy


def _left_on_table(plans: tuple[cp.Plan, cp.Plan] | None = None) -> float:
    """What the greedy plan leaves on the table (`callback_plan.compare`)."""
    optimal, greedy = _festival() if plans is None else plans
    return float(cp.compare(optimal, greedy).loc[greedy.method, "value_left_on_table"])


def _q10_share() -> float:
    return _left_on_table() / _festival()[0].value


def _q10_letter() -> str:
    return _letter(Q10_OPTIONS, "optimal" if _q10_share() > LIMIT else "greedy")


def _q10_wrong() -> tuple[float, ...]:
    optimal, greedy = _festival()
    return (
        _q10_share(),  # the share, not the value
        greedy.value,  # the greedy plan's value
        optimal.value,  # the optimal plan's value
        _left_on_table(_plans()),  # the first week's (nothing at all on the sample)
    )


# --- Q11: who is left out, and why (MA2, MA4) --------------------------------------------------

VISIT = "visit an important customer"
#: Q11's options: what to tell the director about the important customers left out.
Q11_OPTIONS = {"a": "visit hours", "b": "cut calls", "c": "call them", "d": "spoken to"}


def _visits_left_out() -> float:
    left = _plans()[0].left_out
    return float(left["reason"].eq(VISIT).sum())


def _q11_letter() -> str:
    """a when every important customer left out lacks visit time with its manager (calls
    and visits have separate time, so fewer calls would free none)."""
    left = _plans()[0].left_out
    visits = left[left["reason"].eq(VISIT)]
    if len(visits) and visits["why"].str.contains("visit time").all():
        return _letter(Q11_OPTIONS, "visit hours")
    raise CrmkitError("Q11 expects the important customers left out to lack visit time")


def _q11_wrong() -> tuple[float, ...]:
    optimal = _plans()[0]
    cands, left = _week()
    due = float(cands["reason"].eq(VISIT).sum())
    return (
        due,  # all the visits due, not those left out
        float(optimal.contacts["reason"].eq(VISIT).sum()),  # the visits planned
        float(len(optimal.left_out)),  # everybody the plan leaves out
        float(len(left)),  # left out before planning
    )


KEYS: dict[str, Key] = {
    "ex09.q1": Key(
        "Q1, the gap of the weakest service dimension",
        "number",
        lambda: _gap(),
        "Read the gap column (perception minus expectation, negative where customers got "
        "less than they expected) of the five dimensions, not the overall rows, and give the "
        "most negative one.",
        # two decimals, as the question asks (and as the table prints them)
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0051},
        wrong=lambda: (
            -_gap(),  # expectation minus perception
            _gap("overall"),  # the overall gap
            _gap("overall, weighted by importance"),  # the weighted overall gap
            _gap(column="perception"),  # the perception, not the gap
            _gap("reliability"),  # the most important by derived importance
        ),
    ),
    "ex09.q2_number": Key(
        "Q2, the performance of the dimension you improve first",
        "number",
        lambda: float(_ipa().loc[_focus(), "performance"]),
        "Performance is the mean perception of a dimension; read it in the row of the "
        "dimension in 'concentrate here' with the crosshairs at the means (not its "
        "importance, its expectation or the crosshair itself).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0051},
        wrong=lambda: (
            _gap(_focus(), "expectation"),  # its expectation
            float(_ipa().loc[_focus(), "importance"]),  # its importance
            float(_ipa().attrs["crosshairs"]["performance"]),  # the crosshair
            _gap(_focus()),  # its gap
            float(_ipa(importance="derived").loc[_focus(), "importance"]),  # derived importance
        ),
    ),
    "ex09.q2": Key(
        "Q2, the dimension you improve first",
        "choice",
        _q2_letter,
        "Martilla and James's 'concentrate here' quadrant holds what matters more than "
        "average and performs below average: read the quadrant at the means, where the "
        "crosshairs come from the data, with the importance customers state.",
        options=LETTERS,
        wrong=lambda: other_letters(_q2_letter()),
    ),
    "ex09.q3_number": Key(
        "Q3, the share of the highly satisfied respondents who were not loyal",
        "number",
        lambda: float(_not_loyal()["not_loyal_share"]),
        "Not loyal means they did not order again or they left within the months after "
        "the survey; divide those by the highly satisfied respondents, and give a fraction "
        "to three decimals, read from the 'Share not loyal' column: 12.3% is 0.123.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0005},
        wrong=lambda: (
            float(_not_loyal()["not_loyal"]),  # the count
            float(_loyalty().iloc[-1]["churn_rate"]),  # only those who left
            1 - float(_loyalty().iloc[-1]["repeat_rate"]),  # only those who did not reorder
            1 - float(_not_loyal()["not_loyal_share"]),  # the loyal share
            float(_loyalty().iloc[0]["churn_rate"]),  # the least satisfied band
        ),
    ),
    "ex09.q3": Key(
        "Q3, whether to reward the account managers on satisfaction alone",
        "choice",
        _q3_letter,
        "Seed 001 keeps satisfaction and loyalty apart (SA2): look at how many highly "
        "satisfied customers still did not stay, and how closely satisfaction follows "
        "share of wallet.",
        options=LETTERS,
        wrong=lambda: other_letters(_q3_letter()),
    ),
    "ex09.q4_number": Key(
        "Q4, the reputation indicator",
        "number",
        _indicator,
        "Read the reputation row (the share of the last 12 months' respondents who would "
        "recommend us), not the net promoter score, and give a fraction to three decimals: "
        "12.3% is 0.123.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0005},
        wrong=_q4_wrong,
    ),
    "ex09.q4": Key(
        "Q4, the indicator this data cannot measure, and what to collect for it",
        "choice",
        _q4_letter,
        "Look at the 'available' column: for the indicator the data cannot carry, the rule "
        "column says what a firm would have to record.",
        options=LETTERS,
        wrong=lambda: other_letters(_q4_letter()),
    ),
    "ex09.q5_number": Key(
        "Q5, the latest quarter's net promoter score minus the quarter's before, in points",
        "number",
        lambda: _points("difference"),
        "Take the later quarter minus the earlier one (negative if the score fell), in "
        "points as the table gives the scores, not the ends of its interval.",
        # read off the one decimal the cell prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.051},
        wrong=lambda: (
            -_points("difference"),  # earlier minus later
            _points("difference") / 100,  # a share, not points
            _points("low"),  # an end of the interval
            _points("high"),
            _points("nps_b"),  # the latest score itself
        ),
    ),
    "ex09.q5": Key(
        "Q5, what you tell the director about the change",
        "choice",
        _q5_letter,
        "A change is real at 95% only when its interval leaves out zero (both ends below, "
        "or both above); an interval that spans zero is a change the data cannot tell from "
        "chance.",
        options=LETTERS,
        wrong=lambda: other_letters(_q5_letter()),
    ),
    "ex09.q6_number": Key(
        "Q6, the change in the gap found at the Check step",
        "number",
        lambda: _pdca_figure("check"),
        "Read the figure of the check row: the gap after the cut minus the gap before, "
        "negative if the gap widened (not the gap of the plan or act rows).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0051},
        wrong=lambda: (
            -_pdca_figure("check"),  # before minus after
            _pdca_figure("plan"),  # the gap before the cut
            _pdca_figure("act"),  # the gap after the cut
            float(_pdca().attrs["low"]),  # an end of the interval
        ),
    ),
    "ex09.q6": Key(
        "Q6, the step that comes next",
        "choice",
        _q6_letter,
        "Act on what Check found: standardise only a change that is real and for the "
        "better; a change real and for the worse sends you back to Plan; an interval that "
        "spans zero proves nothing yet.",
        options=LETTERS,
        wrong=lambda: other_letters(_q6_letter()),
    ),
    "ex09.q7_number": Key(
        "Q7, the gap of the customer need that is least met",
        "number",
        _need_gap,
        "A need's gap is the mean of the gaps of the dimensions that speak to it (the "
        "table's gap column); give the most negative one, not a dimension's own gap.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.0051},
        wrong=lambda: (
            2 * _need_gap(),  # the sum of its dimensions' gaps, not their mean
            _need_gap("information"),  # the other need that holds responsiveness
            _gap(),  # the weakest dimension's gap
            -_need_gap(),  # the wrong sign
        ),
    ),
    "ex09.q7": Key(
        "Q7, the customer need that is least met",
        "choice",
        _q7_letter,
        "Compare the needs' gaps, not their dimensions: the need with the most negative "
        "gap is the least met.",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_letter()),
    ),
    "ex09.q7_stages": Key(
        "Q7, the service stages where the weakest dimension shows",
        "choice",
        _q7_stages_letter,
        "Find the weakest dimension of Q1 in the dimensions column of the stages table: "
        "every stage that lists it is a stage where the action must reach customers.",
        options=LETTERS,
        wrong=lambda: other_letters(_q7_stages_letter()),
    ),
    "ex09.q8_number": Key(
        "Q8, how many more customers the list would hold without the contact log",
        "number",
        _extra_listed,
        "Subtract the customers due a contact with the log from those due without it.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=_q8_wrong,
    ),
    "ex09.q8": Key(
        "Q8, what you do before planning the week",
        "choice",
        _q8_letter,
        "The planner reads the contact log to skip customers spoken to lately and follow-ups "
        "already made (MA1: a complete database comes first).",
        options=LETTERS,
        wrong=lambda: other_letters(_q8_letter()),
    ),
    "ex09.q9_number": Key(
        "Q9, the largest value the plan gains from the extra hours",
        "number",
        _best_gain,
        "Read the gain column (the plan's value with the extra hours minus its value now), "
        "and give its largest value: not the value after, and not per hour.",
        # read off the one decimal the table prints
        tolerance={"rel_tol": 0.0, "abs_tol": 0.051},
        wrong=_q9_wrong,
    ),
    "ex09.q9": Key(
        "Q9, who gets the extra hours",
        "choice",
        _q9_letter,
        "Give the hours where they add the most value: an hour of the daily call hour holds "
        "several short calls, while a visit needs its full length in visit time.",
        options=LETTERS,
        wrong=lambda: other_letters(_q9_letter()),
    ),
    "ex09.q10_number": Key(
        "Q10, the value the rule by hand leaves on the table in the festival week",
        "number",
        _left_on_table,
        "Read the row of the rule by hand in the festival week, column 'value left on "
        "table' (the optimal plan's value minus the rule's), not the first week's.",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.051},
        wrong=_q10_wrong,
    ),
    "ex09.q10": Key(
        "Q10, which plan the managers follow in the festival week",
        "choice",
        _q10_letter,
        "Compare the value left on the table, as a share of the optimal plan's value, with "
        "the director's limit.",
        options=LETTERS,
        wrong=lambda: other_letters(_q10_letter()),
    ),
    "ex09.q11_number": Key(
        "Q11, the important customers due a visit whom the plan leaves out",
        "number",
        _visits_left_out,
        "Count the customers left out by the plan whose reason is a visit to an important "
        "customer (not every customer left out, and not those left out before planning).",
        tolerance={"rel_tol": 0.0, "abs_tol": 0.5},
        wrong=_q11_wrong,
    ),
    "ex09.q11": Key(
        "Q11, what you tell the director about the visits left out",
        "choice",
        _q11_letter,
        "Read why each was left out, and each manager's minutes used against the budget: "
        "calls and visits have separate time, so fewer calls free no visit time.",
        options=LETTERS,
        wrong=lambda: other_letters(_q11_letter()),
    ),
}
