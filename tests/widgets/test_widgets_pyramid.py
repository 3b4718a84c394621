"""The pyramid and migration explorers: compute steps, rendering and live controls."""

from __future__ import annotations

import pytest

from crmkit import pyramid as pyr
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.widgets.base import find


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def table(data):
    return pyr.with_attributes(pyr.year_profitability(data, 2025), data.customers)


_find = find


def test_cutoffs_scheme_and_metric_change_the_view(table):
    base = widgets.compute_pyramid(table, widgets.PyramidSettings())
    wider = widgets.compute_pyramid(table, widgets.PyramidSettings(cutoffs=(0.1, 0.3, 0.6)))
    assert base.summary.loc["VIP", "customers"] < wider.summary.loc["VIP", "customers"]
    metal = widgets.compute_pyramid(table, widgets.PyramidSettings(scheme="metal"))
    assert list(metal.summary.index) == ["platinum", "gold", "iron", "lead"]
    by_revenue = widgets.compute_pyramid(table, widgets.PyramidSettings(metric="revenue"))
    assert set(by_revenue.tiers.index[by_revenue.tiers["tier"] == "VIP"]) != set(
        base.tiers.index[base.tiers["tier"] == "VIP"]
    )
    assert f"{len(table):,} customers" in base.headline


def test_filters_and_bad_settings(table):
    rural = widgets.compute_pyramid(table, widgets.PyramidSettings(market_type="rural"))
    assert rural.summary["customers"].sum() == (table["market_type"] == "rural").sum()
    with pytest.raises(CrmkitError, match="rise"):
        widgets.compute_pyramid(table, widgets.PyramidSettings(cutoffs=(0.5, 0.4, 0.9)))
    with pytest.raises(CrmkitError, match="no customers"):
        widgets.compute_pyramid(table.iloc[:0], widgets.PyramidSettings())


def test_pyramid_slider_redraws_chart_and_table(table):
    root = widgets.PyramidExplorer(table).widget()
    chart = _find(root, "crmkit-chart").children[0]
    html = _find(root, "crmkit-table")
    before_png, before_html = bytes(chart.value), html.value
    assert before_png.startswith(b"\x89PNG") and "VIP" in before_html
    _find(root, "crmkit-control-cut1").value = 0.15
    assert bytes(chart.value) != before_png and html.value != before_html


def test_method_switch_resets_the_cutoffs(table):
    explorer = widgets.PyramidExplorer(table)
    root = explorer.widget()
    _find(root, "crmkit-control-method").value = "profit_share"
    cuts = [_find(root, f"crmkit-control-cut{i}").value for i in (1, 2, 3)]
    assert tuple(cuts) == pyr.DEFAULT_CUTOFFS["profit_share"]
    assert explorer.settings.method == "profit_share"


def test_crossed_cutoffs_show_a_message(table):
    root = widgets.PyramidExplorer(table).widget()
    _find(root, "crmkit-control-cut2").value = 0.02
    assert "rise" in root.children[1].children[0].value


def test_migration_years_and_show_switch(data):
    explorer = widgets.MigrationExplorer(data)
    view = explorer.view()
    assert (view.year_before, view.year_after) == (2024, 2025)
    assert "moved up" in view.headline
    root = explorer.widget()
    chart = _find(root, "crmkit-chart").children[0]
    first = bytes(chart.value)
    _find(root, "crmkit-control-show").value = "profit"
    assert bytes(chart.value) != first
    profit_png = bytes(chart.value)
    _find(root, "crmkit-control-year_before").value = 2023
    assert bytes(chart.value) != profit_png
    assert "2023 → 2025" in _find(root, "crmkit-table").value
    with pytest.raises(CrmkitError, match="earlier year"):
        explorer.view(2025, 2024)


def test_static_fallbacks_display_image_and_table(table, data, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()
    widgets.PyramidExplorer(table).static()
    widgets.MigrationExplorer(data).static()
    out = capsys.readouterr().out
    assert out.count("Image") == 2 and out.count("HTML") == 2


def test_profile_card_explorer_follows_the_search_box(data, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    explorer = widgets.ProfileCardExplorer(data)
    assert explorer.options()[0].startswith(explorer.customer_id)  # most profitable first
    assert explorer.find("c00010") == "C00010"
    assert explorer.find("Heping Web Store 36") == "C00002"
    root = explorer.widget()
    card, chart = _find(root, "crmkit-table"), _find(root, "crmkit-chart").children[0]
    first_card, first_png = card.value, bytes(chart.value)
    assert "crmkit-card" in first_card and first_png.startswith(b"\x89PNG")
    _find(root, "crmkit-control-customer").value = "C00002 · Heping Web Store 36"
    assert "Heping Web Store 36" in card.value and bytes(chart.value) != first_png
    _find(root, "crmkit-control-customer").value = "no such shop"
    assert "no customer matches" in root.children[1].value
    assert "Heping" in card.value  # the last good card stays
    InteractiveShell.instance()
    explorer.static("C00002")
    out = capsys.readouterr().out
    assert "HTML" in out and "Image" in out
