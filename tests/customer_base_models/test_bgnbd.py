"""The BG/NBD model reproduces Fader, Hardie and Lee (2005) on CDNOW, recovers parameters it
was simulated from, stays finite and accurate where the printed formulas overflow, and says
in words when data cannot support a fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gradient_counts import assert_fewer_evaluations_same_fit
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import betainc, betaln, gammaln, hyp2f1, pdtrc, xlogy

from crmkit.customer_base_models import bgnbd
from crmkit.customer_base_models.fitting import ModelFitError
from crmkit.customer_base_models.summary import rfm_summary
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"

#: Fader, Hardie and Lee (2005), CDNOW sample, 39-week calibration period.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW sample's customer summary in weeks (the file is read at test time, never
    copied into the repo; no header; master id, id, YYYYMMDD, CDs, dollars)."""
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW sample is not on this machine (looked for {CDNOW})")
    orders = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master", "customer_id", "day", "cds", "revenue"]
    )
    orders["order_date"] = pd.to_datetime(orders["day"].astype(str), format="%Y%m%d")
    return rfm_summary(
        orders, unit_days=7, calibration_end="1997-09-30", observation_end="1998-06-30"
    )


def test_reproduces_the_published_fit_on_cdnow(cdnow):
    fitted = bgnbd.fit(cdnow)
    for name, value in PUBLISHED.items():
        assert abs(fitted.params[name] - value) < 5e-4, name
    assert abs(fitted.log_likelihood - -9582.4) < 0.05
    assert fitted.n == 2357
    assert (fitted.standard_errors > 0).all()
    # the sum of the per-customer log-likelihoods is what the fit maximised
    per_customer = bgnbd.log_likelihood(fitted, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert per_customer.sum() == pytest.approx(fitted.log_likelihood, abs=1e-6)


def test_reproduces_the_published_conditional_expectation():
    """FHL (2005): a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
    purchases in the next 39 weeks."""
    expected = bgnbd.conditional_expected_purchases(PUBLISHED, 39, 2, 30.43, 38.86)
    assert abs(expected - 1.226) < 5e-4
    # and the printed formula (as printed in the paper, fine for such a customer) agrees
    r, alpha, a, b = PUBLISHED.values()
    x, tx, T, t = 2, 30.43, 38.86, 39
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + T + t)
    )
    alive = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
    assert expected == pytest.approx(alive * (a + b + x - 1) / (a - 1) * bracket, rel=1e-12)


def test_forecasts_the_cdnow_holdout_period_per_customer(cdnow):
    """Series in, Series out on the summary's index; a sanity bound (not a published figure):
    the 39-week forecasts add up to within 15% of the repeat purchases that happened."""
    forecast = bgnbd.conditional_expected_purchases(
        PUBLISHED, cdnow["duration_holdout"], cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    assert isinstance(forecast, pd.Series) and forecast.index.equals(cdnow.index)
    assert abs(forecast.sum() / cdnow["frequency_holdout"].sum() - 1) < 0.15
    # customers who bought more often are expected to buy more
    by_frequency = forecast.groupby(cdnow["frequency"].clip(upper=7)).mean()
    assert by_frequency.is_monotonic_increasing


def test_recovers_simulated_parameters_within_three_standard_errors():
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 3.0}
    ages = np.random.default_rng(11).uniform(10, 52, 8000)  # customers who joined over a year
    data = bgnbd.simulate(truth, 8000, ages, seed=2005)
    fitted = bgnbd.fit(data)
    errors = fitted.standard_errors
    for name, value in truth.items():
        assert abs(fitted.params[name] - value) < 3 * errors[name], (name, fitted.params[name])


def test_the_simulator_matches_the_expected_purchases_of_new_customers():
    """The mean frequency of simulated customers watched for T is E[X(T)] (FHL 2005),
    within four standard errors of the mean."""
    params = (0.8, 5.0, 1.3, 4.0)
    for horizon in (5.0, 40.0):
        data = bgnbd.simulate(params, 40_000, horizon, seed=int(horizon))
        mean, error = data["frequency"].mean(), data["frequency"].std() / np.sqrt(len(data))
        assert abs(mean - bgnbd.expected_purchases(params, horizon)) < 4 * error
        assert (data["recency"] <= data["T"]).all() and (
            data.loc[data.frequency == 0, "recency"] == 0
        ).all()


def expected_while_alive_by_sum(r, alpha, a, b, x, T, t):
    """E[Y(t) | alive] as a sum of positive terms, independent of the module's methods:
    sum over k >= 1 of P(at least k purchases in t, had nobody dropped out) times P(still
    alive after k - 1 more purchases). The first is a negative binomial tail
    (I_z(k, r + x), z = t / (alpha + T + t)), the second B(a, b + x + k - 1) / B(a, b + x)."""
    z = t / (alpha + T + t)
    shape = r + x
    mean, sd = shape * z / (1 - z), np.sqrt(shape * z) / (1 - z)
    # the tail falls like z^k: run on until z^k < e^-45 and well past the mean
    k = np.arange(1, int(mean + 40 * sd + 45 / (1 - z)) + 100)
    tail = betainc(k, shape, z)
    survive = np.exp(
        gammaln(b + x + k - 1) - gammaln(b + x) + gammaln(a + b + x) - gammaln(a + b + x + k - 1)
    )
    return float(np.sum(tail * survive))


HARD_CASES = [
    # (r, alpha, a, b, x, T, t): many purchases, where 2F1 as printed overflows
    (0.243, 4.414, 0.793, 2.426, 5000, 40.0, 39.0),
    (0.243, 4.414, 0.793, 2.426, 800, 40.0, 500.0),
    (2.0, 10.0, 3.0, 20.0, 300, 39.0, 200.0),
    # a = 1 exactly and near it, where (a + b + x - 1) / (a - 1) blows up
    (0.5, 5.0, 1.0, 2.0, 3, 20.0, 39.0),
    (0.5, 5.0, 1.0 + 1e-9, 2.0, 0, 0.0, 300.0),
    (0.5, 5.0, 1.0 - 3e-5, 2.0, 1, 10.0, 1000.0),
    # long horizons for a new customer (z near 1), small and large a
    (0.05, 1.0, 0.05, 10.0, 0, 0.0, 1000.0),
    (5.0, 1.0, 10.0, 2.4, 5, 0.5, 1000.0),
    (0.243, 4.414, 0.793, 2.426, 0, 0.0, 5000.0),
    (0.243, 4.414, 0.793, 2.426, 3, 1.0, 1e5),
    # r + 1 - a a whole number, where scipy's hyp2f1 takes its limit formulas
    (5.0, 1.0, 5.0, 100.0, 0, 0.0, 10.0),
    (2.0, 1.0, 3.0, 5.0, 1, 0.5, 100.0),
    # tiny horizons, where 1 - G loses digits
    (0.243, 4.414, 0.793, 2.426, 2, 38.86, 1e-6),
]


@pytest.mark.parametrize(("r", "alpha", "a", "b", "x", "T", "t"), HARD_CASES)
def test_conditional_expectation_is_accurate_where_the_printed_formula_fails(
    r, alpha, a, b, x, T, t
):
    tx = 0.0 if x == 0 else T
    got = bgnbd.conditional_expected_purchases((r, alpha, a, b), t, x, tx, T)
    alive = bgnbd.probability_alive((r, alpha, a, b), x, tx, T)
    reference = expected_while_alive_by_sum(r, alpha, a, b, x, T, t)
    assert got == pytest.approx(alive * reference, rel=1e-8)


@pytest.mark.parametrize(("r", "alpha", "a", "b", "x", "T", "t"), HARD_CASES)
def test_each_way_of_evaluating_it_is_right_whenever_it_trusts_itself(r, alpha, a, b, x, T, t):
    """The module tries a power series, then scipy's hyp2f1, then numerical integration,
    each keeping only the values it can vouch for: check each one's vouching on its own."""
    reference = expected_while_alive_by_sum(r, alpha, a, b, x, T, t)
    xs, us = np.array([float(x)]), np.array([t / (alpha + T)])
    for way in (bgnbd._alive_series, bgnbd._alive_hyp2f1):
        value, trusted = way(r, a, b, xs, us)
        if trusted[0]:
            assert value[0] == pytest.approx(reference, rel=1e-8), way.__name__
    assert bgnbd._alive_integral(r, a, b, float(x), us[0]) == pytest.approx(reference, rel=1e-9)


def test_the_printed_formula_does_overflow_there():
    """Why the module does not evaluate the conditional expectation as printed: at 5,000 purchases 2F1 is
    infinite and the power in front is 0, so the product is not a number."""
    r, alpha, a, b = PUBLISHED.values()
    x, T, t = 5000, 40.0, 39.0
    with np.errstate(all="ignore"):
        printed = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, t / (alpha + T + t)
        )
    assert not np.isfinite(printed)


def test_many_purchases_and_no_time_stay_finite():
    params = PUBLISHED
    x = np.array([0, 0, 1, 5000, 5000, 20_000])
    tx = np.array([0.0, 0.0, 0.0, 38.99, 1.0, 38.9])
    T = np.array([0.0, 10.0, 0.0, 39.0, 39.0, 39.0])
    ll = bgnbd.log_likelihood(params, x, tx, T)
    assert np.isfinite(ll).all()
    assert ll[0] == 0.0  # T = 0, nothing bought again: nothing could have happened
    assert ll[1] < 0  # a probability (for x > 0 it is a density in the purchase times)
    alive = bgnbd.probability_alive(params, x, tx, T)
    assert ((alive >= 0) & (alive <= 1)).all()
    assert alive[3] > 0.99 and alive[4] < 1e-100  # 5,000 purchases: silent for 0.01 or 38 weeks
    expected = bgnbd.conditional_expected_purchases(params, 39, x, tx, T)
    assert np.isfinite(expected).all() and (expected >= 0).all()


def test_conditional_expectations_are_finite_and_nonnegative_over_a_wide_grid():
    grid = np.array(
        np.meshgrid(
            [0, 1, 2, 10, 100, 1000, 10_000],  # x
            [0.0, 0.5, 1.0],  # t_x as a share of T
            [0.0, 1.0, 39.0, 500.0],  # T
            [0.0, 0.1, 39.0, 1000.0, 1e5],  # t
        )
    ).reshape(4, -1)
    x, share, T, t = grid
    tx = np.where(x > 0, share * T, 0.0)
    for params in (PUBLISHED, (2.0, 0.5, 1.0, 0.3), (0.05, 50.0, 5.0, 40.0)):
        expected = bgnbd.conditional_expected_purchases(params, t, x, tx, T)
        assert np.isfinite(expected).all() and (expected >= 0).all(), params
        assert (expected[t == 0] == 0).all()


customers = st.tuples(
    st.integers(0, 3000),  # x
    st.floats(0.0, 1.0),  # t_x as a share of T
    st.floats(0.0, 500.0),  # T
)
parameters = st.tuples(
    st.floats(0.01, 20.0), st.floats(0.05, 100.0), st.floats(0.05, 20.0), st.floats(0.05, 50.0)
)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(parameters, customers, st.floats(0.01, 0.99))
def test_probability_alive_is_one_without_repeat_purchases_and_falls_with_recency(
    params, customer, lower
):
    x, share, T = customer
    assert bgnbd.probability_alive(params, 0, 0.0, T) == 1.0
    if x == 0 or T == 0:
        return
    recent, earlier = share * T, share * T * lower
    later_alive = bgnbd.probability_alive(params, x, recent, T)
    earlier_alive = bgnbd.probability_alive(params, x, earlier, T)
    assert 0 <= earlier_alive <= later_alive <= 1


@settings(max_examples=40, derandomize=True, deadline=None)
@given(parameters, customers, st.floats(0.01, 200.0), st.floats(1.01, 10.0))
def test_expected_purchases_grow_with_the_horizon(params, customer, t, longer):
    x, share, T = customer
    tx = share * T if x > 0 else 0.0
    short = bgnbd.conditional_expected_purchases(params, t, x, tx, T)
    long = bgnbd.conditional_expected_purchases(params, t * longer, x, tx, T)
    assert 0 <= short <= long
    assert np.isfinite(long)
    assert bgnbd.expected_purchases(params, t) <= bgnbd.expected_purchases(params, t * longer)


def test_answers_in_the_kind_it_was_asked():
    index = pd.Index(["ann", "bob"], name="customer_id")
    x, tx, T = (
        pd.Series([2, 0], index),
        pd.Series([30.43, 0.0], index),
        pd.Series([38.86, 20], index),
    )
    as_series = bgnbd.probability_alive(PUBLISHED, x, tx, T)
    assert isinstance(as_series, pd.Series) and as_series.index.equals(index)
    as_array = bgnbd.probability_alive(PUBLISHED, x.to_numpy(), tx.to_numpy(), T.to_numpy())
    assert isinstance(as_array, np.ndarray)
    assert np.array_equal(as_series.to_numpy(), as_array)
    assert isinstance(bgnbd.probability_alive(PUBLISHED, 2, 30.43, 38.86), float)
    # a fit, a mapping and a tuple in order are the same parameters
    as_tuple = bgnbd.conditional_expected_purchases(tuple(PUBLISHED.values()), 39, x, tx, T)
    as_mapping = bgnbd.conditional_expected_purchases(pd.Series(PUBLISHED), 39, x, tx, T)
    assert as_tuple.equals(as_mapping)
    expected = bgnbd.expected_purchases(PUBLISHED, pd.Series([1.0, 39.0], index=["w1", "w39"]))
    assert list(expected.index) == ["w1", "w39"] and expected.is_monotonic_increasing


def test_data_that_cannot_support_a_fit_gets_a_sentence():
    three = pd.DataFrame({"frequency": [1, 0, 2], "recency": [3.0, 0, 5], "T": [10.0, 8, 9]})
    with pytest.raises(CrmkitError, match="at least 20 customers.*has 3"):
        bgnbd.fit(three)
    nobody_back = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": [10.0] * 50})
    with pytest.raises(CrmkitError, match="no customer made a repeat purchase"):
        bgnbd.fit(nobody_back)
    # nobody drops out (pure Poisson-gamma buying): a and b run off towards 0 and infinity
    rng = np.random.default_rng(3)
    counts = rng.poisson(rng.gamma(2.0, 0.5, 2000) * 20)
    staying = pd.DataFrame(
        {
            "frequency": counts,
            "recency": np.where(counts > 0, 20 * rng.beta(np.maximum(counts, 1), 1), 0.0),
            "T": 20.0,
        }
    )
    with pytest.raises(ModelFitError, match="drifted towards a limit of the model.*a = "):
        bgnbd.fit(staying)
    alike = pd.DataFrame({"frequency": [1] * 30, "recency": [5.0] * 30, "T": [10.0] * 30})
    # a flat likelihood: refused either where the search stops near a limit or, when the
    # derivative-free pass goes on, at the edge
    with pytest.raises(ModelFitError, match="drifted towards a limit|ran off to the edge"):
        bgnbd.fit(alike)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recency": [12.0, 0.0]}, "recency greater than T"),
        ({"frequency": [2.5, 0]}, "whole number of repeat purchases"),
        ({"recency": [3.0, 1.0]}, "frequency 0 but recency above 0"),
        ({"T": [10.0, np.nan]}, "T has missing values"),
    ],
)
def test_bad_customer_data_gets_a_sentence(change, message):
    data = {"frequency": [2, 0], "recency": [3.0, 0.0], "T": [10.0, 5.0], **change}
    with pytest.raises(CrmkitError, match=message):
        bgnbd.probability_alive(PUBLISHED, data["frequency"], data["recency"], data["T"])


def test_bad_parameters_and_horizons_get_a_sentence():
    with pytest.raises(CrmkitError, match="four positive parameters"):
        bgnbd.probability_alive((0.2, 4.0, -1.0, 2.0), 1, 1.0, 2.0)
    with pytest.raises(CrmkitError, match="the parameters r, alpha, a, b; a, b missing"):
        bgnbd.probability_alive({"r": 0.2, "alpha": 4.0}, 1, 1.0, 2.0)
    with pytest.raises(CrmkitError, match="horizon t must be a finite time"):
        bgnbd.conditional_expected_purchases(PUBLISHED, -1, 1, 1.0, 2.0)
    with pytest.raises(CrmkitError, match="no column 'T'"):
        bgnbd.fit(pd.DataFrame({"frequency": [1], "recency": [1.0]}))


# --- how many repeat purchases: P(X(t) = x) and the period-transaction histogram ---------


def count_probability_by_integral(params, x, t):
    """P(X(t) = x) integrated over lambda by scipy's adaptive quadrature (in ln lambda), with
    p integrated exactly, written as X = min(N, K) rather than as FHL's equation 8:
    N ~ Poisson(lambda t) purchases had nobody left, K ~ geometric(p) the purchase after
    which the customer leaves, so for x > 0 P(X = x) = P(N = x) E[(1 - p)^(x-1)]
    + P(N > x) E[p (1 - p)^(x-1)]."""
    r, alpha, a, b = params
    stay = np.exp(betaln(a, b + x - 1) - betaln(a, b)) if x > 0 else 1.0
    leave = np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) if x > 0 else 0.0

    def integrand(v: float) -> float:
        rate = np.exp(v)
        log_density = r * np.log(alpha) + r * v - alpha * rate - gammaln(r)  # in ln lambda
        mean = rate * t
        exactly = np.exp(log_density + xlogy(x, mean) - gammaln(x + 1) - mean)
        return exactly * stay + np.exp(log_density) * pdtrc(x, mean) * leave

    peak = np.log((x + r) / (alpha + t))
    points = [-np.inf, peak - 30, peak - 5, peak, peak + 3, peak + 6]
    points.append(max(peak + 8, np.log(800 / alpha)))  # the gamma density is below e^-800
    return sum(
        integrate.quad(integrand, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
        for lo, hi in zip(points[:-1], points[1:], strict=True)
    )


@pytest.mark.parametrize("t", [1.0, 39.0, 1e4])
def test_purchase_count_probability_matches_a_numerical_integral_on_cdnow(t):
    """On the published CDNOW parameters, against the integral over lambda, for the counts
    of the histogram and for heavy buyers (5,000 purchases: about 1e-240 at t = 39)."""
    for x in (0, 1, 2, 3, 7, 50, 1000, 5000):
        reference = count_probability_by_integral(tuple(PUBLISHED.values()), x, t)
        got = bgnbd.purchase_count_probability(PUBLISHED, t, x)
        assert got == pytest.approx(reference, rel=1e-10, abs=1e-300), x


def test_purchase_count_probability_matches_the_printed_formula_for_light_buyers():
    """FHL (2005), equation 8 as printed (the bracket as 1 minus a partial sum), which is
    fine for a few purchases."""
    r, alpha, a, b = PUBLISHED.values()
    for t in (0.5, 39.0, 100.0):
        p, q = alpha / (alpha + t), t / (alpha + t)
        for x in range(8):
            nb = [
                np.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1)) * p**r * q**j
                for j in range(x + 1)
            ]
            printed = np.exp(betaln(a, b + x) - betaln(a, b)) * nb[x]
            if x > 0:
                printed += np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1 - sum(nb[:x]))
            assert bgnbd.purchase_count_probability(PUBLISHED, t, x) == pytest.approx(
                printed, rel=1e-12
            )


@pytest.mark.parametrize(
    "params", [PUBLISHED, (0.8, 5.0, 1.3, 4.0), (3.0, 0.5, 0.2, 8.0), (0.05, 50.0, 5.0, 40.0)]
)
@pytest.mark.parametrize("t", [0.5, 39.0, 200.0])
def test_purchase_count_probabilities_add_up_to_one_and_average_to_the_expectation(params, t):
    """Summed over x (far enough that the rest is below 1e-20) the chances are 1, and
    their mean is E[X(t)], the module's expected purchases (an independent formula)."""
    x = np.arange(50_000)
    probability = bgnbd.purchase_count_probability(params, t, x)
    assert isinstance(probability, np.ndarray) and (probability >= 0).all()
    assert probability.sum() == pytest.approx(1.0, abs=1e-9)
    assert (x * probability).sum() == pytest.approx(bgnbd.expected_purchases(params, t), rel=1e-8)


def test_the_simulator_matches_the_period_transaction_histogram():
    """200,000 customers simulated from the CDNOW parameters, of ages spread over 39 weeks:
    how many made 0, 1, ..., 6 and 7+ repeat purchases is within four standard errors
    (binomial, at the bucket's average chance: an upper bound) of the expected counts."""
    ages = np.random.default_rng(5).uniform(0.0, 39.0, 200_000)
    data = bgnbd.simulate(PUBLISHED, 200_000, ages, seed=8)
    expected = bgnbd.purchase_count_distribution(PUBLISHED, data["T"], 7)
    actual = data["frequency"].clip(upper=7).value_counts().reindex(range(8), fill_value=0)
    share = expected.to_numpy() / len(data)
    error = np.sqrt(len(data) * share * (1 - share))
    assert (np.abs(actual.to_numpy() - expected.to_numpy()) < 4 * error).all(), (actual, expected)


def test_purchase_count_distribution_adds_up_the_customers():
    ages = pd.Series(np.random.default_rng(2).uniform(0.0, 39.0, 2000).round(1), name="T")
    histogram = bgnbd.purchase_count_distribution(PUBLISHED, ages, 7)
    assert list(histogram.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert histogram.sum() == pytest.approx(2000, rel=1e-12)
    assert (histogram >= 0).all()
    # each bucket is the sum of the customers' own chances (ages shared are done once)
    each = bgnbd.purchase_count_probability(PUBLISHED, ages.to_numpy()[:, None], np.arange(7))
    np.testing.assert_allclose(histogram.to_numpy()[:7], each.sum(axis=0), rtol=1e-12)
    one = bgnbd.purchase_count_distribution(PUBLISHED, [39.0, 39.0], 1)
    assert list(one.index) == ["0", "1+"] and one.sum() == pytest.approx(2.0, rel=1e-14)


def test_purchase_counts_stay_finite_for_heavy_buyers_and_long_times():
    x = np.array([0, 1, 10, 1000, 5000, 20_000, 1_000_000])
    for params in (PUBLISHED, (2.0, 0.5, 3.0, 0.3), (0.05, 50.0, 5.0, 40.0)):
        for t in (0.0, 1e3, 1e5, 1e8):
            probability = bgnbd.purchase_count_probability(params, t, x)
            assert (
                np.isfinite(probability).all() and ((probability >= 0) & (probability <= 1)).all()
            )
    assert bgnbd.purchase_count_probability(PUBLISHED, 0.0, [0, 1, 5]).tolist() == [1.0, 0.0, 0.0]
    # far out, a 5,000-purchase customer is not rare at all
    assert bgnbd.purchase_count_probability(PUBLISHED, 1e5, 5000) > 1e-7


def test_purchase_counts_answer_in_the_kind_they_were_asked():
    assert isinstance(bgnbd.purchase_count_probability(PUBLISHED, 39, 2), float)
    ages = pd.Series([10.0, 39.0], index=pd.Index(["ann", "bob"], name="customer_id"))
    as_series = bgnbd.purchase_count_probability(PUBLISHED, ages, 2)
    assert isinstance(as_series, pd.Series) and as_series.index.equals(ages.index)
    grid = bgnbd.purchase_count_probability(PUBLISHED, np.array([[1.0], [39.0]]), np.arange(3))
    assert grid.shape == (2, 3)
    assert grid[1, 2] == bgnbd.purchase_count_probability(PUBLISHED, 39, 2)
    for params in (tuple(PUBLISHED.values()), pd.Series(PUBLISHED), list(PUBLISHED.values())):
        assert bgnbd.purchase_count_probability(params, 39, 2) == as_series["bob"]


@pytest.mark.parametrize(
    ("t", "x", "message"),
    [
        (39.0, -1, "whole number >= 0"),
        (39.0, 1.5, "whole number >= 0"),
        (39.0, np.nan, "x has missing values"),
        (-1.0, 2, "t is the time since the first purchase.*finite time >= 0"),
        (np.inf, 2, "finite time >= 0"),
        ([1.0, 2.0], [1, 2, 3], "matching lengths"),
    ],
)
def test_bad_purchase_counts_and_times_get_a_sentence(t, x, message):
    with pytest.raises(CrmkitError, match=message):
        bgnbd.purchase_count_probability(PUBLISHED, t, x)


def test_bad_histogram_requests_get_a_sentence():
    with pytest.raises(CrmkitError, match="T is the time since the first purchase"):
        bgnbd.purchase_count_distribution(PUBLISHED, [10.0, -1.0], 7)
    for bad in (0, 2.5, True, "7"):
        with pytest.raises(CrmkitError, match="max_count must be a whole number >= 1"):
            bgnbd.purchase_count_distribution(PUBLISHED, [10.0], bad)
    with pytest.raises(CrmkitError, match="no customers"):
        bgnbd.purchase_count_distribution(PUBLISHED, [], 7)


# --- the fit's analytic gradient --------------------------------------------------------


def with_heavy_buyers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3,000 customers simulated from the CDNOW parameters over 0 to 60 weeks, and the
    edges: heavy buyers (500 to 5,000 purchases, surely alive and surely gone), customers
    with T = 0 (with and without repeat purchases at time 0) and x = 0 at several ages."""
    ages = np.random.default_rng(4).uniform(0.0, 60.0, 3000)
    data = bgnbd.simulate(PUBLISHED, 3000, ages, seed=44)
    edges = np.array(
        [
            [5000, 39.9, 40.0],
            [5000, 1.0, 40.0],
            [2000, 20.0, 40.0],
            [500, 0.5, 78.0],
            [1, 0.0, 0.0],
            [3, 0.0, 0.0],
            [0, 0.0, 0.0],
            [0, 0.0, 0.0],
            [0, 0.0, 12.5],
        ]
    )
    x, tx, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    return (np.append(x, edges[:, 0]), np.append(tx, edges[:, 1]), np.append(T, edges[:, 2]))


def heavy_only() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Only heavy buyers (and two customers with x = 0, one of them with T = 0), so that
    their terms are not drowned in a sum over light ones."""
    x = np.array([5000, 5000, 5000, 3000, 2000, 800, 0, 0], dtype=float)
    tx = np.array([39.99, 20.0, 0.01, 39.0, 1.0, 77.0, 0.0, 0.0])
    T = np.array([40.0, 40.0, 40.0, 39.0, 40.0, 78.0, 30.0, 0.0])
    return x, tx, T


def central_differences(f, p: np.ndarray) -> np.ndarray:
    """The gradient of f at p by five-point central differences (steps of 1e-3 of each
    parameter: error of order 1e-12 of the slope)."""
    slopes = np.empty(len(p))
    for i in range(len(p)):
        h = np.zeros(len(p))
        h[i] = 1e-3 * p[i]
        slopes[i] = (-f(p + 2 * h) + 8 * f(p + h) - 8 * f(p - h) + f(p - 2 * h)) / (12 * h[i])
    return slopes


@pytest.mark.parametrize("customers", [with_heavy_buyers, heavy_only])
@pytest.mark.parametrize(
    "params",
    [
        tuple(PUBLISHED.values()),
        (0.5, 6.0, 0.9, 3.0),
        (2.0, 0.5, 3.0, 0.3),
        (0.05, 50.0, 5.0, 40.0),
        (1.0, 1.0, 1.0, 1.0),
    ],
)
def test_the_fit_gradient_matches_central_differences_of_the_likelihood(customers, params):
    """The gradient fit_mle is given, against differences of the per-customer
    log-likelihood summed (`log_likelihood`, which does not group customers), to a
    relative 1e-6 in every parameter."""
    x, tx, T = customers()
    neg_log_likelihood, gradient = bgnbd._fit_functions(x, tx, T)
    p = np.array(params)

    def summed(q):
        return -bgnbd.log_likelihood(q, x, tx, T).sum()

    assert neg_log_likelihood(p) == pytest.approx(summed(p), rel=1e-12)
    exact = gradient(p)
    assert np.isfinite(exact).all()
    np.testing.assert_allclose(exact, central_differences(summed, p), rtol=1e-6)


def test_the_fit_with_its_gradient_needs_at_most_half_the_evaluations_on_cdnow(cdnow, monkeypatch):
    exact = assert_fewer_evaluations_same_fit(monkeypatch, bgnbd, cdnow)
    for name, value in PUBLISHED.items():
        assert abs(exact.params[name] - value) < 5e-4, name


def test_the_fit_with_its_gradient_needs_at_most_half_the_evaluations_on_many_customers(
    monkeypatch,
):
    ages = np.random.default_rng(26).uniform(26.0, 78.0, 20_000)
    data = bgnbd.simulate(PUBLISHED, 20_000, ages, seed=78)
    assert_fewer_evaluations_same_fit(monkeypatch, bgnbd, data)
