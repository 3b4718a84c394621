"""Where the benchmark scripts write: their figures into benchmarks/results.json under their
own key, and their table between their own markers in benchmarks/README.md, leaving every
other script's figures and table as they are."""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
RESULTS = FOLDER / "results.json"
README = FOLDER / "README.md"


def kept_results() -> dict:
    """results.json as it is (an old list of rows is kept as {"rows": ...})."""
    data = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    return {"rows": data} if isinstance(data, list) else data


def write_results(data: dict) -> None:
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_section(marker: str, table: str) -> None:
    """Replace what stands between <!-- marker --> and <!-- /marker --> in the README."""
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(f"<!-- {marker} -->", 1)
    _, tail = rest.split(f"<!-- /{marker} -->", 1)
    README.write_text(
        f"{head}<!-- {marker} -->\n{table}\n<!-- /{marker} -->{tail}", encoding="utf-8"
    )
