"""Charts of the complaints lesson: which causes to fix first (the Pareto), how long
customers wait (typical and slow tail against the target), what customers wanted and got,
who leaves after a complaint (rates with their intervals), and how long customers stay
(Kaplan-Meier curves with bands). Labels are in English only: the Chinese terms sit in the
tables beside the charts, as no CJK font can be assumed to be installed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from crmkit.plots.general import segment_heatmap
from crmkit.plots.style import PALETTE, new_axes, percent_axis, set_title

#: Colours of the complaint-history groups, the same in every chart.
GROUP_COLOURS = {
    "no complaint": PALETTE["grey"],
    "resolved well": PALETTE["blue"],
    "not resolved well": PALETTE["vermillion"],
    "satisfaction not asked": PALETTE["orange"],
}
_CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "grey")]


def cause_pareto(
    pareto: pd.DataFrame, *, vital: list[str] | None = None, title: str | None = None, ax=None
) -> Figure:
    """Complaints per cause, most frequent first, with the running share: the causes that
    bring most complaints stand out (`complaint_kpis.cause_pareto`)."""
    fig, ax = new_axes(ax, figsize=(8.5, 4.2))
    x = np.arange(len(pareto))
    vital = set(vital or [])
    colours = [PALETTE["blue"] if c in vital else PALETTE["sky"] for c in pareto.index]
    ax.bar(x, pareto["complaints"], color=colours)
    for xi, n in zip(x, pareto["complaints"], strict=True):
        ax.text(xi, n, f"{int(n):,}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [str(c) for c in pareto.index], fontsize=8)
    ax.set_ylabel("complaints")
    share = ax.twinx()
    share.plot(x, pareto["cumulative_share"], color=PALETTE["vermillion"], marker="o", lw=2)
    share.axhline(0.8, color=PALETTE["grey"], ls=":", lw=1)
    share.set_ylim(0, 1.05)
    share.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    share.set_ylabel("running share of complaints")
    share.spines["right"].set_visible(True)
    set_title(ax, title or "A few causes bring most complaints")
    return fig


def handling_times(
    table: pd.DataFrame,
    kind: str = "response",
    *,
    target: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """Per group of a KPI table (`complaint_kpis.kpis(..., by=...)`): the median time (bar),
    the 90th percentile (the slow tail, a line to it) and the mean (a dot), in hours."""
    if kind not in ("response", "resolution"):
        raise ValueError("kind is 'response' or 'resolution'")
    fig, ax = new_axes(ax, figsize=(8.0, 1.4 + 0.45 * max(len(table), 1)))
    y = np.arange(len(table))[::-1]
    median = table[f"{kind}_median_h"].to_numpy(float)
    p90 = table[f"{kind}_p90_h"].to_numpy(float)
    mean = table[f"{kind}_mean_h"].to_numpy(float)
    ax.barh(y, median, color=PALETTE["blue"], height=0.55)
    ax.hlines(y, median, p90, color=PALETTE["vermillion"], lw=2)
    ax.plot(p90, y, "|", color=PALETTE["vermillion"], ms=12, mew=2)
    ax.plot(mean, y, "o", color=PALETTE["black"], ms=5)
    for yi, m, p in zip(y, median, p90, strict=True):
        if np.isfinite(p):
            ax.text(p, yi, f"  {m:,.1f} h typical, {p:,.1f} h slow", va="center", fontsize=8)
    if target is not None:
        ax.axvline(target, color=PALETTE["green"], ls="--", lw=1.5)
        ax.text(target, y[0] + 0.45, f" target {target:g} h", color=PALETTE["green"], fontsize=8)
    ax.set_yticks(y, [str(i) for i in table.index])
    to = "the first response" if kind == "response" else "resolution"
    ax.set_xlabel(f"hours to {to} (bar: median; line: on to the 90th percentile; dot: mean)")
    ax.set_xlim(0, (np.nanmax(p90) if np.isfinite(p90).any() else 1) * 1.45)
    what = "first response" if kind == "response" else "resolution"
    set_title(ax, title or f"Hours to {what}: the typical wait and the slow tail")
    return fig


def wants_chart(summary: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """The share of complaints whose handling met each of the five wants of CO3
    (`complaint_kpis.wants_summary`), the least-met first."""
    fig, ax = new_axes(ax, figsize=(8.0, 3.2))
    y = np.arange(len(summary))[::-1]
    ax.barh(y, summary["met"], color=PALETTE["blue"], height=0.6)
    for yi, v in zip(y, summary["met"], strict=True):
        ax.text(v, yi, f" {v:.0%}", va="center", fontsize=9)
    ax.set_yticks(y, list(summary["want"]))
    ax.set_xlim(0, 1.12)
    percent_axis(ax, "x")
    ax.set_xlabel("share of complaints whose handling met it")
    set_title(ax, title or "What complaining customers want, and how often they got it")
    return fig


def rate_chart(
    rates: pd.DataFrame, *, what: str = "left within six months", title: str | None = None, ax=None
) -> Figure:
    """Churn rate per group with its confidence interval (`churn.churn_rates`): a dot and
    a line; where two lines overlap the data cannot tell the groups apart."""
    fig, ax = new_axes(ax, figsize=(8.0, 0.9 + 0.42 * max(len(rates), 1)))
    y = np.arange(len(rates))[::-1]
    colours = [GROUP_COLOURS.get(str(g), PALETTE["blue"]) for g in rates.index]
    ax.hlines(y, rates["low"], rates["high"], color=colours, lw=3, alpha=0.6)
    ax.scatter(rates["rate"], y, color=colours, s=40, zorder=3)
    for yi, r, hi, n in zip(y, rates["rate"], rates["high"], rates["customers"], strict=True):
        ax.text(hi, yi, f"  {r:.0%} of {int(n):,}", va="center", fontsize=8)
    ax.set_yticks(y, [str(g) for g in rates.index])
    ax.set_xlim(0, min(1.0, float(rates["high"].max()) * 1.3 + 0.05))
    percent_axis(ax, "x")
    ax.set_xlabel(f"share of customers who {what} (95% interval)")
    set_title(ax, title or f"Who {what}")
    return fig


def survival_chart(
    curves: pd.DataFrame, *, months: float | None = None, title: str | None = None, ax=None
) -> Figure:
    """Kaplan-Meier curves (`churn.survival_curves`): the share of customers still with us
    month by month after the starting day, each with its 95% band."""
    fig, ax = new_axes(ax, figsize=(8.0, 4.2))
    handles = []
    for i, (key, curve) in enumerate(curves.groupby("group", sort=False)):
        colour = GROUP_COLOURS.get(str(key), _CYCLE[i % len(_CYCLE)])
        ax.step(curve["months"], curve["surviving"], where="post", color=colour, lw=2)
        ax.fill_between(
            curve["months"],
            curve["low"],
            curve["high"],
            step="post",
            color=colour,
            alpha=0.15,
            lw=0,
        )
        handles.append(
            Line2D([], [], color=colour, lw=2, label=f"{key} ({int(curve['at_risk'].iloc[0]):,})")
        )
    if months is not None:
        ax.axvline(months, color=PALETTE["grey"], ls=":", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    percent_axis(ax, "y")
    ax.set_xlabel("months after the starting day")
    ax.set_ylabel("still a customer")
    ax.legend(
        handles=handles, fontsize=8, loc="lower left", title="group (customers)", title_fontsize=8
    )
    set_title(ax, title or "How long customers stay, by group")
    return fig


def retention_heatmap(table: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """The cohort retention table (`churn.cohort_retention`) as a heat map: each row a
    cohort, each column the periods since its first order, each cell the share ordering."""
    shares = table.drop(columns="customers")
    shares.index = [f"{c} ({n:,})" for c, n in zip(table.index, table["customers"], strict=True)]
    shares.index.name = "first order in (customers)"
    shares.columns.name = "periods since the first order"
    fig = segment_heatmap(
        shares,
        fmt="{:.0%}",
        title=title or "Each cohort's share still ordering, period by period",
        colorbar=False,
        ax=ax,
    )
    fig.set_size_inches(max(7.0, 1.6 + 0.62 * shares.shape[1]), 1.2 + 0.42 * shares.shape[0])
    return fig
