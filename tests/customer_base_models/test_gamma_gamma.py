"""The Gamma-Gamma spend model reproduces Fader, Hardie and Lee (2005) on CDNOW, recovers
parameters it was simulated from, and refuses data and parameters it cannot work with in
words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gradient_counts import assert_fewer_evaluations_same_fit
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.customer_base_models import gamma_gamma
from crmkit.customer_base_models.fitting import ModelFitError
from crmkit.customer_base_models.summary import rfm_summary
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"

#: Fader, Hardie and Lee (2005) / Fader and Hardie (2013), CDNOW's 946 repeat buyers.
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW sample's customer summary in weeks with average repeat spend (the file is
    read at test time, never copied into the repo)."""
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW sample is not on this machine (looked for {CDNOW})")
    orders = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master", "customer_id", "day", "cds", "revenue"]
    )
    orders["order_date"] = pd.to_datetime(orders["day"].astype(str), format="%Y%m%d")
    return rfm_summary(orders, unit_days=7, calibration_end="1997-09-30")


def test_reproduces_the_published_fit_on_cdnow(cdnow):
    fitted = gamma_gamma.fit(cdnow)
    assert fitted.n == 946  # the repeat buyers; the others are left out by rule
    for name, value in PUBLISHED.items():
        assert abs(fitted.params[name] - value) < 5e-3, (name, fitted.params[name])
    assert (fitted.standard_errors > 0).all()
    buyers = cdnow[cdnow["frequency"] > 0]
    per_buyer = gamma_gamma.log_likelihood(fitted, buyers["frequency"], buyers["monetary_value"])
    assert per_buyer.index.equals(buyers.index)
    assert per_buyer.sum() == pytest.approx(fitted.log_likelihood, abs=1e-6)


def test_expected_spend_on_cdnow_weighs_own_spend_against_the_population(cdnow):
    spend = gamma_gamma.conditional_expected_spend(
        PUBLISHED, cdnow["frequency"], cdnow["monetary_value"]
    )
    assert spend.index.equals(cdnow.index)
    p, q, gamma = PUBLISHED.values()
    population = p * gamma / (q - 1)
    assert np.allclose(spend[cdnow["frequency"] == 0], population, rtol=1e-12)
    repeat = cdnow["frequency"] > 0
    own = cdnow.loc[repeat, "monetary_value"]
    low, high = np.minimum(own, population), np.maximum(own, population)
    assert ((spend[repeat] >= low - 1e-9) & (spend[repeat] <= high + 1e-9)).all()


def simulate(p: float, q: float, gamma: float, n: int, seed: int) -> pd.DataFrame:
    """Repeat buyers as the model describes them: nu ~ gamma(q, rate gamma) per customer,
    1 to 20 repeat purchases each worth gamma(p, rate nu); monetary value is their mean."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1 / gamma, n)
    x = 1 + rng.poisson(2.5, n).clip(max=19)
    spend = rng.gamma(p, 1 / np.repeat(nu, x))
    owner = np.repeat(np.arange(n), x)
    mean = np.bincount(owner, weights=spend) / x
    return pd.DataFrame({"frequency": x, "monetary_value": mean})


def test_recovers_simulated_parameters_within_three_standard_errors():
    truth = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    data = simulate(*truth.values(), n=6000, seed=2013)
    # customers without a repeat purchase are left out of the fit, whatever they carry
    data = pd.concat([data, pd.DataFrame({"frequency": [0] * 50, "monetary_value": 0.0})])
    fitted = gamma_gamma.fit(data)
    assert fitted.n == 6000
    for name, value in truth.items():
        assert abs(fitted.params[name] - value) < 3 * fitted.standard_errors[name], name


@settings(max_examples=50, derandomize=True, deadline=None)
@given(
    st.floats(0.1, 50.0),
    st.floats(1.01, 50.0),
    st.floats(0.1, 500.0),
    st.integers(0, 500),
    st.floats(0.01, 1000.0),
)
def test_expected_spend_lies_between_own_mean_and_population_mean(p, q, gamma, x, m):
    spend = gamma_gamma.conditional_expected_spend((p, q, gamma), x, m)
    population = p * gamma / (q - 1)
    own = m if x > 0 else population
    assert min(own, population) * (1 - 1e-12) <= spend <= max(own, population) * (1 + 1e-12)
    # one more purchase at the same average moves the forecast towards the customer's own
    more = gamma_gamma.conditional_expected_spend((p, q, gamma), x + 1, m)
    assert abs(more - m) <= abs(spend - m) * (1 + 1e-12)


def test_refuses_what_it_cannot_work_with():
    with pytest.raises(CrmkitError, match="q = 0.9 is not above 1"):
        gamma_gamma.conditional_expected_spend((2.0, 0.9, 10.0), [0, 3], [0.0, 20.0])
    assert gamma_gamma.conditional_expected_spend((2.0, 0.9, 10.0), 3, 20.0) > 0
    with pytest.raises(CrmkitError, match="three positive parameters"):
        gamma_gamma.conditional_expected_spend((2.0, 3.0), 1, 10.0)
    with pytest.raises(CrmkitError, match="monetary_value must be a finite amount"):
        gamma_gamma.conditional_expected_spend(PUBLISHED, 1, -5.0)
    with pytest.raises(CrmkitError, match="likelihood is for repeat buyers"):
        gamma_gamma.log_likelihood(PUBLISHED, [0, 2], [0.0, 10.0])
    with pytest.raises(CrmkitError, match="no column 'monetary_value'.*amount column"):
        gamma_gamma.fit(pd.DataFrame({"frequency": [1, 2]}))
    few = simulate(6.0, 4.0, 15.0, n=3, seed=1)
    with pytest.raises(CrmkitError, match="at least 20 of them; the summary has 3"):
        gamma_gamma.fit(few)
    nobody_back = pd.DataFrame({"frequency": [0] * 40, "monetary_value": 0.0})
    with pytest.raises(CrmkitError, match="has 0"):
        gamma_gamma.fit(nobody_back)
    refunds = simulate(6.0, 4.0, 15.0, n=100, seed=2)
    refunds.loc[[3, 7], "monetary_value"] = [0.0, -12.0]
    with pytest.raises(CrmkitError, match="2 repeat buyers have a monetary value of 0 or less"):
        gamma_gamma.fit(refunds)
    same = pd.DataFrame({"frequency": [2] * 30, "monetary_value": 25.0})
    with pytest.raises(CrmkitError, match="same monetary value"):
        gamma_gamma.fit(same)


def test_spend_that_hardly_varies_is_refused():
    """Every purchase worth 25 give or take 0.1%: p and q run off towards infinity (no
    variation within or across customers), and the fit says so instead of returning them."""
    rng = np.random.default_rng(5)
    x = 1 + rng.poisson(3, 500)
    data = pd.DataFrame(
        {"frequency": x, "monetary_value": 25 * (1 + 1e-3 * rng.standard_normal(500) / np.sqrt(x))}
    )
    with pytest.raises(
        ModelFitError, match="drifted towards a limit.*p = .*spend varies too little"
    ):
        gamma_gamma.fit(data)


# --- the fit's analytic gradient --------------------------------------------------------


def buyers_with_heavy_ones() -> tuple[np.ndarray, np.ndarray]:
    """2,000 simulated repeat buyers and the edges: 5,000 and 2,000 purchases, tiny and
    large average spend, a single repeat purchase."""
    data = simulate(6.25, 3.74, 15.44, n=2000, seed=7)
    x = np.append(data["frequency"].to_numpy(float), [5000, 5000, 2000, 1, 1])
    m = np.append(data["monetary_value"].to_numpy(float), [12.5, 0.01, 300.0, 1e4, 0.05])
    return x, m


def central_differences(f, p: np.ndarray) -> np.ndarray:
    """The gradient of f at p by five-point central differences (steps of 1e-3 of each
    parameter)."""
    slopes = np.empty(len(p))
    for i in range(len(p)):
        h = np.zeros(len(p))
        h[i] = 1e-3 * p[i]
        slopes[i] = (-f(p + 2 * h) + 8 * f(p + h) - 8 * f(p - h) + f(p - 2 * h)) / (12 * h[i])
    return slopes


@pytest.mark.parametrize(
    "params",
    [tuple(PUBLISHED.values()), (0.5, 1.2, 100.0), (30.0, 50.0, 2.0), (1.0, 1.0, 1.0)],
)
def test_the_fit_gradient_matches_central_differences_of_the_likelihood(params):
    """The gradient fit_mle is given, against differences of the per-buyer log-likelihood
    summed (`log_likelihood`), to a relative 1e-6 in every parameter."""
    x, m = buyers_with_heavy_ones()
    neg_log_likelihood, gradient = gamma_gamma._fit_functions(x, m)
    p = np.array(params)

    def summed(q):
        return -gamma_gamma.log_likelihood(q, x, m).sum()

    assert neg_log_likelihood(p) == pytest.approx(summed(p), rel=1e-12)
    np.testing.assert_allclose(gradient(p), central_differences(summed, p), rtol=1e-6)


def test_the_fit_with_its_gradient_needs_at_most_half_the_evaluations_on_cdnow(cdnow, monkeypatch):
    exact = assert_fewer_evaluations_same_fit(monkeypatch, gamma_gamma, cdnow)
    for name, value in PUBLISHED.items():
        assert abs(exact.params[name] - value) < 5e-3, name


def test_the_fit_with_its_gradient_needs_at_most_half_the_evaluations_on_many_buyers(
    monkeypatch,
):
    assert_fewer_evaluations_same_fit(
        monkeypatch, gamma_gamma, simulate(6.25, 3.74, 15.44, 20_000, seed=9)
    )
