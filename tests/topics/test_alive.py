"""The customer-base models on the sample data: periods from the data, the holdout check, the
P(alive) matrix and history, the early warnings scored on the truth, and the call list."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from crmkit import alive as al
from crmkit import lifecycle as lc
from crmkit.customer_base_models import clv, pareto_nbd
from crmkit.datasets import load_sample
from crmkit.errors import CrmkitError, MissingData


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def calibration(data):
    md = al.model_data(data)
    return md, al.fit_models(md.summary)


@pytest.fixture(scope="module")
def today(data):
    md = al.model_data(data, holdout_months=0)
    return md, al.fit_models(md.summary)


@pytest.fixture(scope="module")
def monthly(data, today):
    return al.alive_by_month(data, today[1].pareto_nbd)


def test_the_periods_come_from_the_data_and_the_summary_counts_purchase_days(data, calibration):
    md, _ = calibration
    end = pd.Timestamp(data.analysis_date).normalize()
    assert md.observation_end == end
    assert md.calibration_end == end - pd.DateOffset(months=12)
    assert md.holdout_weeks == pytest.approx((end - md.calibration_end).days / 7)
    # one customer by hand: repeat purchase days before the cut, in weeks
    orders = data.orders
    cid = orders["customer_id"].value_counts().index[10]
    days = orders.loc[orders["customer_id"] == cid, "order_date"].dt.normalize()
    before = np.sort(days[days <= md.calibration_end].unique())
    after = days[days > md.calibration_end].nunique()
    row = md.summary.loc[cid]
    assert row["frequency"] == len(before) - 1
    assert row["recency"] == pytest.approx((before[-1] - before[0]) / pd.Timedelta(days=7))
    assert row["T"] == pytest.approx((md.calibration_end - before[0]) / pd.Timedelta(days=7))
    assert row["frequency_holdout"] == after


def test_a_holdout_that_leaves_too_little_history_is_refused(data):
    with pytest.raises(MissingData, match="less than half a year is left"):
        al.model_data(data, holdout_months=34)
    with pytest.raises(CrmkitError, match="whole number"):
        al.model_data(data, holdout_months=1.5)


def test_the_comparison_shows_each_fit(calibration):
    _, fits = calibration
    table = al.model_comparison(fits)
    assert table.loc["BG/NBD", "log-likelihood"] == fits.bgnbd.log_likelihood
    assert table.loc["Pareto/NBD", "log-likelihood"] == fits.pareto_nbd.log_likelihood
    p = fits.pareto_nbd.params
    assert table.loc["Pareto/NBD", "purchases a week while alive"] == p["r"] / p["alpha"]
    assert f"{p['s'] / p['beta']:.1%} chance a week" in table.loc["Pareto/NBD", "dropout"]
    with pytest.raises(CrmkitError, match="model must be one of"):
        fits.transactions("BTYD")


def test_the_holdout_check_averages_what_the_model_and_the_data_say(calibration):
    md, fits = calibration
    s = md.summary
    table = al.holdout_check(fits.pareto_nbd, md, top=5)
    assert list(table.index) == ["0", "1", "2", "3", "4", "5+"]
    assert table["customers"].sum() == len(s)
    quiet = s[s["frequency"] == 0]
    assert table.loc["0", "actual"] == pytest.approx(quiet["frequency_holdout"].mean())
    predicted = pareto_nbd.conditional_expected_purchases(
        fits.pareto_nbd, quiet["duration_holdout"], quiet["frequency"], quiet["recency"], quiet["T"]
    )
    assert table.loc["0", "predicted"] == pytest.approx(float(np.mean(predicted)))
    with pytest.raises(CrmkitError, match="no holdout period"):
        al.holdout_check(
            fits.pareto_nbd, dataclasses.replace(md, summary=s.drop(columns="frequency_holdout"))
        )


def test_the_alive_matrix_rises_with_recency_and_holds_the_model_values(today):
    _, fits = today
    matrix = al.alive_matrix(fits.pareto_nbd, 104.0, max_frequency=8, steps=9)
    assert matrix.shape == (9, 9)
    assert matrix.iloc[0, 1:].isna().all() and matrix.iloc[0, 0] >= 0
    rows = matrix.iloc[1:].to_numpy()
    assert (np.diff(rows, axis=1) >= -1e-12).all()  # a later last purchase: more likely alive
    x, tx = 5, float(matrix.columns[3])
    assert matrix.loc[x].iloc[3] == pytest.approx(
        pareto_nbd.probability_alive(fits.pareto_nbd, x, tx, 104.0), abs=0.05
    )
    # BG/NBD's blind spot: a customer who never came back is certainly alive
    assert al.alive_matrix(fits.bgnbd, 104.0).iloc[0, 0] == 1.0
    with pytest.raises(CrmkitError, match="positive number of weeks"):
        al.alive_matrix(fits.bgnbd, 0)


def test_the_monthly_history_ends_where_the_summary_of_all_the_data_does(data, today, monthly):
    md, fits = today
    last = monthly[monthly["month"] == monthly["month"].max()].set_index("customer_id")["p_alive"]
    now = al.probability_alive(fits.pareto_nbd, md.summary)
    assert np.allclose(last.reindex(now.index).to_numpy(), now.to_numpy())
    first_order = data.orders.groupby("customer_id")["order_date"].min().dt.to_period("M")
    first_month = monthly.groupby("customer_id")["month"].min()
    assert (first_month == first_order.reindex(first_month.index)).all()
    history = al.customer_history(data, monthly, "C00097")
    orders = data.orders[data.orders["customer_id"] == "C00097"]
    assert history["orders"].sum() == len(orders)
    with pytest.raises(CrmkitError, match="no purchases"):
        al.customer_history(data, monthly, "C99999")


def test_the_warnings_are_scored_on_the_truth_by_their_stated_rules(data, monthly):
    stages = lc.detect_stages(data)
    score = al.early_warning(stages, monthly, data.lifecycle_truth, threshold=0.5)
    flags = score.flags
    # nothing after the first true ended month
    ended = flags["true_stage"].astype(str) == "ended"
    assert ended.groupby(flags["customer_id"]).sum().max() == 1
    assert (flags["model"] == (flags["p_alive"] < 0.5)).all()
    assert (flags["rules"] == flags["stage"].astype(str).isin(["decline", "ended"])).all()
    decline = flags["true_stage"].astype(str) == "decline"
    for signal, column in (("stage rules", "rules"), ("P(alive) below 50%", "model")):
        row = score.table.loc[signal]
        assert row["months flagged"] == flags[column].sum()
        assert row["decline months caught"] == pytest.approx(flags.loc[decline, column].mean())
        assert row["right when flagged"] == pytest.approx(
            flags.loc[flags[column], "slipping"].mean()
        )
        assert 0 <= row["endings warned ahead"] <= 1
    # a higher alarm threshold flags more months
    higher = al.early_warning(stages, monthly, data.lifecycle_truth, threshold=0.8).table
    assert higher.iloc[1]["months flagged"] > score.table.iloc[1]["months flagged"]
    with pytest.raises(CrmkitError, match="between 0 and 1"):
        al.warning_flags(stages, monthly, data.lifecycle_truth, threshold=1.5)
    with pytest.raises(MissingData, match="true stages"):
        al.warning_flags(stages, monthly, data.lifecycle_truth.iloc[0:0], threshold=0.5)


def test_lifetime_values_discount_by_month_and_split_the_value_at_risk(today):
    md, fits = today
    values = al.lifetime_values(fits, md, months=12, annual_rate=0.10)
    expected = clv.lifetime_value(
        fits.pareto_nbd,
        fits.gamma_gamma,
        md.summary,
        unit_days=7,
        period_days=365.25 / 12,
        periods=12,
        rate=1.1 ** (1 / 12) - 1,
    )
    assert np.allclose(values["lifetime_value"], expected)
    assert np.allclose(values["value_at_risk"], (1 - values["p_alive"]) * values["value_if_alive"])
    alive = values["p_alive"] > 0.01
    assert np.allclose(
        (values["p_alive"] * values["value_if_alive"])[alive], values["lifetime_value"][alive]
    )
    longer = al.lifetime_values(fits, md, months=24)
    assert (longer["lifetime_value"] >= values["lifetime_value"] - 1e-9).all()
    dearer = al.lifetime_values(fits, md, annual_rate=0.3)
    assert dearer["lifetime_value"].sum() < values["lifetime_value"].sum()
    with pytest.raises(CrmkitError, match="yearly discount rate"):
        al.lifetime_values(fits, md, annual_rate=1.2)


def test_the_retention_list_ranks_by_the_measure_asked_for(today):
    md, fits = today
    values = al.lifetime_values(fits, md)
    at_risk = al.retention_list(values, n=50)
    assert len(at_risk) == 50
    assert at_risk["value_at_risk"].min() >= (
        values[values["p_alive"] >= 0.1].drop(at_risk.index)["value_at_risk"].max()
    )
    assert at_risk["p_alive"].min() >= 0.1
    lowest = al.retention_list(values, n=50, by="p_alive")
    reachable = values[values["p_alive"] >= 0.1]
    assert lowest["p_alive"].max() <= reachable.drop(lowest.index)["p_alive"].min()
    everyone = al.retention_list(values, n=50, min_alive=0.0)
    assert everyone["value_at_risk"].min() >= values.drop(everyone.index)["value_at_risk"].max()
    assert everyone["p_alive"].min() < 0.1  # without the floor, long-gone customers come first
    richest = al.retention_list(values, n=50, by="lifetime_value")
    # the three rankings pick different customers: the choice matters
    assert len(set(at_risk.index) & set(lowest.index)) < 25
    assert len(set(at_risk.index) & set(richest.index)) < 25
    with pytest.raises(CrmkitError, match="rank by one of"):
        al.retention_list(values, by="revenue")
    with pytest.raises(CrmkitError, match="number of calls"):
        al.retention_list(values, n=0)


def test_the_silent_pair_share_a_silence_and_differ_in_frequency(today):
    md, _ = today
    pair = al.silence_examples(md.summary)
    assert len(pair) == 2
    assert ((pair["weeks since the last purchase"] - 20).abs() <= 1).all()
    frequent, rare = pair["repeat purchases"]
    assert frequent > 3 * rare >= 3
    with pytest.raises(CrmkitError, match="fewer than two"):
        al.silence_examples(md.summary, weeks=10_000)


def test_the_alarm_race_names_which_warning_came_first(data, monthly):
    flags = al.early_warning(lc.detect_stages(data), monthly, data.lifecycle_truth).flags
    race = al.alarm_race(flags)
    ended = flags.loc[flags["true_stage"].astype(str) == "ended", "customer_id"]
    assert set(race.index) == set(ended)  # every relationship that ended, once
    assert (race["decline_from"] <= race["ended"]).all()
    for column in ("rules_alarm", "model_alarm"):
        seen = race[column].dropna()
        assert (
            (seen >= race.loc[seen.index, "decline_from"]) & (seen <= race.loc[seen.index, "ended"])
        ).all()
    first = race["first"].astype(str)
    both = race["rules_alarm"].notna() & race["model_alarm"].notna()
    assert (first[both & (race["rules_alarm"] < race["model_alarm"])] == "rules first").all()
    assert (first[both & (race["model_alarm"] < race["rules_alarm"])] == "model first").all()
    assert (first[race["rules_alarm"].isna() & race["model_alarm"].isna()] == "neither").all()
    # one customer by hand: its first model alarm is its first slipping month below one half
    cid = race.index[race["first"] == "model first"][0]
    mine = flags[(flags["customer_id"] == cid) & flags["slipping"] & (flags["p_alive"] < 0.5)]
    assert race.loc[cid, "model_alarm"] == mine["month"].min()


def test_the_race_examples_are_clean_cases_of_each_outcome(data, monthly):
    flags = al.early_warning(lc.detect_stages(data), monthly, data.lifecycle_truth).flags
    race = al.alarm_race(flags)
    for outcome in ("model first", "rules first"):
        cid = al.race_example(race, flags, data, outcome)
        assert race.loc[cid, "first"] == outcome
        mine = flags[flags["customer_id"] == cid]
        before = mine[mine["month"] < race.loc[cid, "decline_from"]]
        assert not (before["rules"] | before["model"]).any()  # no false alarm first
    with pytest.raises(CrmkitError, match="first must be one of"):
        al.race_example(race, flags, data, "photo finish")


def test_the_purchases_matrix_holds_the_models_forecasts(today):
    _, fits = today
    matrix = al.purchases_matrix(fits.pareto_nbd, 104.0, weeks=13, max_frequency=10, steps=9)
    assert matrix.shape == (11, 9) and matrix.iloc[0, 1:].isna().all()
    tx = float(matrix.columns[5])
    expected = pareto_nbd.conditional_expected_purchases(fits.pareto_nbd, 13.0, 6, tx, 104.0)
    assert matrix.loc[6].iloc[5] == pytest.approx(float(expected))
    recent = matrix.iloc[1:, -1].to_numpy()  # bought lately: more past purchases, more ahead
    assert (np.diff(recent) > 0).all()
    with pytest.raises(CrmkitError, match="forecast horizon in weeks"):
        al.purchases_matrix(fits.pareto_nbd, 104.0, weeks=0)
