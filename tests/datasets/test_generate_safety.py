"""`crmkit data generate` never overwrites a trainer's files unless told to, and then keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit import cli
from crmkit.datasets.generate import TABLES, generate, write_dataset
from crmkit.datasets.generate.write import check_folder, foreign_files
from crmkit.errors import CrmkitError

OWN = "customer,date,amount\n00001,19970101,12.50\n"  # a trainer's own export


@pytest.fixture(scope="module")
def small():
    return generate(40, 11)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_its_own_folder_is_rewritten_freely(tmp_path, small):
    write_dataset(small, tmp_path, seed=11, customers=40)
    assert foreign_files(tmp_path) == []
    write_dataset(generate(40, 12), tmp_path, seed=12, customers=40)  # a new seed: its own files
    assert not any(p.is_dir() for p in tmp_path.iterdir())  # no backup was needed


def test_a_trainers_folder_is_refused_and_left_as_it_was(tmp_path, small):
    (tmp_path / "orders.csv").write_text(OWN, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises(CrmkitError, match=r"did not write \(notes\.txt, orders\.csv\).*--force"):
        write_dataset(small, tmp_path, seed=11, customers=40)
    assert _snapshot(tmp_path) == before


def test_an_edited_generated_file_counts_as_the_trainers(tmp_path, small):
    write_dataset(small, tmp_path, seed=11, customers=40)
    edited = (tmp_path / "customers.csv").read_bytes() + b"C99999,My own shop\n"
    (tmp_path / "customers.csv").write_bytes(edited)
    assert [p.name for p in foreign_files(tmp_path)] == ["customers.csv"]
    with pytest.raises(CrmkitError, match="customers.csv"):
        check_folder(tmp_path)


def test_force_keeps_a_backup_of_what_it_replaces(tmp_path, small, capsys):
    (tmp_path / "orders.csv").write_text(OWN, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    (tmp_path / "backup-1").mkdir()  # an earlier backup is never touched
    write_dataset(small, tmp_path, seed=11, customers=40, force=True)
    assert (tmp_path / "backup-2" / "orders.csv").read_text(encoding="utf-8") == OWN
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "my notes"  # not replaced
    assert not any((tmp_path / "backup-1").iterdir())
    assert sorted(p.name for p in (tmp_path / "backup-2").iterdir()) == ["orders.csv"]
    assert "backup-2" in capsys.readouterr().out
    assert [p.name for p in foreign_files(tmp_path)] == ["notes.txt"]
    assert {f"{t}.csv" for t in TABLES} <= {p.name for p in tmp_path.iterdir()}


def test_the_command_refuses_without_a_traceback(tmp_path, capsys):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "orders.csv").write_text(OWN, encoding="utf-8")
    code = cli.main(["data", "generate", "--customers", "40", "--out", str(own)])
    err = capsys.readouterr().err
    assert code != 0 and "did not write (orders.csv)" in err and "Traceback" not in err
    assert (own / "orders.csv").read_text(encoding="utf-8") == OWN
    assert [p.name for p in own.iterdir()] == ["orders.csv"]


def test_the_default_is_the_samples_folder_not_the_lessons_folder(tmp_path, monkeypatch):
    """With the lessons pointed at a trainer's folder, generate still writes the sample's."""
    from crmkit.datasets import paths

    own, sample = tmp_path / "mine", tmp_path / "sample"
    own.mkdir()
    (own / "orders.csv").write_text(OWN, encoding="utf-8")
    monkeypatch.setenv("CRMKIT_DATA_DIR", str(own))
    monkeypatch.setattr(paths, "SAMPLE_DIR", sample)
    assert cli.main(["data", "generate", "--customers", "40"]) == 0
    assert (sample / "orders.csv").is_file()
    assert [p.name for p in own.iterdir()] == ["orders.csv"]
