"""Exercise sets: current, runnable when blank, and graded right by nbgrader itself."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from build_exercises import build_exercises, exercise_sets, is_test_cell

ROOT = Path(__file__).resolve().parents[2]
SETS = exercise_sets()


def _notebook(folder: str, name: str) -> Path:
    return ROOT / folder / name / f"{name}.ipynb"


def _execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def test_the_first_exercise_set_exists():
    assert "ex01_classification" in SETS


def test_exercises_folder_is_current():
    stale = build_exercises(check=True)
    assert not stale, f"exercises/ is out of date for {stale}: run `make exercises` and commit"


@pytest.mark.parametrize("name", SETS)
def test_set_structure(name):
    nb = nbformat.read(_notebook("solutions", name), as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    tests = [m for m in meta if m.get("grade") and not m.get("solution")]
    answers = [m for m in meta if m.get("solution")]
    # A set practises one lesson of 50 to 90 minutes: six to twelve checked questions.
    assert 6 <= len(tests) <= 12, f"{name}: {len(tests)} graded questions, want 6 to 12"
    assert len(answers) >= len(tests)
    assert all(m.get("points", 0) > 0 for m in tests)
    ids = [m["grade_id"] for m in meta if "grade_id" in m]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    sources = "\n".join(c.source for c in nb.cells if is_test_cell(c))
    assert sources.count("### BEGIN HIDDEN TESTS") >= 3, "want hidden tests in several questions"
    concepts = nb.metadata.get("crmkit", {}).get("concepts", [])
    assert concepts, f"{name}: notebook metadata crmkit.concepts is missing"


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_blank_exercise_runs_and_only_test_cells_say_not_answered(name):
    nb = _execute(_notebook("exercises", name))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o for o in cell.outputs if o.get("name") == "stderr"]
        assert not stderr, f"cell {index} writes to stderr: {stderr[0]['text'][:200]}"
        if is_test_cell(cell):
            assert errors, f"test cell {index} passes on a blank exercise"
            assert errors[0].ename == "NotAnswered", (index, errors[0].ename, errors[0].evalue)
            assert "Not answered yet" in errors[0].evalue
        else:
            assert not errors, f"cell {index} fails: {errors[0].ename}: {errors[0].evalue}"


# That nbgrader autograde gives every set's solution full marks and its blank release zero
# is checked in tests/grading/test_grading_agreement.py (test_known_totals), on the same nbgrader
# run that the grading corpus is compared with.


def test_the_account_plan_template_lists_the_strategies_of_the_table():
    """ex05 Q8's template names the loyalty strategies in a comment; they must be the table's."""
    import re

    from crmkit import key_accounts as ka

    nb = nbformat.read(_notebook("exercises", "ex05_key_accounts"), as_version=4)
    template = next(
        c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q8_answer"
    )
    comment = "\n".join(line for line in template.splitlines() if line.lstrip().startswith("#"))
    listed = re.findall(r'"([^"]+)"', comment)
    assert sorted(listed) == sorted(ka.LOYALTY_STRATEGIES.index)
