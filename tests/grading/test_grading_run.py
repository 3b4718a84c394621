"""`crmkit grade`: each kind of submission gets its marks or a clear status, in parallel."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import nbformat
import pytest

from crmkit.cli import main

from grading_corpus import Course

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _nb(folder: str, name: str = "ex01_classification"):
    return nbformat.read(ROOT / folder / name / f"{name}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three submissions in an LMS zip; the wider corpus is in test_grading_agreement.py."""
    subs = tmp_path_factory.mktemp("submissions")
    archive = subs / "lms-export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice.ipynb", nbformat.writes(_nb("solutions")))
        zf.writestr("bob/ex03_pyramid.ipynb", nbformat.writes(_nb("exercises", "ex03_pyramid")))
        zf.writestr("dave.ipynb", "this is not a notebook")
        zf.writestr("__MACOSX/._alice.ipynb", "resource fork")
    before = archive.read_bytes()
    out = tmp_path_factory.mktemp("out")
    code = main([
        "grade", str(archive), "--out", str(out), "--jobs", "2", "--timeout", "15",
        "--memory", "1536",
    ])  # fmt: skip
    assert code == 0
    assert archive.read_bytes() == before, "grading never changes a submission"
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"rows": rows, "out": out, "subs": subs}


def _auto_points(name: str) -> int:
    """The points the checks of a solutions notebook can give (hand-marked answers aside)."""
    return round(sum(Course(ROOT).points[name].values()))


def _all_points(name: str) -> int:
    """Every point of a solutions notebook, the hand-marked answers' included (max_total)."""
    return round(
        sum(
            cell.metadata["nbgrader"].get("points", 0)
            for cell in _nb("solutions", name).cells
            if cell.metadata.get("nbgrader", {}).get("grade")
        )
    )


def _graded_cells(name: str) -> int:
    """Every graded cell of a solutions notebook: the checks and the hand-marked answers."""
    return sum(
        1 for cell in _nb("solutions", name).cells if cell.metadata.get("nbgrader", {}).get("grade")
    )


@pytest.mark.parametrize(
    ("student", "status", "total", "max_total"),
    [
        ("alice", "graded", "ex01_classification", "ex01_classification"),  # solved ex01
        ("bob", "graded", "0", "ex03_pyramid"),  # blank ex03, in a student folder
        ("dave", "invalid_notebook", "0", "0"),
    ],
)
def test_each_submission_gets_marks_or_a_status(graded, student, status, total, max_total):
    total = str(_auto_points(total)) if total.startswith("ex") else total
    max_total = str(_all_points(max_total)) if max_total.startswith("ex") else max_total
    row = graded["rows"][student]
    assert row["status"] == status, row
    if total is not None:
        assert row["total"] == total
    assert row["max_total"] == max_total
    if status != "graded":
        assert row["reason"], "every submission not graded says why"


def test_cut_output_keeps_what_grading_looks_at():
    from crmkit.grading.run import _capped

    new = nbformat.v4.new_output
    outs = [
        new("stream", name="stdout", text="a" * 10),
        new("stream", name="stderr", text="warning"),
        new("stream", name="stdout", text="b" * 10),
        new("display_data", data={"text/plain": "x"}),
        new("error", ename="WrongAnswer", evalue="not quite", traceback=[]),
    ]
    kept = _capped(outs)
    assert [(o.output_type, o.get("name")) for o in kept] == [
        ("stream", "stdout"), ("stream", "stderr"), ("error", None)
    ]  # fmt: skip
    assert "output cut" in kept[0].text


def test_csv_has_a_column_per_question(graded):
    row = graded["rows"]["alice"]
    assert row["exercise_set"] == "ex01_classification"
    assert row["q1_check"] == "2" and row["q3_check"] == "3"


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_feedback_shows_answers_points_and_hints(graded):
    alice = (graded["out"] / "feedback" / "alice.html").read_text(encoding="utf-8")
    full = _auto_points("ex01_classification")
    assert f"{full} of {full} points" in alice and "✓ Correct" in alice
    bob = (graded["out"] / "feedback" / "bob.html").read_text(encoding="utf-8")
    assert "0 / 2 points" in bob and "not answered" in bob.lower()
    dave = (graded["out"] / "feedback" / "dave.html").read_text(encoding="utf-8")
    assert "invalid_notebook" in dave


def test_gradebook_replaces_a_regraded_student(graded, tmp_path):
    import sqlite3

    from crmkit.grading.report import record_run
    from crmkit.grading.run import Result

    db = graded["out"] / "gradebook.sqlite"
    con = sqlite3.connect(db)
    before = con.execute("SELECT COUNT(*) FROM grades WHERE student = 'alice'").fetchone()[0]
    assert before == _graded_cells("ex01_classification")
    again = Result("alice", "alice.ipynb", "ex01_classification",
                   {"q1_check": 0.0}, {"q1_check": 2.0})  # fmt: skip
    run = record_run([again], db, "regrade")
    rows = con.execute(
        "SELECT grade_id, points, run_id FROM grades WHERE student = 'alice'"
    ).fetchall()
    assert rows == [("q1_check", 0.0, run)]
    total = con.execute("SELECT total FROM submissions WHERE student = 'alice'").fetchone()
    assert total == (0.0,)
    assert con.execute("SELECT COUNT(*) FROM submissions WHERE student = 'bob'").fetchone()[0] == 1
    con.close()


def test_two_runs_at_once_keep_the_gradebook_whole(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from crmkit.grading.report import record_run
    from crmkit.grading.run import Result

    db = tmp_path / "book.sqlite"

    def run(i: int) -> int:
        people = [Result(f"s{j}", "x", "ex01", {"q": float(i)}, {"q": 9.0}) for j in range(50)]
        return record_run(people, db, f"run {i}")

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(run, range(8)))
    import sqlite3

    con = sqlite3.connect(db)
    assert sorted(ids) == list(range(1, 9))
    assert con.execute("SELECT COUNT(*) FROM grades").fetchone()[0] == 50
    # every student's marks come from one and the same run: no interleaving
    assert con.execute("SELECT COUNT(DISTINCT run_id) FROM grades").fetchone()[0] == 1
    con.close()
