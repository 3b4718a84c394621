"""Complaint KPIs from a triaged complaint table (`complaint_triage.triage`): how fast,
how well, and what the customers wanted, overall or by channel, cause, tier or month.

Times are summarised by the median and the 90th percentile as well as the mean: a few
complaints that drag on for weeks pull the mean far above what a typical customer lives
through, and the 90th percentile says how bad the slow tail is. Every rate says what it
is out of: the reopen rate is reopened over resolved complaints, target rates count the
complaints whose clock has stopped (done, or already past the target). An empty
selection gives an empty table, not an error, so a filter that matches nothing is safe.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.errors import CrmkitError

#: The groupings the KPI table offers, as columns of the triaged table.
GROUPINGS = ("channel", "cause", "tier", "month", "priority")

#: The KPI table's columns, in order.
KPI_COLUMNS = (
    "complaints",
    "still_open",
    "response_median_h",
    "response_p90_h",
    "response_mean_h",
    "resolution_median_h",
    "resolution_p90_h",
    "resolution_mean_h",
    "first_contact_resolution",
    "reopen_rate",
    "responded_in_time",
    "response_breach_rate",
    "resolved_in_time",
    "resolution_breach_rate",
    "satisfied_with_resolution",
)

#: The nine churn causes of CO5 (seed 003), in the seed's order, with their Chinese names.
CAUSES = {
    "price": "价格流失",
    "product": "产品流失",
    "service": "服务流失",
    "technology": "技术流失",
    "promotion": "促销流失",
    "demand": "需求流失",
    "management": "管理流失",
    "political": "政治流失",
    "other": "其他流失",
}


def kpis(triaged: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The complaint KPIs, one row for all complaints (by=None) or one per group of `by`
    (one of GROUPINGS; groups with no complaints are left out), in KPI_COLUMNS."""
    if by is not None and by not in GROUPINGS:
        raise CrmkitError(f"KPIs can be grouped by {', '.join(GROUPINGS)}; got {by!r}")
    columns = _kpi_arrays(triaged)
    if by is None:
        rows = (
            {"all complaints": _kpi_row(columns, np.arange(len(triaged)))} if len(triaged) else {}
        )
        table = pd.DataFrame.from_dict(rows, orient="index", columns=list(KPI_COLUMNS))
        table.index.name = "complaints"
        return _counts_whole(table)
    key = triaged[by]
    if isinstance(key.dtype, pd.CategoricalDtype):
        code, names = key.cat.codes.to_numpy(), key.cat.categories
    else:
        code, names = pd.factorize(key, sort=True)
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(len(names) + 1))
    found = {
        names[g]: _kpi_row(columns, order[bounds[g] : bounds[g + 1]])
        for g in range(len(names))
        if bounds[g + 1] > bounds[g]
    }
    table = pd.DataFrame.from_dict(found, orient="index", columns=list(KPI_COLUMNS))
    table.index = pd.Index(list(found), name=by)
    return _counts_whole(table)


def _counts_whole(table: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers, so tables show 16, not 16.00."""
    return table.astype({"complaints": "int64", "still_open": "int64"})


_FLAGS = ("first_contact_resolution", "responded_in_time", "resolved_in_time", "satisfied")


def _kpi_arrays(triaged: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns the KPIs read, as float arrays once (flags: 1, 0, or NaN if unknown)."""
    arrays = {
        name: triaged[name].to_numpy(dtype=float, na_value=np.nan)
        for name in ("response_hours", "resolution_hours", "reopened", *_FLAGS)
    }
    return arrays


def _kpi_row(a: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, float]:
    response = a["response_hours"][rows]
    response = response[~np.isnan(response)]
    resolution = a["resolution_hours"][rows]
    resolved = ~np.isnan(resolution)
    resolution = resolution[resolved]
    responded_ok = _share(a["responded_in_time"][rows])
    resolved_ok = _share(a["resolved_in_time"][rows])
    return {
        "complaints": float(len(rows)),
        "still_open": float((~resolved).sum()),
        "response_median_h": _quantile(response, 0.5),
        "response_p90_h": _quantile(response, 0.9),
        "response_mean_h": float(response.mean()) if len(response) else np.nan,
        "resolution_median_h": _quantile(resolution, 0.5),
        "resolution_p90_h": _quantile(resolution, 0.9),
        "resolution_mean_h": float(resolution.mean()) if len(resolution) else np.nan,
        "first_contact_resolution": _share(a["first_contact_resolution"][rows]),
        "reopen_rate": _share(a["reopened"][rows][resolved]),
        "responded_in_time": responded_ok,
        "response_breach_rate": 1.0 - responded_ok,
        "resolved_in_time": resolved_ok,
        "resolution_breach_rate": 1.0 - resolved_ok,
        "satisfied_with_resolution": _share(a["satisfied"][rows]),
    }


def _quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile by linear interpolation between order statistics (NaN if empty)."""
    return float(np.quantile(values, q)) if len(values) else np.nan


def _share(flags) -> float:
    """The share of known flags that are true (NaN when none is known)."""
    if isinstance(flags, pd.Series):
        flags = flags.to_numpy(dtype=float, na_value=np.nan)
    known = flags[~np.isnan(flags)]
    return float(known.mean()) if len(known) else np.nan


def breaches_by_priority(triaged: pd.DataFrame) -> pd.DataFrame:
    """Per priority: its targets, complaints, and the share that missed each target."""
    goals = content.table("complaint_targets")
    table = kpis(triaged, "priority")
    out = pd.DataFrame(
        {
            "respond_within_hours": goals["respond_within_hours"],
            "resolve_within_hours": goals["resolve_within_hours"],
        }
    )
    out.index.name = "priority"
    out = out.join(table[["complaints", "response_breach_rate", "resolution_breach_rate"]])
    out["complaints"] = out["complaints"].fillna(0)
    return out


def cause_pareto(triaged: pd.DataFrame) -> pd.DataFrame:
    """Complaints per churn cause (all nine of CO5, the most frequent first, ties in the
    seed's order), with each cause's share and the running share: the few causes that
    bring most complaints are the ones to fix first."""
    counts = triaged["cause"].astype(str).value_counts().reindex(list(CAUSES), fill_value=0)
    order = sorted(CAUSES, key=lambda c: (-counts[c], list(CAUSES).index(c)))
    counts = counts[order]
    total = counts.sum()
    share = counts / total if total else counts * np.nan
    return pd.DataFrame(
        {
            "chinese": [CAUSES[c] for c in order],
            "complaints": counts.to_numpy(),
            "share": share.to_numpy(dtype=float),
            "cumulative_share": share.cumsum().to_numpy(dtype=float),
        },
        index=pd.Index(order, name="cause"),
    )


def vital_few(pareto: pd.DataFrame, share: float = 0.8) -> list[str]:
    """The causes that together bring `share` of the complaints (the first one whose
    running share reaches it included)."""
    reach = pareto["cumulative_share"].to_numpy()
    if not len(reach) or np.isnan(reach).all():
        return []
    last = int(np.searchsorted(reach, share - 1e-12))
    return list(pareto.index[: last + 1])


#: What a complaining customer wants (CO3, seed 003), each with the sign of it the data
#: can show (the workbook's own reading of the seed's list).
WANTS = {
    "taken_seriously": (
        "to be taken seriously",
        "得到认真的对待",
        "answered within the response target",
    ),
    "heard": ("to be heard", "有人聆听", "someone followed the complaint up"),
    "response_and_action": (
        "to see a response and action",
        "有反应,有行动",
        "resolved within the resolution target",
    ),
    "compensation_and_solution": (
        "compensation and a solution",
        "得到补偿,问题得到解决",
        "resolved, and paid for when the customer asked for money back and was reasonable",
    ),
    "respect": (
        "respect",
        "被认同,被尊重",
        "said they were satisfied, and did not have to reopen it",
    ),
}

#: Desired resolutions that ask for money back.
_MONEY = ("refund", "discount")


def wants_checklist(triaged: pd.DataFrame) -> pd.DataFrame:
    """Per complaint, which of the five wants of CO3 its handling met (True/False; empty
    where the data cannot tell yet), and how many it met (wants_met, of those known)."""
    resolved = triaged["resolution_hours"].notna()
    money = triaged["desired_resolution"].astype(str).isin(_MONEY) & triaged["customer_reasonable"]
    paid = triaged["compensation"] > 0
    satisfied = triaged["satisfied"]
    respect = (satisfied & ~triaged["reopened"].astype("boolean")).astype("boolean")
    checklist = pd.DataFrame(
        {
            "taken_seriously": triaged["responded_in_time"].astype("boolean"),
            "heard": triaged["followed_up"].astype("boolean"),
            "response_and_action": triaged["resolved_in_time"].astype("boolean"),
            "compensation_and_solution": pd.Series(
                (resolved & (~money | paid)).to_numpy(), index=triaged.index, dtype="boolean"
            ),
            "respect": respect,
        },
        index=triaged.index,
    )
    checklist.insert(0, "complaint_id", triaged["complaint_id"])
    flags = checklist[list(WANTS)]
    checklist["wants_met"] = flags.fillna(False).astype(int).sum(axis=1)
    checklist["wants_known"] = flags.notna().sum(axis=1)
    return checklist


def wants_summary(checklist: pd.DataFrame) -> pd.DataFrame:
    """Per want: its Chinese, the sign the data shows, and the share of complaints (where
    known) whose handling met it; the least-met want first."""
    rows = []
    for key, (english, chinese, sign) in WANTS.items():
        rows.append(
            {
                "want": english,
                "chinese": chinese,
                "sign in the data": sign,
                "met": _share(checklist[key]),
                "complaints known": int(checklist[key].notna().sum()),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(list(WANTS), name="key")).sort_values(
        "met", kind="stable"
    )


def action_list(triaged: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Seed 000's dissatisfied-customer management (CO7) as this data's action list: the
    steps (survey regularly; list what customers are unhappy about; find the causes; set
    measures; guide the unhappy retailers' business), each with what the data says and
    the action that follows. `rows` is `churn.index_days(data)`: the customers to guide
    are those whose complaint was not resolved well and whose relationship has not ended."""
    resolved = triaged["resolution_hours"].notna()
    asked = float(triaged.loc[resolved, "satisfied"].notna().mean()) if resolved.any() else np.nan
    pareto = cause_pareto(triaged)
    few = vital_few(pareto)
    by_channel = kpis(triaged, "channel")
    worst_channel = str(by_channel["response_breach_rate"].idxmax())
    worst_rate = float(by_channel["response_breach_rate"].max())
    by_priority = kpis(triaged, "priority")
    worst_priority = str(by_priority["resolution_breach_rate"].idxmax())
    unhappy = rows[(rows["group"] == "not resolved well") & ~rows["ended"]]
    steps = [
        (
            "Survey satisfaction regularly",
            "定期开展客户满意度问卷调查",
            f"satisfaction was asked after {asked:.0%} of resolved complaints",
            "ask after every resolved complaint, and survey all customers once a year",
        ),
        (
            "List what customers are unhappy about",
            "梳理汇总不满意项",
            f"{len(few)} of the {len(CAUSES)} causes bring 80% of complaints: {', '.join(few)}",
            "review these causes every month, the most frequent first",
        ),
        (
            "Find the causes",
            "找原因",
            f"{worst_channel} complaints miss the response target most often ({worst_rate:.0%})",
            f"find out why {worst_channel} complaints wait: who reads them, and when",
        ),
        (
            "Set measures",
            "定措施",
            f"{worst_priority} complaints miss the resolution target most often "
            f"({by_priority.loc[worst_priority, 'resolution_breach_rate']:.0%})",
            f"give {worst_priority} complaints a named owner and a daily check",
        ),
        (
            "Guide the unhappy retailers' business",
            "不满意客户的经营指导",
            f"{len(unhappy):,} customers whose complaint was not resolved well are still buying",
            "visit each: positioning, category, stock and shopper advice (seed 000)",
        ),
    ]
    return pd.DataFrame(steps, columns=["step", "chinese", "what the data says", "action"])
