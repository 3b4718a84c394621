"""Churn (客户流失, CO5 and CO6): who left, why, when, and whether handling a complaint
well keeps customers.

One definition of leaving runs through the lesson, the lifecycle lesson's: a relationship
has ended when the customer has not ordered for `silence_months` months (StageRules), and
it ended with the last order. A customer's churn is then asked one way everywhere: did the
relationship end within `horizon` months of an index day?

- for a customer who complained, the index day is their first complaint (one row per
  customer), so the question is "did they leave within six months of complaining?";
- for comparison, every customer gets one index day among the days they ordered before
  any complaint: one order drawn at random (seeded, so the same every run). Both are days
  the customer dealt with us; a customer who complained later is also in this group, from
  an order before the complaint.

Only index days with a full follow-up count: `horizon` months plus the silence that shows
an end must fit before the analysis date. On these rows the lesson reads churn by cause,
tier, lifecycle stage and joining cohort, Kaplan–Meier survival curves with a log-rank
test (statsmodels), and the service-recovery comparison: differences of proportions with
confidence intervals, and a logistic regression that adjusts for tier and tenure. The data
are observational: the comparison shows an association; it cannot prove that handling
caused the difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.customer_base import need
from crmkit.errors import CrmkitError, MissingData
from crmkit.lifecycle import StageRules, as_months, detect_stages
from crmkit.tiers import tiers_at

#: Months after the index day within which an ended relationship counts as churn.
HORIZON_MONTHS = 6
#: The seed of the order drawn as the index day of customers who had not complained.
SEED = 13
#: Complaint-history groups, the comparison's baseline first.
GROUPS = ("no complaint", "resolved well", "not resolved well", "satisfaction not asked")
#: Average days in a month, to turn days into months for survival times.
DAYS_PER_MONTH = 365.25 / 12


def relationships(data, rules: StageRules | None = None) -> pd.DataFrame:
    """Per customer who ordered: first_order, last_order, joined (join_date, or the first
    order when unknown) and ended (no order for `silence_months` by the analysis date)."""
    rules = rules or StageRules()
    orders = data.orders
    need(orders, "orders", ["customer_id", "order_date"])
    if orders.empty:
        raise CrmkitError("the orders table is empty, so no relationship can be followed")
    spans = orders.groupby("customer_id", observed=True)["order_date"].agg(["min", "max"])
    spans.columns = ["first_order", "last_order"]
    joined = data.customers.set_index("customer_id")["join_date"].reindex(spans.index)
    spans["joined"] = pd.to_datetime(joined).fillna(spans["first_order"])
    cut = pd.Timestamp(data.analysis_date) - pd.DateOffset(months=rules.silence_months)
    spans["ended"] = spans["last_order"] <= cut
    spans.index.name = "customer_id"
    return spans


def handling(complaints: pd.DataFrame) -> pd.Series:
    """How each complaint was handled, as the customer saw it: "not resolved well" if it was
    never resolved, was reopened, or the customer said they were not satisfied; "resolved
    well" if resolved, not reopened and the customer said they were satisfied; otherwise
    "satisfaction not asked"."""
    satisfied = complaints["resolution_satisfied"].astype("boolean")
    reopened = complaints["reopened"].astype(bool).to_numpy()
    resolved = complaints["resolved_at"].notna().to_numpy()
    bad = ~resolved | reopened | satisfied.eq(False).fillna(False).to_numpy(dtype=bool)
    good = resolved & ~reopened & satisfied.eq(True).fillna(False).to_numpy(dtype=bool)
    labels = np.select([bad, good], [GROUPS[2], GROUPS[1]], GROUPS[3])
    return pd.Series(labels, index=complaints.index, name="handling")


def follow_up_limit(data, horizon: int = HORIZON_MONTHS, rules: StageRules | None = None):
    """The last index day with a full follow-up: `horizon` months to leave and the
    silence that shows it, before the analysis date."""
    rules = rules or StageRules()
    months = horizon + rules.silence_months
    return pd.Timestamp(data.analysis_date) - pd.DateOffset(months=months)


def index_days(
    data,
    *,
    horizon: int = HORIZON_MONTHS,
    rules: StageRules | None = None,
    seed: int = SEED,
) -> pd.DataFrame:
    """The index days with a full follow-up (see the module's docstring), one row per
    customer and group, with what the lesson asks of each.

    Columns: customer_id, index_day, group (GROUPS); cause, channel and complaint_id of
    the complaint (empty for "no complaint"); tier on the index day (`tiers_at`);
    tenure_years; cohort (the year the customer joined); churned (the relationship ended
    within `horizon` months); months (from the index day to the last order, at least 0);
    ended (for survival curves: an ended relationship is an event, one still going is
    censored at its last order).
    """
    rules = rules or StageRules()
    spans = relationships(data, rules)
    limit = follow_up_limit(data, horizon, rules)
    complaints = data.complaints
    first_complaint = pd.Series(pd.NaT, index=spans.index, dtype="datetime64[ns]")
    if not complaints.empty:
        ordered = complaints.sort_values(["opened_at", "complaint_id"], kind="stable")
        firsts = ordered.drop_duplicates("customer_id")
        firsts = firsts[firsts["customer_id"].isin(spans.index)]
        first_complaint[firsts["customer_id"].to_numpy()] = firsts["opened_at"].to_numpy()
        rows_c = firsts[firsts["opened_at"] <= limit]
        complained = pd.DataFrame(
            {
                "customer_id": rows_c["customer_id"].astype(str).to_numpy(),
                "index_day": rows_c["opened_at"].to_numpy(),
                "group": handling(rows_c).to_numpy(),
                "cause": rows_c["cause"].astype(str).to_numpy(),
                "channel": rows_c["channel"].astype(str).to_numpy(),
                "complaint_id": rows_c["complaint_id"].astype(str).to_numpy(),
            }
        )
    else:
        complained = pd.DataFrame(
            columns=["customer_id", "index_day", "group", "cause", "channel", "complaint_id"]
        )
    others = _quiet_index_days(data, first_complaint, limit, seed)
    rows = pd.concat([complained, others], ignore_index=True)
    rows["index_day"] = pd.to_datetime(rows["index_day"])
    rows = rows.sort_values(["index_day", "customer_id"], kind="stable").reset_index(drop=True)
    span = spans.loc[rows["customer_id"]]
    last = span["last_order"].to_numpy()
    ends_by = rows["index_day"] + pd.DateOffset(months=horizon)
    rows["tier"] = tiers_at(data, rows["customer_id"], rows["index_day"]).array
    tenure = (rows["index_day"].to_numpy() - span["joined"].to_numpy()) / np.timedelta64(1, "D")
    rows["tenure_years"] = np.maximum(tenure, 0) / 365.25
    rows["cohort"] = span["joined"].dt.year.to_numpy()
    rows["churned"] = last < ends_by.to_numpy()
    gap = (last - rows["index_day"].to_numpy()) / np.timedelta64(1, "D")
    rows["months"] = np.maximum(gap, 0) / DAYS_PER_MONTH
    rows["ended"] = span["ended"].to_numpy()
    rows["group"] = pd.Categorical(rows["group"], categories=GROUPS, ordered=True)
    return rows


def _quiet_index_days(data, first_complaint, limit, seed) -> pd.DataFrame:
    """For each customer, one of their orders drawn at random (seeded) among those placed
    before their first complaint and with a full follow-up: a day they were buying from
    us. A customer who complained later can be drawn at an order before their complaint:
    they had not complained yet."""
    orders = data.orders
    keys = ["customer_id", "order_date"] + (["order_id"] if "order_id" in orders else [])
    ordered = orders[keys].sort_values(keys, kind="stable").reset_index(drop=True)
    cid = ordered["customer_id"].astype(str)
    stop = first_complaint.reindex(cid.to_numpy()).fillna(pd.Timestamp(limit)).to_numpy()
    stop = np.minimum(stop, np.datetime64(pd.Timestamp(limit)))
    day = ordered["order_date"].to_numpy()
    eligible = day <= stop
    luck = np.random.default_rng(seed).random(len(ordered))
    pool = pd.DataFrame(
        {"customer_id": cid[eligible], "day": day[eligible], "luck": luck[eligible]}
    )
    drawn = pool.loc[pool.groupby("customer_id", sort=True)["luck"].idxmax()]
    return pd.DataFrame(
        {
            "customer_id": drawn["customer_id"].to_numpy(),
            "index_day": drawn["day"].to_numpy(),
            "group": GROUPS[0],
            "cause": None,
            "channel": None,
            "complaint_id": None,
        }
    )


def _month_code(dates: pd.Series) -> np.ndarray:
    """Months counted from year 0 (year * 12 + month - 1), for month arithmetic on arrays."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


# -- rates, with their uncertainty -----------------------------------------------------------


def churn_rates(rows: pd.DataFrame, by: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Churn rate per group of `by` (a column of `index_days`): customers, churned, the rate
    and its Wilson confidence interval (sound for small groups and rates near 0 or 1).
    Groups with no rows are left out; an empty table gives an empty result."""
    from statsmodels.stats.proportion import proportion_confint

    if by not in rows.columns:
        raise CrmkitError(f"churn can be split by a column of the index-day table; got {by!r}")
    groups = rows.groupby(by, observed=True, sort=True)["churned"]
    table = pd.DataFrame({"customers": groups.size(), "churned": groups.sum()})
    table = table[table["customers"] > 0].astype({"customers": int, "churned": int})
    table["rate"] = table["churned"] / table["customers"]
    low, high = proportion_confint(
        table["churned"], table["customers"], alpha=1 - confidence, method="wilson"
    )
    table["low"], table["high"] = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    return table


def recovery_differences(rows: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The service-recovery question as differences of churn rates, each with its
    confidence interval (Newcombe's score method): resolved well against not resolved well,
    and each against customers who had not complained. A difference whose interval spans
    zero is one the data cannot tell from chance."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    complaint_rows(rows)  # none: nothing to compare
    rates = churn_rates(rows, "group", confidence=confidence)
    pairs = [
        (GROUPS[1], GROUPS[2]),
        (GROUPS[1], GROUPS[0]),
        (GROUPS[2], GROUPS[0]),
    ]
    out = []
    for a, b in pairs:
        if a not in rates.index or b not in rates.index:
            continue
        ca, na = rates.loc[a, ["churned", "customers"]]
        cb, nb = rates.loc[b, ["churned", "customers"]]
        low, high = confint_proportions_2indep(
            ca, na, cb, nb, method="newcomb", compare="diff", alpha=1 - confidence
        )
        out.append(
            {
                "group": a,
                "compared with": b,
                "churn rate": ca / na,
                "compared rate": cb / nb,
                "difference": ca / na - cb / nb,
                "low": float(low),
                "high": float(high),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "group",
            "compared with",
            "churn rate",
            "compared rate",
            "difference",
            "low",
            "high",
        ],
    )


def recovery_model(rows: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """A logistic regression of churn on the complaint-history group, adjusted for tier and
    tenure (years): per term, the odds ratio against the baseline (no complaint; the top
    tier), its confidence interval and p-value. Groups and tiers with no rows are dropped.
    """
    import statsmodels.formula.api as smf

    frame = rows[["churned", "group", "tier", "tenure_years"]].copy()
    frame["churned"] = frame["churned"].astype(int)
    frame["group"] = frame["group"].cat.remove_unused_categories().astype(str)
    frame["tier"] = frame["tier"].cat.remove_unused_categories().astype(str)
    if frame["group"].nunique() < 2 or frame["churned"].nunique() < 2:
        raise MissingData(
            "the regression needs customers in at least two complaint groups, some of whom "
            "left and some of whom stayed"
        )
    baseline_group = GROUPS[0] if GROUPS[0] in set(frame["group"]) else sorted(frame["group"])[0]
    tiers = [t for t in rows["tier"].cat.categories if t in set(frame["tier"])]
    formula = (
        f"churned ~ C(group, Treatment({baseline_group!r})) "
        f"+ C(tier, Treatment({tiers[0]!r})) + tenure_years"
    )
    fit = smf.logit(formula, data=frame).fit(disp=0, maxiter=100)
    ci = fit.conf_int(alpha=1 - confidence)
    table = pd.DataFrame(
        {
            "odds ratio": np.exp(fit.params),
            "low": np.exp(ci[0]),
            "high": np.exp(ci[1]),
            "p value": fit.pvalues,
        }
    ).drop(index="Intercept")
    table.index = [_term_name(t) for t in table.index]
    table.index.name = "term"
    return table


def complaint_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of `index_days` that start at a complaint; MissingData when there are none
    (data without complaints, or none with a full follow-up)."""
    found = rows[rows["group"] != GROUPS[0]]
    if found.empty:
        raise MissingData(
            "no complaint in this data has a full follow-up (the months after it and the "
            "silence that shows an end, before the analysis date)"
        )
    return found


def _term_name(term: str) -> str:
    """'C(group, Treatment('no complaint'))[T.resolved well]' -> 'group: resolved well'."""
    if term.startswith("C("):
        variable = term[2 : term.index(",")]
        level = term[term.index("[T.") + 3 : -1]
        return f"{variable}: {level}"
    return "tenure (per year)" if term == "tenure_years" else term


# -- survival --------------------------------------------------------------------------------


def survival_curves(rows: pd.DataFrame, by: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier curves of staying (statsmodels' SurvfuncRight), one per group of `by`:
    the share of customers whose relationship has not ended `months` after the index day,
    with a pointwise confidence band (log-log transform, Greenwood's variance). Columns:
    group, months, at_risk, surviving, low, high; each curve starts at 0 months with 1."""
    from scipy.stats import norm
    from statsmodels.duration.survfunc import SurvfuncRight

    z = norm.ppf(0.5 + confidence / 2)
    parts = []
    for key, part in rows.groupby(by, observed=True, sort=True):
        if part.empty:
            continue
        fit = SurvfuncRight(part["months"].to_numpy(float), part["ended"].to_numpy(int))
        s = np.asarray(fit.surv_prob, dtype=float)
        se = np.asarray(fit.surv_prob_se, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(s)
            spread = z * se / (s * np.abs(log_s))
            low = np.exp(-np.exp(np.log(-log_s) + spread))
            high = np.exp(-np.exp(np.log(-log_s) - spread))
        low = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, low))
        high = np.where(s >= 1, 1.0, np.where(s <= 0, 0.0, high))
        curve = pd.DataFrame(
            {
                "group": key,
                "months": np.concatenate([[0.0], np.asarray(fit.surv_times, dtype=float)]),
                "at_risk": np.concatenate([[len(part)], np.asarray(fit.n_risk, dtype=int)]),
                "surviving": np.concatenate([[1.0], s]),
                "low": np.concatenate([[1.0], low]),
                "high": np.concatenate([[1.0], high]),
            }
        )
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=["group", "months", "at_risk", "surviving", "low", "high"])
    return pd.concat(parts, ignore_index=True)


def surviving_at(curves: pd.DataFrame, months: float) -> pd.Series:
    """Each curve's share still staying `months` after the index day (a step function)."""
    out = {}
    for key, curve in curves.groupby("group", sort=False):
        before = curve[curve["months"] <= months]
        out[key] = float(before["surviving"].iloc[-1])
    return pd.Series(out, name=f"staying after {months:g} months")


def logrank(rows: pd.DataFrame, by: str) -> pd.Series:
    """The log-rank test that the groups of `by` share one survival curve: chi-square
    statistic, degrees of freedom and p-value (statsmodels' survdiff)."""
    from statsmodels.duration.survfunc import survdiff

    used = rows[rows[by].notna()]
    groups = used[by].astype(str).to_numpy()
    if len(set(groups)) < 2:
        raise MissingData(f"the log-rank test compares groups, and {by} has only one here")
    statistic, p_value = survdiff(
        used["months"].to_numpy(float), used["ended"].to_numpy(int), groups
    )
    return pd.Series(
        {
            "chi_square": float(statistic),
            "degrees_of_freedom": len(set(groups)) - 1,
            "p_value": float(p_value),
        }
    )


# -- who left, how, and which cohorts stay ---------------------------------------------------


def with_stages(
    data, rows: pd.DataFrame, rules: StageRules | None = None, *, required: bool = True
) -> pd.DataFrame:
    """`rows` with each customer's lifecycle stage (the lifecycle lesson's rules) in the
    month of the index day. When the data cannot show stages: MissingData, or with
    `required=False` the rows as they are (so a view that can do without stages goes on)."""
    try:
        stages = detect_stages(data, rules)
    except MissingData:
        if required:
            raise
        return rows
    month = rows["index_day"].dt.to_period("M").astype(str)
    key = stages["customer_id"].astype(str) + "|" + stages["month"].astype(str)
    lookup = pd.Series(stages["stage"].to_numpy(), index=key.to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    found = lookup.reindex((rows["customer_id"].astype(str) + "|" + month).to_numpy())
    out = rows.copy()
    out["stage"] = pd.Categorical(
        found.to_numpy(), categories=stages["stage"].cat.categories, ordered=True
    )
    return out


def churn_kinds(data, rules: StageRules | None = None, *, months: int = 3) -> pd.DataFrame:
    """Active and passive churn (积极流失, 被动流失, CO5) of every ended relationship,
    read from the customer's own buying of the category (category_purchases).

    "active": in the `months` months after their last order with us the customer still
    bought at least half as much of the category as in the `months` before: they chose to
    buy elsewhere. "passive": their own buying fell by more than half too: their business
    shrank or closed, and we lost them with it. "not known": too few months of data after
    the last order to tell. Columns: last_order, before, after, kind.
    """
    totals = data.category_purchases
    if totals.empty:
        raise MissingData(
            "telling active from passive churn needs the customers' own category totals "
            "(category_purchases.csv), and this data leaves them out"
        )
    spans = relationships(data, rules)
    ended = spans[spans["ended"]]
    month = as_months(totals["month"])
    frame = pd.DataFrame(
        {
            "customer_id": totals["customer_id"].astype(str).to_numpy(),
            "code": month.year.to_numpy() * 12 + month.month.to_numpy() - 1,
            "total": totals["category_total"].to_numpy(float),
        }
    )
    last_code = pd.Series(_month_code(ended["last_order"]), index=ended.index.astype(str))
    frame = frame[frame["customer_id"].isin(last_code.index)]
    offset = frame["code"].to_numpy() - last_code.reindex(frame["customer_id"]).to_numpy()
    before = frame[(offset <= 0) & (offset > -months)].groupby("customer_id")["total"].sum()
    after_rows = frame[(offset > 0) & (offset <= months)]
    after = after_rows.groupby("customer_id")["total"].sum()
    seen = after_rows.groupby("customer_id").size()
    out = pd.DataFrame({"last_order": ended["last_order"]})
    out.index = out.index.astype(str)
    out["before"] = before.reindex(out.index).fillna(0.0)
    out["after"] = after.reindex(out.index).fillna(0.0)
    complete = seen.reindex(out.index).fillna(0).to_numpy() >= months
    active = out["after"].to_numpy() >= 0.5 * out["before"].to_numpy()
    out["kind"] = np.select([~complete, active], ["not known", "active"], "passive")
    out.index.name = "customer_id"
    return out


def cohort_retention(data, *, freq: str = "Q", periods: int | None = None) -> pd.DataFrame:
    """The cohort retention table: customers grouped by the quarter (freq="Q") or month
    ("M") of their first order in the data, and per period since then the share of the
    cohort that ordered in it (row percentages; period 0 is 100%). Periods after the
    analysis date are empty. The first cohort also holds the customers who were buying
    before the data starts."""
    if freq not in ("Q", "M"):
        raise CrmkitError(f"cohorts are by quarter ('Q') or month ('M'); got {freq!r}")
    orders = data.orders
    need(orders, "orders", ["customer_id", "order_date"])
    dates = orders["order_date"]
    per_year = 4 if freq == "Q" else 12
    within = (dates.dt.quarter - 1) if freq == "Q" else (dates.dt.month - 1)
    number = (dates.dt.year * per_year + within).to_numpy(dtype=np.int64)  # periods from year 0
    code, customers = pd.factorize(orders["customer_id"])
    first = np.full(len(customers), np.iinfo(np.int64).max)
    np.minimum.at(first, code, number)
    frame = pd.DataFrame({"first": first[code], "since": number - first[code], "customer": code})
    active = frame.drop_duplicates().groupby(["first", "since"])["customer"].size()
    table = active.unstack("since")
    sizes = table[0]
    table = table.div(sizes, axis=0)
    last = pd.Timestamp(data.analysis_date).to_period(freq)
    cohorts = pd.PeriodIndex(
        [
            pd.Period(year=int(n // per_year), **{_PART[freq]: int(n % per_year) + 1}, freq=freq)
            for n in table.index
        ]
    )
    table.index = cohorts.astype(str)
    for i, cohort in enumerate(cohorts):
        beyond = [c for c in table.columns if cohort + int(c) > last]
        table.iloc[i, [table.columns.get_loc(c) for c in beyond]] = np.nan
    table = table.fillna({c: 0.0 for c in table.columns}).where(
        ~np.isnan(table.to_numpy()) | _observed(cohorts, table.columns, last)
    )
    if periods is not None:
        table = table.iloc[:, : periods + 1]
    table.insert(0, "customers", sizes.astype(int).to_numpy())
    table.index.name = "cohort"
    return table


_PART = {"Q": "quarter", "M": "month"}


def _observed(cohorts: pd.PeriodIndex, since, last) -> np.ndarray:
    """True where a cohort's period `since` is on or before the analysis period."""
    return np.array([[c + int(s) <= last for s in since] for c in cohorts])


def silent_leavers(data, rules: StageRules | None = None) -> pd.Series:
    """Of the relationships that ended, how many customers had complained before their
    last order (or in the silence after it) and how many left without a word (CO2: most
    dissatisfied customers simply stop buying). Counts: ended, complained, silent, and
    silent_share."""
    rules = rules or StageRules()
    spans = relationships(data, rules)
    ended = spans[spans["ended"]]
    complaints = data.complaints
    if complaints.empty:
        raise MissingData(
            "telling silent leavers from complaining ones needs the complaints "
            "(complaints.csv), and this data holds none"
        )
    opened = complaints.groupby("customer_id", observed=True)["opened_at"].min()
    first = opened.reindex(ended.index)
    window_end = ended["last_order"] + pd.DateOffset(months=rules.silence_months)
    complained = int((first.notna() & (first <= window_end)).sum())
    n = len(ended)
    return pd.Series(
        {
            "ended": n,
            "complained": complained,
            "silent": n - complained,
            "silent_share": (n - complained) / n if n else np.nan,
        }
    )


def sales_lost(data, rows: pd.DataFrame, *, months: int = 12) -> pd.DataFrame:
    """Per group of `index_days` rows: customers who left within the horizon, and the
    sales they had brought in the `months` months before their index day (what leaving
    takes away each year, CO8's "100 - 1 = 0" in money)."""
    orders = data.orders
    need(orders, "orders", ["customer_id", "order_date", "revenue"])
    left = rows[rows["churned"]]
    merged = left[["customer_id", "index_day", "group"]].merge(
        orders[["customer_id", "order_date", "revenue"]], on="customer_id", how="left"
    )
    start = merged["index_day"] - pd.DateOffset(months=months)
    inside = (merged["order_date"] >= start) & (merged["order_date"] < merged["index_day"])
    sales = (
        merged["revenue"]
        .where(inside, 0.0)
        .groupby([merged["group"], merged["customer_id"]], observed=True)
        .sum()
    )
    per_group = sales.groupby(level="group", observed=True)
    out = pd.DataFrame({"customers_left": per_group.size(), "yearly_sales_lost": per_group.sum()})
    out.index = out.index.astype(str)
    out = out.reindex(list(GROUPS)).fillna({"customers_left": 0, "yearly_sales_lost": 0.0})
    out["customers_left"] = out["customers_left"].astype("int64")
    left = out["customers_left"].where(out["customers_left"] > 0)
    out["per_customer"] = out["yearly_sales_lost"] / left
    out.index.name = "group"
    return out
