"""Check a table of text cells against the data dictionary, and type it.

Every rule of datasets/datapackage.json is checked column by column with
pandas/numpy (values are parsed once per distinct text, so a million rows take
seconds), and every problem is collected as `file:row: column: what is wrong`,
with rows numbered as Excel shows them (header = row 1). The result is all or
nothing: the fully typed frame (see docs/dev/CONTRACTS.md), or the problems.

Lenient where a person's intent is clear (and noted where it changes text):
headers that differ only in case, spaces, punctuation or full-width forms
("Customer ID"), or that are a usual English or Chinese name of the column
("Invoice No", "金额"; see crmkit.datasets.columns, which also reads a
trainer's explicit mapping);
enum values that differ the same way ("Supermarket"); numbers with a leading
¥, thousands separators ("¥1,234.50") or full-width digits; booleans as
1/0, true/false, yes/no, y/n, 是/否; dates as YYYY-MM-DD or YYYY/MM/DD (also
without leading zeros, or as YYYY年M月D日), and Excel date cells.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmkit.datasets.columns import (
    MAP_FILE,
    ColumnMapping,
    column_mappings,
    header_key,
    match_header,
    suggest_column,
)
from crmkit.datasets.read import cell_text
from crmkit.datasets.schema import Field, Table, load_schema, loose_name, table
from crmkit.datasets.values import ValueFormats, read_date, read_number
from crmkit.errors import Problem

MAX_ROWS_PER_CHECK = 100  # problem lines kept per column and rule; the rest are only counted
BOOLEANS = {"1": 1.0, "true": 1.0, "yes": 1.0, "y": 1.0, "是": 1.0}
BOOLEANS |= {"0": 0.0, "false": 0.0, "no": 0.0, "n": 0.0, "否": 0.0}
PATTERN_FORMS = {r"^\d{4}-(0[1-9]|1[0-2])$": "YYYY-MM, e.g. 2024-03"}
OK, EMPTY, BAD = 0, 1, 2
FIRST_YEAR, LAST_YEAR = 1900, 2200  # other years are typing errors
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DATE = re.compile(
    r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日?)"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?)?"
)


@dataclass
class TableCheck:
    """One table checked: the typed frame (None if anything is wrong), the problems (at
    most MAX_ROWS_PER_CHECK per column and rule), how many there are in all, and notes."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    total: int
    notes: list[str] = field(default_factory=list)


def validate_table(
    raw: pd.DataFrame,
    kind: str,
    *,
    file_name: str,
    as_of: pd.Timestamp | str | None = None,
    known_customer_ids: Collection[str] | None = None,
    columns: Mapping[str, str] | Sequence[ColumnMapping] | None = None,
    formats: ValueFormats | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check text cells against table `kind`: (typed frame, []) or (None, every problem)."""
    check = check_table(
        raw,
        kind,
        file_name=file_name,
        as_of=as_of,
        known_customer_ids=known_customer_ids,
        columns=columns,
        formats=formats,
    )
    return check.frame, check.problems


def check_table(
    raw: pd.DataFrame,
    kind: str,
    *,
    file_name: str,
    as_of: pd.Timestamp | str | None = None,
    known_customer_ids: Collection[str] | None = None,
    customers_file: str | None = None,
    columns: Mapping[str, str] | Sequence[ColumnMapping] | None = None,
    formats: ValueFormats | None = None,
) -> TableCheck:
    """validate_table with the problem count and notes (e.g. a header read loosely).

    Rows are numbered by the index of `raw` when it is named "row" (as
    `read_table` makes it), else by position + 2; the header's row is
    `raw.attrs["header_row"]` (default 1). `customers_file` names the file
    the known ids came from in messages (default customers.csv). `columns` says
    which of the file's columns is which field, over the usual names: a dict
    {"their header": "field"} (ColumnMapError if it names no field) or mappings
    read from a mapping file (see crmkit.datasets.columns). `formats` says what
    a cell's form does not: the order of day and month, the decimal mark
    (crmkit.datasets.values; by default only forms that cannot be misread).
    """
    spec = table(kind)
    mappings = column_mappings(columns, kind) if isinstance(columns, Mapping) else columns
    report = _Collector(file_name, _row_numbers(raw))
    header_row = int(raw.attrs.get("header_row", 1))
    if raw.shape[0] == 0:
        report.add(None, None, "has a header but no data rows")
        return TableCheck(None, report.problems, report.total)
    columns, notes = _match_columns(raw, spec, report, header_row, mappings or ())
    if columns is None:  # the header itself is unusable
        return TableCheck(None, report.sorted(spec), report.total, notes)
    day = None if as_of is None else pd.Timestamp(as_of).normalize()
    parsed = {
        f.name: _parse_column(columns.get(f.name), f, len(raw), formats or ValueFormats())
        for f in spec.fields
        if f.name in columns or not f.essential  # a missing essential column is reported
    }
    for name in _numbered_keys(spec, columns):
        parsed[name] = _row_ids(parsed[name], report.rows)
    for p in parsed.values():
        _check_column(p, day, report, present=p.field.name in columns)
        notes += p.notes
    for key in _key_sets(spec):
        if all(name in parsed for name in key):
            _check_unique(key, parsed, report)
    if known_customer_ids is not None:
        source = customers_file or load_schema()["customers"].path
        _check_customers(spec, parsed, known_customer_ids, source, report)
    if report.total:
        return TableCheck(None, report.sorted(spec), report.total, notes)
    frame = pd.DataFrame({f.name: parsed[f.name].typed() for f in spec.fields})
    return TableCheck(frame, [], 0, notes)


def empty_table(kind: str, rows: int = 0) -> pd.DataFrame:
    """Table `kind` with every column typed as the dictionary says and every cell unknown:
    what a folder that leaves the table (or its columns) out reads as."""
    spec = table(kind)
    return pd.DataFrame(
        {f.name: _parse_column(None, f, rows, ValueFormats()).typed() for f in spec.fields}
    )


def _row_numbers(raw: pd.DataFrame) -> np.ndarray:
    if raw.index.name == "row" and pd.api.types.is_integer_dtype(raw.index.dtype):
        return raw.index.to_numpy(dtype=np.int64)
    return np.arange(len(raw), dtype=np.int64) + 2


class _Collector:
    """Problems found so far; of a rule broken in many rows it keeps the first, counts all."""

    def __init__(self, file: str, rows: np.ndarray) -> None:
        self.file, self.rows = file, rows
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, message))
        self.total += 1

    def rows_where(
        self, column: str, positions: np.ndarray, describe: Callable[[int], str]
    ) -> None:
        """One problem per row position; `describe(position)` says what is wrong there."""
        self.total += len(positions)
        for pos in positions[:MAX_ROWS_PER_CHECK]:
            row = int(self.rows[pos])
            self.problems.append(Problem(self.file, row, column, describe(pos)))

    def add_elsewhere(self, problem: Problem) -> None:
        """A problem located in another file (a column mapping file)."""
        self.problems.append(problem)
        self.total += 1

    def sorted(self, spec: Table) -> list[Problem]:
        """Problems in reading order: those of other files (a mapping) first, then by row,
        then by column as in the dictionary."""
        order = {name: i for i, name in enumerate(spec.field_names)}

        def key(p: Problem) -> tuple[bool, int, int]:
            column = order.get((p.column or "").split(",")[0], len(order))
            return p.file == self.file, p.row or 0, column

        return sorted(self.problems, key=key)


# ---------------------------------------------------------------- header


def _match_columns(
    raw: pd.DataFrame,
    spec: Table,
    report: _Collector,
    header_row: int,
    mappings: Sequence[ColumnMapping] = (),
) -> tuple[dict[str, pd.Series] | None, list[str]]:
    """Schema name -> the user's column (None if the header is unusable), matched as
    `match_header` does; a missing required or misspelt column, two columns meaning
    one field, or a mapping naming no column is a problem; extra or renamed ones notes."""
    given = [str(c) for c in raw.columns]
    notes: list[str] = []
    for name in sorted({c for c in given if given.count(c) > 1}):
        report.add(header_row, name, "appears twice in the header; rename one")
    if report.total:
        return None, notes
    match = match_header(given, spec.name, mappings)
    for m in match.absent:
        _absent_mapping(m, match.unknown, report, header_row)
    for f in spec.fields:
        if f.name in match.clashes:
            clash = match.clashes[f.name]
            both = "both" if len(clash) == 2 else "all"
            message = (
                f"columns {_listed(clash)} {both} mean '{f.name}'; rename or delete all but "
                f"one, or name the one to use in {MAP_FILE}"
            )
            report.add(header_row, f.name, message)
        column = match.found.get(f.name)
        if column is not None and column != f.name:
            m = match.mapped.get(f.name)
            notes.append(f"column '{column}' read as '{f.name}'" + (f" ({m.where})" if m else ""))
    unknown = list(match.unknown)
    settled = set(match.found) | set(match.clashes) | {m.field for m in match.absent}
    missing = [f for f in spec.fields if f.name not in settled]
    if len(given) == 1 and len(missing) > 1:
        message = (
            f"the header is one single column ('{given[0][:50]}'); are the columns separated "
            "by commas? Save the file as CSV (comma delimited)"
        )
        report.add(header_row, None, message)
        return None, notes
    for f in missing:
        _missing_column(f, spec.name, unknown, report, header_row, notes)
    for column, name in match.shadowed.items():
        notes.append(f"column '{column}' ignored: '{name}' is read from '{match.found[name]}'")
    if unknown:
        notes.append(f"column(s) not in the data dictionary, ignored: {_listed(unknown, ', ')}")
    return {name: raw[col] for name, col in match.found.items()}, notes


def _listed(columns: list[str], last: str = " and ") -> str:
    quoted = [f"'{c}'" for c in columns]
    return ", ".join(quoted[:-1]) + last + quoted[-1] if len(quoted) > 1 else quoted[0]


def _absent_mapping(
    m: ColumnMapping, unknown: list[str], report: _Collector, header_row: int
) -> None:
    """A mapping naming a column the file does not have: located in the mapping file."""
    close = difflib.get_close_matches(
        header_key(m.their_column), [header_key(c) for c in unknown], 1, 0.6
    )
    hint = ""
    if close:
        hint = f"; did you mean '{next(c for c in unknown if header_key(c) == close[0])}'?"
    if m.source is None:
        message = f"columns= reads '{m.their_column}' as '{m.field}', but the header has no "
        message += f"such column{hint}"
        report.add(header_row, m.field, message)
    else:
        message = f"'{m.their_column}' (read as '{m.field}') is not a column of {report.file}{hint}"
        report.add_elsewhere(Problem(m.source, m.row, "their_column", message))


def _numbered_keys(spec: Table, columns: Mapping[str, object]) -> list[str]:
    """A table's one-column primary key that the file leaves out and that may be absent:
    each row is then one record, numbered by its row."""
    key = spec.primary_key
    if len(key) == 1 and key[0] not in columns and spec.field(key[0]).absent:
        return [key[0]]
    return []


def _row_ids(parsed: _Parsed, rows: np.ndarray) -> _Parsed:
    """The key of a file without it: 'R' and the row number (R2, R3, ...), unique by row."""
    texts = np.array([f"R{int(r)}" for r in rows], dtype=object)
    status = np.full(len(texts), OK, dtype=np.int8)
    return _Parsed(parsed.field, texts, None, status, texts.copy())


def _missing_column(
    f: Field, kind: str, unknown: list[str], report: _Collector, header_row: int, notes: list[str]
) -> None:
    """A column the file lacks: a problem if required or misspelt, else a note. A header
    like the field's name or one of its usual names gets "did you mean"."""
    what = "required column" if f.essential else "column"
    left_out = (
        f"column '{f.name}' is left out: {f.absent}"
        if f.absent
        else f"optional column '{f.name}' is missing; it is read as empty"
    )
    close = suggest_column(f.name, kind, unknown)
    if close:
        typo, like_name = close
        unknown.remove(typo)
        hint = f"the header has '{typo}': did you mean '{f.name}'?"
        if f.essential or like_name:
            report.add(header_row, f.name, f"{what} is missing ({hint})")
        else:
            notes.append(f"{left_out} ({hint})")
    elif f.essential:
        report.add(header_row, f.name, "required column is missing")
    else:
        notes.append(left_out)


# ---------------------------------------------------------------- parsing


@dataclass
class _Parsed:
    """One column parsed per distinct text; `codes` maps each row to its distinct text."""

    field: Field
    texts: np.ndarray  # stripped text per distinct value (object)
    codes: np.ndarray | None  # row -> index into texts; None: one entry per row
    status: np.ndarray  # OK / EMPTY / BAD per distinct value
    values: np.ndarray  # parsed value per distinct value
    notes: list[str] = field(default_factory=list)

    def positions(self, mask: np.ndarray) -> np.ndarray:
        """Row positions whose distinct value satisfies `mask`."""
        if not mask.any():
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(mask if self.codes is None else mask[self.codes])

    def text_at(self, pos: int) -> str:
        return str(self.texts[pos if self.codes is None else self.codes[pos]]).strip()

    def report(self, report: _Collector, mask: np.ndarray, message: Callable[[str], str]) -> None:
        """A problem for each row whose value satisfies `mask`, quoting its text."""
        positions = self.positions(mask)
        report.rows_where(self.field.name, positions, lambda pos: message(self.text_at(pos)))

    def by_row(self, per_value: np.ndarray) -> np.ndarray:
        return per_value if self.codes is None else per_value[self.codes]

    def typed(self) -> pd.Series:
        """The column in the dtype the contract gives (empty cells as missing)."""
        f = self.field
        values = self.by_row(self.values)
        if f.constraints.enum:
            codes = values.astype(np.int64)
            return pd.Series(pd.Categorical.from_codes(codes, categories=list(f.constraints.enum)))
        if f.type == "number":
            return pd.Series(values, dtype=np.float64)
        if f.type in ("integer", "boolean"):
            missing = np.isnan(values).any()
            dtypes = {"integer": ("Int64", np.int64), "boolean": ("boolean", bool)}[f.type]
            return pd.Series(values).astype(dtypes[0] if missing else dtypes[1])
        if f.type in ("date", "datetime"):
            return pd.Series(values.astype("datetime64[ns]"))
        return pd.Series(values, dtype="str")


def _as_text(column: pd.Series | None, n: int) -> pd.Series:
    """The column as str cells; in a hand-made frame, missing values become empty and
    numbers or dates the text a person would type."""
    if column is None:
        return pd.Series(np.full(n, "", dtype=object), dtype="str")
    if isinstance(column.dtype, pd.StringDtype):
        return column.fillna("") if column.hasnans else column
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column
    return pd.Series([cell_text(v) for v in column], index=column.index, dtype="str")


def _parse_column(column: pd.Series | None, f: Field, n: int, formats: ValueFormats) -> _Parsed:
    text = _as_text(column, n)
    if f.type in ("number", "integer"):  # mostly distinct values: parse row by row
        return _parse_numbers(text.to_numpy(dtype=object), None, f, formats)
    codes, uniques = pd.factorize(text)
    texts = np.asarray(uniques, dtype=object)
    if f.type == "boolean":
        return _parse_booleans(texts, codes, f)
    if f.type in ("date", "datetime"):
        return _parse_dates(texts, codes, f, formats)
    return _parse_strings(texts, codes, f)


def _strip(texts: np.ndarray) -> np.ndarray:
    return np.array([t.strip() for t in texts], dtype=object)


def _parse_numbers(
    texts: np.ndarray, codes: np.ndarray | None, f: Field, formats: ValueFormats
) -> _Parsed:
    if formats.decimal == ".":
        values = pd.to_numeric(texts, errors="coerce").astype(np.float64)
    else:  # "1.286" means 1286 here: no value may take the fast path
        values = np.full(len(texts), np.nan)
    status = np.full(len(texts), OK, dtype=np.int8)
    for i in np.flatnonzero(~np.isfinite(values)):  # the few that need a closer look
        values[i], status[i] = _number(texts[i], formats)
    return _Parsed(f, texts, codes, status, values)


def _number(text: str, formats: ValueFormats) -> tuple[float, int]:
    """(value, status) of a number as people write it: ¥1,234.50, full-width digits,
    currency marks, (12.50) for a negative, a decimal comma when `formats` says so."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return np.nan, EMPTY
    if formats.decimal == ".":
        plain = re.sub(r"^([+-]?)\s*[¥$]\s*", r"\1", s)
        if _THOUSANDS.fullmatch(plain):
            plain = plain.replace(",", "")
        if _PLAIN_NUMBER.fullmatch(plain):
            return float(plain), OK
    value, _ = read_number(s, formats)
    return (value, OK) if np.isfinite(value) else (np.nan, BAD)


def _parse_booleans(texts: np.ndarray, codes: np.ndarray, f: Field) -> _Parsed:
    clean = _strip(texts)
    values = np.array([BOOLEANS.get(t.lower(), np.nan) for t in clean], dtype=np.float64)
    status = np.where(clean == "", EMPTY, np.where(np.isnan(values), BAD, OK)).astype(np.int8)
    return _Parsed(f, clean, codes, status, values)


def _parse_dates(texts: np.ndarray, codes: np.ndarray, f: Field, formats: ValueFormats) -> _Parsed:
    fast = "%Y-%m-%d" if f.type == "date" else "%Y-%m-%d %H:%M"
    parsed = pd.to_datetime(pd.Index(texts), format=fast, errors="coerce").to_numpy()
    plausible = (parsed >= np.datetime64(f"{FIRST_YEAR}-01-01")) & (
        parsed < np.datetime64(f"{LAST_YEAR + 1}-01-01")
    )  # also keeps datetime64[ns] from overflowing
    values = np.where(plausible, parsed, np.datetime64("NaT")).astype("datetime64[ns]")
    status = np.full(len(texts), OK, dtype=np.int8)
    clean = texts.copy()
    for i in np.flatnonzero(np.isnat(values)):
        clean[i] = texts[i].strip()
        values[i], status[i] = _date(clean[i], f.type == "date", formats)
    return _Parsed(f, clean, codes, status, values)


def _date(text: str, date_only: bool, formats: ValueFormats) -> tuple[np.datetime64, int]:
    """(value, status) of a date written YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, with a time,
    or in the forms of crmkit.datasets.values (19970101, 01-Jan-1997, 31.01.1997 with a
    stated order of day and month)."""
    if not text:
        return np.datetime64("NaT"), EMPTY
    m = _DATE.fullmatch(unicodedata.normalize("NFKC", text))
    if not m:
        stamp, _ = read_date(text, formats)
        if stamp is None or not FIRST_YEAR <= stamp.year <= LAST_YEAR:
            return np.datetime64("NaT"), BAD
        return stamp.to_datetime64().astype("datetime64[ns]"), OK
    year, month, day = int(m[1]), int(m[3] or m[5]), int(m[4] or m[6])
    hour, minute, second = (int(m[i] or 0) for i in (7, 8, 9))
    if date_only and (hour, minute, second) != (0, 0, 0):
        return np.datetime64("NaT"), BAD
    try:
        stamp = pd.Timestamp(year, month, day, hour, minute, second)
    except ValueError:
        return np.datetime64("NaT"), BAD
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return np.datetime64("NaT"), BAD
    return stamp.to_datetime64().astype("datetime64[ns]"), OK


def _parse_strings(texts: np.ndarray, codes: np.ndarray, f: Field) -> _Parsed:
    clean = _strip(texts)
    status = np.where(clean == "", EMPTY, OK).astype(np.int8)
    if not f.constraints.enum:
        return _Parsed(f, clean, codes, status, np.where(status == EMPTY, None, clean))
    allowed = list(f.constraints.enum)
    exact = {v: i for i, v in enumerate(allowed)}
    loose = {loose_name(v): i for i, v in enumerate(allowed)}
    values = np.full(len(clean), -1, dtype=np.int64)
    renamed = []
    for i, t in enumerate(clean):
        if t in exact:
            values[i] = exact[t]
        elif t and loose_name(t) in loose:
            values[i] = loose[loose_name(t)]
            renamed.append(i)
        elif t:
            status[i] = BAD
    parsed = _Parsed(f, clean, codes, status, values)
    if renamed:
        rows = int(np.bincount(codes, minlength=len(clean))[renamed].sum())
        shown = ", ".join(f"'{clean[i]}' as '{allowed[values[i]]}'" for i in renamed[:3])
        more = ", ..." if len(renamed) > 3 else ""
        plural = "row" if rows == 1 else "rows"
        parsed.notes.append(f"{f.name}: read {shown}{more} ({rows:,} {plural})")
    return parsed


# ---------------------------------------------------------------- rules


def _check_column(
    p: _Parsed, as_of: pd.Timestamp | None, report: _Collector, *, present: bool = True
) -> None:
    """Every rule of one column: required, type, whole numbers, range, enum, pattern, past.

    A column the file leaves out (`present` False, allowed by its `absent` rule) is
    empty throughout, which is what its rule says; only its derived ids are checked."""
    f, c = p.field, p.field.constraints
    if f.required and present:
        p.report(report, p.status == EMPTY, _empty)
    p.report(report, p.status == BAD, _bad_message(f))
    ok = p.status == OK
    if f.type in ("number", "integer"):
        values = np.where(ok, p.values, 0.0)
        if f.type == "integer":
            p.report(report, ok & (values % 1 != 0), _not_whole)
        low = ok & (values < c.minimum) if c.minimum is not None else np.zeros_like(ok)
        high = ok & (values > c.maximum) if c.maximum is not None else np.zeros_like(ok)
        p.report(report, low | high, _range_message(f))
    if c.pattern and f.type == "string":
        regex = re.compile(c.pattern)
        wrong = ok & np.array([not regex.fullmatch(t) for t in p.texts], dtype=bool)
        form = PATTERN_FORMS.get(c.pattern, f"matching {c.pattern}")
        p.report(report, wrong, lambda v: f"'{v}' is not in the form {form}")
    if f.past_only and as_of is not None and f.type in ("date", "datetime"):
        future = ok & (p.values >= np.datetime64(as_of + pd.Timedelta(days=1), "ns"))
        after = f"is in the future (after the analysis date {as_of:%Y-%m-%d})"
        p.report(report, future, lambda v: f"'{v}' {after}")


def _empty(_: str) -> str:
    return "is empty but required"


def _not_whole(value: str) -> str:
    return f"'{value}' is not a whole number"


def _bad_message(f: Field) -> Callable[[str], str]:
    """What to say about a cell that is not of the column's type."""
    if f.type in ("number", "integer"):
        return _not_a_number
    if f.type in ("date", "datetime"):
        what = "a date (expected YYYY-MM-DD)"
        if f.type == "datetime":
            what = "a date and time (expected YYYY-MM-DD HH:MM)"
        return lambda v: _not_a_date(v, what)
    if f.type == "boolean":
        return lambda v: f"'{v}' is not yes/no (use 1 for yes, 0 for no)"
    by_norm = {loose_name(a): a for a in f.constraints.enum or ()}

    def not_allowed(value: str) -> str:
        close = difflib.get_close_matches(loose_name(value), list(by_norm), 1, 0.6)
        if close:
            return f"'{value}' is not allowed; did you mean '{by_norm[close[0]]}'?"
        return f"'{value}' is not allowed; use one of: {', '.join(by_norm.values())}"

    return not_allowed


def _not_a_number(value: str) -> str:
    hint = ""
    _, why = read_number(value)
    if why == "looks like a number with a comma as the decimal mark":
        point = value.strip().replace(".", "").replace(",", ".")
        hint = (
            f" (a comma as the decimal mark? Write '{point}', or say that the file uses "
            "decimal commas: --decimal ',' or decimal=',' in Python)"
        )
    elif re.search(r"\d", value) and re.search(r"[Oo]", value):
        hint = " (a letter O instead of a zero?)"
    return f"'{value}' is not a number{hint}"


def _not_a_date(value: str, what: str) -> str:
    hint = ""
    _, why = read_date(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", value):
        hint = "; it looks like an Excel date number: format the column as a date"
    elif why == "could be day-first or month-first":
        hint = (
            f": it {why}. Say which with --date-order dmy (31.01.1997) or mdy (01/31/1997), "
            "date_order= in Python; the workbook never guesses"
        )
    elif re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}.*", value):
        hint = "; write the year first"
    elif (year := re.match(r"(\d{4})\D", value)) and not FIRST_YEAR <= int(year[1]) <= LAST_YEAR:
        hint = f"; the year must be between {FIRST_YEAR} and {LAST_YEAR}"
    return f"'{value}' is not {what}{hint}"


def _range_message(f: Field) -> Callable[[str], str]:
    lo, hi = f.constraints.minimum, f.constraints.maximum
    show = "{:g}".format
    if lo is not None and hi is not None:
        return lambda v: f"'{v}' is outside the allowed range {show(lo)} to {show(hi)}"
    if lo == 0:
        return lambda v: f"'{v}' must not be negative"
    if lo is not None:
        return lambda v: f"'{v}' is below the minimum {show(lo)}"
    return lambda v: f"'{v}' is above the maximum {show(hi)}"


def _key_sets(spec: Table) -> list[tuple[str, ...]]:
    """Column sets that must be unique: the primary key and each `unique` column."""
    keys = [spec.primary_key] if spec.primary_key else []
    keys += [(f.name,) for f in spec.fields if f.constraints.unique]
    return list(dict.fromkeys(keys))


def _check_unique(key: tuple[str, ...], parsed: dict[str, _Parsed], report: _Collector) -> None:
    """Rows repeating a key (ignoring rows with an empty key cell), naming the first row."""
    group = None
    blank = None
    for name in key:
        p = parsed[name]
        ids = pd.factorize(p.texts)[0].astype(np.int64)  # same stripped text, same id
        ids = p.by_row(ids)
        empty = p.by_row(p.status == EMPTY)
        blank = empty if blank is None else blank | empty
        group = ids if group is None else pd.factorize(group * (ids.max() + 1) + ids)[0]
    assert group is not None and blank is not None
    repeated = pd.Series(group).duplicated().to_numpy() & ~blank
    if not repeated.any():
        return
    firsts = np.flatnonzero(~pd.Series(group).duplicated().to_numpy())
    first_of = np.empty(group.max() + 1, dtype=np.int64)
    first_of[group[firsts]] = firsts
    positions = np.flatnonzero(repeated)
    column = ", ".join(key)

    def label(pos: int) -> str:
        cells = " + ".join(f"'{parsed[n].text_at(pos)}'" for n in key)
        first = report.rows[first_of[group[pos]]]
        return f"{cells} is a duplicate (first in row {first})"

    report.rows_where(column, positions, label)


def _check_customers(
    spec: Table,
    parsed: dict[str, _Parsed],
    known: Collection[str],
    source: str,
    report: _Collector,
) -> None:
    """customer_id values that are not in the customers table."""
    for fk in spec.foreign_keys:
        if fk.resource != "customers" or len(fk.fields) != 1 or fk.fields[0] not in parsed:
            continue
        p = parsed[fk.fields[0]]
        known_ids = known if isinstance(known, pd.Index) else pd.Index(list(known))
        unknown = (p.status == OK) & ~np.asarray(pd.Index(p.texts).isin(known_ids))
        if not unknown.any():
            continue
        # Excel turns 00042 into 42: an id that matches once the leading zeros are gone
        # on both sides most likely lost them there
        unpadded = {str(k).lstrip("0"): str(k) for k in known_ids}

        def message(value: str, source: str = source, unpadded: dict = unpadded) -> str:
            text = f"unknown customer '{value}' (not in {source})"
            padded = unpadded.get(value.lstrip("0"))
            if padded is not None and padded != value:
                text += (
                    f"; {source} has '{padded}': the leading zeros were probably lost in Excel, "
                    "so format the id column as text there and save the file again"
                )
            return text

        p.report(report, unknown, message)
