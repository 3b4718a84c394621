"""No raw pandas or numpy error reaches a learner from any public topic function on valid data.

The promise (issue 11; tests/notebooks/test_own_data.py checks it for the lessons): a trainer
may load a folder with nothing but orders (customer, date, amount). Every public function of
the six topic modules is called on small folders of that kind, chosen for their edges (one
order, a return larger than the purchases, one month, three calendar years, nothing but
zeros), and on the sample, each for a period with orders, a period with none and a period of
one day; per-customer tables at their edges and random small order tables (hypothesis) feed
the functions of a table. A call must give a result, or a CrmkitError
(MissingData where the data cannot support the part) with a sentence saying why; never a
KeyError, ValueError, ZeroDivisionError, a numpy RuntimeWarning, or "nan" in text meant
for people.

The functions are found by inspection; CALLS says how to call each. A new public function
without an entry (or a reason in NOT_CALLED) fails `test_every_public_function_has_a_call`.
"""

from __future__ import annotations

import copy
import inspect
import math
import re
import tempfile
import warnings
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit import alive as al
from crmkit import callback_plan as cp
from crmkit import churn, satisfaction, tiers
from crmkit import classification as cls
from crmkit import complaint_kpis as ck
from crmkit import complaint_triage as ct
from crmkit import customer_base as cb
from crmkit import key_accounts as ka
from crmkit import lifecycle as lc
from crmkit import pyramid as pyr
from crmkit import value as va
from crmkit.datasets.load import SampleData, load_sample
from crmkit.errors import CrmkitError, MissingData

MODULES = {
    "classification": cls,
    "customer_base": cb,
    "pyramid": pyr,
    "tiers": tiers,
    "value": va,
    "key_accounts": ka,
    "lifecycle": lc,
    "alive": al,
    "complaint_triage": ct,
    "complaint_kpis": ck,
    "churn": churn,
    "satisfaction": satisfaction,
    "callback_plan": cp,
}

# -- the data: small folders of orders alone, and the sample ---------------------------------

#: (customer, date, amount) rows of each minimal folder.
FOLDERS = {
    "one order": [("C1", "2024-03-05", 100.0)],
    "return above purchases": [
        ("C1", "2024-01-10", 50.0),
        ("C1", "2024-02-10", -80.0),
        ("C2", "2024-02-20", 30.0),
    ],
    "one month": [
        ("C1", "2024-05-02", 10.0),
        ("C2", "2024-05-10", 20.0),
        ("C1", "2024-05-28", 5.0),
        ("C3", "2024-05-30", 0.0),
    ],
    "three calendar years": [
        ("C1", "2022-01-03", 10.0),
        ("C2", "2022-06-10", 20.0),
        ("C1", "2023-03-01", 15.0),
        ("C3", "2023-12-31", 7.0),
        ("C2", "2024-02-02", 12.0),
        ("C3", "2024-12-30", 8.0),
    ],
    "all zero": [("C1", "2023-02-01", 0.0), ("C2", "2023-08-01", 0.0), ("C1", "2024-04-01", 0.0)],
}
DATA_CASES = [*FOLDERS, "sample", "sample without margins"]
#: Which period each scenario passes: the last 12 months, a year without orders, one day.
PERIOD_CASES = ["last 12 months", "no orders", "first day"]


def write_orders(folder: Path, rows) -> Path:
    """A trainer's minimal folder: orders.csv with customer_id, order_date, revenue only."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    frame.to_csv(folder / "orders.csv", index=False)
    return folder


_DATA: dict[str, SampleData] = {}
#: Where the minimal folders are written; removed when the test run ends.
_FOLDERS = tempfile.TemporaryDirectory(prefix="crmkit-inputs-")


_ONCE: dict[tuple[int, str], object] = {}


def once(data: SampleData, what: str, make: Callable[[], object]):
    """`make()` once per data set and input name (the slow inputs many calls build on); its
    error, if any, raised again at every call, as the call itself would raise it."""
    key = (id(data), what)
    if key not in _ONCE:
        try:
            _ONCE[key] = make()
        except Exception as err:  # noqa: BLE001 (raised again below, as the call would)
            _ONCE[key] = err
    found = _ONCE[key]
    if isinstance(found, Exception):
        raise found
    return found


def stages_of(data: SampleData):
    """`lifecycle.detect_stages(data)`, for the calls that only build on it."""
    return once(data, "stages", lambda: lc.detect_stages(data))


def complaints_of(data: SampleData, what: str):
    """The complaints lesson's inputs: "triaged" (`complaint_triage.triage`) or "rows"
    (`churn.index_days`)."""
    make = ct.triage if what == "triaged" else churn.index_days
    return once(data, what, lambda: make(data))


def plan_of(data: SampleData, what: str):
    """The planner's inputs: "known" (`Customers.from_data`), "due" (this week's
    candidates), "crew" (two managers), "plan" (the optimal week) and "greedy"."""

    def make():
        if what == "known":
            return cp.Customers.from_data(data)
        if what == "due":
            return cp.candidates(plan_of(data, "known"))[0]
        if what == "crew":
            return cp.team(["Ann", "Bo"], [6, 2])
        maker = cp.plan_week if what == "plan" else cp.greedy_week
        return maker(plan_of(data, "due"), plan_of(data, "crew"))

    return once(data, f"plan:{what}", make)


def alive_of(data: SampleData, what: str):
    """The customer-base models' inputs (the fits are the slow part): "today" (ModelData
    over all the data, Fits), "calibration" (the same with a holdout), "monthly" (P(alive)
    at every month end), "flags" (the scored warnings) and "race"."""

    def make():
        if what in ("today", "calibration"):
            md = al.model_data(data, holdout_months=0 if what == "today" else 12)
            return md, al.fit_models(md.summary)
        if what == "monthly":
            return al.alive_by_month(data, alive_of(data, "today")[1].pareto_nbd)
        if what == "flags":
            monthly = alive_of(data, "monthly")
            return al.warning_flags(stages_of(data), monthly, data.lifecycle_truth)
        return al.alarm_race(alive_of(data, "flags"))

    return once(data, f"alive {what}", make)


def data_of(case: str) -> SampleData:
    if case not in _DATA:
        if case == "sample":
            _DATA[case] = load_sample()
        elif case == "sample without margins":
            data = copy.copy(load_sample())
            data.orders = data.orders.assign(gross_margin=np.nan)
            _DATA[case] = data
        else:
            folder = Path(_FOLDERS.name) / case.replace(" ", "_")
            _DATA[case] = load_sample(write_orders(folder, FOLDERS[case]))
    return _DATA[case]


class NotApplicable(Exception):
    """The input a call needs cannot be formed in this scenario (e.g. a row of an empty table)."""


class Scenario:
    """One data set and one period; every input a call needs, made once, on demand.

    An input made by a topic function may itself raise CrmkitError: the call that needs it
    then ends with that error, which is an accepted outcome (the function that raised it is
    tested on its own).
    """

    def __init__(self, data: SampleData, period_case: str) -> None:
        self.data = data
        self.period_case = period_case

    @cached_property
    def first_date(self) -> pd.Timestamp:
        return self.data.orders["order_date"].min().normalize()

    @cached_property
    def period(self) -> cb.Period:
        if self.period_case == "last 12 months":
            return cb.periods(self.data).last_12_months
        if self.period_case == "no orders":
            return cb.year(int(self.first_date.year) - 3)
        day = self.first_date
        return cb.as_period((day, day + pd.Timedelta(days=1)))

    @property
    def end(self) -> pd.Timestamp:
        return self.period.last_day

    @property
    def previous_end(self) -> pd.Timestamp:
        return self.period.previous().last_day

    @property
    def year(self) -> int:
        return int(self.end.year)

    @cached_property
    def cid(self) -> str:
        return str(self.data.orders["customer_id"].iloc[0])

    @cached_property
    def table(self) -> pd.DataFrame:
        return cb.customer_profit(self.data, self.period)

    @cached_property
    def table_before(self) -> pd.DataFrame:
        return cb.customer_profit(self.data, self.period.previous())

    @cached_property
    def measure(self) -> str:
        return cb.ranking_measure(self.table)[0]

    @property
    def values(self) -> pd.Series:
        return self.table[self.measure]

    @cached_property
    def tiers(self) -> pd.DataFrame:
        return tiers.assign_tiers(self.values)

    @cached_property
    def tiers_before(self) -> pd.DataFrame:
        return tiers.assign_tiers(self.table_before[self.measure])

    @property
    def row(self) -> pd.Series:
        if self.table.empty:
            raise NotApplicable("no row in an empty table")
        return self.table.iloc[0]

    @cached_property
    def orders_in_period(self) -> pd.DataFrame:
        orders = self.data.orders
        return orders[self.period.contains(orders["order_date"])]

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return cls.value_indicators(
            self.data.orders, self.data.category_purchases, period_end=self.end
        )

    @cached_property
    def grades(self) -> pd.DataFrame:
        return cls.reevaluate(
            self.data.orders,
            self.data.category_purchases,
            period_ends=[self.previous_end, self.end],
        )

    @cached_property
    def overview(self) -> pd.DataFrame:
        return cls.customer_overview(self.data, period_end=self.end)

    @cached_property
    def retention(self) -> float:
        """The retention rate of the period's year, or 0.8 where the data has none."""
        try:
            return va.retention_rate(self.data, self.year)
        except CrmkitError:
            return 0.8

    @cached_property
    def margin(self) -> float:
        """One customer's profit (or revenue) in the period, as a lifetime-value input."""
        if self.table.empty:
            raise NotApplicable("no customer in the period")
        return float(self.values.iloc[0])

    @cached_property
    def measures(self) -> pd.DataFrame:
        return ka.key_account_measures(self.data, period_end=self.end)

    @cached_property
    def card(self) -> ka.ProfileCard:
        return ka.profile_card(self.data, self.cid, as_of=self.end)

    @cached_property
    def plan(self) -> ka.AccountPlan:
        """A complete plan, so that checking it against the data reads the card."""
        keys = {
            key: (3, f"the card shows ¥1,234 and 45% for {key} this year")
            for key in ka.RELATIONSHIP_KEYS.index
        }
        strategies = {
            name: "it fits the account because of its ordering rhythm"
            for name in list(ka.LOYALTY_STRATEGIES.index)[:2]
        }
        return ka.AccountPlan(self.cid, keys, strategies)


def _perceived(**parts: float) -> object:
    value = va.perceived_value(**parts)
    return value, value.total_value, value.total_cost, value.perceived_value, value.table()


PARTS = ["product", "service", "personnel", "image", "money", "time", "energy", "physical"]

#: How to call each public function, as "module.name": [call(scenario), ...]. A call may read
#: anything the scenario holds; one that needs an input it cannot form raises NotApplicable.
CALLS: dict[str, list[Callable[[Scenario], object]]] = {
    # -- customer_base
    "customer_base.Period": [
        lambda s: (p := s.period, p.last_day, p.year, p.previous(), str(p)),
        lambda s: s.period.contains(s.data.orders["order_date"]),
    ],
    "customer_base.Periods": [
        lambda s: cb.periods(s.data).last_full_year,
        lambda s: cb.periods(s.data).year_before,
        lambda s: cb.periods(s.data).last_12_months,
        lambda s: cb.periods(s.data).years(),
    ],
    "customer_base.as_period": [lambda s: cb.as_period(s.year), lambda s: cb.as_period(s.period)],
    "customer_base.attributes": [lambda s: cb.attributes(s.data)],
    "customer_base.best_first": [lambda s: cb.best_first(s.values)],
    "customer_base.best_first_positions": [lambda s: cb.best_first_positions(s.values)],
    "customer_base.buyers": [lambda s: cb.buyers(s.data, s.period)],
    "customer_base.codes": [
        lambda s: cb.codes(cb.customer_ids(s.data), s.data.orders["customer_id"])
    ],
    "customer_base.customer_ids": [lambda s: cb.customer_ids(s.data)],
    "customer_base.customer_profit": [
        *(
            (lambda s, who=who: cb.customer_profit(s.data, s.period, customers=who))
            for who in cb.WHO
        ),
        lambda s: cb.customer_profit(s.data),
    ],
    "customer_base.find_customers": [lambda s: cb.find_customers(s.data, s.cid)],
    "customer_base.known": [lambda s: cb.known(s.table["profit"])],
    "customer_base.service_cost": [lambda s: cb.service_cost(s.table)],
    "customer_base.known_customer": [lambda s: cb.known_customer(s.data, s.cid.lower())],
    "customer_base.known_customers": [lambda s: cb.known_customers(s.data, [s.cid])],
    "customer_base.least_profitable": [lambda s: cb.least_profitable(s.table)],
    "customer_base.most_profitable": [lambda s: cb.most_profitable(s.table)],
    "customer_base.lost_customers": [lambda s: cb.lost_customers(s.data, s.period)],
    "customer_base.months_to": [lambda s: cb.months_to(s.end, 12)],
    "customer_base.need": [lambda s: cb.need(s.data.orders, "orders", ["customer_id"])],
    "customer_base.net_total": [
        lambda s: cb.net_total(s.table["profit"], "rank by revenue"),
        lambda s: cb.net_total(s.table["revenue"], "rank by revenue"),
    ],
    "customer_base.periods": [lambda s: cb.periods(s.data)],
    "customer_base.ranking_measure": [lambda s: cb.ranking_measure(s.table)],
    "customer_base.require_known": [
        lambda s: cb.require_known(s.table["profit"], "ranking"),
        lambda s: cb.require_known(s.table["revenue"], "ranking"),
    ],
    "customer_base.revenue_bridge": [lambda s: cb.revenue_bridge(s.data, s.period)],
    "customer_base.revenue_bridges": [lambda s: cb.revenue_bridges(s.data)],
    "customer_base.short_view": [lambda s: cb.short_view(s.table)],
    "customer_base.sorted_codes": [lambda s: cb.sorted_codes(s.data.orders["customer_id"])],
    "customer_base.with_attributes": [lambda s: cb.with_attributes(s.table, s.data)],
    "customer_base.year": [lambda s: cb.year(s.year)],
    # -- classification
    "classification.abc_analysis": [
        lambda s: cls.abc_analysis(s.table["profit"]),
        lambda s: cls.abc_analysis(s.table["revenue"]),
    ],
    "classification.abc_summary": [
        lambda s: cls.abc_summary(cls.abc_analysis(s.values)),
        lambda s: cls.abc_summary(cls.abc_analysis(s.table["revenue"])),
    ],
    "classification.pareto_share": [
        lambda s: cls.pareto_share(s.table["profit"]),
        lambda s: cls.pareto_share(s.table["revenue"]),
    ],
    "classification.concentration_table": [
        lambda s: cls.concentration_table(s.table["profit"]),
        lambda s: cls.concentration_table(s.table["revenue"]),
    ],
    "classification.profit_split": [
        lambda s: cls.profit_split(s.table["profit"]),
        lambda s: cls.profit_split(s.table["revenue"]),
    ],
    "classification.profit_split_summary": [
        lambda s: cls.profit_split_summary(cls.profit_split(s.values))
    ],
    "classification.rfm_table": [
        lambda s: cls.rfm_table(s.orders_in_period, s.end),
        lambda s: cls.rfm_table(s.data.orders, s.data.analysis_date),
    ],
    "classification.rfm_segment_summary": [
        lambda s: cls.rfm_segment_summary(cls.rfm_table(s.orders_in_period, s.end)),
        lambda s: cls.rfm_segment_summary(cls.rfm_table(s.data.orders, s.data.analysis_date)),
    ],
    "classification.value_indicators": [lambda s: s.indicators],
    "classification.value_score": [
        lambda s: cls.value_score(s.indicators),
        lambda s: cls.value_score(s.indicators, {"growth": 1.0}),
    ],
    "classification.value_grade": [
        lambda s: cls.value_grade(cls.value_score(s.indicators)),
        lambda s: cls.value_grade(cls.value_score(s.indicators, {"growth": 1.0})),
    ],
    "classification.unknown_indicators": [lambda s: cls.unknown_indicators(s.indicators)],
    "classification.score_note": [
        lambda s: cls.score_note(s.indicators),
        lambda s: cls.score_note(s.indicators, {"growth": 1.0}),
    ],
    "classification.customer_overview": [lambda s: s.overview],
    "classification.breakdown": [
        lambda s: cls.breakdown(s.overview),
        lambda s: cls.breakdown(s.overview, ["business_format", "market_type"]),
    ],
    "classification.reevaluate": [lambda s: s.grades],
    "classification.grade_migration": [
        lambda s: cls.grade_migration(s.grades.iloc[:, 0], s.grades.iloc[:, 1])
    ],
    "classification.movers": [lambda s: cls.movers(s.grades.iloc[:, 0], s.grades.iloc[:, 1])],
    "classification.grade_leads": [lambda s: cls.grade_leads(s.data.leads)],
    # -- tiers
    "tiers.assign_tiers": [
        lambda s: tiers.assign_tiers(s.table["profit"]),
        lambda s: tiers.assign_tiers(s.table["revenue"]),
        lambda s: tiers.assign_tiers(s.values, method="profit_share", scheme_name="metal"),
    ],
    "tiers.scheme": [lambda s: tiers.scheme("vip"), lambda s: tiers.scheme("metal")],
    # -- pyramid
    "pyramid.profit_waterfall": [lambda s: pyr.profit_waterfall(s.row)],
    "pyramid.tier_summary": [lambda s: pyr.tier_summary(s.table, s.tiers)],
    "pyramid.per_customer": [lambda s: pyr.per_customer(pyr.tier_summary(s.table, s.tiers))],
    "pyramid.whale_curve": [
        lambda s: pyr.whale_curve(s.table["profit"]),
        lambda s: pyr.whale_curve(s.table["revenue"]),
    ],
    "pyramid.whale_peak": [
        lambda s: pyr.whale_peak(s.table["profit"]),
        lambda s: pyr.whale_peak(s.table["revenue"]),
    ],
    "pyramid.whale_note": [lambda s: pyr.whale_note(s.table, s.measure)],
    "pyramid.migration_moves": [
        lambda s: pyr.migration_moves(s.tiers_before, s.tiers, s.table_before[s.measure], s.values)
    ],
    "pyramid.migration_counts": [
        lambda s: pyr.migration_counts(pyr.migration_moves(s.tiers_before, s.tiers))
    ],
    "pyramid.migration_profit_table": [
        lambda s: pyr.migration_profit_table(
            pyr.migration_moves(s.tiers_before, s.tiers, s.table_before[s.measure], s.values)
        )
    ],
    "pyramid.tier_migration": [lambda s: pyr.tier_migration(s.tiers_before, s.tiers)],
    "pyramid.migration_profit": [
        lambda s: pyr.migration_profit(s.tiers_before, s.tiers, s.table_before[s.measure], s.values)
    ],
    "pyramid.tier_responses": [lambda s: pyr.tier_responses("metal")],
    # -- value
    "value.PerceivedValue": [lambda s: va.perceived_value(**dict.fromkeys(PARTS, 1.0)).ratio],
    "value.perceived_value": [
        lambda s: _perceived(**dict.fromkeys(PARTS, 1.0)),
        lambda s: _perceived(**dict.fromkeys(PARTS, 0.0)),
    ],
    "value.promise_scenarios": [lambda s: va.promise_scenarios(8, [6, 8, 10], tolerance=0.5)],
    "value.lifetime_value": [lambda s: va.lifetime_value(s.margin, s.retention)],
    "value.lifetime_values": [lambda s: va.lifetime_values(s.table["profit"], s.retention)],
    "value.clv_by_year": [lambda s: va.clv_by_year(s.margin, s.retention)],
    "value.clv_sensitivity": [lambda s: va.clv_sensitivity(s.margin, s.retention)],
    "value.sensitivity_headline": [
        lambda s: va.sensitivity_headline(va.clv_sensitivity(s.margin, s.retention)),
        lambda s: va.sensitivity_headline(
            va.clv_sensitivity(s.margin, s.retention, retention_step="lost"),
            retention_step="lost",
        ),
    ],
    "value.retention_step_note": [lambda s: va.retention_step_note(min(s.retention, 0.99))],
    "value.retention_rate": [
        lambda s: va.retention_rate(s.data, s.year),
        lambda s: va.retention_rate(s.data, s.year, by=s.tiers_before),
    ],
    "value.core_value_table": [
        lambda s: va.core_value_table(s.data, [s.cid], as_of=s.end),
        lambda s: va.core_value_table(s.data, [s.cid], as_of=s.end, retention=0.8),
    ],
    "value.core_value_analysis": [lambda s: va.core_value_analysis(s.data, s.cid)],
    "value.network_value": [
        lambda s: va.network_value(s.data),
        lambda s: va.network_value(s.data, s.year),
    ],
    "value.hidden_value_summary": [
        lambda s: va.hidden_value_summary(
            va.network_value(s.data, s.year),
            tiers.assign_tiers(cb.customer_profit(s.data, s.year)[s.measure]),
        )
    ],
    "value.StayWhatIf": [
        lambda s: (w := va.StayWhatIf(), w.assumptions(), w.results(), w.figures()),
        lambda s: va.StayWhatIf().sweep("laptop_share", [0.1, 0.3]),
    ],
    # -- key accounts
    "key_accounts.key_account_measures": [lambda s: s.measures],
    "key_accounts.KeyAccountRule": [lambda s: ka.KeyAccountRule(volume_top_share=1.0)],
    "key_accounts.identify_key_accounts": [
        lambda s: ka.identify_key_accounts(s.measures),
        lambda s: ka.identify_key_accounts(s.measures, ka.KeyAccountRule(min_other_criteria=0)),
    ],
    "key_accounts.first_account": [
        lambda s: ka.first_account(
            (found := ka.identify_key_accounts(s.measures))[found["key_account"]]
        )
    ],
    "key_accounts.compare_rules": [
        lambda s: ka.compare_rules(s.measures, ka.KeyAccountRule(volume_top_share=0.5))
    ],
    "key_accounts.key_account_changes": [
        lambda s: ka.key_account_changes(s.data, [s.previous_end, s.end])
    ],
    "key_accounts.yearly_tiers": [lambda s: ka.yearly_tiers(s.data, [s.year - 1, s.year])],
    "lifecycle.StageRules": [lambda s: lc.StageRules()],
    "lifecycle.true_patterns": [lambda s: lc.true_patterns(s.data.lifecycle_truth)],
    "lifecycle.example_customer": [
        lambda s: lc.example_customer(stages_of(s.data), s.data.lifecycle_truth, "midway")
    ],
    "lifecycle.rules_table": [lambda s: lc.rules_table()],
    "lifecycle.monthly_signs": [lambda s: lc.monthly_signs(s.data)],
    "lifecycle.detect_stages": [lambda s: lc.detect_stages(s.data)],
    "lifecycle.score_stages": [
        lambda s: lc.score_stages(stages_of(s.data), s.data.lifecycle_truth)
    ],
    "lifecycle.apply_rules": [
        lambda s: lc.apply_rules(lc.monthly_signs(s.data), lc.StageRules(window_months=6))
    ],
    "lifecycle.true_stages": [lambda s: lc.true_stages(stages_of(s.data), s.data.lifecycle_truth)],
    "lifecycle.score_codes": [lambda s: lc.score_codes(np.array([0, 1, 2]), np.array([0, 1, 1]))],
    "lifecycle.stage_economics": [lambda s: lc.stage_economics(s.data, stages_of(s.data))],
    "lifecycle.pattern_curves": [
        lambda s: lc.pattern_curves(
            st := stages_of(s.data), lc.relationship_patterns(st), months=12
        )
    ],
    "lifecycle.retention_economics": [lambda s: lc.retention_economics(s.data, stages_of(s.data))],
    "lifecycle.programmes": [lambda s: lc.programmes(stages_of(s.data))],
    "lifecycle.relationship_patterns": [lambda s: lc.relationship_patterns(stages_of(s.data))],
    "lifecycle.as_months": [
        lambda s: lc.as_months(s.data.category_purchases["month"]),
        lambda s: lc.as_months(pd.Series(["2024-01", "2024/02", "2024-03-15"])),
    ],
    "lifecycle.stage_codes": [
        lambda s: lc.stage_codes(lc.monthly_signs(s.data), lc.StageRules(stable_share=0.6))
    ],
    "tiers.tiers_at": [
        lambda s: tiers.tiers_at(s.data, s.data.orders["customer_id"], s.data.orders["order_date"])
    ],
    "complaint_triage.severity_rules": [lambda s: ct.severity_rules()],
    "complaint_triage.priority_matrix": [lambda s: ct.priority_matrix()],
    "complaint_triage.targets": [lambda s: ct.targets()],
    "complaint_triage.severity": [lambda s: ct.severity(s.data.complaints["desired_resolution"])],
    "complaint_triage.priority": [
        lambda s: ct.priority(
            complaints_of(s.data, "triaged")["severity"], complaints_of(s.data, "triaged")["tier"]
        )
    ],
    "complaint_triage.triage": [lambda s: complaints_of(s.data, "triaged")],
    "complaint_triage.triage_one": [lambda s: ct.triage_one("high", 1)],
    "complaint_kpis.kpis": [
        lambda s: ck.kpis(complaints_of(s.data, "triaged")),
        lambda s: ck.kpis(complaints_of(s.data, "triaged"), "month"),
    ],
    "complaint_kpis.breaches_by_priority": [
        lambda s: ck.breaches_by_priority(complaints_of(s.data, "triaged"))
    ],
    "complaint_kpis.cause_pareto": [lambda s: ck.cause_pareto(complaints_of(s.data, "triaged"))],
    "complaint_kpis.vital_few": [
        lambda s: ck.vital_few(ck.cause_pareto(complaints_of(s.data, "triaged")))
    ],
    "complaint_kpis.wants_checklist": [
        lambda s: ck.wants_checklist(complaints_of(s.data, "triaged"))
    ],
    "complaint_kpis.wants_summary": [
        lambda s: ck.wants_summary(ck.wants_checklist(complaints_of(s.data, "triaged")))
    ],
    "complaint_kpis.action_list": [
        lambda s: ck.action_list(complaints_of(s.data, "triaged"), complaints_of(s.data, "rows"))
    ],
    "churn.relationships": [lambda s: churn.relationships(s.data)],
    "churn.handling": [lambda s: churn.handling(s.data.complaints)],
    "churn.follow_up_limit": [lambda s: churn.follow_up_limit(s.data)],
    "churn.index_days": [lambda s: complaints_of(s.data, "rows")],
    "churn.churn_rates": [
        lambda s: churn.churn_rates(complaints_of(s.data, "rows"), "group"),
        lambda s: churn.churn_rates(complaints_of(s.data, "rows"), "tier"),
    ],
    "churn.recovery_differences": [
        lambda s: churn.recovery_differences(complaints_of(s.data, "rows"))
    ],
    "churn.recovery_model": [lambda s: churn.recovery_model(complaints_of(s.data, "rows"))],
    "churn.complaint_rows": [lambda s: churn.complaint_rows(complaints_of(s.data, "rows"))],
    "churn.survival_curves": [
        lambda s: churn.survival_curves(complaints_of(s.data, "rows"), "tier")
    ],
    "churn.surviving_at": [
        lambda s: churn.surviving_at(
            churn.survival_curves(complaints_of(s.data, "rows"), "group"), 6
        )
    ],
    "churn.logrank": [lambda s: churn.logrank(complaints_of(s.data, "rows"), "tier")],
    "churn.with_stages": [
        lambda s: churn.with_stages(s.data, complaints_of(s.data, "rows")),
        lambda s: churn.with_stages(s.data, complaints_of(s.data, "rows"), required=False),
    ],
    "churn.churn_kinds": [lambda s: churn.churn_kinds(s.data)],
    "churn.cohort_retention": [
        lambda s: churn.cohort_retention(s.data),
        lambda s: churn.cohort_retention(s.data, freq="M"),
    ],
    "churn.silent_leavers": [lambda s: churn.silent_leavers(s.data)],
    "churn.sales_lost": [lambda s: churn.sales_lost(s.data, complaints_of(s.data, "rows"))],
    "alive.model_data": [
        lambda s: al.model_data(s.data),
        lambda s: al.model_data(s.data, holdout_months=0, unit_days=1),
    ],
    "alive.fit_models": [lambda s: al.fit_models(al.model_data(s.data, holdout_months=0).summary)],
    "alive.model_comparison": [lambda s: al.model_comparison(alive_of(s.data, "today")[1])],
    "alive.probability_alive": [
        lambda s: al.probability_alive(
            alive_of(s.data, "today")[1].bgnbd, alive_of(s.data, "today")[0].summary
        )
    ],
    "alive.holdout_check": [
        lambda s: al.holdout_check(
            alive_of(s.data, "calibration")[1].pareto_nbd, alive_of(s.data, "calibration")[0]
        )
    ],
    "alive.repeat_histogram": [
        lambda s: al.repeat_histogram(
            alive_of(s.data, "today")[1].pareto_nbd, alive_of(s.data, "today")[0].summary
        )
    ],
    "alive.alive_matrix": [
        lambda s: al.alive_matrix(alive_of(s.data, "today")[1].bgnbd, 52.0, max_frequency=5)
    ],
    "alive.purchases_matrix": [
        lambda s: al.purchases_matrix(
            alive_of(s.data, "today")[1].pareto_nbd, 52.0, 13, max_frequency=5
        )
    ],
    "alive.alive_by_month": [lambda s: alive_of(s.data, "monthly")],
    "alive.customer_history": [
        lambda s: al.customer_history(s.data, alive_of(s.data, "monthly"), s.cid)
    ],
    "alive.silence_examples": [lambda s: al.silence_examples(alive_of(s.data, "today")[0].summary)],
    "alive.warning_flags": [lambda s: alive_of(s.data, "flags")],
    "alive.score_warnings": [lambda s: al.score_warnings(alive_of(s.data, "flags"))],
    "alive.early_warning": [
        lambda s: (
            al.early_warning(
                stages_of(s.data), alive_of(s.data, "monthly"), s.data.lifecycle_truth, 0.3
            ).table
        )
    ],
    "alive.alarm_race": [lambda s: alive_of(s.data, "race")],
    "alive.race_example": [
        lambda s: al.race_example(
            alive_of(s.data, "race"), alive_of(s.data, "flags"), s.data, "model first"
        )
    ],
    "alive.signal_names": [lambda s: al.signal_names(0.25)],
    "alive.lifetime_values": [
        lambda s: al.lifetime_values(
            *reversed(alive_of(s.data, "today")), months=6, annual_rate=0.0
        )
    ],
    "alive.retention_list": [
        lambda s: al.retention_list(al.lifetime_values(*reversed(alive_of(s.data, "today"))), n=5)
    ],
    "key_accounts.profile_card": [
        lambda s: s.card,
        lambda s: ka.profile_card(s.data, s.cid),
        lambda s: ka.profile_card(s.data, s.cid, plan=s.plan),
    ],
    "key_accounts.ProfileCard": [lambda s: s.card.to_frame()],
    "key_accounts.card_figures": [lambda s: ka.card_figures(s.card)],
    "key_accounts.require_facts": [
        lambda s: ka.require_facts(
            s.card.to_frame().set_index("field")["value"],
            ["share of wallet", "price sensitivity", "credit limit"],
        )
    ],
    "key_accounts.plan_template": [lambda s: ka.plan_template(s.cid).problems(s.data)],
    "key_accounts.AccountPlan": [
        lambda s: s.plan.problems(s.data),
        lambda s: (s.plan.is_template(), s.plan.to_frame()),
    ],
    # -- satisfaction (a folder of orders alone has no surveys: MissingData)
    "satisfaction.gap_scores": [lambda s: satisfaction.gap_scores(s.data.surveys)],
    "satisfaction.derived_importance": [lambda s: satisfaction.derived_importance(s.data.surveys)],
    "satisfaction.importance_performance": [
        lambda s, c=c, i=i: satisfaction.importance_performance(
            s.data.surveys, crosshairs=c, importance=i
        )
        for c in ("means", "midpoints")
        for i in ("stated", "derived")
    ],
    "satisfaction.nps": [lambda s: satisfaction.nps(s.data.surveys["recommend"])],
    "satisfaction.nps_difference": [
        lambda s: satisfaction.nps_difference(
            s.data.surveys["recommend"].iloc[::2], s.data.surveys["recommend"].iloc[1::2]
        )
    ],
    "satisfaction.smallest_real_change": [
        lambda s: satisfaction.smallest_real_change(200, 150, promoters=0.3, detractors=0.4)
    ],
    "satisfaction.nps_by": [
        lambda s: satisfaction.nps_by(s.data, "quarter"),
        lambda s: satisfaction.nps_by(s.data, "tier"),
    ],
    "satisfaction.indicators": [lambda s: satisfaction.indicators(s.data)],
    "satisfaction.loyalty_after_survey": [lambda s: satisfaction.loyalty_after_survey(s.data)],
    "satisfaction.satisfaction_loyalty": [lambda s: satisfaction.satisfaction_loyalty(s.data)],
    "satisfaction.satisfied_not_loyal": [lambda s: satisfaction.satisfied_not_loyal(s.data)],
    "satisfaction.service_actions": [lambda s: satisfaction.service_actions()],
    "satisfaction.pdca": [lambda s: satisfaction.pdca(s.data.surveys)],
    "satisfaction.customer_needs": [lambda s: satisfaction.customer_needs()],
    "satisfaction.service_stages": [lambda s: satisfaction.service_stages()],
    "satisfaction.need_gaps": [lambda s: satisfaction.need_gaps(s.data.surveys)],
    # -- callback_plan
    "callback_plan.Discipline": [lambda s: cp.Discipline().minutes("anniversary")],
    "callback_plan.Weights": [lambda s: cp.Weights(tier=0, stage=0, risk=0, complaint=0)],
    "callback_plan.reasons": [lambda s: cp.reasons()],
    "callback_plan.holidays": [lambda s: cp.holidays([s.year, s.year + 1])],
    "callback_plan.week_before": [lambda s: cp.week_before("Spring Festival", s.end)],
    "callback_plan.first_week": [lambda s: cp.first_week(s.end)],
    "callback_plan.Customers": [lambda s: plan_of(s.data, "known").table],
    "callback_plan.candidates": [
        lambda s: plan_of(s.data, "due"),
        lambda s: cp.candidates(
            plan_of(s.data, "known"), cp.first_week(s.data.analysis_date) + pd.Timedelta(days=35)
        ),
    ],
    "callback_plan.revalue": [lambda s: cp.revalue(plan_of(s.data, "due"), cp.Weights(risk=0))],
    "callback_plan.team": [lambda s: plan_of(s.data, "crew")],
    "callback_plan.book_of": [
        lambda s: cp.book_of(plan_of(s.data, "known"), plan_of(s.data, "crew"))
    ],
    "callback_plan.budgets": [lambda s: cp.budgets(plan_of(s.data, "crew"))],
    "callback_plan.assign_accounts": [
        lambda s: cp.assign_accounts(plan_of(s.data, "due")["customer_id"], plan_of(s.data, "crew"))
    ],
    "callback_plan.plan_week": [
        lambda s: plan_of(s.data, "plan").contacts,
        lambda s: (
            cp.plan_week(
                plan_of(s.data, "due"), plan_of(s.data, "crew"), keep_accounts=False, must=()
            ).left_out
        ),
    ],
    "callback_plan.greedy_week": [lambda s: plan_of(s.data, "greedy").contacts],
    "callback_plan.Plan": [lambda s: plan_of(s.data, "plan").by_manager()],
    "callback_plan.compare": [
        lambda s: cp.compare(plan_of(s.data, "plan"), plan_of(s.data, "greedy"))
    ],
    "callback_plan.reason_mix": [lambda s: cp.reason_mix(plan_of(s.data, "plan"))],
}

#: Public functions called by no entry of CALLS, each with the reason.
NOT_CALLED = {
    "customer_base.money": "formats one number it is given; its callers are tested",
    "tiers.TierScheme": "a record of four tier names; `tiers.scheme` returns them",
    "lifecycle.StageScore": "a record of a score; `score_stages` returns it",
    "alive.ModelData": "a record of a summary and its periods; `model_data` returns it",
    "alive.Fits": "a record of three fits; `fit_models` returns it",
    "alive.WarningScore": "a record of a score; `early_warning` returns it",
}


def public_functions() -> list[str]:
    """Every function and class defined (not imported) in a topic module, without _."""
    names = []
    for prefix, module in MODULES.items():
        for name, thing in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(thing) or inspect.isclass(thing)):
                continue
            if thing.__module__ == module.__name__:
                names.append(f"{prefix}.{name}")
    return sorted(names)


def test_every_public_function_has_a_call():
    missing = [n for n in public_functions() if n not in CALLS and n not in NOT_CALLED]
    assert not missing, f"add these to CALLS in {Path(__file__).name} (or to NOT_CALLED): {missing}"
    gone = [n for n in [*CALLS, *NOT_CALLED] if n not in public_functions()]
    assert not gone, f"no longer public functions; remove them from the tables: {gone}"


# -- what counts as a good outcome ----------------------------------------------------------

#: "nan" or "inf" as a word in text meant for people: a number that could not be computed.
UNKNOWN_NUMBER = re.compile(r"(?<![a-z])(nan|inf|-inf|<na>|nat)(?![a-z])", re.IGNORECASE)


def bad_text(value: object, where: str = "result") -> list[str]:
    """Numbers that could not be computed, in a result: nan/inf in its text (a string, a
    frame's text cells, a card) or as a number (a float, a float Series, in a tuple or dict)."""
    if isinstance(value, str):
        return [f"{where} shows {value!r}"] if UNKNOWN_NUMBER.search(value) else []
    if isinstance(value, ka.ProfileCard):
        return bad_text(value.to_frame(), f"{where} (card)")
    if isinstance(value, pd.DataFrame):
        found = []
        for column in value.columns:
            if value[column].dtype == object or pd.api.types.is_string_dtype(value[column]):
                for cell in value[column].dropna():
                    found += bad_text(cell, f"{where}[{column!r}]") if isinstance(cell, str) else []
        return found[:3]
    if isinstance(value, float | np.floating):
        return [] if math.isfinite(value) else [f"{where} is {value}"]
    if isinstance(value, pd.Series) and pd.api.types.is_float_dtype(value.dtype):
        unknown = value.index[~np.isfinite(value.to_numpy(dtype=float))]
        return [f"{where} is unknown for {list(unknown[:3])}"] if len(unknown) else []
    if isinstance(value, tuple | list):
        return [p for i, v in enumerate(value) for p in bad_text(v, f"{where}[{i}]")][:3]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in bad_text(v, f"{where}[{k!r}]")][:3]
    return []


#: Columns of a result that are numbers whatever the data leaves out ("*": every numeric
#: column): a NaN or inf there is a number that could not be computed, shown as one.
FINITE: dict[str, list[str]] = {
    "customer_base.customer_profit": [
        "revenue",
        *cb.SERVICE_PARTS,
        "cost_to_serve",
        "orders",
        "contacts",
        "complaints",
    ],
    "classification.abc_analysis": ["value", "share", "cum_share"],
    "classification.abc_summary": ["customer_share", "value", "value_share"],
    "classification.concentration_table": ["share of total"],
    "classification.profit_split_summary": ["customer_share", "profit", "profit_share"],
    "classification.rfm_table": ["monetary"],
    "classification.rfm_segment_summary": ["recency_days", "frequency", "revenue_share"],
    "classification.value_indicators": ["growth"],
    "classification.breakdown": ["*"],
    "tiers.assign_tiers": ["value", "customer_share_before", "value_share_before"],
    "pyramid.tier_summary": ["customers", "customer_share", "revenue", "cost_to_serve"],
    "pyramid.per_customer": ["*"],
    "pyramid.whale_curve": ["*"],
    "pyramid.migration_profit": ["*"],
    "pyramid.migration_profit_table": ["*"],
    "value.clv_by_year": ["*"],
    "value.clv_sensitivity": ["clv_low", "clv_base", "clv_high", "swing"],
    "value.promise_scenarios": ["*"],
    "value.network_value": ["revenue", "own_profit", "referred_profit", "network_profit"],
    "value.hidden_value_summary": [
        "customers",
        "referrers",
        "share_referring",
        "referred_profit",
        "referred_profit_per_referrer",
    ],
    "value.core_value_table": ["*"],
    "key_accounts.key_account_measures": ["revenue", "contacts_per_month", "months_ordered_share"],
}


def unknown_numbers(name: str, result: object) -> list[str]:
    """The FINITE columns of a frame result that hold NaN or inf."""
    columns = FINITE.get(name)
    if not columns or not isinstance(result, pd.DataFrame):
        return []
    if columns == ["*"]:
        columns = [c for c in result.columns if pd.api.types.is_numeric_dtype(result[c])]
    found = []
    for column in columns:
        values = result[column].to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            found.append(f"{column!r} is {values[bad][0]} for {list(result.index[bad][:3])}")
    return found


def outcome(name: str, call: Callable[[Scenario], object], scenario: Scenario) -> str | None:
    """None when the call gives a clean result or a CrmkitError with a sentence; else what
    went wrong, with the raw error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = call(scenario)
        except NotApplicable:
            return None
        except CrmkitError as err:
            text = str(err)
            if len(text.split()) < 4 or UNKNOWN_NUMBER.search(text):
                return f"{type(err).__name__} without a clear sentence: {text!r}"
            return None
        except Exception as err:  # noqa: BLE001 (what the test is looking for)
            return f"{type(err).__name__}: {err}"
    problems = bad_text(result) + unknown_numbers(name, result)
    return "; ".join(problems) if problems else None


def failures_of(calls: dict[str, list[Callable]], scenario: Scenario) -> list[str]:
    """What goes wrong in `calls` on one scenario."""
    found = []
    for name, entries in calls.items():
        for i, call in enumerate(entries):
            problem = outcome(name, call, scenario)
            if problem:
                found.append(f"{name} (call {i + 1}): {problem}")
    return found


SCENARIOS = [(d, p) for d in DATA_CASES for p in PERIOD_CASES]


@pytest.mark.parametrize(("data_case", "period_case"), SCENARIOS)
def test_every_public_function_gives_a_result_or_a_sentence(data_case, period_case):
    failures = failures_of(CALLS, Scenario(data_of(data_case), period_case))
    assert not failures, "\n".join(failures)


# -- per-customer tables at their edges ------------------------------------------------------


@cache
def edge_tables() -> dict[str, pd.DataFrame]:
    """customer_profit tables: no buyer, one buyer, every profit unknown, every value zero."""
    data = data_of("three calendar years")
    sample = data_of("sample")
    one = cb.customer_profit(sample, cb.periods(sample).last_full_year)
    money_columns = [c for c in cb.PROFIT_COLUMNS if c not in ("orders", "contacts", "complaints")]
    return {
        "no buyer": cb.customer_profit(data, 2019),
        "one buyer": cb.customer_profit(data, ("2022-01-01", "2022-02-01")),
        "no margins": cb.customer_profit(data, 2023),
        "all zero": one.assign(**dict.fromkeys(money_columns, 0.0)),
        "one buyer, sample": one.iloc[:1],
        "sample": one,
    }


class Table(Scenario):
    """A scenario whose per-customer table is given (an edge case) rather than computed."""

    def __init__(self, table: pd.DataFrame) -> None:
        super().__init__(data_of("sample"), "last 12 months")
        self.__dict__["table"] = table  # the cached_property's slot


#: The functions of a per-customer table (or its columns), as in CALLS: call(scenario), where
#: the scenario's `table` is the edge case.
TABLE_CALLS: dict[str, list[Callable[[Scenario], object]]] = {
    name: CALLS[name]
    for name in [
        "customer_base.short_view",
        "customer_base.ranking_measure",
        "customer_base.known",
        "customer_base.service_cost",
        "customer_base.most_profitable",
        "customer_base.least_profitable",
        "customer_base.best_first",
        "customer_base.net_total",
        "classification.abc_analysis",
        "classification.abc_summary",
        "classification.pareto_share",
        "classification.concentration_table",
        "classification.profit_split",
        "classification.profit_split_summary",
        "tiers.assign_tiers",
        "pyramid.profit_waterfall",
        "pyramid.tier_summary",
        "pyramid.per_customer",
        "pyramid.whale_curve",
        "pyramid.whale_peak",
        "pyramid.whale_note",
        "value.lifetime_values",
        "value.lifetime_value",
        "value.clv_sensitivity",
        "value.sensitivity_headline",
    ]
}
TABLE_CALLS["pyramid.tier_migration"] = [
    lambda s: pyr.tier_migration(s.tiers, tiers.assign_tiers(s.values.iloc[::2]))
]


EDGE_CASES = ["no buyer", "one buyer", "no margins", "all zero", "one buyer, sample", "sample"]


def test_the_edge_cases_are_the_edge_tables():
    assert list(edge_tables()) == EDGE_CASES


@pytest.mark.parametrize("case", EDGE_CASES)
def test_per_customer_tables_at_their_edges(case):
    failures = failures_of(TABLE_CALLS, Table(edge_tables()[case]))
    assert not failures, "\n".join(failures)


def test_an_empty_period_gives_an_empty_typed_table():
    data = data_of("three calendar years")
    table = cb.customer_profit(data, 2019)
    sample = cb.customer_profit(data_of("sample"), 2024)
    assert table.empty and list(table.columns) == list(sample.columns)
    assert list(table.dtypes) == list(sample.dtypes)


# -- random small order tables ---------------------------------------------------------------

DAYS = pd.date_range("2022-01-01", "2024-12-31", freq="D")
orders_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # customer
        st.integers(0, len(DAYS) - 1),  # day
        st.sampled_from([0.0, -40.0, -5.5, 1.0, 12.25, 100.0, 999.99]),  # amount
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(orders_strategy, st.sampled_from(["last 12 months", "year", "all"]))
def test_random_small_order_tables(rows, which):
    """Any small table of orders, losses and zeros included, through the per-customer
    table into classification, tiers and the pyramid: a result or a sentence, and the
    results add up."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_orders(
            Path(tmp) / "orders_only",
            [(f"C{c}", f"{DAYS[d]:%Y-%m-%d}", amount) for c, d, amount in rows],
        )
        data = load_sample(folder)
    period = {
        "last 12 months": cb.periods(data).last_12_months,
        "year": cb.year(int(data.analysis_date.year)),
        "all": None,
    }[which]
    table = cb.customer_profit(data, period)
    in_period = (
        data.orders if period is None else data.orders[period.contains(data.orders["order_date"])]
    )
    assert table["revenue"].sum() == pytest.approx(in_period["revenue"].sum())
    assert len(table) == in_period["customer_id"].nunique()
    failures = failures_of(TABLE_CALLS, Table(table))
    scenario = Scenario(data, "last 12 months")
    picked = ["classification.rfm_table", "pyramid.tier_migration", "value.retention_rate"]
    failures += failures_of({n: CALLS[n] for n in picked}, scenario)
    assert not failures, "\n".join(failures)
    if len(table):  # the results add up
        revenue = table["revenue"]
        tiered = tiers.assign_tiers(revenue)
        assert len(tiered) == len(table) and tiered["tier"].notna().all()
        summary = pyr.tier_summary(table, tiered)
        assert summary["customers"].sum() == len(table)
        assert summary["revenue"].sum() == pytest.approx(revenue.sum())
        if revenue.sum() > 0:
            abc = cls.abc_analysis(revenue)
            assert set(abc.index) == set(table.index)
            assert abc["share"].sum() == pytest.approx(1.0)
            assert (abc.loc[abc["value"] <= 0, "class"] == "C").all()
            assert math.isclose(pyr.whale_curve(revenue)["cum_profit_share"].iloc[-1], 1.0)


# -- what the data leaves out is unknown, not made up ----------------------------------------


def test_indicators_the_data_cannot_measure_are_unknown_and_left_out_of_the_score():
    data = data_of("three calendar years")
    indicators = cls.value_indicators(
        data.orders, data.category_purchases, period_end=data.analysis_date
    )
    # no due dates, promotions, category totals or margins: not 0, 100 or 75 for everyone
    assert indicators[["integrity", "cooperation", "dependence", "contribution"]].isna().all().all()
    assert indicators["growth"].notna().all()
    assert cls.unknown_indicators(indicators) == [
        "integrity",
        "cooperation",
        "dependence",
        "contribution",
    ]
    with pytest.raises(MissingData, match="value score weighs several indicators"):
        cls.value_score(indicators)  # growth alone is left: one indicator is not a score
    assert "orders: payment_due_date" in cls.score_note(indicators)
    assert cls.score_note(indicators, {"growth": 1.0}) == ""  # asked for growth alone: fine
    alone = cls.value_score(indicators, {"growth": 1.0})
    assert alone.equals(indicators["growth"].rename("value_score"))
    two = indicators.assign(cooperation=50.0)  # two known indicators make a score
    both = cls.value_score(two, {"growth": 0.15, "cooperation": 0.15, "contribution": 0.7})
    assert both.equals(((two["growth"] + two["cooperation"]) / 2).rename("value_score"))
    assert "orders: gross_margin" in cls.score_note(two)
    with pytest.raises(MissingData, match="orders: gross_margin"):
        cls.value_score(indicators, {"contribution": 1.0})
    with pytest.raises(MissingData, match="value score"):
        cls.value_grade(pd.Series(np.nan, index=indicators.index, name="value_score"))
    sample = data_of("sample")
    full = cls.value_indicators(
        sample.orders, sample.category_purchases, period_end=sample.analysis_date
    )
    assert cls.unknown_indicators(full) == [] and cls.score_note(full) == ""


def test_key_account_measures_the_data_leaves_out_meet_no_criterion_and_say_unknown():
    data = data_of("three calendar years")
    measures = ka.key_account_measures(data)
    assert measures["share_of_wallet"].isna().all()  # no category purchases: not 0%
    assert measures["price_sensitivity"].isna().all()  # no discounts: not 0% of margin
    found = ka.identify_key_accounts(measures)
    assert not found["price_sensitivity"].any() and not found["concentration"].any()
    assert all("share of wallet unknown" in r and "discounts unknown" in r for r in found["reason"])


def test_without_margins_profit_figures_are_missing_data_not_zero():
    data = data_of("sample without margins")
    year = cb.periods(data).last_full_year
    overview = cls.customer_overview(data)
    with pytest.raises(MissingData, match="gross_margin"):
        cls.breakdown(overview)  # profit per customer would read ¥0
    with pytest.raises(MissingData, match="gross_margin"):
        va.network_value(data, year.year)  # referred profit would read ¥0
    cid = cb.customer_profit(data, year).index[0]
    with pytest.raises(MissingData, match="gross_margin"):
        va.core_value_table(data, [cid], retention=0.8)
    with pytest.raises(MissingData, match="gross_margin"):
        va.lifetime_values(cb.customer_profit(data, year)["profit"], 0.8)


def test_shares_of_a_zero_total_are_refused_with_a_sentence():
    zero = pd.Series([0.0, 0.0], index=["C1", "C2"])
    with pytest.raises(CrmkitError, match="add up to zero or less"):
        cls.concentration_table(zero)
    with pytest.raises(CrmkitError, match="add up to zero or less"):
        cls.profit_split_summary(cls.profit_split(zero))
    headline = va.sensitivity_headline(va.clv_sensitivity(0.0, 0.8))
    assert "nan" not in headline and headline.startswith("The lifetime value is ¥0")
    with pytest.raises(CrmkitError, match="no customers"):
        cb.most_profitable(cb.customer_profit(data_of("one order"), 2019))
