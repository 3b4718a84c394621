"""The customer base: profit with its parts, periods from the data, lookup, ranking, money."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import customer_base as cb
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError


@pytest.fixture(scope="module")
def data():
    return load_sample()


def _tiny() -> SimpleNamespace:
    """Three active customers and a silent one; every number below is worked out by hand."""
    orders = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2", "C3"],
            "order_date": pd.to_datetime(["2025-01-05", "2025-06-01", "2025-03-01", "2024-12-31"]),
            "revenue": [1000.0, 500.0, 200.0, 900.0],
            "gross_margin": [200.0, 100.0, 30.0, 150.0],
            "discount": [50.0, 0.0, 20.0, 10.0],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2", "C2", "C3"],
            "contact_date": pd.to_datetime(
                ["2025-02-01", "2025-02-02", "2025-04-01", "2025-04-02", "2025-05-01"]
            ),
            "contact_type": ["visit", "phone_call", "visit", "call_back", "visit"],
            "purpose": ["routine", "sales", "complaint_follow_up", "routine", "routine"],
            "cost": [80.0, 10.0, 90.0, 5.0, 70.0],
        }
    )
    complaints = pd.DataFrame(
        {
            "customer_id": ["C2", "C3"],
            "opened_at": pd.to_datetime(["2025-03-20 10:00", "2023-05-01 09:00"]),
            "compensation": [40.0, 500.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "shop_name": ["Lotus Mart", "Bamboo Kiosk", "River Diner", "Lotus Online"],
            "business_format": ["supermarket", "kiosk", "restaurant", "online_shop"],
            "market_type": ["urban", "rural", "suburban", "urban"],
        }
    )
    return SimpleNamespace(
        orders=orders,
        contacts=contacts,
        complaints=complaints,
        customers=customers,
        analysis_date=pd.Timestamp("2025-12-31"),
    )


# -- profit ---------------------------------------------------------------------------------


def test_profit_parts_by_hand():
    table = cb.customer_profit(_tiny(), cb.year(2025), customers="served")
    assert list(table.columns) == cb.PROFIT_COLUMNS
    assert list(table.index) == ["C1", "C2", "C3"]  # C3 has a 2025 contact, no 2025 order
    # the year's customers are its buyers: C3 bought nothing in 2025
    assert list(cb.customer_profit(_tiny(), cb.year(2025)).index) == ["C1", "C2"]
    c1, c2, c3 = table.loc["C1"], table.loc["C2"], table.loc["C3"]
    assert c1["margin_before_discount"] == 350 and c1["discounts"] == 50
    assert c1["gross_margin"] == 300 and c1["visits"] == 80 and c1["phone_calls"] == 10
    assert c1["profit"] == 210 and c1["orders"] == 2 and c1["contacts"] == 2
    # the complaint follow-up visit and the compensation are complaint handling
    assert c2["visits"] == 0 and c2["call_backs"] == 5 and c2["complaint_handling"] == 130
    assert c2["cost_to_serve"] == 135 and c2["profit"] == 30 - 135 and c2["complaints"] == 1
    assert c3["revenue"] == 0 and c3["profit"] == -70
    assert np.allclose(table[cb.SERVICE_PARTS].sum(axis=1), table["cost_to_serve"])
    assert table["orders"].dtype == "int64"


def test_start_is_inclusive_and_end_exclusive():
    table = cb.customer_profit(_tiny(), ("2025-01-05", "2025-06-01"), customers="served")
    assert table.loc["C1", "revenue"] == 1000 and table.loc["C1", "orders"] == 1
    assert "C3" in table.index and table.loc["C3", "revenue"] == 0  # 2024-12-31 is outside


def test_which_customers_are_rows():
    tiny = _tiny()
    assert list(cb.customer_profit(tiny).index) == ["C1", "C2", "C3"]  # all bought at some time
    assert "C4" not in cb.customer_profit(tiny, customers="served").index
    with pytest.raises(CrmkitError, match="customers must be one of"):
        cb.customer_profit(tiny, customers="active")
    every = cb.customer_profit(tiny, customers="all")
    assert every.loc["C4", "profit"] == 0 and every.loc["C4", "orders"] == 0
    # over all time C3 also pays its 2023 compensation
    assert every.loc["C3", "complaint_handling"] == 500


def test_short_view_is_the_same_computation():
    full = cb.customer_profit(_tiny(), 2025)
    short = cb.short_view(full)
    assert list(short.columns) == ["revenue", "gross_margin", "cost_to_serve", "profit", "orders"]
    pd.testing.assert_frame_equal(short, full[short.columns])


def test_bad_period_missing_columns_and_unknown_ids_are_explained():
    with pytest.raises(CrmkitError, match="must come before"):
        cb.customer_profit(_tiny(), ("2025-06-01", "2025-01-01"))
    with pytest.raises(CrmkitError, match="year"):
        cb.customer_profit(_tiny(), "last year")
    broken = _tiny()
    broken.orders = broken.orders.drop(columns="discount")
    with pytest.raises(CrmkitError, match="discount"):
        cb.customer_profit(broken)
    stranger = _tiny()
    stranger.orders.loc[0, "customer_id"] = "C99"
    with pytest.raises(CrmkitError, match="C99"):
        cb.customer_profit(stranger)


def test_sample_profit_adds_up_to_the_tables(data):
    period = cb.periods(data).last_full_year
    table = cb.customer_profit(data, period, customers="served")
    orders = data.orders[period.contains(data.orders["order_date"])]
    contacts = data.contacts[period.contains(data.contacts["contact_date"])]
    complaints = data.complaints[period.contains(data.complaints["opened_at"])]
    assert table["revenue"].sum() == pytest.approx(orders["revenue"].sum())
    assert table["cost_to_serve"].sum() == pytest.approx(
        contacts["cost"].sum() + complaints["compensation"].sum()
    )
    assert table["orders"].sum() == len(orders)
    # the same numbers as a plain groupby, customer by customer
    by_hand = orders.groupby("customer_id")["gross_margin"].sum()
    assert np.allclose(table["gross_margin"].reindex(by_hand.index), by_hand)


rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D", "E"]),
        st.integers(0, 60),
        st.floats(-500, 5000, allow_nan=False).map(lambda x: round(x, 2)),
        st.floats(-100, 1000, allow_nan=False).map(lambda x: round(x, 2)),
        st.sampled_from(["visit", "phone_call", "call_back"]),
        st.sampled_from(["routine", "complaint_follow_up"]),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows, rows, st.randoms(use_true_random=False))
def test_totals_are_kept_and_row_order_does_not_matter(order_rows, contact_rows, rnd):
    day = pd.Timestamp("2025-01-01")
    orders = pd.DataFrame(
        {
            "customer_id": [r[0] for r in order_rows],
            "order_date": [day + pd.Timedelta(days=r[1]) for r in order_rows],
            "revenue": [r[2] for r in order_rows],
            "gross_margin": [r[3] for r in order_rows],
            "discount": [abs(r[3]) / 10 for r in order_rows],
        },
        columns=["customer_id", "order_date", "revenue", "gross_margin", "discount"],
    ).astype({"order_date": "datetime64[ns]", "revenue": float, "gross_margin": float})
    contacts = pd.DataFrame(
        {
            "customer_id": [r[0] for r in contact_rows],
            "contact_date": [day + pd.Timedelta(days=r[1]) for r in contact_rows],
            "contact_type": [r[4] for r in contact_rows],
            "purpose": [r[5] for r in contact_rows],
            "cost": [abs(r[3]) for r in contact_rows],
        },
        columns=["customer_id", "contact_date", "contact_type", "purpose", "cost"],
    ).astype({"contact_date": "datetime64[ns]", "cost": float})
    complaints = pd.DataFrame({"customer_id": [], "opened_at": [], "compensation": []}).astype(
        {"customer_id": str, "opened_at": "datetime64[ns]", "compensation": float}
    )
    customers = pd.DataFrame({"customer_id": list("EDCBA")})
    bundle = SimpleNamespace(
        orders=orders, contacts=contacts, complaints=complaints, customers=customers
    )
    table = cb.customer_profit(bundle, customers="served")
    assert table["orders"].sum() == len(orders)
    assert table["gross_margin"].sum() == pytest.approx(orders["gross_margin"].sum(), abs=1e-6)
    assert table["cost_to_serve"].sum() == pytest.approx(contacts["cost"].sum(), abs=1e-6)
    assert np.allclose(table["profit"], table["gross_margin"] - table["cost_to_serve"])
    assert table.index.is_monotonic_increasing
    assert set(table.index) == set(orders["customer_id"]) | set(contacts["customer_id"])
    shuffled = SimpleNamespace(
        orders=orders.sample(frac=1, random_state=rnd.randint(0, 99)),
        contacts=contacts.sample(frac=1, random_state=rnd.randint(0, 99)),
        complaints=complaints,
        customers=customers.sample(frac=1, random_state=rnd.randint(0, 99)),
    )
    again = cb.customer_profit(shuffled, customers="served")
    pd.testing.assert_frame_equal(table, again, check_exact=False, atol=1e-6)
    assert set(cb.customer_profit(bundle).index) == set(orders["customer_id"])


# -- periods --------------------------------------------------------------------------------


def test_periods_come_from_the_data(data):
    p = cb.periods(data)
    assert p.analysis_date == data.analysis_date
    assert p.last_full_year.year == p.full_years[-1]
    assert p.year_before.year == p.full_years[-2]
    assert p.last_12_months.last_day == data.analysis_date
    assert p.full_years[0] >= data.orders["order_date"].min().year


@pytest.mark.parametrize(
    ("first", "analysis", "full"),
    [
        ("2019-01-02", "2021-12-31", (2019, 2020, 2021)),  # January start covers that year
        ("2019-03-01", "2021-12-31", (2020, 2021)),  # a March start does not
        ("2019-01-01", "2021-06-30", (2019, 2020)),  # half a year is not a full year
        ("2021-02-01", "2021-12-30", ()),
    ],
)
def test_full_years_follow_the_dates(first, analysis, full):
    tiny = SimpleNamespace(
        orders=pd.DataFrame({"order_date": pd.to_datetime([first, analysis])}),
        analysis_date=pd.Timestamp(analysis),
    )
    p = cb.periods(tiny)
    assert p.full_years == full
    if not full:
        with pytest.raises(CrmkitError, match="no full calendar year"):
            _ = p.last_full_year
        assert p.last_12_months.end == pd.Timestamp(analysis) + pd.Timedelta(days=1)


def test_period_arithmetic():
    y = cb.year(2024)
    assert (y.start, y.end, y.label, y.year) == (
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2025-01-01"),
        "2024",
        2024,
    )
    assert y.previous() == cb.year(2023)
    m = cb.months_to("2025-06-30", 12)
    assert (m.start, m.end, m.year) == (
        pd.Timestamp("2024-07-01"),
        pd.Timestamp("2025-07-01"),
        None,
    )
    assert m.previous().start == pd.Timestamp("2023-07-01")
    assert list(
        y.contains(pd.Series(pd.to_datetime(["2023-12-31", "2024-01-01", "2025-01-01"])))
    ) == [
        False,
        True,
        False,
    ]
    with pytest.raises(CrmkitError):
        cb.year(2024.5)
    with pytest.raises(CrmkitError):
        cb.months_to("2025-06-30", 0)


# -- attributes, lookup, ranking, money ------------------------------------------------------


def test_attributes_join_and_lookup():
    tiny = _tiny()
    table = cb.with_attributes(cb.customer_profit(tiny), tiny)
    assert list(table.columns[:3]) == cb.ATTRIBUTES
    assert table.loc["C2", "shop_name"] == "Bamboo Kiosk"
    assert list(cb.find_customers(tiny, "lotus").index) == ["C1", "C4"]
    assert list(cb.find_customers(tiny, "c3").index) == ["C3"]
    assert cb.known_customer(tiny, " c2 ") == "C2"
    with pytest.raises(CrmkitError, match="did you mean C1"):
        cb.known_customer(tiny, "C11")
    with pytest.raises(CrmkitError, match="type part"):
        cb.find_customers(tiny, "  ")


def test_best_first_breaks_ties_by_id_whatever_the_row_order():
    values = pd.Series([5.0, 7.0, 5.0, 1.0], index=["B", "D", "A", "C"])
    assert list(cb.best_first(values).index) == ["D", "A", "B", "C"]
    assert list(cb.best_first(values.iloc[::-1]).index) == ["D", "A", "B", "C"]


def test_money():
    assert cb.money(1234.4) == "¥1,234"
    assert cb.money(-1234.6) == "-¥1,235"


def test_buyers_and_lost_customers():
    tiny = _tiny()
    assert list(cb.buyers(tiny, 2025)) == ["C1", "C2"]
    assert list(cb.buyers(tiny, 2024)) == ["C3"]
    # C3 ordered in 2024 and not in 2025: lost in 2025, whatever its contacts
    assert list(cb.lost_customers(tiny, 2025)) == ["C3"]
    assert list(cb.lost_customers(tiny, 2026)) == ["C1", "C2"]
    with pytest.raises(CrmkitError, match="give the period"):
        cb.lost_customers(tiny, None)


def test_lost_customers_and_retention_agree(data):
    from crmkit import value

    p = cb.periods(data)
    before = cb.buyers(data, p.year_before)
    lost = cb.lost_customers(data, p.last_full_year)
    assert value.retention_rate(data, p.last_full_year.year) == pytest.approx(
        1 - len(lost) / len(before)
    )


def test_revenue_bridge_by_hand_and_on_the_sample(data):
    # C1 buys in both years (100 -> 250), C2 only in 2024 (40), C3 only in 2025 (30)
    orders = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2", "C1", "C3"],
            "order_date": pd.to_datetime(
                ["2024-02-01", "2024-08-01", "2024-05-01", "2025-03-01", "2025-07-01"]
            ),
            "revenue": [60.0, 40.0, 40.0, 250.0, 30.0],
            "gross_margin": [6.0, 4.0, 4.0, 25.0, 3.0],
            "discount": [0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    tiny = _tiny()
    tiny.orders = orders
    bridge = cb.revenue_bridge(tiny, 2025)
    assert list(bridge.index) == cb.BRIDGE_FIELDS
    assert bridge[
        ["customers_before", "lost_customers", "new_customers", "customers_now"]
    ].tolist() == [
        2,
        1,
        1,
        2,
    ]
    assert bridge["revenue_before"] == 140.0 and bridge["revenue_now"] == 280.0
    assert (bridge["from_lost"], bridge["from_stayers"], bridge["from_new"]) == (-40.0, 150.0, 30.0)
    assert bridge["revenue_change"] == 140.0
    with pytest.raises(CrmkitError, match="give the period"):
        cb.revenue_bridge(tiny, None)

    # on the sample: the parts add up, and the lost customers are the one definition
    p = cb.periods(data)
    sample = cb.revenue_bridge(data, p.last_full_year)
    parts = sample["from_lost"] + sample["from_stayers"] + sample["from_new"]
    assert parts == pytest.approx(sample["revenue_change"])
    assert sample["lost_customers"] == len(cb.lost_customers(data, p.last_full_year))
    assert sample["customers_now"] == len(cb.buyers(data, p.last_full_year))
    assert (
        sample["customers_before"] - sample["lost_customers"] + sample["new_customers"]
        == (sample["customers_now"])
    )


def test_the_ranking_measure_is_profit_unless_the_data_has_no_margins():
    table = pd.DataFrame({"revenue": [10.0, 5.0], "profit": [2.0, float("nan")]})
    assert cb.ranking_measure(table) == ("profit", "")
    measure, why = cb.ranking_measure(table.assign(profit=float("nan")))
    assert measure == "revenue" and "no margins" in why
