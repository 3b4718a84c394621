"""The complaint record (CO4) as a validated type, and logging one to the complaint log.

Seed 003 lists eight points to write down for every complaint: what happened, how it
happened, which product and why it disappointed, which staff member served, any other
causes, whether the customer is reasonable, how the customer wants it resolved, and
whether they are a new or a returning customer. A `Complaint` holds those eight points
with the complaint's id, customer, channel, cause (the nine churn causes of CO5) and
times.

A record is checked by the same rules as a complaints file read by the loader (the data
dictionary, `crmkit.datasets.validate`), so a complaint the form accepts is one every
lesson can read back. A refused record raises `ComplaintRefused`, whose `by_field` gives
each field's reason for the form to show beside it. `log_complaint` gives the complaint
the next free id while it holds the log's lock, so two learners logging at once never
get the same id, and appends it atomically (`crmkit.complaint_log`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crmkit import complaint_log, content
from crmkit.datasets.read import read_table
from crmkit.datasets.schema import table
from crmkit.datasets.validate import empty_table, validate_table
from crmkit.errors import DataValidationError, Problem

#: The log's columns, in the order of the data dictionary's complaints table.
COLUMNS: tuple[str, ...] = tuple(table("complaints").field_names)

#: What a complaint logged at receipt holds in its handling columns until it is handled:
#: not answered, not resolved, not reopened, nothing paid, satisfaction not asked.
AT_RECEIPT: Mapping[str, str] = {
    "first_response_at": "",
    "resolved_at": "",
    "reopened": "0",
    "compensation": "0",
    "resolution_satisfied": "",
}

_ID = re.compile(r"^Q(\d+)$")


class ComplaintRefused(DataValidationError):
    """A complaint record that breaks the rules; nothing was written. `by_field` maps each
    field to the reasons it was refused (a field of None: the record as a whole)."""

    @property
    def by_field(self) -> dict[str | None, list[str]]:
        reasons: dict[str | None, list[str]] = {}
        for problem in self.problems:
            reasons.setdefault(problem.column, []).append(problem.message)
        return reasons

    def _render_traceback_(self) -> list[str]:
        return ["The complaint was not logged:", *self.report().splitlines()]


@dataclass(frozen=True)
class Complaint:
    """One complaint: the eight points of CO4 with its id, customer, channel, cause and
    times, typed as the data dictionary says (its fields are the log's columns)."""

    complaint_id: str
    customer_id: str
    opened_at: pd.Timestamp
    channel: str
    cause: str
    what_happened: str
    how_it_happened: str
    product: str
    why_disappointed: str
    staff_member: str
    other_causes: str | None
    customer_reasonable: bool
    desired_resolution: str
    customer_status: str
    first_response_at: pd.Timestamp | None
    resolved_at: pd.Timestamp | None
    reopened: bool
    compensation: float
    resolution_satisfied: bool | None

    def row(self) -> dict[str, str]:
        """The record as the log's text cells (times as YYYY-MM-DD HH:MM, yes/no as 1/0)."""
        return {name: _cell(getattr(self, name)) for name in COLUMNS}


def record_points() -> pd.DataFrame:
    """The eight points of the record (CO4, seed 003): field, point, the question the form
    asks in English and Chinese; indexed by field."""
    return content.table("complaint_record")


def check_complaint(
    values: Mapping[str, object],
    *,
    log_name: str = "complaints.csv",
    row: int | None = None,
    as_of: pd.Timestamp | str | None = None,
    known_customer_ids: Collection[str] | None = None,
) -> Complaint:
    """Check one complaint given as field -> value and return it typed, or raise
    `ComplaintRefused` naming every field that is wrong and why.

    Handling fields left out take their values at receipt (`AT_RECEIPT`); a missing
    complaint_id is checked as if it were given (the log assigns it). Times must not be
    after `as_of` (the data's analysis date); the customer must be one of
    `known_customer_ids` when those are given. `log_name` and `row` say where the record
    would go, for the messages.
    """
    unknown = sorted(str(k) for k in values if k not in COLUMNS)
    if unknown:
        raise ComplaintRefused(
            [
                Problem(log_name, row, name, "is not a field of a complaint record")
                for name in unknown
            ]
        )
    cells = {name: "" for name in COLUMNS} | dict(AT_RECEIPT)
    cells |= {name: _cell(value) for name, value in values.items()}
    placeholder = not cells["complaint_id"]
    if placeholder:
        cells["complaint_id"] = "Q0"
    raw = pd.DataFrame([cells], columns=list(COLUMNS), dtype="str")
    if row is not None:
        raw.index = pd.Index([row], name="row")
    frame, problems = validate_table(
        raw,
        "complaints",
        file_name=log_name,
        as_of=as_of,
        known_customer_ids=known_customer_ids,
    )
    problems += _order_problems(frame, log_name, row)
    if problems:
        raise ComplaintRefused(problems)
    typed = {name: _python(frame[name].iloc[0]) for name in COLUMNS}
    if placeholder:
        typed["complaint_id"] = ""
    return Complaint(**typed)


def log_complaint(
    log: str | os.PathLike,
    values: Mapping[str, object] | Complaint,
    *,
    as_of: pd.Timestamp | str | None = None,
    known_customer_ids: Collection[str] | None = None,
    timeout: float = complaint_log.LOCK_TIMEOUT,
) -> Complaint:
    """Check a complaint and append it to the CSV log `log`; return it as logged.

    Without a complaint_id it gets the next free one (Q + six digits) while the log is
    locked, so concurrent writers never share an id; a given id must not be in the log yet.
    A refused record (`ComplaintRefused`) or a busy log (`complaint_log.LogBusy`) writes
    nothing.
    """
    path = Path(log)
    given = dataclasses.asdict(values) if isinstance(values, Complaint) else dict(values)
    if isinstance(values, Complaint) and not values.complaint_id:
        given.pop("complaint_id")
    checked = check_complaint(
        given, log_name=path.name, as_of=as_of, known_customer_ids=known_customer_ids
    )
    logged: list[Complaint] = []

    def with_id(existing: list[dict[str, str]]) -> list[dict[str, str]]:
        ids = [r.get("complaint_id", "") for r in existing]
        row = len(existing) + 2
        if checked.complaint_id:
            if checked.complaint_id in ids:
                raise ComplaintRefused(
                    [
                        Problem(
                            path.name,
                            row,
                            "complaint_id",
                            f"{checked.complaint_id!r} is already in the log (row "
                            f"{ids.index(checked.complaint_id) + 2}); leave the id empty "
                            "to get the next free one",
                        )
                    ]
                )
            final = checked
        else:
            final = dataclasses.replace(checked, complaint_id=next_id(ids))
        logged.append(final)
        return [final.row()]

    complaint_log.append_rows(path, with_id, COLUMNS, timeout=timeout)
    return logged[0]


def read_log(log: str | os.PathLike, *, as_of=None, known_customer_ids=None) -> pd.DataFrame:
    """The complaint log read and checked like any complaints file (a DataValidationError
    names every bad cell); an empty, typed table when the log does not exist yet."""
    path = Path(log)
    if not path.exists():
        return empty_table("complaints")
    raw, _ = read_table(path)
    frame, problems = validate_table(
        raw, "complaints", file_name=path.name, as_of=as_of, known_customer_ids=known_customer_ids
    )
    if problems:
        raise DataValidationError(problems)
    return frame


def next_id(ids: Collection[str]) -> str:
    """The id after the highest Q-number among `ids` (Q000001 for none)."""
    numbers = [int(m.group(1)) for i in ids if (m := _ID.match(i))]
    return f"Q{max(numbers, default=0) + 1:06d}"


def _order_problems(frame: pd.DataFrame | None, name: str, row: int | None) -> list[Problem]:
    """Times in the order a complaint lives them: answered and resolved after it opened."""
    if frame is None:
        return []
    opened = frame["opened_at"].iloc[0]
    found = []
    for column, what in (("first_response_at", "answered"), ("resolved_at", "resolved")):
        value = frame[column].iloc[0]
        if pd.notna(value) and value < opened:
            found.append(
                Problem(
                    name,
                    row,
                    column,
                    f"is before opened_at: a complaint cannot be {what} before it is received",
                )
            )
    return found


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):  # the only number of the record is money, in yuan
        return f"{value:.2f}"
    return str(value)


def _python(value: object) -> object:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        return value.item()
    return value
