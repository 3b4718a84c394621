"""The lesson manifest (crmkit/lessons.toml) agrees with the files it names."""

from __future__ import annotations

import importlib
from pathlib import Path

import nbformat
import pytest

from crmkit import lessons, widgets
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
LESSONS = lessons.lessons()


def test_every_notebook_is_a_lesson_and_every_lesson_a_notebook():
    listed = {lesson.notebook for lesson in LESSONS}
    on_disk = {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert listed == on_disk
    sets = {lesson.exercise_set for lesson in LESSONS if lesson.exercise_set}
    assert sets == {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.id)
def test_manifest_entry_matches_its_notebook(lesson):
    nb = nbformat.read(ROOT / lesson.notebook, as_version=4)
    meta = nb.metadata.get("crmkit", {})
    assert Path(lesson.notebook).name.startswith(lesson.id + "_")
    assert meta.get("title") == lesson.title
    assert tuple(meta.get("concepts", [])) == lesson.concepts
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for explorer in lesson.explorers:
        assert hasattr(widgets, explorer.widget), f"crmkit.widgets has no {explorer.widget}"
        assert explorer.widget in code, f"{lesson.notebook} never shows {explorer.widget}"


@pytest.mark.parametrize("lesson", [x for x in LESSONS if x.exercise_set], ids=lambda x: x.id)
def test_exercise_set_and_answer_keys_match(lesson):
    folder = ROOT / "solutions" / lesson.exercise_set
    notebook = folder / f"{lesson.exercise_set}.ipynb"
    assert notebook.is_file()
    meta = nbformat.read(notebook, as_version=4).metadata.get("crmkit", {})
    assert tuple(meta.get("concepts", [])) == lesson.concepts
    keys = importlib.import_module(lesson.answer_keys).KEYS
    prefix = lesson.exercise_set.split("_")[0] + "."
    assert keys and all(name.startswith(prefix) for name in keys)


def test_benchmark_cases_exist():
    text = (ROOT / "benchmarks" / "run.py").read_text(encoding="utf-8")
    for lesson in LESSONS:
        for case in lesson.benchmarks:
            assert f'"{case}"' in text, f"benchmarks/run.py has no case {case}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[lesson]]\nid = "01"\nnotebook = "a"\ntitle = "t"\n', "missing keys \\['concepts'\\]"),
        (
            '[[lesson]]\nid = "01"\nnotebook = "a"\ntitle = "t"\nconcepts = []\n'
            '[[lesson]]\nid = "01"\nnotebook = "b"\ntitle = "u"\nconcepts = []\n',
            "the id \\['01'\\] appears more than once",
        ),
        (
            '[[lesson]]\nid = "01"\nnotebook = "a"\ntitle = "t"\nconcepts = []\n'
            'exercise_set = "ex01"\n',
            "answer_keys",
        ),
        ("[[lesson]\n", "lessons.toml"),
    ],
)
def test_a_broken_manifest_is_explained(text, message):
    with pytest.raises(CrmkitError, match=message):
        lessons.parse(text)


def test_lookup_by_id():
    assert lessons.lesson("03").notebook.endswith("03_customer_pyramid.ipynb")
    with pytest.raises(CrmkitError, match="no lesson '10'"):
        lessons.lesson("10")
