"""The call-back planner: its plan is optimal (checked by brute force on small cases and
against the greedy rule), never over a manager's time, deterministic, keeps each customer
with their manager, always plans the must-do follow-ups, and reads the reasons right."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit import callback_plan as cp
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError


def _cands(rows, week="2026-01-05") -> pd.DataFrame:
    """A candidates table from (customer_id, kind, minutes, value[, reason]) tuples."""
    frame = pd.DataFrame(
        [
            {
                "customer_id": r[0],
                "shop_name": f"Shop {r[0]}",
                "tier": "small",
                "stage": "stability",
                "p_alive": 0.9,
                "open_complaint": len(r) > 4 and r[4] == "complaint follow-up",
                "reason": r[4] if len(r) > 4 else "learn new needs",
                "kind": r[1],
                "minutes": r[2],
                "value": float(r[3]),
                "script": "Ask how business is.",
            }
            for r in rows
        ],
        columns=list(cp.CANDIDATE_COLUMNS),
    )
    frame.attrs["week_start"] = pd.Timestamp(week)
    frame.attrs["as_of"] = pd.Timestamp("2025-12-31")
    return frame


ONE_HOUR = cp.Discipline(days=1, call_block_minutes=60)


def test_greedy_takes_the_big_one_and_the_optimum_takes_two_that_are_worth_more():
    # one manager, one call hour: A alone (value 5, 45 min) or B + C (4 + 4, 30 + 30 min)
    cands = _cands([("A", "call", 45, 5), ("B", "call", 30, 4), ("C", "call", 30, 4)])
    crew = cp.team(["Ann"], 1)
    best = cp.plan_week(cands, crew, discipline=ONE_HOUR)
    hand = cp.greedy_week(cands, crew, discipline=ONE_HOUR)
    assert sorted(best.contacts["customer_id"]) == ["B", "C"] and best.value == 8
    assert list(hand.contacts["customer_id"]) == ["A"] and hand.value == 5
    table = cp.compare(best, hand)
    assert table.loc["rule by hand", "value_left_on_table"] == 3
    assert set(hand.left_out["customer_id"]) == {"B", "C"}
    assert hand.left_out["why"].eq("no manager had call time left").all()
    assert best.solver["status"] == "optimal" and best.solver["gap"] <= 1e-4


def test_hours_split_into_the_daily_call_hour_and_visit_time():
    split = cp.budgets(cp.team(["Ann", "Bo", "Cy"], [8, 3, 0]), cp.Discipline())
    assert split.loc["Ann"].tolist() == [300, 180]  # five call hours, the rest for visits
    assert split.loc["Bo"].tolist() == [180, 0]
    assert split.loc["Cy"].tolist() == [0, 0]


def _brute_force(cands, budget, owner):
    """The best value over every assignment (customer -> nobody or an allowed manager)."""
    minutes, value = cands["minutes"].to_numpy(), cands["value"].to_numpy()
    visit = cands["kind"].eq("visit").to_numpy().astype(int)
    choices = [[-1, int(o)] if o >= 0 else [-1, *range(len(budget))] for o in owner]
    cap = budget.to_numpy()
    best = 0.0
    for pick in itertools.product(*choices):
        used = np.zeros_like(cap, dtype=float)
        total = 0.0
        for i, k in enumerate(pick):
            if k >= 0:
                used[k, visit[i]] += minutes[i]
                total += value[i]
        if (used <= cap).all():
            best = max(best, total)
    return best


contact = st.tuples(
    st.sampled_from(["call", "visit"]),
    st.sampled_from([5, 10, 15, 20, 45]),
    st.integers(min_value=0, max_value=40),
)


@st.composite
def instances(draw, max_customers=7, max_managers=3):
    rows = draw(st.lists(contact, min_size=0, max_size=max_customers))
    n_man = draw(st.integers(min_value=1, max_value=max_managers))
    hours = draw(
        st.lists(st.sampled_from([0, 0.25, 0.5, 1, 1.5, 2]), min_size=n_man, max_size=n_man)
    )
    cands = _cands([(f"C{i:02d}", k, m, v / 4) for i, (k, m, v) in enumerate(rows)])
    crew = cp.team([f"M{j}" for j in range(n_man)], hours)
    held = draw(
        st.lists(
            st.integers(min_value=-1, max_value=n_man - 1), min_size=len(rows), max_size=len(rows)
        )
    )
    accounts = pd.Series({f"C{i:02d}": f"M{k}" for i, k in enumerate(held) if k >= 0}, dtype=object)
    return cands, crew, accounts


DAY = cp.Discipline(days=1, call_block_minutes=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_plan_is_the_best_possible_by_brute_force(case):
    cands, crew, accounts = case
    plan = cp.plan_week(cands, crew, accounts=accounts, discipline=DAY, must=())
    budget = cp.budgets(crew, DAY)
    owner = budget.index.get_indexer(accounts.reindex(cands["customer_id"]).to_numpy())
    assert plan.value == pytest.approx(_brute_force(cands, budget, owner), abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_customers=40, max_managers=4), st.booleans())
def test_capacity_is_never_exceeded_and_the_optimum_never_loses_to_greedy(case, keep):
    cands, crew, accounts = case
    rules = cp.Discipline(days=2, call_block_minutes=30)
    best = cp.plan_week(
        cands, crew, accounts=accounts, keep_accounts=keep, discipline=rules, must=()
    )
    hand = cp.greedy_week(
        cands, crew, accounts=accounts, keep_accounts=keep, discipline=rules, must=()
    )
    budget = cp.budgets(crew, rules)
    for plan in (best, hand):
        per = plan.by_manager()
        assert (per["call_minutes_used"] <= budget["call"]).all()
        assert (per["visit_minutes_used"] <= budget["visit"]).all()
        assert not plan.contacts["customer_id"].duplicated().any()
        assert len(plan.contacts) + len(plan.left_out) == len(cands)
        if keep:  # a customer with a manager is only ever called by that manager
            owner = accounts.reindex(plan.contacts["customer_id"]).to_numpy()
            held = pd.notna(owner)
            assert (plan.contacts["manager"].to_numpy()[held] == owner[held]).all()
    assert best.value >= hand.value - 1e-9
    again = cp.plan_week(
        cands, crew, accounts=accounts, keep_accounts=keep, discipline=rules, must=()
    )
    pd.testing.assert_frame_equal(best.contacts, again.contacts)
    shuffled = cands.sample(frac=1, random_state=3)
    shuffled.attrs = cands.attrs
    other = cp.plan_week(
        shuffled, crew, accounts=accounts, keep_accounts=keep, discipline=rules, must=()
    )
    assert other.value == pytest.approx(best.value, abs=1e-9)


def test_must_do_follow_ups_are_planned_even_when_worth_less():
    cands = _cands(
        [("A", "call", 30, 9), ("B", "call", 30, 8), ("Q", "call", 30, 1, "complaint follow-up")]
    )
    crew = cp.team(["Ann"], 1)
    plan = cp.plan_week(cands, crew, discipline=ONE_HOUR)
    assert "Q" in set(plan.contacts["customer_id"]) and plan.value == 10
    free = cp.plan_week(cands, crew, discipline=ONE_HOUR, must=())
    assert "Q" not in set(free.contacts["customer_id"]) and free.value == 17


def test_must_do_contacts_that_cannot_fit_are_refused_with_the_manager_named():
    cands = _cands([(f"Q{i}", "call", 30, 1, "complaint follow-up") for i in range(3)])
    with pytest.raises(CrmkitError, match=r"Ann: 3 must-do calls need 90 minutes, 60 available"):
        cp.plan_week(
            cands,
            cp.team(["Ann"], 1),
            accounts={f"Q{i}": "Ann" for i in range(3)},
            discipline=ONE_HOUR,
        )


def test_customers_stay_with_their_manager_from_week_to_week(known):
    crew = cp.team(["Chen Jing", "Li Wei", "Wang Fang"], [8, 6, 4])
    week1, _ = cp.candidates(known)
    first = cp.plan_week(week1, crew)
    assert set(first.accounts.index) == set(first.contacts["customer_id"])
    week2, _ = cp.candidates(known, "2026-02-09")
    second = cp.plan_week(week2, crew, accounts=first.accounts)
    again = second.contacts[second.contacts["customer_id"].isin(first.accounts.index)]
    assert len(again) >= 10
    assert (again["manager"].to_numpy() == first.accounts[again["customer_id"]].to_numpy()).all()
    # the book only grows: everyone seen in week 1 keeps their manager in the new book
    assert (second.accounts.reindex(first.accounts.index) == first.accounts).all()
    moved = cp.plan_week(week2, crew, accounts=first.accounts, keep_accounts=False)
    assert moved.value >= second.value - 1e-9


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def known(data):
    return cp.Customers.from_data(data)


def test_candidates_follow_the_stated_rules(data, known):
    cands, left = cp.candidates(known)
    t = known.table.loc[cands["customer_id"]]
    assert (t["stage"] != "ended").all() and (t["p_alive"] >= 0.1).all()
    assert cands["value"].is_monotonic_decreasing
    visits = cands[cands["kind"].eq("visit")]
    assert visits["tier"].isin(cp.IMPORTANT_TIERS).all() and len(visits) > 0
    assert (visits["minutes"] == cp.Discipline().visit_minutes).all()
    follow = cands[cands["reason"].eq("complaint follow-up")]
    open_ids = set(data.complaints.loc[data.complaints["resolved_at"].isna(), "customer_id"])
    assert open_ids & set(follow["customer_id"]) and follow["open_complaint"].all()
    assert not (cands["reason"].eq("holiday greeting")).any()  # no holiday near 5 January
    spoke = left[left["why"].str.startswith("spoken to")]
    recent = data.contacts[
        pd.to_datetime(data.contacts["contact_date"]) > known.as_of - pd.Timedelta(days=7)
    ]
    assert set(spoke["customer_id"]) <= set(recent["customer_id"].astype(str))
    # the value is the stated weighted sum
    w = cp.Weights()
    row = cands.iloc[0]
    expected = (
        w.tier * cp.TIER_POINTS[row["tier"]]
        + w.stage * cp.STAGE_POINTS[row["stage"]]
        + w.risk * (1 - row["p_alive"])
        + w.complaint * row["open_complaint"]
    )
    assert row["value"] == pytest.approx(expected, abs=1e-6)  # a follow-up's effect is 1


def test_a_greeting_counts_half_of_what_the_customer_matters(known):
    cands, _ = cp.candidates(known, cp.week_before("Spring Festival", known.as_of))
    greet = cands[cands["reason"].eq("holiday greeting")].iloc[0]
    w = cp.Weights()
    matters = (
        w.tier * cp.TIER_POINTS[greet["tier"]]
        + w.stage * cp.STAGE_POINTS[greet["stage"]]
        + w.risk * (1 - greet["p_alive"])
        + w.complaint * greet["open_complaint"]
    )
    assert cp.reasons().loc["holiday greeting", "effect"] == 0.5
    assert greet["value"] == pytest.approx(0.5 * matters, abs=1e-6)


def test_the_week_before_a_holiday_is_read_from_the_holidays_file(known):
    assert cp.week_before("Spring Festival", known.as_of) == pd.Timestamp("2026-02-09")
    assert cp.week_before("National Day", known.as_of) == pd.Timestamp("2026-09-21")
    # the lunar festivals move: the calendar gives them for any year
    assert cp.week_before("Spring Festival", pd.Timestamp("2053-12-31")) == pd.Timestamp(
        "2054-01-26"
    )  # Spring Festival 2054 falls on Sunday 8 February
    spring = cp.holidays([2026, 2027]).query("holiday == 'Spring Festival'")["date"]
    assert list(spring) == [pd.Timestamp("2026-02-17"), pd.Timestamp("2027-02-06")]
    with pytest.raises(CrmkitError, match="no holiday 'Labour Day' in holidays.csv"):
        cp.week_before("Labour Day", known.as_of)


def test_the_week_before_a_holiday_brings_greetings_with_its_name(known):
    cands, _ = cp.candidates(known, "2026-02-09")
    greet = cands[cands["reason"].eq("holiday greeting")]
    assert len(greet) > 100 and greet["script"].str.startswith("Spring Festival: a short").all()
    assert (greet["minutes"] == cp.Discipline().greeting_minutes).all()


def test_persistence_keeps_young_relationships_on_the_list(known):
    keen, _ = cp.candidates(known, discipline=cp.Discipline(persist_calls=5))
    lazy, _ = cp.candidates(known, discipline=cp.Discipline(persist_calls=1))
    young = known.table.index[known.table["stage"].isin(["exploration", "formation"])]
    assert keen["customer_id"].isin(young).sum() >= lazy["customer_id"].isin(young).sum()


def test_bad_settings_and_inputs_get_clear_errors(known):
    with pytest.raises(CrmkitError, match="start is a time of day"):
        cp.Discipline(start="ten")
    with pytest.raises(CrmkitError, match="call_minutes must be a whole number"):
        cp.Discipline(call_minutes=0)
    with pytest.raises(CrmkitError, match="weight of tier"):
        cp.Weights(tier=-1)
    with pytest.raises(CrmkitError, match="must start after the analysis date"):
        cp.candidates(known, "2025-12-01")
    with pytest.raises(CrmkitError, match="2 managers but 3 capacities"):
        cp.team(["A", "B"], [1, 2, 3])
    with pytest.raises(CrmkitError, match="names must be given and differ"):
        cp.team(["A", "A"])
    with pytest.raises(CrmkitError, match="appears twice"):
        cp.plan_week(_cands([("A", "call", 5, 1), ("A", "call", 5, 1)]), cp.team(1))


def test_a_first_book_deals_customers_in_proportion_to_hours():
    crew = cp.team(["Ann", "Bo", "Cy"], [8, 4, 0])
    book = cp.assign_accounts([f"C{i}" for i in range(9)], crew)
    assert book.value_counts().to_dict() == {"Ann": 6, "Bo": 3}
    assert list(book.iloc[:3]) == ["Ann", "Ann", "Bo"]  # the most valuable are dealt in turn
    assert cp.assign_accounts([], crew).empty
    with pytest.raises(CrmkitError, match="no hours to share out"):
        cp.assign_accounts(["C1"], cp.team(["Ann"], 0))


def test_the_first_book_names_a_manager_for_every_customer_still_buying(known):
    crew = cp.team(["Ann", "Bo"], [6, 3])
    book = cp.book_of(known, crew)
    live = known.table.index[known.table["stage"].ne("ended")]
    assert set(book.index) == set(live)
    assert book.value_counts()["Ann"] == pytest.approx(2 * book.value_counts()["Bo"], abs=1)
    ranked = cp.revalue(
        known.table.loc[book.index].reset_index().assign(open_complaint=False), cp.Weights()
    )
    assert list(ranked["customer_id"]) == list(book.index)  # dealt most valuable first


def test_contacts_no_optimal_plan_needs_are_set_aside_before_the_solver():
    # one manager, one call hour: six 10-minute calls fit, so the four least valuable of
    # ten such calls can never be needed; with a 5-minute call among them, twelve calls
    # could fit, and nothing is set aside
    rows = [(f"C{i}", "call", 10, 10 - i) for i in range(10)]
    book = {f"C{i}": "Ann" for i in range(11)}
    plan = cp.plan_week(_cands(rows), cp.team(["Ann"], 1), accounts=book, discipline=ONE_HOUR)
    assert plan.solver["set_aside"] == 4
    assert plan.value == sum(range(5, 11))
    assert set(plan.left_out["customer_id"]) == {"C6", "C7", "C8", "C9"}
    short = cp.plan_week(
        _cands([*rows, ("C10", "call", 5, 0.5)]),
        cp.team(["Ann"], 1),
        accounts=book,
        discipline=ONE_HOUR,
    )
    assert short.solver["set_aside"] == 0 and short.value == plan.value


def test_a_plan_without_a_contact_log_or_complaints_still_plans(data):
    from dataclasses import replace

    bare = replace(data, contacts=data.contacts.head(0), complaints=data.complaints.head(0))
    known = cp.Customers.from_data(bare)
    cands, left = cp.candidates(known)
    assert len(cands) > 0 and left.empty  # nobody was spoken to, as far as the data knows
    assert not cands["reason"].eq("complaint follow-up").any()
    plan = cp.plan_week(
        cands, cp.team(["Ann", "Bo"], 8), accounts=cp.book_of(known, cp.team(["Ann", "Bo"], 8))
    )
    assert plan.value > 0
