"""The planner explorer: each manager's hours and the weights move the plan as the planner
computes it; the list, the value against the greedy rule and who is left out agree with
`callback_plan`; a bad setting shows one line and keeps the last view."""

from __future__ import annotations

import dataclasses

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from crmkit import callback_plan as cp
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.widgets.base import find

from html_table import read_tables

CREW = ["Chen Jing", "Li Wei", "Wang Fang"]


@pytest.fixture(scope="module")
def setup():
    known = cp.Customers.from_data(load_sample())
    cands, _ = cp.candidates(known)
    crew = cp.team(CREW, 8)
    return cands, crew, cp.assign_accounts(cands["customer_id"], crew)


def test_the_explorer_shows_the_planners_plan(setup):
    cands, crew, book = setup
    explorer = widgets.PlannerExplorer(cands, crew, accounts=book)
    view = explorer.view()
    expected = cp.plan_week(cands, crew, accounts=book)
    assert view.optimal.value == pytest.approx(expected.value)
    assert view.comparison.loc["rule by hand", "value"] <= round(view.optimal.value, 3)
    shown = explorer.render(view)
    assert shown.chart.startswith(b"\x89PNG")
    tables = read_tables(shown.table)
    listing = tables[-1]
    mine = expected.contacts[expected.contacts["manager"].eq("Chen Jing")]
    assert sorted(listing.column("Shop")) == sorted(mine["shop_name"])
    assert listing.column("Time")[0] == "10:00"
    assert f"{int(view.comparison.loc['optimal plan', 'contacts']):,} contacts" in shown.table


def test_hours_and_weights_move_the_plan(setup):
    cands, crew, book = setup
    explorer = widgets.PlannerExplorer(cands, crew, accounts=book)
    explorer.widget()
    before = explorer.view()
    explorer.controls["hours_1"].value = 1.0  # Li Wei has one hour this week
    after = explorer.view()
    assert after.settings.hours == (8.0, 1.0, 8.0)
    li = after.optimal.contacts[after.optimal.contacts["manager"].eq("Li Wei")]
    assert 0 < li["minutes"].sum() <= 60 and li["kind"].eq("call").all()
    assert len(after.optimal.left_out) > len(before.optimal.left_out)
    # Li Wei's customers are left out with his name, never handed to someone else
    assert after.optimal.left_out["why"].str.contains("with Li Wei").any()
    explorer.controls["hours_1"].value = 8.0
    explorer.controls["tier"].value = 0.0
    explorer.controls["stage"].value = 0.0
    explorer.controls["risk"].value = 0.0
    only_complaints = explorer.view().optimal.contacts
    assert only_complaints["value"].max() == pytest.approx(cp.Weights().complaint)
    explorer.controls["show"].value = "Wang Fang"
    listing = read_tables(explorer._table.value)[-1]
    wang = explorer.view().optimal.contacts
    assert sorted(listing.column("Shop")) == sorted(
        wang.loc[wang["manager"].eq("Wang Fang"), "shop_name"]
    )


def test_a_bad_setting_shows_a_line_and_keeps_the_view(setup):
    cands, crew, book = setup
    explorer = widgets.PlannerExplorer(cands, crew, accounts=book)
    with pytest.raises(widgets.base.CrmkitError, match="give hours for each of the 3"):
        explorer.compute(dataclasses.replace(explorer.settings, hours=(1.0,)))
    root = explorer.widget()
    table = explorer._table.value
    tight = cp.team(CREW, [0.1, 0.1, 0.1])  # too little time for the complaint follow-ups
    for i, h in enumerate(tight):
        explorer.controls[f"hours_{i}"].value = h
    assert "must happen this week do not fit" in explorer.message.value
    assert explorer._table.value == table
    assert find(root, "crmkit-control-hours_0") is not None


def test_the_static_fallback_shows_chart_and_tables(setup):
    cands, crew, book = setup
    InteractiveShell.instance()
    with capture_output() as out:
        widgets.PlannerExplorer(cands, crew, accounts=book).static()
    kinds = [next(iter(o.data)) for o in out.outputs if "image/png" in o.data]
    assert kinds and any("text/html" in o.data for o in out.outputs)
