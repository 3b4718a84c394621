"""The week's plan in a calendar: times follow the discipline, the CSV and the iCalendar
files parse back (with `icalendar` and with the strict `ical` parser) to the same
contacts, the files keep RFC 5545's form, the same plan gives the same bytes, and an
existing plan is never overwritten by accident."""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd
import pytest
from ical.calendar_stream import IcsCalendarStream

from crmkit import callback_calendar as cc
from crmkit import callback_plan as cp
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError

CREW = ["Chen Jing", "Li Wei", "Wang Fang"]


@pytest.fixture(scope="module")
def plan():
    known = cp.Customers.from_data(load_sample())
    cands, _ = cp.candidates(known)
    crew = cp.team(CREW, [8, 6.5, 4])
    return cp.plan_week(cands, crew, accounts=cp.assign_accounts(cands["customer_id"], crew))


def test_calls_sit_in_the_daily_call_hour_and_visits_in_the_afternoon(plan):
    table = cc.schedule(plan)
    assert len(table) == len(plan.contacts)
    rules = plan.discipline
    week = [plan.week_start + pd.Timedelta(days=d) for d in range(rules.days)]
    assert table["start"].dt.normalize().isin(week).all()
    calls = table[table["kind"].eq("call")]
    start = calls["start"].dt.normalize() + pd.Timedelta(hours=10)
    assert (calls["start"] >= start).all()
    assert (calls["end"] <= start + pd.Timedelta(minutes=rules.call_block_minutes)).all()
    visits = table[table["kind"].eq("visit")]
    assert len(visits) and (visits["start"].dt.hour >= 14).all()
    for _, mine in table.groupby("manager"):  # no two contacts of a manager overlap
        mine = mine.sort_values("start")
        assert (mine["start"].iloc[1:].to_numpy() >= mine["end"].iloc[:-1].to_numpy()).all()
    # within a day's call hour, the more valuable call comes first
    for _, day in calls.groupby(["manager", calls["start"].dt.date]):
        assert day.sort_values("start")["value"].is_monotonic_decreasing


def test_the_files_parse_back_to_the_same_contacts(plan, tmp_path):
    paths = cc.write_plan(plan, tmp_path)
    assert sorted(p.name for p in paths) == [
        "chen-jing.ics",
        "li-wei.ics",
        "plan.csv",
        "wang-fang.ics",
    ]
    listed = pd.read_csv(tmp_path / "plan.csv", dtype={"customer_id": str})
    assert list(listed.columns) == list(cc.SCHEDULE_COLUMNS)
    assert sorted(listed["customer_id"]) == sorted(plan.contacts["customer_id"])
    for manager in CREW:
        raw = (tmp_path / f"{cc.slug(manager)}.ics").read_bytes()
        mine = plan.contacts[plan.contacts["manager"].eq(manager)]
        parsed = icalendar.Calendar.from_ical(raw)
        events = list(parsed.walk("VEVENT"))
        assert len(events) == len(mine)
        uids = [str(e["UID"]) for e in events]
        assert len(set(uids)) == len(uids)
        assert {u.split("-")[-1].split("@")[0] for u in uids} == set(mine["customer_id"])
        assert all(e.decoded("DTSTAMP") == dt.datetime(2025, 12, 31, tzinfo=dt.UTC) for e in events)
        strict = IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
        assert len(strict.events) == len(mine)
        assert str(strict.prodid) == cc.PRODID and str(strict.version) == "2.0"
        first = mine.iloc[0]
        titled = [e for e in strict.events if first["shop_name"] in e.summary]
        assert titled and first["reason"] in titled[0].summary
        assert first["script"][:30] in titled[0].description


def test_the_calendar_files_keep_rfc_5545_form(plan, tmp_path):
    cc.write_plan(plan, tmp_path)
    raw = (tmp_path / "chen-jing.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets (§3.1)
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    text = raw.decode("utf-8")
    for needed in ("VERSION:2.0", "PRODID:", "BEGIN:VEVENT", "DTSTAMP:", "UID:", "DTSTART:"):
        assert needed in text


def test_the_same_plan_gives_the_same_bytes(plan, tmp_path):
    cc.write_plan(plan, tmp_path / "a")
    cc.write_plan(plan, tmp_path / "b")
    for name in ("plan.csv", "li-wei.ics"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_existing_plan_is_kept_unless_told_to_overwrite(plan, tmp_path):
    (tmp_path / "li-wei.ics").write_text("my own calendar", encoding="utf-8")
    with pytest.raises(CrmkitError, match=r"li-wei.ics already exist; nothing was written"):
        cc.write_plan(plan, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["li-wei.ics"]
    assert (tmp_path / "li-wei.ics").read_text(encoding="utf-8") == "my own calendar"
    cc.write_plan(plan, tmp_path, overwrite=True)
    assert (tmp_path / "li-wei.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan-")]


def test_a_manager_outside_the_team_is_named(plan):
    with pytest.raises(CrmkitError, match="'Zhou Min' is not in this plan's team"):
        cc.calendar(plan, "Zhou Min")
