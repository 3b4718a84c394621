"""The call-back plan in a manager's week: times, a CSV list and one calendar file each.

`schedule` gives every contact of a `callback_plan.Plan` a day and a time, following the
sales discipline (MA5): calls in the fixed hour from `Discipline.start` each working day,
one after another, the most valuable first; visits in the afternoon from `visit_start`,
spread over the days. `write_plan` saves the prepared list as a CSV and one iCalendar file
(RFC 5545, made with the `icalendar` package) per manager, to import into any calendar.

Times are "floating" local times (RFC 5545 §3.3.5): 10:00 means 10:00 wherever the
manager's calendar is, which is what a call hour means. Every stamp comes from the data
(the analysis date), never the clock, so the same plan gives the same files byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import icalendar
import numpy as np
import pandas as pd

from crmkit.callback_plan import Plan
from crmkit.errors import CrmkitError

#: The calendar files' product id (RFC 5545 §3.7.3).
PRODID = "-//crmkit workbook//call-back plan//EN"
#: Columns of the scheduled plan and of its CSV, in order.
SCHEDULE_COLUMNS = (
    "manager",
    "day",
    "start",
    "end",
    "customer_id",
    "shop_name",
    "kind",
    "reason",
    "minutes",
    "value",
    "tier",
    "script",
)


def schedule(plan: Plan) -> pd.DataFrame:
    """Each contact with its day, start and end (SCHEDULE_COLUMNS), per manager in time order.

    Calls are shared over the days' call hours (longest first, each into the first day
    with room), then each day's run most valuable first; a call that fits no day's hour
    (possible only with odd call lengths) goes after the hour on the day with most room.
    Visits go one per day in turn, from `visit_start`, a second one on a day following the
    first.
    """
    if plan.week_start is None:
        raise CrmkitError("this plan has no week; make it with callback_plan.candidates")
    rules = plan.discipline
    contacts = plan.contacts.reset_index(drop=True)
    minutes = contacts["minutes"].to_numpy(dtype=float)
    day = np.zeros(len(contacts), dtype=int)
    offset = np.zeros(len(contacts))  # minutes after the day's start of calls or visits
    is_call = contacts["kind"].eq("call").to_numpy()
    for _, rows in contacts.groupby("manager", sort=False).indices.items():
        calls = rows[is_call[rows]]  # the plan lists each manager's contacts by value
        # days by first-fit decreasing (longest calls first: with lengths of 5, 10 and 15
        # minutes in an hour this always fits what the plan allowed)
        room = np.full(rules.days, float(rules.call_block_minutes))
        for i in calls[np.argsort(-minutes[calls], kind="stable")]:
            fits = np.flatnonzero(room >= minutes[i])
            day[i] = fits[0] if len(fits) else int(np.argmax(room))
            room[day[i]] -= minutes[i]
        used = np.zeros(rules.days)
        for i in calls:  # each day's calls in order of value
            offset[i] = used[day[i]]
            used[day[i]] += minutes[i]
        booked = np.zeros(rules.days)
        for j, i in enumerate(rows[~is_call[rows]]):
            day[i] = j % rules.days
            offset[i] = booked[day[i]]
            booked[day[i]] += minutes[i]
    first = dt.time.fromisoformat(rules.start)
    later = dt.time.fromisoformat(rules.visit_start)
    clock = np.where(
        is_call, first.hour * 60 + first.minute, later.hour * 60 + later.minute
    ).astype(float)
    dates = plan.week_start + pd.to_timedelta(day, unit="D")
    begin = dates + pd.to_timedelta(clock + offset, unit="m")
    out = contacts[list(SCHEDULE_COLUMNS[4:])].copy()
    out.insert(0, "end", begin + pd.to_timedelta(minutes, unit="m"))
    out.insert(0, "start", begin)
    out.insert(0, "day", dates.strftime("%a %Y-%m-%d"))
    out.insert(0, "manager", contacts["manager"].to_numpy())
    order = {m: k for k, m in enumerate(plan.budgets.index)}
    out["_m"] = out["manager"].map(order)
    out = out.sort_values(["_m", "start", "customer_id"], kind="stable").drop(columns="_m")
    return out.reset_index(drop=True)


def slug(name: str) -> str:
    """A file-name-safe form of a manager's name ("Chen Jing" -> "chen-jing")."""
    text = re.sub(r"[^0-9a-z]+", "-", str(name).lower()).strip("-")
    return text or "manager"


def calendar(plan: Plan, manager: str, scheduled: pd.DataFrame | None = None) -> icalendar.Calendar:
    """One manager's week as an iCalendar (VCALENDAR with one VEVENT per contact): the
    summary names the shop and the reason, the description carries the script line."""
    if manager not in plan.budgets.index:
        raise CrmkitError(f"{manager!r} is not in this plan's team: {list(plan.budgets.index)}")
    scheduled = schedule(plan) if scheduled is None else scheduled
    mine = scheduled[scheduled["manager"].eq(manager)]
    stamp = pd.Timestamp(plan.as_of or plan.week_start).normalize().to_pydatetime()
    stamp = stamp.replace(tzinfo=dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Call-backs of {manager}, week of {plan.week_start:%Y-%m-%d}")
    for _, row in mine.iterrows():
        event = icalendar.Event()
        event.add("uid", f"{plan.week_start:%Y%m%d}-{slug(manager)}-{row['customer_id']}@crmkit")
        event.add("dtstamp", stamp)
        event.add("dtstart", row["start"].to_pydatetime())
        event.add("dtend", row["end"].to_pydatetime())
        verb = "Visit" if row["kind"] == "visit" else "Call"
        event.add("summary", f"{verb} {row['shop_name']}: {row['reason']}")
        event.add(
            "description",
            f"{row['script']}\n\nCustomer {row['customer_id']}, tier {row['tier']}; "
            f"value of this contact {row['value']:.2f}; {int(row['minutes'])} minutes.",
        )
        event.add("categories", [str(row["reason"])])
        if row["kind"] == "visit":
            event.add("location", str(row["shop_name"]))
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal


def write_plan(plan: Plan, folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Save the week: `plan.csv` (every manager's list, in time order) and one
    `<manager>.ics` per manager, in `folder`. Existing files are kept unless `overwrite`;
    the files are written to a scratch folder first and moved in together, so a failure
    never leaves half a plan. Returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scheduled = schedule(plan)
    names = {"plan.csv": None} | {f"{slug(m)}.ics": m for m in plan.budgets.index}
    if len(names) != len(plan.budgets) + 1:
        raise CrmkitError("two managers' names give the same file name; make them differ")
    targets = [folder / n for n in names]
    clash = [t.name for t in targets if t.exists()]
    if clash and not overwrite:
        raise CrmkitError(
            f"{folder}: {', '.join(clash)} already exist; nothing was written. "
            "Choose another folder, or pass overwrite=True to replace them."
        )
    with tempfile.TemporaryDirectory(dir=folder, prefix=".plan-") as scratch:
        for name, manager in names.items():
            path = Path(scratch) / name
            if manager is None:
                table = scheduled.assign(
                    start=scheduled["start"].dt.strftime("%Y-%m-%d %H:%M"),
                    end=scheduled["end"].dt.strftime("%Y-%m-%d %H:%M"),
                    value=scheduled["value"].round(3),
                )
                table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
            else:
                path.write_bytes(calendar(plan, manager, scheduled).to_ical())
        for name in names:
            (Path(scratch) / name).replace(folder / name)
    return targets
