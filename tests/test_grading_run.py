"""`crmkit grade`: each kind of submission gets its marks or a clear status, in parallel."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from crmkit.cli import main
from crmkit.grading.restore import grade_id

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _nb(folder: str, name: str = "ex01_classification"):
    return nbformat.read(ROOT / folder / name / f"{name}.ipynb", as_version=4)


def _with_cell(nb, source: str, before: str = "q1_check"):
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == before)
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("submissions")
    (subs / "frank").mkdir()
    nbformat.write(_nb("solutions"), subs / "alice.ipynb")
    nbformat.write(_nb("exercises", "ex02_pyramid"), subs / "bob.ipynb")
    nbformat.write(_nb("solutions", "ex03_value"), subs / "frank" / "ex03_value.ipynb")
    (subs / "dave.ipynb").write_text("this is not a notebook", encoding="utf-8")
    nbformat.write(_with_cell(_nb("exercises"), "while True:\n    pass"), subs / "erin.ipynb")
    hog = "import numpy as np\nhog = np.ones(200_000_000)"
    nbformat.write(_with_cell(_nb("solutions"), hog), subs / "gina.ipynb")
    nbformat.write(_with_cell(_nb("solutions"), "import os\nos._exit(1)"), subs / "hal.ipynb")
    cheat = _nb("exercises")
    for cell in cheat.cells:
        if grade_id(cell) and grade_id(cell).endswith("_check"):
            cell.source = "pass  # no checks here"
    nbformat.write(cheat, subs / "ivan.ipynb")
    stranger = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(stranger, subs / "jo.ipynb")
    out = tmp_path_factory.mktemp("out")
    code = main([
        "grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "8", "--memory", "1024",
    ])  # fmt: skip
    assert code == 0
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("student", "status", "total", "max_total"),
    [
        ("alice", "graded", "23", "23"),  # solved ex01
        ("bob", "graded", "0", "22"),  # blank ex02
        ("frank", "graded", "23", "23"),  # solved ex03 in a student folder
        ("dave", "invalid_notebook", "0", "0"),
        ("erin", "timeout", "0", "23"),
        ("gina", "memory_limit", None, "23"),
        ("hal", "kernel_died", "0", "23"),
        ("ivan", "graded", "0", "23"),  # emptied its check cells: restored, so still zero
        ("jo", "unknown_exercise_set", "0", "0"),
    ],
)
def test_each_submission_gets_marks_or_a_status(graded, student, status, total, max_total):
    row = graded[student]
    assert row["status"] == status, row
    if total is not None:
        assert row["total"] == total
    assert row["max_total"] == max_total
    if status != "graded":
        assert row["reason"], "every submission not graded says why"


def test_csv_has_a_column_per_question(graded):
    row = graded["alice"]
    assert row["exercise_set"] == "ex01_classification"
    assert row["q1_check"] == "2" and row["q3_check"] == "3"


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "no such folder" in capsys.readouterr().err
