"""Charts of the customer-base models lesson: does the model fit (repeat-purchase histogram,
calibration against holdout), who is still a customer (the P(alive) matrix), and one
customer's P(alive) month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from crmkit.plots.lifecycle import STAGE_COLOURS, stage_bands
from crmkit.plots.style import PALETTE, SEQUENTIAL_CMAP, new_axes, percent_axis, set_title


def repeat_histogram(table: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """Customers by repeat purchases in the calibration period, actual bars beside the
    model's: `alive.repeat_histogram(...)`."""
    fig, ax = new_axes(ax, figsize=(8.0, 3.8))
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["actual"], width=0.4, color=PALETTE["blue"], label="actual")
    ax.bar(x + 0.2, table["model"], width=0.4, color=PALETTE["orange"], label="model")
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel(str(table.index.name or "repeat purchases"))
    ax.set_ylabel("customers")
    ax.legend(fontsize=9)
    set_title(ax, title or "Repeat purchases in calibration: the data against the model")
    return fig


def holdout_check(table: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """Mean purchases in the holdout period, actual against predicted, by repeat purchases
    in calibration: `alive.holdout_check(...)`."""
    fig, ax = new_axes(ax, figsize=(8.0, 3.8))
    x = np.arange(len(table))
    ax.plot(x, table["actual"], color=PALETTE["blue"], lw=2, marker="o", label="actual")
    ax.plot(
        x, table["predicted"], color=PALETTE["orange"], lw=2, ls="--", marker="s", label="model"
    )
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel(str(table.index.name or "repeat purchases in calibration"))
    ax.set_ylabel("purchases per customer in the holdout")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=9)
    set_title(ax, title or "A year the model never saw: predicted against actual purchases")
    return fig


def _frequency_recency(matrix: pd.DataFrame, label: str, percent: bool, title: str, ax) -> Figure:
    fig, ax = new_axes(ax, figsize=(8.0, 5.2))
    values = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    top = 1.0 if percent else float(np.nanmax(matrix.to_numpy(dtype=float)))
    image = ax.imshow(values, aspect="auto", cmap=SEQUENTIAL_CMAP, vmin=0, vmax=top, origin="lower")
    ax.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index], fontsize=8)
    ax.set_xticks(range(len(matrix.columns)), [f"{c:g}" for c in matrix.columns], fontsize=8)
    ax.set_ylabel(str(matrix.index.name))
    ax.set_xlabel(str(matrix.columns.name))
    bar = fig.colorbar(image, ax=ax, fraction=0.05)
    bar.set_label(label)
    if percent:
        bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    set_title(ax, title)
    return fig


def alive_matrix(matrix: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """P(alive) by repeat purchases (rows) and weeks from first to last purchase (columns):
    `alive.alive_matrix(...)`. Brighter is more likely still a customer."""
    return _frequency_recency(
        matrix,
        "probability still a customer",
        True,
        title or "Recent buyers are alive; a long silence after frequent buying is not",
        ax,
    )


def purchases_matrix(
    matrix: pd.DataFrame, weeks: float, *, title: str | None = None, ax=None
) -> Figure:
    """Purchases to expect in the next `weeks` weeks by repeat purchases (rows) and weeks
    from first to last purchase (columns): `alive.purchases_matrix(...)`."""
    return _frequency_recency(
        matrix,
        f"purchases expected in the next {weeks:g} weeks",
        False,
        title or "The most to expect from frequent buyers who bought lately",
        ax,
    )


def alive_history(
    history: pd.DataFrame,
    *,
    truth: pd.Series | None = None,
    threshold: float | None = None,
    title: str | None = None,
) -> Figure:
    """One customer's P(alive) at each month end (line), the months with an order (dots at
    the bottom), the alarm threshold (dotted) and, where given, the true stage as coloured
    bands. `history` has columns month, p_alive and orders (orders placed that month)."""
    fig, ax = new_axes(None, figsize=(8.0, 4.2))
    x = np.arange(len(history))
    if truth is not None:
        values = truth.astype(str).to_numpy()
        stage_bands(ax, x, truth.reset_index(drop=True), alpha=0.3)
        shown = [s for s in STAGE_COLOURS if s in set(values)]
        handles = [Patch(color=STAGE_COLOURS[s], alpha=0.5, label=f"true: {s}") for s in shown]
    else:
        handles = []
    ax.plot(x, history["p_alive"].to_numpy(dtype=float), color=PALETTE["black"], lw=2)
    bought = history["orders"].to_numpy() > 0
    ax.plot(x[bought], np.full(bought.sum(), 0.02), "o", color=PALETTE["blue"], ms=5)
    if threshold is not None:
        ax.axhline(threshold, color=PALETTE["vermillion"], ls=":", lw=1.5)
        ax.text(
            x[-1],
            threshold,
            f"alarm below {threshold:.0%} ",
            ha="right",
            va="bottom",
            fontsize=8,
            color=PALETTE["vermillion"],
        )
    ax.set_ylim(0, 1.05)
    percent_axis(ax, "y")
    ax.set_ylabel("probability still a customer")
    labels = [str(m) for m in history["month"]]
    step = max(1, len(labels) // 9)
    ax.set_xticks(x[::step], labels[::step], fontsize=8)
    ax.set_xlim(-0.5, len(x) - 0.5)
    handles.append(
        Line2D([], [], marker="o", ls="", color=PALETTE["blue"], label="an order that month")
    )
    ax.legend(
        handles=handles,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(handles) if len(handles) <= 4 else (len(handles) + 1) // 2,
        frameon=False,
    )
    set_title(ax, title or "P(alive) month by month: it jumps with each order, falls in silence")
    return fig
