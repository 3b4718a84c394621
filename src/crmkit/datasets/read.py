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
- Fully empty rows (nothing but spaces, or only delimiters) are skipped with a
  note; row numbers stay Excel's.
- Title rows above the header ("Sales report 2024", a blank row, then the
  header) are skipped with a note when the header is unmistakable; otherwise
  the file is refused, naming the row where the header seems to be.
- A header repeated further down (files pasted together) and a totals row at
  the bottom are refused, naming the row: they are not data.
- Excel: the first sheet, or the one given; a first sheet without a table
  while another sheet has one is refused with the list of sheets. Cells are
  read with calamine (fast), or openpyxl when the workbook has error cells
  (#N/A, #DIV/0!), which calamine would read as empty.
"""

from __future__ import annotations

import bisect
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
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from crmkit.datasets.encoding import decode
from crmkit.errors import DataValidationError, Problem

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|' characters"}
MAX_ROW_PROBLEMS = 100  # ragged rows listed one by one; the rest are counted
_SPACES = " \t\u00a0\u3000"  # what counts as blank: spaces, tabs, no-break and ideographic spaces
HEAD_ROWS = 30  # rows looked at to find the header below a title
MAX_TITLE_ROWS = 3  # non-empty rows above the header that may be skipped as a title
TOTAL_WORDS = frozenset(
    ["total", "totals", "grand total", "sum", "subtotal", "sub-total", "sub total"]
    + ["合计", "总计", "小计", "合計", "總計", "小計"]
)
_VALUE = re.compile(r"^[-+(]?[$€£¥]?\d[\d,. :/%)-]*$")  # 12, -3.5, 1,234, 2024-01-31, 50%
_KEY = re.compile(r"(?i:(?:^|[\s_.-])id$)|[a-z]ID$|编号|编码|代码|单号|單號")  # id-like names
_NUMBER_NOISE = re.compile(r"[\s,$€£¥]")  # thousands separators and currency signs
_strip = np.frompyfunc(str.strip, 1, 1)  # on an object array: twice as fast as .str.strip()
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


def read_table(
    path: Path | str, encoding: str | None = None, sheet: str | int | None = None
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV/text or .xlsx file as text cells; raises DataValidationError if unreadable.

    `encoding` (e.g. "utf-8", "gb18030", "gbk") is for text files; None or "auto"
    detects it, refusing when unsure. An .xlsx file names its own. `sheet` (a name,
    or a 0-based position) picks a workbook's sheet; None reads the first one.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        where = "is a folder, not a file" if path.is_dir() else f"there is no such file ({path})"
        _fail(name, where)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix == ".xls":
        _fail(name, "old Excel workbooks (.xls) cannot be read; save it as .xlsx or as CSV")
    if suffix not in TEXT_SUFFIXES:
        _fail(name, f"cannot read '{suffix or 'no extension'}' files; save it as .csv or .xlsx")
    if sheet is not None:
        _fail(name, f"is a text file, which has no sheets; give a sheet ('{sheet}') only for .xlsx")
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
    blank_top = re.match(rf"(?:[{_SPACES}{''.join(DELIMITERS)}]*\n)*", text)
    assert blank_top is not None
    lead = blank_top.group().count("\n")  # blank lines above the header
    text = text[blank_top.end() :]
    if not text.strip(f"{_SPACES}{''.join(DELIMITERS)}\n"):
        _fail(name, "the file is empty")
    head = text.split("\n", HEAD_ROWS)[:HEAD_ROWS]
    title_delimiter = _head_delimiter(head)
    skip, note = _header_at([_split(line, title_delimiter) for line in head], name, lead)
    if skip:
        text = text.split("\n", skip)[skip]
        lead += skip
        notes.append(note)
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    cells = _parse_csv(_blank_out(text, delimiter), delimiter, name, lead)
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


def _split(line: str, delimiter: str) -> list[str]:
    """One line's cells, as the csv module splits them."""
    return next(csv.reader([line], delimiter=delimiter), [])


def _head_delimiter(head: list[str]) -> str:
    """The delimiter of the first line with two or more values (the header, below any
    title lines); the first line's if there is none."""
    for line in head:
        delimiter = _sniff_delimiter(line)
        if _filled(_split(line, delimiter)) >= 2:
            return delimiter
    return _sniff_delimiter(head[0])


def _blank_out(text: str, delimiter: str) -> str:
    """Lines of nothing but spaces and delimiters made empty, so they are skipped as empty
    rows instead of counting as rows with too many or too few cells."""
    pattern = re.compile(rf"\n[{_SPACES}{re.escape(delimiter)}]+(?=\n|\Z)")  # not the header
    found = list(pattern.finditer(text))
    if not found:
        return text
    # a line inside a quoted cell (a text with line breaks) is the cell's, not a record
    quotes = [q.start() for q in re.finditer('"', text)]
    outside = [m for m in found if bisect.bisect_left(quotes, m.start()) % 2 == 0]
    pieces, last = [], 0
    for m in outside:
        pieces += [text[last : m.start()], "\n"]
        last = m.end()
    return "".join([*pieces, text[last:]])


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


def _read_excel(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, ReadInfo]:
    name = path.name
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as err:
        _fail(name, f"cannot be opened as an Excel workbook ({type(err).__name__}); is it .xlsx?")
    try:
        sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if not sheets:
            _fail(name, "the workbook has no sheets with cells")
        chosen = 0 if sheet is None else _sheet_index(name, sheets, sheet)
        with_errors = _has_error_cells(path)
        rows = _sheet_rows(book, sheets[chosen], path if with_errors else None)
        if sheet is None and len(sheets) > 1 and not _has_table(rows):
            others = [s for s in sheets[1:] if _has_table(_sheet_rows(book, s, None, HEAD_ROWS))]
            if others:
                listed = ", ".join(sheets)
                _fail(
                    name,
                    f"the first sheet '{sheets[0]}' has no table; the workbook's sheets are: "
                    f"{listed}: give the sheet, e.g. --sheet '{others[0]}'",
                )
    finally:
        book.close()
    notes = []
    if sheet is None and len(sheets) > 1:
        notes.append(f"read the first sheet '{sheets[0]}' (the workbook has {len(sheets)} sheets)")
    filled = [i for i, r in enumerate(rows) if any(v.strip() for v in r)]
    if not filled:
        _fail(
            name,
            "the file is empty" if len(sheets) == 1 else f"the sheet '{sheets[chosen]}' is empty",
        )
    top = filled[0]
    width = max(len(r) for r in rows[top:])
    padded = [r + [""] * (width - len(r)) for r in rows[top:]]
    skip, note = _header_at(padded[:HEAD_ROWS], name, top)
    if skip:
        padded = padded[skip:]
        top += skip
        notes.append(note)
    body = pd.DataFrame(
        padded[1:],
        columns=pd.RangeIndex(width),
        index=pd.RangeIndex(top + 2, top + 1 + len(padded)),
        dtype=str,
    )
    return _finish(name, padded[0], body, top + 1, "xlsx", None, notes)


def _sheet_index(name: str, sheets: list[str], sheet: str | int) -> int:
    """The position of the sheet asked for (a name, spaces and case aside, or a 0-based
    position); refuses one the workbook does not have, listing those it has."""
    listed = ", ".join(f"'{s}'" for s in sheets)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheet
        last = len(sheets) - 1
        _fail(name, f"has no sheet number {sheet} (0 is the first, {last} the last): {listed}")
    loose = [s.strip().casefold() for s in sheets]
    wanted = str(sheet).strip().casefold()
    if wanted in loose:
        return sheets.index(str(sheet)) if str(sheet) in sheets else loose.index(wanted)
    _fail(name, f"has no sheet '{sheet}'; its sheets are: {listed}")
    raise AssertionError  # _fail raised


def _sheet_rows(
    book: CalamineWorkbook, sheet: str, openpyxl_path: Path | None, nrows: int | None = None
) -> list[list[str]]:
    """A sheet's cells as text, row 1 first (calamine, or openpyxl for a workbook with
    error cells, which calamine reads as empty)."""
    if openpyxl_path is not None:
        return _openpyxl_rows(openpyxl_path, sheet)
    values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=nrows)
    return [[v if v.__class__ is str else _excel_text(v) for v in row] for row in values]


def _excel_text(value: object) -> str:
    """`cell_text` of a calamine value, with a shortcut for numbers (most of the cells)."""
    if type(value) is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return "" if value != value else str(value)
    return cell_text(value)


def _openpyxl_rows(path: Path, sheet: str) -> list[list[str]]:
    """A sheet's cells as text, read with openpyxl (slow, but it keeps '#N/A' cells)."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [[cell_text(v) for v in row] for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def _has_error_cells(path: Path) -> bool:
    """Whether any sheet of the workbook holds an error cell (#N/A, #DIV/0!, #REF!, ...)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                b't="e"' in archive.read(item)
                for item in archive.namelist()
                if item.startswith("xl/worksheets/") and item.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def _has_table(rows: list[list[str]]) -> bool:
    """Whether a sheet holds a table: a header (below any title) and a row under it."""
    filled = []
    for row in rows:
        if _filled(row):
            filled.append(row)
            if len(filled) == HEAD_ROWS:
                break
    if not filled:
        return False
    width = max(len(r) for r in filled)
    padded = [r + [""] * (width - len(r)) for r in filled[:HEAD_ROWS]]
    try:
        skip, _ = _header_at(padded, "", 0)
    except DataValidationError:
        return False
    header = padded[skip]
    return _filled(header) >= 2 and not _values(header) and len(padded) > skip + 1


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


def _filled(row: list[str]) -> int:
    """How many cells of a row hold something other than spaces."""
    return sum(1 for c in row if c.strip())


def _values(row: list[str]) -> list[str]:
    """The cells of a row that are numbers or dates (values, not column names)."""
    return [c.strip() for c in row if _VALUE.match(c.strip())]


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}\u2013{last}"


def _header_at(rows: list[list[str]], name: str, offset: int) -> tuple[int, str]:
    """Where the header is among a file's first rows (0: the first, as always unless the
    first has a single value, a title, above a table), and a note on the rows skipped.

    `rows[0]` is the file's row `offset + 1` and not empty. A title is skipped only when
    unmistakable: at most MAX_TITLE_ROWS single-value rows above a row of names followed
    by rows of as many cells. A table under a title with a header of values, or under too
    many rows to skip, is refused, naming the row; anything else keeps the first row.
    """
    counts = [_filled(r) for r in rows]
    if counts[0] >= 2 or max(counts) < 2:
        return 0, ""
    at = next(i for i, n in enumerate(counts) if n >= 2)
    header = rows[at]
    below = [rows[i] for i in range(at + 1, len(rows)) if counts[i]][:3]
    if not below or any(len(r) != len(header) or _filled(r) < 2 for r in below):
        return 0, ""
    row = offset + at + 1
    titles = [i for i in range(at) if counts[i]]
    title = next(c.strip() for c in rows[0] if c.strip())
    values = _values(header)
    if len(titles) <= MAX_TITLE_ROWS and not values:
        skipped, verb = _rows(1, row - 1), "was" if row == 2 else "were"
        return (
            at,
            f"the header is on row {row}; {skipped} (a title: '{title}') {verb} skipped",
        )
    above = _rows(offset + 1, row - 1)
    if values:
        message = (
            f"the table seems to start on this row, below a title ('{title}', {above}), "
            f"but this row holds values ('{values[0]}'), not column names: put the column "
            "names in the first row of the file, and delete the rows above them"
        )
    else:
        message = (
            f"the header seems to be on this row, below {len(titles)} rows of a single value "
            f"each ({above}: '{title}', ...), too many to skip as a title: delete the rows "
            "above the header so that it is the first row"
        )
    _fail(name, message, row)
    raise AssertionError  # _fail raised


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
    first = _strip(body.iloc[:, 0].to_numpy(dtype=object)) if columns else None
    if first is not None:
        maybe = np.flatnonzero(first == "")
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
    assert first is not None
    problems = _repeated_headers(name, body, first[~empty], [names[i] for i in keep])
    totals = _totals_row(body)
    if totals:
        problems.append(Problem(name, int(body.index[-1]), None, totals))
    if problems:
        raise DataValidationError(problems[:MAX_ROW_PROBLEMS], total=len(problems))
    body.index.name = "row"
    body.attrs["header_row"] = header_row
    info = ReadInfo(name, encoding, delimiter, len(body), tuple(columns), header_row, tuple(notes))
    return body, info


def _repeated_headers(
    name: str, body: pd.DataFrame, first: np.ndarray, header: list[str]
) -> list[Problem]:
    """A problem for each row that repeats the header: files pasted together.

    `first` is the body's first column, stripped (a pasted file's BOM may lead it)."""
    wanted = [h.strip().lstrip("\ufeff").strip() for h in header]
    if not wanted[0]:  # an unnamed first column: look for rows by the first name instead
        at = next(i for i, w in enumerate(wanted) if w)
        first = _strip(body.iloc[:, at].to_numpy(dtype=object))
    else:
        at = 0
    maybe = np.flatnonzero((first == wanted[at]) | (first == "\ufeff" + wanted[at]))
    problems = []
    for position in maybe:
        cells = [c.strip().lstrip("\ufeff").strip() for c in body.iloc[position]]
        if cells == wanted:
            row = int(body.index[position])
            message = "repeats the header (files pasted together?): remove it"
            problems.append(Problem(name, row, None, message))
    return problems


def _totals_row(body: pd.DataFrame) -> str | None:
    """Why the last row looks like a totals row, or None: its first value is a word like
    'Total' or '合计', or its id cells are empty and a number in it is the sum of its
    column above (at least two rows, so one row's copy is not taken for a sum)."""
    if len(body) < 2:
        return None
    last = body.iloc[-1]
    first = next((c.strip() for c in last if c.strip()), "")
    if first.rstrip(":：").strip().casefold() in TOTAL_WORDS:
        return f"looks like a totals row ('{first}'): remove it"
    if len(body) < 3:
        return None
    keys = [c for c in body.columns if _KEY.search(c)] or [body.columns[0]]
    if any(last[k].strip() for k in keys):
        return None
    for column in body.columns:
        value = pd.to_numeric(_NUMBER_NOISE.sub("", last[column]) or "x", errors="coerce")
        if pd.isna(value) or value == 0:
            continue
        above = body[column].iloc[:-1].str.replace(_NUMBER_NOISE, "", regex=True)
        numbers = pd.to_numeric(above, errors="coerce")
        if numbers.count() < 2:
            continue
        total = float(numbers.sum())
        if abs(total - value) <= max(0.005, abs(total) * 1e-9):
            empty = " and ".join(keys)
            is_are = "is" if len(keys) == 1 else "are"
            return (
                f"looks like a totals row ({empty} {is_are} empty and {column} "
                f"{last[column].strip()} is the sum of the rows above): remove it"
            )
    return None


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
