"""Manually graded answers (a written argument marked with a rubric), as nbgrader has them.

A small course of one set, built here with nbformat: one check-graded question
(2 points) and one written answer (4 points) with a rubric before it. `crmkit
grade` and `nbgrader autograde` grade the same submissions: the same automatic
points, and the written answer pending in both until a grader marks it. Then
`crmkit grade mark` records marks (or refuses them, writing nothing) and `crmkit
grade report` writes grades.csv and the feedback again.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from crmkit.cli import main
from crmkit.grading import restore as rs
from crmkit.grading.gradebook import load_results
from crmkit.grading.report import record_run

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from nbgrader_course import autograde_sets  # noqa: E402

SET = "mini"
RUBRIC = "**Rubric** (4 points): 2 for a clear decision, 2 for the number that justifies it."
MODEL_ANSWER = "Keep the service: the 40 customers who use it bring 30% of the profit."
ALICE = "Drop it. Only a few customers use it, and it costs more than the margin they bring."


def _meta(gid: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": gid,
            "schema_version": 3, "task": False}  # fmt: skip
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def mini_source() -> nbformat.NotebookNode:
    """The set's source notebook, as solutions/ holds one."""
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell("# Mini set", metadata=_meta("intro", locked=True)),
        v4.new_code_cell("base = 1", metadata=_meta("setup", locked=True)),
        v4.new_markdown_cell(
            "**Q1.** Set `x` to base plus two.", metadata=_meta("q1_text", locked=True)
        ),
        v4.new_code_cell(
            "x = ...\n### BEGIN SOLUTION\nx = base + 2\n### END SOLUTION",
            metadata=_meta("q1_answer", solution=True),
        ),
        v4.new_code_cell(
            "assert x is not ..., 'not answered yet'\nassert x == 3, 'x should be base plus two'",
            metadata=_meta("q1_check", grade=True, locked=True, points=2),
        ),
        v4.new_markdown_cell(
            "**Q2.** Keep the service or drop it? Argue in two sentences.",
            metadata=_meta("q2_text", locked=True),
        ),
        v4.new_markdown_cell(RUBRIC, metadata=_meta("q2_rubric", locked=True)),
        v4.new_markdown_cell(
            MODEL_ANSWER, metadata=_meta("q2_answer", grade=True, solution=True, points=4)
        ),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    nb = v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.crmkit = {"title": "Mini set"}
    return nb


def write_course(root: Path) -> Path:
    """A course folder: nbgrader_config.py and solutions/mini/mini.ipynb."""
    (root / "solutions" / SET).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    nbformat.write(mini_source(), root / "solutions" / SET / f"{SET}.ipynb")
    return root


def _cell(nb, gid):
    return next(c for c in nb.cells if rs.grade_id(c) == gid)


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _dump(db: Path) -> list:
    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in
                ("submissions", "grades", "runs")]  # fmt: skip
    finally:
        con.close()


# --- without kernels: restore, release text, rubric --------------------------------------


@pytest.fixture(scope="module")
def mini_set(tmp_path_factory):
    course = write_course(tmp_path_factory.mktemp("course"))
    return rs.load_sets(course / "solutions")[SET]


def test_the_written_answer_is_manual_and_not_a_check(mini_set):
    assert mini_set.manual_ids == ["q2_answer"]
    assert mini_set.points == {"q1_check": 2.0, "q2_answer": 4.0}
    assert mini_set.auto_points == {"q1_check": 2.0}
    assert "q2_answer" in mini_set.answer_ids


def test_restore_keeps_the_written_answer_whatever_its_type_or_place(mini_set):
    nb = copy.deepcopy(mini_set.source)
    written = _cell(nb, "q2_answer")
    written.source = ALICE
    written.cell_type = "code"  # retyped by the learner
    nb.cells.insert(0, nb.cells.pop(nb.cells.index(written)))  # and moved to the top
    out = rs.restore(nb, mini_set).notebook
    kept = _cell(out, "q2_answer")
    assert kept.source == ALICE and MODEL_ANSWER not in kept.source
    assert kept.cell_type == "markdown"
    assert [rs.grade_id(c) for c in out.cells] == [rs.grade_id(c) for c in mini_set.source.cells]
    assert rs.recognise(nb, {SET: mini_set}) == SET


def test_a_deleted_written_answer_is_unanswered(mini_set):
    nb = copy.deepcopy(mini_set.source)
    nb.cells = [c for c in nb.cells if rs.grade_id(c) != "q2_answer"]
    out = rs.restore(nb, mini_set)
    assert out.missing_answers == ("q2_answer",)
    text = _cell(out.notebook, "q2_answer").source
    assert text == rs.TEXT_STUB
    assert rs.unanswered(text, _cell(mini_set.source, "q2_answer"))


def test_release_text_as_nbgrader_makes_it():
    md = nbformat.v4.new_markdown_cell("Intro\n### BEGIN SOLUTION\nsecret\n### END SOLUTION\nEnd")
    assert rs.release_text(md) == f"Intro\n{rs.TEXT_STUB}\nEnd"
    code = nbformat.v4.new_code_cell(
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    )
    assert rs.release_text(code) == f"def f():\n    {rs.CODE_STUB}"
    assert rs.release_text(nbformat.v4.new_markdown_cell("a model answer")) == rs.TEXT_STUB
    cell = nbformat.v4.new_markdown_cell("a model answer")
    assert rs.unanswered("  YOUR ANSWER HERE\n", cell) and rs.unanswered("   ", cell)
    assert not rs.unanswered("My answer: YOUR ANSWER HERE is not it", cell)


def test_stubs_are_the_course_config():
    from traitlets.config import Config

    config = Config()
    source = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    exec(compile(source, "nbgrader_config.py", "exec"), {"get_config": lambda: config})  # noqa: S102
    assert config.ClearSolutions.text_stub == rs.TEXT_STUB
    assert config.ClearSolutions.code_stub["python"] == rs.CODE_STUB


def test_rubric_is_the_cell_just_before_the_answer():
    v4 = nbformat.v4
    answer = v4.new_markdown_cell(
        "x", metadata=_meta("q5_answer", grade=True, solution=True, points=3)
    )
    check = v4.new_code_cell("pass", metadata=_meta("q4_check", grade=True, points=1))
    rubric_by_heading = v4.new_markdown_cell("\n### Marking rubric\n- 1 point: ...")
    question = v4.new_markdown_cell("**Q5.** Which rubric would you use?")  # not a rubric
    nb = v4.new_notebook(cells=[rubric_by_heading, check, question, answer])
    assert rs.rubric_cells(nb) == {}  # the only rubric belongs to an earlier question
    nb.cells.insert(3, copy.deepcopy(rubric_by_heading))
    assert rs.rubric_cells(nb) == {"q5_answer": 3}


# --- with kernels: crmkit grade beside nbgrader autograde --------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Submissions from nbgrader's own release, graded by nbgrader and by crmkit grade."""
    root = write_course(tmp_path_factory.mktemp("mini-course"))
    prep = write_course(tmp_path_factory.mktemp("mini-release"))
    # nbgrader runs the `alembic` command of its own environment to create its gradebook
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", SET, "--force"],
        cwd=prep, env=env, check=True, capture_output=True,
    )  # fmt: skip
    release = nbformat.read(prep / "exercises" / SET / f"{SET}.ipynb", as_version=4)
    alice, bob, carol = (copy.deepcopy(release) for _ in range(3))
    _cell(alice, "q1_answer").source = "x = 3"
    _cell(alice, "q2_answer").source = ALICE
    _cell(carol, "q1_answer").source = "x = 4"
    _cell(carol, "q2_answer").source = "Keep it, it is popular."
    notebooks = {"alice": alice, "bob": bob, "carol": carol}  # bob hands in the blank release
    subs = tmp_path_factory.mktemp("mini-submissions")
    for student, nb in notebooks.items():
        nbformat.write(nb, subs / f"{student}.ipynb")
    work = tmp_path_factory.mktemp("mini-nbgrader")
    theirs = autograde_sets(root, {SET: {s: subs / f"{s}.ipynb" for s in notebooks}}, work)
    with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gb:
        states = {
            s: {g.name: (g.auto_score, g.needs_manual_grade)
                for g in gb.find_submission_notebook(SET, SET, s).grades}
            for s in notebooks
        }  # fmt: skip
    out = tmp_path_factory.mktemp("mini-graded")
    code = main(["grade", str(subs), "--out", str(out), "--solutions", str(root / "solutions"),
                 "--jobs", "2", "--timeout", "30", "--memory", "1536"])  # fmt: skip
    assert code == 0
    return {"release": release, "source": mini_source(), "nbgrader": states,
            "scores": theirs.scores[SET], "out": out, "rows": _rows(out / "grades.csv")}  # fmt: skip


@pytest.mark.slow
def test_release_text_agrees_with_nbgraders_release(course):
    source, release = course["source"], course["release"]
    for gid in ("q1_answer", "q2_answer"):
        if rs.is_manual(_cell(source, gid)):
            assert rs.release_text(_cell(source, gid)) == _cell(release, gid).source


@pytest.mark.slow
@pytest.mark.parametrize(
    ("student", "auto", "pending"), [("alice", 2, True), ("bob", 0, False), ("carol", 0, True)]
)
def test_same_auto_points_and_the_same_answers_pending_as_nbgrader(course, student, auto, pending):
    theirs = course["nbgrader"][student]
    row = course["rows"][student]
    assert theirs["q1_check"] == (auto, False)
    assert float(row["q1_check"]) == theirs["q1_check"][0]
    assert theirs["q2_answer"][1] is pending  # nbgrader: needs a manual grade
    if pending:
        assert theirs["q2_answer"][0] is None
        assert row["q2_answer"] == "" and row["pending"] == "4"  # neither 0 nor earned
    else:  # left as released: 0 at once in both, nothing to mark
        assert theirs["q2_answer"][0] == 0 and row["q2_answer"] == "0" and row["pending"] == "0"
    assert row["total"] == f"{auto:g}" and row["max_total"] == "6"
    assert sum(course["scores"][student].values()) == auto  # nbgrader's total so far


@pytest.mark.slow
def test_feedback_shows_the_answer_to_be_marked_with_its_rubric(course):
    page = (course["out"] / "feedback" / "alice.html").read_text(encoding="utf-8")
    assert "2 of 2 points</b> so far, and up to 4 more" in page
    assert ALICE in page and "To be marked by your trainer" in page
    assert page.index("for the number that justifies it") < page.index(ALICE)  # rubric first
    assert page.count("Rubric") == 1 and MODEL_ANSWER not in page
    bob = (course["out"] / "feedback" / "bob.html").read_text(encoding="utf-8")
    assert "0 / 4 points.</b> Not answered." in bob and "To be marked" not in bob


@pytest.mark.slow
def test_gradebook_has_a_status_per_question(course):
    con = sqlite3.connect(course["out"] / "gradebook.sqlite")
    rows = con.execute(
        "SELECT student, grade_id, status, kind, points FROM grades ORDER BY student, grade_id"
    ).fetchall()
    pending = con.execute("SELECT student, pending FROM submissions ORDER BY student").fetchall()
    con.close()
    assert ("alice", "q1_check", "graded", "auto", 2.0) in rows
    assert ("alice", "q2_answer", "pending", "manual", None) in rows
    assert ("bob", "q2_answer", "graded", "manual", 0.0) in rows
    assert pending == [("alice", 4.0), ("bob", 0.0), ("carol", 4.0)]


@pytest.fixture
def book(course, tmp_path):
    """A copy of the run's gradebook to mark."""
    db = tmp_path / "gradebook.sqlite"
    shutil.copy(course["out"] / "gradebook.sqlite", db)
    return db


@pytest.mark.slow
def test_mark_then_report(book, tmp_path, capsys):
    assert main(["grade", "mark", "--gradebook", str(book), "--student", "alice",
                 "--question", "mini.q2", "--points", "3", "--comment", "Clear, but no number."]) == 0  # fmt: skip
    assert "alice mini.q2_answer: 3 / 4" in capsys.readouterr().out
    assert main(["grade", "report", "--gradebook", str(book), "--out", str(tmp_path / "r")]) == 0
    rows = _rows(tmp_path / "r" / "grades.csv")
    assert (rows["alice"]["q2_answer"], rows["alice"]["total"], rows["alice"]["pending"]) == (
        "3",
        "5",
        "0",
    )
    assert (rows["carol"]["q2_answer"], rows["carol"]["pending"]) == ("", "4")  # still to mark
    page = (tmp_path / "r" / "feedback" / "alice.html").read_text(encoding="utf-8")
    assert "5 of 6 points" in page and "3 / 4 points.</b> Marked by your trainer." in page
    assert "Clear, but no number." in page and "To be marked" not in page


@pytest.mark.slow
def test_marks_from_a_csv(book, tmp_path):
    marks = tmp_path / "marks.csv"
    marks.write_text(
        "student,question,points,comment\nalice,q2_answer,4,\ncarol,q2,1.5,Say why.\n",
        encoding="utf-8",
    )
    assert main(["grade", "mark", "--gradebook", str(book), "--from", str(marks)]) == 0
    con = sqlite3.connect(book)
    subs = con.execute(
        "SELECT student, total, pending FROM submissions ORDER BY student"
    ).fetchall()
    con.close()
    assert subs == [("alice", 6.0, 0.0), ("bob", 0.0, 0.0), ("carol", 1.5, 0.0)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--student", "zoe", "--question", "q2", "--points", "1"], "unknown student 'zoe'"),
        (["--student", "alice", "--question", "q9", "--points", "1"], "theirs: mini.q2_answer"),
        (["--student", "alice", "--question", "q1", "--points", "1"], "graded by its check"),
        (["--student", "alice", "--question", "q2", "--points", "5"], "give 0 to 4"),
        (["--student", "alice", "--question", "q2", "--points", "-1"], "give 0 to 4"),
        (["--student", "alice", "--question", "q2", "--points", "nan"], "give 0 to 4"),
        (["--student", "alice", "--question", "q2"], "give --student, --question and --points"),
    ],
)
def test_a_wrong_mark_is_refused_and_nothing_written(book, capsys, args, message):
    before = _dump(book)
    assert main(["grade", "mark", "--gradebook", str(book), *args]) == 1
    assert message in capsys.readouterr().err
    assert _dump(book) == before


@pytest.mark.slow
def test_one_bad_row_refuses_the_whole_csv(book, tmp_path, capsys):
    marks = tmp_path / "marks.csv"
    marks.write_text(
        "student,question,points\nalice,q2,3\ncarol,q2,7\nbob,q2,oops\n", encoding="utf-8"
    )
    before = _dump(book)
    assert main(["grade", "mark", "--gradebook", str(book), "--from", str(marks)]) == 1
    assert "marks.csv line 4: points 'oops' is not a number" in capsys.readouterr().err
    marks.write_text(
        "student,question,points\nalice,q2,3\ncarol,q2,7\nalice,q2,2\n", encoding="utf-8"
    )
    assert main(["grade", "mark", "--gradebook", str(book), "--from", str(marks)]) == 1
    err = capsys.readouterr().err
    assert "no marks were recorded" in err and "marks.csv line 3: 7 points" in err
    assert "marks.csv line 4: mini.q2_answer of alice is marked twice" in err
    assert _dump(book) == before
    assert main(["grade", "mark", "--gradebook", str(tmp_path / "none.sqlite"), "--from",
                 str(marks)]) == 1  # fmt: skip
    assert "no gradebook at" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.slow
def test_a_mark_survives_regrading_while_the_answer_is_unchanged(book):
    fresh = {r.student: r for r in load_results(book)}["alice"]
    assert fresh.pending == ("q2_answer",)
    assert main(["grade", "mark", "--gradebook", str(book), "--student", "alice",
                 "--question", "q2", "--points", "2"]) == 0  # fmt: skip
    record_run([copy.deepcopy(fresh)], book, "again")
    again = {r.student: r for r in load_results(book)}["alice"]
    assert again.pending == () and again.points["q2_answer"] == 2.0 and again.total == 4.0
    changed = copy.deepcopy(fresh)
    _cell(changed.notebook, "q2_answer").source = ALICE + " Also, it is slow."
    record_run([changed], book, "changed")
    assert changed.pending == ("q2_answer",)  # a new answer needs a new mark
    assert {r.student: r for r in load_results(book)}["alice"].pending == ("q2_answer",)


def test_a_gradebook_from_before_manual_grading_is_brought_up_to_date(tmp_path):
    from crmkit.grading.run import Result

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL);"
        "CREATE TABLE submissions (student TEXT NOT NULL, exercise_set TEXT NOT NULL,"
        " origin TEXT NOT NULL, total REAL NOT NULL, max_total REAL NOT NULL,"
        " status TEXT NOT NULL, reason TEXT NOT NULL, run_id INTEGER NOT NULL,"
        " PRIMARY KEY (student, exercise_set));"
        "CREATE TABLE grades (student TEXT NOT NULL, exercise_set TEXT NOT NULL,"
        " grade_id TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL,"
        " run_id INTEGER NOT NULL, PRIMARY KEY (student, exercise_set, grade_id));"
        "INSERT INTO runs (source) VALUES ('old');"
        "INSERT INTO submissions VALUES ('amy', 'ex01', 'amy.ipynb', 2, 3, 'graded', '', 1);"
        "INSERT INTO grades VALUES ('amy', 'ex01', 'q1_check', 2, 3, 1);"
    )
    con.commit()
    con.close()
    ben = Result("ben", "ben.ipynb", "mini", {"q1_check": 2.0}, {"q1_check": 2.0, "q2_answer": 4.0},
                 manual=("q2_answer",), pending=("q2_answer",))  # fmt: skip
    record_run([ben], db, "new")
    results = {r.student: r for r in load_results(db)}
    assert results["amy"].points == {"q1_check": 2.0} and results["amy"].pending == ()
    assert results["ben"].pending == ("q2_answer",) and results["ben"].pending_points == 4.0
