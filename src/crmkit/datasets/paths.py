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
    chosen, _ = chosen_folder()
    return chosen or SAMPLE_DIR


def chosen_folder() -> tuple[Path | None, dict[str, str]]:
    """The folder `crmkit data use` chose and how to read it (e.g. {"date_order": "dmy"}):
    the first line of CHOICE_FILE, then `name=value` lines; (None, {}) when none is chosen."""
    if not CHOICE_FILE.is_file():
        return None, {}
    lines = [line.strip() for line in CHOICE_FILE.read_text(encoding="utf-8").splitlines()]
    if not lines or not lines[0]:
        return None, {}
    settings = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    return Path(lines[0]), settings


def schema_path() -> Path:
    """The machine-readable data dictionary (a Frictionless Data Package)."""
    return SAMPLE_DIR / "datapackage.json"


def reading_settings():
    """How to read the lessons' folder: `CRMKIT_DATE_ORDER` / `CRMKIT_DECIMAL` with
    `CRMKIT_DATA_DIR`, else what `crmkit data use` was told (a ValueFormats)."""
    from crmkit.datasets.values import ValueFormats

    if os.environ.get("CRMKIT_DATA_DIR"):
        settings = {
            "date_order": os.environ.get("CRMKIT_DATE_ORDER") or None,
            "decimal": os.environ.get("CRMKIT_DECIMAL") or ".",
        }
    else:
        _, settings = chosen_folder()
    return ValueFormats(settings.get("date_order"), settings.get("decimal", "."))
