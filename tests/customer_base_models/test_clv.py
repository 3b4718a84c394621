"""Lifetime value from the fitted models: the discounted sum by hand, its units, its limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmkit.customer_base_models import bgnbd, clv, gamma_gamma, pareto_nbd
from crmkit.errors import CrmkitError


@pytest.fixture(scope="module")
def fits():
    """Fits on simulated customers (BG/NBD transactions, Gamma-Gamma spend), in weeks."""
    customers = bgnbd.simulate({"r": 0.25, "alpha": 4.4, "a": 0.8, "b": 2.4}, 3000, T=52.0, seed=11)
    rng = np.random.default_rng(5)
    repeat = customers["frequency"] > 0
    customers["monetary_value"] = np.where(repeat, rng.gamma(6.0, 5.0, len(customers)), 0.0)
    summary = customers[["frequency", "recency", "T", "monetary_value"]]
    return (
        summary,
        bgnbd.fit(summary),
        pareto_nbd.fit(summary),
        gamma_gamma.fit(summary),
    )


def test_the_discounted_sum_by_hand(fits):
    summary, bg, _, gg = fits
    value = clv.lifetime_value(bg, gg, summary, unit_days=7, period_days=30, periods=3, rate=0.01)
    x, tx, age = summary["frequency"], summary["recency"], summary["T"]
    spend = gamma_gamma.conditional_expected_spend(gg, x, summary["monetary_value"])
    by_hand = 0.0
    previous = 0.0
    for i in (1, 2, 3):
        after = bgnbd.conditional_expected_purchases(bg, i * 30 / 7, x, tx, age)
        by_hand = by_hand + (after - previous) * spend / 1.01**i
        previous = after
    pd.testing.assert_series_equal(value, by_hand.rename("lifetime_value"), check_names=False)


def test_units_matter_and_value_grows_with_the_horizon(fits):
    summary, bg, pn, gg = fits
    weeks = clv.lifetime_value(bg, gg, summary, unit_days=7, period_days=30, periods=12, rate=0)
    # the trap: a fit in weeks read as if its unit were months overstates the future
    months = clv.lifetime_value(bg, gg, summary, unit_days=30, period_days=30, periods=12, rate=0)
    assert months.sum() < weeks.sum()
    longer = clv.lifetime_value(bg, gg, summary, unit_days=7, period_days=30, periods=24, rate=0)
    assert (longer >= weeks - 1e-9).all() and longer.sum() > weeks.sum()
    discounted = clv.lifetime_value(
        bg, gg, summary, unit_days=7, period_days=30, periods=12, rate=0.05
    )
    assert discounted.sum() < weeks.sum()
    both = clv.lifetime_value(pn, gg, summary, unit_days=7, period_days=30, periods=12, rate=0)
    assert both.sum() == pytest.approx(weeks.sum(), rel=0.15)  # two models, one base


def test_wrong_fits_and_units_get_a_sentence(fits):
    summary, bg, _, gg = fits
    kwargs = {"unit_days": 7, "period_days": 30, "periods": 12, "rate": 0.01}
    with pytest.raises(CrmkitError, match="needs a BG/NBD or Pareto/NBD fit"):
        clv.lifetime_value(gg, gg, summary, **kwargs)
    with pytest.raises(CrmkitError, match="needs a Gamma-Gamma fit"):
        clv.lifetime_value(bg, bg, summary, **kwargs)
    with pytest.raises(CrmkitError, match="unit_days"):
        clv.lifetime_value(bg, gg, summary, **{**kwargs, "unit_days": 0})
    with pytest.raises(CrmkitError, match="rate is a discount rate per period"):
        clv.lifetime_value(bg, gg, summary, **{**kwargs, "rate": 8})
    with pytest.raises(CrmkitError, match="periods must be a whole number"):
        clv.lifetime_value(bg, gg, summary, **{**kwargs, "periods": 1.5})
    with pytest.raises(CrmkitError, match="no column 'monetary_value'"):
        clv.lifetime_value(bg, gg, summary.drop(columns="monetary_value"), **kwargs)
