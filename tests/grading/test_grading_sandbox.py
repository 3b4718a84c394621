"""The grading sandbox: a kernel under bwrap keeps to its scratch folder and reaches nothing else.

Each test that starts a kernel runs it through nbclient with `SandboxedKernelManager`,
the way `crmkit grade` does; they are skipped where bwrap cannot run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

import crmkit.answer_keys
from crmkit.grading.sandbox import (
    Sandbox,
    SandboxedKernelManager,
    bwrap_args,
    describe,
    probe,
    repo_root,
)

pytestmark = pytest.mark.slow
needs_bwrap = pytest.mark.skipif(
    not probe().available, reason=f"no bwrap sandbox here: {probe().reason}"
)
MEMORY_MB = 1536
KEYS = Path(crmkit.answer_keys.__file__).parent


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB * 2**20, MEMORY_MB * 2**20))


def _run(sources: list[str], km: SandboxedKernelManager, **client_options):
    """Run the cells under `km` as crmkit grade does; return the notebook and any exception."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    options = {"timeout": 20, "allow_errors": True, **client_options}
    client = NotebookClient(nb, km=km, **options)
    try:
        client.execute(
            cleanup_kc=True,
            cwd=str(km.scratch),
            preexec_fn=_limit_memory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (CellTimeoutError, DeadKernelError) as err:
        return nb, err
    return nb, None


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def _lingering(marker: str, wait: float = 5.0) -> list[str]:
    """Command lines of live processes that mention `marker`, after up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                found.append(cmdline)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_probe_says_whether_and_why():
    sandbox = probe()
    assert isinstance(sandbox, Sandbox)
    assert sandbox.reason.strip()
    assert probe() is sandbox  # cached
    assert describe(sandbox).endswith(".")
    assert describe(Sandbox(False, "bwrap is not installed")) == (
        "Submissions ran without a sandbox, as your user (bwrap is not installed)."
    )


def test_probe_without_bwrap(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert probe.__wrapped__() == Sandbox(False, "bubblewrap (bwrap) is not installed")


def test_probe_when_namespaces_are_forbidden(tmp_path, monkeypatch):
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert probe.__wrapped__() == Sandbox(
        False,
        "bwrap is installed but cannot create namespaces: "
        "bwrap: No permissions to create new namespace",
    )


def test_a_missing_stub_is_refused_at_once(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SandboxedKernelManager(scratch=tmp_path, stubs={KEYS: tmp_path / "nothing"})


def test_mounts_hide_first_and_put_back_after(tmp_path):
    hidden, stub = tmp_path / "grades", tmp_path / "stub"
    hidden.mkdir()
    stub.mkdir()
    args = bwrap_args(
        tmp_path / "scratch", tmp_path / "rt", [hidden, tmp_path / "gone"], {KEYS: stub}
    )
    pairs = list(zip(args, args[1:], strict=False))
    at = {(flag, dest): i for i, (flag, dest) in enumerate(pairs) if flag.startswith("--")}
    assert ("--unshare-all", "--die-with-parent") in pairs
    assert ("--cap-drop", "ALL") in pairs
    assert args[-1] == "--" and ("--chdir", str(tmp_path / "scratch")) in pairs
    assert ("--tmpfs", str(hidden)) in at
    assert not any(str(tmp_path / "gone") in a for a in args)  # missing folders are skipped
    assert at[("--tmpfs", "/tmp")] < at[("--bind", str(tmp_path / "scratch"))]
    home = os.path.realpath(Path.home())
    assert ("--tmpfs", home) in at
    root = repo_root()
    if root is not None:
        src = str(root / "src")
        assert at[("--tmpfs", str(root))] < at[("--ro-bind", src)] < args.index(str(KEYS))
    assert args[args.index(str(KEYS)) - 1] == str(stub)


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory):
    """One kernel that tries everything a student's notebook should not be able to do."""
    if not probe().available:
        pytest.skip(f"no bwrap sandbox here: {probe().reason}")
    base = tmp_path_factory.mktemp("sandbox")
    # The hidden folder is inside the scratch folder, which the kernel would otherwise see.
    scratch, stub = base / "scratch", base / "stub_keys"
    hidden = scratch / "gradebook"
    for folder in (scratch, hidden, stub):
        folder.mkdir()
    fd, grader_tmp = tempfile.mkstemp(prefix="crmkit-sandbox-test-", dir="/tmp")
    os.close(fd)
    (scratch / "given.txt").write_text("from the grader", encoding="utf-8")
    (hidden / "grades.csv").write_text("student,total\nalice,23\n", encoding="utf-8")
    (stub / "__init__.py").write_text("STUB = True\n", encoding="utf-8")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    root = repo_root() or Path("/nonexistent")
    marker = f"crmkit-sandbox-{uuid.uuid4().hex}"
    home = os.path.realpath(Path.home())
    cells = {
        "scratch": "import os\nprint(open('given.txt').read())\n"
        "open('mine.txt', 'w').write('written')\nprint(os.getcwd())",
        "tcp": f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "    print('connected')\nexcept OSError as err:\n    print('refused', type(err).__name__)",
        "hidden": f"print(os.path.exists({str(hidden / 'grades.csv')!r}), os.listdir({str(hidden)!r}))",
        "home": f"import json\nprint(json.dumps(os.listdir({home!r})))",
        "tmp": f"print(os.path.exists({grader_tmp!r}))",
        "repo": f"print(json.dumps(os.listdir({str(root)!r}) if os.path.isdir({str(root)!r}) else []))",
        "read_only": f"try:\n    open({str(root / 'src' / 'x.txt')!r}, 'w')\n    print('written')\n"
        "except OSError as err:\n    print('refused', type(err).__name__)",
        "caps": "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')])",
        "crmkit": "import crmkit.datasets\nprint(len(crmkit.datasets.load_sample().customers))",
        "stub": "import crmkit.answer_keys as keys\n"
        f"print(getattr(keys, 'STUB', False), os.listdir({str(KEYS)!r}))",
        "quiet": "import matplotlib.pyplot as plt\nplt.figure()\nprint(os.environ['HOME'])",
        "environ": "print(json.dumps(sorted(os.environ)))",
        "memory": "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)\n"
        "hog = bytearray(3 * 2**30)",
        "escape": "import subprocess\n"
        f"subprocess.Popen(['sh', '-c', 'sleep 300; : {marker}'], start_new_session=True)\n"
        "print('spawned')",
    }
    km = SandboxedKernelManager(
        scratch=scratch, hide=[hidden, base / "missing"], stubs={KEYS: stub}
    )
    os.environ["CRMKIT_TEST_SECRET"] = "hunter2"  # a grader's secret, e.g. an LMS token
    started = time.perf_counter()
    try:
        nb, err = _run(list(cells.values()), km)
        accepted = None
        with contextlib.suppress(BlockingIOError):  # nothing may have connected
            accepted = listener.accept()
    finally:
        listener.close()
        os.remove(grader_tmp)
        del os.environ["CRMKIT_TEST_SECRET"]
    outs = dict(zip(cells, nb.cells, strict=True))
    return {
        "outs": outs,
        "err": err,
        "scratch": scratch,
        "accepted": accepted,
        "runtime": km.runtime,
        "marker": marker,
        "seconds": time.perf_counter() - started,
        "root": root,
        "home": home,
    }


def test_the_notebook_runs_to_the_end(sandboxed):
    assert sandboxed["err"] is None
    assert sandboxed["seconds"] < 30


def test_reads_and_writes_its_scratch_folder(sandboxed):
    out = _text(sandboxed["outs"]["scratch"])
    assert "from the grader" in out
    assert os.path.realpath(sandboxed["scratch"]) in out
    assert (sandboxed["scratch"] / "mine.txt").read_text() == "written"


def test_has_no_network_to_the_grader(sandboxed):
    assert _text(sandboxed["outs"]["tcp"]).startswith("refused")
    assert sandboxed["accepted"] is None


def test_hidden_folders_are_empty(sandboxed):
    assert _text(sandboxed["outs"]["hidden"]).strip() == "False []"


def test_cannot_see_the_graders_home(sandboxed):
    home = Path(sandboxed["home"])
    # Only the way to the base Python install (e.g. .pyenv) shows, none of the rest.
    ways_in = {
        Path(p).relative_to(home).parts[0]
        for p in (os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix))
        if Path(p).is_relative_to(home) and Path(p) != home
    }
    assert set(json.loads(_text(sandboxed["outs"]["home"]))) <= ways_in


def test_has_a_private_tmp(sandboxed):
    assert _text(sandboxed["outs"]["tmp"]).strip() == "False"


def test_cannot_see_solutions_or_tests(sandboxed):
    if not (sandboxed["root"] / "pyproject.toml").exists():
        pytest.skip("crmkit is not an editable install from a checkout")
    seen = set(json.loads(_text(sandboxed["outs"]["repo"])))
    assert "solutions" not in seen and "tests" not in seen
    assert {"src", "datasets"} <= seen


def test_cannot_write_outside_scratch(sandboxed):
    assert _text(sandboxed["outs"]["read_only"]).startswith("refused")


def test_holds_no_capabilities(sandboxed):
    # As root with capabilities, a kernel could unmount what hides a folder.
    assert _text(sandboxed["outs"]["caps"]).strip() == "['0000000000000000']"


def test_can_use_crmkit_and_its_sample_data(sandboxed):
    assert int(_text(sandboxed["outs"]["crmkit"])) > 0


def test_a_stub_replaces_the_answer_keys(sandboxed):
    assert _text(sandboxed["outs"]["stub"]).strip() == "True ['__init__.py']"


def test_ipython_and_matplotlib_start_quietly(sandboxed):
    cell = sandboxed["outs"]["quiet"]
    assert _text(cell).strip() == "/tmp/home"
    assert not [o for o in cell.outputs if o.get("name") == "stderr" or "ename" in o]


def test_memory_limit_still_applies(sandboxed):
    cell = sandboxed["outs"]["memory"]
    assert _text(cell).strip() == str(MEMORY_MB)
    assert [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"] == [
        "MemoryError"
    ]


def test_no_process_outlives_the_client(sandboxed):
    assert "spawned" in _text(sandboxed["outs"]["escape"])
    assert _lingering(sandboxed["marker"]) == []
    assert _lingering(str(sandboxed["runtime"])) == []
    assert not sandboxed["runtime"].exists()


@needs_bwrap
def test_a_timeout_leaves_no_kernel(tmp_path):
    km = SandboxedKernelManager(scratch=tmp_path)
    nb, err = _run(["while True:\n    pass"], km, timeout=2)
    assert isinstance(err, CellTimeoutError)
    assert _lingering(str(km.runtime)) == []


@needs_bwrap
def test_a_kernel_that_exits_leaves_nothing(tmp_path):
    km = SandboxedKernelManager(scratch=tmp_path)
    nb, err = _run(["import os\nos._exit(1)", "print('never')"], km)
    assert isinstance(err, DeadKernelError)
    assert _lingering(str(km.runtime)) == []


@needs_bwrap
def test_an_interrupt_reaches_the_kernel(tmp_path):
    km = SandboxedKernelManager(scratch=tmp_path)
    nb, err = _run(
        ["while True:\n    pass", "print('after')"], km, timeout=2, interrupt_on_timeout=True
    )
    assert err is None
    assert [o.get("ename") for o in nb.cells[0].outputs] == ["KeyboardInterrupt"]
    assert _text(nb.cells[1]) == "after\n"
    assert _lingering(str(km.runtime)) == []


GRADER = """
import asyncio, sys, time
from pathlib import Path
from crmkit.grading.sandbox import SandboxedKernelManager

async def main():
    km = SandboxedKernelManager(scratch=Path(sys.argv[1]))
    await km.start_kernel(cwd=sys.argv[1])
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=20)
    print(km.runtime, flush=True)
    time.sleep(60)

asyncio.run(main())
"""


@needs_bwrap
def test_the_kernel_dies_with_the_grader(tmp_path):
    grader = subprocess.Popen(
        [sys.executable, "-c", GRADER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        runtime = grader.stdout.readline().strip()
        assert runtime and _lingering(runtime, wait=0)  # the kernel is up
    finally:
        grader.kill()
        grader.wait()
    assert _lingering(runtime) == []
    shutil.rmtree(runtime, ignore_errors=True)  # the killed grader could not clean up


def test_the_graders_environment_stays_outside(sandboxed):
    names = json.loads(_text(sandboxed["outs"]["environ"]))
    assert "CRMKIT_TEST_SECRET" not in names
    assert "PATH" in names and "HOME" in names
