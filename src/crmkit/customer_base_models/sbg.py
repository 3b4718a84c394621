"""The shifted-beta-geometric (sBG) model of cohort retention (Fader and Hardie 2007).

Each customer of a contract business stays from one period to the next with their own
probability 1 - theta of churning, and theta varies across customers as a beta(alpha,
beta) distribution. The model fits a cohort's survival curve (the share still a customer
after each period) and projects it forward; it explains why retention rates rise with
tenure (the customers likely to leave leave first) without any one customer changing.

Rules (Fader and Hardie 2007, "How to project customer retention", Journal of Interactive
Marketing 21(1)):
- P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta), the chance of churning in period t;
- S(t) = B(alpha, beta + t) / B(alpha, beta), the chance of still being a customer after t;
- the retention rate from t - 1 to t is r(t) = (beta + t - 1) / (alpha + beta + t - 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import betaln

from crmkit.customer_base_models.fitting import FitResult, fit_mle, model_params
from crmkit.errors import CrmkitError

NAMES = ("alpha", "beta")


def _params(params: FitResult | Mapping[str, float] | Sequence[float]) -> tuple[float, float]:
    """The model's parameters in the order of NAMES (see `fitting.model_params`)."""
    return model_params(params, NAMES, "sBG")  # type: ignore[return-value]


def survivors_from_shares(shares: Sequence[float], cohort: int = 1000) -> np.ndarray:
    """A cohort's survivors per period from published survival shares (percent or 0-1,
    starting at 100% in period 0), for a cohort of `cohort` customers."""
    values = np.asarray(shares, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise CrmkitError("give the survival shares of at least two periods, starting at 100%")
    if values[0] > 1.0:  # percentages
        values = values / 100.0
    if not np.isclose(values[0], 1.0) or (np.diff(values) > 1e-12).any() or (values < 0).any():
        raise CrmkitError(
            "survival shares start at 100% and never rise (a customer who left stays gone)"
        )
    return values * cohort


def _check_survivors(survivors: Sequence[float]) -> np.ndarray:
    alive = np.asarray(survivors, dtype=float)
    if alive.ndim != 1 or len(alive) < 2:
        raise CrmkitError("give the cohort's survivors for at least two periods (period 0 first)")
    if not np.isfinite(alive).all() or (alive < 0).any() or (np.diff(alive) > 1e-9).any():
        raise CrmkitError(
            "survivors must be counts that never rise from one period to the next "
            f"(a customer who left stays gone); got {list(alive)}"
        )
    if alive[0] <= 0:
        raise CrmkitError("the cohort has no customers in period 0")
    return alive


def log_likelihood(
    params: FitResult | Mapping[str, float] | Sequence[float], survivors: Sequence[float]
) -> float:
    """The cohort's log-likelihood: those lost in each period t = 1..n weigh ln P(T = t),
    those still customers after period n weigh ln S(n)."""
    alpha, beta = _params(params)
    alive = _check_survivors(survivors)
    n = len(alive) - 1
    lost = alive[:-1] - alive[1:]
    t = np.arange(1, n + 1)
    base = betaln(alpha, beta)
    churn = betaln(alpha + 1, beta + t - 1) - base
    stay = betaln(alpha, beta + n) - base
    return float(lost @ churn + alive[-1] * stay)


def fit(survivors: Sequence[float], start: Sequence[float] = (1.0, 1.0)) -> FitResult:
    """Fit alpha and beta to a cohort's survivors per period (period 0 first), by maximum
    likelihood; `survivors_from_shares` turns published percentages into counts."""
    alive = _check_survivors(survivors)
    if alive[-1] == alive[0]:
        raise CrmkitError("nobody left the cohort, so there is no churn to fit a model to")
    return fit_mle(
        lambda p: -log_likelihood(p, alive),
        start,
        NAMES,
        model="shifted-beta-geometric",
        n=int(round(alive[0])),
        hint="check that the survivors are counts of one cohort, period 0 first",
    )


def survival(params: FitResult | Mapping[str, float] | Sequence[float], periods: int) -> pd.Series:
    """S(t) for t = 0..periods: the share of the cohort still customers after t periods."""
    alpha, beta = _params(params)
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 0:
        raise CrmkitError(f"give the number of periods as a whole number >= 0; got {periods!r}")
    t = np.arange(periods + 1)
    values = np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))
    return pd.Series(values, index=pd.Index(t, name="period"), name="survival")


def retention_rates(
    params: FitResult | Mapping[str, float] | Sequence[float], periods: int
) -> pd.Series:
    """r(t) = (beta + t - 1) / (alpha + beta + t - 1) for t = 1..periods: the share of the
    customers of period t - 1 still customers in period t (it rises with tenure)."""
    alpha, beta = _params(params)
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise CrmkitError(f"give the number of periods as a whole number >= 1; got {periods!r}")
    t = np.arange(1, periods + 1)
    rates = (beta + t - 1) / (alpha + beta + t - 1)
    return pd.Series(rates, index=pd.Index(t, name="period"), name="retention rate")
