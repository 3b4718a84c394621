"""The lesson path in DuckDB SQL on the same pandas frames: what this machine can do.

A reference point timed beside crmkit and idiomatic pandas (DESIGN.md budgets).
The frames are registered as views of an in-memory database (no copy, no file
I/O) and the results come back as pandas frames, so the timing covers the same
work as the pandas versions: input frames in, result frames out. DuckDB runs
on all cores it is given; pandas and crmkit run on one. The rules are the same
as baselines_pandas.py (crmkit's).
DuckDB is a benchmark-only dependency: `pip install -e .[bench]`, or `make bench`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from crmkit.classification import RFM_SEGMENTS

from baselines_pandas import ABC_CUTOFFS, EPS, SEGMENTS, SPLIT_GROUPS, TIER_CUTOFFS, TIERS


def _enum(values: list[str]) -> str:
    return "ENUM (" + ", ".join(f"'{v}'" for v in values) + ")"


def _segment_case() -> str:
    lines = [
        f"WHEN r_score BETWEEN {r_lo} AND {r_hi} AND f_score BETWEEN {f_lo} AND {f_hi} "
        f"THEN '{name}'"
        for name, (r_lo, r_hi), (f_lo, f_hi) in RFM_SEGMENTS
    ]
    return "CASE " + " ".join(lines) + " ELSE 'Other' END"


TYPES = f"""
CREATE TYPE abc_class AS {_enum(["A", "B", "C"])};
CREATE TYPE split_group AS {_enum(SPLIT_GROUPS)};
CREATE TYPE tier AS {_enum(TIERS)};
CREATE TYPE segment AS {_enum(SEGMENTS)};
"""

# one pass over the orders: the profit's order sums and RFM's last order date
SOLD = """
CREATE TEMP TABLE sold AS
SELECT customer_id,
       sum(revenue) AS revenue,
       sum(gross_margin) AS gross_margin,
       sum(discount) AS discounts,
       count(*) AS orders,
       max(order_date) AS last_order
FROM orders
GROUP BY customer_id
"""

PROFIT = """
CREATE TEMP TABLE profit AS
WITH served AS (
    SELECT customer_id,
           sum(cost) FILTER (WHERE NOT follow_up
                             AND contact_type NOT IN ('phone_call', 'call_back')) AS visits,
           sum(cost) FILTER (WHERE NOT follow_up AND contact_type = 'phone_call') AS phone_calls,
           sum(cost) FILTER (WHERE NOT follow_up AND contact_type = 'call_back') AS call_backs,
           sum(cost) FILTER (WHERE follow_up) AS complaint_contacts,
           count(*) AS contacts
    FROM (SELECT *, purpose = 'complaint_follow_up' AS follow_up FROM contacts)
    GROUP BY customer_id
), raised AS (
    SELECT customer_id, sum(compensation) AS compensation, count(*) AS complaints
    FROM complaints
    GROUP BY customer_id
), parts AS (
    SELECT customer_id,
           coalesce(revenue, 0) AS revenue,
           coalesce(discounts, 0) AS discounts,
           coalesce(gross_margin, 0) AS gross_margin,
           coalesce(visits, 0) AS visits,
           coalesce(phone_calls, 0) AS phone_calls,
           coalesce(call_backs, 0) AS call_backs,
           coalesce(complaint_contacts, 0) + coalesce(compensation, 0) AS complaint_handling,
           coalesce(orders, 0) AS orders,
           coalesce(contacts, 0) AS contacts,
           coalesce(complaints, 0) AS complaints
    FROM sold  -- a period's customers are its buyers, as crmkit.customer_profit counts them
    LEFT JOIN served USING (customer_id)
    LEFT JOIN raised USING (customer_id)
)
SELECT customer_id, revenue,
       gross_margin + discounts AS margin_before_discount,
       discounts, gross_margin, visits, phone_calls, call_backs, complaint_handling,
       visits + phone_calls + call_backs + complaint_handling AS cost_to_serve,
       gross_margin - (visits + phone_calls + call_backs + complaint_handling) AS profit,
       orders, contacts, complaints
FROM parts
"""

RANKING = f"""
CREATE TEMP TABLE ranking AS
WITH ranked AS (
    SELECT customer_id, profit AS value, revenue, cost_to_serve,
           profit / sum(profit) OVER () AS share,  -- of the net total, losses included
           row_number() OVER (ORDER BY profit DESC, customer_id) AS rank,
           count(*) OVER () AS n
    FROM profit
), running AS (
    SELECT *,
           sum(share) OVER (ORDER BY rank ROWS UNBOUNDED PRECEDING) AS cum_share,
           coalesce(sum(share) OVER (
               ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM ranked
)
SELECT customer_id, value, share, cum_share, rank,
       CAST(CASE WHEN value <= 0 THEN 'C'
                 WHEN before < {ABC_CUTOFFS[0]} - {EPS} THEN 'A'
                 WHEN before < {ABC_CUTOFFS[1]} - {EPS} THEN 'B'
                 ELSE 'C' END AS abc_class) AS abc_class,
       CAST(CASE WHEN rank - 1 < round(0.2 * n) THEN '{SPLIT_GROUPS[0]}'
                 WHEN rank - 1 >= n - round(0.2 * n) THEN '{SPLIT_GROUPS[2]}'
                 ELSE '{SPLIT_GROUPS[1]}' END AS split_group) AS "group",
       CAST(CASE WHEN (rank - 1) / n < {TIER_CUTOFFS[0]} - {EPS} THEN '{TIERS[0]}'
                 WHEN (rank - 1) / n < {TIER_CUTOFFS[1]} - {EPS} THEN '{TIERS[1]}'
                 WHEN (rank - 1) / n < {TIER_CUTOFFS[2]} - {EPS} THEN '{TIERS[2]}'
                 ELSE '{TIERS[3]}' END AS tier) AS tier,
       revenue, cost_to_serve
FROM running
"""

TIER_SUMMARY = """
WITH sums AS (
    SELECT t.tier, count(r.customer_id) AS customers,
           coalesce(sum(r.revenue), 0) AS revenue,
           coalesce(sum(r.cost_to_serve), 0) AS cost_to_serve,
           coalesce(sum(r.profit), 0) AS profit
    FROM (SELECT unnest(enum_range(NULL::tier)) AS tier) t
    LEFT JOIN (SELECT tier, revenue, cost_to_serve, value AS profit, customer_id FROM ranking) r
        ON r.tier = t.tier
    GROUP BY t.tier
)
SELECT CAST(tier AS VARCHAR) AS tier, customers,
       customers / sum(customers) OVER () AS customer_share,
       revenue, cost_to_serve, profit,
       profit / sum(profit) OVER () AS profit_share,
       CASE WHEN customers = 0 THEN 0 ELSE profit / customers END AS profit_per_customer
FROM sums
ORDER BY sums.tier
"""


# a tie group takes the score of its lowest-placed rank (rank() = pandas rank method "min")
def _rfm_sql(as_of: str) -> str:
    """RFM per customer, scored as crmkit does; `as_of` is the analysis date, YYYY-MM-DD."""
    return f"""
WITH base AS (
    SELECT customer_id,
           date_diff('day', CAST(last_order AS DATE), DATE '{as_of}') AS recency_days,
           orders AS frequency, revenue AS monetary,
           count(*) OVER () AS n
    FROM sold
), scored AS (
    SELECT customer_id, recency_days, frequency, monetary,
           CAST(least(greatest(ceil(rank() OVER (ORDER BY recency_days DESC) / n * 5), 1), 5)
                AS BIGINT) AS r_score,
           CAST(least(greatest(ceil(rank() OVER (ORDER BY frequency) / n * 5), 1), 5)
                AS BIGINT) AS f_score,
           CAST(least(greatest(ceil(rank() OVER (ORDER BY monetary) / n * 5), 1), 5)
                AS BIGINT) AS m_score
    FROM base
)
SELECT *,
       CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR)
           AS rfm_score,
       CAST({_segment_case()} AS segment) AS segment
FROM scored
ORDER BY customer_id
"""


def lesson_path(data) -> dict[str, pd.DataFrame]:
    """Profit with its parts, ABC, the three-way split, RFM, tiers and the tier summary.

    Same keys and columns as baselines_pandas.lesson_path: profit (by customer
    id), ranking (best first), rfm (by customer id) and tier_summary.
    """
    as_of = pd.Timestamp(data.analysis_date).strftime("%Y-%m-%d")
    with duckdb.connect(":memory:") as con:
        for name in ("orders", "contacts", "complaints"):
            con.register(name, getattr(data, name))
        con.execute(TYPES)
        con.execute(SOLD)
        con.execute(PROFIT)
        con.execute(RANKING)
        ranking = con.sql("SELECT * EXCLUDE (revenue, cost_to_serve) FROM ranking ORDER BY rank")
        return {
            "profit": con.sql("SELECT * FROM profit ORDER BY customer_id")
            .df()
            .set_index("customer_id"),
            "ranking": ranking.df().set_index("customer_id"),
            "rfm": con.sql(_rfm_sql(as_of)).df().set_index("customer_id"),
            "tier_summary": con.sql(TIER_SUMMARY).df().set_index("tier"),
        }
