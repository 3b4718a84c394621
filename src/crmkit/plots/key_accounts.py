"""Charts of lesson 05 (key accounts): criteria met, the list over time, the effect of a rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from crmkit.plots.style import PALETTE, new_axes, set_title

#: Colour of each change of `key_accounts.compare_rules`.
CHANGE_COLOURS = {
    "enters": PALETTE["green"],
    "leaves": PALETTE["vermillion"],
    "stays": PALETTE["blue"],
}


def list_over_time(changes: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """Key accounts at each period end: those who stayed, joined (up) and left (down) (KA1).

    `changes` is `key_accounts.key_account_changes(...)`; the first row has no comparison.
    """
    fig, ax = new_axes(ax, figsize=(7.0, 3.8))
    labels = [str(i) for i in changes.index]
    joined = changes["joined"].fillna(0).to_numpy(dtype=float)
    left = changes["left"].fillna(0).to_numpy(dtype=float)
    stayed = changes["key_accounts"].to_numpy(dtype=float) - joined
    kept = ax.bar(labels, stayed, color=PALETTE["blue"], label="on the list the year before too")
    for bar, first in zip(kept, changes["joined"].isna().to_numpy(), strict=True):
        if first:  # the first period end has no earlier list to compare with
            bar.set_color(PALETTE["grey"])
            bar.set_label("_first")
    ax.bar(labels, joined, bottom=stayed, color=PALETTE["green"], label="joined the list")
    ax.bar(labels, -left, color=PALETTE["vermillion"], label="left the list")
    for i, (s, j, lft) in enumerate(zip(stayed, joined, left, strict=True)):
        ax.text(i, s + j, f"{s + j:,.0f}", ha="center", va="bottom", fontsize=9)
        if lft:
            ax.text(i, -lft, f"−{lft:,.0f}", ha="center", va="top", fontsize=9)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    span = float(np.max(stayed + joined) or 1.0)
    ax.set_ylim(-float(left.max()) - 0.2 * span, span * 1.35)
    ax.set_ylabel("key accounts")
    handles, names = ax.get_legend_handles_labels()
    handles[0] = Patch(color=PALETTE["blue"])  # the container's first bar may be the grey one
    if changes["joined"].isna().any():
        handles.append(Patch(color=PALETTE["grey"]))
        names.append("first year: no earlier list to compare")
    ax.legend(handles, names, loc="upper left", fontsize=9, ncols=2)
    set_title(ax, title)
    return fig


def rule_change_chart(compared: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """How many key accounts stay, enter and leave when the rule changes (KA2).

    `compared` is `key_accounts.compare_rules(...)`.
    """
    counts = compared["change"].value_counts().reindex(list(CHANGE_COLOURS), fill_value=0)
    fig, ax = new_axes(ax, figsize=(6.5, 2.6))
    labels = [str(k) for k in counts.index]
    bars = ax.barh(labels, counts.to_numpy(), color=[CHANGE_COLOURS[k] for k in labels])
    ax.bar_label(bars, labels=[f" {v:,}" for v in counts.to_numpy()], fontsize=9)
    ax.set_xlim(0, float(counts.max() or 1) * 1.2)
    ax.invert_yaxis()
    ax.set_xlabel("customers, compared with the default rule")
    set_title(ax, title)
    return fig


def threshold_curve(
    counts: pd.Series,
    *,
    marked: float | None = None,
    xlabel: str = "",
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """The number of key accounts as one threshold of the rule moves; the default marked."""
    fig, ax = new_axes(ax, figsize=(7.0, 3.4))
    x = counts.index.to_numpy(dtype=float)
    ax.plot(x, counts.to_numpy(), color=PALETTE["blue"], marker="o", ms=3)
    if marked is not None:
        ax.axvline(marked, color=PALETTE["grey"], ls="--", lw=1)
        ax.text(marked, float(counts.max()), " default", color=PALETTE["grey"], va="top")
    ax.set_ylim(0, float(counts.max() or 1) * 1.15)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("key accounts")
    set_title(ax, title)
    return fig
