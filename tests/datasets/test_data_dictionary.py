"""datasets/README.md is the rendering of datapackage.json, and the package is well formed."""

from __future__ import annotations

import json
from pathlib import Path

from crmkit.datasets.dictionary import render_readme

ROOT = Path(__file__).resolve().parents[2]


def test_readme_is_rendered_from_datapackage():
    assert (ROOT / "datasets" / "README.md").read_text(encoding="utf-8") == render_readme(), (
        "datasets/README.md is out of date: run `make data` (or write_readme) and commit"
    )


def test_every_field_has_a_description_and_a_known_type():
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    names = set()
    for res in package["resources"]:
        names.add(res["name"])
        assert res["path"] == f"{res['name']}.csv"
        fields = [f["name"] for f in res["schema"]["fields"]]
        assert len(fields) == len(set(fields)), f"{res['name']}: duplicate column names"
        keys = res["schema"]["primaryKey"]
        assert set([keys] if isinstance(keys, str) else keys) <= set(fields)
        for f in res["schema"]["fields"]:
            assert f["type"] in {"string", "number", "integer", "boolean", "date", "datetime"}
            assert len(f["description"]) > 10, f"{res['name']}.{f['name']} needs a description"
    for res in package["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            assert fk["reference"]["resource"] in names


def test_the_lesson_needs_table_covers_what_may_be_left_out_and_every_lesson():
    """datasets/lesson_needs.csv (`make needs`) has rows for each column or table a folder
    may leave out, in order, and names only lessons of the manifest and `## ` sections of
    their notebooks, in the notebooks' order: rerun it when a lesson or what may be left
    out changes."""
    import csv

    import nbformat
    from lesson_needs import HEADER, OUT, variants

    from crmkit import lessons

    with OUT.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER
        handle.seek(0)
        rows = list(csv.DictReader(handle))
    by_variant: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        by_variant.setdefault((r["table"], r["column"]), []).append(r)
    assert list(by_variant) == [(k, c) for k, c, _ in variants()]

    stems = [Path(lesson.notebook).stem for lesson in lessons.lessons()]
    sections = {}
    for lesson, stem in zip(lessons.lessons(), stems, strict=True):
        nb = nbformat.read(ROOT / lesson.notebook, as_version=4)
        sections[stem] = ["set-up"] + [
            line[3:].strip()
            for cell in nb.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("## ")
        ]
    effects = {(k, c): e for k, c, e in variants()}
    for variant, group in by_variant.items():
        # the effect as the data dictionary states it now: rerun `make needs` after a change
        assert {r["effect"] for r in group} == {effects[variant]}, f"{variant}: effect changed"
        if any(r["lesson"] == "" for r in group):
            assert [(r["lesson"], r["section"], r["cells"]) for r in group] == [("", "", "0")]
            continue
        for r in group:
            assert r["lesson"] in stems, f"{variant}: no lesson {r['lesson']!r}"
            assert r["section"] in sections[r["lesson"]], f"{r['lesson']}: {r['section']!r}"
            assert r["cells"].isdigit() and int(r["cells"]) > 0
        order = [
            (stems.index(r["lesson"]), sections[r["lesson"]].index(r["section"])) for r in group
        ]
        assert order == sorted(set(order)), f"{variant}: rows out of order or repeated"


def test_the_needs_table_names_lessons_and_sections_for_a_trainer():
    """The README's cell for one thing left out: the manifest's lesson titles, sections as
    §number and title (no concept IDs), cells in brackets; or that nothing is skipped."""
    from crmkit.datasets.dictionary import _section_name, _sections_skipped

    assert _section_name("1. What does a customer really earn us? (PY1)") == (
        "§1 What does a customer really earn us?"
    )
    assert _section_name("2. Key accounts: which are they? (KA1, KA2)") == (
        "§2 Key accounts: which are they?"
    )
    assert _section_name("Take-aways") == "Take-aways"
    row = {"table": "orders", "column": "gross_margin", "effect": "x"}
    rows = [
        {**row, "lesson": "03_customer_pyramid", "section": "1. Profit (PY1)", "cells": "3"},
        {**row, "lesson": "03_customer_pyramid", "section": "set-up", "cells": "1"},
        {**row, "lesson": "05_key_accounts", "section": "3. The card (PY4, KA3)", "cells": "2"},
    ]
    assert _sections_skipped(rows) == (
        "Lesson 3: the customer pyramid — §1 Profit (3), set-up (1); "
        "Lesson 5: key accounts — §3 The card (2)"
    )
    nothing = [{**row, "lesson": "", "section": "", "cells": "0"}]
    assert _sections_skipped(nothing) == "nothing: every lesson runs in full"
