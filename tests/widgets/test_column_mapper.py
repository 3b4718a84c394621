"""The column mapper: a trainer picks which column is which, and columns.csv is written."""

from __future__ import annotations

import pytest

from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError
from crmkit.widgets import ColumnMapper
from crmkit.widgets.columns import NOT_THERE

EXPORT = "Kunde,Buchungstag,Umsatz,日期\nK1,2024-01-05,10.5,x\nK2,2024-02-01,7,y\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "orders.csv").write_text(EXPORT, encoding="utf-8")
    return tmp_path


def test_it_starts_from_what_the_loader_would_read(folder):
    mapper = ColumnMapper(folder)
    assert mapper.choice["order_date"] == "日期"  # a usual Chinese name, found alone
    assert mapper.choice["customer_id"] is None and mapper.choice["revenue"] is None
    shown = mapper.table().set_index("field")
    assert shown.loc["order_date", "found by"] == "a usual name"
    assert shown.loc["revenue", "if it is not there"] == "the file cannot be read"
    assert shown.loc["gross_margin", "their column"] == NOT_THERE


def test_the_choices_are_saved_and_then_the_folder_loads(folder):
    mapper = ColumnMapper(folder)
    mapper.widget()  # the dropdowns build without a kernel
    mapper.choice |= {"customer_id": "Kunde", "order_date": "Buchungstag", "revenue": "Umsatz"}
    assert mapper.mappings() == {
        "orders": {"Kunde": "customer_id", "Buchungstag": "order_date", "Umsatz": "revenue"}
    }
    mapper.save()
    data = load_sample(folder)
    assert list(data.orders["revenue"]) == [10.5, 7.0]
    assert list(data.orders["customer_id"]) == ["K1", "K2"]
    assert (folder / "orders.csv").read_text(encoding="utf-8") == EXPORT  # theirs, unchanged
    with pytest.raises(CrmkitError, match="already exists"):
        mapper.save()  # a second save needs replace=True
    again = ColumnMapper(folder)  # reads the saved mapping back
    assert again.choice["revenue"] == "Umsatz"
    assert again.table().set_index("field").loc["revenue", "found by"] == "columns.csv"
