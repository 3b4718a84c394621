"""Check a user's table against the data dictionary, and type it.

Reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or .xlsx as text, then checks
every column by the rules of datasets/datapackage.json, vectorised with pandas
so that a million rows take seconds. Every problem is reported as
`file:row: column: what is wrong`, with rows numbered as Excel shows them
(header = row 1). Either the whole typed table comes back, or the problems.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from crmkit.datasets.paths import schema_path
from crmkit.errors import CrmkitError, Problem

TRUE = {"1", "true", "yes", "y", "t", "是"}
FALSE = {"0", "false", "no", "n", "f", "否"}
BINARY_MAGIC = {
    b"PK\x03\x04": "a zip or .xlsx file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF file",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) file",
}
MAX_PER_COLUMN = 1000  # keep reports (and memory) small for a badly broken file


@cache
def _package() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def table_kinds() -> list[str]:
    """The table names of the data dictionary (the CSV stems in datasets/)."""
    return [r["name"] for r in _package()["resources"]]


def schema_of(kind: str) -> dict:
    """The schema (fields, primaryKey, foreignKeys) of one table."""
    for res in _package()["resources"]:
        if res["name"] == kind:
            return res["schema"]
    raise CrmkitError(f"unknown kind '{kind}'; choose one of: {', '.join(table_kinds())}")


@dataclass
class ReadResult:
    """Raw text cells of a file, or the problems that stopped reading it."""

    cells: pd.DataFrame | None
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lower()).lstrip("\ufeff")


def read_cells(path: Path) -> ReadResult:
    """Read a CSV or .xlsx file as text cells; binary, empty or mis-delimited files are problems."""
    name = path.name
    if not path.exists():
        return ReadResult(None, problems=[Problem(name, None, None, "file not found")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as err:  # openpyxl raises many kinds for a broken workbook
            msg = f"cannot be read as an Excel workbook ({type(err).__name__})"
            return ReadResult(None, problems=[Problem(name, None, None, msg)])
        cells = frame.map(lambda v: "" if pd.isna(v) else _excel_text(v))
        return _after_read(name, cells, "xlsx")
    data = path.read_bytes()
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            msg = f"this is not a text CSV file (it looks like {what})"
            return ReadResult(None, problems=[Problem(name, None, None, msg)])
    if b"\x00" in data[:65536]:
        msg = "this is not a text CSV file (it contains binary NUL bytes)"
        return ReadResult(None, problems=[Problem(name, None, None, msg)])
    if not data.strip():
        return ReadResult(None, problems=[Problem(name, None, None, "the file is empty")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        msg = "cannot be decoded as UTF-8 or GBK text; save it as CSV UTF-8"
        return ReadResult(None, problems=[Problem(name, None, None, msg)])
    header = text.splitlines()[0]
    if "," not in header:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
            if sep in header:
                msg = (
                    f"the columns are separated by {label}, not commas; "
                    "save the file as 'CSV (comma delimited)'"
                )
                return ReadResult(None, problems=[Problem(name, 1, None, msg)])
    try:
        cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as err:
        found = re.search(r"line (\d+)", str(err))
        row = int(found.group(1)) if found else None
        msg = "has a different number of fields from the header (a stray comma or quote?)"
        return ReadResult(None, problems=[Problem(name, row, None, msg)])
    used = "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding
    return _after_read(name, cells, "gbk" if encoding == "gb18030" else used)


def _excel_text(value: object) -> str:
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        text = pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
        return text[:-6] if text.endswith(" 00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _after_read(name: str, cells: pd.DataFrame, encoding: str) -> ReadResult:
    if cells.empty:
        msg = "has a header but no data rows"
        return ReadResult(None, encoding, [Problem(name, None, None, msg)])
    cells.columns = [str(c).strip().lstrip("\ufeff") for c in cells.columns]
    return ReadResult(cells, encoding)


def _match_columns(cells: pd.DataFrame, fields: list[dict], name: str) -> list[Problem]:
    """Rename headers that differ only in case/spaces; report missing required columns."""
    by_norm = {_norm(c): c for c in cells.columns}
    rename, problems = {}, []
    for f in fields:
        if f["name"] in cells.columns:
            continue
        if _norm(f["name"]) in by_norm:
            rename[by_norm[_norm(f["name"])]] = f["name"]
            continue
        if f.get("constraints", {}).get("required"):
            close = difflib.get_close_matches(_norm(f["name"]), list(by_norm), n=1, cutoff=0.6)
            hint = f" (is '{by_norm[close[0]]}' meant to be it?)" if close else ""
            problems.append(Problem(name, 1, f["name"], f"required column is missing{hint}"))
    cells.columns = [rename.get(c, c) for c in cells.columns]
    return problems


def _report(problems, name, column, bad: pd.Series, message) -> None:
    """Add one problem per bad row (message is a function of the cell text)."""
    for index, value in bad.head(MAX_PER_COLUMN).items():
        problems.append(Problem(name, int(index) + 2, column, message(value)))
    if len(bad) > MAX_PER_COLUMN:
        more = len(bad) - MAX_PER_COLUMN
        problems.append(Problem(name, None, column, f"{more} more rows with the same problem"))


def _parse_number(text: pd.Series) -> pd.Series:
    cleaned = text.str.replace(r"^[¥￥$]\s*", "", regex=True).str.replace(
        r"(?<=\d),(?=\d{3}(\D|$))", "", regex=True
    )
    return pd.to_numeric(cleaned.str.strip(), errors="coerce")


def _parse_dates(text: pd.Series, kind: str) -> pd.Series:
    unified = text.str.strip().str.replace("/", "-", regex=False)
    parsed = pd.to_datetime(unified, format="%Y-%m-%d", errors="coerce")
    timed = parsed.isna()
    if kind == "datetime" or timed.any():
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            more = pd.to_datetime(unified[timed], format=fmt, errors="coerce")
            parsed = parsed.where(~timed, more)
            timed = parsed.isna()
    return parsed


def validate_cells(
    cells: pd.DataFrame,
    kind: str,
    *,
    file_name: str,
    as_of: pd.Timestamp | None = None,
    known_customer_ids: set[str] | pd.Index | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check text cells against the schema of `kind`; the typed table, or the problems."""
    schema = schema_of(kind)
    fields = schema["fields"]
    problems = _match_columns(cells, fields, file_name)
    if problems:
        return None, problems
    typed: dict[str, pd.Series] = {}
    for f in fields:
        col, rules = f["name"], f.get("constraints", {})
        if col not in cells.columns:
            typed[col] = pd.Series(pd.NA, index=cells.index, dtype=object)
            continue
        text = cells[col].astype(str).str.strip()
        empty = text.eq("")
        if rules.get("required"):
            _report(problems, file_name, col, text[empty], lambda v: "is empty but required")
        present = ~empty
        kind_ = f["type"]
        if kind_ in ("number", "integer"):
            values = _parse_number(text)
            bad = present & values.isna()
            _report(problems, file_name, col, text[bad], lambda v: f"'{v}' is not a number")
            if kind_ == "integer":
                frac = present & values.notna() & (values % 1 != 0)
                _report(
                    problems, file_name, col, text[frac], lambda v: f"'{v}' is not a whole number"
                )
            if "minimum" in rules:
                low = values < rules["minimum"]
                what = (
                    "must not be negative"
                    if rules["minimum"] == 0
                    else f"must be at least {rules['minimum']}"
                )
                _report(problems, file_name, col, text[low], lambda v, w=what: f"'{v}' {w}")
            if "maximum" in rules:
                high = values > rules["maximum"]
                _report(
                    problems,
                    file_name,
                    col,
                    text[high],
                    lambda v, m=rules["maximum"]: f"'{v}' must be at most {m}",
                )
            typed[col] = values
        elif kind_ in ("date", "datetime"):
            values = _parse_dates(text, kind_)
            bad = present & values.isna()
            fmt = "YYYY-MM-DD" + (" HH:MM" if kind_ == "datetime" else "")
            _report(
                problems,
                file_name,
                col,
                text[bad],
                lambda v, fmt=fmt: f"'{v}' is not a date ({fmt})",
            )
            if f.get("pastOnly") and as_of is not None:
                limit = as_of + pd.Timedelta(days=1)
                future = values >= limit
                _report(
                    problems,
                    file_name,
                    col,
                    text[future],
                    lambda v: f"'{v}' is in the future (after the analysis date {as_of:%Y-%m-%d})",
                )
            typed[col] = values
        elif kind_ == "boolean":
            low = text.str.lower()
            values = pd.Series(
                np.where(low.isin(TRUE), True, np.where(low.isin(FALSE), False, None)),
                index=text.index,
                dtype=object,
            )
            bad = present & values.isna()
            _report(
                problems, file_name, col, text[bad], lambda v: f"'{v}' is not yes/no (use 1 or 0)"
            )
            typed[col] = values
        else:
            values = text.where(present, None)
            if "enum" in rules:
                allowed = rules["enum"]
                lookup = {a.lower(): a for a in allowed}
                values = text.str.lower().map(lookup).where(present, None)
                bad = present & values.isna()

                def enum_message(v, allowed=allowed):
                    close = difflib.get_close_matches(str(v).lower(), allowed, n=1)
                    hint = (
                        f"; did you mean '{close[0]}'?"
                        if close
                        else f" (allowed: {', '.join(allowed)})"
                    )
                    return f"'{v}' is not an allowed value{hint}"

                _report(problems, file_name, col, text[bad], enum_message)
            if "pattern" in rules:
                bad = present & ~text.str.fullmatch(rules["pattern"])
                _report(problems, file_name, col, text[bad], lambda v: f"'{v}' has the wrong form")
            typed[col] = values
    keys = schema["primaryKey"]
    keys = [keys] if isinstance(keys, str) else list(keys)
    key_text = cells[keys[0]].astype(str)
    for extra in keys[1:]:
        key_text = key_text + "|" + cells[extra].astype(str)
    dup = key_text.duplicated(keep="first") & key_text.str.strip().ne("")
    if dup.any():
        first_row = {v: i + 2 for i, v in key_text[~key_text.duplicated()].items()}
        _report(
            problems,
            file_name,
            ", ".join(keys),
            key_text[dup],
            lambda v: f"'{v}' appears twice (first at row {first_row[v]})",
        )
    if known_customer_ids is not None and any(
        fk["fields"] == "customer_id" for fk in schema.get("foreignKeys", [])
    ):
        ids = cells["customer_id"].astype(str).str.strip()
        unknown = ids.ne("") & ~ids.isin(pd.Index(known_customer_ids))
        _report(
            problems,
            file_name,
            "customer_id",
            ids[unknown],
            lambda v: f"unknown customer '{v}' (not in the customers table)",
        )
    if problems:
        return None, problems
    return _finish(typed, fields), []


def _finish(typed: dict[str, pd.Series], fields: list[dict]) -> pd.DataFrame:
    out = {}
    for f in fields:
        values = typed[f["name"]]
        enum = f.get("constraints", {}).get("enum")
        if enum:
            out[f["name"]] = pd.Categorical(values, categories=enum)
        elif f["type"] == "integer":
            out[f["name"]] = values.astype("Int64" if values.isna().any() else "int64")
        elif f["type"] == "number":
            out[f["name"]] = values.astype("float64")
        elif f["type"] == "boolean":
            out[f["name"]] = values.astype("boolean" if values.isna().any() else "bool")
        elif f["type"] in ("date", "datetime"):
            out[f["name"]] = pd.to_datetime(values)
        else:
            out[f["name"]] = values.astype("str").where(values.notna(), "")
    return pd.DataFrame(out)
