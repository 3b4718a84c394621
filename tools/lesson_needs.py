"""Measure what each lesson needs: run every lesson on the sample with one column or table
left out at a time, and count the cells each lesson skips (`make needs`).

Writes datasets/lesson_needs.csv (what is left out, its effect, skipped cells per lesson),
which datasets/README.md shows as a table (crmkit.datasets.dictionary renders it). The
counts come from running the lessons, not from a list kept by hand, so the table stays
true when a lesson changes: run this again after changing a lesson.
Usage: python tools/lesson_needs.py  (about five minutes)
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from crmkit import lessons
from crmkit.datasets import paths
from crmkit.datasets.load import LEFT_OUT
from crmkit.datasets.schema import table, table_kinds
from crmkit.own_data import lesson_report

OUT = paths.SAMPLE_DIR / "lesson_needs.csv"


def variants() -> list[tuple[str, str, str | None]]:
    """(table, column or "" for the whole table, effect): each thing a folder may leave out."""
    found = []
    for kind in table_kinds():
        spec = table(kind)
        for f in spec.fields:
            if f.absent and f.name not in spec.primary_key:
                found.append((kind, f.name, f.absent))
        if kind == "customers":
            found.append((kind, "", "the customers come from the orders: names, formats unknown"))
        elif kind != "orders":
            found.append((kind, "", LEFT_OUT.get(kind, "read as empty")))
    return found


def _folder(kind: str, column: str, root: Path) -> Path:
    folder = root / f"{kind}-{column or 'all'}"
    # the tables and metadata.json (its analysis date); not the dictionary's own files
    shutil.copytree(
        paths.SAMPLE_DIR, folder, ignore=shutil.ignore_patterns("*.md", "datapackage.json")
    )
    target = folder / table(kind).path
    if column:
        frame = pd.read_csv(target, dtype=str, keep_default_na=False)
        frame.drop(columns=column).to_csv(target, index=False)
    else:
        target.unlink()
    return folder


def main() -> int:
    names = [Path(lesson.notebook).stem for lesson in lessons.lessons()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, column, effect in variants():
            print(f"{kind}.{column or '*'} ...", file=sys.stderr)
            reports = lesson_report(_folder(kind, column, Path(tmp)))
            errors = [e for r in reports for e in r.errors]
            if errors:
                print(f"errors without {kind}.{column}: {errors}", file=sys.stderr)
                return 1
            skipped = {Path(r.notebook).stem: sum(r.skipped.values()) for r in reports}
            rows.append([kind, column, effect, *(skipped[n] for n in names)])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["table", "column", "effect", *names])
        writer.writerows(rows)
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
