"""The benchmarks' baselines compute what crmkit computes, so a timing compares like with like.

`make bench` checks this before timing, but only when someone runs it; this test keeps the
idiomatic-pandas versions (and DuckDB's, where it is installed) in step with crmkit's rules
whenever the rules change: the lesson path, and the customer-base models' summary.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from crmkit import alive as al
from crmkit.datasets import load_sample

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from run import crmkit_lesson_path  # noqa: E402

import baselines_pandas  # noqa: E402
import check_baselines  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return load_sample()


def test_the_pandas_lesson_path_gives_crmkits_results(data):
    said = check_baselines.check(
        crmkit_lesson_path(data), baselines_pandas.lesson_path(data), "pandas"
    )
    assert f"for {data.orders['customer_id'].nunique():,} customers" in said


def test_the_duckdb_lesson_path_gives_crmkits_results(data):
    pytest.importorskip(
        "duckdb", reason="DuckDB is a benchmark-only extra (make bench installs it)"
    )
    import baselines_duckdb

    said = check_baselines.check(
        crmkit_lesson_path(data), baselines_duckdb.lesson_path(data), "duckdb"
    )
    assert "same profit parts" in said


def test_the_pandas_model_summary_gives_crmkits_summary(data):
    md = al.model_data(data)
    theirs = baselines_pandas.model_summary_with_pandas(
        data.orders, md.calibration_end, md.observation_end
    )
    ours = md.summary
    assert theirs.index.sort_values().equals(ours.index.sort_values())
    for column in ("frequency", "recency", "T", "monetary_value", "frequency_holdout"):
        assert np.allclose(theirs[column].reindex(ours.index), ours[column]), column


def test_the_pandas_stage_rules_give_crmkits_stages(data):
    from crmkit import lifecycle as lc

    rules = lc.StageRules(window_months=4, stable_share=0.5)
    ours = lc.detect_stages(data, rules)["stage"].astype(str).to_numpy()
    theirs = np.asarray(baselines_pandas.stages_with_pandas(data, rules).astype(str))
    assert len(theirs) == len(ours) and (theirs == ours).all()
