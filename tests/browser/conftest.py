"""Browser-test fixtures: one JupyterLab server and one Chromium for the session.

The server's root is a temporary folder holding a copy of `notebooks/` (the
package finds its data through its own install location, so the copies run
as the originals do) and the harness's own self-test notebooks under
`harness/`. The committed notebooks are never opened, so never saved.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from lab_driver import CHROMIUM, CHROMIUM_ARGS, artifact, prepare_root, start_lab, watch_console


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; skipped when absent, except under CI where it must be there."""
    if not Path(CHROMIUM).is_file():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must not skip the browser tests", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory):
    """A JupyterLab server over a temporary copy of the notebooks; stopped with its kernels."""
    work = tmp_path_factory.mktemp("lab")
    try:
        server = start_lab(work, prepare_root(work / "root"))
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield chrome
        chrome.close()


@pytest.fixture
def page(browser, lab, request):
    """A fresh page. On failure: a full-page screenshot, the console errors and the server log
    go to test-artifacts/browser/. Afterwards the test's kernels are shut down."""
    failure_png, failure_txt = (
        artifact(request.node, "failure.png"),
        artifact(request.node, "failure.txt"),
    )
    for stale in (failure_png, failure_txt):
        stale.unlink(missing_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_errors = watch_console(page)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=failure_png, full_page=True)
        failure_txt.write_text(
            "Browser console errors:\n"
            + "\n".join(page.console_errors)
            + f"\n\nEnd of the JupyterLab log ({lab.log}):\n{lab.log_tail()}\n"
        )
    context.close()
    with contextlib.suppress(OSError):  # a dead server is reported by the test itself
        lab.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
