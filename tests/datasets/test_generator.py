"""Tests of the seeded sample-data generator: schema, determinism, committed files, signals."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmkit.datasets.generate import DEFAULT_SEED, TABLES, generate, main_generate, write_dataset
from crmkit.datasets.generate.words import keyed, words
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "datasets"
PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
SCHEMAS = {r["name"]: r["schema"] for r in PACKAGE["resources"]}
FIRST = pd.Timestamp("2023-01-01")
LAST_DAY = pd.Timestamp("2025-12-31")
LAST_MINUTE = pd.Timestamp("2025-12-31 23:59")
DIMS = ("reliability", "tangibles", "responsiveness", "empathy", "assurance")


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    """The sample as committed: 2,000 customers, default seed."""
    return generate(2000, DEFAULT_SEED)


@pytest.fixture(scope="module")
def months(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Customer-month grid: stage, category total, our revenue, contact cost."""
    o = data["orders"].assign(month=lambda d: d.order_date.dt.strftime("%Y-%m"))
    k = data["contacts"].assign(month=lambda d: d.contact_date.dt.strftime("%Y-%m"))
    rev = o.groupby(["customer_id", "month"]).revenue.sum().reset_index()
    cost = k.groupby(["customer_id", "month"]).cost.sum().reset_index()
    grid = data["lifecycle_truth"].merge(data["category_purchases"], on=["customer_id", "month"])
    grid = grid.merge(rev, how="left").merge(cost, how="left")
    return grid.fillna({"revenue": 0.0, "cost": 0.0})


def _profit(data: dict[str, pd.DataFrame]) -> pd.Series:
    ids = data["customers"].customer_id
    gm = data["orders"].groupby("customer_id").gross_margin.sum().reindex(ids, fill_value=0)
    cost = data["contacts"].groupby("customer_id").cost.sum().reindex(ids, fill_value=0)
    return gm - cost


def _monthly_revenue(data: dict[str, pd.DataFrame]) -> pd.Series:
    """Average revenue per active month (a size measure independent of tenure)."""
    lt = data["lifecycle_truth"]
    active = lt[lt.stage != "ended"].groupby("customer_id").size()
    rev = data["orders"].groupby("customer_id").revenue.sum()
    ids = data["customers"].customer_id
    return (rev / active).reindex(ids).fillna(0.0)


# --- schema -------------------------------------------------------------------------------
def test_tables_and_columns_follow_the_data_dictionary(data: dict[str, pd.DataFrame]) -> None:
    assert tuple(data) == TABLES == tuple(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert list(data[name].columns) == [f["name"] for f in schema["fields"]], name


@pytest.mark.parametrize("name", TABLES)
def test_field_constraints(data: dict[str, pd.DataFrame], name: str) -> None:
    frame = data[name]
    assert len(frame) > 0
    for f in SCHEMAS[name]["fields"]:
        col, c = frame[f["name"]], f.get("constraints", {})
        where = f"{name}.{f['name']}"
        if c.get("required"):
            assert col.notna().all(), where
        values = col.dropna()
        if "enum" in c:
            assert set(values.astype(str)) <= set(c["enum"]), where
        if "minimum" in c:
            assert (values >= c["minimum"]).all(), where
        if "maximum" in c:
            assert (values <= c["maximum"]).all(), where
        if "pattern" in c:
            assert values.astype(str).str.fullmatch(c["pattern"]).all(), where
        if f["type"] in ("date", "datetime"):
            assert pd.api.types.is_datetime64_any_dtype(col), where
            limit = LAST_DAY if f["type"] == "date" else LAST_MINUTE
            if f["name"] != "payment_due_date":
                assert (values <= limit).all(), where
            if f["name"] != "join_date":
                assert (values >= FIRST).all(), where
        if f["type"] == "boolean" and c.get("required"):
            assert col.dtype == bool, where
        if f["type"] in ("number", "integer"):
            assert pd.api.types.is_numeric_dtype(col), where


@pytest.mark.parametrize("name", TABLES)
def test_keys_unique_and_foreign_keys_resolve(data: dict[str, pd.DataFrame], name: str) -> None:
    schema = SCHEMAS[name]
    pk = schema["primaryKey"]
    pk = [pk] if isinstance(pk, str) else pk
    assert not data[name].duplicated(pk).any()
    for fk in schema.get("foreignKeys", []):
        ref = data[fk["reference"]["resource"]][fk["reference"]["fields"]]
        assert data[name][fk["fields"]].isin(ref).all()


def test_ids_names_and_time_order(data: dict[str, pd.DataFrame]) -> None:
    c, q, o, L = data["customers"], data["complaints"], data["orders"], data["leads"]
    assert c.customer_id.str.fullmatch(r"C\d{5}").all()
    assert o.order_id.str.fullmatch(r"O\d{7}").all()
    assert L.lead_id.iloc[0] == "L00001" and len(L) == 150
    assert c.shop_name.is_unique and L.shop_name.is_unique
    assert c.referred_by.dropna().isin(c.customer_id).all()
    assert (c.referred_by != c.customer_id).all()
    assert (q.first_response_at >= q.opened_at).all()
    done = q.resolved_at.notna()
    assert (q.resolved_at[done] >= q.first_response_at[done]).all()
    assert (o.payment_due_date >= o.order_date).all()
    paid = o.paid_date.notna()
    assert (o.paid_date[paid] >= o.order_date[paid]).all()
    assert (L.last_contact_date >= L.first_contact_date).all()
    assert (o.order_date >= o.customer_id.map(c.set_index("customer_id").join_date)).all()


def test_lifecycle_truth_covers_each_customer_month(data: dict[str, pd.DataFrame]) -> None:
    c, lt = data["customers"], data["lifecycle_truth"]
    start = c.join_date.clip(lower=FIRST)
    first = start.dt.strftime("%Y-%m")
    expected = 36 - ((start.dt.year - 2023) * 12 + start.dt.month - 1)
    counts = lt.groupby("customer_id").size().reindex(c.customer_id)
    assert (counts.to_numpy() == expected.to_numpy()).all()
    assert (lt.groupby("customer_id").month.min().reindex(c.customer_id).to_numpy() == first).all()
    assert lt.groupby("customer_id").pattern.nunique().max() == 1
    keys = ["customer_id", "month"]
    assert (data["category_purchases"][keys].to_numpy() == lt[keys].to_numpy()).all()
    # once ended, always ended
    ended = (lt.stage == "ended").astype(int)
    assert (ended.groupby(lt.customer_id).diff().fillna(0) >= 0).all()


# --- files --------------------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_dataset(generate(150, 7), a, seed=7, customers=150)
    write_dataset(generate(150, 7), b, seed=7, customers=150)
    write_dataset(generate(150, 8), c, seed=8, customers=150)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted([f"{t}.csv" for t in TABLES] + ["metadata.json"])
    assert not any(p.name.endswith(".tmp") for p in a.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "orders.csv").read_bytes() != (c / "orders.csv").read_bytes()


def test_committed_sample_equals_fresh_generation(tmp_path: Path, capsys) -> None:
    main_generate(2000, DEFAULT_SEED, tmp_path)
    assert "orders.csv" in capsys.readouterr().out
    for name in [f"{t}.csv" for t in TABLES] + ["metadata.json"]:
        assert (DATASETS / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_csv_format() -> None:
    meta = json.loads((DATASETS / "metadata.json").read_text(encoding="utf-8"))
    files = meta.pop("files")
    assert meta == {
        "analysis_date": "2025-12-31",
        "customers": 2000,
        "end_date": "2025-12-31",
        "generator_version": "1",
        "seed": DEFAULT_SEED,
        "start_date": "2023-01-01",
    }
    # the checksums of what the generator wrote, by which a later run knows its own files
    assert files == {
        f"{t}.csv": hashlib.sha256((DATASETS / f"{t}.csv").read_bytes()).hexdigest() for t in TABLES
    }
    for name, schema in SCHEMAS.items():
        raw = (DATASETS / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
        text = pd.read_csv(DATASETS / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(text.columns) == [f["name"] for f in schema["fields"]]
        for f in schema["fields"]:
            col = text[f["name"]]
            col = col[col != ""]
            pattern = {
                "date": r"\d{4}-\d{2}-\d{2}",
                "datetime": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
                "boolean": r"[01]",
                "integer": r"-?\d+",
            }.get(f["type"])
            if f["type"] == "number" and f.get("unit") == "CNY":
                pattern = r"-?\d+\.\d{2}"
            if pattern:
                assert col.str.fullmatch(pattern).all(), (name, f["name"])


def test_a_table_without_rows_writes_only_its_header(tmp_path: Path) -> None:
    tables = generate(60, 11)
    tables["complaints"] = tables["complaints"].iloc[:0]
    write_dataset(tables, tmp_path, seed=11, customers=60)
    header = ",".join(f["name"] for f in SCHEMAS["complaints"]["fields"])
    assert (tmp_path / "complaints.csv").read_text(encoding="utf-8") == header + "\n"


# --- word lists ---------------------------------------------------------------------------
def _enum(table: str, column: str) -> list[str]:
    return next(f for f in SCHEMAS[table]["fields"] if f["name"] == column)["constraints"]["enum"]


def test_word_lists_are_well_formed() -> None:
    """words.csv has every list the generator draws from, keyed by the schema's enums."""
    text = (files("crmkit.datasets.generate") / "words.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == ["list", "key", "text"]
    lists: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        assert row["text"] and row["text"] == row["text"].strip(), row
        lists.setdefault(row["list"], {}).setdefault(row["key"], []).append(row["text"])
    causes = set(_enum("complaints", "cause"))
    by_cause = ("staff_role", "what_happened", "how_it_happened", "product", "why_disappointed")
    expected = {name: {""} for name in ("family_title", "surname", "name_word", "staff_name")}
    expected |= {"other_cause": {""}, "shop_noun": set(_enum("customers", "business_format"))}
    expected |= {name: causes for name in by_cause}
    assert {name: set(by_key) for name, by_key in lists.items()} == expected
    for name, by_key in lists.items():
        for key, texts in by_key.items():
            assert len(texts) == len(set(texts)), f"duplicate words in {name} {key}"
    assert all(len(pair) == 2 for pair in lists["staff_role"].values())  # drawn as pairs


def test_a_missing_word_list_is_reported() -> None:
    with pytest.raises(
        CrmkitError, match="words.csv: list 'shop_noun' has no words for key 'florist'"
    ):
        keyed("shop_noun", ("kiosk", "florist"))


def test_shop_names_come_from_the_word_lists(data: dict[str, pd.DataFrame]) -> None:
    firsts = set(words("name_word"))
    firsts |= {f"{a} {b}" for a in words("family_title") for b in words("surname")}
    formats = _enum("customers", "business_format")
    nouns = dict(zip(formats, keyed("shop_noun", tuple(formats)), strict=True))
    c = data["customers"]
    base = c.shop_name.str.replace(r"( \d+)+$", "", regex=True)
    for name, fmt in zip(base, c.business_format, strict=True):
        ends = [n for n in nouns[fmt] if name.endswith(" " + n)]
        assert any(name[: -len(n) - 1] in firsts for n in ends), (name, fmt)


# --- signals ------------------------------------------------------------------------------
def test_profit_is_concentrated_and_some_customers_lose_money(data) -> None:
    profit = _profit(data).sort_values(ascending=False)
    top = profit.iloc[: len(profit) // 5].sum() / profit.sum()
    assert 0.7 <= top <= 0.9
    assert 0.10 <= (profit < 0).mean() <= 0.25
    whale = profit.cumsum() / profit.sum()  # the whale curve rises above 100%, then falls
    assert whale.max() > 1.05


def test_formats_and_markets_differ(data) -> None:
    c = data["customers"][["customer_id", "business_format", "market_type"]]
    o, k = data["orders"].merge(c), data["contacts"].merge(c)
    by = o.groupby("business_format")
    size, rate = by.revenue.median(), by.gross_margin.sum() / by.revenue.sum()
    cost_per_yuan = k.groupby("business_format").cost.sum() / by.revenue.sum()
    assert size.idxmax() == "supermarket" and size.idxmin() == "kiosk"
    assert rate.idxmin() == "supermarket" and rate["kiosk"] > rate["supermarket"] + 0.05
    assert cost_per_yuan.idxmax() == "kiosk"
    visit = k[k.contact_type == "visit"].groupby("market_type").cost.mean()
    assert visit["rural"] > visit["suburban"] > visit["urban"]
    by_type = k.groupby("contact_type").cost.mean()
    assert by_type["visit"] > 3 * by_type["phone_call"]
    # customer size is skewed (lognormal-like)
    monthly = _monthly_revenue(data)
    assert monthly.mean() > 1.3 * monthly.median()


def test_tier_migration_both_ways(data) -> None:
    o = data["orders"]
    rev = o.pivot_table(
        index="customer_id", columns=o.order_date.dt.year, values="revenue", aggfunc="sum"
    )
    both = rev[[2024, 2025]].dropna()
    q24 = np.ceil(both[2024].rank(pct=True) * 5)
    q25 = np.ceil(both[2025].rank(pct=True) * 5)
    assert (q25 > q24).mean() >= 0.10 and (q25 < q24).mean() >= 0.10


def test_value_indicators_vary_independently(data) -> None:
    o = data["orders"]
    by = o.groupby("customer_id")
    on_time = (o.paid_date.notna() & (o.paid_date <= o.payment_due_date)).groupby(o.customer_id)
    rev = o.pivot_table(
        index="customer_id", columns=o.order_date.dt.year, values="revenue", aggfunc="sum"
    )
    cat = data["category_purchases"].groupby("customer_id").category_total.sum()
    ind = pd.DataFrame(
        {
            "on_time": on_time.mean(),
            "promotion": by.promotion.mean(),
            "share_of_wallet": by.revenue.sum() / cat,
            "growth": np.log((rev[2025] + 1) / (rev[2024] + 1)),
            "margin": by.gross_margin.sum() / by.revenue.sum(),
        }
    )
    corr = ind.corr().abs().to_numpy()[np.triu_indices(5, 1)]
    assert corr.max() < 0.7
    assert ind.std().min() > 0.01
    rate = on_time.mean()
    assert (rate < 0.6).mean() >= 0.05  # habitual late payers
    assert 0 < o.paid_date.isna().mean() < 0.05  # a few unpaid orders
    assert ind.promotion.quantile(0.9) - ind.promotion.quantile(0.1) > 0.2


def test_stages_show_in_orders_wallet_and_contacts(data, months) -> None:
    g = months.groupby(["customer_id", "stage"])[["revenue", "category_total", "cost"]].sum()
    sow = (g.revenue / g.category_total).groupby(level="stage").median()
    assert sow["exploration"] < 0.25 and sow["decline"] < 0.5 * sow["stability"]
    assert 0.6 <= sow["stability"] <= 0.9
    assert sow["exploration"] < sow["formation"] < sow["stability"]
    st = months.groupby("stage")[["revenue", "cost", "category_total"]].sum()
    cost_per_yuan = st.cost / st.revenue
    assert cost_per_yuan["exploration"] > 3 * cost_per_yuan["stability"]
    o = data["orders"].assign(month=lambda d: d.order_date.dt.strftime("%Y-%m"))
    o = o.merge(data["lifecycle_truth"], on=["customer_id", "month"])
    size = o.groupby("stage").revenue.median()
    assert size["exploration"] < 0.5 * size["stability"]
    assert (o.stage != "ended").all()
    # decline: category purchases hold while ours fall
    per = months[months.stage != "ended"].groupby("stage")[["revenue", "category_total"]].mean()
    assert per.category_total["decline"] > 0.8 * per.category_total["stability"]
    assert per.revenue["decline"] < 0.6 * per.revenue["stability"]
    assert (months.category_total >= months.revenue - 0.005).all()


def test_lifecycle_patterns(data) -> None:
    lt = data["lifecycle_truth"]
    share = lt.drop_duplicates("customer_id").pattern.value_counts(normalize=True)
    targets = {"early_abort": 0.2, "midway": 0.2, "early_exit": 0.18, "long_term": 0.42}
    for p, target in targets.items():
        assert abs(share[p] - target) < 0.06, p
    last = lt[lt.stage != "ended"].groupby("customer_id").stage.last()
    pattern = lt.groupby("customer_id").pattern.first()
    ended = lt.groupby("customer_id").stage.last() == "ended"
    before = lt[lt.stage.isin(["exploration", "formation", "stability"])]
    peak = before.groupby("customer_id").stage.last().reindex(pattern.index)
    assert (peak[ended & (pattern == "early_abort")].dropna() == "exploration").all()
    assert (peak[ended & (pattern == "midway")].dropna() == "formation").all()
    assert (peak[ended & (pattern == "early_exit")] == "stability").all()
    assert (lt.groupby("customer_id").stage.last()[pattern == "long_term"] != "ended").mean() > 0.7
    c = data["customers"]
    assert (c.join_date < FIRST).mean() > 0.2 and (c.join_date >= FIRST).mean() > 0.2
    assert last.notna().all()


def test_complaints(data, months) -> None:
    q = data["complaints"]
    years = (months.stage != "ended").sum() / 12
    assert 0.2 <= len(q) / years <= 0.4
    share = q.cause.value_counts(normalize=True)
    assert set(share.index[:3]) == {"service", "product", "price"}
    assert share["political"] == share.min() and share["political"] < 0.04
    resp = (q.first_response_at - q.opened_at).groupby(q.channel).median()
    res = (q.resolved_at - q.opened_at).groupby(q.channel).median()
    assert resp.idxmax() == "email" and res.idxmax() == "email"
    assert 0.08 <= q.reopened.mean() <= 0.16
    hours = (q.resolved_at - q.opened_at).dt.total_seconds() / 3600
    fast = q.resolution_satisfied[hours < hours.median()].dropna().astype(bool)
    slow = q.resolution_satisfied[hours >= hours.median()].dropna().astype(bool)
    assert fast.mean() > 0.8 and fast.mean() > slow.mean() + 0.1
    assert q.other_causes.isna().mean() > 0.4
    assert q.staff_member.str.fullmatch(r"[A-Z][A-Za-z ]+ [A-Z][a-z]+ [A-Z][a-z]+").all()
    assert q.what_happened.nunique() > 20
    # complaints follow service failures: customers who complain more are less satisfied
    n_q = q.groupby("customer_id").size()
    sat = data["surveys"].groupby("customer_id").overall_satisfaction.mean()
    by_count = sat.groupby(n_q.reindex(sat.index, fill_value=0).clip(upper=2)).mean()
    assert by_count[0] > by_count[1] > by_count[2] and by_count[0] - by_count[2] > 0.35
    # complaints cluster in exploration and decline
    q_month = q.assign(month=q.opened_at.dt.strftime("%Y-%m")).merge(
        data["lifecycle_truth"], on=["customer_id", "month"]
    )
    rate = q_month.stage.value_counts() / months.stage.value_counts()
    assert rate["exploration"] > rate["stability"] and rate["decline"] > rate["stability"]
    # new = joined less than about six months before
    join = q.customer_id.map(data["customers"].set_index("customer_id").join_date)
    age = (q.opened_at - join).dt.days
    assert (q.customer_status[age < 150] == "new").all()
    assert (q.customer_status[age > 200] == "returning").all()


def test_complaint_handling_changes_the_odds_of_ending(data) -> None:
    q, lt = data["complaints"], data["lifecycle_truth"]
    last = lt[lt.stage != "ended"].groupby("customer_id").month.max()
    end = pd.PeriodIndex(q.customer_id.map(last), freq="M")
    opened = q.opened_at.dt.to_period("M")
    months_left = (end - opened).map(lambda d: d.n)
    q = q.assign(ended=months_left <= 6)[opened <= pd.Period("2025-06", "M")]
    bad = q[q.resolution_satisfied.eq(False) | q.reopened]
    good = q[q.resolution_satisfied.eq(True) & ~q.reopened]
    assert bad.ended.mean() > good.ended.mean() + 0.05


def test_surveys(data, months) -> None:
    s = data["surveys"]
    years = (months.stage != "ended").sum() / 12
    assert 0.45 <= len(s) / years <= 0.75
    gap = {d: (s[f"perceive_{d}"] - s[f"expect_{d}"]).mean() for d in DIMS}
    importance = {d: s[f"importance_{d}"].mean() for d in DIMS}
    assert min(gap, key=gap.get) == "responsiveness"
    assert gap["responsiveness"] < min(v for k, v in gap.items() if k != "responsiveness") - 0.5
    assert importance["responsiveness"] >= sorted(importance.values())[-2]
    total_gap = sum(s[f"perceive_{d}"] - s[f"expect_{d}"] for d in DIMS)
    assert np.corrcoef(total_gap, s.overall_satisfaction)[0, 1] > 0.4
    assert np.corrcoef(s.overall_satisfaction, s.recommend)[0, 1] > 0.2
    lt = data["lifecycle_truth"]
    last = lt[lt.stage != "ended"].groupby("customer_id").month.max()
    stays = (s.customer_id.map(last) == "2025-12").astype(float)
    r = np.corrcoef(s.overall_satisfaction, stays)[0, 1]
    assert 0.1 <= r <= 0.45


def test_referrals_and_consumer_reach(data) -> None:
    c = data["customers"]
    monthly = _monthly_revenue(data)
    referrers = c.referred_by.dropna().unique()
    assert len(referrers) >= 20 and c.referred_by.notna().sum() >= 50
    assert (monthly[referrers] < monthly.median()).mean() > 0.7
    reach_per_yuan = c.set_index("customer_id").consumer_reach / monthly.replace(0, np.nan)
    ranking = reach_per_yuan.groupby(c.set_index("customer_id").business_format).median()
    assert set(ranking.sort_values().index[-2:]) == {"kiosk", "convenience_store"}


def test_contacts(data) -> None:
    k, q = data["contacts"], data["complaints"]
    assert set(k.purpose) == {"routine", "sales", "complaint_follow_up", "greeting", "new_needs"}
    greet = k[k.purpose == "greeting"].contact_date.dt.month
    assert greet.isin([1, 2, 9, 10]).all()
    follow = k[k.purpose == "complaint_follow_up"]
    assert follow.customer_id.isin(q.customer_id).all() and len(follow) > 0.5 * len(q)
    assert (k.duration_minutes > 0).all()


def test_leads_cover_all_grades(data) -> None:
    L = data["leads"]
    score = (
        (L.est_monthly_purchase >= 20000).astype(int)
        + L.decision_maker_reached.astype(int)
        + L.need_confirmed.astype(int)
    )
    assert set(score) == {0, 1, 2, 3}
    assert (L.contacts_so_far >= 1).all()


def test_scales_linearly(data) -> None:
    small = generate(200, DEFAULT_SEED)
    ratio = len(small["orders"]) / len(small["customers"])
    assert 6 <= ratio <= 14
    assert 8 <= len(data["orders"]) / len(data["customers"]) <= 12
    assert re.fullmatch(r"C\d{5}", small["customers"].customer_id.iloc[-1])
