"""The explorer base class and the parts every explorer shares (filters, sliders, chart box).

`Explorer` owns what all explorers do alike: building the widget, redrawing
when a control moves, the friendly one-line error (a CrmkitError never shows
a traceback), the static fallback for GitHub and PDF, and IPython display. A
lesson's explorer supplies only `make_controls`, `compute` (settings -> view)
and `render` (view -> chart and/or table), so compute and render are tested
without a browser. The CSS classes `crmkit-explorer`, `crmkit-control-<name>`,
`crmkit-chart` and `crmkit-table` let the browser tests find the parts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import Any, Generic, TypeVar

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, Image, display

from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE

ALL = "All"

S = TypeVar("S")
V = TypeVar("V")


@dataclass(frozen=True)
class Rendered:
    """What an explorer shows for one view: a PNG chart, an HTML table, or both."""

    chart: bytes | None = None
    table: str | None = None


def error_line(err: Exception) -> str:
    """A friendly one-line message in the explorer instead of a traceback."""
    text = " ".join(str(err).split())
    return f"<p class='crmkit-error' style='color:{PALETTE['vermillion']}'>{escape(text)}</p>"


class Explorer(Generic[S, V]):
    """An explorer: controls that set `settings`, a view computed from them, a chart and a table.

    A subclass supplies `make_controls` (name -> widget with a `value`),
    `compute` (settings -> view), `render` (view -> `Rendered`) and, when the
    settings are not a dataclass whose fields the controls name, `read`
    (control values -> settings). `parts` orders the outputs; `panel` lists
    the controls with their headings, `arrange` lays out panel and outputs.
    The base keeps the last good view on screen when the settings give a
    CrmkitError, and shows the message above it.
    """

    #: The outputs in the order shown: "chart", "table", or one of them.
    parts: tuple[str, ...] = ("chart", "table")
    chart_width = "800px"
    label_width = "80px"
    panel_width = "320px"
    #: True: the table spans the full width under the controls and chart (wide tables).
    table_below = False

    def __init__(self, settings: S) -> None:
        self.settings = settings
        self.controls: dict[str, w.Widget] = {}
        self.message: w.HTML | None = None
        self._root: w.Widget | None = None
        self._chart: w.Image | None = None
        self._table: w.HTML | None = None
        self._holding = False

    # -- what a subclass supplies -------------------------------------------------------------
    def make_controls(self) -> dict[str, w.Widget]:
        """The controls, by name; each gets the class `crmkit-control-<name>`."""
        raise NotImplementedError

    def compute(self, settings: S) -> V:
        """The view for one setting (pure: no widgets); raise CrmkitError for a bad setting."""
        raise NotImplementedError

    def render(self, view: V) -> Rendered:
        """The chart and/or table of one view."""
        raise NotImplementedError

    def read(self, values: dict[str, Any]) -> S:
        """Settings from the control values: by default the dataclass fields of the same name."""
        return dataclasses.replace(self.settings, **values)

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        """The column on the left: by default the controls; add headings by overriding."""
        return list(controls.values())

    def arrange(self, controls: Mapping[str, w.Widget], outputs: list[w.Widget]) -> w.Box:
        """The layout: the panel of controls on the left, the outputs on the right.

        With `table_below`, the last output (the table) goes under both, at full width.
        """
        left = w.VBox(self.panel(controls), layout=w.Layout(min_width=self.panel_width))
        if self.table_below and len(outputs) > 1:
            return w.VBox([w.HBox([left, w.VBox(outputs[:-1])]), outputs[-1]])
        return w.HBox([left, w.VBox(outputs)])

    def changed(self, name: str, change: dict) -> None:
        """Called when control `name` changes; redraws (override to adjust other controls first)."""
        self.redraw()

    # -- what the base does -------------------------------------------------------------------
    def view(self) -> V:
        """The view for the current settings."""
        return self.compute(self.settings)

    def static(self, settings: S | None = None) -> None:
        """Show the chart and table without widgets (GitHub, PDF, nbconvert)."""
        shown = self.render(self.compute(self.settings if settings is None else settings))
        for part in self.parts:
            if part == "chart" and shown.chart is not None:
                display(Image(shown.chart))
            elif part == "table" and shown.table is not None:
                display(HTML(shown.table))

    def widget(self) -> w.Widget:
        """The live explorer (built once): controls, a message line, the chart and the table."""
        if self._root is not None:
            return self._root
        self.controls = self.make_controls()
        self.message = w.HTML()
        label_controls(self.controls, self.label_width)
        self._chart, chart_box = chart_area(self.chart_width)
        self._table = table_area()
        areas = {"chart": chart_box, "table": self._table}
        for name, control in self.controls.items():
            control.observe(partial(self.changed, name), names="value")
        root = self.arrange(self.controls, [self.message, *(areas[p] for p in self.parts)])
        root.add_class("crmkit-explorer")
        self._root = root
        self.redraw()
        return root

    def redraw(self, _change: object = None) -> None:
        """Read the controls, compute, render; on a CrmkitError show it, keep the last view."""
        if self._holding or self._root is None:
            return
        try:
            settings = self.read({name: c.value for name, c in self.controls.items()})
            shown = self.render(self.compute(settings))
        except CrmkitError as err:
            self.message.value = error_line(err)
            return
        self.settings = settings
        self.message.value = ""
        if shown.chart is not None:
            self._chart.value = shown.chart
        if shown.table is not None:
            self._table.value = shown.table

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Set several controls without a redraw for each (call `redraw` after)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _ipython_display_(self) -> None:
        display(self.widget())


# -- parts the explorers share ---------------------------------------------------------------


def chart_area(max_width: str = "800px") -> tuple[w.Image, w.Box]:
    """An Image widget for PNG charts, inside a Box with the `crmkit-chart` class."""
    chart = w.Image(format="png", layout=w.Layout(width="100%", max_width=max_width))
    box = w.Box([chart])
    box.add_class("crmkit-chart")
    return chart, box


def table_area() -> w.HTML:
    """An HTML widget for the explorer's table, with the `crmkit-table` class.

    A table wider than the explorer scrolls sideways rather than being cut off.
    """
    table = w.HTML(layout=w.Layout(overflow="auto"))
    table.add_class("crmkit-table")
    return table


#: Settings shared by every cut-off slider: redraw on release, two decimals.
SLIDER = {"continuous_update": False, "readout_format": ".2f", "step": 0.01}


def metric_control(value: str, profit_known: bool = True) -> w.Dropdown:
    """The 'Rank by' drop-down: profit or revenue (revenue only where the data has no margins)."""
    options = ["profit", "revenue"] if profit_known else ["revenue"]
    return w.Dropdown(options=options, value=value, description="Rank by")


def filter_controls(frame: pd.DataFrame, business_format: str, market_type: str) -> dict:
    """The 'Format' and 'Market' drop-downs ('All' first, then the values that occur)."""
    return {
        column: w.Dropdown(options=[ALL, *levels(frame, column)], value=value, description=label)
        for column, value, label in (
            ("business_format", business_format, "Format"),
            ("market_type", market_type, "Market"),
        )
    }


def label_controls(controls: Mapping[str, w.Widget], width: str = "80px") -> None:
    """Give each control its `crmkit-control-<name>` class and a common label width."""
    for name, control in controls.items():
        control.add_class(f"crmkit-control-{name}")
        if hasattr(control, "description"):
            control.style.description_width = width


def levels(frame: pd.DataFrame, column: str) -> list[str]:
    """The values of a column that occur, in category order when it is categorical."""
    col = frame[column]
    values = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col.unique()
    return [str(v) for v in values if (col == v).any()]


def filter_rows(frame: pd.DataFrame, **chosen: str) -> pd.DataFrame:
    """Rows whose columns equal the chosen values; 'All' leaves a column unfiltered."""
    for column, value in chosen.items():
        if value != ALL:
            frame = frame[frame[column] == value]
    return frame


def heading(text: str) -> w.HTML:
    """A bold heading between groups of controls."""
    return w.HTML(f"<b>{escape(text)}</b>")


def fixed_layout(
    fig, left: float = 0.1, right: float = 0.97, top: float = 0.9, bottom: float = 0.13
):
    """Fixed margins instead of constrained layout: about a third of the redraw time saved."""
    fig.set_layout_engine(None)
    fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom)
    return fig


def find(widget: w.Widget, css_class: str) -> w.Widget | None:
    """The first widget in a tree that carries `css_class` (tests and debugging use it)."""
    if css_class in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, css_class)
        if found is not None:
            return found
    return None
