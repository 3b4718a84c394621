"""Maximum likelihood for the customer-base models: one fit routine, its result, its errors.

Every model here has positive parameters, so the search runs over their logarithms
(no bounds to hit, and a step changes a parameter by a share of itself). The result
carries the standard errors from the observed information (the inverse Hessian of the
negative log-likelihood at the optimum, in the model's own parameters), so a test or a
lesson can say how well the data pins each parameter down. A fit that does not converge
raises `ModelFitError` with what to try, never returns quietly.

A model may hand the fit the analytic gradient of its negative log-likelihood (BG/NBD and
Gamma-Gamma do): each trial point of L-BFGS-B then costs one likelihood and one gradient
evaluation instead of 2k + 1 likelihood evaluations (central differences over k
parameters). That gradient is code, so it is checked against central differences of the
likelihood: where the search starts, a mismatch is a bug and raises ModelFitError. Where
it ends, an optimum it cannot confirm (the two disagree there, through a bug that shows
only there or a likelihood too ill-conditioned to difference; the slope is not flat; or a
parameter ran past the edge) makes the fit start over on central differences, as without
a gradient, so no optimum rests on the gradient's word alone.
Pareto/NBD stays on numerical gradients: its likelihood goes through J, an integral
worked out as an Euler-transformed hypergeometric series or, where that converges too
slowly, by quadrature (`pareto_nbd._log_tail`). r and s enter J as exponents, so its
derivatives in them are integrals with a logarithm in the integrand, with no series of the
same kind: an analytic gradient would need series and quadratures of its own, each to be
checked as carefully as J. Its fit takes about 0.1 s on CDNOW (235 likelihood evaluations
on central differences), which does not call for that yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import optimize

from crmkit.errors import CrmkitError


class ModelFitError(CrmkitError):
    """A model could not be fitted to the data: says why and what to try."""


@dataclass(frozen=True)
class FitResult:
    """A fitted model's parameters, their standard errors and the fit's log-likelihood.

    The standard errors are worked out when first asked for (they take many likelihood
    evaluations, more than the fit itself on a large customer base).
    """

    model: str
    params: pd.Series
    log_likelihood: float
    n: int  # the customers (or cohort periods) the likelihood adds up over
    iterations: int
    neg_log_likelihood: Callable[[np.ndarray], float] = field(repr=False, compare=False)

    @cached_property
    def standard_errors(self) -> pd.Series:
        """Each parameter's standard error (NaN where the data does not pin it down)."""
        errors = _standard_errors(self.neg_log_likelihood, self.params.to_numpy())
        return pd.Series(errors, index=self.params.index, name="standard error")

    @property
    def poorly_pinned(self) -> list[str]:
        """The parameters the data pins down poorly: a standard error larger than the
        estimate itself, or none at all (a flat likelihood in that direction)."""
        errors = self.standard_errors
        return [k for k, v in self.params.items() if not errors[k] <= abs(v)]

    @property
    def note(self) -> str:
        """A sentence on the parameters the data pins down poorly; empty when there are none.

        Such a fit has converged, so it is returned, but its forecasts rest on guesses: the
        sentence says so and what to try, so the weakness is never silent."""
        weak = self.poorly_pinned
        if not weak:
            return ""
        return (
            f"{self.model}: the data pins {', '.join(weak)} down poorly (a standard error "
            f"larger than the estimate, or none), so forecasts from this fit are uncertain; "
            f"fit on more customers or a longer period"
        )

    def __str__(self) -> str:
        shown = ", ".join(
            f"{k} {v:.4g} (± {self.standard_errors[k]:.2g})" for k, v in self.params.items()
        )
        text = f"{self.model}: {shown}; log-likelihood {self.log_likelihood:,.1f} (n = {self.n:,})"
        return f"{text}. {self.note}." if self.note else text


#: A fit whose parameter ends beyond e^-20 or e^20 has run off to the edge.
_EDGE = 20.0


def fit_mle(
    neg_log_likelihood: Callable[[np.ndarray], float],
    start: Sequence[float],
    names: Sequence[str],
    *,
    model: str,
    n: int,
    hint: str = "",
    gradient: Callable[[np.ndarray], np.ndarray] | None = None,
) -> FitResult:
    """Minimise `neg_log_likelihood(params)` over positive parameters from `start`.

    `neg_log_likelihood` takes the parameters in the model's own scale (all > 0) and
    returns the negative log-likelihood summed over the data (a finite float). `hint`
    is added to the error message when the fit fails (e.g. which data to check).
    Raises ModelFitError when the optimiser does not converge, when the likelihood is
    not finite at the optimum, or when a parameter runs off towards 0 or infinity.

    `gradient(params)`, when given, is the gradient of `neg_log_likelihood` with respect
    to the parameters in their own scale; the search uses it (times the parameters, for
    the logarithms) instead of central differences. It is checked against central
    differences of the likelihood at the start, where a mismatch raises ModelFitError (a
    bug in the gradient), and at the optimum it leads to; when that optimum cannot be
    confirmed (a mismatch there, no convergence, or a parameter past the edge), the fit
    starts over as without a gradient.
    """
    start = np.asarray(start, dtype=float)
    if start.shape != (len(names),) or not (np.isfinite(start) & (start > 0)).all():
        raise ModelFitError(f"{model}: starting values must be {len(names)} positive numbers")

    def on_logs(log_params: np.ndarray) -> float:
        # a trial step far out may overflow: that point is simply a very bad one
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = float(neg_log_likelihood(np.exp(log_params)))
        return value if np.isfinite(value) else 1e300

    first = on_logs(np.log(start))
    if first >= 1e300:
        raise ModelFitError(
            f"{model}: the likelihood is not finite at the starting values {list(start)}; "
            f"try other starting values{_and(hint)}"
        )

    def with_slope(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        # d/du f(exp(u)) = exp(u) f'(exp(u)); a point where the likelihood or its gradient
        # is not finite is a very bad one, with no slope to follow
        value, flat = on_logs(log_params), np.zeros(len(log_params))
        if value >= 1e300:
            return value, flat
        params = np.exp(log_params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            slope = params * np.asarray(gradient(params), dtype=float)
        return (value, slope) if np.isfinite(slope).all() else (1e300, flat)

    # central differences (or the exact gradient) and tight stopping rules: the default
    # forward differences stop a weakly pinned parameter short of the maximum (Pareto/NBD's
    # beta on CDNOW by 0.008)
    search = {"method": "L-BFGS-B", "options": {"ftol": 1e-14, "gtol": 1e-7}}
    result = None
    if gradient is not None:
        wrong = _gradient_mismatches(on_logs, gradient, np.log(start), first, names)
        if wrong:  # the gradient is code: a mismatch where the search starts is a bug
            raise ModelFitError(
                f"{model}: the analytic gradient of the likelihood does not match its "
                f"central differences at the starting values ({'; '.join(wrong)}): a bug in "
                f"the model's gradient code, not in the data; fit_mle without the gradient "
                f"(gradient=None) fits on numerical differences meanwhile"
            )
        result = optimize.minimize(with_slope, np.log(start), jac=True, **search)
        if not _confirmed(result, on_logs, gradient, names):
            # not an optimum the gradient and the likelihood agree on: a bug that shows
            # only there, a likelihood too ill-conditioned to difference (rounding, as a
            # parameter drifts off towards 0 or infinity, which an exact gradient chases
            # further than differences do), or a search stopped after a step that left
            # the finite likelihood. Fit as without the gradient.
            result = None
    if result is None:
        result = optimize.minimize(on_logs, np.log(start), jac="3-point", **search)
        if result.success and not _stationary(result):
            # "converged" right after a trial step left the finite likelihood: the point
            # before that step is no optimum, so the derivative-free pass goes on from it
            result.success = False
    if not result.success:  # a second, derivative-free pass from where it stopped
        result = optimize.minimize(
            on_logs, result.x, method="Nelder-Mead", options={"maxiter": 20_000, "xatol": 1e-8}
        )
    params = np.exp(result.x)
    value = float(result.fun)
    if not result.success or value >= 1e300:
        raise ModelFitError(
            f"{model}: the fit did not converge ({result.message}); try other starting "
            f"values, or check that the data has enough repeat buyers{_and(hint)}"
        )
    if (result.x < -_EDGE).any() or (result.x > _EDGE).any():
        far = [
            f"{k} = {v:.3g}" for k, v in zip(names, params, strict=True) if abs(np.log(v)) > _EDGE
        ]
        raise ModelFitError(
            f"{model}: the fit ran off to the edge ({', '.join(far)}): the data cannot pin this "
            f"parameter down; try a longer calibration period or more customers{_and(hint)}"
        )
    return FitResult(
        model=model,
        params=pd.Series(params, index=list(names), name="estimate"),
        log_likelihood=-value,
        n=int(n),
        iterations=int(result.nit),
        neg_log_likelihood=neg_log_likelihood,
    )


#: The central differences that check a model's gradient: their step, on the logarithms of
#: the parameters, and the mismatch they tolerate, a share of the larger of the two slopes
#: plus a share of the likelihood itself for rounding (a sum over many customers is good to
#: about 1e-13 of itself, which the step magnifies to 1e-9; 1e-6 leaves room for sums
#: that lose more to cancellation).
_CHECK_STEP = 1e-4
_CHECK_RELATIVE = 1e-4
_CHECK_ROUNDING = 1e-6
#: A search that claims convergence with a larger slope (on the logarithms, as a share of
#: the likelihood) stopped after a trial step left the finite likelihood, not at an optimum;
#: real optima on the tight stopping rules stay below 1e-8.
_STATIONARY = 1e-6


def _stationary(result: optimize.OptimizeResult) -> bool:
    """Whether the slope (on the logarithms) where a search stopped is about 0, as a share
    of the likelihood: `_STATIONARY`."""
    return bool(np.abs(result.jac).max() <= _STATIONARY * (1 + abs(float(result.fun))))


def _confirmed(
    result: optimize.OptimizeResult,
    on_logs: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], np.ndarray],
    names: Sequence[str],
) -> bool:
    """Whether a search on the analytic gradient ended where the fit can go on from: within
    the edge and, when it claims convergence, at a point where the gradient is about 0 and
    agrees with central differences of the likelihood. (One that stopped short within the
    edge goes on to the derivative-free pass, which no gradient can mislead.)"""
    if not (np.abs(result.x) <= _EDGE).all():
        return False
    if not result.success:
        return True
    value = float(result.fun)
    return _stationary(result) and not _gradient_mismatches(
        on_logs, gradient, result.x, value, names
    )


def _gradient_mismatches(
    on_logs: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], np.ndarray],
    u: np.ndarray,
    centre: float,
    names: Sequence[str],
) -> list[str]:
    """The parameters where `gradient` at exp(u), carried to the logarithms, disagrees with
    central differences of the likelihood over them, each with the two slopes (in the
    parameter's own scale); `centre` is the likelihood at u. A gradient of another shape
    disagrees everywhere; directions where a step leaves the finite likelihood are not
    checked."""
    params = np.exp(u)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exact = np.asarray(gradient(params), dtype=float)
    if exact.shape != (len(names),):
        return [f"a gradient of shape {exact.shape} for {len(names)} parameters"]
    exact = params * exact
    wrong = []
    for i, name in enumerate(names):
        step = np.zeros(len(u))
        step[i] = _CHECK_STEP
        up, down = on_logs(u + step), on_logs(u - step)
        if max(up, down) >= 1e300:
            continue
        numeric = (up - down) / (2 * _CHECK_STEP)
        allowed = _CHECK_RELATIVE * max(abs(numeric), abs(exact[i])) + _CHECK_ROUNDING * (
            1 + abs(centre)
        )
        if not abs(exact[i] - numeric) <= allowed:  # NaN included
            wrong.append(
                f"d/d{name} {exact[i] / params[i]:.6g} by the gradient, "
                f"{numeric / params[i]:.6g} by differences"
            )
    return wrong


def _standard_errors(neg_log_likelihood: Callable[[np.ndarray], float], params: np.ndarray):
    """Square roots of the diagonal of the inverse observed information (NaN where the
    Hessian is not positive definite: the data does not pin that parameter down).

    The Hessian is taken by central differences over the parameters' logarithms, where
    one step size suits them all, and carried back by the delta method (at the optimum
    the gradient is zero, so cov(params) = D cov(log params) D with D = diag(params)).
    Written here rather than with scipy.differentiate.hessian: its adaptive steps take
    thousands of likelihood evaluations, where 2k(k+1)+1 suffice for a standard error.
    """
    h = _log_hessian(neg_log_likelihood, np.log(params), step=1e-4)
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        return np.full(len(params), np.nan)
    diag = np.diag(cov) * params**2
    return np.where(np.isfinite(diag) & (diag > 0), np.sqrt(np.abs(diag)), np.nan)


def _log_hessian(
    neg_log_likelihood: Callable[[np.ndarray], float], u: np.ndarray, step: float
) -> np.ndarray:
    """The Hessian of neg_log_likelihood(exp(u)) at u, by central differences."""

    def f(point: np.ndarray) -> float:
        return float(neg_log_likelihood(np.exp(point)))

    k = len(u)
    eye = np.eye(k) * step
    centre = f(u)
    h = np.empty((k, k))
    for i in range(k):
        h[i, i] = (f(u + eye[i]) - 2 * centre + f(u - eye[i])) / step**2
        for j in range(i):
            h[i, j] = h[j, i] = (
                f(u + eye[i] + eye[j])
                - f(u + eye[i] - eye[j])
                - f(u - eye[i] + eye[j])
                + f(u - eye[i] - eye[j])
            ) / (4 * step**2)
    return h


def _and(hint: str) -> str:
    return f"; {hint}" if hint else ""


#: Shape parameters a fit can pin down; one outside has drifted towards a limit of the model
#: on a flat likelihood, where the optimiser stops before any "ran off to the edge" check.
SHAPE_RANGE = (1e-4, 1e4)


def check_shapes(fitted: FitResult, names: Sequence[str], why: str) -> FitResult:
    """`fitted` itself, or ModelFitError when a shape parameter of `names` lies outside
    SHAPE_RANGE; `why` says what about the data that means and what to try."""
    low, high = SHAPE_RANGE
    odd = [f"{k} = {fitted.params[k]:.3g}" for k in names if not low < fitted.params[k] < high]
    if odd:
        raise ModelFitError(
            f"{fitted.model}: the fit drifted towards a limit of the model ({', '.join(odd)}; "
            f"shape parameters between {low:g} and {high:g} are the ones the data can pin "
            f"down): {why}"
        )
    return fitted


def model_params(params: object, names: Sequence[str], model: str) -> tuple[float, ...]:
    """A model's parameters as numbers in the order of `names`, from a FitResult, a mapping
    or Series by name, or numbers in that order: the one place every model reads them."""
    count = {2: "two", 3: "three", 4: "four"}.get(len(names), str(len(names)))
    if isinstance(params, FitResult):
        params = params.params
    if isinstance(params, Mapping | pd.Series):
        missing = [name for name in names if name not in params]
        if missing:
            raise CrmkitError(
                f"the {model} model needs the parameters {', '.join(names)}; "
                f"{', '.join(missing)} missing"
            )
        raw = [params[name] for name in names]
    else:
        try:
            raw = list(params)  # type: ignore[call-overload]
        except TypeError:
            raw = []
    try:
        values = [float(v) for v in raw]
    except (TypeError, ValueError):
        values = []
    if len(values) != len(names) or not all(np.isfinite(v) and v > 0 for v in values):
        raise CrmkitError(
            f"the {model} model needs {count} positive parameters {', '.join(names)} (a fit, "
            f"a mapping with those names, or numbers in that order); got {params!r}"
        )
    return tuple(values)
