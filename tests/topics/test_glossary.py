"""The glossary covers every Chinese term of DOMAIN.md, in both scripts, and looks terms up kindly.

DOMAIN.md is read from ../shared beside the repo (as in CI); the tests that
need it skip, saying so, when it is not there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from crmkit import glossary
from crmkit.errors import CrmkitError
from crmkit.glossary import TERMS, Term, first_use, for_concept, glossary_table, term

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = (ROOT / ".." / "shared" / "DOMAIN.md").resolve()

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TERM_RE = re.compile(rf"[A-Za-z0-9]*[{CJK}][A-Za-z0-9{CJK}]*")
ID_LINE_RE = re.compile(r"^- ([A-Z]{2}\d+) ", flags=re.M)


def _domain_text() -> str:
    if not DOMAIN.exists():
        pytest.skip(f"DOMAIN.md not found at {DOMAIN} (it lives in shared/ beside the repo)")
    return DOMAIN.read_text(encoding="utf-8")


def chinese_terms(text: str) -> list[str]:
    """Every Chinese term in parentheses, e.g. "(客户分类)"; lists split on 、 and commas.

    A term is a run of CJK characters with any Latin letters or digits glued to
    it ("ABC分类法", "VIP客户"); "(客户分级 A/B/C/D)" gives 客户分级.
    """
    found = []
    for group in re.findall(r"[(（]([^()（）]*)[)）]", text):
        for piece in re.split(r"[、，,;；]", group):
            found.extend(TERM_RE.findall(piece))
    return found


def terms_by_concept(text: str) -> dict[str, list[str]]:
    """Concept ID -> the Chinese terms its bullet (with its continuation lines) introduces."""
    bullets: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = ID_LINE_RE.match(line)
        if m:
            current = m.group(1)
            bullets[current] = []
        elif not line.startswith(" "):
            current = None
        if current is not None:
            bullets[current].append(line)
    return {cid: chinese_terms("\n".join(lines)) for cid, lines in bullets.items()}


def test_parser_reads_lists_and_mixed_terms():
    text = "tiers (VIP客户、主要客户), ABC analysis (ABC分类法), grades (客户分级 A/B/C/D) (001 §5)"
    assert chinese_terms(text) == ["VIP客户", "主要客户", "ABC分类法", "客户分级"]


def test_every_chinese_term_of_domain_is_in_the_glossary():
    terms = chinese_terms(_domain_text())
    assert len(terms) > 40, "the parser found too few terms: has DOMAIN.md changed shape?"
    simplified = {t.simplified for t in TERMS}
    missing = sorted({x for x in terms if x not in simplified})
    assert not missing, f"Chinese terms of DOMAIN.md missing from the glossary: {missing}"


def test_concept_ids_match_domain():
    ids = ID_LINE_RE.findall(_domain_text())
    assert ids == glossary.concept_ids()


def test_every_concept_introducing_a_term_has_an_entry():
    by_concept = terms_by_concept(_domain_text())
    assert by_concept["CL2"] == ["二八法则"]
    assert "长期保持型" in by_concept["LC5"]  # its parentheses span two lines
    lacking = [cid for cid, terms in by_concept.items() if terms and not for_concept(cid)]
    assert not lacking, f"concepts with Chinese terms but no glossary entry: {lacking}"
    # and the entry that carries the term is tagged with that concept
    untagged = [
        (cid, x)
        for cid, terms in by_concept.items()
        for x in terms
        if not any(t.simplified == x and cid in t.concepts for t in TERMS)
    ]
    assert not untagged, f"terms not tagged with the concept that introduces them: {untagged}"


def test_keys_unique_and_entries_complete():
    keys = [t.key for t in TERMS]
    assert len(keys) == len(set(keys))
    assert len({t.simplified for t in TERMS}) == len(TERMS), "two entries share a Chinese term"
    valid_ids = set(glossary.concept_ids())
    for t in TERMS:
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", t.key), t.key
        assert t.english and t.simplified and t.traditional, t.key
        assert t.concepts and set(t.concepts) <= valid_ids, (t.key, t.concepts)
        assert t.definition.endswith(".") and t.definition[0].isupper(), t.key
        assert t.definition.count(". ") == 0, f"{t.key}: definition should be one sentence"
        assert re.search(f"[{CJK}]", t.simplified), t.key
        assert len(t.simplified) == len(t.traditional), t.key


def test_english_only_key_terms_present():
    for key, chinese in [
        ("share_of_wallet", "钱包份额"),
        ("cost_to_serve", "服务成本"),
        ("rfm", "RFM分析"),
        ("whale_curve", "鲸鱼曲线"),
        ("churn", "客户流失"),
        ("lifetime_value", "客户终生价值"),
    ]:
        assert term(key).simplified == chinese


# Characters with a traditional variant: a simplified term containing one must differ.
KNOWN_PAIRS = {
    "客户分类": "客戶分類",
    "二八法则": "二八法則",
    "诚信度": "誠信度",
    "稳定期": "穩定期",
    "投诉": "投訴",
    "客户分级": "客戶分級",
    "铂金层": "鉑金層",
    "重铅层": "重鉛層",
    "钢铁层": "鋼鐵層",
    "黄金层": "黃金層",
    "客户终生价值": "客戶終生價值",
    "满意与服务质量": "滿意與服務質量",
    "响应度": "響應度",
    "专业度": "專業度",
    "客户维护与回访": "客戶維護與回訪",
    "动态管理": "動態管理",
    "市场类型": "市場類型",
    "成长度": "成長度",
    "贡献度": "貢獻度",
    "客户生命周期": "客戶生命週期",
    "售后服务": "售後服務",
}
SAME_IN_BOTH = ["依存度", "退化期", "考察期", "形成期", "配合度", "九准九不准", "精力", "知名度"]
# A few simplified-only characters: none may be left in a traditional form.
SIMPLIFIED_ONLY = set("户类则价级层铂铅钢铁终满务质响应专诉维护访态场动长献诚贡业黄资产关系")


def test_traditional_forms_spot_check():
    by_simplified = {t.simplified: t.traditional for t in TERMS}
    for simp, trad in KNOWN_PAIRS.items():
        assert by_simplified[simp] == trad, simp
    for same in SAME_IN_BOTH:
        assert by_simplified[same] == same


def test_no_simplified_only_character_in_traditional():
    leftovers = {t.key: t.traditional for t in TERMS if set(t.traditional) & SIMPLIFIED_ONLY}
    assert not leftovers


def test_term_lookup_and_did_you_mean():
    t = term("stability_stage")
    assert isinstance(t, Term)
    assert (t.simplified, t.traditional, t.concepts[0]) == ("稳定期", "穩定期", "LC1")
    assert term("Stability stage") is t
    assert term("穩定期") is t
    with pytest.raises(CrmkitError, match="Did you mean 'stability_stage'"):
        term("stabilty_stage")
    with pytest.raises(CrmkitError, match="No glossary term"):
        term("zzzz")
    with pytest.raises(CrmkitError):
        term(3)  # type: ignore[arg-type]


def test_first_use():
    assert first_use("stability_stage") == "stability stage (稳定期)"
    assert first_use("stability_stage", script="traditional") == "stability stage (穩定期)"
    assert first_use("stability_stage", script="both") == "stability stage (稳定期 / 穩定期)"
    assert first_use("dependence", script="both") == "dependence (依存度)"
    with pytest.raises(CrmkitError, match="script"):
        first_use("dependence", script="pinyin")  # type: ignore[arg-type]


def test_for_concept():
    assert [t.key for t in for_concept("CL2")] == ["rule_80_20", "whale_curve"]
    section = for_concept("PY")
    assert section and all(any(c.startswith("PY") for c in t.concepts) for t in section)
    assert for_concept("ka1") == for_concept("KA1")
    with pytest.raises(CrmkitError, match="Unknown concept"):
        for_concept("XX9")


def test_glossary_table():
    full = glossary_table()
    assert list(full.columns) == ["english", "simplified", "traditional", "definition", "concepts"]
    assert len(full) == len(TERMS) and full.index.name == "key" and full.index.is_unique
    cl = glossary_table("CL")
    assert "rule_80_20" in cl.index and "stability_stage" not in cl.index
    assert cl.loc["rule_80_20", "concepts"] == "CL2"
    both = glossary_table(["CL2", "LC1"])
    assert {"rule_80_20", "stability_stage"} <= set(both.index)
    picked = glossary_table(keys=["churn", "rfm"])
    assert list(picked.index) == ["churn", "rfm"]  # glossary order
    assert set(glossary_table(concepts="CL2", keys=["rfm"]).index) == {
        "rule_80_20",
        "whale_curve",
        "rfm",
    }
    assert isinstance(glossary_table(keys=[]), pd.DataFrame) and glossary_table(keys=[]).empty
    with pytest.raises(CrmkitError):
        glossary_table(concepts="Q")
    with pytest.raises(CrmkitError, match="Did you mean"):
        glossary_table(keys=["chrun"])
