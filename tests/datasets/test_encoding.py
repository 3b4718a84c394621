"""Encodings of a trainer's text files: decoded only when certain, else refused with choices.

The bytes of `色` saved as GB18030 (C9 AB) are also valid UTF-8 for `ɫ`; such a file
must load as `色` or be refused, never as `ɫ`. An encoding given by the user always
wins, and one that does not fit the bytes is a problem naming the file and row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.cli import main as cli_main
from crmkit.datasets.encoding import decode
from crmkit.datasets.load import format_report, load, validate_path
from crmkit.datasets.read import read_table
from crmkit.errors import CrmkitError, DataValidationError

AS_OF = "2025-12-31"
HEADER = (
    "customer_id,shop_name,business_format,market_type,join_date,credit_limit,referred_by,"
    "consumer_reach"
)
EXCEL = "in Excel use File > Save As > 'CSV UTF-8 (comma delimited)'"


def customers(tmp_path: Path, names: list[str], encoding: str, file: str = "customers.csv"):
    """A valid customers file with these shop names (row 2 on), saved in `encoding`."""
    rows = [f"C{i:05d},{n},kiosk,urban,2022-05-01,100,,5" for i, n in enumerate(names, 1)]
    path = tmp_path / file
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode(encoding))
    return path


def refusal(path: Path, **kw) -> str:
    with pytest.raises(DataValidationError) as caught:
        load(path, as_of=AS_OF, **kw)
    (problem,) = caught.value.problems
    return str(problem)


# ---------------------------------------------------------------- the 色 case


def test_se_saved_as_gb18030_loads_as_se_not_as_valid_utf8(tmp_path):
    raw = "色".encode("gb18030")
    assert raw.decode("utf-8") == "ɫ"  # the trap: these bytes are valid UTF-8 too
    path = customers(tmp_path, ["色", "Golden Mart"], "gb18030")
    assert load(path, as_of=AS_OF)["shop_name"].tolist() == ["色", "Golden Mart"]
    assert read_table(path)[1].encoding == "gb18030"
    assert format_report(validate_path(path, "customers", as_of=AS_OF)) == (
        "OK: customers.csv: 2 rows (GBK/GB18030)"
    )


# ---------------------------------------------------------------- automatic and certain


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        ("id,name\n1,Golden Mart\n", "ascii", "utf-8"),
        ("id,name\n1,金色丰收超市\n", "utf-8-sig", "utf-8-sig"),
        ("id,name\n1,金色丰收超市\n", "utf-8", "utf-8"),
        ("id,name\n1,老张面馆\n", "utf-8", "utf-8"),
        ("id,name\n1,金色丰收超市\n2,老张面馆\n", "gb18030", "gb18030"),
        ("id,name\n1,金色丰收超市（总店）\n", "gbk", "gb18030"),
        ("id,name\n1,色色\n", "gb18030", "gb18030"),  # 'ɫɫ' as UTF-8: IPA letters
        ("id,name\n1,Müller\n2,Décor\n", "utf-8", "utf-8"),  # letters inside words
        ("id,name\n1,Москва\n", "utf-8", "utf-8"),
        ("id\tname\n1\t金色丰收超市\n", "utf-16", "utf-16"),
    ],
)
def test_certain_encodings_are_detected(text, encoding, detected):
    assert decode(text.encode(encoding), "f.csv")[:2] == (text, detected)


@pytest.mark.parametrize(
    ("name", "encoding", "readings"),
    [
        # the same bytes: an accented letter in UTF-8 is one GB2312 ideograph
        ("Café", "utf-8", [("Café", "utf-8"), ("Caf茅", "gb18030")]),
        ("写", "gb18030", [("д", "utf-8"), ("写", "gb18030")]),
        ("Café", "cp1252", [("Café", "cp1252")]),
        ("Ações", "cp1252", [("A珲es", "gb18030"), ("Ações", "cp1252")]),
        ("ソニー店", "gb18030", [("ソニー店", "gb18030"), ("末瓦奈虛", "big5")]),
        ("台北市", "big5", [("台北市", "big5")]),
    ],
)
def test_a_file_whose_encoding_is_not_certain_is_refused_with_the_choices(
    tmp_path, name, encoding, readings
):
    path = customers(tmp_path, ["Golden Mart", name], encoding)
    line = refusal(path)
    assert line.startswith("customers.csv:3: ")
    shown = " and ".join(f"'{text}' with encoding=\"{enc}\"" for text, enc in readings)
    assert f"this row reads {shown}" in line
    assert line.endswith(EXCEL)
    assert validate_path(path, "customers", as_of=AS_OF).problems[0].message in line


def test_the_refusal_says_how_to_choose(tmp_path):
    path = customers(tmp_path, ["Café"], "utf-8")
    assert refusal(path) == (
        "customers.csv:2: cannot tell for sure which encoding the file is saved in; this row "
        "reads 'Café' with encoding=\"utf-8\" and 'Caf茅' with encoding=\"gb18030\"; pass the "
        "one that shows your text correctly (on the command line: --encoding NAME), or " + EXCEL
    )
    single = customers(tmp_path, ["Caf\xe9"], "cp1252", "c.csv")
    assert refusal(single, kind="customers") == (
        "c.csv:2: is not UTF-8 text (byte 0xe9 in this row); this row reads 'Café' with "
        'encoding="cp1252" (Windows-1252, Western European): if that is right, pass '
        'encoding="cp1252" (on the command line: --encoding cp1252), or ' + EXCEL
    )


def test_a_utf8_mark_before_bytes_that_are_not_utf8_is_a_problem(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\nC1,").encode() + "金".encode("gb18030"))
    assert refusal(path).startswith(
        "customers.csv:2: starts with the mark of UTF-8 text, but byte 0xbd in this row is not"
    )


# ---------------------------------------------------------------- encoding given


def test_an_explicit_encoding_wins(tmp_path):
    cafe = customers(tmp_path, ["Café"], "utf-8")
    assert load(cafe, as_of=AS_OF, encoding="utf-8")["shop_name"].tolist() == ["Café"]
    assert load(cafe, as_of=AS_OF, encoding="gb18030")["shop_name"].tolist() == ["Caf茅"]
    se = customers(tmp_path, ["色"], "gb18030", "se.csv")
    assert load(se, "customers", as_of=AS_OF, encoding="UTF8")["shop_name"].tolist() == ["ɫ"]
    report = validate_path(se, "customers", as_of=AS_OF, encoding="utf-8")
    assert report.ok and report.notes == [
        "read as utf-8 as asked, though the file looks like gb18030; check that the text reads right"
    ]
    assert validate_path(se, "customers", as_of=AS_OF, encoding="gbk").notes == []


@pytest.mark.parametrize(
    ("names", "saved", "asked", "expected"),
    [
        (
            ["Golden Mart", "金色丰收超市"],
            "gb18030",
            "utf-8",
            "customers.csv:3: is not utf-8 text (byte 0xbd in this row does not fit it); the "
            'file is saved in another encoding: it reads as gb18030: pass encoding="gb18030" '
            "(on the command line: --encoding gb18030)",
        ),
        (
            ["金色丰收超市", "老张面馆", "堃"],  # 堃 is GBK, not GB2312
            "gbk",
            "gb2312",
            "customers.csv:4: is not gb2312 text (byte 0x88 in this row does not fit it); the "
            'file is saved in another encoding: it reads as gb18030: pass encoding="gb18030" '
            "(on the command line: --encoding gb18030)",
        ),
        (
            ["Golden Mart", "台北市"],
            "big5",
            "gbk",
            "customers.csv:3: is not gbk text (byte 0xa5 in this row does not fit it); the file "
            "is saved in another encoding: pass the right one, or leave the encoding out to let "
            "crmkit tell",
        ),
    ],
)
def test_a_wrong_explicit_encoding_names_file_and_row(tmp_path, names, saved, asked, expected):
    path = customers(tmp_path, names, saved)
    assert refusal(path, encoding=asked) == expected
    problems = validate_path(path, "customers", as_of=AS_OF, encoding=asked).problems
    assert [str(p) for p in problems] == [expected]


def test_an_unknown_encoding_is_a_usage_error(tmp_path):
    path = customers(tmp_path, ["Golden Mart"], "utf-8")
    for name in ("utf-9", "base64"):
        with pytest.raises(
            CrmkitError, match=f"unknown encoding '{name}'; use one of utf-8, "
        ) as e:
            load(path, as_of=AS_OF, encoding=name)
        assert not isinstance(e.value, DataValidationError)
    assert len(load(path, as_of=AS_OF, encoding="auto")) == 1


def test_utf16_without_its_mark_needs_the_encoding(tmp_path):
    path = tmp_path / "customers.txt"
    text = HEADER.replace(",", "\t") + "\nC00001\t金色丰收超市\tkiosk\turban\t2022-05-01\t1\t\t1\n"
    path.write_bytes(text.encode("utf-16-le"))
    assert "contains binary data (byte 0x00 in row 1)" in refusal(path, kind="customers")
    frame = load(path, "customers", as_of=AS_OF, encoding="utf-16-le")
    assert frame["shop_name"].tolist() == ["金色丰收超市"]


def test_explicit_utf8_drops_excels_mark(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\nC1,金,kiosk,urban,2022-05-01,1,,1\n".encode())
    raw, info = read_table(path, encoding="utf-8")
    assert (raw.columns[0], info.encoding) == ("customer_id", "utf-8-sig")


def test_the_customers_file_beside_is_read_in_the_same_encoding(tmp_path):
    customers(tmp_path, ["市"], "utf-8")  # not valid GB18030: 'E5 B8' '82' then ','
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,order_date,revenue,gross_margin,discount,promotion,"
        "payment_due_date,paid_date\nO1,C00001,2025-01-02,100.00,20.00,0.00,1,2025-02-01,\n"
    )
    report = validate_path(orders, "orders", as_of=AS_OF, encoding="gb18030")
    assert report.ok and report.notes[0].startswith(
        "customer ids not checked (customers.csv cannot be read: is not gb18030 text"
    )
    assert validate_path(orders, "orders", as_of=AS_OF).notes == []


# ---------------------------------------------------------------- command line


def test_cli_encoding_option(tmp_path, capsys):
    path = customers(tmp_path, ["Café"], "utf-8")
    args = ["data", "validate", str(path), "--kind", "customers", "--as-of", AS_OF]
    assert cli_main(args) == 1
    out = capsys.readouterr().out.splitlines()
    assert "cannot tell for sure which encoding" in out[0] and "--encoding NAME" in out[0]
    assert out[1] == "customers.csv: 1 problem, nothing loaded; fix it and check again"
    assert cli_main([*args, "--encoding", "utf-8"]) == 0
    assert capsys.readouterr().out == "OK: customers.csv: 1 row (utf-8)\n"
    assert cli_main([*args, "--encoding", "gb18030"]) == 0
    assert capsys.readouterr().out == "OK: customers.csv: 1 row (GBK/GB18030)\n"
    assert cli_main([*args, "--encoding", "klingon"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("crmkit: unknown encoding 'klingon'")
    assert "Traceback" not in captured.err


# ---------------------------------------------------------------- never silently wrong

# GB2312's ideographs (rows 0xB0-0xF7) and full-width punctuation; a sample of
# Latin, Cyrillic and Greek letters for UTF-8 text.
HANZI = [
    bytes([lead, trail]).decode("gb2312")
    for lead in range(0xB0, 0xF8)
    for trail in range(0xA1, 0xFF)
    if not (lead == 0xD7 and trail > 0xF9)
]
ASCII = list("abcXYZ 019,;-\n")
LETTERS = list("àáâäãåçèéêëìíîïñòóôöõùúûüýÿßæøœÀÉÖÜÑāēīōūłśźżőűабвгдежзαβγδ")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.sampled_from(HANZI + list("，（）。") + ASCII), max_size=30))
def test_chinese_saved_as_gb18030_is_never_read_as_other_text(text):
    try:
        decoded, _, _ = decode(text.encode("gb18030"), "f.csv")
    except DataValidationError as err:
        assert 'encoding="gb18030"' in str(err)
    else:
        assert decoded == text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.sampled_from(HANZI[:300] + LETTERS + ASCII), max_size=30))
def test_utf8_text_is_never_read_as_other_text(text):
    try:
        decoded, _, _ = decode(text.encode("utf-8"), "f.csv")
    except DataValidationError as err:
        assert 'encoding="utf-8"' in str(err)
    else:
        assert decoded == text
