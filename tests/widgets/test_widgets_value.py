"""The lifetime-value and key-account threshold explorers: compute, render, live controls."""

from __future__ import annotations

import dataclasses
from html import unescape

import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from crmkit import customer_base as cb
from crmkit import key_accounts as ka
from crmkit import value as va
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.widgets.base import find

from html_table import read_table


@pytest.fixture(scope="module")
def measures():
    data = load_sample()
    return ka.key_account_measures(data, period_end=cb.periods(data).last_full_year.last_day)


def test_lifetime_view_agrees_with_the_library():
    s = widgets.LifetimeSettings(margin=5000, retention=0.6, discount_rate=0.1, years=4)
    view = widgets.compute_lifetime_value(s)
    assert view.value == pytest.approx(va.lifetime_value(5000, 0.6, 0.1, 4))
    assert len(view.by_year) == 4
    top = view.sensitivity.iloc[0]
    assert top["effect_up"] == pytest.approx(va.lifetime_value(5000, 0.66, 0.1, 4) / view.value - 1)
    assert f"over 4 years: ¥{view.value:,.0f}" in view.headline
    # a zero margin is worth nothing, whatever the retention
    assert widgets.compute_lifetime_value(dataclasses.replace(s, margin=0)).value == 0


def test_lifetime_explorer_follows_its_controls():
    explorer = widgets.LifetimeValueExplorer(widgets.LifetimeSettings(margin=8000))
    root = explorer.widget()
    chart = find(root, "crmkit-chart").children[0]
    table = find(root, "crmkit-table")
    first_png, first_table = bytes(chart.value), table.value
    assert first_png.startswith(b"\x89PNG") and "Lifetime value over 5 years" in first_table
    find(root, "crmkit-control-retention").value = 0.9
    assert explorer.settings.retention == 0.9
    assert bytes(chart.value) != first_png and table.value != first_table
    higher = va.lifetime_value(8000, 0.9, va.DISCOUNT_RATE, va.HORIZON_YEARS)
    assert f"¥{higher:,.0f}" in unescape(table.value)
    rows = read_table(table.value).rows
    assert [r[0] for r in rows] == list(explorer.view().sensitivity["input"].str.replace("_", " "))


def test_lifetime_static_fallback_shows_chart_and_table():
    explorer = widgets.LifetimeValueExplorer()
    InteractiveShell.instance()
    with capture_output() as captured:
        explorer.static(widgets.LifetimeSettings(margin=1000, retention=0.5, years=3))
    image, html = captured.outputs
    assert "image/png" in image.data and "over 3 years" in html.data["text/html"]


def test_rule_view_counts_who_enters_and_leaves(measures):
    default = widgets.compute_rule(measures, ka.KeyAccountRule())
    assert set(default.compared["change"]) == {"stays"}
    stricter = widgets.compute_rule(measures, ka.KeyAccountRule(volume_top_share=0.05))
    left = int((stricter.compared["change"] == "leaves").sum())
    assert left > 0 and f"0 enter, {left} leave" in stricter.headline


def test_key_account_explorer_follows_its_controls(measures):
    explorer = widgets.KeyAccountExplorer(measures)
    root = explorer.widget()
    table = find(root, "crmkit-table")
    assert "Nobody enters or leaves" in table.value
    find(root, "crmkit-control-volume_top_share").value = 0.2
    assert explorer.settings.volume_top_share == 0.2
    entered = explorer.view().compared
    n = int((entered["change"] == "enters").sum())
    assert n > 0 and f"{n} enter" in unescape(table.value)
    shown = read_table(table.value.split("</p>", 1)[1])
    assert {r[2] for r in shown.rows} <= {"enters", "leaves"}
    # asking for all four other criteria shrinks the list below the default
    find(root, "crmkit-control-min_other_criteria").value = 4
    assert explorer.settings.min_other_criteria == 4
    counts = explorer.view().compared["change"].value_counts()
    assert counts["leaves"] > 0 and f"{counts['leaves']} leave" in unescape(table.value)


def test_value_and_key_account_charts_draw_what_they_are_given(measures):
    from crmkit import plots

    offers = pd.DataFrame(
        {"total_value": [90.0, 68.0], "total_cost": [68.0, 83.0], "perceived_value": [22.0, -15.0]},
        index=["ours", "rival"],
    )
    fig = plots.offer_comparison(offers, title="offers")
    heights = sorted(round(p.get_height()) for p in fig.axes[0].patches)
    assert (
        heights == sorted([90, 68, 68, 83, 22, -15])
        and fig.axes[0].get_title(loc="left") == "offers"
    )
    promises = va.promise_scenarios(delivered=8, promises=[6, 8, 10])
    bars = plots.promise_chart(promises).axes[0].patches
    assert [round(b.get_height()) for b in bars] == [2, 0, -2]
    sweep = va.StayWhatIf().sweep("laptop_share", [0.0, 0.1, 0.2])
    lines = plots.what_if_sweep(sweep, "laptop_share", percent=True).axes[0].get_lines()
    net = next(line for line in lines if line.get_label() == "net gain")
    assert list(net.get_ydata()) == pytest.approx(list(sweep["net_gain"] / 1e6))
    network = pd.DataFrame({"own_profit": [100.0, -50.0], "referred_profit": [900.0, 400.0]},
                           index=["A", "B"])  # fmt: skip
    widths = [round(p.get_width()) for p in plots.network_chart(network).axes[0].patches]
    assert sorted(widths) == [-50, 100, 400, 900]
    changes = pd.DataFrame(
        {"key_accounts": [10, 12], "joined": [np.nan, 5.0], "left": [np.nan, 3.0]},
        index=["y1", "y2"],
    )
    bars = plots.list_over_time(changes).axes[0].patches
    assert [round(b.get_height()) for b in bars] == [10, 7, 0, 5, 0, -3]
    counts = pd.Series([5, 9, 14], index=[0.05, 0.1, 0.15])
    line = plots.threshold_curve(counts, marked=0.1).axes[0].get_lines()[0]
    assert list(line.get_ydata()) == [5, 9, 14]
