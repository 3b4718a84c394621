"""Teaching content kept as data: the glossary and the lessons' reference tables.

Each table is a CSV file in this folder (comma, UTF-8, header row, "\\n" line
ends), described by one `TableSpec` in `TABLES`: its columns in order, the
columns whose values must be unique together, the column to use as the index,
the whole-number columns and the allowed values of a column. `table(name)`
reads a file, checks it against its spec and returns it as a DataFrame shaped
like the Python literal it replaced, so a topic module writes
`FOLLOW_UP = content.table("lead_follow_up")` and its callers see no change.

A file that breaks its spec raises `DataValidationError` (a CrmkitError) with
one `file:row: column: what is wrong` line per problem; rows are numbered as a
spreadsheet shows them, the header being row 1. Every cell is required.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crmkit.errors import CrmkitError, DataValidationError, Problem

__all__ = ["FOLDER", "TABLES", "TableSpec", "grouped", "table"]

#: Where the content files live: inside the package, so the wheel ships them.
FOLDER = Path(__file__).resolve().parent

_INTEGER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class TableSpec:
    """What one content file must hold: its columns, key, index, number columns, choices."""

    file: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    index: str | None = None
    integers: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


TABLES: dict[str, TableSpec] = {
    "complaint_severity": TableSpec(
        "complaint_severity.csv",
        ("desired_resolution", "severity", "why"),
        key=("desired_resolution",),
        index="desired_resolution",
        choices={"severity": ("high", "medium", "low")},
    ),
    "complaint_priorities": TableSpec(
        "complaint_priorities.csv",
        ("severity", "tier_position", "priority"),
        key=("severity", "tier_position"),
        integers=("tier_position",),
        choices={"severity": ("high", "medium", "low"), "priority": ("P1", "P2", "P3", "P4")},
    ),
    "complaint_targets": TableSpec(
        "complaint_targets.csv",
        ("priority", "respond_within_hours", "resolve_within_hours", "meaning"),
        key=("priority",),
        index="priority",
        integers=("respond_within_hours", "resolve_within_hours"),
    ),
    "complaint_record": TableSpec(
        "complaint_record.csv",
        ("field", "point", "question", "chinese", "seed"),
        key=("field",),
        index="field",
        integers=("point",),
    ),
    "glossary": TableSpec(
        "glossary.csv",
        ("key", "english", "simplified", "traditional", "concepts", "definition"),
        key=("key",),
    ),
    "typologies": TableSpec(
        "typologies.csv", ("typology", "kind", "description"), key=("typology", "kind")
    ),
    "lead_follow_up": TableSpec(
        "lead_follow_up.csv",
        ("lead grade", "criteria met", "follow up within (days)", "action"),
        key=("lead grade",),
        index="lead grade",
        integers=("follow up within (days)",),
    ),
    "tier_responses": TableSpec(
        "tier_responses.csv",
        ("position", "aim", "service", "contact", "resources", "source"),
        key=("position",),
        integers=("position",),
    ),
    "value_components": TableSpec(
        "value_components.csv",
        ("component", "chinese", "value_to", "meaning", "example"),
        key=("component",),
        choices={"value_to": ("customer", "firm")},
    ),
    "value_added_services": TableSpec(
        "value_added_services.csv",
        ("service", "chinese", "what_it_does", "distributor_example"),
        key=("service",),
    ),
    "key_account_criteria": TableSpec(
        "key_account_criteria.csv",
        ("criterion", "english", "chinese", "measure", "unit", "key_account_when", "why"),
        key=("criterion",),
        index="criterion",
    ),
    "relationship_keys": TableSpec(
        "relationship_keys.csv",
        ("key", "chinese", "question", "card_evidence"),
        key=("key",),
        index="key",
    ),
    "lifecycle_playbook": TableSpec(
        "lifecycle_playbook.csv",
        (
            "stage",
            "chinese",
            "strategy",
            "programme",
            "aim",
            "actions",
            "investment_and_return",
            "source",
        ),
        key=("stage",),
        index="stage",
        choices={"stage": ("exploration", "formation", "stability", "decline", "ended")},
    ),
    "loyalty_strategies": TableSpec(
        "loyalty_strategies.csv",
        ("strategy", "chinese", "what_it_means", "source"),
        key=("strategy",),
        index="strategy",
    ),
    "service_actions": TableSpec(
        "service_actions.csv",
        ("dimension", "chinese", "action"),
        key=("dimension",),
        index="dimension",
        choices={
            "dimension": ("reliability", "tangibles", "responsiveness", "empathy", "assurance")
        },
    ),
    "customer_needs": TableSpec(
        "customer_needs.csv",
        ("need", "chinese", "meaning", "dimensions"),
        key=("need",),
        index="need",
        choices={"need": ("information", "environment", "emotional", "convenience")},
    ),
    "service_stages": TableSpec(
        "service_stages.csv",
        ("stage", "chinese", "example", "dimensions"),
        key=("stage",),
        index="stage",
        choices={"stage": ("pre-sale", "in-sale", "after-sale")},
    ),
    "call_reasons": TableSpec(
        "call_reasons.csv",
        ("reason", "chinese", "kind", "effect", "script", "seed"),
        key=("reason",),
        index="reason",
        choices={"kind": ("call", "visit")},
    ),
    "workshop_days": TableSpec(
        "workshop_days.csv",
        ("format", "day", "lesson", "exercise"),
        key=("format", "lesson"),
        integers=("day",),
        choices={
            "format": ("one day", "two days"),
            "exercise": ("in class", "homework", "none"),
        },
    ),
    "holidays": TableSpec(
        "holidays.csv", ("holiday", "chinese", "calendar_name"), key=("holiday",), index="holiday"
    ),
}


def _spec(name: str) -> TableSpec:
    if name in TABLES:
        return TABLES[name]
    close = difflib.get_close_matches(str(name), list(TABLES), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else f" Known tables: {', '.join(TABLES)}."
    raise CrmkitError(f"No content table {name!r}.{hint}")


def _rows(path: Path) -> list[list[str]]:
    """The file's records as lists of text cells (header first), or a CrmkitError."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f, strict=True))
    except FileNotFoundError:
        raise CrmkitError(
            f"{path.name}: the content file is missing (looked in {path.parent})"
        ) from None
    except UnicodeDecodeError as err:
        raise CrmkitError(
            f"{path.name}: is not UTF-8 text ({err.reason}); save it as UTF-8 CSV"
        ) from None
    except csv.Error as err:
        raise CrmkitError(f"{path.name}: is not a readable CSV file ({err})") from None


def _check(name: str, spec: TableSpec, records: list[list[str]]) -> list[Problem]:
    """Every way the records break the spec; rows numbered as a spreadsheet shows them."""
    if not records:
        return [Problem(name, None, None, "is empty; it needs a header row and data rows")]
    header, body = records[0], records[1:]
    problems = []
    if tuple(header) != spec.columns:
        missing = [c for c in spec.columns if c not in header]
        extra = [c for c in header if c not in spec.columns]
        detail = [f"missing {', '.join(missing)}"] if missing else []
        detail += [f"unexpected {', '.join(extra)}"] if extra else []
        detail = detail or ["in the wrong order"]
        expected = ", ".join(spec.columns)
        return [Problem(name, 1, None, f"columns {'; '.join(detail)} (expected: {expected})")]
    if not body:
        problems.append(Problem(name, None, None, "has a header but no data rows"))
    seen: dict[tuple[str, ...], int] = {}
    for row, cells in enumerate(body, start=2):
        if not cells:
            problems.append(Problem(name, row, None, "is an empty row; delete it"))
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(name, row, None, f"has {len(cells)} cells, expected {len(header)}")
            )
            continue
        for column, cell in zip(header, cells, strict=True):
            if not cell.strip():
                problems.append(Problem(name, row, column, "is empty; every cell is required"))
            elif cell != cell.strip():
                problems.append(Problem(name, row, column, "has spaces at the start or end"))
            elif column in spec.integers and not _INTEGER.fullmatch(cell):
                problems.append(Problem(name, row, column, f"{cell!r} is not a whole number"))
            elif column in spec.choices and cell not in spec.choices[column]:
                allowed = ", ".join(spec.choices[column])
                problems.append(Problem(name, row, column, f"{cell!r} is not one of: {allowed}"))
        key = tuple(cells[header.index(c)] for c in spec.key)
        if key in seen:
            problems.append(
                Problem(name, row, ", ".join(spec.key), f"repeats the key of row {seen[key]}")
            )
        else:
            seen[key] = row
    return problems


def table(name: str, *, folder: Path | str | None = None) -> pd.DataFrame:
    """The content table `name`, checked against its spec, as a DataFrame.

    Text columns have pandas' string dtype, the spec's integer columns int64,
    and the index is the spec's index column (else 0, 1, 2, ...). `folder`
    reads the file from elsewhere (a trainer's copy, or a test's).
    """
    spec = _spec(name)
    path = Path(folder) / spec.file if folder is not None else FOLDER / spec.file
    records = _rows(path)
    problems = _check(spec.file, spec, records)
    if problems:
        raise DataValidationError(problems)
    frame = pd.DataFrame(records[1:], columns=list(spec.columns))
    for column in spec.integers:
        frame[column] = frame[column].astype("int64")
    return frame.set_index(spec.index) if spec.index else frame


def grouped(
    name: str, by: str, *, folder: Path | str | None = None
) -> dict[str, list[tuple[str, ...]]]:
    """The table `name` as {value of `by`: [the other cells of each row, as a tuple]}.

    Groups and rows keep the file's order; used for nested teaching lists such
    as the typologies (typology -> [(kind, description), ...]).
    """
    frame = table(name, folder=folder)
    if by not in frame.columns:
        raise CrmkitError(f"{TABLES[name].file} has no column {by!r} to group by")
    rest = [c for c in frame.columns if c != by]
    out: dict[str, list[tuple[str, ...]]] = {}
    for group, *cells in frame[[by, *rest]].itertuples(index=False):
        out.setdefault(group, []).append(tuple(cells))
    return out
