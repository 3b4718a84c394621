"""The lifecycle explorer follows its controls and agrees with the lifecycle module."""

from __future__ import annotations

import dataclasses

import pytest

from crmkit import lifecycle as lc
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.widgets.base import find


@pytest.fixture(scope="module")
def data():
    return load_sample()


def test_the_explorer_scores_the_rules_it_shows(data):
    explorer = widgets.LifecycleExplorer(data, "C00007")
    explorer.widget()
    explorer.controls["stable_share"].value = 0.55
    explorer.controls["silence_months"].value = 4
    rules = lc.StageRules(stable_share=0.55, silence_months=4)
    assert explorer.settings.rules == rules
    expected = lc.score_stages(lc.detect_stages(data, rules), data.lifecycle_truth).accuracy
    view = explorer.view()
    assert view.score.accuracy == pytest.approx(expected)
    assert f"{expected:.1%} of all customer-months" in view.headline
    mine = lc.detect_stages(data, rules)
    mine = mine[mine["customer_id"] == "C00007"]
    assert list(view.months["stage"].astype(str)) == list(mine["stage"].astype(str))
    assert explorer.accuracy(rules) == pytest.approx(expected)


def test_the_search_box_and_the_static_view(data):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    explorer = widgets.LifecycleExplorer(data)
    root = explorer.widget()
    picker = find(root, "crmkit-control-customer")
    picker.box.value = "C00042"
    assert explorer.settings.customer_id == "C00042"
    InteractiveShell.instance()
    with capture_output() as captured:
        explorer.static("C00010")
    image, html = captured.outputs
    assert "image/png" in image.data
    assert "Of its true months, found" in html.data["text/html"]


def test_without_a_truth_table_it_shows_stages_but_no_score(data):
    no_truth = dataclasses.replace(data, lifecycle_truth=data.lifecycle_truth.iloc[:0])
    explorer = widgets.LifecycleExplorer(no_truth, "C00007")
    view = explorer.view()
    assert view.score is None and view.truth is None
    assert "right" not in view.headline
    assert explorer.render(view).chart.startswith(b"\x89PNG")


def test_the_playbook_lists_this_months_customers_of_a_stage_and_tier(data):
    from crmkit import customer_base as cb
    from crmkit import pyramid as pyr

    stages = lc.detect_stages(data)
    year = cb.customer_profit(data, cb.periods(data).last_full_year)
    plan = lc.programmes(stages, pyr.assign_tiers(year["profit"]))
    assert list(plan["tier"].cat.categories) == ["VIP", "major", "ordinary", "small", "no orders"]
    explorer = widgets.PlaybookExplorer(plan)
    explorer.widget()
    explorer.controls["stage"].value = "stability"
    explorer.controls["tier"].value = "VIP"
    view = explorer.view()
    expected = plan[(plan["stage"] == "stability") & (plan["tier"] == "VIP")]
    assert list(view.customers.index) == list(expected.index)
    assert view.counts.loc["stability", "VIP"] == len(expected)
    assert view.counts.to_numpy().sum() == len(plan)
    assert view.headline.startswith(f"{len(expected):,} customers")
    assert "Satisfied-customer management" in view.headline
    assert explorer.render(view).chart.startswith(b"\x89PNG")


def test_the_playbook_chart_outlines_the_chosen_cells(data):
    stages = lc.detect_stages(data)
    explorer = widgets.PlaybookExplorer(lc.programmes(stages))
    one = explorer.render(explorer.compute(widgets.PlaybookSettings("decline", "All"))).chart
    other = explorer.render(explorer.compute(widgets.PlaybookSettings("stability", "All"))).chart
    assert one != other  # the outline moves with the choice
