"""The data dictionary (datasets/datapackage.json) as small, frozen dataclasses.

Validation and loading read the rules from here, so the JSON file stays the
one place where a column, its type and its constraints are defined.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crmkit.datasets.paths import schema_path
from crmkit.errors import CrmkitError

FIELD_TYPES = ("string", "number", "integer", "boolean", "date", "datetime")


class UnknownTableError(CrmkitError):
    """A table kind that the data dictionary does not define."""


@dataclass(frozen=True)
class Constraints:
    """The rules of one column (Frictionless `constraints`)."""

    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Field:
    """One column: its name, type, meaning and rules."""

    name: str
    type: str
    description: str = ""
    constraints: Constraints = Constraints()
    past_only: bool = False
    unit: str | None = None
    #: What happens when a file leaves the whole column out ("absent" in the dictionary);
    #: None: a file without the column cannot be read.
    absent: str | None = None

    @property
    def required(self) -> bool:
        """Every row needs a value, where the file has the column."""
        return self.constraints.required

    @property
    def essential(self) -> bool:
        """The file cannot be read without this column: required and not allowed absent."""
        return self.required and self.absent is None


@dataclass(frozen=True)
class ForeignKey:
    """Columns of this table that must exist in another table (e.g. customer_id)."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One table (a resource of the package): its file name, columns and keys."""

    name: str
    path: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The column called `name` (KeyError if the table has none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name!r}")


def loose_name(text: object) -> str:
    """A header or value compared loosely: NFKC, lower case, no spaces, '_' or '-'."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def _names(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _field(raw: dict) -> Field:
    c = raw.get("constraints", {})
    if raw["type"] not in FIELD_TYPES:
        raise CrmkitError(f"data dictionary: column {raw['name']!r} has unknown type {raw['type']}")
    constraints = Constraints(
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        enum=tuple(c["enum"]) if "enum" in c else None,
        pattern=c.get("pattern"),
    )
    return Field(
        name=raw["name"],
        type=raw["type"],
        description=raw.get("description", ""),
        constraints=constraints,
        past_only=bool(raw.get("pastOnly", False)),
        unit=raw.get("unit"),
        absent=raw.get("absent"),
    )


def _table(raw: dict) -> Table:
    schema = raw["schema"]
    keys = tuple(
        ForeignKey(
            fields=_names(fk["fields"]),
            resource=fk["reference"]["resource"],
            reference_fields=_names(fk["reference"]["fields"]),
        )
        for fk in schema.get("foreignKeys", [])
    )
    return Table(
        name=raw["name"],
        path=raw.get("path", f"{raw['name']}.csv"),
        title=raw.get("title", raw["name"]),
        fields=tuple(_field(f) for f in schema["fields"]),
        primary_key=_names(schema.get("primaryKey", [])),
        foreign_keys=keys,
    )


@cache
def load_schema(path: Path | None = None) -> dict[str, Table]:
    """Every table of the data dictionary, by name, in file order (read once, then cached)."""
    package = json.loads((path or schema_path()).read_text(encoding="utf-8"))
    return {res["name"]: _table(res) for res in package["resources"]}


def table_kinds() -> list[str]:
    """The table names (the CSV file stems of the sample, e.g. 'orders')."""
    return list(load_schema())


def table(kind: str) -> Table:
    """The table called `kind`; an unknown kind gets the list of valid ones."""
    tables = load_schema()
    if kind in tables:
        return tables[kind]
    close = difflib.get_close_matches(str(kind).lower(), list(tables), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UnknownTableError(f"unknown kind '{kind}': {hint}choose one of: {', '.join(tables)}")
