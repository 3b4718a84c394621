"""A workshop day for trainers: which lessons and exercise sets, at what time.

Which lessons a one-day or a two-day workshop holds is a teaching choice, kept in a
content file a trainer edits (`content/workshop_days.csv`). How long each part takes is
not retyped: it is the time each notebook states ("Time needed: about N minutes"), which
tests/notebooks/test_timing.py holds to the notebook's own content. `agenda` lays the
parts out on the clock from 09:00 with a morning break, lunch and an afternoon break,
never in the middle of a lesson.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crmkit import content, lessons, timing
from crmkit.errors import CrmkitError

#: The workshop formats of workshop_days.csv.
FORMATS = ("one day", "two days")
#: The breaks of a day: (name, minutes, its time). A break comes before the first part
#: that would start at or after its time, or end more than BREAK_SLACK minutes after it.
BREAKS = (("coffee break", 15, "10:30"), ("lunch", 60, "12:00"), ("coffee break", 15, "15:00"))
#: A part that would end more than this many minutes after a break's time comes after it.
BREAK_SLACK = 45
#: When the day starts, and the latest it may end.
DAY_START, DAY_END = "09:00", "17:30"
#: Where the notebooks live, for the stated minutes.
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Part:
    """One part of a workshop day: a lesson or an exercise set, its notebook and minutes."""

    what: str
    notebook: str
    minutes: int


def _minutes(notebook: str, root: Path) -> int:
    """The minutes a notebook states; the upper end where it states a range."""
    path = root / notebook
    stated = timing.stated_minutes(timing.read(path))
    if stated is None:
        raise CrmkitError(f"{notebook} states no 'Time needed: about N minutes'")
    return stated[1]


def parts(workshop: str, root: Path | None = None) -> dict[int, list[Part]]:
    """The parts of each day of `workshop` ("one day" or "two days"), in order: a lesson,
    then its exercise set where the file says "in class"."""
    if workshop not in FORMATS:
        raise CrmkitError(f"a workshop is one of {FORMATS}; got {workshop!r}")
    root = root or ROOT
    plan = content.table("workshop_days")
    plan = plan[plan["format"].eq(workshop)]
    days: dict[int, list[Part]] = {}
    for _, row in plan.iterrows():
        lesson = lessons.lesson(str(row["lesson"]))
        day = days.setdefault(int(row["day"]), [])
        day.append(Part(lesson.title, lesson.notebook, _minutes(lesson.notebook, root)))
        if row["exercise"] == "in class":
            if not lesson.exercise_set:
                raise CrmkitError(f"workshop_days.csv: lesson {lesson.id} has no exercise set")
            notebook = f"exercises/{lesson.exercise_set}/{lesson.exercise_set}.ipynb"
            title = f"Exercise set {lesson.id.lstrip('0')} ({lesson.exercise_set})"
            day.append(Part(title, notebook, _minutes(notebook, root)))
    return dict(sorted(days.items()))


def homework(workshop: str) -> list[str]:
    """The exercise sets the workshop gives as homework."""
    plan = content.table("workshop_days")
    plan = plan[plan["format"].eq(workshop) & plan["exercise"].eq("homework")]
    return [str(lessons.lesson(str(i)).exercise_set) for i in plan["lesson"]]


def _clock(text: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(text))


def _late(text: str) -> dt.datetime:
    """A break is due at its time; a part that would run this far past it waits for it."""
    return _clock(text) + dt.timedelta(minutes=BREAK_SLACK)


def agenda(workshop: str, root: Path | None = None) -> pd.DataFrame:
    """The workshop's timetable: day, start, end, what, minutes, kind (lesson, exercises
    or break) and notebook for every part and break, from DAY_START. Raises a CrmkitError
    when a day runs past DAY_END, naming the day and by how much."""
    rows = []
    for day, day_parts in parts(workshop, root).items():
        now = _clock(DAY_START)
        pending = list(BREAKS)
        for part in day_parts:
            end = now + dt.timedelta(minutes=part.minutes)
            while pending and (now >= _clock(pending[0][2]) or end > _late(pending[0][2])):
                name, minutes, _ = pending.pop(0)
                rows.append(
                    (day, now, now + dt.timedelta(minutes=minutes), name, minutes, "break", "")
                )
                now += dt.timedelta(minutes=minutes)
                end = now + dt.timedelta(minutes=part.minutes)
            kind = "exercises" if part.notebook.startswith("exercises/") else "lesson"
            rows.append((day, now, end, part.what, part.minutes, kind, part.notebook))
            now = end
        if now > _clock(DAY_END):
            late = int((now - _clock(DAY_END)).total_seconds() // 60)
            raise CrmkitError(
                f"{workshop}, day {day} ends {late} minutes after {DAY_END}: move a part to "
                "homework or to another day in workshop_days.csv"
            )
    columns = ["day", "start", "end", "what", "minutes", "kind", "notebook"]
    table = pd.DataFrame(rows, columns=columns)
    table["start"] = table["start"].dt.strftime("%H:%M")
    table["end"] = table["end"].dt.strftime("%H:%M")
    return table


#: The guide's template: hand-written text with an {{agendas}} marker.
TEMPLATE = ROOT / "docs" / "trainer_guide_template.md"


def agenda_markdown(workshop: str, root: Path | None = None) -> str:
    """One workshop's agenda as Markdown: a table per day, then the homework."""
    table = agenda(workshop, root)
    lines = []
    for day, rows in table.groupby("day"):
        title = (
            f"### {workshop.capitalize()}" if workshop == "one day" else f"### Two days: day {day}"
        )
        lines += [title, "", "| time | what | minutes |", "|---|---|---|"]
        for _, r in rows.iterrows():
            what = f"*{r['what']}*" if r["kind"] == "break" else f"[{r['what']}]({r['notebook']})"
            lines.append(f"| {r['start']}–{r['end']} | {what} | {r['minutes']} |")
        lines.append("")
    sets = homework(workshop)
    if sets:
        lines += ["Homework: " + ", ".join(f"`{s}`" for s in sets) + ".", ""]
    return "\n".join(lines)


_NOTE = re.compile(r"^> \*\*Trainer note\.\*\*\s*")


def trainer_notes(notebook: str, root: Path | None = None) -> list[str]:
    """The trainer notes of a lesson, in order, each as one paragraph: the blockquotes
    that open with "**Trainer note.**", the lesson's own discussion questions."""
    nb = timing.read((root or ROOT) / notebook)
    notes: list[str] = []
    current: list[str] | None = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in [*cell.source.splitlines(), ""]:
            if _NOTE.match(line):
                current = [_NOTE.sub("", line)]
            elif current is not None and line.startswith(">"):
                current.append(line.lstrip("> ").strip())
            elif current is not None:
                notes.append(" ".join(w for w in current if w))
                current = None
    return notes


def _comments(fn) -> list[str]:
    """The comments in a function's source: what each plausible wrong answer is."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.strip() + "\n").readline):
            if token.type == tokenize.COMMENT:
                found.append(token.string.lstrip("#").strip())
    except (tokenize.TokenError, SyntaxError):
        return []
    return found


def mistakes(answer_keys: str) -> pd.DataFrame:
    """Per checked answer of an exercise set: the question, the plausible wrong answers
    its check is tested against (from the answer keys' own notes) and what the check
    then tells the learner."""
    module = importlib.import_module(answer_keys)
    rows = []
    for key in module.KEYS.values():
        if key.kind == "function":
            continue
        caught = _comments(key.wrong)
        if not caught and key.kind == "choice":
            caught = ["any other letter"]
        rows.append(
            {
                "question": key.label,
                "mistakes the check catches": "; ".join(caught) or "—",
                "what the check tells them": key.hint,
            }
        )
    return pd.DataFrame(rows)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def lessons_markdown(root: Path | None = None) -> str:
    """Lesson by lesson: minutes, the explorers to show live, the discussion questions
    (trainer notes) and, for the exercise set, the mistakes its checks catch."""
    root = root or ROOT
    out = []
    for lesson in lessons.lessons():
        minutes = _minutes(lesson.notebook, root)
        out += [f"### [{lesson.title}]({lesson.notebook})", "", f"About {minutes} minutes."]
        if lesson.explorers:
            shown = ", ".join(f"`{e.widget}` (move `{e.control}`)" for e in lesson.explorers)
            out.append(f"Show live: {shown}; the static chart below each is the fallback.")
        notes = trainer_notes(lesson.notebook, root)
        out += ["", "Discussion questions (the lesson's trainer notes):", ""]
        out += [f"- {_cell(n)}" for n in notes] or ["- none in this lesson"]
        if lesson.exercise_set and lesson.answer_keys:
            ex = f"exercises/{lesson.exercise_set}/{lesson.exercise_set}.ipynb"
            out += [
                "",
                f"Exercise set [`{lesson.exercise_set}`]({ex}), about {_minutes(ex, root)} "
                "minutes. The mistakes its checks are tested against, and what a learner is "
                "told:",
                "",
                "| question | mistakes the check catches | what the check tells them |",
                "|---|---|---|",
            ]
            for _, row in mistakes(lesson.answer_keys).iterrows():
                out.append("| " + " | ".join(_cell(v) for v in row) + " |")
        out.append("")
    return "\n".join(out).rstrip("\n")


def guide(root: Path | None = None) -> str:
    """The trainer guide: the template with the agendas of every workshop format and the
    lesson-by-lesson notes."""
    text = (root or ROOT).joinpath("docs", "trainer_guide_template.md").read_text(encoding="utf-8")
    agendas = "\n".join(agenda_markdown(w, root) for w in FORMATS).rstrip("\n")
    return text.replace("{{agendas}}", agendas).replace("{{lessons}}", lessons_markdown(root))
