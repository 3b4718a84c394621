"""The shifted-beta-geometric model reproduces Fader and Hardie (2007) and recovers
parameters it was simulated from."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.customer_base_models import sbg
from crmkit.errors import CrmkitError

#: Fader and Hardie (2007), "regular" customers: % still customers after 0..12 years.
REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3]


def test_reproduces_the_published_fit_and_projects_the_holdout_years():
    """Calibrated on years 0-7 as the paper does: alpha 0.704, beta 1.182; the projection
    of years 8-12 stays within a point of what happened."""
    fitted = sbg.fit(sbg.survivors_from_shares(REGULAR[:8]))
    assert fitted.params["alpha"] == pytest.approx(0.704, abs=5e-4)
    assert fitted.params["beta"] == pytest.approx(1.182, abs=5e-4)
    projected = sbg.survival(fitted, 12) * 100
    assert np.abs(projected.iloc[8:].to_numpy() - np.array(REGULAR[8:])).max() < 1.0
    assert (fitted.standard_errors > 0).all()
    assert "alpha 0.7041" in str(fitted)


def test_recovers_simulated_parameters_within_their_standard_errors():
    rng = np.random.default_rng(20071)
    alpha, beta, n, periods = 0.9, 2.5, 20_000, 10
    theta = rng.beta(alpha, beta, n)
    churn_period = rng.geometric(theta)  # the period each customer leaves in (1, 2, ...)
    survivors = [(churn_period > t).sum() for t in range(periods + 1)]
    fitted = sbg.fit(survivors)
    for name, truth in (("alpha", alpha), ("beta", beta)):
        assert abs(fitted.params[name] - truth) < 3 * fitted.standard_errors[name], name


def test_retention_rises_with_tenure_and_matches_the_survival_curve():
    params = {"alpha": 0.704, "beta": 1.182}
    rates = sbg.retention_rates(params, 12)
    assert rates.is_monotonic_increasing
    curve = sbg.survival(params, 12)
    assert np.allclose(curve.iloc[1:].to_numpy() / curve.iloc[:-1].to_numpy(), rates.to_numpy())
    assert curve.iloc[0] == 1.0


def test_bad_cohorts_get_a_sentence():
    with pytest.raises(CrmkitError, match="never rise"):
        sbg.fit([1000, 600, 700])
    with pytest.raises(CrmkitError, match="nobody left"):
        sbg.fit([1000, 1000, 1000])
    with pytest.raises(CrmkitError, match="start at 100%"):
        sbg.survivors_from_shares([90, 80])
    with pytest.raises(CrmkitError, match="two positive parameters"):
        sbg.survival((0.7, -1.0), 3)
    with pytest.raises(CrmkitError, match="whole number"):
        sbg.survival((0.7, 1.1), 2.5)
