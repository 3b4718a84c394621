"""Every rule of the data dictionary: bad cells are reported as `file:row: column: what`.

Tables are built from the schema itself (one valid row per index), then one
cell is spoiled, so each test shows exactly which text a learner would read.
Row numbers are Excel's: header = row 1, first data row = row 2.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.datasets.load import validate_path
from crmkit.datasets.schema import Field, UnknownTableError, load_schema, table, table_kinds
from crmkit.datasets.validate import MAX_ROWS_PER_CHECK, check_table, validate_table

AS_OF = "2025-12-31"


# ---------------------------------------------------------------- builders


def valid_cell(f: Field, i: int) -> str:
    """A valid text for column `f` in row i (customer_id i refers to customer i)."""
    c = f.constraints
    if c.enum:
        return c.enum[i % len(c.enum)]
    if f.type == "string":
        if c.pattern:
            return f"2024-{i % 12 + 1:02d}"
        if f.name == "customer_id":
            return f"C{i:05d}"
        if f.name.endswith("_id"):
            return f"{f.name[0].upper()}{i:06d}"
        return "" if not f.required else f"text {i}"
    if f.type == "integer":
        return str(int(c.minimum or 0) + 1)
    if f.type == "number":
        return "12.50"
    if f.type == "boolean":
        return "1"
    return "2024-01-02" if f.type == "date" else "2024-01-02 10:30"


def valid_frame(kind: str, n: int = 3) -> pd.DataFrame:
    """n valid rows of table `kind`, as text cells (what read_table gives)."""
    fields = table(kind).fields
    return pd.DataFrame({f.name: [valid_cell(f, i) for i in range(n)] for f in fields}, dtype=str)


def write_csv(tmp_path: Path, frame: pd.DataFrame, name: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding=encoding, lineterminator="\n")
    return path


def problems_of(frame: pd.DataFrame, kind: str, **kw) -> list[str]:
    _, problems = validate_table(frame, kind, file_name=f"{kind}.csv", as_of=AS_OF, **kw)
    return [str(p) for p in problems]


def spoil(kind: str, column: str, value: str, row: int = 2, n: int = 3) -> list[str]:
    """Problems of a valid table with one cell (Excel row `row`) replaced by `value`."""
    frame = valid_frame(kind, n)
    frame.loc[row - 2, column] = value
    return problems_of(frame, kind)


# ---------------------------------------------------------------- the schema


def test_schema_is_read_into_dataclasses():
    orders = table("orders")
    assert orders.primary_key == ("order_id",)
    assert orders.foreign_keys[0].resource == "customers"
    assert orders.field("paid_date").past_only and not orders.field("paid_date").required
    assert table("category_purchases").primary_key == ("customer_id", "month")
    assert table("surveys").field("recommend").constraints.maximum == 10
    assert load_schema() is load_schema()  # cached
    assert table_kinds()[0] == "customers" and len(table_kinds()) == 8


def test_unknown_kind_lists_the_valid_ones():
    with pytest.raises(UnknownTableError) as caught:
        table("order")
    assert "unknown kind 'order': did you mean 'orders'?" in str(caught.value)
    assert "customers, orders, contacts" in str(caught.value)


@pytest.mark.parametrize("kind", load_schema().keys())
def test_every_builder_table_is_valid_and_typed_per_contract(kind):
    frame, problems = validate_table(valid_frame(kind), kind, file_name="x.csv", as_of=AS_OF)
    assert problems == []
    assert list(frame.columns) == table(kind).field_names
    assert isinstance(frame.index, pd.RangeIndex)
    for f in table(kind).fields:
        dtype = frame[f.name].dtype
        if f.constraints.enum:
            assert list(dtype.categories) == list(f.constraints.enum)
        elif f.type in ("date", "datetime"):
            assert dtype == "datetime64[ns]", f.name
        else:
            expected = {"number": "float64", "integer": "int64", "boolean": "bool"}
            assert str(dtype) == expected.get(f.type, "str"), f.name


# ---------------------------------------------------------------- the header


def test_missing_required_column_suggests_the_misspelt_one():
    frame = valid_frame("orders").rename(columns={"revenue": "revenu"})
    assert problems_of(frame, "orders") == [
        "orders.csv:1: revenue: required column is missing "
        "(the header has 'revenu': did you mean 'revenue'?)"
    ]


def test_a_misspelt_column_that_may_be_left_out_is_still_a_problem():
    """market_type may be left out, but a header that looks like it is more likely a typo."""
    frame = valid_frame("customers").rename(columns={"market_type": "markt_typ"})
    assert problems_of(frame, "customers") == [
        "customers.csv:1: market_type: column is missing "
        "(the header has 'markt_typ': did you mean 'market_type'?)"
    ]


def test_missing_required_column_without_a_near_name():
    frame = valid_frame("orders").drop(columns="revenue")
    assert problems_of(frame, "orders") == ["orders.csv:1: revenue: required column is missing"]


def test_a_column_that_may_be_left_out_is_read_as_unknown_with_its_effect():
    frame = valid_frame("customers").drop(columns="shop_name")
    check = check_table(frame, "customers", file_name="customers.csv", as_of=AS_OF)
    assert check.problems == [] and check.frame["shop_name"].isna().all()
    assert "column 'shop_name' is left out: read as unknown: customers are shown by their id" in (
        check.notes
    )


def test_orders_without_an_order_id_are_numbered_by_their_row():
    frame = valid_frame("orders").drop(columns="order_id")
    check = check_table(frame, "orders", file_name="orders.csv", as_of=AS_OF)
    assert check.problems == []
    assert list(check.frame["order_id"]) == [f"R{row}" for row in range(2, len(frame) + 2)]
    assert any(
        note.startswith("column 'order_id' is left out: each row is one order")
        for note in check.notes
    )


def test_missing_column_and_bad_cells_are_all_reported():
    frame = valid_frame("customers").drop(columns="customer_id")
    frame.loc[1, "credit_limit"] = "lots"
    assert problems_of(frame, "customers") == [
        "customers.csv:1: customer_id: required column is missing",
        "customers.csv:3: credit_limit: 'lots' is not a number",
    ]


def test_headers_differing_in_case_spaces_and_underscores_are_accepted_with_a_note():
    frame = valid_frame("customers").rename(
        columns={"customer_id": "Customer ID", "market_type": " MARKET-TYPE "}
    )
    frame["Notes"] = "x"
    check = check_table(frame, "customers", file_name="c.csv", as_of=AS_OF)
    assert check.problems == [] and list(check.frame.columns) == table("customers").field_names
    assert "column 'Customer ID' read as 'customer_id'" in check.notes
    assert "column(s) not in the data dictionary, ignored: 'Notes'" in check.notes


def test_missing_optional_column_is_read_as_empty():
    check = check_table(
        valid_frame("orders").drop(columns="paid_date"), "orders", file_name="o.csv", as_of=AS_OF
    )
    assert check.frame["paid_date"].isna().all() and check.frame["paid_date"].dtype == "<M8[ns]"
    assert check.notes == ["optional column 'paid_date' is missing; it is read as empty"]


def test_one_single_header_column_means_a_wrong_delimiter():
    frame = pd.DataFrame({"customer_id:shop_name:business_format": ["C1:x:kiosk"]})
    assert problems_of(frame, "customers") == [
        "customers.csv:1: the header is one single column ('customer_id:shop_name:business_format'); "
        "are the columns separated by commas? Save the file as CSV (comma delimited)"
    ]


def test_duplicate_header_names_in_a_frame():
    frame = pd.concat([valid_frame("leads"), valid_frame("leads")[["shop_name"]]], axis=1)
    assert problems_of(frame, "leads") == [
        "leads.csv:1: shop_name: appears twice in the header; rename one"
    ]


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("kind", "column", "value", "expected"),
    [
        ("customers", "shop_name", "  ", "customers.csv:3: shop_name: is empty but required"),
        (
            "customers",
            "credit_limit",
            "12,5O",
            "customers.csv:3: credit_limit: '12,5O' is not a number (a letter O instead of a zero?)",
        ),
        (
            "orders",
            "revenue",
            "12,50",
            "orders.csv:3: revenue: '12,50' is not a number (a comma as the decimal mark? Write '12.50', or say that the file uses decimal commas: --decimal ',' or decimal=',' in Python)",
        ),
        ("orders", "revenue", "inf", "orders.csv:3: revenue: 'inf' is not a number"),
        (
            "customers",
            "consumer_reach",
            "9.5",
            "customers.csv:3: consumer_reach: '9.5' is not a whole number",
        ),
        (
            "orders",
            "promotion",
            "maybe",
            "orders.csv:3: promotion: 'maybe' is not yes/no (use 1 for yes, 0 for no)",
        ),
        (
            "customers",
            "join_date",
            "May 1st",
            "customers.csv:3: join_date: 'May 1st' is not a date (expected YYYY-MM-DD)",
        ),
        (
            "customers",
            "join_date",
            "2024-02-30",
            "customers.csv:3: join_date: '2024-02-30' is not a date (expected YYYY-MM-DD)",
        ),
        (
            "customers",
            "join_date",
            "15/03/2024",
            "customers.csv:3: join_date: '15/03/2024' is not a date (expected YYYY-MM-DD): it could be day-first or month-first. Say which with --date-order dmy (31.01.1997) or mdy (01/31/1997), date_order= in Python; the workbook never guesses",
        ),
        (
            "customers",
            "join_date",
            "45292",
            "customers.csv:3: join_date: '45292' is not a date (expected YYYY-MM-DD); it looks like an Excel date number: format the column as a date",
        ),
        (
            "customers",
            "join_date",
            "1024-03-05",
            "customers.csv:3: join_date: '1024-03-05' is not a date (expected YYYY-MM-DD); the year must be between 1900 and 2200",
        ),
        (
            "customers",
            "join_date",
            "2024-03-05 14:00",
            "customers.csv:3: join_date: '2024-03-05 14:00' is not a date (expected YYYY-MM-DD)",
        ),
        (
            "complaints",
            "opened_at",
            "2024-01-02 25:00",
            "complaints.csv:3: opened_at: '2024-01-02 25:00' is not a date and time (expected YYYY-MM-DD HH:MM)",
        ),
        (
            "customers",
            "join_date",
            "2026-01-01",
            "customers.csv:3: join_date: '2026-01-01' is in the future (after the analysis date 2025-12-31)",
        ),
        (
            "complaints",
            "opened_at",
            "2026-01-01 00:00",
            "complaints.csv:3: opened_at: '2026-01-01 00:00' is in the future (after the analysis date 2025-12-31)",
        ),
        (
            "customers",
            "credit_limit",
            "-5",
            "customers.csv:3: credit_limit: '-5' must not be negative",
        ),
        (
            "surveys",
            "expect_empathy",
            "9",
            "surveys.csv:3: expect_empathy: '9' is outside the allowed range 1 to 7",
        ),
        (
            "customers",
            "business_format",
            "supermarkt",
            "customers.csv:3: business_format: 'supermarkt' is not allowed; did you mean 'supermarket'?",
        ),
        (
            "customers",
            "market_type",
            "city centre",
            "customers.csv:3: market_type: 'city centre' is not allowed; use one of: urban, suburban, rural",
        ),
        (
            "category_purchases",
            "month",
            "2023-13",
            "category_purchases.csv:3: month: '2023-13' is not in the form YYYY-MM, e.g. 2024-03",
        ),
    ],
)
def test_bad_cell_is_located(kind, column, value, expected):
    assert spoil(kind, column, value, row=3) == [expected]


def test_the_last_day_itself_is_not_in_the_future():
    assert spoil("complaints", "opened_at", "2025-12-31 23:59") == []
    assert spoil("customers", "join_date", "2025-12-31") == []


def test_future_dates_are_only_checked_when_there_is_an_analysis_date():
    frame = valid_frame("customers")
    frame.loc[0, "join_date"] = "2199-01-01"
    assert validate_table(frame, "customers", file_name="c.csv")[1] == []


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("credit_limit", "1,234.50", 1234.5),
        ("credit_limit", "¥1,234,567", 1234567.0),
        ("credit_limit", "￥ 88", 88.0),
        ("credit_limit", "１２３.５", 123.5),
        ("credit_limit", " 7 ", 7.0),
        ("consumer_reach", "120.0", 120),
        ("join_date", "2024/3/5", pd.Timestamp("2024-03-05")),
        ("join_date", "2024/03/05", pd.Timestamp("2024-03-05")),
        ("join_date", "2024年3月5日", pd.Timestamp("2024-03-05")),
        ("join_date", "2024-03-05 00:00", pd.Timestamp("2024-03-05")),
        ("business_format", "Convenience Store", "convenience_store"),
        ("market_type", "URBAN", "urban"),
        ("shop_name", "  金色丰收超市 ", "金色丰收超市"),
    ],
)
def test_friendly_forms_are_accepted_and_normalised(column, text, value):
    frame = valid_frame("customers")
    frame.loc[0, column] = text
    typed, problems = validate_table(frame, "customers", file_name="c.csv", as_of=AS_OF)
    assert problems == []
    assert typed.loc[0, column] == value


@pytest.mark.parametrize("text", ["1", "0", "TRUE", "false", "Yes", "no", "Y", "n", "是", "否"])
def test_booleans_in_every_accepted_spelling(text):
    frame = valid_frame("orders", 1)
    frame.loc[0, "promotion"] = text
    typed, problems = validate_table(frame, "orders", file_name="o.csv")
    assert problems == []
    assert typed.loc[0, "promotion"] == (text.lower() in {"1", "true", "yes", "y", "是"})


def test_datetimes_with_seconds_or_slashes():
    frame = valid_frame("complaints", 2)
    frame.loc[0, "opened_at"] = "2024/1/2 9:05:30"
    frame.loc[1, "opened_at"] = "2024-01-02"
    typed, problems = validate_table(frame, "complaints", file_name="q.csv")
    assert problems == []
    assert list(typed["opened_at"]) == [
        pd.Timestamp("2024-01-02 09:05:30"),
        pd.Timestamp("2024-01-02"),
    ]


def test_enum_values_read_loosely_are_noted():
    frame = valid_frame("customers")
    frame.loc[0, "business_format"] = "Convenience Store"
    check = check_table(frame, "customers", file_name="c.csv")
    assert check.notes == [
        "business_format: read 'Convenience Store' as 'convenience_store' (1 row)"
    ]


def test_missing_values_give_nullable_dtypes():
    frame = valid_frame("complaints", 2)
    frame.loc[0, "resolution_satisfied"] = ""
    frame.loc[1, "other_causes"] = "Rain"
    typed, problems = validate_table(frame, "complaints", file_name="q.csv")
    assert problems == []
    assert typed["resolution_satisfied"].dtype == "boolean"
    assert typed["resolution_satisfied"].isna().tolist() == [True, False]
    assert typed["other_causes"].isna().tolist() == [True, False]
    assert typed["other_causes"].iloc[1] == "Rain"


# ---------------------------------------------------------------- keys


def test_duplicate_id_names_the_first_row():
    frame = valid_frame("customers", 4)
    frame.loc[3, "customer_id"] = " C00001"
    assert problems_of(frame, "customers") == [
        "customers.csv:5: customer_id: 'C00001' is a duplicate (first in row 3)"
    ]


def test_every_repeat_of_an_id_is_reported():
    frame = valid_frame("orders", 4)
    frame["order_id"] = ["O1", "O1", "O2", "O1"]
    assert problems_of(frame, "orders") == [
        "orders.csv:3: order_id: 'O1' is a duplicate (first in row 2)",
        "orders.csv:5: order_id: 'O1' is a duplicate (first in row 2)",
    ]


def test_duplicate_composite_key():
    frame = valid_frame("category_purchases", 4)
    frame["customer_id"] = ["C00001", "C00001", "C00002", "C00001"]
    frame["month"] = ["2023-01", "2023-02", "2023-01", "2023-01"]
    assert problems_of(frame, "category_purchases") == [
        "category_purchases.csv:5: customer_id, month: 'C00001' + '2023-01' is a duplicate (first in row 2)"
    ]


def test_empty_ids_are_not_duplicates_of_each_other():
    frame = valid_frame("customers", 3)
    frame.loc[[0, 1], "customer_id"] = ""
    assert problems_of(frame, "customers") == [
        "customers.csv:2: customer_id: is empty but required",
        "customers.csv:3: customer_id: is empty but required",
    ]


def test_unknown_customer():
    frame = valid_frame("orders", 3)
    frame.loc[1, "customer_id"] = "C09999"
    assert problems_of(frame, "orders", known_customer_ids={"C00000", "C00001", "C00002"}) == [
        "orders.csv:3: customer_id: unknown customer 'C09999' (not in customers.csv)"
    ]
    assert problems_of(frame, "orders") == []  # no customers given: no id check


# ---------------------------------------------------------------- all of it, at once


def test_every_problem_is_collected_sorted_by_row_and_nothing_is_returned():
    frame = valid_frame("orders", 4)
    frame.loc[2, "revenue"] = "x"
    frame.loc[0, "paid_date"] = "2030-01-01"
    frame.loc[0, "promotion"] = "?"
    typed, problems = validate_table(frame, "orders", file_name="o.csv", as_of=AS_OF)
    assert typed is None
    assert [str(p) for p in problems] == [
        "o.csv:2: promotion: '?' is not yes/no (use 1 for yes, 0 for no)",
        "o.csv:2: paid_date: '2030-01-01' is in the future (after the analysis date 2025-12-31)",
        "o.csv:4: revenue: 'x' is not a number",
    ]


def test_a_rule_broken_in_many_rows_keeps_the_first_and_counts_all():
    frame = valid_frame("orders", 5000)
    frame["revenue"] = "n/a"
    check = check_table(frame, "orders", file_name="o.csv")
    assert check.total == 5000 and len(check.problems) == MAX_ROWS_PER_CHECK
    assert str(check.problems[0]) == "o.csv:2: revenue: 'n/a' is not a number"


def test_rows_follow_a_row_index_from_read_table():
    frame = valid_frame("customers", 2)
    frame.index = pd.Index([2, 7], name="row")  # rows 3-6 were empty in the file
    frame.loc[7, "credit_limit"] = "x"
    assert problems_of(frame, "customers") == ["customers.csv:7: credit_limit: 'x' is not a number"]


def test_a_hand_made_frame_with_numbers_dates_and_missing_values():
    frame = valid_frame("orders", 2).astype(object)
    frame["revenue"] = [10.5, 3]
    frame["discount"] = [np.nan, 0.0]
    frame["paid_date"] = [pd.Timestamp("2024-03-01"), pd.NA]
    frame["promotion"] = [True, False]
    frame["order_date"] = pd.to_datetime(["2024-01-01", "2024-02-01"])
    assert problems_of(frame, "orders") == ["orders.csv:2: discount: is empty but required"]
    frame["discount"] = [1.0, 0.0]
    typed, problems = validate_table(frame, "orders", file_name="o.csv")
    assert problems == []
    assert typed["revenue"].tolist() == [10.5, 3.0] and typed["promotion"].tolist() == [True, False]
    assert typed["paid_date"].iloc[0] == pd.Timestamp("2024-03-01") and pd.isna(
        typed["paid_date"].iloc[1]
    )
    assert typed["order_date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]


def test_a_file_with_many_problems_reports_file_rows(tmp_path):
    frame = valid_frame("contacts", 3)
    frame.loc[1, "cost"] = "-3"
    frame.loc[2, "contact_type"] = "Visit"  # fine: read as 'visit'
    path = write_csv(tmp_path, frame, "contacts.csv")
    report = validate_path(path, "contacts", as_of=AS_OF)
    assert [str(p) for p in report.problems] == ["contacts.csv:3: cost: '-3' must not be negative"]


# ---------------------------------------------------------------- properties


BAD_CELLS = {
    "shop_name": ["", " "],
    "business_format": ["shop", "Kiosks"],
    "join_date": ["2024-13-01", "yesterday", "2031-01-01"],
    "credit_limit": ["-1", "abc", "1,2,3"],
    "consumer_reach": ["1.5", "-2", "many"],
}


@st.composite
def spoiled_customers(draw) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    n = draw(st.integers(1, 12))
    frame = valid_frame("customers", n)
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.sampled_from(sorted(BAD_CELLS))),
            max_size=8,
            unique=True,
        )
    )
    for row, column in cells:
        frame.loc[row, column] = draw(st.sampled_from(BAD_CELLS[column]))
    return frame, cells


def _problem_set(frame: pd.DataFrame, ids: list[str]) -> set[tuple[str, str | None, str]]:
    """Problems keyed by the row's customer id instead of its position."""
    _, problems = validate_table(frame, "customers", file_name="c.csv", as_of=AS_OF)
    return {(ids[p.row - 2], p.column, p.message) for p in problems}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spoiled_customers(), st.randoms(use_true_random=False))
def test_permuting_rows_does_not_change_the_problems(spoiled, rnd: random.Random):
    frame, cells = spoiled
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    before = _problem_set(frame, list(frame["customer_id"]))
    after = _problem_set(shuffled, list(shuffled["customer_id"]))
    assert before == after
    assert {(frame.loc[r, "customer_id"], c) for r, c in cells} == {(i, c) for i, c, _ in before}
