"""Real JupyterLab in headless Chromium: lessons run, widgets render and respond.

Run with `.venv/bin/pytest tests/browser -m browser -q`; screenshots land in
`test-artifacts/browser/`. The demo case is the harness's self-test: a tiny
explorer built to the same contract, which proves the harness sees a change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit import lessons

from lab_driver import (
    DEMO,
    PLANTED,
    REPO,
    artifact,
    change_control,
    explorer_selector,
    notebook_errors,
    open_notebook,
    run_all,
    show,
    wait_for_snapshot,
    wait_for_widgets,
    wait_kernel_idle,
    widget_count,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

# (notebook relative to the repository, [(control class, output classes that must change)]),
# from the lesson manifest (crmkit/lessons.toml). Each explorer of a notebook gets its control
# changed once, after one Run All. The demo notebook is written by the harness.
CASES = [(DEMO, [("crmkit-control-a_cutoff", ["crmkit-chart", "crmkit-table"])])] + [
    (lesson.notebook, [(e.control_class, e.output_classes) for e in lesson.explorers])
    for lesson in lessons.lessons()
    if lesson.explorers
]


@pytest.mark.parametrize(
    ("notebook", "explorers"),
    [pytest.param(*case, id=Path(case[0]).stem) for case in CASES],
)
def test_notebook_runs_and_explorers_respond(lab, page, request, notebook, explorers):
    if notebook != DEMO and not (REPO / notebook).is_file():
        pytest.skip(f"{notebook} does not exist yet")
    open_notebook(page, lab, notebook)
    run_all(page, notebook)
    wait_for_widgets(page, notebook)

    errors = notebook_errors(page, notebook)
    assert not errors, f"{notebook} shows errors after Run All:\n" + "\n".join(errors)
    assert widget_count(page, notebook) > 0, f"no ipywidget rendered in {notebook}"
    for control, outputs in explorers:
        explorer = explorer_selector(control)
        name = control.removeprefix("crmkit-control-")
        show(page, explorer)
        before = wait_for_snapshot(page, explorer, outputs)
        page.screenshot(path=artifact(request.node, f"{name}-before.png"), full_page=True)
        assert all(before.values()), f"the explorer of {control} shows nothing yet: {before}"

        start, end = change_control(page, explorer, control)
        assert start != end, f"the {control} control did not change (value stays {start})"
        wait_for_snapshot(page, explorer, outputs, unlike=before)
        wait_kernel_idle(page, notebook)  # every key press redraws; let the last one land
        after = wait_for_snapshot(page, explorer, outputs, unlike=before)
        show(page, explorer)
        page.screenshot(path=artifact(request.node, f"{name}-after.png"), full_page=True)
        unchanged = [css for css in outputs if after[css] == before[css] or not after[css]]
        assert not unchanged, (
            f"{unchanged} did not change within 30 s after changing {control} from {start} to "
            f"{end} (screenshots in test-artifacts/browser/); console: {page.console_errors}"
        )
        errors = notebook_errors(page, notebook)
        assert not errors, f"{notebook} shows errors after changing {control}:\n" + "\n".join(
            errors
        )


def test_harness_reports_errors(lab, page, request):
    """The harness can fail: it sees broken widgets, an explorer that ignores its slider, and
    an exception (where Run All stops)."""
    open_notebook(page, lab, PLANTED)
    run_all(page, PLANTED, timeout_s=60)
    wait_for_widgets(page, PLANTED)
    errors = notebook_errors(page, PLANTED)
    report = "\n".join(errors)
    assert "cell 4: ValueError: planted error" in errors, report
    assert any(e.startswith("stderr: ") and "Traceback" in e for e in errors), report
    assert any("Failed to load model class 'GhostModel'" in e for e in errors), report
    assert any("Error displaying widget: model not found" in e for e in errors), report
    assert len(errors) == 4, report

    explorer = explorer_selector("crmkit-control-frozen")
    outputs = ["crmkit-chart", "crmkit-table"]
    before = wait_for_snapshot(page, explorer, outputs)
    assert before["crmkit-chart"].startswith("image "), before
    start, end = change_control(page, explorer, "crmkit-control-frozen")
    assert start != end
    after = wait_for_snapshot(page, explorer, outputs, timeout_s=3, unlike=before)
    assert after == before, "the frozen explorer's outputs must not change"
    page.screenshot(path=artifact(request.node, "checked.png"), full_page=True)


def test_the_column_mapper_of_lesson_0_saves_a_mapping(lab, page, request):
    """Lesson 0's column mapper in the browser: pick the three columns, press Save, and the
    line under it says the file was saved (the kernel wrote columns.csv to its scratch folder)."""
    notebook = "notebooks/00_start_here.ipynb"
    open_notebook(page, lab, notebook)
    run_all(page, notebook)
    wait_for_widgets(page, notebook)
    assert not notebook_errors(page, notebook)
    mapper = explorer_selector("crmkit-control-customer_id")
    show(page, mapper)
    page.screenshot(path=artifact(request.node, "before.png"), full_page=True)
    for field, column in (
        ("customer_id", "Kunde"),
        ("order_date", "Buchungstag"),
        ("revenue", "Umsatz"),
    ):
        page.locator(f"{mapper} .crmkit-control-{field} select").first.select_option(column)
    page.locator(f"{mapper} button", has_text="Save columns.csv").first.click()
    page.locator(f"{mapper} :text('Saved')").first.wait_for(timeout=20_000)
    show(page, mapper)
    page.screenshot(path=artifact(request.node, "after.png"), full_page=True)
    assert not notebook_errors(page, notebook)


def test_lesson_8_role_play_to_its_score_and_a_complaint_through_the_form(lab, page, request):
    """Lesson 8 in the browser: play the first scenario's best replies to the full score;
    send the complaint form empty (each field says why it is refused) and then filled in
    (the line under it gives the new complaint's id and priority)."""
    from crmkit import roleplay

    notebook = "notebooks/08_complaint_handling.ipynb"
    open_notebook(page, lab, notebook)
    run_all(page, notebook)
    wait_for_widgets(page, notebook)
    assert not notebook_errors(page, notebook)

    scenario = roleplay.scenarios()["late_delivery"]
    play = ".crmkit-roleplay"
    show(page, play)
    page.screenshot(path=artifact(request.node, "roleplay-start.png"), full_page=True)
    for turn, index in enumerate(roleplay.best_path(scenario), start=1):
        page.locator(f"{play} .crmkit-history li").nth(turn - 2).wait_for(
            timeout=20_000
        ) if turn > 1 else None
        page.locator(f"{play} .crmkit-reply-{index}").first.click()
        page.locator(f"{play} .crmkit-history li").nth(turn - 1).wait_for(timeout=20_000)
    score = page.locator(f"{play} .crmkit-score")
    score.locator(f":text('Score: {scenario.max_score} of {scenario.max_score}')").wait_for(
        timeout=20_000
    )
    show(page, play)
    page.screenshot(path=artifact(request.node, "roleplay-end.png"), full_page=True)
    assert "What went well" in score.inner_text()

    form = ".crmkit-form"
    show(page, form)
    page.locator(f"{form} .crmkit-control-log").first.click()
    page.locator(f"{form} .crmkit-reason-channel :text('required')").wait_for(timeout=20_000)
    page.screenshot(path=artifact(request.node, "form-refused.png"), full_page=True)
    assert "Not logged" in page.locator(f"{form} .crmkit-result").inner_text()
    for field, value in (
        ("channel", "phone"),
        ("cause", "service"),
        ("customer_reasonable", "yes"),
        ("desired_resolution", "refund"),
        ("customer_status", "returning"),
    ):
        page.locator(f"{form} .crmkit-field-{field} select").first.select_option(label=value)
    for field, value in (
        ("what_happened", "Delivery arrived a day late"),
        ("how_it_happened", "Route changed without telling the shop"),
        ("why_disappointed", "Shelves empty on a market day"),
        ("product", "Weekly order"),
        ("staff_member", "Driver Zhao Lei"),
    ):
        box = page.locator(
            f"{form} .crmkit-field-{field} textarea, {form} .crmkit-field-{field} input"
        ).first
        box.fill(value)
        box.press("Tab")  # a text widget syncs its value on blur
    page.locator(f"{form} .crmkit-control-log").first.click()
    logged = page.locator(f"{form} .crmkit-result :text('Logged Q')")
    logged.wait_for(timeout=20_000)
    show(page, form)
    page.screenshot(path=artifact(request.node, "form-logged.png"), full_page=True)
    assert "priority P" in page.locator(f"{form} .crmkit-result").inner_text()
    assert not page.locator(f"{form} .crmkit-reason-channel").inner_text().strip()
    assert not notebook_errors(page, notebook)


def test_lesson_9_planner_follows_the_hours_the_weights_and_whose_list(lab, page, request):
    """Lesson 9's planner in the browser: the list shown follows the 'List of' choice, and
    moving one manager's hours and one weight changes the headline (value covered, what
    the rule by hand leaves, who is left out) and the list."""
    notebook = "notebooks/09_satisfaction_and_maintenance.ipynb"
    open_notebook(page, lab, notebook)
    run_all(page, notebook)
    wait_for_widgets(page, notebook)
    assert not notebook_errors(page, notebook)
    planner = explorer_selector("crmkit-control-hours_0")
    show(page, planner)
    table = page.locator(f"{planner} .crmkit-table").first
    table.locator(':text("The week\'s list of Chen Jing")').first.wait_for(timeout=20_000)
    page.screenshot(path=artifact(request.node, "planner-start.png"), full_page=True)
    page.locator(f"{planner} .crmkit-control-show select").first.select_option("Li Wei")
    table.locator(':text("The week\'s list of Li Wei")').first.wait_for(timeout=20_000)
    before = table.inner_text()
    start, end = change_control(page, planner, "crmkit-control-hours_1")
    assert start != end
    wait_kernel_idle(page, notebook)
    after_hours = wait_for_snapshot(
        page, planner, ["crmkit-table"], unlike={"crmkit-table": before}
    )
    headline = table.locator("p b").first.inner_text()
    assert "customers due a contact are left out" in headline
    start, end = change_control(page, planner, "crmkit-control-complaint")
    assert start != end
    wait_kernel_idle(page, notebook)
    after_weight = wait_for_snapshot(page, planner, ["crmkit-table"], unlike=after_hours)
    assert after_weight != after_hours, "moving the complaint weight changed nothing"
    show(page, planner)
    page.screenshot(path=artifact(request.node, "planner-moved.png"), full_page=True)
    assert "The week's list of Li Wei" in table.inner_text()
    assert not notebook_errors(page, notebook)
