"""The customer summary (frequency, recency, T, monetary value, holdout) reproduces the CDNOW
figures of Fader, Hardie and Lee (2005), follows its rules on small hand-made tables, agrees
with a plain pandas computation on random ones, and says in words what is wrong with bad
input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.customer_base_models.summary import rfm_summary
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


def read_cdnow() -> pd.DataFrame:
    """The CDNOW sample as an order table (read at test time, never copied into the repo)."""
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW sample is not on this machine (looked for {CDNOW})")
    orders = pd.read_csv(
        CDNOW,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str},
    )
    orders["order_date"] = pd.to_datetime(orders["date"], format="%Y%m%d")
    return orders


def test_cdnow_summary_has_the_published_counts():
    """FHL (2005): 2,357 customers, 946 of them repeat buyers, 2,457 repeat purchases in the
    39-week calibration period; their customer with x = 2, t_x = 30.43, T = 38.86 is id 1."""
    orders = read_cdnow()
    assert len(orders) == 6919
    summary = rfm_summary(
        orders, unit_days=7, calibration_end="1997-09-30", observation_end="1998-06-30"
    )
    assert len(summary) == 2357
    assert (summary["frequency"] > 0).sum() == 946
    assert summary["frequency"].sum() == 2457
    first = summary.loc[1]
    assert first["frequency"] == 2
    assert first["recency"] == pytest.approx(30.43, abs=0.005)
    assert first["T"] == pytest.approx(38.86, abs=0.005)
    assert summary["T"].max() == pytest.approx(272 / 7)  # first bought 1997-01-01
    assert (summary["duration_holdout"] == 39).all()  # 1997-10-01 .. 1998-06-30: 273 days
    assert summary.index.name == "customer_id"


ORDERS = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "b", "b", "c", "d", "a", "a"],
        "order_date": [
            "2024-01-01",
            "2024-01-01",  # a second order on a's first day: one purchase, amounts added
            "2024-01-15",
            "2024-01-15 18:30",  # time of day does not matter
            "2024-01-08",
            "2024-01-08",
            "2024-01-20",
            "2024-02-10",  # d first buys after the calibration period: left out
            "2024-02-05",  # holdout purchase
            "2024-03-30",  # after observation_end: ignored
        ],
        "revenue": [10.0, 5.0, 20.0, 4.0, 7.0, 1.0, 3.0, 9.0, 2.0, 100.0],
    }
)


def test_follows_the_rules_on_a_small_table():
    summary = rfm_summary(
        ORDERS, unit_days=7, calibration_end="2024-01-31", observation_end="2024-03-01"
    )
    assert list(summary.index) == ["a", "b", "c"]
    assert list(summary.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "frequency_holdout",
        "duration_holdout",
    ]
    a, b, c = (summary.loc[k] for k in "abc")
    assert a["frequency"] == 1 and a["recency"] == 2.0 and a["T"] == 30 / 7
    assert a["monetary_value"] == 24.0  # the repeat day's two orders, first day left out
    assert a["frequency_holdout"] == 1
    assert b["frequency"] == 0 and b["recency"] == 0 and b["monetary_value"] == 0
    assert c["T"] == 11 / 7 and c["frequency_holdout"] == 0
    assert (summary["duration_holdout"] == 30 / 7).all()
    days = rfm_summary(ORDERS, unit_days=1, calibration_end="2024-01-31", amount=None)
    assert list(days.columns) == ["frequency", "recency", "T"]
    assert days.loc["a", "recency"] == 14 and days.loc["a", "T"] == 30


def test_calibration_end_counts_its_own_day():
    summary = rfm_summary(ORDERS, unit_days=1, calibration_end="2024-01-15 00:00")
    assert summary.loc["a", "frequency"] == 1
    assert summary.loc["a", "T"] == 14
    assert "c" not in summary.index


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customer": "client"}, "no column 'client'"),
        ({"amount": "sales"}, "no column 'sales'.*amount=None"),
        ({"unit_days": 0}, "unit_days must be a positive number"),
        ({"unit_days": "week"}, "unit_days must be a number of days"),
        ({"calibration_end": "not a date"}, "calibration_end must be a date"),
        ({"observation_end": "2024-01-01"}, "observation_end .* must come after"),
        ({"calibration_end": "2023-12-01"}, "no customer made a first purchase on or before"),
    ],
)
def test_bad_arguments_get_a_sentence(kwargs, message):
    arguments = {"unit_days": 7, "calibration_end": "2024-01-31", **kwargs}
    with pytest.raises(CrmkitError, match=message):
        rfm_summary(ORDERS, **arguments)


def test_bad_values_get_a_sentence():
    with pytest.raises(CrmkitError, match="1 values of 'order_date' are missing or not dates"):
        rfm_summary(
            ORDERS.assign(order_date=ORDERS["order_date"].where(ORDERS.index != 3, "31/31/2024")),
            unit_days=7,
            calibration_end="2024-01-31",
        )
    with pytest.raises(CrmkitError, match="2 values of 'revenue' are missing or not numbers"):
        rfm_summary(
            ORDERS.assign(revenue=["x", None, *ORDERS["revenue"][2:]]),
            unit_days=7,
            calibration_end="2024-01-31",
        )
    with pytest.raises(CrmkitError, match="1 orders have no 'customer_id'"):
        rfm_summary(
            ORDERS.assign(customer_id=[None, *ORDERS["customer_id"][1:]]),
            unit_days=7,
            calibration_end="2024-01-31",
        )
    with pytest.raises(CrmkitError, match="order table is empty"):
        rfm_summary(ORDERS.iloc[:0], unit_days=7, calibration_end="2024-01-31")


def plain_pandas(orders: pd.DataFrame, calibration_end, observation_end) -> pd.DataFrame:
    """The same summary written the slow, obvious way, for comparison."""
    days = orders.assign(day=orders["order_date"].dt.normalize())
    per_day = days.groupby(["customer_id", "day"])["revenue"].sum().reset_index()
    rows = {}
    for customer, group in per_day.groupby("customer_id"):
        first = group["day"].min()
        if first > calibration_end:
            continue
        calibration = group[group["day"] <= calibration_end]
        holdout = group[(group["day"] > calibration_end) & (group["day"] <= observation_end)]
        repeat = calibration[calibration["day"] > first]
        rows[customer] = {
            "frequency": len(calibration) - 1,
            "recency": (calibration["day"].max() - first).days / 7,
            "T": (calibration_end - first).days / 7,
            "monetary_value": repeat["revenue"].mean() if len(repeat) else 0.0,
            "frequency_holdout": len(holdout),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


@settings(max_examples=40, derandomize=True, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12),  # customer
            st.integers(0, 60),  # day
            st.integers(0, 23),  # hour
            st.floats(0.5, 100.0),  # amount
        ),
        min_size=1,
        max_size=80,
    ),
    st.integers(0, 45),
)
def test_agrees_with_plain_pandas_on_random_order_tables(rows, cut):
    start = pd.Timestamp("2024-01-01")
    orders = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_date": [start + pd.Timedelta(days=r[1], hours=r[2]) for r in rows],
            "revenue": [r[3] for r in rows],
        }
    )
    calibration_end = start + pd.Timedelta(days=cut)
    observation_end = start + pd.Timedelta(days=50)
    expected = plain_pandas(orders, calibration_end, observation_end)
    if expected.empty:
        with pytest.raises(CrmkitError, match="no customer made a first purchase"):
            rfm_summary(orders, unit_days=7, calibration_end=calibration_end)
        return
    got = rfm_summary(
        orders, unit_days=7, calibration_end=calibration_end, observation_end=observation_end
    )
    assert list(got.index) == sorted(expected.index)
    expected = expected.loc[got.index]
    assert (got["frequency"].to_numpy() == expected["frequency"].to_numpy()).all()
    assert (got["frequency_holdout"].to_numpy() == expected["frequency_holdout"].to_numpy()).all()
    for column in ("recency", "T", "monetary_value"):
        assert np.allclose(got[column], expected[column], rtol=1e-12), column
