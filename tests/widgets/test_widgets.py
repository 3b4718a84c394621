"""The classification explorer: pure compute step, rendering, and live controls."""

from __future__ import annotations

import ipywidgets as w
import pytest

from crmkit import classification as cls
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.widgets.base import find


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


def test_filter_to_nothing_shows_a_message_not_a_traceback(overview):
    one_format = overview[overview["business_format"] == "kiosk"]
    root = widgets.ClassificationExplorer(one_format).widget()
    market = _find(root, "crmkit-control-market_type")
    assert "All" in market.options


def test_static_fallback_shows_image_and_table(overview, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.display_pub.clear_output = lambda *a, **k: None
    widgets.ClassificationExplorer(overview).static()
    out = capsys.readouterr().out
    assert "Image" in out and "HTML" in out


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
