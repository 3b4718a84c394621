"""Shared by the BG/NBD and Gamma-Gamma tests: a model's fit with and without its analytic
gradient, counting how often the likelihood and the gradient are evaluated."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.customer_base_models import fitting


def count_fit_evaluations(monkeypatch, module, data, *, use_gradient: bool):
    """module.fit on data, with its analytic gradient or with fit_mle on differences as
    before; the fit and how often the likelihood and the gradient were evaluated."""
    calls = {"likelihood": 0, "gradient": 0}

    def counting_fit_mle(neg_log_likelihood, *args, gradient, **kwargs):
        def likelihood(p):
            calls["likelihood"] += 1
            return neg_log_likelihood(p)

        def slope(p):
            calls["gradient"] += 1
            return gradient(p)

        return fitting.fit_mle(
            likelihood, *args, gradient=slope if use_gradient else None, **kwargs
        )

    monkeypatch.setattr(module, "fit_mle", counting_fit_mle)
    return module.fit(data), calls


def assert_fewer_evaluations_same_fit(monkeypatch, module, data):
    """The same fit with the gradient, for at most half the likelihood evaluations (each
    gradient counted as one more); returns the fit."""
    exact, with_gradient = count_fit_evaluations(monkeypatch, module, data, use_gradient=True)
    numeric, without = count_fit_evaluations(monkeypatch, module, data, use_gradient=False)
    np.testing.assert_allclose(exact.params, numeric.params, rtol=1e-5)
    assert exact.log_likelihood == pytest.approx(numeric.log_likelihood, abs=1e-6)
    assert with_gradient["gradient"] > 0 and without["gradient"] == 0
    total = with_gradient["likelihood"] + with_gradient["gradient"]
    assert total <= without["likelihood"] / 2, (with_gradient, without)
    return exact
