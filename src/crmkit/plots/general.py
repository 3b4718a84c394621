"""General charts any lesson uses: an annotated heatmap of a table and labelled bars by group."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmkit.plots.style import DIVERGING_CMAP, PALETTE, SEQUENTIAL_CMAP, new_axes, set_title


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
