"""The Gamma-Gamma model of spend per purchase: what will each customer's purchases be worth?

Each purchase of a customer is worth a gamma(p, nu) amount, so their average spend is
p / nu; across customers nu varies as a gamma(q, gamma) distribution. A customer's own
average over x repeat purchases is evidence about their nu: the more purchases, the more
the forecast trusts it rather than the population mean. Paired with BG/NBD's expected
purchases it gives customer lifetime value. The model assumes spend per purchase does not
depend on how often a customer buys (check that frequency and monetary value are hardly
correlated before you rely on it).

Rules (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves for customer base
analysis", Journal of Marketing Research 42(4); Fader and Hardie 2013, "The Gamma-Gamma
model of monetary value", online note), for a customer with x repeat purchases averaging m:
- the likelihood of m is
  f(m | x) = Gamma(p x + q) / (Gamma(p x) Gamma(q)) * gamma^q m^(p x - 1) x^(p x)
             / (gamma + m x)^(p x + q);
- the expected spend per purchase is E(M | m, x) = p (gamma + m x) / (p x + q - 1)
  = (q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * m,
  a weighted mean of the population mean p gamma / (q - 1) and the customer's own m;
- for a customer with no repeat purchase it is the population mean p gamma / (q - 1),
  which exists only when q > 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from crmkit.customer_base_models.fitting import (
    FitResult,
    check_shapes,
    fit_mle,
    model_params,
)
from crmkit.customer_base_models.rows import dot
from crmkit.errors import CrmkitError

NAMES = ("p", "q", "gamma")
MODEL = "Gamma-Gamma"

#: Fewer repeat buyers than this cannot pin down three parameters; the fit refuses them.
MIN_REPEAT_BUYERS = 20

Params = FitResult | Mapping[str, float] | Sequence[float]


def _params(params: Params) -> tuple[float, float, float]:
    """The model's parameters in the order of NAMES (see `fitting.model_params`)."""
    return model_params(params, NAMES, "Gamma-Gamma")  # type: ignore[return-value]


def _log_likelihood(p, q, gamma, x, m) -> np.ndarray:
    """ln f(m | x) per repeat buyer (Fader and Hardie 2013)."""
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )


def _repeat_buyers(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The frequency and monetary value of the repeat buyers, checked."""
    if not isinstance(summary, pd.DataFrame):
        raise CrmkitError(
            "give the customer summary as a DataFrame with columns frequency and "
            "monetary_value (rfm_summary makes one from an order table)"
        )
    missing = [c for c in ("frequency", "monetary_value") if c not in summary.columns]
    if missing:
        raise CrmkitError(
            f"the customer summary has no column {', '.join(map(repr, missing))}; the "
            "Gamma-Gamma model needs frequency and monetary_value (rfm_summary makes them "
            "when given the amount column)"
        )
    x = pd.to_numeric(summary["frequency"], errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(summary["monetary_value"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.round(x)).any():
        raise CrmkitError(
            "frequency must be a whole number of repeat purchases (0, 1, 2, ...) for every customer"
        )
    repeat = x > 0
    if not np.isfinite(m[repeat]).all():
        raise CrmkitError("monetary_value has missing or infinite values among repeat buyers")
    if (m[repeat] <= 0).any():
        n = int((m[repeat] <= 0).sum())
        raise CrmkitError(
            f"{n:,} repeat buyers have a monetary value of 0 or less (refunds or free "
            "orders?): the Gamma-Gamma model describes positive spend; remove those "
            "customers, or net refunds against the orders they refund, and fit again"
        )
    return x[repeat], m[repeat]


def log_likelihood(params: Params, frequency, monetary_value):
    """Each repeat buyer's log-likelihood of their average spend (Fader and Hardie 2013);
    `fit` maximises their sum. Only for repeat buyers with positive spend, as the
    fit: select them first, e.g. summary[summary["frequency"] > 0]."""
    p, q, gamma = _params(params)
    (x, m), index = _spend_arrays(frequency, monetary_value)
    if (x == 0).any() or (m <= 0).any():
        raise CrmkitError(
            "the Gamma-Gamma likelihood is for repeat buyers (frequency > 0) with a positive "
            'monetary value; select them first, e.g. summary[summary["frequency"] > 0]'
        )
    return _answer(_log_likelihood(p, q, gamma, x, m), index, "log-likelihood")


def fit(summary: pd.DataFrame, start: Sequence[float] | None = None) -> FitResult:
    """Fit p, q and gamma by maximum likelihood to the repeat buyers of a summary with
    columns frequency and monetary_value (from `rfm_summary` with an amount column).

    Rule for who is in the fit: customers with frequency 0 are left out (they have no
    repeat purchase, so no repeat spend: their monetary value is 0 by construction, as in
    Fader, Hardie and Lee 2005); a repeat buyer with monetary value 0 or less is an error,
    not dropped, since leaving them out silently would raise the forecasts. The default
    start is p = 2, q = 3 and gamma = the mean monetary value, so that the population
    mean p gamma / (q - 1) matches the data. n in the result counts the repeat buyers. The
    search follows the likelihood's analytic gradient (`_fit_functions`).
    """
    x, m = _repeat_buyers(summary)
    if len(x) < MIN_REPEAT_BUYERS:
        raise CrmkitError(
            f"the Gamma-Gamma model is fitted on repeat buyers and needs at least "
            f"{MIN_REPEAT_BUYERS} of them; the summary has {len(x)}"
        )
    if np.ptp(m) <= 1e-12 * np.max(m):
        raise CrmkitError(
            "every repeat buyer has the same monetary value, so there is no variation in "
            "spend for the model to describe"
        )
    neg_log_likelihood, gradient = _fit_functions(x, m)
    if start is None:
        start = (2.0, 3.0, float(m.mean()))
    fitted = fit_mle(
        neg_log_likelihood,
        start,
        NAMES,
        model=MODEL,
        n=len(x),
        hint="check that monetary_value is the average spend of the repeat purchases",
        gradient=gradient,
    )
    check_shapes(
        fitted,
        ("p", "q"),
        "spend varies too little within or across customers for this model; try more repeat buyers",
    )
    return fitted


def _fit_functions(x: np.ndarray, m: np.ndarray):
    """The negative log-likelihood of the repeat buyers (x, m), summed, and its gradient
    in (p, q, gamma): the two functions `fit` hands to `fit_mle`.

    With psi the digamma function, each buyer's ln f(m | x) has the derivatives
        d/dp     = x (psi(p x + q) - psi(p x) + ln m + ln x - ln(gamma + m x)),
        d/dq     = psi(p x + q) - psi(q) + ln gamma - ln(gamma + m x),
        d/dgamma = q / gamma - (p x + q) / (gamma + m x);
    the digamma terms depend on x alone, so they are worked out once per distinct x.
    """
    log_m, log_x = np.log(m), np.log(x)
    mx = m * x
    n = len(x)
    values, counts = np.unique(x, return_counts=True)
    purchases = counts * values  # the repeat purchases of the buyers with each x
    fixed_p = float(np.sum(x * (log_m + log_x)))  # the part of d/dp free of the parameters

    def neg_log_likelihood(params: np.ndarray) -> float:
        p, q, gamma = params
        px = p * x
        total = (
            np.sum(gammaln(px + q) - gammaln(px) + (px - 1) * log_m + px * log_x)
            - np.sum((px + q) * np.log(gamma + mx))
            + len(x) * (q * np.log(gamma) - gammaln(q))
        )
        return -float(total)

    def gradient(params: np.ndarray) -> np.ndarray:
        p, q, gamma = params
        psi_sum = digamma(p * values + q)
        log_at = np.log(gamma + mx)
        d_p = dot(purchases, psi_sum - digamma(p * values)) + fixed_p - dot(x, log_at)
        d_q = dot(counts, psi_sum) - n * (digamma(q) - np.log(gamma)) - log_at.sum()
        d_gamma = n * q / gamma - dot(p * x + q, 1 / (gamma + mx))
        return -np.array([d_p, d_q, d_gamma])

    return neg_log_likelihood, gradient


def conditional_expected_spend(params: Params, frequency, monetary_value):
    """Each customer's expected spend per future purchase (Fader and Hardie 2013):
    p (gamma + m x) / (p x + q - 1), their own average m weighted against the population
    mean p gamma / (q - 1) by how many repeat purchases x it rests on; a customer with no
    repeat purchase gets the population mean, which needs q > 1.

    Takes numbers, arrays or Series and answers in kind (a Series keeps its index).
    """
    p, q, gamma = _params(params)
    (x, m), index = _spend_arrays(frequency, monetary_value)
    if (x == 0).any() and q <= 1:
        raise CrmkitError(
            f"q = {q:.3g} is not above 1, so the population mean spend p gamma / (q - 1) "
            "does not exist and customers without a repeat purchase have no expected "
            "spend; forecast repeat buyers only, or fit on more data"
        )
    if (p * x + q <= 1).any():
        raise CrmkitError(
            f"with p = {p:.3g} and q = {q:.3g}, p x + q - 1 is not above 0 for some "
            "customers, so their expected spend is infinite; check the fitted parameters"
        )
    expected = p * (gamma + m * x) / (p * x + q - 1)
    return _answer(expected, index, "expected spend")


def _spend_arrays(frequency, monetary_value) -> tuple[list[np.ndarray], pd.Index | None]:
    """Frequency and monetary value as float arrays of one shape, checked, and the index
    of the Series among them."""
    index = None
    arrays = []
    for name, value in (("frequency", frequency), ("monetary_value", monetary_value)):
        if isinstance(value, pd.Series):
            if index is not None and not value.index.equals(index):
                raise CrmkitError(
                    "frequency and monetary_value are Series with different indexes: pass "
                    "the columns of one customer summary"
                )
            index = value.index
        try:
            arrays.append(np.asarray(value, dtype=float))
        except (TypeError, ValueError):
            raise CrmkitError(f"{name} must be numbers; got {value!r}") from None
    try:
        x, m = np.broadcast_arrays(*arrays)
    except ValueError:
        raise CrmkitError("frequency and monetary_value do not have matching lengths") from None
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.round(x)).any():
        raise CrmkitError(
            "frequency must be a whole number of repeat purchases (0, 1, 2, ...) for every customer"
        )
    if not np.isfinite(m).all() or (m < 0).any():
        raise CrmkitError("monetary_value must be a finite amount >= 0 for every customer")
    return [x, m], index


def _answer(values: np.ndarray, index: pd.Index | None, name: str):
    """Like the input: a Series on its index, an array, or a float for numbers."""
    if index is not None:
        return pd.Series(values, index=index, name=name)
    return float(values) if np.ndim(values) == 0 else values
