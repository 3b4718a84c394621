"""Explorers of lesson 03: the pyramid (cut-offs, names, metric, filters) and tier migration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from crmkit import plots
from crmkit import pyramid as pyr
from crmkit.customer_base import customer_profit, periods, ranking_measure
from crmkit.errors import CrmkitError, MissingData
from crmkit.widgets.base import (
    ALL,
    SLIDER,
    Explorer,
    Rendered,
    filter_controls,
    filter_rows,
    fixed_layout,
    heading,
    metric_control,
)
from crmkit.widgets.tables import headed, table_html

# -- the pyramid explorer ---------------------------------------------------------------------

#: Headers of the tier summary table (other columns read as words).
SUMMARY_HEADERS = {
    "customer_share": "Share of customers",
    "profit_share": "Share of profit",
}


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
    if summary["profit"].isna().all():  # a trainer's data without margins: revenue only
        share = top["revenue"] / summary["revenue"].sum()
        headline = (
            f"{len(rows):,} customers, ranked by revenue: profit is unknown, as this data has "
            f"no margins. {summary.index[0]}: {int(top['customers']):,} customers bring "
            f"{share:.0%} of revenue; {summary.index[-1]}: {int(bottom['customers']):,} customers."
        )
        return PyramidView(settings, tiers, summary, headline)
    headline = (
        f"{len(rows):,} customers. {summary.index[0]}: {int(top['customers']):,} customers "
        f"bring {top['profit_share']:.0%} of profit; {summary.index[-1]}: "
        f"{int(bottom['customers']):,} customers, profit ¥{bottom['profit']:,.0f}."
    )
    return PyramidView(settings, tiers, summary, headline)


def pyramid_png(view: PyramidView) -> bytes:
    """The pyramid chart of one view, as PNG bytes."""
    first, total = view.summary.iloc[0], float(view.summary["profit"].sum())
    # Say which ranking the tiers come from: ranked by revenue, the top tier's profit differs.
    # Without margins the total is 0 here, and the chart's own title says it shows revenue.
    title = (
        f"Ranked by {view.settings.metric}, the top {first['customer_share']:.0%} of customers "
        f"bring {first['profit'] / total:.0%} of profit"
        if total
        else None
    )
    fig = plots.pyramid_chart(view.summary, title=title)
    return plots.to_png(fixed_layout(fig, left=0.02, right=0.98, top=0.9, bottom=0.02))


def pyramid_table_html(view: PyramidView) -> str:
    """The headline, then the tier summary as a readable table."""
    table = table_html(
        view.summary,
        headers=SUMMARY_HEADERS,
        money=("revenue", "cost_to_serve", "profit", "profit_per_customer"),
        percent=("customer_share", "profit_share"),
        caption="Customers, revenue, cost to serve and profit per tier",
    )
    return headed(view.headline, table)


#: The lowest and highest value of each cut-off slider (they must leave room to rise).
CUT_RANGES = ((0.01, 0.97), (0.02, 0.98), (0.03, 1.0))


class PyramidExplorer(Explorer[PyramidSettings, PyramidView]):
    """Cut the customers into a pyramid and watch the tiers change as the rules change.

    `table` is one year's profit per customer with shop name, format and market
    (`customer_base.with_attributes(customer_base.customer_profit(data, year), data)`).
    """

    panel_width = "330px"

    def __init__(self, table: pd.DataFrame, settings: PyramidSettings | None = None):
        self.table = table
        # without margins (a trainer's own data) the pyramid is ranked by revenue
        measure = ranking_measure(table)[0]
        self.profit_known = measure == "profit"
        default = PyramidSettings(metric=measure)
        super().__init__(settings or default)

    def compute(self, settings: PyramidSettings) -> PyramidView:
        return compute_pyramid(self.table, settings)

    def render(self, view: PyramidView) -> Rendered:
        return Rendered(chart=pyramid_png(view), table=pyramid_table_html(view))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        controls: dict[str, w.Widget] = {
            "metric": metric_control(s.metric, self.profit_known),
            "method": w.Dropdown(
                options=[("share of customers", "percentile"), ("share of profit", "profit_share")],
                value=s.method,
                description="Cut by",
            ),
            **{
                f"cut{i}": w.FloatSlider(
                    value=cut, min=low, max=high, description=f"Tier {i}", **SLIDER
                )
                for i, (cut, (low, high)) in enumerate(zip(s.cutoffs, CUT_RANGES, strict=True), 1)
            },
            "scheme": w.ToggleButtons(
                options=[("VIP / major / ...", "vip"), ("platinum / gold / ...", "metal")],
                value=s.scheme,
                description="Names",
            ),
            **filter_controls(self.table, s.business_format, s.market_type),
        }
        controls["scheme"].style.button_width = "140px"
        return controls

    def read(self, values: dict[str, Any]) -> PyramidSettings:
        cutoffs = tuple(values.pop(f"cut{i}") for i in (1, 2, 3))
        return dataclasses.replace(self.settings, cutoffs=cutoffs, **values)

    def changed(self, name: str, change: dict) -> None:
        # Each rule has its own sensible cut-offs: set them, then redraw once.
        if name == "method":
            with self.holding():
                for i, value in enumerate(pyr.DEFAULT_CUTOFFS[change["new"]], start=1):
                    self.controls[f"cut{i}"].value = value
        self.redraw()

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        note = "<small>Each cut-off ends a tier (a share of customers or of profit)</small>"
        return [
            heading("Tiers"),
            controls["metric"],
            controls["method"],
            w.HTML(note),
            *(controls[f"cut{i}"] for i in (1, 2, 3)),
            controls["scheme"],
            heading("Filters"),
            controls["business_format"],
            controls["market_type"],
        ]


# -- the migration explorer -------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationSettings:
    """The two years compared and what the matrix shows: 'customers' or 'profit' moved."""

    year_before: int
    year_after: int
    show: str = "customers"


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


class MigrationExplorer(Explorer[MigrationSettings, MigrationView]):
    """Pick two years and see who moved between tiers (PY6), by count or by profit moved.

    `data` is the sample data; `years` defaults to the data's full calendar
    years. Tiers use the percentile rule on profit (on revenue where the data has no
    margins, and the headline says so) and the chosen naming scheme. Each year's table is
    computed once and kept.
    """

    chart_width = "700px"
    label_width = "50px"

    def __init__(self, data, years: Sequence[int] | None = None, scheme: str = "vip"):
        self.data = data
        self.years = periods(data).full_years if years is None else tuple(int(y) for y in years)
        if len(self.years) < 2:
            raise MissingData(
                "tier migration compares two full calendar years, and the data has "
                f"{len(self.years)} ({', '.join(str(y) for y in self.years) or 'none'})"
            )
        self.scheme = scheme
        self._years: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        #: What the tiers rank and the moves add up: profit, or revenue without margins.
        self.measure = ranking_measure(self._year(self.years[-1])[0])[0]
        super().__init__(MigrationSettings(self.years[-2], self.years[-1]))

    def _year(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        if year not in self._years:
            table = customer_profit(self.data, year)
            measure = ranking_measure(table)[0]
            self._years[year] = (table, pyr.assign_tiers(table[measure], scheme_name=self.scheme))
        return self._years[year]

    def view(
        self, year_before: int | None = None, year_after: int | None = None, show: str | None = None
    ) -> MigrationView:
        """Counts, profit moved and each customer's move between two years (default: settings)."""
        s = self.settings
        return self.compute(
            MigrationSettings(
                int(year_before or s.year_before), int(year_after or s.year_after), show or s.show
            )
        )

    def compute(self, settings: MigrationSettings) -> MigrationView:
        before, after = int(settings.year_before), int(settings.year_after)
        if before >= after:
            raise CrmkitError(f"pick an earlier year first: {before} is not before {after}")
        table_b, tiers_b = self._year(before)
        table_a, tiers_a = self._year(after)
        m = self.measure
        moves = pyr.migration_moves(tiers_b, tiers_a, table_b[m], table_a[m])
        counts = pyr.migration_counts(moves)
        profit = pyr.migration_profit_table(moves)
        shares = moves["direction"].value_counts()
        headline = (
            f"{before} → {after}: {shares.get('up', 0):,} customers moved up, "
            f"{shares.get('down', 0):,} moved down, {shares.get('same', 0):,} stayed, "
            f"{shares.get(pyr.GONE, 0):,} are lost customers (no order in {after}) and "
            f"{shares.get(pyr.NEW, 0):,} are new (no order in {before})."
        )
        if m != "profit":
            headline += " Tiers by revenue: this data has no margins, so profit is unknown."
        return MigrationView(before, after, settings.show, counts, profit, moves, headline)

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
                colorbar_label=f"{self.measure} change, thousand ¥",
                center=0.0,
                title=f"{self.measure.capitalize()} moved from {view.year_before} to "
                f"{view.year_after} (thousand ¥)",
                colorbar=False,
                ax=ax,
            )
        else:
            plots.migration_heatmap(view.counts, colorbar=False, ax=ax)
        return plots.to_png(fig)

    def table_html(self, view: MigrationView) -> str:
        """The headline, then the biggest movers up and down by profit change."""
        moved = view.moves[view.moves["direction"].isin(["up", "down"])]
        top = pd.concat([moved.nlargest(5, "change"), moved.nsmallest(5, "change")])
        table = table_html(
            top[["before", "after", "direction", "change"]],
            headers={
                "before": f"Tier {view.year_before}",
                "after": f"Tier {view.year_after}",
                "direction": "Moved",
                "change": f"{self.measure.capitalize()} change",
            },
            money=("change",),
            caption=f"Biggest movers by {self.measure} change",
        )
        return headed(view.headline, table)

    def render(self, view: MigrationView) -> Rendered:
        return Rendered(chart=self.png(view), table=self.table_html(view))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        return {
            "year_before": w.Dropdown(
                options=list(self.years[:-1]), value=s.year_before, description="From"
            ),
            "year_after": w.Dropdown(
                options=list(self.years[1:]), value=s.year_after, description="To"
            ),
            "show": w.ToggleButtons(
                options=[("customers", "customers"), (f"{self.measure} moved", "profit")],
                value=s.show,
                description="Show",
            ),
        }

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        return [heading("Compare two years"), *controls.values()]
