"""The workbook's charts: one question per chart, answered in its title.

Every lesson gets the same look from `style` (colour-blind-safe Okabe-Ito
palette, direct value labels, no chart junk). Functions take tidy tables from
the topic modules and return a matplotlib Figure; they never compute analysis
themselves, so what a chart shows is what the tested code computed.
Figures are made with `matplotlib.figure.Figure` (not pyplot) when `ax` is not
given, so explorers can redraw them without touching global state; notebooks
display them by ending the cell with the figure or `plt.show()`.
One module per lesson topic (classification, pyramid, value, key_accounts, lifecycle,
alive, complaints, satisfaction) plus `general` for charts any lesson uses (heatmap of a
table, bars by group); everything is importable from `crmkit.plots`.
"""

from crmkit.plots.alive import (
    alive_history,
    alive_matrix,
    holdout_check,
    purchases_matrix,
    repeat_histogram,
)
from crmkit.plots.classification import indicator_profile, pareto_curve, rfm_segment_shares
from crmkit.plots.complaints import (
    cause_pareto,
    handling_times,
    rate_chart,
    retention_heatmap,
    survival_chart,
    wants_chart,
)
from crmkit.plots.general import bar_by_group, segment_heatmap
from crmkit.plots.key_accounts import list_over_time, rule_change_chart, threshold_curve
from crmkit.plots.lifecycle import customer_timeline, pattern_curves, stage_economics
from crmkit.plots.pyramid import migration_heatmap, profit_waterfall, pyramid_chart, whale_curve
from crmkit.plots.satisfaction import (
    gap_chart,
    ipa_chart,
    loyalty_chart,
    nps_chart,
    plan_value_chart,
)
from crmkit.plots.style import (
    CLASS_COLOURS,
    DIVERGING_CMAP,
    PALETTE,
    SEQUENTIAL_CMAP,
    STYLE,
    apply_style,
    to_png,
)
from crmkit.plots.value import (
    clv_years_chart,
    network_chart,
    offer_comparison,
    promise_chart,
    sensitivity_chart,
    what_if_sweep,
)

__all__ = [
    "alive_history",
    "alive_matrix",
    "holdout_check",
    "repeat_histogram",
    "CLASS_COLOURS",
    "DIVERGING_CMAP",
    "PALETTE",
    "SEQUENTIAL_CMAP",
    "STYLE",
    "apply_style",
    "bar_by_group",
    "cause_pareto",
    "handling_times",
    "rate_chart",
    "retention_heatmap",
    "survival_chart",
    "wants_chart",
    "gap_chart",
    "ipa_chart",
    "loyalty_chart",
    "nps_chart",
    "plan_value_chart",
    "clv_years_chart",
    "customer_timeline",
    "indicator_profile",
    "list_over_time",
    "migration_heatmap",
    "network_chart",
    "offer_comparison",
    "pattern_curves",
    "purchases_matrix",
    "pareto_curve",
    "profit_waterfall",
    "promise_chart",
    "pyramid_chart",
    "rfm_segment_shares",
    "rule_change_chart",
    "segment_heatmap",
    "stage_economics",
    "sensitivity_chart",
    "threshold_curve",
    "to_png",
    "what_if_sweep",
    "whale_curve",
]
