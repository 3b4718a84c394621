"""The complaint record (CO4): checked by the loader's rules, refused field by field, logged
with the next free id under the log's lock, and read back unchanged."""

from __future__ import annotations

import dataclasses
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from crmkit import complaint_log
from crmkit import complaint_record as cr
from crmkit.datasets import paths
from crmkit.datasets.schema import table
from crmkit.errors import DataValidationError

SAMPLE = paths.SAMPLE_DIR / "complaints.csv"


def sample_rows(n: int = 40) -> list[dict[str, str]]:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, nrows=n)
    return frame.to_dict("records")


def new_complaint(**changes: object) -> dict[str, object]:
    """A complaint as the form gives it at receipt: the eight points, customer, channel,
    cause and time, no id and no handling yet."""
    values: dict[str, object] = {
        "customer_id": "C00348",
        "opened_at": "2024-03-05 09:40",
        "channel": "phone",
        "cause": "service",
        "what_happened": "Delivery arrived a day late",
        "how_it_happened": "Route changed without telling the shop",
        "product": "Weekly order",
        "why_disappointed": "Shelves empty on a market day",
        "staff_member": "Driver Zhao Lei",
        "other_causes": "",
        "customer_reasonable": True,
        "desired_resolution": "apology",
        "customer_status": "returning",
    }
    return values | changes


def test_the_record_type_is_the_dictionary_table():
    assert [f.name for f in dataclasses.fields(cr.Complaint)] == table("complaints").field_names
    points = cr.record_points()
    assert sorted(points["point"].unique()) == list(range(1, 9))  # the eight points
    assert set(points.index) <= set(cr.COLUMNS)


def test_sample_complaints_pass_and_come_back_as_the_same_cells():
    for row in sample_rows():
        complaint = cr.check_complaint(row)
        assert complaint.row() == row
        assert isinstance(complaint.customer_reasonable, bool)
        assert isinstance(complaint.opened_at, pd.Timestamp)


def test_a_new_complaint_takes_its_values_at_receipt():
    complaint = cr.check_complaint(new_complaint())
    assert complaint.complaint_id == ""
    assert complaint.first_response_at is None and complaint.resolved_at is None
    assert complaint.reopened is False and complaint.compensation == 0
    assert complaint.resolution_satisfied is None


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"channel": "fax"}, "channel", "not allowed"),
        ({"cause": "weather"}, "cause", "not allowed"),
        ({"what_happened": ""}, "what_happened", "empty but required"),
        ({"staff_member": "  "}, "staff_member", "empty but required"),
        ({"opened_at": "yesterday"}, "opened_at", "not a date"),
        ({"opened_at": "2031-01-01 10:00"}, "opened_at", "after the analysis date"),
        ({"customer_reasonable": "perhaps"}, "customer_reasonable", ""),
        ({"customer_status": "old"}, "customer_status", "not allowed"),
        ({"compensation": -5}, "compensation", "negative"),
        ({"customer_id": "C99999"}, "customer_id", "unknown customer"),
        ({"first_response_at": "2024-03-05 08:00"}, "first_response_at", "before opened_at"),
        ({"resolved_at": "2024-03-01 08:00"}, "resolved_at", "before opened_at"),
        ({"mood": "angry"}, "mood", "not a field"),
    ],
)
def test_a_bad_record_is_refused_with_the_reason_beside_its_field(change, field, says):
    with pytest.raises(cr.ComplaintRefused) as refused:
        cr.check_complaint(
            new_complaint(**change),
            as_of="2025-12-31",
            known_customer_ids={"C00348", "C00091"},
        )
    reasons = refused.value.by_field
    assert list(reasons) == [field], reasons
    assert says in " ".join(reasons[field])
    assert isinstance(refused.value, DataValidationError)  # shown like any data problem


def test_every_wrong_field_is_named_at_once():
    with pytest.raises(cr.ComplaintRefused) as refused:
        cr.check_complaint(new_complaint(channel="fax", product="", desired_resolution="cash"))
    assert set(refused.value.by_field) == {"channel", "product", "desired_resolution"}


def test_logging_gives_the_next_free_id_and_reads_back(tmp_path):
    log = tmp_path / "class_log.csv"
    first = cr.log_complaint(log, new_complaint())
    second = cr.log_complaint(log, new_complaint(customer_id="C00091", channel="email"))
    assert (first.complaint_id, second.complaint_id) == ("Q000001", "Q000002")
    back = cr.read_log(log)
    assert list(back["complaint_id"]) == ["Q000001", "Q000002"]
    assert cr.check_complaint(back.iloc[1].to_dict()) == second
    # a log copied from the sample continues its numbering
    log2 = tmp_path / "copy.csv"
    complaint_log.append_rows(log2, sample_rows(5), cr.COLUMNS)
    assert cr.log_complaint(log2, new_complaint()).complaint_id == "Q000006"


def test_a_refused_or_duplicate_record_writes_nothing(tmp_path):
    log = tmp_path / "complaints.csv"
    with pytest.raises(cr.ComplaintRefused):
        cr.log_complaint(log, new_complaint(channel="fax"))
    assert not log.exists()
    cr.log_complaint(log, new_complaint(complaint_id="Q000010"))
    before = log.read_bytes()
    with pytest.raises(
        cr.ComplaintRefused,
        match=r"complaints.csv:3: complaint_id: .Q000010. is already in the log \(row 2\)",
    ):
        cr.log_complaint(log, new_complaint(complaint_id="Q000010"))
    assert log.read_bytes() == before
    assert cr.log_complaint(log, new_complaint()).complaint_id == "Q000011"


def test_a_damaged_log_is_reported_by_file_row_and_column(tmp_path):
    log = tmp_path / "complaints.csv"
    cr.log_complaint(log, new_complaint())
    text = log.read_text(encoding="utf-8").replace(",phone,", ",telex,")
    log.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"complaints.csv:2: channel: 'telex'"):
        cr.read_log(log)
    assert cr.read_log(tmp_path / "none_yet.csv").empty


def _log_many(log: str, customer: str, count: int) -> None:
    for _ in range(count):
        cr.log_complaint(log, new_complaint(customer_id=customer), timeout=60)


def test_learners_logging_at_once_get_distinct_ids_and_lose_nothing(tmp_path):
    log = tmp_path / "complaints.csv"
    context = multiprocessing.get_context("fork")
    customers = ["C00348", "C00091", "C00001", "C00002"]
    writers = [context.Process(target=_log_many, args=(str(log), c, 10)) for c in customers]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    back = cr.read_log(log)
    assert len(back) == 40 and back["complaint_id"].is_unique
    assert sorted(back["complaint_id"]) == [f"Q{i:06d}" for i in range(1, 41)]
    assert back["customer_id"].value_counts().to_dict() == dict.fromkeys(customers, 10)


def test_the_form_values_of_a_complaint_round_trip(tmp_path: Path):
    complaint = cr.check_complaint(new_complaint(complaint_id="Q000123"))
    assert cr.log_complaint(tmp_path / "c.csv", complaint) == complaint
