"""Explorers of lesson 05: the profile card (PY4, KA3) and the key-account rule (KA1, KA2).

The card's content is `key_accounts.ProfileCard` (a topic module, no HTML);
`card_html` renders it here: five sections side by side, each a readable table,
styled by CSS classes in the workbook palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as w
import pandas as pd

from crmkit import key_accounts as ka
from crmkit import plots
from crmkit import pyramid as pyr
from crmkit.customer_base import attributes, best_first, money, periods, ranking_measure
from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import Explorer, Rendered, fixed_layout
from crmkit.widgets.picker import CustomerExplorer, CustomerSearch
from crmkit.widgets.tables import headed, table_html

_GREY, _BLUE = PALETTE["grey"], PALETTE["blue"]

#: The card's look, by class (no inline colours); the table cells come from `table_html`.
CARD_STYLE = f"""<style>
.crmkit-card {{font-family: sans-serif;}}
.crmkit-card h4 {{margin: 4px;}}
.crmkit-card-sections {{display: flex; flex-wrap: wrap;}}
.crmkit-card-section {{flex: 1 1 230px; border: 1px solid {_GREY}55; border-radius: 6px;
  padding: 6px 10px; margin: 4px;}}
.crmkit-card-title {{font-weight: bold; color: {_BLUE};}}
.crmkit-card-category {{font-size: 11px; color: {_GREY};}}
.crmkit-card td.col0 {{color: {_GREY};}}
.crmkit-card td.col1 {{font-weight: bold;}}
</style>"""


def card_html(card: ka.ProfileCard) -> str:
    """The profile card as HTML (a style block and the card, no script), class 'crmkit-card'."""
    sections = "".join(
        "<div class='crmkit-card-section'>"
        f"<div class='crmkit-card-title'>{escape(name)}</div>"
        f"<div class='crmkit-card-category'>{escape(ka.KA3_CATEGORY[name])}</div>"
        f"{table_html(section, show_headers=False)}</div>"
        for name, section in card.sections.items()
    )
    return (
        f"{CARD_STYLE}<div class='crmkit-card'>"
        f"<h4>{escape(' · '.join(filter(None, [card.customer_id, card.shop_name])))}</h4>"
        f"<div class='crmkit-card-sections'>{sections}</div></div>"
    )


@dataclass(frozen=True)
class CardView:
    """One customer's card and profit row in the explorer's year."""

    customer_id: str
    card: ka.ProfileCard


class ProfileCardExplorer(CustomerExplorer[CardView]):
    """Pick or search a customer; see its profile card and where its profit goes.

    `data` is the sample data; `year` defaults to the data's last full year.
    The search box offers every customer active in `year`, most profitable
    first, as 'C00042 · Shop name'; typing part of an id or a shop name and
    pressing Enter finds the first match.
    """

    parts = ("table", "chart")
    chart_width = "760px"

    def __init__(self, data, *, year: int | None = None):
        self.data = data
        self.year = periods(data).last_full_year.year if year is None else int(year)
        # Every year's profit and tiers once, for the cards; the chosen year's table is one of them.
        years = data.orders["order_date"].dt.year.unique()
        self.history = ka.yearly_tiers(data, sorted({int(y) for y in years if y <= self.year}))
        if self.year not in self.history:
            raise CrmkitError(f"no orders in {self.year}; pick a year the data covers")
        self.table = self.history[self.year][0]
        ranked = best_first(self.table[ranking_measure(self.table)[0]])
        self.search = CustomerSearch(attributes(data), ranked.index)
        super().__init__(str(ranked.index[0]))

    @property
    def customer_id(self) -> str:
        """The customer shown now."""
        return self.settings

    def compute(self, customer_id: str) -> CardView:
        return CardView(customer_id, ka.profile_card(self.data, customer_id, history=self.history))

    def render(self, view: CardView) -> Rendered:
        return Rendered(chart=self.chart(view.customer_id), table=card_html(view.card))

    def card_html(self, customer_id: str) -> str:
        """The profile card of one customer, as HTML."""
        return card_html(self.compute(customer_id).card)

    def chart(self, customer_id: str) -> bytes:
        """Where the customer's margin goes in `year`, as a PNG waterfall; its revenue by year
        where the data has no margins (no margin, no waterfall)."""
        if self.table["profit"].isna().all():
            revenue = pd.Series(
                {
                    str(y): t.at[customer_id, "revenue"] if customer_id in t.index else 0.0
                    for y, (t, _) in self.history.items()
                }
            )
            fig = plots.bar_by_group(
                revenue,
                fmt="¥{:,.0f}",
                xlabel="revenue (yuan)",
                title=f"{customer_id}: revenue by year (no margins, so no waterfall)",
            )
            fig.set_size_inches(7.6, 1.8 + 0.45 * len(revenue))  # room for the title
            return plots.to_png(fixed_layout(fig, left=0.12, right=0.9, top=0.8, bottom=0.25))
        if customer_id in self.table.index:
            row = self.table.loc[customer_id]
        else:  # not active this year: an all-zero row keeps the chart honest
            row = pd.Series(0.0, index=self.table.columns)
        fig = plots.profit_waterfall(
            pyr.profit_waterfall(row),
            title=f"{customer_id} in {self.year}: what is left is {money(row['profit'])}",
        )
        return plots.to_png(fixed_layout(fig, left=0.16, right=0.98, top=0.9, bottom=0.3))


# -- the key-account threshold explorer (KA1, KA2) -------------------------------------------

#: Each threshold of the rule: (label, lowest, highest, step) of its slider.
RULE_CONTROLS = {
    "volume_top_share": ("Top share by revenue", 0.01, 0.5, 0.01),
    "min_share_of_wallet": ("Share of wallet ≥", 0.0, 1.0, 0.05),
    "min_contacts_per_month": ("Contacts a month ≥", 0.0, 4.0, 0.1),
    "max_price_sensitivity": ("Discounts / margin ≤", 0.0, 1.0, 0.05),
    "min_months_ordered_share": ("Months ordered ≥", 0.0, 1.0, 0.05),
    "min_tenure_years": ("Years a customer ≥", 0.0, 10.0, 0.5),
}

#: Headers of the explorer's table.
RULE_HEADERS = {
    "shop_name": "Shop",
    "change": "Change",
    "criteria_met": "Other criteria met",
    "reason": "Why, under this rule",
}


@dataclass(frozen=True)
class RuleView:
    """Who is a key account under one rule, compared with the default rule."""

    rule: ka.KeyAccountRule
    compared: pd.DataFrame
    headline: str


def compute_rule(measures: pd.DataFrame, rule: ka.KeyAccountRule) -> RuleView:
    """The key accounts of `rule` against the default rule, with a one-line headline."""
    compared = ka.compare_rules(measures, rule)
    counts = compared["change"].value_counts()
    now = int(counts.get("stays", 0) + counts.get("enters", 0))
    default = int(counts.get("stays", 0) + counts.get("leaves", 0))
    headline = (
        f"{now} key accounts under this rule ({default} under the default rule): "
        f"{int(counts.get('enters', 0))} enter, {int(counts.get('leaves', 0))} leave."
    )
    return RuleView(rule, compared, headline)


def rule_table_html(view: RuleView, limit: int = 12) -> str:
    """The headline, then the customers who enter or leave (up to `limit` of each)."""
    moved = view.compared[view.compared["change"] != "stays"]
    shown = moved.groupby("change", observed=True, sort=False).head(limit)
    frame = shown[["shop_name", "change", "revenue", "profit", "criteria_met", "reason"]]
    frame = frame.rename_axis("customer")
    if frame.empty:
        return headed(
            view.headline, "<p>Nobody enters or leaves: the same list as the default.</p>"
        )
    frame = frame.assign(reason=frame["reason"].astype(str).str.replace("; ", ";\n"))
    return headed(
        view.headline,
        table_html(
            frame,
            headers=RULE_HEADERS,
            money=("revenue", "profit"),
            caption=f"Who enters or leaves the list (up to {limit} of each, largest first)",
        ),
    )


class KeyAccountExplorer(Explorer[ka.KeyAccountRule, RuleView]):
    """Move the thresholds of the key-account rule; see who enters or leaves the list.

    `measures` is `key_accounts.key_account_measures(data, period_end=...)`; the starting
    rule is the default (`key_accounts.KeyAccountRule()`), the list compared against.
    """

    chart_width = "640px"
    panel_width = "340px"
    label_width = "150px"
    table_below = True  # the "why" column needs the width of the page

    def __init__(self, measures: pd.DataFrame, rule: ka.KeyAccountRule | None = None):
        if measures.empty:
            raise CrmkitError("no customers to assess; check the period of the measures")
        self.measures = measures
        super().__init__(rule or ka.KeyAccountRule())

    def compute(self, rule: ka.KeyAccountRule) -> RuleView:
        return compute_rule(self.measures, rule)

    def render(self, view: RuleView) -> Rendered:
        counts = view.compared["change"].value_counts()
        fig = plots.rule_change_chart(
            view.compared,
            title=f"{int(counts.get('enters', 0))} enter, {int(counts.get('leaves', 0))} leave "
            "the default list",
        )
        png = plots.to_png(fixed_layout(fig, left=0.14, right=0.95, top=0.85, bottom=0.22))
        return Rendered(chart=png, table=rule_table_html(view))

    def make_controls(self) -> dict[str, w.Widget]:
        rule = self.settings
        controls: dict[str, w.Widget] = {
            name: w.FloatSlider(
                value=getattr(rule, name), min=low, max=high, step=step, description=label,
                continuous_update=False, readout_format=".2f",
            )
            for name, (label, low, high, step) in RULE_CONTROLS.items()
        }  # fmt: skip
        controls["min_other_criteria"] = w.IntSlider(
            value=rule.min_other_criteria,
            min=0,
            max=4,
            description="Other criteria ≥",
            continuous_update=False,
        )
        return controls
