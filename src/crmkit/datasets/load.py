"""Load the sample data as typed pandas frames, typed by the data dictionary."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crmkit.datasets.paths import data_dir, schema_path
from crmkit.errors import CrmkitError

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


def _fields(kind: str) -> list[dict]:
    package = json.loads(schema_path().read_text(encoding="utf-8"))
    for res in package["resources"]:
        if res["name"] == kind:
            return res["schema"]["fields"]
    raise CrmkitError(f"unknown table '{kind}'; the tables are {TABLES}")


def _typed(raw: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = {}
    for f in _fields(kind):
        col = raw[f["name"]]
        enum = f.get("constraints", {}).get("enum")
        if enum:
            out[f["name"]] = pd.Categorical(col, categories=enum)
        elif f["type"] in ("date", "datetime"):
            out[f["name"]] = pd.to_datetime(col.replace("", None), format="ISO8601")
        elif f["type"] == "number":
            out[f["name"]] = pd.to_numeric(col.replace("", None)).astype("float64")
        elif f["type"] == "integer":
            values = pd.to_numeric(col.replace("", None))
            out[f["name"]] = values.astype("Int64" if values.isna().any() else "int64")
        elif f["type"] == "boolean":
            values = col.replace("", None).map({"1": True, "0": False})
            out[f["name"]] = values.astype("boolean" if values.isna().any() else "bool")
        else:
            out[f["name"]] = col.astype("str")
    return pd.DataFrame(out)


_CACHE: dict[tuple, SampleData] = {}


def load_sample(folder: Path | str | None = None) -> SampleData:
    """All tables of the sample folder (default: datasets/), typed; cached, returned as copies."""
    folder = Path(folder) if folder is not None else data_dir()
    files = [folder / f"{t}.csv" for t in TABLES]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise CrmkitError(f"{folder}: missing {', '.join(missing)}; run `crmkit data generate`")
    key = (str(folder.resolve()), *(f.stat().st_mtime_ns for f in files))
    if key not in _CACHE:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        tables = {
            t: _typed(pd.read_csv(f, dtype=str, keep_default_na=False), t)
            for t, f in zip(TABLES, files, strict=True)
        }
        _CACHE[key] = SampleData(
            **tables, analysis_date=pd.Timestamp(meta["analysis_date"]), seed=int(meta["seed"])
        )
    return copy.deepcopy(_CACHE[key])
