"""The BG/NBD model of repeat buying: who is still a customer, and how much will they buy?

While alive, a customer buys at their own rate lambda (a Poisson process); after each repeat
purchase they leave for good with their own probability p. Across customers, lambda varies
as a gamma(r, alpha) distribution and p as a beta(a, b) distribution. From each customer's
frequency x (repeat purchases), recency t_x (time of the last one) and age T (time since
the first purchase), the model says how likely they are to be alive and how many purchases
to expect from them next.

Rules (Fader, Hardie and Lee 2005, "Counting your customers the easy way: an alternative
to the Pareto/NBD model", Marketing Science 24(2); Fader, Hardie and Lee 2008, "Computing
P(alive) using the BG/NBD model", online note), with B the beta function:
- the likelihood of one customer is
  L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
      + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r
        / (Gamma(r) (alpha + t_x)^(r + x));
- P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x));
- E[Y(t) | x, t_x, T] = P(alive) * (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) /
  (alpha + T + t))^(r + x) * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))],
  the purchases to expect in the next t time units;
- E[X(t)], the purchases of a new customer in their first t units, is the same with
  x = t_x = T = 0;
- P(X(t) = x), the chance a new customer makes x repeat purchases in their first t units
  (FHL 2005, equation 8), is
  B(a, b + x) / B(a, b) NB(x; t) + [x > 0] B(a + 1, b + x - 1) / B(a, b) P(N(t) >= x),
  NB(x; t) = Gamma(r + x) / (Gamma(r) x!) (alpha / (alpha + t))^r (t / (alpha + t))^x
  the negative binomial chance of x purchases had nobody dropped out and N(t) a count
  with that distribution.
Everything is computed in log space (the overflow Fader and Hardie 2013, "Overcoming the
BG/NBD model's #NUM! error problem", describe for spreadsheets), so customers with
thousands of purchases stay finite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import betainc, betaincc, betaln, digamma, expit, exprel, gammaln, hyp2f1

from crmkit.customer_base_models.fitting import (
    FitResult,
    check_shapes,
    fit_mle,
    model_params,
)
from crmkit.customer_base_models.rows import distinct_rows, dot
from crmkit.customer_base_models.summary import fit_columns
from crmkit.errors import CrmkitError

NAMES = ("r", "alpha", "a", "b")
MODEL = "BG/NBD"

Params = FitResult | Mapping[str, float] | Sequence[float]


def _params(params: Params) -> tuple[float, float, float, float]:
    """The model's parameters in the order of NAMES (see `fitting.model_params`)."""
    return model_params(params, NAMES, "BG/NBD")  # type: ignore[return-value]


def _as_arrays(**inputs) -> tuple[list[np.ndarray], pd.Index | None]:
    """The inputs as float arrays of one shape, and the index of the Series among them."""
    index = None
    arrays = []
    for name, value in inputs.items():
        if isinstance(value, pd.Series):
            if index is None:
                index = value.index
            elif not value.index.equals(index):
                raise CrmkitError(
                    f"{name} is a Series with another index than the others: pass the columns "
                    "of one customer summary, or plain arrays"
                )
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise CrmkitError(f"{name} must be numbers; got {value!r}") from None
        if np.isnan(array).any():
            raise CrmkitError(f"{name} has missing values (NaN): fill or drop those customers")
        arrays.append(array)
    try:
        arrays = list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in inputs.items())
        raise CrmkitError(f"the inputs do not have matching lengths ({shapes})") from None
    return arrays, index


def _check_customers(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> None:
    """The customer data rules every formula here relies on, as sentences."""
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.round(x)).any():
        raise CrmkitError(
            "frequency must be a whole number of repeat purchases (0, 1, 2, ...) for every customer"
        )
    if not (np.isfinite(tx).all() and np.isfinite(T).all()) or (tx < 0).any() or (T < 0).any():
        raise CrmkitError("recency and T must be finite times >= 0 for every customer")
    if (tx > T * (1 + 1e-12) + 1e-12).any():
        n = int((tx > T * (1 + 1e-12) + 1e-12).sum())
        raise CrmkitError(
            f"{n:,} customers have recency greater than T: the last purchase cannot come "
            "after the end of the calibration period; check that the columns are not swapped"
        )
    if ((x == 0) & (tx > 0)).any():
        n = int(((x == 0) & (tx > 0)).sum())
        raise CrmkitError(
            f"{n:,} customers have frequency 0 but recency above 0: recency is the time of the "
            "last repeat purchase, 0 when there is none; check how the summary was made"
        )


def _wrap(values: np.ndarray, index: pd.Index | None, name: str):
    """Return like the input: a Series on its index, an array, or a float for scalars."""
    if index is not None:
        return pd.Series(values, index=index, name=name)
    if np.ndim(values) == 0:
        return float(values)
    return values


def _log_odds_dead(r, alpha, a, b, x, tx, T) -> np.ndarray:
    """D = ln(a / (b + x - 1)) + (r + x) ln((alpha + T) / (alpha + t_x)) for x > 0, -inf for
    x = 0: P(alive) = 1 / (1 + e^D) (Fader, Hardie and Lee 2008)."""
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    d = (
        np.log(a)
        - np.log(b + safe_x - 1)
        + (r + safe_x) * (np.log(alpha + T) - np.log(alpha + np.where(repeat, tx, 0.0)))
    )
    return np.where(repeat, d, -np.inf)


def _log_likelihood(r, alpha, a, b, x, tx, T) -> np.ndarray:
    """ln L per customer: ln of the first term of the FHL (2005) likelihood plus ln(1 + e^D), since
    the second term is the first times a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r+x)."""
    first = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        - (r + x) * np.log(alpha + T)
        + betaln(a, b + x)
        - betaln(a, b)
    )
    return first + np.logaddexp(0.0, _log_odds_dead(r, alpha, a, b, x, tx, T))


def log_likelihood(params: Params, frequency, recency, T):
    """Each customer's log-likelihood under the BG/NBD model (FHL 2005), in log
    space so that thousands of purchases or T = 0 stay finite; their sum is what `fit`
    maximises."""
    r, alpha, a, b = _params(params)
    (x, tx, age), index = _as_arrays(frequency=frequency, recency=recency, T=T)
    _check_customers(x, tx, age)
    return _wrap(_log_likelihood(r, alpha, a, b, x, tx, age), index, "log-likelihood")


def probability_alive(params: Params, frequency, recency, T):
    """P(alive | x, t_x, T): the chance each customer has not yet left (FHL 2008 note):
    1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
    It is 1 for a customer with no repeat purchase: BG/NBD customers leave only after one."""
    r, alpha, a, b = _params(params)
    (x, tx, age), index = _as_arrays(frequency=frequency, recency=recency, T=T)
    _check_customers(x, tx, age)
    alive = expit(-_log_odds_dead(r, alpha, a, b, x, tx, age))
    return _wrap(alive, index, "P(alive)")


def _summary_columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frequency, recency, T = fit_columns(summary)
    (x, tx, age), _ = _as_arrays(frequency=frequency, recency=recency, T=T)
    _check_customers(x, tx, age)
    return x, tx, age


#: Fewer customers than this cannot pin down four parameters; the fit refuses them.
MIN_CUSTOMERS = 20


def fit(summary: pd.DataFrame, start: Sequence[float] | None = None) -> FitResult:
    """Fit r, alpha, a and b by maximum likelihood (the FHL 2005 likelihood summed over customers)
    to a summary with columns frequency, recency and T (from `rfm_summary`).

    Customers with the same (x, t_x, T) share one likelihood term, weighted by their count,
    so a summary at day resolution fits as fast as its distinct rows, and the search follows
    the likelihood's analytic gradient (`_fit_functions`). The default start
    is r = 1 and alpha = 1 / (repeat purchases per unit of time across all customers), so
    that the mean purchase rate r / alpha matches the data, with a = 1 and b = 3.
    """
    x, tx, age = _summary_columns(summary)
    n = len(x)
    if n < MIN_CUSTOMERS:
        raise CrmkitError(
            f"the BG/NBD model needs at least {MIN_CUSTOMERS} customers to fit its four "
            f"parameters; the summary has {n}"
        )
    if not (x > 0).any():
        raise CrmkitError(
            "no customer made a repeat purchase (every frequency is 0), so there is nothing "
            "to learn the purchase and drop-out rates from: use a longer calibration period"
        )
    if not (age > 0).any():
        raise CrmkitError("every customer has T = 0: the calibration period has no length")
    neg_log_likelihood, gradient = _fit_functions(x, tx, age)
    if start is None:
        rate = float(x.sum() / age.sum())  # repeat purchases per unit of time
        start = (1.0, 1.0 / max(rate, 1e-6), 1.0, 3.0)
    fitted = fit_mle(
        neg_log_likelihood,
        start,
        NAMES,
        model=MODEL,
        n=n,
        hint="check that frequency, recency and T come from one summary, in one time unit",
        gradient=gradient,
    )
    check_shapes(
        fitted,
        ("r", "a", "b"),
        "the data does not support the model, e.g. nobody seems to drop out or all customers "
        "look alike; try more customers or a longer calibration period",
    )
    return fitted


def _fit_functions(x: np.ndarray, tx: np.ndarray, T: np.ndarray):
    """The negative log-likelihood of the customers (x, t_x, T), summed, and its gradient
    in (r, alpha, a, b): the two functions `fit` hands to `fit_mle`.

    A customer with x = 0 adds r ln(alpha / (alpha + T)) (the other terms cancel), so they
    are kept apart, one term per distinct T; repeat buyers one per distinct (x, t_x, T),
    with the terms that depend on x alone worked out once per distinct x. Per repeat
    buyer, ln L = F + ln(1 + e^D) (see `_log_likelihood`), and with w = e^D / (1 + e^D),
    the share of the likelihood from having dropped out after the last purchase (worked
    out as expit(D), so it stays within [0, 1] for thousands of purchases), psi the
    digamma function and S = a + b + x:
        d/dr     = psi(r + x) - psi(r) + ln alpha - ln(alpha + T)
                   + w (ln(alpha + T) - ln(alpha + t_x)),
        d/dalpha = r / alpha - (r + x) / (alpha + T)
                   + w (r + x) (1 / (alpha + T) - 1 / (alpha + t_x)),
        d/da     = psi(a + b) - psi(S) + w / a,
        d/db     = psi(b + x) - psi(S) - psi(b) + psi(a + b) - w / (b + x - 1);
    for x = 0 only d/dr = ln alpha - ln(alpha + T) and d/dalpha = r / alpha - r / (alpha + T).
    """
    (none_age,), none_weights, _ = distinct_rows(T[x == 0])
    (cx, ctx, cage), weights, _ = distinct_rows(x[x > 0], tx[x > 0], T[x > 0])
    values, which = np.unique(cx, return_inverse=True)
    per_value = np.bincount(which, weights=weights)  # the repeat buyers with each x
    total_weight = float(weights.sum())
    none_total = float(none_weights.sum())

    def neg_log_likelihood(p: np.ndarray) -> float:
        r, alpha, a, b = p
        log_alpha = np.log(alpha)
        nobody = r * dot(none_weights, log_alpha - np.log(alpha + none_age))
        per_x = gammaln(r + values) + betaln(a, b + values)
        odds_x = np.log(a / (b + values - 1))
        log_at_t = np.log(alpha + cage)
        first = per_x[which] - (r + cx) * log_at_t
        d = odds_x[which] + (r + cx) * (log_at_t - np.log(alpha + ctx))
        repeat = dot(weights, first + np.logaddexp(0.0, d))
        repeat += total_weight * (r * log_alpha - gammaln(r) - betaln(a, b))
        return -float(nobody + repeat)

    def gradient(p: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        log_alpha = np.log(alpha)
        # customers without a repeat purchase
        d_r = dot(none_weights, log_alpha - np.log(alpha + none_age))
        d_alpha = r * (none_total / alpha - dot(none_weights, 1 / (alpha + none_age)))
        # repeat buyers: the terms in x alone, once per distinct x
        psi_s = digamma(a + b + values)
        d_r += dot(per_value, digamma(r + values)) + total_weight * (log_alpha - digamma(r))
        d_alpha += total_weight * r / alpha
        d_a = total_weight * digamma(a + b) - dot(per_value, psi_s)
        d_b = dot(per_value, digamma(b + values) - psi_s) + total_weight * (
            digamma(a + b) - digamma(b)
        )
        # and the terms of each distinct history, w the share of having dropped out
        log_at_t, log_at_tx = np.log(alpha + cage), np.log(alpha + ctx)
        odds_x = np.log(a / (b + values - 1))
        shape = r + cx
        gap = log_at_t - log_at_tx
        share = weights * expit(odds_x[which] + shape * gap)
        at_t, at_tx = 1 / (alpha + cage), 1 / (alpha + ctx)
        d_r += dot(share, gap) - dot(weights, log_at_t)
        d_alpha += dot(share, shape * (at_t - at_tx)) - dot(weights, shape * at_t)
        d_a += share.sum() / a
        d_b -= dot(np.bincount(which, weights=share, minlength=len(values)), 1 / (b + values - 1))
        return -np.array([d_r, d_alpha, d_a, d_b])

    return neg_log_likelihood, gradient


def simulate(params: Params, n: int, T, seed: int | None = None) -> pd.DataFrame:
    """n customers drawn from the BG/NBD model, observed for T time units after their first
    purchase (a number, or one per customer): frequency, recency and T, as `rfm_summary`
    gives. For recovery tests and for the lesson: fit the model to data you made yourself.

    Each customer gets lambda ~ gamma(r, alpha) and p ~ beta(a, b); they would make
    N ~ Poisson(lambda T) purchases in (0, T] and drop out after the K-th, K ~ geometric(p),
    so x = min(N, K). Given N, purchase times are uniform on (0, T), so the x-th of them,
    t_x, is T times a beta(x, N - x + 1) draw (the x-th order statistic of N uniforms).
    """
    r, alpha, a, b = _params(params)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise CrmkitError(f"n must be a whole number of customers >= 1; got {n!r}")
    ages = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if not np.isfinite(ages).all() or (ages < 0).any():
        raise CrmkitError("T must be a time >= 0 (or one per customer)")
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    purchases = rng.poisson(rate * ages)
    lifetime = rng.geometric(np.clip(drop, 1e-300, 1.0))
    x = np.minimum(purchases, lifetime)
    repeat = x > 0
    share = rng.beta(np.where(repeat, x, 1), np.where(repeat, purchases - x + 1, 1))
    recency = np.where(repeat, ages * share, 0.0)
    return pd.DataFrame(
        {"frequency": x.astype(np.int64), "recency": recency, "T": ages},
        index=pd.RangeIndex(n, name="customer"),
    )


# --- Expected purchases -------------------------------------------------------------------
#
# For a customer alive at T with x repeat purchases, E[Y(t) | alive] is (FHL 2005's
# conditional expectation without its P(alive) factor)
#     E_alive = (a + b + x - 1) / (a - 1) * (1 - G),
#     G = ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z),
# with z = t / (alpha + T + t). Written as printed, 2F1 overflows for customers with many
# purchases (it grows like (1 - z)^-(r + x) while the power in front underflows) and
# 1 - G loses every digit when a is near 1. So with u = t / (alpha + T), c = a + b + x - 1
# and Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z):
#     G = (1 + u)^(1 - a) F,   F = 2F1(a + b - 1 - r, a - 1; c; z),
# whose parameters stay small whatever x is. Three ways to evaluate it, each used only
# where it is known to be accurate (each checks itself; the next takes over if not):
# 1. F's power series, summed directly with (a - 1) divided out term by term:
#    E_alive = c ln(1 + u) exprel((1 - a) ln(1 + u)) - (1 + u)^(1 - a) S,
#    S = sum_{k>=1} (a + b - 1 - r)_k (a)_(k-1) / ((c + 1)_(k-1) k!) z^k.
#    Exact at a = 1, fast when z is small or c is large (many purchases); kept when it
#    has converged within 1,000 terms and the rounding error bound is below 1e-10 of the
#    result (not tried for z > 0.96 with c < 40, which would need more terms).
# 2. scipy.special.hyp2f1 on F (small x with z near 1), kept when it agrees to 1e-10 of
#    the result with the printed form or with Pfaff's, 2F1(r + x, a - 1; c; -u), and
#    not used at all when r + 1 - a is a whole number (see _alive_hyp2f1_at). For
#    |a - 1| < 1e-4, where c / (a - 1) magnifies every error, the quadratic through its
#    values at a = 1 - h, 1 + h and 1 + 2h, h = 1e-4 (smooth in a: error about 1e-9).
# 3. Numerical integration of the definition, E_alive = E[(1 - (1 + p u)^-(r+x)) / p] for
#    p ~ beta(a, b + x), the posterior of p (E[Y(t) | lambda, p] = (1 - e^(-lambda p t)) / p
#    averaged over the gamma(r + x, alpha + T) posterior of lambda), with
#    scipy.integrate.quad on logit(p): slow, so used only for what 1 and 2 leave over.

_EPS = float(np.finfo(float).eps)
_TOLERANCE = 1e-10
_MAX_TERMS = 1000
_NEAR_ONE = 1e-4


def _alive_series(r, a, b, x, u):
    """Way 1: the power series of F. Returns the values and which of them to trust."""
    n = len(u)
    values = np.full(n, np.nan)
    trusted = np.zeros(n, dtype=bool)
    shape, c, z = a + b - 1 - r, a + b + x - 1, u / (1 + u)
    active = np.arange(n)  # the elements still summing
    term = shape * z  # shape = a + b - 1 - r is one number, c and z one per element
    total, bound = term.copy(), np.abs(term)
    for k in range(1, _MAX_TERMS + 1):
        term = term * ((shape + k) * (a + k - 1) / ((c + k) * (k + 1)) * z)
        total += term
        bound += (k + 1) * np.abs(term)  # each term carries about k roundings
        converged = np.abs(term) <= _EPS * np.abs(total)
        last = k == _MAX_TERMS
        if not (converged.any() or last):
            continue
        stop = converged | last
        where = active[stop]
        ell = np.log1p(u[where])
        power = (1 - a) * ell
        first = c[stop] * ell * exprel(power)
        second = np.exp(power) * total[stop]
        value = first - second
        with np.errstate(divide="ignore", invalid="ignore"):
            error = _EPS * (np.abs(first) + 2 * np.exp(power) * bound[stop]) / np.abs(value)
        values[where] = value
        trusted[where] = converged[stop] & (error < _TOLERANCE) & np.isfinite(value)
        trusted[where] &= value >= 0
        keep = ~stop
        active, term, total, bound = active[keep], term[keep], total[keep], bound[keep]
        c, z = c[keep], z[keep]
        if len(active) == 0:
            break
    return values, trusted


def _alive_hyp2f1_at(r, a, b, x, u):
    """Way 2 at one value of a (not 1): Euler's form, trusted when the printed form or
    Pfaff's, 2F1(r + x, a - 1; c; -u), both other routes through scipy, agrees with it."""
    c, z = a + b + x - 1, u / (1 + u)
    ell = np.log1p(u)
    gap = r + 1 - a  # c minus the two upper parameters, less x, in all three forms
    if abs(gap - round(gap)) < 1e-9:
        # a whole number: scipy switches to its logarithmic limit formulas, which can be
        # off by 1e-5 in all three forms at once, so none of them can vouch for another
        return np.full(u.shape, np.nan), np.zeros(u.shape, dtype=bool)
    with np.errstate(all="ignore"):
        euler = np.exp((1 - a) * ell) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        value = c / (a - 1) * (1 - euler)
        scale = np.abs(c / (a - 1)) / np.abs(value)
        printed = np.exp(-(r + x) * ell) * hyp2f1(r + x, b + x, c, z)
        agree = np.abs(euler - printed) * scale < _TOLERANCE
        if not agree.all():
            other = ~agree
            pfaff = hyp2f1(r + x[other], a - 1, c[other], -u[other])
            agree[other] = np.abs(euler[other] - pfaff) * scale[other] < _TOLERANCE
    trusted = np.isfinite(value) & (value >= 0) & agree
    return value, trusted


def _alive_hyp2f1(r, a, b, x, u):
    """Way 2: scipy's hyp2f1; within 1e-4 of a = 1, the quadratic through its values at
    a = 1 - h, 1 + h and 1 + 2h (h = 1e-4), all three checked."""
    if abs(a - 1) >= _NEAR_ONE:
        return _alive_hyp2f1_at(r, a, b, x, u)
    nodes = 1 + _NEAR_ONE * np.array([-1.0, 1.0, 2.0])
    values, trusted = zip(*(_alive_hyp2f1_at(r, node, b, x, u) for node in nodes), strict=True)
    result = 0.0
    for i, node in enumerate(nodes):
        others = np.delete(nodes, i)
        result = result + values[i] * np.prod((a - others) / (node - others))
    return result, trusted[0] & trusted[1] & trusted[2]


def _alive_integral(r: float, a: float, b: float, x: float, u: float) -> float:
    """Way 3: E[(1 - (1 + p u)^-(r + x)) / p] for p ~ beta(a, b + x), integrated over
    s = logit(p) (dp = p (1 - p) ds), where the integrand falls off exponentially on both
    sides: like p^a = e^(a s) on the left and (1 - p)^(b + x) on the right.

    A grid of 4,001 points over where the integrand can matter finds its peak and the
    stretch within e^-50 of it; quad then integrates that stretch, split at the peak."""
    from scipy import integrate

    shape, tail = r + x, b + x

    def log_integrand(s):
        log_p, log_q = -np.logaddexp(0.0, -s), -np.logaddexp(0.0, s)
        log_pu = log_p + np.log(u)
        # ln(1 - (1 + p u)^-(r + x)), which is ln(r + x) + ln(p u) to double precision
        # once p u < e^-40 (and p itself may be far below the smallest double)
        with np.errstate(divide="ignore"):
            exact = np.log(-np.expm1(-shape * np.log1p(np.exp(np.maximum(log_pu, -40.0)))))
        bought = np.where(log_pu < -40.0, np.log(shape) + log_pu, exact)
        return bought + (a - 1) * log_p + tail * log_q - betaln(a, tail)

    low, high = sorted((-np.log(shape * u), np.log(a / tail)))
    grid = np.linspace(low - 50 / a - 5, max(high, 0.0) + 50 / tail + 5, 4001)
    logs = log_integrand(grid)
    peak = int(np.nanargmax(logs))
    inside = np.flatnonzero(logs > logs[peak] - 50)
    first, last = max(inside[0] - 1, 0), min(inside[-1] + 1, len(grid) - 1)

    def integrand(s: float) -> float:
        return float(np.exp(log_integrand(s)))

    total = 0.0
    for start, end in ((grid[first], grid[peak]), (grid[peak], grid[last])):
        if end > start:
            total += integrate.quad(integrand, start, end, epsabs=0, epsrel=1e-12, limit=500)[0]
    return total


def _expected_while_alive(r, alpha, a, b, x, T, t) -> np.ndarray:
    """E[Y(t) | alive at T, x] for arrays x, T, t of one shape (see the notes above),
    worked out once per distinct (x, u): summaries at day resolution repeat them a lot."""
    u = t / (alpha + T)
    (xs, us), _, which = distinct_rows(x.ravel(), u.ravel())
    values = np.zeros(us.shape)
    todo = np.flatnonzero(us > 0)  # t = 0: nothing to expect
    # the series needs over 1,000 terms when z > 0.96 (u > 24) unless c is large
    quick = (us[todo] <= 24) | (a + b + xs[todo] - 1 >= 40)
    if quick.any():
        series, trusted = _alive_series(r, a, b, xs[todo[quick]], us[todo[quick]])
        values[todo[quick]] = series
        todo = np.concatenate([todo[quick][~trusted], todo[~quick]])
    if len(todo):
        direct, trusted = _alive_hyp2f1(r, a, b, xs[todo], us[todo])
        values[todo] = direct
        todo = todo[~trusted]
    for i in todo:
        values[i] = _alive_integral(r, a, b, xs[i], us[i])
    return values[which].reshape(u.shape)


def conditional_expected_purchases(params: Params, t, frequency, recency, T):
    """E[Y(t) | x, t_x, T]: the purchases to expect from each customer in the next t time
    units (FHL 2005): P(alive) * (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) /
    (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))].

    The hypergeometric part is evaluated so that it stays accurate for thousands of
    purchases, long horizons and a near 1 (see the notes in the module source); t is in
    the time unit of the fit, one number or one per customer.
    """
    r, alpha, a, b = _params(params)
    (horizon, x, tx, age), index = _as_arrays(t=t, frequency=frequency, recency=recency, T=T)
    _check_customers(x, tx, age)
    _check_horizon(horizon)
    alive = expit(-_log_odds_dead(r, alpha, a, b, x, tx, age))
    expected = alive * _expected_while_alive(r, alpha, a, b, x, age, horizon)
    return _wrap(expected, index, "expected purchases")


def expected_purchases(params: Params, t):
    """E[X(t)]: the purchases a new customer makes in their first t time units after the
    first purchase (FHL 2005): (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r
    2F1(r, b; a + b - 1; t / (alpha + t))], worked out as the conditional expectation
    with x = t_x = T = 0."""
    r, alpha, a, b = _params(params)
    (horizon,), index = _as_arrays(t=t)
    _check_horizon(horizon)
    zero = np.zeros(horizon.shape)
    return _wrap(
        _expected_while_alive(r, alpha, a, b, zero, zero, horizon), index, "expected purchases"
    )


def _check_horizon(t: np.ndarray) -> None:
    if not np.isfinite(t).all() or (t < 0).any():
        raise CrmkitError("the forecast horizon t must be a finite time >= 0")


# --- How many purchases -------------------------------------------------------------------
#
# FHL (2005), equation 8: a customer alive after x purchases contributes the negative
# binomial chance of exactly x purchases in t, NB(x; t), times E[(1 - p)^x] =
# B(a, b + x) / B(a, b); one who dropped out right after the x-th contributes the chance
# of at least x purchases, times E[p (1 - p)^(x - 1)] = B(a + 1, b + x - 1) / B(a, b). The
# printed bracket 1 - (alpha / (alpha + t))^r sum_{j < x} ... is that chance written as
# one minus a partial sum, which loses every digit when it is small; here it is the
# regularised incomplete beta function I_q(x, r), q = t / (alpha + t), the negative
# binomial's survival function (from 1 - q = alpha / (alpha + t) itself when that is
# tiny, so that a very long t loses nothing either). Everything else is in logarithms.


def _log_nb(r: float, x: np.ndarray, log_p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """ln NB(x) = ln[Gamma(r + x) / (Gamma(r) x!) p^r q^x], with ln p and ln q given
    (ln q = -inf at t = 0, where NB is 1 for x = 0 and 0 otherwise)."""
    with np.errstate(invalid="ignore"):
        powers = np.where(x > 0, x * log_q, 0.0)
    return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * log_p + powers


def _nb_at_least(r: float, k: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """P(N >= k) for N negative binomial with shape r and p = alpha / (alpha + t), k >= 1:
    I_q(k, r), q = 1 - p. scipy works out 1 - q itself, which costs a relative eps / p in
    p and about r p^(r-1) eps in the result (below 1e-14 for p >= 1e-3); for smaller p
    (t beyond 999 alpha) it is 1 - I_p(r, k) from p itself (betaincc: exact, but seven
    times slower)."""
    k, p, q = np.broadcast_arrays(k, p, q)
    out = np.empty(k.shape)
    far = p < 1e-3
    out[~far] = betainc(k[~far], r, q[~far])
    out[far] = betaincc(r, k[far], p[far])
    return out


def _shares(alpha: float, t: np.ndarray):
    """p = alpha / (alpha + t) and q = t / (alpha + t), and their logarithms, each worked
    out directly (not as 1 minus the other)."""
    with np.errstate(divide="ignore"):
        log_p, log_q = -np.log1p(t / alpha), -np.log1p(alpha / t)
    return alpha / (alpha + t), t / (alpha + t), log_p, log_q


def _count_probability(r, alpha, a, b, x, t) -> np.ndarray:
    """P(X(t) = x) for arrays x and t of one shape (FHL 2005, equation 8)."""
    p, q, log_p, log_q = _shares(alpha, t)
    alive = np.exp(betaln(a, b + x) - betaln(a, b) + _log_nb(r, x, log_p, log_q))
    k = np.maximum(x, 1.0)
    gone = np.exp(betaln(a + 1, b + k - 1) - betaln(a, b)) * _nb_at_least(r, k, p, q)
    return np.minimum(alive + np.where(x > 0, gone, 0.0), 1.0)


def _check_counts(x: np.ndarray) -> None:
    if not np.isfinite(x).all() or (x < 0).any() or (x != np.round(x)).any():
        raise CrmkitError(
            "x is a number of repeat purchases, so it must be a whole number >= 0 (0, 1, 2, ...)"
        )


def _check_ages(t: np.ndarray, name: str) -> None:
    if not np.isfinite(t).all() or (t < 0).any():
        raise CrmkitError(
            f"{name} is the time since the first purchase, so it must be a finite time >= 0"
        )


def purchase_count_probability(params: Params, t, x):
    """P(X(t) = x): the chance a new customer makes exactly x repeat purchases in the first
    t time units after their first purchase (FHL 2005, equation 8):

        B(a, b + x) / B(a, b) Gamma(r + x) / (Gamma(r) x!) (alpha / (alpha + t))^r
        (t / (alpha + t))^x + [x > 0] B(a + 1, b + x - 1) / B(a, b)
        [1 - (alpha / (alpha + t))^r sum_{j < x} Gamma(r + j) / (Gamma(r) j!)
        (t / (alpha + t))^j],

    the first term for customers still alive after their x-th purchase, the second for
    those who dropped out right after it. Computed in logarithms, with the bracket as the
    negative binomial survival function (no 1 minus a sum), so it stays finite and
    accurate for thousands of purchases and long t. `t` and `x` broadcast against each
    other: numbers give a float, arrays an array, a Series a Series on its index.
    """
    r, alpha, a, b = _params(params)
    (ages, counts), index = _as_arrays(t=t, x=x)
    _check_ages(ages, "t")
    _check_counts(counts)
    return _wrap(_count_probability(r, alpha, a, b, counts, ages), index, "P(X(t) = x)")


def _count_probabilities(r, alpha, a, b, t: np.ndarray, max_count: int) -> np.ndarray:
    """P(X(t) = x) for x = 0, ..., max_count - 1 (columns) and each t (rows). The chances
    of at least x purchases come from one incomplete beta function at x = max_count - 1
    and the exact chances added on downwards (all positive terms)."""
    p, q, log_p, log_q = _shares(alpha, t[:, None])
    x = np.arange(max_count, dtype=float)
    exact = np.exp(_log_nb(r, x, log_p, log_q))
    at_least = np.zeros(exact.shape)
    if max_count > 1:
        at_least[:, -1] = _nb_at_least(r, float(max_count - 1), p[:, 0], q[:, 0])
        for k in range(max_count - 2, 0, -1):
            at_least[:, k] = at_least[:, k + 1] + exact[:, k]
    k = np.maximum(x, 1.0)
    alive = np.exp(betaln(a, b + x) - betaln(a, b))
    gone = np.where(x > 0, np.exp(betaln(a + 1, b + k - 1) - betaln(a, b)), 0.0)
    return np.minimum(alive * exact + gone * at_least, 1.0)


def _check_max_count(max_count) -> int:
    if isinstance(max_count, bool) or not isinstance(max_count, int | np.integer) or max_count < 1:
        raise CrmkitError(
            f"max_count must be a whole number >= 1 (the last bucket is max_count or more "
            f"purchases); got {max_count!r}"
        )
    return int(max_count)


def purchase_count_distribution(params: Params, T, max_count: int) -> pd.Series:
    """The model's expected number of customers with 0, 1, ..., max_count - 1 and max_count
    or more repeat purchases in their first T time units, T each customer's age (the
    `T` column of the summary): the sum over customers of P(X(T_i) = x) (see
    `purchase_count_probability`), and the rest of each customer's chance for the last
    bucket. Set it beside the actual counts of `frequency` (clipped at max_count) for the
    period-transaction histogram (FHL 2005, figure 2).

    Returns a Series indexed "0", "1", ..., f"{max_count}+" that adds up to the number of
    customers; customers of the same age are worked out once.
    """
    r, alpha, a, b = _params(params)
    count = _check_max_count(max_count)
    (ages,), _ = _as_arrays(T=T)
    ages = ages.reshape(-1)
    if ages.size == 0:
        raise CrmkitError("T has no customers: give one age per customer")
    _check_ages(ages, "T")
    values, weights = np.unique(ages, return_counts=True)
    probabilities = _count_probabilities(r, alpha, a, b, values, count)
    rest = np.clip(1.0 - probabilities.sum(axis=1), 0.0, None)
    expected = np.append(weights @ probabilities, weights @ rest)
    labels = [str(k) for k in range(count)] + [f"{count}+"]
    return pd.Series(
        expected, index=pd.Index(labels, name="repeat purchases"), name="expected customers"
    )
