"""The workshop agendas: every part takes the minutes its notebook states, breaks fall
between parts, each day ends in time, a day that runs late is refused with its day named,
and TRAINER_GUIDE.md is what `make guide` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit import content, lessons, timing, workshop
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", workshop.FORMATS)
def test_each_part_takes_the_minutes_its_notebook_states(name):
    table = workshop.agenda(name)
    for _, row in table[table["kind"] != "break"].iterrows():
        stated = timing.stated_minutes(timing.read(ROOT / row["notebook"]))
        assert row["minutes"] == stated[1], row["what"]
    for _, day in table.groupby("day"):
        # one part after the other: each starts when the one before it ends
        assert list(day["start"].iloc[1:]) == list(day["end"].iloc[:-1])
        assert day["start"].iloc[0] == workshop.DAY_START
        assert day["end"].iloc[-1] <= workshop.DAY_END
        assert (day["kind"] == "break").sum() == len(workshop.BREAKS)


@pytest.mark.parametrize("name", workshop.FORMATS)
def test_the_agenda_holds_what_the_content_file_names(name):
    plan = content.table("workshop_days")
    plan = plan[plan["format"] == name]
    table = workshop.agenda(name)
    titles = [lessons.lesson(str(i)).title for i in plan["lesson"]]
    assert [t for t in table["what"] if t.startswith(("Lesson", "Start"))] == titles
    in_class = plan[plan["exercise"] == "in class"]
    sets = [lessons.lesson(str(i)).exercise_set for i in in_class["lesson"]]
    assert [w for w in table["what"] if w.startswith("Exercise set")] == [
        f"Exercise set {lessons.lesson(str(i)).id.lstrip('0')} ({s})"
        for i, s in zip(in_class["lesson"], sets, strict=True)
    ]
    for s in workshop.homework(name):
        assert (ROOT / "exercises" / s / f"{s}.ipynb").is_file()


def test_a_break_comes_at_its_time_and_no_part_runs_long_past_it():
    def minutes(clock: str) -> int:
        return int(clock[:2]) * 60 + int(clock[3:])

    for name in workshop.FORMATS:
        table = workshop.agenda(name)
        for _, day in table.groupby("day"):
            breaks = day[day["kind"] == "break"]
            assert list(breaks["what"]) == [b for b, _, _ in workshop.BREAKS]
            for row, (_, _, at) in zip(breaks.index, workshop.BREAKS, strict=True):
                before = day.loc[: row - 1]
                before = before[before["kind"] != "break"]
                latest = minutes(at) + workshop.BREAK_SLACK
                assert (before["end"].map(minutes) <= latest).all(), (name, at)
        lunch = table[table["what"] == "lunch"]
        assert (lunch["start"].map(minutes) >= minutes("12:00")).all()


def test_a_day_that_runs_late_is_refused_with_its_day(monkeypatch):
    monkeypatch.setattr(workshop, "DAY_END", "12:00")
    with pytest.raises(CrmkitError, match=r"two days, day 1 ends \d+ minutes after 12:00"):
        workshop.agenda("two days")
    with pytest.raises(CrmkitError, match="a workshop is one of"):
        workshop.agenda("three days")


def test_the_trainer_guide_is_current():
    written = (ROOT / "TRAINER_GUIDE.md").read_text(encoding="utf-8")
    assert written == workshop.guide(), "TRAINER_GUIDE.md is out of date: run `make guide`"
    for _, row in workshop.agenda("one day").iterrows():
        if row["notebook"]:
            assert f"]({row['notebook']})" in written
            assert (ROOT / row["notebook"]).is_file()


def test_every_lesson_gives_the_guide_discussion_questions():
    for lesson in lessons.lessons():
        notes = workshop.trainer_notes(lesson.notebook)
        assert notes, f"{lesson.notebook} has no trainer note for the guide"
        assert all(n and not n.startswith(">") and "**" not in n for n in notes)
    seven = workshop.trainer_notes("notebooks/07_customer_base_models.ipynb")
    assert len(seven) == 2 and "value at risk" in seven[1]


def test_the_mistakes_of_a_set_come_from_its_answer_keys():
    from crmkit.answer_keys import ex09

    table = workshop.mistakes("crmkit.answer_keys.ex09")
    assert len(table) == len(ex09.KEYS)
    q1 = table[table["question"] == ex09.KEYS["ex09.q1"].label].iloc[0]
    assert "expectation minus perception" in q1["mistakes the check catches"]
    assert q1["what the check tells them"] == ex09.KEYS["ex09.q1"].hint
    assert (table["mistakes the check catches"] != "—").all()
