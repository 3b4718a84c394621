"""`crmkit data check --lessons` reads each executed lesson: the cells it skipped, under the
`## ` section they sit in, and its errors; tested on a small notebook, without a kernel."""

from __future__ import annotations

from collections import Counter

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from crmkit.notebook import skip_sentence
from crmkit.own_data import LessonReport, format_lesson_report, report_from_notebook


def _skipped(reason: str) -> nbformat.NotebookNode:
    return new_output("stream", name="stdout", text=skip_sentence(reason) + "\n")


def _executed_notebook() -> nbformat.NotebookNode:
    """A set-up cell skipped before any heading; two sections with skipped cells, one
    heading inside a fenced code block (not a section), and an error."""
    return new_notebook(
        cells=[
            new_markdown_cell("# Lesson 9 · A test\n\nIntro."),
            new_code_cell("load()", outputs=[_skipped("no orders")]),
            new_markdown_cell("Some text\n\n## 1. Profit (PY1)\n\nMore text."),
            new_code_cell("profit()", outputs=[_skipped("no margin")]),
            new_code_cell(
                "both()",
                outputs=[
                    new_output("stream", name="stdout", text="a line\n"),
                    _skipped("no margin"),
                ],
            ),
            new_markdown_cell("### A sub-heading stays in section 1"),
            new_code_cell("cost()", outputs=[_skipped("no contacts")]),
            new_markdown_cell("## 2. Tiers (PY2)\n\n```\n## not a heading\n```"),
            new_code_cell("tiers()", outputs=[_skipped("no margin")]),
            new_code_cell(
                "boom()",
                outputs=[new_output("error", ename="ValueError", evalue="bad", traceback=[])],
            ),
            new_markdown_cell("## 3. Runs fine"),
            new_code_cell("fine()", outputs=[new_output("stream", name="stdout", text="ok\n")]),
        ]
    )


def test_each_skipped_cell_is_counted_under_its_section():
    report = report_from_notebook(_executed_notebook(), "09_test.ipynb")
    assert report.notebook == "09_test.ipynb"
    assert list(report.sections) == ["set-up", "1. Profit (PY1)", "2. Tiers (PY2)"]
    assert report.sections == {
        "set-up": Counter({"no orders": 1}),
        "1. Profit (PY1)": Counter({"no margin": 2, "no contacts": 1}),
        "2. Tiers (PY2)": Counter({"no margin": 1}),
    }
    assert report.skipped == Counter({"no margin": 3, "no orders": 1, "no contacts": 1})
    assert report.errors == ["ValueError: bad"]


def test_the_report_lists_each_lesson_by_section_with_reasons_and_errors():
    reports = [
        report_from_notebook(_executed_notebook(), "09_test.ipynb"),
        LessonReport("10_whole.ipynb"),
    ]
    assert format_lesson_report(reports) == "\n".join(
        [
            "09_test.ipynb: 5 cells skipped",
            "  § set-up",
            "    - no orders (1 cell)",
            "  § 1. Profit (PY1)",
            "    - no margin (2 cells)",
            "    - no contacts (1 cell)",
            "  § 2. Tiers (PY2)",
            "    - no margin (1 cell)",
            "  ! error: ValueError: bad",
            "10_whole.ipynb: runs in full",
        ]
    )
