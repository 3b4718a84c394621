"""Drive a real JupyterLab in headless Debian Chromium (the browser tests' helpers).

A server is started on a free loopback port with private config, runtime and
settings folders, over a temporary copy of the notebooks, so the committed
notebooks are never saved over. Playwright controls Debian's Chromium
(`playwright install` cannot download browsers here).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Keep every cell in the DOM, so selectors find widgets far down the page.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
ERROR_TEXTS = ("Error displaying widget", "Failed to load model class", "Traceback")


@dataclass
class LabServer:
    """A running JupyterLab: its URL, token, root folder and process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def notebook_url(self, name: str) -> str:
        """A fresh, reset workspace per page, so no tab of an earlier test is restored."""
        workspace = f"{Path(name).stem}-{os.urandom(4).hex()}"
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}&reset"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(workdir: Path, root: Path, timeout: float = 90) -> LabServer:
    """Start JupyterLab over `root`, with private settings under `workdir`; wait until it answers."""
    settings = workdir / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), os.urandom(12).hex()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    log = workdir / "lab.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={settings}",
            "--LabApp.expose_app_in_browser=True",
            "--allow-root",
        ],
        env=env,
        cwd=root,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return LabServer(url, token, root, process, log)
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def open_and_run_all(page, server: LabServer, name: str, timeout_s: float = 240) -> None:
    """Open a notebook, wait for its kernel, run all cells and wait until every cell ran."""
    page.goto(server.notebook_url(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        f" && window.jupyterapp.shell.currentWidget.context.path === '{name}'"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=90_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            const done = prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            return done && kernel.status === 'idle';
        }""",
        timeout=timeout_s * 1000,
        polling=500,
    )


def page_errors(page) -> list[str]:
    """Error outputs and widget rendering errors visible in the notebook."""
    found = []
    for node in page.query_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-OutputArea-output.jp-mod-error, .jp-RenderedText[data-mime-type*='error']"
    ):
        found.append(node.inner_text()[:300])
    text = page.inner_text(".jp-Notebook")
    found += [f"page shows '{t}'" for t in ERROR_TEXTS if t in text]
    return found


def move_slider(page, explorer, control_class: str) -> None:
    """Drag a slider handle of an explorer 60 pixels to the left, as a person would."""
    handle = explorer.locator(f".{control_class} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
