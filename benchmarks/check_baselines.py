"""Check that the pandas and DuckDB baselines compute what crmkit computes, before timing them.

A speed ratio only means something if both sides do the same work, so
benchmarks/run.py calls `check` on the sample data before it times the lesson
path, and again on the results of the timed runs. Run it alone with
`python benchmarks/check_baselines.py` (it needs duckdb: `make bench` installs it).

Compared: every profit part and count (to 1e-6), the ranking with its ABC
class, three-way group and tier per customer, the tier summary, and RFM's raw
recency, frequency and monetary value. The baselines give equal RFM values
equal scores (rank method "min"); their scores are compared wherever crmkit
gives a tie group one score, which is everywhere now that crmkit does the
same (a crmkit that split ties by customer id would be compared where its
split happens not to matter). Customers whose profits are equal to the cent
may swap places in the ranking: each version sums money in its own order.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

ATOL = 1e-6  # per customer: money to well below a cent
TOTALS_RTOL = 1e-9  # a tier's total of billions of yuan, summed in another order


def _same_ids(ours: pd.Index, theirs: pd.Index, what: str) -> None:
    a, b = ours.astype(str), theirs.astype(str)
    extra = list(a.symmetric_difference(b)[:3])
    assert not extra, f"{what}: the customers differ, e.g. {extra}"
    wrong = np.flatnonzero(a.to_numpy() != b.to_numpy())
    assert not len(wrong), (
        f"{what}: the order differs from position {wrong[0]}: crmkit {a[wrong[0]]}, "
        f"baseline {b[wrong[0]]}"
    )


def _same_ranking(ours: pd.Series, theirs: pd.Series, what: str) -> None:
    """Same values best first; customers may swap only within a block of values equal to ATOL.

    Money is summed in a different order by each version, so two customers
    whose profits are equal to the cent can differ in the last bit and swap.
    """
    a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
    assert len(a) == len(b), f"{what}: {len(a):,} customers in crmkit, {len(b):,} in the baseline"
    wrong = np.flatnonzero(np.abs(a - b) > ATOL)
    assert not len(wrong), (
        f"{what}: the values differ from position {wrong[0]}: crmkit {a[wrong[0]]}, "
        f"baseline {b[wrong[0]]}"
    )
    block = np.concatenate([[0], np.cumsum(np.abs(np.diff(a)) > ATOL)])
    ids_a = pd.Series(ours.index.astype(str)).groupby(block).agg(frozenset)
    ids_b = pd.Series(theirs.index.astype(str)).groupby(block).agg(frozenset)
    wrong = np.flatnonzero(ids_a.to_numpy() != ids_b.to_numpy())
    assert not len(wrong), (
        f"{what}: different customers at value {a[block == wrong[0]][0]}: "
        f"crmkit {sorted(ids_a.iloc[wrong[0]])}, baseline {sorted(ids_b.iloc[wrong[0]])}"
    )


def _same_labels(ours: pd.Series, theirs: pd.Series, what: str) -> None:
    a, b = ours.astype(str).to_numpy(), theirs.astype(str).to_numpy()
    wrong = np.flatnonzero(a != b)
    assert not len(wrong), (
        f"{what}: {len(wrong)} customers differ, e.g. {ours.index[wrong[0]]}: "
        f"crmkit {a[wrong[0]]!r}, baseline {b[wrong[0]]!r}"
    )


def _same_numbers(ours: pd.DataFrame, theirs: pd.DataFrame, what: str, rtol: float = 0) -> None:
    assert list(ours.columns) == list(theirs.columns), (
        f"{what}: columns differ: crmkit {list(ours.columns)}, baseline {list(theirs.columns)}"
    )
    pd.testing.assert_frame_equal(
        ours.reset_index(drop=True),
        theirs.reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=rtol,
        atol=ATOL,
        obj=what,
    )


def _scores_agree(ours: pd.DataFrame, theirs: pd.DataFrame, raw: str, score: str) -> np.ndarray:
    """Rows where crmkit gives the whole tie group of `raw` one score; asserts equality there."""
    one_score = ours.groupby(raw)[score].transform("nunique").to_numpy() == 1
    spread = theirs.groupby(raw)[score].transform("nunique").to_numpy()
    assert (spread == 1).all(), f"rfm {score}: the baseline gives equal {raw} different scores"
    a, b = ours[score].to_numpy()[one_score], theirs[score].to_numpy()[one_score]
    wrong = np.flatnonzero(a != b)
    assert not len(wrong), (
        f"rfm {score}: {len(wrong)} customers differ where crmkit's ties agree, e.g. "
        f"{ours.index[one_score][wrong[0]]}: crmkit {a[wrong[0]]}, baseline {b[wrong[0]]}"
    )
    return one_score


def check(ours: Mapping[str, pd.DataFrame], theirs: Mapping[str, pd.DataFrame], name: str) -> str:
    """Assert that a baseline's results (`theirs`) equal crmkit's (`ours`); a one-line report.

    `ours` is what run.crmkit_lesson_path returns (profit, abc, split, rfm,
    tiers, tier_summary); `theirs` what a baseline's lesson_path returns
    (profit, ranking, rfm, tier_summary).
    """
    profit = ours["profit"]
    _same_ids(profit.index, theirs["profit"].index, f"{name} profit")
    _same_numbers(profit, theirs["profit"][list(profit.columns)], f"{name} profit")

    ranking = theirs["ranking"]
    abc = ours["abc"]
    _same_ranking(abc["value"], ranking["value"], f"{name} ranking")
    _same_numbers(abc[["cum_share", "rank"]], ranking[["cum_share", "rank"]], f"{name} ranking")
    # the labels go by position in the ranking, so compare them position by position
    _same_labels(abc["class"], ranking["abc_class"], f"{name} ABC class")
    split = ours["split"]["group"].reindex(abc.index)
    _same_labels(split, ranking["group"], f"{name} three-way split")
    tiers = ours["tiers"]["tier"].reindex(abc.index)
    _same_labels(tiers, ranking["tier"], f"{name} tier")
    summary = ours["tier_summary"]
    assert list(summary.index) == list(theirs["tier_summary"].index), f"{name}: tiers differ"
    _same_numbers(
        summary,
        theirs["tier_summary"][list(summary.columns)],
        f"{name} tier summary",
        rtol=TOTALS_RTOL,
    )

    rfm, their_rfm = ours["rfm"], theirs["rfm"]
    _same_ids(rfm.index, their_rfm.index, f"{name} rfm")
    raw = ["recency_days", "frequency", "monetary"]
    _same_numbers(rfm[raw], their_rfm[raw], f"{name} rfm raw values")
    agree = {
        score: _scores_agree(rfm, their_rfm, column, score)
        for column, score in zip(raw, ["r_score", "f_score", "m_score"], strict=True)
    }
    both = agree["r_score"] & agree["f_score"]
    _same_labels(rfm["segment"][both], their_rfm["segment"][both], f"{name} rfm segment")
    n = len(rfm)
    counts = ", ".join(f"{s[0].upper()} {int(a.sum()):,}" for s, a in agree.items())
    return (
        f"{name}: same profit parts, ranking, ABC, split, tiers and tier summary for "
        f"{len(profit):,} customers; same RFM raw values for {n:,}, scores compared where "
        f"crmkit's ties agree ({counts}; segments {int(both.sum()):,})"
    )


def main() -> None:
    """Check both baselines against crmkit on the sample data and print what was compared."""
    sys.path.insert(0, str(Path(__file__).parent))
    from run import crmkit_lesson_path

    from crmkit.datasets.load import load_sample

    import baselines_duckdb
    import baselines_pandas

    data = load_sample()
    ours = crmkit_lesson_path(data)
    print(check(ours, baselines_pandas.lesson_path(data), "idiomatic pandas"))
    print(check(ours, baselines_duckdb.lesson_path(data), "DuckDB"))


if __name__ == "__main__":
    main()
