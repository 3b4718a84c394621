"""What a grading run leaves behind besides grades.csv: feedback pages and a SQLite gradebook."""

from __future__ import annotations

import sqlite3
from html import escape
from pathlib import Path

from nbconvert.filters import markdown2html

from crmkit.grading.restore import grade_id
from crmkit.grading.run import Result

STYLE = (
    "body{font-family:sans-serif;max-width:860px;margin:2em auto;color:#222}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}"
    ".q{border-top:1px solid #ddd;margin-top:1.5em}.ok{color:#009E73}.no{color:#D55E00}"
    ".anchor-link{visibility:hidden;text-decoration:none}:hover>.anchor-link{visibility:visible}"
)


def _check_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts).strip()


def feedback_html(result: Result) -> str:
    """One student's page: the marks, then per question the answer, points and the check's words."""
    title = f"{result.student} · {result.exercise_set or 'not graded'}"
    head = f"<h1>{escape(title)}</h1>"
    if result.status != "graded":
        head += f"<p class='no'><b>{escape(result.status)}</b>: {escape(result.reason)}</p>"
    if result.exercise_set:
        head += f"<p><b>{result.total:g} of {result.max_total:g} points</b></p>"
    body = []
    cells = result.notebook.cells if result.notebook is not None else []
    answers: dict[str, str] = {}
    for cell in cells:
        gid = grade_id(cell) or ""
        if gid.endswith("_text"):
            body.append(f"<div class='q'>{markdown2html(cell.source)}</div>")
        elif gid.endswith("_answer"):
            answers[gid] = cell.source
            body.append(f"<p>Your answer:</p><pre>{escape(cell.source)}</pre>")
        elif gid in result.max_points:
            earned, most = result.points.get(gid, 0.0), result.max_points[gid]
            css = "ok" if earned == most else "no"
            words = _check_text(cell) or ("" if earned == most else "this check did not pass")
            body.append(
                f"<p class='{css}'><b>{earned:g} / {most:g} points.</b> {escape(words)}</p>"
            )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{head}{''.join(body)}</body></html>"
    )


def write_feedback(results: list[Result], folder: Path | str) -> Path:
    """feedback/<student>.html for every submission (one per student and set, if several)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    for r in results:
        name = r.student if r.student not in names else f"{r.student}-{r.exercise_set or 'other'}"
        names.add(name)
        (folder / f"{name}.html").write_text(feedback_html(r), encoding="utf-8")
    return folder


SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL, exercise_set TEXT NOT NULL, origin TEXT NOT NULL,
    total REAL NOT NULL, max_total REAL NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(run_id), PRIMARY KEY (student, exercise_set));
CREATE TABLE IF NOT EXISTS grades (
    student TEXT NOT NULL, exercise_set TEXT NOT NULL, grade_id TEXT NOT NULL,
    points REAL NOT NULL, max_points REAL NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(run_id), PRIMARY KEY (student, exercise_set, grade_id));
"""


def record_run(results: list[Result], database: Path | str, source: str) -> int:
    """Add a run to the SQLite gradebook; a re-graded student's marks replace the old ones.

    One transaction per run (BEGIN IMMEDIATE, waiting up to 60 s for another
    run to finish), so two runs at once never interleave or corrupt it.
    Returns the run's id.
    """
    con = sqlite3.connect(database, timeout=60, isolation_level=None)
    try:
        con.executescript(SCHEMA)
        con.execute("BEGIN IMMEDIATE")
        run_id = con.execute("INSERT INTO runs (source) VALUES (?)", (source,)).lastrowid
        for r in results:
            key = (r.student, r.exercise_set)
            con.execute("DELETE FROM grades WHERE student = ? AND exercise_set = ?", key)
            con.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, r.origin, r.total, r.max_total, r.status, r.reason, run_id),
            )
            con.executemany(
                "INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?)",
                [(*key, g, r.points.get(g, 0.0), m, run_id) for g, m in r.max_points.items()],
            )
        con.execute("COMMIT")
        return int(run_id)
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
