"""Stated minutes agree with what the notebook holds (crmkit.timing counts it)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from crmkit import timing

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "exercises").glob("*/*.ipynb")  # what a learner works through
)
#: How far a stated time may sit from the estimate: the estimate is a rule of thumb.
TOLERANCE = 0.15


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stated_time_fits_the_content(path):
    nb = timing.read(path)
    stated = timing.stated_minutes(nb)
    assert stated, f"{path.name}: its first cell states no 'Time needed: about N minutes'"
    middle = sum(stated) / 2
    found = timing.estimate(nb)
    assert abs(middle - found.minutes) <= TOLERANCE * found.minutes, (
        f"{path.name} states {stated[0]}"
        + (f" to {stated[1]}" if stated[1] != stated[0] else "")
        + f" minutes; its content takes {found}. Change the stated time, or the content."
    )


def _lesson(words: int, outputs: int, sections: int) -> nbformat.NotebookNode:
    text = nbformat.v4.new_markdown_cell(
        "**Time needed:** about 10 minutes.\n\n"
        + "\n\n".join(f"## {i + 1}. Part" for i in range(sections))
    )
    filler = nbformat.v4.new_markdown_cell(" ".join(["word"] * words))
    shown = nbformat.v4.new_code_cell("table")
    shown.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<table></table>"})
        for _ in range(outputs)
    ]
    return nbformat.v4.new_notebook(cells=[text, filler, shown])


def test_a_lesson_counts_reading_outputs_and_discussion():
    nb = _lesson(words=300, outputs=4, sections=2)
    heading_words = len(nb.cells[0].source.split())
    found = timing.estimate(nb)
    assert found.parts == {
        "reading": (300 + heading_words) / timing.WORDS_PER_MINUTE,
        "outputs": 4 * timing.MINUTES_PER_OUTPUT,
        "discussion": 2 * timing.MINUTES_PER_SECTION,
        "explorers": 0,
    }
    assert found.minutes == pytest.approx(sum(found.parts.values()))


def test_an_exercise_set_counts_questions_and_written_answers():
    def cell(kind, source, **meta):
        made = getattr(nbformat.v4, f"new_{kind}_cell")(source)
        made.metadata["nbgrader"] = meta
        return made

    nb = nbformat.v4.new_notebook(
        cells=[
            cell("markdown", "Time needed: about 20 minutes.", grade=False),
            cell("code", "x = ...", solution=True, grade=False),
            cell("code", "check()", grade=True, solution=False, points=1),
            cell("code", "plan = {\n" + "    'a': 1,\n" * 12 + "}", solution=True, grade=False),
            cell("code", "check()", grade=True, solution=False, points=1),
            cell("markdown", "YOUR ANSWER HERE", solution=True, grade=True, points=4),
        ]
    )
    found = timing.estimate(nb)
    assert found.parts["questions"] == 2 * timing.MINUTES_PER_QUESTION
    # the written answer and the long template are both written work
    assert found.parts["written answers"] == 2 * timing.MINUTES_PER_WRITTEN_ANSWER
    assert timing.stated_minutes(nb) == (20, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Time needed:** about 85 minutes: 35 to read", (85, 85)),
        ("Time needed: about 60 to 75 minutes, the written answer", (60, 75)),
        ("**Time needed:**\nabout 50\nminutes", (50, 50)),
        ("No time given here.", None),
    ],
)
def test_stated_minutes_are_read_from_the_first_cell(text, expected):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    assert timing.stated_minutes(nb) == expected


def test_a_lesson_that_understates_its_time_is_caught():
    nb = _lesson(words=3000, outputs=20, sections=8)  # states 10 minutes
    stated = timing.stated_minutes(nb)
    assert stated == (10, 10)
    assert timing.estimate(nb).minutes > (1 + TOLERANCE) * stated[0]
