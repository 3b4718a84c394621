"""The teaching content files are well-formed, and a broken one is reported clearly.

Each table of `crmkit.content.TABLES` loads, holds its columns, has no blank
cell and no repeated key; the glossary gives every term both Chinese scripts.
A broken copy of a file, written to tmp_path, must fail with a
`file:row: column: what is wrong` line that points at the broken cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from crmkit import classification, content, glossary
from crmkit.errors import CrmkitError, DataValidationError

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@pytest.mark.parametrize("name", sorted(content.TABLES))
def test_every_content_table_is_well_formed(name):
    spec = content.TABLES[name]
    frame = content.table(name)
    flat = frame.reset_index() if spec.index else frame
    assert tuple(flat.columns) == spec.columns
    assert frame.index.name == spec.index
    assert len(flat) > 0
    text = flat.drop(columns=list(spec.integers)).astype(str)
    assert not flat.isna().any().any(), f"{spec.file} has missing cells"
    blank = text.apply(lambda col: col.str.strip() == "")
    assert not blank.any().any(), f"{spec.file} has blank cells"
    assert not flat.duplicated(subset=list(spec.key)).any(), f"{spec.file} repeats a key"
    for column in spec.integers:
        assert flat[column].dtype == "int64", (spec.file, column)
    for column, allowed in spec.choices.items():
        assert set(flat[column]) <= set(allowed), (spec.file, column)


def test_every_file_in_the_folder_has_a_spec_and_the_reverse():
    on_disk = {p.name for p in content.FOLDER.glob("*.csv")}
    assert on_disk == {spec.file for spec in content.TABLES.values()}
    assert not [p.name for p in content.FOLDER.iterdir() if p.suffix in {".yaml", ".yml", ".json"}]


def test_every_glossary_term_has_both_chinese_forms():
    frame = content.table("glossary")
    for row in frame.itertuples(index=False):
        for form in (row.simplified, row.traditional):
            assert form.strip() and CJK.search(form), (row.key, form)
    # glossary.py serves exactly the file's rows, in the file's order
    assert [t.key for t in glossary.TERMS] == list(frame["key"])
    assert [t.traditional for t in glossary.TERMS] == list(frame["traditional"])


def test_grouped_keeps_the_file_order():
    frame = content.table("typologies")
    groups = content.grouped("typologies", by="typology")
    assert list(groups) == list(dict.fromkeys(frame["typology"]))
    flat = [(g, kind, text) for g, rows in groups.items() for kind, text in rows]
    assert flat == list(frame.itertuples(index=False, name=None))
    assert groups == classification.TYPOLOGIES
    with pytest.raises(CrmkitError, match="no column 'group'"):
        content.grouped("typologies", by="group")


def test_unknown_table_suggests_the_name():
    with pytest.raises(CrmkitError, match="Did you mean 'typologies'"):
        content.table("typologys")


# -- broken copies of a real file ------------------------------------------------------------

SOURCE = "lead_follow_up.csv"


def _broken(tmp_path: Path, edit) -> Path:
    """A copy of lead_follow_up.csv in tmp_path with `edit` applied to its list of lines."""
    lines = (content.FOLDER / SOURCE).read_text(encoding="utf-8").splitlines()
    (tmp_path / SOURCE).write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return tmp_path


def _set_cell(row: int, column: int, value: str):
    """An edit that replaces one cell (row numbered as a spreadsheet, header = 1)."""

    def edit(lines):
        cells = lines[row - 1].split(",", 3)
        cells[column] = value
        lines[row - 1] = ",".join(cells)
        return lines

    return edit


BREAKAGES = {
    "blank cell": (_set_cell(3, 1, ""), "lead_follow_up.csv:3: criteria met: is empty"),
    "blank spaces only": (_set_cell(4, 1, "  "), "lead_follow_up.csv:4: criteria met: is empty"),
    "padded cell": (
        _set_cell(2, 1, " all three"),
        "lead_follow_up.csv:2: criteria met: has spaces at the start or end",
    ),
    "repeated key": (
        _set_cell(5, 0, "B"),
        "lead_follow_up.csv:5: lead grade: repeats the key of row 3",
    ),
    "not a number": (
        _set_cell(2, 2, "three"),
        "lead_follow_up.csv:2: follow up within (days): 'three' is not a whole number",
    ),
    "missing column": (
        lambda lines: [line.rsplit(",", 1)[0] for line in lines[:1]] + lines[1:],
        "lead_follow_up.csv:1: columns missing action",
    ),
    "renamed column": (
        lambda lines: [lines[0].replace("criteria met", "criteria")] + lines[1:],
        "columns missing criteria met; unexpected criteria",
    ),
    "short row": (
        lambda lines: [*lines[:2], "B,two,7", *lines[3:]],
        "lead_follow_up.csv:3: has 3 cells, expected 4",
    ),
    "empty row": (
        lambda lines: [*lines[:2], "", *lines[2:]],
        "lead_follow_up.csv:3: is an empty row; delete it",
    ),
    "header only": (lambda lines: lines[:1], "lead_follow_up.csv: has a header but no data rows"),
}


def test_the_source_file_is_valid_before_breaking_it(tmp_path):
    folder = _broken(tmp_path, lambda lines: lines)
    pd.testing.assert_frame_equal(
        content.table("lead_follow_up", folder=folder), classification.FOLLOW_UP
    )


@pytest.mark.parametrize("case", list(BREAKAGES))
def test_a_broken_file_names_file_row_and_column(tmp_path, case):
    edit, expected = BREAKAGES[case]
    folder = _broken(tmp_path, edit)
    with pytest.raises(DataValidationError) as info:
        content.table("lead_follow_up", folder=folder)
    assert expected in str(info.value)
    assert isinstance(info.value, CrmkitError)
    assert info.value._render_traceback_()[0] == "The data has problems:"


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    folder = _broken(tmp_path, lambda lines: _set_cell(4, 3, "")(_set_cell(2, 1, "")(lines)))
    with pytest.raises(DataValidationError) as info:
        content.table("lead_follow_up", folder=folder)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "criteria met"), (4, "action")]


def test_a_choice_outside_the_allowed_values(tmp_path):
    text = (content.FOLDER / "value_components.csv").read_text(encoding="utf-8")
    (tmp_path / "value_components.csv").write_text(
        text.replace(",firm,", ",company,", 1), encoding="utf-8"
    )
    with pytest.raises(DataValidationError, match=r"value_to: 'company' is not one of: customer"):
        content.table("value_components", folder=tmp_path)


def test_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(CrmkitError, match="lead_follow_up.csv: the content file is missing"):
        content.table("lead_follow_up", folder=tmp_path)
    (tmp_path / SOURCE).write_bytes("lead grade,criteria met\n\xff\xfe".encode("latin-1"))
    with pytest.raises(CrmkitError, match="lead_follow_up.csv: is not UTF-8 text"):
        content.table("lead_follow_up", folder=tmp_path)


def test_glossary_rejects_an_unknown_concept_id(tmp_path):
    lines = (content.FOLDER / "glossary.csv").read_text(encoding="utf-8").splitlines()
    assert ",CL1 MA1," in lines[1]
    lines[1] = lines[1].replace(",CL1 MA1,", ",CL1 XX7,")
    (tmp_path / "glossary.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"glossary.csv:2: concepts: unknown .* 'XX7'"):
        glossary._load_terms(tmp_path)
    good = glossary._load_terms(content.FOLDER)
    assert good == glossary.TERMS
