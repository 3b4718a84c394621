"""`crmkit grade` gives the same points per question as `nbgrader autograde`, on a wide corpus.

The corpus (tests/grading/grading_corpus.py) holds solved, blank, partial and wrong
work in all three sets, edited, deleted, inserted, reordered and retyped
cells, old and stripped file formats, code that hangs, hogs memory, crashes
or floods its output, files that are no notebook at all, and tamper attempts.
`crmkit grade` runs on all of it; `nbgrader autograde` runs at the same time
(in a background thread) on every honest entry it can grade. Tamper entries
are checked in test_grading_tamper.py (nbgrader is fooled by most of them).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from grading_corpus import Course, build_corpus, crmkit_run, points_of  # noqa: E402
from nbgrader_course import Autograded, autograde_sets  # noqa: E402

pytestmark = pytest.mark.slow
ENTRIES = build_corpus(ROOT)
#: Honest entries nbgrader can grade: the ones whose points must agree.
COMPARED = [e for e in ENTRIES if e.nbgrader and not e.tamper]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    by_set: dict[str, dict[str, bytes]] = {}
    for e in COMPARED:
        by_set.setdefault(e.exercise_set, {})[e.student] = e.content
    # nbgrader grades one notebook at a time: one nbgrader course per set, four at a time
    # alongside crmkit grade, keep this machine's two cores busy without starving kernels
    # of the time they need to start (one course per set all at once, eight of them, let a
    # kernel miss its start-up now and then).
    with ThreadPoolExecutor(max_workers=min(len(by_set), 4)) as pool:
        runs = {
            name: pool.submit(
                autograde_sets, ROOT, {name: subs}, tmp_path_factory.mktemp(f"nbgrader-{name}"),
                allow_failures=True,
            )
            for name, subs in by_set.items()
        }  # fmt: skip
        ours = crmkit_run(ROOT, tmp_path_factory)
        done = {name: future.result() for name, future in runs.items()}
    nbgrader = Autograded(
        scores={name: run.scores[name] for name, run in done.items()},
        failed=set().union(*(run.failed for run in done.values())),
        seconds=max(run.setup_seconds + run.seconds for run in done.values()),
        log="\n".join(run.log for run in done.values() if run.failed),
    )
    print(
        f"\ncrmkit grade: {len(ours.entries)} submissions in {ours.seconds:.1f} s; nbgrader "
        f"(generate_assignment + autograde, one course per set at once): {len(COMPARED)} in "
        f"{nbgrader.seconds:.1f} s, alongside",
        file=sys.stderr,
    )
    return ours, nbgrader


def test_crmkit_grades_every_submission(graded):
    ours, _ = graded
    assert ours.exit_code == 0
    assert sorted(ours.rows) == sorted(e.student for e in ENTRIES)


def test_nbgrader_grades_every_compared_submission(graded):
    _, nbgrader = graded
    assert not nbgrader.failed, (
        f"nbgrader could not grade {sorted(nbgrader.failed)}; its log:\n{nbgrader.log[-4000:]}"
    )


def test_points_per_question_agree_with_nbgrader(graded):
    ours, nbgrader = graded
    points = Course(ROOT).points
    disagreements = []
    for e in COMPARED:
        theirs = nbgrader.scores.get(e.exercise_set, {}).get(e.student)
        if theirs is None:
            continue  # reported by test_nbgrader_grades_every_compared_submission
        # nbgrader also lists the hand-marked answers (pending: 0 until marked); crmkit leaves
        # them blank in grades.csv, which points_of reads as 0 too
        extra = set(theirs) - set(points[e.exercise_set])
        assert set(points[e.exercise_set]) <= set(theirs), e.student
        assert all(gid.endswith("_answer") for gid in extra), (e.student, extra)
        mine = points_of(ours.rows[e.student], theirs)
        for gid in e.reordered:  # the one difference by design: it must be exactly this
            assert mine[gid] == points[e.exercise_set][gid] and theirs[gid] == 0, (e.student, gid)
        disagreements += [
            f"{e.student} ({e.exercise_set}) {gid}: crmkit {mine[gid]:g}, nbgrader "
            f"{theirs[gid]:g}  [{e.note}]"
            for gid in theirs
            if mine[gid] != theirs[gid] and gid not in e.reordered
        ]
    assert not disagreements, "crmkit grade and nbgrader disagree:\n" + "\n".join(disagreements)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.student)
def test_each_submission_gets_its_status(graded, entry):
    row = graded[0].rows[entry.student]
    assert row["status"] == entry.expect_status, (entry.note, row)
    assert row["exercise_set"] == (entry.exercise_set or "")
    if entry.expect_status != "graded":
        assert row["reason"].strip(), "every submission not graded says why"


def test_known_totals(graded):
    """Where the corpus knows the right total, both graders give it."""
    ours, nbgrader = graded
    wrong = []
    for e in ENTRIES:
        if e.expect_total is None:
            continue
        mine = float(ours.rows[e.student]["total"])
        if mine != e.expect_total:
            wrong.append(f"crmkit {e.student}: {mine:g}, expected {e.expect_total:g} [{e.note}]")
        theirs = nbgrader.scores.get(e.exercise_set or "", {}).get(e.student)
        if theirs is not None and not e.reordered and sum(theirs.values()) != e.expect_total:
            wrong.append(
                f"nbgrader {e.student}: {sum(theirs.values()):g}, expected {e.expect_total:g}"
            )
    assert not wrong, "\n".join(wrong)


def test_corpus_is_not_trivial(graded):
    ours, nbgrader = graded
    points = Course(ROOT).points
    full = {n: sum(p.values()) for n, p in points.items()}
    assert {e.exercise_set for e in COMPARED} == set(points)
    mine = [
        (float(ours.rows[e.student]["total"]), full[e.exercise_set])
        for e in COMPARED
        if ours.rows[e.student]["status"] == "graded"
    ]
    theirs = [
        (sum(s.values()), full[name]) for name, by in nbgrader.scores.items() for s in by.values()
    ]
    for totals in (mine, theirs):
        assert any(t == m for t, m in totals), "no full marks"
        assert any(t == 0 for t, _ in totals), "no zero"
        assert sum(0 < t < m for t, m in totals) >= 5, "too few partial totals"


def test_a_stopped_run_says_where_it_stopped(graded):
    rows = graded[0].rows
    assert "q4_answer" in rows["late_loop_ex01"]["reason"]
    assert "q2_answer" in rows["infinite_loop_ex01"]["reason"]
    assert "q2_answer" in rows["kernel_crash_ex04"]["reason"]
