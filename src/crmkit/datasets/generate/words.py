"""The words the generator puts into names and complaint records, read from `words.csv`.

The lists (shop-name parts, staff, complaint wordings per cause) are content, not code: a
trainer can reword them in a spreadsheet. Row order is kept, because the random draws pick
words by position; changing a list changes the generated sample.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from crmkit.errors import CrmkitError

WORDS_FILE = "words.csv"


@cache
def _rows() -> dict[tuple[str, str], tuple[str, ...]]:
    text = files(__package__).joinpath(WORDS_FILE).read_text(encoding="utf-8")
    lists: dict[tuple[str, str], list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        lists.setdefault((row["list"], row["key"]), []).append(row["text"])
    return {k: tuple(v) for k, v in lists.items()}


def words(name: str) -> tuple[str, ...]:
    """The unkeyed list `name` (e.g. 'surname'), in file order."""
    return keyed(name, ("",))[0]


def keyed(name: str, keys: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """List `name` split by key, one tuple per entry of `keys` (e.g. per complaint cause)."""
    rows = _rows()
    missing = [k for k in keys if (name, k) not in rows]
    if missing:
        where = ", ".join(repr(k) for k in missing)
        raise CrmkitError(f"{WORDS_FILE}: list {name!r} has no words for key {where}")
    return tuple(rows[name, k] for k in keys)
