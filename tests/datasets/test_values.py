"""Dates and numbers as exports write them: read exactly, or refused with the reason."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.datasets.values import ValueFormats, day_month_column, read_date, read_number
from crmkit.errors import CrmkitError

DMY, MDY = ValueFormats(date_order="dmy"), ValueFormats(date_order="mdy")
COMMA = ValueFormats(decimal=",")


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("19970101", ValueFormats(), "1997-01-01"),
        ("19971231", ValueFormats(), "1997-12-31"),
        ("01-Jan-1997", ValueFormats(), "1997-01-01"),
        ("1 January 1997", ValueFormats(), "1997-01-01"),
        ("Jan 31, 1997", ValueFormats(), "1997-01-31"),
        ("31.01.1997", DMY, "1997-01-31"),
        ("01/31/1997", MDY, "1997-01-31"),
        ("02/03/1997", DMY, "1997-03-02"),
        ("02/03/1997", MDY, "1997-02-03"),
        ("３１.０１.１９９７", DMY, "1997-01-31"),  # full-width digits
    ],
)
def test_dates_in_forms_that_say_what_they_mean(text, formats, expected):
    assert read_date(text, formats) == (pd.Timestamp(expected), "")


@pytest.mark.parametrize(
    ("text", "formats", "reason"),
    [
        ("31.01.1997", ValueFormats(), "could be day-first or month-first"),
        ("01/31/1997", ValueFormats(), "could be day-first or month-first"),
        ("01/31/1997", DMY, "not a day of the calendar"),  # month 31 when read day-first
        ("19970231", ValueFormats(), "not a day of the calendar"),
        ("01-Jab-1997", ValueFormats(), "not the name of a month"),
        ("next Tuesday", ValueFormats(), "not a date"),
    ],
)
def test_dates_that_cannot_be_read_for_sure_are_refused_with_the_reason(text, formats, reason):
    value, why = read_date(text, formats)
    assert value is None and reason in why


def test_an_empty_date_is_empty_not_wrong():
    assert read_date("  ") == (None, "")


def test_a_day_month_column_is_recognised_once_for_its_message():
    assert day_month_column(["19970101", "", "31.01.1997"])
    assert not day_month_column(["19970101", "01-Jan-1997", ""])


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("1,286.01", ValueFormats(), 1286.01),
        ("1.286,01", COMMA, 1286.01),
        ("12,50", COMMA, 12.5),
        ("1.286", COMMA, 1286.0),
        ("(12.50)", ValueFormats(), -12.5),
        ("-12.50", ValueFormats(), -12.5),
        ("€ 1.286,01", COMMA, 1286.01),
        ("US$12.00", ValueFormats(), 12.0),
        ("RMB 88", ValueFormats(), 88.0),
        ("88元", ValueFormats(), 88.0),
        ("￥1,200", ValueFormats(), 1200.0),  # full-width yen sign
        ("-¥12", ValueFormats(), -12.0),
        ("¥-12", ValueFormats(), -12.0),
        ("($5.00)", ValueFormats(), -5.0),
    ],
)
def test_amounts_as_exports_write_them(text, formats, expected):
    value, why = read_number(text, formats)
    assert why == "" and value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "formats", "reason"),
    [
        ("1.286,01", ValueFormats(), "comma as the decimal mark"),
        ("12,5", ValueFormats(), "comma as the decimal mark"),
        ("twelve", ValueFormats(), "not a number"),
        ("12.5.3", ValueFormats(), "not a number"),
        ("1,286.01", COMMA, "not a number"),  # the other convention, when told commas
    ],
)
def test_numbers_that_cannot_be_read_for_sure_are_refused(text, formats, reason):
    value, why = read_number(text, formats)
    assert math.isnan(value) and reason in why


def test_formats_are_checked_when_given():
    with pytest.raises(CrmkitError, match="'dmy'.*'mdy'"):
        ValueFormats(date_order="ymd")
    with pytest.raises(CrmkitError, match="decimal mark"):
        ValueFormats(decimal=";")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_any_amount_written_either_way_reads_back(amount):
    plain = f"{amount:,.2f}"
    european = plain.replace(",", "_").replace(".", ",").replace("_", ".")
    assert read_number(plain)[0] == pytest.approx(float(amount))
    assert read_number(european, COMMA)[0] == pytest.approx(float(amount))
    bracketed = f"({abs(amount):,.2f})"
    assert read_number(bracketed)[0] == pytest.approx(-abs(float(amount)))


# --- through the loader and the command line -----------------------------------------------

HEADER = (
    "order_id,customer_id,order_date,revenue,gross_margin,discount,promotion,payment_due_date\n"
)


def _orders(tmp_path, *rows: str):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_an_export_in_its_own_forms_loads_exactly(tmp_path):
    from crmkit.datasets import load

    path = _orders(
        tmp_path,
        'O1,C00001,19970101,"US$1,286.01",(12.50),0,0,01-Feb-1997',
        "O2,C00002,19970131,88元,12,0,1,19970228",
    )
    frame = load(path, as_of="1998-06-30")
    assert list(frame["order_date"]) == [pd.Timestamp("1997-01-01"), pd.Timestamp("1997-01-31")]
    assert list(frame["revenue"]) == [1286.01, 88.0]
    assert list(frame["gross_margin"]) == [-12.5, 12.0]
    assert frame["payment_due_date"].iloc[0] == pd.Timestamp("1997-02-01")


def test_day_month_dates_need_the_order_and_commas_need_the_mark(tmp_path):
    from crmkit.datasets import load
    from crmkit.errors import DataValidationError

    path = _orders(tmp_path, 'O1,C00001,02.03.1997,"1.286,01",0,0,0,03.04.1997')
    with pytest.raises(DataValidationError) as refused:
        load(path, as_of="1998-06-30")
    message = str(refused.value)
    assert "orders.csv:2: order_date: '02.03.1997'" in message and "--date-order" in message
    assert "orders.csv:2: revenue: '1.286,01'" in message and "--decimal ','" in message
    frame = load(path, as_of="1998-06-30", formats=ValueFormats(date_order="dmy", decimal=","))
    assert frame["order_date"].iloc[0] == pd.Timestamp("1997-03-02")
    assert frame["revenue"].iloc[0] == 1286.01
    month_first = load(path, as_of="1998-06-30", formats=ValueFormats("mdy", ","))
    assert month_first["order_date"].iloc[0] == pd.Timestamp("1997-02-03")


def test_the_command_takes_the_date_order_and_the_decimal_mark(tmp_path, capsys):
    from crmkit import cli

    path = _orders(tmp_path, 'O1,C00001,02.03.1997,"1.286,01",0,0,0,03.04.1997')
    args = ["data", "validate", str(path), "--kind", "orders", "--as-of", "1998-06-30"]
    assert cli.main(args) == 1
    assert "could be day-first or month-first" in capsys.readouterr().out
    assert cli.main([*args, "--date-order", "dmy", "--decimal", ","]) == 0
    assert capsys.readouterr().out.startswith("OK: orders.csv: 1 row")
