"""Triage of complaints: severity and priority from the record and the customer's tier,
a response target per priority, and how each complaint was handled against its targets.

ISO 10002 asks a firm to assess every complaint on receipt (initial assessment) and to
set how fast it answers; it leaves the rule to the firm. The workbook's own rule, kept in
content files a trainer can edit:

- severity from what the customer asks for (`complaint_severity.csv`): money or goods at
  stake (refund, replacement, repair) is high, part of the price (discount) medium, and
  being heard (apology, explanation) low;
- priority from severity and the customer's tier on the day (`complaint_priorities.csv`):
  a top-tier customer's complaint is answered sooner, but a high-severity complaint is
  never below P2, whoever makes it;
- a target per priority (`complaint_targets.csv`): hours to the first response and to the
  resolution.

`triage` adds to each complaint its tier, severity, priority, targets, the hours it took,
whether each target was met, and whether someone followed it up: the one table every
complaint KPI and chart of the lesson is computed from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.customer_base import need
from crmkit.errors import CrmkitError, MissingData
from crmkit.tiers import tiers_at

SEVERITIES = ("high", "medium", "low")
PRIORITIES = ("P1", "P2", "P3", "P4")
#: First-contact resolution, as the data can show it: resolved within this many hours of
#: the first response and never reopened (the data records no count of contacts).
FCR_HOURS = 8
#: A complaint counts as followed up when a complaint follow-up contact with the customer
#: falls within this many days after its first response.
FOLLOW_UP_DAYS = 14


def severity_rules() -> pd.DataFrame:
    """The severity of each desired resolution, with why (indexed by desired_resolution)."""
    return content.table("complaint_severity")


def priority_matrix(scheme_tiers: list[str] | None = None) -> pd.DataFrame:
    """Priority by severity (rows) and tier (columns, best first, then "no tier yet")."""
    table = content.table("complaint_priorities")
    matrix = table.pivot(index="severity", columns="tier_position", values="priority")
    matrix = matrix.reindex(index=list(SEVERITIES))
    if scheme_tiers is not None:
        matrix.columns = list(scheme_tiers)
    matrix.columns.name = "tier"
    return matrix


def targets() -> pd.DataFrame:
    """Hours to the first response and to the resolution, per priority."""
    return content.table("complaint_targets")


def severity(desired_resolution: pd.Series) -> pd.Series:
    """Each complaint's severity from how the customer wants it resolved."""
    rules = severity_rules()["severity"]
    found = pd.Series(desired_resolution).astype(object).map(rules)
    if found.isna().any():
        bad = sorted(set(pd.Series(desired_resolution)[found.isna()].astype(str)))
        raise CrmkitError(
            f"no severity rule for the desired resolution {bad}; "
            f"complaint_severity.csv names {list(rules.index)}"
        )
    return pd.Series(
        pd.Categorical(found, categories=SEVERITIES, ordered=True),
        index=found.index,
        name="severity",
    )


def priority(severities: pd.Series, tiers: pd.Series) -> pd.Series:
    """Each complaint's priority from its severity and the customer's tier (an ordered
    categorical, best first, as `tiers.tiers_at` gives)."""
    position = pd.Series(tiers).cat.codes.to_numpy() + 1
    if (position < 1).any():
        raise CrmkitError("every complaint needs a tier to be given a priority")
    lookup = _priorities()
    sev = pd.Series(severities).astype(str).to_numpy()
    found = [lookup.get((s, int(t))) for s, t in zip(sev, position, strict=True)]
    if any(p is None for p in found):
        raise CrmkitError("complaint_priorities.csv lacks a priority for some severity and tier")
    return pd.Series(
        pd.Categorical(found, categories=PRIORITIES, ordered=True),
        index=pd.Series(severities).index,
        name="priority",
    )


def triage(data, *, fcr_hours: float = FCR_HOURS) -> pd.DataFrame:
    """Every complaint of `data` triaged and measured against its targets, one row each.

    Columns: the complaint's id, customer, opened_at, month, channel, cause,
    desired_resolution, customer_reasonable; tier (on the day it was opened), severity,
    priority, respond_target_h and resolve_target_h; response_hours and resolution_hours
    (empty while not answered or not resolved); responded_in_time and resolved_in_time
    (True, False, or empty while the clock still runs: an open complaint past its target
    has already missed it); first_contact_resolution (see FCR_HOURS); reopened,
    satisfied (empty if not asked), compensation; followed_up (see FOLLOW_UP_DAYS).
    """
    complaints = data.complaints
    need(complaints, "complaints", ["complaint_id", "customer_id", "opened_at"])
    if complaints.empty:
        raise MissingData(
            "this part reads the complaints (complaints.csv), and this data holds none"
        )
    as_of = pd.Timestamp(data.analysis_date)
    out = complaints[
        [
            "complaint_id",
            "customer_id",
            "opened_at",
            "channel",
            "cause",
            "desired_resolution",
            "customer_reasonable",
        ]
    ].reset_index(drop=True)
    out["month"] = out["opened_at"].dt.to_period("M").astype(str)
    out["tier"] = tiers_at(data, out["customer_id"], out["opened_at"]).array
    out["severity"] = severity(out["desired_resolution"]).array
    out["priority"] = priority(out["severity"], out["tier"]).array
    goals = targets()
    code = out["priority"].astype(str)
    out["respond_target_h"] = code.map(goals["respond_within_hours"]).astype(float)
    out["resolve_target_h"] = code.map(goals["resolve_within_hours"]).astype(float)
    opened = complaints["opened_at"].reset_index(drop=True)
    answered = complaints["first_response_at"].reset_index(drop=True)
    resolved = complaints["resolved_at"].reset_index(drop=True)
    out["response_hours"] = _hours(answered - opened)
    out["resolution_hours"] = _hours(resolved - opened)
    age = _hours(as_of - opened)
    out["responded_in_time"] = _in_time(out["response_hours"], age, out["respond_target_h"])
    out["resolved_in_time"] = _in_time(out["resolution_hours"], age, out["resolve_target_h"])
    reopened = complaints["reopened"].reset_index(drop=True).astype("boolean")
    after_answer = _hours(resolved - answered)
    fcr = (after_answer <= fcr_hours) & ~reopened
    out["first_contact_resolution"] = fcr.where(resolved.notna().to_numpy(), pd.NA)
    out["reopened"] = reopened
    out["satisfied"] = complaints["resolution_satisfied"].reset_index(drop=True).astype("boolean")
    out["compensation"] = complaints["compensation"].reset_index(drop=True)
    out["followed_up"] = _followed_up(data, out["customer_id"], answered)
    return out


def triage_one(severity_of: str, tier_position: int) -> pd.Series:
    """The priority and targets for one complaint (a severity and a tier position, 1 =
    best tier, 5 = no tier yet): what the form shows when a complaint is logged."""
    code = _priorities().get((severity_of, int(tier_position)))
    if code is None:
        raise CrmkitError(f"no priority for severity {severity_of!r} and tier {tier_position}")
    goals = targets().loc[code]
    return pd.Series(
        {
            "priority": code,
            "respond_within_hours": int(goals["respond_within_hours"]),
            "resolve_within_hours": int(goals["resolve_within_hours"]),
            "meaning": goals["meaning"],
        }
    )


def _priorities() -> dict[tuple[str, int], str]:
    """(severity, tier position) -> priority, from complaint_priorities.csv."""
    table = content.table("complaint_priorities")
    return {(s, int(t)): p for s, t, p in table.itertuples(index=False)}


def _hours(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 3600.0


def _in_time(taken: pd.Series, age: pd.Series, target: pd.Series) -> pd.Series:
    """True if done within target; False if done late, or not done and already past it;
    empty if not done and the target has not passed yet."""
    done = taken.notna()
    met = pd.Series(pd.NA, index=taken.index, dtype="boolean")
    met[done] = (taken[done] <= target[done]).to_numpy()
    met[~done & (age > target)] = False
    return met


def _followed_up(data, customer_ids: pd.Series, answered: pd.Series) -> pd.Series:
    """Whether a complaint follow-up contact reached the customer within FOLLOW_UP_DAYS
    of the first response (False when there is no contacts table with purposes)."""
    contacts = data.contacts
    if contacts.empty or "purpose" not in contacts or contacts["purpose"].isna().all():
        return pd.Series(False, index=customer_ids.index)
    follow = contacts.loc[
        contacts["purpose"] == "complaint_follow_up", ["customer_id", "contact_date"]
    ]
    day = answered.dt.normalize()
    found = np.zeros(len(customer_ids), dtype=bool)
    frame = pd.DataFrame({"customer_id": customer_ids, "day": day, "row": np.arange(len(day))})
    pairs = frame.dropna(subset=["day"]).merge(follow, on="customer_id")
    gap = (pairs["contact_date"] - pairs["day"]).dt.days
    hit = pairs.loc[(gap >= 0) & (gap <= FOLLOW_UP_DAYS), "row"].to_numpy()
    found[hit] = True
    return pd.Series(found, index=customer_ids.index)
