"""`crmkit data use` points the lessons at a trainer's folder and back; `crmkit data check`
says what a folder leaves out; neither writes into the trainer's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit import cli
from crmkit.datasets import load_sample, paths

OWN = "customer,date,amount\n00001,19970101,11.77\n00001,19970301,5.00\n00002,19970105,7.50\n"


@pytest.fixture
def own(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "orders.csv").write_text(OWN, encoding="utf-8")
    monkeypatch.setattr(paths, "CHOICE_FILE", tmp_path / "repo" / ".crmkit" / "data-folder")
    monkeypatch.delenv("CRMKIT_DATA_DIR")  # as on a trainer's machine
    return folder


def test_use_points_the_lessons_at_the_folder_and_back(own, capsys):
    assert paths.data_dir() == paths.SAMPLE_DIR
    assert cli.main(["data", "use", str(own)]) == 0
    out = capsys.readouterr().out
    assert "The lessons now read" in out and "2 customers, 3 orders from 1997-01-01" in out
    assert "note: no customers.csv" in out
    assert paths.data_dir() == own.resolve()
    assert len(load_sample().orders) == 3  # what a lesson's load_sample() now reads
    assert cli.main(["data", "use", "--sample"]) == 0
    assert paths.data_dir() == paths.SAMPLE_DIR
    assert sorted(p.name for p in own.iterdir()) == ["orders.csv"]  # nothing written there


def test_use_refuses_a_folder_that_does_not_load_and_keeps_the_choice(own, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "orders.csv").write_text("customer,date,amount\n00001,yesterday,1\n", "utf-8")
    assert cli.main(["data", "use", str(own)]) == 0
    assert cli.main(["data", "use", str(broken)]) != 0
    assert "orders.csv:2: order_date: 'yesterday'" in capsys.readouterr().err
    assert paths.data_dir() == own.resolve()


def test_an_environment_variable_wins_over_the_choice(own, monkeypatch, tmp_path):
    cli.main(["data", "use", str(own)])
    monkeypatch.setenv("CRMKIT_DATA_DIR", str(tmp_path / "other"))
    assert paths.data_dir() == tmp_path / "other"


def test_check_says_what_the_folder_leaves_out(own, capsys):
    assert cli.main(["data", "check", str(own)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ")
    assert "note: no surveys.csv: no surveys, so satisfaction is unknown" in out
    assert "note: orders.csv: column 'gross_margin' is left out" in out


def test_the_reading_options_are_kept_for_the_lessons(tmp_path, monkeypatch, capsys):
    """A folder with day-first dates: refused until the order is given, then the lessons'
    load_sample() reads it the same way, with nothing written into the folder."""
    folder = tmp_path / "european"
    folder.mkdir()
    (folder / "orders.csv").write_text(
        "Kunde;Datum;Betrag\nK1;31.01.1997;1.286,01\nK2;02.03.1997;12,50\n", encoding="utf-8"
    )
    (folder / "columns.csv").write_text(
        "table,their_column,field\norders,Kunde,customer_id\norders,Datum,order_date\n"
        "orders,Betrag,revenue\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "CHOICE_FILE", tmp_path / "repo" / ".crmkit" / "data-folder")
    monkeypatch.delenv("CRMKIT_DATA_DIR")
    assert cli.main(["data", "check", str(folder)]) != 0
    assert "could be day-first or month-first" in capsys.readouterr().err
    assert cli.main(["data", "use", str(folder), "--date-order", "dmy", "--decimal", ","]) == 0
    data = load_sample()
    assert list(data.orders["order_date"].dt.strftime("%Y-%m-%d")) == ["1997-01-31", "1997-03-02"]
    assert list(data.orders["revenue"]) == [1286.01, 12.5]
    assert sorted(p.name for p in folder.iterdir()) == ["columns.csv", "orders.csv"]
