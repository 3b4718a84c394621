"""Grading throughput: `crmkit grade --jobs 2` against `nbgrader autograde`, same submissions.

Run `python benchmarks/grading.py [--size 40]` (not part of `make bench` or the
tests; it takes a few minutes). It builds the submissions from the grading
corpus of the tests (tests/grading/grading_corpus.py): honest work of all three sets
(solved, blank, partial, wrong, edited, reordered, ...) and a few files that
are no notebook, which nbgrader also gets through (it reports and skips them).
Submissions that hang, hog memory or kill their kernel are left out: nbgrader
would wait out its 120 s cell timeout on them. Both graders run one after the
other on this machine, each with the machine to itself; nbgrader grades every
set in one `autograde` run of one course, as a course would. The figures go to
benchmarks/results.json (key `grading`) and to the table between the grading
markers in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grading"))

import report  # noqa: E402  (benchmarks/report.py: where the figures are written)

import grading_corpus as corpus  # noqa: E402
from nbgrader_course import autograde_sets  # noqa: E402

#: crmkit grade must reach at least this multiple of nbgrader's throughput.
TARGET_RATIO = 1.7
#: Bad files nbgrader gets through too, and the set folder each is handed in under there.
BAD_FOR_NBGRADER = {
    "text_file": "ex01_classification",
    "truncated": "ex03_pyramid",
    "empty": "ex04_value",
}


def submissions(size: int) -> list[corpus.Entry]:
    """`size` submissions: the corpus's honest gradable work and bad files, padded with repeats."""
    entries = corpus.build_corpus(ROOT)
    chosen = [e for e in entries if e.nbgrader and not e.tamper]
    chosen += [e for e in entries if e.student in BAD_FOR_NBGRADER]
    return corpus.pad(chosen, size)[: max(size, 1)]


def run_crmkit(entries: list[corpus.Entry], work: Path, jobs: int) -> dict:
    subs = corpus.write_corpus(entries, work / "submissions")
    out = work / "crmkit-out"
    command = [sys.executable, "-m", "crmkit.cli", "grade", str(subs), "--out", str(out)]
    command += ["--jobs", str(jobs), "--timeout", "60", "--memory", "2048"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"crmkit grade failed:\n{proc.stdout}\n{proc.stderr}")
    note = next((ln for ln in proc.stdout.splitlines() if ln.startswith("Note:")), "")
    return {"seconds": seconds, "rows": corpus.read_grades(out / "grades.csv"), "note": note}


def run_nbgrader(entries: list[corpus.Entry], work: Path) -> dict:
    by_set: dict[str, dict[str, bytes]] = {}
    for e in entries:
        name = e.exercise_set or BAD_FOR_NBGRADER[e.student]
        by_set.setdefault(name, {})[e.student] = e.content
    course = work / "nbgrader-course"
    course.mkdir()
    result = autograde_sets(ROOT, by_set, course, allow_failures=True)
    return {
        "seconds": result.seconds,
        "setup_seconds": result.setup_seconds,
        "scores": result.scores,
        "failed": sorted(student for _, student in result.failed),
    }


def compare(entries: list[corpus.Entry], ours: dict, theirs: dict) -> list[str]:
    """Every question where the two graders' points differ, on what nbgrader graded.

    A difference by design is labelled so: an answer the learner moved below its
    check runs in the source's order under crmkit (Entry.reordered).
    """
    differences = []
    for e in entries:
        points = theirs["scores"].get(e.exercise_set or "", {}).get(e.student)
        if points is None:
            continue
        row = ours["rows"][e.student]
        mine = corpus.points_of(row, points)
        differences += [
            f"{e.student} {gid}: crmkit {mine[gid]:g}, nbgrader {points[gid]:g} ({e.note})"
            + (" [by design]" if gid in e.reordered else "")
            for gid in points
            if mine[gid] != points[gid]
        ]
    return differences


def render(figures: dict) -> str:
    f = figures
    ok = "yes" if f["ratio"] >= TARGET_RATIO else "**no**"
    unexpected = [d for d in f["differences"] if not d.endswith("[by design]")]
    same = "yes" if not unexpected else f"**no**: {len(unexpected)} questions differ"
    if f["differences"] and not unexpected:
        same += " (but for the difference by design listed below)"
    lines = [
        f"Measured on {f['machine']} ({f['cores']} cores), Python {f['python']}; command: "
        f"`python benchmarks/grading.py --size {f['submissions']}`.",
        "",
        "| what | wall time | submissions / minute |",
        "|---|---|---|",
        f"| `crmkit grade --jobs {f['jobs']}`, {f['submissions']} submissions | "
        f"{f['crmkit_seconds']:.1f} s | {f['crmkit_per_minute']:.1f} |",
        f"| `nbgrader autograde` (all sets, one run), the same {f['submissions']} | "
        f"{f['nbgrader_seconds']:.1f} s | {f['nbgrader_per_minute']:.1f} |",
        f"| … plus its one-off `generate_assignment` | {f['nbgrader_setup_seconds']:.1f} s | — |",
        "",
        f"Throughput ratio: **{f['ratio']:.2f}×** nbgrader's (target {TARGET_RATIO}×: {ok}). "
        f"Same points per question on all {f['compared']} submissions nbgrader graded: {same}. "
        f"nbgrader could not grade {', '.join(f['nbgrader_failed']) or 'none'}; crmkit gave "
        f"them {', '.join(sorted(set(f['crmkit_status_of_failed']))) or '—'}. {f['isolation']}",
    ]
    lines += [f"- {d}" for d in f["differences"]]
    return "\n".join(lines)


def write_results(figures: dict, table: str) -> None:
    data = report.kept_results()
    data["grading"] = figures
    report.write_results(data)
    report.write_section("grading", table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="number of submissions")
    parser.add_argument("--jobs", type=int, default=2, help="crmkit grade --jobs")
    parser.add_argument("--no-write", action="store_true", help="print only; change no file")
    args = parser.parse_args()
    entries = submissions(args.size)
    with tempfile.TemporaryDirectory(prefix="crmkit-bench-grading-") as tmp:
        work = Path(tmp)
        print(f"crmkit grade --jobs {args.jobs} on {len(entries)} submissions ...", flush=True)
        ours = run_crmkit(entries, work, args.jobs)
        print(f"  {ours['seconds']:.1f} s", flush=True)
        print(f"nbgrader autograde on the same {len(entries)} ...", flush=True)
        theirs = run_nbgrader(entries, work)
        print(f"  {theirs['seconds']:.1f} s (+ {theirs['setup_seconds']:.1f} s setup)", flush=True)
    differences = compare(entries, ours, theirs)
    n = len(entries)
    figures = {
        "machine": platform.machine(),
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "submissions": n,
        "jobs": args.jobs,
        "crmkit_seconds": round(ours["seconds"], 2),
        "nbgrader_seconds": round(theirs["seconds"], 2),
        "nbgrader_setup_seconds": round(theirs["setup_seconds"], 2),
        "crmkit_per_minute": round(60 * n / ours["seconds"], 2),
        "nbgrader_per_minute": round(60 * n / theirs["seconds"], 2),
        "ratio": round(theirs["seconds"] / ours["seconds"], 3),
        "target_ratio": TARGET_RATIO,
        "compared": sum(len(s) for s in theirs["scores"].values()),
        "identical": not [d for d in differences if not d.endswith("[by design]")],
        "differences": differences,
        "nbgrader_failed": theirs["failed"],
        "crmkit_status_of_failed": [ours["rows"][s]["status"] for s in theirs["failed"]],
        "isolation": ours["note"].removeprefix("Note: "),
    }
    table = render(figures)
    print()
    print(table)
    if not args.no_write:
        write_results(figures, table)


if __name__ == "__main__":
    main()
