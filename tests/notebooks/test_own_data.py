"""Every lesson runs to its end on a trainer's own orders (customer, date, amount), showing
one sentence for each part that data cannot support; never an error (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from crmkit import cli, lessons
from crmkit.errors import MissingData
from crmkit.notebook import SKIPPED, SkipMissingData, skip_sentence

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"
LESSONS = [ROOT / lesson.notebook for lesson in lessons.lessons()]


def _run(source: str, namespace: dict) -> object:
    """Run a cell's code as the kernel would, with the transformer in place."""
    tree = SkipMissingData().visit(ast.parse(source))
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 (test code)
    return namespace.get("_crmkit_out")


def test_a_cell_without_its_data_shows_one_sentence_and_its_names_follow(capsys):
    SKIPPED.clear()
    ns: dict = {"MissingData": MissingData}
    _run("def margins():\n    raise MissingData('no margins in this data')\nm = margins()\nm", ns)
    assert capsys.readouterr().out == skip_sentence("no margins in this data") + "\n"
    assert SKIPPED["m"] == "no margins in this data"
    _run("later = m * 2\nlater", ns)  # builds on the skipped cell: skipped, same reason
    assert capsys.readouterr().out == skip_sentence("no margins in this data") + "\n"
    assert "later" in SKIPPED
    assert _run("x = 2\nx + 1", ns) == 3  # a cell with its data keeps its output


def test_an_unexplained_name_error_is_still_an_error():
    SKIPPED.clear()
    with pytest.raises(NameError, match="never_defined"):
        _run("never_defined + 1", {})


@pytest.fixture(scope="module")
def own_folder(tmp_path_factory) -> Path:
    """CDNOW as the README's recipe saves it: customer, date and amount, nothing else."""
    if not CDNOW.is_file():
        pytest.skip(f"the CDNOW data is not at {CDNOW}")
    raw = pd.read_csv(CDNOW, sep=r"\s+", dtype=str)
    folder = tmp_path_factory.mktemp("cdnow")
    raw[["customer_id", "date", "dollar_value"]].to_csv(folder / "orders.csv", index=False)
    return folder


@pytest.mark.slow
def test_every_lesson_runs_on_orders_alone(own_folder, capsys):
    """`crmkit data check --lessons`: each lesson runs in a fresh kernel on the folder, and
    the report lists per lesson the parts it skipped, with no error anywhere."""
    assert cli.main(["data", "check", str(own_folder), "--lessons"]) == 0
    out = capsys.readouterr().out
    blocks: dict[str, list[str]] = {}
    for line in out.splitlines():
        if line.endswith((".ipynb: runs in full",)) or ".ipynb: " in line and "skipped" in line:
            blocks[line.split(":")[0]] = []
        elif line.startswith("  ") and blocks:
            blocks[list(blocks)[-1]].append(line.strip())
    assert set(blocks) == {path.name for path in LESSONS}
    assert not any(line.startswith("! error") for lines in blocks.values() for line in lines)
    for name, lines in blocks.items():
        if name.startswith(("01", "03", "04", "05")):  # they rank by profit somewhere
            assert any(
                line.startswith("- profit needs each order's gross margin") for line in lines
            )
    assert "00_start_here.ipynb: runs in full" in out
