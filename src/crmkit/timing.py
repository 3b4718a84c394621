"""How long a lesson or an exercise set takes, counted from the notebook itself.

DESIGN asks for realistic minutes: reading, running and discussion counted, not
guessed. The estimate below counts what a learner who does not code meets in the
notebook, so a stated time that drifts from the content as a lesson grows is caught
by a test (tests/notebooks/test_timing.py) instead of by a trainer running late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Careful reading of a text in a second language, full of numbers: words a minute.
WORDS_PER_MINUTE = 100
#: Running a cell and reading the chart or table it shows.
MINUTES_PER_OUTPUT = 1.5
#: The discussion a numbered section's questions and trainer notes ask for.
MINUTES_PER_SECTION = 5
#: Trying a live explorer's controls.
MINUTES_PER_EXPLORER = 5
#: Answering one checked question of an exercise set: find the row, type, run the check.
MINUTES_PER_QUESTION = 3
#: Writing one answer that a trainer marks by hand, or filling in a long template.
MINUTES_PER_WRITTEN_ANSWER = 10
#: An answer cell of more lines than this, in the learner's copy, is a template to fill in.
TEMPLATE_LINES = 10

_SECTION = re.compile(r"(?m)^##\s+\d+\.")
_STATED = re.compile(r"Time needed:?\**:?\s*about (\d+)(?: to (\d+))? minutes")
_SHOWN = ("image/png", "text/html")
_WIDGET = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Estimate:
    """The minutes a notebook takes, and what they are made of."""

    minutes: float
    parts: dict[str, float]

    def __str__(self) -> str:
        made_of = ", ".join(f"{name} {value:.0f}" for name, value in self.parts.items())
        return f"about {self.minutes:.0f} minutes ({made_of})"


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def estimate(notebook: nbformat.NotebookNode) -> Estimate:
    """Estimated minutes of a lesson (with its outputs) or an exercise set (learner's copy)."""
    words = sum(len(c.source.split()) for c in notebook.cells if c.cell_type == "markdown")
    parts = {"reading": words / WORDS_PER_MINUTE}
    if any(_nbgrader(c) for c in notebook.cells):
        checks = [c for c in notebook.cells if _nbgrader(c).get("grade") and c.cell_type == "code"]
        checks = [c for c in checks if not _nbgrader(c).get("solution")]
        answers = [c for c in notebook.cells if _nbgrader(c).get("solution")]
        written = [
            c
            for c in answers
            if c.cell_type == "markdown" or len(c.source.splitlines()) > TEMPLATE_LINES
        ]
        parts["questions"] = len(checks) * MINUTES_PER_QUESTION
        parts["written answers"] = len(written) * MINUTES_PER_WRITTEN_ANSWER
    else:
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        data = [o.get("data", {}) for o in outputs]
        shown = sum(1 for d in data if any(kind in d for kind in _SHOWN) and _WIDGET not in d)
        explorers = sum(1 for d in data if _WIDGET in d)
        sections = sum(len(_SECTION.findall(c.source)) for c in notebook.cells)
        parts["outputs"] = shown * MINUTES_PER_OUTPUT
        parts["discussion"] = sections * MINUTES_PER_SECTION
        parts["explorers"] = explorers * MINUTES_PER_EXPLORER
    return Estimate(sum(parts.values()), parts)


def stated_minutes(notebook: nbformat.NotebookNode) -> tuple[int, int] | None:
    """The time the notebook's first cell states ("about 60 minutes", "about 60 to 75
    minutes") as (low, high), or None where it states none."""
    if not notebook.cells:
        return None
    found = _STATED.search(" ".join(notebook.cells[0].source.split()))
    if found is None:
        return None
    low = int(found.group(1))
    return low, int(found.group(2) or low)


def read(path: str | Path) -> nbformat.NotebookNode:
    """A notebook from disk, for `estimate` and `stated_minutes`."""
    return nbformat.read(Path(path), as_version=4)
