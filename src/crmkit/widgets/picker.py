"""The customer picker: one search box for every explorer that shows one customer at a time.

`CustomerSearch` says which customer a text means (an id, part of a shop
name, or a suggestion 'C00042 · Shop name'), through
`customer_base.find_customers`; `CustomerPicker` is its search box with a line
that names the customer found or says that none matches; `CustomerExplorer`
is the explorer base for a view of one customer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from types import SimpleNamespace
from typing import Any, TypeVar

import ipywidgets as w
import pandas as pd
import traitlets

from crmkit.customer_base import find_customers
from crmkit.errors import CrmkitError
from crmkit.plots.style import PALETTE
from crmkit.widgets.base import Explorer, error_line

V = TypeVar("V")


class CustomerSearch:
    """Which customer a search text means, among `customers`; suggestions in `order`.

    `customers` is indexed by customer_id with shop_name, business_format and
    market_type (`customer_base.attributes(data)`, or a table made with
    `with_attributes`); `order` lists the suggested ids (default: all, by id).
    """

    def __init__(self, customers: pd.DataFrame, order: Sequence[str] | None = None) -> None:
        self.names = customers["shop_name"]
        # find_customers reads only `.customers`: these customers, with the id as a column.
        self._data = SimpleNamespace(customers=customers.rename_axis("customer_id").reset_index())
        ids = self.names.index if order is None else order
        self._options = [self.label(cid) for cid in ids]

    def options(self) -> list[str]:
        """The suggestions, 'C00042 · Golden Harvest Mart', in the order given."""
        return list(self._options)

    def option(self, customer_id: str) -> str:
        """The suggestion of one customer (the id alone if it is not suggested)."""
        return next((o for o in self._options if o.split(" · ")[0] == customer_id), customer_id)

    def find(self, text: str) -> str:
        """The customer id a text refers to: a suggestion, an id, or part of an id or shop name."""
        key = str(text).split("·")[0].strip().upper()
        if key in self.names.index:
            return key
        hits = find_customers(self._data, str(text), limit=1)
        if hits.empty:
            raise CrmkitError(
                f"no customer matches '{text}'; type an id like C00042 or a shop name"
            )
        return str(hits.index[0])

    def label(self, customer_id: str) -> str:
        """'C00042 · Golden Harvest Mart' for one customer; the id alone where the data has
        no shop names (a trainer's own data)."""
        name = self.names.get(customer_id)
        return f"{customer_id} · {name}" if isinstance(name, str) and name else str(customer_id)


class CustomerPicker(w.VBox):
    """A search box and a line under it: the customer found, or that none matches.

    `value` is the chosen customer's id. It changes only when the text finds a
    customer, so an explorer observing it redraws for real customers only and
    keeps showing the last one while the text matches nobody.
    """

    value = traitlets.Unicode(help="the id of the customer the search box found")

    def __init__(self, search: CustomerSearch, customer_id: str, *, width: str = "420px") -> None:
        self.box = w.Combobox(
            options=search.options(),
            value=search.option(customer_id),
            description="Customer",
            ensure_option=False,
            placeholder="id or shop name",
            continuous_update=False,
            layout=w.Layout(width=width),
            style={"description_width": "80px"},
        )
        self.line = w.HTML()
        super().__init__([self.box, self.line])
        self.search = search
        self.value = customer_id
        self._found(customer_id)
        self.box.observe(self._typed, names="value")

    def _found(self, customer_id: str) -> None:
        style = f"color:{PALETTE['grey']};font-size:12px"
        found = escape(self.search.label(customer_id))
        self.line.value = f"<span class='crmkit-picker-match' style='{style}'>{found}</span>"

    def _typed(self, change: Mapping[str, Any]) -> None:
        try:
            customer_id = self.search.find(change["new"])
        except CrmkitError as err:
            self.line.value = error_line(err)
            return
        self._found(customer_id)
        self.value = customer_id


class CustomerExplorer(Explorer[str, V]):
    """An explorer of one customer at a time: the settings are the customer id.

    A subclass sets `self.search` (a CustomerSearch) before calling
    `super().__init__(first_customer_id)`, and supplies `compute` and `render`.
    """

    search: CustomerSearch

    def options(self) -> list[str]:
        """The search box's suggestions."""
        return self.search.options()

    def find(self, text: str) -> str:
        """The customer id a search text refers to: a suggestion, an id, or part of a name."""
        return self.search.find(text)

    def make_controls(self) -> dict[str, w.Widget]:
        return {"customer": CustomerPicker(self.search, self.settings)}

    def read(self, values: dict[str, Any]) -> str:
        return values["customer"]

    def arrange(self, controls: Mapping[str, w.Widget], outputs: list[w.Widget]) -> w.Box:
        return w.VBox([*controls.values(), *outputs])

    def static(self, customer_id: str | None = None) -> None:
        """The views of one customer (default: the current one) without widgets."""
        super().static(None if customer_id is None else self.find(customer_id))

    def widget(self, start: str | None = None) -> w.Widget:
        """The search box and the views of the chosen customer (`start`, if given)."""
        if start is not None:
            if self._root is None:
                self.settings = self.find(start)
            else:
                self.controls["customer"].box.value = start
        return super().widget()
