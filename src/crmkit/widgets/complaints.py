"""The complaints lesson's explorers: a KPI dashboard (filter by channel, cause, tier and
period, group the KPIs), survival curves split several ways, and a form that logs a
complaint to the class's complaint log with each refusal shown beside its field."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from crmkit import churn, complaint_kpis, complaint_record, complaint_triage
from crmkit.datasets.schema import table as schema_table
from crmkit.errors import CrmkitError, MissingData
from crmkit.plots import complaints as plots
from crmkit.plots.style import PALETTE, to_png
from crmkit.tiers import tiers_at
from crmkit.widgets.base import ALL, Explorer, Rendered, error_line, fixed_layout, heading, levels
from crmkit.widgets.tables import headed, table_html

# -- the KPI dashboard ----------------------------------------------------------------------

#: The KPI columns the dashboard's table shows, with their headers.
SHOWN_KPIS = {
    "complaints": "complaints",
    "response_median_h": "first response, median (h)",
    "response_p90_h": "first response, 90th pct (h)",
    "resolution_median_h": "resolution, median (h)",
    "resolution_p90_h": "resolution, 90th pct (h)",
    "responded_in_time": "answered in time",
    "resolved_in_time": "resolved in time",
    "first_contact_resolution": "first-contact resolution",
    "reopen_rate": "reopened (of resolved)",
    "satisfied_with_resolution": "satisfied with resolution",
}
_PERCENT = (
    "responded_in_time",
    "resolved_in_time",
    "first_contact_resolution",
    "reopen_rate",
    "satisfied_with_resolution",
)


@dataclass(frozen=True)
class KpiSettings:
    """The filters (ALL: no filter), the grouping of the KPIs and the time the chart shows."""

    channel: str = ALL
    cause: str = ALL
    tier: str = ALL
    period: str = ALL
    by: str = "channel"
    time: str = "response"


@dataclass(frozen=True)
class KpiView:
    settings: KpiSettings
    table: pd.DataFrame
    headline: str


def periods_of(triaged: pd.DataFrame) -> list[str]:
    """The periods a dashboard offers: every year, then every quarter, of the complaints."""
    opened = triaged["opened_at"]
    years = sorted({str(y) for y in opened.dt.year})
    quarters = sorted({str(q) for q in opened.dt.to_period("Q")})
    return years + quarters


def in_period(triaged: pd.DataFrame, period: str) -> pd.DataFrame:
    """The complaints opened in `period` (a year "2024", a quarter "2024Q3", or ALL)."""
    if period == ALL:
        return triaged
    opened = triaged["opened_at"]
    if len(period) == 4 and period.isdigit():
        return triaged[opened.dt.year == int(period)]
    try:
        quarter = pd.Period(period, freq="Q")
    except ValueError as err:
        raise CrmkitError(
            f"a period is a year (2024) or a quarter (2024Q3); got {period!r}"
        ) from err
    return triaged[opened.dt.to_period("Q") == quarter]


class ComplaintKpiExplorer(Explorer[KpiSettings, KpiView]):
    """The complaint KPI dashboard: filter by channel, cause, tier and period, group the
    KPIs, and read the typical wait and the slow tail. `triaged` is
    `complaint_triage.triage(data)`; a filter that matches nothing shows a sentence."""

    chart_width = "760px"
    label_width = "70px"
    panel_width = "330px"
    table_below = True

    def __init__(self, triaged: pd.DataFrame, settings: KpiSettings | None = None):
        if triaged.empty:
            raise MissingData("the data holds no complaints, so there are no KPIs to show")
        self.triaged = triaged
        super().__init__(settings or KpiSettings())

    def compute(self, settings: KpiSettings) -> KpiView:
        if settings.by not in complaint_kpis.GROUPINGS:
            raise CrmkitError(f"group by one of {', '.join(complaint_kpis.GROUPINGS)}")
        rows = in_period(self.triaged, settings.period)
        for column in ("channel", "cause", "tier"):
            value = getattr(settings, column)
            if value != ALL:
                rows = rows[rows[column].astype(str) == value]
        table = complaint_kpis.kpis(rows, settings.by)
        if rows.empty:
            headline = "No complaint matches these filters: widen one of them."
        else:
            total = complaint_kpis.kpis(rows).iloc[0]
            headline = (
                f"{len(rows):,} complaints: a typical first response in "
                f"{total['response_median_h']:,.1f} h (the slowest tenth wait over "
                f"{total['response_p90_h']:,.1f} h); {_pct(total['responded_in_time'])} "
                f"answered in time, {_pct(total['resolved_in_time'])} resolved in time."
            )
        return KpiView(settings, table, headline)

    def render(self, view: KpiView) -> Rendered:
        s = view.settings
        if view.table.empty:
            return Rendered(chart=None, table=headed(view.headline, ""))
        what = "first response" if s.time == "response" else "resolution"
        fig = plots.handling_times(
            view.table,
            s.time,
            title=f"Hours to {what} by {s.by}: the typical wait and the slow tail",
        )
        bottom = min(0.45, 0.6 / fig.get_size_inches()[1])  # room for the axis label
        chart = to_png(fixed_layout(fig, left=0.14, right=0.97, top=0.88, bottom=bottom))
        shown = view.table[list(SHOWN_KPIS)].rename(columns=SHOWN_KPIS)
        html = table_html(
            shown,
            percent=[SHOWN_KPIS[c] for c in _PERCENT],
            decimals={SHOWN_KPIS[c]: 1 for c in SHOWN_KPIS if c.endswith("_h")},
            caption=f"Complaint KPIs by {s.by}",
        )
        return Rendered(chart=chart, table=headed(view.headline, html))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        t = self.triaged
        return {
            "channel": w.Dropdown(
                options=[ALL, *levels(t, "channel")], value=s.channel, description="Channel"
            ),
            "cause": w.Dropdown(
                options=[ALL, *levels(t, "cause")], value=s.cause, description="Cause"
            ),
            "tier": w.Dropdown(options=[ALL, *levels(t, "tier")], value=s.tier, description="Tier"),
            "period": w.Dropdown(
                options=[ALL, *periods_of(t)], value=s.period, description="Period"
            ),
            "by": w.Dropdown(
                options=list(complaint_kpis.GROUPINGS), value=s.by, description="Group by"
            ),
            "time": w.ToggleButtons(
                options=[("first response", "response"), ("resolution", "resolution")],
                value=s.time,
                description="Time",
            ),
        }

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        return [
            heading("Which complaints"),
            controls["channel"],
            controls["cause"],
            controls["tier"],
            controls["period"],
            heading("Show"),
            controls["by"],
            controls["time"],
        ]


def _pct(value: float) -> str:
    return "no" if pd.isna(value) else f"{value:.0%}"


# -- survival curves ------------------------------------------------------------------------

#: How the survival explorer can split the customers, and what each split is called.
SPLITS = {
    "group": "complaint history",
    "tier": "tier on the starting day",
    "stage": "lifecycle stage",
    "channel": "channel of the complaint",
}


@dataclass(frozen=True)
class SurvivalSettings:
    split: str = "group"
    months: int = churn.HORIZON_MONTHS


@dataclass(frozen=True)
class SurvivalView:
    settings: SurvivalSettings
    curves: pd.DataFrame
    rates: pd.DataFrame
    headline: str


class SurvivalExplorer(Explorer[SurvivalSettings, SurvivalView]):
    """Kaplan-Meier curves of how long customers stay after their index day, split by
    complaint history, tier, lifecycle stage or channel; the table reads each curve at the
    chosen month, and the headline gives the log-rank test. `rows` is
    `churn.index_days(data)`, with stages (`churn.with_stages`) where the data has them."""

    chart_width = "760px"
    label_width = "70px"
    panel_width = "330px"

    def __init__(self, rows: pd.DataFrame, settings: SurvivalSettings | None = None):
        if rows.empty:
            raise MissingData("no customer has a full follow-up, so no survival curve can be drawn")
        self.rows = rows
        self.splits = {
            k: v for k, v in SPLITS.items() if k in rows.columns and rows[k].notna().any()
        }
        self._curves: dict[str, pd.DataFrame] = {}
        super().__init__(settings or SurvivalSettings())

    def curves(self, split: str) -> pd.DataFrame:
        if split not in self._curves:
            used = self.rows[self.rows[split].notna()]
            self._curves[split] = churn.survival_curves(used, split)
        return self._curves[split]

    def compute(self, settings: SurvivalSettings) -> SurvivalView:
        if settings.split not in self.splits:
            raise CrmkitError(f"split by one of {', '.join(self.splits)}")
        curves = self.curves(settings.split)
        used = self.rows[self.rows[settings.split].notna()]
        staying = churn.surviving_at(curves, settings.months)
        rates = pd.DataFrame(
            {
                "customers": used.groupby(settings.split, observed=True).size(),
                f"staying after {settings.months} months": staying,
            }
        ).dropna()
        rates.index.name = SPLITS[settings.split]
        try:
            test = churn.logrank(used, settings.split)
            verdict = (
                "the curves differ by more than chance would explain"
                if test["p_value"] < 0.05
                else "the data cannot tell these curves apart from chance"
            )
            p = test["p_value"]
            shown = "p below 0.001" if p < 0.001 else f"p = {p:.3f}"
            headline = f"Log-rank test: {shown}: {verdict}."
        except MissingData as gap:
            headline = str(gap)
        return SurvivalView(settings, curves, rates, headline)

    def render(self, view: SurvivalView) -> Rendered:
        s = view.settings
        fig = plots.survival_chart(
            view.curves, months=s.months, title=f"How long customers stay, by {SPLITS[s.split]}"
        )
        chart = to_png(fixed_layout(fig, left=0.1, right=0.97, top=0.9, bottom=0.13))
        column = f"staying after {s.months} months"
        html = table_html(
            view.rates, percent=[column], caption="Each curve read at the chosen month"
        )
        return Rendered(chart=chart, table=headed(view.headline, html))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        return {
            "split": w.Dropdown(
                options=[(v, k) for k, v in self.splits.items()],
                value=s.split,
                description="Split by",
            ),
            "months": w.IntSlider(
                value=s.months, min=1, max=24, description="Read at", continuous_update=False
            ),
        }


# -- the complaint form ---------------------------------------------------------------------


class ComplaintForm:
    """A form for the eight-point record (CO4): on "Log complaint" the record is checked
    and appended to the CSV log `log` (`complaint_record.log_complaint`); a refusal shows
    each reason beside its field and writes nothing; a logged complaint shows its id, its
    priority and its targets. `data` gives the known customers, the analysis date and the
    customer's tier."""

    def __init__(self, data, log: str | os.PathLike, *, customer_id: str | None = None) -> None:
        self.data = data
        self.log = Path(log)
        self.known = set(data.customers["customer_id"].astype(str))
        self.customer_id = customer_id or str(data.customers["customer_id"].iloc[0])
        self.fields: dict[str, w.Widget] = {}
        self.reasons: dict[str, w.HTML] = {}
        self.result: w.HTML | None = None
        self._root: w.Widget | None = None

    # -- what the form asks, and how its values become a record ----------------------------
    def questions(self) -> pd.DataFrame:
        """Each field of the form with its question (the static view of the form)."""
        points = complaint_record.record_points()
        spec = schema_table("complaints")
        rows = []
        for name in self.asked():
            if name in points.index:
                p = points.loc[name]
                rows.append((f"point {p['point']}", p["question"], p["chinese"], name))
            else:
                rows.append(("", spec.field(name).description, "", name))
        return pd.DataFrame(rows, columns=["record", "question", "chinese", "field"])

    @staticmethod
    def asked() -> list[str]:
        """The fields the form asks for, in order: who, when, how, why, then the record."""
        first = ["customer_id", "opened_at", "channel", "cause"]
        points = list(complaint_record.record_points().index)
        return first + points

    def values(self) -> dict[str, Any]:
        """The form's current values as a record (empty text as empty)."""
        return {name: self.fields[name].value for name in self.asked()}

    def submit(self, _button: object = None) -> complaint_record.Complaint | None:
        """Check and log the form's record; show the outcome. Returns the logged complaint
        (None when refused or when the log is busy)."""
        for label in self.reasons.values():
            label.value = ""
        try:
            logged = complaint_record.log_complaint(
                self.log,
                self.values(),
                as_of=self.data.analysis_date,
                known_customer_ids=self.known,
            )
        except complaint_record.ComplaintRefused as refused:
            for name, messages in refused.by_field.items():
                target = self.reasons.get(name or "")
                if target is not None:
                    target.value = _reason_html("; ".join(messages))
            general = refused.by_field.get(None, [])
            self.result.value = error_line(
                CrmkitError("Not logged: fix the fields marked in red. " + " ".join(general))
            )
            return None
        except CrmkitError as err:  # the log is busy, or its file is not a complaint log
            self.result.value = error_line(err)
            return None
        self.result.value = self.logged_html(logged)
        return logged

    def logged_html(self, complaint: complaint_record.Complaint) -> str:
        """What the form says about a logged complaint: its id, priority and targets."""
        tier = tiers_at(
            self.data, pd.Series([complaint.customer_id]), pd.Series([complaint.opened_at])
        )
        position = int(tier.cat.codes.iloc[0]) + 1
        sev = str(complaint_triage.severity(pd.Series([complaint.desired_resolution])).iloc[0])
        plan = complaint_triage.triage_one(sev, position)
        return (
            f"<p class='crmkit-logged' style='color:{PALETTE['green']}'><b>Logged "
            f"{escape(complaint.complaint_id)}</b> in {escape(self.log.name)}: severity "
            f"{escape(sev)}, tier {escape(str(tier.iloc[0]))}, priority {plan['priority']}: "
            f"answer within {plan['respond_within_hours']} h and resolve within "
            f"{plan['resolve_within_hours']} h.</p>"
        )

    # -- the widget -------------------------------------------------------------------------
    def make_fields(self) -> dict[str, w.Widget]:
        spec = schema_table("complaints")
        points = complaint_record.record_points()
        opened = pd.Timestamp(self.data.analysis_date).normalize() - pd.Timedelta(hours=15)
        fields: dict[str, w.Widget] = {
            "customer_id": w.Text(value=self.customer_id, description="Customer"),
            "opened_at": w.Text(value=f"{opened:%Y-%m-%d %H:%M}", description="Received"),
        }
        for name in ("channel", "cause", "desired_resolution", "customer_status"):
            options = list(spec.field(name).constraints.enum or ())
            fields[name] = w.Dropdown(options=["", *options], value="", description=_label(name))
        for name in ("what_happened", "how_it_happened", "why_disappointed", "other_causes"):
            fields[name] = w.Textarea(description=_label(name), rows=2)
        for name in ("product", "staff_member"):
            fields[name] = w.Text(description=_label(name))
        fields["customer_reasonable"] = w.Dropdown(
            options=[("", ""), ("yes", "1"), ("no", "0")],
            value="",
            description=_label("customer_reasonable"),
        )
        for name, field in fields.items():
            if name in points.index:
                field.tooltip = points.loc[name, "question"]
            field.style.description_width = "150px"
            field.layout.width = "460px"
            field.add_class(f"crmkit-field-{name}")
        return fields

    def widget(self) -> w.Widget:
        if self._root is not None:
            return self._root
        self.fields = self.make_fields()
        points = complaint_record.record_points()
        rows = []
        for name in self.asked():
            reason = w.HTML()
            reason.add_class(f"crmkit-reason-{name}")
            self.reasons[name] = reason
            hint = ""
            if name in points.index:
                question, chinese = points.loc[name, ["question", "chinese"]]
                hint = f"<small>{escape(question)} {escape(chinese)}</small>"
            rows.append(w.HBox([self.fields[name], w.VBox([w.HTML(hint), reason])]))
        button = w.Button(description="Log complaint", button_style="primary")
        button.add_class("crmkit-control-log")
        button.on_click(self.submit)
        self.result = w.HTML()
        self.result.add_class("crmkit-result")
        root = w.VBox([heading(f"A new complaint for {self.log.name}"), *rows, button, self.result])
        root.add_class("crmkit-form")
        self._root = root
        return root

    def static(self) -> None:
        """The form's questions as a table (GitHub, PDF)."""
        display(HTML(table_html(self.questions(), caption="What the complaint form asks")))

    def _ipython_display_(self) -> None:
        display(self.widget())


_LABELS = {
    "what_happened": "1 What happened",
    "how_it_happened": "2 How",
    "product": "3 Product",
    "why_disappointed": "3 Why disappointed",
    "staff_member": "4 Staff member",
    "other_causes": "5 Other causes",
    "customer_reasonable": "6 Reasonable?",
    "desired_resolution": "7 Wants",
    "customer_status": "8 New or returning",
    "channel": "Channel",
    "cause": "Cause",
}


def _label(name: str) -> str:
    return _LABELS.get(name, name)


def _reason_html(text: str) -> str:
    return f"<span style='color:{PALETTE['vermillion']}'>{escape(text)}</span>"
