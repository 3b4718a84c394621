"""The workbook's glossary: every customer-management term in English and Chinese.

Notebooks write a term in English with the Chinese beside it the first time it
appears, e.g. "stability stage (稳定期)", and end with a glossary table. Both
come from here, so every notebook uses the same words, the same simplified
(mainland) and traditional (Taiwan, Hong Kong) characters, and the same
one-sentence definition. Each term names the concept IDs of DOMAIN.md it
belongs to (e.g. CL2 for the 80/20 rule), so a notebook can list the terms of
the concepts it teaches. The entries are data, one row each in
`crmkit/content/glossary.csv`; this module loads them once and looks them up.

The traditional forms convert the characters (户 -> 戶, 价 -> 價, ...) and write
周期 as 週期, as in Taiwan; they keep the mainland wording otherwise (信息, 数据库
-> 數據庫), so that a reader of either script finds the same term. 准 stays 准 in
九准九不准 ("may" and "may not"), where it means permission, not 準 (accurate).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from crmkit import content
from crmkit.errors import CrmkitError, DataValidationError, Problem

__all__ = [
    "CONCEPT_COUNTS",
    "TERMS",
    "Term",
    "concept_ids",
    "first_use",
    "for_concept",
    "glossary_table",
    "term",
]

Script = Literal["simplified", "traditional", "both"]

#: How many concepts each section of DOMAIN.md has (CL1..CL9, PY1..PY7, ...).
CONCEPT_COUNTS: dict[str, int] = {
    "CL": 9,
    "PY": 7,
    "VA": 6,
    "LC": 6,
    "CO": 9,
    "SA": 8,
    "KA": 5,
    "MA": 5,
}


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English term, its Chinese forms, a definition, its concepts."""

    key: str
    english: str
    simplified: str
    traditional: str
    definition: str
    concepts: tuple[str, ...]

    def first_use(self, script: Script = "simplified") -> str:
        """The English term with the Chinese beside it, as written at its first mention."""
        if script == "simplified":
            chinese = self.simplified
        elif script == "traditional":
            chinese = self.traditional
        elif script == "both":
            chinese = (
                self.simplified
                if self.simplified == self.traditional
                else f"{self.simplified} / {self.traditional}"
            )
        else:
            raise CrmkitError(
                f"script must be 'simplified', 'traditional' or 'both', not {script!r}"
            )
        return f"{self.english} ({chinese})"


_ID_RE = re.compile(r"^([A-Z]{2})(\d+)$")


def concept_ids() -> list[str]:
    """Every concept ID of DOMAIN.md, in order: CL1..CL9, PY1..PY7, ..., MA5."""
    return [f"{sec}{i}" for sec, n in CONCEPT_COUNTS.items() for i in range(1, n + 1)]


def _load_terms(folder: Path | str | None = None) -> tuple[Term, ...]:
    """The entries of the glossary file, in file order, each concept ID checked.

    The file is `crmkit/content/glossary.csv` (or the one in `folder`), its
    concepts column holding space-separated IDs such as "CL2 CL4"; an unknown
    ID raises DataValidationError naming the file, row and column.
    """
    frame = content.table("glossary", folder=folder)
    valid = set(concept_ids())
    problems = [
        Problem(content.TABLES["glossary"].file, row, "concepts", f"unknown concept ID {c!r}")
        for row, ids in enumerate(frame["concepts"], start=2)
        for c in ids.split()
        if c not in valid
    ]
    if problems:
        raise DataValidationError(problems)
    return tuple(
        Term(r.key, r.english, r.simplified, r.traditional, r.definition, tuple(r.concepts.split()))
        for r in frame.itertuples(index=False)
    )


#: Every entry, in glossary order (the order of crmkit/content/glossary.csv).
TERMS: tuple[Term, ...] = _load_terms()
_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-/]+", "_", name.strip().lower())


def term(key: str) -> Term:
    """The glossary entry for `key` (also found by its English name or Chinese form).

    An unknown name raises CrmkitError with the closest keys, so a typo in a
    notebook is a one-line message, not a KeyError.
    """
    if not isinstance(key, str):
        raise CrmkitError(f"a glossary key is text, such as 'stability_stage', not {key!r}")
    if key in _BY_KEY:
        return _BY_KEY[key]
    norm = _normalise(key)
    for t in TERMS:
        if norm in (t.key, _normalise(t.english)) or key.strip() in (t.simplified, t.traditional):
            return t
    names = list(_BY_KEY) + [_normalise(t.english) for t in TERMS]
    close = difflib.get_close_matches(norm, names, n=3, cutoff=0.6)
    keys = list(dict.fromkeys(_BY_KEY[c].key if c in _BY_KEY else _by_english(c) for c in close))
    hint = f" Did you mean {', '.join(repr(k) for k in keys)}?" if keys else ""
    raise CrmkitError(f"No glossary term {key!r}.{hint}")


def _by_english(norm_english: str) -> str:
    return next(t.key for t in TERMS if _normalise(t.english) == norm_english)


def first_use(key: str, script: Script = "simplified") -> str:
    """The text a notebook writes at a term's first mention, e.g. "stability stage (稳定期)".

    script: "simplified" (default), "traditional", or "both" ("稳定期 / 穩定期" when they differ).
    """
    return term(key).first_use(script)


def _concept_matcher(concept: str) -> Callable[[Term], bool]:
    """A test for one concept ID ("CL2") or one section prefix ("CL")."""
    if not isinstance(concept, str):
        raise CrmkitError(
            f"a concept is an ID such as 'CL2' or a section such as 'CL', not {concept!r}"
        )
    c = concept.strip().upper()
    if c in CONCEPT_COUNTS:
        return lambda t: any(_ID_RE.match(x)[1] == c for x in t.concepts)
    if c in concept_ids():
        return lambda t: c in t.concepts
    sections = ", ".join(CONCEPT_COUNTS)
    raise CrmkitError(
        f"Unknown concept {concept!r}: give an ID such as 'CL2' or a section ({sections})."
    )


def for_concept(concept_id: str) -> list[Term]:
    """The terms of one concept ("LC1"), or of a whole section ("LC"), in glossary order."""
    match = _concept_matcher(concept_id)
    return [t for t in TERMS if match(t)]


def glossary_table(
    concepts: str | Iterable[str] | None = None, keys: Iterable[str] | None = None
) -> pd.DataFrame:
    """The glossary as a table for a notebook's glossary section, one row per term.

    concepts: an ID ("CL2"), a section ("CL"), or a list of them; keys: a list
    of term keys. Both given: the terms matching either. Neither: every term.
    Columns english, simplified, traditional, definition, concepts; index: key.
    """
    if concepts is None and keys is None:
        chosen = list(TERMS)
    else:
        wanted: set[str] = set()
        if concepts is not None:
            matchers = [
                _concept_matcher(c) for c in ([concepts] if isinstance(concepts, str) else concepts)
            ]
            wanted |= {t.key for t in TERMS if any(m(t) for m in matchers)}
        if keys is not None:
            wanted |= {term(k).key for k in ([keys] if isinstance(keys, str) else keys)}
        chosen = [t for t in TERMS if t.key in wanted]
    frame = pd.DataFrame(
        {
            "english": [t.english for t in chosen],
            "simplified": [t.simplified for t in chosen],
            "traditional": [t.traditional for t in chosen],
            "definition": [t.definition for t in chosen],
            "concepts": [", ".join(t.concepts) for t in chosen],
        },
        index=pd.Index([t.key for t in chosen], name="key"),
    )
    return frame
