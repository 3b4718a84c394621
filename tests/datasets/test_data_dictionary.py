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
    """datasets/lesson_needs.csv (`make needs`) has a row for each column or table a folder
    may leave out and a column for each lesson: rerun it when either changes."""
    import csv

    from lesson_needs import OUT, variants

    from crmkit import lessons

    with OUT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["table"], r["column"]) for r in rows] == [(k, c) for k, c, _ in variants()]
    stems = [Path(lesson.notebook).stem for lesson in lessons.lessons()]
    assert list(rows[0])[3:] == stems
    assert all(r[s].isdigit() for r in rows for s in stems)
