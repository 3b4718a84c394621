"""Charts of lesson 01 (customer classification): Pareto curve and indicator profile."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmkit.plots.style import CLASS_COLOURS, PALETTE, new_axes, percent_axis, set_title


def pareto_curve(
    abc: pd.DataFrame,
    *,
    value_label: str = "profit",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Cumulative share of value against share of customers, banded by ABC class.

    `abc` is the table of `classification.abc_analysis` (columns `cum_share` and
    `class`, ranked best first). The title answers "how concentrated is it?".
    """
    fig, ax = new_axes(ax)
    n = len(abc)
    x = np.arange(1, n + 1) / n
    y = abc["cum_share"].to_numpy(dtype=float)
    classes = abc["class"].astype(str).to_numpy()
    start = 0.0
    for cls in ("A", "B", "C"):
        mask = classes == cls
        if not mask.any():
            continue
        end = x[mask].max()
        ax.axvspan(start, end, color=CLASS_COLOURS[cls], alpha=0.12, lw=0)
        share_cust = mask.mean()
        ax.text(
            (start + end) / 2,
            0.04,
            f"{cls}\n{share_cust:.0%} of\ncustomers",
            ha="center",
            va="bottom",
            fontsize=9,
            color=CLASS_COLOURS[cls],
            weight="bold",
        )
        start = end
    ax.plot(np.r_[0, x], np.r_[0, y], color=PALETTE["black"], lw=2)
    a = classes == "A"
    if a.any():
        xa, ya = x[a].max(), y[a][-1]
        ax.plot([xa], [ya], "o", color=CLASS_COLOURS["A"])
        ax.annotate(
            f"{xa:.0%} of customers → {ya:.0%} of {value_label}",
            (xa, ya),
            xytext=(10, -18),
            textcoords="offset points",
            fontsize=9,
        )
    ax.axhline(1.0, color=PALETTE["grey"], lw=0.8, ls=":")
    ax.set_xlim(0, 1)
    ax.set_ylim(min(0.0, float(np.nanmin(y)) if n else 0.0), max(1.05, float(np.nanmax(y)) + 0.05))
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("Share of customers, best first")
    ax.set_ylabel(f"Cumulative share of {value_label}")
    if title is None and a.any():
        title = f"{a.mean():.0%} of customers bring {y[a][-1]:.0%} of {value_label}"
    set_title(ax, title or f"How concentrated is {value_label}?")
    return fig


def indicator_profile(
    scores: Mapping[str, float] | pd.Series,
    *,
    labels: Mapping[str, str] | None = None,
    reference: Mapping[str, float] | pd.Series | None = None,
    reference_label: str = "average customer",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """One customer's value indicators (0-100) as labelled bars, with a reference mark.

    Bars rather than a radar chart: lengths on a common scale are read more
    accurately than areas, and the values are printed on the bars.
    """
    scores = pd.Series(scores, dtype=float)
    fig, ax = new_axes(ax, figsize=(7.0, 3.2))
    names = list(scores.index)[::-1]
    y = np.arange(len(names))
    ax.barh(y, scores[names], color=PALETTE["blue"], height=0.6)
    for yi, name in zip(y, names, strict=True):
        if np.isnan(scores[name]):  # the data leaves out what it is measured from
            ax.text(1.5, yi, "unknown in this data", va="center", fontsize=9, color="grey")
            continue
        ax.text(scores[name] + 1.5, yi, f"{scores[name]:.0f}", va="center", fontsize=9)
    if reference is not None:
        ref = pd.Series(reference, dtype=float)
        ax.scatter(
            ref[names],
            y,
            marker="|",
            s=400,
            color=PALETTE["vermillion"],
            zorder=3,
            label=reference_label,
        )
        # outside the bars, so the mark's label never covers a bar's value
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_yticks(y, [labels.get(n, n) if labels else n for n in names])
    ax.set_xlim(0, 110)
    ax.set_xlabel("Score (0-100)")
    set_title(ax, title or "Where is this customer strong or weak?")
    return fig


def rfm_segment_shares(
    summary: pd.DataFrame,
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Each RFM segment's share of customers beside its share of revenue, as paired bars.

    `summary` is `classification.rfm_segment_summary(...)` (columns `customers` and
    `revenue_share`, one row per segment). The question: which segments carry the
    revenue, and which are many customers who bring little? The default title names
    the segment with the largest revenue share.
    """
    customers = summary["customers"] / summary["customers"].sum()
    revenue = summary["revenue_share"].astype(float)
    order = list(revenue.sort_values().index)  # largest revenue share on top
    fig, ax = new_axes(ax, figsize=(7.5, 0.8 + 0.5 * len(order)))
    y = np.arange(len(order))
    h = 0.38
    pairs = (
        ("customers", customers, PALETTE["sky"], h / 2),
        ("revenue", revenue, PALETTE["blue"], -h / 2),
    )
    for label, values, colour, shift in pairs:
        v = values[order].to_numpy(dtype=float)
        ax.barh(y + shift, v, height=h, color=colour, label=f"share of {label}")
        for yi, vi in zip(y + shift, v, strict=True):
            ax.text(vi + 0.005, yi, f"{vi:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, [str(s) for s in order])
    top = max(float(customers.max()), float(revenue.max()))
    ax.set_xlim(0, top * 1.15 + 0.02)
    percent_axis(ax, "x")
    ax.legend(loc="lower right", fontsize=9)
    ax.set_xlabel("Share of all scored customers / of their revenue")
    if title is None:
        best = revenue.idxmax()
        title = f"{best}: {customers[best]:.0%} of customers bring {revenue[best]:.0%} of revenue"
    set_title(ax, title)
    return fig
