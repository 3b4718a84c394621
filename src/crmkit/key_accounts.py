"""Key accounts (大客户): finding them in the data, their file, and a plan to keep them.

A key account brings large profit, and the list is dynamic: last year's key
account need not be next year's (KA1, seed 001 §5.3.2). Seed 001 (§5.3.4)
names five criteria but no formulas, so each criterion below states the
workbook's own measure and threshold, and `KeyAccountRule` lets the learner
change them. The profile card joins the core-customer card of PY4 (001
§5.2.4) and the key-account file of KA3 (001 §5.3.9) in one view.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmkit import content
from crmkit.customer_base import (
    as_period,
    attributes,
    best_first_positions,
    customer_profit,
    known_customer,
    money,
    months_to,
    ranking_measure,
    with_attributes,
)
from crmkit.errors import CrmkitError, MissingData

if TYPE_CHECKING:
    from crmkit.datasets.load import SampleData
from crmkit.tiers import assign_tiers

# -- KA2: the criteria, measured -------------------------------------------------------------

#: The five criteria of KA2 with the workbook's measure of each, from
#: crmkit/content/key_account_criteria.csv.
CRITERIA = content.table("key_account_criteria")


def key_account_measures(data: SampleData, *, period_end=None, months: int = 12) -> pd.DataFrame:
    """One row per customer active in the 12 months to `period_end`, one column per measure.

    Columns: shop_name, business_format, market_type, revenue, profit,
    share_of_wallet, contacts_per_month, price_sensitivity, months_ordered_share,
    tenure_years.

    A measure is unknown (NaN) where the data leaves out what it is measured from: share of
    wallet without category purchases, price sensitivity without discounts, tenure without
    a join date. An unknown measure meets no criterion, and the reason says it is unknown.
    """
    if months != 12:
        raise CrmkitError("the key-account measures are defined over 12 months; use months=12")
    end = pd.Timestamp(period_end if period_end is not None else data.analysis_date)
    period = months_to(end, 12)
    start = period.start
    table = with_attributes(customer_profit(data, period), data)
    ids = table.index
    bought = data.category_purchases
    month = pd.PeriodIndex(bought["month"].astype(str), freq="M")
    in_period = (month >= pd.Period(start, "M")) & (month <= pd.Period(end, "M"))
    category = bought[in_period].groupby("customer_id")["category_total"].sum()
    wallet = table["revenue"] / category.reindex(ids).replace(0, np.nan)
    orders = data.orders[period.contains(data.orders["order_date"])]
    month_no = orders["order_date"].dt.year * 12 + orders["order_date"].dt.month
    active_months = month_no.groupby(orders["customer_id"]).nunique()
    joined = attributes(data, ["join_date"])["join_date"].reindex(ids)
    out = table[["shop_name", "business_format", "market_type", "revenue", "profit"]].copy()
    out["share_of_wallet"] = wallet.clip(upper=1.0).fillna(0.0)
    if bought.empty:  # no category purchases in the data: unknown, not 0%
        out["share_of_wallet"] = np.nan
    out["contacts_per_month"] = table["contacts"] / 12
    margin = table["margin_before_discount"].where(table["margin_before_discount"] > 0)
    out["price_sensitivity"] = (table["discounts"] / margin).fillna(0.0)
    out.loc[table["discounts"].isna(), "price_sensitivity"] = np.nan  # discounts unknown
    out["months_ordered_share"] = active_months.reindex(ids).fillna(0) / 12
    out["tenure_years"] = ((end - joined).dt.days / 365.25).clip(lower=0)  # NaN: no join date
    return out


@dataclass(frozen=True)
class KeyAccountRule:
    """The adjustable rule: top share by volume, then enough of the other four criteria.

    A key account is in the top `volume_top_share` of customers by revenue AND
    meets at least `min_other_criteria` of: share of wallet >= min_share_of_wallet;
    contacts per month >= min_contacts_per_month; price sensitivity <=
    max_price_sensitivity; months ordered share >= min_months_ordered_share with
    tenure >= min_tenure_years.
    """

    volume_top_share: float = 0.10
    min_share_of_wallet: float = 0.60
    min_contacts_per_month: float = 0.50
    max_price_sensitivity: float = 0.30
    min_months_ordered_share: float = 0.50
    min_tenure_years: float = 2.0
    min_other_criteria: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.volume_top_share <= 1:
            raise CrmkitError(
                "volume_top_share is a share between 0 and 1, e.g. 0.10; "
                f"got {self.volume_top_share}"
            )
        for name in ("min_share_of_wallet", "min_months_ordered_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise CrmkitError(f"{name} is a share between 0 and 1; got {getattr(self, name)}")
        for name in ("min_contacts_per_month", "max_price_sensitivity", "min_tenure_years"):
            if getattr(self, name) < 0:
                raise CrmkitError(f"{name} cannot be negative; got {getattr(self, name)}")
        if self.min_other_criteria not in range(5):
            raise CrmkitError(
                f"min_other_criteria counts the other four criteria: 0 to 4; "
                f"got {self.min_other_criteria}"
            )


OTHER_CRITERIA = ["concentration", "service_demand", "price_sensitivity", "partnership"]


def identify_key_accounts(
    measures: pd.DataFrame, rule: KeyAccountRule | None = None, *, reasons: bool = True
) -> pd.DataFrame:
    """Which customers are key accounts under `rule`, with each criterion and the reason.

    Volume ranks customers by revenue, ties by customer id, so row order never
    matters. Columns: the five criteria (True/False), criteria_met (of the other
    four), key_account, and reason (left out with `reasons=False`, when only the
    list is wanted: a line per customer costs time on a large base).
    """
    rule = rule or KeyAccountRule()
    if measures.empty:
        raise CrmkitError("no customers to assess; check the period of the measures")
    n_top = max(1, int(round(rule.volume_top_share * len(measures))))
    top = np.zeros(len(measures), dtype=bool)
    top[best_first_positions(measures["revenue"])[:n_top]] = True
    m = measures
    out = pd.DataFrame(index=m.index)
    out["volume"] = top
    out["concentration"] = m["share_of_wallet"] >= rule.min_share_of_wallet
    out["service_demand"] = m["contacts_per_month"] >= rule.min_contacts_per_month
    out["price_sensitivity"] = m["price_sensitivity"] <= rule.max_price_sensitivity
    out["partnership"] = (m["months_ordered_share"] >= rule.min_months_ordered_share) & (
        m["tenure_years"] >= rule.min_tenure_years
    )
    out["criteria_met"] = out[OTHER_CRITERIA].sum(axis=1).astype(int)
    out["key_account"] = out["volume"] & (out["criteria_met"] >= rule.min_other_criteria)
    if reasons:
        out["reason"] = _reasons(m, out, rule)
    return out


def _reasons(m: pd.DataFrame, met: pd.DataFrame, rule: KeyAccountRule) -> list[str]:
    """Each customer's verdict on every criterion, as one line (built column-wise: fast)."""
    mark = np.where(met[["volume", *OTHER_CRITERIA]].to_numpy(), "✓", "✗")
    columns = zip(
        mark,
        m["revenue"].to_numpy(),
        m["share_of_wallet"].to_numpy(),
        m["contacts_per_month"].to_numpy(),
        m["price_sensitivity"].to_numpy(),
        m["months_ordered_share"].to_numpy(),
        m["tenure_years"].to_numpy(),
        strict=True,
    )
    return [
        f"{k[0]} top {rule.volume_top_share:.0%} by revenue (¥{revenue:,.0f}); "
        f"{k[1]} share of wallet {_known(wallet, '{:.0%}')}; "
        f"{k[2]} {contacts:.2f} contacts a month; "
        f"{k[3]} discounts {_known(price, '{:.0%}')} of margin; "
        f"{k[4]} ordered in {months:.0%} of months, {_known(tenure, '{:.1f}')} years"
        for k, revenue, wallet, contacts, price, months, tenure in columns
    ]


def _known(value: float, form: str) -> str:
    """A measure in a reason: formatted, or "unknown" where the data leaves it out."""
    return "unknown" if np.isnan(value) else form.format(value)


def key_account_changes(
    data: SampleData, period_ends, rule: KeyAccountRule | None = None
) -> pd.DataFrame:
    """KA1, the list is dynamic: for each period end, the key accounts that joined or left.

    Columns: period_end, key_accounts, joined, left (the last two compared with
    the previous period end; empty for the first).
    """
    rows, before = [], None
    for end in period_ends:
        found = identify_key_accounts(key_account_measures(data, period_end=end), rule)
        now = set(found.index[found["key_account"]])
        rows.append(
            {
                "period_end": pd.Timestamp(end).strftime("%Y-%m-%d"),
                "key_accounts": len(now),
                "joined": len(now - before) if before is not None else np.nan,
                "left": len(before - now) if before is not None else np.nan,
            }
        )
        before = now
    return pd.DataFrame(rows).set_index("period_end")


def first_account(accounts: pd.DataFrame) -> str:
    """The id in the first row of a list of key accounts; MissingData when the list is empty
    (on a trainer's data the rule may find none: its criteria need data that may be left out)."""
    if accounts.empty:
        raise MissingData(
            "no customer is a key account under the rule in this data (its criteria use "
            "category totals, contacts, discounts and tenure, which this data may leave out)"
        )
    return str(accounts.index[0])


#: The status of a customer when a rule changes, in the order the explorer shows them.
CHANGES = ("enters", "leaves", "stays")


def compare_rules(
    measures: pd.DataFrame, rule: KeyAccountRule, base: KeyAccountRule | None = None
) -> pd.DataFrame:
    """Who is a key account under `rule` compared with `base` (the default rule).

    One row per customer on either list: shop_name, revenue, profit, criteria_met (under
    `rule`), change ('enters': only under `rule`; 'leaves': only under `base`; 'stays':
    both) and the reason under `rule`. Sorted by change, then revenue, largest first.
    """
    now = identify_key_accounts(measures, rule, reasons=False)
    before = identify_key_accounts(measures, base or KeyAccountRule(), reasons=False)
    on_now, on_before = now["key_account"], before["key_account"]
    either = (on_now | on_before).to_numpy()
    change = np.where(on_now & on_before, "stays", np.where(on_now, "enters", "leaves"))
    out = measures.loc[either, ["shop_name", "revenue", "profit"]].copy()
    out["criteria_met"] = now.loc[either, "criteria_met"]
    out["change"] = pd.Categorical(change[either], categories=CHANGES)
    out["reason"] = _reasons(measures[either], now[either], rule)
    out = out.assign(_id=out.index).sort_values(
        ["change", "revenue", "_id"], ascending=[True, False, True], kind="mergesort"
    )
    return out.drop(columns="_id")


# -- PY4 + KA3: the profile card ---------------------------------------------------------------

#: Each card section and the category of the key-account file (KA3, seed 001 §5.3.9) it is
#: filed under. The seed's four categories: basic information (contacts and people),
#: important information (the customer's business, what we sell them, at what profit), core
#: information (our own plans and strategy for the account, checked for effect) and process
#: information (negotiations, orders, stock: what is going on now).
KA3_CATEGORY = {
    "basic data": "basic information (基本信息)",
    "characteristics": "important information (重要信息)",
    "performance": "important information (重要信息)",
    "current trading": "process information (过程管理信息)",
    "satisfaction": "process information (过程管理信息)",
    "our plan": "core information (核心信息)",
}


@dataclass(frozen=True)
class ProfileCard:
    """One customer's card: six sections of (field, value) rows, each in a KA3 category.

    Data only: `crmkit.widgets.card_html` renders it for the explorer.
    """

    customer_id: str
    shop_name: str  # "" where the data has no shop names
    sections: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """All sections stacked: section, file category, field, value (the static view)."""
        parts = [
            s.assign(section=name, file_category=KA3_CATEGORY[name])
            for name, s in self.sections.items()
        ]
        out = pd.concat(parts, ignore_index=True)
        return out[["section", "file_category", "field", "value"]]


def _section(rows: list[tuple[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["field", "value"])


def yearly_tiers(data: SampleData, years) -> dict[int, tuple[pd.DataFrame, pd.DataFrame]]:
    """Each year's profitability table and tiers, for `profile_card(history=...)` to reuse.
    The tiers are by profit; by revenue where the data has no margins (`ranking_measure`)."""
    out = {}
    for year in years:
        table = customer_profit(data, as_period(int(year)))
        out[int(year)] = (table, assign_tiers(table[ranking_measure(table)[0]]))
    return out


def _shown(value: object, form: Callable[[Any], str] = str) -> str:
    """A card value as text; "unknown" where the data leaves it out (a trainer's own data)."""
    return "unknown" if value is None or pd.isna(value) else form(value)


def require_facts(facts: pd.Series, names: list[str]) -> None:
    """MissingData when a card (`profile_card(...).to_frame()` by field) lacks facts that a
    plan quotes, because the data leaves them out."""
    missing = [n for n in names if str(facts.get(n, "unknown")) in ("unknown", "—")]
    if missing:
        raise MissingData(
            f"the account's card has no {', '.join(missing)} in this data, and the plan "
            "below quotes them"
        )


def _rows_of(frame: pd.DataFrame, customer_id: str) -> pd.DataFrame:
    """The rows of one customer (a plain array comparison: a card is redrawn live)."""
    return frame[frame["customer_id"].to_numpy() == customer_id]


def profile_card(
    data: SampleData,
    customer_id: str,
    *,
    as_of=None,
    history=None,
    plan: AccountPlan | None = None,
) -> ProfileCard:
    """The profile card (PY4) / key-account file (KA3) of one customer, as of `as_of`.

    Basic data, characteristics, performance by year (revenue, profit, tier),
    current trading (last 90 days, unpaid and overdue invoices), satisfaction
    (latest survey, complaints in the last 12 months) and our plan (the core
    information of KA3: the strategies of `plan`, if one is given). `history`
    (from `yearly_tiers`) saves recomputing every year's tiers for each card.
    """
    cid = known_customer(data, customer_id)
    as_of = pd.Timestamp(as_of if as_of is not None else data.analysis_date)
    info = _rows_of(data.customers, cid).iloc[0]
    orders = _rows_of(data.orders, cid)
    orders = orders[orders["order_date"] <= as_of]
    contacts = _rows_of(data.contacts, cid)
    contacts = contacts[contacts["contact_date"] <= as_of]
    complaints = _rows_of(data.complaints, cid)
    complaints = complaints[complaints["opened_at"] <= as_of + pd.Timedelta(days=1)]
    surveys = _rows_of(data.surveys, cid)
    surveys = surveys[surveys["survey_date"] <= as_of]

    referred = info.get("referred_by")
    basic = _section(
        [
            ("shop", _shown(info["shop_name"])),
            ("business format", _shown(info["business_format"])),
            ("market", _shown(info["market_type"])),
            ("customer since", _shown(info["join_date"], lambda d: f"{pd.Timestamp(d):%Y-%m-%d}")),
            ("credit limit", _shown(info["credit_limit"], money)),
            ("referred by", referred if isinstance(referred, str) and referred else "—"),
        ]
    )
    last_year = orders[orders["order_date"] > as_of - pd.DateOffset(months=12)]
    months = last_year["order_date"].dt.to_period("M").nunique()
    preferred = (
        contacts["contact_type"].astype(str).value_counts().idxmax() if len(contacts) else "—"
    )
    list_margin = (last_year["gross_margin"] + last_year["discount"]).sum()
    wallet = _share_of_wallet(data, cid, as_of, last_year["revenue"].sum())
    characteristics = _section(
        [
            ("consumers reached a week", _shown(info["consumer_reach"], lambda n: f"{int(n):,}")),
            ("ordering rhythm", f"{len(last_year)} orders in {months} of the last 12 months"),
            (
                "promotion take-up",
                _shown(last_year["promotion"].mean(), lambda s: f"{s:.0%} of orders")
                if len(last_year)
                else "—",
            ),
            ("preferred contact", str(preferred).replace("_", " ")),
            (
                "share of wallet",
                f"{wallet:.0%} of its purchases in our categories" if wallet is not None else "—",
            ),
            (
                "price sensitivity",
                "unknown"
                if last_year["discount"].isna().all() and len(last_year)
                else f"discounts {last_year['discount'].sum() / list_margin:.0%} of margin"
                if list_margin > 0
                else "—",
            ),
        ]
    )
    perf_rows: list[tuple[str, object]] = []
    if history is None:
        every = data.orders["order_date"].dt.year.unique()
        history = yearly_tiers(data, sorted(int(y) for y in every if y <= as_of.year))
    years = sorted(y for y in history if y <= as_of.year)
    profits = []
    for year in years:
        table, tiers = history[year]
        if cid not in table.index:
            perf_rows.append((str(year), "not active"))
            continue
        tier = tiers.loc[cid, "tier"]
        row = table.loc[cid]
        profits.append(row["profit"])
        if pd.isna(row["profit"]):  # no margins in the data: the tier is by revenue
            tier = f"{tier} by revenue"
        perf_rows.append(
            (
                str(year),
                f"revenue {money(row['revenue'])}, profit {_shown(row['profit'], money)}, {tier}",
            )
        )
    trend = "—"
    if len(profits) >= 2:
        trend = "rising" if profits[-1] > profits[-2] else "falling"
        trend = "unknown" if pd.isna(profits[-1]) or pd.isna(profits[-2]) else trend
    perf_rows.append(("profit trend", trend))
    performance = _section(perf_rows)

    recent = orders[orders["order_date"] > as_of - pd.Timedelta(days=90)]
    unpaid = orders[orders["paid_date"].isna()]
    overdue = unpaid[unpaid["payment_due_date"] < as_of]
    # without due dates nothing says which orders are still to be paid: unknown, not "all"
    payments_known = bool(data.orders["payment_due_date"].notna().any())
    trading = _section(
        [
            (
                "last order",
                orders["order_date"].max().strftime("%Y-%m-%d") if len(orders) else "—",
            ),
            ("orders, last 90 days", f"{len(recent)} for {money(recent['revenue'].sum())}"),
            (
                "unpaid invoices",
                f"{len(unpaid)} for {money(unpaid['revenue'].sum())}"
                if payments_known
                else "unknown",
            ),
            (
                "overdue invoices",
                f"{len(overdue)} for {money(overdue['revenue'].sum())}"
                if payments_known
                else "unknown",
            ),
        ]
    )
    latest = surveys.sort_values("survey_date").iloc[-1] if len(surveys) else None
    recent_complaints = complaints[complaints["opened_at"] > as_of - pd.DateOffset(months=12)]
    satisfaction = _section(
        [
            (
                "latest survey",
                f"{latest['survey_date']:%Y-%m-%d}: satisfaction {latest['overall_satisfaction']}"
                f", would recommend {latest['recommend']}"
                if latest is not None
                else "no survey yet",
            ),
            ("complaints, last 12 months", f"{len(recent_complaints)}"),
            ("open complaints", f"{int(complaints['resolved_at'].isna().sum())}"),
        ]
    )
    sections = {
        "basic data": basic,
        "characteristics": characteristics,
        "performance": performance,
        "current trading": trading,
        "satisfaction": satisfaction,
        "our plan": _plan_section(plan, cid),
    }
    name = info["shop_name"]  # "" where the data has no shop names
    return ProfileCard(cid, "" if pd.isna(name) else str(name), sections)


def _share_of_wallet(data: SampleData, cid: str, as_of, revenue: float) -> float | None:
    """Our revenue over the customer's purchases in our categories, 12 months to `as_of`."""
    bought = _rows_of(data.category_purchases, cid)
    month = pd.PeriodIndex(bought["month"].astype(str), freq="M")
    end = pd.Period(as_of, "M")
    total = bought.loc[(month > end - 12) & (month <= end), "category_total"].sum()
    return min(1.0, revenue / total) if total > 0 else None


def _plan_section(plan: AccountPlan | None, cid: str) -> pd.DataFrame:
    """The core information of the file: our strategies for the account and the weakest key."""
    if plan is None or plan.customer_id != cid:
        return _section([("strategy", "no plan yet: write one (KA4, KA5)")])
    rows: list[tuple[str, object]] = [(name, reason) for name, reason in plan.strategies.items()]
    scored = [(k, v[0]) for k, v in plan.keys.items() if isinstance(v[0], int | np.integer)]
    if scored:
        weakest = min(scored, key=lambda kv: kv[1])
        rows.append(("weakest key", f"{weakest[0]} ({weakest[1]} of 5)"))
    return _section(rows or [("strategy", "none chosen yet")])


# -- KA4, KA5: relationship keys, loyalty strategies and the account plan --------------------------

#: The relationship keys of KA4, from crmkit/content/relationship_keys.csv.
RELATIONSHIP_KEYS = content.table("relationship_keys")

#: The loyalty strategies of KA5, from crmkit/content/loyalty_strategies.csv.
LOYALTY_STRATEGIES = content.table("loyalty_strategies")


#: What `plan_template` puts in every note: a plan that keeps it is not written yet.
TEMPLATE_NOTE = "why this score? name a figure from the card"

#: The reason `plan_template`'s filled cell puts beside each strategy to choose.
TEMPLATE_REASON = "why it fits this account"

#: A plan must tie at least this many of its key notes to figures of its customer's card.
MIN_FIGURES = 3

#: Fewest words in a note or a reason: "good" or "ok" says nothing about the account.
MIN_WORDS = 4

#: Where on the card the evidence of each relationship key is (the workbook's own mapping,
#: after the card_evidence column of relationship_keys.csv): a note cites a figure for its
#: key only when the figure comes from one of these sections.
KEY_EVIDENCE: dict[str, tuple[str, ...]] = {
    "trust": ("current trading", "satisfaction"),  # paying on time, complaints, survey
    "competitors": ("characteristics", "performance"),  # share of wallet, revenue over years
    "entry barriers": ("basic data", "characteristics"),  # terms, service, ordering rhythm
    "exit barriers": ("characteristics",),  # ordering rhythm, promotion take-up, discounts
    "cooperation risk": ("basic data", "performance", "current trading"),  # credit, trend
}

#: Below this share of wallet a rival already sells the customer much of what we sell:
#: the workbook's own threshold for "competitors cannot score 5".
LOW_SHARE_OF_WALLET = 0.50

# A number, with the yuan sign before it, a percent sign after it and the next word.
_FIGURE = re.compile(r"(¥)?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(%)?\s*([a-z]*)", re.IGNORECASE)

#: Words after a number that make it a count or a time span, not a figure of the account.
_COUNT_WORDS = re.compile(r"^(month|year|day|week|time|point|hour|quarter)s?$", re.IGNORECASE)


def _figures_in(text: str) -> list[float]:
    """The figures a text names: amounts, percentages and numbers of 100 or more.

    Counts and time spans do not count: whole numbers below 100 (unless a percentage),
    numbers followed by 'months', 'times', 'points' and the like, dates and years.
    """
    text = re.sub(r"\d{4}-\d{2}-\d{2}", " ", text)
    found = []
    for yuan, number, percent, word in _FIGURE.findall(text):
        number = number.rstrip(",")
        if not number.strip("-"):
            continue
        n = float(number.replace(",", ""))
        if not percent and _COUNT_WORDS.match(word):
            continue
        if not percent and n.is_integer() and abs(n) < 100:
            continue
        if not yuan and "," not in number and n.is_integer() and 1990 <= n <= 2100:
            continue  # a year
        found.append(n)
    return found


def card_figures(card: ProfileCard, sections=None) -> set[float]:
    """The figures on a card that a plan can cite, from `sections` (default: all but the plan).

    Amounts, percentages and numbers of 100 or more in the card's values; not the shop's
    name, dates, years, or small counts such as '9 orders in 7 of the last 12 months'.
    """
    names = [n for n in card.sections if n != "our plan"] if sections is None else sections
    found: set[float] = set()
    for name in names:
        section = card.sections[name]
        for field_name, value in section[["field", "value"]].itertuples(index=False):
            if field_name != "shop":
                found.update(_figures_in(str(value)))
    return found


def _cites(text: str, figures: set[float]) -> bool:
    """Whether a text names one of the figures (as written on the card, or within 1%)."""
    for n in _figures_in(text):
        for f in figures:
            if n == f or (abs(f) >= 100 and abs(n - f) <= 0.01 * abs(f)):
                return True
    return False


def _count(fact: str) -> int:
    """The count a card fact starts with ("2 for ¥112,173" -> 2); 0 where it is unknown."""
    first = fact.split()[0] if fact.split() else ""
    return int(first) if first.isdigit() else 0


def _contradictions(card: ProfileCard, keys: dict) -> list[str]:
    """Scores of 5 that the card contradicts, as friendly sentences (the workbook's own rules)."""
    facts = card.to_frame().set_index("field")["value"].astype(str)
    overdue = _count(facts.get("overdue invoices", "0"))
    open_complaints = _count(facts.get("open complaints", "0"))
    falling = facts.get("profit trend", "") == "falling"
    wallet = re.match(r"(\d+)%", facts.get("share of wallet", ""))
    share = int(wallet.group(1)) / 100 if wallet else None
    reasons = {
        "trust": [
            f"{overdue} overdue invoices" if overdue else "",
            f"{open_complaints} open complaints" if open_complaints else "",
        ],
        "cooperation risk": [
            f"{overdue} overdue invoices" if overdue else "",
            "a falling profit trend" if falling else "",
        ],
        "competitors": [
            f"a share of wallet of {share:.0%}: rivals sell it the rest"
            if share is not None and share < LOW_SHARE_OF_WALLET
            else ""
        ],
    }
    found = []
    for key, seen in reasons.items():
        seen = [r for r in seen if r]
        entry = keys.get(key)
        if seen and entry is not None and tuple(entry)[:1] == (5,):
            found.append(
                f"'{key}' scores 5 (the strongest), but the card shows {' and '.join(seen)}: "
                "give the score the card supports, and say in the note what would raise it"
            )
    return found


@dataclass
class AccountPlan:
    """A relationship plan for one key account (KA4, KA5), filled in by the learner.

    keys: relationship key -> (score 1 to 5, note); strategies: strategy name -> reason.
    A plan is specific, not generic: notes and reasons of at least MIN_WORDS words, no
    note copied from the template or repeated, and (when checked against the data) at
    least MIN_FIGURES key notes each naming a figure from the card sections of that key
    (KEY_EVIDENCE), and no score of 5 the card contradicts (the workbook's own rules for
    "made for this account").
    """

    customer_id: str
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)

    def problems(self, data=None) -> list[str]:
        """Everything missing or wrong in the plan, as friendly sentences (empty when complete)."""
        found: list[str] = []
        if data is not None:
            try:
                known_customer(data, self.customer_id)
            except CrmkitError as err:
                found.append(str(err))
        for key in RELATIONSHIP_KEYS.index:
            entry = self.keys.get(key)
            if entry is None:
                found.append(f"assess the relationship key '{key}' (a score 1-5 and a note)")
                continue
            score, note = (tuple(entry) + (None, None))[:2]
            if (
                isinstance(score, bool)
                or not isinstance(score, int | np.integer)
                or not (1 <= score <= 5)
            ):
                found.append(
                    f"'{key}': the score must be a whole number from 1 to 5, not {score!r}"
                )
            if not isinstance(note, str) or not note.strip():
                found.append(f"'{key}': add a note saying why you gave that score")
            elif note.strip().lower() == TEMPLATE_NOTE:
                found.append(f"'{key}': replace the template's note with your own reason")
            elif len(note.split()) < MIN_WORDS:
                found.append(f"'{key}': say more than '{note.strip()}': why, for this account?")
        for key in self.keys:
            if key not in RELATIONSHIP_KEYS.index:
                found.append(
                    f"'{key}' is not a relationship key; use {list(RELATIONSHIP_KEYS.index)}"
                )
        known = list(LOYALTY_STRATEGIES.index)
        for name, reason in self.strategies.items():
            if name not in known:
                close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
                hint = f"; did you mean '{close[0]}'?" if close else f"; choose from {known}"
                found.append(f"'{name}' is not one of the loyalty strategies{hint}")
            elif not isinstance(reason, str) or not reason.strip():
                found.append(f"strategy '{name}': add the reason it fits this account")
            elif len(reason.split()) < MIN_WORDS:
                found.append(f"strategy '{name}': say how it helps this account, in a sentence")
        if len(self.strategies) < 2:
            found.append("choose at least two loyalty strategies, each with a reason")
        texts = [str(v[1]).strip().lower() for v in self.keys.values() if len(tuple(v)) > 1]
        texts = [t for t in texts if t]
        if len(texts) != len(set(texts)):
            found.append("each key needs its own note: some notes are the same")
        if data is not None and not found:
            card = profile_card(data, self.customer_id)
            found += _contradictions(card, self.keys)
            cited = sum(
                _cites(str(tuple(self.keys[key])[1]), card_figures(card, sections))
                for key, sections in KEY_EVIDENCE.items()
                if key in self.keys
            )
            if cited < MIN_FIGURES:
                where = "; ".join(f"{k}: {', '.join(v)}" for k, v in KEY_EVIDENCE.items())
                found.append(
                    f"the plan could be about any customer: in at least {MIN_FIGURES} of the "
                    f"five notes, use a figure from the part of {self.customer_id}'s card that "
                    f"shows that key ({where}), e.g. an amount in yuan or a percentage. Counts "
                    f"and time spans such as '12 months' or '9 times a year' are not figures "
                    f"of the account; {cited} notes cite one now"
                )
        return found

    def is_template(self) -> bool:
        """Whether the plan is still the template as given: no score, note or reason written."""
        keys_untouched = all(
            tuple(v)[:2] == (0, TEMPLATE_NOTE) for v in self.keys.values()
        ) and set(self.keys) == set(RELATIONSHIP_KEYS.index)
        reasons = [str(r).strip().lower() for r in self.strategies.values()]
        return keys_untouched and all(r == TEMPLATE_REASON for r in reasons)

    def check(self, data=None) -> None:
        """Raise a friendly CrmkitError listing the problems, if there are any."""
        found = self.problems(data)
        if found:
            raise CrmkitError("the plan is not complete yet:\n- " + "\n- ".join(found))

    def to_frame(self) -> pd.DataFrame:
        """The plan as one table: part (key or strategy), name, score, note."""
        rows = [("relationship key", k, s, n) for k, (s, n) in self.keys.items()]
        rows += [("loyalty strategy", k, None, r) for k, r in self.strategies.items()]
        return pd.DataFrame(rows, columns=["part", "name", "score", "note"])


def plan_template(customer_id: str) -> AccountPlan:
    """A plan to fill in: every relationship key with score 0 and the template's note."""
    return AccountPlan(customer_id, {k: (0, TEMPLATE_NOTE) for k in RELATIONSHIP_KEYS.index}, {})


__all__ = [
    "require_facts",
    "first_account",
    "CRITERIA",
    "KA3_CATEGORY",
    "KEY_EVIDENCE",
    "LOYALTY_STRATEGIES",
    "RELATIONSHIP_KEYS",
    "TEMPLATE_NOTE",
    "TEMPLATE_REASON",
    "AccountPlan",
    "card_figures",
    "compare_rules",
    "KeyAccountRule",
    "ProfileCard",
    "identify_key_accounts",
    "key_account_changes",
    "key_account_measures",
    "money",
    "plan_template",
    "profile_card",
    "yearly_tiers",
]
