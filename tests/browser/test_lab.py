"""Real JupyterLab in headless Chromium: lessons run, widgets render and respond."""

from __future__ import annotations

import time

import nbformat
import pytest

from lab_driver import move_slider, open_and_run_all, page_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS_NOTE = "screenshots in test-artifacts/browser/"

# (notebook in notebooks/, slider control class, output classes that must change)
CASES = [
    (
        "01_customer_classification.ipynb",
        "crmkit-control-a_cutoff",
        ["crmkit-chart", "crmkit-table"],
    ),
]


def _snapshot(explorer, classes):
    values = {}
    for css in classes:
        node = explorer.locator(f".{css}").first
        img = node.locator("img")
        values[css] = img.first.get_attribute("src") if img.count() else node.inner_text()
    return values


@pytest.mark.parametrize(("notebook", "control", "outputs"), CASES)
def test_lesson_runs_and_explorer_responds(lab, page, notebook, control, outputs):
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = notebook.removesuffix(".ipynb")
    open_and_run_all(page, lab, notebook)
    assert not page_errors(page), page_errors(page)
    assert page.locator(".jupyter-widgets").count() > 0, "no ipywidget rendered"
    explorer = page.locator(".crmkit-explorer", has=page.locator(f".{control}")).first
    explorer.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.crmkit-chart img')].some(i => i.src.length > 0 && i.naturalWidth > 0)"
    )
    before = _snapshot(explorer, outputs)
    page.screenshot(path=str(ARTIFACTS / f"{stem}-before.png"), full_page=False)
    move_slider(page, explorer, control)
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline:
        after = _snapshot(explorer, outputs)
        if all(after[c] != before[c] for c in outputs):
            break
        time.sleep(0.3)
    page.screenshot(path=str(ARTIFACTS / f"{stem}-after.png"), full_page=False)
    unchanged = [c for c in outputs if after[c] == before[c]]
    assert not unchanged, f"{unchanged} did not change after moving {control} ({ARTIFACTS_NOTE})"
    assert not page_errors(page), page_errors(page)


def test_harness_sees_an_error_output(lab, page):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('planted error')")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lab.root / "planted_error.ipynb")
    open_and_run_all(page, lab, "planted_error.ipynb", timeout_s=60)
    errors = page_errors(page)
    assert any("planted error" in e for e in errors), errors
