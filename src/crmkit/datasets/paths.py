"""Where the lessons' data and its data dictionary live.

The workbook is used from a checkout (editable install), so the sample data is
the repo's `datasets/` folder. A trainer points the lessons at their own folder
with `crmkit data use FOLDER` (kept in `.crmkit/data-folder`, not committed) or,
for one session or a benchmark, the environment variable `CRMKIT_DATA_DIR`,
which wins over both.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DIR = REPO_ROOT / "datasets"
#: The folder `crmkit data use` chose, one line; absent: the sample.
CHOICE_FILE = REPO_ROOT / ".crmkit" / "data-folder"


def data_dir() -> Path:
    """The folder the lessons read: `CRMKIT_DATA_DIR`, else the chosen folder, else the sample."""
    override = os.environ.get("CRMKIT_DATA_DIR")
    if override:
        return Path(override)
    if CHOICE_FILE.is_file():
        chosen = CHOICE_FILE.read_text(encoding="utf-8").strip()
        if chosen:
            return Path(chosen)
    return SAMPLE_DIR


def schema_path() -> Path:
    """The machine-readable data dictionary (a Frictionless Data Package)."""
    return SAMPLE_DIR / "datapackage.json"
