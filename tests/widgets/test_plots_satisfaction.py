"""The satisfaction lesson's charts draw what the tables hold: each gap and its interval,
every dimension in its quadrant with the quadrant names in their corners and nothing cut
off, the net promoter score in points, loyalty per satisfaction band, and the plans' value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.container import BarContainer, ErrorbarContainer

from crmkit import plots
from crmkit import satisfaction as sat
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData
from crmkit.plots import satisfaction as ps

MINUS = "\N{MINUS SIGN}"


@pytest.fixture(scope="module")
def surveys():
    return load_sample().surveys


def _gaps() -> pd.DataFrame:
    """A `gap_scores`-shaped table, the overall rows deliberately not last."""
    table = pd.DataFrame(
        {
            "chinese": ["可靠度", "", "响应度", "有形度", ""],
            "expectation": [6.2, np.nan, 6.0, 4.8, np.nan],
            "perception": [5.9, np.nan, 4.8, 5.2, np.nan],
            "importance": [6.1, np.nan, 6.3, 4.2, np.nan],
            "gap": [-0.27, -0.18, -1.16, 0.42, -0.24],
            "low": [-0.31, -0.21, -1.21, 0.38, -0.27],
            "high": [-0.22, -0.14, -1.11, 0.47, -0.20],
        },
        index=pd.Index(
            [
                "reliability",
                "overall",
                "responsiveness",
                "tangibles",
                "overall, weighted by importance",
            ],
            name="dimension",
        ),
    )
    return table


def _ipa(crosshairs=(5.0, 5.0)) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "chinese": ["可靠度", "有形度", "响应度", "同理度"],
            "importance": [6.1, 4.2, 6.3, 5.0],
            "performance": [5.9, 5.2, 4.8, 6.2],
            "quadrant": [
                "keep up the good work",
                "low priority",
                "concentrate here",
                "possible overkill",
            ],
        },
        index=pd.Index(["reliability", "tangibles", "responsiveness", "empathy"], name="dimension"),
    )
    table.attrs["crosshairs"] = {"importance": crosshairs[0], "performance": crosshairs[1]}
    return table


def _nps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondents": [1200, 430, 60],
            "promoters": [300, 150, 25],
            "passives": [436, 130, 15],
            "detractors": [464, 150, 20],
            "nps": [-0.1367, 0.0, 0.0833],
            "low": [-0.173, -0.07, -0.11],
            "high": [-0.099, 0.07, 0.27],
        },
        index=pd.Index(["2024Q1", "2024Q2", "2024Q3"], name="quarter"),
    )


def _loyalty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondents": [737, 611, 486],
            "repeat_rate": [0.61, 0.66, 0.69],
            "repeat_low": [0.57, 0.62, 0.65],
            "repeat_high": [0.65, 0.70, 0.73],
            "share_of_wallet": [0.34, 0.37, 0.40],
            "churn_rate": [0.22, 0.19, 0.17],
            "churn_low": [0.19, 0.16, 0.14],
            "churn_high": [0.25, 0.22, 0.21],
        },
        index=pd.Index(["low (1–6)", "middle (7–8)", "high (9–10)"], name="satisfaction"),
    )


def _plans() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": [18234.5, 15110.0],
            "contacts": [41, 36],
            "minutes_used": [478.0, 455.0],
            "capacity_minutes": [480.0, 480.0],
        },
        index=pd.Index(["optimal plan", "rule by hand"], name="plan"),
    )


def _errorbar_spans(ax, axis: int) -> list[tuple[float, float]]:
    """(low, high) of every interval drawn as an error bar, along x (0) or y (1)."""
    spans = []
    for container in ax.containers:
        if isinstance(container, ErrorbarContainer):
            for segment in container.lines[2][0].get_segments():
                spans.append((float(segment[0][axis]), float(segment[1][axis])))
    return spans


def _bars(ax):
    return [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches]


def _title(fig) -> str:
    return fig.axes[0].get_title(loc="left")


# gap chart -------------------------------------------------------------------------------


def test_gap_chart_draws_each_gap_and_interval_dimensions_first_then_overall():
    gaps = _gaps()
    fig = plots.gap_chart(gaps)
    ax = fig.axes[0]
    order = [
        "reliability",
        "responsiveness",
        "tangibles",
        "overall",
        "overall, weighted by importance",
    ]
    bars = _bars(ax)
    # top to bottom: the dimensions in the table's order, then the overall rows
    by_height = sorted(bars, key=lambda b: -b.get_y())
    assert [round(b.get_width(), 6) for b in by_height] == list(gaps.loc[order, "gap"])
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    ticks = dict(zip(labels, ax.get_yticks(), strict=True))
    assert sorted(labels, key=lambda name: -ticks[name]) == order
    # the intervals drawn are the table's bounds, row by row
    spans = _errorbar_spans(ax, 0)
    assert np.allclose(sorted(spans), sorted(zip(gaps["low"], gaps["high"], strict=True)))
    # shortfalls in one colour, gains in another; the overall rows paler
    for bar, name in zip(by_height, order, strict=True):
        colour = ps.SHORT if gaps.loc[name, "gap"] < 0 else ps.BEYOND
        assert tuple(bar.get_facecolor()[:3]) == pytest.approx(to_rgb(colour))
        assert (bar.get_facecolor()[3] < 1) == name.startswith("overall")
    # a line parts the dimensions from the overall rows, and zero is marked
    dims_low = min(ticks[d] for d in order[:3])
    overall_high = max(ticks[d] for d in order[3:])
    horizontal = [ln.get_ydata()[0] for ln in ax.lines if len(set(ln.get_ydata())) == 1]
    assert any(overall_high < y < dims_low for y in horizontal)
    assert any(set(ln.get_xdata()) == {0} for ln in ax.lines)
    # each gap labelled with its sign, a true minus for shortfalls
    texts = {t.get_text().strip() for t in ax.texts}
    assert texts == {f"{MINUS}0.27", f"{MINUS}0.18", f"{MINUS}1.16", "+0.42", f"{MINUS}0.24"}
    assert _title(fig) == "Service falls furthest short of expectations on responsiveness"


def test_gap_chart_limits_hold_every_interval_and_its_label():
    gaps = _gaps()
    ax = plots.gap_chart(gaps).axes[0]
    left, right = ax.get_xlim()
    assert left < gaps["low"].min() and right > gaps["high"].max()
    for text in ax.texts:  # labels sit beyond the interval's end, away from zero
        x = text.get_position()[0]
        assert left < x < right
        row = gaps[np.isclose(np.minimum(gaps["gap"], gaps["low"]), x)]
        row = row if len(row) else gaps[np.isclose(np.maximum(gaps["gap"], gaps["high"]), x)]
        assert len(row) == 1


def test_gap_chart_title_when_no_dimension_falls_short():
    gaps = _gaps().assign(gap=lambda t: t["gap"].abs())
    gaps["low"], gaps["high"] = gaps["gap"] - 0.05, gaps["gap"] + 0.05
    assert _title(plots.gap_chart(gaps)) == (
        "Service meets or beats what customers expect on every dimension"
    )
    assert _title(plots.gap_chart(gaps, title="Mine")) == "Mine"


def test_gap_chart_of_the_sample(surveys):
    gaps = sat.gap_scores(surveys)
    ax = plots.gap_chart(gaps).axes[0]
    labels = {t.get_text().replace("\n", " ") for t in ax.get_yticklabels()}
    assert labels == set(gaps.index)
    worst = gaps.drop(index=["overall", "overall, weighted by importance"])["gap"].idxmin()
    assert ax.get_title(loc="left").endswith(worst)
    assert np.allclose(
        sorted(_errorbar_spans(ax, 0)), sorted(zip(gaps["low"], gaps["high"], strict=True))
    )
    plots.to_png(ax.figure)  # draws without error


# importance-performance chart ------------------------------------------------------------


def _quadrant_names(ax) -> dict[str, object]:
    return {t.get_text(): t for t in ax.texts if t.get_text() in ps.QUADRANT_COLOURS}


def _assert_readable(ax, ipa: pd.DataFrame) -> None:
    """Every point and both crosshairs inside the limits, every dimension's label inside the
    axes; every quadrant name inside its own quadrant, in the matching corner, clear of the
    crosshairs and of every point and label."""
    cross = ipa.attrs["crosshairs"]
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    for x in [*ipa["performance"], cross["performance"]]:
        assert left < x < right
    for y in [*ipa["importance"], cross["importance"]]:
        assert bottom < y < top
    fig = ax.figure
    fig.draw_without_rendering()
    to_screen = ax.transData.transform
    cx, cy = to_screen((cross["performance"], cross["importance"]))
    box = ax.get_window_extent()
    points = to_screen(ipa[["performance", "importance"]].to_numpy(float))
    names = _quadrant_names(ax)
    labels = [t.get_window_extent() for t in ax.texts if hasattr(t, "xy")]
    assert len(labels) == len(ipa)
    assert set(names) == {
        "concentrate here",
        "keep up the good work",
        "low priority",
        "possible overkill",
    }
    for name, text in names.items():
        extent = text.get_window_extent()
        high_importance = name in ("concentrate here", "keep up the good work")
        high_performance = name in ("keep up the good work", "possible overkill")
        if high_performance:
            assert extent.x0 > cx and extent.x1 <= box.x1 + 1
            assert extent.x1 > box.x1 - 0.05 * box.width  # in the right-hand corner
        else:
            assert extent.x1 < cx and extent.x0 >= box.x0 - 1
            assert extent.x0 < box.x0 + 0.05 * box.width
        if high_importance:
            assert extent.y0 > cy and extent.y1 > box.y1 - 0.05 * box.height
        else:
            assert extent.y1 < cy and extent.y0 < box.y0 + 0.05 * box.height
        for px, py in points:  # no point under a name (6 px: the marker's radius)
            assert not (extent.x0 - 6 < px < extent.x1 + 6 and extent.y0 - 6 < py < extent.y1 + 6)
        for label in labels:  # nor a dimension's label
            assert not extent.overlaps(label)
    for label in labels:  # the dimensions' labels are not cut off at the sides
        assert box.x0 <= label.x0 and label.x1 <= box.x1


def test_ipa_chart_names_the_quadrants_in_their_corners_and_labels_every_dimension():
    ipa = _ipa()
    fig = plots.ipa_chart(ipa)
    ax = fig.axes[0]
    _assert_readable(ax, ipa)
    for name, text in _quadrant_names(ax).items():
        assert to_rgb(text.get_color()) == to_rgb(ps.QUADRANT_COLOURS[name])
    labels = {t.get_text(): t.xy for t in ax.texts if hasattr(t, "xy")}
    assert set(labels) == set(ipa.index)
    for name, (x, y) in labels.items():  # each label sits at its own point
        assert (x, y) == (ipa.loc[name, "performance"], ipa.loc[name, "importance"])
    points = ax.collections[0].get_offsets()
    assert np.allclose(points, ipa[["performance", "importance"]].to_numpy())
    colours = [to_rgb(ps.QUADRANT_COLOURS[q]) for q in ipa["quadrant"]]
    assert np.allclose(ax.collections[0].get_facecolors()[:, :3], colours)
    # the crosshairs drawn where the table says
    assert any(set(ln.get_xdata()) == {5.0} for ln in ax.lines)
    assert any(set(ln.get_ydata()) == {5.0} for ln in ax.lines)
    assert ax.get_ylabel() == "stated importance (mean, 1 to 7)"
    assert _title(fig) == "Concentrate on responsiveness: high importance, low performance"


def test_ipa_quadrant_names_are_those_of_the_topic_module():
    assert set(ps.QUADRANT_COLOURS) == set(sat.QUADRANTS.values())
    assert set(ps.QUADRANT_CORNERS) == set(sat.QUADRANTS.values())
    for (high_importance, high_performance), name in sat.QUADRANTS.items():
        x, y, _, _ = ps.QUADRANT_CORNERS[name]
        assert (x > 0.5) == high_performance and (y > 0.5) == high_importance


@pytest.mark.parametrize("crosshairs", [(5.0, 5.0), (4.0, 4.0), (6.5, 4.5), (3.0, 6.9)])
def test_ipa_chart_keeps_points_and_crosshairs_in_view_wherever_the_crosshairs_are(crosshairs):
    ipa = _ipa(crosshairs)
    ax = plots.ipa_chart(ipa).axes[0]
    _assert_readable(ax, ipa)


def test_ipa_chart_keeps_a_long_name_at_the_edge_inside():
    ipa = _ipa()
    ipa.loc["responsiveness", ["performance", "quadrant"]] = [6.6, "keep up the good work"]
    ipa.loc["reliability", ["performance", "quadrant"]] = [4.1, "concentrate here"]
    _assert_readable(plots.ipa_chart(ipa).axes[0], ipa)


@pytest.mark.parametrize(
    ("crosshairs", "importance"),
    [("means", "stated"), ("midpoints", "stated"), ("means", "derived"), ("midpoints", "derived")],
)
def test_ipa_chart_of_the_sample(surveys, crosshairs, importance):
    ipa = sat.importance_performance(surveys, crosshairs=crosshairs, importance=importance)
    label = "derived importance (correlation with overall satisfaction)"
    kwargs = {"importance_label": label} if importance == "derived" else {}
    ax = plots.ipa_chart(ipa, **kwargs).axes[0]
    _assert_readable(ax, ipa)
    if importance == "derived":
        assert ax.get_ylabel() == label
    if crosshairs == "midpoints" and importance == "stated":
        assert ax.get_xlim()[0] < 4 and ax.get_ylim()[0] < 4
    labels = {t.get_text() for t in ax.texts if hasattr(t, "xy")}
    assert labels == set(sat.DIMENSIONS)
    focus = ipa.index[ipa["quadrant"] == "concentrate here"]
    title = ax.get_title(loc="left")
    assert all(d in title for d in focus) and (len(focus) > 0) == title.startswith("Concentrate")


def test_ipa_chart_without_crosshairs_says_where_they_come_from():
    ipa = _ipa()
    ipa.attrs = {}
    with pytest.raises(CrmkitError, match="importance_performance"):
        plots.ipa_chart(ipa)


# net promoter score ----------------------------------------------------------------------


def test_nps_chart_shows_scores_in_points_with_their_intervals_and_respondents():
    table = _nps()
    fig = plots.nps_chart(table)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [f"{MINUS}14", "0", "+8"]
    assert np.allclose(ax.collections[1].get_offsets()[:, 1], table["nps"])
    segments = ax.collections[0].get_segments()
    assert np.allclose([(s[0][1], s[1][1]) for s in segments], table[["low", "high"]].to_numpy())
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2024Q1\n1,200 answers", "2024Q2\n430 answers", "2024Q3\n60 answers"]
    assert any(set(ln.get_ydata()) == {0} for ln in ax.lines)
    assert ax.yaxis.get_major_formatter()(-0.2, 0) == f"{MINUS}20"
    bottom, top = ax.get_ylim()
    assert bottom < table["low"].min() and top > table["high"].max()
    assert ax.get_xlabel() == "quarter"
    assert _title(fig) == "Net promoter score with its 95% interval"


# loyalty by satisfaction -----------------------------------------------------------------


def test_loyalty_chart_bars_and_intervals_are_the_tables():
    table = _loyalty()
    fig = plots.loyalty_chart(table)
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 9
    heights = sorted(round(b.get_height(), 6) for b in bars)
    values = table[["repeat_rate", "share_of_wallet", "churn_rate"]].to_numpy().ravel()
    assert heights == sorted(values)
    # bands in the table's order from left to right within each measure
    for measure in ("repeat_rate", "share_of_wallet", "churn_rate"):
        mine = sorted(
            (b for b in bars if round(b.get_height(), 6) in set(table[measure])),
            key=lambda b: b.get_x(),
        )
        assert [round(b.get_height(), 6) for b in mine] == list(table[measure])
    spans = sorted(_errorbar_spans(ax, 1))
    expected = [(r.repeat_low, r.repeat_high) for r in table.itertuples()]
    expected += [(r.churn_low, r.churn_high) for r in table.itertuples()]
    assert np.allclose(spans, sorted(expected))  # no interval for share of wallet
    texts = [t.get_text() for t in ax.texts]
    assert sorted(texts) == sorted(f"{v:.0%}" for v in values)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["low (1–6): 737", "middle (7–8): 611", "high (9–10): 486"]
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert ax.get_ylim()[1] > table["repeat_high"].max()
    assert _title(fig) == "Do satisfied customers stay and buy more?"


# the call-back plans ---------------------------------------------------------------------


def test_plan_value_chart_labels_value_and_contacts():
    table = _plans()
    fig = plots.plan_value_chart(table)
    ax = fig.axes[0]
    assert [round(b.get_width(), 6) for b in _bars(ax)] == list(table["value"])
    ticks = zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    assert [name for _, name in sorted(ticks, reverse=True)] == list(table.index)  # first on top
    texts = [t.get_text().strip() for t in ax.texts]
    assert texts == [
        "18,234 from 41 contacts, 478 of 480 minutes",
        "15,110 from 36 contacts, 455 of 480 minutes",
    ]
    assert ax.get_xlim()[1] > table["value"].max()
    assert _title(fig) == "How much value each plan covers"


# common ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "table"),
    [
        (plots.gap_chart, _gaps),
        (plots.ipa_chart, _ipa),
        (plots.nps_chart, _nps),
        (plots.loyalty_chart, _loyalty),
        (plots.plan_value_chart, _plans),
    ],
)
def test_charts_refuse_an_empty_table_or_a_missing_column(chart, table):
    full = table()
    empty = full.iloc[0:0]
    empty.attrs = full.attrs
    with pytest.raises(MissingData, match="no rows"):
        chart(empty)
    with pytest.raises(CrmkitError, match="lacks the column"):
        chart(full.drop(columns=full.columns[-1]))


@pytest.mark.parametrize(
    ("chart", "table"),
    [
        (plots.gap_chart, _gaps),
        (plots.ipa_chart, _ipa),
        (plots.nps_chart, _nps),
        (plots.loyalty_chart, _loyalty),
        (plots.plan_value_chart, _plans),
    ],
)
def test_charts_draw_on_a_given_axes_and_take_a_title(chart, table):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert chart(table(), title="Given", ax=ax) is fig
    assert ax.get_title(loc="left") == "Given"
    assert plots.to_png(chart(table())) == plots.to_png(chart(table()))
