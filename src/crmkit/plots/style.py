"""The workbook's look: palette, style, axes helpers and PNG output, shared by every chart.

One place for the colour-blind-safe Okabe-Ito palette, the house style and the
title and percent helpers, so all lessons look the same.
"""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe & Ito (2008), the usual colour-blind-safe qualitative palette.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#7F7F7F",
    "black": "#000000",
}
CLASS_COLOURS = {
    "A": PALETTE["blue"],
    "B": PALETTE["orange"],
    "C": PALETTE["grey"],
    "D": PALETTE["vermillion"],
}
SEQUENTIAL_CMAP = "cividis"  # perceptually uniform and colour-blind safe
DIVERGING_CMAP = "PuOr"

STYLE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "svg.hashsalt": "crmkit",  # stable SVG ids: no random output
    # Glyphs unhinted: the same look at screen size, and about a fifth less drawing time,
    # which keeps the live explorers' redraws within their 100 ms budget.
    "text.hinting": "no_hinting",
}


def apply_style() -> None:
    """Set the workbook look, and let a notebook show a returned Figure as a PNG.

    The chart functions build figures without pyplot (no global state, nothing
    to close), so IPython is told here how to display a bare Figure.
    """
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the workbook
        return
    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")


def new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize or STYLE["figure.figsize"], layout="constrained")
        return fig, fig.add_subplot()


def set_title(ax: Axes, text: str) -> None:
    """Titles in the workbook style (left, bold), whatever rcParams are active."""
    ax.set_title(text, loc="left", fontsize=12, fontweight="bold")


def percent_axis(ax: Axes, axis: str = "y") -> None:
    fmt = mpl.ticker.PercentFormatter(xmax=1.0, decimals=0)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (explorers put these in an Image widget)."""
    from io import BytesIO

    buffer = BytesIO()
    with mpl.rc_context({"text.hinting": STYLE["text.hinting"]}):  # applied when drawn
        # zlib level 1: an explorer's chart encodes in a third of the default's time, for
        # a file about a tenth larger
        fig.savefig(
            buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1}
        )
    return buffer.getvalue()
