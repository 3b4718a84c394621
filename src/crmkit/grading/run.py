"""Grade one submission: parse, recognise, restore, run in its own kernel, score.

Each submission runs in a fresh scratch folder with its own kernel, a time
limit per cell and a limit on the kernel's address space (RLIMIT_AS, where
the system has it). Points follow nbgrader's own rule
(`nbgrader.utils.determine_grade`: a graded cell with an error or anything on
stderr scores zero), so the marks agree with `nbgrader autograde`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.utils import determine_grade

from crmkit.grading.restore import ExerciseSet, grade_id, recognise, restore
from crmkit.grading.submissions import Submission

STATUSES = (
    "graded",
    "invalid_notebook",
    "unknown_exercise_set",
    "timeout",
    "memory_limit",
    "kernel_died",
)


@dataclass
class Result:
    """The outcome of one submission: its marks, or why it could not be graded."""

    student: str
    origin: str
    exercise_set: str = ""
    points: dict[str, float] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)
    status: str = "graded"
    reason: str = ""
    notebook: nbformat.NotebookNode | None = None

    @property
    def total(self) -> float:
        """Points earned over all graded cells."""
        return float(sum(self.points.values()))

    @property
    def max_total(self) -> float:
        """Points available in the exercise set."""
        return float(sum(self.max_points.values()))


#: Characters of output kept per cell; beyond this a cell's output is cut (errors are kept).
MAX_OUTPUT_CHARS = 1_000_000


class _CappedClient(NotebookClient):
    """nbclient with a cap on each cell's output, so a print loop cannot flood the grader.

    Past the cap, a cell keeps its errors and one short note per stream (stdout,
    stderr): what nbgrader's rule looks at (an error or anything on stderr) survives.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._chars: dict[int, int] = {}

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None:
            size = len(str(out.get("text", ""))) + len(str(out.get("data", "")))
            self._chars[cell_index] = self._chars.get(cell_index, 0) + size
            if self._chars[cell_index] > MAX_OUTPUT_CHARS:
                outs[:] = _capped(outs)
        return out


def _capped(outs: list) -> list:
    kept, streams = [], set()
    for out in outs:
        if out.get("output_type") == "error":
            kept.append(out)
        elif out.get("output_type") == "stream" and out.get("name") not in streams:
            streams.add(out.get("name"))
            note = f"[output cut: more than {MAX_OUTPUT_CHARS:,} characters]\n"
            kept.append(nbformat.v4.new_output("stream", name=out.get("name"), text=note))
    return kept


def _limit_memory(megabytes: int):
    def apply() -> None:  # runs in the kernel process, before Python starts
        import resource

        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def grade_submission(
    submission: Submission,
    sets: dict[str, ExerciseSet],
    *,
    timeout: int = 60,
    memory_mb: int | None = 2048,
    scratch_root: Path | str | None = None,
) -> Result:
    """Grade one submission and return its Result; never raises for a student's mistake."""
    result = Result(submission.student, submission.origin)
    if submission.content is None:
        result.status, result.reason = "invalid_notebook", "file too large to be a notebook"
        return result
    try:
        submitted = nbformat.reads(submission.content.decode("utf-8-sig"), as_version=4)
    except Exception as err:  # any parse failure is the file's fault, reported plainly
        result.status = "invalid_notebook"
        result.reason = f"not a readable notebook ({type(err).__name__})"
        return result
    name = recognise(submitted, sets, filename=submission.origin)
    if name is None:
        result.status = "unknown_exercise_set"
        result.reason = f"matches none of {sorted(sets)}"
        return result
    exercise = sets[name]
    result.exercise_set = name
    result.max_points = exercise.points
    result.points = {gid: 0.0 for gid in exercise.points}
    restored = restore(submitted, exercise).notebook
    scratch = Path(tempfile.mkdtemp(prefix="crmkit-grade-", dir=scratch_root))
    try:
        client = _CappedClient(
            restored,
            timeout=timeout,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": str(scratch)}},
        )
        # The kernel's own log (e.g. its complaints when it is killed) is not the student's
        # output and would drown the progress lines: it goes nowhere.
        extra: dict = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if memory_mb and os.name == "posix":
            extra["preexec_fn"] = _limit_memory(memory_mb)
        try:
            client.execute(cwd=str(scratch), **extra)
        except CellTimeoutError:
            result.status, result.reason = "timeout", f"a cell ran longer than {timeout} s"
        except DeadKernelError:
            result.status, result.reason = "kernel_died", "the kernel stopped while running"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.notebook = restored
    if result.status != "graded":
        return result
    for cell in restored.cells:
        gid = grade_id(cell)
        if gid in exercise.points and cell.cell_type == "code":
            earned, _ = determine_grade(cell)
            result.points[gid] = float(earned or 0.0)
        if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", [])):
            result.status = "memory_limit"
            result.reason = f"the kernel ran out of its {memory_mb} MB"
    return result
