"""Markdown carries no data-dependent digits: a number the data decides is printed by code.

DESIGN, "Prose never contradicts output": a sentence whose numbers depend on the
data must be printed by a code cell, or it goes stale (and contradicts the
output) when the data, or a trainer's own data, changes. So every number in a
Markdown cell of notebooks/ and solutions/ must be covered by ALLOWED (a small
list, one reason per entry: seed facts with their seed, section and question
numbers, concept IDs, lesson numbers, minutes, points) or be a setting that the
notebook's own code names (a keyword argument, an assignment or a default, in a
code cell or in code quoted in Markdown: `cutoffs=(0.7, 0.9)` allows "70%").
Code in Markdown (fenced blocks, inline code other than a bare number) and link
targets are not prose. One test per notebook, so each runs alone:
`pytest tests/notebooks/test_markdown_digits.py -k 01_customer_classification`.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from crmkit.tiers import DEFAULT_CUTOFFS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "solutions").glob("*/*.ipynb")
)


@dataclass(frozen=True)
class Allowed:
    """Digits inside a match of `pattern` are allowed, for `reason`.

    With `within`, only in a cell that also matches `within` (e.g. cites the
    seed). A space in a pattern matches any run of white space, line ends included.
    """

    pattern: str
    reason: str
    within: str = ""

    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern.replace(" ", r"\s+"))

    def applies(self, text: str) -> bool:
        return not self.within or re.search(self.within.replace(" ", r"\s+"), text) is not None


def _tier_percentages() -> str:
    """The default tier cut-offs of crmkit.tiers as whole percentages: bounds and bands."""
    found = set()
    for cutoffs in DEFAULT_CUTOFFS.values():
        bounds = [0.0, *cutoffs, 1.0]
        found |= {round(b * 100) for b in cutoffs}
        found |= {round((hi - lo) * 100) for lo, hi in zip(bounds, bounds[1:], strict=False)}
    return "|".join(str(n) for n in sorted(found, reverse=True))


ALLOWED: tuple[Allowed, ...] = (
    # --- the workbook's own structure ---
    Allowed(r"(?m)^#{1,6}\s+\d+(?:\.\d+)*\.?", "a section number in a heading (## 3.)"),
    Allowed(r"(?m)^\x20*\d+[.)]\s", "a numbered list item (the objectives, steps)"),
    Allowed(r"\b[Ss]ections? \d+(?:(?:,| and| or) \d+)*\b", "a pointer to a section number"),
    Allowed(r"\b(?:CL|CO|KA|LC|MA|PY|SA|VA)\d{1,2}\b", "a concept ID of DOMAIN.md"),
    Allowed(
        r"\b(?:[Ll]essons?|[Ee]xercise sets?) \d{1,2}(?:(?:,| and| or| to) \d{1,2})*\b|\[\d{2} ·",
        "a lesson or exercise set by its number",
    ),
    Allowed(r"\b\d{2}_\w+\.ipynb\b|\bex\d{2}\w*", "a notebook or exercise set by its file name"),
    Allowed(r"\b[Qq]\d{1,2}\b", "an exercise question by its number"),
    Allowed(r"\b\d+ points?\b", "the points of an exercise question"),
    Allowed(r"\b\d+ (?:to \d+ )?(?:minutes?|min)\b", "a time estimate in minutes"),
    Allowed(r"(?s)\*\*Time needed:?\*\*:?.*?(?:\n\s*\n|$)", "the time estimate of a header"),
    Allowed(r"(?s)\bTime needed: .*?(?:\n\s*\n|$)", "the time estimate of an exercise set"),
    Allowed(r"\b\d+ to \d+ words\b", "the length asked of a written answer"),
    Allowed(r"\b(?:last|next|the) 12 months\b", "the period 'last 12 months' of cb.periods"),
    Allowed(
        rf"\b(?:{_tier_percentages()})%",
        "the default tier cut-offs of crmkit.tiers (DEFAULT_CUTOFFS), where tiers are described",
        within=r"\b[Tt]iers?\b|VIP|platinum",
    ),
    # --- the seeds (../shared/seeds) and their sections ---
    Allowed(
        r"\b[Ss]eeds? 00[0-4](?: \([^)]*\))?(?:(?:,| and| or) 00[0-4](?: \([^)]*\))?)*",
        "a seed by its number (000 .. 004), with its section",
    ),
    Allowed(r"§\s?\d+(?:\.\d+)*", "a section of a seed (seed 001 §5.1.3)"),
    Allowed(r"\bstrategy \d+\b", "seed 002 numbers its service strategies"),
    Allowed(r"\b80/20\b", "seeds 001 and 004: the 80/20 rule (二八法则)"),
    Allowed(
        r"\b(?:20|60|80)%",
        "seeds 001 and 004: about 20% of customers bring about 80% of the profit; seed 004's "
        "split into a top 20%, a middle 60% and a bottom 20% (only in a cell citing them)",
        within=r"80/20|二八|\b[Ss]eeds? [^.]*\b004\b",
    ),
    Allowed(
        r"\btop 20%", "seed 001 §5.2.3: find the top 20% of core customers", within=r"§\s?5\.2\.3"
    ),
    Allowed(r"\baged 25 to 40\b", "seed 002: Starbucks's core group is aged 25 to 40"),
    Allowed(r"\babout 18 times a month\b", "seed 002: the core group's visits a month"),
    Allowed(r"\bAugust 2002\b", "seed 002: when Starbucks offered wireless internet"),
    Allowed(r"\b1,000 stores\b", "seed 002: the number of Starbucks stores with the service"),
    Allowed(
        r"\babout 2 hours to (?:about )?3(?:–| to )4 hours\b",
        "seed 002: stays grew from about 2 hours to 3 to 4 hours",
    ),
    Allowed(r"\b100 ?[−-] ?1 ?= ?0\b", "seed 001 §2.3.4: 100 − 1 = 0, one unhappy customer (CO8)"),
    Allowed(r"\bISO 10002(?::2018)?\b", "the standard for complaints handling, by its number"),
    Allowed(r"\bP[1-4]\b", "a complaint priority of the triage rules (P1 to P4)"),
    Allowed(r"\b[Pp]oints? [1-8]\b", "a point of the eight-point complaint record (CO4)"),
    Allowed(r"\b90th percentile\b", "the slow tail the complaint KPIs report (complaint_kpis)"),
    # --- names, formats and scales that are not measured numbers ---
    Allowed(r"\bC\d{5}\b", "a customer id of the sample data (a name, not a measure)"),
    Allowed(
        r"\bC\d{5}`?,? (?:[A-Z][\w'&-]* )+\d+\b", "a customer's shop name after its id (Store 37)"
    ),
    Allowed(r"\bUTF-8\b|\bGB(?:K|18030)\b", "a file encoding"),
    Allowed(r"\bbetween 0 and 1\b", "what a fraction is"),
    Allowed(r"\b0\.25 for (?:a quarter|25%)|\b25% is 0\.25\b", "how to write a fraction"),
    Allowed(r"\b100%", "the whole of a total (100%), not a measured share"),
    Allowed(r"\bpoints out of 100\b", "the scale of a perceived-value interview"),
    Allowed(r"\bfrom [01](?: \(\w+\))? to (?:5|10|100)\b", "the ends of a score's scale"),
    Allowed(
        r"\b[RFM](?:,? (?:and )?[RFM])*(?: both)?(?: of)? [1-5](?:(?:,| or| to) [1-5])*\b",
        "an RFM score, on its scale of 1 to 5",
    ),
)

_NUMBER = re.compile(r"\d(?:[\d,]*\d)?(?:\.\d+)?%?")
_FENCE = re.compile(r"(?ms)^\x20*```.*?^\x20*```")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_BARE_NUMBER = re.compile(r"`[\d.,%\s]+`")


def _code_spans(source: str) -> list[tuple[int, int]]:
    """Where Markdown holds code or a link target, not prose: fences, `code`, (target).

    Inline code that is only a number (`0.27`) is prose in disguise and stays checked.
    """
    spans = [m.span() for m in _FENCE.finditer(source)]
    spans += [m.span() for m in _LINK_TARGET.finditer(source)]
    spans += [m.span() for m in _INLINE_CODE.finditer(source) if not _BARE_NUMBER.fullmatch(m[0])]
    return spans


def _markdown_code(source: str) -> list[str]:
    """The code a Markdown cell quotes (fenced blocks, inline code)."""
    fenced = [m[0].strip().strip("`").partition("\n")[2] for m in _FENCE.finditer(source)]
    return fenced + [m[0].strip("`") for m in _INLINE_CODE.finditer(source)]


def named_settings(nb: nbformat.NotebookNode) -> set[float]:
    """The numbers the notebook's code names: keyword arguments, assignments, defaults.

    A number only passed by position (`head(5)`) is not named, so it allows nothing.
    """
    found: set[float] = set()

    def collect(node: ast.AST) -> None:
        for sub in ast.walk(node):
            number = isinstance(sub, ast.Constant) and isinstance(sub.value, int | float)
            if number and not isinstance(sub.value, bool):
                found.add(float(sub.value))

    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    sources += [
        code for c in nb.cells if c.cell_type == "markdown" for code in _markdown_code(c.source)
    ]
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword | ast.Assign | ast.AnnAssign) and node.value:
                collect(node.value)
            elif isinstance(node, ast.arguments):
                for default in [*node.defaults, *node.kw_defaults]:
                    if default is not None:
                        collect(default)
    return found


def _is_setting(token: str, settings: set[float]) -> bool:
    """'70%' or '20,000' is a setting if the code names 0.7 (or 70), or 20000."""
    value = float(token.rstrip("%").replace(",", ""))
    candidates = {value, value / 100} if token.endswith("%") else {value}
    return any(math.isclose(c, s, rel_tol=1e-9) for c in candidates for s in settings)


def stray_digits(nb: nbformat.NotebookNode) -> list[str]:
    """Every number in Markdown that nothing allows, as 'cell 5, line 3: '27%' in: <line>'."""
    settings = named_settings(nb)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        covered = _code_spans(text) + [
            m.span()
            for entry in ALLOWED
            if entry.applies(text)
            for m in entry.regex().finditer(text)
        ]
        for match in _NUMBER.finditer(text):
            start, end = match.span()
            if any(a <= start and end <= b for a, b in covered):
                continue
            if _is_setting(match.group(), settings):
                continue
            line_no = text.count("\n", 0, start)
            line = text.splitlines()[line_no].strip()
            found.append(f"cell {index}, line {line_no + 1}: {match.group()!r} in: {line[:100]}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_has_no_data_dependent_digits(path):
    stray = stray_digits(nbformat.read(path, as_version=4))
    assert not stray, (
        f"{path.relative_to(ROOT)}: numbers in Markdown that the data may change. Print them "
        "from code, phrase the sentence without them, or (a seed fact, a structural number) "
        "add an entry with its reason to ALLOWED:\n  " + "\n  ".join(stray)
    )


# --- the check itself can fail -------------------------------------------------------------


def _notebook(*markdown: str, code: str = "") -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(s) for s in markdown]
    if code:
        cells.append(nbformat.v4.new_code_cell(code))
    return nbformat.v4.new_notebook(cells=cells)


def _numbers(stray: list[str]) -> list[str]:
    return [s.split(": ", 1)[1].split(" in: ")[0] for s in stray]


def test_a_measured_number_or_a_year_is_flagged():
    stray = stray_digits(
        _notebook(
            "## 2. A rule of thumb (CL2)\n\nHere 27.1% of customers bring 80% of the profit.",
            "In 2025 we lost 467 customers; the top one earned ¥73,500,000 (`0.27`).",
        )
    )
    assert _numbers(stray) == ["'27.1%'", "'80%'", "'2025'", "'467'", "'73,500,000'", "'0.27'"]
    assert stray[0].startswith("cell 0, line 3:")


def test_allowed_numbers_pass():
    allowed = _notebook(
        "# Lesson 1 · Customer classification\n\n**Time needed:** about 80 minutes (reading\n"
        "about 30), plus about 60 for the exercise set.\n\n1. check the rule (CL2, PY6);",
        "## 3. ABC analysis\n\nSeeds 001 (§5.1.3) and 004 state the 80/20 rule: about 20% of "
        "customers bring about 80% of the profit. See lesson 03, section 4, Q3 — 2 points, "
        "`ex01_classification`, [01 · Classification](01_customer_classification.ipynb), "
        "customer `C00042`, Harmony Convenience Store 34, lessons 01 and 02.",
        "Class A up to 70% of revenue, with ¥20,000 of purchases; call "
        "`cls.abc_analysis(values, cutoffs=(0.7, 0.9))` for 90%.",
        "```bash\ncrmkit data validate my_orders.csv:17\n```",
        "The VIP tier is the best 5% of customers, the next 15% are major.",
        "Champions have R and F both 4 or 5; write about 80 to 150 words.",
        code="abc = cls.abc_analysis(year['revenue'])\nmin_purchases = 20_000",
    )
    assert stray_digits(allowed) == []


def test_a_rule_is_allowed_only_where_it_applies():
    nb = _notebook(
        "The top 5 customers bring 35% of profit; 20% of them are new, 15% are major.",
        code="top.head(5)\nx = 0.2",  # 5 only by position; 0.2 named
    )
    assert _numbers(stray_digits(nb)) == ["'5'", "'35%'", "'15%'"]


def test_every_allowed_entry_has_a_reason_and_compiles():
    for entry in ALLOWED:
        assert entry.reason and entry.regex().pattern
    assert len({e.pattern for e in ALLOWED}) == len(ALLOWED)
    assert _tier_percentages().split("|")[:3] == ["95", "80", "50"]
