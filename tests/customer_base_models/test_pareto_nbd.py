"""The Pareto/NBD model reproduces the published CDNOW fit, recovers parameters it was
simulated from, stays exact for heavy buyers and extreme parameters, and behaves as the
model says it must (probability alive, expected purchases)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import gammaln, hyp2f1

from crmkit.customer_base_models import pareto_nbd as pn
from crmkit.customer_base_models.fitting import ModelFitError
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"

#: Fader, Hardie & Lee (2005), "Counting your customers the easy way", CDNOW sample,
#: calibration period 1997-01-01 to 1997-09-30, weeks.
PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_LOG_LIKELIHOOD = -9595.0

#: Near the CDNOW estimates, for tests that need realistic parameters.
TYPICAL = (0.55, 10.58, 0.61, 11.67)


# -- references computed another way ---------------------------------------------------------


def reference_log_likelihood(params, x, tx, big_t) -> float:
    """ln L with the integral over the dropout time done by scipy's adaptive quadrature:
    L = Gamma(r+x) alpha^r beta^s / Gamma(r) [K + s * integral over t_x..T of
    (alpha+tau)^-(r+x) (beta+tau)^-(s+1)]. The integrand is scaled by its value at t_x
    (its maximum) so that heavy buyers do not underflow."""
    r, alpha, s, beta = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_k = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    if tx == big_t:
        return float(common + log_k)

    def log_f(tau: float) -> float:
        return -(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau)

    width = 1 / ((r + x) / (alpha + tx) + (s + 1) / (beta + tx))  # an e-fold at t_x
    points = [tx + width * k for k in (1, 10, 100, 1000) if tx + width * k < big_t]
    value, _ = integrate.quad(
        lambda tau: np.exp(log_f(tau) - log_f(tx)),
        tx,
        big_t,
        points=points or None,
        epsabs=0,
        epsrel=1e-13,
        limit=500,
    )
    return float(common + np.logaddexp(log_k, np.log(s) + log_f(tx) + np.log(value)))


def textbook_log_likelihood(params, x, tx, big_t) -> float:
    """Fader & Hardie (2005) as printed, with scipy's hyp2f1: fine for light buyers, the
    form that overflows for heavy ones."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        b, hi = s + 1, alpha
    else:
        b, hi = r + x, beta

    def term(t: float) -> float:
        return hyp2f1(rsx, b, rsx + 1, abs(alpha - beta) / (hi + t)) / (hi + t) ** rsx

    a0 = term(tx) - term(big_t)
    inside = 1 / ((alpha + big_t) ** (r + x) * (beta + big_t) ** s) + s / rsx * a0
    return float(
        gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.log(inside)
    )


# -- 1. the published CDNOW figures ----------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW sample's calibration summary built here from the transactions: per
    customer, purchase days up to 1997-09-30; frequency = distinct days - 1, recency =
    last - first day, T = 1997-09-30 - first day, both in weeks (days / 7)."""
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW sample is not on this machine ({CDNOW})")
    raw = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "dollars"]
    )
    assert len(raw) == 6919 and raw["customer"].nunique() == 2357
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    end = pd.Timestamp("1997-09-30")
    days = raw[raw["date"] <= end].groupby("customer")["date"].agg(["min", "max", "nunique"])
    return pd.DataFrame(
        {
            "frequency": days["nunique"] - 1,
            "recency": (days["max"] - days["min"]).dt.days / 7,
            "T": (end - days["min"]).dt.days / 7,
        }
    )


def test_cdnow_summary_has_the_published_counts(cdnow):
    """2,357 customers (all first bought in the calibration period), 946 of them repeat
    buyers (the gamma-gamma sample), observed for up to 39 weeks."""
    assert len(cdnow) == 2357
    assert (cdnow["frequency"] > 0).sum() == 946
    assert cdnow["T"].max() == pytest.approx(39, abs=0.2)


def test_reproduces_the_published_pareto_nbd_fit_on_cdnow(cdnow):
    data = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    fitted = pn.fit(cdnow)
    assert round(fitted.log_likelihood, 1) == PUBLISHED_LOG_LIKELIHOOD
    # the fit counts each distinct history once with its weight: same total
    total = pn.log_likelihood(fitted, *data).sum()
    assert fitted.log_likelihood == pytest.approx(total, rel=1e-12)
    assert round(float(pn.log_likelihood(PUBLISHED, *data).sum()), 1) == PUBLISHED_LOG_LIKELIHOOD

    # fit_mle stops at the maximum (central differences, tight tolerances): every published
    # figure to its last digit
    for name, value in PUBLISHED.items():
        assert abs(fitted.params[name] - value) <= 0.0005 + 1e-12, (name, fitted.params[name])


# -- 2. recovery of simulated parameters -----------------------------------------------------


def test_recovers_simulated_parameters_within_three_standard_errors():
    truth = pd.Series({"r": 0.8, "alpha": 8.0, "s": 0.9, "beta": 12.0})
    rng = np.random.default_rng(1987)
    customers = pn.simulate(truth, 4000, T=rng.uniform(26, 78, 4000), seed=2005)
    fitted = pn.fit(customers)
    errors = fitted.standard_errors
    assert errors.notna().all() and (errors > 0).all()
    for name in pn.NAMES:
        assert abs(fitted.params[name] - truth[name]) < 3 * errors[name], (name, fitted)


def test_simulated_share_alive_matches_the_probability_alive():
    """Averaged over simulated customers, P(alive | history) at the true parameters is
    the share of them actually still customers (law of total probability)."""
    customers = pn.simulate(TYPICAL, 20_000, T=39.0, seed=1)
    p = pn.probability_alive(TYPICAL, customers["frequency"], customers["recency"], 39.0)
    spread = np.sqrt((p * (1 - p)).sum())
    assert abs(p.sum() - customers["alive"].sum()) < 4 * spread


def test_new_customers_buy_as_expected_and_history_splits_the_future():
    """E[X(t)] is the mean number of repeat purchases of simulated customers in (0, t];
    and averaged over histories up to T, the conditional expectation of purchases in
    (T, T+t] is E[X(T+t)] - E[X(T)]."""
    customers = pn.simulate(TYPICAL, 40_000, T=52.0, seed=2)
    mean, spread = customers["frequency"].mean(), customers["frequency"].std() / np.sqrt(40_000)
    assert abs(pn.expected_purchases(TYPICAL, 52.0) - mean) < 4 * spread

    history = pn.simulate(TYPICAL, 40_000, T=26.0, seed=3)
    ahead = pn.conditional_expected_purchases(
        TYPICAL, 26.0, history["frequency"], history["recency"], 26.0
    )
    expected = pn.expected_purchases(TYPICAL, 52.0) - pn.expected_purchases(TYPICAL, 26.0)
    assert abs(ahead.mean() - expected) < 4 * ahead.std() / np.sqrt(40_000)


# -- 3. robustness: heavy buyers, any alpha and beta, edges of the data ---------------------

PARAMS = {
    "alpha < beta": (0.55, 10.58, 0.61, 11.67),
    "alpha > beta": (0.9, 25.0, 0.4, 3.0),
    "alpha = beta": (0.7, 9.0, 1.3, 9.0),
    "alpha >> beta": (2.0, 400.0, 0.5, 0.05),
    "alpha << beta": (0.3, 0.02, 4.0, 300.0),
}
HISTORIES = {
    "heavy, just bought": (5000, 38.9, 39.0),
    "heavy, silent for long": (5000, 2.0, 39.0),
    "very heavy, recent": (20_000, 38.0, 39.0),
    "very heavy, early": (20_000, 0.5, 39.0),
    "recency close to T": (3, 39.0 - 1e-7, 39.0),
    "recency far from T": (3, 0.01, 39.0),
    "no repeat purchase": (0, 0.0, 39.0),
    "just arrived": (0, 0.0, 0.0),
    "bought twice at once": (2, 0.0, 10.0),
}


@pytest.mark.parametrize("params", PARAMS.values(), ids=list(PARAMS))
@pytest.mark.parametrize("history", HISTORIES.values(), ids=list(HISTORIES))
def test_log_likelihood_is_finite_and_agrees_with_quadrature(params, history):
    got = pn.log_likelihood(params, *history)
    assert np.isfinite(got)
    assert got == pytest.approx(reference_log_likelihood(params, *history), rel=1e-10, abs=1e-10)
    p_alive = pn.probability_alive(params, *history)
    assert 0 <= p_alive <= 1
    ahead = pn.conditional_expected_purchases(params, [1.0, 52.0, 1e4], *history)
    assert np.isfinite(ahead).all() and (ahead >= 0).all()


@pytest.mark.parametrize("params", PARAMS.values(), ids=list(PARAMS))
def test_log_likelihood_matches_the_textbook_formula_for_light_buyers(params):
    for x, tx, big_t in [(0, 0.0, 30.0), (1, 5.0, 30.0), (4, 20.0, 30.0), (12, 29.0, 35.0)]:
        got = pn.log_likelihood(params, x, tx, big_t)
        assert got == pytest.approx(textbook_log_likelihood(params, x, tx, big_t), rel=1e-9)


def test_stays_exact_where_the_textbook_formula_breaks_down():
    """From a few hundred repeat purchases on, (alpha+t)^(r+s+x) overflows and the textbook
    log-likelihood is -inf or NaN (lifetimes issue #25); ours still matches quadrature."""
    for params in (PARAMS["alpha < beta"], PARAMS["alpha > beta"], PARAMS["alpha << beta"]):
        for history in [(300, 30.0, 39.0), (1000, 20.0, 39.0)]:
            with np.errstate(all="ignore"):
                textbook = textbook_log_likelihood(np.array(params), *history)
            assert not np.isfinite(textbook)
            assert pn.log_likelihood(params, *history) == pytest.approx(
                reference_log_likelihood(params, *history), rel=1e-10
            )


def test_a_whole_grid_of_histories_stays_finite_and_in_range():
    x = np.array([0, 1, 2, 10, 100, 1000, 5000, 20_000, 100_000])
    share = np.array([0.0, 1e-6, 0.3, 0.9, 1.0])
    for params in PARAMS.values():
        for big_t in (0.5, 39.0, 1000.0):
            xs, fraction = np.meshgrid(x, share)
            xs, tx = xs.ravel(), np.where(xs.ravel() > 0, fraction.ravel() * big_t, 0.0)
            ll = pn.log_likelihood(params, xs, tx, big_t)
            p = pn.probability_alive(params, xs, tx, big_t)
            ahead = pn.conditional_expected_purchases(params, 1e3, xs, tx, big_t)
            assert np.isfinite(ll).all(), params
            assert ((p >= 0) & (p <= 1)).all()
            assert np.isfinite(ahead).all() and (ahead >= 0).all()


def test_results_come_back_the_way_the_customers_came_in():
    index = pd.Index(["ann", "bob", "cy"], name="customer")
    x = pd.Series([0, 2, 7], index=index)
    tx = pd.Series([0.0, 10.0, 30.0], index=index)
    big_t = pd.Series([20.0, 35.0, 31.0], index=index)
    as_series = pn.probability_alive(TYPICAL, x, tx, big_t)
    assert isinstance(as_series, pd.Series) and as_series.index.equals(index)
    as_array = pn.probability_alive(TYPICAL, x.to_numpy(), tx.to_numpy(), big_t.to_numpy())
    assert isinstance(as_array, np.ndarray)
    np.testing.assert_allclose(as_series.to_numpy(), as_array)
    one = pn.probability_alive(TYPICAL, 2, 10.0, 35.0)
    assert isinstance(one, float) and one == pytest.approx(as_array[1])
    ahead = pn.expected_purchases(TYPICAL, pd.Series([1.0, 10.0], index=["a", "b"]))
    assert list(ahead.index) == ["a", "b"]
    # parameters as a FitResult, a mapping, a Series or a tuple give the same numbers
    as_dict = dict(zip(pn.NAMES, TYPICAL, strict=True))
    for params in (as_dict, pd.Series(as_dict), list(TYPICAL)):
        assert pn.log_likelihood(params, 2, 10.0, 35.0) == pn.log_likelihood(TYPICAL, 2, 10, 35)


def test_expectations_are_exact_at_s_equal_one():
    """At s = 1 the formulas read b ln(1 + t/b); nearby s gives nearby values."""
    at_one = pn.expected_purchases((0.5, 10.0, 1.0, 8.0), 20.0)
    assert at_one == pytest.approx(0.5 / 10.0 * 8.0 * np.log1p(20.0 / 8.0), rel=1e-14)
    assert pn.expected_purchases((0.5, 10.0, 1.0 + 1e-9, 8.0), 20.0) == pytest.approx(
        at_one, rel=1e-8
    )


def test_expected_purchases_over_a_whole_lifetime():
    """t = inf: r/alpha times the mean lifetime beta/(s-1) when s > 1; without end when
    s <= 1 (a heavy tail of customers who practically never leave)."""
    assert pn.expected_purchases((0.5, 10.0, 2.5, 8.0), np.inf) == pytest.approx(
        0.5 / 10.0 * 8.0 / 1.5, rel=1e-14
    )
    assert pn.expected_purchases((0.5, 10.0, 2.5, 8.0), 1e9) == pytest.approx(
        0.5 / 10.0 * 8.0 / 1.5, rel=1e-6
    )
    assert pn.expected_purchases((0.5, 10.0, 0.8, 8.0), np.inf) == np.inf
    p_alive = pn.probability_alive((0.5, 10.0, 2.5, 8.0), 4, 20.0, 30.0)
    lifetime = pn.conditional_expected_purchases((0.5, 10.0, 2.5, 8.0), np.inf, 4, 20.0, 30.0)
    assert lifetime == pytest.approx(p_alive * 4.5 / 40.0 * 38.0 / 1.5, rel=1e-14)


def test_a_fit_on_data_without_repeat_buyers_says_why():
    with pytest.raises(ModelFitError, match="none of the 300 customers made a repeat purchase"):
        pn.fit(pd.DataFrame({"frequency": 0, "recency": 0.0, "T": np.full(300, 39.0)}))


def test_a_fit_on_data_without_any_dropout_evidence_says_why():
    """Every customer bought on the last day: nothing shows anyone leaving, so the
    dropout rate runs off to zero."""
    x = np.random.default_rng(4).poisson(3, 500) + 1
    with pytest.raises(ModelFitError, match="cannot pin this parameter down"):
        pn.fit(pd.DataFrame({"frequency": x, "recency": 30.0, "T": np.full(500, 30.0)}))


@pytest.mark.parametrize(
    ("frequency", "recency", "big_t", "message"),
    [
        ([1, -1], [1.0, 0.0], [5.0, 5.0], "whole number >= 0"),
        ([1, 2.5], [1.0, 2.0], [5.0, 5.0], "whole number >= 0"),
        ([1, 2], [1.0, 6.0], [5.0, 5.0], "cannot exceed T"),
        ([0, 2], [1.0, 2.0], [5.0, 5.0], "no repeat purchase has recency 0"),
        ([1, 2], [1.0, np.nan], [5.0, 5.0], "recency has missing values"),
        ([1, 2], [1.0, 2.0], [5.0, np.inf], "T has infinite values"),
        ([1, 2], [1.0, 2.0], [5.0, -5.0], "cannot be negative"),
        ([1, 2, 3], [1.0, 2.0], [5.0, 5.0], "one value per customer"),
        ([], [], [], "no customers"),
        (["a", "b"], [1.0, 2.0], [5.0, 5.0], "frequency must be numbers"),
        ([[1, 2]], [[1.0, 2.0]], [[5.0, 5.0]], "not a table"),
    ],
)
def test_wrong_data_gets_a_plain_sentence(frequency, recency, big_t, message):
    with pytest.raises(CrmkitError, match=message):
        pn.log_likelihood(TYPICAL, frequency, recency, big_t)


def test_wrong_parameters_and_inputs_get_a_plain_sentence():
    with pytest.raises(CrmkitError, match="four positive parameters"):
        pn.probability_alive((0.5, -1.0, 0.5, 1.0), 1, 1.0, 2.0)
    with pytest.raises(CrmkitError, match="beta missing"):
        pn.expected_purchases({"r": 1, "alpha": 1, "s": 1}, 1.0)
    with pytest.raises(CrmkitError, match="cannot be negative"):
        pn.conditional_expected_purchases(TYPICAL, -1.0, 1, 1.0, 2.0)
    with pytest.raises(CrmkitError, match="different indexes"):
        pn.log_likelihood(TYPICAL, pd.Series([1, 2]), pd.Series([1.0, 2.0], index=[5, 6]), 9.0)
    with pytest.raises(CrmkitError, match="whole number >= 1"):
        pn.simulate(TYPICAL, 0, 10.0)


# -- 4. properties the model must have -------------------------------------------------------

shape = st.floats(0.05, 10.0)
scale = st.floats(0.1, 100.0)
params_strategy = st.tuples(shape, scale, shape, scale)
PROPERTY = settings(derandomize=True, max_examples=60, deadline=None)


@PROPERTY
@given(params_strategy, st.integers(0, 2000), st.floats(0.1, 200.0))
def test_probability_alive_is_one_right_after_a_purchase(params, x, big_t):
    """A customer who bought at T has certainly not left before T."""
    recency = big_t if x > 0 else 0.0
    if x == 0:
        big_t = 0.0
    assert pn.probability_alive(params, x, recency, big_t) == pytest.approx(1.0, abs=1e-12)


@PROPERTY
@given(params_strategy, st.integers(1, 2000), st.floats(0.1, 200.0), st.floats(0.0, 0.99))
def test_probability_alive_rises_with_recency_and_falls_with_silence(params, x, big_t, share):
    later = pn.probability_alive(params, x, [share * big_t, (share + 0.01) * big_t], big_t)
    assert later[0] <= later[1] * (1 + 1e-12)
    longer = pn.probability_alive(params, x, share * big_t, [big_t, 1.5 * big_t, 3 * big_t])
    assert (np.diff(longer) <= 1e-12).all()


@PROPERTY
@given(params_strategy, st.integers(1, 2000), st.floats(0.1, 200.0), st.floats(0.0, 0.99))
def test_more_purchases_before_a_silence_make_it_more_telling(params, x, big_t, share):
    """For a given recency < T, P(alive) falls with the number of purchases."""
    p = pn.probability_alive(params, [x, x + 1, 2 * x + 5], share * big_t, big_t)
    assert (np.diff(p) <= 1e-12).all()


@PROPERTY
@given(params_strategy, st.floats(0.01, 500.0))
def test_expected_purchases_grow_with_time(params, t):
    grid = [0.0, t, 2 * t, 10 * t]
    new = pn.expected_purchases(params, np.array(grid))
    # never falls, and rises at first; it may level off once nearly everyone has left
    assert new[0] == 0 and new[1] > 0 and (np.diff(new) >= -1e-12 * new.max()).all()
    known = pn.conditional_expected_purchases(params, np.array(grid), 3, 10.0, 20.0)
    assert known[0] == 0 and known[1] > 0 and (np.diff(known) >= -1e-12 * known.max()).all()


@PROPERTY
@given(
    st.floats(0.05, 10.0),
    st.floats(0.05, 10.0),
    scale,
    st.integers(0, 5000),
    st.floats(0.1, 200.0),
    st.floats(0.0, 1.0),
)
def test_log_likelihood_is_continuous_across_alpha_equal_beta(r, s, beta, x, big_t, share):
    """The formula switches between alpha >= beta and alpha < beta; the values on either
    side of alpha = beta meet."""
    recency = share * big_t if x > 0 else 0.0
    values = [
        pn.log_likelihood((r, beta * (1 + d), s, beta), x, recency, big_t)
        for d in (-1e-9, 0.0, 1e-9)
    ]
    # |d lnL / d ln alpha| <= r + (r + x) alpha/(alpha + tau) < 2r + x, so two steps of
    # 1e-9 in ln alpha move lnL by less than 2e-9 (2r + x): no jump at alpha = beta
    assert max(values) - min(values) <= 2e-9 * (2 * r + x) + 1e-12 * (1 + abs(values[1]))


# -- 5. how many repeat purchases: P(X(t) = x) and the period-transaction histogram ----------


def count_probability_by_quadrature(params, x, t) -> float:
    """P(X(t) = x) from the derivation, (beta/(beta+t))^s NB(x; t) + integral over 0 < u < t
    of s beta^s / (beta+u)^(s+1) NB(x; u) du, with the integral by scipy's adaptive
    quadrature in ln u, split around the integrand's peak."""
    r, alpha, s, beta = params

    def log_nb(u: float) -> float:
        return (
            gammaln(r + x)
            - gammaln(r)
            - gammaln(x + 1)
            + r * np.log(alpha / (alpha + u))
            + (x * np.log(u / (alpha + u)) if x else 0.0)
        )

    def integrand(v: float) -> float:
        u = np.exp(v)
        if u == 0:  # far out on the left, where quad may look
            return 0.0
        return np.exp(np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + u) + v + log_nb(u))

    top = np.log(t)
    peak = min(np.log(alpha * (x + 0.5) / r), top)  # NB(x; u) is largest about there
    points = sorted({top, *(p for p in (peak - 30, peak - 5, peak, peak + 5) if p < top)})
    parts = zip([-np.inf, *points[:-1]], points, strict=True)
    left = sum(
        integrate.quad(integrand, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0] for lo, hi in parts
    )
    return float(np.exp(s * np.log(beta / (beta + t)) + log_nb(t)) + left)


@pytest.mark.parametrize("params", PARAMS.values(), ids=list(PARAMS))
def test_purchase_count_probability_matches_adaptive_quadrature(params):
    for t in (0.5, 39.0, 1e4):
        for x in (0, 1, 2, 7, 50, 1000):
            reference = count_probability_by_quadrature(params, x, t)
            got = pn.purchase_count_probability(params, t, x)
            assert got == pytest.approx(reference, rel=1e-8, abs=1e-13), (t, x)


@pytest.mark.parametrize("params", list(PARAMS.values())[:4], ids=list(PARAMS)[:4])
@pytest.mark.parametrize("t", [0.5, 39.0, 500.0])
def test_purchase_count_probabilities_add_up_to_one_and_average_to_the_expectation(params, t):
    """Summed over x (far enough that the rest is below 1e-20) the chances are 1, and
    their mean is E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)], the
    module's expected purchases."""
    x = np.arange(20_000)
    probability = pn.purchase_count_probability(params, t, x)
    assert isinstance(probability, np.ndarray) and (probability >= 0).all()
    assert probability.sum() == pytest.approx(1.0, abs=1e-9)
    assert (x * probability).sum() == pytest.approx(pn.expected_purchases(params, t), rel=1e-8)


def test_the_simulator_matches_the_period_transaction_histogram():
    """200,000 customers simulated from the CDNOW estimates, of ages spread over a year:
    how many made 0, 1, ..., 6 and 7+ repeat purchases is within four standard errors
    (binomial, at the bucket's average chance: an upper bound) of the expected counts."""
    ages = np.random.default_rng(6).uniform(0.0, 52.0, 200_000)
    customers = pn.simulate(PUBLISHED, 200_000, T=ages, seed=7)
    expected = pn.purchase_count_distribution(PUBLISHED, customers["T"], 7)
    actual = customers["frequency"].clip(upper=7).value_counts().reindex(range(8), fill_value=0)
    share = expected.to_numpy() / len(customers)
    error = np.sqrt(len(customers) * share * (1 - share))
    assert (np.abs(actual.to_numpy() - expected.to_numpy()) < 4 * error).all(), (actual, expected)


def test_purchase_count_distribution_adds_up_the_customers():
    ages = pd.Series(np.random.default_rng(2).uniform(0.0, 39.0, 2000).round(1), name="T")
    histogram = pn.purchase_count_distribution(TYPICAL, ages, 7)
    assert list(histogram.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert histogram.sum() == pytest.approx(2000, rel=1e-12)
    assert (histogram >= 0).all()
    # each bucket is the sum of the customers' own chances (ages shared are done once)
    for x in range(7):
        each = pn.purchase_count_probability(TYPICAL, ages, x)
        assert histogram.iloc[x] == pytest.approx(each.sum(), rel=1e-12)
    one = pn.purchase_count_distribution(TYPICAL, 39.0, 1)
    assert list(one.index) == ["0", "1+"] and one.sum() == pytest.approx(1.0, rel=1e-14)


def test_purchase_counts_stay_finite_for_heavy_buyers_and_long_times():
    x = np.array([0, 1, 10, 1000, 5000, 20_000, 1_000_000])
    for params in PARAMS.values():
        for t in (0.0, 1e3, 1e5, 1e8):
            probability = pn.purchase_count_probability(params, t, x)
            assert (
                np.isfinite(probability).all() and ((probability >= 0) & (probability <= 1)).all()
            )
    assert pn.purchase_count_probability(TYPICAL, 0.0, [0, 1, 5]).tolist() == [1.0, 0.0, 0.0]
    # far out, a 5,000-purchase customer is not rare at all
    assert pn.purchase_count_probability(PUBLISHED, 1e5, 5000) > 1e-7
    # one customer's own count at their own age, for many customers at once: each pair is
    # the same number as when asked alone
    rng = np.random.default_rng(3)
    ages, counts = rng.uniform(0, 1e4, 500), rng.integers(0, 3000, 500)
    together = pn.purchase_count_probability(TYPICAL, ages, counts)
    alone = [pn.purchase_count_probability(TYPICAL, ages[i], counts[i]) for i in range(0, 500, 50)]
    np.testing.assert_allclose(together[::50], alone, rtol=1e-12, atol=1e-300)


def test_purchase_counts_answer_in_the_kind_they_were_asked():
    assert isinstance(pn.purchase_count_probability(TYPICAL, 39, 2), float)
    ages = pd.Series([10.0, 39.0], index=pd.Index(["ann", "bob"], name="customer"))
    as_series = pn.purchase_count_probability(TYPICAL, ages, 2)
    assert isinstance(as_series, pd.Series) and as_series.index.equals(ages.index)
    as_array = pn.purchase_count_probability(TYPICAL, 39.0, np.arange(3))
    assert isinstance(as_array, np.ndarray) and as_array[2] == as_series["bob"]
    as_dict = dict(zip(pn.NAMES, TYPICAL, strict=True))
    for params in (as_dict, pd.Series(as_dict), list(TYPICAL)):
        assert pn.purchase_count_probability(params, 39, 2) == as_series["bob"]


@pytest.mark.parametrize(
    ("t", "x", "message"),
    [
        (39.0, -1, "whole number >= 0; got -1"),
        (39.0, [1, 1.5], "whole number >= 0; got 1.5"),
        (39.0, np.nan, "x has missing values"),
        (-1.0, 2, "t is a length of time and cannot be negative"),
        (np.inf, 2, "t has infinite values"),
        ([1.0, 2.0], [1, 2, 3], "one number or one per customer"),
    ],
)
def test_bad_purchase_counts_and_times_get_a_sentence(t, x, message):
    with pytest.raises(CrmkitError, match=message):
        pn.purchase_count_probability(TYPICAL, t, x)


def test_bad_histogram_requests_get_a_sentence():
    with pytest.raises(CrmkitError, match="T is a length of time and cannot be negative"):
        pn.purchase_count_distribution(TYPICAL, [10.0, -1.0], 7)
    for bad in (0, 2.5, True, "7"):
        with pytest.raises(CrmkitError, match="max_count must be a whole number >= 1"):
            pn.purchase_count_distribution(TYPICAL, [10.0], bad)
    with pytest.raises(CrmkitError, match="no customers"):
        pn.purchase_count_distribution(TYPICAL, [], 7)
