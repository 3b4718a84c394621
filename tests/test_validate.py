"""A trainer's own files: good ones load, bad ones get `file:row: column: what is wrong`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crmkit.datasets import format_report, load, validate_path
from crmkit.errors import DataValidationError

HEADER = (
    "customer_id,shop_name,business_format,market_type,join_date,credit_limit,referred_by,"
    "consumer_reach"
)
GOOD = [
    "C00001,Golden Harvest Mart,supermarket,urban,2022-05-01,50000,,900",
    "C00002,Lao Zhang Noodles,restaurant,rural,2024-03-15,8000.50,C00001,120",
]
ORDERS = (
    "order_id,customer_id,order_date,revenue,gross_margin,discount,promotion,"
    "payment_due_date,paid_date"
)
AS_OF = "2025-12-31"


def _write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _problems(path: Path, kind: str, **kw) -> list[str]:
    return [str(p) for p in validate_path(path, kind, as_of=AS_OF, **kw).problems]


def test_good_file_loads_typed(tmp_path):
    frame = load(_write(tmp_path, "customers.csv", [HEADER, *GOOD]), as_of=AS_OF)
    assert list(frame["customer_id"]) == ["C00001", "C00002"]
    assert frame["credit_limit"].dtype == "float64" and frame["consumer_reach"].dtype == "int64"
    assert isinstance(frame["business_format"].dtype, pd.CategoricalDtype)
    assert frame["join_date"].iloc[1] == pd.Timestamp("2024-03-15")


def test_excel_bom_and_gbk_with_chinese_names_are_read(tmp_path):
    rows = [HEADER, "C00003,金色丰收超市,supermarket,urban,2023-01-02,100,,50"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\n".join(rows) + "\n").encode("utf-8"))
    gbk = _write(tmp_path, "gbk.csv", rows, encoding="gbk")
    for path in (bom, gbk):
        frame = load(path, "customers", as_of=AS_OF)
        assert frame["shop_name"].iloc[0] == "金色丰收超市"
    assert validate_path(gbk, "customers", as_of=AS_OF).encoding == "gbk"


def test_xlsx_is_accepted(tmp_path):
    frame = pd.DataFrame([g.split(",") for g in GOOD], columns=HEADER.split(","))
    frame["join_date"] = pd.to_datetime(frame["join_date"])
    frame["credit_limit"] = frame["credit_limit"].astype(float)
    path = tmp_path / "customers.xlsx"
    frame.to_excel(path, index=False)
    loaded = load(path, "customers", as_of=AS_OF)
    assert loaded["join_date"].iloc[0] == pd.Timestamp("2022-05-01")
    assert loaded["credit_limit"].iloc[1] == 8000.5


def test_headers_differing_in_case_and_spaces_are_accepted(tmp_path):
    header = HEADER.replace("customer_id", "Customer ID").replace("shop_name", "Shop Name")
    assert len(load(_write(tmp_path, "c.csv", [header, *GOOD]), "customers", as_of=AS_OF)) == 2


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [HEADER.replace("market_type", "markt_typ"), *GOOD],
            "c.csv:1: market_type: required column is missing (is 'markt_typ' meant to be it?)",
        ),
        (
            [HEADER, GOOD[0], GOOD[1].replace("8000.50", "8OOO")],
            "c.csv:3: credit_limit: '8OOO' is not a number",
        ),
        (
            [HEADER, GOOD[0].replace("2022-05-01", "May 1st"), GOOD[1]],
            "c.csv:2: join_date: 'May 1st' is not a date (YYYY-MM-DD)",
        ),
        (
            [HEADER, GOOD[0].replace("2022-05-01", "2030-01-01"), GOOD[1]],
            "c.csv:2: join_date: '2030-01-01' is in the future (after the analysis date 2025-12-31)",
        ),
        (
            [HEADER, GOOD[0].replace("50000", "-5"), GOOD[1]],
            "c.csv:2: credit_limit: '-5' must not be negative",
        ),
        (
            [HEADER, GOOD[0], GOOD[0]],
            "c.csv:3: customer_id: 'C00001' appears twice (first at row 2)",
        ),
        (
            [HEADER, GOOD[0].replace("supermarket", "supermarkt"), GOOD[1]],
            "c.csv:2: business_format: 'supermarkt' is not an allowed value; did you mean 'supermarket'?",
        ),
        (
            [HEADER, GOOD[0].replace(",900", ",9.5"), GOOD[1]],
            "c.csv:2: consumer_reach: '9.5' is not a whole number",
        ),
        (
            [HEADER, GOOD[0].replace("C00001,Golden Harvest Mart", "C00001,"), GOOD[1]],
            "c.csv:2: shop_name: is empty but required",
        ),
    ],
)
def test_bad_cells_are_located(tmp_path, lines, expected):
    assert expected in _problems(_write(tmp_path, "c.csv", lines), "customers")


def test_unknown_customer_is_reported_from_the_customers_file_beside(tmp_path):
    _write(tmp_path, "customers.csv", [HEADER, *GOOD])
    orders = _write(
        tmp_path,
        "orders.csv",
        [
            ORDERS,
            "O1,C00001,2025-01-02,100,20,0,1,2025-02-01,2025-01-20",
            "O2,C09999,2025-01-03,50,5,0,no,2025-02-02,",
        ],
    )
    assert _problems(orders, "orders") == [
        "orders.csv:3: customer_id: unknown customer 'C09999' (not in the customers table)"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty.csv: the file is empty"),
        ((HEADER + "\n").encode(), "empty.csv: has a header but no data rows"),
        (
            HEADER.replace(",", ";").encode() + b"\n" + GOOD[0].replace(",", ";").encode(),
            "empty.csv:1: the columns are separated by semicolons, not commas",
        ),
        (b"PK\x03\x04\x14\x00junk", "empty.csv: this is not a text CSV file (it looks like a zip"),
        (b"abc\x00\x01\x02\xff\xfe", "empty.csv: this is not a text CSV file (it contains binary"),
    ],
)
def test_unreadable_files_get_one_clear_line(tmp_path, content, expected):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    problems = _problems(path, "customers")
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_load_raises_with_every_problem_and_returns_nothing(tmp_path):
    path = _write(
        tmp_path, "c.csv", [HEADER, GOOD[0].replace("50000", "x"), GOOD[1].replace("8000.50", "-1")]
    )
    with pytest.raises(DataValidationError) as caught:
        load(path, "customers", as_of=AS_OF)
    assert len(caught.value.problems) == 2
    assert caught.value._render_traceback_()[0] == "The data has problems:"


def test_report_is_capped(tmp_path):
    rows = [HEADER] + [f"C{i:05d},Shop {i},kiosk,urban,2024-01-01,abc,,1" for i in range(50)]
    report = validate_path(_write(tmp_path, "c.csv", rows), "customers", as_of=AS_OF)
    text = format_report(report)
    assert "... and 20 more problems" in text and text.count("\n") == 31


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crmkit.cli", *args], capture_output=True, text=True
    )


def test_cli_exit_codes_and_no_traceback(tmp_path):
    good = _write(tmp_path, "customers.csv", [HEADER, *GOOD])
    ok = _cli("data", "validate", str(good), "--kind", "customers", "--as-of", AS_OF)
    assert ok.returncode == 0 and "OK: customers.csv: 2 rows" in ok.stdout
    bad = _write(tmp_path, "bad.csv", [HEADER, GOOD[0].replace("urban", "city")])
    fail = _cli("data", "validate", str(bad), "--kind", "customers", "--as-of", AS_OF)
    assert fail.returncode == 1 and "bad.csv:2: market_type: 'city'" in fail.stdout
    wrong_kind = _cli("data", "validate", str(good), "--kind", "shops")
    assert wrong_kind.returncode == 1 and "unknown kind 'shops'" in wrong_kind.stderr
    for proc in (ok, fail, wrong_kind):
        assert "Traceback" not in proc.stdout + proc.stderr


def test_the_sample_validates_with_the_cli():
    root = Path(__file__).resolve().parents[1]
    proc = _cli(
        "data", "validate", str(root / "datasets" / "complaints.csv"), "--kind", "complaints"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
