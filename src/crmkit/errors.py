"""Errors crmkit raises for a user's mistake: short, friendly, no stack trace.

IPython calls `_render_traceback_()` when it exists and prints only its lines,
so a learner sees the message and the hint instead of pandas internals.
"""

from __future__ import annotations

from dataclasses import dataclass


class CrmkitError(Exception):
    """Base class of every error crmkit raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located like a spreadsheet cell."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class DataValidationError(CrmkitError):
    """A data file breaks the data dictionary; carries every problem found."""

    MAX_SHOWN = 30

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        super().__init__(self.report())

    def report(self) -> str:
        """The problems, one `file:row: column: what is wrong` line each, capped."""
        lines = [str(p) for p in self.problems[: self.MAX_SHOWN]]
        if self.total > len(lines):
            lines.append(f"... and {self.total - len(lines)} more problems")
        return "\n".join(lines)

    def _render_traceback_(self) -> list[str]:
        return ["The data has problems:", *self.report().splitlines()]


class MissingData(CrmkitError):
    """A part of a lesson needs data that this data set leaves out (a column, a table, a
    year before the last). In a notebook it is shown as one sentence, not as an error, and
    the cells that build on it are skipped with the same sentence (crmkit.notebook)."""
