"""Recognise a submission's exercise set and rebuild its graded cells from `solutions/`.

Students edit, delete, insert, reorder and retype cells. Grading must not
depend on any of that: what is graded is the source notebook's sequence of
cells, with the student's work (the answer cells, matched by nbgrader grade
id) put in place, and everything else, test cells with their hidden tests
included, taken from the source. A student's own extra cells are kept just
before the next source cell that followed them, so helper code still runs.

Manually graded answers (nbgrader cells that are both `solution` and `grade`:
a written argument a grader marks with a rubric) are the student's work too:
their text is kept, never replaced by the solution's.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from crmkit.errors import CrmkitError

KEY_PATTERN = re.compile(r"check_answer\(\s*[\"'](ex\d+)\.q\d+")
#: The stubs nbgrader's release puts in place of a solution (nbgrader_config.py,
#: ClearSolutions.code_stub and text_stub; a test keeps them in step).
CODE_STUB = "# YOUR ANSWER: replace each ... above (or edit the template above), then run this cell"
TEXT_STUB = "YOUR ANSWER HERE"
#: The first line of a rubric cell, once Markdown marks are stripped: "Rubric ...".
RUBRIC_LINE = re.compile(r"^[#*_>\s]*(marking\s+)?rubric\b", re.IGNORECASE)


def _nbgrader(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: NotebookNode) -> str | None:
    """The nbgrader grade id of a cell, or None for a cell nbgrader does not know."""
    gid = _nbgrader(cell).get("grade_id")
    return str(gid) if gid else None


def is_answer(cell: NotebookNode) -> bool:
    """An answer cell: the student's work (nbgrader solution, not graded)."""
    meta = _nbgrader(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_manual(cell: NotebookNode) -> bool:
    """A manually graded answer: the student's work, marked by a grader (solution and grade)."""
    meta = _nbgrader(cell)
    return bool(meta.get("solution")) and bool(meta.get("grade"))


def release_text(cell: NotebookNode) -> str:
    """A solution cell as nbgrader's release shows it, to tell an untouched answer.

    As nbgrader's ClearSolutions does: the region between the solution markers
    becomes the stub (indented like the marker); a cell without markers becomes
    the stub entirely.
    """
    stub = (CODE_STUB if cell.get("cell_type") == "code" else TEXT_STUB).split("\n")
    lines, inside, replaced = [], False, False
    for line in str(cell.get("source", "")).split("\n"):
        if "BEGIN SOLUTION" in line:
            inside = replaced = True
            indent = re.match(r"\s*", line).group(0)
            lines += [indent + part for part in stub]
        elif "END SOLUTION" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines) if replaced else "\n".join(stub)


def unanswered(text: str, source_cell: NotebookNode) -> bool:
    """Whether a manually graded answer was left empty or as the release had it.

    nbgrader scores such an answer 0 at once (its checksum is unchanged); there
    is nothing for a grader to mark.
    """
    return not text.strip() or text.strip() == release_text(source_cell).strip()


def is_rubric(cell: NotebookNode) -> bool:
    """A rubric: Markdown whose grade id ends in `rubric` or whose first line is "Rubric..."."""
    if cell.get("cell_type") != "markdown":
        return False
    first = next((line for line in str(cell.get("source", "")).splitlines() if line.strip()), "")
    return (grade_id(cell) or "").endswith("rubric") or bool(RUBRIC_LINE.match(first))


def rubric_cells(nb: NotebookNode) -> dict[str, int]:
    """For each manually graded cell (by grade id), the index of the rubric cell before it.

    The rubric belongs to the answer if it stands between the previous graded or
    answer cell and the answer itself; an answer without one is left out.
    """
    cells = nb.get("cells", [])
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        gid = grade_id(cell)
        if not gid or not is_manual(cell):
            continue
        for before in range(index - 1, -1, -1):
            earlier = cells[before]
            if is_rubric(earlier):
                found[gid] = before
                break
            if is_answer(earlier) or _nbgrader(earlier).get("grade"):
                break
    return found


@dataclass(frozen=True)
class ExerciseSet:
    """An exercise set as the grader knows it: its name, source notebook and graded cells."""

    name: str
    source: NotebookNode
    title: str = ""
    keys: frozenset[str] = field(default_factory=frozenset)

    @property
    def answer_ids(self) -> list[str]:
        """Grade ids of the answer cells (manually graded ones included), in order."""
        return [
            gid
            for c in self.source.cells
            if (is_answer(c) or is_manual(c)) and (gid := grade_id(c))
        ]

    @property
    def manual_ids(self) -> list[str]:
        """Grade ids of the manually graded answers, in order."""
        return [gid for c in self.source.cells if is_manual(c) and (gid := grade_id(c))]

    @property
    def points(self) -> dict[str, float]:
        """Points of each graded cell, by grade id, in order."""
        return {
            grade_id(c): float(_nbgrader(c).get("points", 0))
            for c in self.source.cells
            if _nbgrader(c).get("grade") and grade_id(c)
        }

    @property
    def auto_points(self) -> dict[str, float]:
        """Points of the cells a check grades (every graded cell but the manual ones)."""
        manual = set(self.manual_ids)
        return {gid: p for gid, p in self.points.items() if gid not in manual}


def load_sets(solutions: Path | str) -> dict[str, ExerciseSet]:
    """Every exercise set under `solutions/` (one folder each, holding <name>.ipynb)."""
    sets = {}
    for folder in sorted(Path(solutions).iterdir()):
        path = folder / f"{folder.name}.ipynb"
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        title = str(nb.metadata.get("crmkit", {}).get("title", ""))
        keys = frozenset(m for c in nb.cells for m in KEY_PATTERN.findall(c.source))
        sets[folder.name] = ExerciseSet(folder.name, nb, title, keys)
    if not sets:
        raise CrmkitError(f"no exercise sets found in {solutions}")
    return sets


def recognise(nb: NotebookNode, sets: dict[str, ExerciseSet], filename: str = "") -> str | None:
    """The exercise set a notebook belongs to, from the notebook itself; None if unknown.

    Evidence, strongest first: the metadata title; the answer keys its check
    cells name (check_answer("ex03.q1", ...)); the grade ids of its answer
    cells; the file name. The set with the most evidence wins; a tie or no
    evidence at all gives None, never a guess.
    """
    title = str(nb.get("metadata", {}).get("crmkit", {}).get("title", ""))
    keys = {m for c in nb.get("cells", []) for m in KEY_PATTERN.findall(str(c.get("source", "")))}
    ids = {grade_id(c) for c in nb.get("cells", []) if grade_id(c)}
    scores = {}
    for name, known in sets.items():
        score = 0
        score += 100 if title and title == known.title else 0
        score += 10 * len(keys & known.keys) - 10 * len(keys - known.keys)
        score += len(ids & set(known.answer_ids))
        score += 5 if name in filename else 0
        scores[name] = score
    best = max(scores.values(), default=0)
    winners = [n for n, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


@dataclass(frozen=True)
class Restored:
    """A notebook ready to grade, and what restoring it changed (for the feedback)."""

    notebook: NotebookNode
    missing_answers: tuple[str, ...]
    changed_locked: tuple[str, ...]
    extra_cells: int


def restore(submitted: NotebookNode, exercise: ExerciseSet) -> Restored:
    """The source notebook with the student's answer cells and extra cells put in.

    Answer cells, manually graded ones included, are matched by grade id; an
    answer cell retyped to another cell type gets the source's type back (its
    text is kept); a missing answer cell keeps the release's stub, so it grades
    as unanswered. Locked cells (text, rubrics, setup, checks) always come from
    the source; those the student changed are listed.
    """
    theirs: dict[str, NotebookNode] = {}
    for cell in submitted.get("cells", []):
        gid = grade_id(cell)
        if gid and gid not in theirs:
            theirs[gid] = cell
    source_ids = [grade_id(c) for c in exercise.source.cells]
    extras = _extras_by_anchor(submitted.get("cells", []), set(filter(None, source_ids)))
    cells, missing, changed = [], [], []
    for cell, gid in zip(exercise.source.cells, source_ids, strict=True):
        cells.extend(extras.get(gid, []))
        fresh = copy.deepcopy(cell)
        if gid and (is_answer(cell) or is_manual(cell)):
            if gid in theirs:
                fresh.source = str(theirs[gid].get("source", ""))
                fresh.cell_type = cell.cell_type  # retyped cells grade as the source type
            else:
                missing.append(gid)
                fresh.source = release_text(cell) if is_manual(cell) else _stub(cell.source)
        elif gid in theirs and str(theirs[gid].get("source", "")).strip() != cell.source.strip():
            changed.append(gid)
        if fresh.cell_type == "code":
            fresh.outputs, fresh.execution_count = [], None
        cells.append(fresh)
    cells.extend(extras.get(None, []))
    nb = copy.deepcopy(exercise.source)
    nb.cells = cells
    n_extra = sum(len(v) for v in extras.values())
    return Restored(nb, tuple(missing), tuple(changed), n_extra)


def _extras_by_anchor(cells: list, known: set[str]) -> dict[str | None, list[NotebookNode]]:
    """Student cells nbgrader does not know, keyed by the known cell that follows them."""
    out: dict[str | None, list[NotebookNode]] = {}
    pending: list[NotebookNode] = []
    for cell in cells:
        gid = grade_id(cell)
        if gid in known:
            if pending:
                out.setdefault(gid, []).extend(pending)
                pending = []
            continue
        if cell.get("cell_type") != "code":
            continue  # the student's notes do not need to run
        extra = nbformat.v4.new_code_cell(str(cell.get("source", "")))
        pending.append(extra)
    if pending:
        out[None] = pending
    return out


def _stub(source: str) -> str:
    """The answer cell as the release has it: solution code replaced by `...`."""
    kept, skipping = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            skipping = True
            continue
        if "### END SOLUTION" in line:
            skipping = False
            continue
        if not skipping:
            kept.append(line)
    return "\n".join(kept)
