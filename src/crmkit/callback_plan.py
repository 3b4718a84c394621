"""The call-back plan (回访计划): a week of account managers' contact time, given where it
does most good (MA1 to MA5).

Seed 004 asks for regular contact (MA3: holiday greetings, birthdays, visits to important
customers, learning new needs) and for time given by value (MA2), with a sales discipline
(MA5: a fixed hour a day, short calls, a prepared list). Here that becomes one small
optimisation, in three steps:

1. `candidates`: every customer due a contact this week, with one reason (the first that
   applies in `REASON_ORDER`), its script line, its length in minutes and its value: a
   weighted sum of tier, lifecycle stage, the chance the customer has gone and an open
   complaint (`Weights`; every weight and rule is the workbook's own, and a setting).
   Customers who are probably gone, or were spoken to in the last days, are left out with
   the reason why.
2. `plan_week`: which manager calls whom, maximising the value covered within each
   manager's hours, as a mixed-integer program solved by HiGHS (`scipy.optimize.milp`).
   A customer stays with the manager who has the account (`accounts`) unless
   `keep_accounts=False`; customers with no manager yet may go to anyone.
3. `greedy_week`: the rule a manager uses by hand (most valuable first, while time is
   left), for comparison: what the optimum gains over it.

The calendar (`crmkit.callback_calendar`) turns a plan into times, a CSV and one
iCalendar file per manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from crmkit import content
from crmkit.customer_base import need
from crmkit.errors import CrmkitError, MissingData

#: The reasons for a contact, most pressing first: a customer gets the first that applies.
REASON_ORDER = (
    "complaint follow-up",
    "visit an important customer",
    "learn new needs",
    "holiday greeting",
    "anniversary",
)
#: Points of each tier and lifecycle stage in a contact's value (0 to 1; the workbook's own).
TIER_POINTS = {"VIP": 1.0, "major": 0.7, "ordinary": 0.4, "small": 0.2, "no tier yet": 0.1}
STAGE_POINTS = {"decline": 1.0, "formation": 0.7, "exploration": 0.6, "stability": 0.4}
#: The tiers whose customers are visited in person ("important customers", MA3).
IMPORTANT_TIERS = ("VIP", "major")
#: Columns of a candidates table, in order.
CANDIDATE_COLUMNS = (
    "customer_id",
    "shop_name",
    "tier",
    "stage",
    "p_alive",
    "open_complaint",
    "reason",
    "kind",
    "minutes",
    "value",
    "script",
)


@dataclass(frozen=True)
class Discipline:
    """The sales discipline of seed 004 (MA5) as planner settings.

    A fixed hour a day for calls (`call_block_minutes` from `start`, on `days` working days
    from Monday; a manager's hours beyond it go to visits); short calls
    (`call_minutes`, `greeting_minutes`, `complaint_minutes`) beside longer visits
    (`visit_minutes`, travel included, from `visit_start`); no second contact within
    `cool_off_days`; contact rhythms (`visit_every_days`, `needs_every_days`); and
    persistence: a young relationship stays on the list for new needs until it has had
    `persist_calls` such contacts, since most sales close only after the fifth call (seed
    004). Customers whose chance of still buying is below `min_alive` are left to a win-back
    campaign rather than a call.
    """

    start: str = "10:00"
    days: int = 5
    call_block_minutes: int = 60
    visit_start: str = "14:00"
    call_minutes: int = 10
    greeting_minutes: int = 5
    complaint_minutes: int = 15
    visit_minutes: int = 90
    cool_off_days: int = 7
    visit_every_days: int = 90
    needs_every_days: int = 180
    persist_calls: int = 5
    greeting_ahead_days: int = 14
    min_alive: float = 0.1

    def __post_init__(self) -> None:
        for name in ("start", "visit_start"):
            try:
                dt.time.fromisoformat(getattr(self, name))
            except (TypeError, ValueError):
                raise CrmkitError(
                    f"{name} is a time of day such as '10:00'; got {getattr(self, name)!r}"
                ) from None
        text = ("start", "visit_start", "min_alive")
        whole = {k: v for k, v in vars(self).items() if k not in text}
        for name, value in whole.items():
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise CrmkitError(f"{name} must be a whole number >= 1; got {value!r}")
        if self.days > 7:
            raise CrmkitError(
                f"days is the number of working days in a week (1 to 7); got {self.days}"
            )
        if not 0 <= self.min_alive < 1:
            raise CrmkitError(
                f"min_alive is a probability from 0 to below 1; got {self.min_alive!r}"
            )

    def minutes(self, reason: str) -> int:
        """How long a contact for `reason` takes."""
        if reason == "visit an important customer":
            return self.visit_minutes
        if reason == "complaint follow-up":
            return self.complaint_minutes
        if reason in ("holiday greeting", "anniversary"):
            return self.greeting_minutes
        return self.call_minutes


@dataclass(frozen=True)
class Weights:
    """How much each part counts in a contact's value: the customer's tier, their
    lifecycle stage, the risk they have gone (1 − P(alive)) and an open complaint."""

    tier: float = 4.0
    stage: float = 2.0
    risk: float = 2.0
    complaint: float = 3.0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not np.isfinite(float(value)) or float(value) < 0:
                raise CrmkitError(f"the weight of {name} is a number >= 0; got {value!r}")


def reasons() -> pd.DataFrame:
    """The reasons for a contact with their Chinese names, kind and script line (a content
    file a trainer can edit), in the order they are tried."""
    table = content.table("call_reasons")
    if set(table.index) != set(REASON_ORDER):
        raise CrmkitError(f"call_reasons.csv must list exactly the reasons {list(REASON_ORDER)}")
    effect = pd.to_numeric(table["effect"], errors="coerce")
    if effect.isna().any() or (effect < 0).any() or (effect > 1).any():
        raise CrmkitError("call_reasons.csv: each reason's effect is a number from 0 to 1")
    return table.assign(effect=effect).loc[list(REASON_ORDER)]


#: The country whose public holidays bring greeting calls (the `holidays` package's code).
COUNTRY = "CN"


def holidays(years) -> pd.DataFrame:
    """The holidays that bring a greeting call, with their first day in each of `years`:
    which holidays, and their Chinese names, come from a content file; the dates from the
    `holidays` package, which computes the lunar festivals for any year."""
    import holidays as calendars

    wanted = content.table("holidays")
    years = sorted({int(y) for y in years})
    days = calendars.country_holidays(COUNTRY, years=years, language="en_US")
    found = pd.DataFrame({"date": pd.to_datetime(list(days.keys())), "name": list(days.values())})
    rows = []
    for holiday, row in wanted.iterrows():
        mine = found[found["name"].eq(row["calendar_name"])]
        for _, first in mine.groupby(mine["date"].dt.year)["date"].min().items():
            rows.append({"holiday": holiday, "chinese": row["chinese"], "date": first})
    table = pd.DataFrame(rows, columns=["holiday", "chinese", "date"])
    return table.sort_values(["date", "holiday"], kind="stable").reset_index(drop=True)


def week_before(holiday: str, as_of) -> pd.Timestamp:
    """The Monday of the week before the week of the next `holiday` that a plan from the
    data can still prepare (at least a week after the first week it covers): the week its
    greetings are made."""
    start = first_week(as_of)
    table = holidays(range(start.year, start.year + 2))
    if holiday not in set(content.table("holidays").index):
        known = ", ".join(content.table("holidays").index)
        raise CrmkitError(f"no holiday {holiday!r} in holidays.csv (known: {known})")
    dates = table.loc[
        table["holiday"].eq(holiday) & (table["date"] >= start + pd.Timedelta(days=7)), "date"
    ]
    if dates.empty:
        raise MissingData(f"the calendar gives no {holiday} in the two years from {start:%Y}")
    day = dates.min()
    return day - pd.Timedelta(days=day.weekday() + 7)


def first_week(analysis_date) -> pd.Timestamp:
    """The Monday after the analysis date: the first week a plan made from the data covers."""
    day = pd.Timestamp(analysis_date).normalize()
    return day + pd.Timedelta(days=7 - day.weekday())


@dataclass(frozen=True)
class Customers:
    """What the planner knows of each customer on the planning day, one row per customer
    (index customer_id): shop_name, tier, stage, p_alive, join_date; and the dated
    contacts and complaints it reads for due dates. `from_data` builds it from a dataset."""

    table: pd.DataFrame
    contacts: pd.DataFrame
    complaints: pd.DataFrame
    as_of: pd.Timestamp

    @classmethod
    def from_data(cls, data, *, p_alive: pd.Series | None = None) -> Customers:
        """Tier (profit over the 12 months before the analysis date), lifecycle stage in the
        last month, and P(alive) from BG/NBD fitted to all orders (or `p_alive` if given)."""
        from crmkit import alive, lifecycle, tiers

        for name in ("customers", "orders"):
            if getattr(data, name, None) is None or getattr(data, name).empty:
                raise MissingData(f"the call-back plan needs the {name} ({name}.csv)")
        ids = data.customers["customer_id"].astype(str)
        as_of = pd.Timestamp(data.analysis_date)
        tier = tiers.tiers_at(data, ids, pd.Series(as_of, index=ids.index))
        stages = lifecycle.detect_stages(data)
        last = stages.sort_values("month").groupby("customer_id", observed=True).tail(1)
        stage = last.set_index("customer_id")["stage"].astype(str)
        if p_alive is None:
            md = alive.model_data(data, holdout_months=0)
            fits = alive.fit_models(md.summary)
            p_alive = alive.probability_alive(fits.transactions("BG/NBD"), md.summary)
        table = pd.DataFrame(
            {
                "shop_name": data.customers["shop_name"].astype(str).to_numpy(),
                "tier": tier.astype(str).to_numpy(),
                "join_date": pd.to_datetime(data.customers["join_date"]).to_numpy(),
            },
            index=pd.Index(ids, name="customer_id"),
        )
        table["stage"] = stage.reindex(table.index).fillna("ended")
        table["p_alive"] = pd.Series(p_alive, dtype=float).reindex(table.index).fillna(0.0)
        contacts = getattr(data, "contacts", None)
        complaints = getattr(data, "complaints", None)
        return cls(
            table,
            _contacts(contacts),
            _complaints(complaints),
            as_of,
        )


def _contacts(contacts: pd.DataFrame | None) -> pd.DataFrame:
    if contacts is None or contacts.empty:
        return pd.DataFrame(
            {
                "customer_id": pd.Series(dtype=str),
                "contact_date": pd.Series(dtype="datetime64[ns]"),
                "contact_type": pd.Series(dtype=str),
                "purpose": pd.Series(dtype=str),
            }
        )
    need(contacts, "contacts", ["customer_id", "contact_date", "contact_type", "purpose"])
    return contacts.assign(
        customer_id=contacts["customer_id"].astype(str),
        contact_date=pd.to_datetime(contacts["contact_date"]),
    )


def _complaints(complaints: pd.DataFrame | None) -> pd.DataFrame:
    if complaints is None or complaints.empty:
        return pd.DataFrame(
            {
                "customer_id": pd.Series(dtype=str),
                "opened_at": pd.Series(dtype="datetime64[ns]"),
                "resolved_at": pd.Series(dtype="datetime64[ns]"),
            }
        )
    need(complaints, "complaints", ["customer_id", "opened_at", "resolved_at"])
    return complaints.assign(
        customer_id=complaints["customer_id"].astype(str),
        opened_at=pd.to_datetime(complaints["opened_at"]),
        resolved_at=pd.to_datetime(complaints["resolved_at"]),
    )


def _last(contacts: pd.DataFrame, mask, ids: pd.Index) -> pd.Series:
    """Each customer's last contact date among the rows `mask` selects (NaT if none)."""
    return contacts[mask].groupby("customer_id")["contact_date"].max().reindex(ids)


def candidates(
    known: Customers,
    week_start=None,
    *,
    discipline: Discipline | None = None,
    weights: Weights | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The customers due a contact in the week from `week_start` (default: the Monday after
    the analysis date), and those left out before planning, each with the reason why.

    Returns (candidates, left_out): candidates has CANDIDATE_COLUMNS, most valuable first;
    left_out has customer_id, shop_name, why. Ended relationships are not listed at all.
    """
    rules = discipline or Discipline()
    weights = weights or Weights()
    week = first_week(known.as_of) if week_start is None else pd.Timestamp(week_start).normalize()
    if week <= known.as_of.normalize():
        raise CrmkitError(
            f"the week to plan must start after the analysis date {known.as_of:%Y-%m-%d}; "
            f"got {week:%Y-%m-%d}"
        )
    t = known.table
    ids = t.index
    live = t["stage"].ne("ended")
    contacts = known.contacts
    last_any = _last(contacts, np.ones(len(contacts), dtype=bool), ids)
    last_visit = _last(contacts, contacts["contact_type"].eq("visit"), ids)
    needs_mask = contacts["purpose"].isin(["new_needs", "sales"])
    last_needs = _last(contacts, needs_mask, ids)
    recent = contacts["contact_date"] > known.as_of - pd.Timedelta(days=rules.needs_every_days)
    needs_calls = (
        contacts[needs_mask & recent].groupby("customer_id").size().reindex(ids, fill_value=0)
    )
    follow_ups = contacts[contacts["purpose"].eq("complaint_follow_up")]

    # complaint follow-up: open, or resolved in the last two weeks with no follow-up since
    c = known.complaints
    open_now = c["resolved_at"].isna()
    fresh = c["resolved_at"] > known.as_of - pd.Timedelta(days=14)
    followed = pd.Series(False, index=c.index)
    if len(c) and len(follow_ups):
        merged = (
            c[["customer_id", "resolved_at"]]
            .reset_index()
            .merge(follow_ups[["customer_id", "contact_date"]], on="customer_id")
        )
        hit = merged[merged["contact_date"] >= merged["resolved_at"].dt.normalize()]
        followed.loc[hit["index"].unique()] = True
    complaint_due = (
        c[open_now | (fresh & ~followed)].groupby("customer_id").size().reindex(ids, fill_value=0)
        > 0
    )

    def older_than(last: pd.Series, days: int) -> pd.Series:
        return last.isna() | (last <= week - pd.Timedelta(days=days))

    young = t["stage"].isin(["exploration", "formation"]) & (needs_calls < rules.persist_calls)
    week_end = week + pd.Timedelta(days=7)
    hol = holidays({week.year, (week + pd.Timedelta(days=rules.greeting_ahead_days)).year})
    ahead = hol[
        (hol["date"] >= week) & (hol["date"] < week + pd.Timedelta(days=rules.greeting_ahead_days))
    ]
    anniversary = _anniversary_in(t["join_date"], week, week_end)

    due = {
        "complaint follow-up": complaint_due,
        "visit an important customer": t["tier"].isin(IMPORTANT_TIERS)
        & older_than(last_visit, rules.visit_every_days),
        "learn new needs": older_than(last_needs, rules.needs_every_days)
        | t["stage"].eq("decline")
        | young,
        "holiday greeting": pd.Series(len(ahead) > 0, index=ids),
        "anniversary": anniversary,
    }
    reason = pd.Series(pd.NA, index=ids, dtype="object")
    for name in reversed(REASON_ORDER):  # the first reason that applies wins
        reason = reason.mask(due[name].to_numpy(), name)
    spoke = ~older_than(last_any, rules.cool_off_days) & ~complaint_due
    gone = t["p_alive"] < rules.min_alive
    listed = live & reason.notna()
    why = pd.Series(pd.NA, index=ids, dtype="object")
    why = why.mask(listed & spoke, f"spoken to in the last {rules.cool_off_days} days")
    why = why.mask(
        listed & gone,
        f"probably gone (P(alive) below {rules.min_alive:.0%}): a win-back campaign, not a call",
    )
    keep = listed & why.isna()

    table = t[keep]
    r = reason[keep]
    script = reasons()
    out = pd.DataFrame(
        {
            "customer_id": table.index.astype(str),
            "shop_name": table["shop_name"].to_numpy(),
            "tier": table["tier"].to_numpy(),
            "stage": table["stage"].to_numpy(),
            "p_alive": table["p_alive"].to_numpy(),
            "open_complaint": complaint_due[keep].to_numpy(),
            "reason": r.to_numpy(),
            "kind": script.loc[r.to_numpy(), "kind"].to_numpy(),
            "minutes": [rules.minutes(x) for x in r],
            "value": 0.0,
            "script": script.loc[r.to_numpy(), "script"].to_numpy(),
        }
    )
    out = revalue(out, weights)
    if len(ahead):
        names = " and ".join(ahead["holiday"].astype(str).unique())
        greet = out["reason"].eq("holiday greeting")
        text = out.loc[greet, "script"].astype(str)
        out.loc[greet, "script"] = f"{names}: " + text.str[:1].str.lower() + text.str[1:]
    left = t[listed & why.notna()]
    left_out = pd.DataFrame(
        {
            "customer_id": left.index.astype(str),
            "shop_name": left["shop_name"].to_numpy(),
            "why": why[listed & why.notna()].to_numpy(),
        }
    )
    out.attrs["week_start"] = week
    out.attrs["as_of"] = known.as_of
    return out, left_out


def revalue(cands: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """The candidates with each contact's value under `weights`, most valuable first: how
    much the customer matters now (the weighted sum of tier points, stage points, the risk
    the customer has gone, 1 − P(alive), and an open complaint, 1 or 0) times how much a
    contact for its reason does (`effect` in call_reasons.csv: a greeting counts half)."""
    matters = (
        weights.tier * cands["tier"].map(TIER_POINTS).fillna(0.1).astype(float)
        + weights.stage * cands["stage"].map(STAGE_POINTS).fillna(0.0).astype(float)
        + weights.risk * (1.0 - cands["p_alive"].astype(float))
        + weights.complaint * cands["open_complaint"].astype(float)
    )
    effect = 1.0
    if "reason" in cands.columns:
        effect = cands["reason"].map(reasons()["effect"].astype(float)).fillna(1.0)
    value = matters * effect
    out = _by_value(cands.assign(value=np.round(value.to_numpy(dtype=float), 6)))
    out.attrs = dict(cands.attrs)
    return out


def _anniversary_in(join: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Whether the yearly anniversary of each join date falls in [start, end)."""
    join = pd.to_datetime(join)
    hit = pd.Series(False, index=join.index)
    for year in {start.year, (end - pd.Timedelta(days=1)).year}:
        day = pd.to_datetime(
            {
                "year": year,
                "month": join.dt.month,
                "day": join.dt.day.where(~((join.dt.month == 2) & (join.dt.day == 29)), 28),
            },
            errors="coerce",
        )
        hit |= (day >= start) & (day < end) & (join.dt.year < year)
    return hit.fillna(False)


def _by_value(frame: pd.DataFrame) -> pd.DataFrame:
    """Most valuable first; ties by customer id, so the order never depends on the input's."""
    return frame.sort_values(
        ["value", "customer_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def team(managers, hours: float | list[float] = 8.0) -> pd.Series:
    """The account managers and their hours for customers this week, as a Series indexed
    by manager name. `managers` is a list of names or a number (then "Manager 1", ...).
    Of each manager's hours, the daily call hour comes first and the rest goes to visits
    (`budgets`)."""
    if isinstance(managers, int | np.integer) and not isinstance(managers, bool):
        if managers < 1:
            raise CrmkitError(f"a team needs at least one manager; got {managers}")
        managers = [f"Manager {i}" for i in range(1, int(managers) + 1)]
    names = [str(m) for m in managers]
    if not names or len(set(names)) != len(names):
        raise CrmkitError(f"manager names must be given and differ; got {names}")
    values = [hours] * len(names) if np.isscalar(hours) else list(hours)
    if len(values) != len(names):
        raise CrmkitError(f"{len(names)} managers but {len(values)} capacities in hours")
    try:
        out = pd.Series(values, index=pd.Index(names, name="manager"), name="hours", dtype=float)
    except (TypeError, ValueError):
        raise CrmkitError(f"each manager's hours are a number >= 0; got {values}") from None
    if out.isna().any() or (out < 0).any() or not np.isfinite(out).all():
        raise CrmkitError(f"each manager's hours are a number >= 0; got {values}")
    return out


#: Reasons that are always planned, whatever their value: a complaint is followed up (CO8).
MUST = ("complaint follow-up",)
#: The two kinds of contact time in a manager's week.
KINDS = ("call", "visit")


def budgets(capacity: pd.Series, discipline: Discipline | None = None) -> pd.DataFrame:
    """Each manager's minutes for calls and for visits this week: calls get the fixed hour
    a day of MA5 (`call_block_minutes` on each of `days` days), or all the hours if fewer;
    visits get the rest. Whole minutes."""
    rules = discipline or Discipline()
    total = np.floor(capacity.to_numpy(dtype=float) * 60 + 1e-9)
    calls = np.minimum(total, rules.days * rules.call_block_minutes)
    return pd.DataFrame(
        {"call": calls.astype(int), "visit": (total - calls).astype(int)}, index=capacity.index
    )


@dataclass(frozen=True)
class Plan:
    """A week's contacts per manager and what was left out, with how it was found.

    contacts: one row per contact (manager, then CANDIDATE_COLUMNS), each manager's most
    valuable first. left_out: customer_id, shop_name, reason, value, minutes, why.
    accounts: the customer → manager book after this week (the previous book plus this
    week's contacts). budgets: each manager's call and visit minutes.
    """

    contacts: pd.DataFrame
    left_out: pd.DataFrame
    budgets: pd.DataFrame
    accounts: pd.Series
    method: str
    week_start: pd.Timestamp | None
    discipline: Discipline
    solver: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None

    @property
    def value(self) -> float:
        """The value covered: the objective the plan maximises."""
        return float(self.contacts["value"].sum())

    def by_manager(self) -> pd.DataFrame:
        """Per manager: contacts, call and visit minutes used of each budget, value covered."""
        managers = self.budgets.index
        groups = self.contacts.groupby("manager")
        out = pd.DataFrame(index=managers)
        out["contacts"] = groups.size().reindex(managers, fill_value=0).astype(int)
        for kind in KINDS:
            mine = self.contacts[self.contacts["kind"].eq(kind)].groupby("manager")["minutes"]
            out[f"{kind}_minutes_used"] = mine.sum().reindex(managers, fill_value=0).astype(int)
            out[f"{kind}_minutes"] = self.budgets[kind].astype(int)
        out["value"] = groups["value"].sum().reindex(managers, fill_value=0.0).round(3)
        return out


def _accounts(accounts) -> pd.Series:
    if accounts is None:
        return pd.Series(dtype=object, index=pd.Index([], name="customer_id"), name="manager")
    out = pd.Series(accounts).astype(object)
    out.index = out.index.astype(str)
    if out.index.has_duplicates:
        raise CrmkitError("the accounts list a customer twice; each customer has one manager")
    return out.rename("manager")


def assign_accounts(customer_ids, capacity: pd.Series) -> pd.Series:
    """A first book of accounts: every customer gets a named manager (MA4, "a named person
    responsible"), dealt in turn in the order given (pass the most valuable first, so each
    manager's book is alike), in proportion to the managers' hours."""
    ids = pd.Index(pd.Series(customer_ids).astype(str).unique(), name="customer_id")
    hours = capacity.to_numpy(dtype=float)
    if len(ids) == 0:
        return pd.Series([], index=ids, name="manager", dtype=object)
    if hours.sum() <= 0:
        raise CrmkitError("the team has no hours to share out")
    # a weighted deal (Jefferson's rule): manager k's j-th customer is due at (j + 1) / share;
    # customers go, in the order given, to the turns in order of due time
    share = hours / hours.sum()
    turns = [
        (np.arange(int(np.ceil(len(ids) * s)) + 1) + 1) / s if s > 0 else np.array([])
        for s in share
    ]
    due = np.concatenate(turns)
    who = np.concatenate([np.full(len(t), k) for k, t in enumerate(turns)])
    first = np.lexsort((who, due))[: len(ids)]
    out = np.asarray(capacity.index, dtype=object)[who[first]]
    return pd.Series(out, index=ids, name="manager")


def book_of(known: Customers, capacity: pd.Series, weights: Weights | None = None) -> pd.Series:
    """A first book of accounts for every customer still buying (stage not ended): ranked
    by how much they matter under `weights` (the value of a contact before its reason),
    then dealt in turn by `assign_accounts`, so each manager's book is alike."""
    live = known.table[known.table["stage"].ne("ended")].reset_index()
    ranked = revalue(live.assign(open_complaint=False), weights or Weights())
    return assign_accounts(ranked["customer_id"], capacity)


def _check_inputs(cands: pd.DataFrame, capacity: pd.Series) -> None:
    missing = [c for c in CANDIDATE_COLUMNS if c not in cands.columns]
    if missing:
        raise CrmkitError(f"the candidates table lacks the column(s) {missing}")
    if cands["customer_id"].duplicated().any():
        raise CrmkitError("a customer appears twice among the candidates; one contact a week each")
    if (cands["minutes"] <= 0).any() or (cands["value"] < 0).any():
        raise CrmkitError("every candidate needs minutes > 0 and a value >= 0")
    if not cands["kind"].isin(KINDS).all():
        raise CrmkitError(f"a candidate's kind is one of {KINDS}")
    if len(capacity) == 0:
        raise CrmkitError("the team has no managers")


def _never_needed(cands, budget, owner, forced, visit) -> np.ndarray:
    """1 for each candidate that some optimal plan leaves out for sure, else 0: a customer
    held by one manager, not a must, with at least as many better contacts of the same
    kind for the same manager (worth as much or more, first in value order, and no longer)
    as that manager's minutes can hold contacts of that kind. Any plan holding it leaves
    one of those out, and swapping them loses nothing. Dropping these before the solver
    keeps the program small without changing its best value."""
    out = np.zeros(len(cands), dtype=np.int8)
    minutes = cands["minutes"].to_numpy(dtype=float)
    value = cands["value"].to_numpy(dtype=float)
    ids = cands["customer_id"].to_numpy()
    cap = budget[list(KINDS)].to_numpy(dtype=float)
    held = (owner >= 0) & ~forced
    for k in np.unique(owner[held]):
        for j in (0, 1):
            group = np.flatnonzero(held & (owner == k) & (visit == bool(j)))
            if len(group) == 0:
                continue
            most = int(cap[k, j] // minutes[group].min())  # contacts the minutes can hold
            order = group[np.lexsort((ids[group], -value[group]))]
            better = np.zeros(len(order))
            for length in np.unique(minutes[order]):
                # how many earlier contacts last `length` minutes, for every position
                earlier = np.concatenate([[0], np.cumsum(minutes[order] == length)[:-1]])
                better += np.where(minutes[order] >= length, earlier, 0)
            out[order[better >= max(most, 1)]] = 1
    return out


def _options(cands: pd.DataFrame, managers: pd.Index, accounts: pd.Series, keep: bool):
    """The allowed (candidate row, manager position) pairs: the account's manager only when
    the account is kept and its manager is in the team, else every manager."""
    n, m = len(cands), len(managers)
    if keep and len(accounts):
        owner = managers.get_indexer(accounts.reindex(cands["customer_id"]).to_numpy())
    else:
        owner = np.full(n, -1)
    held = owner >= 0
    free = np.flatnonzero(~held)
    rows = np.concatenate([np.flatnonzero(held), np.repeat(free, m)])
    cols = np.concatenate([owner[held], np.tile(np.arange(m), len(free))])
    order = np.lexsort((cols, rows))
    return rows[order].astype(np.int64), cols[order].astype(np.int64), owner


def _plan(cands, budget, accounts, owner, chosen, managers_of, method, solver, rules) -> Plan:
    """Put a chosen assignment into a Plan: contacts, left out (with why), the new book."""
    managers = budget.index
    picked = cands.iloc[chosen].copy()
    picked.insert(0, "manager", np.asarray(managers)[managers_of])
    picked["_order"] = managers_of
    picked = picked.sort_values(
        ["_order", "value", "customer_id"], ascending=[True, False, True], kind="stable"
    )
    contacts = picked.drop(columns="_order").reset_index(drop=True)
    rest = np.setdiff1d(np.arange(len(cands)), chosen)
    left = cands.iloc[rest]
    who = np.where(owner[rest] >= 0, np.asarray(managers)[np.maximum(owner[rest], 0)], None)
    why = [
        f"no {k} time left with {o} this week" if o is not None else f"no manager had {k} time left"
        for o, k in zip(who, left["kind"], strict=True)
    ]
    left_out = pd.DataFrame(
        {
            "customer_id": left["customer_id"].to_numpy(),
            "shop_name": left["shop_name"].to_numpy(),
            "reason": left["reason"].to_numpy(),
            "value": left["value"].to_numpy(),
            "minutes": left["minutes"].to_numpy(),
            "why": why,
        }
    )
    new = pd.Series(contacts["manager"].to_numpy(), index=contacts["customer_id"].to_numpy())
    book = pd.concat([accounts.drop(new.index, errors="ignore"), new]).sort_index()
    book.index.name, book.name = "customer_id", "manager"
    week = cands.attrs.get("week_start")
    return Plan(
        contacts, left_out, budget, book, method, week, rules, solver, cands.attrs.get("as_of")
    )


def plan_week(
    cands: pd.DataFrame,
    capacity: pd.Series,
    *,
    accounts=None,
    keep_accounts: bool = True,
    discipline: Discipline | None = None,
    must: tuple[str, ...] = MUST,
    time_limit: float = 20.0,
    gap: float = 1e-4,
    greedy: Plan | None = None,
) -> Plan:
    """The optimal week: the contacts that cover the most value within each manager's call
    and visit minutes, one contact per customer, each customer with their account's manager
    when `keep_accounts` (a customer without one may go to any manager). Contacts for a
    reason in `must` are always planned; if they alone do not fit, a CrmkitError says where.

    Solved as a 0-1 program by HiGHS (`scipy.optimize.milp`) to within `gap` of the best
    possible value (relative); `solver` reports status, value, best bound and gap. If HiGHS
    stops at `time_limit` with a plan below the greedy one, the greedy plan is kept (said
    in `solver["kept"]`), so the result is never below the greedy rule. Pass `greedy`
    (this week's `greedy_week` with the same inputs) to save computing it again.
    """
    rules = discipline or Discipline()
    accounts = _accounts(accounts)
    _check_inputs(cands, capacity)
    budget = budgets(capacity, rules)
    rows, cols, owner = _options(cands, budget.index, accounts, keep_accounts)
    minutes = cands["minutes"].to_numpy(dtype=float)
    value = cands["value"].to_numpy(dtype=float)
    visit = cands["kind"].eq("visit").to_numpy()
    forced = cands["reason"].isin(must).to_numpy()
    useful = _never_needed(cands, budget, owner, forced, visit) == 0
    n_never = int((~useful).sum())
    rows, cols = rows[useful[rows]], cols[useful[rows]]
    n_var, n_cand, n_man = len(rows), len(cands), len(budget)
    refused = None
    if greedy is None:
        try:
            greedy = greedy_week(
                cands,
                capacity,
                accounts=accounts,
                keep_accounts=keep_accounts,
                discipline=rules,
                must=must,
            )
        except CrmkitError as err:  # the hand rule could not fit the must-do contacts
            refused = err
    if n_var == 0 and greedy is not None:
        solver = {"status": "nothing to plan", "value": 0.0, "bound": 0.0, "gap": 0.0}
        return replace(greedy, method="optimal plan", solver={**solver, "kept": "optimal"})
    var = np.arange(n_var)
    # one contact per customer: a row only for customers with a choice of managers (a
    # customer with one manager has one variable, bounded by 0 and 1 already); a must-do
    # contact has its lower bound at 1 (on its row, or on its one variable)
    options = np.bincount(rows, minlength=n_cand)
    shared = options[rows] > 1
    lower = np.where(forced[rows] & ~shared, 1.0, 0.0)
    load_row = 2 * cols + visit[rows]  # row 2k: manager k's calls, 2k + 1: their visits
    load = sparse.csr_array((minutes[rows], (load_row, var)), shape=(2 * n_man, n_var))
    cap = budget[list(KINDS)].to_numpy(dtype=float).ravel()
    constraints = [optimize.LinearConstraint(load, 0, cap)]
    if shared.any():
        choosers = np.unique(rows[shared])
        position = np.searchsorted(choosers, rows[shared])
        one_each = sparse.csr_array(
            (np.ones(int(shared.sum())), (position, var[shared])), shape=(len(choosers), n_var)
        )
        constraints.append(optimize.LinearConstraint(one_each, forced[choosers].astype(float), 1))
    result = optimize.milp(
        -value[rows],
        integrality=np.ones(n_var),
        bounds=optimize.Bounds(lower, 1),
        constraints=constraints,
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        raise refused or CrmkitError(f"the solver found no plan: {result.message}")
    x = np.round(result.x).astype(bool)
    # whole minutes keep a rounded 0-1 plan within capacity; check it rather than trust it
    used = np.bincount(load_row[x], weights=minutes[rows][x], minlength=2 * n_man)
    if (used > cap + 1e-6).any() or np.bincount(rows[x], minlength=n_cand).max(initial=0) > 1:
        raise CrmkitError("the solver's plan breaks a constraint; this is a bug, please report it")
    found = float(value[rows][x].sum())
    bound = -float(result.mip_dual_bound) if result.mip_dual_bound is not None else found
    solver = {
        "status": "optimal" if result.status == 0 else "stopped at the time limit",
        "value": round(found, 6),
        "bound": round(max(bound, found), 6),
        "gap": float(result.mip_gap) if result.mip_gap is not None else 0.0,
        "variables": int(n_var),
        "set_aside": int(n_never),
    }
    if greedy is not None and greedy.value > found + 1e-9:
        return replace(greedy, method="optimal plan", solver={**solver, "kept": "greedy"})
    return _plan(
        cands,
        budget,
        accounts,
        owner,
        rows[x],
        cols[x],
        "optimal plan",
        {**solver, "kept": "optimal"},
        rules,
    )


def greedy_week(
    cands: pd.DataFrame,
    capacity: pd.Series,
    *,
    accounts=None,
    keep_accounts: bool = True,
    discipline: Discipline | None = None,
    must: tuple[str, ...] = MUST,
) -> Plan:
    """The rule a manager follows by hand: the contacts in `must` first, then the most
    valuable customer first, taken if it still
    fits the call or visit time of its account's manager (a customer with no manager goes
    to the manager with the most such time left). Quick and sensible, not optimal: a long
    contact taken early can crowd out several short ones worth more together."""
    rules = discipline or Discipline()
    accounts = _accounts(accounts)
    _check_inputs(cands, capacity)
    budget = budgets(capacity, rules)
    _, _, owner = _options(cands, budget.index, accounts, keep_accounts)
    left = budget[list(KINDS)].to_numpy(dtype=float).copy()
    minutes = cands["minutes"].to_numpy(dtype=float)
    kind = cands["kind"].eq("visit").to_numpy().astype(int)
    forced = cands["reason"].isin(must).to_numpy()
    order = np.lexsort(
        (cands["customer_id"].to_numpy(), -cands["value"].to_numpy(dtype=float), ~forced)
    )
    chosen, managers_of = [], []
    for i in order:
        k, need_ = owner[i], minutes[i]
        if k < 0:
            room = left[:, kind[i]]
            fits = np.flatnonzero(room >= need_)
            if not len(fits):
                if forced[i]:
                    _too_much(cands, budget, owner, forced, visit=kind.astype(bool))
                continue
            k = int(fits[np.argmax(room[fits])])  # most time left; ties: the first manager
        elif left[k, kind[i]] < need_:
            if forced[i]:
                _too_much(cands, budget, owner, forced, visit=kind.astype(bool))
            continue
        chosen.append(i)
        managers_of.append(k)
        left[k, kind[i]] -= need_
    return _plan(
        cands,
        budget,
        accounts,
        owner,
        np.asarray(chosen, dtype=int),
        np.asarray(managers_of, dtype=int),
        "rule by hand",
        {},
        rules,
    )


def _too_much(cands, budget, owner, forced, *, visit) -> None:
    """Raise the error that says which manager's must-do contacts exceed their time."""
    minutes = cands["minutes"].to_numpy(dtype=float)
    lines = []
    for k, manager in enumerate(budget.index):
        for j, kind in enumerate(KINDS):
            mine = forced & (owner == k) & (visit == bool(j))
            if minutes[mine].sum() > budget.iloc[k][kind]:
                lines.append(
                    f"{manager}: {int(mine.sum())} must-do {kind}s need "
                    f"{minutes[mine].sum():.0f} minutes, {budget.iloc[k][kind]} available"
                )
    free = forced & (owner < 0)
    detail = "; ".join(lines) or (
        f"{int(free.sum())} must-do contacts with no manager do not fit the time left"
    )
    raise CrmkitError(
        f"the contacts that must happen this week do not fit: {detail}. "
        "Give those managers more hours, or move accounts to a manager with time."
    )


def compare(optimal: Plan, greedy: Plan) -> pd.DataFrame:
    """The two plans side by side: value covered, contacts, minutes used of the capacity,
    and the value the greedy plan leaves on the table."""
    rows = {}
    for plan in (optimal, greedy):
        per = plan.by_manager()
        used = per[[f"{k}_minutes_used" for k in KINDS]].to_numpy().sum()
        rows[plan.method] = {
            "value": round(plan.value, 3),
            "contacts": int(per["contacts"].sum()),
            "minutes_used": float(used),
            "capacity_minutes": float(plan.budgets.to_numpy().sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "plan"
    table["value_left_on_table"] = (table["value"].max() - table["value"]).round(3)
    return table


def reason_mix(plan: Plan) -> pd.DataFrame:
    """Contacts and minutes per reason in a plan (MA3: what the week's time goes to)."""
    order = [r for r in REASON_ORDER if r in set(plan.contacts["reason"])]
    grouped = plan.contacts.groupby("reason")
    return pd.DataFrame(
        {
            "contacts": grouped.size(),
            "minutes": grouped["minutes"].sum(),
            "value": grouped["value"].sum().round(3),
        }
    ).reindex(order)
