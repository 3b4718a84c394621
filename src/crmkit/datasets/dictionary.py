"""Write the human-readable data dictionary (datasets/README.md) from datapackage.json.

One source for people and programs: the loaders read datapackage.json, and
the README is rendered from it, so the two cannot drift (a test checks).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from crmkit.datasets.paths import schema_path

INTRO = """\
# The sample data: Harbour Wholesale (a fictional distributor)

Harbour Wholesale is a fictional regional wholesale distributor that supplies
about 2,000 retail shops — convenience stores, supermarkets, restaurants,
kiosks and online shops — in urban, suburban and rural markets. The tables
below cover three years, 2023-01-01 to 2025-12-31. Every analysis uses the
fixed analysis date in `metadata.json` (2025-12-31), never today's date.

The data is simulated by `crmkit.datasets.generate` with a fixed seed, so it
is the same on every machine: `crmkit data generate` rewrites these files
byte for byte. The simulation lets customers move through the stages of the
relationship lifecycle along four patterns, so each lesson has a real signal
to find; the table `lifecycle_truth` records the true stage of every customer
each month, so your own rules can be scored against it.

**Format of every file.** CSV, comma-separated, UTF-8, one header row;
booleans are `1`/`0`; dates are `YYYY-MM-DD`, date-times `YYYY-MM-DD HH:MM`;
an empty cell means missing; money is in yuan (CNY, ¥) with two decimals.

**Your own data.** Save a table with the columns below (extra columns are
allowed) as CSV — UTF-8, or GBK from a Chinese-language Excel — or as `.xlsx`,
and check it: `crmkit data validate FILE --kind TABLE`, where TABLE is the
file name of the table below without `.csv` (e.g. `orders`). Each problem is
reported with file, row (as numbered in Excel) and column.

**Your own header names.** The header does not have to use the names below:
case, spaces, punctuation and full-width characters are ignored, and usual
English and Chinese names are recognised (e.g. `Invoice No` or `订单号` for
`order_id`, `Amount` or `金额` for `revenue`; the list is
`src/crmkit/datasets/column_names.csv`), each with a note saying how it was
read. A column named exactly as below is always read as that column. For any
other name, put a file `columns.csv` beside your files, with the header
`table,their_column,field` and one row per column, e.g. `orders,实收,revenue`;
it wins over the usual names. Your own files are never changed.

The machine-readable version of this dictionary is `datapackage.json`
(a [Frictionless Data Package](https://specs.frictionlessdata.io/)); this page
is generated from it by `make data`.
"""


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required in every row" if field.get("absent") else "required")
    if c.get("unique"):
        parts.append("unique")
    if "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    if "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    if field.get("pastOnly"):
        parts.append("not after the analysis date")
    if field.get("absent"):
        parts.append(f"or leave the whole column out ({field['absent']})")
    return "; ".join(parts)


def render_readme(schema_file: Path | None = None) -> str:
    """The Markdown data dictionary for every table of the data package."""
    package = json.loads((schema_file or schema_path()).read_text(encoding="utf-8"))
    lines = [INTRO]
    for res in package["resources"]:
        schema = res["schema"]
        key = schema["primaryKey"]
        key = ", ".join(key) if isinstance(key, list) else key
        lines += [f"## `{res['path']}` — {res['title']}", "", res["description"], ""]
        lines += [f"Key: `{key}`."]
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            lines[-1] += f" `{fk['fields']}` refers to `{ref['resource']}.{ref['fields']}`."
        lines += ["", "| column | type | rules | meaning |", "|---|---|---|---|"]
        for f in schema["fields"]:
            unit = f" ({f['unit']})" if "unit" in f else ""
            lines.append(
                f"| `{f['name']}` | {f['type']}{unit} | {_constraints(f)} | {f['description']} |"
            )
        lines.append("")
    return "\n".join(lines + _needs_section())


#: A concept ID in a heading, e.g. " (PY1)" or " (KA1, KA2)": left out of the table.
_CONCEPTS = re.compile(r"\s*\((?:[A-Z]{2}\d+)(?:,\s*[A-Z]{2}\d+)*\)")


def _section_name(section: str) -> str:
    """A section heading as the table names it: "1. Title (PY1)" -> "§1 Title"."""
    title = _CONCEPTS.sub("", section).strip()
    number, dot, rest = title.partition(". ")
    return f"§{number} {rest}" if dot and number.isdigit() else title


def _sections_skipped(rows: list[dict[str, str]]) -> str:
    """One thing left out, as the table's last cell: each lesson with its sections and the
    cells they skip, e.g. "Lesson 3: the customer pyramid — §1 Profit (3), §2 Tiers (2)"."""
    from crmkit.lessons import lessons

    titles = {Path(lesson.notebook).stem: lesson.title for lesson in lessons()}
    by_lesson: dict[str, list[str]] = {}
    for row in rows:
        if row["lesson"] and int(row["cells"]):
            by_lesson.setdefault(row["lesson"], []).append(
                f"{_section_name(row['section'])} ({row['cells']})"
            )
    if not by_lesson:
        return "nothing: every lesson runs in full"
    return "; ".join(
        f"{titles.get(stem, stem)} — {', '.join(parts)}" for stem, parts in by_lesson.items()
    )


def _needs_section() -> list[str]:
    """What each lesson section skips when one column or table is left out, as measured by
    tools/lesson_needs.py (datasets/lesson_needs.csv); nothing if it has not been run."""
    path = schema_path().parent / "lesson_needs.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return []
    left_out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        left_out.setdefault((row["table"], row["column"]), []).append(row)
    lines = [
        "## What each lesson needs",
        "",
        "Measured, not listed by hand: `make needs` (`tools/lesson_needs.py`) runs every",
        "lesson on the sample with one column or table left out at a time, and counts the",
        'cells each section of a lesson then skips with a sentence ("Skipped for this data:',
        '..."); the rest of the lesson runs as usual. A section is a part of the lesson under',
        "its own heading (§1, §2, ...); the set-up is the cells above the first heading. The",
        "orders' customer, date and amount cannot be left out. A lesson also needs two full",
        "calendar years for its year-on-year parts. For a folder of your own data,",
        "`crmkit data check FOLDER --lessons` says the same, lesson by lesson.",
        "",
        "| Left out | Effect | Sections skipped (cells) |",
        "|---|---|---|",
    ]
    for (table, column), group in left_out.items():
        what = f"`{table}.{column}`" if column else f"`{table}.csv`"
        effect = group[0]["effect"]
        lines.append(f"| {what} | {effect} | {_sections_skipped(group)} |")
    return [*lines, ""]


def write_readme(out: Path) -> None:
    """Write the dictionary to `out` (datasets/README.md)."""
    out.write_text(render_readme(), encoding="utf-8")
