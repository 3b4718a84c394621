"""Explorer of lesson 04: lifetime value (VA2), its inputs and which of them matters most.

Move margin, retention, discount rate or horizon: the chart shows what each year adds
and how far the value moves when each input moves by the same share of itself (±10%),
so "what matters most" is read from equal steps, at the settings on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from crmkit import plots
from crmkit import value as va
from crmkit.plots.style import STYLE
from crmkit.widgets.base import Explorer, Rendered, fixed_layout
from crmkit.widgets.tables import headed, table_html

#: Headers of the sensitivity table.
SENSITIVITY_HEADERS = {
    "input": "Input",
    "low": "10% lower",
    "base": "Now",
    "high": "10% higher",
    "clv_low": "Value, input lower",
    "clv_high": "Value, input higher",
    "effect_up": "Change in value, input 10% higher",
}


@dataclass(frozen=True)
class LifetimeSettings:
    """What the lifetime-value explorer's controls say."""

    margin: float = 10_000.0
    retention: float = 0.7
    discount_rate: float = va.DISCOUNT_RATE
    years: int = va.HORIZON_YEARS


@dataclass(frozen=True)
class LifetimeView:
    """The value year by year, its sensitivity to each input and a one-line headline."""

    settings: LifetimeSettings
    by_year: pd.DataFrame
    sensitivity: pd.DataFrame
    value: float
    headline: str


def compute_lifetime_value(settings: LifetimeSettings, change: float = 0.10) -> LifetimeView:
    """The lifetime value of one setting, year by year, with its sensitivity (±`change`)."""
    s = settings
    by_year = va.clv_by_year(s.margin, s.retention, s.discount_rate, s.years)
    sensitivity = va.clv_sensitivity(s.margin, s.retention, s.discount_rate, s.years, change)
    total = float(by_year["cumulative"].iloc[-1]) if len(by_year) else 0.0
    headline = f"Lifetime value over {s.years} years: ¥{total:,.0f}. " + va.sensitivity_headline(
        sensitivity, change
    )
    return LifetimeView(settings, by_year, sensitivity, total, headline)


def lifetime_figure(view: LifetimeView) -> Figure:
    """Two panels: what each year adds (left) and the tornado of equal ±10% steps (right)."""
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(10.0, 3.6))
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    top = view.sensitivity.iloc[0]
    plots.clv_years_chart(
        view.by_year,
        title=f"¥{view.value:,.0f} over {view.settings.years} years",
        ax=left,
    )
    plots.sensitivity_chart(
        view.sensitivity,
        # short enough for the panel's width: the table under the chart gives the steps
        title=f"{str(top['input']).replace('_', ' ').capitalize()} moves it most "
        f"({top['effect_up']:+.0%})",
        ax=right,
    )
    fixed_layout(fig, left=0.08, right=0.97, top=0.88, bottom=0.16)
    fig.subplots_adjust(wspace=0.35)
    return fig


def lifetime_table_html(view: LifetimeView) -> str:
    """The headline, then the sensitivity table (equal ±10% steps) as a readable table."""
    frame = view.sensitivity[list(SENSITIVITY_HEADERS)].copy()
    shown = {"margin": "¥{:,.0f}".format, "retention": "{:.1%}".format}
    for column in ("low", "base", "high"):
        frame[column] = [
            shown.get(name, "{:.2%}".format)(v)
            for name, v in zip(frame["input"], frame[column], strict=True)
        ]
    frame["input"] = frame["input"].str.replace("_", " ")
    return headed(
        view.headline,
        table_html(
            frame,
            headers=SENSITIVITY_HEADERS,
            money=("clv_low", "clv_high"),
            percent=("effect_up",),
            decimals={"effect_up": 1},
            caption="Each input moved by 10% of its own value, the others held",
        ),
    )


class LifetimeValueExplorer(Explorer[LifetimeSettings, LifetimeView]):
    """Set a customer's yearly margin, retention, discount rate and horizon; see the value.

    `settings` start the controls (e.g. a typical customer's margin and retention from the
    data); the margin slider reaches three times the starting margin.
    """

    chart_width = "900px"
    panel_width = "300px"
    label_width = "110px"
    table_below = True  # the headline and the sensitivity table need the page's width

    def __init__(self, settings: LifetimeSettings | None = None):
        super().__init__(settings or LifetimeSettings())

    def compute(self, settings: LifetimeSettings) -> LifetimeView:
        return compute_lifetime_value(settings)

    def render(self, view: LifetimeView) -> Rendered:
        return Rendered(chart=plots.to_png(lifetime_figure(view)), table=lifetime_table_html(view))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        top = max(3 * abs(s.margin), 1000.0)
        common = {"continuous_update": False}
        return {
            "margin": w.FloatSlider(
                value=s.margin, min=0.0, max=top, step=top / 300, description="Margin a year",
                readout_format=",.0f", **common,
            ),
            "retention": w.FloatSlider(
                value=s.retention, min=0.0, max=1.0, step=0.01, description="Retention",
                readout_format=".2f", **common,
            ),
            "discount_rate": w.FloatSlider(
                value=s.discount_rate, min=0.0, max=0.3, step=0.005,
                description="Discount rate", readout_format=".3f", **common,
            ),
            "years": w.IntSlider(
                value=s.years, min=1, max=15, description="Horizon (years)", **common
            ),
        }  # fmt: skip
