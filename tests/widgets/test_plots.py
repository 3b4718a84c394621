"""Charts show what the tested code computed: titles, labels and values come from the data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from crmkit import classification as cls
from crmkit import plots


def _abc():
    values = pd.Series([50, 30, 10, 5, 3, 2], index=[f"C{i}" for i in range(6)], dtype=float)
    return cls.abc_analysis(values, cutoffs=(0.8, 0.95))


def test_pareto_title_states_the_a_class_result():
    abc = _abc()
    fig = plots.pareto_curve(abc, value_label="profit")
    title = fig.axes[0].get_title(loc="left")
    n_a = int((abc["class"] == "A").sum())
    share = abc.loc[abc["class"] == "A", "cum_share"].iloc[-1]
    assert title == f"{n_a / len(abc):.0%} of customers bring {share:.0%} of profit"
    line = fig.axes[0].lines[0]
    assert np.allclose(line.get_ydata()[1:], abc["cum_share"].to_numpy())


def test_indicator_profile_bars_are_the_scores():
    scores = pd.Series({"integrity": 90, "cooperation": 20, "growth": 55})
    fig = plots.indicator_profile(scores, reference=scores * 0 + 50)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == [20, 55, 90]
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"90", "20", "55"} <= labels


def test_heatmap_labels_every_cell():
    table = pd.DataFrame([[1.0, 2.0], [3.0, np.nan]], index=["a", "b"], columns=["x", "y"])
    fig = plots.segment_heatmap(table, fmt="{:.0f}", title="t")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "2", "3"]


def test_general_charts_live_in_one_module_for_every_lesson():
    from crmkit.plots import classification, general

    assert plots.segment_heatmap is general.segment_heatmap
    assert plots.bar_by_group is general.bar_by_group
    assert not hasattr(classification, "segment_heatmap")
    assert not hasattr(classification, "bar_by_group")


def test_png_is_deterministic():
    abc = _abc()
    assert plots.to_png(plots.pareto_curve(abc)) == plots.to_png(plots.pareto_curve(abc))


def test_bar_labels_show_signed_values():
    fig = plots.bar_by_group(pd.Series({"x": -5.0, "y": 10.0}), fmt="{:+.0f}")
    assert {t.get_text() for t in fig.axes[0].texts} == {"-5", "+10"}


def test_pyramid_charts_label_what_they_show():
    from crmkit import customer_base as cb
    from crmkit import pyramid as pyr
    from crmkit.datasets import load_sample

    data = load_sample()
    table = cb.customer_profit(data, cb.periods(data).last_full_year)
    summary = pyr.tier_summary(table, pyr.assign_tiers(table["profit"]))
    fig = plots.pyramid_chart(summary)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("VIP") for t in texts)
    share = summary.loc["VIP", "profit_share"]
    assert f"{share:.0%} of profit" in fig.axes[0].get_title(loc="left")
    whale = plots.whale_curve(pyr.whale_curve(table["profit"]))
    peak = pyr.whale_peak(table["profit"])["profit_share"]
    assert f"{peak:.0%}" in whale.axes[0].get_title(loc="left")
    steps = pyr.profit_waterfall(table.iloc[0])
    fall = plots.profit_waterfall(steps)
    assert len(fall.axes[0].patches) == len(steps)


def test_rfm_segment_shares_pairs_customer_and_revenue_shares():
    summary = pd.DataFrame(
        {"customers": [60, 30, 10], "revenue_share": [0.2, 0.1, 0.7]},
        index=pd.Index(["Lost", "Loyal", "Champions"], name="segment"),
    )
    fig = plots.rfm_segment_shares(summary)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Champions: 10% of customers bring 70% of revenue"
    # largest revenue share on top: the y tick labels run bottom to top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Loyal", "Lost", "Champions"]
    widths = sorted(round(bar.get_width(), 6) for bar in ax.patches)
    assert widths == sorted([0.6, 0.3, 0.1, 0.2, 0.1, 0.7])


def test_pyramid_and_whale_without_margins_say_they_show_revenue():
    from crmkit import customer_base as cb
    from crmkit import pyramid as pyr
    from crmkit.datasets import load_sample

    data = load_sample()
    table = cb.customer_profit(data, cb.periods(data).last_full_year).assign(profit=np.nan)
    summary = pyr.tier_summary(table, pyr.assign_tiers(table["revenue"]))
    title = plots.pyramid_chart(summary).axes[0].get_title(loc="left")
    share = summary["revenue"].iloc[0] / summary["revenue"].sum()
    assert title.startswith("No margins in this data")
    assert title.endswith(f"{share:.0%} of revenue")
    whale = plots.whale_curve(pyr.whale_curve(table["revenue"]), measure="revenue").axes[0]
    assert whale.get_title(loc="left") == (
        "No margins in this data: revenue instead of profit, so no hump"
    )
    assert whale.get_ylabel() == "Cumulative share of total revenue"
    assert any("No hump" in t.get_text() for t in whale.texts)


def test_indicator_profile_names_an_unknown_indicator():
    scores = pd.Series({"integrity": 90, "dependence": float("nan"), "growth": 55})
    fig = plots.indicator_profile(scores)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "unknown in this data" in texts
    assert "nan" not in " ".join(texts)
    assert {"90", "55"} <= set(texts)


def test_lifecycle_charts_draw_what_the_tables_hold():
    from crmkit import lifecycle as lc
    from crmkit.datasets import load_sample
    from crmkit.plots.lifecycle import STAGE_COLOURS

    data = load_sample()
    stages = lc.detect_stages(data)
    one = stages[stages["customer_id"] == "C00007"].reset_index(drop=True)
    truth = data.lifecycle_truth
    true_stage = truth.loc[truth["customer_id"] == "C00007", "stage"].reset_index(drop=True)
    fig = plots.customer_timeline(one, truth=true_stage, stable_share=0.4)
    top, bottom = fig.axes[:2]
    assert [round(b.get_height(), 2) for b in top.patches if b.get_width() == 0.8] == [
        round(v, 2) for v in one["ours"]
    ]
    assert np.allclose(bottom.lines[0].get_ydata(), one["share"].to_numpy(), equal_nan=True)
    shown = one["stage"].astype(str)
    runs = shown[shown != shown.shift()]  # the first month of each run of one stage
    bands, strip = bottom.collections[:2]  # the detected stages, then the truth's strip
    assert len(bands.get_paths()) == len(runs)
    expected = [matplotlib.colors.to_rgb(STAGE_COLOURS[s]) for s in runs]
    assert [tuple(c[:3]) for c in bands.get_facecolors()] == expected
    starts = [path.vertices[:, 0].min() for path in bands.get_paths()]
    assert starts == [i - 0.5 for i in runs.index]  # each band begins where its run begins
    assert len(strip.get_paths()) == (true_stage != true_stage.shift()).sum()
    assert len(STAGE_COLOURS) == len(lc.STAGES)

    table = lc.stage_economics(data, stages)
    econ = plots.stage_economics(table)
    assert table["return"].idxmax() in econ.axes[0].get_title(loc="left")
    patterns = data.lifecycle_truth.groupby("customer_id", observed=True)["pattern"].first()
    curves = lc.pattern_curves(stages, patterns.astype(str), months=12)
    lines = plots.pattern_curves(curves).axes[0].lines
    assert len(lines) == 4
    assert np.allclose(lines[0].get_ydata(), curves.iloc[:, 0].to_numpy(), equal_nan=True)
