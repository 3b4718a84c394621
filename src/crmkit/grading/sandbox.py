"""Run the grading kernels in a bubblewrap (`bwrap`) sandbox, where the system allows it.

A student's notebook is code run on the grader's machine. In the sandbox its kernel
has no network (so it cannot reach the grader's ZMQ sockets or anything else over
TCP), its own process tree, a private `/tmp` and `/run`, and sees the file system
read-only with the private parts out of sight: the grader's home, the repository
(its `solutions/` and `tests/`), the submissions and the output folder. What the
kernel needs is put back read-only on top: the virtualenv, the base Python install,
crmkit's source and the sample data. Its scratch folder is the one writable place
that outlives it.

The kernel talks to the grader over jupyter's `ipc` transport (unix sockets in a
per-kernel runtime folder bound into the sandbox), since TCP on 127.0.0.1 is cut
off. `probe()` says whether bwrap works here at all; containers often forbid the
namespaces it needs, and then grading runs without a sandbox, as before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

#: Namespaces and safety flags of every sandbox (the probe runs with the same ones).
#: `--unshare-all` covers user (if possible), ipc, pid, net, uts and cgroup namespaces;
#: `--cap-drop ALL` matters when the grader is root: otherwise the kernel would keep
#: CAP_SYS_ADMIN in its mount namespace and could simply unmount what hides a folder.
FLAGS = ("--unshare-all", "--die-with-parent", "--cap-drop", "ALL")

#: Environment variables a sandboxed kernel keeps (and every LC_*); the rest are cleared.
ENV_KEPT = frozenset(
    {"PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8"}
)

#: Seconds the probe's test run may take before bwrap counts as unusable.
PROBE_TIMEOUT = 5

#: Where HOME, IPython's and matplotlib's folders are inside the sandbox (its private /tmp).
SANDBOX_HOME = "/tmp/home"

# Mount kinds, in the order they go on at the same depth (later ones win).
_HIDE, _SHOW, _STUB, _WRITE = range(4)


@dataclass(frozen=True)
class Sandbox:
    """Whether kernels can be sandboxed here, and why (or why not) in plain words."""

    available: bool
    reason: str


@cache
def probe() -> Sandbox:
    """Find out once whether bwrap is installed and can create its namespaces here."""
    exe = shutil.which("bwrap")
    if exe is None:
        return Sandbox(False, "bubblewrap (bwrap) is not installed")
    test = [exe, *FLAGS, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    test += ["--tmpfs", "/tmp", "true"]
    try:
        done = subprocess.run(test, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Sandbox(False, f"bwrap is installed but a test run took over {PROBE_TIMEOUT} s")
    except OSError as err:
        return Sandbox(False, f"bwrap is installed but cannot be run: {err}")
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return Sandbox(False, f"bwrap is installed but cannot create namespaces: {lines[0]}")
    return Sandbox(True, f"bwrap ({exe}) can create the namespaces it needs")


def describe(sandbox: Sandbox | None = None) -> str:
    """One sentence for the run summary: what the sandbox did, or why there was none."""
    sandbox = sandbox or probe()
    if sandbox.available:
        return (
            "Submissions ran in a bubblewrap sandbox: no network, a private /tmp, the file "
            "system read-only, and your home, the repository (solutions and tests), the "
            "submissions and the output folder out of sight; only each submission's own "
            "scratch folder was writable."
        )
    return f"Submissions ran without a sandbox, as your user ({sandbox.reason})."


def repo_root() -> Path | None:
    """The checkout crmkit is installed from (editable install), or None for a plain install."""
    import crmkit

    root = Path(crmkit.__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src").is_dir() else None


def _shown() -> list[Path]:
    """What the kernel needs read-only: Python, crmkit's source and the sample data."""
    import crmkit
    from crmkit.datasets import paths

    needed = [Path(p) for p in (sys.prefix, sys.exec_prefix, sys.base_prefix)]
    needed += [Path(sys.base_exec_prefix), Path(crmkit.__file__).resolve().parents[1]]
    needed += [paths.data_dir(), paths.schema_path().parent]
    return [p for p in needed if p.exists()]


def _hidden(hide: Sequence[Path]) -> list[Path]:
    """What the kernel must not see: home, temp and run folders, the repository, `hide`."""
    folders = [Path.home(), Path("/tmp"), Path(tempfile.gettempdir()), Path("/run")]
    folders += [Path("/var/tmp"), *filter(None, [repo_root()]), *hide]
    return [p for p in folders if p.exists()]


def bwrap_args(
    scratch: Path,
    runtime: Path,
    hide: Sequence[Path] = (),
    stubs: Mapping[Path, Path] | None = None,
) -> list[str]:
    """The bwrap command line up to and including `--`; the kernel's command follows it.

    bwrap mounts in the order given and a later mount covers an earlier one, so the
    mounts are sorted by depth (a folder before what is inside it) and, at one path,
    hide < show < stub < write: the deeper, more specific rule wins. `stubs` maps a
    real path to its read-only replacement. Paths are resolved first, since bwrap
    follows symlinks and the kernel must find the same paths as the grader.
    """
    exe = shutil.which("bwrap") or "bwrap"
    mounts: dict[tuple[str, int], str] = {}
    for path in _hidden(hide):
        mounts[(os.path.realpath(path), _HIDE)] = ""
    for path in _shown():
        mounts[(os.path.realpath(path), _SHOW)] = os.path.realpath(path)
    for target, replacement in (stubs or {}).items():
        mounts[(os.path.realpath(target), _STUB)] = os.path.realpath(replacement)
    for path in (scratch, runtime):
        mounts[(os.path.realpath(path), _WRITE)] = os.path.realpath(path)
    args = [exe, *FLAGS, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    for (dest, kind), source in sorted(mounts.items(), key=_mount_order):
        if kind == _HIDE and os.path.isdir(dest):
            args += ["--tmpfs", dest]
        elif kind == _HIDE:  # a single file: an empty one in its place
            args += ["--ro-bind", "/dev/null", dest]
        elif kind == _WRITE:
            args += ["--bind", source, dest]
        else:
            args += ["--ro-bind", source, dest]
    # The grader's environment may hold secrets (tokens, passwords): only a few plain
    # settings pass into the sandbox.
    args += ["--clearenv"]
    for name, value in sorted(os.environ.items()):
        if name in ENV_KEPT or name.startswith("LC_"):
            args += ["--setenv", name, value]
    args += ["--dir", SANDBOX_HOME, "--setenv", "HOME", SANDBOX_HOME, "--setenv", "TMPDIR", "/tmp"]
    args += ["--setenv", "IPYTHONDIR", f"{SANDBOX_HOME}/.ipython"]
    args += ["--setenv", "MPLCONFIGDIR", f"{SANDBOX_HOME}/.matplotlib"]
    # ipykernel exits when its parent looks like init, and inside, bwrap's reaper is pid 1;
    # pid 1 turns that check off, and --die-with-parent does its job instead.
    args += ["--setenv", "JPY_PARENT_PID", "1"]
    return [*args, "--chdir", os.path.realpath(scratch), "--"]


def _mount_order(item: tuple[tuple[str, int], str]) -> tuple[int, int, str]:
    (dest, kind), _ = item
    return (len(Path(dest).parts), kind, dest)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs under bwrap, reached over unix sockets.

    Use it as `NotebookClient(nb, km=SandboxedKernelManager(scratch=...))` and
    `client.execute(cleanup_kc=True, cwd=..., preexec_fn=..., ...)`: nbclient shuts
    down only kernels of managers it made itself unless told `cleanup_kc=True`.
    Popen's arguments (preexec_fn's RLIMIT_AS, stdout, stderr) apply to bwrap and so
    to the kernel, which inherits its limits. `--die-with-parent` ties the kernel to
    the thread that started it: start and finish a kernel in the same thread.

    `scratch` is the kernel's working directory and stays writable; `hide` are
    folders it must not see (missing ones are skipped); `stubs` maps a real path to
    a read-only replacement bound over it.
    """

    def __init__(
        self,
        *,
        scratch: Path,
        hide: Sequence[Path] = (),
        stubs: Mapping[Path, Path] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scratch = Path(scratch)
        self.hide = [Path(p) for p in hide]
        self.stubs = {Path(k): Path(v) for k, v in (stubs or {}).items()}
        # Checked here: a bad mount only shows later as a kernel that died on starting.
        for path in [*self.stubs, *self.stubs.values()]:
            if not path.exists():
                raise FileNotFoundError(f"sandbox stub: {path} does not exist")
        self.transport = "ipc"
        self.runtime: Path | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        # The connection file and the unix sockets live in one folder the kernel can see;
        # /tmp keeps the socket paths short (the kernel allows about 100 characters).
        if self.runtime is None or not self.runtime.is_dir():
            self.runtime = Path(tempfile.mkdtemp(prefix="crmkit-kernel-", dir="/tmp"))
            self.connection_file = str(self.runtime / "kernel.json")
            self.ip = str(self.runtime / "zmq")
        # An interrupt as a message: the kernel signals itself inside the sandbox. A SIGINT
        # to the process group would hit bwrap outside it, which dies (and the kernel too).
        assert self.kernel_spec is not None
        self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's own command, run under bwrap."""
        assert self.runtime is not None
        cmd = super().format_kernel_cmd(extra_arguments)
        return [*bwrap_args(self.scratch, self.runtime, self.hide, self.stubs), *cmd]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.runtime is not None:
            shutil.rmtree(self.runtime, ignore_errors=True)

    # AsyncKernelManager binds the base class's coroutine to this name; nbclient calls it.
    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]
