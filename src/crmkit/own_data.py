"""A trainer's own data folder: choose it for the lessons, and see what each lesson shows.

`use_folder` checks a folder with the loader and, if it loads, makes it the lessons'
data (`crmkit data use`); `lesson_report` runs every lesson on it and says, per lesson,
which parts the data cannot support and why (`crmkit data check --lessons`). Nothing
here writes into the trainer's folder.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class LessonReport:
    """One lesson run on a folder: the parts skipped (reason -> cells) and any errors."""

    notebook: str
    skipped: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


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
    prefix = skip_sentence("")
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
        report = LessonReport(path.name)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    report.errors.append(f"{out.ename}: {out.evalue}")
                elif out.output_type == "stream":
                    for line in out.text.splitlines():
                        if line.startswith(prefix):
                            report.skipped[line[len(prefix) :]] += 1
        reports.append(report)
    return reports


def format_lesson_report(reports: list[LessonReport]) -> str:
    """The reports as the command prints them: one block per lesson."""
    lines = []
    for r in reports:
        if not r.skipped and not r.errors:
            lines.append(f"{r.notebook}: runs in full")
            continue
        cells = sum(r.skipped.values())
        lines.append(f"{r.notebook}: {cells} cell{'s' if cells != 1 else ''} skipped")
        lines += [
            f"  - {reason} ({n} cell{'s' if n != 1 else ''})" for reason, n in r.skipped.items()
        ]
        lines += [f"  ! error: {e}" for e in r.errors]
    return "\n".join(lines)
