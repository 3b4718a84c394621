"""Which of a trainer's columns is which: pick them from lists, then save columns.csv.

The loader reads usual English and Chinese header names by itself; a header it does not
know (`Kunde`, `Buchungstag`) needs a mapping. This widget shows a file's columns beside
the fields of its table, preselected as the loader would read them, and writes the
folder's columns.csv with `write_column_map` (never over an existing one unless asked).
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from crmkit.datasets.columns import MAP_FILE, match_header, read_column_map, write_column_map
from crmkit.datasets.read import read_table
from crmkit.datasets.schema import table
from crmkit.errors import CrmkitError
from crmkit.widgets.base import error_line
from crmkit.widgets.tables import table_html

#: The dropdown entry for a field the file does not have.
NOT_THERE = "(not in this file)"


class ColumnMapper:
    """One table of a folder: each field of the data dictionary with a list of the file's
    columns to choose from; Save writes the folder's columns.csv."""

    def __init__(self, folder: Path | str, kind: str = "orders") -> None:
        self.folder, self.kind = Path(folder), kind
        self.spec = table(kind)
        raw, _ = read_table(self.folder / self.spec.path)
        self.header = [str(c) for c in raw.columns]
        existing = self.folder / MAP_FILE
        mappings = read_column_map(existing) if existing.is_file() else []
        self.match = match_header(self.header, kind, mappings)
        self.choice = {f.name: self.match.found.get(f.name) for f in self.spec.fields}
        self._root: w.Widget | None = None

    def table(self) -> pd.DataFrame:
        """Each field, the column chosen for it, and how it was found (the static view)."""
        how = {"mapped": "columns.csv", "exact": "same name", "loose": "same name"}
        how |= {"synonym": "a usual name"}
        return pd.DataFrame(
            {
                "field": [f.name for f in self.spec.fields],
                "their column": [self.choice[f.name] or NOT_THERE for f in self.spec.fields],
                "found by": [
                    "you"
                    if self.choice[f.name] != self.match.found.get(f.name)
                    else how.get(self.match.how.get(f.name, ""), "")
                    for f in self.spec.fields
                ],
                "if it is not there": [
                    "the file cannot be read" if f.essential else (f.absent or "read as empty")
                    for f in self.spec.fields
                ],
            }
        )

    def mappings(self) -> dict[str, dict[str, str]]:
        """What columns.csv must say: the choices the loader would not find by itself."""
        needed = {}
        for name, column in self.choice.items():
            found_alone = (
                self.match.found.get(name) == column and self.match.how.get(name) != "mapped"
            )
            if column and not found_alone:
                needed[column] = name
        return {self.kind: needed}

    def save(self, replace: bool = False) -> Path:
        """Write the folder's columns.csv (refused over an existing one unless `replace`)."""
        return write_column_map(self.folder, self.mappings(), replace=replace)

    def static(self) -> None:
        """The choices as a table, for printed copies and GitHub."""
        display(HTML(table_html(self.table(), caption=f"{self.spec.path}: which column is which")))

    def widget(self) -> w.Widget:
        """Dropdowns, one per field, a Save button and a line saying what happened."""
        if self._root is not None:
            return self._root
        options = [NOT_THERE, *self.header]
        drops = {}
        for f in self.spec.fields:
            drop = w.Dropdown(
                options=options,
                value=self.choice[f.name] or NOT_THERE,
                description=f.name,
                style={"description_width": "150px"},
                layout=w.Layout(width="420px"),
            )
            drop.add_class(f"crmkit-control-{f.name}")
            drops[f.name] = drop
        replace = w.Checkbox(
            value=False,
            description="replace an existing columns.csv",
            indent=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )
        button = w.Button(description="Save columns.csv", button_style="primary")
        message = w.HTML()

        def saved(_: object) -> None:
            for name, drop in drops.items():
                self.choice[name] = None if drop.value == NOT_THERE else drop.value
            try:
                path = self.save(replace=replace.value)
            except CrmkitError as err:
                message.value = error_line(err)
                return
            message.value = f"<p>Saved {path}. The loader now reads this file with it.</p>"

        button.on_click(saved)
        self._root = w.VBox([*drops.values(), replace, button, message])
        self._root.add_class("crmkit-explorer")
        return self._root

    def _ipython_display_(self) -> None:
        display(self.widget())
