"""Maximum likelihood for the customer-base models: one fit routine, its result, its errors.

Every model here has positive parameters, so the search runs over their logarithms
(no bounds to hit, and a step changes a parameter by a share of itself). The result
carries the standard errors from the observed information (the inverse Hessian of the
negative log-likelihood at the optimum, in the model's own parameters), so a test or a
lesson can say how well the data pins each parameter down. A fit that does not converge
raises `ModelFitError` with what to try, never returns quietly.
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


def fit_mle(
    neg_log_likelihood: Callable[[np.ndarray], float],
    start: Sequence[float],
    names: Sequence[str],
    *,
    model: str,
    n: int,
    hint: str = "",
) -> FitResult:
    """Minimise `neg_log_likelihood(params)` over positive parameters from `start`.

    `neg_log_likelihood` takes the parameters in the model's own scale (all > 0) and
    returns the negative log-likelihood summed over the data (a finite float). `hint`
    is added to the error message when the fit fails (e.g. which data to check).
    Raises ModelFitError when the optimiser does not converge, when the likelihood is
    not finite at the optimum, or when a parameter runs off towards 0 or infinity.
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
    # central differences and tight stopping rules: the default forward differences stop a
    # weakly pinned parameter short of the maximum (Pareto/NBD's beta on CDNOW by 0.008)
    result = optimize.minimize(
        on_logs,
        np.log(start),
        method="L-BFGS-B",
        jac="3-point",
        options={"ftol": 1e-14, "gtol": 1e-7},
    )
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
    if (result.x < -20).any() or (result.x > 20).any():
        far = [f"{k} = {v:.3g}" for k, v in zip(names, params, strict=True) if abs(np.log(v)) > 20]
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
