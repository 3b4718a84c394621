"""Measure what each lesson needs: run every lesson on the sample with one column or table
left out at a time, and count the cells each lesson section skips (`make needs`).

Writes datasets/lesson_needs.csv: one row per thing left out, lesson and section, with the
cells that section skips (only sections that skip some; a thing that skips nothing has one
row with no lesson and 0 cells). datasets/README.md shows it as a table
(crmkit.datasets.dictionary renders it). The
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

from crmkit.datasets import paths
from crmkit.datasets.load import LEFT_OUT
from crmkit.datasets.schema import table, table_kinds
from crmkit.own_data import LessonReport, lesson_report

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


HEADER = ["table", "column", "effect", "lesson", "section", "cells"]


def rows_of(
    kind: str, column: str, effect: str | None, reports: list[LessonReport]
) -> list[list[str | int]]:
    """The CSV rows of one thing left out: (table, column, effect, lesson, section, cells)
    for each section that skips cells, in lesson and section order; one row with no lesson
    and 0 cells when nothing is skipped, so every thing left out has a row."""
    rows: list[list[str | int]] = [
        [kind, column, effect or "", Path(r.notebook).stem, section, sum(reasons.values())]
        for r in reports
        for section, reasons in r.sections.items()
    ]
    return rows or [[kind, column, effect or "", "", "", 0]]


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, column, effect in variants():
            print(f"{kind}.{column or '*'} ...", file=sys.stderr)
            reports = lesson_report(_folder(kind, column, Path(tmp)))
            errors = [e for r in reports for e in r.errors]
            if errors:
                print(f"errors without {kind}.{column}: {errors}", file=sys.stderr)
                return 1
            rows += rows_of(kind, column, effect, reports)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
