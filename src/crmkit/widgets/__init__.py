"""Interactive explorers for the lessons, built on the topic modules and plots.

An explorer is three layers, so each can be tested on its own:
1. a pure `compute` step (settings in, tables out) that calls the topic module,
2. a `render` step that turns those tables into a chart (PNG) and an HTML table,
3. the ipywidgets controls that call 1 and 2 whenever a control moves.
`static()` shows layer 2 at the current settings, as the fallback that reads
well on GitHub and in a PDF where widgets cannot run. One module per lesson;
everything is importable from `crmkit.widgets`.
"""

from crmkit.widgets.base import ALL
from crmkit.widgets.classification import (
    ClassificationExplorer,
    ClassificationSettings,
    ClassificationView,
    CustomerLookup,
    compute_classification,
    render_chart,
    top_table_html,
)
from crmkit.widgets.key_accounts import ProfileCardExplorer
from crmkit.widgets.pyramid import (
    MigrationExplorer,
    MigrationView,
    PyramidExplorer,
    PyramidSettings,
    PyramidView,
    compute_pyramid,
    pyramid_png,
    pyramid_table_html,
)

__all__ = [
    "ALL",
    "ClassificationExplorer",
    "ClassificationSettings",
    "ClassificationView",
    "CustomerLookup",
    "MigrationExplorer",
    "MigrationView",
    "ProfileCardExplorer",
    "PyramidExplorer",
    "PyramidSettings",
    "PyramidView",
    "compute_classification",
    "compute_pyramid",
    "pyramid_png",
    "pyramid_table_html",
    "render_chart",
    "top_table_html",
]
