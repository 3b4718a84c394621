"""Charts of lesson 03 (the customer pyramid): pyramid, whale curve, migration, waterfall."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from crmkit.plots.general import segment_heatmap
from crmkit.plots.style import PALETTE, new_axes, percent_axis, set_title

#: Tier colours best first; the bottom tier is vermillion because it often loses money.
TIER_COLOURS = [PALETTE["blue"], PALETTE["sky"], PALETTE["orange"], PALETTE["vermillion"]]


def pyramid_chart(
    summary: pd.DataFrame,
    *,
    metric: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The tiers drawn as a pyramid, best at the top, each labelled with customers and share.

    `summary` is `pyramid.tier_summary(...)` (tiers best first, with customers,
    customer_share, revenue, profit and profit_share). The layers have equal
    heights (the pyramid is a picture of rank, not of size); the labels carry
    the numbers: customers and their share, and the tier's share of `metric`:
    profit, or revenue where the data has no margins (and the title says so).
    """
    no_margins = bool(summary["profit"].isna().all())
    metric = metric or ("revenue" if no_margins else "profit")
    fig, ax = new_axes(ax, figsize=(8.0, 4.6))
    n = len(summary)
    total = float(summary[metric].sum())
    for i, (tier, row) in enumerate(summary.iterrows()):
        # Trapezoids with a flat top, so even the top tier has room for its name.
        top_w, bottom_w = 0.12 + 0.88 * i / n, 0.12 + 0.88 * (i + 1) / n
        y_top, y_bottom = n - i, n - i - 1
        corners = [(-top_w, y_top), (top_w, y_top), (bottom_w, y_bottom), (-bottom_w, y_bottom)]
        colour = TIER_COLOURS[i % len(TIER_COLOURS)]
        ax.add_patch(Polygon(corners, closed=True, color=colour, alpha=0.9, lw=1.5, ec="white"))
        share = row[metric] / total if total else np.nan
        ax.text(
            0,
            y_bottom + 0.5,
            str(tier),
            ha="center",
            va="center",
            fontsize=10,
            color="white" if i in (0, 3) else "black",
            weight="bold",
        )
        ax.text(
            1.06,
            y_bottom + 0.5,
            f"{int(row['customers']):,} customers ({row['customer_share']:.0%})\n"
            f"→ {share:.0%} of {metric}",
            ha="left",
            va="center",
            fontsize=10,
            color=PALETTE["vermillion"] if share < 0 else PALETTE["black"],
        )
    ax.set_xlim(-1.05, 2.3)
    ax.set_ylim(0, n + 0.05)
    ax.set_axis_off()
    if title is None and n:
        first = summary.iloc[0]
        lead = "No margins in this data: the top" if no_margins else "The top"
        title = (
            f"{lead} {first['customer_share']:.0%} of customers bring "
            f"{first[metric] / total:.0%} of {metric}"
            if total
            else f"Customers by {metric} tier"
        )
    set_title(ax, title or "")
    return fig


def whale_curve(
    curve: pd.DataFrame,
    *,
    peak: dict[str, float] | None = None,
    reading: tuple[float, float] | None = None,
    title: str | None = None,
    measure: str = "profit",
    ax: Axes | None = None,
) -> Figure:
    """Cumulative profit share against customers ranked by profit, with the hump marked.

    `curve` is `pyramid.whale_curve(...)`; `peak` is `pyramid.whale_peak(...)`
    (computed from the curve when not given). `reading` (share of customers,
    share of profit), e.g. the top 20% from `classification.concentration_table`,
    is marked with guide lines, so the chart and the table can be read together.
    `measure` names what was ranked: "revenue" where the data has no margins, and the
    title then says so.
    """
    fig, ax = new_axes(ax)
    x = curve["customer_share"].to_numpy()
    y = curve["cum_profit_share"].to_numpy()
    i = int(np.argmax(y))
    peak = peak or {"customer_share": float(x[i]), "profit_share": float(y[i])}
    ax.plot(x, y, color=PALETTE["black"], lw=2)
    ax.fill_between(x, 1.0, y, where=y > 1.0, color=PALETTE["vermillion"], alpha=0.2, lw=0)
    ax.axhline(1.0, color=PALETTE["grey"], lw=0.8, ls=":")
    px, py = peak["customer_share"], peak["profit_share"]
    ax.plot([px], [py], "o", color=PALETTE["vermillion"])
    hump = py > 1.0 + 1e-9
    ax.annotate(
        f"Peak: {px:.0%} of customers bring {py:.0%} of {measure};\n"
        f"the other {1 - px:.0%} take {py - 1:.0%} back"
        if hump
        else f"No hump: no customer takes {measure} back",
        (px, py),
        xytext=(-12, 10),
        textcoords="offset points",
        ha="right",
        fontsize=9,
    )
    if reading is not None:
        rx, ry = reading
        ax.plot([rx, rx, 0], [0, ry, ry], color=PALETTE["blue"], lw=1, ls="--")
        ax.annotate(
            f"top {rx:.0%} bring {ry:.0%}",
            (rx, ry),
            xytext=(6, -14),
            textcoords="offset points",
            fontsize=9,
            color=PALETTE["blue"],
        )
    ax.text(0.01, 1.01, f"100% of total {measure}", fontsize=8, color=PALETTE["grey"], va="bottom")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(1.1, float(y.max()) + 0.12))
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel(
        "Share of customers, most profitable first"
        if measure == "profit"
        else f"Share of customers, highest {measure} first"
    )
    ax.set_ylabel(f"Cumulative share of total {measure}")
    if title is None and measure == "revenue":
        title = "No margins in this data: revenue instead of profit, " + (
            f"peak {py:.0%}" if hump else "so no hump"
        )
    elif title is None:
        title = f"The whale curve peaks at {py:.0%}: loss makers give back {py - 1:.0%}"
    set_title(ax, title)
    return fig


def migration_heatmap(
    counts: pd.DataFrame,
    *,
    title: str = "",
    fmt: str = "{:,.0f}",
    colorbar_label: str = "customers",
    center: float | None = None,
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """The tier migration matrix (earlier tier in rows, later tier in columns) as a heatmap.

    Staying customers sit on the diagonal; left of it they moved up, right of it down.
    """
    stayed = (
        sum(int(counts.loc[t, t]) for t in counts.index if t in counts.columns)
        if center is None
        else None
    )
    if not title and stayed is not None:
        moved = int(counts.drop(index="new", errors="ignore").to_numpy().sum()) - stayed
        title = f"{moved:,} customers changed tier or left; {stayed:,} stayed"
    return segment_heatmap(
        counts,
        fmt=fmt,
        title=title,
        colorbar_label=colorbar_label,
        center=center,
        colorbar=colorbar,
        ax=ax,
    )


def profit_waterfall(
    steps: pd.DataFrame,
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """From margin at list price to profit, one bar per step (`pyramid.profit_waterfall`)."""
    fig, ax = new_axes(ax, figsize=(8.0, 4.0))
    labels = steps["step"].tolist()
    amounts = steps["amount"].to_numpy(dtype=float)
    running = steps["running"].to_numpy(dtype=float)
    span = float(np.abs(running).max() or 1.0)
    for i, (amount, end) in enumerate(zip(amounts, running, strict=True)):
        last = i == len(labels) - 1
        start = 0.0 if (i == 0 or last) else end - amount
        low, height = min(start, end), abs(end - start)
        colour = (
            PALETTE["blue"]
            if i == 0
            else (PALETTE["green"] if end >= 0 else PALETTE["vermillion"])
            if last
            else PALETTE["vermillion"]
        )
        ax.bar(i, height, bottom=low, color=colour, width=0.6)
        ax.text(i, max(start, end) + span * 0.02, f"{amount:,.0f}", ha="center", fontsize=9)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set_xticks(range(len(labels)), [str(s) for s in labels], rotation=20, ha="right")
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("yuan")
    set_title(ax, title or f"What is left of the margin: a profit of ¥{running[-1]:,.0f}")
    return fig
