"""The pyramid, migration and profile-card explorers: compute steps, rendering, live controls."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from crmkit import customer_base as cb
from crmkit import key_accounts as ka
from crmkit import pyramid as pyr
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import find

from html_table import read_table, read_tables


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def table(data):
    return cb.with_attributes(cb.customer_profit(data, cb.periods(data).last_full_year), data)


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


def test_migration_headline_counts_the_lost_customers(data):
    # One term and one count: the headline's lost customers are customer_base's.
    view = widgets.MigrationExplorer(data).view()
    lost = cb.lost_customers(data, view.year_after)
    assert f"{len(lost):,} are lost customers (no order in {view.year_after})" in view.headline
    assert int(view.counts[pyr.GONE].sum()) == len(lost)


def test_whale_curve_marks_a_reading(data):
    from crmkit import plots

    profit = cb.customer_profit(data, cb.periods(data).last_full_year)["profit"]
    curve = pyr.whale_curve(profit)
    plain = plots.whale_curve(curve)
    marked = plots.whale_curve(curve, reading=(0.2, 0.77))
    assert len(marked.axes[0].lines) == len(plain.axes[0].lines) + 1
    assert any(t.get_text() == "top 20% bring 77%" for t in marked.axes[0].texts)


def test_static_fallbacks_display_image_and_table(table, data, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()
    widgets.PyramidExplorer(table).static()
    widgets.MigrationExplorer(data).static()
    out = capsys.readouterr().out
    assert out.count("Image") == 2 and out.count("HTML") == 2


def test_tier_table_shows_shares_as_percent_and_money_in_yuan(table):
    view = widgets.compute_pyramid(table, widgets.PyramidSettings())
    shown = read_table(widgets.pyramid_table_html(view))
    assert shown.headers[:3] == ["Tier", "Customers", "Share of customers"]
    assert shown.column("Tier") == list(view.summary.index)
    assert shown.column("Share of customers") == [
        f"{v:.0%}" for v in view.summary["customer_share"]
    ]
    assert shown.column("Profit") == [cb.money(v) for v in view.summary["profit"]]
    assert shown.column("Customers") == [f"{v:,}" for v in view.summary["customers"]]


def test_migration_movers_table(data):
    explorer = widgets.MigrationExplorer(data)
    assert explorer.years == cb.periods(data).full_years  # the years come from the data
    view = explorer.view()
    shown = read_table(explorer.table_html(view))
    assert shown.headers == [
        "Customer id",
        f"Tier {view.year_before}",
        f"Tier {view.year_after}",
        "Moved",
        "Profit change",
    ]
    biggest = view.moves.loc[shown.column("Customer id")[0]]
    assert shown.column("Profit change")[0] == cb.money(biggest["change"])
    assert set(shown.column("Moved")) <= {"up", "down"}
    with pytest.raises(CrmkitError, match="compares two full calendar years, and the data has 1"):
        widgets.MigrationExplorer(data, years=[2025])


def test_card_html_is_the_card_in_tables_styled_by_class(data):
    card = ka.profile_card(data, "C00002")
    html = widgets.card_html(card)
    assert "crmkit-card" in html and "<script" not in html
    assert not re.search(r"\sstyle=", html)  # colours come from classes, not inline styles
    assert PALETTE["blue"] in html and "#555" not in html
    assert "C00002 · Heping Web Store 36" in unescape(html)
    tables = read_tables(html)
    assert len(tables) == len(card.sections)
    for table, section in zip(tables, card.sections.values(), strict=True):
        assert table.rows == section[["field", "value"]].astype(str).values.tolist()
    for category in ka.KA3_CATEGORY.values():
        assert category in unescape(html)


def test_profile_card_explorer_follows_the_search_box(data):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    explorer = widgets.ProfileCardExplorer(data)
    assert explorer.year == cb.periods(data).last_full_year.year
    assert explorer.options()[0].startswith(explorer.customer_id)  # most profitable first
    assert explorer.find("c00010") == "C00010"
    assert explorer.find("Heping Web Store 36") == "C00002"
    root = explorer.widget()
    card, chart = _find(root, "crmkit-table"), _find(root, "crmkit-chart").children[0]
    first_card, first_png = card.value, bytes(chart.value)
    assert "crmkit-card" in first_card and first_png.startswith(b"\x89PNG")
    picker = _find(root, "crmkit-control-customer")
    picker.box.value = "C00002 · Heping Web Store 36"
    assert explorer.customer_id == "C00002"
    assert "Heping Web Store 36" in card.value and bytes(chart.value) != first_png
    picker.box.value = "no such shop"
    assert "no customer matches" in picker.line.value
    assert "Heping" in card.value and explorer.customer_id == "C00002"  # the last good card stays
    InteractiveShell.instance()
    with capture_output() as captured:
        explorer.static("heping web store 36")
    html, image = captured.outputs  # the card first, then the chart, as in the widget
    assert html.data["text/html"] == explorer.card_html("C00002")
    assert "image/png" in image.data


def test_without_margins_the_pyramid_is_ranked_by_revenue_and_says_so(table):
    """A trainer's data with no margins: profit unknown, the explorer ranks by revenue only."""
    blind = table.assign(profit=float("nan"))
    explorer = widgets.PyramidExplorer(blind)
    assert explorer.settings.metric == "revenue"
    explorer.widget()
    assert list(explorer.controls["metric"].options) == ["revenue"]
    view = explorer.compute(explorer.settings)
    assert "ranked by revenue: profit is unknown, as this data has no margins" in view.headline
    by_revenue = pyr.assign_tiers(blind["revenue"])
    assert (view.tiers["tier"] == by_revenue["tier"]).all()
    assert widgets.pyramid_png(view).startswith(b"\x89PNG")
    assert widgets.PyramidExplorer(table).settings.metric == "profit"  # margins: as before


def test_without_margins_the_card_explorer_ranks_by_revenue_and_charts_revenue(data):
    """A trainer's data with no margins: the cards show profit as unknown and the tier by
    revenue, the search offers the biggest buyers first, and the chart is revenue by year."""
    import dataclasses

    blind = dataclasses.replace(data, orders=data.orders.assign(gross_margin=float("nan")))
    explorer = widgets.ProfileCardExplorer(blind)
    year = cb.customer_profit(blind, explorer.year)
    assert explorer.customer_id == str(year["revenue"].idxmax())
    card = explorer.compute(explorer.customer_id).card.to_frame()
    line = card.loc[card["field"] == str(explorer.year), "value"].iloc[0]
    assert "profit unknown" in line and line.endswith("VIP by revenue")
    assert card.loc[card["field"] == "profit trend", "value"].iloc[0] in ("unknown", "—")
    assert explorer.chart(explorer.customer_id).startswith(b"\x89PNG")
    explorer.widget()  # the live view builds too


def test_search_without_shop_names_offers_the_ids_alone():
    from crmkit.widgets.picker import CustomerSearch

    customers = pd.DataFrame(
        {"shop_name": [None, "Corner Shop"], "business_format": None, "market_type": None},
        index=pd.Index(["07592", "07593"], name="customer_id"),
    )
    search = CustomerSearch(customers)
    assert search.options() == ["07592", "07593 · Corner Shop"]
    assert search.find("07592") == "07592"
    assert search.option("07592") == "07592"


def test_without_margins_migration_tiers_and_moves_are_by_revenue(data):
    import dataclasses

    blind = dataclasses.replace(data, orders=data.orders.assign(gross_margin=float("nan")))
    explorer = widgets.MigrationExplorer(blind)
    assert explorer.measure == "revenue"
    view = explorer.view(show="profit")
    assert view.headline.endswith(
        "Tiers by revenue: this data has no margins, so profit is unknown."
    )
    before = cb.customer_profit(blind, view.year_before)
    after = cb.customer_profit(blind, view.year_after)
    expected = pyr.migration_moves(
        pyr.assign_tiers(before["revenue"]),
        pyr.assign_tiers(after["revenue"]),
        before["revenue"],
        after["revenue"],
    )
    pd.testing.assert_frame_equal(view.moves, expected)
    assert "Revenue change" in explorer.table_html(view)
    assert explorer.png(view).startswith(b"\x89PNG")
    explorer.widget()
    with pytest.raises(MissingData, match="margin"):  # profit moves need margins
        pyr.migration_moves(
            pyr.assign_tiers(before["revenue"]),
            pyr.assign_tiers(after["revenue"]),
            before["profit"],
            after["profit"],
        )
    assert widgets.MigrationExplorer(data).measure == "profit"  # margins: as before
