"""Marks a grader gives by hand to manually graded answers (a written argument and its rubric).

A mark names a student, a question and the points, with an optional comment
for the learner. A batch of marks (one from the command line, or a CSV of
them) is checked as a whole against the gradebook: an unknown student or
question, a question a check grades, points outside 0..the question's
maximum, or the same question twice refuses the whole batch, with every
problem listed, and nothing is written. Otherwise all are recorded in one
transaction and each submission's total is brought up to date.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from crmkit.errors import CrmkitError
from crmkit.grading.gradebook import transaction

#: Columns of a marks CSV; `comment` may be left out.
CSV_COLUMNS = ("student", "question", "points", "comment")


@dataclass(frozen=True)
class Mark:
    """One mark given by hand: `question` is a grade id (`q13_answer`), its question (`q13`),
    either after the set (`ex01.q13`, `ex01_classification.q13_answer`)."""

    student: str
    question: str
    points: float
    comment: str = ""
    where: str = ""  # where the mark came from, for messages ("marks.csv line 3")


@dataclass(frozen=True)
class Recorded:
    """A mark as recorded: the submission and grade id it went to, and its maximum."""

    student: str
    exercise_set: str
    grade_id: str
    points: float
    max_points: float


def read_marks_csv(path: Path | str) -> list[Mark]:
    """The marks in a CSV file (student, question, points[, comment]); every problem at once."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CrmkitError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise CrmkitError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    if missing:
        raise CrmkitError(f"{path}: missing column(s) {', '.join(missing)}; the header must be "
                          f"{','.join(CSV_COLUMNS)}")  # fmt: skip
    marks, problems = [], []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        where = f"{path.name} line {line}"
        if not any(row.values()):
            continue
        try:
            points = float(row["points"])
        except ValueError:
            problems.append(f"{where}: points {row['points']!r} is not a number")
            continue
        marks.append(Mark(row["student"], row["question"], points, row.get("comment", ""), where))
    if problems:
        raise CrmkitError("no marks were recorded:\n" + "\n".join(problems))
    if not marks:
        raise CrmkitError(f"{path}: no marks in it")
    return marks


def record_marks(database: Path | str, marks: list[Mark]) -> list[Recorded]:
    """Check every mark against the gradebook, then record them all, or none."""
    if not marks:
        raise CrmkitError("no marks to record")
    with transaction(database, must_exist=True) as con:
        grades = con.execute(
            "SELECT student, exercise_set, grade_id, max_points, kind FROM grades"
        ).fetchall()
        students = sorted({s for (s,) in con.execute("SELECT student FROM submissions")})
        problems, done, seen = [], [], set()
        for mark in marks:
            prefix = f"{mark.where}: " if mark.where else ""
            try:
                name, gid, most = _question(mark, grades, students)
            except CrmkitError as err:
                problems.append(f"{prefix}{err}")
                continue
            if not math.isfinite(mark.points) or not 0 <= mark.points <= most:
                problems.append(
                    f"{prefix}{mark.points:g} points for {name}.{gid} of {mark.student}: "
                    f"give 0 to {most:g}"
                )
            elif (mark.student, name, gid) in seen:
                problems.append(f"{prefix}{name}.{gid} of {mark.student} is marked twice")
            else:
                seen.add((mark.student, name, gid))
                done.append((mark, Recorded(mark.student, name, gid, mark.points, most)))
        if problems:
            raise CrmkitError("no marks were recorded:\n" + "\n".join(problems))
        for mark, rec in done:
            con.execute(
                "UPDATE grades SET points = ?, status = 'graded', comment = ? WHERE student = ?"
                " AND exercise_set = ? AND grade_id = ?",
                (rec.points, mark.comment, rec.student, rec.exercise_set, rec.grade_id),
            )
        for student, name in sorted({(r.student, r.exercise_set) for _, r in done}):
            con.execute(
                "UPDATE submissions SET"
                " total = (SELECT COALESCE(SUM(points), 0) FROM grades g WHERE g.student ="
                " submissions.student AND g.exercise_set = submissions.exercise_set),"
                " pending = (SELECT COALESCE(SUM(max_points), 0) FROM grades g WHERE g.student ="
                " submissions.student AND g.exercise_set = submissions.exercise_set"
                " AND g.status = 'pending') WHERE student = ? AND exercise_set = ?",
                (student, name),
            )
    return [rec for _, rec in done]


def _question(mark: Mark, grades: list[tuple], students: list[str]) -> tuple[str, str, float]:
    """The (exercise set, grade id, maximum) a mark names, or a CrmkitError saying why not."""
    if mark.student not in students:
        known = ", ".join(students[:10]) + (", ..." if len(students) > 10 else "")
        raise CrmkitError(f"unknown student {mark.student!r} (the gradebook has: {known or '-'})")
    prefix, _, wanted = mark.question.strip().rpartition(".")
    theirs = [(name, gid, most, kind) for s, name, gid, most, kind in grades if s == mark.student]
    hits = [
        row
        for row in theirs
        if (not prefix or row[0] == prefix or row[0].startswith(prefix + "_"))
        and (row[1] == wanted or row[1].startswith(wanted + "_"))
    ]
    manual = [row for row in hits if row[3] == "manual"]
    if len(manual) == 1:
        return manual[0][0], manual[0][1], float(manual[0][2])
    if len(manual) > 1:
        names = ", ".join(f"{n}.{g}" for n, g, _, _ in manual)
        raise CrmkitError(f"{mark.question!r} of {mark.student} could be any of {names}")
    if hits:
        raise CrmkitError(
            f"{mark.question!r} of {mark.student} is graded by its check, not by hand"
        )
    choices = ", ".join(f"{n}.{g}" for n, g, _, kind in theirs if kind == "manual")
    raise CrmkitError(
        f"{mark.student} has no manually graded question {mark.question!r}"
        + (f" (theirs: {choices})" if choices else " (none in their submissions)")
    )
