"""Charts of the lifecycle lesson: one customer's timeline, the pattern curves, and what
each stage costs and returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from crmkit.plots.style import PALETTE, new_axes, percent_axis, set_title

#: One colour per stage, the same in every lifecycle chart (Okabe-Ito, colour-blind safe).
STAGE_COLOURS = {
    "exploration": PALETTE["sky"],
    "formation": PALETTE["yellow"],
    "stability": PALETTE["green"],
    "decline": PALETTE["orange"],
    "ended": PALETTE["grey"],
}

#: One colour per pattern of LC5.
PATTERN_COLOURS = {
    "early_abort": PALETTE["vermillion"],
    "midway": PALETTE["orange"],
    "early_exit": PALETTE["purple"],
    "long_term": PALETTE["blue"],
}


def stage_bands(
    ax: Axes, x: np.ndarray, stages: pd.Series, y0: float = 0.0, y1: float = 1.0, alpha=0.35
) -> PolyCollection:
    """Coloured spans behind a monthly chart, one per run of months in the same stage, from
    y0 to y1 (fractions of the axes' height), drawn as one collection: a chart redraws
    faster with one artist than with a patch per run."""
    values = stages.astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    stops = np.r_[starts[1:], len(values)] - 1
    spans = [
        [(x[a] - 0.5, y0), (x[b] + 0.5, y0), (x[b] + 0.5, y1), (x[a] - 0.5, y1)]
        for a, b in zip(starts, stops, strict=True)
    ]
    colours = [STAGE_COLOURS.get(values[a], PALETTE["grey"]) for a in starts]
    bands = PolyCollection(
        spans,
        facecolors=colours,
        alpha=alpha,
        linewidths=0,
        transform=ax.get_xaxis_transform(),  # x in months, y in fractions of the axes
        zorder=0,
    )
    ax.add_collection(bands, autolim=False)
    ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)
    return bands


def customer_timeline(
    signs: pd.DataFrame,
    *,
    truth: pd.Series | None = None,
    stable_share: float | None = None,
    title: str | None = None,
) -> Figure:
    """One customer's months: our revenue (bars) against its own category total (line) on
    top, its share of wallet below, with the detected stages as coloured bands (and the
    true stages as a thin strip under them, where `truth` is given).

    `signs` is the customer's rows of `lifecycle.detect_stages` (month, ours,
    category_total, share, stage), one per month in order.
    """
    fig = Figure(figsize=(8.0, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(len(signs))
    top.bar(x, signs["ours"].to_numpy(), color=PALETTE["blue"], label="our revenue")
    top.plot(
        x,
        signs["category_total"].to_numpy(),
        color=PALETTE["black"],
        lw=1.2,
        label="the customer's own category total",
    )
    top.set_ylabel("yuan a month")
    share = signs["share"].to_numpy(dtype=float)
    bottom.plot(x, share, color=PALETTE["black"], lw=1.5)
    if stable_share is not None:
        bottom.axhline(stable_share, color=PALETTE["grey"], ls=":", lw=1)
        bottom.text(x[0], stable_share, " stable from here", va="bottom", fontsize=8)
    bottom.set_ylim(0, 1.05)
    percent_axis(bottom, "y")
    bottom.set_ylabel("share of wallet")
    for ax in (top, bottom):
        stage_bands(ax, x, signs["stage"], 0.08 if truth is not None else 0.0, 1.0)
        if truth is not None:
            stage_bands(ax, x, truth.reset_index(drop=True), 0.0, 0.06)
    labels = [str(m) for m in signs["month"]]
    step = max(1, len(labels) // 9)
    bottom.set_xticks(x[::step], labels[::step], rotation=0, fontsize=8)
    # one legend for both panels (a second legend per panel costs a redraw about 4 ms)
    series, names = top.get_legend_handles_labels()
    handles = series + [Patch(color=c, alpha=0.5, label=s) for s, c in STAGE_COLOURS.items()]
    labels = names + list(STAGE_COLOURS)
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    note = "; thin strip at the bottom: the true stage" if truth is not None else ""
    set_title(top, title or f"Bands: the detected stage{note}")
    fig.subplots_adjust(left=0.1, right=0.98, top=0.92, bottom=0.2, hspace=0.12)
    return fig


def pattern_curves(curves: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """Our average monthly revenue by months since joining, one line per pattern (LC5):
    `lifecycle.pattern_curves(...)`."""
    fig, ax = new_axes(ax, figsize=(8.0, 4.2))
    for pattern in curves.columns:
        ax.plot(
            curves.index,
            curves[pattern].to_numpy(),
            color=PATTERN_COLOURS.get(str(pattern), PALETTE["black"]),
            lw=2,
            label=str(pattern).replace("_", " "),
        )
    ax.set_xlabel(str(curves.index.name or "months since joining"))
    ax.set_ylabel("our revenue per customer, yuan a month")
    ax.legend(fontsize=9)
    set_title(ax, title or "Four lifecycle patterns: where each relationship stops growing")
    return fig


def stage_economics(table: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """Gross margin and contact cost per customer-month, by stage (LC3):
    `lifecycle.stage_economics(...)`."""
    fig, ax = new_axes(ax, figsize=(8.0, 3.8))
    y = np.arange(len(table))
    ax.barh(y + 0.2, table["gross_margin"], height=0.4, color=PALETTE["blue"], label="margin")
    ax.barh(
        y - 0.2, table["contact_cost"], height=0.4, color=PALETTE["orange"], label="contact cost"
    )
    for yi, (margin, cost) in enumerate(
        zip(table["gross_margin"], table["contact_cost"], strict=True)
    ):
        ax.text(margin, yi + 0.2, f" ¥{margin:,.0f}", va="center", fontsize=8)
        ax.text(cost, yi - 0.2, f" ¥{cost:,.0f}", va="center", fontsize=8)
    ax.set_yticks(y, list(table.index))
    ax.invert_yaxis()
    ax.set_xlabel("yuan per customer-month")
    ax.legend(fontsize=9, loc="lower right")
    best = table["return"].idxmax()
    set_title(ax, title or f"The return peaks in {best}: margin less contact cost")
    return fig
