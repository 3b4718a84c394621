"""The ISO 10002 workflow of a complaint: its steps, the moves between them, and the audit
trail that keeps every move with its time.

ISO 10002:2018 (complaints handling in organizations) names the process as receipt,
tracking, acknowledgement, initial assessment, investigation, response, communicating the
decision and closing. A complaint here passes through six steps that follow it:
received, acknowledged, assessed, investigated, responded and closed. The rules:

- the usual move is to the next step;
- skipping a step, or going back to an earlier one, is allowed only with a stated reason;
- a closed complaint moves only by being reopened, with a reason;
- times never run backwards: each move is at or after the one before;
- every move is kept, with its time, who made it and the reason, so the complaint's
  history can be shown and its times (first response, resolution, reopenings) measured.

Times are given by the caller: the workflow reads no clock, so a lesson is the same on
every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmkit.errors import CrmkitError, MissingData

#: The steps, in order.
STEPS = ("received", "acknowledged", "assessed", "investigated", "responded", "closed")
#: The ISO 10002 step each workflow step carries out.
ISO_STEPS = {
    "received": "receipt (and tracking from here on)",
    "acknowledged": "acknowledgement",
    "assessed": "initial assessment",
    "investigated": "investigation",
    "responded": "response and communicating the decision",
    "closed": "closing",
}
#: The kinds of move, as the trail records them.
KINDS = ("receive", "next", "skip", "back", "reopen")
#: The columns of a trail table (and of a trail kept as a CSV log).
TRAIL_COLUMNS = ["complaint_id", "step", "at", "kind", "by", "reason"]


@dataclass(frozen=True)
class Move:
    """One entry of the audit trail: the step reached, when, how, by whom and why."""

    step: str
    at: pd.Timestamp
    kind: str
    by: str = ""
    reason: str = ""


def _time(value, what: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise CrmkitError(f"{what} must be a date and time, e.g. '2025-03-04 09:30'; got {value!r}")
    return stamp


@dataclass(frozen=True)
class ComplaintHistory:
    """One complaint's way through the workflow: its audit trail, oldest move first.

    Immutable: each move returns a new history, so an explorer or a lesson can try a move
    and keep the old history."""

    complaint_id: str
    moves: tuple[Move, ...]

    @classmethod
    def received(cls, complaint_id: str, at, by: str = "") -> ComplaintHistory:
        """A new complaint, received at `at`."""
        if not str(complaint_id).strip():
            raise CrmkitError("a complaint needs an id")
        return cls(str(complaint_id), (Move("received", _time(at, "at"), "receive", by),))

    @property
    def step(self) -> str:
        """The step the complaint is in now."""
        return self.moves[-1].step

    def move(self, to: str, at, *, by: str = "", reason: str = "") -> ComplaintHistory:
        """The history after a move to step `to` at `at`: the next step freely; a skip or
        a step back only with a `reason`; never out of "closed" (use `reopen`)."""
        if to not in STEPS:
            raise CrmkitError(f"'{to}' is not a step; the steps are {', '.join(STEPS)}")
        when = self._after(at)
        here, there = STEPS.index(self.step), STEPS.index(to)
        if self.step == "closed":
            raise CrmkitError(
                f"{self.complaint_id} is closed: reopen it, with a reason, before it moves on"
            )
        if there == here:
            raise CrmkitError(f"{self.complaint_id} is already {to}")
        kind = "next" if there == here + 1 else "skip" if there > here else "back"
        if kind != "next" and not reason.strip():
            skipped = STEPS[here + 1 : there]
            what = (
                f"going straight to {to} skips {_and(skipped)}"
                if kind == "skip"
                else f"going back to {to} undoes a step"
            )
            raise CrmkitError(
                f"{self.complaint_id} is {self.step}: {what}; give the reason "
                "(ISO 10002 asks that every step be traceable)"
            )
        return ComplaintHistory(self.complaint_id, (*self.moves, Move(to, when, kind, by, reason)))

    def reopen(
        self, at, reason: str, *, by: str = "", to: str = "investigated"
    ) -> ComplaintHistory:
        """The history after reopening a closed complaint at `at`, back to step `to`, for a
        stated `reason` (the customer came back: the answer did not solve it)."""
        if self.step != "closed":
            raise CrmkitError(f"{self.complaint_id} is {self.step}, not closed: nothing to reopen")
        if to not in STEPS or to == "closed":
            raise CrmkitError(f"a reopened complaint goes back to a step before closed; got {to!r}")
        if not reason.strip():
            raise CrmkitError(f"give the reason {self.complaint_id} is reopened")
        when = self._after(at)
        return ComplaintHistory(
            self.complaint_id, (*self.moves, Move(to, when, "reopen", by, reason))
        )

    def _after(self, at) -> pd.Timestamp:
        when = _time(at, "at")
        last = self.moves[-1].at
        if when < last:
            raise CrmkitError(
                f"{self.complaint_id}: a move at {when} comes before the last one ({last}); "
                "times never run backwards in the trail"
            )
        return when

    # -- what the trail tells -----------------------------------------------------------------

    def first_response(self) -> pd.Timestamp | None:
        """When the complaint first left "received" (the first response), None if not yet."""
        return next((m.at for m in self.moves[1:]), None)

    def resolved(self) -> pd.Timestamp | None:
        """When the complaint was last closed, None while it is open."""
        return self.moves[-1].at if self.step == "closed" else None

    def reopenings(self) -> int:
        """How often the complaint was reopened."""
        return sum(m.kind == "reopen" for m in self.moves)

    def table(self) -> pd.DataFrame:
        """The audit trail, one row per move (TRAIL_COLUMNS)."""
        return trail_table([self])


def trail_table(histories) -> pd.DataFrame:
    """The audit trails of many complaints as one table, one row per move."""
    rows = [
        {
            "complaint_id": h.complaint_id,
            "step": m.step,
            "at": m.at,
            "kind": m.kind,
            "by": m.by,
            "reason": m.reason,
        }
        for h in histories
        for m in h.moves
    ]
    return pd.DataFrame(rows, columns=TRAIL_COLUMNS)


def histories_from(trail: pd.DataFrame) -> dict[str, ComplaintHistory]:
    """The histories a trail table holds (rows in the order the moves were made), each
    replayed through the rules, so a trail edited by hand into an impossible order is
    refused with the complaint and the move that breaks a rule."""
    missing = [c for c in TRAIL_COLUMNS if c not in trail.columns]
    if missing:
        raise CrmkitError(f"the trail has no column {', '.join(map(repr, missing))}")
    out: dict[str, ComplaintHistory] = {}
    for number, row in enumerate(trail.itertuples(index=False), start=1):
        cid, reason, by = str(row.complaint_id), _text(row.reason), _text(row.by)
        try:
            if cid not in out:
                if row.kind != "receive" or row.step != "received":
                    raise CrmkitError(f"{cid}'s first move must be its receipt")
                out[cid] = ComplaintHistory.received(cid, row.at, by)
            elif row.kind == "reopen":
                out[cid] = out[cid].reopen(row.at, reason, by=by, to=row.step)
            else:
                out[cid] = out[cid].move(row.step, row.at, by=by, reason=reason)
        except CrmkitError as err:
            raise CrmkitError(f"trail row {number}: {err}") from None
        if out[cid].moves[-1].kind != row.kind:
            raise CrmkitError(
                f"trail row {number}: {cid}'s move to {row.step} is a {out[cid].moves[-1].kind}, "
                f"not a {row.kind}"
            )
    return out


def _and(names) -> str:
    """'a', 'a and b', 'a, b and c'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def reopened_example(complaints: pd.DataFrame) -> pd.Series:
    """A complaint of the data to replay through the workflow: the first one that was
    reopened (or, where none was, the first one resolved); MissingData where the data has
    none resolved."""
    resolved = complaints[complaints["resolved_at"].notna()] if len(complaints) else complaints
    if resolved.empty:
        raise MissingData(
            "replaying a complaint needs one that was resolved (complaints.csv), and this "
            "data holds none"
        )
    reopened = resolved[resolved["reopened"].astype(bool)]
    return (reopened if len(reopened) else resolved).iloc[0]
