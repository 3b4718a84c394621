"""Satisfaction and service quality (满意与服务质量): gaps, importance–performance and NPS.

Seed 001 defines satisfaction as perception against expectation (SA1) and names five
service-quality dimensions (SA3). The survey asks, per dimension, what the customer
expected, what they perceived and how much it matters (1 to 7), then overall
satisfaction (1 to 10) and how likely they are to recommend us (0 to 10). From these:

- gap scores: perception minus expectation, per dimension and overall (unweighted, and
  weighted by stated importance), each with a t-interval over the respondents;
- importance–performance analysis (Martilla and James 1977): each dimension placed by
  importance and performance, with crosshairs at the data's means or the scale's
  midpoints, in their four quadrants; and importance derived from the data (how each
  dimension's perception correlates with overall satisfaction) beside the stated one;
- the net promoter score with its adjusted-Wald interval (Rocks 2016, The American
  Statistician: add 3 to n and 3/4 to the promoters and to the detractors).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmkit.customer_base import need
from crmkit.errors import CrmkitError, MissingData

#: The five dimensions of SA3 (seed 001 §3.1.1), with their Chinese names.
DIMENSIONS = {
    "reliability": "可靠度",
    "tangibles": "有形度",
    "responsiveness": "响应度",
    "empathy": "同理度",
    "assurance": "专业度",
}
#: The scale of expectation, perception and importance (its midpoint is 4).
SCALE = (1, 7)
#: Martilla and James's names of the four quadrants, by (importance high, performance high).
QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


def _surveys(surveys: pd.DataFrame) -> pd.DataFrame:
    columns = [f"{kind}_{d}" for d in DIMENSIONS for kind in ("expect", "perceive", "importance")]
    need(surveys, "surveys", columns)
    if surveys.empty:
        raise MissingData("this part reads the surveys (surveys.csv), and this data holds none")
    return surveys


def _mean_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and its t-interval (NaN bounds for fewer than two values)."""
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1)
    half /= np.sqrt(len(values))
    return mean, mean - half, mean + half


def gap_scores(surveys: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Perception minus expectation per dimension, and overall: the mean over the
    respondents with its t-interval, plus the mean expectation, perception and stated
    importance. "overall" averages a respondent's five gaps; "overall, weighted by
    importance" weights each gap by that respondent's stated importance."""
    surveys = _surveys(surveys)
    rows = {}
    gaps, weights = [], []
    for d in DIMENSIONS:
        gap = (surveys[f"perceive_{d}"] - surveys[f"expect_{d}"]).to_numpy(dtype=float)
        gaps.append(gap)
        weights.append(surveys[f"importance_{d}"].to_numpy(dtype=float))
        mean, low, high = _mean_interval(gap, confidence)
        rows[d] = {
            "chinese": DIMENSIONS[d],
            "expectation": float(surveys[f"expect_{d}"].mean()),
            "perception": float(surveys[f"perceive_{d}"].mean()),
            "importance": float(surveys[f"importance_{d}"].mean()),
            "gap": mean,
            "low": low,
            "high": high,
        }
    g, w = np.vstack(gaps), np.vstack(weights)
    for name, per_respondent in (
        ("overall", g.mean(axis=0)),
        ("overall, weighted by importance", (g * w).sum(axis=0) / w.sum(axis=0)),
    ):
        mean, low, high = _mean_interval(per_respondent, confidence)
        rows[name] = {"chinese": "", "gap": mean, "low": low, "high": high}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "dimension"
    return table


def derived_importance(surveys: pd.DataFrame) -> pd.Series:
    """Importance read from the data: the correlation of each dimension's perception with
    overall satisfaction (Pearson), beside the importance customers state."""
    surveys = _surveys(surveys)
    need(surveys, "surveys", ["overall_satisfaction"])
    overall = surveys["overall_satisfaction"].astype(float)
    return pd.Series(
        {d: float(surveys[f"perceive_{d}"].astype(float).corr(overall)) for d in DIMENSIONS},
        name="derived importance",
    )


def importance_performance(
    surveys: pd.DataFrame, *, crosshairs: str = "means", importance: str = "stated"
) -> pd.DataFrame:
    """Importance–performance analysis (Martilla and James 1977, SA5): each dimension's
    importance and performance (mean perception), and its quadrant.

    `crosshairs`: "means" (the data's means of importance and performance, the usual
    choice) or "midpoints" (the scale's midpoint, 4 of 1..7). `importance`: "stated" (what
    customers say) or "derived" (`derived_importance`; then the crosshair for importance is
    always the mean of the five, as a correlation has no scale midpoint). A dimension on a
    crosshair counts as high.
    """
    if crosshairs not in ("means", "midpoints"):
        raise CrmkitError(f"crosshairs are 'means' or 'midpoints'; got {crosshairs!r}")
    if importance not in ("stated", "derived"):
        raise CrmkitError(f"importance is 'stated' or 'derived'; got {importance!r}")
    surveys = _surveys(surveys)
    performance = pd.Series({d: float(surveys[f"perceive_{d}"].mean()) for d in DIMENSIONS})
    if importance == "stated":
        weight = pd.Series({d: float(surveys[f"importance_{d}"].mean()) for d in DIMENSIONS})
    else:
        weight = derived_importance(surveys)
    midpoint = (SCALE[0] + SCALE[1]) / 2
    cross_perf = performance.mean() if crosshairs == "means" else midpoint
    cross_imp = weight.mean() if crosshairs == "means" or importance == "derived" else midpoint
    high_imp, high_perf = weight >= cross_imp, performance >= cross_perf
    table = pd.DataFrame(
        {
            "chinese": pd.Series(DIMENSIONS),
            "importance": weight,
            "performance": performance,
            "quadrant": [
                QUADRANTS[(bool(i), bool(p))] for i, p in zip(high_imp, high_perf, strict=True)
            ],
        }
    )
    table.index.name = "dimension"
    table.attrs["crosshairs"] = {"importance": float(cross_imp), "performance": float(cross_perf)}
    return table


def nps(recommend: pd.Series, *, confidence: float = 0.95) -> pd.Series:
    """The net promoter score of 0..10 answers (promoters 9–10, detractors 0–6), as a
    share from −1 to 1, with its adjusted-Wald interval (Rocks 2016): with n' = n + 3,
    p = (promoters + 3/4) / n', q = (detractors + 3/4) / n', the interval is
    (p − q) ± z · sqrt((p + q − (p − q)²) / n'). Also the counts and the plain score."""
    answers = pd.Series(recommend).dropna().astype(float)
    if answers.empty:
        raise MissingData("the net promoter score needs answers to 'would you recommend us'")
    if ((answers < 0) | (answers > 10)).any():
        raise CrmkitError("likelihood to recommend is on a scale of 0 to 10")
    n = len(answers)
    promoters = int((answers >= 9).sum())
    detractors = int((answers <= 6).sum())
    z = stats.norm.ppf(0.5 + confidence / 2)
    n_adj = n + 3
    p, q = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
    centre = p - q
    half = z * np.sqrt((p + q - centre**2) / n_adj)
    return pd.Series(
        {
            "respondents": n,
            "promoters": promoters,
            "passives": n - promoters - detractors,
            "detractors": detractors,
            "nps": (promoters - detractors) / n,
            "low": max(-1.0, centre - half),
            "high": min(1.0, centre + half),
        }
    )
