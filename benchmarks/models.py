"""Customer-base models against `lifetimes`, side by side in one run (`make bench-models`).

The same data and the same starting point go to both: the CDNOW sample (from
../shared/data/cdnow/, summarised once by crmkit and handed to lifetimes as a file) and
100,000 customers simulated from the published BG/NBD and Gamma-Gamma parameters with a
seed (lifetimes' Pareto/NBD takes minutes at that size, so that model is compared on
CDNOW only). For each
model: the parameters, the log-likelihood and the fit time (best of 3) of each side.
`lifetimes` is archived and needs pandas below 3, so it runs in its own environment
(.venv-lifetimes, made by the Makefile target) through `benchmarks/lifetimes_side.py`.
Writes benchmarks/results.json (key `models`) and the table between the models markers
in benchmarks/README.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import report  # benchmarks/report.py

from crmkit.customer_base_models import bgnbd, gamma_gamma, pareto_nbd
from crmkit.customer_base_models.summary import rfm_summary

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
LIFETIMES_PYTHON = ROOT / ".venv-lifetimes" / "bin" / "python"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
START = {"bgnbd": (1.0, 1.0, 1.0, 1.0), "pareto_nbd": (1.0, 1.0, 1.0, 1.0)}


def cdnow_summary() -> pd.DataFrame:
    """The published calibration summary of CDNOW: weeks, 1997-01-01 to 1997-09-30."""
    raw = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master", "customer_id", "date", "cds", "value"]
    )
    orders = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "order_date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "revenue": raw["value"].astype(float),
        }
    )
    return rfm_summary(orders, unit_days=7, calibration_end="1997-09-30")


#: Fader, Hardie and Lee (2005), "RFM and CLV": Gamma-Gamma on CDNOW's repeat buyers.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulated(n: int = 100_000) -> pd.DataFrame:
    """n customers from the published BG/NBD parameters, observed 26 to 78 weeks, with the
    mean spend of each repeat buyer's purchases drawn from the published Gamma-Gamma: a
    customer's rate nu ~ Gamma(q, gamma), and the mean of x purchases ~ Gamma(p x, x nu)."""
    rng = np.random.default_rng(2005)
    T = np.round(rng.uniform(26, 78, n), 2)
    frame = bgnbd.simulate(PUBLISHED_BGNBD, n, T=T, seed=1997)
    frame["recency"] = frame["recency"].round(2)
    p, q, gamma = PUBLISHED_GAMMA_GAMMA.values()
    x = np.maximum(frame["frequency"].to_numpy(dtype=float), 1.0)
    nu = rng.gamma(q, 1.0 / gamma, n)
    spend = np.round(rng.gamma(p * x, 1.0 / (x * nu)), 2)
    frame["monetary_value"] = np.where(frame["frequency"] > 0, np.maximum(spend, 0.01), 0.0)
    return frame[["frequency", "recency", "T", "monetary_value"]]


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def ours(name: str, summary: pd.DataFrame) -> dict:
    """crmkit's fit of one model: seconds, parameters, log-likelihood."""
    if name == "bgnbd":
        seconds, fit = best_of(lambda: bgnbd.fit(summary, start=START["bgnbd"]))
    elif name == "pareto_nbd":
        seconds, fit = best_of(lambda: pareto_nbd.fit(summary, start=START["pareto_nbd"]))
    else:
        seconds, fit = best_of(lambda: gamma_gamma.fit(summary))
    return {
        "seconds": seconds,
        "params": {k: float(v) for k, v in fit.params.items()},
        "log_likelihood": float(fit.log_likelihood),
    }


def theirs(cases: dict[str, Path]) -> dict:
    """lifetimes' fits, run in its own environment on the files of `cases`."""
    if not LIFETIMES_PYTHON.is_file():
        raise SystemExit(f"no {LIFETIMES_PYTHON}: run `make bench-models`, which creates it")
    side = Path(__file__).with_name("lifetimes_side.py")
    args = [str(LIFETIMES_PYTHON), str(side), json.dumps({k: str(v) for k, v in cases.items()})]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def table(rows: list[dict]) -> str:
    lines = [
        "| data | model | crmkit fit | lifetimes fit | crmkit parameters | lifetimes parameters "
        "| log-likelihood (crmkit / lifetimes) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mine, other = r["crmkit"], r["lifetimes"]
        shown = ", ".join(f"{k} {v:.4g}" for k, v in mine["params"].items())
        theirs_shown = ", ".join(f"{k} {v:.4g}" for k, v in other["params"].items())
        lines.append(
            f"| {r['data']} | {r['model']} | {mine['seconds']:.3f} s | {other['seconds']:.3f} s "
            f"| {shown} | {theirs_shown} | {mine['log_likelihood']:,.1f} / "
            f"{other['log_likelihood']:,.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    if not CDNOW.is_file():
        raise SystemExit(f"the CDNOW data is not at {CDNOW}")
    data = {"CDNOW sample (2,357 customers)": cdnow_summary(), "100,000 simulated": simulated()}
    models = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "gamma_gamma": "Gamma-Gamma"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = {}
        for i, (label, summary) in enumerate(data.items()):
            path = Path(tmp) / f"case{i}.csv"
            summary.to_csv(path)
            cases[label] = path
        other = theirs(cases)
    for label, summary in data.items():
        x, tx, big_t = summary["frequency"], summary["recency"], summary["T"]
        exact = {  # the exact log-likelihood of any parameters, the same for both sides
            "bgnbd": lambda p, x=x, tx=tx, big_t=big_t: bgnbd.log_likelihood(p, x, tx, big_t),
            "pareto_nbd": lambda p, x=x, tx=tx, big_t=big_t: pareto_nbd.log_likelihood(
                p, x, tx, big_t
            ),
        }
        if "monetary_value" in summary:
            repeat = summary[summary["frequency"] > 0]
            exact["gamma_gamma"] = lambda p, repeat=repeat: gamma_gamma.log_likelihood(
                p, repeat["frequency"], repeat["monetary_value"]
            )
        for key, model in models.items():
            if key == "gamma_gamma" and "monetary_value" not in summary:
                continue
            if key == "pareto_nbd" and len(summary) > 10_000:
                continue  # lifetimes' Pareto/NBD takes minutes at this size
            theirs_fit = dict(other[label][key])
            # lifetimes calls Gamma-Gamma's scale v; crmkit, as Fader and Hardie, gamma
            theirs_fit["params"] = {
                ("gamma" if k == "v" else k): v for k, v in theirs_fit["params"].items()
            }
            theirs_fit["log_likelihood"] = float(np.sum(exact[key](theirs_fit["params"])))
            rows.append(
                {
                    "data": label,
                    "model": model,
                    "crmkit": ours(key, summary),
                    "lifetimes": theirs_fit,
                }
            )
    text = table(rows)
    print(text)
    kept = report.kept_results()
    kept["models"] = rows
    report.write_results(kept)
    report.write_section("models", text)


if __name__ == "__main__":
    sys.exit(main())
