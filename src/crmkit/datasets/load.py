"""Load tables as typed pandas frames, through the same checks a trainer's own files get.

`load_sample()` is what notebooks call; `load()` reads one file of a trainer's
own; `validate_path()` and `format_report()` serve `crmkit data validate`.
Nothing is half-loaded: a file either loads completely and typed, or raises
`DataValidationError` listing every problem as `file:row: column: what is wrong`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crmkit.datasets import paths
from crmkit.datasets.columns import (
    MAP_FILE,
    ColumnMapping,
    column_mappings,
    match_header,
    read_column_map,
)
from crmkit.datasets.encoding import encoding_name
from crmkit.datasets.read import read_table
from crmkit.datasets.schema import (
    UnknownTableError,
    load_schema,
    table,
    table_kinds,
)
from crmkit.datasets.validate import check_table, empty_table
from crmkit.datasets.values import ValueFormats
from crmkit.errors import CrmkitError, DataValidationError, Problem

MAX_SHOWN = 30
ENCODING_LABELS = {
    "utf-8-sig": "utf-8 with BOM",
    "gb18030": "GBK/GB18030",
    "gbk": "GBK",
    "big5": "Big5",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
    "xlsx": "Excel workbook",
}
# pandas 3 copies on write: a shallow copy shares memory until either side changes,
# so the cached frames cannot be changed through the frames handed out.
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


@dataclass
class SampleData:
    """All tables of one data folder, typed, plus its analysis date and seed."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    contacts: pd.DataFrame
    complaints: pd.DataFrame
    surveys: pd.DataFrame
    category_purchases: pd.DataFrame
    lifecycle_truth: pd.DataFrame
    leads: pd.DataFrame
    analysis_date: pd.Timestamp
    seed: int | None  # None for a folder without metadata.json
    #: What was left out of the folder or derived, one sentence each (empty for the sample).
    notes: tuple[str, ...] = ()
    #: The folder it was read from (None for data built in code).
    folder: Path | None = None


@dataclass
class ValidationReport:
    """What checking one file found: rows read, encoding, problems (the first ones of
    each kind; `total` counts all) and notes on anything read leniently."""

    file: str
    kind: str
    rows: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- public API


def load(
    path: Path | str,
    kind: str | None = None,
    *,
    as_of: pd.Timestamp | dt.date | str | None = None,
    customers: pd.DataFrame | Collection[str] | Path | str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | Path | str | None = None,
    formats: ValueFormats | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """One table from a CSV or .xlsx file, typed; DataValidationError lists every problem.

    `kind` defaults to the file name without extension; `customers` (a customers
    frame, a set of ids, or the path of a customers file) enables the id check.
    `encoding` (e.g. "utf-8", "gb18030", "gbk") says how a text file is saved;
    by default it is detected, and a file whose encoding is not certain is refused.
    `columns` says which of the file's columns is which field, when its header
    uses other names: {"their header": "field"}, or the path of a mapping file;
    by default the folder's columns.csv, if there is one (`columns={}`: none).
    `formats` (crmkit.datasets.values.ValueFormats) gives the order of day and month
    (31.01.1997) and the decimal mark where the file's forms do not say them;
    `sheet` the sheet of a workbook (name or 0-based position; default: the first).
    """
    path = Path(path)
    kind = kind if kind is not None else _kind_from_name(path)
    encoding = encoding_name(encoding)
    mappings, problems = _column_map(columns, kind, path.parent, encoding)
    if problems:
        raise DataValidationError(problems)
    source = Path(customers).name if isinstance(customers, str | Path) else None
    known = _customer_ids(customers, encoding, mappings)
    as_day = _as_of(as_of, path.parent)
    frame, report = _check_file(
        path, kind, as_day, known, source, encoding, mappings, formats, sheet
    )
    if frame is None:
        raise DataValidationError(report.problems, total=report.total)
    return frame


def validate_path(
    path: Path | str,
    kind: str,
    *,
    as_of: pd.Timestamp | dt.date | str | None = None,
    customers_path: Path | str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | Path | str | None = None,
    formats: ValueFormats | None = None,
    sheet: str | int | None = None,
) -> ValidationReport:
    """Check one file for `crmkit data validate`; data problems go in the report, not raised.

    Customer ids are checked against `customers_path`, or else a customers.csv
    beside the file (read in the same `encoding`; None detects it). `columns`
    maps the file's header names to fields as in `load` (default: a columns.csv
    beside the file); a broken mapping file's problems are the report's; `formats`
    and `sheet` as in `load`. An
    unknown kind, encoding or mapped field, or a bad `as_of`, raises CrmkitError.
    """
    path = Path(path)
    table(kind)  # an unknown kind is a usage error, before any reading
    encoding = encoding_name(encoding)
    as_day = _as_of(as_of, path.parent)
    mappings, problems = _column_map(columns, kind, path.parent, encoding)
    if problems:
        return ValidationReport(path.name, kind, problems=problems, total=len(problems))
    known, source, notes = None, None, []
    if _has_customer_key(kind):
        given = Path(customers_path) if customers_path is not None else None
        beside = path.parent / load_schema()["customers"].path
        source_path = given or (beside if beside.is_file() else None)
        if source_path is not None and source_path.resolve() != path.resolve():
            known, note = _ids_from_file(
                source_path, encoding, required=given is not None, mappings=mappings
            )
            source = source_path.name
            notes += [note] if note else []
        elif given is None:
            notes.append("customer ids not checked (no customers.csv beside the file)")
    _, report = _check_file(path, kind, as_day, known, source, encoding, mappings, formats, sheet)
    report.notes = notes + report.notes
    return report


def format_report(report: ValidationReport) -> str:
    """`OK: file: N rows (encoding)`, or the problems (at most 30) and a one-line summary."""
    notes = [f"note: {n}" for n in report.notes]
    if report.ok:
        encoding = ENCODING_LABELS.get(report.encoding, report.encoding)
        rows = _plural(report.rows, "row")
        return "\n".join([f"OK: {report.file}: {rows} ({encoding})", *notes])
    total = max(report.total, len(report.problems))
    lines = [*notes, *(str(p) for p in report.problems[:MAX_SHOWN])]
    shown = min(len(report.problems), MAX_SHOWN)
    if total > shown:
        lines.append(f"... and {total - shown:,} more problems")
    fix = "fix it" if total == 1 else "fix them"
    lines.append(
        f"{report.file}: {_plural(total, 'problem')}, nothing loaded; {fix} and check again"
    )
    return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


_CACHE: dict[str, tuple[tuple, SampleData]] = {}


def load_sample(
    data_dir: Path | str | None = None,
    *,
    encoding: str | None = None,
    formats: ValueFormats | None = None,
) -> SampleData:
    """Every table of a data folder (default: the sample), checked, typed, foreign keys too.

    `encoding` says how the folder's text files are saved (default: detected per file);
    `formats` the order of day and month and the decimal mark, as in `load`.
    A columns.csv in the folder (see `write_column_map`) says which column of a
    table is which field where the headers use other names. Cached per folder,
    encoding and file times. Each call returns a new SampleData of shallow copies:
    with pandas' copy-on-write, a notebook that changes a frame changes only its
    own copy, never what the next call returns.
    """
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    if formats is None and data_dir is None:
        formats = paths.reading_settings()  # the lessons' folder, read as the trainer said
    encoding = encoding_name(encoding)
    files = {kind: folder / table(kind).path for kind in table_kinds()}
    if not files["orders"].is_file():
        raise CrmkitError(
            f"{folder}: no {files['orders'].name}; the orders (customer, date, amount) are the "
            "one table the lessons cannot do without (datasets/README.md). To make the sample "
            "data in a new folder: crmkit data generate --out NEW_FOLDER"
        )
    watched = [*files.values(), folder / "metadata.json", folder / MAP_FILE]
    stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else None for f in watched)
    formats = formats or ValueFormats()
    key = f"{folder.resolve()}|{encoding}|{formats}"
    if key not in _CACHE or _CACHE[key][0] != stamp:
        _CACHE[key] = (stamp, _load_folder(folder, files, encoding, formats))
    return _fresh_copy(_CACHE[key][1])


# ---------------------------------------------------------------- helpers


def _check_file(
    path: Path,
    kind: str,
    as_of: pd.Timestamp,
    known_ids: Collection[str] | None,
    customers_file: str | None = None,
    encoding: str | None = None,
    mappings: Sequence[ColumnMapping] = (),
    formats: ValueFormats | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame | None, ValidationReport]:
    """Read and check one file: (typed frame or None, report)."""
    table(kind)
    try:
        raw, info = read_table(path, encoding, sheet=sheet)
    except DataValidationError as err:
        return None, ValidationReport(path.name, kind, problems=err.problems, total=err.total)
    check = check_table(
        raw,
        kind,
        file_name=info.file,
        as_of=as_of,
        known_customer_ids=known_ids,
        customers_file=customers_file,
        columns=mappings,
        formats=formats,
    )
    report = ValidationReport(
        info.file,
        kind,
        rows=info.rows,
        encoding=info.encoding,
        problems=check.problems,
        notes=[*info.notes, *check.notes],
        total=check.total,
    )
    return check.frame, report


def _load_folder(
    folder: Path, files: dict[str, Path], encoding: str | None, formats: ValueFormats
) -> SampleData:
    """Check every table of a folder (ids against its customers); raise with all problems.

    Only the orders must be there. A folder without customers.csv gets its customers
    from the orders; any other table left out is empty; a folder without metadata.json
    takes the day of its latest order as the analysis date. Each is said in `notes`.
    """
    meta = _metadata(folder)
    stated = meta.get("analysis_date")
    as_of = _as_of(stated, folder) if stated is not None else None
    mappings, map_problems = _column_map(None, None, folder, encoding)
    if map_problems:
        raise DataValidationError(map_problems)
    frames: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    total = 0
    known = None
    for kind, path in files.items():
        if not path.is_file():
            frames[kind] = empty_table(kind)
            if kind != "customers":
                notes.append(f"no {path.name}: {LEFT_OUT.get(kind, 'it is read as empty')}")
            continue
        ids = known if _has_customer_key(kind) else None
        frame, report = _check_file(
            path, kind, as_of, ids, encoding=encoding, mappings=mappings, formats=formats
        )
        problems += report.problems
        total += report.total
        notes += [f"{report.file}: {note}" for note in report.notes]
        if frame is not None:
            frames[kind] = frame
            if kind == "customers":
                known = pd.Index(frame["customer_id"])
    if problems:
        raise DataValidationError(problems, total=total)
    if not files["customers"].is_file():
        others = [frames[k] for k in files if k != "customers" and _has_customer_key(k)]
        frames["customers"] = customers_from_tables(frames["orders"], others)
        notes.append(
            f"no {files['customers'].name}: the customers are the {len(frames['customers']):,} "
            "ids of the other tables, each joined on the day of its first order; their names, "
            "formats and markets are unknown"
        )
    if as_of is None:
        as_of = frames["orders"]["order_date"].max().normalize()
        notes.append(
            f"no analysis date (metadata.json): the day of the latest order, {as_of:%Y-%m-%d}"
        )
    seed = meta.get("seed")
    return SampleData(
        **frames,
        analysis_date=as_of,
        seed=None if seed is None else int(seed),
        notes=tuple(notes),
        folder=folder.resolve(),
    )


#: What a lesson loses when a folder leaves a table out.
LEFT_OUT = {
    "contacts": "no visits or calls, so the cost to serve counts complaint handling only",
    "complaints": "no complaints, so complaint handling costs nothing",
    "surveys": "no surveys, so satisfaction is unknown",
    "category_purchases": "no category totals, so share of wallet, dependence and the "
    "lifecycle stages are unknown",
    "lifecycle_truth": "no true stages (real data never has them) to score stage rules against",
    "leads": "no sales leads to grade",
}


def customers_from_tables(
    orders: pd.DataFrame, others: Sequence[pd.DataFrame] = ()
) -> pd.DataFrame:
    """The customers of a folder without customers.csv: every id of the orders (and of the
    `others` tables with a customer_id), joined on the day of its first order (unknown for
    one that never ordered); the other columns unknown, as the dictionary types them."""
    ids = pd.Index(orders["customer_id"]).append([pd.Index(f["customer_id"]) for f in others])
    ids = ids.dropna().unique().sort_values()
    first = orders.groupby("customer_id", sort=True)["order_date"].min().reindex(ids)
    frame = empty_table("customers", rows=len(ids))
    frame["customer_id"] = pd.Series(ids, dtype="str")
    frame["join_date"] = first.to_numpy()
    return frame


def _fresh_copy(data: SampleData) -> SampleData:
    frames = {k: v for k, v in vars(data).items() if isinstance(v, pd.DataFrame)}
    copies = {k: v.copy(deep=not _COPY_ON_WRITE) for k, v in frames.items()}
    return SampleData(
        **copies,
        analysis_date=data.analysis_date,
        seed=data.seed,
        notes=data.notes,
        folder=data.folder,
    )


def data_note(data: SampleData) -> str:
    """One line for the top of a lesson run on a trainer's own folder: the text's case firm
    means their firm, and what the folder leaves out; "" for the sample data."""
    if data.folder is None or data.folder == paths.SAMPLE_DIR.resolve():
        return ""
    left_out = sum(" left out" in n or n.startswith("no ") for n in data.notes)
    line = (
        f"Your own data ({data.folder.name}), not the sample: where the text names Harbour "
        "Wholesale or quotes its figures, read your firm and the numbers printed here."
    )
    if left_out:
        line += (
            f" It leaves out {left_out} column{'s' if left_out != 1 else ''} or tables; a cell "
            f"that needs one says so, and the command 'crmkit data check {data.folder}' lists "
            "them."
        )
    return line


def _metadata(folder: Path) -> dict:
    meta = folder / "metadata.json"
    if not meta.is_file():
        return {}
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CrmkitError(f"{meta}: not valid JSON ({err})") from err


def _as_of(value: pd.Timestamp | dt.date | str | None, folder: Path) -> pd.Timestamp:
    """The analysis date: as given, else metadata.json's analysis_date, else today."""
    if value is None:
        value = _metadata(folder).get("analysis_date")
    if value is None:
        # A trainer's own file with no analysis date anywhere: "in the future" can then
        # only mean after today. This is the one place crmkit reads the clock.
        return pd.Timestamp(dt.date.today())
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as err:
        raise CrmkitError(f"as_of '{value}' is not a date; write it as YYYY-MM-DD") from err


def _kind_from_name(path: Path) -> str:
    kinds = table_kinds()
    if path.stem in kinds:
        return path.stem
    raise UnknownTableError(
        f"cannot tell which table {path.name} holds from its name; "
        f"pass kind=, one of: {', '.join(kinds)}"
    )


def _has_customer_key(kind: str) -> bool:
    return any(fk.resource == "customers" for fk in table(kind).foreign_keys)


def _column_map(
    columns: Mapping[str, str] | Path | str | None,
    kind: str | None,
    folder: Path,
    encoding: str | None,
) -> tuple[list[ColumnMapping], list[Problem]]:
    """The explicit column mappings for a file of `kind` in `folder`: `columns` (a dict
    for that table, or a mapping file), else the folder's columns.csv if it has one.
    A mapping file's problems are returned; a bad dict raises ColumnMapError."""
    if isinstance(columns, Mapping):
        assert kind is not None
        return column_mappings(columns, kind), []
    path = Path(columns) if columns is not None else folder / MAP_FILE
    if columns is None and not path.is_file():
        return [], []
    try:
        return read_column_map(path, encoding), []
    except DataValidationError as err:
        return [], err.problems


def _customer_ids(
    customers: object, encoding: str | None, mappings: Sequence[ColumnMapping] = ()
) -> Collection[str] | None:
    """Known customer ids from a frame, a collection of ids, or a customers file."""
    if customers is None:
        return None
    if isinstance(customers, str | Path):
        ids, _ = _ids_from_file(Path(customers), encoding, required=True, mappings=mappings)
        return ids
    if isinstance(customers, pd.DataFrame):
        if "customer_id" not in customers.columns:
            raise CrmkitError("customers= needs a frame with a customer_id column")
        return pd.Index(customers["customer_id"].dropna().astype(str))
    return pd.Index([str(c) for c in customers])


def _ids_from_file(
    path: Path,
    encoding: str | None,
    *,
    required: bool,
    mappings: Sequence[ColumnMapping] = (),
) -> tuple[pd.Index | None, str | None]:
    """The customer ids of a customers file (stripped), or None and a note why not;
    its id column is found as `check_table` finds it (mapped, loosely, usual names).

    A file given on purpose that cannot give ids raises; one merely found beside
    the checked file only earns a note.
    """
    try:
        raw, _ = read_table(path, encoding)
    except DataValidationError as err:
        why = f"{path.name} cannot be read: {err.problems[0].message}"
    else:
        column = match_header(list(raw.columns), "customers", mappings).found.get("customer_id")
        if column is not None:
            return pd.Index(raw[column].str.strip()), None
        why = f"{path.name} has no customer_id column"
    if required:
        raise CrmkitError(f"customer ids cannot be checked: {why}")
    return None, f"customer ids not checked ({why})"


__all__ = [
    "SampleData",
    "ValidationReport",
    "format_report",
    "load",
    "load_sample",
    "table_kinds",
    "validate_path",
]
