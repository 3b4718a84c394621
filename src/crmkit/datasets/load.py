"""Load tables as typed pandas frames, through the same validation a trainer's files get.

`load_sample()` is what notebooks call; `load()` reads one file of a trainer's
own; `validate_path()` and `format_report()` serve `crmkit data validate`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crmkit.datasets.paths import data_dir
from crmkit.datasets.validate import read_cells, schema_of, table_kinds, validate_cells
from crmkit.errors import CrmkitError, DataValidationError, Problem

TABLES = [
    "customers",
    "orders",
    "contacts",
    "complaints",
    "surveys",
    "category_purchases",
    "lifecycle_truth",
    "leads",
]


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
    seed: int


@dataclass
class ValidationReport:
    """What `crmkit data validate` found in one file."""

    file: str
    kind: str
    rows: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)


def _metadata(folder: Path) -> dict:
    meta = folder / "metadata.json"
    return json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}


def _as_of(value, folder: Path) -> pd.Timestamp:
    if value is not None:
        try:
            return pd.Timestamp(value)
        except ValueError as err:
            raise CrmkitError(f"--as-of '{value}' is not a date (use YYYY-MM-DD)") from err
    meta = _metadata(folder)
    if "analysis_date" in meta:
        return pd.Timestamp(meta["analysis_date"])
    # A trainer's own file with no analysis date given: "future" can only mean after today.
    return pd.Timestamp(dt.date.today())


def _ids(customers) -> set[str] | None:
    if customers is None:
        return None
    if isinstance(customers, pd.DataFrame):
        return set(customers["customer_id"].astype(str))
    return {str(c) for c in customers}


def _check(path: Path, kind: str, as_of, known_ids) -> tuple[pd.DataFrame | None, ValidationReport]:
    schema_of(kind)  # unknown kind -> friendly error before reading
    read = read_cells(path)
    report = ValidationReport(path.name, kind, encoding=read.encoding, problems=read.problems)
    if read.cells is None:
        return None, report
    report.rows = len(read.cells)
    frame, problems = validate_cells(
        read.cells, kind, file_name=path.name, as_of=as_of, known_customer_ids=known_ids
    )
    report.problems = problems
    return frame, report


def load(path, kind: str | None = None, *, as_of=None, customers=None) -> pd.DataFrame:
    """One table from a CSV or .xlsx file, typed; DataValidationError lists every problem."""
    path = Path(path)
    frame, report = _check(path, kind or path.stem, _as_of(as_of, path.parent), _ids(customers))
    if frame is None:
        raise DataValidationError(report.problems)
    return frame


def validate_path(path, kind: str, *, as_of=None, customers_path=None) -> ValidationReport:
    """Check one file for the CLI; a customers.csv beside it enables the customer-id check."""
    path = Path(path)
    known = None
    if kind != "customers":
        source = Path(customers_path) if customers_path else path.parent / "customers.csv"
        if source.exists() and source.resolve() != path.resolve():
            cust = read_cells(source)
            if cust.cells is not None and "customer_id" in cust.cells:
                known = set(cust.cells["customer_id"].astype(str).str.strip())
    _, report = _check(path, kind, _as_of(as_of, path.parent), known)
    return report


def format_report(report: ValidationReport, limit: int = 30) -> str:
    """`OK: file: N rows (encoding)` or one `file:row: column: what is wrong` line per problem."""
    if not report.problems:
        return f"OK: {report.file}: {report.rows:,} rows of {report.kind} ({report.encoding})"
    lines = [str(p) for p in report.problems[:limit]]
    if len(report.problems) > limit:
        lines.append(f"... and {len(report.problems) - limit} more problems")
    lines.append(f"{report.file}: {len(report.problems)} problem(s); nothing was loaded.")
    return "\n".join(lines)


_CACHE: dict[tuple, SampleData] = {}


def load_sample(folder: Path | str | None = None) -> SampleData:
    """Every table of a data folder (default datasets/), validated and typed.

    Cached per folder and file times; each call returns a deep copy, so a
    notebook that edits a frame cannot change what the next cell loads.
    """
    folder = Path(folder) if folder is not None else data_dir()
    files = [folder / f"{t}.csv" for t in TABLES]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise CrmkitError(f"{folder}: missing {', '.join(missing)}; run `crmkit data generate`")
    key = (str(folder.resolve()), *(f.stat().st_mtime_ns for f in files))
    if key not in _CACHE:
        meta = _metadata(folder)
        as_of = _as_of(None, folder)
        tables: dict[str, pd.DataFrame] = {}
        problems: list[Problem] = []
        for name, path in zip(TABLES, files, strict=True):
            ids = None if name in ("customers", "leads") else tables["customers"]["customer_id"]
            frame, report = _check(path, name, as_of, None if ids is None else set(ids))
            problems += report.problems
            if frame is None and name == "customers":
                break
            tables[name] = frame
        if problems:
            raise DataValidationError(problems)
        _CACHE[key] = SampleData(**tables, analysis_date=as_of, seed=int(meta.get("seed", 0)))
    return copy.deepcopy(_CACHE[key])


__all__ = [
    "SampleData",
    "ValidationReport",
    "format_report",
    "load",
    "load_sample",
    "table_kinds",
    "validate_path",
]
