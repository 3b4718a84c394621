"""Profit per customer (crmkit.profit): hand-checked sums and properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import CrmkitError
from crmkit.profit import COLUMNS, customer_profit


def _orders():
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "B"],
            "order_date": pd.to_datetime(["2025-01-01", "2025-01-31", "2025-01-15", "2025-02-01"]),
            "revenue": [100.0, 50.0, 80.0, 40.0],
            "gross_margin": [20.0, 10.0, 8.0, 4.0],
        }
    )


def _contacts():
    return pd.DataFrame(
        {
            "customer_id": ["B", "C", "A"],
            "contact_date": pd.to_datetime(["2025-01-20", "2025-01-02", "2025-02-01"]),
            "cost": [30.0, 15.0, 7.0],
        }
    )


def test_whole_history_by_hand():
    table = customer_profit(_orders(), _contacts())
    assert list(table.columns) == COLUMNS
    assert list(table.index) == ["A", "B", "C"] and table.index.name == "customer_id"
    # A: margin 30, cost 7; B: margin 12, cost 30; C: contacts only, cost 15
    assert table.loc["A"].tolist() == [150.0, 30.0, 7.0, 23.0, 2]
    assert table.loc["B"].tolist() == [120.0, 12.0, 30.0, -18.0, 2]
    assert table.loc["C"].tolist() == [0.0, 0.0, 15.0, -15.0, 0]
    assert table["orders"].dtype == "int64"


def test_start_is_inclusive_and_end_exclusive():
    table = customer_profit(_orders(), _contacts(), start="2025-01-01", end="2025-02-01")
    # the orders and the contact on 2025-02-01 are left out, those on 2025-01-01 kept
    assert table.loc["A", "revenue"] == 150 and table.loc["A", "service_cost"] == 0
    assert table.loc["B", "revenue"] == 80 and table.loc["B", "orders"] == 1
    assert table["service_cost"].sum() == 45


def test_customers_adds_zero_rows_for_silent_customers():
    everyone = pd.DataFrame({"customer_id": ["D", "A", "B", "C"], "shop_name": list("wxyz")})
    for customers in (everyone, ["D", "A"]):
        table = customer_profit(_orders(), _contacts(), customers=customers)
        assert list(table.index) == ["A", "B", "C", "D"]
        assert table.loc["D"].tolist() == [0.0, 0.0, 0.0, 0.0, 0]


def test_empty_window_with_customers_gives_only_zero_rows():
    table = customer_profit(_orders(), _contacts(), start="2030-01-01", customers=["A"])
    assert table.loc["A"].tolist() == [0.0, 0.0, 0.0, 0.0, 0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: customer_profit(_orders().drop(columns="gross_margin"), _contacts()),
        lambda: customer_profit(_orders(), _contacts().drop(columns="cost")),
        lambda: customer_profit(_orders(), _contacts(), start="2025-02-01", end="2025-01-01"),
    ],
)
def test_mistakes_give_a_friendly_error(call):
    with pytest.raises(CrmkitError):
        call()


rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D", "E"]),
        st.integers(0, 60),
        st.floats(-500, 5000, allow_nan=False).map(lambda x: round(x, 2)),
        st.floats(-100, 1000, allow_nan=False).map(lambda x: round(x, 2)),
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
        },
        columns=["customer_id", "order_date", "revenue", "gross_margin"],
    ).astype({"order_date": "datetime64[ns]", "revenue": float, "gross_margin": float})
    contacts = pd.DataFrame(
        {
            "customer_id": [r[0] for r in contact_rows],
            "contact_date": [day + pd.Timedelta(days=r[1]) for r in contact_rows],
            "cost": [abs(r[3]) for r in contact_rows],
        },
        columns=["customer_id", "contact_date", "cost"],
    ).astype({"contact_date": "datetime64[ns]", "cost": float})
    table = customer_profit(orders, contacts)
    assert table["orders"].sum() == len(orders)
    assert table["gross_margin"].sum() == pytest.approx(orders["gross_margin"].sum(), abs=1e-6)
    assert table["service_cost"].sum() == pytest.approx(contacts["cost"].sum(), abs=1e-6)
    assert (table["profit"] == table["gross_margin"] - table["service_cost"]).all()
    assert table.index.is_monotonic_increasing
    assert set(table.index) == set(orders["customer_id"]) | set(contacts["customer_id"])
    shuffled = customer_profit(
        orders.sample(frac=1, random_state=rnd.randint(0, 99)),
        contacts.sample(frac=1, random_state=rnd.randint(0, 99)),
    )
    pd.testing.assert_frame_equal(table, shuffled, check_exact=False, atol=1e-6)
