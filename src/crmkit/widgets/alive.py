"""The P(alive) explorer: pick a customer and a model, move the alarm threshold, and watch
the customer's probability of still being a customer month by month, with the early-warning
score of every customer against the true stages."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pandas as pd

from crmkit import alive as al
from crmkit import lifecycle as lc
from crmkit import plots
from crmkit.customer_base import attributes
from crmkit.errors import CrmkitError, MissingData
from crmkit.widgets.base import SLIDER, Explorer, Rendered, fixed_layout, heading
from crmkit.widgets.picker import CustomerPicker, CustomerSearch
from crmkit.widgets.tables import headed, table_html


@dataclass(frozen=True)
class AliveSettings:
    """The customer shown, the transaction model and the alarm threshold on P(alive)."""

    customer_id: str
    model: str = "Pareto/NBD"
    threshold: float = 0.5


@dataclass(frozen=True)
class AliveView:
    """One customer's P(alive) history and, where the data has true stages, the score of
    the two early warnings on every customer."""

    settings: AliveSettings
    history: pd.DataFrame
    truth: pd.Series | None
    score: pd.DataFrame | None
    headline: str


class AliveExplorer(Explorer[AliveSettings, AliveView]):
    """Pick a customer and a model (`alive.TRANSACTION_MODELS`) and move the alarm
    threshold: the chart shows the customer's P(alive) at each month end with their orders
    and true stages; the table scores P(alive) below the threshold against the stage rules
    as early warnings of decline, on every customer (sample data only: real data has no
    true stages, and then only the chart is drawn).

    `fits` are the models fitted on all the data (`alive.fit_models`). Each model's monthly
    P(alive) and the customer-months the warnings are scored on are worked out once, so a
    control moves in milliseconds.
    """

    chart_width = "800px"
    label_width = "110px"
    panel_width = "340px"
    table_below = True

    def __init__(
        self,
        data,
        fits: al.Fits,
        customer_id: str | None = None,
        settings: AliveSettings | None = None,
    ):
        self.data = data
        self.fits = fits
        self.monthly = {
            name: al.alive_by_month(data, fits.transactions(name)) for name in al.TRANSACTION_MODELS
        }
        self._flags: dict[str, pd.DataFrame] = {}
        self.stages = None
        if not data.lifecycle_truth.empty:
            try:
                self.stages = lc.detect_stages(data)
            except MissingData:  # no category totals: the history without the scores
                self.stages = None
        # both models' monthly frames have the same customer-month rows: one truth for both
        self.true_stages = (
            None
            if self.stages is None
            else lc.true_stages(self.monthly["Pareto/NBD"], data.lifecycle_truth).astype(str)
        )
        ids = pd.Index(self.monthly["Pareto/NBD"]["customer_id"].unique()).sort_values()
        self.search = CustomerSearch(attributes(data).reindex(ids), ids)
        start = settings or AliveSettings(self.search.find(customer_id or str(ids[0])))
        super().__init__(start)

    def flags(self, model: str) -> pd.DataFrame | None:
        """The scored customer-months of one model (None without true stages)."""
        if self.stages is None:
            return None
        if model not in self._flags:
            self._flags[model] = al.warning_flags(
                self.stages, self.monthly[model], self.data.lifecycle_truth
            )
        return self._flags[model]

    def compute(self, settings: AliveSettings) -> AliveView:
        if settings.model not in al.TRANSACTION_MODELS:
            raise CrmkitError(f"model must be one of {list(al.TRANSACTION_MODELS)}")
        history = al.customer_history(self.data, self.monthly[settings.model], settings.customer_id)
        now = float(history["p_alive"].iloc[-1])
        headline = (
            f"{settings.customer_id}: {now:.0%} likely still a customer at the end of "
            f"{history['month'].iloc[-1]} ({settings.model})."
        )
        flags = self.flags(settings.model)
        if flags is None:
            return AliveView(settings, history, None, None, headline)
        scored = flags.assign(model=flags["p_alive"] < settings.threshold)
        score = al.score_warnings(scored)
        score.index = al.signal_names(settings.threshold)
        mine = (self.monthly[settings.model]["customer_id"] == settings.customer_id).to_numpy()
        truth = self.true_stages[mine].reset_index(drop=True)
        alarm = history["p_alive"] < settings.threshold
        if alarm.any():
            headline += f" First alarm: {history['month'][alarm.to_numpy()].iloc[0]}."
        else:
            headline += " No alarm at this threshold."
        return AliveView(settings, history, truth, score, headline)

    def render(self, view: AliveView) -> Rendered:
        s = view.settings
        fig = plots.alive_history(
            view.history,
            truth=view.truth,
            threshold=s.threshold,
            title=f"{self.search.label(s.customer_id)}: P(alive) month by month ({s.model})",
        )
        chart = plots.to_png(fixed_layout(fig, left=0.1, right=0.98, top=0.92, bottom=0.24))
        if view.score is None:
            return Rendered(chart=chart, table=headed(view.headline, ""))
        html = table_html(
            view.score,
            percent=("right when flagged", "decline months caught", "endings warned ahead"),
            caption="Two early warnings on every customer, scored on the true stages",
        )
        return Rendered(chart=chart, table=headed(view.headline, html))

    def make_controls(self) -> dict[str, w.Widget]:
        s = self.settings
        return {
            "customer": CustomerPicker(self.search, s.customer_id),
            "model": w.Dropdown(
                options=list(al.TRANSACTION_MODELS), value=s.model, description="Model"
            ),
            "threshold": w.FloatSlider(
                value=s.threshold,
                min=0.05,
                max=0.95,
                description="Alarm below",
                **{**SLIDER, "step": 0.05},
            ),
        }

    def read(self, values: dict[str, Any]) -> AliveSettings:
        return AliveSettings(
            values["customer"], values["model"], round(float(values["threshold"]), 2)
        )

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        note = "<small>Raise the alarm when P(alive) falls below this.</small>"
        return [
            heading("Customer"),
            controls["customer"],
            heading("Model and alarm"),
            controls["model"],
            w.HTML(note),
            controls["threshold"],
        ]

    def timeline(self, customer_id: str):
        """One customer's chart alone, at the current model and threshold (for a lesson
        that sets two customers side by side; the score table is the same for both)."""
        settings = dataclasses.replace(self.settings, customer_id=self.search.find(customer_id))
        view = self.compute(settings)
        return plots.alive_history(
            view.history,
            truth=view.truth,
            threshold=settings.threshold,
            title=f"{self.search.label(settings.customer_id)}: P(alive) month by month",
        )

    def static(self, settings: AliveSettings | str | None = None) -> None:
        """The views without widgets; a customer id (or search text) picks the customer."""
        if isinstance(settings, str):
            settings = dataclasses.replace(self.settings, customer_id=self.search.find(settings))
        super().static(settings)
