"""Explorers of lesson 01: ABC cut-offs, indicator weights and a customer lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, Image, display

from crmkit import classification as cls
from crmkit import plots
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


@dataclass(frozen=True)
class ClassificationSettings:
    """What the classification explorer's controls say."""

    metric: str = "profit"
    a_cutoff: float = 0.80
    b_cutoff: float = 0.95
    weights: Mapping[str, float] = field(default_factory=lambda: dict(cls.DEFAULT_WEIGHTS))
    business_format: str = ALL
    market_type: str = ALL
    top_n: int = 10


@dataclass(frozen=True)
class ClassificationView:
    """What the explorer shows for one setting: the ABC table, a summary and the top list."""

    settings: ClassificationSettings
    abc: pd.DataFrame
    summary: pd.DataFrame
    top: pd.DataFrame
    headline: str


def compute_classification(
    overview: pd.DataFrame, settings: ClassificationSettings
) -> ClassificationView:
    """Filter the customers, classify them by ABC and score them, for one setting."""
    rows = filter_rows(
        overview, business_format=settings.business_format, market_type=settings.market_type
    )
    if rows.empty:
        raise CrmkitError("no customers match these filters; choose 'All' for one of them")
    abc = cls.abc_analysis(rows[settings.metric], cutoffs=(settings.a_cutoff, settings.b_cutoff))
    score = cls.value_score(rows[list(cls.DEFAULT_WEIGHTS)], settings.weights)
    grade = cls.value_grade(score)
    top = (
        rows.assign(value_score=score, value_grade=grade, abc_class=abc["class"])
        .sort_values(["value_score", settings.metric], ascending=False, kind="mergesort")
        .head(settings.top_n)
    )
    summary = cls.abc_summary(abc)
    in_a = abc["class"] == "A"
    headline = (
        f"{len(rows):,} customers. Class A: {int(in_a.sum()):,} customers "
        f"({in_a.mean():.0%}) bring {abc.loc[in_a, 'cum_share'].iloc[-1]:.0%} of {settings.metric}."
        if in_a.any()
        else f"{len(rows):,} customers; none reaches class A."
    )
    return ClassificationView(settings, abc, summary, top, headline)


TOP_COLUMNS = {
    "shop_name": "Shop",
    "business_format": "Format",
    "market_type": "Market",
    "revenue": "Revenue (¥)",
    "profit": "Profit (¥)",
    "abc_class": "ABC",
    "value_score": "Value score",
    "value_grade": "Grade",
}


def top_table_html(view: ClassificationView) -> str:
    """The top customers by value score as a small HTML table."""
    table = view.top[[c for c in TOP_COLUMNS if c in view.top.columns]].rename(columns=TOP_COLUMNS)
    formats = {"Revenue (¥)": "{:,.0f}", "Profit (¥)": "{:,.0f}", "Value score": "{:.1f}"}
    for col, fmt in formats.items():
        if col in table:
            table[col] = table[col].map(fmt.format)
    caption = f"Top {len(table)} customers by value score"
    return f"<p><b>{escape(view.headline)}</b></p>" + table.to_html(
        classes="crmkit-table-html", border=0, escape=True
    ).replace("<table", f"<table title='{escape(caption)}'", 1)


def render_chart(view: ClassificationView) -> bytes:
    """The Pareto chart of one view, as PNG bytes."""
    return plots.to_png(
        fixed_layout(plots.pareto_curve(view.abc, value_label=view.settings.metric))
    )


class ClassificationExplorer:
    """ABC cut-offs, indicator weights and filters, with a Pareto chart and a top list.

    `overview` is `classification.customer_overview(...)`: one row per customer
    with shop_name, business_format, market_type, revenue, profit and the five
    indicator columns.
    """

    def __init__(self, overview: pd.DataFrame, settings: ClassificationSettings | None = None):
        self.overview = overview
        self.settings = settings or ClassificationSettings()
        self._widget: w.Widget | None = None

    # -- layer 1 and 2 -------------------------------------------------------
    def view(self) -> ClassificationView:
        """Compute the view for the current settings."""
        return compute_classification(self.overview, self.settings)

    def static(self) -> None:
        """Show the chart and the table without widgets (GitHub, PDF, nbconvert)."""
        view = self.view()
        display(Image(render_chart(view)))
        display(HTML(top_table_html(view)))

    # -- layer 3 ---------------------------------------------------------------
    def _controls(self) -> dict[str, w.Widget]:
        s = self.settings
        controls: dict[str, w.Widget] = {
            "metric": metric_control(s.metric),
            "a_cutoff": w.FloatSlider(
                value=s.a_cutoff, min=0.5, max=0.9, description="A up to", **SLIDER
            ),
            "b_cutoff": w.FloatSlider(
                value=s.b_cutoff, min=0.91, max=0.99, description="B up to", **SLIDER
            ),
            **filter_controls(self.overview, s.business_format, s.market_type),
        }
        for name in cls.DEFAULT_WEIGHTS:
            controls[f"w_{name}"] = w.FloatSlider(
                value=s.weights[name], min=0.0, max=1.0, description=name.capitalize(), **SLIDER
            )
        label_controls(controls)
        return controls

    def _settings_from(self, controls: Mapping[str, w.Widget]) -> ClassificationSettings:
        weights = {n: controls[f"w_{n}"].value for n in cls.DEFAULT_WEIGHTS}
        return ClassificationSettings(
            metric=controls["metric"].value,
            a_cutoff=controls["a_cutoff"].value,
            b_cutoff=controls["b_cutoff"].value,
            weights=weights,
            business_format=controls["business_format"].value,
            market_type=controls["market_type"].value,
            top_n=self.settings.top_n,
        )

    def widget(self) -> w.Widget:
        """The live explorer: controls on the left, chart and table on the right."""
        if self._widget is not None:
            return self._widget
        controls = self._controls()
        chart, chart_box = chart_area()
        table = table_area()
        message = w.HTML()

        def redraw(_change: object = None) -> None:
            try:
                self.settings = self._settings_from(controls)
                view = self.view()
            except CrmkitError as err:
                message.value = error_html(err)
                return
            message.value = ""
            chart.value = render_chart(view)
            table.value = top_table_html(view)

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        weights_box = w.VBox(
            [w.HTML("<b>Indicator weights</b>")] + [controls[f"w_{n}"] for n in cls.DEFAULT_WEIGHTS]
        )
        left = w.VBox(
            [
                w.HTML("<b>ABC analysis</b>"),
                controls["metric"],
                controls["a_cutoff"],
                controls["b_cutoff"],
                w.HTML("<b>Filters</b>"),
                controls["business_format"],
                controls["market_type"],
                weights_box,
            ],
            layout=w.Layout(min_width="320px"),
        )
        root = explorer([left, w.VBox([message, chart_box, table])])
        self._widget = root
        return root

    def _ipython_display_(self) -> None:
        display(self.widget())


class CustomerLookup:
    """Pick a customer by id or shop name and see their indicator profile."""

    def __init__(self, overview: pd.DataFrame, labels: Mapping[str, str] | None = None):
        self.overview = overview
        self.labels = labels or {i["name"]: i["english"] for i in cls.INDICATORS}
        self.reference = overview[list(cls.DEFAULT_WEIGHTS)].mean()

    def options(self) -> list[str]:
        """'C00042 · Golden Harvest Mart' strings, one per customer."""
        return [f"{cid} · {name}" for cid, name in self.overview["shop_name"].items()]

    def find(self, text: str) -> str:
        """The customer id a lookup text refers to (id, shop name, or an option string)."""
        key = text.split("·")[0].strip()
        if key in self.overview.index:
            return key
        names = self.overview["shop_name"].str.lower()
        hits = names.index[names.str.contains(text.strip().lower(), regex=False)]
        if len(hits) == 0:
            raise CrmkitError(
                f"no customer matches '{text}'; type an id like C00042 or a shop name"
            )
        return str(hits[0])

    def chart(self, customer_id: str) -> bytes:
        """The indicator profile of one customer, as PNG bytes."""
        row = self.overview.loc[customer_id]
        fig = plots.indicator_profile(
            row[list(cls.DEFAULT_WEIGHTS)],
            labels=self.labels,
            reference=self.reference,
            title=f"{customer_id} {row['shop_name']}: where is this customer strong or weak?",
        )
        return plots.to_png(fig)

    def static(self, customer_id: str) -> None:
        """The profile chart without widgets."""
        display(Image(self.chart(customer_id)))

    def widget(self, start: str | None = None) -> w.Widget:
        """A search box and the profile chart of the chosen customer."""
        options = self.options()
        box = w.Combobox(
            options=options,
            value=start or options[0],
            description="Customer",
            ensure_option=False,
            placeholder="id or shop name",
        )
        box.add_class("crmkit-control-customer")
        chart, chart_box = chart_area("700px")
        message = w.HTML()

        def redraw(_change: object = None) -> None:
            try:
                chart.value = self.chart(self.find(box.value))
                message.value = ""
            except CrmkitError as err:
                message.value = error_html(err)

        box.observe(redraw, names="value")
        redraw()
        root = w.VBox([box, message, chart_box])
        root.add_class("crmkit-explorer")
        return root
