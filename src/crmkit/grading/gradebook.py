"""The SQLite gradebook: every submission's marks, its graded notebook, and marks given by hand.

One row per student and set in `submissions` (grading a learner again replaces
it) and one per graded question in `grades`, with its status: `graded`, or
`pending` while a manually graded answer waits for a grader (its points are
NULL until then, neither 0 nor earned). The graded notebook is kept, so that
grades.csv and the feedback can be written again after marking (`load_results`).
Every change is one transaction (BEGIN IMMEDIATE, waiting up to 60 s for
another), so two runs at once never interleave and a refused change leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import nbformat

from crmkit.errors import CrmkitError
from crmkit.grading.restore import grade_id
from crmkit.grading.run import Result

TABLES = (
    "CREATE TABLE IF NOT EXISTS runs ("
    " run_id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS submissions ("
    " student TEXT NOT NULL, exercise_set TEXT NOT NULL, origin TEXT NOT NULL,"
    " total REAL NOT NULL, max_total REAL NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,"
    " run_id INTEGER NOT NULL REFERENCES runs(run_id), pending REAL NOT NULL DEFAULT 0,"
    " notebook TEXT, PRIMARY KEY (student, exercise_set))",
    "CREATE TABLE IF NOT EXISTS grades ("
    " student TEXT NOT NULL, exercise_set TEXT NOT NULL, grade_id TEXT NOT NULL,"
    " points REAL, max_points REAL NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(run_id),"
    " status TEXT NOT NULL DEFAULT 'graded' CHECK (status IN ('graded', 'pending')),"
    " kind TEXT NOT NULL DEFAULT 'auto' CHECK (kind IN ('auto', 'manual')),"
    " comment TEXT NOT NULL DEFAULT '', answer TEXT,"
    " PRIMARY KEY (student, exercise_set, grade_id))",
)


@contextlib.contextmanager
def transaction(database: Path | str, *, must_exist: bool = False) -> Iterator[sqlite3.Connection]:
    """One write transaction on the gradebook (created, or brought up to date, if need be).

    Committed if the block ends normally, rolled back if it raises.
    """
    if must_exist and not Path(database).is_file():
        raise CrmkitError(f"no gradebook at {database}; grade the submissions first")
    con = sqlite3.connect(database, timeout=60, isolation_level=None)
    try:
        for table in TABLES:
            con.execute(table)
        con.execute("BEGIN IMMEDIATE")
        _upgrade(con)
        yield con
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def _upgrade(con: sqlite3.Connection) -> None:
    """Bring a gradebook written before manual grading up to date, keeping its marks."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(submissions)")}
    if "pending" not in columns:
        con.execute("ALTER TABLE submissions ADD COLUMN pending REAL NOT NULL DEFAULT 0")
    if "notebook" not in columns:
        con.execute("ALTER TABLE submissions ADD COLUMN notebook TEXT")
    if "status" not in {row[1] for row in con.execute("PRAGMA table_info(grades)")}:
        # points were NOT NULL before, which a pending question cannot be: rebuild the table
        con.execute("ALTER TABLE grades RENAME TO grades_before_manual")
        con.execute(TABLES[2])
        con.execute(
            "INSERT INTO grades (student, exercise_set, grade_id, points, max_points, run_id)"
            " SELECT student, exercise_set, grade_id, points, max_points, run_id"
            " FROM grades_before_manual"
        )
        con.execute("DROP TABLE grades_before_manual")


def manual_answers(result: Result) -> dict[str, str]:
    """The text of each manually graded answer in a result's graded notebook."""
    cells = result.notebook.cells if result.notebook is not None else []
    wanted = set(result.manual)
    return {gid: cell.source for cell in cells if (gid := grade_id(cell)) in wanted}


def record_run(results: list[Result], database: Path | str, source: str) -> int:
    """Add a run to the gradebook; a re-graded student's marks replace the old ones.

    A mark given by hand survives re-grading while its answer is unchanged (it is
    copied into the result too, so grades.csv and the feedback show it). Returns the
    run's id.
    """
    with transaction(database) as con:
        run_id = con.execute("INSERT INTO runs (source) VALUES (?)", (source,)).lastrowid
        for r in results:
            key = (r.student, r.exercise_set)
            answers = manual_answers(r)
            _keep_marks(con, r, answers)
            con.execute("DELETE FROM grades WHERE student = ? AND exercise_set = ?", key)
            notebook = nbformat.writes(r.notebook) if r.notebook is not None else None
            con.execute(
                "INSERT OR REPLACE INTO submissions (student, exercise_set, origin, total,"
                " max_total, status, reason, run_id, pending, notebook)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, r.origin, r.total, r.max_total, r.status, r.reason, run_id,
                 r.pending_points, notebook),
            )  # fmt: skip
            con.executemany(
                "INSERT INTO grades (student, exercise_set, grade_id, points, max_points, run_id,"
                " status, kind, comment, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, g, None if g in r.pending else r.points.get(g, 0.0), most, run_id,
                     "pending" if g in r.pending else "graded",
                     "manual" if g in r.manual else "auto", r.comments.get(g, ""), answers.get(g))
                    for g, most in r.max_points.items()
                ],
            )  # fmt: skip
        return int(run_id)


def _keep_marks(con: sqlite3.Connection, result: Result, answers: dict[str, str]) -> None:
    """Give a pending answer the grader's earlier mark if the answer has not changed since."""
    if not result.pending:
        return
    earlier = {
        gid: (points, comment, answer)
        for gid, points, comment, answer in con.execute(
            "SELECT grade_id, points, comment, answer FROM grades WHERE student = ?"
            " AND exercise_set = ? AND kind = 'manual' AND status = 'graded'",
            (result.student, result.exercise_set),
        )
    }
    still = []
    for gid in result.pending:
        mark = earlier.get(gid)
        if mark is not None and mark[0] is not None and mark[2] == answers.get(gid):
            result.points[gid] = float(mark[0])
            if mark[1]:
                result.comments[gid] = mark[1]
        else:
            still.append(gid)
    result.pending = tuple(still)
    result.points = {g: result.points[g] for g in result.max_points if g in result.points}


def load_results(database: Path | str) -> list[Result]:
    """Every submission in the gradebook as a Result (marks given by hand included)."""
    with transaction(database, must_exist=True) as con:
        subs = con.execute(
            "SELECT student, exercise_set, origin, status, reason, notebook FROM submissions"
            " ORDER BY student, exercise_set"
        ).fetchall()
        grades = con.execute(
            "SELECT student, exercise_set, grade_id, points, max_points, status, kind, comment"
            " FROM grades ORDER BY rowid"
        ).fetchall()
    results: dict[tuple[str, str], Result] = {}
    for student, name, origin, status, reason, notebook in subs:
        nb = nbformat.reads(notebook, as_version=4) if notebook else None
        results[(student, name)] = Result(student, origin, name, status=status, reason=reason,
                                          notebook=nb)  # fmt: skip
    for student, name, gid, points, most, status, kind, comment in grades:
        r = results.get((student, name))
        if r is None:
            continue
        r.max_points[gid] = float(most)
        if status == "pending":
            r.pending += (gid,)
        else:
            r.points[gid] = float(points or 0.0)
        if kind == "manual":
            r.manual += (gid,)
        if comment:
            r.comments[gid] = comment
    return list(results.values())
