"""Explorer of lesson 03: the core-customer profile card (PY4) and key-account file (KA3).

The card's content is `key_accounts.ProfileCard` (a topic module, no HTML);
`card_html` renders it here: five sections side by side, each a readable table,
styled by CSS classes in the workbook palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from crmkit import key_accounts as ka
from crmkit import plots
from crmkit import pyramid as pyr
from crmkit.customer_base import attributes, best_first, money, periods
from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import Rendered, fixed_layout
from crmkit.widgets.picker import CustomerExplorer, CustomerSearch
from crmkit.widgets.tables import table_html

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
        f"<h4>{escape(card.customer_id)} · {escape(card.shop_name)}</h4>"
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
        ranked = best_first(self.table["profit"])
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
        """Where the customer's margin goes in `year`, as a PNG waterfall."""
        if customer_id in self.table.index:
            row = self.table.loc[customer_id]
        else:  # not active this year: an all-zero row keeps the chart honest
            row = pd.Series(0.0, index=self.table.columns)
        fig = plots.profit_waterfall(
            pyr.profit_waterfall(row),
            title=f"{customer_id} in {self.year}: what is left is {money(row['profit'])}",
        )
        return plots.to_png(fixed_layout(fig, left=0.16, right=0.98, top=0.9, bottom=0.3))
