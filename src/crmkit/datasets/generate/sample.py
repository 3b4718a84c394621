"""The whole sample: one seed, one random sub-stream per process, the processes in order.

Each process draws only from its own stream (numpy `SeedSequence.spawn`, no clock), so the
same seed and size give the same bytes on every machine, and a change inside one process
leaves the draws of the others as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crmkit.datasets.generate.category import category_table, category_totals
from crmkit.datasets.generate.complaint_texts import complaints_table
from crmkit.datasets.generate.complaints import simulate_complaints
from crmkit.datasets.generate.contacts import contacts_table, simulate_contacts
from crmkit.datasets.generate.customers import customers_table, draw_shops, number_customers
from crmkit.datasets.generate.leads import lead_count, lead_formats, leads_table
from crmkit.datasets.generate.lifecycle import lifecycle_table, month_grid, plan_lifecycle
from crmkit.datasets.generate.names import shop_names
from crmkit.datasets.generate.orders import orders_table, simulate_orders
from crmkit.datasets.generate.referrals import draw_referrals
from crmkit.datasets.generate.surveys import simulate_surveys, surveys_table
from crmkit.datasets.generate.write import check_folder, write_dataset
from crmkit.errors import CrmkitError

DEFAULT_SEED = 20231
# the order of this list fixes which sub-stream each process gets: append, never reorder
STREAMS = (
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
)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(STREAMS, children, strict=True)}


def generate(customers: int = 2000, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Simulate the distributor's three years and return the 8 tables of the data dictionary.

    Columns follow the data dictionary (strings and enums as `str`, dates and datetimes as
    datetime64, booleans as bool); the same `customers` and `seed` always give the same tables.
    """
    if int(customers) < 1:
        raise CrmkitError("customers must be at least 1")
    n = int(customers)
    rng = _streams(seed)
    shops = draw_shops(rng["customers"], n)
    planned = plan_lifecycle(rng["lifecycle"], n)
    grid = month_grid(planned)
    complaints, life = simulate_complaints(rng["complaints"], shops, planned, grid)
    stage = life.stage_at(grid.month, grid.customer)
    orders = simulate_orders(rng["orders"], shops, life, grid, stage)
    totals = category_totals(rng["category"], shops, grid, stage, orders)
    contacts = simulate_contacts(rng["contacts"], shops, life, grid, stage, complaints)
    surveys = simulate_surveys(rng["surveys"], shops, life, grid, complaints)
    referred_by = draw_referrals(rng["referrals"], shops, life)
    lead_fmt = lead_formats(rng["leads"], lead_count(n))
    names = shop_names(rng["names"], np.concatenate([shops.format, lead_fmt]))

    cid, rank = number_customers(life.join_day)
    return {
        "customers": customers_table(
            shops, cid, rank, names=names[:n], join_day=life.join_day, referred_by=referred_by
        ),
        "orders": orders_table(orders, cid),
        "contacts": contacts_table(contacts, cid),
        "complaints": complaints_table(rng["texts"], complaints, cid, life.join_day),
        "surveys": surveys_table(surveys, cid),
        "category_purchases": category_table(grid, totals, cid, rank),
        "lifecycle_truth": lifecycle_table(grid, stage, life, cid, rank),
        "leads": leads_table(rng["prospects"], lead_fmt, names[n:]),
    }


def main_generate(customers: int, seed: int, out: Path, *, force: bool = False) -> None:
    """Generate the sample with `seed` and `customers` and write it to `out` (the CLI's hook).

    A folder holding files crmkit did not write is refused before anything is generated;
    `force` writes anyway, after moving the files it replaces to a backup folder.
    """
    check_folder(Path(out), force=force)  # refuse before the work of generating
    tables = generate(customers=customers, seed=seed)
    paths = write_dataset(tables, Path(out), seed=seed, customers=customers, force=force)
    for path in paths:
        rows = len(tables[path.stem]) if path.stem in tables else None
        what = f"{rows:,} rows" if rows is not None else f"seed {seed}, {customers:,} customers"
        print(f"{path}: {what}, {path.stat().st_size:,} bytes")
