"""Customer value (crmkit.value): hand-checked numbers, properties, and the signals in the data."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import glossary
from crmkit import pyramid as pyr
from crmkit import value as va
from crmkit.customer_base import customer_profit
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.tiers import assign_tiers


@pytest.fixture(scope="module")
def data():
    return load_sample()


PARTS = dict(
    product=50, service=20, personnel=10, image=10, money=60, time=10, energy=5, physical=5
)
amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False)


# -- VA1 perceived value -----------------------------------------------------------------------


def test_perceived_value_by_hand():
    pv = va.perceived_value(**PARTS)
    assert pv.total_value == 90 and pv.total_cost == 80
    assert pv.perceived_value == 10 and pv.ratio == pytest.approx(1.125)
    table = pv.table()
    assert list(table.columns) == ["side", "part", "chinese", "amount"]
    assert table.groupby("side")["amount"].sum().to_dict() == {"value": 90, "cost": 80}
    assert table.set_index("part")["chinese"].to_dict() == {
        "product": "产品价值",
        "service": "服务价值",
        "personnel": "人员价值",
        "image": "形象价值",
        "money": "货币成本",
        "time": "时间成本",
        "energy": "精力成本",
        "physical": "体力成本",
    }


def test_perceived_value_chinese_terms_match_the_glossary():
    known = {t.simplified for t in glossary.TERMS}
    terms = set(va.perceived_value(**PARTS).table()["chinese"]) - {"精力成本"}
    assert terms <= known


def test_perceived_value_ratio_without_cost():
    free = {**PARTS, "money": 0, "time": 0, "energy": 0, "physical": 0}
    assert va.perceived_value(**free).ratio == math.inf
    nothing = dict.fromkeys(PARTS, 0)
    assert math.isnan(va.perceived_value(**nothing).ratio)


@pytest.mark.parametrize("bad", [-1, "a lot", None, float("nan"), True])
def test_perceived_value_rejects_bad_parts_by_name(bad):
    with pytest.raises(CrmkitError, match="the time part"):
        va.perceived_value(**{**PARTS, "time": bad})


def test_perceived_value_is_frozen():
    pv = va.perceived_value(**PARTS)
    with pytest.raises(AttributeError):
        pv.money = 0


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=8, max_size=8))
def test_perceived_value_is_value_minus_cost(values):
    pv = va.perceived_value(**dict(zip(PARTS, values, strict=True)))
    assert pv.perceived_value == pytest.approx(sum(values[:4]) - sum(values[4:]))
    assert pv.table()["amount"].tolist() == values


# -- VA4 promises ------------------------------------------------------------------------------


def test_promise_scenarios_by_hand():
    table = va.promise_scenarios(8, [6, 8, 10])
    assert table["gap"].tolist() == [2, 0, -2]
    assert table["expectation"].tolist() == [6, 8, 10]
    assert table["verdict"].tolist() == ["delighted", "satisfied", "disappointed"]
    lenient = va.promise_scenarios(8, [6, 8, 10], tolerance=2)
    assert lenient["verdict"].tolist() == ["satisfied"] * 3


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 10), st.lists(st.floats(0, 10), min_size=1, max_size=8))
def test_promising_more_never_improves_the_verdict(delivered, promises):
    table = va.promise_scenarios(delivered, sorted(promises))
    rank = table["verdict"].map({v: i for i, v in enumerate(va.VERDICTS)})
    assert rank.is_monotonic_increasing
    assert table["gap"].is_monotonic_decreasing


@pytest.mark.parametrize("promises", [[], "8", [8, "ten"]])
def test_promise_scenarios_rejects_bad_promises(promises):
    with pytest.raises(CrmkitError):
        va.promise_scenarios(8, promises)


# -- VA3 and VA6 tables ------------------------------------------------------------------------


def test_value_components():
    table = va.VALUE_COMPONENTS
    assert table["chinese"].tolist() == ["功能价值", "体验价值", "社会价值", "便利价值", "关系价值"]
    assert table.set_index("component").loc["relationship value", "value_to"] == "firm"
    assert table.notna().all().all() and (table["example"].str.len() > 10).all()


def test_value_added_services():
    table = va.VALUE_ADDED_SERVICES
    assert len(table) == 5
    assert {"捆绑式销售", "定制化营销"} <= set(table["chinese"])
    assert table["service"].str.contains("VIP").any()
    assert table["distributor_example"].str.len().gt(10).all()


# -- VA2 lifetime value ------------------------------------------------------------------------


def test_lifetime_value_by_hand():
    assert va.lifetime_value(1000, 0.8, 0.1, None) == pytest.approx(1000 * 0.8 / 0.3)
    assert va.lifetime_value(1000, 0.8) == va.lifetime_value(1000, 0.8, 0.08, va.HORIZON_YEARS)
    assert va.lifetime_value(1000, 0.8, 0.1, years=2) == pytest.approx(
        1000 * (0.8 / 1.1 + 0.64 / 1.21)
    )
    assert va.lifetime_value(1000, 0.5, 0.0, years=0) == 0
    assert va.lifetime_value(100, 1.0, 0.0, years=3) == pytest.approx(300)
    assert va.lifetime_value(-100, 0.5, 0.0, years=1) == pytest.approx(-50)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000, 1.0, 0.1, None), "infinite"),
        ((1000, 1.2, 0.1, 5), "between 0 and 1"),
        ((1000, -0.1, 0.1, None), "at least 0"),
        ((1000, 0.8, -1.0), "above -1"),
        ((1000, 0.8, -0.3, None), "never ends"),
        ((1000, 0.8, 0.1, -1), "years"),
        ((1000, 0.8, 0.1, 2.5), "years"),
        (("1000", 0.8, 0.1), "margin"),
    ],
)
def test_lifetime_value_rejects_bad_inputs(args, message):
    with pytest.raises(CrmkitError, match=message):
        va.lifetime_value(*args)


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 1e5), st.floats(0, 0.95), st.floats(0, 0.3), st.integers(0, 30))
def test_lifetime_value_properties(margin, retention, rate, years):
    finite = va.lifetime_value(margin, retention, rate, years)
    forever = va.lifetime_value(margin, retention, rate, None)
    more = va.lifetime_value(margin, retention, rate, years + 1)
    assert more >= finite - 1e-9  # one more year can only add
    assert finite <= forever + 1e-6  # a horizon can only cut the value
    assert va.lifetime_value(margin, retention, rate, 2000) == pytest.approx(forever, abs=1e-6)
    assert va.lifetime_value(-margin, retention, rate, years) == pytest.approx(-finite)


def test_lifetime_values_match_the_scalar_rule():
    margins = pd.Series([100.0, -50.0, 0.0], index=["A", "B", "C"])
    out = va.lifetime_values(margins, 0.7, 0.05, years=4)
    assert out.name == "lifetime_value" and list(out.index) == ["A", "B", "C"]
    assert out["A"] == pytest.approx(va.lifetime_value(100, 0.7, 0.05, 4))
    assert out["B"] == pytest.approx(va.lifetime_value(-50, 0.7, 0.05, 4))
    with pytest.raises(CrmkitError, match="missing"):
        va.lifetime_values(pd.Series([1.0, None]), 0.7, 0.05)
    with pytest.raises(CrmkitError, match="Series of numbers"):
        va.lifetime_values(pd.Series(["a"]), 0.7, 0.05)
    with pytest.raises(CrmkitError, match="infinite"):
        va.lifetime_values(margins, 1.0, 0.05, None)


def test_clv_sensitivity_by_hand():
    table = va.clv_sensitivity(1000, 0.8, 0.08).set_index("input")
    base = va.lifetime_value(1000, 0.8, 0.08, va.HORIZON_YEARS)
    assert table.loc["margin", ["low", "high"]].tolist() == pytest.approx([900, 1100])
    assert table.loc["margin", "swing"] == pytest.approx(0.2 * base)
    assert table.loc["margin", "effect_up"] == pytest.approx(0.1)
    # equal relative steps: retention moves by 10% of itself, not by ten points
    assert table.loc["retention", ["low", "high"]].tolist() == pytest.approx([0.72, 0.88])
    assert table.loc["retention", "clv_high"] == pytest.approx(
        va.lifetime_value(1000, 0.88, 0.08, va.HORIZON_YEARS)
    )
    assert table.loc["discount_rate", ["low", "high"]].tolist() == pytest.approx([0.072, 0.088])
    assert table.loc["discount_rate", "swing"] < 0  # a higher rate lowers the value
    assert (table["clv_base"] == base).all()
    assert list(table.index) == ["retention", "margin", "discount_rate"]  # largest swing first
    headline = va.sensitivity_headline(table.reset_index())
    assert "retention moves the lifetime value most" in headline


def test_clv_sensitivity_clips_retention():
    high = va.clv_sensitivity(1000, 0.95, 0.08).set_index("input").loc["retention"]
    assert high["high"] == 1.0
    forever = va.clv_sensitivity(1000, 0.95, 0.08, years=None).set_index("input")
    assert forever.loc["retention", "high"] == 0.99
    low = va.clv_sensitivity(1000, 0.0, 0.08, years=3).set_index("input").loc["retention"]
    assert low["low"] == 0.0 and low["clv_low"] == 0.0
    with pytest.raises(CrmkitError, match="change"):
        va.clv_sensitivity(1000, 0.8, 0.08, change=1.5)


def test_retention_step_in_lost_customers_and_the_cap():
    relative = va.clv_sensitivity(1000, 0.85, 0.08).set_index("input")
    lost = va.clv_sensitivity(1000, 0.85, 0.08, retention_step="lost").set_index("input")
    # a tenth fewer lost customers: 15% lost -> 13.5% lost, and 16.5% for the step down
    assert lost.loc["retention", ["low", "high"]].tolist() == pytest.approx([0.835, 0.865])
    assert relative.loc["retention", "high"] == pytest.approx(0.935)
    assert lost.loc["retention", "swing"] < relative.loc["retention", "swing"]
    assert lost.loc["margin", "swing"] == pytest.approx(relative.loc["margin", "swing"])
    assert not relative["capped"].any() and not lost["capped"].any()
    note = va.retention_step_note(0.85)
    assert "93.5%" in note and "removes 57%" in note and "13.5%" in note
    # near 100% the relative step is cut at the top, and the headline says so
    near = va.clv_sensitivity(1000, 0.95, 0.08)
    assert near.set_index("input").loc["retention", "capped"]
    assert "capped at 100%" in va.sensitivity_headline(near)
    assert "capped at 100%" in va.retention_step_note(0.95)
    headline = va.sensitivity_headline(lost.reset_index(), retention_step="lost")
    assert "fewer lost customers" in headline
    with pytest.raises(CrmkitError, match="retention_step"):
        va.clv_sensitivity(1000, 0.8, retention_step="points")


def test_clv_by_year_adds_up_to_the_lifetime_value():
    table = va.clv_by_year(1000, 0.7, 0.1, 4)
    assert table["year"].tolist() == [1, 2, 3, 4]
    assert table["still_here"].iloc[1] == pytest.approx(0.49)
    assert table["cumulative"].iloc[-1] == pytest.approx(va.lifetime_value(1000, 0.7, 0.1, 4))
    with pytest.raises(CrmkitError, match="horizon"):
        va.clv_by_year(1000, 0.7, 0.1, None)


@settings(max_examples=40, deadline=None)
@given(st.floats(1, 1e5), st.floats(0.05, 0.9), st.floats(0.01, 0.3))
def test_clv_sensitivity_is_sorted_by_swing(margin, retention, rate):
    swings = va.clv_sensitivity(margin, retention, rate, years=5)["swing"].abs()
    assert swings.is_monotonic_decreasing


def test_assumptions_are_plain_sentences():
    assert len(va.ASSUMPTIONS) >= 5
    assert all(isinstance(a, str) and a.endswith(".") for a in va.ASSUMPTIONS)


# -- retention measured in the data ------------------------------------------------------------


def _orders(rows) -> pd.DataFrame:
    ids, dates, revenue, margin = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": list(ids),
            "order_date": pd.to_datetime(list(dates)),
            "revenue": list(revenue),
            "gross_margin": list(margin),
            "discount": 0.0,
        }
    )


def test_retention_rate_by_hand():
    orders = _orders(
        [(c, "2024-05-01", 1.0, 1.0) for c in "ABCD"] + [(c, "2025-05-01", 1.0, 1.0) for c in "ACE"]
    )
    tiny = SimpleNamespace(orders=orders)
    assert va.retention_rate(tiny, 2025) == pytest.approx(0.5)  # A and C of A, B, C, D
    by = pd.Series({"A": "x", "B": "x", "C": "x", "D": "y", "Z": "y"}, name="tier")
    rates = va.retention_rate(tiny, 2025, by=by)
    assert rates.to_dict() == pytest.approx({"x": 2 / 3, "y": 0.0})
    with pytest.raises(CrmkitError, match="no group for 1"):
        va.retention_rate(tiny, 2025, by=by.drop("D"))
    with pytest.raises(CrmkitError, match="no customer ordered in 2023"):
        va.retention_rate(tiny, 2024)


def test_retention_rate_in_the_sample(data):
    overall = va.retention_rate(data, 2025)
    assert 0.3 < overall < 0.95
    tiers = assign_tiers(customer_profit(data, 2024)["profit"])
    rates = va.retention_rate(data, 2025, by=tiers)
    assert list(rates.index) == ["VIP", "major", "ordinary", "small"]
    assert rates["VIP"] > rates["small"]  # valuable customers stay more often


# -- PY5 core-customer value analysis ----------------------------------------------------------


def _core_data() -> SimpleNamespace:
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "join_date": pd.to_datetime(["2024-03-01", "2023-01-01"]),
        }
    )
    orders = _orders(
        [
            ("A", "2024-02-01", 999.0, 99.0),  # before A joined: not counted
            ("A", "2024-05-01", 1000.0, 200.0),
            ("A", "2025-02-01", 2000.0, 400.0),
            ("B", "2025-03-01", 500.0, 50.0),
        ]
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["A", "A"],
            "contact_date": pd.to_datetime(["2025-03-01", "2024-06-01"]),
            "contact_type": ["visit", "phone_call"],
            "purpose": ["routine", "sales"],
            "cost": [50.0, 10.0],
        }
    )
    complaints = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype=str),
            "opened_at": pd.to_datetime([]),
            "compensation": pd.Series([], dtype=float),
        }
    )
    return SimpleNamespace(
        customers=customers,
        orders=orders,
        contacts=contacts,
        complaints=complaints,
        analysis_date=pd.Timestamp("2025-12-31"),
    )


def test_core_value_analysis_by_hand():
    row = va.core_value_analysis(_core_data(), "A", retention=0.5, discount_rate=0.0, years=2)
    assert list(row.index) == va.CORE_LABELS and row.name == "A"
    assert row["annual sales"] == 2000
    assert row["total revenue"] == 3000
    assert row["contact cost"] == 60
    assert row["net customer profit"] == 540  # 600 margin - 60 contact cost
    assert row["relationship duration (years)"] == pytest.approx(670 / 365.25)
    assert row["profit in the last 12 months"] == 350
    assert row["expected profit"] == pytest.approx(350 * (0.5 + 0.25))


def test_core_value_analysis_mid_year():
    row = va.core_value_analysis(_core_data(), "A", as_of="2025-01-31", retention=0.5)
    assert row["annual sales"] == 1000  # not the 2025-02-01 order (after as_of) nor the
    assert row["total revenue"] == 1000  # 2024-02-01 one (before A joined)


def test_core_value_analysis_errors():
    tiny = _core_data()
    with pytest.raises(CrmkitError, match="no customer 'AA'.*did you mean A"):
        va.core_value_analysis(tiny, "AA")
    with pytest.raises(CrmkitError, match="joined after"):
        va.core_value_analysis(tiny, "A", as_of="2024-01-01", retention=0.5)
    with pytest.raises(CrmkitError, match="after the analysis date"):
        va.core_value_analysis(tiny, "A", as_of="2026-06-01")
    with pytest.raises(CrmkitError, match="give the retention rate yourself"):
        va.core_value_analysis(tiny, "A", as_of="2024-12-31")  # no 2023 buyers to compare


def test_core_value_analysis_in_the_sample(data):
    year = customer_profit(data, 2025)
    top = year["profit"].idxmax()
    row = va.core_value_analysis(data, top)
    assert row["annual sales"] == pytest.approx(year.loc[top, "revenue"])
    assert row["total revenue"] >= row["annual sales"]
    tiers = assign_tiers(customer_profit(data, 2024)["profit"])
    tier = tiers["tier"].get(top)  # its tier of 2024, if it was active then
    rates = va.retention_rate(data, 2025, by=tiers)
    expected_rate = rates[tier] if tier is not None else va.retention_rate(data, 2025)
    assert row["retention rate used"] == pytest.approx(expected_rate)
    assert row["expected profit"] == pytest.approx(
        va.lifetime_value(row["profit in the last 12 months"], expected_rate, 0.08, 5)
    )
    # ids are matched as the data spells them, whatever the case; typos get suggestions
    assert va.core_value_analysis(data, " c00001 ").name == "C00001"
    with pytest.raises(CrmkitError, match="did you mean .*C00001"):
        va.core_value_analysis(data, "C000011")


def test_core_value_table_matches_single_rows(data):
    ids = ["C00001", "C00002", "C00485"]
    table = va.core_value_table(data, ids)
    assert list(table.index) == ids and list(table.columns) == va.CORE_LABELS
    single = va.core_value_analysis(data, "C00002")
    pd.testing.assert_series_equal(table.loc["C00002"], single, check_names=False)


# -- VA5 value beyond own sales ----------------------------------------------------------------


def _network_data() -> SimpleNamespace:
    customers = pd.DataFrame(
        {
            "customer_id": list("ABCDEF"),
            "referred_by": ["", "A", "A", "", "D", "A"],
            "consumer_reach": [5000, 100, 200, 300, 400, 500],
        }
    ).replace({"referred_by": {"": None}})
    orders = _orders(
        [
            ("A", "2025-01-10", 100.0, 10.0),
            ("B", "2025-02-10", 500.0, 50.0),
            ("C", "2025-03-10", 300.0, 30.0),
            ("D", "2024-03-10", 300.0, 30.0),  # D is not active in 2025
            ("E", "2025-04-10", 200.0, 20.0),
        ]
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["C"],
            "contact_date": pd.to_datetime(["2025-05-01"]),
            "contact_type": ["visit"],
            "purpose": ["routine"],
            "cost": [40.0],
        }
    )
    complaints = _core_data().complaints
    return SimpleNamespace(
        customers=customers, orders=orders, contacts=contacts, complaints=complaints
    )


def test_network_value_by_hand():
    net = va.network_value(_network_data(), 2025)
    assert list(net.index) == ["A", "B", "C", "E"]
    a = net.loc["A"]
    assert a["own_profit"] == 10 and a["referrals"] == 3  # B, C and the inactive F
    assert a["referred_profit"] == 40  # B 50 + C (30 - 40)
    assert a["network_profit"] == 50 and a["consumer_reach"] == 5000
    assert net.loc["B", "referrals"] == 0 and net.loc["B", "network_profit"] == 50
    with pytest.raises(CrmkitError, match="no customer was active in 2030"):
        va.network_value(_network_data(), 2030)


def test_hidden_value_summary_by_hand():
    net = va.network_value(_network_data(), 2025)
    tiers = pd.Series({"A": "small", "B": "VIP", "C": "small", "E": "small"})
    summary = va.hidden_value_summary(net, tiers)
    small = summary.loc["small"]
    assert small["customers"] == 3 and small["referrers"] == 1
    assert small["share_referring"] == pytest.approx(1 / 3)
    assert small["referred_profit"] == 40 and small["referred_profit_per_referrer"] == 40
    assert small["mean_consumer_reach"] == pytest.approx((5000 + 200 + 400) / 3)
    assert small["referred_beats_own"] == 1  # A: 40 referred against 10 own
    assert summary.loc["VIP", "referrers"] == 0
    with pytest.raises(CrmkitError, match="have no tier"):
        va.hidden_value_summary(net, tiers.drop("E"))


def test_small_customers_carry_hidden_value_in_the_sample(data):
    net = va.network_value(data, 2025)
    tiers = pyr.assign_tiers(net["own_profit"])
    summary = va.hidden_value_summary(net, tiers)
    assert summary["customers"].sum() == len(net)
    small = summary.loc["small"]
    assert small["referrers"] > 0 and small["referred_profit"] > 0
    assert small["referred_beats_own"] > 0  # some small shops bring more through referrals
    # consumer reach is not tied to revenue: big and small shops reach similar numbers
    assert net["consumer_reach"].rank().corr(net["revenue"].rank()) < 0.3
    assert (
        summary.loc["small", "mean_consumer_reach"]
        > 0.8 * summary.loc["VIP", "mean_consumer_reach"]
    )


# -- VA6 the Starbucks what-if -----------------------------------------------------------------


def test_stay_what_if_defaults_come_from_seed_002():
    case = va.StayWhatIf()
    assert (case.core_age_min, case.core_age_max) == (25, 40)
    assert case.visits_per_month == 18 and case.stay_before_hours == 2
    assert 3 <= case.stay_after_hours <= 4
    assert (case.wifi_launch, case.wifi_stores) == ("2002-08", 1000)
    table = case.assumptions().set_index("name")
    assert table.loc["visits_per_month", "source"] == "seed 002"
    for ours in ("spend_per_hour", "laptop_share", "cost_per_store_month"):
        assert table.loc[ours, "source"] == "our assumption"
    assert table.loc["extra_visits_per_month", "value"] == 0


def test_stay_what_if_results_by_hand():
    case = va.StayWhatIf()
    results = case.results().set_index("measure")["value"]
    laptop = 18 * case.laptop_share
    assert results["laptop visits per customer a month"] == pytest.approx(laptop)
    assert results["extra hours per customer a month"] == pytest.approx(laptop * 1.5)
    assert results["extra spend per customer a month"] == pytest.approx(laptop * 1.5 * 2.0)
    customers = case.customers_per_store * 1000
    margin = laptop * 1.5 * 2.0 * 12 * 0.6 * customers
    cost = case.cost_per_store_month * 12 * 1000
    assert results["extra margin a year, all Wi-Fi stores"] == pytest.approx(margin)
    assert results["service cost a year, all Wi-Fi stores"] == pytest.approx(cost)
    assert results["net gain a year"] == pytest.approx(margin - cost)
    # at the break-even spend per hour the service just pays for itself
    even = results["break-even spend per extra hour"]
    flat = va.StayWhatIf(spend_per_hour=even).results().set_index("measure")["value"]
    assert flat["net gain a year"] == pytest.approx(0, abs=1e-6)
    # plausible: a core customer's laptop hours stay well under a working week a month
    assert results["hours with a laptop per customer a month, after"] < 40
    more = va.StayWhatIf(extra_visits_per_month=2).results().set_index("measure")["value"]
    assert more["extra spend per customer a month"] == pytest.approx(laptop * 3.0 + 2 * 4.0)


def test_stay_what_if_sweep_and_shorter_stays():
    results = va.StayWhatIf(stay_after_hours=1.5).results().set_index("measure")["value"]
    assert results["extra hours per customer a month"] == pytest.approx(18 * 0.15 * -0.5)
    sweep = va.StayWhatIf().sweep("laptop_share", [0.0, 0.3])
    assert sweep["net_gain"].iloc[0] == pytest.approx(-sweep["service_cost"].iloc[0])
    assert sweep["net_gain"].iloc[1] > sweep["net_gain"].iloc[0]
    with pytest.raises(CrmkitError, match="not an input"):
        va.StayWhatIf().sweep("wifi", [1])


@pytest.mark.parametrize(
    "bad",
    [
        {"stay_before_hours": -1},
        {"visits_per_month": "many"},
        {"margin_rate": 1.5},
        {"laptop_share": 2},
        {"core_age_min": 41},
        {"extra_visits_per_month": -20},
        {"spend_per_hour": -2},
        {"cost_per_store_month": -1},
    ],
)
def test_stay_what_if_rejects_bad_inputs(bad):
    with pytest.raises(CrmkitError):
        va.StayWhatIf(**bad)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 10), st.floats(0, 10), st.floats(0, 40))
def test_stay_what_if_extra_hours_rule(before, after, visits):
    case = va.StayWhatIf(stay_before_hours=before, stay_after_hours=after, visits_per_month=visits)
    results = case.results().set_index("measure")["value"]
    expected = visits * case.laptop_share * (after - before)
    assert results["extra hours per customer a month"] == pytest.approx(expected)
