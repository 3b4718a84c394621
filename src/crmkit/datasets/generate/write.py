"""Writing the sample: one CSV per table in the data dictionary's format, plus metadata.json.

Numbers are written from integer cents and dates from day counts, never through float or
locale formatting, so the same tables give the same bytes on every machine.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from crmkit.datasets.generate.period import ANALYSIS_DATE, END, START
from crmkit.datasets.schema import Field, Table, table
from crmkit.errors import CrmkitError

GENERATOR_VERSION = "1"
TABLES = (
    "customers",
    "orders",
    "contacts",
    "complaints",
    "surveys",
    "category_purchases",
    "lifecycle_truth",
    "leads",
)


def _format_number(values: pd.Series, money: bool) -> pd.Series:
    """Decimal text from integer cents (no float formatting, so no platform differences)."""
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(x)
    cents = np.round(np.where(missing, 0.0, x) * 100.0).astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    a = np.abs(cents)
    whole = pd.Series(a // 100).astype(str).to_numpy(dtype=object)
    frac = pd.Series(a % 100).astype(str).str.zfill(2).to_numpy(dtype=object)
    if money:
        text = sign + whole + "." + frac
    else:  # e.g. minutes: as few decimals as the value needs
        tenths = pd.Series(a % 100 // 10).astype(str).to_numpy(dtype=object)
        text = np.where(
            a % 100 == 0,
            sign + whole,
            np.where(a % 10 == 0, sign + whole + "." + tenths, sign + whole + "." + frac),
        )
    text = np.where(missing, "", text)
    return pd.Series(text, index=values.index, dtype=object)


def _format_column(values: pd.Series, field: Field) -> pd.Series:
    """One column as CSV text: dates, 1/0 booleans, plain integers, decimals; '' if missing."""
    kind = field.type
    if kind == "date":
        out = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str)
        return pd.Series(np.where(out == "NaT", "", out), index=values.index, dtype=object)
    if kind == "datetime":
        out = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[m]").astype(str)
        if out.size:  # np.char.replace fails on an empty array (a table without rows)
            out = np.where(out == "NaT", "", np.char.replace(out, "T", " "))
        return pd.Series(out, index=values.index, dtype=object)
    if kind == "boolean":
        b = values.astype("boolean")
        out = np.where(b.fillna(False).to_numpy(dtype=bool), "1", "0").astype(object)
        return pd.Series(np.where(b.isna().to_numpy(), "", out), index=values.index, dtype=object)
    if kind == "integer":
        return values.astype("Int64").astype(str).replace("<NA>", "").astype(object)
    if kind == "number":
        return _format_number(values, money=field.unit == "CNY")
    return values.astype(object).where(values.notna(), "")


def csv_text(frame: pd.DataFrame, schema: Table) -> str:
    """The CSV text of `frame`, whose columns must be those of `schema` in its order."""
    cols = schema.field_names
    if list(frame.columns) != cols:
        raise CrmkitError(f"columns {list(frame.columns)} differ from the data dictionary {cols}")
    text = pd.DataFrame({f.name: _format_column(frame[f.name], f) for f in schema.fields})
    return text.to_csv(index=False, lineterminator="\n")


def _metadata(seed: int, customers: int) -> bytes:
    meta = {
        "analysis_date": ANALYSIS_DATE.isoformat(),
        "customers": int(customers),
        "end_date": END.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "start_date": START.isoformat(),
    }
    return (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: Path, *, seed: int, customers: int
) -> list[Path]:
    """Write each table as `<out_dir>/<name>.csv` plus `metadata.json`, each file atomically.

    Every file is first written to a temporary file in `out_dir` and then moved into place
    with `os.replace`, so an interrupted run leaves old or new files, never half-written ones.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = [
        (out_dir / f"{name}.csv", csv_text(tables[name], table(name)).encode()) for name in TABLES
    ]
    contents.append((out_dir / "metadata.json", _metadata(seed, customers)))
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in contents:
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; data files are world-readable
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path for path, _ in contents]
