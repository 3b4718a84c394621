"""Run nbgrader's own autograde on a scratch copy of the course (used by the grading tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook


def autograde(
    repo: Path, exercise_set: str, submissions: dict[str, Path], workdir: Path
) -> dict[str, dict[str, float]]:
    """Grade {student: notebook path} with `nbgrader autograde`; returns points per grade id.

    The course is a scratch copy (solutions/ of one set and nbgrader_config.py),
    so the repo and its real gradebook are never touched.
    """
    shutil.copy(repo / "nbgrader_config.py", workdir / "nbgrader_config.py")
    shutil.copytree(repo / "solutions" / exercise_set, workdir / "solutions" / exercise_set)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    # nbgrader runs the `alembic` command of its own environment to create the gradebook.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [*nbgrader, "generate_assignment", exercise_set, "--force"],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
    )
    for student, notebook in submissions.items():
        target = workdir / "submitted" / student / exercise_set
        target.mkdir(parents=True)
        shutil.copy(notebook, target / f"{exercise_set}.ipynb")
    proc = subprocess.run(
        [*nbgrader, "autograde", exercise_set, "--force"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"nbgrader autograde failed:\n{proc.stdout}\n{proc.stderr}"
    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as gb:
        for student in submissions:
            nb = gb.find_submission_notebook(exercise_set, exercise_set, student)
            scores[student] = {g.name: g.score for g in nb.grades if g.max_score}
    return scores
