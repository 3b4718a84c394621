"""Charts of the satisfaction lesson: where service falls short of what customers expect
(gap scores with their intervals), which dimension to work on first (importance against
performance in Martilla and James's four quadrants), the net promoter score with its
interval, whether satisfied customers are loyal ones (SA2), and how much value each
call-back plan covers. Labels are in English only: the Chinese terms sit in the tables
beside the charts, as no CJK font can be assumed to be installed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from crmkit.errors import CrmkitError, MissingData
from crmkit.plots.style import PALETTE, new_axes, percent_axis, set_title

#: Colours of the four quadrants of importance–performance analysis (Martilla and James
#: 1977), the same names as `crmkit.satisfaction.QUADRANTS`; "concentrate here" stands out.
QUADRANT_COLOURS = {
    "concentrate here": PALETTE["vermillion"],
    "keep up the good work": PALETTE["blue"],
    "low priority": PALETTE["grey"],
    "possible overkill": PALETTE["orange"],
}
#: Where each quadrant's name is printed: the corner of the axes inside that quadrant
#: (importance up, performance to the right).
QUADRANT_CORNERS = {
    "concentrate here": (0.01, 0.99, "left", "top"),
    "keep up the good work": (0.99, 0.99, "right", "top"),
    "low priority": (0.01, 0.01, "left", "bottom"),
    "possible overkill": (0.99, 0.01, "right", "bottom"),
}
#: Gap colours: falling short of expectations, and meeting or beating them.
SHORT, BEYOND = PALETTE["vermillion"], PALETTE["blue"]
#: Satisfaction bands from low to high (by position in the table).
_BANDS = [PALETTE["vermillion"], PALETTE["grey"], PALETTE["blue"]]
_CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "grey")]
MINUS = "\N{MINUS SIGN}"
#: The width of one character of a quadrant's name as a share of the axes' width (9 pt
#: on the 8-inch figure of `ipa_chart`).
_NAME_WIDTH = 0.0105


def _check(table: pd.DataFrame, name: str, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise CrmkitError(f"the {name} table lacks the column(s) {missing}")
    if table.empty:
        raise MissingData(f"the {name} table has no rows, so there is nothing to chart")


def _signed(value: float, decimals: int = 2) -> str:
    """ "+0.42", "−1.16" (a true minus, as on the axes), "0.00" when it rounds to zero."""
    if not np.isfinite(value):
        return "unknown"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{value:+.{decimals}f}".replace("-", MINUS)


def _span(values: np.ndarray, pad: float) -> tuple[float, float]:
    """Limits holding every finite value, with `pad` of their span either side."""
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    width = hi - lo or max(abs(hi) * 0.1, 0.1)
    return lo - pad * width, hi + pad * width


def _errors(centre: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above (zero where a bound is unknown)."""
    return np.nan_to_num(np.vstack([centre - low, high - centre]), nan=0.0)


def gap_chart(gaps: pd.DataFrame, *, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Gap scores (`satisfaction.gap_scores`): perception minus expectation per dimension,
    a bar with its 95% interval, below zero where service falls short of what customers
    expect; the overall rows (names starting "overall") sit apart below a line."""
    _check(gaps, "gap scores", ["gap", "low", "high"])
    is_overall = np.array([str(i).startswith("overall") for i in gaps.index])
    table = pd.concat([gaps[~is_overall], gaps[is_overall]])
    n_dims, n_all = int((~is_overall).sum()), int(is_overall.sum())
    fig, ax = new_axes(ax, figsize=(8.0, 1.3 + 0.42 * len(table)))
    y = np.concatenate([n_all + 0.6 + np.arange(n_dims)[::-1], np.arange(n_all)[::-1]])
    gap = table["gap"].to_numpy(float)
    low, high = table["low"].to_numpy(float), table["high"].to_numpy(float)
    colours = [SHORT if g < 0 else BEYOND for g in gap]
    overall = np.array([str(i).startswith("overall") for i in table.index])
    bars = ax.barh(y, gap, color=colours, height=0.6)
    for bar, whole in zip(bars, overall, strict=True):
        if whole:  # set apart: pale fill, outlined in the same colour
            bar.set_facecolor((*bar.get_facecolor()[:3], 0.35))
            bar.set_edgecolor(bar.get_facecolor()[:3])
            bar.set_linewidth(1.2)
    ax.errorbar(
        gap, y, xerr=_errors(gap, low, high), fmt="none", ecolor=PALETTE["black"], capsize=3, lw=1
    )
    for yi, g, lo, hi in zip(y, gap, low, high, strict=True):
        if g < 0:
            end = np.nanmin([g, lo])
            ax.text(end, yi, f"{_signed(g)}  ", ha="right", va="center", fontsize=9)
        else:
            end = np.nanmax([g, hi])
            ax.text(end, yi, f"  {_signed(g)}", ha="left", va="center", fontsize=9)
    ax.axvline(0, color=PALETTE["black"], lw=0.8)
    if n_dims and n_all:
        ax.axhline(n_all - 0.2, color=PALETTE["grey"], ls="--", lw=0.8)
    # a long name ("overall, weighted by importance") on two lines, so the title has room
    ax.set_yticks(
        y, [str(i).replace(", ", ",\n") if len(str(i)) > 20 else str(i) for i in table.index]
    )
    for label, whole in zip(ax.get_yticklabels(), overall, strict=True):
        if whole:
            label.set_fontstyle("italic")
    ax.set_xlim(*_span(np.concatenate([gap, low, high, [0.0]]), 0.2))
    ax.set_ylim(-0.6, y.max() + 0.6)
    ax.set_xlabel(
        "perception minus expectation, in points of the 1-to-7 scale (line: 95% interval)"
    )
    dims = table[~overall]
    if (dims["gap"] < 0).any():
        worst = dims["gap"].idxmin()
        default = f"Service falls furthest short of expectations on {worst}"
    else:
        default = "Service meets or beats what customers expect on every dimension"
    set_title(ax, title or default)
    return fig


def ipa_chart(
    ipa: pd.DataFrame,
    *,
    importance_label: str = "stated importance (mean, 1 to 7)",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Importance–performance analysis (`satisfaction.importance_performance`, Martilla and
    James 1977): each dimension placed by performance (mean perception, across) and
    importance (up), the crosshairs of `ipa.attrs["crosshairs"]` as dashed lines, and the
    four quadrants named in their corners. With derived importance (a correlation) pass
    `importance_label` to say so."""
    _check(ipa, "importance-performance", ["importance", "performance", "quadrant"])
    cross = ipa.attrs.get("crosshairs")
    if not cross:
        raise CrmkitError(
            "the importance-performance table lacks its crosshairs (attrs['crosshairs']): "
            "make it with satisfaction.importance_performance"
        )
    fig, ax = new_axes(ax, figsize=(8.0, 5.0))
    x = ipa["performance"].to_numpy(float)
    y = ipa["importance"].to_numpy(float)
    cx, cy = float(cross["performance"]), float(cross["importance"])
    colours = [QUADRANT_COLOURS.get(str(q), PALETTE["black"]) for q in ipa["quadrant"]]
    ax.axvline(cx, color=PALETTE["grey"], ls="--", lw=1)
    ax.axhline(cy, color=PALETTE["grey"], ls="--", lw=1)
    ax.scatter(x, y, color=colours, s=60, zorder=3)
    left, right = _span(np.append(x, cx), 0.15)
    bottom, top = _span(np.append(y, cy), 0.22)  # room for the quadrant names
    # a crosshair near a side would run through the names printed there: widen that side
    # until the names fit beside it (their width guessed from their length)
    need_left, need_right = (
        _NAME_WIDTH * max(len(q) for q, c in QUADRANT_CORNERS.items() if c[2] == side) + 0.03
        for side in ("left", "right")
    )
    if (cx - left) / (right - left) < need_left:
        left = (cx - need_left * right) / (1 - need_left)
    if (right - cx) / (right - left) < need_right:
        right = (cx - need_right * left) / (1 - need_right)
    middle = (left + right) / 2
    for name, xi, yi in zip(ipa.index, x, y, strict=True):
        inward = "left" if xi <= middle else "right"  # labels point to the middle
        ax.annotate(
            str(name),
            (xi, yi),
            xytext=(7 if inward == "left" else -7, 0),
            textcoords="offset points",
            ha=inward,
            va="center",
            fontsize=9,
        )
    for quadrant, (qx, qy, ha, va) in QUADRANT_CORNERS.items():
        ax.text(
            qx,
            qy,
            quadrant,
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=9,
            fontstyle="italic",
            color=QUADRANT_COLOURS[quadrant],
        )
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_xlabel("performance (mean perception, 1 to 7; dashed lines: crosshairs)")
    ax.set_ylabel(importance_label)
    focus = [str(d) for d in ipa.index[ipa["quadrant"] == "concentrate here"]]
    if focus:
        names = focus[0] if len(focus) == 1 else ", ".join(focus[:-1]) + " and " + focus[-1]
        default = f"Concentrate on {names}: high importance, low performance"
    else:
        default = "No dimension is both highly important and low in performance"
    set_title(ax, title or default)
    return fig


def _points(share: float) -> str:
    """An NPS share (−1 to 1) in points (−100 to 100), signed: "+20", "−14", "0"."""
    if not np.isfinite(share):
        return "unknown"
    points = int(round(share * 100))
    return "0" if points == 0 else f"{points:+d}".replace("-", MINUS)


def nps_chart(table: pd.DataFrame, *, title: str | None = None, ax: Axes | None = None) -> Figure:
    """The net promoter score per group (`satisfaction.nps` per quarter or per tier), in
    points (−100 to 100): a dot at the score and a line over its 95% interval, in the
    table's order (quarters in time order stay so); where two lines overlap the data
    cannot tell the groups apart. Each group's number of respondents is under its name."""
    _check(table, "net promoter score", ["respondents", "nps", "low", "high"])
    n = len(table)
    fig, ax = new_axes(ax, figsize=(min(10.0, max(5.0, 1.6 + 0.8 * n)), 4.2))
    x = np.arange(n)
    score = table["nps"].to_numpy(float)
    low, high = table["low"].to_numpy(float), table["high"].to_numpy(float)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.vlines(x, low, high, color=PALETTE["blue"], lw=3, alpha=0.6)
    ax.scatter(x, score, color=PALETTE["blue"], s=40, zorder=3)
    for xi, s in zip(x, score, strict=True):
        ax.annotate(
            _points(s),
            (xi, s),
            xytext=(7, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9,
        )
    ax.set_xticks(
        x,
        [
            f"{g}\n{int(r):,} answers"
            for g, r in zip(table.index, table["respondents"], strict=True)
        ],
        fontsize=8,
    )
    ax.set_xlim(-0.6, n - 0.4)
    bottom, top = _span(np.concatenate([low, high, score, [0.0]]), 0.15)
    ax.set_ylim(max(bottom, -1.05), min(top, 1.05))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}".replace("-", MINUS)))
    ax.set_ylabel("net promoter score, points (line: 95% interval)")
    if table.index.name:
        ax.set_xlabel(str(table.index.name))
    set_title(ax, title or "Net promoter score with its 95% interval")
    return fig


#: The loyalty measures of `loyalty_chart`: column, its interval's columns, and the label.
_LOYALTY = [
    ("repeat_rate", "repeat_low", "repeat_high", "bought again\n(repeat rate)"),
    ("share_of_wallet", None, None, "share of wallet\n(their spending with us)"),
    ("churn_rate", "churn_low", "churn_high", "left us\n(churn rate)"),
]


def loyalty_chart(
    table: pd.DataFrame, *, title: str | None = None, ax: Axes | None = None
) -> Figure:
    """Repeat rate, share of wallet and churn rate per satisfaction band (low to high in
    the table's order), side by side per measure with the 95% intervals where the table
    gives them: how much more loyal the satisfied are (SA2: satisfied is not loyal)."""
    columns = [c for measure in _LOYALTY for c in measure[:3] if c] + ["respondents"]
    _check(table, "loyalty by satisfaction", columns)
    fig, ax = new_axes(ax, figsize=(8.5, 4.5))
    n = len(table)
    width = 0.8 / n
    colours = _BANDS if n == len(_BANDS) else [_CYCLE[i % len(_CYCLE)] for i in range(n)]
    tops = []
    for j, (band, colour) in enumerate(zip(table.index, colours, strict=True)):
        row = table.loc[band]
        x = np.arange(len(_LOYALTY)) + (j - (n - 1) / 2) * width
        value = np.array([row[m[0]] for m in _LOYALTY], dtype=float)
        low = np.array([row[m[1]] if m[1] else np.nan for m in _LOYALTY], dtype=float)
        high = np.array([row[m[2]] if m[2] else np.nan for m in _LOYALTY], dtype=float)
        ax.bar(x, value, width=width * 0.92, color=colour)
        shown = np.isfinite(low) & np.isfinite(high)
        ax.errorbar(
            x[shown],
            value[shown],
            yerr=_errors(value[shown], low[shown], high[shown]),
            fmt="none",
            ecolor=PALETTE["black"],
            capsize=3,
            lw=1,
        )
        for xi, v, hi in zip(x, value, high, strict=True):
            end = np.nanmax([v, hi])
            ax.text(xi, end, f"{v:.0%}", ha="center", va="bottom", fontsize=8)
            tops.append(end)
    ax.set_xticks(np.arange(len(_LOYALTY)), [m[3] for m in _LOYALTY])
    ax.set_ylim(0, min(1.0, float(np.nanmax(tops))) * 1.15 + 0.02)
    percent_axis(ax, "y")
    ax.set_ylabel("share (line: 95% interval, where known)")
    handles = [
        Patch(color=c, label=f"{band}: {int(r):,}")
        for band, c, r in zip(table.index, colours, table["respondents"], strict=True)
    ]
    ax.legend(
        handles=handles,
        fontsize=8,
        title="satisfaction (respondents)",
        title_fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    set_title(ax, title or "Do satisfied customers stay and buy more?")
    return fig


def plan_value_chart(
    comparison: pd.DataFrame,
    *,
    fmt: str = "{:,.0f}",
    value_label: str = "value covered",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The value each call-back plan covers (the planner's comparison, one row per plan),
    a bar each in the table's order (first on top), labelled with the value, the contacts
    made and the minutes used of the capacity."""
    _check(comparison, "plan comparison", ["value", "contacts", "minutes_used", "capacity_minutes"])
    fig, ax = new_axes(ax, figsize=(8.0, 1.3 + 0.55 * len(comparison)))
    y = np.arange(len(comparison))[::-1]
    value = comparison["value"].to_numpy(float)
    colours = [_CYCLE[i % len(_CYCLE)] for i in range(len(comparison))]
    ax.barh(y, value, color=colours, height=0.6)
    for yi, row in zip(y, comparison.itertuples(), strict=True):
        ax.text(
            max(row.value, 0.0),
            yi,
            f"  {fmt.format(row.value)} from {int(row.contacts):,} contacts,"
            f" {row.minutes_used:,.0f} of {row.capacity_minutes:,.0f} minutes",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(y, [str(p) for p in comparison.index])
    ax.set_xlim(0, max(float(np.nanmax(value)), 0.0) * 2.1 or 1.0)  # room for the labels
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(value_label)
    set_title(ax, title or "How much value each plan covers")
    return fig
