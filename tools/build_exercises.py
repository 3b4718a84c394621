"""Build the learners' exercise notebooks (exercises/) from their sources (solutions/).

nbgrader's own `generate_assignment` does the work (solutions cleared, hidden
tests removed, checksums for autograding); this tool runs it in a scratch
course folder, then tags every test cell `raises-exception` so that "Run All"
in JupyterLab, and nbval, go past an unanswered question instead of stopping.
Usage: python tools/build_exercises.py [--check] [SET ...]  (`make exercises`)
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

from crmkit.errors import CrmkitError

REPO_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"
RAISES_TAG = "raises-exception"


def exercise_sets() -> list[str]:
    """Names of the exercise sets: the folders of solutions/."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))


def is_test_cell(cell: nbformat.NotebookNode) -> bool:
    """True for an nbgrader autograder test cell (graded, not an answer cell)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _tag_test_cells(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if is_test_cell(cell):
            tags = list(cell.metadata.get("tags", []))
            if RAISES_TAG not in tags:
                cell.metadata["tags"] = [*tags, RAISES_TAG]
        cell.metadata.pop("execution", None)  # wall-clock timings from a solution run
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)


def _generate(name: str, out_root: Path) -> Path:
    """Run nbgrader generate_assignment for one set into out_root/name; returns that folder."""
    source = SOLUTIONS / name
    if not source.is_dir():
        raise CrmkitError(f"no exercise set '{name}' in solutions/ (have: {exercise_sets()})")
    with tempfile.TemporaryDirectory(prefix="crmkit-build-") as tmp:
        course = Path(tmp)
        shutil.copytree(source, course / "solutions" / name)
        shutil.copy(REPO_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--no-db", "--force"]
        proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CrmkitError(f"nbgrader could not build '{name}':\n{proc.stdout}{proc.stderr}")
        built = course / "exercises" / name
        for nb_path in built.rglob("*.ipynb"):
            _tag_test_cells(nb_path)
        target = out_root / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(built, target)
    return target


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def build_exercises(sets: list[str] | None = None, *, check: bool = False) -> list[str]:
    """Regenerate exercises/<set>/ (or with check=True, only compare); returns the stale sets."""
    names = sets or exercise_sets()
    stale = []
    with tempfile.TemporaryDirectory(prefix="crmkit-exercises-") as tmp:
        for name in names:
            fresh = _generate(name, Path(tmp))
            current = EXERCISES / name
            if current.is_dir() and _same_tree(fresh, current):
                continue
            stale.append(name)
            if not check:
                if current.exists():
                    shutil.rmtree(current)
                shutil.copytree(fresh, current)
                print(f"wrote exercises/{name}/")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or with --check, compare) the exercise sets; 1 if --check finds a stale one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    parser.add_argument("sets", nargs="*", help="exercise sets (default: all)")
    args = parser.parse_args(argv)
    try:
        stale = build_exercises(args.sets or None, check=args.check)
    except CrmkitError as err:
        print(f"build_exercises: {err}", file=sys.stderr)
        return 1
    if args.check and stale:
        print("exercises/ is out of date for: " + ", ".join(stale))
        print("Run `make exercises` and commit the result.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
