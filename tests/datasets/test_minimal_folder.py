"""A trainer's folder with nothing but orders (customer, date, amount) loads, and says what
it lacks; real CDNOW data read that way agrees with plain pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmkit import classification as cls
from crmkit.datasets import data_note, load_sample
from crmkit.datasets.schema import table_kinds

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"


def _orders_only(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "orders.csv").write_text(text, encoding="utf-8")
    return folder


def _cdnow(tmp_path: Path):
    """The README's recipe: keep customer, date and amount of CDNOW, no other change;
    (the raw text as pandas reads it, the folder as the lessons load it)."""
    raw = pd.read_csv(CDNOW, sep=r"\s+", dtype=str)
    folder = tmp_path / "cdnow"
    folder.mkdir()
    raw[["customer_id", "date", "dollar_value"]].to_csv(folder / "orders.csv", index=False)
    return raw, load_sample(folder)


def test_a_folder_of_orders_alone_loads_with_every_table_typed(tmp_path):
    folder = _orders_only(
        tmp_path / "mine",
        "客户编号,日期,金额\nA7,20240105,120.50\nA7,20240310,80\nB2,20240201,(15.00)\n",
    )
    data = load_sample(folder)
    sample = load_sample()
    for kind in table_kinds():  # every table there, with the sample's columns and types
        mine, theirs = getattr(data, kind), getattr(sample, kind)
        assert list(mine.columns) == list(theirs.columns), kind
        # an unknown integer or yes/no column is the nullable form of the sample's type
        nullable = {"Int64": "int64", "boolean": "bool"}
        mine_types = [nullable.get(str(d), str(d)) for d in mine.dtypes]
        assert mine_types == [nullable.get(str(d), str(d)) for d in theirs.dtypes], kind
    assert list(data.orders["order_id"]) == ["R2", "R3", "R4"]
    assert list(data.orders["revenue"]) == [120.5, 80.0, -15.0]  # a return counts as negative
    assert data.orders["gross_margin"].isna().all()
    assert list(data.customers["customer_id"]) == ["A7", "B2"]
    assert list(data.customers["join_date"]) == [
        pd.Timestamp("2024-01-05"),
        pd.Timestamp("2024-02-01"),
    ]
    assert data.customers["shop_name"].isna().all()
    assert data.analysis_date == pd.Timestamp("2024-03-10")
    notes = "\n".join(data.notes)
    assert "column '金额' read as 'revenue'" in notes
    assert "column 'gross_margin' is left out: read as unknown: profit" in notes
    assert "no customers.csv: the customers are the 2 ids of the other tables" in notes
    assert "no analysis date (metadata.json): the day of the latest order, 2024-03-10" in notes
    assert "no contacts.csv" in notes and "no surveys.csv" in notes


def test_the_sample_has_nothing_to_say():
    assert load_sample().notes == ()
    assert data_note(load_sample()) == ""


def test_lessons_on_a_trainers_folder_say_whose_data_it_is(tmp_path):
    folder = _orders_only(tmp_path / "mine", "customer,date,amount\nA7,20240105,120.50\n")
    note = data_note(load_sample(folder))
    assert note.startswith("Your own data (mine), not the sample")
    left_out = sum(" left out" in n or n.startswith("no ") for n in load_sample(folder).notes)
    assert left_out >= 10  # margins, discounts, ... and every table but the orders
    assert f"It leaves out {left_out} columns or tables" in note
    assert f"crmkit data check {folder.resolve()}" in note
    # a complete copy of the sample elsewhere is still the trainer's own folder
    import shutil

    from crmkit.datasets import paths

    copy = tmp_path / "copy"
    shutil.copytree(paths.SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("*.md"))
    full = data_note(load_sample(copy))
    assert full.startswith("Your own data (copy)") and "leaves out" not in full


def test_the_trainers_file_is_not_changed(tmp_path):
    text = "customer,date,amount\n00001,19970101,11.77\n"
    folder = _orders_only(tmp_path / "mine", text)
    load_sample(folder)
    assert (folder / "orders.csv").read_text(encoding="utf-8") == text
    assert sorted(p.name for p in folder.iterdir()) == ["orders.csv"]


@pytest.mark.skipif(not CDNOW.is_file(), reason=f"the CDNOW data is not at {CDNOW}")
def test_cdnow_as_a_trainer_would_save_it_agrees_with_plain_pandas(tmp_path):
    raw, data = _cdnow(tmp_path)
    assert (len(data.orders), len(data.customers)) == (69_659, 23_570)
    assert data.analysis_date == pd.Timestamp("1998-06-30")

    # 80/20 and ABC by revenue, against a plain pandas computation of the same rule
    revenue = raw.assign(v=raw["dollar_value"].astype(float)).groupby("customer_id")["v"].sum()
    ranked = revenue.sort_values(ascending=False, kind="mergesort")
    share = ranked.cumsum() / ranked.sum()
    plain_top = int((share < 0.8).sum() + 1) / len(ranked)
    ours = data.orders.groupby("customer_id")["revenue"].sum()
    assert cls.pareto_share(ours, target=0.8) == pytest.approx(plain_top, abs=1 / len(ranked))
    classes = cls.abc_analysis(ours)
    before = share.shift(fill_value=0.0)
    plain = np.where(before < 0.8, "A", np.where(before < 0.95, "B", "C"))
    counts = pd.Series(plain).value_counts().sort_index()
    assert classes["class"].value_counts().sort_index().to_dict() == counts.to_dict()


def test_ids_that_lost_their_leading_zeros_are_named_as_the_likely_cause(tmp_path):
    from crmkit.datasets import load
    from crmkit.errors import DataValidationError

    (tmp_path / "customers.csv").write_text("customer_id\n00042\n00043\n", encoding="utf-8")
    (tmp_path / "orders.csv").write_text(
        "customer_id,order_date,revenue\n42,2024-01-05,10\n00043,2024-01-06,12\n", "utf-8"
    )
    with pytest.raises(DataValidationError) as refused:
        load(tmp_path / "orders.csv", customers=tmp_path / "customers.csv", as_of="2024-12-31")
    assert [str(p) for p in refused.value.problems] == [
        "orders.csv:2: customer_id: unknown customer '42' (not in customers.csv); customers.csv "
        "has '00042': the leading zeros were probably lost in Excel, so format the id column "
        "as text there and save the file again"
    ]


@pytest.mark.skipif(not CDNOW.is_file(), reason=f"the CDNOW data is not at {CDNOW}")
def test_rfm_on_cdnow_agrees_with_plain_pandas(tmp_path):
    raw, data = _cdnow(tmp_path)
    ours = cls.rfm_table(data.orders, data.analysis_date)

    orders = pd.DataFrame(
        {
            "customer": raw["customer_id"],
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollar_value"].astype(float),
        }
    )
    per = orders.groupby("customer").agg(
        last=("date", "max"), n=("date", "size"), m=("amount", "sum")
    )
    recency = (pd.Timestamp("1998-06-30") - per["last"]).dt.days
    assert (ours["recency_days"].sort_index() == recency.sort_index().to_numpy()).all()
    assert (ours["frequency"].sort_index() == per["n"].sort_index().to_numpy()).all()
    assert np.allclose(ours["monetary"].sort_index(), per["m"].sort_index())
    # the R score by the documented rule: rank from the worst (longest recency), 'min' ties
    rank = (-recency).rank(method="min")
    r_score = np.ceil(rank / len(recency) * 5).astype(int)
    assert (ours["r_score"].sort_index().to_numpy() == r_score.sort_index().to_numpy()).all()
