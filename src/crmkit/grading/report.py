"""What a grading run leaves behind besides grades.csv: feedback pages and a SQLite gradebook.

The gradebook itself lives in `gradebook` (`record_run` is re-exported here, where
its callers have always found it).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from nbconvert.filters import markdown2html

from crmkit.grading.gradebook import record_run
from crmkit.grading.restore import grade_id, rubric_cells
from crmkit.grading.run import NOT_ANSWERED, Result

__all__ = ["feedback_html", "record_run", "write_feedback"]

STYLE = (
    "body{font-family:sans-serif;max-width:860px;margin:2em auto;color:#222}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}"
    ".q{border-top:1px solid #ddd;margin-top:1.5em}.ok{color:#009E73}.no{color:#D55E00}"
    ".pending{color:#0072B2}.rubric{border-left:4px solid #0072B2;padding-left:1em}"
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


def _headline(result: Result) -> str:
    """`21 of 23 points`, or with answers to mark: `18 of 19 points, and up to 4 more ...`."""
    if not result.pending:
        return f"<p><b>{result.total:g} of {result.max_total:g} points</b></p>"
    pending = result.pending_points
    return (
        f"<p><b>{result.total:g} of {result.max_total - pending:g} points</b> so far, and up to "
        f"{pending:g} more for the written answers <span class='pending'>to be marked by your "
        "trainer</span></p>"
    )


def _manual(result: Result, cell, rubric: str) -> str:
    """A manually graded answer: the rubric, the learner's text, its mark or "to be marked"."""
    gid = grade_id(cell) or ""
    most = result.max_points.get(gid, 0.0)
    parts = [f"<div class='q rubric'>{markdown2html(rubric)}</div>"] if rubric else []
    parts.append(f"<p>Your answer:</p><pre>{escape(cell.source)}</pre>")
    comment = escape(result.comments.get(gid, ""))
    if gid in result.pending:
        parts.append(
            f"<p class='pending'><b>To be marked by your trainer</b> (up to {most:g} points).</p>"
        )
    else:
        earned = result.points.get(gid, 0.0)
        css = "ok" if earned == most else "no"
        who = "" if comment == NOT_ANSWERED else " Marked by your trainer."
        parts.append(f"<p class='{css}'><b>{earned:g} / {most:g} points.</b>{who} {comment}</p>")
    return "".join(parts)


def feedback_html(result: Result) -> str:
    """One student's page: the marks, then per question the answer, points and the check's words.

    A manually graded answer shows the learner's text, its mark (or "to be marked by
    your trainer" while pending) and the rubric it is marked with.
    """
    title = f"{result.student} · {result.exercise_set or 'not graded'}"
    head = f"<h1>{escape(title)}</h1>"
    if result.status != "graded":
        head += f"<p class='no'><b>{escape(result.status)}</b>: {escape(result.reason)}</p>"
    if result.exercise_set:
        head += _headline(result)
    body = []
    nb = result.notebook
    cells = nb.cells if nb is not None else []
    rubrics = rubric_cells(nb) if nb is not None else {}
    shown_with_answer = set(rubrics.values())
    for index, cell in enumerate(cells):
        gid = grade_id(cell) or ""
        if index in shown_with_answer:
            continue
        if gid in result.manual:
            rubric = cells[rubrics[gid]].source if gid in rubrics else ""
            body.append(_manual(result, cell, rubric))
        elif gid.endswith("_text"):
            body.append(f"<div class='q'>{markdown2html(cell.source)}</div>")
        elif gid.endswith("_answer"):
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
