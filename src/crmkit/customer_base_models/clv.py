"""Customer lifetime value from a transaction model and the spend model, with every unit
stated: the classic trap is a model fitted in weeks, discounted as if its time were months.

Rule (the discounted cash flow of Fader, Hardie and Lee 2005, as analysts compute it):
for each discount period i = 1..periods, the purchases expected in that period,
E[Y(t_i)] - E[Y(t_{i-1})] with t_i = i * period_days / unit_days in the model's time unit,
times the expected spend per purchase, discounted by (1 + rate) ** i, where `rate` is the
discount rate per period; summed over the periods. Value here is spend (revenue); multiply
by a margin for profit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.customer_base_models import bgnbd, gamma_gamma, pareto_nbd
from crmkit.customer_base_models.fitting import FitResult
from crmkit.errors import CrmkitError

#: The transaction models a lifetime value can come from, by the name a fit carries.
MODELS = {"BG/NBD": bgnbd, "Pareto/NBD": pareto_nbd}


def _positive(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not np.isfinite(number) or number <= 0:
        raise CrmkitError(f"{name} must be a positive number; got {value!r}")
    return number


def lifetime_value(
    transactions: FitResult,
    spend: FitResult,
    summary: pd.DataFrame,
    *,
    unit_days: float,
    period_days: float,
    periods: int,
    rate: float,
) -> pd.Series:
    """Each customer's discounted expected spend over `periods` periods of `period_days`
    days, at `rate` per period, from a BG/NBD or Pareto/NBD fit (`transactions`, fitted in
    a time unit of `unit_days` days) and a Gamma-Gamma fit (`spend`).

    `summary` is `summary.rfm_summary(...)` in the same unit as the fit: frequency,
    recency, T and monetary_value. Every unit is a required argument, so a fit in weeks
    cannot be discounted by months by mistake.
    """
    model = MODELS.get(transactions.model)
    if model is None:
        raise CrmkitError(
            f"a lifetime value needs a BG/NBD or Pareto/NBD fit; got a {transactions.model} fit"
        )
    if spend.model != gamma_gamma.MODEL:
        raise CrmkitError(f"the spend per purchase needs a Gamma-Gamma fit; got {spend.model}")
    unit = _positive(unit_days, "unit_days (the days in the fit's time unit)")
    period = _positive(period_days, "period_days (the days in a discount period)")
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise CrmkitError(f"periods must be a whole number >= 1; got {periods!r}")
    try:
        discount = float(rate)
    except (TypeError, ValueError):
        discount = float("nan")
    if isinstance(rate, bool) or not 0 <= discount < 1:
        raise CrmkitError(f"rate is a discount rate per period, from 0 to below 1; got {rate!r}")
    missing = [c for c in ("frequency", "recency", "T", "monetary_value") if c not in summary]
    if missing:
        raise CrmkitError(f"the summary has no column {missing[0]!r}; make it with rfm_summary")
    x, tx, age = summary["frequency"], summary["recency"], summary["T"]
    per_purchase = np.asarray(
        gamma_gamma.conditional_expected_spend(spend, x, summary["monetary_value"]), dtype=float
    )
    value = np.zeros(len(summary))
    before = np.zeros(len(summary))
    for i in range(1, int(periods) + 1):
        t = np.full(len(summary), i * period / unit)
        after = np.asarray(model.conditional_expected_purchases(transactions, t, x, tx, age))
        value += (after - before) * per_purchase / (1.0 + discount) ** i
        before = after
    return pd.Series(value, index=summary.index, name="lifetime_value")
