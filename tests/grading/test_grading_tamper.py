"""A submission cannot earn points it did not earn, nor touch the grader's files.

The tamper entries of tests/grading/grading_corpus.py redefine or patch the checks,
override builtins, hand in answers that equal everything, run the worked
solutions from the repo, copy the answer keys' expected values, and search
the machine for grades.csv and gradebook.sqlite to give everyone full marks.
Each must score no more than it would without the tampering (`honest_total`),
and an earlier run's grades.csv and gradebook.sqlite (in --out and in another
folder, laid out as bait) must come through the run unchanged.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crmkit.grading.sandbox import probe

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from grading_corpus import (  # noqa: E402
    PREVIOUS,
    Course,
    build_corpus,
    crmkit_run,
    file_hashes,
    gradebook_attack,
    gradebook_rows,
    points_of,
)

pytestmark = pytest.mark.slow
SANDBOX = probe()
#: Without bubblewrap a kernel can read what its user can: the solutions, the answer keys,
#: the gradebook. The README says so; these attacks are only stopped by the sandbox.
needs_sandbox = pytest.mark.skipif(
    not SANDBOX.available, reason=f"needs the bubblewrap sandbox: {SANDBOX.reason}"
)
NEEDS_SANDBOX = {"tamper_exec_solutions", "tamper_copy_expected", "tamper_gradebook"}
ENTRIES = build_corpus(ROOT)
TAMPER = [e for e in ENTRIES if e.tamper]
#: Run alone, this module grades only the tamper entries and their honest twins.
NEEDED = {e.student for e in TAMPER} | {e.twin for e in TAMPER if e.twin}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return crmkit_run(ROOT, tmp_path_factory, only=NEEDED)


@pytest.mark.parametrize("entry", TAMPER, ids=lambda e: e.student)
def test_tampering_earns_nothing(run, entry):
    if entry.student in NEEDS_SANDBOX and not SANDBOX.available:
        pytest.skip(f"needs the bubblewrap sandbox: {SANDBOX.reason}")
    row = run.rows[entry.student]
    assert row["status"] == "graded", row
    total = float(row["total"])
    if total > entry.honest_total:
        points = points_of(row, Course(ROOT).points[entry.exercise_set])
        earned = {g: p for g, p in points.items() if p}
        pytest.fail(
            f"{entry.student} got {total:g} points, {entry.honest_total:g} honestly "
            f"({entry.note}); points per question: {earned}"
        )


def test_honest_totals_are_what_the_twins_get(run):
    """The declared honest totals are right: the same notebooks without the tampering get them."""
    for e in TAMPER:
        if e.twin:
            assert float(run.rows[e.twin]["total"]) == e.honest_total, (e.student, e.twin)


@needs_sandbox
def test_an_earlier_runs_files_elsewhere_are_unchanged(run):
    assert file_hashes(run.archive) == run.archive_before


@needs_sandbox
def test_the_gradebook_keeps_other_students_marks(run):
    db = run.out / "gradebook.sqlite"
    assert gradebook_rows(db, PREVIOUS) == run.seeded_before
    con = sqlite3.connect(db)
    try:
        students = {s for (s,) in con.execute("SELECT student FROM submissions")}
    finally:
        con.close()
    assert students == set(PREVIOUS) | {e.student for e in run.entries}


def test_the_gradebook_attack_works_where_nothing_stops_it(tmp_path):
    """The attack is real: run as a plain script next to a decoy gradebook, it rewrites it.

    (So the two tests above fail for a reason when the grader lets it reach its files.)
    The decoy has its own marker, so this never touches the bait of the grading run.
    """
    marker = ".crmkit-tamper-selftest"
    book = tmp_path / "decoy"
    work = tmp_path / "work" / "scratch"
    work.mkdir(parents=True)
    book.mkdir()
    (book / marker).write_text("decoy\n")
    con = sqlite3.connect(book / "gradebook.sqlite")
    con.executescript(
        "CREATE TABLE submissions (student TEXT, total REAL, max_total REAL);"
        "CREATE TABLE grades (student TEXT, points REAL, max_points REAL);"
        "INSERT INTO submissions VALUES ('amy', 1, 23); INSERT INTO grades VALUES ('amy', 0, 2);"
    )
    con.commit()
    con.close()
    (book / "grades.csv").write_text("student,total\namy,1\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", gradebook_attack(marker)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "mallory" in (book / "grades.csv").read_text(encoding="utf-8")
    con = sqlite3.connect(book / "gradebook.sqlite")
    assert con.execute("SELECT total, max_total FROM submissions").fetchall() == [(23.0, 23.0)]
    con.close()
