"""Key accounts: criteria measured from data, the adjustable rule, the card, the plan."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import customer_base as cb
from crmkit import key_accounts as ka
from crmkit.answer_keys import ex05
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def measures(data):
    return ka.key_account_measures(data)


def _measures(**columns) -> pd.DataFrame:
    base = {
        "revenue": [500.0, 400.0, 300.0, 200.0, 100.0],
        "share_of_wallet": [0.9, 0.2, 0.9, 0.9, 0.9],
        "contacts_per_month": [1.0, 0.1, 1.0, 1.0, 1.0],
        "price_sensitivity": [0.1, 0.9, 0.1, 0.1, 0.1],
        "months_ordered_share": [0.8, 0.8, 0.2, 0.8, 0.8],
        "tenure_years": [5.0, 5.0, 5.0, 1.0, 5.0],
    }
    base.update(columns)
    return pd.DataFrame(base, index=["a", "b", "c", "d", "e"])


def test_rule_by_hand():
    rule = ka.KeyAccountRule(volume_top_share=0.6, min_other_criteria=4)
    found = ka.identify_key_accounts(_measures(), rule)
    assert found["volume"].tolist() == [True, True, True, False, False]
    # a meets all four; b only partnership; c fails partnership (months)
    assert found["criteria_met"].tolist() == [4, 1, 3, 3, 4]
    assert found["key_account"].tolist() == [True, False, False, False, False]
    loose = ka.identify_key_accounts(_measures(), ka.KeyAccountRule(0.6, min_other_criteria=3))
    assert loose["key_account"].tolist() == [True, False, True, False, False]
    assert "✗ ordered in 20% of months" in loose.loc["c", "reason"]


def test_rule_rejects_bad_values():
    with pytest.raises(CrmkitError, match="volume_top_share"):
        ka.KeyAccountRule(volume_top_share=0)
    with pytest.raises(CrmkitError, match="0 to 4"):
        ka.KeyAccountRule(min_other_criteria=5)
    with pytest.raises(CrmkitError, match="cannot be negative"):
        ka.KeyAccountRule(max_price_sensitivity=-1)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 1.0), st.integers(0, 4), st.randoms(use_true_random=False))
def test_key_accounts_need_volume_and_ignore_row_order(share, k, rnd):
    m = _measures()
    rule = ka.KeyAccountRule(volume_top_share=share, min_other_criteria=k)
    found = ka.identify_key_accounts(m, rule)
    assert not (found["key_account"] & ~found["volume"]).any()
    order = list(m.index)
    rnd.shuffle(order)
    again = ka.identify_key_accounts(m.loc[order], rule).loc[m.index]
    pd.testing.assert_series_equal(found["key_account"], again["key_account"])


def test_stricter_rule_never_adds_accounts(measures):
    loose = ka.identify_key_accounts(measures, ka.KeyAccountRule(min_other_criteria=1))
    strict = ka.identify_key_accounts(measures, ka.KeyAccountRule(min_other_criteria=3))
    assert set(strict.index[strict["key_account"]]) < set(loose.index[loose["key_account"]])


def test_measures_on_the_sample(measures):
    assert measures["share_of_wallet"].between(0, 1).all()
    assert (measures["months_ordered_share"] <= 1).all()
    found = ka.identify_key_accounts(measures)
    n = int(found["key_account"].sum())
    assert 0 < n <= int(round(0.1 * len(measures)))
    # key accounts buy more of their category from us than the average customer
    assert (
        measures.loc[found["key_account"], "share_of_wallet"].mean()
        > measures["share_of_wallet"].mean()
    )


def test_the_list_is_dynamic(data):
    changes = ka.key_account_changes(data, ["2024-12-31", "2025-12-31"])
    assert changes.loc["2025-12-31", "joined"] > 0 and changes.loc["2025-12-31", "left"] > 0


def test_profile_card_sections_and_html(data):
    card = ka.profile_card(data, "c00002")
    assert card.customer_id == "C00002"
    assert list(card.sections) == list(ka.KA3_CATEGORY)
    frame = card.to_frame()
    assert set(frame["file_category"]) == set(ka.KA3_CATEGORY.values())
    performance = frame[frame["section"] == "performance"].set_index("field")["value"]
    assert "revenue ¥146,664" in performance["2025"]
    assert card.shop_name == "Heping Web Store 36"  # the HTML card: tests/widgets


def test_profile_card_counts_unpaid_invoices(data):
    unpaid = data.orders[data.orders["paid_date"].isna()]
    cid = str(unpaid["customer_id"].iloc[0])
    n = int(
        (data.orders["customer_id"].astype(str) == cid).mul(data.orders["paid_date"].isna()).sum()
    )
    trading = ka.profile_card(data, cid).sections["current trading"].set_index("field")["value"]
    assert trading["unpaid invoices"].startswith(f"{n} for")


def test_unknown_customer_gets_suggestions(data):
    with pytest.raises(CrmkitError, match="did you mean"):
        ka.profile_card(data, "C0002")
    with pytest.raises(CrmkitError, match="type part"):
        cb.find_customers(data, "  ")
    hits = cb.find_customers(data, "WEB store", limit=3)
    assert len(hits) == 3 and hits["shop_name"].str.contains("Web Store").all()


def test_account_plan_problems_and_a_complete_plan(data):
    template = ka.plan_template("C00002")
    assert set(template.keys) == set(ka.RELATIONSHIP_KEYS.index)
    problems = template.problems(data)
    assert any("at least two" in p for p in problems)
    assert any("'trust': the score" in p for p in problems)
    assert any("template" in p for p in problems)
    plan = ka.AccountPlan(
        "C00002",
        {k: (4, f"{k} looks fine, we think") for k in ka.RELATIONSHIP_KEYS.index},
        {
            "supply priority": "stock-outs would hurt this shop",
            "joint promotton": "they like promotions a lot",
        },
    )
    found = plan.problems(data)
    assert found == ["'joint promotton' is not one of the loyalty strategies; did you mean "
                     "'joint promotions'?"]  # fmt: skip
    with pytest.raises(CrmkitError, match="not complete"):
        plan.check(data)
    plan.strategies = {
        "supply priority": "stock-outs would hurt this shop",
        "annual meeting": "agree next year's volume together",
    }
    # complete in form, but generic: nothing ties it to C00002's card
    assert any("could be about any customer" in p for p in plan.problems(data))
    assert plan.problems() == []  # without the data only the form is checked
    card = ka.profile_card(data, "C00002")
    figures = sorted(ka.card_figures(card, ka.KEY_EVIDENCE["competitors"]), reverse=True)
    big, second = f"¥{figures[0]:,.0f}", f"¥{figures[1]:,.0f}"
    plan.keys = {k: (3, f"{k}: our notes, case {i}") for i, k in enumerate(plan.keys)}
    plan.keys["competitors"] = (4, f"a figure of {big} on its card shows rivals get little")
    plan.keys["cooperation risk"] = (3, f"{second} is what we would lose if it left")
    plan.strategies["annual meeting"] = f"protect the {big} with a yearly review"
    # two notes cite the card, a strategy's reason does not count: not specific enough
    assert any("could be about any customer" in p for p in plan.problems(data))
    reach = max(ka.card_figures(card, ka.KEY_EVIDENCE["exit barriers"]))
    plan.keys["exit barriers"] = (2, f"{reach:,.0f} consumers a week would miss our goods")
    plan.check(data)  # complete and specific: no error
    # the same plan for another customer cites figures that are not on that card
    other = ka.AccountPlan("C00006", plan.keys, plan.strategies)
    assert any("could be about any customer" in p for p in other.problems(data))
    # short notes and copied notes are caught
    short = ka.AccountPlan("C00002", {**plan.keys, "trust": (4, "good")}, plan.strategies)
    assert any("say more than 'good'" in p for p in short.problems())
    same = ka.AccountPlan("C00002", {k: (3, "the same note for all") for k in plan.keys}, {})
    assert any("some notes are the same" in p for p in same.problems())


def test_numbers_that_are_counts_or_time_spans_are_not_figures():
    text = "every 12 months, 9 times a year, 3 of 5, in 2025, 56% of orders, ¥112,173, 1,930"
    assert ka._figures_in(text) == [56.0, 112173.0, 1930.0]
    assert ka._figures_in("review 150 days after, 200 points") == []


def test_generic_plans_are_turned_back(data):
    card = ka.profile_card(data, "C00006")
    facts = card.to_frame().set_index("field")["value"]
    assert (
        facts["ordering rhythm"].startswith("9 orders") and "12 months" in facts["ordering rhythm"]
    )
    assert not facts["overdue invoices"].startswith("0 ")
    # counts and time spans that happen to be on the card cite nothing
    counts = ex05._plan_of_counts("C00006")
    assert counts.problems() == []  # complete in form
    assert any("0 notes cite one" in p for p in counts.problems(data))
    # a figure from another section of the card does not support a key
    wrong_part = ka.AccountPlan(
        "C00006",
        {k: (3, f"{k}: the ¥112,173 of recent orders says it all") for k in ka.KEY_EVIDENCE},
        counts.strategies,
    )
    found = wrong_part.problems(data)
    assert any("2 notes cite one" in p for p in found)  # trust and cooperation risk only
    # trust 5 while invoices are overdue
    blind = ex05._plan_blind_to_overdue("C00006")
    found = blind.problems(data)
    assert found and all("'trust' scores 5" in p for p in found)
    blind.keys["trust"] = (2, blind.keys["trust"][1])
    blind.check(data)
    # competitors 5 while the share of wallet is low
    assert (
        ka.profile_card(data, "C00002")
        .to_frame()
        .set_index("field")
        .loc["share of wallet", "value"]
        .startswith("41%")
    )
    low = ka.AccountPlan(
        "C00002",
        {**blind.keys, "competitors": (5, "no rival in sight here")},
        blind.strategies,
    )
    assert any("'competitors' scores 5" in p and "41%" in p for p in low.problems(data))


def test_the_plan_is_the_core_information_of_the_file(data):
    assert ka.KA3_CATEGORY["our plan"].startswith("core information (核心信息)")
    assert "performance" not in [k for k, v in ka.KA3_CATEGORY.items() if "core" in v]
    empty = ka.profile_card(data, "C00002").sections["our plan"]
    assert "no plan yet" in empty["value"].iloc[0]
    plan = ka.AccountPlan(
        "C00002",
        {"trust": (4, "x"), "exit barriers": (2, "y")},
        {"supply priority": "keep the shelves full"},
    )
    filed = ka.profile_card(data, "C00002", plan=plan).sections["our plan"]
    rows = dict(zip(filed["field"], filed["value"], strict=True))
    assert rows["supply priority"] == "keep the shelves full"
    assert rows["weakest key"] == "exit barriers (2 of 5)"


def test_compare_rules_shows_who_enters_and_leaves(data):
    measures = ka.key_account_measures(data, period_end="2025-12-31")
    same = ka.compare_rules(measures, ka.KeyAccountRule())
    assert set(same["change"]) == {"stays"}
    stricter = ka.compare_rules(measures, ka.KeyAccountRule(volume_top_share=0.05))
    assert "enters" not in set(stricter["change"]) and (stricter["change"] == "leaves").any()
    looser = ka.compare_rules(measures, ka.KeyAccountRule(min_other_criteria=1))
    entered = looser.index[looser["change"] == "enters"]
    assert len(entered) and (looser.loc[entered, "criteria_met"] == 1).all()


def test_tables_carry_the_seed_terms():
    assert list(ka.RELATIONSHIP_KEYS["chinese"]) == [
        "信任",
        "竞争对手",
        "进入壁垒",
        "退出壁垒",
        "合作风险",
    ]
    assert {"supply priority", "annual meeting", "joint promotions"} <= set(
        ka.LOYALTY_STRATEGIES.index
    )
    assert len(ka.CRITERIA) == 5 and ka.CRITERIA["why"].str.len().min() > 20


@pytest.mark.parametrize("period_end", ["2030-06-30", "2021-06-30"])
def test_a_period_without_orders_gives_no_customers_not_a_crash(data, period_end):
    """The measures of a period outside the data are an empty table with every column, and
    the explorer then says what to change (issue 11: a TypeError reached the learner)."""
    from crmkit import widgets

    measures = ka.key_account_measures(data, period_end=period_end)
    assert measures.empty
    assert list(measures.columns) == list(ka.key_account_measures(data).columns)
    for refuse in (ka.identify_key_accounts, widgets.KeyAccountExplorer):
        with pytest.raises(CrmkitError, match="no customers to assess; check the period"):
            refuse(measures)
