"""Writing the sample: one CSV per table in the data dictionary's format, plus metadata.json.

Numbers are written from integer cents and dates from day counts, never through float or
locale formatting, so the same tables give the same bytes on every machine.
"""

from __future__ import annotations

import hashlib
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


def _metadata(seed: int, customers: int, files: dict[str, bytes]) -> bytes:
    meta = {
        "analysis_date": ANALYSIS_DATE.isoformat(),
        "customers": int(customers),
        "end_date": END.isoformat(),
        # what the generator wrote, so that a later run knows which files are its own
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "start_date": START.isoformat(),
    }
    return (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()


def _own_files(folder: Path) -> dict[str, str]:
    """Name -> SHA-256 of the files an earlier run wrote into `folder` (its metadata.json)."""
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = meta.get("files") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def foreign_files(folder: Path) -> list[Path]:
    """The files in `folder` that the generator did not write, or that changed since it did.

    metadata.json counts as the generator's when it lists the other files; hidden files and
    sub-folders (backups) are not looked at.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    own = _own_files(folder)
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.name == "metadata.json" and own:
            continue
        if own.get(path.name) != hashlib.sha256(path.read_bytes()).hexdigest():
            found.append(path)
    return found


def check_folder(folder: Path, *, force: bool = False) -> list[Path]:
    """The files in `folder` the generator did not write; refused (CrmkitError) unless `force`."""
    foreign = foreign_files(folder)
    if foreign and not force:
        listed = ", ".join(p.name for p in foreign[:8]) + (" ..." if len(foreign) > 8 else "")
        raise CrmkitError(
            f"{folder} holds files that crmkit did not write ({listed}); nothing was written. "
            "Generate into an empty folder (--out), or add --force to write here anyway: the "
            "files it would replace are moved to a backup-N folder inside it first"
        )
    return foreign


def _backup_folder(folder: Path) -> Path:
    """The first free `backup-N` folder inside `folder` (numbered, so no clock is needed)."""
    n = 1
    while (folder / f"backup-{n}").exists():
        n += 1
    return folder / f"backup-{n}"


def write_dataset(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    seed: int,
    customers: int,
    force: bool = False,
) -> list[Path]:
    """Write each table as `<out_dir>/<name>.csv` plus `metadata.json`, each file atomically.

    Every file is first written to a temporary file in `out_dir` and then moved into place
    with `os.replace`, so an interrupted run leaves old or new files, never half-written ones.
    A folder holding files the generator did not write (a trainer's own data) is refused;
    with `force`, the ones it would replace are first moved to `<out_dir>/backup-N/`.
    """
    out_dir = Path(out_dir)
    foreign = check_folder(out_dir, force=force)
    contents = [
        (out_dir / f"{name}.csv", csv_text(tables[name], table(name)).encode()) for name in TABLES
    ]
    metadata = _metadata(seed, customers, {path.name: data for path, data in contents})
    contents.append((out_dir / "metadata.json", metadata))
    out_dir.mkdir(parents=True, exist_ok=True)
    replaced = {path.name for path, _ in contents} & {p.name for p in foreign}
    if replaced:
        backup = _backup_folder(out_dir)
        backup.mkdir()
        for name in sorted(replaced):
            os.replace(out_dir / name, backup / name)
        print(f"Your files {', '.join(sorted(replaced))} are kept in {backup}.")
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
