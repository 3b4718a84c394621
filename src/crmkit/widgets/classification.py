"""Explorers of lesson 01: ABC cut-offs, indicator weights and a customer lookup."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
import pandas as pd

from crmkit import classification as cls
from crmkit import plots
from crmkit.customer_base import ranking_measure
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
from crmkit.widgets.picker import CustomerExplorer, CustomerSearch
from crmkit.widgets.tables import headed, table_html


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
    indicators = rows[list(cls.DEFAULT_WEIGHTS)]
    headline = class_a_headline(abc, settings.metric)
    if rows["profit"].isna().all():
        headline += " Profit is unknown: this data has no margins."
    try:
        score = cls.value_score(indicators, settings.weights)
    except MissingData as missing:  # a trainer's data: the top list by the ranking instead
        top = rows.assign(abc_class=abc["class"]).sort_values(
            settings.metric, ascending=False, kind="mergesort"
        )
        headline += f" No value score: {missing}."
    else:
        top = rows.assign(
            value_score=score, value_grade=cls.value_grade(score), abc_class=abc["class"]
        ).sort_values(["value_score", settings.metric], ascending=False, kind="mergesort")
        note = cls.score_note(indicators, settings.weights)
        headline += f" {note}" if note else ""
    summary = cls.abc_summary(abc)
    return ClassificationView(settings, abc, summary, top.head(settings.top_n), headline)


def class_a_headline(abc: pd.DataFrame, metric: str) -> str:
    """What class A brings, on lesson 01's basis and in its words: shares of the net total.

    The net total adds up every customer's value, losses included, as `pareto_share` and
    `concentration_table` do, so the explorer and the lesson state the same number.
    """
    in_a = abc["class"] == "A"
    if not in_a.any():
        return f"{len(abc):,} customers; none reaches class A."
    reached = abc.loc[in_a, "cum_share"].iloc[-1]
    return (
        f"{len(abc):,} customers. Class A: {int(in_a.sum()):,} customers ({in_a.mean():.0%}) "
        f"bring {reached:.0%} of the net total {metric} (all customers added up, losses included)."
    )


#: The top table's columns, in order, with their headers (the index, customer_id, comes first).
TOP_COLUMNS = {
    "customer_id": "Customer",
    "shop_name": "Shop",
    "business_format": "Format",
    "market_type": "Market",
    "revenue": "Revenue",
    "profit": "Profit",
    "abc_class": "ABC class",
    "value_score": "Value score",
    "value_grade": "Grade",
}


def top_table_html(view: ClassificationView) -> str:
    """The headline, then the top customers by value score as a readable table."""
    table = table_html(
        view.top[[c for c in TOP_COLUMNS if c in view.top.columns]],
        headers=TOP_COLUMNS,
        money=("revenue", "profit"),
        decimals={"value_score": 1},
        caption=f"Top {len(view.top)} customers by "
        + ("value score" if "value_score" in view.top.columns else view.settings.metric),
    )
    return headed(view.headline, table)


def render_chart(view: ClassificationView) -> bytes:
    """The Pareto chart of one view, as PNG bytes."""
    return plots.to_png(
        fixed_layout(plots.pareto_curve(view.abc, value_label=view.settings.metric))
    )


class ClassificationExplorer(Explorer[ClassificationSettings, ClassificationView]):
    """ABC cut-offs, indicator weights and filters, with a Pareto chart and a top list.

    `overview` is `classification.customer_overview(...)`: one row per customer
    with shop_name, business_format, market_type, revenue, profit and the five
    indicator columns.
    """

    label_width = "100px"  # room for 'Contribution' and 'Dependency'
    panel_width = "340px"

    def __init__(self, overview: pd.DataFrame, settings: ClassificationSettings | None = None):
        self.overview = overview
        # without margins (a trainer's own data) the classes are by revenue
        measure = ranking_measure(overview)[0]
        self.profit_known = measure == "profit"
        default = ClassificationSettings(metric=measure)
        super().__init__(settings or default)

    def compute(self, settings: ClassificationSettings) -> ClassificationView:
        return compute_classification(self.overview, settings)

    def render(self, view: ClassificationView) -> Rendered:
        return Rendered(chart=render_chart(view), table=top_table_html(view))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        controls: dict[str, w.Widget] = {
            "metric": metric_control(s.metric, self.profit_known),
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
        return controls

    def read(self, values: dict[str, Any]) -> ClassificationSettings:
        weights = {n: values.pop(f"w_{n}") for n in cls.DEFAULT_WEIGHTS}
        return dataclasses.replace(self.settings, weights=weights, **values)

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        weights = [controls[f"w_{n}"] for n in cls.DEFAULT_WEIGHTS]
        return [
            heading("ABC analysis"),
            *(controls[n] for n in ("metric", "a_cutoff", "b_cutoff")),
            heading("Filters"),
            *(controls[n] for n in ("business_format", "market_type")),
            heading("Indicator weights"),
            *weights,
        ]


class CustomerLookup(CustomerExplorer[pd.Series]):
    """Pick a customer by id or shop name and see their indicator profile.

    `overview` is `classification.customer_overview(...)`; the search box finds
    the customers in it.
    """

    parts = ("chart",)
    chart_width = "700px"

    def __init__(self, overview: pd.DataFrame, labels: Mapping[str, str] | None = None):
        self.overview = overview
        self.labels = labels or {i["name"]: i["english"] for i in cls.INDICATORS}
        self.reference = overview[list(cls.DEFAULT_WEIGHTS)].mean()
        self.search = CustomerSearch(overview)
        super().__init__(str(overview.index[0]))

    def compute(self, customer_id: str) -> pd.Series:
        """The customer's row of the overview."""
        return self.overview.loc[customer_id]

    def render(self, row: pd.Series) -> Rendered:
        fig = plots.indicator_profile(
            row[list(cls.DEFAULT_WEIGHTS)],
            labels=self.labels,
            reference=self.reference,
            title=f"{self.search.label(str(row.name))}: where is this customer strong or weak?",
        )
        return Rendered(chart=plots.to_png(fig))

    def chart(self, customer_id: str) -> bytes:
        """The indicator profile of one customer, as PNG bytes."""
        return self.render(self.compute(self.find(customer_id))).chart
