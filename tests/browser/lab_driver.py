"""Drive a real JupyterLab in headless Debian Chromium (the browser tests' helpers).

The server runs on a free loopback port with a random token and private config,
runtime, settings, workspace and IPython folders, over a temporary copy of the
notebooks, so neither the user's settings nor the committed notebooks (and
their outputs) are ever touched: the test never saves, autosave is off, and
even a save would only reach the copy. Playwright controls Debian's Chromium
(`playwright install` cannot download browsers here).

Every wait is bounded and polls a condition (kernel idle, no `[*]` prompt,
image bytes changed), never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"  # screenshots and logs (gitignored)
COPIED = ("notebooks",)  # repository folders the server's root holds a copy of
# The harness's self-test notebooks, written into the server's root by `prepare_root`.
DEMO = "harness/demo_explorer.ipynb"
PLANTED = "harness/planted_errors.ipynb"

CHROMIUM = os.environ.get("CRMKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium dials out at start and the closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTINGS = {
    # No news, no update check, no toast over the widgets.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Keep every cell in the DOM, so selectors find widgets far down the page.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
WIDGET_ERRORS = ("Error displaying widget", "Failed to load model class", "Could not create view")
WIDGET_LOADING = "Loading widget..."
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

# The notebook panel of `path` among the main-area widgets (needs expose_app_in_browser).
# Undefined until the app has started.
_PANEL = """(path) => window.jupyterapp && [...window.jupyterapp.shell.widgets('main')]
    .find(w => w.context && w.context.path === path)"""


@dataclass
class LabServer:
    """A running JupyterLab: its URL, token, root folder, process and log."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path
    _stopped: bool = field(default=False, repr=False)

    def notebook_url(self, path: str) -> str:
        """A fresh workspace per page (`reset`), so no tab of an earlier test comes back."""
        workspace = f"{Path(path).stem}-{os.urandom(4).hex()}"
        return f"{self.url}/lab/workspaces/{workspace}/tree/{path}?token={self.token}&reset"

    def api(self, route: str, method: str = "GET") -> object:
        """Call the server's REST API; the decoded JSON answer (None if empty)."""
        request = urllib.request.Request(
            f"{self.url}/api/{route}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def shutdown_kernels(self) -> None:
        """End every session and its kernel (after a test, so kernels do not pile up)."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        """Shut the server and its kernels down: politely first, then by force."""
        if self._stopped:
            return
        self._stopped = True
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        try:
            self.api("shutdown", method="POST")  # also shuts every kernel down
        except OSError:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        _, alive = psutil.wait_procs(children, timeout=10)
        for proc in alive:  # a kernel the server could not stop
            proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(workdir: Path, root: Path, timeout: float = 90) -> LabServer:
    """Start JupyterLab over `root`, with private settings under `workdir`; wait until it answers.

    Raises RuntimeError with the end of the server log if it exits or does not
    answer `/api/status` within `timeout` seconds.
    """
    settings = workdir / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), os.urandom(16).hex()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "IPYTHONDIR": str(workdir / "ipython"),  # no profile or startup file of the user
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws the charts
    log = workdir / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
                "--LabApp.expose_app_in_browser=True",
                "--allow-root",
            ],
            env=env,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited early (code {process.returncode}):\n{server.log_tail()}"
            )
        try:
            server.api("status")
            return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{server.log_tail()}")


# -- notebooks the harness writes for its own self-tests ----------------------------------------

DEMO_EXPLORER = [
    """\
%matplotlib inline
import ipywidgets as w
import matplotlib.pyplot as plt""",
    """\
slider = w.FloatSlider(value=0.8, min=0.5, max=0.9, step=0.01, description="A up to",
                       continuous_update=False)
slider.add_class("crmkit-control-a_cutoff")
chart = w.Output()
chart.add_class("crmkit-chart")
table = w.HTML()
table.add_class("crmkit-table")


def redraw(_change=None):
    a = slider.value
    table.value = f"<table><tr><th>Class A up to</th><td>{a:.2f}</td></tr></table>"
    with chart:
        chart.clear_output(wait=True)
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.bar(["A", "B", "C"], [a, 0.95 - a, 0.05])
        ax.set_title(f"A up to {a:.2f}")
        plt.show()


slider.observe(redraw, names="value")
redraw()
explorer = w.VBox([slider, chart, table])
explorer.add_class("crmkit-explorer")
explorer""",
]

# What the harness must catch: a widget whose model class the page cannot load, a widget view
# whose model the kernel never had, an explorer that ignores its slider, and an exception.
PLANTED_ERRORS = [
    """\
import ipywidgets as w
import traitlets
from IPython.display import display


class Ghost(w.DOMWidget):
    _model_name = traitlets.Unicode("GhostModel").tag(sync=True)
    _model_module = traitlets.Unicode("crmkit-no-such-module").tag(sync=True)
    _view_name = traitlets.Unicode("GhostView").tag(sync=True)
    _view_module = traitlets.Unicode("crmkit-no-such-module").tag(sync=True)


Ghost()""",
    """\
view = {"model_id": "0123456789abcdef", "version_major": 2, "version_minor": 0}
display({"application/vnd.jupyter.widget-view+json": view, "text/plain": "a widget"}, raw=True)""",
    """\
%matplotlib inline
import matplotlib.pyplot as plt

slider = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, continuous_update=False)
slider.add_class("crmkit-control-frozen")
chart = w.Output()
chart.add_class("crmkit-chart")
with chart:
    plt.bar(["A", "B"], [1, 2])
    plt.show()
table = w.HTML("<table><tr><td>never changes</td></tr></table>")
table.add_class("crmkit-table")
frozen = w.VBox([slider, chart, table])
frozen.add_class("crmkit-explorer")
frozen""",
    "raise ValueError('planted error')",
]


def write_notebook(path: Path, sources: list[str]) -> Path:
    """Write an unexecuted notebook of code cells (Python 3 kernel) to `path`."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def prepare_root(root: Path) -> Path:
    """Fill the server's root: copies of the `COPIED` folders and the harness's notebooks."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in COPIED:
        if (REPO / folder).is_dir():
            skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            shutil.copytree(REPO / folder, root / folder, ignore=skip)
    write_notebook(root / DEMO, DEMO_EXPLORER)
    write_notebook(root / PLANTED, PLANTED_ERRORS)
    return root


def artifact(node, suffix: str) -> Path:
    """`test-artifacts/browser/<test>-<case>-<suffix>` for a pytest item; the case id is the
    notebook's stem."""
    case = node.callspec.id if hasattr(node, "callspec") else ""
    name = re.sub(r"[^\w.-]+", "_", f"{node.originalname}-{case}".strip("-"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}-{suffix}"


# -- driving a notebook in the page ---------------------------------------------------------------


def watch_console(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions (for failure messages)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


def _wait(page, predicate: str, arg: object, timeout_s: float, what: str) -> None:
    """Poll a JS predicate; on timeout fail with a sentence saying what did not happen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(predicate, arg=arg, timeout=timeout_s * 1000, polling=250)
    except PlaywrightTimeout:
        raise AssertionError(f"{what} within {timeout_s:.0f} s") from None


def open_notebook(page, server: LabServer, path: str, timeout_s: float = 90) -> None:
    """Open `path` (relative to the server root) and wait until its kernel is idle."""
    page.goto(server.notebook_url(path))
    _wait(
        page,
        f"""(path) => {{
            const panel = ({_PANEL})(path);
            const kernel = panel && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
            return panel && panel.content.widgets.length > 0 && kernel
                && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }}""",
        path,
        timeout_s,
        f"{path} did not open with an idle kernel",
    )


def run_all(page, path: str, timeout_s: float = 180) -> None:
    """Run every cell (command `notebook:run-all-cells`) and wait until the run is over.

    Over means: the command's promise settled, no prompt shows `[*]`, and the
    kernel is idle. Run-all stops at the first error, as it does for a person.
    """
    finished = page.evaluate(
        f"""async ([path, ms]) => {{
            const panel = ({_PANEL})(path);
            window.jupyterapp.shell.activateById(panel.id);
            const run = window.jupyterapp.commands.execute('notebook:run-all-cells');
            const late = new Promise(resolve => setTimeout(() => resolve('late'), ms));
            return (await Promise.race([run, late])) !== 'late';
        }}""",
        [path, timeout_s * 1000],
    )
    if not finished:
        raise AssertionError(f"{path}: Run All did not finish within {timeout_s:.0f} s")
    _wait(
        page,
        f"""(path) => {{
            const panel = ({_PANEL})(path);
            const prompts = [...panel.node.querySelectorAll('.jp-InputArea-prompt')];
            return !prompts.some(p => p.textContent.includes('*'))
                && panel.sessionContext.session.kernel.status === 'idle';
        }}""",
        path,
        30,
        f"{path}: a cell still shows [*] or the kernel is busy after Run All",
    )


def wait_for_widgets(page, path: str, timeout_s: float = 20) -> None:
    """Wait (bounded) until no output says "Loading widget..."; what remains is reported later.

    ipywidgets shows that placeholder until the view's model arrives, and gives up
    with "Error displaying widget: model not found" after a few seconds.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"""(path) => ![...({_PANEL})(path).node.querySelectorAll('.jp-OutputArea-output')]
                .some(n => n.textContent.includes({json.dumps(WIDGET_LOADING)}))""",
            arg=path,
            timeout=timeout_s * 1000,
            polling=250,
        )


def notebook_errors(page, path: str) -> list[str]:
    """What a reader would see as broken: error outputs, tracebacks, widgets that fail to show.

    One line per problem, e.g. `cell 3: ValueError: ...`, `stderr: Traceback ...`,
    `widget: Error displaying widget: model not found`.
    """
    return page.evaluate(
        f"""(path) => {{
            const panel = ({_PANEL})(path);
            const found = [];
            const short = text => text.trim().replace(/\\s+/g, ' ').slice(0, 300);
            panel.context.model.toJSON().cells.forEach((cell, i) => {{
                for (const out of cell.outputs || []) {{
                    if (out.output_type === 'error') {{
                        found.push(`cell ${{i + 1}}: ${{out.ename}}: ${{out.evalue}}`);
                    }}
                }}
            }});
            const stderr = "[data-mime-type='application/vnd.jupyter.stderr']";
            for (const node of panel.node.querySelectorAll(`.jp-OutputArea-output${{stderr}}`)) {{
                if (/Error|Traceback/.test(node.innerText)) {{
                    found.push(`stderr: ${{short(node.innerText)}}`);
                }}
            }}
            const problems = {json.dumps([*WIDGET_ERRORS, WIDGET_LOADING])};
            for (const node of panel.node.querySelectorAll('.jp-OutputArea-output')) {{
                // ipywidgets' error view shows its message once clicked (so will the screenshot).
                for (const icon of node.querySelectorAll('.jupyter-widgets-error-widget.icon-error')) {{
                    icon.parentElement.click();
                }}
                const text = node.textContent.replace(/\\[Open Browser Console[^\\]]*\\]/, '');
                const broken = node.querySelector('.jupyter-widgets-error-widget');
                if (broken || problems.some(p => text.includes(p))) {{
                    found.push(`widget: ${{short(text)}}`);
                }}
            }}
            return found;
        }}""",
        path,
    )


def widget_count(page, path: str) -> int:
    """How many ipywidget views render (error placeholders do not count)."""
    return page.evaluate(
        f"""(path) => [...({_PANEL})(path).node.querySelectorAll('.jupyter-widgets')]
            .filter(n => [...n.classList].some(c => c.startsWith('widget-'))).length""",
        path,
    )


def explorer_selector(control_class: str) -> str:
    """CSS for the explorer that holds the control `control_class`."""
    return f".crmkit-explorer:has(.{control_class})"


def wait_kernel_idle(page, path: str, timeout_s: float = 30) -> None:
    """Wait until the notebook's kernel has nothing left to do (e.g. after a slider moved)."""
    _wait(
        page,
        f"(path) => ({_PANEL})(path).sessionContext.session.kernel.status === 'idle'",
        path,
        timeout_s,
        f"the kernel of {path} stayed busy",
    )


def show(page, selector: str) -> None:
    """Scroll the notebook so the element's top is at the top of the view (for screenshots)."""
    page.locator(selector).first.evaluate("n => n.scrollIntoView({block: 'start'})")


def snapshot(page, explorer: str, classes: list[str]) -> dict[str, str]:
    """What each output shows: for a chart, a digest of its image bytes; otherwise its text.

    An empty string means "nothing shown yet" (no image, image not decoded, no text).
    """
    return page.evaluate(
        """async ([explorer, classes]) => {
            const root = document.querySelector(explorer);
            const values = {};
            for (const css of classes) {
                const node = root && root.querySelector(`.${css}`);
                const img = node && node.querySelector('img');
                if (!node) {
                    values[css] = '';
                } else if (img) {
                    if (!img.src || !img.complete || img.naturalWidth === 0) {
                        values[css] = '';
                        continue;
                    }
                    const bytes = await (await fetch(img.src)).arrayBuffer();
                    const digest = await crypto.subtle.digest('SHA-256', bytes);
                    const hex = [...new Uint8Array(digest)]
                        .map(b => b.toString(16).padStart(2, '0')).join('');
                    values[css] = `image ${img.naturalWidth}x${img.naturalHeight} sha256:${hex}`;
                } else {
                    values[css] = node.innerText.trim();
                }
            }
            return values;
        }""",
        [explorer, classes],
    )


def wait_for_snapshot(page, explorer: str, classes: list[str], timeout_s: float = 30, unlike=None):
    """Poll until every output shows something (and differs from `unlike`, if given).

    Returns the last snapshot, met or not, so the caller's assertion can show it.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        now = snapshot(page, explorer, classes)
        ready = all(now[c] for c in classes)
        if unlike is not None:
            ready = ready and all(now[c] != unlike[c] for c in classes)
        if ready or time.monotonic() > deadline:
            return now
        page.wait_for_timeout(250)


def slider_value(page, explorer: str, control_class: str) -> str:
    """The value a slider shows: its readout, else its handle's aria-valuetext."""
    control = page.locator(f"{explorer} .{control_class}").first
    readout = control.locator(".widget-readout")
    if readout.count() and readout.first.is_visible():
        return readout.first.inner_text().strip()
    return control.locator(".noUi-handle").first.get_attribute("aria-valuetext")


def move_slider(page, explorer: str, control_class: str, presses: int = 5) -> tuple[str, str]:
    """Move a slider by keyboard, as a person would: focus its handle, press arrows.

    Goes down unless the slider sits at its minimum. Returns the value shown
    before and after.
    """
    handle = page.locator(f"{explorer} .{control_class} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    before = slider_value(page, explorer, control_class)
    at_minimum = float(handle.get_attribute("aria-valuenow")) <= float(
        handle.get_attribute("aria-valuemin")
    )
    key = "ArrowRight" if at_minimum else "ArrowLeft"
    handle.focus()
    for _ in range(presses):
        handle.press(key)
    deadline = time.monotonic() + 5  # the readout follows a frame later
    after = slider_value(page, explorer, control_class)
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        after = slider_value(page, explorer, control_class)
    return before, after


def control_state(page, explorer: str, control_class: str) -> str:
    """What a control shows now: slider readout, selected option, pressed button or text."""
    control = page.locator(f"{explorer} .{control_class}").first
    if control.locator(".noUi-handle").count():
        return slider_value(page, explorer, control_class)
    if control.locator("select").count():
        return control.locator("select").first.input_value()
    if control.locator("button").count():
        return control.locator("button.mod-active").first.inner_text().strip()
    return control.locator("input").first.input_value()


def change_control(page, explorer: str, control_class: str) -> tuple[str, str]:
    """Change a control as a person would, whatever its kind; return the state before and after.

    Sliders move by arrow keys; drop-downs pick their next option; toggle
    buttons click the first button not pressed; a search box (combobox) gets
    the last of its suggestions typed in, then Enter.
    """
    control = page.locator(f"{explorer} .{control_class}").first
    control.scroll_into_view_if_needed()
    if control.locator(".noUi-handle").count():
        return move_slider(page, explorer, control_class)
    before = control_state(page, explorer, control_class)
    if control.locator("select").count():
        select = control.locator("select").first
        options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        select.select_option(options[(options.index(before) + 1) % len(options)])
    elif control.locator("button").count():
        control.locator("button:not(.mod-active)").first.click()
    else:
        box = control.locator("input").first
        suggestions = control.locator("datalist option").evaluate_all("os => os.map(o => o.value)")
        box.fill(suggestions[-1] if suggestions else "C00003")
        box.press("Enter")
    deadline = time.monotonic() + 5
    after = control_state(page, explorer, control_class)
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        after = control_state(page, explorer, control_class)
    return before, after
