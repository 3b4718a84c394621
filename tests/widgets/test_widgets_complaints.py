"""The complaints lesson's widgets: the KPI dashboard and the survival explorer follow their
controls and agree with the topic modules; the form refuses a bad record beside its fields
and logs a good one; the role play plays a scenario to its score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from filelock import FileLock
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from crmkit import churn, complaint_log, complaint_record, roleplay, widgets
from crmkit import complaint_kpis as ck
from crmkit import complaint_triage as ct
from crmkit.datasets import load_sample
from crmkit.widgets.base import find

from html_table import read_table, read_tables


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def triaged(data):
    return ct.triage(data)


@pytest.fixture(scope="module")
def rows(data):
    return churn.with_stages(data, churn.index_days(data))


def test_the_dashboard_filters_and_groups_as_the_kpis_do(triaged):
    dashboard = widgets.ComplaintKpiExplorer(triaged)
    dashboard.widget()
    dashboard.controls["channel"].value = "email"
    dashboard.controls["by"].value = "priority"
    view = dashboard.view()
    expected = ck.kpis(triaged[triaged["channel"] == "email"], "priority")
    pd.testing.assert_frame_equal(view.table, expected)
    shown = read_table(dashboard.render(view).table)
    assert shown.column("Priority") == list(expected.index.astype(str))
    assert shown.column("Complaints") == [f"{n:,.0f}" for n in expected["complaints"]]
    assert view.headline.startswith(f"{int(expected['complaints'].sum()):,} complaints")
    year = str(triaged["opened_at"].dt.year.iloc[0])
    dashboard.controls["period"].value = year
    in_year = triaged[(triaged["channel"] == "email") & (triaged["opened_at"].dt.year == int(year))]
    assert dashboard.view().table["complaints"].sum() == len(in_year)


def test_a_filter_that_matches_nothing_says_so(triaged):
    dashboard = widgets.ComplaintKpiExplorer(triaged)
    empty = widgets.KpiSettings(cause="political", tier="VIP", channel="email", period="2024Q1")
    view = dashboard.compute(empty)
    assert view.table.empty and "No complaint matches" in view.headline
    assert dashboard.render(view).chart is None
    with pytest.raises(Exception, match="a period is a year"):
        dashboard.compute(widgets.KpiSettings(period="last spring"))


def test_the_survival_explorer_reads_the_curves_at_the_chosen_month(rows):
    explorer = widgets.SurvivalExplorer(rows)
    explorer.widget()
    assert set(explorer.splits) == {"group", "tier", "stage", "channel"}
    explorer.controls["split"].value = "tier"
    explorer.controls["months"].value = 12
    view = explorer.view()
    curves = churn.survival_curves(rows, "tier")
    expected = churn.surviving_at(curves, 12)
    got = view.rates["staying after 12 months"]
    assert np.allclose(got.to_numpy(), expected.reindex(got.index).to_numpy())
    p = churn.logrank(rows, "tier")["p_value"]
    shown = "p below 0.001" if p < 0.001 else f"p = {p:.3f}"
    assert view.headline.startswith(f"Log-rank test: {shown}: the curves differ")
    table = read_table(explorer.render(view).table)
    assert table.headers[0] == "Tier on the starting day"


def test_without_stages_the_survival_explorer_offers_the_other_splits(rows):
    explorer = widgets.SurvivalExplorer(rows.drop(columns="stage"))
    assert "stage" not in explorer.splits
    with pytest.raises(Exception, match="split by one of"):
        explorer.compute(widgets.SurvivalSettings("stage"))


def fill(form: widgets.ComplaintForm, **values) -> None:
    defaults = {
        "channel": "phone",
        "cause": "service",
        "what_happened": "Delivery arrived a day late",
        "how_it_happened": "Route changed",
        "product": "Weekly order",
        "why_disappointed": "Empty shelves",
        "staff_member": "Driver Zhao",
        "customer_reasonable": "1",
        "desired_resolution": "apology",
        "customer_status": "returning",
    }
    for name, value in (defaults | values).items():
        form.fields[name].value = value


def test_the_form_shows_each_reason_beside_its_field_and_writes_nothing(data, tmp_path):
    log = tmp_path / "class.csv"
    form = widgets.ComplaintForm(data, log)
    root = form.widget()
    fill(form, channel="", staff_member="")
    form.fields["customer_id"].value = "C99999"
    assert form.submit() is None
    assert not log.exists()
    marked = {name for name, label in form.reasons.items() if label.value}
    assert marked == {"channel", "staff_member", "customer_id"}
    assert "unknown customer" in find(root, "crmkit-reason-customer_id").value
    assert "Not logged" in form.result.value


def test_the_form_logs_a_good_record_with_its_priority(data, tmp_path):
    log = tmp_path / "class.csv"
    form = widgets.ComplaintForm(data, log, customer_id="C00348")
    form.widget()
    fill(form, desired_resolution="refund")
    logged = form.submit()
    assert logged is not None and logged.complaint_id == "Q000001"
    back = complaint_record.read_log(log)
    assert back["customer_id"].tolist() == ["C00348"] and back["channel"].tolist() == ["phone"]
    assert "Logged Q000001" in form.result.value and "severity high" in form.result.value
    assert not any(label.value for label in form.reasons.values())
    assert form.submit().complaint_id == "Q000002"  # the same form again: the next id


def test_the_form_says_when_the_log_is_busy(data, tmp_path, monkeypatch):
    log = tmp_path / "class.csv"
    form = widgets.ComplaintForm(data, log)
    form.widget()
    fill(form)
    monkeypatch.setattr(complaint_log, "LOCK_TIMEOUT", 0.2)
    with FileLock(complaint_log.lock_path(log)):
        original = complaint_record.log_complaint

        def quick(*args, **kwargs):
            return original(*args, **{**kwargs, "timeout": 0.2})

        monkeypatch.setattr(complaint_record, "log_complaint", quick)
        assert form.submit() is None
    assert "being written by another" in form.result.value
    assert not log.exists()


def test_the_form_static_view_lists_its_questions(data, tmp_path):
    form = widgets.ComplaintForm(data, tmp_path / "c.csv")
    InteractiveShell.instance()
    with capture_output() as shown:
        form.static()
    table = read_table(shown.outputs[0].data["text/html"])
    assert "What happened?" in table.column("Question")
    assert len(table.rows) == len(form.asked())


def test_the_role_play_plays_a_scenario_to_its_score():
    play = widgets.RolePlay("faulty_batch")
    root = play.widget()
    scenario = play.conversation.scenario
    for index in roleplay.best_path(scenario):
        find(root, f"crmkit-reply-{index}").click()
    assert play.conversation.finished
    assert f"Score: {scenario.max_score} of {scenario.max_score}" in play._score.value
    assert find(root, "crmkit-control-again") is not None
    find(root, "crmkit-control-again").click()
    assert play.conversation.history == () and not play.conversation.finished
    worst = roleplay.worst_path(scenario)
    for index in worst:
        play.choose(index)
    assert play.conversation.score < scenario.max_score
    assert "What to change" in play._score.value


def test_the_role_play_feedback_and_the_scenario_menu():
    play = widgets.RolePlay()
    root = play.widget()
    assert play.name == "late_delivery"
    best = play.conversation.scenario.best_reply(play.conversation.node.id)
    play.choose(best)
    assert "points." in play._feedback.value
    find(root, "crmkit-control-scenario").value = "billing_dispute"
    assert play.conversation.scenario.name == "billing_dispute"
    assert play._feedback.value == "" and play.conversation.history == ()


def test_the_role_play_static_view_does_not_give_the_answers_away():
    play = widgets.RolePlay("late_delivery")
    InteractiveShell.instance()
    with capture_output() as shown:
        play.static()
    html = "".join(o.data.get("text/html", "") for o in shown.outputs)
    table = read_tables(html)[-1]
    scenario = play.scenarios["late_delivery"]
    first = scenario.nodes[scenario.start]
    assert table.column("Your reply") == [r.say for r in first.replies]
    assert "points" not in " ".join(table.headers)
    for reply in first.replies:
        assert reply.feedback not in html
