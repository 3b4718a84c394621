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
