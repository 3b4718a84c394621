"""Read back the tables the widgets render: caption, header cells and body rows as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    """One <table>: its caption, header texts and rows of cell texts (unescaped)."""

    caption: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def column(self, header: str) -> list[str]:
        """The cells under one header, top to bottom."""
        i = self.headers.index(header)
        return [row[i] for row in self.rows]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.where: str | None = None  # "caption", "th" or "td" while inside one
        self.text = ""
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table(attrs={k: v or "" for k, v in attrs}))
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.tables[-1].rows.append([])
        elif tag in ("caption", "th", "td"):
            self.where, self.text = tag, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == self.where:
            table, text = self.tables[-1], self.text.strip()
            if tag == "caption":
                table.caption = text
            elif self.in_body:
                table.rows[-1].append(text)
            else:
                table.headers.append(text)
            self.where = None

    def handle_data(self, data: str) -> None:
        if self.where:
            self.text += data


def read_tables(html: str) -> list[Table]:
    """Every table in an HTML text, in order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.tables


def read_table(html: str) -> Table:
    """The one table in an HTML text."""
    (table,) = read_tables(html)
    return table
