"""Charts of lesson 01 (customer classification): Pareto curve, indicator profile, heatmap, bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmkit.plots.style import (
    CLASS_COLOURS,
    DIVERGING_CMAP,
    PALETTE,
    SEQUENTIAL_CMAP,
    new_axes,
    percent_axis,
    set_title,
)


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
        ax.legend(loc="lower right", fontsize=9)
    ax.set_yticks(y, [labels.get(n, n) if labels else n for n in names])
    ax.set_xlim(0, 110)
    ax.set_xlabel("Score (0-100)")
    set_title(ax, title or "Where is this customer strong or weak?")
    return fig


def segment_heatmap(
    table: pd.DataFrame,
    *,
    fmt: str = "{:,.0f}",
    title: str = "",
    colorbar_label: str = "",
    cmap: str = SEQUENTIAL_CMAP,
    center: float | None = None,
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """A table of numbers (rows x columns, e.g. format x market) as an annotated heatmap.

    Every cell carries its number, so the colour bar is optional (explorers drop it).
    """
    values = table.to_numpy(dtype=float)
    fig, ax = new_axes(ax, figsize=(1.6 + 1.3 * table.shape[1], 1.2 + 0.55 * table.shape[0]))
    if center is not None and np.isfinite(values).any():
        span = np.nanmax(np.abs(values - center)) or 1.0
        norm = mpl.colors.Normalize(center - span, center + span)
        cmap = DIVERGING_CMAP if cmap == SEQUENTIAL_CMAP else cmap
    else:
        norm = None
    image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto")
    colormap = image.cmap
    for (i, j), v in np.ndenumerate(values):
        if np.isnan(v):
            continue
        r, g, b, _ = colormap(image.norm(v))
        ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
        ax.text(j, i, fmt.format(v), ha="center", va="center", color=ink, fontsize=9)
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
    ax.set_xlabel(str(table.columns.name or ""))
    ax.set_ylabel(str(table.index.name or ""))
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if colorbar:
        fig.colorbar(image, ax=ax, label=colorbar_label, shrink=0.8)
    set_title(ax, title)
    return fig


def bar_by_group(
    values: pd.Series,
    *,
    fmt: str = "{:,.0f}",
    title: str = "",
    xlabel: str = "",
    highlight: Sequence[str] = (),
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of one number per group, labelled, largest on top."""
    values = values.sort_values()
    fig, ax = new_axes(ax, figsize=(7.0, 0.6 + 0.45 * len(values)))
    colours = [
        PALETTE["vermillion"] if str(k) in highlight else PALETTE["blue"] for k in values.index
    ]
    ax.barh([str(k) for k in values.index], values.to_numpy(), color=colours, height=0.6)
    span = float(values.abs().max() or 1.0)
    for i, v in enumerate(values.to_numpy()):
        ax.text(
            v + span * 0.01 * np.sign(v or 1),
            i,
            fmt.format(v),
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=9,
        )
    ax.axvline(0, color=PALETTE["black"], lw=0.8)
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    ax.set_xlim(low - (0.3 * span if low < 0 else 0), high + 0.25 * span)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    set_title(ax, title)
    return fig
