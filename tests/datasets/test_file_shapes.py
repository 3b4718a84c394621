"""Real-world shapes of a trainer's file, each read or refused by `read_table` with a reason.

Blank-looking lines (spaces, or only delimiters), a totals row at the bottom, a
header repeated mid-file, title rows above the header, data on another Excel
sheet, and Excel cells read through calamine exactly as openpyxl read them.
Files are written in tmp_path; a refusal must name the file's row and what to do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from crmkit.datasets.load import validate_path
from crmkit.datasets.read import _openpyxl_rows, read_table
from crmkit.errors import DataValidationError

AS_OF = "2025-12-31"
HEADER = "customer_id,name,amount"
ROWS = ["C1,Ann,10.50", "C2,Bob,20", "C3,Cy,5"]
CELLS = [r.split(",") for r in ROWS]
CUSTOMERS = (
    "customer_id,shop_name,business_format,market_type,join_date,credit_limit,referred_by,"
    "consumer_reach"
)
CUSTOMER = "C00001,Golden Harvest Mart,supermarket,urban,2022-05-01,50000,,900"


def csv_file(tmp_path: Path, text: str, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def xlsx_file(
    tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "sales.xlsx"
) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def refusal(path: Path, **kw) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        read_table(path, **kw)
    return [str(p) for p in caught.value.problems]


def assert_frame(frame: pd.DataFrame, rows: list[int], cells: list[list[str]] = CELLS) -> None:
    assert list(frame.columns) == HEADER.split(",")
    assert frame.index.tolist() == rows
    assert frame.to_numpy().tolist() == cells


# ---------------------------------------------------------------- 1. blank-looking lines


@pytest.mark.parametrize(
    "blank",
    ["   ", "\t \t", ",,", ", , ,", ",,,,,,,,", ",", "\u3000", " ,\u00a0, "],
    ids=[
        "spaces",
        "tabs",
        "delimiters",
        "delimiters-spaces",
        "too-many",
        "one",
        "ideographic",
        "nbsp",
    ],
)
def test_lines_of_spaces_or_delimiters_are_skipped_like_empty_lines(tmp_path, blank):
    text = "\n".join([blank, HEADER, ROWS[0], blank, ROWS[1], ROWS[2], blank]) + "\n"
    frame, info = read_table(csv_file(tmp_path, text))
    assert_frame(frame, [3, 5, 6])
    assert info.header_row == 2
    assert info.notes == ("skipped 2 empty rows (rows 4, 7)",)


def test_semicolon_file_with_lines_of_semicolons(tmp_path):
    text = ";;\n" + "\n".join(r.replace(",", ";") for r in [HEADER, ROWS[0], " ; ;", *ROWS[1:]])
    frame, info = read_table(csv_file(tmp_path, text))
    assert_frame(frame, [3, 5, 6])
    assert "skipped 1 empty row (row 4)" in info.notes


def test_xlsx_rows_of_spaces_are_skipped(tmp_path):
    path = xlsx_file(tmp_path, {"Sales": [HEADER.split(","), CELLS[0], [" ", "  "], *CELLS[1:]]})
    frame, info = read_table(path)
    assert_frame(frame, [2, 4, 5])
    assert info.notes == ("skipped 1 empty row (row 3)",)


# ---------------------------------------------------------------- 2. totals row


@pytest.mark.parametrize("word", ["Total", "TOTALS:", "Grand total", "合计", "总计", "小计", "Sum"])
def test_a_totals_row_named_by_a_word_is_refused(tmp_path, word):
    text = "\n".join([HEADER, *ROWS, f"{word},,35.50", "", " "]) + "\n"
    assert refusal(csv_file(tmp_path, text)) == [
        f"sales.csv:5: looks like a totals row ('{word}'): remove it"
    ]


def test_a_totals_row_with_the_word_in_a_later_cell(tmp_path):
    path = csv_file(tmp_path, "\n".join([HEADER, *ROWS, ",Total,35.50"]))
    assert refusal(path) == ["sales.csv:5: looks like a totals row ('Total'): remove it"]


def test_a_totals_row_without_a_word_is_found_by_its_sum(tmp_path):
    path = csv_file(tmp_path, "\n".join([HEADER, *ROWS, ",,35.5"]))
    assert refusal(path) == [
        "sales.csv:5: looks like a totals row (customer_id is empty and amount 35.5 is the "
        "sum of the rows above): remove it"
    ]


def test_an_xlsx_totals_row_with_a_formula_value(tmp_path):
    rows = [HEADER.split(","), ["C1", "Ann", 1000.25], ["C2", "Bob", 2000], [None, None, 3000.25]]
    path = xlsx_file(tmp_path, {"Sales": rows})
    assert refusal(path) == [
        "sales.xlsx:4: looks like a totals row (customer_id is empty and amount 3000.25 is the "
        "sum of the rows above): remove it"
    ]


@pytest.mark.parametrize(
    "last",
    [
        ",,99",  # no id, but not the sum: a row with a missing id, for validation to report
        "C4,Total,35.50",  # a customer called Total: the first value is the id
        "C4,Sum,35.50",
    ],
)
def test_rows_that_only_resemble_a_totals_row_are_read(tmp_path, last):
    frame, _ = read_table(csv_file(tmp_path, "\n".join([HEADER, *ROWS, last])))
    assert_frame(frame, [2, 3, 4, 5], [*CELLS, last.split(",")])


def test_a_single_row_is_not_its_own_sum(tmp_path):
    frame, _ = read_table(csv_file(tmp_path, "\n".join([HEADER, ROWS[0], ",,10.50"])))
    assert frame.index.tolist() == [2, 3]


# ---------------------------------------------------------------- 3. header repeated


def test_a_header_repeated_mid_file_is_refused(tmp_path):
    text = "\n".join([HEADER, ROWS[0], "\ufeff" + HEADER, ROWS[1], f" {HEADER} ", ROWS[2]])
    assert refusal(csv_file(tmp_path, text)) == [
        "sales.csv:3: repeats the header (files pasted together?): remove it",
        "sales.csv:5: repeats the header (files pasted together?): remove it",
    ]


def test_an_xlsx_header_repeated_and_a_totals_row_are_both_named(tmp_path):
    rows = [HEADER.split(","), CELLS[0], HEADER.split(","), CELLS[1], ["Total", None, 20]]
    assert refusal(xlsx_file(tmp_path, {"Sales": rows})) == [
        "sales.xlsx:3: repeats the header (files pasted together?): remove it",
        "sales.xlsx:5: looks like a totals row ('Total'): remove it",
    ]


def test_a_row_with_some_header_names_is_data(tmp_path):
    frame, _ = read_table(csv_file(tmp_path, "\n".join([HEADER, "customer_id,name,7", *ROWS])))
    assert frame.index.tolist() == [2, 3, 4, 5]


# ---------------------------------------------------------------- 4. title rows


@pytest.mark.parametrize(
    "top",
    [
        "Sales report 2024\n\n",
        "Sales report 2024,,\n,,\n",  # what Excel saves as CSV
        "  Sales report 2024  \n  \n",
    ],
    ids=["typed", "excel-csv", "spaces"],
)
def test_a_title_above_the_header_is_skipped_with_a_note(tmp_path, top):
    frame, info = read_table(csv_file(tmp_path, top + "\n".join([HEADER, *ROWS])))
    assert_frame(frame, [4, 5, 6])
    assert (info.header_row, frame.attrs["header_row"]) == (3, 3)
    assert info.notes == (
        "the header is on row 3; rows 1\u20132 (a title: 'Sales report 2024') were skipped",
    )


def test_title_and_subtitle_below_blank_lines(tmp_path):
    text = "\n\nSales report\nExported 2024-05-01 by Ann\n\n" + "\n".join([HEADER, *ROWS])
    frame, info = read_table(csv_file(tmp_path, text))
    assert_frame(frame, [7, 8, 9])
    assert info.notes == (
        "the header is on row 6; rows 1\u20135 (a title: 'Sales report') were skipped",
    )


def test_a_title_above_a_header_of_one_row(tmp_path):
    frame, info = read_table(csv_file(tmp_path, "Sales\n" + "\n".join([HEADER, *ROWS])))
    assert_frame(frame, [3, 4, 5])
    assert info.notes == ("the header is on row 2; row 1 (a title: 'Sales') was skipped",)


def test_rows_below_a_title_keep_the_file_numbers_in_later_problems(tmp_path):
    text = "Customers 2025\n\n" + "\n".join([CUSTOMERS, CUSTOMER, "C2,x,kiosk,urban,bad,1,,1"])
    report = validate_path(csv_file(tmp_path, text, "customers.csv"), "customers", as_of=AS_OF)
    assert [str(p) for p in report.problems] == [
        "customers.csv:5: join_date: 'bad' is not a date (expected YYYY-MM-DD)"
    ]
    assert report.notes[0].startswith("the header is on row 3;")


def test_a_ragged_row_below_a_title_is_named_by_its_file_row(tmp_path):
    text = "Sales report 2024\n\n" + "\n".join([HEADER, *ROWS, "C4,Di,1,2"])
    assert refusal(csv_file(tmp_path, text)) == [
        "sales.csv:7: has 4 cells but the header has 3 columns (an extra ',', or a value with ',' that needs quotes?)"
    ]


def test_an_xlsx_title_above_the_header(tmp_path):
    rows = [["Sales report 2024"], [], HEADER.split(","), *CELLS]
    frame, info = read_table(xlsx_file(tmp_path, {"Sales": rows}))
    assert_frame(frame, [4, 5, 6])
    assert info.header_row == 3
    assert info.notes == (
        "the header is on row 3; rows 1\u20132 (a title: 'Sales report 2024') were skipped",
    )


def test_a_title_above_values_instead_of_names_is_refused(tmp_path):
    text = "Sales report 2024\n\n" + "\n".join(ROWS)
    assert refusal(csv_file(tmp_path, text)) == [
        "sales.csv:3: the table seems to start on this row, below a title ('Sales report 2024', "
        "rows 1\u20132), but this row holds values ('10.50'), not column names: put the column "
        "names in the first row of the file, and delete the rows above them"
    ]


def test_too_many_rows_above_the_header_are_refused(tmp_path):
    text = "Sales report\nRegion North\nBy Ann\nChecked by Bob\n\n" + "\n".join([HEADER, *ROWS])
    assert refusal(csv_file(tmp_path, text)) == [
        "sales.csv:6: the header seems to be on this row, below 4 rows of a single value each "
        "(rows 1\u20135: 'Sales report', ...), too many to skip as a title: delete the rows "
        "above the header so that it is the first row"
    ]


def test_a_one_column_file_keeps_its_first_row_as_the_header(tmp_path):
    frame, info = read_table(csv_file(tmp_path, "customer_id\nC1\nC2\n"))
    assert (list(frame.columns), frame.index.tolist(), info.notes) == (["customer_id"], [2, 3], ())


def test_a_header_whose_first_name_alone_is_filled_is_not_a_title(tmp_path):
    # one value on row 1, then rows of other widths: no table under a title, the old reading
    path = csv_file(tmp_path, "customer_id\nC1,x\nC2\n")
    assert refusal(path) == [
        "sales.csv:2: has 2 cells but the header has 1 columns (an extra ',', or a value with ',' that needs quotes?)"
    ]


# ---------------------------------------------------------------- 5. sheets


def test_the_sheet_is_chosen_by_name_or_position(tmp_path):
    path = xlsx_file(tmp_path, {"Summary": [["Sales"]], "Orders 2024": [HEADER.split(","), *CELLS]})
    for sheet in ["Orders 2024", " orders 2024", 1]:
        frame, info = read_table(path, sheet=sheet)
        assert_frame(frame, [2, 3, 4])
        assert info.notes == ()


def test_a_sheet_the_workbook_lacks_is_refused_with_the_list(tmp_path):
    path = xlsx_file(tmp_path, {"Summary": [["x"]], "Orders 2024": [HEADER.split(",")]})
    assert refusal(path, sheet="Orders") == [
        "sales.xlsx: has no sheet 'Orders'; its sheets are: 'Summary', 'Orders 2024'"
    ]
    assert refusal(path, sheet=2) == [
        "sales.xlsx: has no sheet number 2 (0 is the first, 1 the last): 'Summary', 'Orders 2024'"
    ]


@pytest.mark.parametrize(
    "first",
    [[], [["Sales 2024"], [], ["Orders", 69659], ["Revenue", 2500000.5]]],
    ids=["empty", "summary"],
)
def test_a_first_sheet_without_a_table_names_the_sheets(tmp_path, first):
    path = xlsx_file(
        tmp_path,
        {"Summary": first, "Orders 2024": [HEADER.split(","), *CELLS], "Notes": [["x"]]},
    )
    assert refusal(path) == [
        "sales.xlsx: the first sheet 'Summary' has no table; the workbook's sheets are: "
        "Summary, Orders 2024, Notes: give the sheet, e.g. --sheet 'Orders 2024'"
    ]


def test_the_first_sheet_with_a_table_is_read_with_a_note(tmp_path):
    path = xlsx_file(
        tmp_path, {"Orders": [HEADER.split(","), *CELLS], "Other": [HEADER.split(",")]}
    )
    frame, info = read_table(path)
    assert_frame(frame, [2, 3, 4])
    assert info.notes == ("read the first sheet 'Orders' (the workbook has 2 sheets)",)


def test_an_empty_sheet_asked_for_is_refused(tmp_path):
    path = xlsx_file(tmp_path, {"Orders": [HEADER.split(","), *CELLS], "Empty": []})
    assert refusal(path, sheet="Empty") == ["sales.xlsx: the sheet 'Empty' is empty"]


def test_a_sheet_for_a_text_file_is_refused(tmp_path):
    path = csv_file(tmp_path, "\n".join([HEADER, *ROWS]))
    assert refusal(path, sheet="Orders") == [
        "sales.csv: is a text file, which has no sheets; give a sheet ('Orders') only for .xlsx"
    ]


# ---------------------------------------------------------------- 6. calamine reads as openpyxl did


def test_calamine_gives_the_cells_openpyxl_gave(tmp_path):
    rows = [
        ["id", "text", "int", "float", "date", "datetime", "seconds", "time", "flag", "big"],
        [
            "00123",
            "  spaced  ",
            12,
            12.5,
            dt.date(2025, 2, 1),
            dt.datetime(2025, 1, 2, 13, 45),
            dt.datetime(2025, 1, 2, 13, 45, 7),
            dt.time(9, 30),
            True,
            123456789012,
        ],
        [
            "A2",
            "金色",
            12.0,
            1 / 3,
            dt.datetime(2025, 1, 2),
            None,
            None,
            dt.time(9, 30, 5),
            False,
            1e16,
        ],
        ["A3", "NA", -5, 2.5e-7, None, "2025-01-02", "x", None, "TRUE", -0.0],
    ]
    path = xlsx_file(tmp_path, {"Types": rows})
    frame, _ = read_table(path)
    old = _openpyxl_rows(path, "Types")
    assert frame.to_numpy().tolist() == old[1:]
    assert frame.iloc[0].tolist() == [
        "00123",
        "  spaced  ",
        "12",
        "12.5",
        "2025-02-01",
        "2025-01-02 13:45",
        "2025-01-02 13:45:07",
        "09:30",
        "true",
        "123456789012",
    ]


def test_error_cells_keep_their_text(tmp_path):
    path = xlsx_file(
        tmp_path, {"Sales": [HEADER.split(","), ["C1", "Ann", "#N/A"], ["C2", "Bob", 3]]}
    )
    frame, _ = read_table(path)
    assert frame["amount"].tolist() == ["#N/A", "3"]


def test_the_command_reads_the_sheet_it_is_given(tmp_path, capsys):
    """`crmkit data validate --sheet` reaches the reader, by name or by position."""
    from openpyxl import Workbook

    from crmkit import cli

    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Sales of the year"])
    orders = book.create_sheet("Orders 2024")
    orders.append(
        [
            "customer_id",
            "shop_name",
            "business_format",
            "market_type",
            "join_date",
            "credit_limit",
            "referred_by",
            "consumer_reach",
        ]
    )
    orders.append(["C00001", "Shop", "kiosk", "urban", "2020-01-01", 100, "", 10])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    args = ["data", "validate", str(path), "--kind", "customers"]
    assert cli.main(args) == 1
    assert "sheets are: Summary, Orders 2024" in capsys.readouterr().out
    for sheet in ("Orders 2024", "1"):
        assert cli.main([*args, "--sheet", sheet]) == 0, capsys.readouterr().out
        assert capsys.readouterr().out.startswith("OK: customers.xlsx")
