"""The planner explorer of the satisfaction and maintenance lesson: move each manager's
hours and the weights of what matters, and see the week's plan, the value it covers
against the greedy rule, one manager's list and who is left out, update together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
import pandas as pd

from crmkit import callback_calendar, callback_plan
from crmkit.errors import CrmkitError, MissingData
from crmkit.plots import satisfaction as plots
from crmkit.plots.style import to_png
from crmkit.widgets.base import Explorer, Rendered, fixed_layout, heading
from crmkit.widgets.tables import headed, table_html

#: The weights the sliders move, with their labels.
WEIGHT_LABELS = {
    "tier": "Tier",
    "stage": "Stage",
    "risk": "Risk of loss",
    "complaint": "Complaint",
}
#: The columns of a manager's list as the explorer shows them.
LIST_COLUMNS = {
    "day": "Day",
    "time": "Time",
    "shop_name": "Shop",
    "reason": "Why",
    "minutes": "Minutes",
    "value": "Value",
    "script": "What to say",
}


@dataclass(frozen=True)
class PlannerSettings:
    """Hours per manager (in team order), the four weights, and whose list to show."""

    hours: tuple[float, ...]
    weights: callback_plan.Weights = field(default_factory=callback_plan.Weights)
    show: str = ""


@dataclass(frozen=True)
class PlannerView:
    settings: PlannerSettings
    optimal: callback_plan.Plan
    greedy: callback_plan.Plan
    comparison: pd.DataFrame
    listing: pd.DataFrame


class PlannerExplorer(Explorer[PlannerSettings, PlannerView]):
    """The call-back planner live. `cands` is `callback_plan.candidates(...)[0]`, `crew`
    the team (`callback_plan.team`), `accounts` the book of accounts (or None)."""

    chart_width = "640px"
    label_width = "95px"
    panel_width = "330px"
    table_below = True

    def __init__(
        self,
        cands: pd.DataFrame,
        crew: pd.Series,
        *,
        accounts=None,
        discipline: callback_plan.Discipline | None = None,
        settings: PlannerSettings | None = None,
    ):
        if cands.empty:
            raise MissingData("no customer is due a contact this week, so there is nothing to plan")
        self.cands = cands
        self.crew = crew
        self.accounts = accounts
        self.discipline = discipline or callback_plan.Discipline()
        first = str(crew.index[0])
        super().__init__(settings or PlannerSettings(tuple(float(h) for h in crew), show=first))

    def compute(self, settings: PlannerSettings) -> PlannerView:
        if len(settings.hours) != len(self.crew):
            raise CrmkitError(f"give hours for each of the {len(self.crew)} managers")
        crew = callback_plan.team(list(self.crew.index), list(settings.hours))
        cands = callback_plan.revalue(self.cands, settings.weights)
        kwargs = {"accounts": self.accounts, "discipline": self.discipline}
        greedy = callback_plan.greedy_week(cands, crew, **kwargs)
        optimal = callback_plan.plan_week(cands, crew, greedy=greedy, **kwargs)
        comparison = callback_plan.compare(optimal, greedy)
        show = settings.show if settings.show in crew.index else str(crew.index[0])
        scheduled = callback_calendar.schedule(optimal)
        mine = scheduled[scheduled["manager"].eq(show)]
        listing = mine.assign(time=mine["start"].dt.strftime("%H:%M"))
        return PlannerView(settings, optimal, greedy, comparison, listing)

    def render(self, view: PlannerView) -> Rendered:
        fig = plots.plan_value_chart(
            view.comparison,
            fmt="{:,.1f}",
            title="The optimal plan against the rule by hand: value covered",
        )
        chart = to_png(fixed_layout(fig, left=0.2, right=0.97, top=0.85, bottom=0.2))
        return Rendered(chart=chart, table=headed(headline(view), self._list_html(view)))

    def _list_html(self, view: PlannerView) -> str:
        who = view.listing["manager"].iloc[0] if len(view.listing) else view.settings.show
        shown = view.listing[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
        listing = table_html(
            shown,
            decimals={"Value": 2},
            caption=f"The week's list of {who} (optimal plan), in time order",
        )
        out = view.optimal.left_out
        if out.empty:
            return listing
        why = out.groupby("why").agg(customers=("customer_id", "size"), value=("value", "sum"))
        why = why.sort_values("customers", ascending=False).reset_index()
        left = table_html(
            why.rename(
                columns={
                    "why": "Left out because",
                    "customers": "Customers",
                    "value": "Value not covered",
                }
            ),
            decimals={"Value not covered": 1},
            caption="Who is left out of the optimal plan, and why",
        )
        return left + listing

    def read(self, values: dict[str, Any]) -> PlannerSettings:
        hours = tuple(float(values[f"hours_{i}"]) for i in range(len(self.crew)))
        weights = callback_plan.Weights(**{k: float(values[k]) for k in WEIGHT_LABELS})
        return PlannerSettings(hours, weights, str(values["show"]))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        slider = {"continuous_update": False, "readout_format": ".1f"}
        controls: dict[str, w.Widget] = {}
        for i, (name, hours) in enumerate(zip(self.crew.index, s.hours, strict=True)):
            controls[f"hours_{i}"] = w.FloatSlider(
                value=hours, min=0, max=20, step=0.5, description=str(name), **slider
            )
        for key, label in WEIGHT_LABELS.items():
            controls[key] = w.FloatSlider(
                value=getattr(s.weights, key),
                min=0,
                max=10,
                step=0.5,
                description=label,
                **slider,
            )
        controls["show"] = w.Dropdown(
            options=[str(m) for m in self.crew.index], value=s.show, description="List of"
        )
        return controls

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        hours = [controls[f"hours_{i}"] for i in range(len(self.crew))]
        weights = [controls[k] for k in WEIGHT_LABELS]
        return [
            heading("Hours for customers this week"),
            *hours,
            heading("What counts in a contact's value"),
            *weights,
            heading("Show"),
            controls["show"],
        ]


def headline(view: PlannerView) -> str:
    """One sentence on the plan: value covered, what the hand rule leaves, who is left out."""
    table = view.comparison
    best = table.loc[view.optimal.method]
    hand = table.loc[view.greedy.method]
    share = hand["value_left_on_table"] / best["value"] if best["value"] else 0.0
    return (
        f"The optimal plan makes {int(best['contacts']):,} contacts worth "
        f"{best['value']:,.1f}; the rule by hand makes {int(hand['contacts']):,} worth "
        f"{hand['value']:,.1f}, leaving {hand['value_left_on_table']:,.1f} ({share:.0%}) on "
        f"the table. {len(view.optimal.left_out):,} customers due a contact are left out."
    )
