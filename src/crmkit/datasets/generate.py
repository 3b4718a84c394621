"""Seeded generator of the sample data: a fictional regional wholesale distributor.

Customers (retail shops) move month by month through the lifecycle stages of
LC1 along the four patterns of LC5; orders, service contacts, complaints,
surveys and the shops' own category purchases follow from their stage, size,
format and market, so every lesson finds a real signal in the data. Only
`numpy.random` generators seeded from one seed are used (one sub-stream per
part of the simulation, no clock), so the same seed and size give the same
bytes on every machine.

Stage rule of the truth table (`lifecycle_truth`): the relationship's pattern
follows from the stage in which decline starts: in exploration = early_abort
(the trial simply stops), in formation = midway, after less than 12 months of
stability = early_exit, later (or never, within the window) = long_term.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from crmkit.datasets.paths import schema_path
from crmkit.errors import CrmkitError

__all__ = [
    "ANALYSIS_DATE",
    "DEFAULT_SEED",
    "END",
    "GENERATOR_VERSION",
    "MONTHS",
    "START",
    "TABLES",
    "generate",
    "main_generate",
    "write_dataset",
]

START = date(2023, 1, 1)
END = date(2025, 12, 31)
ANALYSIS_DATE = END
MONTHS = 36
DEFAULT_SEED = 20231
GENERATOR_VERSION = "1"
TABLES = (
    "customers",
    "orders",
    "contacts",
    "complaints",
    "surveys",
    "category_purchases",
    "lifecycle_truth",
    "leads",
)

_D0 = np.datetime64("2023-01-01", "D")
_M0 = np.datetime64("2023-01", "M")
_END_DAY = int((np.datetime64("2025-12-31", "D") - _D0).astype(np.int64))  # 1095
_END_MINUTE = _END_DAY * 1440 + 23 * 60 + 59
_NEVER = 10_000  # month index of a stage that never starts

# --- the business -------------------------------------------------------------------------
FORMATS = ("convenience_store", "supermarket", "restaurant", "kiosk", "online_shop")
MARKETS = ("urban", "suburban", "rural")
STAGES = ("exploration", "formation", "stability", "decline", "ended")
PATTERNS = ("early_abort", "midway", "early_exit", "long_term")
CAUSES = (
    "price",
    "product",
    "service",
    "technology",
    "promotion",
    "demand",
    "management",
    "political",
    "other",
)
CHANNELS = ("phone", "visit", "wechat", "email")
RESOLUTIONS = ("refund", "replacement", "repair", "discount", "apology", "explanation")
CONTACT_TYPES = ("visit", "phone_call", "call_back")
PURPOSES = ("routine", "sales", "complaint_follow_up", "greeting", "new_needs")
DIMENSIONS = ("reliability", "tangibles", "responsiveness", "empathy", "assurance")

_FORMAT_P = np.array([0.30, 0.10, 0.25, 0.20, 0.15])
_CAP_MEDIAN = np.array([7000.0, 32000.0, 6000.0, 2200.0, 8000.0])  # monthly category buying
_MARGIN = np.array([0.14, 0.075, 0.16, 0.19, 0.11])  # gross margin rate at list price
_FREQ = np.array([0.60, 1.15, 0.56, 0.45, 0.42])  # orders a month in stability
_SERVICE = np.array([1.0, 1.3, 1.0, 1.15, 0.45])  # contact intensity
_REACH = np.array([2800.0, 6000.0, 600.0, 2400.0, 1200.0])  # consumers a week
_FORMAT_VISIT_OK = np.array([1.0, 1.0, 1.0, 1.0, 0.3])  # online shops are rarely visited
_TERMS = (
    ((0, 7, 15, 30), (0.2, 0.3, 0.3, 0.2)),
    ((15, 30, 45), (0.3, 0.5, 0.2)),
    ((0, 7, 15, 30), (0.3, 0.3, 0.25, 0.15)),
    ((0, 7), (0.6, 0.4)),
    ((7, 15, 30), (0.3, 0.5, 0.2)),
)
_MARKET_P = np.array([0.45, 0.33, 0.22])
_MARKET_CAP = np.array([1.1, 1.0, 0.72])
_MARKET_MARGIN = np.array([0.0, 0.005, 0.015])
_MARKET_TRAVEL = np.array([60.0, 110.0, 200.0])  # yuan of travel per visit
_MARKET_FAIL = np.array([0.9, 1.0, 1.35])  # service-failure rate
_MARKET_REACH = np.array([1.3, 1.0, 0.65])

_PATTERN_P = np.array([0.215, 0.205, 0.165, 0.415])  # planned; complaints move a few earlier
_EXISTING_P = np.array([0.0, 0.15, 0.40, 0.65])  # share already a customer before 2023
_SEASON = np.array([1.15, 1.05, 0.92, 0.95, 1.0, 1.04, 1.1, 1.1, 1.0, 1.06, 0.95, 1.08])
_PROMO_MONTHS = np.array([1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1], dtype=bool)  # Jan May Aug Oct Dec
_FESTIVALS = ("2023-01-22", "2023-09-29", "2024-02-10", "2024-09-17", "2025-01-29", "2025-10-06")

# contacts a month by stage (exploration, formation, stability, decline)
_ROUTINE = np.array([0.5, 0.55, 0.45, 0.5])
_SALES = np.array([0.45, 0.3, 0.07, 0.30])
_NEW_NEEDS = np.array([0.03, 0.08, 0.05, 0.02])
_PURPOSE_TYPE_P = np.array(  # visit, phone_call, call_back
    [
        [0.50, 0.40, 0.10],  # routine
        [0.65, 0.35, 0.00],  # sales
        [0.20, 0.10, 0.70],  # complaint_follow_up
        [0.20, 0.60, 0.20],  # greeting
        [0.60, 0.40, 0.00],  # new_needs
    ]
)

_CAUSE_W = np.array([0.16, 0.24, 0.22, 0.05, 0.10, 0.07, 0.08, 0.02, 0.06])
_CAUSE_FORMAT = np.ones((5, 9))
_CAUSE_FORMAT[1, [0, 4]] = 1.9  # supermarkets: price and promotion
_CAUSE_FORMAT[2, 1] = 1.7  # restaurants: product (freshness)
_CAUSE_FORMAT[3, 2] = 1.6  # kiosks: service (small drops skipped)
_CAUSE_FORMAT[4, 3] = 5.0  # online shops: technology (ordering, e-invoices)
_CAUSE_FORMAT[0, 4] = 1.3
_CAUSE_MARKET = np.ones((3, 9))
_CAUSE_MARKET[2, 2] = 1.4  # rural: late deliveries
_CHANNEL_P = np.array([[0.40, 0.15, 0.30, 0.15]] * 4 + [[0.20, 0.05, 0.45, 0.30]])
_RESPONSE_H = np.array([1.0, 0.3, 3.0, 18.0])  # median hours to first response by channel
_RESOLVE_H = np.array([20.0, 16.0, 30.0, 70.0])  # median hours from response to closing
_CAUSE_RESOLVE = np.array([1.0, 1.0, 0.9, 1.5, 1.0, 1.2, 2.0, 2.5, 0.8])
_RESOLUTION_P = np.array(
    [
        [0.15, 0.00, 0.00, 0.55, 0.05, 0.25],
        [0.35, 0.50, 0.00, 0.05, 0.05, 0.05],
        [0.10, 0.10, 0.00, 0.15, 0.45, 0.20],
        [0.05, 0.05, 0.55, 0.05, 0.10, 0.20],
        [0.20, 0.05, 0.00, 0.50, 0.05, 0.20],
        [0.00, 0.00, 0.00, 0.20, 0.10, 0.70],
        [0.30, 0.00, 0.10, 0.10, 0.20, 0.30],
        [0.00, 0.20, 0.20, 0.00, 0.10, 0.50],
        [0.00, 0.00, 0.00, 0.10, 0.60, 0.30],
    ]
)

_EXPECT = np.array([6.2, 4.8, 6.0, 5.3, 5.6])
_GAP = np.array([-0.35, 0.25, -1.35, -0.25, 0.1])
_IMPORTANCE = np.array([6.1, 4.2, 6.3, 5.0, 5.5])

# --- words --------------------------------------------------------------------------------
_SURNAMES = [
    "Zhang",
    "Wang",
    "Li",
    "Zhao",
    "Chen",
    "Liu",
    "Yang",
    "Huang",
    "Zhou",
    "Wu",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
]
_FAMILY = ("Lao", "Xiao", "Auntie", "Uncle", "Brother", "Old")
_WORDS = [
    "Golden Harvest",
    "Sunrise",
    "Happy Family",
    "Lucky Star",
    "Jade Garden",
    "Harmony",
    "Everbright",
    "Red Lantern",
    "Silver Moon",
    "Peach Blossom",
    "Dragon Gate",
    "Fortune",
    "Bamboo Grove",
    "Riverside",
    "East Gate",
    "West Lake",
    "North Bridge",
    "Spring Breeze",
    "Blue Sky",
    "Prosperity",
    "Lotus",
    "Phoenix",
    "Old Street",
    "Morning Star",
    "Evergreen",
    "Pearl River",
    "Mountain View",
    "Double Happiness",
    "Five Grains",
    "Good Neighbour",
    "Sunflower",
    "Rising Sun",
    "Crane",
    "Plum Blossom",
    "Orchid",
    "Jasmine",
    "Great Wall",
    "Hometown",
    "Jinxiu",
    "Fuxing",
    "Xinhua",
    "Hongxing",
    "Kangle",
    "Tianyi",
    "Baixing",
    "Wanjia",
    "Longsheng",
    "Meilin",
    "Shunfa",
    "Heping",
]
_NOUNS = (
    ("Mart", "Convenience Store", "Mini Mart", "Corner Shop", "24h Store", "General Store"),
    ("Supermarket", "Hypermarket", "Fresh Market", "Food Hall", "Super Store"),
    ("Noodles", "Dumplings", "Kitchen", "Restaurant", "Hotpot", "Canteen", "Tea House", "BBQ"),
    ("Kiosk", "Newsstand", "Snack Stall", "Drinks Stand", "Tobacco & Drinks"),
    ("Online", "E-Shop", "Direct", "Web Store", "WeChat Shop", "Express"),
)
_STAFF = [
    "Wang Lei",
    "Li Na",
    "Zhang Wei",
    "Liu Yang",
    "Chen Jie",
    "Zhao Min",
    "Yang Fan",
    "Huang Ying",
    "Zhou Tao",
    "Wu Hui",
    "Xu Jing",
    "Sun Qiang",
    "Ma Lin",
    "Hu Bo",
    "Guo Mei",
    "He Jun",
]
_ROLES = (
    ("Sales rep", "Account manager"),
    ("Warehouse clerk", "Driver"),
    ("Driver", "Customer service"),
    ("IT support", "Customer service"),
    ("Sales rep", "Account manager"),
    ("Sales rep", "Account manager"),
    ("Accounts clerk", "Account manager"),
    ("Quality officer", "Sales rep"),
    ("Driver", "Sales rep"),
)
_GOODS = (
    "Instant noodles (case of 24)",
    "Bottled water 550 ml (case of 24)",
    "Soft drinks 330 ml cans",
    "Cooking oil 5 L",
    "Rice 10 kg bag",
    "Soy sauce 500 ml",
    "Snack assortment",
    "Green tea drinks (case of 15)",
    "Frozen dumplings 1 kg",
    "Beer 500 ml (case of 12)",
    "Milk powder 800 g",
    "Laundry detergent 2 kg",
    "Paper tissues (pack of 10)",
    "Biscuit assortment",
)
_PRODUCTS = (
    _GOODS,
    _GOODS,
    ("Whole delivery", "Weekly order", *_GOODS[:6]),
    ("Ordering app", "E-invoice", "Barcode labels", "Online order"),
    (
        "Festival gift packs",
        "Soft drinks 330 ml cans",
        "Snack assortment",
        "Beer 500 ml (case of 12)",
    ),
    ("Small packs", "Imported snacks", "Weekend delivery", "Festival stock"),
    ("Account statement", "Credit line", "Returns", "Delivery note"),
    ("Food labels", "Product certificates", "Price tags", "Tobacco stock"),
    ("Delivery van", "Night delivery", "Customer record", "Whole delivery"),
)
_WHAT = (
    (
        "Invoice price higher than the agreed price",
        "Price rose without notice",
        "Competitor offered the same goods cheaper",
        "Charged the full price after the price cut",
    ),
    (
        "Damaged cartons in the delivery",
        "Goods close to their best-before date",
        "Wrong item delivered",
        "Leaking bottles in two cases",
    ),
    (
        "Delivery arrived a day late",
        "Driver was rude at the back door",
        "Order was incomplete",
        "Nobody answered the hotline",
    ),
    (
        "Ordering app would not submit the order",
        "Invoice sent with the wrong tax number",
        "Barcode labels did not scan",
        "Online order was duplicated",
    ),
    (
        "Promotion discount missing on the invoice",
        "Gift items of the promotion not delivered",
        "Promotion ended earlier than announced",
        "Not told about the new promotion",
    ),
    (
        "Asked for a product we do not carry",
        "Needs smaller pack sizes",
        "Wants deliveries on Sunday",
        "Needs more credit for the festival season",
    ),
    (
        "Statement of account does not match",
        "Credit limit cut without warning",
        "Return request left unanswered",
        "Asked to pay for goods never received",
    ),
    (
        "New packaging rules not met",
        "Food-safety inspection found missing labels",
        "Price-tag rules changed",
        "Tobacco licence check delayed the delivery",
    ),
    (
        "Delivery van blocked the shop entrance",
        "Parking fine during the delivery",
        "Noise from night deliveries",
        "Wrong shop name on the invoice",
    ),
)
_HOW = (
    (
        "Price list changed on the first of the month",
        "Old price kept on the invoice by mistake",
        "Sales rep quoted a price the system did not accept",
        "Found the lower price at a rival wholesaler",
    ),
    (
        "Cartons crushed in the van",
        "Old stock picked from the back of the warehouse",
        "Picking list mixed up two similar codes",
        "Pallet stacked too high",
    ),
    (
        "Route changed without telling the shop",
        "Driver in a hurry and refused to carry goods in",
        "Items out of stock and left off without a call",
        "Hotline busy during the morning peak",
    ),
    (
        "App update logged the shop out",
        "Customer master data out of date",
        "Label printer used the old format",
        "Order sent twice after a timeout",
    ),
    (
        "Promotion code not applied in the system",
        "Gift stock ran out at the warehouse",
        "Head office changed the dates",
        "Rep forgot to pass on the leaflet",
    ),
    (
        "Shoppers ask for a brand we do not stock",
        "Small shop cannot store full cases",
        "Busiest trade is at the weekend",
        "Festival stock needs more cash up front",
    ),
    (
        "Payment booked to another customer",
        "Credit review done without a visit",
        "Return form lost between departments",
        "Delivery note not signed but invoiced",
    ),
    (
        "Supplier labels lacked the new Chinese text",
        "Certificates not sent with the goods",
        "Regulation changed at short notice",
        "Paperwork held at the district office",
    ),
    (
        "Driver parked on the pavement",
        "No loading bay at the shop",
        "Early route started at five in the morning",
        "Typing error in the customer record",
    ),
)
_WHY = (
    (
        "Margin on the shelf price is now too thin",
        "Feels the agreed terms were not honoured",
        "Cannot compete with the shop next door",
    ),
    ("Could not sell the goods", "Had to throw stock away", "Shelf was empty for a weekend"),
    (
        "Shop ran out during the busy hours",
        "Felt treated without respect",
        "Had to buy the missing items elsewhere",
    ),
    ("Lost a day of orders", "Could not claim the input tax", "Queue grew at the till"),
    (
        "Had already promised the deal to shoppers",
        "Competitor shops got the deal",
        "Feels small shops are treated worse",
    ),
    ("Has to use a second supplier", "Ties up too much cash in stock", "Loses weekend sales"),
    (
        "Wasted time checking the accounts",
        "Feels distrusted after years of business",
        "Money tied up in the dispute",
    ),
    (
        "Risk of a fine from the inspectors",
        "Goods had to come off the shelf",
        "Extra work to re-label stock",
    ),
    (
        "Neighbours complained to the shop",
        "Lost shoppers during unloading",
        "Invoice rejected by the accountant",
    ),
)
_OTHER_CAUSES = (
    "Also unhappy about the delivery time window",
    "Earlier complaint not closed",
    "Rival wholesaler visiting the shop",
    "Cash flow tight this month",
    "New manager at the shop",
    "Road works near the shop",
    "Shop is being renovated",
)


def _rng(seq: np.random.SeedSequence) -> np.random.Generator:
    return np.random.default_rng(seq)


def _month_start(m: np.ndarray) -> np.ndarray:
    """Day index (0 = 2023-01-01) of the first day of month index m (0 = 2023-01)."""
    return ((_M0 + np.asarray(m, dtype=np.int64)).astype("datetime64[D]") - _D0).astype(np.int64)


def _days_in_month(m: np.ndarray) -> np.ndarray:
    return _month_start(np.asarray(m) + 1) - _month_start(m)


def _pick(r: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One categorical draw per row of `weights` (rows need not sum to 1)."""
    cum = np.cumsum(weights, axis=1)
    u = r.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index of each expanded item, and its position within its row."""
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return rows, np.arange(len(rows)) - first[rows]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _shop_names(r: np.random.Generator, fmt: np.ndarray) -> np.ndarray:
    """Unique English-transliterated trading names, e.g. "Lao Zhang Noodles", "Sunrise Kiosk 17"."""
    n = len(fmt)
    family = np.array([f"{a} {b}" for a in _FAMILY for b in _SURNAMES])
    words = np.array(_WORDS)
    use_family = r.random(n) < 0.3
    first = np.where(
        use_family, family[r.integers(0, len(family), n)], words[r.integers(0, len(words), n)]
    )
    noun_idx = (r.random(n) * np.array([len(x) for x in _NOUNS])[fmt]).astype(np.int64)
    nouns = np.array([_NOUNS[f][i] for f, i in zip(fmt.tolist(), noun_idx.tolist(), strict=True)])
    base = pd.Series(np.char.add(np.char.add(first.astype(str), " "), nouns), dtype=object)
    dup = base.groupby(base, sort=False).cumcount().to_numpy()
    # a second shop of the same name gets a branch number, as chains and kiosks do
    number = dup + r.integers(2, 30, n)
    number = np.where(dup > 0, dup * 29 + number, 0)
    names = np.where(dup > 0, base + " " + pd.Series(number).astype(str), base)
    out = pd.Series(names, dtype=object)
    # numbering may still collide with a numbered base; fall back to a plain counter
    while out.duplicated().any():
        d = out.duplicated().to_numpy()
        out[d] = out[d] + " " + pd.Series(np.arange(d.sum()) + 2, index=out.index[d]).astype(str)
    return out.to_numpy()


def _stage_at(m: np.ndarray, tf: np.ndarray, ts: np.ndarray, td: np.ndarray, te: np.ndarray):
    return (
        (m >= tf).astype(np.int8)
        + (m >= ts).astype(np.int8)
        + (m >= td).astype(np.int8)
        + (m >= te).astype(np.int8)
    )


def _pattern_of(tf: np.ndarray, ts: np.ndarray, td: np.ndarray) -> np.ndarray:
    """LC5 pattern from the stage in which decline starts (see the module docstring)."""
    return np.select([td <= tf, td <= ts, td - ts < 12], [0, 1, 2], default=3).astype(np.int8)


def _frame(name: str, columns: dict[str, object]) -> pd.DataFrame:
    """A typed frame in the column order of the data dictionary (enums as categories)."""
    fields = _schema_fields()[name]
    data = {}
    for f in fields:
        values = columns[f["name"]]
        enum = f.get("constraints", {}).get("enum")
        if enum is not None:
            codes = np.asarray(values)
            if codes.dtype.kind in "iu":
                codes = np.array(enum, dtype=object)[codes]
            data[f["name"]] = pd.array(codes.astype(object), dtype="str")
        elif f["type"] == "string":
            data[f["name"]] = pd.array(np.asarray(values, dtype=object), dtype="str")
        elif f["type"] in ("date", "datetime"):
            data[f["name"]] = pd.array(np.asarray(values).astype("datetime64[ns]"))
        else:
            data[f["name"]] = values
    return pd.DataFrame(data)


_SCHEMA_CACHE: dict[str, list[dict]] = {}


def _schema_fields() -> dict[str, list[dict]]:
    if not _SCHEMA_CACHE:
        package = json.loads(schema_path().read_text(encoding="utf-8"))
        for res in package["resources"]:
            _SCHEMA_CACHE[res["name"]] = res["schema"]["fields"]
    return _SCHEMA_CACHE


def _days(day: np.ndarray) -> np.ndarray:
    return _D0 + np.asarray(day, dtype="timedelta64[D]")


def _dates(day: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = _days(day)
    if missing is not None:
        out = out.copy()
        out[missing] = np.datetime64("NaT")
    return out


def _minutes(minute: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = np.datetime64("2023-01-01T00:00", "m") + np.asarray(minute, dtype="timedelta64[m]")
    if missing is not None:
        out = out.copy()
        out[missing] = np.datetime64("NaT")
    return out


def _cents(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=np.float64) * 100.0).astype(np.int64)


def generate(customers: int = 2000, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Simulate the distributor's three years and return the 8 tables of the data dictionary.

    Columns follow the data dictionary (strings and enums as `str`, dates and datetimes as
    datetime64, booleans as bool); the same `customers` and `seed` always give the same tables.
    """
    if int(customers) < 1:
        raise CrmkitError("customers must be at least 1")
    n = int(customers)
    parts = [
        "customers",
        "lifecycle",
        "complaints",
        "orders",
        "contacts",
        "surveys",
        "category",
        "referrals",
        "leads",
        "names",
        "texts",
        "prospects",
    ]
    seqs = dict(zip(parts, np.random.SeedSequence(int(seed)).spawn(len(parts)), strict=True))

    # --- customers: who they are -----------------------------------------------------------
    r = _rng(seqs["customers"])
    fmt = r.choice(5, size=n, p=_FORMAT_P)
    mkt_p = np.where(fmt[:, None] == 4, [[0.6, 0.3, 0.1]], _MARKET_P[None, :])
    mkt = _pick(r, mkt_p)
    cap = (
        _CAP_MEDIAN[fmt] * _MARKET_CAP[mkt] * np.exp(r.normal(0.0, 0.65, n))
    )  # monthly category purchases at 2023 level
    sow = r.beta(7.0, 2.6, n)  # share of wallet reached in stability
    freq = _FREQ[fmt] * np.exp(r.normal(0.0, 0.3, n)) * np.where(mkt == 2, 0.85, 1.0)
    margin = np.clip(_MARGIN[fmt] + _MARKET_MARGIN[mkt] + r.normal(0.0, 0.022, n), 0.02, 0.35)
    service = _SERVICE[fmt] * np.exp(r.normal(-0.15, 0.5, n))
    failure = _MARKET_FAIL[mkt] * np.exp(r.normal(-0.25, 0.7, n))
    late_payer = r.random(n) < 0.15
    on_time = np.where(late_payer, r.beta(2.0, 2.5, n), r.beta(14.0, 1.2, n))
    coop = r.beta(1.6, 2.4, n)
    # price hunters: accounts that negotiated discounts deeper than our margin
    hunter_p = np.array([0.05, 0.3, 0.04, 0.02, 0.15])[fmt]
    hunter = np.where(r.random(n) < hunter_p, r.uniform(0.07, 0.18, n), 0.0)
    growth = r.normal(0.03, 0.2, n)  # yearly log growth of the shop's own business
    terms = np.zeros(n, dtype=np.int64)
    for f, (choices, probs) in enumerate(_TERMS):
        sel = fmt == f
        terms[sel] = r.choice(np.array(choices), size=int(sel.sum()), p=np.array(probs))
    credit = np.where(
        terms > 0,
        np.round(cap * sow * np.maximum(terms, 7) / 30.0 * r.uniform(1.2, 2.2, n), -2),
        0.0,
    )
    reach = np.round(_REACH[fmt] * _MARKET_REACH[mkt] * np.exp(r.normal(0.0, 0.5, n)), -1).astype(
        np.int64
    )

    # --- the planned lifecycle -------------------------------------------------------------
    r = _rng(seqs["lifecycle"])
    pat = r.choice(4, size=n, p=_PATTERN_P)
    existing = r.random(n) < _EXISTING_P[pat]
    ex = r.choice([1, 2, 3, 4], size=n, p=[0.25, 0.35, 0.25, 0.15])
    ex = np.where(pat == 0, r.choice([1, 2, 3, 4, 5], size=n, p=[0.2, 0.3, 0.25, 0.15, 0.1]), ex)
    form = r.integers(3, 10, n)
    stab = r.integers(3, 12, n)
    dl = np.select([pat == 1, pat == 2], [r.integers(1, 4, n), r.integers(2, 6, n)], 0)
    dl = np.where(pat == 3, r.integers(2, 7, n), dl)
    late_end = (pat == 3) & (r.random(n) < 0.22)
    u = r.random(n)
    # join month of new customers: early enough for the pattern to show within the window
    span = np.select([pat == 0, pat == 1, pat == 2], [ex, ex + form + dl, ex + form + stab], 0)
    span = np.where(pat == 3, ex + form + 12, span)
    max_join = np.maximum(MONTHS - 1 - span, 0)
    j = np.floor(u * (max_join + 1)).astype(np.int64)
    # customers already trading before 2023
    j_lt = -(ex + form + 1) - np.floor(r.random(n) * 100).astype(np.int64)
    ts_ee = -8 + np.floor(r.random(n) * (np.minimum(4, ex + form - 1) + 9)).astype(np.int64)
    j_ee = ts_ee - form - ex
    tf_mw = -np.floor(r.random(n) * 4).astype(np.int64)
    j_mw = tf_mw - ex
    j = np.where(existing & (pat == 3), j_lt, j)
    j = np.where(existing & (pat == 2), j_ee, j)
    j = np.where(existing & (pat == 1), j_mw, j)
    tf = j + ex
    ts = tf + form
    td = np.full(n, _NEVER, dtype=np.int64)
    td = np.where(pat == 0, tf, td)
    td = np.where(pat == 1, np.maximum(ts, 1), td)
    ts = np.where(pat == 1, td, ts)
    td = np.where(pat == 2, np.maximum(ts + stab, 1), td)
    lt_decl = np.maximum(ts + 24, 12) + np.floor(r.random(n) * 30).astype(np.int64)
    td = np.where(late_end, lt_decl, td)
    tf = np.where(pat == 0, td, tf)
    ts = np.where(pat == 0, td, ts)
    te = np.where(td >= _NEVER, _NEVER, td + dl)
    jm = np.maximum(j, 0)  # first month of the customer in the window
    join_day = _month_start(j) + np.floor(r.random(n) * _days_in_month(j)).astype(np.int64)

    # --- complaints on the planned lifecycle; bad handling can end a relationship early ----
    r = _rng(seqs["complaints"])
    g_cust, g_pos = _expand(MONTHS - jm)
    g_month = jm[g_cust] + g_pos
    g_stage = _stage_at(g_month, tf[g_cust], ts[g_cust], td[g_cust], te[g_cust])
    stage_fail = np.array([1.3, 1.0, 0.85, 1.5, 0.0])
    rate = 0.025 * failure[g_cust] * stage_fail[g_stage] * np.where(fmt[g_cust] == 1, 1.4, 1.0)
    q_row, _ = _expand(r.poisson(rate))
    q_cust = g_cust[q_row]
    q_month = g_month[q_row]
    nq = len(q_row)
    lo = np.maximum(_month_start(q_month), join_day[q_cust])
    hi = np.minimum(_month_start(q_month + 1) - 1, _END_DAY)
    q_day = lo + np.floor(r.random(nq) * (hi - lo + 1)).astype(np.int64)
    hour = r.choice(np.arange(7, 22), size=nq, p=_hour_p())
    opened = q_day * 1440 + hour * 60 + r.integers(0, 60, nq)
    cause_w = _CAUSE_W[None, :] * _CAUSE_FORMAT[fmt[q_cust]] * _CAUSE_MARKET[mkt[q_cust]]
    cause_w[:, 2] *= np.sqrt(failure[q_cust])
    cause = _pick(r, cause_w)
    channel = _pick(r, _CHANNEL_P[fmt[q_cust]])
    resp_min = np.ceil(_RESPONSE_H[channel] * 60 * np.exp(r.normal(0.0, 0.7, nq))).astype(np.int64)
    res_hours = _RESOLVE_H[channel] * _CAUSE_RESOLVE[cause] * np.exp(r.normal(0.0, 0.85, nq))
    res_min = np.ceil(res_hours * 60).astype(np.int64)
    first_resp = np.minimum(opened + resp_min, _END_MINUTE)
    resolved = first_resp + res_min
    reasonable = r.random(nq) < 0.82
    abandoned = r.random(nq) < 0.02
    unresolved = (resolved > _END_MINUTE) | abandoned
    resolution = _pick(r, _RESOLUTION_P[cause])
    comp = np.select(
        [resolution == 0, resolution == 3, resolution == 1],
        [
            np.round(np.minimum(cap[q_cust] * 0.05, 3000) * r.uniform(0.3, 1.0, nq), 0),
            np.round(r.uniform(20, 300, nq), 0),
            np.where(r.random(nq) < 0.3, np.round(r.uniform(10, 80, nq), 0), 0.0),
        ],
        0.0,
    )
    comp = np.where(reasonable, comp, np.where(r.random(nq) < 0.7, 0.0, comp))
    sat_logit = (
        1.9
        - 0.9 * np.log(np.maximum(res_hours, 1.0) / 24.0)
        - 1.3 * ~reasonable
        + 0.4 * (comp > 0)
        + r.normal(0.0, 0.3, nq)
    )
    satisfied = r.random(nq) < _sigmoid(sat_logit)
    asked = ~unresolved & (r.random(nq) < 0.85)
    reopened = ~unresolved & (
        r.random(nq) < _sigmoid(-2.7 + 1.9 * ~satisfied + 0.25 * np.log(res_hours / 24.0))
    )
    slow = res_hours > 72
    churn_logit = -3.0 + 1.6 * ~satisfied + 1.1 * reopened + 0.5 * slow + 1.0 * unresolved
    trigger = r.random(nq) < _sigmoid(churn_logit)
    new_td = np.full(n, _NEVER, dtype=np.int64)
    lag = r.integers(1, 3, nq)
    np.minimum.at(new_td, q_cust[trigger], (q_month + lag)[trigger])
    hit = (new_td < td) & (new_td <= MONTHS - 1)
    quick = r.integers(1, 4, n)
    # the stage the customer is in when they decide to leave decides the new pattern
    in_ex = hit & (new_td <= tf)
    in_form = hit & ~in_ex & (new_td <= ts)
    in_stab = hit & ~in_ex & ~in_form
    tf = np.where(in_ex, new_td, tf)
    ts = np.where(in_ex | in_form, new_td, ts)
    td = np.where(hit, new_td, td)
    te = np.where(in_ex, new_td, np.where(in_form | in_stab, new_td + quick, te))
    pattern = _pattern_of(tf, ts, td)
    keep = q_month < te[q_cust]
    q_idx = np.flatnonzero(keep)

    # --- the monthly grid: stage, our share of wallet, the shop's own buying ---------------
    g_stage = _stage_at(g_month, tf[g_cust], ts[g_cust], td[g_cust], te[g_cust])
    gc = g_cust
    prog_form = np.clip((g_month - tf[gc] + 0.5) / np.maximum(ts[gc] - tf[gc], 1), 0, 1)
    prog_decl = np.clip((g_month - td[gc] + 0.5) / np.maximum(te[gc] - td[gc], 1), 0, 1)
    seasonal = _SEASON[g_month % 12]
    shop_size = cap[gc] * np.exp(growth[gc] * g_month / 12.0) * seasonal

    r = _rng(seqs["orders"])
    ng = len(gc)
    explore_sow = 0.06 + 0.10 * r.random(ng)
    sow_m = np.select(
        [g_stage == 0, g_stage == 1, g_stage == 2, g_stage == 3],
        [
            explore_sow,
            0.18 + (sow[gc] - 0.18) * prog_form,
            sow[gc],
            np.where(ts[gc] >= td[gc], 0.6, 1.0) * sow[gc] * (0.7 - 0.55 * prog_decl),
        ],
        0.0,
    )
    freq_m = np.select(
        [g_stage == 0, g_stage == 1, g_stage == 2, g_stage == 3],
        [0.45, 0.6 + 0.4 * prog_form, 1.0, 0.8 - 0.45 * prog_decl],
        0.0,
    )
    lam = freq[gc] * freq_m
    expected = sow_m * shop_size  # our expected revenue this month
    k = r.poisson(lam)
    first_month = (g_month == j[gc]) & (g_stage < 4)
    k = np.where(first_month, np.maximum(k, 1), k)
    o_row, o_pos = _expand(k)
    no = len(o_row)
    o_cust = gc[o_row]
    o_month = g_month[o_row]
    lo = np.maximum(_month_start(o_month), join_day[o_cust])
    hi = np.minimum(_month_start(o_month + 1) - 1, _END_DAY)
    o_day = lo + np.floor(r.random(no) * (hi - lo + 1)).astype(np.int64)
    o_day = np.where(first_month[o_row] & (o_pos == 0), join_day[o_cust], o_day)
    promo_month = _PROMO_MONTHS[o_month % 12]
    promo = r.random(no) < coop[o_cust] * np.where(promo_month, 1.0, 0.2)
    size = expected[o_row] / np.maximum(lam[o_row], 0.3) * np.exp(r.normal(-0.08, 0.4, no))
    size = np.where(promo, size * 1.25, size)
    size = np.where(g_stage[o_row] == 0, np.minimum(size, 0.4 * shop_size[o_row]), size)
    size = np.maximum(size, 30.0)
    disc_rate = np.where(
        promo,
        r.uniform(0.05, 0.13, no),
        np.where(r.random(no) < 0.3, r.uniform(0.0, 0.03, no), 0.0),
    )
    disc_rate = np.minimum(disc_rate + hunter[o_cust] * (r.random(no) < 0.8), 0.3)
    rev_c = _cents(size)
    list_price = rev_c / (1.0 - disc_rate)
    disc_c = _cents(list_price / 100.0) - rev_c
    disc_c = np.maximum(disc_c, 0)
    cost_rate = 1.0 - np.clip(margin[o_cust] + r.normal(0.0, 0.012, no), 0.0, 0.5)
    gm_c = rev_c - _cents((rev_c + disc_c) * cost_rate / 100.0)
    due = o_day + terms[o_cust]
    pays_on_time = r.random(no) < on_time[o_cust]
    early = np.floor(r.random(no) * (terms[o_cust] + 1)).astype(np.int64)
    late_by = (
        1 + r.geometric(1.0 / 16.0, no) + np.where(r.random(no) < 0.1, r.integers(30, 200, no), 0)
    )
    paid = np.where(pays_on_time, o_day + early, due + late_by)
    bad_debt = (g_stage[o_row] == 3) & late_payer[o_cust] & (r.random(no) < 0.25)
    unpaid = (paid > _END_DAY) | bad_debt
    # orders numbered by delivery date
    o_order = np.lexsort((o_cust, o_day))
    our_rev = np.bincount(o_row, weights=rev_c, minlength=ng)  # cents per grid row

    # shop's purchases from all suppliers: ours plus what it buys elsewhere
    r = _rng(seqs["category"])
    other_share = np.where(g_stage == 4, 1.0, 1.0 - np.minimum(sow_m, 0.97))
    other = shop_size * other_share * np.exp(r.normal(-0.01, 0.15, ng))
    cat_c = our_rev + _cents(other)

    # --- service contacts ------------------------------------------------------------------
    r = _rng(seqs["contacts"])
    active = g_stage < 4
    st = np.minimum(g_stage, 3)
    attention = np.clip((cap / 6000.0) ** 0.35, 0.35, 3.0)  # bigger shops get more visits
    heavy = (service * attention)[gc] * active
    n_routine = r.poisson(_ROUTINE[st] * heavy)
    n_sales = r.poisson(_SALES[st] * np.sqrt(service[gc]) * active)
    n_needs = r.poisson(_NEW_NEEDS[st] * active)
    c_parts = []
    for purpose, counts in ((0, n_routine), (1, n_sales), (4, n_needs)):
        rows, _ = _expand(counts)
        m = g_month[rows]
        lo = np.maximum(_month_start(m), join_day[gc[rows]])
        hi = np.minimum(_month_start(m + 1) - 1, _END_DAY)
        day = lo + np.floor(r.random(len(rows)) * (hi - lo + 1)).astype(np.int64)
        c_parts.append((gc[rows], day, np.full(len(rows), purpose)))
    # greetings before Chinese New Year and the Mid-Autumn Festival
    for fest in _FESTIVALS:
        fday = int((np.datetime64(fest) - _D0).astype(np.int64))
        gday = fday - r.integers(0, 10, n)
        gm = (_days(gday).astype("datetime64[M]") - _M0).astype(np.int64)
        greet_p = np.clip(0.35 + 0.12 * np.log(cap / 5000.0), 0.15, 0.85)
        ok = (
            (gday >= join_day)
            & (gm >= jm)
            & (_stage_at(gm, tf, ts, td, te) < 4)
            & (r.random(n) < greet_p)
        )
        idx = np.flatnonzero(ok)
        c_parts.append((idx, gday[idx], np.full(len(idx), 3)))
    # call-backs after complaints
    fq = q_idx[r.random(len(q_idx)) < 0.85]
    f_day = np.minimum(first_resp[fq] // 1440 + r.integers(1, 10, len(fq)), _END_DAY)
    c_parts.append((q_cust[fq], f_day, np.full(len(fq), 2)))
    k_cust = np.concatenate([p[0] for p in c_parts])
    k_day = np.concatenate([p[1] for p in c_parts])
    k_purpose = np.concatenate([p[2] for p in c_parts])
    nk = len(k_cust)
    type_p = _PURPOSE_TYPE_P[k_purpose].copy()
    visit_ok = _FORMAT_VISIT_OK[fmt[k_cust]]
    type_p[:, 1] += type_p[:, 0] * (1.0 - visit_ok)
    type_p[:, 0] *= visit_ok
    k_type = _pick(r, type_p)
    dur = np.select(
        [k_type == 0, k_type == 1],
        [40.0 * np.exp(r.normal(0, 0.35, nk)), 8.0 * np.exp(r.normal(0, 0.5, nk))],
        6.0 * np.exp(r.normal(0, 0.4, nk)),
    )
    dur = np.maximum(np.round(dur), 1.0)
    travel = np.where(k_type == 0, _MARKET_TRAVEL[mkt[k_cust]] * np.exp(r.normal(0, 0.25, nk)), 0)
    k_cost_c = _cents(dur * np.where(k_type == 0, 2.5, 1.5) + travel)
    k_order = np.lexsort((k_purpose, k_cust, k_day))

    # --- surveys: about one a year per active customer, not all answer ---------------------
    r = _rng(seqs["surveys"])
    s_parts = []
    for year in range(3):
        sm = 12 * year + r.integers(2, 11, n)
        ok = (sm >= jm) & (_stage_at(sm, tf, ts, td, te) < 4) & (r.random(n) < 0.6)
        idx = np.flatnonzero(ok)
        lo = np.maximum(_month_start(sm[idx]), join_day[idx])
        hi = _month_start(sm[idx] + 1) - 1
        day = lo + np.floor(r.random(len(idx)) * (hi - lo + 1)).astype(np.int64)
        s_parts.append((idx, sm[idx], day))
    s_cust = np.concatenate([p[0] for p in s_parts])
    s_month = np.concatenate([p[1] for p in s_parts])
    s_day = np.concatenate([p[2] for p in s_parts])
    ns = len(s_cust)
    stays = te[s_cust] > s_month + 12
    # complaints in the 12 months up to the survey: service failures the customer remembers
    first_row = np.cumsum(MONTHS - jm) - (MONTHS - jm)
    q_rows = first_row[q_cust[q_idx]] + q_month[q_idx] - jm[q_cust[q_idx]]
    cum = np.concatenate([[0], np.cumsum(np.bincount(q_rows, minlength=len(g_cust)))])
    s_first = first_row[s_cust] + np.maximum(s_month - 11, jm[s_cust]) - jm[s_cust]
    s_last = first_row[s_cust] + s_month - jm[s_cust]
    recent_q = cum[s_last + 1] - cum[s_first]
    mood = (
        0.42 * np.where(stays, 1.0, -1.0)
        - 0.35 * np.log(failure[s_cust])
        - 0.45 * np.minimum(recent_q, 3)
        + r.normal(0.0, 0.55, ns)
    )
    expect_level = r.normal(0.0, 0.45, ns) + np.where(fmt[s_cust] == 1, 0.3, 0.0)
    e_raw = _EXPECT[None, :] + expect_level[:, None] + r.normal(0, 0.6, (ns, 5))
    p_raw = e_raw + _GAP[None, :] + mood[:, None] + r.normal(0, 0.65, (ns, 5))
    i_raw = _IMPORTANCE[None, :] + r.normal(0, 0.75, (ns, 5))
    e_sc = np.clip(np.round(e_raw), 1, 7).astype(np.int64)
    p_sc = np.clip(np.round(p_raw), 1, 7).astype(np.int64)
    i_sc = np.clip(np.round(i_raw), 1, 7).astype(np.int64)
    wgap = ((p_sc - e_sc) * i_sc).sum(axis=1) / i_sc.sum(axis=1)
    overall = np.clip(np.round(7.0 + 1.25 * wgap + r.normal(0, 1.0, ns)), 1, 10).astype(np.int64)
    recommend = np.clip(
        np.round(6.6 + 0.45 * (overall - 6.0) + r.normal(0, 2.2, ns)), 0, 10
    ).astype(np.int64)
    s_order = np.lexsort((s_cust, s_day))

    # --- referrals: small shops bring in new ones (VA5) -------------------------------------
    r = _rng(seqs["referrals"])
    small = cap * sow < np.quantile(cap * sow, 0.2)
    candidate = small & np.isin(fmt, [0, 2, 3]) & (r.random(n) < 0.35)
    cand = np.flatnonzero(candidate)
    cand = cand[np.argsort(join_day[cand], kind="stable")]
    referee = np.flatnonzero((j >= 0) & (r.random(n) < 0.16))
    before = np.searchsorted(join_day[cand], join_day[referee], side="left")
    pick = np.floor(r.random(len(referee)) * before).astype(np.int64)
    has = before > 0
    referee, pick = referee[has], pick[has]
    referrer = cand[pick]
    alive = _stage_at(j[referee], tf[referrer], ts[referrer], td[referrer], te[referrer]) < 4
    referred_by = np.full(n, -1, dtype=np.int64)
    referred_by[referee[alive]] = referrer[alive]

    # --- ids: customers numbered in order of joining ---------------------------------------
    c_order = np.lexsort((np.arange(n), join_day))
    c_rank = np.empty(n, dtype=np.int64)
    c_rank[c_order] = np.arange(n)
    cust_ids = _ids("C", n, 5)  # cust_ids[c_rank[i]] is the id of customer i
    cid = cust_ids[c_rank]
    names_rng = _rng(seqs["names"])
    n_leads = max(10, int(round(150 * n / 2000)))
    lead_fmt = _rng(seqs["leads"]).choice(5, size=n_leads, p=_FORMAT_P)
    names = _shop_names(names_rng, np.concatenate([fmt, lead_fmt]))

    tables: dict[str, pd.DataFrame] = {}
    ref = np.where(referred_by >= 0, cid[np.maximum(referred_by, 0)], None)
    tables["customers"] = _frame(
        "customers",
        {
            "customer_id": cid[c_order],
            "shop_name": names[:n][c_order],
            "business_format": fmt[c_order],
            "market_type": mkt[c_order],
            "join_date": _dates(join_day[c_order]),
            "credit_limit": credit[c_order],
            "referred_by": ref[c_order],
            "consumer_reach": reach[c_order],
        },
    )
    oo = o_order
    tables["orders"] = _frame(
        "orders",
        {
            "order_id": _ids("O", no, 7),
            "customer_id": cid[o_cust[oo]],
            "order_date": _dates(o_day[oo]),
            "revenue": rev_c[oo] / 100.0,
            "gross_margin": gm_c[oo] / 100.0,
            "discount": disc_c[oo] / 100.0,
            "promotion": promo[oo],
            "payment_due_date": _dates(due[oo]),
            "paid_date": _dates(np.minimum(paid[oo], _END_DAY), unpaid[oo]),
        },
    )
    ko = k_order
    tables["contacts"] = _frame(
        "contacts",
        {
            "contact_id": _ids("K", nk, 7),
            "customer_id": cid[k_cust[ko]],
            "contact_date": _dates(k_day[ko]),
            "contact_type": k_type[ko],
            "purpose": k_purpose[ko],
            "duration_minutes": dur[ko],
            "cost": k_cost_c[ko] / 100.0,
        },
    )
    tables["complaints"] = _complaint_frame(
        _rng(seqs["texts"]),
        q_idx[np.lexsort((q_cust[q_idx], opened[q_idx]))],
        cid=cid,
        q_cust=q_cust,
        opened=opened,
        channel=channel,
        cause=cause,
        reasonable=reasonable,
        resolution=resolution,
        join_day=join_day,
        first_resp=first_resp,
        resolved=resolved,
        unresolved=unresolved,
        reopened=reopened,
        comp=comp,
        satisfied=satisfied,
        asked=asked,
    )
    so = s_order
    survey_cols: dict[str, object] = {
        "survey_id": _ids("S", ns, 5),
        "customer_id": cid[s_cust[so]],
        "survey_date": _dates(s_day[so]),
        "overall_satisfaction": overall[so],
        "recommend": recommend[so],
    }
    for d, dim in enumerate(DIMENSIONS):
        survey_cols[f"expect_{dim}"] = e_sc[so, d]
        survey_cols[f"perceive_{dim}"] = p_sc[so, d]
        survey_cols[f"importance_{dim}"] = i_sc[so, d]
    tables["surveys"] = _frame("surveys", survey_cols)

    g_order = np.lexsort((g_month, c_rank[gc]))
    month_str = (_M0 + np.arange(MONTHS)).astype(str).astype(object)
    g_cid = cid[gc[g_order]]
    g_mstr = month_str[g_month[g_order]]
    tables["category_purchases"] = _frame(
        "category_purchases",
        {"customer_id": g_cid, "month": g_mstr, "category_total": cat_c[g_order] / 100.0},
    )
    tables["lifecycle_truth"] = _frame(
        "lifecycle_truth",
        {
            "customer_id": g_cid,
            "month": g_mstr,
            "stage": g_stage[g_order],
            "pattern": pattern[gc[g_order]],
        },
    )
    tables["leads"] = _leads(_rng(seqs["prospects"]), lead_fmt, names[n:])
    return tables


def _hour_p() -> np.ndarray:
    w = np.array([2, 6, 9, 10, 9, 7, 6, 7, 8, 8, 7, 6, 4, 3, 2], dtype=np.float64)
    return w / w.sum()


def _complaint_frame(r: np.random.Generator, idx: np.ndarray, **a: np.ndarray) -> pd.DataFrame:
    """The complaints table with its eight-point record texts picked from per-cause templates."""
    nq = len(idx)
    cause = a["cause"][idx]
    q_cust = a["q_cust"][idx]

    def pick_text(lists: tuple[tuple[str, ...], ...]) -> np.ndarray:
        lens = np.array([len(x) for x in lists])
        flat = np.array([s for x in lists for s in x], dtype=object)
        start = np.cumsum(lens) - lens
        return flat[start[cause] + np.floor(r.random(nq) * lens[cause]).astype(np.int64)]

    roles = np.array([role for pair in _ROLES for role in pair], dtype=object)
    role = roles[2 * cause + (r.random(nq) < 0.5)]
    staff = np.array(_STAFF, dtype=object)[r.integers(0, len(_STAFF), nq)]
    other = np.array(_OTHER_CAUSES, dtype=object)[r.integers(0, len(_OTHER_CAUSES), nq)]
    other = np.where(r.random(nq) < 0.35, other, None)
    opened = a["opened"][idx]
    unresolved = a["unresolved"][idx]
    asked = a["asked"][idx]
    is_new = opened // 1440 - a["join_day"][q_cust] < 183  # joined under 6 months before
    satisfied = np.where(asked, np.where(a["satisfied"][idx], 1.0, 0.0), np.nan)
    return _frame(
        "complaints",
        {
            "complaint_id": _ids("Q", nq, 6),
            "customer_id": a["cid"][q_cust],
            "opened_at": _minutes(opened),
            "channel": a["channel"][idx],
            "cause": cause,
            "what_happened": pick_text(_WHAT),
            "how_it_happened": pick_text(_HOW),
            "product": pick_text(_PRODUCTS),
            "why_disappointed": pick_text(_WHY),
            "staff_member": role + " " + staff,
            "other_causes": other,
            "customer_reasonable": a["reasonable"][idx],
            "desired_resolution": a["resolution"][idx],
            "customer_status": np.where(is_new, 0, 1),
            "first_response_at": _minutes(a["first_resp"][idx]),
            "resolved_at": _minutes(np.minimum(a["resolved"][idx], _END_MINUTE), unresolved),
            "reopened": a["reopened"][idx],
            "compensation": a["comp"][idx],
            "resolution_satisfied": pd.array(
                np.where(np.isnan(satisfied), None, satisfied == 1.0), dtype="boolean"
            ),
        },
    )


def _leads(r: np.random.Generator, fmt: np.ndarray, names: np.ndarray) -> pd.DataFrame:
    """Prospects with buying power, decision maker and need drawn independently enough (CL9)."""
    nl = len(fmt)
    mkt = r.choice(3, size=nl, p=_MARKET_P)
    first = _END_DAY - r.integers(5, 300, nl)
    contacts = 1 + r.poisson(2.5, nl)
    span = np.where(contacts > 1, np.floor(r.random(nl) * (_END_DAY - first + 1)), 0)
    last = first + span.astype(np.int64)
    est = np.round(_CAP_MEDIAN[fmt] * _MARKET_CAP[mkt] * np.exp(r.normal(0.0, 0.9, nl)), -2)
    decision = r.random(nl) < np.clip(0.25 + 0.07 * contacts, 0, 0.85)
    need = r.random(nl) < 0.5
    order = np.lexsort((np.arange(nl), first))
    return _frame(
        "leads",
        {
            "lead_id": _ids("L", nl, 5),
            "shop_name": names[order],
            "business_format": fmt[order],
            "market_type": mkt[order],
            "first_contact_date": _dates(first[order]),
            "last_contact_date": _dates(last[order]),
            "contacts_so_far": contacts[order],
            "est_monthly_purchase": est[order],
            "decision_maker_reached": decision[order],
            "need_confirmed": need[order],
        },
    )


# --- writing -----------------------------------------------------------------------------
def _format_number(values: pd.Series, money: bool) -> pd.Series:
    """Decimal text from integer cents (no float formatting, so no platform differences)."""
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(x)
    cents = np.round(np.where(missing, 0.0, x) * 100.0).astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    a = np.abs(cents)
    whole = pd.Series(a // 100).astype(str).to_numpy(dtype=object)
    frac = pd.Series(a % 100).astype(str).str.zfill(2).to_numpy(dtype=object)
    if money:
        text = sign + whole + "." + frac
    else:  # e.g. minutes: as few decimals as the value needs
        tenths = pd.Series(a % 100 // 10).astype(str).to_numpy(dtype=object)
        text = np.where(
            a % 100 == 0,
            sign + whole,
            np.where(a % 10 == 0, sign + whole + "." + tenths, sign + whole + "." + frac),
        )
    text = np.where(missing, "", text)
    return pd.Series(text, index=values.index, dtype=object)


def _format_column(values: pd.Series, field: dict) -> pd.Series:
    kind = field["type"]
    if kind == "date":
        out = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str)
        return pd.Series(np.where(out == "NaT", "", out), index=values.index, dtype=object)
    if kind == "datetime":
        out = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[m]").astype(str)
        out = np.where(out == "NaT", "", np.char.replace(out, "T", " "))
        return pd.Series(out, index=values.index, dtype=object)
    if kind == "boolean":
        b = values.astype("boolean")
        out = np.where(b.fillna(False).to_numpy(dtype=bool), "1", "0").astype(object)
        return pd.Series(np.where(b.isna().to_numpy(), "", out), index=values.index, dtype=object)
    if kind == "integer":
        return values.astype("Int64").astype(str).replace("<NA>", "").astype(object)
    if kind == "number":
        return _format_number(values, money=field.get("unit") == "CNY")
    return values.astype(object).where(values.notna(), "")


def _csv_text(frame: pd.DataFrame, fields: list[dict]) -> str:
    cols = [f["name"] for f in fields]
    if list(frame.columns) != cols:
        raise CrmkitError(f"columns {list(frame.columns)} differ from the data dictionary {cols}")
    text = pd.DataFrame({f["name"]: _format_column(frame[f["name"]], f) for f in fields})
    return text.to_csv(index=False, lineterminator="\n")


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: Path, *, seed: int, customers: int
) -> list[Path]:
    """Write each table as `<out_dir>/<name>.csv` plus `metadata.json`, each file atomically.

    Every file is first written to a temporary file in `out_dir` and then moved into place
    with `os.replace`, so an interrupted run leaves old or new files, never half-written ones.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fields = _schema_fields()
    contents: list[tuple[Path, bytes]] = []
    for name in TABLES:
        contents.append((out_dir / f"{name}.csv", _csv_text(tables[name], fields[name]).encode()))
    meta = {
        "analysis_date": ANALYSIS_DATE.isoformat(),
        "customers": int(customers),
        "end_date": END.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "start_date": START.isoformat(),
    }
    contents.append(
        (out_dir / "metadata.json", (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
    )
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in contents:
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; data files are world-readable
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path for path, _ in contents]


def main_generate(customers: int, seed: int, out: Path) -> None:
    """Generate the sample with `seed` and `customers` and write it to `out` (the CLI's hook)."""
    tables = generate(customers=customers, seed=seed)
    paths = write_dataset(tables, Path(out), seed=seed, customers=customers)
    for path in paths:
        rows = len(tables[path.stem]) if path.stem in tables else None
        what = f"{rows:,} rows" if rows is not None else f"seed {seed}, {customers:,} customers"
        print(f"{path}: {what}, {path.stat().st_size:,} bytes")
