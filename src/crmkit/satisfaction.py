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
  Statistician: add 3 to n and 3/4 to the promoters and to the detractors), per quarter or
  per tier, and the difference of two scores with its interval: how large a change must be
  before it is real;
- the five satisfaction indicators of SA4 (seed 001 §4.3.1.3), from the data where it
  carries them;
- satisfaction against loyalty in the months after a survey (SA2, seed 001 §2.5: satisfied
  is not the same as loyal);
- a worked PDCA cycle on the weakest dimension (SA6, seed 001 §4.2.3), and the four
  customer needs (SA7) and three service stages (SA8) tied to the survey's dimensions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmkit import content
from crmkit.churn import follow_up_limit, relationships
from crmkit.customer_base import need, periods, revenue_bridge
from crmkit.errors import CrmkitError, MissingData
from crmkit.lifecycle import StageRules, as_months
from crmkit.tiers import tiers_at

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
        raise MissingData(
            "the net promoter score needs answers to 'would you recommend us' (the recommend "
            "column of surveys.csv), and this data holds none"
        )
    if ((answers < 0) | (answers > 10)).any():
        raise CrmkitError("likelihood to recommend is on a scale of 0 to 10")
    n = len(answers)
    promoters = int((answers >= 9).sum())
    detractors = int((answers <= 6).sum())
    centre, variance = _adjusted(n, promoters, detractors)
    half = _z(confidence) * np.sqrt(variance)
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


def _z(confidence: float) -> float:
    """The two-sided normal quantile for `confidence` (0.95 -> 1.96)."""
    if not 0 < confidence < 1:
        raise CrmkitError(f"confidence is a share between 0 and 1, e.g. 0.95; got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _adjusted(n: float, promoters: float, detractors: float) -> tuple[float, float]:
    """Rocks's adjusted-Wald pieces for one group: the adjusted score p' − q' and its
    variance (p' + q' − (p' − q')²) / n', with n' = n + 3 and 3/4 added to the promoters and
    to the detractors (so 3/2 to the passives)."""
    n_adj = n + 3
    p, q = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
    return p - q, (p + q - (p - q) ** 2) / n_adj


# -- comparing two scores ---------------------------------------------------------------------


def nps_difference(a: pd.Series, b: pd.Series, *, confidence: float = 0.95) -> pd.Series:
    """The difference of two independent net promoter scores, b minus a (a later quarter
    minus an earlier one, or one tier minus another), with its adjusted-Wald interval.

    Each group is adjusted as for one score (n + 3, promoters + 3/4, detractors + 3/4) and
    the interval is (NPS'_b − NPS'_a) ± z · sqrt(V_a / n'_a + V_b / n'_b), with
    V = p' + q' − (p' − q')². Sources: Lewis and Sauro, "How to Statistically Compare Two
    Net Promoter Scores" and "Evaluating NPS Significance Tests with Real-World Data"
    (MeasuringU, 2020–21), who build it from Rocks (2016, The American Statistician 70(4));
    Rocks's own R package NPS does the same (`nps_test(test = "adjusted.wald")` adds the
    pseudo-counts (3/4, 3/2, 3/4) to each sample). `difference` is the plain b − a; the
    interval is centred on the adjusted difference and kept within −2 to 2. An interval
    that spans 0 is a difference the data cannot tell from chance.
    """
    z = _z(confidence)
    first, second = nps(a), nps(b)
    centre_a, var_a = _adjusted(first["respondents"], first["promoters"], first["detractors"])
    centre_b, var_b = _adjusted(second["respondents"], second["promoters"], second["detractors"])
    half = z * np.sqrt(var_a + var_b)
    centre = centre_b - centre_a
    return pd.Series(
        {
            "nps_a": float(first["nps"]),
            "nps_b": float(second["nps"]),
            "difference": float(second["nps"] - first["nps"]),
            "low": max(-2.0, centre - half),
            "high": min(2.0, centre + half),
            "respondents_a": int(first["respondents"]),
            "respondents_b": int(second["respondents"]),
        },
        dtype=object,
    )


def smallest_real_change(
    n_a: int,
    n_b: int,
    *,
    promoters: float,
    detractors: float,
    confidence: float = 0.95,
) -> float:
    """How large a change in the net promoter score must be before it is real: the
    half-width of `nps_difference`'s interval for two groups of n_a and n_b respondents who
    both answer with these shares of promoters and detractors (shares from 0 to 1, which
    the caller takes from the data). A change smaller than this cannot be told from chance."""
    for name, n in (("n_a", n_a), ("n_b", n_b)):
        if isinstance(n, bool) or not float(n).is_integer() or n < 1:
            raise CrmkitError(f"{name} is a number of respondents, at least 1; got {n!r}")
    if not (0 <= promoters <= 1 and 0 <= detractors <= 1 and promoters + detractors <= 1):
        raise CrmkitError(
            "promoters and detractors are shares from 0 to 1 that add up to at most 1; "
            f"got {promoters} and {detractors}"
        )
    z = _z(confidence)
    variance = sum(_adjusted(n, promoters * n, detractors * n)[1] for n in (n_a, n_b))
    return float(z * np.sqrt(variance))


# -- the score by quarter or by tier -----------------------------------------------------------

#: The ways `nps_by` splits the answers.
NPS_GROUPS = ("quarter", "tier")
_NPS_COLUMNS = ["respondents", "promoters", "passives", "detractors", "nps", "low", "high"]


def _answered(data, columns: list[str]) -> pd.DataFrame:
    """The surveys of `data` with the given columns answered; MissingData when there are none."""
    surveys = data.surveys
    need(surveys, "surveys", ["customer_id", "survey_date", *columns])
    answered = surveys.dropna(subset=columns)
    if answered.empty:
        raise MissingData("this part reads the surveys (surveys.csv), and this data holds none")
    return answered


def _orders(data) -> pd.DataFrame:
    orders = data.orders
    need(orders, "orders", ["customer_id", "order_date", "revenue"])
    if orders.empty:
        raise MissingData("this part reads the orders (orders.csv), and this data holds none")
    return orders


def nps_by(data, by: str) -> pd.DataFrame:
    """The net promoter score (`nps`) per quarter of the survey date (labels like "2024Q1",
    in time order) or per tier on the survey date (`tiers_at`, best first; tiers without
    answers left out), so scores can be compared over time or across tiers. Columns:
    respondents, promoters, passives, detractors, nps, low, high."""
    if by not in NPS_GROUPS:
        raise CrmkitError(f"the score can be split by 'quarter' or 'tier'; got {by!r}")
    surveys = _answered(data, ["recommend"])
    if by == "quarter":
        periods_ = surveys["survey_date"].dt.to_period("Q")
        keys = [(str(q), (periods_ == q).to_numpy()) for q in sorted(periods_.unique())]
    else:
        _orders(data)
        tier = tiers_at(data, surveys["customer_id"], surveys["survey_date"])
        keys = [(str(t), (tier == t).to_numpy()) for t in tier.cat.categories]
        keys = [(label, mask) for label, mask in keys if mask.any()]
    table = pd.DataFrame(
        [nps(surveys.loc[mask, "recommend"]) for _, mask in keys],
        index=pd.Index([label for label, _ in keys], name=by),
    )[_NPS_COLUMNS]
    counts = ["respondents", "promoters", "passives", "detractors"]
    return table.astype({c: "int64" for c in counts} | {c: float for c in _NPS_COLUMNS[4:]})


# -- the five indicators of SA4 --------------------------------------------------------------

#: The satisfaction indicators of SA4 (seed 001 §4.3.1.3), with their Chinese names.
INDICATORS = {
    "reputation": "美誉度",
    "awareness": "知名度",
    "return rate": "回头率",
    "complaint rate": "抱怨率",
    "sales power": "销售力",
}
#: Each indicator's rule, and what a firm would need to measure it where the data cannot.
_RULES = {
    "reputation": (
        "The share of customers surveyed in the 12 months to the analysis date who would "
        "recommend us (9 or 10 out of 10): the seed's 'how far customers praise us', read "
        "from the survey (the workbook's choice).",
        "A firm needs survey answers to 'would you recommend us' (0 to 10) from the last 12 "
        "months.",
    ),
    "awareness": (
        "",
        "A firm needs a record of how often customers ask for our goods by name (the seed's "
        "definition), for example a question at order taking or in a market survey; referrals "
        "do not show it, as the seed counts bringing others under the return rate.",
    ),
    "return rate": (
        "The share of the customers who ordered in the 12 months before the last 12 who "
        "ordered again in the last 12 months (the retention rate); the seed also counts "
        "those willing to buy again or bringing others, which orders cannot show.",
        "A firm needs orders covering the 24 months to the analysis date, to see which of "
        "the earlier year's customers ordered again.",
    ),
    "complaint rate": (
        "The share of the customers who ordered in the 12 months to the analysis date who "
        "complained at least once in those months.",
        "A firm needs a log of complaints (complaints.csv) beside its orders.",
    ),
    "sales power": (
        "The change in sales revenue in the last 12 months against the 12 months before "
        "(+0.05 means sales grew by 5%): the workbook's reading of the seed's 'the ability "
        "to sell'.",
        "A firm needs orders covering the 24 months to the analysis date, to compare a "
        "year's sales with the year before.",
    ),
}


def indicators(data) -> pd.DataFrame:
    """The five satisfaction indicators of SA4 (seed 001 §4.3.1.3) for the 12 months to the
    analysis date, one row each: chinese, value (a share: 0.25 = 25%), rule (how it is
    measured, or what a firm would need where this data cannot carry it) and available.
    The seed defines each in one line; how each is read from this data is the workbook's
    choice, said in its rule. Awareness is never available from these tables."""
    orders = _orders(data)
    span = periods(data)
    window = span.last_12_months
    before = window.previous()
    values: dict[str, float] = dict.fromkeys(INDICATORS, np.nan)

    surveys = data.surveys
    if not surveys.empty and {"survey_date", "recommend"} <= set(surveys.columns):
        recent = surveys.loc[window.contains(surveys["survey_date"]), "recommend"].dropna()
        if len(recent):
            values["reputation"] = float((recent.astype(float) >= 9).mean())

    # as `periods` reads it: data that starts in a window's first month covers the window
    covered = span.first_date.to_period("M") <= before.start.to_period("M")
    bridge = revenue_bridge(data, window) if covered else None
    if bridge is not None and bridge["customers_before"] > 0:
        stayed = bridge["customers_before"] - bridge["lost_customers"]
        values["return rate"] = stayed / bridge["customers_before"]
    if bridge is not None and bridge["revenue_before"] > 0:
        values["sales power"] = bridge["revenue_change"] / bridge["revenue_before"]

    complaints = data.complaints
    if not complaints.empty:
        need(complaints, "complaints", ["customer_id", "opened_at"])
        buyers = set(orders.loc[window.contains(orders["order_date"]), "customer_id"].astype(str))
        opened = complaints["opened_at"].dt.normalize()
        complained = set(complaints.loc[window.contains(opened), "customer_id"].astype(str))
        if buyers:
            values["complaint rate"] = len(buyers & complained) / len(buyers)

    rows = []
    for name, chinese in INDICATORS.items():
        value = values[name]
        available = bool(np.isfinite(value))
        rule, needed = _RULES[name]
        rows.append(
            {
                "chinese": chinese,
                "value": float(value),
                "rule": rule if available else needed,
                "available": available,
            }
        )
    table = pd.DataFrame(rows, index=pd.Index(list(INDICATORS), name="indicator"))
    table.attrs["period"] = str(window)
    return table


# -- satisfied is not loyal (SA2) --------------------------------------------------------------

#: Bands of overall satisfaction (1 to 10), lowest first: the workbook's cut-offs.
BANDS = ("low (1–6)", "middle (7–8)", "high (9–10)")
_LOYALTY_COLUMNS = [
    "respondents",
    "repeat_rate",
    "repeat_low",
    "repeat_high",
    "share_of_wallet",
    "churn_rate",
    "churn_low",
    "churn_high",
]


def _whole_months(months: int) -> int:
    if isinstance(months, bool) or not float(months).is_integer() or months < 1:
        raise CrmkitError(f"months is a whole number of at least 1; got {months!r}")
    return int(months)


def loyalty_after_survey(data, *, months: int = 6) -> pd.DataFrame:
    """Each respondent's satisfaction and loyalty in the `months` after their survey, one
    row per customer: their latest survey whose follow-up fits before the analysis date.

    Follow-up fits when the months after the survey and the silence that shows an end
    (`StageRules.silence_months`) both fall before the analysis date (`churn.follow_up_limit`).
    Respondents who had never ordered, or whose relationship had already ended on the survey
    day (no order for the silence months before it and none after), are left out: they were
    not customers to be loyal. Columns: customer_id, survey_date, satisfaction, band
    (BANDS); repeat (ordered in the months after the survey day); churned (the relationship
    ended within those months, by `churn.relationships`' rule: no order for the silence
    months, ending with the last order); share_of_wallet (our revenue over the customer's
    category total, `category_purchases.category_total`, in the `months` whole calendar
    months after the survey's month; NaN where the total is unknown or zero).
    """
    months = _whole_months(months)
    surveys = _answered(data, ["overall_satisfaction"])
    orders = _orders(data)
    totals = data.category_purchases
    need(totals, "category_purchases", ["customer_id", "month", "category_total"])
    if totals.empty:
        raise MissingData(
            "share of wallet needs the customers' own category totals (category_purchases.csv), "
            "and this data leaves them out"
        )
    score = surveys["overall_satisfaction"].astype(float)
    if ((score < 1) | (score > 10)).any():
        raise CrmkitError("overall satisfaction is on a scale of 1 to 10")
    rules = StageRules()
    spans = relationships(data, rules)
    limit = follow_up_limit(data, months, rules)
    keys = ["customer_id", "survey_date"] + (["survey_id"] if "survey_id" in surveys else [])
    latest = (
        surveys[surveys["survey_date"] <= limit]
        .sort_values(keys, kind="stable")
        .drop_duplicates("customer_id", keep="last")
    )
    ids = latest["customer_id"].astype(str).to_numpy()
    day = pd.to_datetime(latest["survey_date"]).reset_index(drop=True)
    span = spans.reindex(ids)
    last = span["last_order"].reset_index(drop=True)
    gone = last <= day - pd.DateOffset(months=rules.silence_months)
    keep = (last.notna() & ~gone).to_numpy()
    rows = pd.DataFrame(
        {
            "customer_id": ids[keep],
            "survey_date": day[keep].to_numpy(),
            "satisfaction": latest["overall_satisfaction"].to_numpy(dtype=float)[keep],
        }
    )
    if rows.empty:
        raise MissingData(
            f"no survey answered by a customer has {months} months of follow-up and the "
            "silence that shows an end before the analysis date"
        )
    ends = rows["survey_date"] + pd.DateOffset(months=months)
    last_kept = last[keep].to_numpy()
    rows["band"] = pd.cut(
        rows["satisfaction"], bins=[0, 6, 8, 10], labels=list(BANDS), ordered=True
    )
    # repeat: an order after the survey day and up to the end of the months after it
    merged = rows[["customer_id", "survey_date"]].assign(end=ends, row=np.arange(len(rows)))
    merged = merged.merge(
        orders[["customer_id", "order_date", "revenue"]].astype({"customer_id": str}),
        on="customer_id",
    )
    inside = (merged["order_date"] > merged["survey_date"]) & (
        merged["order_date"] <= merged["end"]
    )
    bought = np.zeros(len(rows), dtype=bool)
    bought[merged.loc[inside, "row"].to_numpy()] = True
    rows["repeat"] = bought
    rows["churned"] = last_kept < ends.to_numpy()
    rows["share_of_wallet"] = _share_after(rows, merged, totals, months)
    return rows


def _share_after(rows: pd.DataFrame, merged: pd.DataFrame, totals: pd.DataFrame, months: int):
    """Per row: our revenue over the category total in the `months` calendar months after
    the survey's month (NaN where the total is unknown or not above zero)."""
    start = rows["survey_date"].dt.year * 12 + rows["survey_date"].dt.month  # next month's code
    first, stop = start.to_numpy(), start.to_numpy() + months  # codes first..stop-1
    order_code = (merged["order_date"].dt.year * 12 + merged["order_date"].dt.month - 1).to_numpy()
    row = merged["row"].to_numpy()
    in_window = (order_code >= first[row]) & (order_code < stop[row])
    ours = np.bincount(
        row[in_window], weights=merged["revenue"].to_numpy(float)[in_window], minlength=len(rows)
    )
    month = as_months(totals["month"])
    frame = pd.DataFrame(
        {
            "customer_id": totals["customer_id"].astype(str).to_numpy(),
            "code": month.year.to_numpy() * 12 + month.month.to_numpy() - 1,
            "total": totals["category_total"].to_numpy(float),
        }
    )
    frame = frame.merge(
        pd.DataFrame({"customer_id": rows["customer_id"], "row": np.arange(len(rows))}),
        on="customer_id",
    )
    r = frame["row"].to_numpy()
    inside = (frame["code"].to_numpy() >= first[r]) & (frame["code"].to_numpy() < stop[r])
    theirs = np.bincount(r[inside], weights=frame["total"].to_numpy()[inside], minlength=len(rows))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(theirs > 0, ours / np.where(theirs > 0, theirs, 1.0), np.nan)


def satisfaction_loyalty(data, *, months: int = 6, confidence: float = 0.95) -> pd.DataFrame:
    """Loyalty in the `months` after a survey per band of overall satisfaction (BANDS, low
    first; empty bands left out), from `loyalty_after_survey`: respondents, the repeat rate
    (ordered again) and churn rate (the relationship ended) with Wilson intervals, and the
    mean share of wallet of the respondents whose category total is known. SA2: if loyalty
    barely rises with satisfaction, satisfied is not loyal."""
    from statsmodels.stats.proportion import proportion_confint

    _z(confidence)
    rows = loyalty_after_survey(data, months=months)
    groups = rows.groupby("band", observed=True, sort=True)
    table = pd.DataFrame(
        {
            "respondents": groups.size().astype("int64"),
            "repeated": groups["repeat"].sum().astype("int64"),
            "share_of_wallet": groups["share_of_wallet"].mean(),
            "churned": groups["churned"].sum().astype("int64"),
        }
    )
    for kind, count in (("repeat", "repeated"), ("churn", "churned")):
        low, high = proportion_confint(
            table[count], table["respondents"], alpha=1 - confidence, method="wilson"
        )
        table[f"{kind}_rate"] = table[count] / table["respondents"]
        table[f"{kind}_low"] = np.asarray(low, dtype=float)
        table[f"{kind}_high"] = np.asarray(high, dtype=float)
    table.index = pd.Index([str(b) for b in table.index], name="satisfaction")
    return table[_LOYALTY_COLUMNS]


def satisfied_not_loyal(data, months: int = 6) -> pd.Series:
    """SA2 in one number: of the highly satisfied respondents (the top band), how many did
    not order again or left within `months` of their survey, and their share; beside it the
    Spearman correlation of satisfaction with share of wallet over all respondents whose
    category total is known (near 0: satisfaction says little about how much they buy)."""
    rows = loyalty_after_survey(data, months=months)
    high = rows[rows["band"] == BANDS[-1]]
    not_loyal = int((~high["repeat"] | high["churned"]).sum())
    known = rows.dropna(subset=["share_of_wallet"])
    spearman = (
        float(known["satisfaction"].corr(known["share_of_wallet"], method="spearman"))
        if len(known) > 2
        and known["satisfaction"].nunique() > 1
        and known["share_of_wallet"].nunique() > 1
        else np.nan
    )
    return pd.Series(
        {
            "respondents": len(rows),
            "highly_satisfied": len(high),
            "not_loyal": not_loyal,
            "not_loyal_share": not_loyal / len(high) if len(high) else np.nan,
            "spearman": spearman,
        },
        dtype=object,
    )


# -- PDCA on the weakest dimension (SA6) -------------------------------------------------------

#: The four steps of the PDCA cycle (seed 001 §4.2.3), with the seed's Chinese names.
PDCA_STEPS = {"plan": "计划", "do": "执行", "check": "检查", "act": "处理"}


def service_actions() -> pd.DataFrame:
    """One example improvement action per service dimension (the workbook's own sentences),
    from content/service_actions.csv; the Do step of `pdca` takes the weakest one's."""
    return content.table("service_actions")


def _dimension_gaps(surveys: pd.DataFrame) -> pd.Series:
    """Mean gap per respondent-level dimension, for the survey rows given."""
    return gap_scores(surveys)["gap"].drop(index=["overall", "overall, weighted by importance"])


def pdca(surveys: pd.DataFrame, *, split_date=None, confidence: float = 0.95) -> pd.DataFrame:
    """A worked PDCA cycle (SA6; seed 001 §4.2.3 names the four steps) on the weakest
    service dimension: four rows plan, do, check, act with columns step, chinese, what and
    figure.

    The surveys are cut at `split_date` (default: the midpoint of the survey dates, from
    the data). Plan: the dimension with the most negative gap before the cut (`gap_scores`);
    figure: that gap. Do: an example action from `service_actions`. Check: the gap after
    the cut against before, a difference of means with Welch's interval; figure: the change
    (after minus before). Act, as quality practice reads the seed's 处理: standardise a real
    improvement, otherwise run another cycle; figure: the gap after the cut. The data are
    observational: a real change shows the gap moved, not that the action moved it.
    """
    surveys = _surveys(surveys)
    need(surveys, "surveys", ["survey_date"])
    dates = pd.to_datetime(surveys["survey_date"])
    if split_date is None:
        split = (dates.min() + (dates.max() - dates.min()) / 2).normalize()
    else:
        split = pd.Timestamp(split_date)
    before, after = surveys[(dates < split).to_numpy()], surveys[(dates >= split).to_numpy()]
    if len(before) < 2 or len(after) < 2:
        raise MissingData(
            f"a PDCA check needs at least two surveys before {split:%Y-%m-%d} and two from it "
            f"on; this data has {len(before)} and {len(after)}"
        )
    gaps = _dimension_gaps(before)
    weakest = str(gaps.idxmin())
    actions = service_actions()
    if weakest not in actions.index:
        raise CrmkitError(f"service_actions.csv has no action for the dimension {weakest!r}")

    def gap(frame: pd.DataFrame) -> np.ndarray:
        return (frame[f"perceive_{weakest}"] - frame[f"expect_{weakest}"]).to_numpy(float)

    old, new = gap(before), gap(after)
    test = stats.ttest_ind(new, old, equal_var=False)
    change = float(new.mean() - old.mean())
    interval = test.confidence_interval(confidence_level=confidence)
    low, high = float(interval.low), float(interval.high)
    real = bool(low > 0 or high < 0)
    level = f"{confidence:.0%}"
    name = f"{weakest} ({DIMENSIONS[weakest]})"
    verdict = (
        f"The interval leaves out zero, so the change is real at {level}."
        if real
        else f"The interval includes zero, so at {level} the data cannot tell it from chance."
    )
    if real and change > 0:
        act = (
            "Standardise: write the action into the service routine for every customer, "
            f"and keep measuring {weakest} in the next survey round."
        )
    elif real:
        act = (
            f"The gap widened: had an action run, stop it, find out why {weakest} fell, and "
            "plan another cycle."
        )
    else:
        act = (
            "Not proven yet: keep the action on trial or choose a stronger one, and run "
            "another cycle with more surveys before making it the standard."
        )
    rows = [
        (
            "plan",
            f"Work on {name}: before {split:%Y-%m-%d} customers rated it "
            f"{abs(gaps[weakest]):.2f} points {'below' if gaps[weakest] < 0 else 'above'} "
            "what they expected, the lowest gap of the five dimensions.",
            float(gaps[weakest]),
        ),
        (
            "do",
            f"Suppose that from {split:%Y-%m-%d} the team did this: "
            f"{actions.loc[weakest, 'action']}",
            np.nan,
        ),
        (
            "check",
            f"From {split:%Y-%m-%d} the gap on {weakest} was {new.mean():+.2f} against "
            f"{old.mean():+.2f} before, a change of {change:+.2f} points ({level} interval "
            f"{low:+.2f} to {high:+.2f}). {verdict}",
            change,
        ),
        ("act", act, float(new.mean())),
    ]
    table = pd.DataFrame(
        {
            "step": [r[0] for r in rows],
            "chinese": [PDCA_STEPS[r[0]] for r in rows],
            "what": [r[1] for r in rows],
            "figure": [r[2] for r in rows],
        }
    )
    table.attrs |= {
        "dimension": weakest,
        "split_date": split,
        "low": low,
        "high": high,
        "real": real,
    }
    return table


# -- customer needs (SA7) and service stages (SA8) ---------------------------------------------


def _with_known_dimensions(name: str) -> pd.DataFrame:
    """A content table whose `dimensions` column lists survey dimensions, `;`-separated,
    each checked against DIMENSIONS."""
    frame = content.table(name)
    for key, cell in frame["dimensions"].items():
        unknown = [d for d in cell.split(";") if d not in DIMENSIONS]
        if unknown:
            raise CrmkitError(
                f"{content.TABLES[name].file}: {key}: unknown dimension(s) {unknown}; "
                f"use {', '.join(DIMENSIONS)}"
            )
    return frame


def customer_needs() -> pd.DataFrame:
    """The four customer needs of SA7 (seed 001 §3.1.1 names them: information 信息,
    environment 环境, emotional 情感, convenience 便利), each with its meaning and the survey
    dimensions that speak to it; meanings and links are the workbook's own."""
    return _with_known_dimensions("customer_needs")


def service_stages() -> pd.DataFrame:
    """The three service stages of SA8 (seed 001 §1: pre-sale 售前, in-sale 售中, after-sale
    售后), each with a distributor's example drawn from the seed's lists and the survey
    dimensions it shows in; the examples' wording and the links are the workbook's own."""
    return _with_known_dimensions("service_stages")


def need_gaps(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each customer need's gap: the mean of the gaps (`gap_scores`) of the survey
    dimensions that speak to it, so a need can be read off the survey. Columns: chinese,
    dimensions, gap."""
    gaps = _dimension_gaps(surveys)
    needs = customer_needs()
    out = needs[["chinese", "dimensions"]].copy()
    out["gap"] = [float(gaps[cell.split(";")].mean()) for cell in needs["dimensions"]]
    return out
