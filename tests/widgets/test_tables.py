"""The one table helper: friendly headers, %, yuan, no scientific notation, no cut text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from crmkit.plots.style import PALETTE
from crmkit.widgets.tables import friendly, readable_table, table_html

from html_table import read_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shop_name": ["Golden <Harvest> & Co", "Kiosk"],
            "profit_per_customer": [1234567.891, -5.4],
            "profit_share": [0.1234, 0.8766],
            "orders": np.array([12, 1_000_000], dtype="int64"),
            "tiny_ratio": [1e-9, 3e12],
            "repeat_buyer": [True, False],
        },
        index=pd.Index(["C00001", "C00002"], name="customer_id"),
    )


def test_headers_are_words_or_the_given_names():
    assert friendly("profit_per_customer") == "Profit per customer"
    assert friendly("customer_id") == "Customer id"
    table = read_table(table_html(_frame(), headers={"shop_name": "Shop"}))
    assert table.headers == [
        "Customer id",  # the named index becomes the first column
        "Shop",
        "Profit per customer",
        "Profit share",
        "Orders",
        "Tiny ratio",
        "Repeat buyer",
    ]
    assert table.column("Customer id") == ["C00001", "C00002"]


def test_money_percent_and_plain_numbers():
    table = read_table(
        table_html(
            _frame(),
            money=["profit_per_customer"],
            percent=["profit_share"],
            decimals={"tiny_ratio": 1},
        )
    )
    assert table.column("Profit per customer") == ["¥1,234,568", "-¥5"]
    assert table.column("Profit share") == ["12%", "88%"]
    assert table.column("Orders") == ["12", "1,000,000"]
    assert table.column("Tiny ratio") == ["0.0", "3,000,000,000,000.0"]
    assert table.column("Repeat buyer") == ["yes", "no"]
    percent = read_table(
        table_html(_frame(), percent=["profit_share"], decimals={"profit_share": 1})
    )
    assert percent.column("Profit share") == ["12.3%", "87.7%"]


def test_no_scientific_notation_anywhere():
    frame = pd.DataFrame({"value": [1e-12, 1.5e15, 123456789.0], "count": [10**12, 1, 2]})
    cells = [cell for row in read_table(table_html(frame)).rows for cell in row]
    assert cells and not [c for c in cells if re.search(r"\d[eE][+-]?\d", c)]
    assert "1,500,000,000,000,000.00" in cells and "1,000,000,000,000" in cells


def test_text_is_escaped_and_never_cut_short():
    long = "a very long shop name " * 12
    frame = pd.DataFrame({"shop_name": ["Golden <Harvest> & Co", long]})
    with pd.option_context("display.max_colwidth", 20):
        html = table_html(frame)
    assert "<Harvest>" not in html and "&lt;Harvest&gt; &amp; Co" in html
    assert read_table(html).column("Shop name") == ["Golden <Harvest> & Co", long.strip()]


def test_missing_values_caption_and_hidden_headers():
    frame = pd.DataFrame({"field": ["credit limit", "referred by"], "value": [5000.0, np.nan]})
    table = read_table(table_html(frame, caption="Basic <data>"))
    assert table.caption == "Basic <data>"
    assert table.column("Value") == ["5,000.00", "—"]
    bare = read_table(table_html(frame, show_headers=False))
    assert bare.headers == [] and bare.rows == [["credit limit", "5,000.00"], ["referred by", "—"]]


def test_the_look_is_scoped_to_the_table_and_stable():
    html = table_html(_frame(), money=["profit_per_customer"])
    table = read_table(html)
    assert table.attrs["class"] == "crmkit-table-html"
    table_id = table.attrs["id"]
    rules = re.findall(r"#(T_\w+)", html)
    assert rules and set(rules) == {table_id}  # every style rule is for this table only
    assert PALETTE["blue"] in html  # the workbook palette, not a colour of its own
    assert table_html(_frame(), money=["profit_per_customer"]) == html  # stable outputs
    other = _frame().assign(orders=[13, 1])
    assert read_table(table_html(other, money=["profit_per_customer"])).attrs["id"] != table_id


def test_readable_table_is_a_styler_for_notebooks():
    styler = readable_table(_frame(), percent=["profit_share"])
    assert isinstance(styler, Styler)
    assert "12%" in styler.to_html()
    # A saved notebook keeps the plain-text form too: the table's text, never an address.
    assert " at 0x" not in repr(styler) and "Profit share" in repr(styler) and "12%" in repr(styler)


def test_categories_read_as_plain_words():
    frame = pd.DataFrame({"business_format": pd.Categorical(["convenience_store", "kiosk"])})
    assert read_table(table_html(frame)).column("Business format") == [
        "convenience store",
        "kiosk",
    ]


def test_dates_show_without_a_midnight_time():
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2025-01-02", "2025-03-04"]),
            "stamp": pd.to_datetime(["2025-01-02 10:30", "2025-03-04 00:00"]),
        }
    )
    html = table_html(frame)
    assert "2025-01-02<" in html and "00:00:00" not in html
    assert "2025-01-02 10:30" in html and "2025-03-04 00:00" in html


def test_plain_text_form_reads_like_the_table():
    frame = pd.DataFrame({"measure": ["hours", "margin"], "value": [2.7, 17_496_000.0]})
    text = repr(readable_table(frame, decimals={"value": 2}))
    assert "e+" not in text and "17,496,000.00" in text and "2.70" in text
    assert text.splitlines()[0].split() == ["Measure", "Value"]
