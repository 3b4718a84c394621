"""Charts of lesson 04 (customer value): offers compared, promises, lifetime value, what-ifs."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmkit.plots.style import PALETTE, new_axes, percent_axis, set_title

_YUAN = mpl.ticker.FuncFormatter(lambda v, _: f"¥{v:,.0f}")

#: Colour of each verdict of `value.promise_scenarios`.
VERDICT_COLOURS = {
    "delighted": PALETTE["green"],
    "satisfied": PALETTE["blue"],
    "disappointed": PALETTE["vermillion"],
}


def offer_comparison(
    table: pd.DataFrame, *, title: str = "", unit: str = "points", ax: Axes | None = None
) -> Figure:
    """Total value, total cost and perceived value of each offer, side by side (VA1).

    `table` has one row per offer and the columns total_value, total_cost, perceived_value.
    """
    fig, ax = new_axes(ax, figsize=(7.5, 3.8))
    parts = [
        ("total_value", "total customer value", PALETTE["blue"]),
        ("total_cost", "total customer cost", PALETTE["orange"]),
        ("perceived_value", "perceived value", PALETTE["green"]),
    ]
    x = np.arange(len(table))
    width = 0.26
    for i, (column, label, colour) in enumerate(parts):
        values = table[column].to_numpy(dtype=float)
        bars = ax.bar(x + (i - 1) * width, values, width, label=label, color=colour)
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=9, padding=2)
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set_ylabel(unit)
    high = float(table[["total_value", "total_cost", "perceived_value"]].to_numpy().max())
    ax.set_ylim(top=high * 1.3)
    ax.legend(loc="upper center", fontsize=9, ncols=3)
    set_title(ax, title)
    return fig


def promise_chart(scenarios: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """The gap between delivered and promised for each promise, coloured by verdict (VA4).

    `scenarios` is `value.promise_scenarios(...)`.
    """
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    labels = [f"promise {p:g}" for p in scenarios["promised"]]
    gaps = scenarios["gap"].to_numpy(dtype=float)
    colours = [VERDICT_COLOURS[str(v)] for v in scenarios["verdict"]]
    bars = ax.bar(labels, gaps, color=colours)
    ax.bar_label(bars, labels=[str(v) for v in scenarios["verdict"]], fontsize=9, padding=2)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    span = float(np.abs(gaps).max() or 1.0)
    ax.set_ylim(min(gaps.min(), 0) - 0.3 * span, max(gaps.max(), 0) + 0.3 * span)
    ax.set_ylabel("delivered − promised")
    set_title(ax, title)
    return fig


def clv_years_chart(by_year: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """Each year's discounted margin as a bar, the running total written above the last (VA2).

    `by_year` is `value.clv_by_year(...)`. One label, not one per bar: the chart
    redraws live in an explorer, and every label costs drawing time.
    """
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    bars = ax.bar(by_year["year"].astype(int), by_year["discounted_margin"], color=PALETTE["blue"])
    labels = [""] * (len(bars) - 1) + [f"total ¥{by_year['cumulative'].iloc[-1]:,.0f}"]
    ax.bar_label(bars, labels=labels, fontsize=8, padding=2)
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    ax.yaxis.set_major_formatter(_YUAN)
    ax.set_ylabel("margin kept, discounted")
    ax.set_ylim(0, float(by_year["discounted_margin"].max() or 1.0) * 1.2)
    set_title(ax, title)
    return fig


def sensitivity_chart(table: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """A tornado: how far the lifetime value moves when each input moves ±x% of itself.

    `table` is `value.clv_sensitivity(...)`; the largest swing is drawn on top.
    """
    rows = table.iloc[::-1]
    fig, ax = new_axes(ax, figsize=(7.0, 0.9 + 0.6 * len(rows)))
    base = float(rows["clv_base"].iloc[0])
    names = [str(n).replace("_", " ") for n in rows["input"]]
    where = np.arange(len(rows))
    for column, colour in (("clv_low", PALETTE["orange"]), ("clv_high", PALETTE["blue"])):
        ends = rows[column].to_numpy(dtype=float)
        ax.barh(where, ends - base, left=base, color=colour, height=0.55)  # one call per colour
        for i, end in zip(where, ends, strict=True):
            ax.text(
                end,
                i,
                f" {'+' if end >= base else '−'}¥{abs(end - base):,.0f} ",
                va="center",
                ha="left" if end >= base else "right",
                fontsize=9,
            )
    ax.set_yticks(range(len(rows)), names)
    ax.axvline(base, color=PALETTE["black"], lw=0.8)
    span = float((rows[["clv_low", "clv_high"]] - base).abs().to_numpy().max() or 1.0)
    ax.set_xlim(base - 1.5 * span, base + 1.5 * span)
    ax.xaxis.set_major_formatter(_YUAN)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    ax.set_xlabel("lifetime value (blue: input up, orange: input down)")
    set_title(ax, title)
    return fig


def what_if_sweep(
    sweep: pd.DataFrame,
    name: str,
    *,
    label: str = "",
    title: str = "",
    percent: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Extra margin, service cost and net gain as one assumption varies (VA6).

    `sweep` is `value.StayWhatIf().sweep(name, values)`; `percent` shows the assumption as %.
    """
    fig, ax = new_axes(ax, figsize=(7.0, 3.8))
    x = sweep[name].to_numpy(dtype=float)
    ax.plot(x, sweep["extra_margin"] / 1e6, color=PALETTE["blue"], label="extra margin")
    ax.plot(x, sweep["service_cost"] / 1e6, color=PALETTE["orange"], label="service cost")
    ax.plot(x, sweep["net_gain"] / 1e6, color=PALETTE["green"], lw=2.5, label="net gain")
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set_xlabel(label or name.replace("_", " "))
    if percent:
        percent_axis(ax, "x")
    ax.set_ylabel("million USD a year")
    ax.legend(loc="upper left", fontsize=9)
    set_title(ax, title)
    return fig


def network_chart(frame: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """Own profit and the profit of referred customers, stacked, for a few customers (VA5).

    `frame` has one row per customer (the label is the index) and the columns own_profit
    and referred_profit.
    """
    rows = frame.iloc[::-1]
    fig, ax = new_axes(ax, figsize=(9.5, 1.3 + 0.5 * len(rows)))
    labels = [str(i) for i in rows.index]
    own = rows["own_profit"].to_numpy(dtype=float)
    referred = rows["referred_profit"].to_numpy(dtype=float)
    ax.barh(labels, own, color=PALETTE["grey"], height=0.6, label="own profit")
    ax.barh(labels, referred, left=np.maximum(own, 0), color=PALETTE["green"], height=0.6,
            label="profit of the customers they referred")  # fmt: skip
    for i, (o, r) in enumerate(zip(own, referred, strict=True)):
        ax.text(max(o, 0) + r, i, f"  ¥{o + r:,.0f}", va="center", fontsize=9)
    ax.axvline(0, color=PALETTE["black"], lw=0.8)
    ax.xaxis.set_major_formatter(_YUAN)
    right = float(np.max(np.maximum(own, 0) + referred) or 1.0)
    ax.set_xlim(min(0.0, float(own.min()) * 1.2), right * 1.3)
    ax.legend(loc="lower right", fontsize=9)
    set_title(ax, title)
    return fig
