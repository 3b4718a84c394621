"""The lifetimes side of benchmarks/models.py, run in .venv-lifetimes (pandas below 3).

Argument: a JSON object {label: path of a summary CSV (frequency, recency, T and, for
the CDNOW case, monetary_value)}. Prints {label: {model: {seconds, params}}} as JSON; the
caller works out the log-likelihood of these parameters with the exact likelihood, so
both sides are measured on the same scale. The starting point is crmkit's (all ones).
"""

import json
import sys
import time

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fitted(params, seconds):
    return {"seconds": seconds, "params": {k: float(params[k]) for k in params.index}}


def fit_case(s):
    """lifetimes' fits of one summary: BG/NBD, Pareto/NBD (small data only), Gamma-Gamma."""
    x, tx, big_t = s["frequency"], s["recency"], s["T"]
    ones = [1.0, 1.0, 1.0, 1.0]
    out = {}
    bg = BetaGeoFitter()
    seconds = best_of(lambda: bg.fit(x, tx, big_t, initial_params=ones))
    out["bgnbd"] = fitted(bg.params_, seconds)
    if len(s) <= 10_000:  # lifetimes' Pareto/NBD takes minutes on 100,000 customers
        pn = ParetoNBDFitter()
        seconds = best_of(lambda: pn.fit(x, tx, big_t, initial_params=ones))
        out["pareto_nbd"] = fitted(pn.params_, seconds)
    if "monetary_value" in s:
        repeat = s[s["frequency"] > 0]
        gg = GammaGammaFitter()
        seconds = best_of(lambda: gg.fit(repeat["frequency"], repeat["monetary_value"]))
        out["gamma_gamma"] = fitted(gg.params_, seconds)
    return out


def main():
    cases = json.loads(sys.argv[1])
    out = {label: fit_case(pd.read_csv(path, index_col=0)) for label, path in cases.items()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
