"""Where the sample data and its data dictionary live.

The workbook is used from a checkout (editable install), so the sample data is
the repo's `datasets/` folder. `CRMKIT_DATA_DIR` points elsewhere, e.g. at a
trainer's own data or a large generated set for benchmarks.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """The folder holding the sample CSVs (env `CRMKIT_DATA_DIR` wins)."""
    override = os.environ.get("CRMKIT_DATA_DIR")
    return Path(override) if override else REPO_ROOT / "datasets"


def schema_path() -> Path:
    """The machine-readable data dictionary (a Frictionless Data Package)."""
    return REPO_ROOT / "datasets" / "datapackage.json"
