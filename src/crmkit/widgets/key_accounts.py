"""Explorer of lesson 03: the core-customer profile card (PY4) and key-account file (KA3)."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, Image, display

from crmkit import key_accounts as ka
from crmkit import plots
from crmkit import pyramid as pyr
from crmkit.customer_base import find_customers, money
from crmkit.errors import CrmkitError
from crmkit.widgets.base import chart_area, error_html, fixed_layout, label_controls, table_area


class ProfileCardExplorer:
    """Pick or search a customer; see its profile card and where its profit goes.

    `data` is the sample data. The search box offers every customer active in
    `year`, most profitable first, as 'C00042 · Shop name'; typing part of an
    id or a shop name and pressing Enter finds the first match.
    """

    def __init__(self, data, *, year: int = 2025):
        self.data = data
        self.year = int(year)
        # Every year's profit and tiers once, for the cards; the chosen year's table is one of them.
        years = data.orders["order_date"].dt.year.unique()
        self.history = ka.yearly_tiers(data, sorted({int(y) for y in years if y <= self.year}))
        if self.year not in self.history:
            raise CrmkitError(f"no orders in {self.year}; pick a year the data covers")
        self.table = self.history[self.year][0]
        names = data.customers.assign(customer_id=data.customers["customer_id"].astype(str))
        self.names = names.set_index("customer_id")["shop_name"]
        ranked = self.table["profit"].sort_values(ascending=False, kind="mergesort")
        self.customer_id = str(ranked.index[0])
        self._options = [f"{cid} · {self.names.get(cid, '')}" for cid in ranked.index]
        self._widget: w.Widget | None = None

    def options(self) -> list[str]:
        """The search box's suggestions, most profitable customer first."""
        return list(self._options)

    def find(self, text: str) -> str:
        """The customer id a search text refers to: an option, an id, or part of a shop name."""
        key = str(text).split("·")[0].strip()
        if key.upper() in self.names.index:
            return key.upper()
        hits = find_customers(self.data, str(text).strip(), limit=1)
        if len(hits) == 0:
            raise CrmkitError(
                f"no customer matches '{text}'; type an id like C00042 or a shop name"
            )
        return str(hits.index[0])

    def card_html(self, customer_id: str) -> str:
        """The profile card of one customer, as HTML."""
        return ka.profile_card(self.data, customer_id, history=self.history).to_html()

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

    def static(self, customer_id: str | None = None) -> None:
        """The card and the chart without widgets (GitHub, PDF, nbconvert)."""
        cid = self.find(customer_id) if customer_id else self.customer_id
        display(HTML(self.card_html(cid)))
        display(Image(self.chart(cid)))

    def widget(self, start: str | None = None) -> w.Widget:
        """A search box, the profile card and the profit waterfall of the chosen customer."""
        if self._widget is not None:
            return self._widget
        first = self.find(start) if start else self.customer_id
        box = w.Combobox(
            options=self._options,
            value=next((o for o in self._options if o.startswith(first)), first),
            description="Customer",
            ensure_option=False,
            placeholder="id or shop name",
            continuous_update=False,
            layout=w.Layout(width="420px"),
        )
        label_controls({"customer": box})
        chart, chart_box = chart_area("760px")
        card = table_area()
        message = w.HTML()

        def redraw(_change: object = None) -> None:
            try:
                cid = self.find(box.value)
                html, png = self.card_html(cid), self.chart(cid)
            except CrmkitError as err:
                message.value = error_html(err)
                return
            self.customer_id = cid
            message.value = ""
            card.value = html
            chart.value = png

        box.observe(redraw, names="value")
        redraw()
        root = w.VBox([box, message, card, chart_box])
        root.add_class("crmkit-explorer")
        self._widget = root
        return root

    def _ipython_display_(self) -> None:
        display(self.widget())
