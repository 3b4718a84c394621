"""Grade a folder or zip of submissions in parallel and write grades.csv.

One bad submission never stops the others: each gets a status. Kernels are
separate processes, so a pool of threads (one per job) keeps `--jobs`
kernels busy at once; progress is printed as each submission finishes.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from crmkit.errors import CrmkitError
from crmkit.grading.restore import load_sets
from crmkit.grading.run import Isolation, Result, answer_keys_stub, grade_submission
from crmkit.grading.sandbox import describe, probe
from crmkit.grading.submissions import find_submissions


def default_jobs() -> int:
    """The number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def grade_all(
    source: Path | str,
    solutions: Path | str,
    *,
    jobs: int | None = None,
    timeout: int = 60,
    memory_mb: int | None = 2048,
    progress: Callable[[int, int, Result], None] | None = None,
    isolation: Isolation | None = None,
) -> list[Result]:
    """Grade every submission under `source` against the sets in `solutions`; sorted results."""
    sets = load_sets(solutions)
    submissions = find_submissions(source)
    if not submissions:
        raise CrmkitError(f"{source}: no submissions found")
    jobs = max(1, jobs or default_jobs())
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(
                grade_submission, s, sets, timeout=timeout, memory_mb=memory_mb,
                isolation=isolation,
            )
            for s in submissions
        ]  # fmt: skip
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            if progress:
                progress(done, len(futures), result)
    _mark_duplicates(results)
    return sorted(results, key=lambda r: (r.student, r.origin))


def _mark_duplicates(results: list[Result]) -> None:
    seen: dict[tuple[str, str], Result] = {}
    for r in sorted(results, key=lambda r: r.origin):
        key = (r.student, r.exercise_set)
        if r.exercise_set and key in seen:
            r.reason = (r.reason + "; " if r.reason else "") + (
                f"another submission of the same set: {seen[key].origin}"
            )
        seen.setdefault(key, r)


def write_grades_csv(results: list[Result], path: Path | str) -> Path:
    """grades.csv: student, exercise_set, points per grade id, total, max_total, pending, ...

    A manually graded question still to be marked has an empty cell (neither 0 nor
    earned), and its points are in `pending`; `total` holds the points earned so far.
    """
    ids: list[str] = []
    for r in results:
        ids += [gid for gid in r.max_points if gid not in ids]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.part")  # written whole, then moved: never half a gradebook
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["student", "exercise_set", *ids, "total", "max_total", "pending", "status", "reason"]
        )
        for r in results:
            points = [f"{r.points[g]:g}" if g in r.points else "" for g in ids]
            writer.writerow(
                [r.student, r.exercise_set, *points, f"{r.total:g}", f"{r.max_total:g}",
                 f"{r.pending_points:g}", r.status, r.reason]
            )  # fmt: skip
    tmp.replace(path)
    return path


def progress_line(done: int, total: int, result: Result, width: int = 20) -> str:
    """`[#####---------------]  5/20  alice: graded 23/23`: how far the run is, and the latest.

    With answers still to be marked by hand: `alice: graded 18/19 +4 to mark`.
    """
    filled = round(width * done / total) if total else width
    marks = marks_text(result) if result.exercise_set else "-"
    bar = "#" * filled + "-" * (width - filled)
    return f"[{bar}] {done:>{len(str(total))}}/{total}  {result.student}: {result.status} {marks}"


def marks_text(result: Result) -> str:
    """`23/23`, or `18/19 +4 to mark`: the points so far and those waiting for a grader."""
    pending = result.pending_points
    text = f"{result.total:g}/{result.max_total - pending:g}"
    return f"{text} +{pending:g} to mark" if result.pending else text


def print_progress(done: int, total: int, result: Result) -> None:
    """One progress line per finished submission, on stderr (it reads well in logs too)."""
    print(progress_line(done, total, result), file=sys.stderr, flush=True)


def isolation_for(
    source: Path | str, solutions: Path | str, out: Path | str, workdir: Path, sandbox: bool = True
) -> tuple[Isolation, str]:
    """How to keep kernels apart in this run, and the sentence the summary says about it.

    With bwrap usable here the kernels run in its sandbox, with the solutions, the
    submissions and the output folder hidden and the answer keys replaced by a stub.
    """
    if not sandbox:
        return Isolation(False), (
            "Submissions ran without a sandbox, as your user (--no-sandbox was given)."
        )
    found = probe()
    if not found.available:
        return Isolation(False), describe(found)
    hide = tuple(Path(p).resolve() for p in (solutions, source, out))
    return Isolation(True, hide, answer_keys_stub(workdir)), describe(found)


def summary(results: list[Result], isolation_note: str = "") -> str:
    """The run's last words: how many graded, every submission that was not, and the isolation."""
    graded = [r for r in results if r.status == "graded"]
    lines = [f"Graded {len(graded)} of {len(results)} submissions."]
    lines += [
        f"  {r.student} ({r.origin}): {r.status}: {r.reason}" for r in results if r not in graded
    ]
    waiting = [r for r in results if r.pending]
    if waiting:
        lines.append(
            f"Written answers to mark by hand: {sum(len(r.pending) for r in waiting)}, in "
            f"{len(waiting)} of the submissions (empty in grades.csv; `crmkit grade mark --help`)."
        )
    if isolation_note:
        lines.append(f"Note: {isolation_note}")
    return "\n".join(lines)
