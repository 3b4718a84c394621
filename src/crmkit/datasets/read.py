"""Turn a user's file (CSV, tab/semicolon text, or .xlsx) into a frame of text cells.

Everything is read as text, exactly as typed, so validation can quote the
value it rejects. The frame's index holds the row numbers a person sees in
Excel (header = row 1), and `frame.attrs["header_row"]` the header's row.
A file that cannot be read raises `DataValidationError` with one clear line
per problem (binary junk, empty file, a row with the wrong number of cells).

Decisions, for learners' files:
- Encodings: the one given, else UTF-8 (with or without the BOM Excel writes),
  GB18030 (a superset of GBK, what Chinese-language Excel saves) or UTF-16 with
  its BOM (Excel's "Unicode Text"), only when certain: see `encoding`.
- Delimiter: taken from the header row. Commas are expected; semicolons (a
  European Excel's "CSV"), tabs and '|' are accepted too, with a note saying so.
- Fully empty rows are skipped with a note; row numbers stay Excel's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from crmkit.datasets.encoding import decode
from crmkit.errors import DataValidationError, Problem

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|' characters"}
MAX_ROW_PROBLEMS = 100  # ragged rows listed one by one; the rest are counted
_BAD_LINE = re.compile(r"line (\d+): expected (\d+) fields, saw (\d+)")


@dataclass(frozen=True)
class ReadInfo:
    """How a file was read: encoding ('utf-8', 'utf-8-sig', 'gb18030', 'utf-16', a codec
    name given by the user, or 'xlsx'), delimiter (None for xlsx), data rows, header,
    and notes for the user."""

    file: str
    encoding: str
    delimiter: str | None
    rows: int
    columns: tuple[str, ...]
    header_row: int = 1
    notes: tuple[str, ...] = ()


def read_table(path: Path | str, encoding: str | None = None) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV/text or .xlsx file as text cells; raises DataValidationError if unreadable.

    `encoding` (e.g. "utf-8", "gb18030", "gbk") is for text files; None or "auto"
    detects it, refusing when unsure. An .xlsx file names its own.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        where = "is a folder, not a file" if path.is_dir() else f"there is no such file ({path})"
        _fail(name, where)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    if suffix == ".xls":
        _fail(name, "old Excel workbooks (.xls) cannot be read; save it as .xlsx or as CSV")
    if suffix not in TEXT_SUFFIXES:
        _fail(name, f"cannot read '{suffix or 'no extension'}' files; save it as .csv or .xlsx")
    return _read_text(path, encoding)


def _fail(name: str, message: str, row: int | None = None) -> None:
    raise DataValidationError([Problem(name, row, None, message)])


# ---------------------------------------------------------------- text files


def _read_text(path: Path, encoding: str | None) -> tuple[pd.DataFrame, ReadInfo]:
    name = path.name
    data = path.read_bytes()
    text, encoding, notes = decode(data, name, encoding)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\x1a")
    if not text.strip():
        _fail(name, "the file is empty")
    blank_top = re.match(r"(?:[ \t]*\n)*", text)
    assert blank_top is not None
    lead = blank_top.group().count("\n")  # blank lines above the header
    text = text[blank_top.end() :]
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    cells = _parse_csv(text, delimiter, name, lead)
    expected = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    if delimiter not in (",", expected):
        notes.append(
            f"the columns are separated by {DELIMITERS[delimiter]}, not commas; "
            "read them that way (numbers must still use a point for decimals)"
        )
    header = [str(c) for c in cells.iloc[0]]
    body = cells.iloc[1:]
    body.index = pd.RangeIndex(lead + 2, lead + 1 + len(cells))
    return _finish(name, header, body, lead + 1, encoding, delimiter, notes)


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header row (quoted names ignored); commas win ties."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _parse_csv(text: str, delimiter: str, name: str, lead: int) -> pd.DataFrame:
    """All records as text, header included; every row with too many or too few cells
    (pandas skips the first kind and pads the second) is a problem."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            cells = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                header=None,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="warn",
                engine="c",
            )
        except pd.errors.ParserError as err:
            found = re.search(r"EOF inside string starting at row (\d+)", str(err))
            if not found:
                _fail(name, f"cannot be read as CSV ({str(err).strip()})")
            row = int(found.group(1)) + 1 + lead
            _fail(name, 'a quotation mark (") opens a cell that is never closed', row)
        except pd.errors.EmptyDataError:
            _fail(name, "the file is empty")
    width = cells.shape[1]
    long = {int(m[1]): int(m[3]) for w in caught for m in _BAD_LINE.finditer(str(w.message))}
    short = _short_records(cells, text, delimiter, exact_positions=not long)
    counts = sorted({**short, **long}.items())
    if counts:
        problems = [_count_problem(name, r + lead, n, width, delimiter) for r, n in counts]
        raise DataValidationError(problems[:MAX_ROW_PROBLEMS], total=len(problems))
    return cells


def _short_records(
    cells: pd.DataFrame, text: str, delimiter: str, *, exact_positions: bool
) -> dict[int, int]:
    """{record number (header = 1): cells} of non-blank records with fewer cells than the header.

    Only rows whose last cell is empty can be short, so only those are looked at,
    unless skipped long rows broke the match between rows of `cells` and records.
    """
    width = cells.shape[1]
    if width == 1:
        return {}
    if not exact_positions:
        return {i + 1: n for i, n in enumerate(_all_counts(text, delimiter)) if 0 < n < width}
    candidates = np.flatnonzero(cells.iloc[:, -1].eq("").to_numpy())
    candidates = candidates[~_blank(cells.iloc[candidates])]
    if len(candidates) == 0:
        return {}
    counts = _record_counts(text, delimiter)
    if counts is None or len(counts) != len(cells):
        counts = np.array(_all_counts(text, delimiter))
    return {int(p) + 1: int(counts[p]) for p in candidates if counts[p] < width}


def _record_counts(text: str, delimiter: str) -> np.ndarray | None:
    """Cells per record, counted with numpy: delimiters and line breaks inside quotes
    do not count. None if a quote stands where CSV does not allow one (then the
    csv module, slower, counts exactly as pandas and Excel read it)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    delims = np.flatnonzero(data == ord(delimiter))
    quotes = np.flatnonzero(data == ord('"'))
    if len(quotes):
        separators = np.array([ord(delimiter), 10, ord('"')], dtype=np.uint8)
        before = np.where(quotes[::2] > 0, data[np.maximum(quotes[::2] - 1, 0)], 10)
        after_at = quotes[1::2] + 1
        after = np.where(after_at < len(data), data[np.minimum(after_at, len(data) - 1)], 10)
        if len(quotes) % 2 or not (
            np.isin(before, separators).all() and np.isin(after, separators).all()
        ):
            return None
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    if not len(ends) or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    return np.diff(np.searchsorted(delims, ends), prepend=0) + 1


def _all_counts(text: str, delimiter: str) -> list[int]:
    """Cells of every record as Excel would split them (0 for a blank record)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [len(r) if any(c.strip() for c in r) else 0 for r in reader]


def _count_problem(name: str, row: int, saw: int, expected: int, delimiter: str) -> Problem:
    sep = "a tab" if delimiter == "\t" else f"'{delimiter}'"
    why = (
        f"an extra {sep}, or a value with {sep} that needs quotes?"
        if saw > expected
        else f"cells or {sep} missing?"
    )
    cells = f"{saw} cell" + ("" if saw == 1 else "s")
    return Problem(name, row, None, f"has {cells} but the header has {expected} columns ({why})")


# ---------------------------------------------------------------- Excel


def _read_excel(path: Path) -> tuple[pd.DataFrame, ReadInfo]:
    name = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as err:
        _fail(name, f"cannot be opened as an Excel workbook ({type(err).__name__}); is it .xlsx?")
    try:
        sheet = book.worksheets[0]
        rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        sheets = book.sheetnames
    finally:
        book.close()
    notes = []
    if len(sheets) > 1:
        notes.append(f"read the first sheet '{sheets[0]}' (the workbook has {len(sheets)} sheets)")
    filled = [i for i, r in enumerate(rows) if any(v.strip() for v in r)]
    if not filled:
        _fail(name, "the file is empty")
    top = filled[0]
    width = max(len(r) for r in rows[top:])
    padded = [r + [""] * (width - len(r)) for r in rows[top:]]
    body = pd.DataFrame(
        padded[1:],
        columns=pd.RangeIndex(width),
        index=pd.RangeIndex(top + 2, top + 1 + len(padded)),
        dtype=str,
    )
    return _finish(name, padded[0], body, top + 1, "xlsx", None, notes)


def cell_text(value: object) -> str:
    """A cell as the text a person would type: dates as YYYY-MM-DD[ HH:MM], 12.0 as 12."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M}" if value.second == 0 else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}" if value.second == 0 else f"{value:%H:%M:%S}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- both


def _finish(
    name: str,
    header: list[str],
    body: pd.DataFrame,
    header_row: int,
    encoding: str,
    delimiter: str | None,
    notes: list[str],
) -> tuple[pd.DataFrame, ReadInfo]:
    """Name the columns, drop empty rows and unnamed empty columns, check the header."""
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    body = body.set_axis(range(len(names)), axis=1)
    keep, columns = [], []
    for i, column in enumerate(names):
        if column:
            keep.append(i)
            columns.append(column)
        elif body[i].str.strip().ne("").any():
            letter = get_column_letter(i + 1)
            keep.append(i)
            columns.append(f"(column {letter})")
            notes.append(f"column {letter} has values but no name in the header row")
    _check_duplicates(name, names, header_row)
    body = (body[keep] if len(keep) < body.shape[1] else body).set_axis(columns, axis=1)
    empty = np.zeros(len(body), dtype=bool)
    if columns:
        maybe = np.flatnonzero(body.iloc[:, 0].eq("").to_numpy())
        empty[maybe[_blank(body.iloc[maybe])]] = True
    else:
        empty[:] = True
    if empty.any():
        skipped = list(body.index[empty])
        body = body[~empty]
        shown = ", ".join(str(r) for r in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        rows = "row" if len(skipped) == 1 else "rows"
        notes.append(f"skipped {len(skipped)} empty {rows} ({rows} {shown})")
    if body.empty:
        _fail(name, "has a header but no data rows")
    body.index.name = "row"
    body.attrs["header_row"] = header_row
    info = ReadInfo(name, encoding, delimiter, len(body), tuple(columns), header_row, tuple(notes))
    return body, info


def _blank(rows: pd.DataFrame) -> np.ndarray:
    """Which of these rows have nothing but spaces in every cell."""
    if rows.empty:
        return np.zeros(len(rows), dtype=bool)
    return rows.apply(lambda c: c.str.strip().eq("")).all(axis=1).to_numpy()


def _check_duplicates(name: str, names: list[str], header_row: int) -> None:
    seen: dict[str, int] = {}
    problems = []
    for i, column in enumerate(names):
        if not column:
            continue
        if column in seen:
            first, here = get_column_letter(seen[column] + 1), get_column_letter(i + 1)
            message = f"appears twice in the header (columns {first} and {here}); rename one"
            problems.append(Problem(name, header_row, column, message))
        else:
            seen[column] = i
    if problems:
        raise DataValidationError(problems)
