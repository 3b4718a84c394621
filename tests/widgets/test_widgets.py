"""The classification explorer: pure compute step, rendering, and live controls."""

from __future__ import annotations

import base64
from html import escape, unescape
from html.parser import HTMLParser

import ipywidgets as w
import pytest

from crmkit import classification as cls
from crmkit import widgets
from crmkit.customer_base import money
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.widgets.base import find
from crmkit.widgets.classification import TOP_COLUMNS


@pytest.fixture(scope="module")
def overview():
    return cls.customer_overview(load_sample())


_find = find


def test_cutoff_changes_the_classes(overview):
    loose = widgets.compute_classification(overview, widgets.ClassificationSettings(a_cutoff=0.8))
    tight = widgets.compute_classification(overview, widgets.ClassificationSettings(a_cutoff=0.6))
    n_loose = int((loose.abc["class"] == "A").sum())
    n_tight = int((tight.abc["class"] == "A").sum())
    assert n_tight < n_loose
    assert f"{n_loose:,} customers" in loose.headline


def test_filters_keep_only_the_chosen_format(overview):
    settings = widgets.ClassificationSettings(business_format="kiosk", market_type="rural")
    view = widgets.compute_classification(overview, settings)
    expected = (overview["business_format"] == "kiosk") & (overview["market_type"] == "rural")
    assert len(view.abc) == int(expected.sum())
    assert set(view.top["business_format"].astype(str)) == {"kiosk"}


def test_weights_reorder_the_top_table(overview):
    base = widgets.compute_classification(overview, widgets.ClassificationSettings())
    growth_only = {n: (1.0 if n == "growth" else 0.0) for n in cls.DEFAULT_WEIGHTS}
    other = widgets.compute_classification(
        overview, widgets.ClassificationSettings(weights=growth_only)
    )
    assert list(base.top.index) != list(other.top.index)
    assert other.top["value_score"].is_monotonic_decreasing


def test_empty_filter_gives_a_friendly_error(overview):
    empty = overview.iloc[:0]
    with pytest.raises(CrmkitError, match="no customers"):
        widgets.compute_classification(empty, widgets.ClassificationSettings())


def test_moving_the_slider_redraws_chart_and_table(overview):
    root = widgets.ClassificationExplorer(overview).widget()
    assert "crmkit-explorer" in root._dom_classes
    slider = _find(root, "crmkit-control-a_cutoff")
    chart = _find(root, "crmkit-chart").children[0]
    table = _find(root, "crmkit-table")
    assert isinstance(slider, w.FloatSlider)
    before_png, before_html = bytes(chart.value), table.value
    assert before_png.startswith(b"\x89PNG")
    slider.value = 0.6
    assert bytes(chart.value) != before_png
    assert table.value != before_html


def _messages(root: w.Widget) -> list[str]:
    """The non-empty HTML texts anywhere in a widget tree that are not headings or the table."""
    found, todo = [], [root]
    while todo:
        widget = todo.pop()
        todo.extend(getattr(widget, "children", ()))
        is_text = isinstance(widget, w.HTML) and "crmkit-table" not in widget._dom_classes
        if is_text and widget.value and not widget.value.startswith("<b>"):
            found.append(widget.value)
    return found


class _Cells(HTMLParser):
    """The text of every cell of an HTML table, header rows and body rows apart."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[list[str]] = []
        self.body: list[list[str]] = []
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("thead", "tbody"):
            self._rows = self.head if tag == "thead" else self.body
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self._rows:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag in ("thead", "tbody"):
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _rows(table_html: str) -> list[dict[str, str]]:
    """Each body row of a table as {column header: cell text}."""
    cells = _Cells()
    cells.feed(table_html)
    assert cells.head and cells.body, "no table with a header and a body"
    return [dict(zip(cells.head[0], row, strict=True)) for row in cells.body]


def test_filter_to_nothing_shows_a_message_not_a_traceback(overview):
    # Kiosks only in rural markets, supermarkets only in urban ones: kiosk + urban is empty,
    # though each drop-down on its own offers both values.
    fmt, market = overview["business_format"], overview["market_type"]
    two_cells = overview[
        ((fmt == "kiosk") & (market == "rural")) | ((fmt == "supermarket") & (market == "urban"))
    ]
    root = widgets.ClassificationExplorer(two_cells).widget()
    format_box = _find(root, "crmkit-control-business_format")
    market_box = _find(root, "crmkit-control-market_type")
    assert list(format_box.options) == ["All", "supermarket", "kiosk"]
    assert list(market_box.options) == ["All", "urban", "rural"]
    chart = _find(root, "crmkit-chart").children[0]
    table = _find(root, "crmkit-table")
    assert _messages(root) == []

    format_box.value = "kiosk"
    shown_png, shown_html = bytes(chart.value), table.value
    market_box.value = "urban"  # raises CrmkitError inside redraw; the explorer must catch it
    (message,) = _messages(root)
    assert "no customers match these filters; choose &#x27;All&#x27; for one of them" in message
    assert "Traceback" not in message
    assert bytes(chart.value) == shown_png and table.value == shown_html  # last good view kept

    format_box.value = "supermarket"  # supermarket + urban has customers again
    assert _messages(root) == []
    assert bytes(chart.value) != shown_png and table.value != shown_html
    assert {row["Format"] for row in _rows(table.value)} == {"supermarket"}


def test_static_fallback_shows_the_current_chart_then_the_top_table(overview):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()  # display() only publishes rich output inside a shell
    settings = widgets.ClassificationSettings(a_cutoff=0.6, top_n=4, business_format="restaurant")
    explorer = widgets.ClassificationExplorer(overview, settings)
    with capture_output() as captured:
        explorer.static()
    assert captured.stdout == "" and captured.stderr == ""
    image, html = captured.outputs
    assert set(image.data) == {"image/png", "text/plain"}
    png = base64.b64decode(image.data["image/png"])
    view = widgets.compute_classification(overview, settings)
    assert png.startswith(b"\x89PNG") and png == widgets.render_chart(view)

    text = html.data["text/html"]
    assert "image/png" not in html.data
    assert text.startswith(f"<p><b>{escape(view.headline)}</b></p>")
    assert "<caption>Top 4 customers by value score</caption>" in text
    rows = _rows(text)
    assert list(rows[0]) == list(TOP_COLUMNS.values())
    assert [row["Customer"] for row in rows] == list(view.top.index) and len(rows) == 4
    assert [row["Shop"] for row in rows] == list(view.top["shop_name"])
    assert {row["Format"] for row in rows} == {"restaurant"}
    assert [row["Profit"] for row in rows] == [money(v) for v in view.top["profit"]]
    assert [row["Value score"] for row in rows] == [f"{v:.1f}" for v in view.top["value_score"]]


def test_lookup_finds_by_id_and_by_name(overview):
    lookup = widgets.CustomerLookup(overview)
    first = overview.index[0]
    assert lookup.find(first) == first
    assert lookup.find(lookup.options()[0]) == first
    name = overview["shop_name"].iloc[3]
    assert lookup.find(name.lower()) == overview.index[overview["shop_name"] == name][0]
    with pytest.raises(CrmkitError, match="no customer matches"):
        lookup.find("zzz-no-such-shop")
    assert lookup.chart(first).startswith(b"\x89PNG")


def test_lookup_search_box_shows_the_match_or_a_friendly_line(overview):
    lookup = widgets.CustomerLookup(overview)
    root = lookup.widget(start=lookup.options()[2])
    assert lookup.settings == overview.index[2]
    picker = _find(root, "crmkit-control-customer")
    assert isinstance(picker, widgets.CustomerPicker) and picker.value == overview.index[2]
    chart = _find(root, "crmkit-chart").children[0]
    assert _find(root, "crmkit-table") is None  # the lookup shows a chart only
    first_png = bytes(chart.value)

    name = overview["shop_name"].iloc[5]
    picker.box.value = name.upper()
    hits = overview.index[overview["shop_name"].str.lower().str.contains(name.lower())]
    assert picker.value == hits[0] == lookup.settings
    assert f"{hits[0]} · {overview.loc[hits[0], 'shop_name']}" in unescape(picker.line.value)
    assert bytes(chart.value) != first_png
    shown = bytes(chart.value)

    picker.box.value = "zzz-no-such-shop"
    assert "crmkit-error" in picker.line.value and "no customer matches" in picker.line.value
    assert bytes(chart.value) == shown and lookup.settings == hits[0]  # the last customer stays


def test_headline_states_the_lessons_80_20_share_of_the_net_total(overview):
    """Explorer and lesson 01 agree: class A at 80% is pareto_share's customers, same words."""
    view = widgets.compute_classification(overview, widgets.ClassificationSettings(a_cutoff=0.8))
    share = cls.pareto_share(overview["profit"], target=0.8)
    assert f"({share:.0%}) bring 80% of the net total profit" in view.headline


def test_without_margins_the_abc_explorer_classifies_by_revenue_and_says_so(overview):
    blind = overview.assign(profit=float("nan"))
    explorer = widgets.ClassificationExplorer(blind)
    assert explorer.settings.metric == "revenue"
    explorer.widget()
    assert list(explorer.controls["metric"].options) == ["revenue"]
    view = explorer.compute(explorer.settings)
    assert view.headline.endswith("Profit is unknown: this data has no margins.")
    assert "of the net total revenue" in view.headline
    assert widgets.ClassificationExplorer(overview).settings.metric == "profit"


def test_the_abc_explorer_says_which_indicators_the_score_leaves_out(overview):
    """A trainer's data without some indicators: the score leaves them out and the headline
    says so; with fewer than two left, no score at all, and the top list goes by the metric."""
    no_wallet = overview.assign(dependence=float("nan"))
    view = widgets.compute_classification(no_wallet, widgets.ClassificationSettings())
    assert view.headline.endswith(cls.score_note(no_wallet[list(cls.DEFAULT_WEIGHTS)]))
    assert "without dependence" in view.headline
    assert view.top["value_score"].notna().all()

    only_growth = overview.assign(
        profit=float("nan"),
        integrity=float("nan"),
        cooperation=float("nan"),
        dependence=float("nan"),
        contribution=float("nan"),
    )
    explorer = widgets.ClassificationExplorer(only_growth)
    view = explorer.compute(explorer.settings)
    assert "No value score: a value score weighs several indicators" in view.headline
    assert "value_score" not in view.top.columns
    expected = only_growth["revenue"].sort_values(ascending=False, kind="mergesort").index[:10]
    assert list(view.top.index) == list(expected)
    assert "Top 10 customers by revenue" in widgets.top_table_html(view)
    explorer.widget()
