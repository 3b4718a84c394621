"""Column mapping: a trainer's own header names read as the schema's, and what is said.

Headers are renamed from a valid table built from the schema, so each test shows
which header is read as which field, and the exact note or problem a trainer reads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crmkit.datasets.columns import (
    MAP_FILE,
    ColumnMapError,
    ColumnMapping,
    _load_synonyms,
    header_key,
    match_header,
    read_column_map,
    synonyms,
    write_column_map,
)
from crmkit.datasets.load import load, load_sample, validate_path
from crmkit.datasets.schema import Field, table, table_kinds
from crmkit.datasets.validate import check_table
from crmkit.errors import CrmkitError, DataValidationError

AS_OF = "2025-12-31"
CHINESE_ORDERS = {
    "order_id": "订单号",
    "customer_id": "客户编号",
    "order_date": "日期",
    "revenue": "金额",
    "gross_margin": "毛利",
    "discount": "折扣",
    "promotion": "是否促销",
    "payment_due_date": "到期日",
    "paid_date": "回款日期",
}
ENGLISH_ORDERS = {
    "order_id": "Invoice No.",
    "customer_id": "Client ID",
    "order_date": "Invoice Date",
    "revenue": "Net Sales",
    "gross_margin": "Gross Profit",
    "discount": "Discount Amount",
    "promotion": "Promo",
    "payment_due_date": "Due Date",
    "paid_date": "Payment Date",
}


def cell(f: Field, i: int) -> str:
    """A valid text for column `f` in row i (customer_id i is customer i)."""
    c = f.constraints
    if c.enum:
        return c.enum[i % len(c.enum)]
    if f.type == "string":
        if c.pattern:
            return f"2024-{i % 12 + 1:02d}"
        return f"C{i:05d}" if f.name == "customer_id" else f"{f.name[:1].upper()}{i:04d}"
    if f.type == "number":
        return f"{10 + i}.50"
    return {"integer": "3", "boolean": "1", "date": f"2024-01-{i + 2:02d}"}.get(
        f.type, "2024-01-02 10:30"
    )


def frame_of(kind: str, n: int = 3) -> pd.DataFrame:
    """n valid rows of table `kind` as text cells, headed by the schema names."""
    return pd.DataFrame({f.name: [cell(f, i) for i in range(n)] for f in table(kind).fields})


def check(frame: pd.DataFrame, kind: str = "orders", **kw):
    return check_table(frame, kind, file_name=f"{kind}.csv", as_of=AS_OF, **kw)


def problems(frame: pd.DataFrame, kind: str = "orders", **kw) -> list[str]:
    return [str(p) for p in check(frame, kind, **kw).problems]


def write_csv(folder: Path, name: str, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    frame.to_csv(path, index=False, encoding=encoding, lineterminator="\n")
    return path


def make_folder(folder: Path) -> Path:
    """A small valid data folder: every table with schema headers, ids that match."""
    for kind in table_kinds():
        write_csv(folder, f"{kind}.csv", frame_of(kind, 2))
    (folder / "metadata.json").write_text('{"analysis_date": "2025-12-31", "seed": 1}')
    return folder


# ---------------------------------------------------------------- the list of usual names


def test_the_shipped_list_of_usual_names_is_valid_and_covers_every_table():
    names = _load_synonyms().names
    assert all(names[kind] for kind in table_kinds())
    assert (
        "金额" in synonyms("orders")["revenue"] and "invoice no" in synonyms("orders")["order_id"]
    )
    assert "客户编号" in synonyms("surveys")["customer_id"]  # '*' rows reach every table


def test_no_usual_name_is_the_name_of_a_column():
    for kind in table_kinds():
        own = {header_key(f) for f in table(kind).field_names}
        assert not own & set(_load_synonyms().by_key[kind]), kind


def test_a_broken_list_of_usual_names_is_refused_naming_each_row(tmp_path):
    path = tmp_path / "column_names.csv"
    path.write_text(
        "table,field,synonym\n"
        "orders,revenue,amount\n"
        "orders,revnue,sales\n"  # no such column
        "orders,discount,Amount\n"  # already the revenue's
        "orders,gross_margin,Gross_Margin\n",  # the column's own name
        encoding="utf-8",
    )
    with pytest.raises(CrmkitError) as caught:
        _load_synonyms(path)
    assert str(caught.value).splitlines()[1:] == [
        "column_names.csv:3: 'orders' has no column 'revnue'",
        "column_names.csv:4: 'Amount' is listed twice for orders",
        "column_names.csv:5: 'Gross_Margin' is the name of column 'gross_margin' of orders",
    ]


def test_header_key_ignores_case_spaces_punctuation_and_full_width():
    assert header_key("Invoice No.") == header_key("invoice_no") == "invoiceno"
    assert header_key("ＩＮＶＯＩＣＥ　ＮＯ．") == "invoiceno"
    assert header_key("客户（编号）") == header_key("客户编号")


# ---------------------------------------------------------------- usual names


def test_chinese_headers_are_read_with_a_note_each():
    result = check(frame_of("orders").rename(columns=CHINESE_ORDERS))
    assert result.problems == []
    pd.testing.assert_frame_equal(result.frame, check(frame_of("orders")).frame)
    assert result.notes == [f"column '{c}' read as '{f}'" for f, c in CHINESE_ORDERS.items()]


def test_english_export_headers_are_read():
    result = check(frame_of("orders").rename(columns=ENGLISH_ORDERS))
    assert result.problems == [] and list(result.frame.columns) == table("orders").field_names
    assert "column 'Net Sales' read as 'revenue'" in result.notes
    assert "column 'Invoice No.' read as 'order_id'" in result.notes
    assert result.frame["revenue"].tolist() == [10.5, 11.5, 12.5]


def test_a_chinese_csv_in_gbk_loads_and_is_left_unchanged(tmp_path):
    path = write_csv(
        tmp_path, "orders.csv", frame_of("orders").rename(columns=CHINESE_ORDERS), "gbk"
    )
    before = path.read_bytes()
    frame = load(path, as_of=AS_OF)
    assert frame["order_id"].tolist() == ["O0000", "O0001", "O0002"]
    assert frame["order_date"].iloc[0] == pd.Timestamp("2024-01-02")
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "orders.csv"
    ]


def test_other_tables_have_their_own_usual_names():
    headers = {"customer_id": "客户ID", "shop_name": "店铺名称", "join_date": "开户日期"}
    result = check(frame_of("customers").rename(columns=headers), "customers")
    assert result.problems == []
    assert "column '店铺名称' read as 'shop_name'" in result.notes
    contacts = check(frame_of("contacts").rename(columns={"contact_date": "date"}), "contacts")
    assert "column 'date' read as 'contact_date'" in contacts.notes


def test_full_width_headers_are_normalised():
    headers = {"order_date": "ＯＲＤＥＲ　ＤＡＴＥ", "order_id": "ＩＮＶＯＩＣＥ　ＮＯ．"}
    result = check(frame_of("orders").rename(columns=headers))
    assert result.problems == []
    assert result.notes[:2] == [
        "column 'ＩＮＶＯＩＣＥ　ＮＯ．' read as 'order_id'",
        "column 'ＯＲＤＥＲ　ＤＡＴＥ' read as 'order_date'",
    ]


def test_a_column_named_exactly_is_never_taken_by_a_usual_name():
    frame = frame_of("orders").assign(Sales="999")
    result = check(frame)
    assert result.problems == [] and result.frame["revenue"].tolist() == [10.5, 11.5, 12.5]
    assert result.notes == ["column 'Sales' ignored: 'revenue' is read from 'revenue'"]


def test_a_loosely_written_schema_name_wins_over_a_usual_name():
    frame = frame_of("orders").rename(columns={"revenue": "REVENUE"}).assign(Sales="999")
    result = check(frame)
    assert result.problems == [] and result.frame["revenue"].tolist() == [10.5, 11.5, 12.5]
    assert result.notes == [
        "column 'REVENUE' read as 'revenue'",
        "column 'Sales' ignored: 'revenue' is read from 'REVENUE'",
    ]


def test_id_alone_is_read_only_where_the_table_has_one_id():
    assert match_header(["id"], "customers").found == {"customer_id": "id"}
    assert match_header(["id"], "orders").found == {"order_id": "id"}
    assert match_header(["customer"], "orders").found == {"customer_id": "customer"}
    assert match_header(["customer"], "customers").unknown == ["customer"]  # id or name?


# ---------------------------------------------------------------- clashes and did-you-mean


def test_two_columns_meaning_one_field_is_a_problem_naming_both():
    frame = frame_of("orders").rename(columns={"revenue": "金额"}).assign(Sales="1")
    assert problems(frame) == [
        "orders.csv:1: revenue: columns '金额' and 'Sales' both mean 'revenue'; rename or "
        "delete all but one, or name the one to use in columns.csv"
    ]


def test_two_loose_spellings_of_a_name_are_a_clash_too():
    frame = frame_of("orders").rename(columns={"customer_id": "Customer ID"})
    frame["CUSTOMER-ID"] = frame["Customer ID"]
    assert problems(frame) == [
        "orders.csv:1: customer_id: columns 'Customer ID' and 'CUSTOMER-ID' both mean "
        "'customer_id'; rename or delete all but one, or name the one to use in columns.csv"
    ]


def test_a_misspelt_schema_name_gets_did_you_mean():
    frame = frame_of("orders").rename(columns={"order_date": "ordr date"})
    assert problems(frame) == [
        "orders.csv:1: order_date: required column is missing "
        "(the header has 'ordr date': did you mean 'order_date'?)"
    ]


def test_a_misspelt_usual_name_gets_did_you_mean():
    frame = frame_of("orders").rename(columns={"order_date": "订单日", "revenue": "salse amount"})
    assert problems(frame) == [
        "orders.csv:1: order_date: required column is missing "
        "(the header has '订单日': did you mean 'order_date'?)",
        "orders.csv:1: revenue: required column is missing "
        "(the header has 'salse amount': did you mean 'revenue'?)",
    ]


def test_an_optional_column_like_a_usual_name_is_only_a_note():
    result = check(frame_of("orders").rename(columns={"paid_date": "paymnt date"}))
    assert result.problems == [] and result.frame["paid_date"].isna().all()
    assert result.notes == [
        "optional column 'paid_date' is missing; it is read as empty "
        "(the header has 'paymnt date': did you mean 'paid_date'?)"
    ]


# ---------------------------------------------------------------- explicit mappings


def test_an_explicit_mapping_wins_over_a_usual_name():
    frame = frame_of("orders").rename(columns={"revenue": "Net"}).assign(金额="999")
    result = check(frame, columns={"Net": "revenue"})
    assert result.problems == [] and result.frame["revenue"].tolist() == [10.5, 11.5, 12.5]
    assert result.notes == [
        "column 'Net' read as 'revenue' (columns=)",
        "column '金额' ignored: 'revenue' is read from 'Net'",
    ]


def test_an_explicit_mapping_wins_over_the_schema_name_too(tmp_path):
    frame = frame_of("orders").assign(revenue="1", 实收="2")
    path = write_csv(tmp_path, "orders.csv", frame)
    assert load(path, as_of=AS_OF, columns={"实收": "revenue"})["revenue"].tolist() == [2.0] * 3
    assert load(path, as_of=AS_OF)["revenue"].tolist() == [1.0] * 3


def test_a_mapping_in_code_naming_no_field_fails_at_once():
    with pytest.raises(ColumnMapError) as caught:
        check(frame_of("orders"), columns={"金额": "revnue", "Sales": "revenue", " ": "discount"})
    assert str(caught.value).splitlines() == [
        "columns= cannot be used:",
        "field: 'revnue' is not a column of orders; did you mean 'revenue'?",
        "their_column: is empty; each row needs a table, a column and a field",
    ]


def test_a_mapped_column_the_file_lacks_is_a_problem():
    assert problems(frame_of("orders"), columns={"Umsatz": "revenue"}) == [
        "orders.csv:1: revenue: columns= reads 'Umsatz' as 'revenue', but the header has no "
        "such column"
    ]


def test_a_folder_mapping_file_is_read_by_load_sample(tmp_path):
    folder = make_folder(tmp_path / "data")
    expected = load_sample(folder).orders
    renamed = {**CHINESE_ORDERS, "revenue": "实收", "discount": "让利金额"}
    write_csv(folder, "orders.csv", frame_of("orders", 2).rename(columns=renamed))
    with pytest.raises(DataValidationError) as caught:
        load_sample(folder)
    # revenue cannot be left out; discount may be (its '让利金额' is then an unknown column)
    assert [str(p) for p in caught.value.problems] == [
        "orders.csv:1: revenue: required column is missing",
    ]
    write_column_map(folder, {"orders": {"实收": "revenue", "让利金额": "discount"}})
    pd.testing.assert_frame_equal(load_sample(folder).orders, expected)


def test_validate_path_uses_the_mapping_file_beside_the_file_and_its_customer_ids(tmp_path):
    customers = frame_of("customers").rename(columns={"customer_id": "会员号"})
    write_csv(tmp_path, "customers.csv", customers)
    orders = frame_of("orders").rename(columns={"revenue": "X1"})
    orders.loc[2, "customer_id"] = "C09999"
    path = write_csv(tmp_path, "orders.csv", orders)
    write_column_map(tmp_path, [("orders", "X1", "revenue")])
    report = validate_path(path, "orders", as_of=AS_OF)
    assert [str(p) for p in report.problems] == [
        "orders.csv:4: customer_id: unknown customer 'C09999' (not in customers.csv)"
    ]
    assert "column 'X1' read as 'revenue' (columns.csv row 2)" in report.notes
    assert [str(p) for p in validate_path(path, "orders", as_of=AS_OF, columns={}).problems][
        0
    ] == "orders.csv:1: revenue: required column is missing"


def test_a_mapping_file_naming_a_column_the_file_lacks_names_its_row(tmp_path):
    path = write_csv(tmp_path, "orders.csv", frame_of("orders").rename(columns={"revenue": "净额"}))
    write_column_map(tmp_path, {"orders": {"order no": "order_id", "净额x": "revenue"}})
    assert [str(p) for p in validate_path(path, "orders", as_of=AS_OF).problems] == [
        "columns.csv:2: their_column: 'order no' (read as 'order_id') is not a column of "
        "orders.csv",
        "columns.csv:3: their_column: '净额x' (read as 'revenue') is not a column of "
        "orders.csv; did you mean '净额'?",
    ]


def test_a_bad_mapping_file_names_file_row_and_column(tmp_path):
    (tmp_path / MAP_FILE).write_text(
        "table,their_column,field\n"
        "order,金额,revenue\n"
        "orders,金额,revnue\n"
        "orders,,discount\n"
        "\n"
        "orders,实收,revenue\n"
        "orders.csv,净额,Revenue\n"
        "customers,会员号,customer_id\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as caught:
        read_column_map(tmp_path / MAP_FILE)
    assert [str(p) for p in caught.value.problems] == [
        "columns.csv:2: table: 'order' is not a table; did you mean 'orders'?",
        "columns.csv:3: field: 'revnue' is not a column of orders; did you mean 'revenue'?",
        "columns.csv:4: their_column: is empty; each row needs a table, a column and a field",
        "columns.csv:7: field: 'revenue' is mapped twice for orders (also in row 6); keep one",
    ]
    path = write_csv(tmp_path, "orders.csv", frame_of("orders"))
    report = validate_path(path, "orders", as_of=AS_OF)
    assert not report.ok and report.problems == caught.value.problems
    with pytest.raises(DataValidationError, match="columns.csv:2: table: 'order' is not"):
        load(path, as_of=AS_OF)


def test_a_mapping_file_without_its_header_is_refused(tmp_path):
    (tmp_path / MAP_FILE).write_text("orders,金额,revenue\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        read_column_map(tmp_path / MAP_FILE)
    assert str(caught.value) == (
        "columns.csv:1: the header must be table,their_column,field, one mapping a row"
    )


# ---------------------------------------------------------------- write_column_map


def test_write_column_map_writes_a_file_read_back_the_same(tmp_path):
    path = write_column_map(
        tmp_path, {"Orders": {"金额": "Revenue"}, "customers": {"会员号": "customer_id"}}
    )
    assert path == tmp_path / MAP_FILE
    assert path.read_bytes() == (
        "\ufefftable,their_column,field\norders,金额,revenue\ncustomers,会员号,customer_id\n"
    ).encode("utf-8")
    assert read_column_map(path) == [
        ColumnMapping("orders", "金额", "revenue", MAP_FILE, 2),
        ColumnMapping("customers", "会员号", "customer_id", MAP_FILE, 3),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [MAP_FILE]  # no temporary file left


def test_write_column_map_refuses_to_overwrite_unless_asked(tmp_path):
    path = write_column_map(tmp_path, [("orders", "金额", "revenue")])
    before = path.read_bytes()
    with pytest.raises(ColumnMapError, match="already exists; pass replace=True"):
        write_column_map(tmp_path, [("orders", "销售", "revenue")])
    assert path.read_bytes() == before
    write_column_map(tmp_path, [("orders", "销售", "revenue")], replace=True)
    assert [m.their_column for m in read_column_map(path)] == ["销售"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [MAP_FILE]


def test_write_column_map_refuses_a_bad_mapping_and_writes_nothing(tmp_path):
    with pytest.raises(ColumnMapError) as caught:
        write_column_map(tmp_path, [("orders", "金额", "revenue"), ("orders", "Sales", "revenue")])
    assert str(caught.value).splitlines()[1:] == [
        "columns.csv:3: field: 'revenue' is mapped twice for orders (also in row 2); keep one"
    ]
    assert list(tmp_path.iterdir()) == []
