"""Readable tables: one helper on pandas' Styler for every explorer, card and static fallback.

DESIGN's readable tables: friendly headers (snake_case becomes words, or a
given mapping), plain-word categories, percentages as %, money in yuan with
thousands separators, other numbers with separators and never in scientific
notation, text never cut short. The look comes from the workbook palette, scoped to each table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from html import escape

import pandas as pd
from pandas.io.formats.style import Styler

from crmkit.customer_base import money as yuan
from crmkit.plots.style import PALETTE

#: Shown for a missing value.
MISSING = "—"


def friendly(name: object) -> str:
    """A column name as words: 'profit_per_customer' -> 'Profit per customer'."""
    text = " ".join(str(name).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _formatter(column: pd.Series, kind: str, decimals: int | None) -> Callable[[object], str]:
    if kind == "money":
        return yuan
    if kind == "percent":
        return f"{{:.{0 if decimals is None else decimals}%}}".format
    if pd.api.types.is_datetime64_any_dtype(column):
        dates = column.dropna()
        whole_days = bool((dates == dates.dt.normalize()).all())
        return lambda v: v.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M")
    if pd.api.types.is_bool_dtype(column):
        return lambda v: "yes" if v else "no"
    if pd.api.types.is_integer_dtype(column):
        return "{:,}".format
    if pd.api.types.is_float_dtype(column):
        return f"{{:,.{2 if decimals is None else decimals}f}}".format
    if isinstance(column.dtype, pd.CategoricalDtype):
        return lambda v: str(v).replace("_", " ")  # plain words: 'convenience store'
    return str


def _styles(numbers: list[int]) -> list[dict]:
    """The table's look: palette colours, numbers right-aligned, text allowed to wrap."""
    grey, blue = PALETTE["grey"], PALETTE["blue"]
    styles = [
        {
            "selector": "",
            "props": "border-collapse: collapse; font-size: 12px; line-height: 1.4; margin: 4px 0;",
        },
        {
            "selector": "caption",
            "props": f"caption-side: top; text-align: left; color: {grey}; padding: 2px 0;",
        },
        {
            "selector": "th",
            "props": f"text-align: left; border-bottom: 1px solid {blue}; padding: 2px 8px;",
        },
        # pre-line: a line break inside a text value starts a new line (one reason per line)
        {"selector": "td", "props": "padding: 2px 8px; white-space: pre-line; text-align: left;"},
        {"selector": "tbody tr:nth-child(even)", "props": "background: rgba(0, 0, 0, 0.03);"},
    ]
    # One rule per number column: its header and cells (both carry the class col<i>).
    styles += [
        {"selector": f".col{i}", "props": "text-align: right; white-space: nowrap;"}
        for i in numbers
    ]
    return styles


class ReadableTable(Styler):
    """A Styler whose plain-text form is the table as shown: the same headers and formatted
    values (no scientific notation), and no memory address in a saved notebook."""

    text_formats: dict[str, Callable[[object], str]] = {}
    text_labels: list[str] = []

    def __repr__(self) -> str:
        shown = {
            label: [MISSING if pd.isna(v) else self.text_formats[c](v) for v in self.data[c]]
            for c, label in zip(self.data.columns, self.text_labels, strict=True)
        }
        return pd.DataFrame(shown).to_string(index=False)


def readable_table(
    frame: pd.DataFrame,
    *,
    headers: Mapping[str, str] | None = None,
    money: Collection[str] = (),
    percent: Collection[str] = (),
    decimals: Mapping[str, int] | None = None,
    caption: str | None = None,
    show_headers: bool = True,
) -> Styler:
    """`frame` styled to read well: the index (when it has a name) becomes the first column.

    `headers` renames columns (others become words); `money` columns show as
    yuan (-¥1,234), `percent` columns as whole percentages; `decimals` sets the
    decimals of a float or percent column (2 and 0 by default).
    """
    headers, decimals = dict(headers or {}), dict(decimals or {})
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index() if named else frame
    kinds = {c: "money" if c in money else "percent" if c in percent else "" for c in shown}
    formats = {c: _formatter(shown[c], kinds[c], decimals.get(c)) for c in shown.columns}
    numbers = [
        i
        for i, c in enumerate(shown.columns)
        if kinds[c]
        or (pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c]))
    ]
    labels = [headers.get(c, friendly(c)) for c in shown.columns]
    # An id from what the table shows: the same run after run (notebook outputs are compared)
    # and different for two tables on one page.
    content = pd.util.hash_pandas_object(shown, index=False).to_numpy().tobytes()
    key = hashlib.sha1("|".join([caption or "", *labels]).encode() + content)
    styler = ReadableTable(
        shown,
        uuid=key.hexdigest()[:8],
        cell_ids=False,
        caption=escape(caption) if caption else None,
    )
    styler.format(formats, na_rep=MISSING, escape="html")
    styler.text_formats, styler.text_labels = formats, labels
    styler.relabel_index([escape(label) for label in labels], axis="columns")
    styler.hide(axis="index")
    if not show_headers:
        styler.hide(axis="columns")
    styler.set_table_styles(_styles(numbers))
    styler.set_table_attributes('class="crmkit-table-html"')
    return styler


def table_html(frame: pd.DataFrame, **options) -> str:
    """`readable_table(frame, **options)` as HTML (a scoped <style> and the table)."""
    return readable_table(frame, **options).to_html()


def headed(headline: str, table: str) -> str:
    """A bold one-line headline above a table, as the explorers show them."""
    return f"<p><b>{escape(headline)}</b></p>{table}"
