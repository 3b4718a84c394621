"""The lesson path as an expert writes it in idiomatic, vectorised pandas, timed beside crmkit.

This is the bar DESIGN.md sets: crmkit must be at most as slow as this. One
groupby per table, every profit part computed once, no Python code per
customer or per row. The rules are crmkit's (pyramid.profitability,
assign_tiers, tier_summary; classification.abc_analysis, profit_split,
rfm_table), so `check_baselines.py` can show the results are the same. RFM
gives equal values equal scores (pandas rank method "min"), as crmkit does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.classification import RFM_SEGMENTS

TIERS = ["VIP", "major", "ordinary", "small"]
TIER_CUTOFFS = (0.05, 0.20, 0.50)  # top 5%, next 15%, next 30%, the other 50% of customers
ABC_CUTOFFS = (0.8, 0.95)
SPLIT_GROUPS = ["top", "middle", "bottom"]
SEGMENTS = [name for name, _, _ in RFM_SEGMENTS] + ["Other"]
EPS = 1e-12  # as crmkit: a running share of 0.7999999... counts as reaching 0.8


def lesson_path(data) -> dict[str, pd.DataFrame]:
    """Profit with its parts, ABC, the three-way split, RFM, tiers and the tier summary.

    `data` has orders, contacts, complaints and analysis_date. Returns frames
    under the keys profit (by customer id), ranking (best first: share,
    cum_share, rank, abc_class, group, tier), rfm (by customer id) and
    tier_summary (one row per tier).
    """
    sold = data.orders.groupby("customer_id").agg(
        revenue=("revenue", "sum"),
        gross_margin=("gross_margin", "sum"),
        discounts=("discount", "sum"),
        orders=("revenue", "size"),
        last_order=("order_date", "max"),
    )
    profit = profitability(sold, data.contacts, data.complaints)
    order = np.argsort(-profit["profit"].to_numpy(), kind="stable")  # best first, ties by id
    ranking = rank_and_classify(profit["profit"].iloc[order])
    return {
        "profit": profit,
        "ranking": ranking,
        "rfm": rfm(sold, data.analysis_date),
        "tier_summary": tier_summary(profit.iloc[order], ranking["tier"].array),
    }


def profitability(sold: pd.DataFrame, contacts: pd.DataFrame, complaints: pd.DataFrame):
    """Every profit part per customer, from the orders' sums and one groupby per other table."""
    follow_up = (contacts["purpose"] == "complaint_follow_up").to_numpy()
    kind = contacts["contact_type"]
    phone = (kind == "phone_call").to_numpy() & ~follow_up
    back = (kind == "call_back").to_numpy() & ~follow_up
    cost = contacts["cost"].to_numpy()
    served = (
        pd.DataFrame(
            {
                "customer_id": contacts["customer_id"],
                "visits": np.where(~(follow_up | phone | back), cost, 0.0),
                "phone_calls": np.where(phone, cost, 0.0),
                "call_backs": np.where(back, cost, 0.0),
                "complaint_contacts": np.where(follow_up, cost, 0.0),
            }
        )
        .groupby("customer_id")
        .agg(
            visits=("visits", "sum"),
            phone_calls=("phone_calls", "sum"),
            call_backs=("call_backs", "sum"),
            complaint_contacts=("complaint_contacts", "sum"),
            contacts=("visits", "size"),
        )
    )
    raised = complaints.groupby("customer_id").agg(
        compensation=("compensation", "sum"), complaints=("compensation", "size")
    )
    # a period's customers are its buyers (crmkit's one definition): contacts and complaints
    # of customers who bought nothing are left out, as customer_profit leaves them out
    out = pd.concat([sold.drop(columns="last_order", errors="ignore"), served, raised], axis=1)
    out = out.reindex(sold.index).fillna(0)
    out = out.sort_index()
    out.index.name = "customer_id"
    out["margin_before_discount"] = out["gross_margin"] + out["discounts"]
    out["complaint_handling"] = out.pop("complaint_contacts") + out.pop("compensation")
    out["cost_to_serve"] = (
        out["visits"] + out["phone_calls"] + out["call_backs"] + out["complaint_handling"]
    )
    out["profit"] = out["gross_margin"] - out["cost_to_serve"]
    counts = ["orders", "contacts", "complaints"]
    out[counts] = out[counts].astype("int64")
    parts = ["visits", "phone_calls", "call_backs", "complaint_handling", "cost_to_serve"]
    money = ["revenue", "margin_before_discount", "discounts", "gross_margin"]
    return out[[*money, *parts, "profit", *counts]]


def rank_and_classify(ranked: pd.Series) -> pd.DataFrame:
    """Profit ranked best first (ties by id), cut three ways: ABC, the 20/60/20 split, tiers."""
    value = ranked.to_numpy()
    n = len(value)
    share = value / value.sum()  # of the net total, losses included (crmkit.abc_analysis)
    cum = np.cumsum(share)
    before = np.concatenate([[0.0], cum[:-1]])
    a, b = ABC_CUTOFFS
    abc = np.select([value <= 0, before < a - EPS, before < b - EPS], [2, 0, 1], 2)
    position = np.arange(n)
    n_top, n_bottom = round(0.2 * n), round(0.2 * n)
    group = np.select([position < n_top, position >= n - n_bottom], [0, 2], 1)
    customers_before = position / n
    t1, t2, t3 = TIER_CUTOFFS
    tier = np.select(
        [customers_before < t1 - EPS, customers_before < t2 - EPS, customers_before < t3 - EPS],
        [0, 1, 2],
        3,
    )
    return pd.DataFrame(
        {
            "value": value,
            "share": share,
            "cum_share": cum,
            "rank": position + 1,
            "abc_class": pd.Categorical.from_codes(abc, ["A", "B", "C"], ordered=True),
            "group": pd.Categorical.from_codes(group, SPLIT_GROUPS, ordered=True),
            "tier": pd.Categorical.from_codes(tier, TIERS, ordered=True),
        },
        index=ranked.index,
    )


def _scores(values: pd.Series, higher_is_better: bool, bins: int = 5) -> np.ndarray:
    """Scores 1..bins by rank; a tie group takes the score of its lowest-placed rank."""
    ranks = values.rank(method="min", ascending=higher_is_better).to_numpy()
    return np.ceil(ranks / len(values) * bins).clip(1, bins).astype("int64")


def rfm(sold: pd.DataFrame, as_of) -> pd.DataFrame:
    """Recency, frequency, monetary value, their quintile scores and the segment, per customer.

    As crmkit.classification.rfm_table: customers with equal values get equal
    scores, that of the worst-placed of them (pandas rank method "min").
    """
    out = pd.DataFrame(
        {
            "recency_days": (pd.Timestamp(as_of) - sold["last_order"]).dt.days,
            "frequency": sold["orders"],
            "monetary": sold["revenue"],
        }
    )  # sorted by id: groupby sorts its keys
    r = _scores(out["recency_days"], higher_is_better=False)
    f = _scores(out["frequency"], higher_is_better=True)
    m = _scores(out["monetary"], higher_is_better=True)
    out["r_score"], out["f_score"], out["m_score"] = r, f, m
    out["rfm_score"] = pd.Series(r * 100 + f * 10 + m, index=out.index).astype(str)
    conditions = [
        (r >= r_lo) & (r <= r_hi) & (f >= f_lo) & (f <= f_hi)
        for _, (r_lo, r_hi), (f_lo, f_hi) in RFM_SEGMENTS
    ]
    codes = np.select(conditions, range(len(RFM_SEGMENTS)), len(RFM_SEGMENTS))
    out["segment"] = pd.Categorical.from_codes(codes, SEGMENTS)
    return out


def tier_summary(profit: pd.DataFrame, tier: pd.Categorical) -> pd.DataFrame:
    """Customers, revenue, cost to serve and profit per tier, with shares of the whole."""
    grouped = profit[["revenue", "cost_to_serve", "profit"]].groupby(tier, observed=False)
    out = grouped.sum()
    out.insert(0, "customers", grouped.size())
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    out["profit_share"] = out["profit"] / out["profit"].sum()
    out["profit_per_customer"] = (out["profit"] / out["customers"].replace(0, np.nan)).fillna(0.0)
    out.index = pd.Index(out.index.astype(str), name="tier")
    return out


def stages_with_pandas(data, rules) -> pd.Series:
    """The lifecycle stage rules (crmkit.lifecycle.detect_stages) as an analyst fluent in
    pandas would write them: groupby-rolling sums, a running maximum, merge_asof for the
    last order, np.select. Returns the stage per (customer_id, month), sorted."""
    import numpy as np

    totals = data.category_purchases.assign(
        customer_id=lambda f: f["customer_id"].astype(str),
        month=lambda f: pd.to_datetime(f["month"], format="%Y-%m").dt.to_period("M"),
    ).sort_values(["customer_id", "month"], ignore_index=True)
    orders = data.orders.assign(
        customer_id=lambda f: f["customer_id"].astype(str),
        month=lambda f: f["order_date"].dt.to_period("M"),
    )
    ours = orders.groupby(["customer_id", "month"])["revenue"].sum().rename("ours")
    frame = totals.join(ours, on=["customer_id", "month"]).fillna({"ours": 0.0})
    rolled = (
        frame.groupby("customer_id")[["ours", "category_total"]]
        .rolling(rules.window_months, min_periods=1)
        .sum()
        .reset_index(level=0, drop=True)
    )
    share = (rolled["ours"] / rolled["category_total"].where(rolled["category_total"] > 0)).clip(
        upper=1.0
    )
    frame["share"] = share.fillna(0.0)
    frame["peak"] = frame.groupby("customer_id")["share"].cummax()
    joined = (
        data.customers.assign(customer_id=lambda f: f["customer_id"].astype(str))
        .set_index("customer_id")["join_date"]
        .dt.to_period("M")
    )
    first = orders.groupby("customer_id")["month"].min()
    start = joined.reindex(first.index).fillna(first)
    frame["tenure"] = (
        frame["month"].astype("int64")
        - start.reindex(frame["customer_id"]).astype("int64").to_numpy()
    )
    code = frame["month"].astype("int64")
    ordered = orders[["customer_id", "month"]].drop_duplicates()
    ordered = ordered.assign(
        code=ordered["month"].astype("int64"), last=ordered["month"].astype("int64")
    )
    last = pd.merge_asof(
        frame.assign(code=code, row=np.arange(len(frame))).sort_values("code"),
        ordered[["customer_id", "code", "last"]].sort_values("code"),
        on="code",
        by="customer_id",
    ).sort_values("row")
    since = (last["code"] - last["last"]).fillna(last["code"] - ordered["code"].min()).to_numpy()
    stage = np.select(
        [
            since >= rules.silence_months,
            frame["tenure"].to_numpy() < rules.exploration_months,
            (frame["peak"] >= rules.stable_share)
            & (frame["share"] < rules.decline_drop * frame["peak"]),
            frame["share"] >= rules.stable_share,
        ],
        ["ended", "exploration", "decline", "stability"],
        "formation",
    )
    return pd.Series(stage, index=pd.MultiIndex.from_frame(frame[["customer_id", "month"]]))


def model_summary_with_pandas(orders: pd.DataFrame, calibration_end, observation_end):
    """The customer-base models' summary as an analyst would write it in pandas: purchase
    days per customer, then frequency, recency and T in weeks, the mean repeat spend and the
    holdout purchases (the same rules as crmkit.customer_base_models.summary)."""
    cut, end = pd.Timestamp(calibration_end), pd.Timestamp(observation_end)
    days = (
        orders.assign(day=orders["order_date"].dt.normalize())
        .groupby(["customer_id", "day"], sort=True)["revenue"]
        .sum()
        .reset_index()
    )
    before = days[days["day"] <= cut]
    after = days[(days["day"] > cut) & (days["day"] <= end)]
    first = before.groupby("customer_id")["day"].transform("min")
    repeat = before[before["day"] > first]
    grouped = before.groupby("customer_id")["day"]
    week = pd.Timedelta(days=7)
    summary = pd.DataFrame(
        {
            "frequency": grouped.size() - 1,
            "recency": (grouped.max() - grouped.min()) / week,
            "T": (cut - grouped.min()) / week,
            "monetary_value": repeat.groupby("customer_id")["revenue"].mean(),
        }
    )
    summary["monetary_value"] = summary["monetary_value"].fillna(0.0)
    summary["frequency_holdout"] = (
        after.groupby("customer_id").size().reindex(summary.index, fill_value=0)
    )
    return summary


def complaint_kpis_with_pandas(triaged: pd.DataFrame, by: str) -> pd.DataFrame:
    """The complaint KPIs of crmkit.complaint_kpis.kpis as one pandas groupby-aggregate:
    counts, median, 90th percentile and mean of both times, and the share of each flag
    among the known ones (the reopen rate among resolved complaints)."""
    frame = triaged.assign(
        resolved=triaged["resolution_hours"].notna(),
        reopened_resolved=triaged["reopened"].where(triaged["resolution_hours"].notna()),
    )
    flags = [
        "first_contact_resolution",
        "reopened_resolved",
        "responded_in_time",
        "resolved_in_time",
        "satisfied",
    ]
    frame[flags] = frame[flags].astype("Float64")
    grouped = frame.groupby(by, observed=True)
    table = grouped.agg(
        complaints=("complaint_id", "size"),
        resolved=("resolved", "sum"),
        response_median_h=("response_hours", "median"),
        response_p90_h=("response_hours", lambda s: s.quantile(0.9)),
        response_mean_h=("response_hours", "mean"),
        resolution_median_h=("resolution_hours", "median"),
        resolution_p90_h=("resolution_hours", lambda s: s.quantile(0.9)),
        resolution_mean_h=("resolution_hours", "mean"),
        **{flag: (flag, "mean") for flag in flags},
    )
    table["still_open"] = table["complaints"] - table["resolved"]
    return table


def survival_with_statsmodels(rows: pd.DataFrame, by: str) -> dict:
    """Kaplan-Meier curves per group as an analyst writes them with statsmodels directly:
    one SurvfuncRight per group (what crmkit.churn.survival_curves wraps)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    return {
        key: SurvfuncRight(part["months"].to_numpy(float), part["ended"].to_numpy(int))
        for key, part in rows.groupby(by, observed=True)
    }


def tiers_by_month_with_pandas(data, months) -> dict:
    """Each customer's tier at the start of each month of `months` (Periods), by profit over
    the 12 months before, as an analyst fluent in pandas writes it: profit per customer and
    month from one groupby per table, a rolling 12-month sum, then the percentile tiers of
    crmkit.tiers.assign_tiers (best first, ties by customer id) among that window's buyers."""
    orders = data.orders.assign(month=data.orders["order_date"].dt.to_period("M"))
    contacts = data.contacts.assign(month=data.contacts["contact_date"].dt.to_period("M"))
    complaints = data.complaints.assign(month=data.complaints["opened_at"].dt.to_period("M"))
    margin = orders.groupby(["customer_id", "month"])["gross_margin"].sum()
    count = orders.groupby(["customer_id", "month"]).size()
    cost = contacts.groupby(["customer_id", "month"])["cost"].sum()
    paid = complaints.groupby(["customer_id", "month"])["compensation"].sum()
    parts = pd.concat({"margin": margin, "cost": cost, "paid": paid, "orders": count}, axis=1)
    parts = parts.fillna(0.0)
    parts["profit"] = parts["margin"] - parts["cost"] - parts["paid"]
    span = pd.period_range(min(months) - 12, max(months) - 1, freq="M")
    profit = parts["profit"].unstack("customer_id").reindex(span).fillna(0.0)
    bought = parts["orders"].unstack("customer_id").reindex(span).fillna(0.0)
    profit_12 = profit.rolling(12, min_periods=1).sum()
    bought_12 = bought.rolling(12, min_periods=1).sum()
    out = {}
    for month in months:
        values = profit_12.loc[month - 1][bought_12.loc[month - 1] > 0].round(6)
        ranked = values.reset_index().sort_values(
            [month - 1, "customer_id"], ascending=[False, True], kind="stable"
        )
        position = np.arange(len(ranked)) / max(len(ranked), 1)
        tier = np.select(
            [
                position < TIER_CUTOFFS[0] - EPS,
                position < TIER_CUTOFFS[1] - EPS,
                position < TIER_CUTOFFS[2] - EPS,
            ],
            TIERS[:3],
            TIERS[3],
        )
        out[month] = pd.Series(tier, index=ranked["customer_id"].to_numpy())
    return out
