"""The shared fit routine: finds a known optimum, reports standard errors, and says in words
when a fit cannot be made."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.customer_base_models.fitting import ModelFitError, fit_mle


def test_finds_a_known_optimum_with_its_standard_errors():
    # a normal log-likelihood in (mean, sd) with 400 points: sd and its error are known
    rng = np.random.default_rng(7)
    x = rng.normal(5.0, 2.0, 400)

    def nll(p):
        mean, sd = p
        return 0.5 * np.sum(((x - mean) / sd) ** 2) + len(x) * np.log(sd)

    fitted = fit_mle(nll, [1.0, 1.0], ["mean", "sd"], model="normal", n=len(x))
    assert fitted.params["mean"] == pytest.approx(x.mean(), rel=1e-5)
    assert fitted.params["sd"] == pytest.approx(x.std(), rel=1e-5)
    # textbook errors: sd / sqrt(n) for the mean, sd / sqrt(2n) for the sd
    assert fitted.standard_errors["mean"] == pytest.approx(x.std() / 20, rel=1e-3)
    assert fitted.standard_errors["sd"] == pytest.approx(x.std() / np.sqrt(800), rel=1e-3)
    assert fitted.log_likelihood == pytest.approx(-nll(fitted.params.to_numpy()))


def test_a_fit_that_cannot_be_made_says_why_and_what_to_try():
    with pytest.raises(ModelFitError, match="starting values must be 2 positive numbers"):
        fit_mle(lambda p: 0.0, [1.0, -1.0], ["a", "b"], model="m", n=1)
    with pytest.raises(ModelFitError, match="not finite at the starting values"):
        fit_mle(lambda p: np.nan, [1.0], ["a"], model="m", n=1)
    # the likelihood keeps improving as the parameter grows: it runs off to the edge
    with pytest.raises(ModelFitError, match="ran off to the edge.*a = .*more customers; hint"):
        fit_mle(lambda p: -np.log(p[0]), [1.0], ["a"], model="m", n=1, hint="hint")


def test_a_fit_the_data_pins_down_poorly_says_so():
    """Three points around zero cannot pin their mean down: the fit converges, returns, and
    says how weak it is (the mean's standard error, sd / sqrt(3), dwarfs the estimate)."""
    x = np.array([-1.0, 0.2, 1.0])

    def nll(p):
        mean, sd = p
        return 0.5 * np.sum(((x - mean) / sd) ** 2) + len(x) * np.log(sd)

    few = fit_mle(nll, [1.0, 1.0], ["mean", "sd"], model="normal", n=len(x))
    assert few.params["mean"] == pytest.approx(x.mean(), rel=1e-4)
    assert few.standard_errors["mean"] > few.params["mean"]
    assert few.poorly_pinned == ["mean"]  # the sd (error sd / sqrt(6)) is pinned well enough
    assert "pins mean down poorly" in few.note and few.note in str(few)
    many_x = np.random.default_rng(3).normal(5.0, 2.0, 400)

    def nll_many(p):
        mean, sd = p
        return 0.5 * np.sum(((many_x - mean) / sd) ** 2) + len(many_x) * np.log(sd)

    good = fit_mle(nll_many, [1.0, 1.0], ["mean", "sd"], model="normal", n=400)
    assert good.poorly_pinned == [] and good.note == ""
    assert "pins" not in str(good)


# --- an analytic gradient ------------------------------------------------------------------

SAMPLE = np.random.default_rng(7).normal(5.0, 2.0, 400)


def normal_nll(p):
    mean, sd = p
    return 0.5 * np.sum(((SAMPLE - mean) / sd) ** 2) + len(SAMPLE) * np.log(sd)


def normal_gradient(p):
    mean, sd = p
    residual = SAMPLE - mean
    return np.array([-residual.sum() / sd**2, -np.sum(residual**2) / sd**3 + len(SAMPLE) / sd])


def counted(function):
    """`function`, counting its calls in `.calls`."""

    def wrapper(p):
        wrapper.calls += 1
        return function(p)

    wrapper.calls = 0
    return wrapper


def test_an_exact_gradient_reaches_the_same_optimum_with_fewer_likelihood_evaluations():
    numeric, exact, slope = counted(normal_nll), counted(normal_nll), counted(normal_gradient)
    by_differences = fit_mle(numeric, [1.0, 1.0], ["mean", "sd"], model="normal", n=400)
    by_gradient = fit_mle(exact, [1.0, 1.0], ["mean", "sd"], model="normal", n=400, gradient=slope)
    np.testing.assert_allclose(by_gradient.params, [SAMPLE.mean(), SAMPLE.std()], rtol=1e-7)
    np.testing.assert_allclose(by_gradient.params, by_differences.params, rtol=1e-7)
    assert by_gradient.log_likelihood == pytest.approx(by_differences.log_likelihood, abs=1e-9)
    # the standard errors come from the likelihood alone, as before
    np.testing.assert_allclose(
        by_gradient.standard_errors, by_differences.standard_errors, rtol=1e-5
    )
    assert slope.calls > 0  # the gradient was used, and saved most of the evaluations
    assert exact.calls <= numeric.calls / 2, (exact.calls, numeric.calls)


@pytest.mark.parametrize(
    ("wrong", "named"),
    [
        (lambda p: -normal_gradient(p), "d/dmean .* by the gradient, .* by differences; d/dsd"),
        (lambda p: normal_gradient(p) * [1.0, 0.5], "d/dsd"),  # a factor lost in one term
        (lambda p: normal_gradient(p)[:1], "a gradient of shape \\(1,\\) for 2 parameters"),
        (lambda p: normal_gradient(p) * np.nan, "d/dmean nan by the gradient"),
    ],
)
def test_a_wrong_gradient_is_refused_where_the_search_starts(wrong, named):
    """The gradient is code the model wrote: where it disagrees with the likelihood at the
    start, the fit says so, naming the model and the parameter, rather than searching."""
    with pytest.raises(
        ModelFitError,
        match=f"normal: the analytic gradient .* does not match .* at the starting values .*{named}.*bug",
    ):
        fit_mle(normal_nll, [1.0, 1.0], ["mean", "sd"], model="normal", n=400, gradient=wrong)


def test_a_gradient_wrong_only_near_the_optimum_does_not_lead_to_a_wrong_optimum():
    """A gradient that is right at the start but lost near the optimum (as an underflow
    might lose it) stops L-BFGS-B, which then reports convergence far from the optimum;
    the check where the search ends catches it and the fit starts over on differences."""
    from scipy import optimize

    def lost(p):
        return normal_gradient(p) * (abs(p[0] - SAMPLE.mean()) > 0.5)

    def on_logs(u):
        return normal_nll(np.exp(u)), np.exp(u) * lost(np.exp(u))

    misled = optimize.minimize(on_logs, np.zeros(2), jac=True, method="L-BFGS-B")
    assert misled.success and abs(np.exp(misled.x[1]) - SAMPLE.std()) > 1  # the trap is real
    fitted = fit_mle(normal_nll, [1.0, 1.0], ["mean", "sd"], model="normal", n=400, gradient=lost)
    np.testing.assert_allclose(fitted.params, [SAMPLE.mean(), SAMPLE.std()], rtol=1e-7)


@pytest.mark.parametrize("value_overflows", [False, True])
def test_a_trial_step_past_the_finite_likelihood_is_a_bad_point_not_a_crash(value_overflows):
    """A minimum at a = e^3 on a likelihood so flat far away that the quasi-Newton step
    overshoots to where exp(20 a) overflows (a > 35): there the gradient, or the likelihood
    too, is not finite. That point is a very bad one, not a crash, and the fit ends where
    it ends on differences alone."""
    tried = []

    def nll(p):
        tried.append(p[0])
        overflow = np.exp(20 * p[0]) if value_overflows else 1.0
        return np.sqrt(1 + (np.log(p[0]) - 3) ** 2) + 0 * overflow

    def gradient(p):
        v = np.log(p[0]) - 3
        return np.array([v / np.sqrt(1 + v * v) / p[0] + 0 * np.exp(20 * p[0])])

    with np.errstate(over="raise", invalid="raise"):  # fit_mle's own errstate must hold
        fitted = fit_mle(nll, [np.exp(-15.0)], ["a"], model="m", n=1, gradient=gradient)
    assert max(tried) > 36  # it did step where exp(20 a) overflows
    plain = fit_mle(nll, [np.exp(-15.0)], ["a"], model="m", n=1)
    assert fitted.params["a"] == pytest.approx(plain.params["a"], rel=1e-6)
    if not value_overflows:
        # only the gradient overflowed: the search stopped short of e^3 with a slope that
        # is not flat, so the fit started over on differences, which reach it
        assert fitted.params["a"] == pytest.approx(np.exp(3), rel=1e-6)


def test_a_fit_with_a_gradient_says_why_in_the_same_words():
    one = dict(model="m", n=1, gradient=lambda p: -1 / p)
    with pytest.raises(ModelFitError, match="starting values must be 1 positive numbers"):
        fit_mle(lambda p: -np.log(p[0]), [-1.0], ["a"], **one)
    with pytest.raises(ModelFitError, match="not finite at the starting values"):
        fit_mle(lambda p: np.nan, [1.0], ["a"], **one)
    with pytest.raises(ModelFitError, match="ran off to the edge.*a = .*more customers; hint"):
        fit_mle(lambda p: -np.log(p[0]), [1.0], ["a"], hint="hint", **one)


def test_a_search_that_stops_after_stepping_off_the_finite_likelihood_goes_on():
    """L-BFGS-B can report convergence at the point before a trial step where the likelihood
    overflows; that point has a clear slope, so the fit goes on to the optimum (e^3)."""

    def nll(p):
        a = p[0]
        return np.sqrt(1 + (np.log(a) - 3) ** 2) + 0 * np.exp(20 * a)

    fitted = fit_mle(nll, [np.exp(-15)], ["a"], model="m", n=1)
    assert fitted.params["a"] == pytest.approx(np.exp(3), rel=1e-3)
