"""Explorers of lesson 02: the pyramid (cut-offs, names, metric, filters) and tier migration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from html import escape

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, Image, display
from matplotlib.figure import Figure

from crmkit import plots
from crmkit import pyramid as pyr
from crmkit.customer_base import customer_profit
from crmkit.errors import CrmkitError
from crmkit.widgets.base import (
    ALL,
    SLIDER,
    chart_area,
    error_html,
    explorer,
    filter_controls,
    filter_rows,
    fixed_layout,
    label_controls,
    metric_control,
    table_area,
)

SUMMARY_COLUMNS = {
    "customers": ("Customers", "{:,.0f}"),
    "customer_share": ("Share of customers", "{:.0%}"),
    "revenue": ("Revenue (¥)", "{:,.0f}"),
    "cost_to_serve": ("Cost to serve (¥)", "{:,.0f}"),
    "profit": ("Profit (¥)", "{:,.0f}"),
    "profit_share": ("Share of profit", "{:.0%}"),
    "profit_per_customer": ("Profit per customer (¥)", "{:,.0f}"),
}


def _html_table(frame: pd.DataFrame, columns: Mapping[str, tuple[str, str]], caption: str) -> str:
    shown = pd.DataFrame(
        {label: frame[c].map(fmt.format) for c, (label, fmt) in columns.items() if c in frame},
        index=frame.index,
    )
    return shown.to_html(classes="crmkit-table-html", border=0, escape=True).replace(
        "<table", f"<table title='{escape(caption)}'", 1
    )


# -- the pyramid explorer ---------------------------------------------------------------------


@dataclass(frozen=True)
class PyramidSettings:
    """What the pyramid explorer's controls say."""

    method: str = "percentile"
    cutoffs: tuple[float, float, float] = pyr.DEFAULT_CUTOFFS["percentile"]
    scheme: str = "vip"
    metric: str = "profit"
    business_format: str = ALL
    market_type: str = ALL


@dataclass(frozen=True)
class PyramidView:
    """The tiers and their summary for one setting, with a one-line headline."""

    settings: PyramidSettings
    tiers: pd.DataFrame
    summary: pd.DataFrame
    headline: str


def compute_pyramid(table: pd.DataFrame, settings: PyramidSettings) -> PyramidView:
    """Filter the customers, cut them into tiers by the chosen metric, summarise each tier.

    `table` is `customer_base.with_attributes(customer_base.customer_profit(data, year), data)`.
    """
    if settings.metric not in ("profit", "revenue"):
        raise CrmkitError(f"rank by 'profit' or 'revenue', not '{settings.metric}'")
    rows = filter_rows(
        table, business_format=settings.business_format, market_type=settings.market_type
    )
    if rows.empty:
        raise CrmkitError("no customers match these filters; choose 'All' for one of them")
    tiers = pyr.assign_tiers(
        rows[settings.metric],
        method=settings.method,
        cutoffs=settings.cutoffs,
        scheme_name=settings.scheme,
    )
    summary = pyr.tier_summary(rows, tiers)
    top, bottom = summary.iloc[0], summary.iloc[-1]
    headline = (
        f"{len(rows):,} customers. {summary.index[0]}: {int(top['customers']):,} customers "
        f"bring {top['profit_share']:.0%} of profit; {summary.index[-1]}: "
        f"{int(bottom['customers']):,} customers, profit ¥{bottom['profit']:,.0f}."
    )
    return PyramidView(settings, tiers, summary, headline)


def pyramid_png(view: PyramidView) -> bytes:
    """The pyramid chart of one view, as PNG bytes."""
    fig = plots.pyramid_chart(view.summary, metric="profit")
    return plots.to_png(fixed_layout(fig, left=0.02, right=0.98, top=0.9, bottom=0.02))


def pyramid_table_html(view: PyramidView) -> str:
    """The tier summary as an HTML table, under the headline."""
    caption = "Customers, revenue, cost to serve and profit per tier"
    return f"<p><b>{escape(view.headline)}</b></p>" + _html_table(
        view.summary, SUMMARY_COLUMNS, caption
    )


class PyramidExplorer:
    """Cut the customers into a pyramid and watch the tiers change as the rules change.

    `table` is one year's profitability with shop name, format and market
    (`pyramid.with_attributes`).
    """

    def __init__(self, table: pd.DataFrame, settings: PyramidSettings | None = None):
        self.table = table
        self.settings = settings or PyramidSettings()
        self._widget: w.Widget | None = None

    def view(self) -> PyramidView:
        """Compute the view for the current settings."""
        return compute_pyramid(self.table, self.settings)

    def static(self) -> None:
        """Show the pyramid and the tier table without widgets (GitHub, PDF, nbconvert)."""
        view = self.view()
        display(Image(pyramid_png(view)))
        display(HTML(pyramid_table_html(view)))

    def _controls(self) -> dict[str, w.Widget]:
        s = self.settings
        controls: dict[str, w.Widget] = {
            "metric": metric_control(s.metric),
            "method": w.Dropdown(
                options=[("share of customers", "percentile"), ("share of profit", "profit_share")],
                value=s.method,
                description="Cut by",
            ),
            "cut1": w.FloatSlider(
                value=s.cutoffs[0], min=0.01, max=0.97, description="Tier 1", **SLIDER
            ),
            "cut2": w.FloatSlider(
                value=s.cutoffs[1], min=0.02, max=0.98, description="Tier 2", **SLIDER
            ),
            "cut3": w.FloatSlider(
                value=s.cutoffs[2], min=0.03, max=1.0, description="Tier 3", **SLIDER
            ),
            "scheme": w.ToggleButtons(
                options=[("VIP / major / ...", "vip"), ("platinum / gold / ...", "metal")],
                value=s.scheme,
                description="Names",
            ),
            **filter_controls(self.table, s.business_format, s.market_type),
        }
        controls["scheme"].style.button_width = "140px"
        label_controls(controls)
        return controls

    def widget(self) -> w.Widget:
        """The live explorer: controls on the left, pyramid and tier table on the right."""
        if self._widget is not None:
            return self._widget
        controls = self._controls()
        chart, chart_box = chart_area()
        table = table_area()
        message = w.HTML()
        busy = {"resetting": False}

        def redraw(_change: object = None) -> None:
            if busy["resetting"]:
                return
            cuts = (controls["cut1"].value, controls["cut2"].value, controls["cut3"].value)
            try:
                self.settings = replace(
                    self.settings,
                    metric=controls["metric"].value,
                    method=controls["method"].value,
                    cutoffs=cuts,
                    scheme=controls["scheme"].value,
                    business_format=controls["business_format"].value,
                    market_type=controls["market_type"].value,
                )
                view = self.view()
            except CrmkitError as err:
                message.value = error_html(err)
                return
            message.value = ""
            chart.value = pyramid_png(view)
            table.value = pyramid_table_html(view)

        def new_method(change: dict) -> None:
            # Each rule has its own sensible cut-offs; set them, then redraw once.
            busy["resetting"] = True
            for name, value in zip(
                ("cut1", "cut2", "cut3"), pyr.DEFAULT_CUTOFFS[change["new"]], strict=True
            ):
                controls[name].value = value
            busy["resetting"] = False
            redraw()

        for name, control in controls.items():
            control.observe(new_method if name == "method" else redraw, names="value")
        redraw()
        left = w.VBox(
            [
                w.HTML("<b>Tiers</b>"),
                controls["metric"],
                controls["method"],
                w.HTML(
                    "<small>Each cut-off ends a tier (a share of customers or of profit)</small>"
                ),
                controls["cut1"],
                controls["cut2"],
                controls["cut3"],
                controls["scheme"],
                w.HTML("<b>Filters</b>"),
                controls["business_format"],
                controls["market_type"],
            ],
            layout=w.Layout(min_width="330px"),
        )
        self._widget = explorer([left, w.VBox([message, chart_box, table])])
        return self._widget

    def _ipython_display_(self) -> None:
        display(self.widget())


# -- the migration explorer -------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationView:
    """Customers and profit moved between the tiers of two years."""

    year_before: int
    year_after: int
    show: str
    counts: pd.DataFrame
    profit: pd.DataFrame
    moves: pd.DataFrame
    headline: str


class MigrationExplorer:
    """Pick two years and see who moved between tiers (PY6), by count or by profit moved.

    `data` is the sample data; tiers use the percentile rule on profit and the
    chosen naming scheme. Each year's table is computed once and kept.
    """

    def __init__(self, data, years: tuple[int, ...] = (2023, 2024, 2025), scheme: str = "vip"):
        self.data = data
        self.years = tuple(int(y) for y in years)
        self.scheme = scheme
        self._years: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self.settings = {
            "year_before": self.years[-2],
            "year_after": self.years[-1],
            "show": "customers",
        }
        self._widget: w.Widget | None = None

    def _year(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        if year not in self._years:
            table = customer_profit(self.data, year)
            self._years[year] = (table, pyr.assign_tiers(table["profit"], scheme_name=self.scheme))
        return self._years[year]

    def view(
        self, year_before: int | None = None, year_after: int | None = None, show: str | None = None
    ) -> MigrationView:
        """Counts, profit moved and each customer's move between two years."""
        before = int(year_before or self.settings["year_before"])
        after = int(year_after or self.settings["year_after"])
        show = show or self.settings["show"]
        if before >= after:
            raise CrmkitError(f"pick an earlier year first: {before} is not before {after}")
        table_b, tiers_b = self._year(before)
        table_a, tiers_a = self._year(after)
        moves = pyr.migration_moves(tiers_b, tiers_a, table_b["profit"], table_a["profit"])
        counts = pyr.migration_counts(moves)
        profit = pyr.migration_profit_table(moves)
        shares = moves["direction"].value_counts()
        headline = (
            f"{before} → {after}: {shares.get('up', 0):,} customers moved up, "
            f"{shares.get('down', 0):,} moved down, {shares.get('same', 0):,} stayed, "
            f"{shares.get('left', 0):,} stopped ordering and {shares.get('new', 0):,} are new."
        )
        return MigrationView(before, after, show, counts, profit, moves, headline)

    def png(self, view: MigrationView) -> bytes:
        """The migration matrix (counts or profit moved) as PNG bytes."""
        # Fixed margins instead of constrained layout, and no colour bar (every cell is
        # labelled): the redraw takes about half the time.
        fig = Figure(figsize=(7.0, 4.0))
        fig.subplots_adjust(left=0.13, right=0.99, top=0.9, bottom=0.14)
        ax = fig.add_subplot()
        if view.show == "profit":
            plots.migration_heatmap(
                view.profit / 1000,
                colorbar_label="profit change, thousand ¥",
                center=0.0,
                title=f"Profit moved from {view.year_before} to {view.year_after} (thousand ¥)",
                colorbar=False,
                ax=ax,
            )
        else:
            plots.migration_heatmap(view.counts, colorbar=False, ax=ax)
        return plots.to_png(fig)

    def table_html(self, view: MigrationView) -> str:
        """The headline and the biggest movers up and down by profit change."""
        years = [view.year_before, view.year_after]
        moved = view.moves.rename(columns={"change": "profit_change"})
        moved = moved[moved["direction"].isin(["up", "down"])]
        top = pd.concat([moved.nlargest(5, "profit_change"), moved.nsmallest(5, "profit_change")])
        top = top.rename(columns={"before": f"tier {years[0]}", "after": f"tier {years[1]}"})
        top["profit_change"] = top["profit_change"].map("{:,.0f}".format)
        return f"<p><b>{escape(view.headline)}</b></p>" + top.to_html(
            classes="crmkit-table-html", border=0, escape=True
        ).replace("<table", "<table title='Biggest movers by profit change'", 1)

    def static(self) -> None:
        """The matrix and the movers table without widgets."""
        view = self.view()
        display(Image(self.png(view)))
        display(HTML(self.table_html(view)))

    def widget(self) -> w.Widget:
        """Two year pickers and a counts/profit switch, with the matrix and the movers."""
        if self._widget is not None:
            return self._widget
        controls: dict[str, w.Widget] = {
            "year_before": w.Dropdown(
                options=list(self.years[:-1]),
                value=self.settings["year_before"],
                description="From",
            ),
            "year_after": w.Dropdown(
                options=list(self.years[1:]), value=self.settings["year_after"], description="To"
            ),
            "show": w.ToggleButtons(
                options=[("customers", "customers"), ("profit moved", "profit")],
                value=self.settings["show"],
                description="Show",
            ),
        }
        label_controls(controls, "50px")
        chart, chart_box = chart_area("700px")
        table = table_area()
        message = w.HTML()

        def redraw(_change: object = None) -> None:
            try:
                view = self.view(
                    controls["year_before"].value,
                    controls["year_after"].value,
                    controls["show"].value,
                )
            except CrmkitError as err:
                message.value = error_html(err)
                return
            self.settings = {
                "year_before": view.year_before,
                "year_after": view.year_after,
                "show": view.show,
            }
            message.value = ""
            chart.value = self.png(view)
            table.value = self.table_html(view)

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        left = w.VBox(
            [w.HTML("<b>Compare two years</b>"), *controls.values()],
            layout=w.Layout(min_width="260px"),
        )
        self._widget = explorer([left, w.VBox([message, chart_box, table])])
        return self._widget

    def _ipython_display_(self) -> None:
        display(self.widget())
