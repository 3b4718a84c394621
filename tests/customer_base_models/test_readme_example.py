"""The README's example of the customer-base models runs as printed, on the CDNOW sample, and
gives the published BG/NBD fit: the README cannot drift from the library."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


def _example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The customer-base models on their own", 1)[1]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def test_the_readme_example_runs_and_fits_the_published_parameters(capsys):
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW sample is not on this machine (looked for {CDNOW})")
    orders = pd.read_csv(
        CDNOW, sep=r"\s+", header=None, names=["master", "customer_id", "day", "cds", "revenue"]
    )
    orders["order_date"] = pd.to_datetime(orders["day"].astype(str), format="%Y%m%d")
    names = {"orders": orders}
    exec(compile(_example(), "README.md", "exec"), names)  # noqa: S102 - our own README
    fitted = names["transactions"].params
    assert round(fitted["r"], 3) == 0.243 and round(fitted["alpha"], 3) == 4.414
    assert "log-likelihood -9,582.4" in capsys.readouterr().out
    assert len(names["alive"]) == len(names["rfm"]) == 2357
    assert (names["value"] >= 0).all() and names["value"].sum() > 0
