"""Dates and numbers as real exports write them, read exactly or refused with the reason.

A trainer's export may write 19970101, 01-Jan-1997, 31.01.1997 or 01/31/1997 for a
date, and 1.286,01, (12.50), US$ 12 or 12元 for an amount. Forms that say which part
is the year, month and day are read as they are; a form where day and month could be
swapped (31.01.1997, 01/31/1997) is read only with an explicit order, never guessed,
because a wrong guess silently moves orders between months. A number with a comma
as the decimal mark is read only when told so, for the same reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.errors import CrmkitError

#: The orders a day-month date may be read in: day first or month first.
DATE_ORDERS = ("dmy", "mdy")
#: Decimal marks a number column may use.
DECIMAL_MARKS = (".", ",")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 19970101
_NAMED = re.compile(r"(\d{1,2})[-\s./]?([A-Za-z]{3,9})\.?[-\s./,]*(\d{4})")  # 01-Jan-1997
_NAMED_FIRST = re.compile(r"([A-Za-z]{3,9})\.?[-\s./]*(\d{1,2}),?[-\s./]*(\d{4})")  # Jan 1, 1997
_DAY_MONTH = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")  # 31.01.1997, 01/31/1997
_CURRENCY = re.compile(
    r"^(?:US\$|HK\$|RMB|CNY|USD|EUR|GBP|[€$¥£元])\s*|\s*(?:US\$|RMB|CNY|USD|EUR|GBP|[€$¥£元])$"
)


@dataclass(frozen=True)
class ValueFormats:
    """How a file writes what its form does not say: the order of day and month, the
    decimal mark. The defaults read only forms that cannot be misread."""

    date_order: str | None = None
    decimal: str = "."

    def __post_init__(self) -> None:
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise CrmkitError(
                f"the date order is 'dmy' (day first, 31.01.1997) or 'mdy' (month first, "
                f"01/31/1997); got '{self.date_order}'"
            )
        if self.decimal not in DECIMAL_MARKS:
            raise CrmkitError(f"the decimal mark is '.' or ','; got '{self.decimal}'")


def read_date(text: str, formats: ValueFormats = ValueFormats()) -> tuple[pd.Timestamp | None, str]:
    """(date, '') for a date in one of the forms above, or (None, why it was not read).

    The reason is empty for an empty cell and a short phrase otherwise, e.g. "could be
    day-first or month-first".
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None, ""
    if m := _COMPACT.fullmatch(s):
        return _stamp(int(m[1]), int(m[2]), int(m[3]))
    if m := _NAMED.fullmatch(s):
        return _named(m[2], int(m[1]), int(m[3]))
    if m := _NAMED_FIRST.fullmatch(s):
        return _named(m[1], int(m[2]), int(m[3]))
    if m := _DAY_MONTH.fullmatch(s):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if formats.date_order is None:
            return None, "could be day-first or month-first"
        day, month = (first, second) if formats.date_order == "dmy" else (second, first)
        return _stamp(year, month, day)
    return None, "is not a date in a form the workbook reads"


def _named(month_name: str, day: int, year: int) -> tuple[pd.Timestamp | None, str]:
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None, f"has '{month_name}', which is not the name of a month"
    return _stamp(year, month, day)


def _stamp(year: int, month: int, day: int) -> tuple[pd.Timestamp | None, str]:
    try:
        return pd.Timestamp(year, month, day), ""
    except ValueError:
        return None, f"is not a day of the calendar (year {year}, month {month}, day {day})"


def day_month_column(texts: list[str] | np.ndarray) -> bool:
    """True when a column writes its dates with day and month in numbers only (31.01.1997),
    so that the order must be given; one message for the column, not one per row."""
    clean = (unicodedata.normalize("NFKC", str(t)).strip() for t in texts)
    return any(_DAY_MONTH.fullmatch(t) for t in clean if t)


def read_number(text: str, formats: ValueFormats = ValueFormats()) -> tuple[float, str]:
    """(value, '') for an amount as exports write it, or (nan, why it was not read).

    Currency marks before or after (€, US$, RMB, 元, ¥, ￥, $), thousands separators,
    negatives in brackets (12.50) or with a minus sign; the decimal mark of `formats`.
    """
    s = unicodedata.normalize("NFKC", text).strip()  # ￥ becomes ¥, full-width digits plain
    if not s:
        return np.nan, ""
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s[:1] in "+-":
        negative, s = negative != (s[0] == "-"), s[1:].strip()
    s = _CURRENCY.sub("", s).strip()
    if s[:1] in "+-":  # -¥12 and ¥-12 both mean minus twelve
        negative, s = negative != (s[0] == "-"), s[1:].strip()
    thousands = "," if formats.decimal == "." else "."
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{formats.decimal}\d+)?", s):
        s = s.replace(thousands, "")
    elif formats.decimal == "." and re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2}", s):
        return np.nan, "looks like a number with a comma as the decimal mark"
    s = s.replace(formats.decimal, ".") if formats.decimal == "," else s
    if re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", s):
        value = float(s)
        return (-value if negative else value), ""
    return np.nan, "is not a number"
