"""`crmkit grade` gives the same points per question as `nbgrader autograde`."""

from __future__ import annotations

import copy
import csv
import sys
from pathlib import Path

import nbformat
import pytest

from crmkit.cli import main
from crmkit.grading.restore import grade_id

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from nbgrader_course import autograde  # noqa: E402

pytestmark = pytest.mark.slow
SET = "ex01_classification"


def _corpus() -> dict[str, nbformat.NotebookNode]:
    solved = nbformat.read(ROOT / "solutions" / SET / f"{SET}.ipynb", as_version=4)
    blank = nbformat.read(ROOT / "exercises" / SET / f"{SET}.ipynb", as_version=4)
    answers = {grade_id(c): c.source for c in solved.cells if grade_id(c)}

    partial = copy.deepcopy(blank)  # answers Q1, Q2 and Q7 only
    for cell in partial.cells:
        if grade_id(cell) in {"q1_answer", "q2_answer", "q7_answer"}:
            cell.source = answers[grade_id(cell)]

    cheat = copy.deepcopy(blank)  # empties every check cell
    for cell in cheat.cells:
        if (grade_id(cell) or "").endswith("_check"):
            cell.source = "pass"

    helper = copy.deepcopy(solved)  # an extra cell of its own, mid-notebook
    at = next(i for i, c in enumerate(helper.cells) if grade_id(c) == "q4_check")
    helper.cells.insert(at, nbformat.v4.new_code_cell("my_note = 'checked by hand'"))

    wrong = copy.deepcopy(solved)  # two wrong answers
    for cell in wrong.cells:
        if grade_id(cell) == "q2_answer":
            cell.source = "n_class_a = 1\nn_class_a"
        if grade_id(cell) == "q11_answer":
            cell.source = 'motive = "economic"\nmotive'
    return {
        "solved": solved, "blank": blank, "partial": partial, "cheat": cheat,
        "helper": helper, "wrong": wrong,
    }  # fmt: skip


def test_points_per_question_agree_with_nbgrader(tmp_path):
    subs = tmp_path / "submissions"
    subs.mkdir()
    paths = {}
    for student, nb in _corpus().items():
        paths[student] = subs / f"{student}.ipynb"
        nbformat.write(nb, paths[student])
    course = tmp_path / "course"
    course.mkdir()
    theirs = autograde(ROOT, SET, paths, course)
    out = tmp_path / "graded"
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "60"]) == 0
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        ours = {row["student"]: row for row in csv.DictReader(handle)}
    for student, points in theirs.items():
        mine = {gid: float(ours[student][gid]) for gid in points}
        assert mine == points, f"{student}: crmkit {mine} != nbgrader {points}"
    # the corpus is not trivial: full, zero and partial marks all occur
    totals = {s: float(r["total"]) for s, r in ours.items()}
    assert totals["solved"] == 23 and totals["blank"] == 0 and totals["cheat"] == 0
    assert 0 < totals["partial"] < 23 and 0 < totals["wrong"] < 23
