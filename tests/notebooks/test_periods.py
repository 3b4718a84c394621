"""Periods come from the data: no lesson, exercise or answer key types a year or a date.

A lesson asks `crmkit.customer_base.periods(data)` for its last full year, the
year before and the analysis date, so it runs on a trainer's data from any
years. These tests scan the sources for typed years and dates, and run the
answer keys on the sample data moved 28 years later (same weekdays and leap
days), where every key must give the same answer.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "solutions", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
)
KEY_MODULES = sorted((ROOT / "src" / "crmkit" / "answer_keys").glob("*.py"))

#: An ISO date, or a year of this century (also inside names such as `tiers_2024`).
TYPED = re.compile(r"\b\d{4}-\d\d-\d\d\b|(?<![0-9A-Za-z.])20\d\d(?![0-9A-Za-z]|\.\d)")

#: Years that must stay, each with its reason: (file name, text around the year).
ALLOWED = {
    ("04_customer_value.ipynb", "From August 2002"): (
        "the Starbucks case of seed 002 is dated history, not a period of the data"
    ),
    ("00_start_here.ipynb", "Kunde,Buchungstag,Umsatz"): (
        "the content of a demo export written to a scratch folder, not a period of the data"
    ),
}


def typed_years(text: str) -> list[str]:
    """The years and ISO dates typed in `text`."""
    return TYPED.findall(text)


def _offending_lines(name: str, source: str) -> list[str]:
    lines = []
    for line in source.splitlines():
        if not typed_years(line):
            continue
        if any(file == name and words in line for file, words in ALLOWED):
            continue
        lines.append(line.strip())
    return lines


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("year = pyr.year_profitability(data, 2025)", ["2025"]),
        ('period_end="2025-12-31"', ["2025-12-31"]),
        ("tiers_2024 = pyr.assign_tiers(x)", ["2024"]),
        ("def _left_in_2025() -> int:", ["2025"]),
        ("years=[2024,2025]", ["2024", "2025"]),
        ("customers of 2024 ordered again in 2025.", ["2024", "2025"]),
        ('check_answer("ex03.q1", x)  # C00729', []),
        ("min_monthly_purchase=20000, share 0.2025, ¥20,000", []),
        ('f"{data.analysis_date:%Y-%m-%d}"', []),
    ],
)
def test_the_scan_finds_typed_years_and_dates(text, found):
    assert typed_years(text) == found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_year_or_date_typed_in_a_notebook(path):
    """Code and prose alike: code asks `cb.periods(data)`, prose says "the last full year"."""
    nb = nbformat.read(path, as_version=4)
    found = {
        f"cell {i} ({cell.cell_type})": lines
        for i, cell in enumerate(nb.cells)
        if (lines := _offending_lines(path.name, cell.source))
    }
    assert not found, f"{path.name} types a year or date; use cb.periods(data): {found}"


@pytest.mark.parametrize("path", KEY_MODULES, ids=lambda p: p.name)
def test_no_year_or_date_typed_in_an_answer_key(path):
    lines = _offending_lines(path.name, path.read_text(encoding="utf-8"))
    assert not lines, f"{path.name} types a year or date; use periods(sample_data()): {lines}"


def test_every_allowed_year_is_still_there():
    """An allow-list entry whose text is gone must be removed, so the list stays short."""
    sources = {p.name: nbformat.read(p, as_version=4) for p in NOTEBOOKS}
    for name, words in ALLOWED:
        text = "\n".join(c.source for c in sources[name].cells)
        assert words in text, f"ALLOWED names '{words}' in {name}, which no longer has it"


# -- the answer keys on the same data, 28 years later --------------------------------------

SHIFT = pd.DateOffset(years=28)  # the calendar repeats every 28 years in 1901-2099


def _later(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column] + SHIFT
        elif column == "month":  # "YYYY-MM" text
            year = out[column].str.slice(0, 4).astype(int) + 28
            out[column] = year.astype(str) + out[column].str.slice(4)
    return out


def _shifted(data):
    tables = {
        f.name: _later(getattr(data, f.name))
        for f in dataclasses.fields(data)
        if isinstance(getattr(data, f.name), pd.DataFrame)
    }
    return dataclasses.replace(data, analysis_date=data.analysis_date + SHIFT, **tables)


def _clear_caches(modules) -> None:
    for module in modules:
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _outcome(compute):
    """The result of `compute()`, or the error it raised, named (so the test says which key)."""
    try:
        return compute()
    except Exception as error:  # noqa: BLE001 - any failure on moved data is the finding
        return f"{type(error).__name__}: {error}"


def _same(a, b) -> bool:
    if isinstance(a, str) != isinstance(b, str):
        return False
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.equals(b)
    if isinstance(a, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return a == b


#: Keys that rightly depend on the calendar, with the reason: they still must compute.
CALENDAR_BOUND = {
    "ex09.q10": "the Spring Festival week: the lunar festival falls on another day each year",
    "ex09.q10_number": "the Spring Festival week: the lunar festival falls on another day each year",
}


def test_answer_keys_give_the_same_answers_on_data_from_other_years(monkeypatch):
    import crmkit.answer_keys as answer_keys
    from crmkit.answer_keys import core
    from crmkit.customer_base import periods

    # every module of the package: a new exercise set's keys are moved to the later data too
    modules = [answer_keys] + [
        importlib.import_module(f"crmkit.answer_keys.{m.name}")
        for m in pkgutil.iter_modules(answer_keys.__path__)
    ]
    keys = {k: key for k, key in answer_keys.KEYS.items() if key.kind != "function"}
    _clear_caches(modules)
    now = {k: key.expected() for k, key in keys.items()}
    data = core.sample_data()
    later_data = _shifted(data)
    try:
        for module in modules:
            if hasattr(module, "sample_data"):
                monkeypatch.setattr(module, "sample_data", lambda: later_data)
        _clear_caches(modules)
        last = periods(data).last_full_year.year
        assert core.sample_periods().last_full_year.year == last + 28  # the keys see it
        later = {k: _outcome(key.expected) for k, key in keys.items()}
    finally:
        monkeypatch.undo()
        _clear_caches(modules)
    different = {
        k: later[k] for k in keys if not _same(now[k], later[k]) and k not in CALENDAR_BOUND
    }
    assert not different, f"these keys depend on the calendar years of the data: {different}"
    failed = {
        k: later[k]
        for k in CALENDAR_BOUND
        if isinstance(later[k], str) and later[k].split(":")[0].endswith(("Error", "MissingData"))
    }
    assert not failed, f"calendar-bound keys must still compute on later data: {failed}"
