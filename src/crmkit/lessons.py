"""The lesson manifest: every lesson's notebook, concepts, explorers, exercise set, benchmarks.

The manifest is `lessons.toml` beside this module, read with the standard
library; tests, benchmarks, answer keys and navigation take the lessons from
here, so adding a lesson means new files plus one entry in that file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from crmkit.errors import CrmkitError

MANIFEST = "lessons.toml"
_OUTPUTS = {"chart", "table"}


@dataclass(frozen=True)
class Explorer:
    """One explorer of a lesson: its widget class, the control a browser test moves, and
    the outputs that must change when it moves."""

    widget: str
    control: str
    outputs: tuple[str, ...]

    @property
    def control_class(self) -> str:
        """The CSS class of the control in the browser (crmkit-control-<control>)."""
        return f"crmkit-control-{self.control}"

    @property
    def output_classes(self) -> list[str]:
        """The CSS classes of the outputs (crmkit-chart, crmkit-table)."""
        return [f"crmkit-{o}" for o in self.outputs]


@dataclass(frozen=True)
class Lesson:
    """One entry of the manifest."""

    id: str
    notebook: str
    title: str
    concepts: tuple[str, ...]
    exercise_set: str | None = None
    answer_keys: str | None = None
    benchmarks: tuple[str, ...] = ()
    explorers: tuple[Explorer, ...] = ()


_FIELDS = {"id", "notebook", "title", "concepts", "exercise_set", "answer_keys", "benchmarks"}


def _lesson(entry: dict, where: str) -> Lesson:
    unknown = set(entry) - _FIELDS - {"explorers"}
    missing = {"id", "notebook", "title", "concepts"} - set(entry)
    if unknown or missing:
        raise CrmkitError(
            f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}"
        )
    explorers = []
    for k, ex in enumerate(entry.get("explorers", []), start=1):
        if set(ex) != {"widget", "control", "outputs"} or not set(ex["outputs"]) <= _OUTPUTS:
            raise CrmkitError(
                f"{where}, explorer {k}: give widget, control and outputs (chart and/or table)"
            )
        explorers.append(Explorer(ex["widget"], ex["control"], tuple(ex["outputs"])))
    if bool(entry.get("exercise_set")) != bool(entry.get("answer_keys")):
        raise CrmkitError(f"{where}: an exercise set needs its answer_keys module, and back")
    return Lesson(
        id=str(entry["id"]),
        notebook=entry["notebook"],
        title=entry["title"],
        concepts=tuple(entry["concepts"]),
        exercise_set=entry.get("exercise_set"),
        answer_keys=entry.get("answer_keys"),
        benchmarks=tuple(entry.get("benchmarks", [])),
        explorers=tuple(explorers),
    )


def parse(text: str, source: str = MANIFEST) -> tuple[Lesson, ...]:
    """The lessons of a manifest's text, checked: known keys, unique ids and notebooks."""
    try:
        entries = tomllib.loads(text).get("lesson", [])
    except tomllib.TOMLDecodeError as error:
        raise CrmkitError(f"{source}: {error}") from None
    lessons = tuple(_lesson(e, f"{source}, lesson {i}") for i, e in enumerate(entries, start=1))
    for attr in ("id", "notebook"):
        values = [getattr(lesson, attr) for lesson in lessons]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise CrmkitError(f"{source}: the {attr} {repeated} appears more than once")
    return lessons


@cache
def lessons() -> tuple[Lesson, ...]:
    """Every lesson of the workbook, in order."""
    return parse(resources.files("crmkit").joinpath(MANIFEST).read_text(encoding="utf-8"))


def lesson(lesson_id: str) -> Lesson:
    """One lesson by its id ("01"), with a clear error for an unknown id."""
    for found in lessons():
        if found.id == str(lesson_id):
            return found
    raise CrmkitError(f"no lesson '{lesson_id}'; the lessons are {[x.id for x in lessons()]}")
