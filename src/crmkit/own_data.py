"""A trainer's own data folder: choose it for the lessons, and see what each lesson shows.

`use_folder` checks a folder with the loader and, if it loads, makes it the lessons'
data (`crmkit data use`); `lesson_report` runs every lesson on it and says, per lesson
and section, which parts the data cannot support and why (`crmkit data check --lessons`).
Nothing here writes into the trainer's folder.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmkit import lessons
from crmkit.datasets import paths
from crmkit.datasets.load import SampleData, load_sample
from crmkit.datasets.values import ValueFormats
from crmkit.notebook import skip_sentence


def use_folder(folder: Path | str, formats: ValueFormats | None = None) -> SampleData:
    """Load `folder` (every problem raised as usual) and make it the lessons' data, read
    with `formats` (the order of day and month, the decimal mark) from now on."""
    folder = Path(folder).resolve()
    formats = formats or ValueFormats()
    data = load_sample(folder, formats=formats)
    lines = [str(folder), f"decimal={formats.decimal}"]
    lines += [f"date_order={formats.date_order}"] if formats.date_order else []
    paths.CHOICE_FILE.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=paths.CHOICE_FILE.parent, prefix=".data-folder.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(temp, paths.CHOICE_FILE)
    return data


def use_sample() -> None:
    """Back to the sample data: forget the chosen folder."""
    paths.CHOICE_FILE.unlink(missing_ok=True)


#: The section of the cells above a notebook's first `## ` heading.
SET_UP = "set-up"


@dataclass
class LessonReport:
    """One lesson run on a folder: the parts skipped, per section (section -> reason ->
    cells, sections in the notebook's order), and any errors."""

    notebook: str
    sections: dict[str, Counter] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> Counter:
        """The cells skipped in the whole lesson, by reason."""
        return sum(self.sections.values(), Counter())


def section_headings(source: str) -> list[str]:
    """The level-2 headings (`## `) of a Markdown cell's text, without the `## `; lines in
    fenced code blocks are code, not headings."""
    found, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            found.append(line[3:].strip())
    return found


def report_from_notebook(nb: Any, name: str) -> LessonReport:
    """Read an executed notebook: each cell that says "Skipped for this data: <reason>",
    counted under the last `## ` heading above it, and each error output."""
    prefix = skip_sentence("")
    report = LessonReport(name)
    section = SET_UP
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            section = (section_headings(cell.source) or [section])[-1]
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                report.errors.append(f"{out.ename}: {out.evalue}")
            elif out.output_type == "stream":
                for line in out.text.splitlines():
                    if line.startswith(prefix):
                        reasons = report.sections.setdefault(section, Counter())
                        reasons[line[len(prefix) :]] += 1
    return report


def lesson_report(
    folder: Path | str, formats: ValueFormats | None = None, timeout: int = 600
) -> list[LessonReport]:
    """Run every lesson of the manifest on `folder`, read with `formats`, each in a fresh
    kernel (nothing is saved)."""
    import nbformat
    from nbclient import NotebookClient

    formats = formats or ValueFormats()
    env = {
        **os.environ,
        "CRMKIT_DATA_DIR": str(Path(folder).resolve()),
        "CRMKIT_DATE_ORDER": formats.date_order or "",
        "CRMKIT_DECIMAL": formats.decimal,
    }
    reports = []
    for lesson in lessons.lessons():
        path = paths.REPO_ROOT / lesson.notebook
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=env)
        reports.append(report_from_notebook(nb, path.name))
    return reports


def _cells(n: int) -> str:
    return f"{n} cell{'s' if n != 1 else ''}"


def format_lesson_report(reports: list[LessonReport]) -> str:
    """The reports as the command prints them: one block per lesson, saying which of its
    sections skip cells and why; a lesson that skips nothing "runs in full"."""
    lines = []
    for r in reports:
        if not r.sections and not r.errors:
            lines.append(f"{r.notebook}: runs in full")
            continue
        lines.append(f"{r.notebook}: {_cells(sum(r.skipped.values()))} skipped")
        for section, reasons in r.sections.items():
            lines.append(f"  § {section}")
            lines += [f"    - {reason} ({_cells(n)})" for reason, n in reasons.items()]
        lines += [f"  ! error: {e}" for e in r.errors]
    return "\n".join(lines)
