"""The lifecycle explorer: pick a customer, move the stage rules' thresholds, and watch the
customer's stage bands and the rules' score against the true stages change together."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from crmkit import lifecycle as lc
from crmkit import plots
from crmkit.customer_base import attributes
from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import ALL, SLIDER, Explorer, Rendered, fixed_layout, heading
from crmkit.widgets.picker import CustomerPicker, CustomerSearch
from crmkit.widgets.tables import headed, table_html


@dataclass(frozen=True)
class LifecycleSettings:
    """The customer shown and the stage rules' thresholds."""

    customer_id: str
    rules: lc.StageRules = dataclasses.field(default_factory=lc.StageRules)


@dataclass(frozen=True)
class LifecycleView:
    """One customer's months under one set of rules, and the rules' score on every customer."""

    settings: LifecycleSettings
    months: pd.DataFrame  # the customer's rows of detect_stages
    truth: pd.Series | None  # its true stage per month, where the data has them
    score: lc.StageScore | None
    headline: str


#: The rule sliders: (label, lowest, highest, step) per threshold of StageRules.
RULE_SLIDERS = {
    "window_months": ("Window (months)", 1, 12, 1),
    "exploration_months": ("Exploring (months)", 1, 12, 1),
    "stable_share": ("Stable from share", 0.05, 0.95, 0.05),
    "decline_drop": ("Decline below peak ×", 0.05, 0.95, 0.05),
    "silence_months": ("Ended after silent", 1, 12, 1),
}


class LifecycleExplorer(Explorer[LifecycleSettings, LifecycleView]):
    """Pick a customer and move the stage rules (`lifecycle.StageRules`): the timeline's
    bands show the detected stages, a thin strip the true ones, and the headline the share
    of all customer-months the rules get right.

    `data` is the sample data (or a trainer's, without the truth: then no score). The
    monthly signs are worked out once per window length, so a threshold moves in
    milliseconds.
    """

    chart_width = "800px"
    label_width = "150px"
    panel_width = "360px"
    table_below = True

    def __init__(self, data, customer_id: str | None = None, rules: lc.StageRules | None = None):
        self.data = data
        self._signs: dict[int, pd.DataFrame] = {}
        self._truth: dict[int, pd.Series] = {}
        self._ids: dict[int, np.ndarray] = {}
        signs = self.signs(lc.StageRules().window_months if rules is None else rules.window_months)
        ids = pd.Index(signs["customer_id"].unique())
        self.search = CustomerSearch(attributes(data).reindex(ids), ids)
        first = customer_id or str(ids[0])
        super().__init__(LifecycleSettings(self.search.find(first), rules or lc.StageRules()))

    def signs(self, window_months: int) -> pd.DataFrame:
        """The monthly signs for one window length, worked out once."""
        if window_months not in self._signs:
            self._signs[window_months] = lc.monthly_signs(self.data, window_months=window_months)
        return self._signs[window_months]

    def truth(self, window_months: int) -> pd.Series | None:
        """The true stage of each row of `signs(window_months)`; None without a truth table."""
        if self.data.lifecycle_truth.empty:
            return None
        if window_months not in self._truth:
            signs = self.signs(window_months)
            self._truth[window_months] = lc.true_stages(signs, self.data.lifecycle_truth)
        return self._truth[window_months]

    def rows_of(self, window_months: int, customer_id: str) -> slice:
        """The rows of one customer in `signs(window_months)`: monthly_signs sorts by
        customer, so they are one run, found by bisection over ids kept as an array."""
        if window_months not in self._ids:
            self._ids[window_months] = self.signs(window_months)["customer_id"].to_numpy()
        ids = self._ids[window_months]
        return slice(
            int(np.searchsorted(ids, customer_id, side="left")),
            int(np.searchsorted(ids, customer_id, side="right")),
        )

    def compute(self, settings: LifecycleSettings) -> LifecycleView:
        window = settings.rules.window_months
        signs = self.signs(window)
        codes = lc.stage_codes(signs, settings.rules)
        mine = self.rows_of(window, settings.customer_id)
        if mine.start == mine.stop:
            raise CrmkitError(f"{settings.customer_id} has no months with category totals")
        months = signs.iloc[mine].reset_index(drop=True)
        months["stage"] = pd.Categorical.from_codes(codes[mine], categories=lc.STAGES, ordered=True)
        true = self.truth(window)
        score, truth = None, None
        if true is not None:
            known = true.notna().to_numpy()
            score = lc.score_codes(codes[known], true.cat.codes.to_numpy()[known])
            truth = true.iloc[mine].reset_index(drop=True).astype(str)
        now = str(months["stage"].iloc[-1])
        headline = f"{settings.customer_id}: {now} in {months['month'].iloc[-1]}."
        if score is not None:
            right = float((months["stage"].astype(str) == truth).mean())
            headline += (
                f" The rules get {right:.0%} of this customer's months right, "
                f"{score.accuracy:.1%} of all customer-months."
            )
        return LifecycleView(settings, months, truth, score, headline)

    def render(self, view: LifecycleView) -> Rendered:
        fig = plots.customer_timeline(
            view.months,
            truth=view.truth,
            stable_share=view.settings.rules.stable_share,
            title=f"{self.search.label(view.settings.customer_id)}: stages month by month",
        )
        chart = plots.to_png(fixed_layout(fig, left=0.1, right=0.98, top=0.92, bottom=0.2))
        if view.score is None:
            return Rendered(chart=chart, table=headed(view.headline, ""))
        table = pd.DataFrame(
            {"recall": view.score.recall, "precision": view.score.precision}
        ).rename_axis("stage")
        html = table_html(
            table,
            percent=("recall", "precision"),
            headers={
                "recall": "Of its true months, found",
                "precision": "Of the months called so, right",
            },
            caption="The rules on every customer-month, stage by stage",
        )
        return Rendered(chart=chart, table=headed(view.headline, html))

    def make_controls(self) -> dict[str, w.Widget]:
        rules = self.settings.rules
        controls: dict[str, w.Widget] = {
            "customer": CustomerPicker(self.search, self.settings.customer_id)
        }
        for name, (label, low, high, step) in RULE_SLIDERS.items():
            value = getattr(rules, name)
            if isinstance(step, int):
                controls[name] = w.IntSlider(
                    value=value,
                    min=low,
                    max=high,
                    step=step,
                    description=label,
                    continuous_update=False,
                )
            else:
                options = {**SLIDER, "step": step}
                controls[name] = w.FloatSlider(
                    value=value, min=low, max=high, description=label, **options
                )
        return controls

    def read(self, values: dict[str, Any]) -> LifecycleSettings:
        customer = values.pop("customer")
        rules = lc.StageRules(
            **{k: (round(v, 2) if isinstance(v, float) else v) for k, v in values.items()}
        )
        return LifecycleSettings(customer, rules)

    def panel(self, controls: Mapping[str, w.Widget]) -> list[w.Widget]:
        note = "<small>Every threshold of the stage rules; the bands follow.</small>"
        rules = [controls[name] for name in RULE_SLIDERS]
        return [
            heading("Customer"),
            controls["customer"],
            heading("Stage rules"),
            w.HTML(note),
            *rules,
        ]

    def static(self, settings: LifecycleSettings | str | None = None) -> None:
        """The views without widgets; a customer id (or search text) picks the customer."""
        if isinstance(settings, str):
            settings = dataclasses.replace(self.settings, customer_id=self.search.find(settings))
        super().static(settings)

    def accuracy(self, rules: lc.StageRules) -> float:
        """The share of all customer-months the rules get right (MissingData without a truth
        table: real data has none)."""
        true = self.truth(rules.window_months)
        if true is None:
            lc.true_stages(self.signs(rules.window_months), self.data.lifecycle_truth)  # raises
        stages = lc.apply_rules(self.signs(rules.window_months), rules)
        known = true.notna().to_numpy()
        return float(
            np.mean(stages["stage"].cat.codes.to_numpy()[known] == true.cat.codes.to_numpy()[known])
        )


# -- the playbook explorer (LC4) ---------------------------------------------------------------


@dataclass(frozen=True)
class PlaybookSettings:
    """Which stage and tier the list shows ("All" for every one)."""

    stage: str = "decline"
    tier: str = "All"


@dataclass(frozen=True)
class PlaybookView:
    """The month's customers by stage and tier, and the list for one stage and tier."""

    settings: PlaybookSettings
    counts: pd.DataFrame  # stages x tiers: customers
    customers: pd.DataFrame  # the chosen stage's and tier's customers with their programme
    headline: str


class PlaybookExplorer(Explorer[PlaybookSettings, PlaybookView]):
    """This month's programme for every customer (LC4): pick a stage and a tier and see
    how many customers need that programme and which ones.

    `plan` is `lifecycle.programmes(stages, tiers)`: one row per customer with stage,
    strategy, programme and tier.
    """

    chart_width = "620px"
    table_below = True

    def __init__(self, plan: pd.DataFrame, settings: PlaybookSettings | None = None):
        if plan.empty:
            raise CrmkitError("no customers to plan for this month")
        self.plan = plan if "tier" in plan.columns else plan.assign(tier="all tiers")
        super().__init__(settings or PlaybookSettings())

    def compute(self, settings: PlaybookSettings) -> PlaybookView:
        plan = self.plan
        counts = pd.crosstab(
            pd.Categorical(plan["stage"], categories=lc.STAGES), plan["tier"], dropna=False
        )  # tiers in their own order, best first, when `tier` is categorical
        counts.index.name, counts.columns.name = "stage", "tier"
        rows = plan
        if settings.stage != ALL:
            rows = rows[rows["stage"] == settings.stage]
        if settings.tier != ALL:
            rows = rows[rows["tier"] == settings.tier]
        programme = (
            lc.PLAYBOOK.loc[settings.stage, "programme"] if settings.stage != ALL else "each"
        )
        share = len(rows) / len(plan)
        part = f"{share:.0%}" if share >= 0.01 or share == 0 else "under 1%"
        headline = (
            f"{len(rows):,} customers ({part} of {len(plan):,}) need the "
            f"{programme} programme this month"
            + (f": {settings.stage}" if settings.stage != ALL else "")
            + (f", tier {settings.tier}." if settings.tier != ALL else ".")
        )
        return PlaybookView(settings, counts, rows, headline)

    def render(self, view: PlaybookView) -> Rendered:
        s = view.settings
        chosen = " / ".join(v for v in (s.stage, s.tier) if v != ALL) or "every customer"
        fig = plots.segment_heatmap(
            view.counts,
            fmt="{:,.0f}",
            colorbar=False,
            title=f"Customers by stage and tier; outlined: {chosen}",
        )
        # outline the cells the list covers, so the chart follows the choice
        rows = [i for i, r in enumerate(view.counts.index) if s.stage in (ALL, str(r))]
        cols = [j for j, c in enumerate(view.counts.columns) if s.tier in (ALL, str(c))]
        fig.axes[0].add_patch(
            Rectangle(
                (min(cols) - 0.5, min(rows) - 0.5),
                len(cols),
                len(rows),
                fill=False,
                edgecolor=PALETTE["vermillion"],
                lw=3,
            )
        )
        chart = plots.to_png(fig)
        shown = view.customers.head(20).rename_axis("customer")
        table = table_html(
            shown,
            headers={
                "stage": "Stage",
                "strategy": "Strategy (seed 003)",
                "programme": "Programme (seed 000)",
                "tier": "Tier",
            },
            caption=f"The first {len(shown)} of {len(view.customers):,} customers on the list",
        )
        return Rendered(chart=chart, table=headed(view.headline, table))

    def make_controls(self) -> dict[str, w.Widget]:
        tier = self.plan["tier"]
        order = tier.cat.categories if isinstance(tier.dtype, pd.CategoricalDtype) else None
        tiers = [ALL, *(map(str, order) if order is not None else sorted(map(str, tier.unique())))]
        return {
            "stage": w.Dropdown(
                options=[ALL, *lc.STAGES], value=self.settings.stage, description="Stage"
            ),
            "tier": w.Dropdown(options=tiers, value=self.settings.tier, description="Tier"),
        }
