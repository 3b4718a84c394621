"""A corpus of student submissions for the grading tests and the grading benchmark.

Every notebook is built here from `solutions/` (the worked answers) and
`exercises/` (what a learner is handed), deterministically: the same bytes on
every run. `build_corpus(root)` returns the entries; `write_corpus(entries,
folder)` lays them out as a submissions folder for `crmkit grade`.

Each entry says what a grader should make of it (`expect_status`, and where it
is certain, `expect_total`) and whether `nbgrader autograde` can grade it too
(`nbgrader`: a readable notebook of a known set that neither hangs, hogs memory
nor kills its kernel). Entries with `tamper=True` try to get points they have
not earned; `honest_total` is what they would get without the tampering, and
`twin` names the honest entry that is the same notebook without it, when the
corpus has one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import nbformat
from nbformat import NotebookNode

SETS = (
    "ex01_classification",
    "ex02_grading",
    "ex03_pyramid",
    "ex04_value",
    "ex05_key_accounts",
    "ex06_lifecycle",
    "ex07_alive",
    "ex08_complaints",
    "ex09_satisfaction",
)
SHORT = {name: name.split("_")[0] for name in SETS}  # "ex01_classification" -> "ex01"

#: The file that marks a folder whose grades.csv / gradebook.sqlite the gradebook tamper
#: attempt may overwrite. It is the corpus's safety catch: the attack searches the machine
#: like a real one would, but only ever writes where a test has laid out bait, so running
#: the corpus cannot damage anybody's real gradebook on this machine.
BAIT = ".crmkit-tamper-bait"


@dataclass(frozen=True)
class Entry:
    """One submission of the corpus and what grading it should give."""

    student: str
    filename: str  # relative path inside the submissions folder
    content: bytes
    exercise_set: str | None
    nbgrader: bool  # nbgrader autograde can grade it (valid, known set, no hang/hog/crash)
    expect_status: str
    note: str
    expect_total: float | None = None  # the total a correct grader gives, where certain
    tamper: bool = False
    honest_total: float | None = None  # tamper entries: the points without the tampering
    twin: str | None = None  # tamper entries: the honest entry without the tampering
    #: Questions where crmkit differs from nbgrader by design: crmkit runs the answers in the
    #: source's order, so an answer moved below its check still earns its points there.
    reordered: tuple[str, ...] = ()


# --- the course ---------------------------------------------------------------------------


def _gid(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


class Course:
    """The exercise sets: source and release notebooks, answers, points."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.source = {s: self._read("solutions", s) for s in SETS}
        self.release = {s: self._read("exercises", s) for s in SETS}
        # Autograded points only: a written answer (a graded markdown cell) waits for a grader.
        self.points = {
            s: {
                _gid(c): float(c.metadata.nbgrader.get("points", 0))
                for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code"
            }
            for s, nb in self.source.items()
        }
        # What a learner who solved a question types into its answer cell: the worked
        # solution without nbgrader's markers and without the `...` stub it replaces.
        self.answers = {
            s: {
                _gid(c): _as_typed(c.source)
                for c in nb.cells
                if (_gid(c) or "").endswith("_answer")
            }
            for s, nb in self.source.items()
        }

    def _read(self, folder: str, name: str) -> NotebookNode:
        return nbformat.read(self.root / folder / name / f"{name}.ipynb", as_version=4)

    def max_total(self, name: str) -> float:
        return sum(self.points[name].values())

    def worth(self, name: str, questions: Iterable[str]) -> float:
        """Points of the questions ("q1", "q7", ...) of a set."""
        return sum(self.points[name][f"{q}_check"] for q in questions)

    def blank(self, name: str) -> NotebookNode:
        return copy.deepcopy(self.release[name])

    def solved(self, name: str, only: Iterable[str] | None = None) -> NotebookNode:
        """The release with the questions in `only` (default: all) answered correctly."""
        nb = self.blank(name)
        wanted = None if only is None else {f"{q}_answer" for q in only}
        for cell in nb.cells:
            gid = _gid(cell)
            if gid in self.answers[name] and (wanted is None or gid in wanted):
                cell.source = self.answers[name][gid]
        return nb


def _as_typed(source: str) -> str:
    lines = [ln for ln in source.splitlines() if "### BEGIN SOLUTION" not in ln]
    lines = [ln for ln in lines if "### END SOLUTION" not in ln]
    lines = [ln for ln in lines if not re.fullmatch(r"\s*(\w+ = )?\.\.\.\s*", ln)]
    return "\n".join(lines)


#: A check of an answer: its key and the answer name, e.g. ("ex03.q7_number", "small_profitable").
CHECKED = re.compile(r"check_answer\(\s*[\"']([\w.]+)[\"'],\s*(\w+)\s*\)")


def answer_name(source: str) -> str:
    """The variable or function an answer cell defines (from the release's stub)."""
    match = re.search(r"^(?:def (\w+)\(|(\w+) = \.\.\.)", source, flags=re.M)
    if not match:
        raise ValueError(f"no answer name in {source[:60]!r}")
    return match.group(1) or match.group(2)


# --- notebook surgery ---------------------------------------------------------------------


def _index(nb: NotebookNode, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def _cell(nb: NotebookNode, gid: str) -> NotebookNode:
    return nb.cells[_index(nb, gid)]


def _code(source: str, cell_id: str) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.id = cell_id  # new_code_cell picks a random id; the corpus must be byte-stable
    return cell


def _markdown(source: str, cell_id: str) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id
    return cell


def insert_before(nb: NotebookNode, gid: str, *cells: NotebookNode) -> NotebookNode:
    at = _index(nb, gid)
    nb.cells[at:at] = list(cells)
    return nb


def set_answers(nb: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """Type answers ({"q2": source}) into the answer cells."""
    for q, source in answers.items():
        _cell(nb, f"{q}_answer").source = source
    return nb


def delete(nb: NotebookNode, gid: str) -> NotebookNode:
    del nb.cells[_index(nb, gid)]
    return nb


def move_after(nb: NotebookNode, gid: str, after: str) -> NotebookNode:
    cell = nb.cells.pop(_index(nb, gid))
    at = _index(nb, after) + 1
    nb.cells.insert(at, cell)
    return nb


def swap_blocks(nb: NotebookNode, first: str, second: str) -> NotebookNode:
    """Swap two questions' blocks (text, given, answer and check cells), e.g. "q5" and "q11"."""

    def span(q: str) -> tuple[int, int]:
        at = [i for i, c in enumerate(nb.cells) if re.fullmatch(rf"{q}_\w+", _gid(c) or "")]
        return min(at), max(at) + 1

    (a0, a1), (b0, b1) = sorted([span(first), span(second)])
    cells = nb.cells
    nb.cells = cells[:a0] + cells[b0:b1] + cells[a1:b0] + cells[a0:a1] + cells[b1:]
    return nb


def retype(nb: NotebookNode, gid: str, cell_type: str) -> NotebookNode:
    """Turn a cell into a markdown or code cell, keeping its id, metadata and text."""
    old = nb.cells[_index(nb, gid)]
    make = nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_code_cell
    new = make(old.source, metadata=copy.deepcopy(old.metadata))
    new.id = old.id
    nb.cells[_index(nb, gid)] = new
    return nb


def to_bytes(nb: NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def as_nbformat_42(nb: NotebookNode) -> bytes:
    """The notebook as an nbformat 4.2 file: no cell ids (Jupyter before 2021 wrote these)."""
    raw = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = 2
    for cell in raw["cells"]:
        cell.pop("id", None)
    return (json.dumps(raw, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# --- wrong answers ------------------------------------------------------------------------

#: Answers that are wrong for every question (checked against the answer keys: none of
#: them is the expected value), but answered: the checks run and say "wrong", not "missing".
WRONG = {
    "ex01_classification": {
        "q1": "top_share = 0.5",
        "q2": 'n_class_a = 1\na_cutoff = "d"',
        "q3": 'def abc_class(share_before, a=0.8, b=0.95):\n    return "C"',
        "q4": "bottom_profit = -1.0",
        "q5": 'first_step = "a"',
        "q6": "champions_revenue_share = 0.999",
        "q7": 'n_cannot_lose = -1\ncannot_lose_action = "d"',
    },
    "ex02_grading": {
        "q1": 'n_grade_a_new = 1\nvisit_plan = "a"',
        "q2": 'serve_cost = -1.0\nreview_format = "b"',
        "q3": 'n_moved_into_a = -1\na_list_plan = "a"',
        "q4": 'motive = "economic"',
        "q5": 'n_a_leads = -1\nfirst_visit_plan = "d"',
        "q6": 'lost_revenue_share = 0.999\nlost_advice = "b"',
    },
    "ex03_pyramid": {
        "q1": "complaint_cost = 1.0",
        "q2": "changed_tier = 1",
        "q3": "n_platinum = -1",
        "q4": 'metal_name = "a"',
        "q5": 'def tier_of(position, cutoffs=(0.05, 0.20, 0.50)):\n    return "small"',
        "q6": "given_back = 0.999",
        "q7": 'small_profitable = -1\nsmall_plan = "a"',
        "q8": "fell_from_vip = -1",
        "q9": "risers = -1",
        "q10": 'major_plan = "b"',
        "q11": 'service_ratio = 9.0\nservice_verdict = "d"',
        "q12": 'worst_change = 1.0\nworst_move = "a"',
    },
    "ex04_value": {
        "q1": "perceived = -1.0",
        "q2": 'best_promise = "a"',
        "q3": 'best_gain = -1.0\nproposal = "c"',
        "q4": "small_retention = 0.999",
        "q5": "n_hidden = -1",
        "q6": 'referred_profit = -1.0\nvisits_advice = "d"',
        "q7": 'best_offer = "a"',
        "q8": 'break_even = -1.0\nchain_advice = "a"',
        "q9": 'net_gain = 1.0\nwifi_advice = "c"',
    },
    "ex05_key_accounts": {
        "q1": "expected_profit = -1.0",
        "q2": 'n_different = -1\nplaces_rule = "c"',
        "q3": "n_key_accounts = -1",
        "q4": 'n_left = -1\nlist_advice = "c"',
        "q5": 'card_section = "b"',
        "q6": 'plan_part = "a"',
        "q7": 'n_stricter = -1\nrule_advice = "a"',
        "q8": 'plan = "a plan for C00006"',
    },
    "ex06_lifecycle": {
        "q1": 'maturity_stage = "a"',
        "q2": 'last_stage = "c"',
        "q3": 'decline_right = 0.999\ndecline_label = "b"',
        "q4": 'months_silent = -1\nsilence_plan = "a"',
        "q5": 'window_found = 0.999\nwarning_setting = "a"',
        "q6": 'pattern = "d"',
        "q7": 'costliest_stage = "c"',
        "q8": 'win_cost = -1.0\nbudget_answer = "a"',
        "q9": 'shop_programme = "c"',
        "q10": 'n_declining = -1\ncall_rule = "a"',
    },
    "ex07_alive": {
        "q1": "frequency = 7\nrecency_weeks = 463.0\nT_weeks = 617.0",
        "q2": 'll_difference = -1.0\nbetter_model = "a"',
        "q3": 'p_frequent = 0.999\nalarm = "b"',
        "q4": 'p_once = 1.0\nblind_spot = "a"',
        "q5": "purchases_ahead = -1.0",
        "q6": "worth = -1.0",
        "q7": 'over_forecast = -1.0\nforecast_use = "c"',
        "q8": 'caught_difference = 0.999\nfirst_warning = "b"',
        "q9": 'covered = -1.0\ncall_list = lists["lowest P(alive)"]',
    },
    "ex08_complaints": {
        "q1": "silent_share = 0.239",
        "q2": 'fix_field = "a"',
        "q3": 'first_response_hours = 4\nfirst_complaint = "a"',
        "q4": "email_median = 22.4",
        "q5": "reopen_rate = 0.122",
        "q6": 'worst_breach = 0.216\nfix_channel = "b"',
        "q7": 'most_left = 32\nfix_cause = "b"',
        "q8": "active_share = 0.211",
        "q9": 'churn_gap = 16.9\nexcludes_zero = "no"\nrecovery_worth = "a"',
        "q10": 'best_reply = "d"',
    },
    "ex09_satisfaction": {
        "q1": "weakest_gap = 1.16",  # expectation minus perception
        "q2": 'focus_performance = 6.26\nfocus_dimension = "a"',  # importance; derived reading
        "q3": 'not_loyal_share = 0.101\nreward_rule = "b"',  # only those who left
        "q4": 'reputation = -0.137\nmissing_indicator = "d"',  # the NPS as a share
        "q5": 'nps_change = 2.9\nnps_verdict = "a"',  # earlier minus later
        "q6": 'gap_change = -1.11\nnext_step = "d"',  # the plan row's gap
        "q7": 'need_gap = -1.16\nweakest_need = "a"\nneed_stages = "a"',  # a dimension's gap
        "q8": 'extra_listed = 775\nbefore_planning = "b"',  # the list without the log
        "q9": 'best_gain = 9.8\nextra_hours_to = "b"',  # the hours spread evenly
        "q10": 'left_on_table = 0.045\nfestival_plan = "a"',  # the share, not the value
        "q11": 'visits_left_out = 108\ndirector_answer = "b"',  # all the visits due
    },
}

ABC_LE = '''def abc_class(share_before, a=0.8, b=0.95):
    # right everywhere except on the cut-offs themselves, which only hidden tests try
    if share_before <= a:
        return "A"
    if share_before <= b:
        return "B"
    return "C"'''

TIER_LE = '''def tier_of(position, cutoffs=(0.05, 0.20, 0.50)):
    first, second, third = cutoffs
    if position <= first:
        return "VIP"
    if position <= second:
        return "major"
    if position <= third:
        return "ordinary"
    return "small"'''


# --- tamper attempts ----------------------------------------------------------------------

REDEFINE_CHECK = "def check_answer(*a, **k):\n    return True"

PATCH_KEYS_MODULE = "import crmkit.answer_keys as k\nk.check_answer = lambda *a, **kw: None"

# The literal `builtins.isinstance = lambda *a: True` hangs the kernel itself (ipykernel
# relies on isinstance: the cell never finishes). A cheat who wants marks lies to the
# checks only, and leaves the kernel running.
CHECK_HELPERS = """import crmkit.check as _check

_always = lambda *a, **k: _check.Passed()
for _name in ["check_number", "check_choice", "check_set", "check_series", "check_frame",
              "check_true", "answered", "call"]:
    setattr(_check, _name, _always)"""

BUILTINS = """import builtins
import sys

_isinstance = builtins.isinstance


def _agreeable(obj, kinds):
    caller = sys._getframe(1).f_globals.get("__name__", "")
    return True if caller.startswith("crmkit") else _isinstance(obj, kinds)


builtins.isinstance = _agreeable
builtins.AssertionError = type("X", (Exception,), {})"""

COMPARISONS = """import math

import numpy as np
import pandas as pd

np.isclose = lambda *a, **k: True
np.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
pd.Series.equals = lambda *a, **k: True
pd.DataFrame.equals = lambda *a, **k: True
pd.testing.assert_series_equal = lambda *a, **k: None"""

ANY_OBJECTS = """class Any(float):
    __eq__ = lambda s, o: True
    __ne__ = lambda s, o: False
    __lt__ = __le__ = __gt__ = __ge__ = lambda s, o: True
    __hash__ = float.__hash__


class AnyText(str):
    __eq__ = lambda s, o: True
    __ne__ = lambda s, o: False
    __hash__ = str.__hash__

    def strip(self, *a):
        return self

    upper = lower = casefold = rstrip = lstrip = strip

    def split(self, *a, **k):
        return [self]


class AnySet(set):
    __eq__ = lambda s, o: True
    __ne__ = lambda s, o: False
    __le__ = __ge__ = __lt__ = __gt__ = lambda s, o: True
    __hash__ = None"""

STEAL_SOLUTIONS = """import json
import pathlib

import crmkit

_solutions = pathlib.Path(crmkit.__file__).resolve().parents[2] / "solutions"
_worked = {{}}
for _path in sorted(_solutions.glob("{name}/*.ipynb")):
    for _c in json.loads(_path.read_text(encoding="utf-8"))["cells"]:
        _gid = _c.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id")
        if _gid:
            _worked[_gid] = "".join(_c["source"])


def steal(gid):
    exec(_worked[gid], globals())"""


def gradebook_attack(marker: str = BAIT) -> str:
    """Source of a cell that hunts for the grader's grades.csv and gradebook.sqlite.

    It walks up from its working folder and from the grading process's working folder
    (each ancestor and two levels below it) and searches the temporary folders, then
    gives every student full marks in what it finds. Safety catch: it writes only to a
    file whose folder holds `marker` (the bait a test lays out), never to anything else.
    """
    return f"""import os
import pathlib
import sqlite3
import tempfile
import time

MARKER = {marker!r}
NAMES = {{"grades.csv", "gradebook.sqlite"}}
SKIP = {{"/proc", "/sys", "/dev", "/run", "/usr", "/lib", "/lib64", "/bin", "/sbin"}}
started, looked, found = time.monotonic(), 0, set()
starts = [pathlib.Path.cwd()]
try:
    starts.append(pathlib.Path(os.readlink(f"/proc/{{os.getppid()}}/cwd")))
except OSError:
    pass
searches = [(folder, 2) for start in starts for folder in [start, *start.parents]]
searches += [(pathlib.Path("/tmp"), 6), (pathlib.Path(tempfile.gettempdir()), 6)]
for top, depth in searches:
    for here, folders, files in os.walk(top):
        looked += 1
        level = len(pathlib.Path(here).relative_to(top).parts)
        folders[:] = [f for f in folders if os.path.join(here, f) not in SKIP]
        if level >= depth or looked > 200_000 or time.monotonic() - started > 15:
            folders[:] = []
        found.update(pathlib.Path(here) / name for name in NAMES & set(files))
touched = []
for path in sorted(found):
    if not (path.parent / MARKER).exists():
        continue
    try:
        if path.name == "grades.csv":
            with path.open("a", encoding="utf-8") as handle:
                handle.write("mallory,ex01_classification,2,2,3,2,1,3,3,2,1,3,2,3,27,27,graded,\\n")
        else:
            con = sqlite3.connect(path, timeout=5)
            con.execute("UPDATE grades SET points = max_points")
            con.execute("UPDATE submissions SET total = max_total")
            con.commit()
            con.close()
        touched.append(str(path))
    except Exception as err:
        print("could not change", path, type(err).__name__)
print(f"looked in {{looked}} folders; found {{len(found)}}; changed {{touched}}")"""


# --- the corpus ---------------------------------------------------------------------------


def build_corpus(root: Path | str, size: int = 0) -> list[Entry]:
    """The corpus, built from the course at `root`; padded to `size` entries with repeats.

    Padding repeats honest notebooks that nbgrader grades too, under new student names.
    """
    entries = list(_base_corpus(Course(Path(root))))
    return pad(entries, size)


def pad(entries: list[Entry], size: int) -> list[Entry]:
    """`entries` plus repeats of its honest, gradable entries until there are `size`."""
    pool = [e for e in entries if e.nbgrader and not e.tamper and e.expect_status == "graded"]
    out, k = list(entries), 0
    while len(out) < size:
        base = pool[k % len(pool)]
        round_ = k // len(pool) + 2
        out.append(renamed(base, f"{base.student}_r{round_}"))
        k += 1
    return out


def renamed(entry: Entry, student: str) -> Entry:
    """The same submission handed in by another student (same layout)."""
    path = PurePosixPath(entry.filename)
    filename = (
        f"{student}/{'/'.join(path.parts[1:])}"
        if len(path.parts) > 1
        else f"{student}{path.suffix}"
    )
    return replace(entry, student=student, filename=filename, note=f"repeat of {entry.student}")


def write_corpus(entries: Iterable[Entry], folder: Path | str) -> Path:
    """Lay the entries out in `folder` as a submissions folder; returns the folder."""
    folder = Path(folder)
    for e in entries:
        path = folder / e.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(e.content)
    return folder


def _base_corpus(c: Course) -> Iterable[Entry]:
    E1, E2, E3, E4, E5, E6, E7, E8, E9 = SETS
    graded = "graded"

    def nb_entry(student, name, nb, note, total=None, *, layout=None, raw=None, **kw):
        content = raw if raw is not None else to_bytes(nb)
        filename = layout or f"{student}.ipynb"
        return Entry(student, filename, content, name, True, graded, note, total, **kw)

    # --- solved, blank, partial -----------------------------------------------------------
    for name in SETS:
        short = SHORT[name]
        yield nb_entry(
            f"solved_{short}", name, c.solved(name), "every answer right", c.max_total(name)
        )
        yield nb_entry(f"blank_{short}", name, c.blank(name), "handed in untouched", 0.0)
    mixes = [
        (E1, "partial_ex01_a", ["q1", "q2", "q6"]),
        (E1, "partial_ex01_even", ["q2", "q4", "q6"]),
        (E2, "partial_ex02_a", ["q1", "q3", "q5"]),
        (E3, "partial_ex03_a", ["q1", "q3", "q4", "q7", "q10"]),
        (E4, "partial_ex04_a", ["q1", "q2", "q3", "q7", "q9"]),
        (E5, "partial_ex05_a", ["q1", "q5", "q6", "q8"]),
        (E6, "partial_ex06_a", ["q1", "q3", "q6", "q10"]),
        (E7, "partial_ex07_a", ["q1", "q3", "q6", "q9"]),
        (E8, "partial_ex08_a", ["q1", "q3", "q7", "q10"]),
        (E9, "partial_ex09_a", ["q1", "q4", "q7", "q10"]),
    ]
    for name, student, qs in mixes:
        yield nb_entry(
            student, name, c.solved(name, qs), f"answers {', '.join(qs)} only", c.worth(name, qs)
        )
    folder_qs = ["q5", "q6", "q8"]
    folder_nb = set_answers(c.solved(E3, folder_qs), {"q9": WRONG[E3]["q9"]})
    yield nb_entry(
        "dana",
        E3,
        folder_nb,
        "student/<set>.ipynb layout; q5, q6, q8 right, q9 wrong",
        c.worth(E3, folder_qs),
        layout="dana/ex03_pyramid.ipynb",
    )
    yield nb_entry(
        "erik",
        E1,
        c.solved(E1),
        "student/<any name>.ipynb layout, solved",
        c.max_total(E1),
        layout="erik/Untitled.ipynb",
    )

    # --- wrong answers and wrong types ----------------------------------------------------
    for name in SETS:
        yield nb_entry(
            f"wrong_all_{SHORT[name]}",
            name,
            set_answers(c.blank(name), WRONG[name]),
            "every question answered, every answer wrong",
            0.0,
        )
    some = ["q2", "q4", "q9"]
    wrong_some = set_answers(c.solved(E3), {q: WRONG[E3][q] for q in some})
    yield nb_entry(
        "wrong_some_ex03",
        E3,
        wrong_some,
        "solved but q2, q4, q9 wrong",
        c.max_total(E3) - c.worth(E3, some),
    )
    typed = set_answers(
        c.solved(E1),
        {"q1": 'top_share = "0.27"', "q2": 'n_class_a = [158, 231]\na_cutoff = "b"'},
    )
    yield nb_entry(
        "wrong_type_ex01",
        E1,
        typed,
        "q1 a string where a number is wanted, q2 a list where one number is wanted",
        c.max_total(E1) - c.worth(E1, ["q1", "q2"]),
    )
    qs = ["q2", "q3", "q7", "q8"]
    typed3 = set_answers(c.solved(E4, qs), {"q1": 'perceived = "13"'})
    yield nb_entry(
        "wrong_type_ex04",
        E4,
        typed3,
        "q1 the right number as text; q2, q3, q7, q8 right",
        c.worth(E4, qs),
    )
    yield nb_entry(
        "hidden_only_ex01",
        E1,
        set_answers(c.solved(E1), {"q3": ABC_LE}),
        "q3 uses <= instead of <: passes the visible check, fails the hidden tests",
        c.max_total(E1) - c.worth(E1, ["q3"]),
    )
    yield nb_entry(
        "boundary_ex03",
        E3,
        set_answers(c.solved(E3), {"q5": TIER_LE}),
        "q5 uses <= instead of <: wrong on the cut-offs the visible check tries",
        c.max_total(E3) - c.worth(E3, ["q5"]),
    )

    # --- edited, deleted, inserted, reordered, retyped cells ------------------------------
    passed = c.blank(E1)
    for cell in passed.cells:
        if (_gid(cell) or "").endswith("_check"):
            cell.source = "pass"
    yield nb_entry(
        "checks_pass_ex01", E1, passed, "blank; every check cell rewritten to `pass`", 0.0
    )
    ok = set_answers(c.solved(E3, ["q1", "q3"]), {"q2": WRONG[E3]["q2"]})
    _cell(ok, "q2_check").source = "print('ok')"
    _cell(ok, "q5_check").source = "print('ok')"
    yield nb_entry(
        "checks_print_ok_ex03",
        E3,
        ok,
        "q1, q3 right; q2 wrong and q5 blank with their checks replaced by print('ok')",
        c.worth(E3, ["q1", "q3"]),
    )
    yield nb_entry(
        "check_deleted_ex03",
        E3,
        delete(c.solved(E3), "q6_check"),
        "solved, q6's check cell deleted (nbgrader scores a missing grade cell 0; "
        "crmkit restores it)",
    )
    yield nb_entry(
        "answer_deleted_ex01",
        E1,
        delete(c.solved(E1), "q6_answer"),
        "solved, q6's answer cell deleted",
        c.max_total(E1) - c.worth(E1, ["q6"]),
    )
    extra = c.solved(E3)
    insert_before(
        extra,
        "q2_answer",
        _markdown("My notes: rank twice, then compare.", "note-1"),
        _code(
            'rev_tiers = pyr.assign_tiers(year["revenue"])["tier"].sort_index()\n'
            'prof_tiers = pyr.assign_tiers(year["profit"])["tier"].sort_index()',
            "helper-1",
        ),
    )
    _cell(
        extra, "q2_answer"
    ).source = "changed_tier = int((rev_tiers != prof_tiers).sum())\nchanged_tier"
    insert_before(extra, "q6_answer", _code("def share(x):\n    return float(x)", "helper-2"))
    _cell(
        extra, "q6_answer"
    ).source = 'given_back = share(pyr.whale_peak(year["profit"])["destroyed"])'
    extra.cells.append(_code("print('all done')", "helper-3"))
    extra.cells.append(_markdown("Thanks for reading!", "note-2"))
    yield nb_entry(
        "extra_cells_ex03",
        E3,
        extra,
        "solved with extra markdown and code cells; q2 and q6 use helpers defined there",
        c.max_total(E3),
    )
    later = c.solved(E1)
    _cell(later, "q3_answer").source = (
        "A_CUT, B_CUT = 0.8, 0.95\n\n"
        "def abc_class(share_before, a=None, b=None):\n"
        "    a = A_CUT if a is None else a\n"
        "    b = B_CUT if b is None else b\n"
        "    return 'A' if share_before < a else 'B' if share_before < b else 'C'"
    )
    later.cells.append(_code("A_CUT, B_CUT = 0.1, 0.2  # trying other cut-offs", "helper-4"))
    yield nb_entry(
        "globals_changed_later_ex01",
        E1,
        later,
        "solved; q3's function reads globals that a cell at the end changes (its check "
        "must see the function as it was when the check ran)",
        c.max_total(E1),
    )
    yield nb_entry(
        "swapped_ex01",
        E1,
        swap_blocks(c.solved(E1), "q4", "q5"),
        "solved, the blocks of q4 and q5 swapped",
        c.max_total(E1),
    )
    yield nb_entry(
        "answer_after_check_ex03",
        E3,
        move_after(c.solved(E3), "q7_answer", "q7_check"),
        "solved, q7's answer moved below its check (nbgrader runs the cells as "
        "handed in; crmkit in the source's order)",
        c.max_total(E3),
        reordered=("q7_check",),
    )
    retyped = retype(retype(c.solved(E1), "q5_answer", "markdown"), "q1_text", "code")
    yield nb_entry(
        "retyped_ex01",
        E1,
        retyped,
        "solved; q5's answer cell retyped to markdown, q1's text cell to code",
        c.max_total(E1),
    )

    # --- file format ----------------------------------------------------------------------
    yield nb_entry(
        "nbformat42_ex03",
        E3,
        None,
        "solved, saved as nbformat 4.2 (no cell ids)",
        c.max_total(E3),
        raw=as_nbformat_42(c.solved(E3)),
    )
    bare = c.solved(E4, ["q1", "q2", "q3", "q7", "q9"])
    bare.metadata.pop("kernelspec", None)
    yield nb_entry(
        "no_kernelspec_ex04",
        E4,
        bare,
        "partial (q1-q3, q7, q9), no kernelspec",
        c.worth(E4, ["q1", "q2", "q3", "q7", "q9"]),
    )
    renumbered = c.solved(E1)
    for i, cell in enumerate(renumbered.cells):
        cell.id = f"my-cell-{i:03d}"
    yield nb_entry("new_ids_ex01", E1, renumbered, "solved, every cell id changed", c.max_total(E1))

    # --- misbehaving code -----------------------------------------------------------------
    loud = c.solved(E1)
    _cell(loud, "q5_answer").source += '\nprint("spam " * 4_000_000)  # 20 MB of output'
    yield nb_entry(
        "huge_output_ex01", E1, loud, "solved; q5's answer prints 20 MB", c.max_total(E1)
    )
    noisy = c.solved(E3)
    _cell(noisy, "q3_answer").source = (
        "import sys\nprint('working on it...', file=sys.stderr)\n"
        + _cell(noisy, "q3_answer").source
    )
    yield nb_entry(
        "stderr_answer_ex03", E3, noisy, "solved; q3's answer writes to stderr", c.max_total(E3)
    )
    bad = [
        ("infinite_loop_ex01", E1, c.blank(E1), "q2", "while True:\n    pass", "timeout"),
        ("memory_hog_ex03", E3, c.solved(E3), "q3", "hog = bytearray(6 * 2**30)", "memory_limit"),
        ("kernel_crash_ex04", E4, c.blank(E4), "q2", "import os\nos._exit(1)", "kernel_died"),
    ]
    for student, name, nb, q, source, status in bad:
        set_answers(nb, {q: source})
        yield replace(
            nb_entry(student, name, nb, f"{q}'s answer: {source!r}"),
            nbgrader=False,
            expect_status=status,
        )
    late_loop = set_answers(c.solved(E1), {"q4": "while True:\n    pass"})
    yield replace(
        nb_entry(
            "late_loop_ex01", E1, late_loop,
            "solved, but q4's answer never ends: q1-q3 keep their points",
            c.worth(E1, ["q1", "q2", "q3"]),
        ),
        nbgrader=False,
        expect_status="timeout",
    )  # fmt: skip

    # --- not gradable at all --------------------------------------------------------------
    def junk(student, filename, content, status, note):
        return Entry(student, filename, content, None, False, status, note)

    yield junk(
        "text_file",
        "text_file.ipynb",
        b"Dear teacher, my answers are 0.27, 231 and b.\n",
        "invalid_notebook",
        "a text file named .ipynb",
    )
    whole = to_bytes(c.solved(E1))
    yield junk(
        "truncated",
        "truncated.ipynb",
        whole[: len(whole) // 2],
        "invalid_notebook",
        "the first half of a solved notebook (invalid JSON)",
    )
    yield junk("empty", "empty.ipynb", b"", "invalid_notebook", "a zero-byte file")
    stranger = nbformat.v4.new_notebook(metadata={"kernelspec": c.release[E1].metadata.kernelspec})
    for i, cell in enumerate(c.release[E1].cells):
        if cell.cell_type == "markdown" and _gid(cell) in {"intro", "q1_text", "q2_text"}:
            stranger.cells.append(_markdown(cell.source, f"copied-{i}"))
    stranger.cells.append(_code("top_share = 0.27\n1 + 1", "scratch-1"))
    yield junk(
        "stranger",
        "stranger.ipynb",
        to_bytes(stranger),
        "unknown_exercise_set",
        "a notebook of no set: copied question texts, no nbgrader cells, no title",
    )

    # --- tamper attempts ------------------------------------------------------------------
    def tampered(student, name, nb, note, honest, twin=None):
        return replace(
            nb_entry(student, name, nb, note), tamper=True, honest_total=honest, twin=twin
        )

    nb = insert_before(c.blank(E1), "q1_check", _code(REDEFINE_CHECK, "cheat-1"))
    yield tampered(
        "tamper_redefine_check",
        E1,
        nb,
        "blank; an extra cell before the first check redefines check_answer",
        0.0,
        "blank_ex01",
    )
    nb = c.blank(E3)
    nb.cells.insert(0, _code(PATCH_KEYS_MODULE, "cheat-1"))
    yield tampered(
        "tamper_patch_keys",
        E3,
        nb,
        "blank; a first cell (before the setup imports it) replaces "
        "crmkit.answer_keys.check_answer",
        0.0,
        "blank_ex03",
    )
    # All answers wrong, plus a cell before the first question that rigs the checks.
    rigged = [
        ("tamper_check_helpers", E1, CHECK_HELPERS,
         "replaces crmkit.check's helpers (check_number, check_set, answered...) with ones "
         "that always pass"),
        ("tamper_builtins", E4, BUILTINS,
         "overrides builtins.isinstance (for crmkit's code) and builtins.AssertionError"),
        ("tamper_comparisons", E1, COMPARISONS,
         "monkeypatches np.isclose, math.isclose, Series.equals"),
    ]  # fmt: skip
    for student, name, cheat, note in rigged:
        nb = insert_before(
            set_answers(c.blank(name), WRONG[name]), "q1_text", _code(cheat, "cheat-1")
        )
        yield tampered(
            student, name, nb, f"all answers wrong; {note}", 0.0, f"wrong_all_{SHORT[name]}"
        )
    nb = insert_before(c.solved(E3), "q1_text", _code(ANY_OBJECTS, "cheat-1"))
    set_answers(
        nb,
        {
            "q1": "complaint_cost = Any(0)",
            "q4": 'metal_name = AnyText("a")',
            "q5": 'def tier_of(position, cutoffs=(0.05, 0.20, 0.50)):\n    return AnyText("VIP")',
            "q9": "risers = AnySet()",
        },
    )
    yield tampered(
        "tamper_any_objects",
        E3,
        nb,
        "solved except q1, q4, q5, q9, whose answers compare equal to anything",
        c.max_total(E3) - c.worth(E3, ["q1", "q4", "q5", "q9"]),
    )
    nb = insert_before(c.blank(E1), "q1_text", _code(STEAL_SOLUTIONS.format(name=E1), "cheat-1"))
    set_answers(nb, {q[: -len("_answer")]: f'steal("{q}")' for q in c.answers[E1]})
    yield tampered(
        "tamper_exec_solutions",
        E1,
        nb,
        "reads solutions/ of the repo (found via crmkit.__file__) and runs its answer cells",
        0.0,
    )
    nb = insert_before(
        c.blank(E3), "q1_text", _code("from crmkit.answer_keys import expected", "cheat-1")
    )
    copied = {}
    for gid in c.answers[E3]:
        q = gid[: -len("_answer")]
        # Each answer name with the key its check cell gives it (a decision has two); the
        # written answer (Q13) has no key to copy.
        keys = CHECKED.findall(_cell(c.source[E3], f"{q}_check").source) if q != "q13" else []
        if keys:
            copied[q] = "\n".join(f'{name} = expected("{key}")' for key, name in keys)
    set_answers(nb, copied)
    yield tampered(
        "tamper_copy_expected",
        E3,
        nb,
        "every answer copied from crmkit.answer_keys.expected(...)",
        0.0,
    )
    nb = insert_before(
        c.solved(E1, ["q1", "q2", "q6"]), "q1_text", _code(gradebook_attack(), "cheat-1")
    )
    yield tampered(
        "tamper_gradebook",
        E1,
        nb,
        "q1, q2, q6 right; searches for grades.csv / gradebook.sqlite and gives "
        "everyone full marks in them",
        c.worth(E1, ["q1", "q2", "q6"]),
        "partial_ex01_a",
    )


# --- reading a crmkit run -----------------------------------------------------------------


def read_grades(path: Path | str) -> dict[str, dict[str, str]]:
    """grades.csv as {student: row}."""
    import csv

    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def points_of(row: dict[str, str], grade_ids: Iterable[str]) -> dict[str, float]:
    """A grades.csv row's points for the given grade ids (blank counts as 0)."""
    return {g: float(row.get(g) or 0) for g in grade_ids}


def describe(entries: Iterable[Entry], key: Callable[[Entry], object] | None = None) -> str:
    """A plain table of the corpus (student, set, expected status, nbgrader), for reports."""
    lines = []
    for e in sorted(entries, key=key or (lambda e: e.student)):
        flag = "tamper" if e.tamper else ""
        lines.append(
            f"{e.student:28} {e.exercise_set or '-':20} {e.expect_status:22} "
            f"nbgrader={'yes' if e.nbgrader else 'no ':3} {flag:6} {e.note}"
        )
    return "\n".join(lines)


# --- one crmkit run over the corpus, shared by the test modules ----------------------------

#: Students of an earlier grading run, whose marks a submission must not be able to change.
PREVIOUS = {
    "prev_amy": ("ex01_classification", {"q1_check": 2.0, "q2_check": 0.0}),
    "prev_ben": ("ex03_pyramid", {"q1_check": 0.0, "q2_check": 3.0}),
}


@dataclass
class Run:
    """A `crmkit grade` run over (part of) the corpus, with the bait it was given."""

    entries: list[Entry]
    submissions: Path
    out: Path  # --out: seeded with an earlier run's grades.csv and gradebook.sqlite
    archive: Path  # an earlier run's grades.csv and gradebook.sqlite, kept elsewhere
    rows: dict[str, dict[str, str]]
    exit_code: int
    seconds: float
    archive_before: dict[str, str]  # sha256 of the archive's files before the run
    seeded_before: list[tuple]  # the earlier run's rows of out/gradebook.sqlite before it


_RUNS: dict[tuple[str, frozenset[str] | None], Run] = {}


def file_hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def gradebook_rows(database: Path, students: Iterable[str]) -> list[tuple]:
    """The submissions and grades rows of `students` in a crmkit gradebook, sorted."""
    import sqlite3

    names = sorted(students)
    marks = ",".join("?" * len(names))
    con = sqlite3.connect(database)
    try:
        subs = con.execute(f"SELECT * FROM submissions WHERE student IN ({marks})", names)
        grades = con.execute(f"SELECT * FROM grades WHERE student IN ({marks})", names)
        return sorted(("submission", *r) for r in subs) + sorted(("grade", *r) for r in grades)
    finally:
        con.close()


def _seed_previous_run(folder: Path) -> None:
    """grades.csv and gradebook.sqlite as an earlier run left them, with the bait marker."""
    from crmkit.grading.batch import write_grades_csv
    from crmkit.grading.report import record_run
    from crmkit.grading.run import Result

    results = [
        Result(student, f"{student}.ipynb", name, points, {g: 3.0 for g in points})
        for student, (name, points) in PREVIOUS.items()
    ]
    folder.mkdir(parents=True, exist_ok=True)
    write_grades_csv(results, folder / "grades.csv")
    record_run(results, folder / "gradebook.sqlite", "an earlier run")
    (folder / BAIT).write_text("test bait: the gradebook tamper entry may write here\n")


def crmkit_run(
    root: Path,
    tmp_path_factory,
    *,
    only: Iterable[str] | None = None,
    jobs: int = 2,
    timeout: int = 20,
    memory: int = 1536,
) -> Run:
    """Grade the corpus (or the students in `only`) with `crmkit grade`, once per process.

    A run of the whole corpus serves every later call; a run of part of it only the
    same part. Before it runs, --out holds an earlier run's grades.csv and
    gradebook.sqlite (the gradebook accumulates runs), and a copy of both lies in
    another folder: both are bait for the gradebook tamper entry.
    """
    import shutil
    import time

    from crmkit.cli import main

    wanted = frozenset(only) if only is not None else None
    for key in [(str(root), None), (str(root), wanted)]:
        if key in _RUNS:
            return _RUNS[key]
    entries = [e for e in build_corpus(root) if wanted is None or e.student in wanted]
    base = tmp_path_factory.mktemp("crmkit-run")
    submissions = write_corpus(entries, base / "submissions")
    archive, out = base / "previous-run", base / "graded"
    _seed_previous_run(archive)
    shutil.copytree(archive, out)
    archive_before = file_hashes(archive)
    seeded_before = gradebook_rows(out / "gradebook.sqlite", PREVIOUS)
    start = time.perf_counter()
    code = main(
        [
            "grade",
            str(submissions),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--timeout",
            str(timeout),
            "--memory",
            str(memory),
        ]
    )
    seconds = time.perf_counter() - start
    rows = read_grades(out / "grades.csv") if (out / "grades.csv").is_file() else {}
    run = Run(
        entries, submissions, out, archive, rows, code, seconds, archive_before, seeded_before
    )
    _RUNS[(str(root), wanted)] = run
    return run
