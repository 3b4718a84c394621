"""Customer classification (客户分类): who matters, by which rule (lesson 01, CL1-CL9).

Every function states its rule in its docstring in plain words, because the
notebook quotes them: a learner should be able to redo each result by hand.
All results are independent of the row order of the input (ties are broken by
customer id) and raise a friendly CrmkitError for empty input or bad settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.customer_base import (
    best_first,
    customer_profit,
    months_to,
    net_total,
    require_known,
    short_view,
    sorted_codes,
    with_attributes,
)
from crmkit.errors import CrmkitError, MissingData

if TYPE_CHECKING:
    from crmkit.datasets.load import SampleData

ABC_CLASSES = ["A", "B", "C"]
GRADES = ["A", "B", "C", "D"]


def _nonempty(values: pd.Series, what: str = "customers to classify") -> pd.Series:
    if values is None or len(values) == 0:
        raise CrmkitError(f"no {what}")
    # with copy-on-write, astype to the same dtype copies nothing
    values = (
        values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    )
    require_known(values, "classifying")
    return values


_REMEDY = "rank by revenue, or choose customers who make a profit together"


def _shares_of(total: float, remedy: str) -> float:
    """`total` as the basis of signed shares; a clear error when it is zero (or unknown)."""
    if total == 0 or np.isnan(total):
        net_total([total], remedy)  # raises, with the workbook's one sentence for it
    return total


# -- CL2, CL3: the 80/20 rule and ABC analysis ------------------------------------------


def abc_analysis(values: pd.Series, cutoffs: Sequence[float] = (0.8, 0.95)) -> pd.DataFrame:
    """Rank customers by value and cut them into classes A, B and C.

    Rule: rank customers from the highest value down (ties by customer id) and
    add up their shares of the total, the net sum of all values (losses
    included: the same basis as `pareto_share`, `concentration_table` and the
    whale curve, so every view of "the top x% bring y%" agrees). A customer is
    in A while the share covered by the customers above it is below the first
    cut-off (so the customer whose running total first reaches 80% is still an
    A), in B while it is below the second, otherwise in C. Customers with zero
    or negative value are always C. With losses the running total can pass
    100% and come back down to it, as the whale curve does.

    Columns: value, share (of the net total), cum_share (running total of the
    shares, best first), rank (1 = best) and class.
    """
    if len(cutoffs) != 2:
        raise CrmkitError(f"give two cut-offs, e.g. (0.8, 0.95); got {tuple(cutoffs)}")
    a, b = (float(c) for c in cutoffs)
    if not 0 < a < b <= 1:
        raise CrmkitError(f"cut-offs must satisfy 0 < A < B <= 1; got A={a}, B={b}")
    ranked = best_first(_nonempty(values))
    total = net_total(ranked, _REMEDY)
    share = ranked / total
    cum = share.cumsum()
    before = cum.shift(fill_value=0.0).to_numpy()
    eps = 1e-12  # 0.5 + 0.3 may add up to 0.7999999...; count it as reaching 0.8
    code = np.select([ranked.to_numpy() <= 0, before < a - eps, before < b - eps], [2, 0, 1], 2)
    out = pd.DataFrame(
        {
            "value": ranked,
            "share": share,
            "cum_share": cum,
            "rank": np.arange(1, len(ranked) + 1),
            "class": pd.Categorical.from_codes(code, categories=ABC_CLASSES, ordered=True),
        }
    )
    out.index.name = values.index.name or "customer_id"
    return out


def _group_summary(frame: pd.DataFrame, by: str, value: str, share_name: str) -> pd.DataFrame:
    """Customers and value per group, each with its share of the whole (signed total; a clear
    error when that is zero, as nothing can be a share of it)."""
    grouped = frame.groupby(by, observed=False)[value]
    out = pd.DataFrame({"customers": grouped.size(), value: grouped.sum()})
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    total = _shares_of(out[value].sum(), _REMEDY)
    out[share_name] = out[value] / total
    out.index = out.index.astype(str)
    return out


def abc_summary(abc: pd.DataFrame) -> pd.DataFrame:
    """Customers and value per ABC class, with their shares of the whole."""
    return _group_summary(abc, "class", "value", "value_share")


def pareto_share(values: pd.Series, target: float = 0.8) -> float:
    """The smallest share of customers (best first) whose value reaches `target` of the total.

    The 80/20 check: if this is about 0.2, the 80/20 rule holds for the data.
    The total is the net sum of all values, losses included (the basis of
    every share in the workbook): with loss makers in the data, the best
    customers together bring more than 100% of it, as the whale curve shows.
    """
    if not 0 < target <= 1:
        raise CrmkitError(f"target must be between 0 and 1, e.g. 0.8; got {target}")
    ranked = best_first(_nonempty(values))
    cum = ranked.cumsum().to_numpy() / net_total(ranked, _REMEDY)
    needed = int(np.argmax(cum >= target - 1e-12)) + 1
    return needed / len(ranked)


def concentration_table(
    values: pd.Series, points: Iterable[float] = (0.1, 0.2, 0.5)
) -> pd.DataFrame:
    """The share of the total (signed) value brought by the top x% of customers.

    The total is the net sum of all values, as in `pareto_share`; a clear error when it is
    zero.
    """
    ranked = best_first(_nonempty(values))
    total = _shares_of(ranked.sum(), _REMEDY)
    rows = []
    for p in points:
        n = max(1, int(round(p * len(ranked))))
        rows.append(
            {
                "top customers": f"{p:.0%}",
                "customers": n,
                "share of total": ranked.iloc[:n].sum() / total,
            }
        )
    return pd.DataFrame(rows).set_index("top customers")


# -- CL4: the three-way profit split --------------------------------------------------

#: Named for what the rule measures, a position in the ranking. Seed 004 calls them profit
#: makers, the break-even base and value destroyers; whether the bottom group really loses
#: money is a question for the data (`profit_split_summary` shows it), not part of the rule.
SPLIT_GROUPS = ["top", "middle", "bottom"]


def profit_split(profit: pd.Series, top: float = 0.2, bottom: float = 0.2) -> pd.DataFrame:
    """Seed 004's three-way split: the top `top` of customers by profit, the bottom, the rest.

    Rule: rank by profit (ties by id); the first round(top x n) customers are
    "top", the last round(bottom x n) "bottom", the others "middle". Seed 004
    names them profit makers, the break-even base and value destroyers.
    """
    if not (0 < top < 1 and 0 < bottom < 1 and top + bottom <= 1):
        raise CrmkitError(f"top and bottom must be shares between 0 and 1; got {top}, {bottom}")
    ranked = best_first(_nonempty(profit))
    n = len(ranked)
    n_top, n_bottom = int(round(top * n)), int(round(bottom * n))
    position = np.arange(n)
    group = np.select([position < n_top, position >= n - n_bottom], [0, 2], 1)
    out = pd.DataFrame(
        {
            "profit": ranked,
            "group": pd.Categorical.from_codes(group, categories=SPLIT_GROUPS, ordered=True),
        }
    )
    out.index.name = profit.index.name or "customer_id"
    return out


def profit_split_summary(split: pd.DataFrame) -> pd.DataFrame:
    """Customers and profit per group; profit shares are of the signed total and sum to 1."""
    return _group_summary(split, "group", "profit", "profit_share")


# -- RFM --------------------------------------------------------------------------------

RFM_SEGMENTS = [  # (name, r range, f range), first match wins
    ("Champions", (4, 5), (4, 5)),
    ("Loyal", (3, 5), (3, 5)),
    ("New", (4, 5), (1, 1)),
    ("Potential loyalist", (3, 5), (1, 3)),
    ("Cannot lose them", (1, 2), (4, 5)),
    ("At risk", (1, 2), (3, 3)),
    ("Hibernating", (2, 2), (1, 2)),
    ("Gone quiet", (1, 1), (1, 2)),  # RFM's usual "Lost"; renamed, see rfm_table
]


def _score(values: np.ndarray, bins: int, higher_is_better: bool) -> np.ndarray:
    """Scores 1..bins by rank; equal values share the rank of the first of them (rank 'min')."""
    key = np.round(values if higher_is_better else -values, 6)  # equal to a millionth ties
    rank_min = np.searchsorted(np.sort(key), key, side="left") + 1
    return np.clip(np.ceil(rank_min / len(key) * bins), 1, bins).astype("int64")


def rfm_table(orders: pd.DataFrame, as_of, *, bins: int = 5) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, scored 1..bins (higher = better).

    Rule: recency = days from the last order to `as_of`; frequency = number of
    orders; monetary = revenue. Each is scored by rank into `bins` equal-sized
    groups: with n customers, a customer ranked r-th from the worst scores
    ceil(r / n x bins); a short recency scores high. Ties: customers with equal
    values share one score, that of the worst-placed of them (pandas rank
    method 'min'), so identical customers always score alike and a large group
    of one-time buyers all get the lowest F score. The segment comes from the
    R and F scores (on a 1-5 scale) by the grid in RFM_SEGMENTS, the first
    matching line wins:

    - Champions: R 4-5 and F 4-5 (bought lately and often)
    - Loyal: R 3-5 and F 3-5
    - New: R 4-5 and F 1 (first orders just now)
    - Potential loyalist: R 3-5 and F 1-3
    - Cannot lose them: R 1-2 and F 4-5 (used to buy often, silent now)
    - At risk: R 1-2 and F 3
    - Hibernating: R 2 and F 1-2
    - Gone quiet: R 1 and F 1-2 (RFM's usual name is "Lost"; renamed so that it does
      not clash with the workbook's lost customers, who ordered last year and not this)
    """
    if orders.empty:
        raise CrmkitError("no orders to score")
    if int(bins) != bins or bins < 2:
        raise CrmkitError(f"bins must be a whole number of at least 2, e.g. 5; got {bins}")
    as_of = pd.Timestamp(as_of)
    # one hash of the ids, then integer sums: faster than a groupby with three aggregations
    code, ids = sorted_codes(orders["customer_id"])
    n = len(ids)
    dates = orders["order_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    last = np.full(n, np.iinfo("int64").min)
    np.maximum.at(last, code, dates)
    frequency = np.bincount(code, minlength=n)
    monetary = np.bincount(code, weights=orders["revenue"].to_numpy(dtype=float), minlength=n)
    recency = (as_of.as_unit("ns").value - last) // 86_400_000_000_000
    r = _score(recency.astype(float), bins, higher_is_better=False)
    f = _score(frequency.astype(float), bins, higher_is_better=True)
    m = _score(monetary, bins, higher_is_better=True)
    table = pd.DataFrame(
        {
            "recency_days": recency.astype("int64"),
            "frequency": frequency.astype("int64"),
            "monetary": monetary,
            "r_score": r,
            "f_score": f,
            "m_score": m,
        },
        index=pd.Index(ids, name="customer_id"),
    )
    # the three digits side by side, e.g. "524", looked up from all bins**3 labels at once
    labels = np.array([f"{a}{b}{c}" for a, b, c in np.ndindex(bins + 1, bins + 1, bins + 1)])
    table["rfm_score"] = labels[(r * (bins + 1) + f) * (bins + 1) + m]
    # put the scores on the 1-5 scale of the grid: 1 stays 1, bins becomes 5
    r5 = np.floor(1 + (r - 1) * 4 / (bins - 1) + 0.5)
    f5 = np.floor(1 + (f - 1) * 4 / (bins - 1) + 0.5)
    names = [s[0] for s in RFM_SEGMENTS] + ["Other"]
    segment = np.full(n, len(RFM_SEGMENTS))
    for i in reversed(range(len(RFM_SEGMENTS))):
        _, (r_lo, r_hi), (f_lo, f_hi) = RFM_SEGMENTS[i]
        segment[(r5 >= r_lo) & (r5 <= r_hi) & (f5 >= f_lo) & (f5 <= f_hi)] = i
    table["segment"] = pd.Categorical.from_codes(segment, categories=names)
    return table


def rfm_segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers, average recency and frequency, and revenue share per RFM segment."""
    g = rfm.groupby("segment", observed=True)
    out = g.agg(
        customers=("frequency", "size"),
        recency_days=("recency_days", "mean"),
        frequency=("frequency", "mean"),
        monetary=("monetary", "sum"),
    )
    total = _shares_of(out["monetary"].sum(), "score orders that add up to some revenue")
    out["revenue_share"] = out["monetary"] / total
    return out.sort_values("customers", ascending=False)


# -- CL5: value indicators ------------------------------------------------------------

INDICATORS = [
    {
        "name": "integrity",
        "english": "integrity / credit",
        "chinese": "诚信度",
        "rule": "Share of the period's invoiced revenue paid on or before its due date "
        "(unpaid and overdue counts as late), x 100.",
    },
    {
        "name": "cooperation",
        "english": "cooperation",
        "chinese": "配合度",
        "rule": "Share of the period's orders that took up a current promotion, x 100.",
    },
    {
        "name": "dependence",
        "english": "dependence",
        "chinese": "依存度",
        "rule": "Share of wallet: our revenue / the shop's own category purchases in the "
        "period (at most 1), x 100.",
    },
    {
        "name": "growth",
        "english": "growth",
        "chinese": "成长度",
        "rule": "50 + 50 x revenue growth against the previous period, growth capped at "
        "-100%..+100% (50 = flat); a customer new in the period scores 75.",
    },
    {
        "name": "contribution",
        "english": "contribution",
        "chinese": "贡献度",
        "rule": "Percentile rank (0-100) of the period's gross margin among the scored customers.",
    },
]
INDICATOR_NAMES = [i["name"] for i in INDICATORS]
DEFAULT_WEIGHTS = {
    "integrity": 0.2,
    "cooperation": 0.15,
    "dependence": 0.2,
    "growth": 0.15,
    "contribution": 0.3,
}
NEW_CUSTOMER_GROWTH = 75.0


def value_indicators(
    orders: pd.DataFrame, category_purchases: pd.DataFrame, *, period_end, months: int = 12
) -> pd.DataFrame:
    """The five value indicators of seed 000, 0-100, for customers with orders in the period.

    The period is the `months` months up to and including `period_end`; only
    customers with at least one order in it are scored. The rule of each
    indicator is in INDICATORS (and printed by the lesson). Edge cases: a
    customer whose period revenue is not positive scores 100 on integrity; a
    customer with no category purchases recorded scores 100 on dependence (all
    we know of the wallet is what they buy from us); a customer with no revenue
    in the previous period scores 75 on growth (a new customer, growing).

    An indicator is unknown (NaN) for every customer where the data leaves out what it is
    measured from (INDICATOR_SOURCES: the orders' due dates, promotions or gross margins,
    or the whole category purchases table); `value_score` leaves it out, `score_note` says so.
    """
    period = months_to(period_end, months)
    start, end = period.start, period.end
    window = orders[period.contains(orders["order_date"])]
    if window.empty:
        raise CrmkitError(f"no orders between {start:%Y-%m-%d} and {period_end}")
    w = window.assign(
        on_time=window["revenue"].where(
            window["paid_date"].notna() & (window["paid_date"] <= window["payment_due_date"]), 0.0
        ),
        promo=window["promotion"].astype(float),
    )
    g = w.groupby("customer_id", observed=True)
    revenue = g["revenue"].sum()
    out = pd.DataFrame(index=pd.Index(revenue.index, name="customer_id"))
    paid = g["on_time"].sum()
    out["integrity"] = (100 * paid / revenue.where(revenue > 0)).fillna(100.0).clip(0, 100)
    promo = g["promo"].mean()
    out["cooperation"] = 100 * promo
    months_in = pd.period_range(start, end - pd.Timedelta(days=1), freq="M").strftime("%Y-%m")
    cp = category_purchases[category_purchases["month"].astype(str).isin(months_in)]
    wallet = cp.groupby("customer_id", observed=True)["category_total"].sum()
    wallet = wallet.reindex(out.index)
    out["dependence"] = (100 * (revenue / wallet.where(wallet > 0)).clip(upper=1)).fillna(100.0)
    prev = orders[period.previous().contains(orders["order_date"])]
    prev_rev = prev.groupby("customer_id", observed=True)["revenue"].sum().reindex(out.index)
    rate = (revenue / prev_rev.where(prev_rev > 0) - 1).clip(-1, 1)
    out["growth"] = (50 + 50 * rate).fillna(NEW_CUSTOMER_GROWTH)
    margin = g["gross_margin"].sum()
    out["contribution"] = 100 * margin.rank(method="average", pct=True)
    # a column left out of the data is unknown for every order: its indicator is unknown,
    # not 0 (never paid on time) or 100 (we are the whole wallet)
    if orders["payment_due_date"].isna().all():
        out["integrity"] = np.nan
    if orders["gross_margin"].isna().all():
        out["contribution"] = np.nan
    if category_purchases.empty:
        out["dependence"] = np.nan
    return out[INDICATOR_NAMES].sort_index()


#: The fewest known weighted indicators a value score is made of: one alone is not a score.
MIN_KNOWN_INDICATORS = 2

#: What each indicator is measured from, for the sentence when the data leaves it out.
INDICATOR_SOURCES = {
    "integrity": "the invoices' due dates (orders: payment_due_date)",
    "cooperation": "which orders took up a promotion (orders: promotion)",
    "dependence": "the shops' own category purchases (category_purchases.csv)",
    "growth": "the revenue of the period before",
    "contribution": "the orders' gross margins (orders: gross_margin)",
}


def _weights(weights: Mapping[str, float] | None) -> pd.Series:
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(weights) - set(INDICATOR_NAMES)
    if unknown:
        raise CrmkitError(
            f"unknown indicator(s) {sorted(unknown)}; the indicators are {INDICATOR_NAMES}"
        )
    w = pd.Series({n: float(weights.get(n, 0.0)) for n in INDICATOR_NAMES})
    if (w < 0).any():
        raise CrmkitError("weights must not be negative")
    if w.sum() <= 0:
        raise CrmkitError("at least one weight must be above zero")
    return w / w.sum()


def value_score(indicators: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """The weighted average of the indicators (0-100); weights are normalised to sum to 1.

    Rule: score = sum of weight x indicator over the five indicators, after dividing
    each weight by the sum of the weights (so (2, 2, 2, 2, 2) is the same as equal
    weights). A name left out gets weight 0; DEFAULT_WEIGHTS applies when none are given.
    An indicator the data cannot measure (unknown for every customer: `value_indicators`)
    is left out, as if its weight were 0, and `score_note` says which; MissingData when
    fewer than MIN_KNOWN_INDICATORS weighted ones are left (one indicator is not a score),
    CrmkitError when one is unknown for some customers only.
    """
    if len(indicators) == 0:
        raise CrmkitError("no customers to score")
    w = _weights(weights)
    missing = [n for n in INDICATOR_NAMES if n not in indicators.columns]
    if missing:
        raise CrmkitError(f"the indicator table lacks {missing}; it needs {INDICATOR_NAMES}")
    unknown = unknown_indicators(indicators, weights)
    if unknown:
        if int((w > 0).sum()) - len(unknown) < MIN_KNOWN_INDICATORS:
            raise MissingData(
                f"a value score weighs several indicators, and this data leaves out what "
                f"{_listed(unknown)} {'is' if len(unknown) == 1 else 'are'} measured from: "
                f"{_listed([INDICATOR_SOURCES[n] for n in unknown])}"
            )
        w[unknown] = 0.0
        w = w / w.sum()
    gaps = [n for n in INDICATOR_NAMES if w[n] > 0 and indicators[n].isna().any()]
    if gaps:
        raise CrmkitError(
            f"the {_listed(gaps)} of some customers is unknown (NaN); fill or drop those "
            "customers, or give it weight 0"
        )
    return (indicators[INDICATOR_NAMES] * w).sum(axis=1).rename("value_score")


def unknown_indicators(
    indicators: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> list[str]:
    """The weighted indicators this data cannot measure (unknown for every customer), which
    `value_score` leaves out; empty on data with every column and table (the sample)."""
    w = _weights(weights)
    return [
        n
        for n in INDICATOR_NAMES
        if w[n] > 0 and n in indicators.columns and indicators[n].isna().all()
    ]


def score_note(indicators: pd.DataFrame, weights: Mapping[str, float] | None = None) -> str:
    """Why `value_score` leaves indicators out on this data, as one sentence for a lesson or
    an explorer to show; "" when it scores on every weighted indicator."""
    unknown = unknown_indicators(indicators, weights)
    if not unknown:
        return ""
    return (
        f"This data leaves out {_listed([INDICATOR_SOURCES[n] for n in unknown])}, so the "
        f"value score is the weighted average of the other indicators, without "
        f"{_listed(unknown)}."
    )


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def value_grade(score: pd.Series, cutoffs: Sequence[float] = (80, 60, 40)) -> pd.Series:
    """Grades A-D on absolute scores: A from cutoffs[0], B from [1], C from [2], else D.

    Absolute (not percentile) cut-offs, so a grade means the same every period and
    the number of A customers can grow, which is the point of re-evaluation.
    """
    if len(cutoffs) != 3:
        raise CrmkitError(f"give three grade cut-offs, e.g. (80, 60, 40); got {tuple(cutoffs)}")
    a, b, c = (float(x) for x in cutoffs)
    if not a > b > c:
        raise CrmkitError(f"grade cut-offs must fall: A > B > C; got {cutoffs}")
    require_known(score, "grading")  # an unknown score is no grade, not a D
    s = score.to_numpy(dtype=float)
    grade = np.select([s >= a, s >= b, s >= c], ["A", "B", "C"], "D")
    return pd.Series(
        pd.Categorical(grade, categories=GRADES, ordered=True), index=score.index, name="grade"
    )


def customer_overview(data: SampleData, *, period_end=None, months: int = 12) -> pd.DataFrame:
    """One row per customer active in the period: attributes, profit parts, indicators.

    `data` is a SampleData (customers, orders, contacts, category_purchases,
    analysis_date). Used by the explorer and the breakdowns.
    """
    period_end = pd.Timestamp(period_end if period_end is not None else data.analysis_date)
    indicators = value_indicators(
        data.orders, data.category_purchases, period_end=period_end, months=months
    )
    money = short_view(customer_profit(data, months_to(period_end, months)))
    return with_attributes(money, data).join(indicators, how="inner").sort_index()


# -- CL6: breakdowns ----------------------------------------------------------------------


def breakdown(overview: pd.DataFrame, by: Sequence[str] = ("business_format",)) -> pd.DataFrame:
    """Customers, revenue, margin rate, cost to serve and profit per customer, by group.

    Rule: margin_rate = gross margin / revenue of the group; cost_to_serve_per_customer
    and profit_per_customer divide the group's totals by its number of customers;
    profit_share = the group's profit / the profit of all customers (sums to 1).
    """
    by = [by] if isinstance(by, str) else list(by)
    if overview.empty:
        raise CrmkitError("no customers to break down")
    missing = [c for c in by if c not in overview.columns]
    if missing:
        known = list(overview.columns)
        raise CrmkitError(f"cannot break down by {missing}: the columns are {known}")
    unknown = [c for c in by if overview[c].isna().all()]
    if unknown:
        named = " and ".join(c.replace("_", " ") for c in unknown)
        verb = "are" if len(unknown) > 1 else "is"
        raise MissingData(
            f"the customers' {named} {verb} unknown in this data (customers: {', '.join(unknown)})"
        )
    require_known(overview["profit"], "breaking the customers down")
    g = overview.groupby(by, observed=True)
    out = g.agg(
        customers=("revenue", "size"),
        revenue=("revenue", "sum"),
        gross_margin=("gross_margin", "sum"),
        cost_to_serve=("cost_to_serve", "sum"),
        profit=("profit", "sum"),
    )
    out["margin_rate"] = out["gross_margin"] / out["revenue"]
    out["cost_to_serve_per_customer"] = out["cost_to_serve"] / out["customers"]
    out["profit_per_customer"] = out["profit"] / out["customers"]
    out["profit_share"] = out["profit"] / out["profit"].sum()
    if len(by) == 1:
        out.index = out.index.astype(str)
    return out[
        [
            "customers",
            "revenue",
            "margin_rate",
            "cost_to_serve_per_customer",
            "profit_per_customer",
            "profit_share",
        ]
    ]


# -- CL7: dynamic management ---------------------------------------------------------------


def reevaluate(
    orders: pd.DataFrame,
    category_purchases: pd.DataFrame,
    *,
    period_ends: Sequence,
    months: int = 12,
    weights: Mapping[str, float] | None = None,
    cutoffs: Sequence[float] = (80, 60, 40),
) -> pd.DataFrame:
    """Grade every customer at each period end; one column per period ('YYYY-MM-DD').

    A customer with no orders in a period has no grade there (missing).
    """
    columns = {}
    for end in period_ends:
        ind = value_indicators(orders, category_purchases, period_end=end, months=months)
        columns[pd.Timestamp(end).strftime("%Y-%m-%d")] = value_grade(
            value_score(ind, weights), cutoffs
        )
    out = pd.DataFrame(columns)
    out.index.name = "customer_id"
    return out.sort_index()


def _labelled(before: pd.Series, after: pd.Series) -> tuple[pd.Series, pd.Series]:
    ids = before.index.union(after.index)
    b = before.reindex(ids).astype(object).where(lambda s: s.notna(), "new")
    a = after.reindex(ids).astype(object).where(lambda s: s.notna(), "gone")
    keep = ~((b == "new") & (a == "gone"))
    return b[keep], a[keep]


def grade_migration(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Counts of customers by grade before (rows, plus 'new') and after (columns, plus 'gone')."""
    b, a = _labelled(before, after)
    rows = [g for g in GRADES if (b == g).any()] + (["new"] if (b == "new").any() else [])
    cols = [g for g in GRADES if (a == g).any()] + (["gone"] if (a == "gone").any() else [])
    table = pd.crosstab(b, a).reindex(index=rows, columns=cols, fill_value=0)
    table.index.name, table.columns.name = "grade before", "grade after"
    return table


def movers(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Every customer with its grade before and after and the direction of the move."""
    b, a = _labelled(before, after)
    order = {g: i for i, g in enumerate(GRADES)}
    rb, ra = b.map(order), a.map(order)
    direction = np.select(
        [b == "new", a == "gone", ra < rb, ra > rb], ["new", "gone", "up", "down"], "same"
    )
    out = pd.DataFrame({"before": b, "after": a, "direction": direction})
    out.index.name = "customer_id"
    return out


# -- CL8: typologies ---------------------------------------------------------------------

#: Typology -> [(kind, description), ...], from crmkit/content/typologies.csv.
TYPOLOGIES = content.grouped("typologies", by="typology")


# -- CL9: lead grading ---------------------------------------------------------------------

#: Follow-up interval and action per lead grade A-D, from crmkit/content/lead_follow_up.csv.
FOLLOW_UP = content.table("lead_follow_up")


def grade_leads(leads: pd.DataFrame, *, min_monthly_purchase: float = 20000) -> pd.DataFrame:
    """Grade prospects A-D by buying power, a reached decision maker and a confirmed need.

    Rule: buying power = estimated monthly category purchases of at least
    `min_monthly_purchase` yuan; A meets all three criteria, B two, C one, D none.
    The next follow-up date is the last contact plus the grade's interval in FOLLOW_UP.
    """
    if leads.empty:
        raise MissingData("this data has no sales leads (leads.csv) to grade")
    out = leads.copy()
    out["has_buying_power"] = out["est_monthly_purchase"] >= min_monthly_purchase
    out["criteria_met"] = (
        out["has_buying_power"].astype(int)
        + out["decision_maker_reached"].astype(bool).astype(int)
        + out["need_confirmed"].astype(bool).astype(int)
    )
    grade = np.array(GRADES)[3 - out["criteria_met"].to_numpy()]
    out["lead_grade"] = pd.Categorical(grade, categories=GRADES, ordered=True)
    days = FOLLOW_UP["follow up within (days)"].reindex(grade).to_numpy()
    out["next_follow_up"] = pd.to_datetime(out["last_contact_date"]) + pd.to_timedelta(days, "D")
    return out
