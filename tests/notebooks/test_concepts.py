"""Every concept of DOMAIN.md is taught in a notebook and practised in an exercise set.

A topic (CL, PY, ...) counts once any notebook claims one of its IDs; from
then on all its IDs must be covered. DOMAIN.md is read from ../shared.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from crmkit import lessons

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT.parent / "shared" / "DOMAIN.md"


def _domain_ids() -> list[str]:
    if not DOMAIN.exists():
        pytest.skip(f"DOMAIN.md not found at {DOMAIN}")
    return re.findall(r"^- ([A-Z]{2}\d+) ", DOMAIN.read_text(encoding="utf-8"), flags=re.M)


def _claimed(folder: str) -> dict[str, set[str]]:
    claimed: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        claimed[path.name] = set(nb.metadata.get("crmkit", {}).get("concepts", []))
    return claimed


def test_domain_has_the_expected_catalogue():
    ids = _domain_ids()
    assert len(ids) > 50 and len(ids) == len(set(ids))
    assert {"CL1", "CL9", "PY7", "SA8"} <= set(ids)


def test_notebooks_claim_only_known_ids():
    known = set(_domain_ids())
    for folder in ("notebooks", "solutions"):
        for name, ids in _claimed(folder).items():
            assert ids <= known, f"{folder}/{name} claims unknown concepts {sorted(ids - known)}"


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_every_started_topic_is_fully_covered(folder):
    """Coverage by the lesson manifest; test_lessons.py checks it agrees with the files."""
    ids = _domain_ids()
    taught = {c for lesson in lessons.lessons() for c in lesson.concepts}
    practised = {c for lesson in lessons.lessons() if lesson.exercise_set for c in lesson.concepts}
    here = taught if folder == "notebooks" else practised
    topics = {i[:2] for i in taught}
    assert "CL" in topics, "lesson 01 must claim the CL concepts"
    missing = [i for i in ids if i[:2] in topics and i not in here]
    assert not missing, f"{folder}/ does not cover {missing}"


def test_notebook_claims_match_the_concepts_it_names():
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for cid in nb.metadata.get("crmkit", {}).get("concepts", []):
            assert re.search(rf"\b{cid}\b", text), f"{path.name} claims {cid} but never names it"


def test_chinese_terms_in_lessons_are_the_glossary_terms():
    from crmkit import glossary

    known = {t.simplified for t in glossary.TERMS} | {t.traditional for t in glossary.TERMS}
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).rglob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
            for group in re.findall(r"\(([\u4e00-\u9fff][^)]*?)\)", text):
                for chinese in re.split(r"[,、]\s*", group):
                    assert chinese in known, f"{path.name}: '{chinese}' is not in crmkit.glossary"
