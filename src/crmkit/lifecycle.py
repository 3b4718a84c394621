"""The relationship lifecycle (客户生命周期): stages from the data's signs, and patterns.

Seed 003 describes four stages of a relationship (LC1) and the signs of each (LC2):
exploration (考察期) has trial orders and little return; formation (形成期) rising volume;
stability (稳定期) most of the customer's relevant business is with us (a high share of
wallet); decline (退化期) our volume falls while the customer's own total does not. A
relationship that has stopped is "ended". Seed 000 names five stages instead; the lesson
shows both. This module turns those signs into stated rules with every threshold a
parameter, runs them on every customer and month, scores them against the sample's true
stages, and reads each relationship's pattern (LC5) from its stage history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.errors import CrmkitError, MissingData

#: The stages in order, as the rules name them (seed 003's four, and "ended").
STAGES = ("exploration", "formation", "stability", "decline", "ended")

#: Seed 000's five-stage naming beside seed 003's, stage by stage.
SEED_000_NAMES = {
    "exploration": "introduction",
    "formation": "growth",
    "stability": "maturity",
    "decline": "decline",
    "ended": "termination",
}

#: The four lifecycle patterns of LC5, named by when the relationship ends.
PATTERNS = ("early_abort", "midway", "early_exit", "long_term")


@dataclass(frozen=True)
class StageRules:
    """The thresholds of the stage rules (see `detect_stages`); every one can be changed.

    The defaults scored best on the sample's true stages among a grid of plausible values
    (78% of customer-months right); a trainer's firm may need others.
    """

    window_months: int = 6  # share of wallet over the last this many months
    exploration_months: int = 3  # tenure below this: still exploring
    stable_share: float = 0.4  # share of wallet from which a relationship is stable
    decline_drop: float = 0.5  # share below this fraction of its own peak: declining
    silence_months: int = 5  # this many months without an order: ended

    def __post_init__(self) -> None:
        whole = {
            "window_months": self.window_months,
            "exploration_months": self.exploration_months,
            "silence_months": self.silence_months,
        }
        for name, value in whole.items():
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise CrmkitError(f"{name} must be a whole number of months >= 1; got {value!r}")
        for name, value in (
            ("stable_share", self.stable_share),
            ("decline_drop", self.decline_drop),
        ):
            if not 0 < float(value) < 1:
                raise CrmkitError(f"{name} must be a share between 0 and 1; got {value!r}")


#: What each threshold of StageRules decides, in words, for tables and explorers.
RULE_MEANINGS = {
    "window_months": "months over which the share of wallet is measured",
    "exploration_months": "a customer younger than this many months is still exploring",
    "stable_share": "from this share of wallet a relationship counts as stable",
    "decline_drop": "a share below this fraction of the customer's own peak is decline",
    "silence_months": "this many months without an order count as an end",
}


def rules_table(rules: StageRules | None = None) -> pd.DataFrame:
    """The thresholds of `rules` (default: the defaults) with what each one decides."""
    rules = rules or StageRules()
    return pd.DataFrame(
        {
            # object: whole numbers stay whole in a table, shares keep their decimals
            "value": pd.Series([getattr(rules, name) for name in RULE_MEANINGS], dtype=object),
            "what it decides": list(RULE_MEANINGS.values()),
        }
    ).set_axis(pd.Index(list(RULE_MEANINGS), name="threshold"))


def monthly_signs(data, *, window_months: int = 6) -> pd.DataFrame:
    """The signs of LC2 for every customer and month of the category totals.

    Columns: customer_id, month (a monthly Period), ours (our revenue that month),
    category_total (the customer's own purchases in our categories), tenure (whole months
    since the customer joined: its join date, or its first order where the data has none),
    share (ours / category_total over the last `window_months` months), peak_share (the
    highest share so far) and months_since_order (whole months since the last order, 0 in
    a month with an order; before a customer's first order in the data, counted from the
    data's first month).
    """
    totals = data.category_purchases
    if totals.empty:
        raise MissingData(
            "the stage rules read share of wallet, which needs the customers' own category "
            "totals (category_purchases.csv), and this data leaves them out"
        )
    grid = pd.DataFrame(
        {
            "customer_id": totals["customer_id"].astype(str).to_numpy(),
            "month": as_months(totals["month"]),
            "category_total": totals["category_total"].to_numpy(dtype=float),
        }
    ).sort_values(["customer_id", "month"], kind="mergesort", ignore_index=True)
    orders = data.orders
    month = orders["order_date"].dt.to_period("M")
    ours = orders.groupby([orders["customer_id"].astype(str), month], observed=True)[
        "revenue"
    ].sum()
    keys = pd.MultiIndex.from_arrays([grid["customer_id"], grid["month"]])
    grid["ours"] = ours.reindex(keys).fillna(0.0).to_numpy()

    code = _month_codes(grid["month"])
    customer = grid["customer_id"].to_numpy()
    start = np.r_[0, np.flatnonzero(customer[1:] != customer[:-1]) + 1]  # each customer's row
    first_row = np.repeat(start, np.diff(np.r_[start, len(grid)]))
    ours_sum = _rolling(grid["ours"].to_numpy(), first_row, window_months)
    total_sum = _rolling(grid["category_total"].to_numpy(), first_row, window_months)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total_sum > 0, np.minimum(ours_sum / total_sum, 1.0), np.nan)
    grid["share"] = share
    grid["peak_share"] = pd.Series(share).fillna(0.0).groupby(customer).cummax().to_numpy()

    # tenure from the day the customer joined where the data says, else the first order
    first_order = month.groupby(orders["customer_id"].astype(str), observed=True).min()
    joined = data.customers.set_index(data.customers["customer_id"].astype(str))["join_date"]
    start_month = joined.dt.to_period("M").reindex(first_order.index).fillna(first_order)
    first_code = _month_codes(start_month.reindex(customer))
    grid["tenure"] = np.where(np.isnan(first_code), np.nan, code - first_code)

    ordered = pd.DataFrame(
        {"customer_id": orders["customer_id"].astype(str), "code": _month_codes(month)}
    ).drop_duplicates()
    last = pd.merge_asof(
        pd.DataFrame(
            {"customer_id": customer, "code": code, "row": np.arange(len(grid))}
        ).sort_values("code", kind="mergesort"),
        ordered.sort_values("code", kind="mergesort").assign(last=lambda f: f["code"]),
        on="code",
        by="customer_id",
        direction="backward",
    ).sort_values("row")
    # before a customer's first order in the data, count from the data's first month: the
    # data cannot tell whether a customer who joined earlier ordered before it began
    since = code - last["last"].to_numpy(dtype=float)
    since = np.where(np.isnan(since), code - np.nanmin(ordered["code"].to_numpy()), since)
    grid["months_since_order"] = since.astype(int)
    return grid[
        [
            "customer_id",
            "month",
            "ours",
            "category_total",
            "tenure",
            "share",
            "peak_share",
            "months_since_order",
        ]
    ]


def as_months(values) -> pd.PeriodIndex:
    """Monthly periods from months written "YYYY-MM" (or anything pandas reads as a
    month). The common form is parsed in one vectorised pass: pandas reads text into
    periods one value at a time, which took 11 s for the 2.8 million months of 100,000
    customers; anything else falls back to that careful path."""
    if isinstance(getattr(values, "dtype", None), pd.PeriodDtype):
        return pd.PeriodIndex(values, freq="M")
    text = pd.Series(values).astype(str)
    try:
        return pd.PeriodIndex(pd.to_datetime(text, format="%Y-%m").dt.to_period("M"))
    except (ValueError, TypeError):
        return pd.PeriodIndex(text, freq="M")


def _month_codes(months) -> np.ndarray:
    """Months as whole numbers (year * 12 + month), NaN where unknown."""
    index = pd.PeriodIndex(months, freq="M")
    return np.where(index.isna(), np.nan, index.year * 12.0 + index.month)


def _rolling(values: np.ndarray, first_row: np.ndarray, window: int) -> np.ndarray:
    """Sums over each row's last `window` rows of its own customer (rows sorted by customer
    and month, one per month): cumulative sums, differenced within each customer."""
    cum = np.r_[0.0, np.cumsum(values)]
    rows = np.arange(len(values))
    begin = np.maximum(rows - window + 1, first_row)
    return cum[rows + 1] - cum[begin]


def detect_stages(data, rules: StageRules | None = None) -> pd.DataFrame:
    """Each customer's stage in each month, by the rules below, checked in this order:

    1. ended: no order for `silence_months` months or more;
    2. exploration: tenure below `exploration_months` months;
    3. decline: the share of wallet has been at least `stable_share` at some point, and is
       now below `decline_drop` times its own peak (our volume falls against the
       customer's own total, the sign of LC2);
    4. stability: the share of wallet is at least `stable_share`;
    5. formation: every other month (past exploration, not yet stable).

    The share of wallet is ours over the customer's category total across the last
    `window_months` months. Returns the `monthly_signs` frame with a `stage` column.
    """
    rules = rules or StageRules()
    return apply_rules(monthly_signs(data, window_months=rules.window_months), rules)


def apply_rules(signs: pd.DataFrame, rules: StageRules) -> pd.DataFrame:
    """`detect_stages` on signs already worked out (`monthly_signs` with the rules'
    window): an explorer moving a threshold reuses the signs and only re-applies the rules."""
    codes = stage_codes(signs, rules)
    return signs.assign(stage=pd.Categorical.from_codes(codes, categories=STAGES, ordered=True))


def stage_codes(signs: pd.DataFrame, rules: StageRules) -> np.ndarray:
    """The rules of `detect_stages` on `monthly_signs`, as each row's position in STAGES:
    integers, so a categorical is made without reading text (and an explorer can score
    100,000 customers' months without building a frame)."""
    share = signs["share"].fillna(0.0).to_numpy()
    peak = signs["peak_share"].to_numpy()
    code = STAGES.index
    return np.select(
        [
            signs["months_since_order"].to_numpy() >= rules.silence_months,
            signs["tenure"].fillna(0).to_numpy() < rules.exploration_months,
            (peak >= rules.stable_share) & (share < rules.decline_drop * peak),
            share >= rules.stable_share,
        ],
        [code("ended"), code("exploration"), code("decline"), code("stability")],
        code("formation"),
    ).astype(np.int8)


@dataclass(frozen=True)
class StageScore:
    """How detected stages compare with the true ones, customer-month by customer-month."""

    confusion: pd.DataFrame  # rows: true stage; columns: detected stage; cells: months
    accuracy: float  # share of customer-months with the right stage
    recall: pd.Series  # per true stage: the share of its months detected as that stage
    precision: pd.Series  # per detected stage: the share of its months that are right


def score_stages(detected: pd.DataFrame, truth: pd.DataFrame) -> StageScore:
    """Compare `detect_stages` with a truth table (customer_id, month, stage), on the
    customer-months both have."""
    true = true_stages(detected, truth)
    known = true.notna().to_numpy()
    if not known.any():
        raise CrmkitError("the detected stages and the truth share no customer-month")
    return score_codes(detected["stage"].cat.codes.to_numpy()[known], true.cat.codes[known])


def true_stages(detected: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """The true stage of each row of `detected` (NaN where the truth has no such month),
    in the order of its rows: work it out once, then score many rule settings against it."""
    if truth.empty:
        raise MissingData(
            "scoring the stage rules needs the true stages (lifecycle_truth.csv), which only "
            "simulated data has"
        )
    keys = pd.MultiIndex.from_arrays([truth["customer_id"].astype(str), as_months(truth["month"])])
    stage = pd.Series(pd.Categorical(truth["stage"].astype(str), categories=STAGES), index=keys)
    rows = pd.MultiIndex.from_arrays([detected["customer_id"], detected["month"]])
    return stage.reindex(rows).reset_index(drop=True).rename("true stage")


def score_codes(detected: np.ndarray, true: np.ndarray) -> StageScore:
    """The score of detected against true stage codes (positions in STAGES), row by row."""
    k = len(STAGES)
    cells = np.bincount(true.astype(int) * k + detected.astype(int), minlength=k * k)
    confusion = pd.DataFrame(
        cells.reshape(k, k),
        index=pd.Index(STAGES, name="true stage"),
        columns=pd.Index(STAGES, name="detected stage"),
    )
    right = np.diag(cells.reshape(k, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = pd.Series(right / cells.reshape(k, k).sum(axis=1), index=list(STAGES))
        precision = pd.Series(right / cells.reshape(k, k).sum(axis=0), index=list(STAGES))
    return StageScore(
        confusion=confusion,
        accuracy=float(right.sum() / cells.sum()),
        recall=recall.rename("recall"),
        precision=precision.rename("precision"),
    )


def relationship_patterns(stages: pd.DataFrame, long_term_months: int = 12) -> pd.Series:
    """Each customer's lifecycle pattern (LC5) from its stage history, by the stage it had
    reached when decline or the end began:

    - early_abort: only exploration before it (初期流产型);
    - midway: formation, never stability (半途夭折型);
    - early_exit: fewer than `long_term_months` months of stability (提前退出型);
    - long_term: at least `long_term_months` months of stability (长期保持型), ended or not;
    - ongoing: no decline or end yet and not yet long in stability: too early to say.
    """
    columns = [c for c in ("customer_id", "month", "stage", "months_since_order") if c in stages]
    frame = stages[columns].sort_values(["customer_id", "month"], kind="mergesort")
    stage = frame["stage"].astype(str).to_numpy()
    customer = frame["customer_id"].to_numpy()
    leaving = np.isin(stage, ["decline", "ended"])
    # the months before the customer's first month of decline or end; an end found by a
    # silence began at the last order, so the silent months before it do not count
    rows = np.arange(len(frame))
    first_leaving = (
        pd.Series(np.where(leaving, rows, len(frame))).groupby(customer).transform("min")
    )
    cut = first_leaving.to_numpy()
    if "months_since_order" in frame.columns:
        since = frame["months_since_order"].to_numpy()
        at = np.minimum(cut, len(frame) - 1)
        silent_end = (cut < len(frame)) & (stage[at] == "ended")
        cut = np.where(silent_end, cut - since[at] + 1, cut)
    before = rows < cut
    seen = pd.DataFrame(
        {
            "customer_id": customer,
            "formation": before & (stage == "formation"),
            "stability": before & (stage == "stability"),
            "left": leaving,
        }
    ).groupby("customer_id", sort=True)
    stable = seen["stability"].sum()
    formed = seen["formation"].any()
    left = seen["left"].any()
    pattern = np.select(
        [
            stable >= long_term_months,
            ~left,
            stable > 0,
            formed,
        ],
        ["long_term", "ongoing", "early_exit", "midway"],
        "early_abort",
    )
    return pd.Series(pattern, index=stable.index.rename("customer_id"), name="pattern")


# -- LC3, LC6: what each stage costs and returns -------------------------------------------

#: The strategy (seed 003) and programme (seed 000) for each stage, with what to do.
PLAYBOOK = content.table("lifecycle_playbook")


def _monthly(frame: pd.DataFrame, date: str, value: str) -> pd.Series:
    """`value` summed per customer and month of `date`, as a Series on (customer_id, month)."""
    keys = [frame["customer_id"].astype(str), frame[date].dt.to_period("M")]
    return frame.groupby(keys, observed=True)[value].sum().rename_axis(["customer_id", "month"])


def stage_economics(data, stages: pd.DataFrame) -> pd.DataFrame:
    """What a customer-month of each stage brings and costs (LC3), from the data.

    Per stage: customer_months, revenue, gross_margin and contact_cost per customer-month
    (the cost of the visits, calls and complaint follow-ups of that month) and their
    difference, return (gross margin less contact cost). Seed 003 expects the cost high
    and the return low in exploration, and the return highest in stability.
    """
    margin = data.orders["gross_margin"]
    if margin.isna().all():
        raise MissingData(
            "the return of a stage is its gross margin, and this data leaves the margins out "
            "(orders: gross_margin)"
        )
    keys = pd.MultiIndex.from_arrays([stages["customer_id"], stages["month"]])
    frame = pd.DataFrame({"stage": pd.Categorical(stages["stage"], categories=STAGES)})
    orders = data.orders
    for column, series in (
        ("revenue", _monthly(orders, "order_date", "revenue")),
        ("gross_margin", _monthly(orders, "order_date", "gross_margin")),
        ("contact_cost", _monthly(data.contacts, "contact_date", "cost")),
    ):
        frame[column] = series.reindex(keys).fillna(0.0).to_numpy()
    grouped = frame.groupby("stage", observed=False)
    out = grouped[["revenue", "gross_margin", "contact_cost"]].mean()
    out.insert(0, "customer_months", grouped.size())
    out["return"] = out["gross_margin"] - out["contact_cost"]
    out.index = out.index.astype(str)
    out.index.name = "stage"
    return out


def pattern_curves(stages: pd.DataFrame, patterns: pd.Series, months: int = 36) -> pd.DataFrame:
    """The lifecycle curve of each pattern (LC5): our average monthly revenue by months
    since the customer joined, for the customers of each pattern who joined inside the data
    (their first months are in it). Rows: months since joining, 0..months-1; columns:
    patterns."""
    joined_inside = stages.groupby("customer_id", observed=True)["tenure"].min() == 0
    ids = joined_inside.index[joined_inside]
    rows = stages[stages["customer_id"].isin(ids) & (stages["tenure"] < months)]
    pattern = patterns.reindex(rows["customer_id"]).to_numpy()
    table = rows.assign(pattern=pattern).pivot_table(
        index="tenure", columns="pattern", values="ours", aggfunc="mean", observed=True
    )
    table.index = table.index.astype(int)
    table.index.name = "months since joining"
    return table.reindex(range(months))


def retention_economics(data, stages: pd.DataFrame) -> pd.Series:
    """What winning a customer costs against keeping one a year (LC6), from the contacts.

    Rules: cost to win = the contact cost of the exploration months of every customer who
    joined inside the data (those who stopped in exploration too), per customer who went
    on to formation or stability; cost to keep = the contact cost per customer-month of
    stability, times 12. Seed 004 puts winning at several to ten times keeping; the data's
    contacts leave out what finding a customer costs before the first order.
    """
    cost = _monthly(data.contacts, "contact_date", "cost")
    if cost.empty:
        raise MissingData(
            "what winning and keeping a customer cost comes from the contacts' costs "
            "(contacts.csv), and this data leaves them out"
        )
    keys = pd.MultiIndex.from_arrays([stages["customer_id"], stages["month"]])
    frame = stages[["customer_id", "stage", "tenure"]].assign(
        cost=cost.reindex(keys).fillna(0.0).to_numpy()
    )
    stage = frame["stage"].astype(str)
    new = frame.groupby("customer_id", observed=True)["tenure"].min() == 0
    won = frame[stage.isin(["formation", "stability"])]["customer_id"].unique()
    new_won = new.index[new & new.index.isin(won)]
    exploring = frame[(stage == "exploration") & frame["customer_id"].isin(new.index[new])]
    stable = frame[stage == "stability"]
    if len(new_won) == 0 or stable.empty:
        raise MissingData(
            "comparing winning with keeping needs customers who joined inside the data and "
            "customers in stability"
        )
    win = float(exploring["cost"].sum() / len(new_won))
    keep = float(stable["cost"].mean() * 12)
    return pd.Series(
        {
            "customers won": float(len(new_won)),
            "cost to win one": win,
            "cost to keep one a year": keep,
            "win / keep": win / keep if keep else np.nan,
        },
        name="retention economics",
    )


def programmes(
    stages: pd.DataFrame, tiers: pd.Series | None = None, month: pd.Period | None = None
) -> pd.DataFrame:
    """This month's programme for every customer (LC4): its stage in `month` (default the
    latest month of `stages`), the strategy and programme of PLAYBOOK for that stage, and
    its tier where `tiers` (tier by customer id) is given ("no orders" for the others)."""
    month = stages["month"].max() if month is None else pd.Period(month, freq="M")
    now = stages[stages["month"] == month]
    if now.empty:
        raise CrmkitError(f"no customer has a stage in {month}; pick a month of the data")
    out = pd.DataFrame(
        {"stage": now["stage"].astype(str).to_numpy()},
        index=pd.Index(now["customer_id"].to_numpy(), name="customer_id"),
    )
    out["strategy"] = PLAYBOOK["strategy"].reindex(out["stage"]).to_numpy()
    out["programme"] = PLAYBOOK["programme"].reindex(out["stage"]).to_numpy()
    if tiers is not None:
        tier = tiers["tier"] if isinstance(tiers, pd.DataFrame) else tiers
        names = (
            [str(t) for t in tier.cat.categories]
            if isinstance(tier.dtype, pd.CategoricalDtype)
            else sorted(str(t) for t in tier.dropna().unique())
        )
        values = tier.astype(object).reindex(out.index).fillna("no orders").to_numpy()
        out["tier"] = pd.Categorical(values, categories=[*names, "no orders"])
    return out


def true_patterns(truth: pd.DataFrame) -> pd.Series:
    """Each customer's true pattern from a truth table (customer_id, pattern): simulated
    data only, so MissingData on a trainer's data, which never has one."""
    if truth.empty:
        raise MissingData(
            "comparing with the true patterns needs the true stages (lifecycle_truth.csv), "
            "which only simulated data has"
        )
    first = truth.groupby(truth["customer_id"].astype(str), observed=True)["pattern"].first()
    return first.astype(str).rename("pattern").rename_axis("customer_id")


def example_customer(stages: pd.DataFrame, truth: pd.DataFrame, pattern: str) -> str:
    """A customer to show as an example of `pattern`: the first (by id) whose true pattern
    it is, or, without a truth table, whose detected pattern it is (else the first one)."""
    if pattern not in PATTERNS:
        raise CrmkitError(f"no pattern {pattern!r}; the patterns are {', '.join(PATTERNS)}")
    known = true_patterns(truth) if not truth.empty else relationship_patterns(stages)
    known = known[known.index.isin(stages["customer_id"].unique())]
    hits = known.index[known == pattern]
    if len(hits):
        return str(sorted(hits)[0])
    return str(stages["customer_id"].min())
