"""Grading groundwork: finding submissions, recognising the set, restoring graded cells."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import nbformat
import pytest

from crmkit.errors import CrmkitError
from crmkit.grading import restore as rs
from crmkit.grading.submissions import find_submissions, student_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sets():
    return rs.load_sets(ROOT / "solutions")


def _release(name: str):
    return nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)


def _cell(nb, gid):
    return next(c for c in nb.cells if rs.grade_id(c) == gid)


def test_every_release_is_recognised(sets):
    for name in sets:
        assert rs.recognise(_release(name), sets) == name


def test_recognised_without_title_and_not_guessed(sets):
    nb = _release("ex03_pyramid")
    nb.metadata.pop("crmkit")
    assert rs.recognise(nb, sets) == "ex03_pyramid"  # the check cells name ex03
    blank = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    assert rs.recognise(blank, sets) is None


def test_restore_puts_back_edited_and_deleted_check_cells(sets):
    ex = sets["ex01_classification"]
    nb = copy.deepcopy(ex.source)
    _cell(nb, "q1_check").source = "pass  # trust me"
    nb.cells = [c for c in nb.cells if rs.grade_id(c) != "q2_check"]
    out = rs.restore(nb, ex)
    assert _cell(out.notebook, "q1_check").source == _cell(ex.source, "q1_check").source
    assert "BEGIN HIDDEN TESTS" in _cell(out.notebook, "q1_check").source  # hidden tests too
    assert _cell(out.notebook, "q2_check").source == _cell(ex.source, "q2_check").source
    assert "q1_check" in out.changed_locked
    assert [rs.grade_id(c) for c in out.notebook.cells] == [rs.grade_id(c) for c in ex.source.cells]


def test_restore_keeps_answers_whatever_their_order_or_type(sets):
    ex = sets["ex03_pyramid"]
    nb = _release("ex03_pyramid")
    _cell(nb, "q1_answer").source = "complaint_cost = 42"
    answer2 = _cell(nb, "q2_answer")
    answer2.source = "n_changed = 7"
    answer2.cell_type = "markdown"
    nb.cells.reverse()
    out = rs.restore(nb, ex)
    ids = [rs.grade_id(c) for c in out.notebook.cells]
    assert ids == [rs.grade_id(c) for c in ex.source.cells]
    assert _cell(out.notebook, "q1_answer").source == "complaint_cost = 42"
    assert _cell(out.notebook, "q2_answer").cell_type == "code"
    assert all(not c.get("outputs") for c in out.notebook.cells if c.cell_type == "code")


def test_deleted_answer_grades_as_the_stub(sets):
    ex = sets["ex04_value"]
    nb = _release("ex04_value")
    nb.cells = [c for c in nb.cells if rs.grade_id(c) != "q1_answer"]
    out = rs.restore(nb, ex)
    assert out.missing_answers == ("q1_answer",)
    restored = _cell(out.notebook, "q1_answer").source
    assert (
        "..." in restored and "BEGIN SOLUTION" not in restored and "value.perceived" not in restored
    )


def test_inserted_cells_run_just_before_the_next_known_cell(sets):
    ex = sets["ex01_classification"]
    nb = _release("ex01_classification")
    at = next(i for i, c in enumerate(nb.cells) if rs.grade_id(c) == "q1_check")
    nb.cells.insert(at, nbformat.v4.new_code_cell("helper = 1"))
    nb.cells.insert(at, nbformat.v4.new_markdown_cell("my notes"))
    out = rs.restore(nb, ex)
    i = next(i for i, c in enumerate(out.notebook.cells) if rs.grade_id(c) == "q1_check")
    assert out.notebook.cells[i - 1].source == "helper = 1"
    assert out.extra_cells == 1


def test_student_names_from_layouts():
    assert student_name("alice.ipynb") == "alice"
    assert student_name("bob smith/ex01_classification.ipynb") == "bob_smith"
    assert student_name("ex01_classification.ipynb") == "ex01_classification"
    # Moodle, as a folder per student and as flat files
    moodle = "Li Wei_104233_assignsubmission_file_/ex01_classification.ipynb"
    assert student_name(moodle) == "Li_Wei_104233"
    assert student_name("Ana Ruiz_104240_assignsubmission_file_my work.ipynb") == "Ana_Ruiz_104240"
    # Canvas, on time and late
    assert student_name("chenjing_48213_1930212_ex03_pyramid.ipynb") == "chenjing"
    assert student_name("omarh_LATE_48219_1930299_ex03_pyramid-1.ipynb") == "omarh"
    with pytest.raises(CrmkitError, match="whose submission"):
        student_name("....ipynb")


def test_find_submissions_in_folder_and_zip(tmp_path):
    folder = tmp_path / "in"
    (folder / "carol").mkdir(parents=True)
    (folder / "alice.ipynb").write_text("{}")
    (folder / "carol" / "ex01_classification.ipynb").write_text("{}")
    (folder / "carol" / "timestamp.txt").write_text("2026-11-30 09:00:00")  # nbgrader's own
    (folder / "dave.pdf").write_bytes(b"%PDF")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "alice-checkpoint.ipynb").write_text("{}")
    found = find_submissions(folder)
    assert [(s.student, s.origin) for s in found] == [
        ("alice", "alice.ipynb"),
        ("carol", "carol/ex01_classification.ipynb"),
        ("dave", "dave.pdf"),
    ]
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("erin/ex03_pyramid.ipynb", "{}")
        zf.writestr("__MACOSX/erin/._ex03_pyramid.ipynb", "junk")
        zf.writestr("../evil.ipynb", "{}")
    found = find_submissions(archive)
    assert [(s.student, s.content) for s in found] == [("erin", b"{}")]
    with pytest.raises(CrmkitError, match="no such"):
        find_submissions(tmp_path / "missing")
