"""Run nbgrader's own autograde on a scratch copy of the course (used by the grading tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook


@dataclass
class Autograded:
    """What one `nbgrader autograde` run gave: points per grade id, by set and student."""

    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    failed: set[tuple[str, str]] = field(default_factory=set)  # (set, student) it could not grade
    seconds: float = 0.0  # wall time of the autograde step alone
    setup_seconds: float = 0.0  # wall time of generate_assignment
    log: str = ""


def autograde_sets(
    repo: Path,
    submissions: dict[str, dict[str, Path | bytes]],
    workdir: Path,
    *,
    allow_failures: bool = False,
) -> Autograded:
    """Grade {set: {student: notebook path or bytes}} in one `nbgrader autograde` run.

    One scratch course holds every set named (solutions/ of those sets and
    nbgrader_config.py); `generate_assignment` and `autograde` each run once, over
    all of them. nbgrader goes on after a submission it cannot grade (e.g. a file that
    is not a notebook) and exits with an error at the end: with `allow_failures` such
    submissions are listed in `failed` instead of failing the call.
    """
    workdir = Path(workdir)
    sets = sorted(submissions)
    shutil.copy(repo / "nbgrader_config.py", workdir / "nbgrader_config.py")
    for name in sets:
        shutil.copytree(repo / "solutions" / name, workdir / "solutions" / name)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    # nbgrader runs the `alembic` command of its own environment to create the gradebook.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    which = sets[0] if len(sets) == 1 else "*"  # the scratch course holds exactly these sets
    start = time.perf_counter()
    subprocess.run(
        [*nbgrader, "generate_assignment", which, "--force"],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
    )
    out = Autograded(setup_seconds=time.perf_counter() - start)
    for name in sets:
        for student, notebook in submissions[name].items():
            target = workdir / "submitted" / student / name
            target.mkdir(parents=True)
            if isinstance(notebook, bytes):
                (target / f"{name}.ipynb").write_bytes(notebook)
            else:
                shutil.copy(notebook, target / f"{name}.ipynb")
    start = time.perf_counter()
    proc = subprocess.run(
        [*nbgrader, "autograde", which, "--force"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    out.seconds = time.perf_counter() - start
    out.log = f"{proc.stdout}\n{proc.stderr}"
    for name in sets:
        for student in submissions[name]:
            if not (workdir / "autograded" / student / name / f"{name}.ipynb").is_file():
                out.failed.add((name, student))
    if not allow_failures:
        assert proc.returncode == 0 and not out.failed, f"nbgrader autograde failed:\n{out.log}"
    with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as gb:
        for name in sets:
            out.scores[name] = {}
            for student in submissions[name]:
                if (name, student) in out.failed:
                    continue
                nb = gb.find_submission_notebook(name, name, student)
                out.scores[name][student] = {g.name: g.score for g in nb.grades if g.max_score}
    return out
