"""Grade one submission: parse, recognise, restore, run in its own kernel, score outside it.

Each submission runs in a fresh scratch folder with its own kernel, a time
limit per cell and a limit on the kernel's address space (RLIMIT_AS, where
the system has it). The kernel runs the student's cells; its test cells are
replaced by export cells that send the answers out as data, and the checks,
hidden tests included, run in the grader's process (`outside`), where the
student's code cannot reach them. Points follow nbgrader's own rule
(`nbgrader.utils.determine_grade`: a graded cell with an error or anything on
stderr scores zero), so honest work gets the marks `nbgrader autograde` gives.
A manually graded answer is not run as a check: it scores 0 if left as
released, else its points are pending until a grader marks it (`marks`).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from crmkit.grading import transfer
from crmkit.grading.outside import Givens, call_source, export_source, needed_names, run_check
from crmkit.grading.restore import ExerciseSet, grade_id, recognise, restore, unanswered
from crmkit.grading.sandbox import SandboxedKernelManager
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
    #: Manually graded questions (grade ids); those in `pending` wait for a grader's mark
    #: and have no entry in `points` (neither 0 nor earned) until they get one.
    manual: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Points earned so far: the checks' and the marks given by a grader."""
        return float(sum(self.points.values()))

    @property
    def max_total(self) -> float:
        """Points available in the exercise set, pending ones included."""
        return float(sum(self.max_points.values()))

    @property
    def pending_points(self) -> float:
        """Points still to be marked by a grader."""
        return float(sum(self.max_points[gid] for gid in self.pending))


#: The comment a manually graded answer left as released gets (it scores 0 at once).
NOT_ANSWERED = "Not answered."

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
    givens_for: Callable[[ExerciseSet], Givens] | None = None,
    isolation: Isolation | None = None,
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
    result.points = {gid: 0.0 for gid in exercise.auto_points}
    restored = restore(submitted, exercise).notebook
    _manual_state(restored, exercise, result)
    givens = (givens_for or _default_givens)(exercise)
    kernel_nb, checks = kernel_notebook(restored, exercise, givens)
    scratch = Path(tempfile.mkdtemp(prefix="crmkit-grade-", dir=scratch_root))
    try:
        km = None
        if isolation is not None and isolation.sandbox:
            km = SandboxedKernelManager(
                scratch=scratch, hide=isolation.hide, stubs=isolation.stubs, kernel_name="python3"
            )
        client = _CappedClient(
            kernel_nb,
            km=km,
            timeout=timeout,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": str(scratch)}},
        )
        # The kernel's own log (e.g. its complaints when it is killed) is not the student's
        # output and would drown the progress lines: it goes nowhere.
        extra: dict = {"cwd": str(scratch), "stdout": subprocess.DEVNULL, "cleanup_kc": True}
        extra["stderr"] = subprocess.DEVNULL
        if memory_mb and os.name == "posix":
            extra["preexec_fn"] = _limit_memory(memory_mb)
        at = "the kernel's start"  # where the run is, for the reason if it stops there
        try:
            with client.setup_kernel(**extra):
                for index, cell in enumerate(kernel_nb.cells[: len(restored.cells)]):
                    at = _where(restored, index)
                    client.execute_cell(cell, index)
                    if index in checks:
                        at = f"your function, called by the check {grade_id(restored.cells[index])}"
                        _score_outside(client, kernel_nb, restored, index, givens, result)
        except CellTimeoutError:
            result.status = "timeout"
            result.reason = f"{at} ran longer than {timeout} s; the checks after it did not run"
        except DeadKernelError:
            result.status = "kernel_died"
            result.reason = f"the kernel stopped in {at}; the checks after it did not run"
        except RuntimeError as err:  # nbclient: "Kernel died before replying to kernel_info"
            if "kernel" not in str(err).lower():
                raise
            result.status, result.reason = "kernel_died", "the kernel did not start"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.notebook = restored
    for cell in kernel_nb.cells:
        if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", [])):
            result.status = "memory_limit"
            result.reason = f"the kernel ran out of its {memory_mb} MB"
    # A run that stopped keeps the points of the checks that ran before it stopped.
    return result


def _manual_state(restored: nbformat.NotebookNode, exercise: ExerciseSet, result: Result) -> None:
    """Manually graded answers: 0 if left as released (as nbgrader does), else pending."""
    source = {grade_id(c): c for c in exercise.source.cells if grade_id(c)}
    manual = set(exercise.manual_ids)
    pending = []
    for cell in restored.cells:
        gid = grade_id(cell)
        if gid not in manual:
            continue
        if unanswered(cell.source, source[gid]):
            result.points[gid] = 0.0
            result.comments[gid] = NOT_ANSWERED
        else:
            pending.append(gid)
    result.manual = tuple(exercise.manual_ids)
    result.points = {g: result.points[g] for g in exercise.points if g in result.points}  # in order
    result.pending = tuple(pending)


def _where(nb: nbformat.NotebookNode, index: int) -> str:
    """A cell as a grader can find it: its grade id, or the graded cell it comes before."""
    gid = grade_id(nb.cells[index])
    if gid:
        return f"the cell {gid}"
    after = next((grade_id(c) for c in nb.cells[index:] if grade_id(c)), None)
    return f"your own cell before {after}" if after else "your own cell at the end"


@dataclass(frozen=True)
class Isolation:
    """How kernels are kept apart from the grader: in a bwrap sandbox or not, and what it hides.

    `hide`: folders the kernel must not see (solutions, submissions, the output);
    `stubs`: read-only replacements bound over real paths (the answer keys).
    """

    sandbox: bool
    hide: tuple[Path, ...] = ()
    stubs: dict[Path, Path] = field(default_factory=dict)


#: What `crmkit.answer_keys` is inside a sandboxed kernel: the checks run in the grader, so
#: the kernel needs only a `check_answer` that does nothing, and must not hold the keys.
ANSWER_KEYS_STUB = '''"""Stand-in for crmkit.answer_keys while grading: checks run outside."""

from crmkit import check  # noqa: F401  (a letter typed without quotes gets the same help)

KEYS = {}


def check_answer(key, answer):
    """The grader checks this answer outside the notebook."""
    return None


def expected(key):
    raise LookupError("the answer keys are not available while a notebook is graded")
'''


def answer_keys_stub(folder: Path) -> dict[Path, Path]:
    """Write the stand-in package into `folder`; map the real answer_keys folder to it."""
    import crmkit.answer_keys

    stub = Path(folder) / "answer_keys"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text(ANSWER_KEYS_STUB, encoding="utf-8")
    return {Path(crmkit.answer_keys.__file__).resolve().parent: stub}


_GIVENS: dict[str, Givens] = {}
_GIVENS_LOCK = threading.Lock()


def _default_givens(exercise: ExerciseSet) -> Givens:
    """One Givens per exercise set per process: the set-up cells run once for all submissions."""
    with _GIVENS_LOCK:
        key = f"{exercise.name}:{id(exercise.source)}"
        if key not in _GIVENS:
            _GIVENS[key] = Givens(exercise)
        return _GIVENS[key]


def kernel_notebook(
    restored: nbformat.NotebookNode, exercise: ExerciseSet, givens: Givens
) -> tuple[nbformat.NotebookNode, set[int]]:
    """What the student's kernel runs: the restored notebook, each test cell an export cell.

    Returns the notebook and the indices of its export cells.
    """
    given_names = givens.names()
    nb = copy.deepcopy(restored)
    checks: set[int] = set()
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid in exercise.auto_points and cell.cell_type == "code":
            checks.add(index)
            names = needed_names(cell.source, given_names)
            nb.cells[index] = nbformat.v4.new_code_cell(export_source(gid, names))
    return nb, checks


def _score_outside(
    client: NotebookClient,
    kernel_nb: nbformat.NotebookNode,
    restored: nbformat.NotebookNode,
    index: int,
    givens: Givens,
    result: Result,
) -> None:
    """Run test cell `index` here, on the answers its export cell just sent; note its points.

    It runs right after its export cell, before the notebook goes on, so a learner's
    function is called in the state the kernel had at that point, as under nbgrader.
    """

    def call_batch(question: str, name: str, calls: list) -> list:
        cell = nbformat.v4.new_code_cell(call_source(question, name, calls))
        kernel_nb.cells.append(cell)
        client.execute_cell(cell, len(kernel_nb.cells) - 1)
        bundle = transfer.read_bundle(cell.outputs) or {}
        return bundle.get("results", []) if bundle.get("question") == question else []

    cell = restored.cells[index]
    bundle = transfer.read_bundle(kernel_nb.cells[index].get("outputs", []))
    outcome = run_check(cell, givens, bundle, call_batch)
    cell.outputs = outcome.outputs
    result.points[grade_id(cell)] = outcome.points
