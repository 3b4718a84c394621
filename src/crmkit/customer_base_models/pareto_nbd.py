"""The Pareto/NBD model: who is still a customer, and how much will each one buy?

A customer of a business without contracts (a shop, a web store) buys at their own steady
rate lambda while they are a customer, and leaves at an unseen moment, after an exponential
lifetime with their own rate mu. Across customers, lambda is gamma(r, alpha) and mu is
gamma(s, beta), independently (Schmittlein, Morrison & Colombo 1987, "Counting your
customers: who are they and what will they do next?", Management Science 33(1)). From each
customer's repeat purchases `frequency` (x), the time of the last one `recency` (t_x) and
the time since their first purchase `T`, all in one time unit, the model tells the chance
they are still a customer and the purchases to expect from them.

Rules (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related
expressions", sections 3 to 6; SMC 1987), with tau the unseen time a customer left:
- likelihood: L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [K + s J], where
  K = (alpha+T)^-(r+x) (beta+T)^-s (still a customer at T) and
  J = integral over t_x < tau < T of (alpha+tau)^-(r+x) (beta+tau)^-(s+1) (left in between);
  s J is Fader & Hardie's s/(r+s+x) A_0 (their A_0 = (r+s+x) J, written with 2F1);
- P(alive | x, t_x, T) = K / (K + s J);
- E[X(T, T+t) | x, t_x, T] = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1))
  * [1 - ((beta+T)/(beta+T+t))^(s-1)];
- E[X(t)] for a new customer = r beta / (alpha (s-1)) * [1 - (beta/(beta+t))^(s-1)];
- P(X(t) = x) for a new customer = (beta/(beta+t))^s NB(x; t)
  + integral over 0 < u < t of s beta^s / (beta+u)^(s+1) NB(x; u) du, with
  NB(x; u) = Gamma(r+x) / (Gamma(r) x!) (alpha/(alpha+u))^r (u/(alpha+u))^x
  (see `purchase_count_probability`).
Both expectations read b log(1 + t/b) at s = 1; they are computed in a form exact there too.

Why this module computes J its own way: the textbook form divides a Gauss hypergeometric
function by (alpha+t)^(r+s+x). In double precision that power overflows once x is a few
hundred (lifetimes issue #25: frequency > 300), and when alpha < beta the function itself,
2F1(r+s+x, r+x; r+s+x+1; z), grows like (1-z)^-(r+x); the likelihood then comes out -inf or
NaN, and an optimiser stops or wanders (lifetimes #262 and #419; pymc-marketing #127 and
#177, where the sampler fails on hyp2f1 in the Pareto/NBD likelihood). Here every quantity
is a logarithm and the hypergeometric function is replaced by a series of positive terms
between 1 and 1/(1-z), which cannot overflow (see `_log_tail`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import exprel, gammaln, logsumexp

from crmkit.customer_base_models.fitting import FitResult, ModelFitError, fit_mle, model_params
from crmkit.customer_base_models.rows import distinct_rows, dot
from crmkit.customer_base_models.summary import fit_columns
from crmkit.errors import CrmkitError

NAMES = ("r", "alpha", "s", "beta")
MODEL = "Pareto/NBD"

Params = FitResult | Mapping[str, float] | pd.Series | Sequence[float]

# -- the parameters and the data -------------------------------------------------------------


def _params(params: Params) -> tuple[float, float, float, float]:
    """r, alpha, s, beta from a fit, a mapping by name or four numbers (`fitting.model_params`)."""
    return model_params(params, NAMES, "Pareto/NBD")  # type: ignore[return-value]


class _Shape:
    """Remembers how the caller gave the customers (Series, array or single numbers), so
    results come back the same way: a Series keeps its index, an array stays an array,
    single numbers give a float."""

    def __init__(self, *given: object) -> None:
        indexes = [v.index for v in given if isinstance(v, pd.Series)]
        for other in indexes[1:]:
            if not other.equals(indexes[0]):
                raise CrmkitError(
                    "the inputs are pandas Series with different indexes (different customers "
                    "or a different order); take them from one table"
                )
        self.index = indexes[0] if indexes else None
        self.scalar = all(np.ndim(v) == 0 for v in given)

    def wrap(self, values: np.ndarray, name: str) -> pd.Series | np.ndarray | float:
        if self.index is not None:
            return pd.Series(values, index=self.index, name=name)
        return float(values.reshape(-1)[0]) if self.scalar else values


def _numbers(value: object, name: str, *, infinite: bool = False) -> np.ndarray:
    try:
        if isinstance(value, pd.Series):  # nullable dtypes: their missing values become NaN
            value = value.to_numpy(dtype=float, na_value=np.nan)
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CrmkitError(f"{name} must be numbers; it holds text or other values") from None
    if array.ndim > 1:
        raise CrmkitError(f"{name} must be one number per customer (one column), not a table")
    if np.isnan(array).any():
        raise CrmkitError(f"{name} has missing values; every customer needs one")
    if not (infinite or np.isfinite(array).all()):
        raise CrmkitError(f"{name} has infinite values; give each customer a finite number")
    return array


def _first(where: np.ndarray) -> int:
    return int(np.flatnonzero(where)[0])


def _data(frequency: object, recency: object, T: object):
    """Checked x, t_x, T as equal-length float arrays, and the caller's shape."""
    shape = _Shape(frequency, recency, T)
    x, tx, big_t = (
        _numbers(v, n) for v, n in ((frequency, "frequency"), (recency, "recency"), (T, "T"))
    )
    try:
        x, tx, big_t = (np.atleast_1d(v) for v in np.broadcast_arrays(x, tx, big_t))
    except ValueError:
        raise CrmkitError(
            f"frequency, recency and T must have one value per customer; got "
            f"{x.size}, {tx.size} and {big_t.size} values"
        ) from None
    if x.size == 0:
        raise CrmkitError("there are no customers in the data")
    if (x < 0).any() or (x != np.round(x)).any():
        i = _first((x < 0) | (x != np.round(x)))
        raise CrmkitError(
            f"frequency counts repeat purchases, so it must be a whole number >= 0; "
            f"customer {_label(shape, i)} has {x[i]:g}"
        )
    if (big_t < 0).any() or (tx < 0).any():
        i = _first((big_t < 0) | (tx < 0))
        raise CrmkitError(
            f"recency and T are times since the first purchase and cannot be negative; "
            f"customer {_label(shape, i)} has recency {tx[i]:g}, T {big_t[i]:g}"
        )
    slack = 1e-9 * np.maximum(1.0, big_t)  # rounding in the caller's unit conversion
    if (tx > big_t + slack).any():
        i = _first(tx > big_t + slack)
        raise CrmkitError(
            f"recency (time of the last purchase) cannot exceed T (time observed); customer "
            f"{_label(shape, i)} has recency {tx[i]:g} > T {big_t[i]:g}: are both in the "
            f"same time unit, measured from the first purchase?"
        )
    if ((x == 0) & (tx > 0)).any():
        i = _first((x == 0) & (tx > 0))
        raise CrmkitError(
            f"a customer with no repeat purchase has recency 0; customer {_label(shape, i)} "
            f"has frequency 0 and recency {tx[i]:g}"
        )
    return x, np.minimum(tx, big_t), big_t, shape


def _label(shape: _Shape, i: int) -> str:
    return repr(shape.index[i]) if shape.index is not None else f"at position {i}"


# -- the likelihood, in logarithms -----------------------------------------------------------

#: Series terms are added until the rest is below this share of the sum.
_TOL = 1e-17
#: The series is used where it is sure to converge within this many terms (or z <= 1/2).
_SERIES_TERMS = 400
#: Customers per batch in the quadrature (a batch holds about 240 nodes per customer).
_BATCH = 2048


def _log_series(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """ln F, F = 2F1(a, 1; a+b; z) = sum over n >= 0 of (a)_n / (a+b)_n z^n, 0 <= z < 1.

    Each term is the one before times z (a+n)/(a+b+n) < z, so all terms are positive (no
    cancellation), 1 <= F <= 1/(1-z) (no overflow), and the rest after term n is at most
    term n times z/(1-z). For z <= 1/2 that bound with term n <= z^n tells in advance how
    many terms each value needs (57 at most): the values are sorted by it, so each step
    works on a leading slice. Larger z (rare; the caller checked that the series converges
    within _SERIES_TERMS) stops value by value when the bound is below _TOL.
    """
    out = np.zeros(a.shape)
    near = z <= 0.5
    if near.any():
        zn = z[near]
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.ceil(np.log(_TOL * (1 - zn) / zn) / np.log(zn))
        need = np.where(zn > 0, np.maximum(need, 1), 0).astype(np.int16)
        order = np.argsort(-need, kind="stable")  # most terms first
        at_least = np.cumsum(np.bincount(need, minlength=1)[::-1])[::-1]  # values needing >= n
        aa, ab, zz = a[near][order], (a + b)[near][order], zn[order]
        term, total = np.ones(zz.size), np.ones(zz.size)
        ratio, other = np.empty(zz.size), np.empty(zz.size)
        for n in range(at_least.size - 1):
            k = at_least[n + 1]
            r, o = ratio[:k], other[:k]
            np.add(aa[:k], n, out=r)
            np.multiply(r, zz[:k], out=r)
            np.add(ab[:k], n, out=o)
            np.divide(r, o, out=r)
            np.multiply(term[:k], r, out=term[:k])
            np.add(total[:k], term[:k], out=total[:k])
        values = np.empty(zz.size)
        values[order] = np.log(total)
        out[near] = values
    far = np.flatnonzero(~near)
    if far.size:
        aa, ab, zz = a[far], a[far] + b[far], z[far]
        term, total = np.ones(far.size), np.ones(far.size)
        todo = np.arange(far.size)
        n = 0
        while todo.size and n < 20 * _SERIES_TERMS:
            at, bt, zt = aa[todo], ab[todo], zz[todo]
            tm, tot = term[todo], total[todo]
            for _ in range(8):
                tm *= zt * (at + n) / (bt + n)
                tot += tm
                n += 1
            term[todo], total[todo] = tm, tot
            todo = todo[tm * zt > _TOL * tot * (1.0 - zt)]
        out[far] = np.log(total)
    return out


def _tanh_sinh(step: float = 1 / 32, reach: float = 3.7):
    """Nodes and weights of tanh-sinh quadrature on [0, 1]: each node's distance from the
    left end and from the right end (both kept exact near the ends) and its weight.

    x = tanh(pi/2 sinh t) on an even grid of t; the nodes crowd towards both ends so fast
    that a steep edge of the integrand (a large exponent) is still resolved.
    """
    t = np.arange(-round(reach / step), round(reach / step) + 1) * step
    y = np.pi / 2 * np.sinh(t)
    left = 1 / (1 + np.exp(-2 * y))  # (1 + x) / 2
    right = 1 / (1 + np.exp(2 * y))  # (1 - x) / 2
    weight = step * np.pi * np.cosh(t) * left * right  # h dx/dt / 2
    keep = weight > 1e-300
    return left[keep], right[keep], weight[keep]


_LEFT, _RIGHT, _WEIGHT = _tanh_sinh()


def _log_panel(lo: np.ndarray, hi: np.ndarray, b: np.ndarray, m: np.ndarray) -> np.ndarray:
    """ln of the integral over lo < sigma < hi of exp((1-b) sigma + m ln(1 - e^sigma)), by
    tanh-sinh quadrature, one row per customer (sigma <= ln 1/2, so 1 - e^sigma >= 1/2)."""
    width = (hi - lo)[:, None]
    sigma = np.where(
        _LEFT <= 0.5, lo[:, None] + width * _LEFT, hi[:, None] - width * _RIGHT
    )  # measured from the nearer end, so nodes next to an end stay distinct
    log_f = (1 - b)[:, None] * sigma + m[:, None] * np.log(-np.expm1(sigma))
    with np.errstate(divide="ignore"):  # an empty panel (width 0) adds nothing: ln 0
        return logsumexp(log_f + np.log(_WEIGHT * width), axis=1)


def _log_integral_to_half(a: np.ndarray, b: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """ln of the integral over eps < t < 1/2 of t^-b (1-t)^m dt, m = a + b - 2, 0 < eps < 1/2.

    In sigma = ln t the integrand is exp((1-b) sigma + m ln(1 - e^sigma)): smooth, with a
    concave logarithm (one hump, no sign changes). Where m > 0 the factor (1-t)^m falls
    off from t ~ 1/m on and is below e^-60 of its value at eps beyond eps + 60/m, so the
    range ends there; it is split at t = 1/m so that each panel has one feature at most
    (an edge at the left end when b is large, the fall-off at the right end).
    """
    m = a + b - 2
    positive = m > 0
    m_safe = np.where(positive, m, 1.0)
    start = np.log(eps)
    end = np.log(np.where(positive, np.minimum(0.5, eps + 60 / m_safe), 0.5))
    middle = np.clip(np.where(positive, -np.log(m_safe), end), start, end)
    out = np.empty(a.shape)
    for i in range(0, a.size, _BATCH):
        part = slice(i, i + _BATCH)
        out[part] = np.logaddexp(
            _log_panel(start[part], middle[part], b[part], m[part]),
            _log_panel(middle[part], end[part], b[part], m[part]),
        )
    return out


def _log_tail(
    u: np.ndarray, x_power: np.ndarray, s_power: float, alpha: float, beta: float
) -> np.ndarray:
    """ln I(u), I(u) = integral over tau > u of (alpha+tau)^-x_power (beta+tau)^-s_power.

    With hi = max(alpha, beta) and its exponent A, lo = min(alpha, beta) and its exponent B
    (A = r+x, B = s+1 when alpha >= beta; the other way round otherwise), z = (hi-lo)/(hi+u):

        I(u) = (hi+u)^-A (lo+u)^(1-B) F(z) / (A+B-1),   F(z) = 2F1(A, 1; A+B; z).

    Why it is exact: substituting y = (hi+u)/(hi+tau) gives Euler's integral,
    I(u) = (hi+u)^(1-A-B) 2F1(B, A+B-1; A+B; z) / (A+B-1) (Fader & Hardie's A_0 terms,
    for either order of alpha and beta), and Euler's transformation
    2F1(a, b; c; z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) turns that 2F1 into
    (1-z)^(1-B) F(z). The factor (1-z)^(1-B) is the one that overflows in the textbook form
    (B = r+x when alpha < beta); here it is a logarithm, and F is a series of positive terms
    between 1 and 1/(1-z) (`_log_series`).

    The series needs about 37/(1-z) terms when A is much larger than B, so where z is
    close to 1 (the smaller of alpha+u, beta+u tiny next to the larger) and it would not
    converge within _SERIES_TERMS, t = (lo+tau)/(hi+tau) gives, with d = hi-lo and
    eps = 1-z = (lo+u)/(hi+u),

        I(u) = d^(1-A-B) [integral over eps < t < 1/2 of t^-B (1-t)^(A+B-2) dt
                          + 2^-A F(1/2) / (A+B-1)],

    the second part being the formula above at the u where z = 1/2 (fast series) and the
    first a smooth one-hump integral done by quadrature (`_log_integral_to_half`). Checked
    against mpmath at 40 digits over 729 cases (A and B from 0.02 to 30,000, 1-z down to
    1e-15, a third of them by quadrature): ln I within a relative 4e-15. The tests compare
    whole log-likelihoods with scipy's adaptive quadrature of J.
    """
    if alpha >= beta:
        hi, lo, a, b = alpha, beta, x_power, np.full(u.shape, s_power)
    else:
        hi, lo, a, b = beta, alpha, np.full(u.shape, s_power), x_power
    z = (hi - lo) / (hi + u)
    by_series = z <= 0.5
    if not by_series.all():  # z > 1/2: is term _SERIES_TERMS over (1-z), which bounds the
        far = ~by_series  # rest after it, below _TOL?
        af, bf, zf = a[far], b[far], z[far]
        with np.errstate(divide="ignore"):
            bound = (
                gammaln(af + _SERIES_TERMS)
                - gammaln(af)
                - gammaln(af + bf + _SERIES_TERMS)
                + gammaln(af + bf)
                + _SERIES_TERMS * np.log(zf)
                - np.log1p(-zf)
            )
        by_series[far] = bound < np.log(_TOL)
    out = np.empty(u.shape)
    s = by_series
    out[s] = (
        -a[s] * np.log(hi + u[s])
        + (1 - b[s]) * np.log(lo + u[s])
        - np.log(a[s] + b[s] - 1)
        + _log_series(a[s], b[s], z[s])
    )
    q = ~by_series
    if q.any():
        aq, bq = a[q], b[q]
        upper_part = -aq * np.log(2) + _log_series(aq, bq, np.full(aq.shape, 0.5))
        upper_part -= np.log(aq + bq - 1)
        eps = (lo + u[q]) / (hi + u[q])
        out[q] = (1 - aq - bq) * np.log(hi - lo) + np.logaddexp(
            _log_integral_to_half(aq, bq, eps), upper_part
        )
    return out


class _Customers:
    """Checked data made ready for the likelihood: the customers' (x, t_x, T), grouped into
    distinct rows with their counts when `group` (for a fit), and the distinct (x, u)
    pairs, u in {t_x, T}, whose tail integrals they need (customers share many: all those
    without a repeat purchase have t_x = 0, and T is often one of a few dates)."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, *, group: bool):
        if group:
            (x, tx, big_t), self.weights, _ = distinct_rows(x, tx, big_t)
        else:
            self.weights = np.ones(x.size)
        self.x, self.tx, self.big_t = x, tx, big_t
        (self.pair_x, self.pair_u), _, inverse = distinct_rows(
            np.concatenate([x, x]), np.concatenate([tx, big_t])
        )
        self.at_tx, self.at_t = inverse[: x.size], inverse[x.size :]


def _log_parts(
    p: tuple[float, float, float, float], data: _Customers
) -> tuple[np.ndarray, np.ndarray]:
    """ln of the two parts of each customer's likelihood: bought x times, the last at t_x,
    and (1) still a customer at T, ln[c K]; (2) left between t_x and T, ln[c s J], with
    c = Gamma(r+x) alpha^r beta^s / Gamma(r). The likelihood is their sum."""
    r, alpha, s, beta = p
    x, big_t = data.x, data.big_t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = common - (r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        tails = _log_tail(data.pair_u, r + data.pair_x, s + 1, alpha, beta)
        from_tx, from_t = tails[data.at_tx], tails[data.at_t]
        # J = I(t_x) - I(T) >= 0, 0 when t_x = T: ln J = ln I(t_x) + ln(1 - e^gap), with
        # ln(1 - e^gap) by expm1 near gap = 0 and log1p below (both exact in their range)
        gap = np.minimum(from_t - from_tx, 0.0)
        log_j = from_tx + np.where(gap > -np.log(2), np.log(-np.expm1(gap)), np.log1p(-np.exp(gap)))
        left = common + np.log(s) + log_j
    return alive, left


def log_likelihood(
    params: Params, frequency: object, recency: object, T: object
) -> pd.Series | np.ndarray | float:
    """Each customer's log-likelihood under the Pareto/NBD model (Fader & Hardie 2005, §3):
    ln{Gamma(r+x) alpha^r beta^s / Gamma(r) [K + s J]} (see the module notes), the density
    of buying x times, the last at t_x, in (0, T].

    Computed in logarithms throughout, so it stays finite and accurate for heavy buyers
    (frequency in the tens of thousands) and for any alpha and beta. Takes numbers, arrays
    or Series (one value per customer) and returns the same kind, a Series with its index.
    """
    p = _params(params)
    x, tx, big_t, shape = _data(frequency, recency, T)
    alive, left = _log_parts(p, _Customers(x, tx, big_t, group=False))
    return shape.wrap(np.logaddexp(alive, left), "log_likelihood")


def _p_alive(p: tuple[float, float, float, float], x, tx, big_t) -> np.ndarray:
    alive, left = _log_parts(p, _Customers(x, tx, big_t, group=False))
    return np.exp(alive - np.logaddexp(alive, left))


def probability_alive(
    params: Params, frequency: object, recency: object, T: object
) -> pd.Series | np.ndarray | float:
    """P(still a customer at T | x, t_x, T) = K / (K + s J) (Fader & Hardie 2005, §5;
    SMC 1987): the share of the likelihood in which the customer has not left yet.

    It is 1 when the last purchase is at T (recency = T), falls as time passes without a
    purchase, and at a given recency < T falls with more purchases: a frequent buyer's
    silence says more than an occasional buyer's.
    """
    p = _params(params)
    x, tx, big_t, shape = _data(frequency, recency, T)
    return shape.wrap(_p_alive(p, x, tx, big_t), "probability_alive")


def _time_within(s: float, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """E[(1 - e^(-mu t)) / mu] for mu ~ gamma(s, b): how long, of the next t, a customer
    who is a customer now stays one; = integral over 0 < v < t of (b/(b+v))^s dv
    = b [1 - (b/(b+t))^(s-1)] / (s-1), and b ln(1 + t/b) at s = 1.

    Computed as b L exprel((1-s) L) with L = ln(1 + t/b) and exprel(c) = (e^c - 1)/c: the
    same quantity, exact at s = 1 and without the 0/0 near it. Over a whole lifetime
    (t = inf) it is the mean remaining lifetime b/(s-1), infinite when s <= 1.
    """
    with np.errstate(invalid="ignore"):
        big_l = np.log1p(t / b)
        values = b * big_l * exprel((1 - s) * big_l)
    return np.where(np.isinf(t), b / (s - 1) if s > 1 else np.inf, values)


def _ahead(t: object, name: str = "t", *, infinite: bool = True) -> np.ndarray:
    values = _numbers(t, name, infinite=infinite)
    if (values < 0).any():
        raise CrmkitError(f"{name} is a length of time and cannot be negative")
    return values


def conditional_expected_purchases(
    params: Params, t: object, frequency: object, recency: object, T: object
) -> pd.Series | np.ndarray | float:
    """Each customer's expected purchases in the next t time units (Fader & Hardie 2005, §6;
    SMC 1987):

        E[X(T, T+t) | x, t_x, T] = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1))
                                   * [1 - ((beta+T)/(beta+T+t))^(s-1)],

    because given the history lambda is gamma(r+x, alpha+T) and, for a customer still
    there, mu is gamma(s, beta+T): the mean rate times the expected time still a customer.
    `t` is one number, one per customer, or several for a single customer.
    """
    r, alpha, s, beta = p = _params(params)
    ahead = _ahead(t).reshape(-1)
    x, tx, big_t, shape = _data(frequency, recency, T)
    one_customer = shape.scalar
    if not (ahead.size == 1 or ahead.size == x.size or one_customer):
        raise CrmkitError(
            f"t must be one number, or one number per customer ({x.size}); got {ahead.size}"
        )
    rate = _p_alive(p, x, tx, big_t) * (r + x) / (alpha + big_t)
    values = rate * _time_within(s, beta + big_t, ahead)
    if one_customer:  # shaped like t
        if isinstance(t, pd.Series):
            return pd.Series(values, index=t.index, name="expected_purchases")
        return float(values[0]) if np.ndim(t) == 0 else values
    return shape.wrap(values, "expected_purchases")


def expected_purchases(params: Params, t: object) -> pd.Series | np.ndarray | float:
    """A new customer's expected purchases in the t time units after their first purchase
    (SMC 1987; Fader & Hardie 2005, §4):

        E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)],

    the mean purchase rate r/alpha times the expected time still a customer within t.
    `t` is a number, an array or a Series (returned the same way).
    """
    r, alpha, s, beta = _params(params)
    ahead = _ahead(t)
    values = r / alpha * _time_within(s, np.full(ahead.shape, beta), ahead)
    if isinstance(t, pd.Series):
        return pd.Series(values, index=t.index, name="expected_purchases")
    return float(values) if np.ndim(t) == 0 else values


# -- how many purchases ----------------------------------------------------------------------
#
# A new customer with rates lambda and mu buys Poisson(lambda min(tau, t)) times in their
# first t time units, tau their exponential(mu) lifetime. Given an exposure u, lambda ~
# gamma(r, alpha) makes the count negative binomial, NB(x; u) (above); min(tau, t) is t
# with chance (beta/(beta+t))^s and otherwise has the Pareto (Lomax) density
# s beta^s / (beta+u)^(s+1) on (0, t) once mu ~ gamma(s, beta) is integrated out. The
# integral is done with 16-point Gauss-Legendre panels in phi = ln(1 + u/c), c = min(alpha,
# beta): linear in u near 0, logarithmic in u far out, where the integrand (in ln u) is a
# hump of width about 1/sqrt(r) whatever x is, so panels of 0.5 in phi resolve it. Its
# poles (u = -alpha, -beta) are pi away from the real axis in phi, or at -infinity. The
# panels end at each customer's t, so one cumulative sum over them gives the integral for
# every distinct t at once. Against scipy's adaptive quadrature (relative tolerance 1e-13)
# over 80 random parameter sets (r, s from 0.02 to 50, alpha, beta from 0.01 to 500), t
# from 0.001 to 1e5 and x up to 3,000: within 4e-14 absolutely, and within 1e-10 relatively
# for probabilities above 1e-20.

_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(16)
#: Panel width in phi = ln(1 + u/c).
_PANEL = 0.5
#: Nodes (panels times x values) worked on at once.
_NODES_AT_ONCE = 1 << 21


def _log_nb(r: float, x: np.ndarray, u: np.ndarray, alpha: float) -> np.ndarray:
    """ln NB(x; u): the negative binomial chance of x purchases in an exposure u >= 0
    (at u = 0, 1 for x = 0 and 0 otherwise)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        powers = np.where(x > 0, -x * np.log1p(alpha / u), 0.0)  # x ln(u/(alpha+u))
    return gammaln(r + x) - gammaln(r) - gammaln(x + 1) - r * np.log1p(u / alpha) + powers


def _left_within(p: tuple[float, float, float, float], t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The integral over 0 < u < t of s beta^s / (beta+u)^(s+1) NB(x; u) du: the chance of
    x purchases and of leaving before t. For distinct times t in increasing order and whole
    numbers x; one row per x, one column per t (see the notes above)."""
    r, alpha, s, beta = p
    c = min(alpha, beta)
    phi_t = np.log1p(t / c)
    top = float(phi_t[-1])
    grid = np.arange(1, int(np.ceil(top / _PANEL))) * _PANEL
    ends = np.union1d(grid, phi_t)
    starts = np.concatenate([[0.0], ends[:-1]])
    half = (ends - starts) / 2
    sums = np.empty((x.size, ends.size))
    logs = (gammaln(r + x) - gammaln(r) - gammaln(x + 1))[:, None, None]
    per_batch = max(1, _NODES_AT_ONCE // _GAUSS_NODES.size)
    for lo in range(0, ends.size, per_batch):
        part = slice(lo, lo + per_batch)
        phi = starts[part, None] + half[part, None] * (_GAUSS_NODES + 1)
        u = c * np.expm1(phi)
        # ln of the Lomax density times du/dphi = c + u, times (alpha/(alpha+u))^r
        base = (
            np.log(s / beta)
            - (s + 1) * np.log1p(u / beta)
            + np.log(c + u)
            - r * np.log1p(u / alpha)
        )
        with np.errstate(divide="ignore"):
            log_share = -np.log1p(alpha / u)  # ln(u/(alpha+u)), finite inside a panel
        weights = half[part, None] * _GAUSS_WEIGHTS
        rows = max(1, _NODES_AT_ONCE // phi.size)
        for first in range(0, x.size, rows):
            xs = x[first : first + rows, None, None]
            with np.errstate(invalid="ignore"):
                powers = np.where(xs > 0, xs * log_share, 0.0)
            values = np.exp(base + logs[first : first + rows] + powers)
            sums[first : first + rows, part] = (values * weights).sum(axis=2)
    return np.cumsum(sums, axis=1)[:, np.searchsorted(ends, phi_t)]


def _count_probability(
    p: tuple[float, float, float, float], x: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """P(X(t) = x) for 1-d arrays x and t of one length, each distinct pair once."""
    r, alpha, s, beta = p
    (xs, ts), _, which = distinct_rows(x, t)  # ordered by x, then t
    stayed = np.exp(-s * np.log1p(ts / beta) + _log_nb(r, xs, ts, alpha))
    x_values, x_at = np.unique(xs, return_inverse=True)
    t_values, t_at = np.unique(ts, return_inverse=True)
    if x_values.size * t_values.size <= 8 * xs.size + 4096:  # all pairs, on one set of panels
        left = _left_within(p, t_values, x_values)[x_at, t_at]
    else:  # few pairs of many x and many t: each x on the panels up to its own times
        left = np.empty(xs.size)
        starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], xs.size], strict=True):
            left[start:end] = _left_within(p, ts[start:end], xs[start : start + 1])[0]
    return np.minimum(stayed + left, 1.0)[which]


def _counts(value: object, name: str) -> np.ndarray:
    counts = _numbers(value, name)
    if (counts < 0).any() or (counts != np.round(counts)).any():
        bad = counts.reshape(-1)[_first(((counts < 0) | (counts != np.round(counts))).reshape(-1))]
        raise CrmkitError(
            f"{name} counts repeat purchases, so it must be a whole number >= 0; got {bad:g}"
        )
    return counts


def purchase_count_probability(
    params: Params, t: object, x: object
) -> pd.Series | np.ndarray | float:
    """P(X(t) = x): the chance a new customer makes exactly x repeat purchases in the t time
    units after their first purchase.

    Derivation: given lambda and a lifetime tau ~ exponential(mu), X(t) is
    Poisson(lambda min(tau, t)); lambda ~ gamma(r, alpha) turns that into the negative
    binomial NB(x; u) = Gamma(r+x) / (Gamma(r) x!) (alpha/(alpha+u))^r (u/(alpha+u))^x for
    an exposure u, and mu ~ gamma(s, beta) gives

        P(X(t) = x) = (beta/(beta+t))^s NB(x; t)
                      + integral over 0 < u < t of s beta^s / (beta+u)^(s+1) NB(x; u) du,

    still a customer at t, or gone at u < t. The integral is done by Gauss-Legendre
    panels (within about 1e-13; see the notes in the module source), in logarithms, so
    thousands of purchases and long t stay finite. `t` and `x` broadcast against each
    other: numbers give a float, arrays an array, a Series a Series with its index.
    """
    p = _params(params)
    shape = _Shape(t, x)
    ages, counts = _ahead(t, "t", infinite=False), _counts(x, "x")
    try:
        ages, counts = np.broadcast_arrays(ages, counts)
    except ValueError:
        raise CrmkitError(
            f"t and x must be one number or one per customer each; got {ages.size} and "
            f"{counts.size} values"
        ) from None
    if ages.size == 0:
        return shape.wrap(np.empty(0), "probability")
    values = _count_probability(p, counts.reshape(-1), ages.reshape(-1))
    return shape.wrap(values.reshape(ages.shape), "probability")


def purchase_count_distribution(params: Params, T: object, max_count: int) -> pd.Series:
    """The model's expected number of customers with 0, 1, ..., max_count - 1 and max_count
    or more repeat purchases in their first T time units, T each customer's age (the `T`
    column of the summary): the sum over customers of P(X(T_i) = x) (see
    `purchase_count_probability`), and the rest of each customer's chance for the last
    bucket. Set it beside the actual counts of `frequency` (clipped at max_count) for the
    period-transaction histogram.

    Returns a Series indexed "0", "1", ..., f"{max_count}+" that adds up to the number of
    customers; customers of the same age are worked out once, on one set of panels.
    """
    r, alpha, s, beta = p = _params(params)
    if isinstance(max_count, bool) or not isinstance(max_count, int | np.integer) or max_count < 1:
        raise CrmkitError(
            f"max_count must be a whole number >= 1 (the last bucket is max_count or more "
            f"purchases); got {max_count!r}"
        )
    count = int(max_count)
    ages = np.atleast_1d(_ahead(T, "T", infinite=False))
    if ages.size == 0:
        raise CrmkitError("there are no customers in T: give one age per customer")
    values, weights = np.unique(ages, return_counts=True)
    x = np.arange(count, dtype=float)
    stayed = np.exp(-s * np.log1p(values / beta) + _log_nb(r, x[:, None], values, alpha))
    probabilities = np.minimum(stayed + _left_within(p, values, x), 1.0)
    rest = np.clip(1.0 - probabilities.sum(axis=0), 0.0, None)
    expected = np.append(probabilities @ weights, rest @ weights)
    labels = [str(k) for k in range(count)] + [f"{count}+"]
    return pd.Series(
        expected, index=pd.Index(labels, name="repeat purchases"), name="expected customers"
    )


# -- fitting ---------------------------------------------------------------------------------


def fit(summary: pd.DataFrame, start: Sequence[float] | None = None) -> FitResult:
    """Fit r, alpha, s and beta by maximum likelihood (crmkit's `fit_mle`: standard errors,
    a clear ModelFitError when the data cannot pin the model down).

    Takes a summary with columns frequency, recency and T in one time unit (from
    `rfm_summary`), as `bgnbd.fit` and `gamma_gamma.fit` do. Customers with
    the same (x, t_x, T) share a likelihood, so each distinct row is computed once and
    counted as often as it occurs. `start` (r, alpha, s, beta) defaults to r = s = 1 and
    alpha = beta = the mean T: one purchase and one dropout per observation period on
    average, whatever the time unit.
    """
    x, tx, big_t, _ = _data(*fit_columns(summary))
    if not (x > 0).any():
        raise ModelFitError(
            f"{MODEL}: none of the {x.size:,} customers made a repeat purchase, so the data "
            f"cannot show how often customers buy or when they leave; use a longer "
            f"calibration period or more customers"
        )
    data = _Customers(x, tx, big_t, group=True)

    def neg_log_likelihood(p: np.ndarray) -> float:
        alive, left = _log_parts((float(p[0]), float(p[1]), float(p[2]), float(p[3])), data)
        return -dot(data.weights, np.logaddexp(alive, left))

    if start is None:
        scale = max(float(big_t.mean()), 1e-6)
        start = (1.0, scale, 1.0, scale)
    return fit_mle(
        neg_log_likelihood,
        start,
        NAMES,
        model=MODEL,
        n=x.size,
        hint=(
            "check that frequency counts repeat purchases (not all purchases) and that "
            "recency and T are in the same time unit"
        ),
    )


# -- simulation ------------------------------------------------------------------------------


def simulate(params: Params, n: int, T: object, seed: int | None = None) -> pd.DataFrame:
    """n customers drawn from the model and observed for T time units after their first
    purchase (one T for all, or one per customer): lambda ~ gamma(r, alpha) and
    mu ~ gamma(s, beta), an exponential(mu) lifetime, and Poisson purchases at rate lambda
    while it lasts. Times are exact (not rounded to days).

    Columns: frequency, recency and T as `fit` takes them, and the truth a fit never sees:
    alive (still a customer at T), purchase_rate (lambda) and dropout_rate (mu).
    """
    r, alpha, s, beta = _params(params)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise CrmkitError(f"give the number of customers as a whole number >= 1; got {n!r}")
    observed = _ahead(T, "T", infinite=False)
    try:
        observed = np.broadcast_to(observed, (int(n),)).astype(float)
    except ValueError:
        raise CrmkitError("T must be one number, or one number per simulated customer") from None
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.gamma(s, 1 / beta, n)
    with np.errstate(divide="ignore", over="ignore"):
        lifetime = rng.exponential(1.0, n) / dropout
    active = np.minimum(lifetime, observed)
    mean = rate * active
    if (mean > 1e12).any():
        raise CrmkitError(
            "with these parameters some customers would buy more than a trillion times; "
            "are alpha and T in the same time unit?"
        )
    x = rng.poisson(mean)
    # the last of x purchase times spread evenly (uniformly) over the active time
    last = active * rng.random(n) ** (1 / np.maximum(x, 1))
    return pd.DataFrame(
        {
            "frequency": x,
            "recency": np.where(x > 0, last, 0.0),
            "T": observed,
            "alive": lifetime > observed,
            "purchase_rate": rate,
            "dropout_rate": dropout,
        }
    )
