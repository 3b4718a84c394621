"""Column mapping: read a trainer's own headers ("订单号", "Invoice No") as the schema's names.

A file's header is matched to the fields of its table (datasets/datapackage.json)
in this order, each step only for the fields and columns still unmatched:

1. an explicit mapping: `columns={"their header": "field"}`, or a mapping file
   `columns.csv` (header `table,their_column,field`) next to the data;
2. the schema name exactly ("order_date");
3. the schema name loosely: case, spaces, '_', '-', punctuation and full-width
   forms ignored ("Order Date", "ＯＲＤＥＲ　ＤＡＴＥ");
4. a usual name of the field, listed in `column_names.csv` beside this module
   (English and Chinese: "invoice date", "下单日期"), compared just as loosely.

So a column named exactly as in the schema is never taken by a synonym, and an
explicit mapping wins over everything. Two columns meaning the same field in
the same step are a clash the user must settle. Mapping only changes how a file
is read: the trainer's file is never written.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from crmkit.datasets.encoding import decode
from crmkit.datasets.schema import load_schema, loose_name, table
from crmkit.errors import CrmkitError, DataValidationError, Problem

MAP_FILE = "columns.csv"  # a folder's explicit mapping, beside the data
MAP_HEADER = ("table", "their_column", "field")
SYNONYMS_FILE = Path(__file__).with_name("column_names.csv")
SYNONYMS_HEADER = ("table", "field", "synonym")
ALL_TABLES = "*"  # in column_names.csv: every table that has the field
NAME_CUTOFF = 0.7  # how alike a header and a schema name must be for "did you mean"
SYNONYM_CUTOFF = 0.8  # ... a header and a usual name (stricter: there are many)


class ColumnMapError(CrmkitError):
    """A column mapping given in code (`columns=`, `write_column_map`) that cannot be used."""


def header_key(text: object) -> str:
    """A header compared loosely: `loose_name` (NFKC, lower case, no spaces, '_' or '-')
    without punctuation either, so 'Order No.' and 'order_no' are the same name."""
    return "".join(c for c in loose_name(text) if not unicodedata.category(c).startswith("P"))


@dataclass(frozen=True)
class ColumnMapping:
    """One explicit mapping: in table `table`, the file's column `their_column` is `field`.

    `source` and `row` locate it in a mapping file (None: given in code as columns=).
    """

    table: str
    their_column: str
    field: str
    source: str | None = None
    row: int | None = None

    @property
    def where(self) -> str:
        """Where the mapping was given, for notes: 'columns.csv row 3' or 'columns='."""
        return "columns=" if self.source is None else f"{self.source} row {self.row}"


# ---------------------------------------------------------------- usual names


@dataclass(frozen=True)
class _Synonyms:
    by_key: dict[str, dict[str, str]]  # table -> header key -> field
    names: dict[str, dict[str, tuple[str, ...]]]  # table -> field -> usual names


@cache
def _load_synonyms(path: Path = SYNONYMS_FILE) -> _Synonyms:
    """column_names.csv read and checked once; a broken file is a packaging error."""
    tables = load_schema()
    by_key: dict[str, dict[str, str]] = {kind: {} for kind in tables}
    names: dict[str, dict[str, list[str]]] = {kind: {} for kind in tables}
    errors: list[str] = []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if not rows or tuple(c.strip() for c in rows[0]) != SYNONYMS_HEADER:
        errors.append(f"{path.name}:1: the header must be {','.join(SYNONYMS_HEADER)}")
        rows = [[]]
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        kind, name, synonym = ([c.strip() for c in cells] + ["", "", ""])[:3]
        key = header_key(synonym)
        kinds = [k for k, t in tables.items() if name in t.field_names]
        if kind != ALL_TABLES:
            kinds = [kind] if kind in tables and name in tables[kind].field_names else []
        where = f"{path.name}:{number}"
        if len(cells) != 3 or not key:
            errors.append(f"{where}: expected three cells, table,field,synonym")
        elif not kinds:
            errors.append(f"{where}: '{kind}' has no column '{name}'")
        for k in kinds if key and len(cells) == 3 else []:
            own = {header_key(f): f for f in tables[k].field_names}
            if key in own:
                errors.append(f"{where}: '{synonym}' is the name of column '{own[key]}' of {k}")
            elif key in by_key[k]:
                errors.append(f"{where}: '{synonym}' is listed twice for {k}")
            else:
                by_key[k][key] = name
                names[k].setdefault(name, []).append(synonym)
    if errors:
        raise CrmkitError("the list of usual column names is broken:\n" + "\n".join(errors))
    frozen = {k: {f: tuple(v) for f, v in fields.items()} for k, fields in names.items()}
    return _Synonyms(by_key, frozen)


def synonyms(kind: str) -> dict[str, tuple[str, ...]]:
    """The usual names of each column of table `kind` (field -> names), as listed in
    column_names.csv: what a mapping widget can offer, and what headers are read as."""
    table(kind)
    return dict(_load_synonyms().names[kind])


# ---------------------------------------------------------------- explicit mappings


def _closest(text: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The choice most like `text` (compared as header keys), or None."""
    keys = {header_key(c): c for c in choices}
    close = difflib.get_close_matches(header_key(text), list(keys), 1, cutoff)
    return keys[close[0]] if close else None


def _resolve_table(text: str) -> str | None:
    """A table kind as a person may write it: 'orders', 'Orders', 'orders.csv'."""
    stem = text.strip()
    for suffix in (".csv", ".xlsx"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    by_key = {header_key(k): k for k in load_schema()}
    return by_key.get(header_key(stem))


def _resolve_field(kind: str, text: str) -> str | None:
    """A field of `kind` as a person may write it: 'revenue', 'Revenue', 'gross margin'."""
    by_key = {header_key(f): f for f in table(kind).field_names}
    return by_key.get(header_key(text))


def _check_rows(
    rows: Iterable[tuple[int | None, str, str, str]], source: str
) -> tuple[list[ColumnMapping], list[Problem]]:
    """Mappings from (row, table, their_column, field) cells, and what is wrong with them."""
    mappings: list[ColumnMapping] = []
    problems: list[Problem] = []
    fields_seen: dict[tuple[str, str], int | None] = {}
    columns_seen: dict[tuple[str, str], int | None] = {}
    kinds = list(load_schema())
    for row, kind_text, column, field_text in rows:
        cells = dict(zip(MAP_HEADER, (kind_text, column, field_text), strict=True))
        empty = [name for name, value in cells.items() if not value.strip()]
        for name in empty:
            problems.append(
                Problem(source, row, name, "is empty; each row needs a table, a column and a field")
            )
        if empty:
            continue
        kind = _resolve_table(kind_text)
        if kind is None:
            close = _closest(kind_text, kinds)
            hint = f"did you mean '{close}'?" if close else f"use one of: {', '.join(kinds)}"
            problems.append(Problem(source, row, "table", f"'{kind_text}' is not a table; {hint}"))
            continue
        name = _resolve_field(kind, field_text)
        if name is None:
            fields = table(kind).field_names
            close = _closest(field_text, fields)
            hint = f"did you mean '{close}'?" if close else f"its columns are: {', '.join(fields)}"
            message = f"'{field_text}' is not a column of {kind}; {hint}"
            problems.append(Problem(source, row, "field", message))
            continue
        column = column.strip()
        twice = False
        for seen, key, cell, what in (
            (fields_seen, (kind, name), "field", f"'{name}'"),
            (columns_seen, (kind, header_key(column)), "their_column", f"'{column}'"),
        ):
            if key in seen:
                first = f"row {seen[key]}" if seen[key] is not None else "another entry"
                message = f"{what} is mapped twice for {kind} (also in {first}); keep one"
                problems.append(Problem(source, row, cell, message))
                twice = True
            else:
                seen[key] = row
        if not twice:
            mappings.append(ColumnMapping(kind, column, name, source, row))
    return mappings, problems


def column_mappings(columns: Mapping[str, str], kind: str) -> list[ColumnMapping]:
    """`columns={"their header": "field"}` for table `kind` as mappings; ColumnMapError
    names an unknown field, a field given twice or an empty name, so code fails early."""
    table(kind)
    rows = [(None, kind, str(their), str(name)) for their, name in columns.items()]
    mappings, problems = _check_rows(rows, "columns=")
    if problems:
        lines = [f"{p.column}: {p.message}" for p in problems]
        raise ColumnMapError("columns= cannot be used:\n" + "\n".join(lines))
    return [ColumnMapping(m.table, m.their_column, m.field) for m in mappings]


def read_column_map(path: Path | str, encoding: str | None = None) -> list[ColumnMapping]:
    """The mappings of a mapping file (table,their_column,field), checked.

    DataValidationError lists every problem as `file:row: column: what is wrong`:
    an unknown table or field, an empty cell, a field or column mapped twice. The
    encoding is detected (`encoding` is used when detection is unsure).
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise CrmkitError(f"there is no column mapping file {path}")
    data = path.read_bytes()
    try:
        text = decode(data, name)[0]
    except DataValidationError:
        if encoding is None:
            raise
        text = decode(data, name, encoding)[0]
    records = list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))
    header = [header_key(c.lstrip("\ufeff")) for c in records[0]] if records else []
    wanted = [header_key(h) for h in MAP_HEADER]
    if any(h not in header for h in wanted):
        message = f"the header must be {','.join(MAP_HEADER)}, one mapping a row"
        raise DataValidationError([Problem(name, 1, None, message)])
    at = [header.index(h) for h in wanted]
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        if any(c.strip() for c in cells):
            cells = cells + [""] * (max(at) + 1 - len(cells))
            rows.append((number, *(cells[i] for i in at)))
    mappings, problems = _check_rows(rows, name)
    if problems:
        raise DataValidationError(problems)
    return mappings


def write_column_map(
    folder: Path | str,
    mappings: Mapping[str, Mapping[str, str]] | Iterable[ColumnMapping | tuple[str, str, str]],
    *,
    replace: bool = False,
) -> Path:
    """Write a folder's columns.csv so its files are read with these header names.

    `mappings` is {table: {their_column: field}} or (table, their_column, field)
    rows. They are checked first (ColumnMapError names what is wrong). An existing
    mapping file is only written over with `replace=True`; the file is written to a
    temporary file in the same folder and then moved into place, so it is never
    half-written. Saved as UTF-8 with a BOM, so Excel shows Chinese names right.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ColumnMapError(f"{folder} is not a folder")
    target = folder / MAP_FILE
    if target.exists() and not replace:
        raise ColumnMapError(f"{target} already exists; pass replace=True to write over it")
    if isinstance(mappings, Mapping):
        triples = [(k, c, f) for k, cols in mappings.items() for c, f in cols.items()]
    else:
        triples = [
            (m.table, m.their_column, m.field) if isinstance(m, ColumnMapping) else tuple(m)
            for m in mappings
        ]
    rows = [(n, str(k), str(c), str(f)) for n, (k, c, f) in enumerate(triples, start=2)]
    checked, problems = _check_rows(rows, MAP_FILE)
    if problems:
        raise ColumnMapError(
            "the column mapping cannot be written:\n" + "\n".join(str(p) for p in problems)
        )
    handle, temp = tempfile.mkstemp(prefix=".columns-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(MAP_HEADER)
            writer.writerows((m.table, m.their_column, m.field) for m in checked)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, target.stat().st_mode if target.exists() else 0o644)
        if replace:
            os.replace(temp, target)
        else:
            _move_unless_there(Path(temp), target)
    finally:
        Path(temp).unlink(missing_ok=True)
    return target


def _move_unless_there(temp: Path, target: Path) -> None:
    """Put `temp` at `target` unless something is there (a hard link cannot overwrite)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise ColumnMapError(
            f"{target} already exists; pass replace=True to write over it"
        ) from None
    except OSError:  # no hard links on this file system
        if target.exists():
            raise ColumnMapError(
                f"{target} already exists; pass replace=True to write over it"
            ) from None
        os.replace(temp, target)


# ---------------------------------------------------------------- matching a header


@dataclass
class HeaderMatch:
    """How a header was read: `found` maps field -> the file's column, `how` says by
    which step ('mapped', 'exact', 'loose', 'synonym'), `mapped` the mapping used."""

    found: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    mapped: dict[str, ColumnMapping] = field(default_factory=dict)
    clashes: dict[str, list[str]] = field(default_factory=dict)  # field -> its columns
    absent: list[ColumnMapping] = field(default_factory=list)  # mapped column not in header
    shadowed: dict[str, str] = field(default_factory=dict)  # column -> field read elsewhere
    unknown: list[str] = field(default_factory=list)  # columns that mean nothing known


def match_header(
    header: Sequence[str], kind: str, mappings: Iterable[ColumnMapping] = ()
) -> HeaderMatch:
    """Which column of `header` is which field of table `kind` (steps in the module doc).

    Mappings for other tables are ignored; the header's names must be distinct.
    """
    spec = table(kind)
    usual = _load_synonyms().by_key[kind]
    names = {header_key(f): f for f in spec.field_names}
    match = HeaderMatch()
    free = [str(c) for c in header]
    for m in mappings:
        if m.table != kind:
            continue
        column = _find(m.their_column, free)
        if column is None:
            match.absent.append(m)
        elif m.field not in match.found:
            _take(match, m.field, column, "mapped", free)
            match.mapped[m.field] = m
    for name in spec.field_names:
        if name not in match.found and name in free:
            _take(match, name, name, "exact", free)
    for how, meaning in (("loose", names), ("synonym", usual)):
        groups: dict[str, list[str]] = {}
        for column in free:
            name = meaning.get(header_key(column))
            if name and name not in match.found and name not in match.clashes:
                groups.setdefault(name, []).append(column)
        for name, columns in groups.items():
            if len(columns) == 1:
                _take(match, name, columns[0], how, free)
            else:
                match.clashes[name] = columns
                free = [c for c in free if c not in columns]
    for column in free:
        key = header_key(column)
        name = names.get(key) or usual.get(key)
        if name in match.found:
            match.shadowed[column] = name
        else:
            match.unknown.append(column)
    return match


def _find(wanted: str, columns: list[str]) -> str | None:
    """The column named `wanted`: exactly, else the one column with the same header key."""
    if wanted in columns:
        return wanted
    alike = [c for c in columns if header_key(c) == header_key(wanted)]
    return alike[0] if len(alike) == 1 else None


def _take(match: HeaderMatch, name: str, column: str, how: str, free: list[str]) -> None:
    match.found[name] = column
    match.how[name] = how
    free.remove(column)


def suggest_column(name: str, kind: str, columns: Sequence[str]) -> tuple[str, bool] | None:
    """The column of `columns` that most looks like a misspelling of field `name` of
    `kind` or of one of its usual names: (column, True if like the schema name itself)."""
    own = header_key(name)
    usual = [k for k, f in _load_synonyms().by_key[kind].items() if f == name]
    best: tuple[float, bool, str] | None = None
    for column in columns:
        key = header_key(column)
        if not key:
            continue
        ratio = difflib.SequenceMatcher(None, key, own).ratio()
        if ratio >= NAME_CUTOFF and (best is None or ratio > best[0]):
            best = (ratio, True, column)
        for synonym in usual:
            ratio = difflib.SequenceMatcher(None, key, synonym).ratio()
            if ratio >= SYNONYM_CUTOFF and (best is None or ratio > best[0]):
                best = (ratio, False, column)
    return None if best is None else (best[2], best[1])


__all__ = [
    "MAP_FILE",
    "ColumnMapError",
    "ColumnMapping",
    "HeaderMatch",
    "column_mappings",
    "header_key",
    "match_header",
    "read_column_map",
    "suggest_column",
    "synonyms",
    "write_column_map",
]
