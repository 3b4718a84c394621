"""Interactive explorers for the lessons, built on the topic modules and plots.

Every explorer is a `base.Explorer`: the base owns the widget, the redraw when
a control moves, the friendly error line and the static fallback (`static()`,
which reads well on GitHub and in a PDF where widgets cannot run); a lesson's
explorer supplies its controls, a pure `compute` step (settings in, view out)
and a `render` step (view to chart and table), each tested on its own. Tables
come from one Styler-based helper (`tables`), customers are chosen with one
picker (`picker`). One module per lesson; everything is importable from
`crmkit.widgets`.
"""

from crmkit.widgets.alive import AliveExplorer, AliveSettings, AliveView
from crmkit.widgets.base import ALL, Explorer, Rendered
from crmkit.widgets.classification import (
    ClassificationExplorer,
    ClassificationSettings,
    ClassificationView,
    CustomerLookup,
    compute_classification,
    render_chart,
    top_table_html,
)
from crmkit.widgets.columns import ColumnMapper
from crmkit.widgets.complaints import (
    ComplaintForm,
    ComplaintKpiExplorer,
    KpiSettings,
    SurvivalExplorer,
    SurvivalSettings,
)
from crmkit.widgets.key_accounts import (
    KeyAccountExplorer,
    ProfileCardExplorer,
    RuleView,
    card_html,
    compute_rule,
)
from crmkit.widgets.lifecycle import (
    LifecycleExplorer,
    LifecycleSettings,
    LifecycleView,
    PlaybookExplorer,
    PlaybookSettings,
)
from crmkit.widgets.maintenance import PlannerExplorer, PlannerSettings, PlannerView
from crmkit.widgets.picker import CustomerExplorer, CustomerPicker, CustomerSearch
from crmkit.widgets.pyramid import (
    MigrationExplorer,
    MigrationSettings,
    MigrationView,
    PyramidExplorer,
    PyramidSettings,
    PyramidView,
    compute_pyramid,
    pyramid_png,
    pyramid_table_html,
)
from crmkit.widgets.roleplay import RolePlay
from crmkit.widgets.tables import readable_table, table_html
from crmkit.widgets.value import (
    LifetimeSettings,
    LifetimeValueExplorer,
    LifetimeView,
    compute_lifetime_value,
)

__all__ = [
    "ColumnMapper",
    "PlannerExplorer",
    "PlannerSettings",
    "PlannerView",
    "ALL",
    "AliveExplorer",
    "AliveSettings",
    "AliveView",
    "ClassificationExplorer",
    "ClassificationSettings",
    "ClassificationView",
    "ComplaintForm",
    "ComplaintKpiExplorer",
    "CustomerExplorer",
    "CustomerLookup",
    "CustomerPicker",
    "CustomerSearch",
    "Explorer",
    "KeyAccountExplorer",
    "KpiSettings",
    "LifecycleExplorer",
    "LifecycleSettings",
    "LifecycleView",
    "LifetimeSettings",
    "LifetimeValueExplorer",
    "LifetimeView",
    "MigrationExplorer",
    "MigrationSettings",
    "MigrationView",
    "PlaybookExplorer",
    "PlaybookSettings",
    "ProfileCardExplorer",
    "PyramidExplorer",
    "PyramidSettings",
    "PyramidView",
    "Rendered",
    "RolePlay",
    "RuleView",
    "SurvivalExplorer",
    "SurvivalSettings",
    "card_html",
    "compute_classification",
    "compute_lifetime_value",
    "compute_pyramid",
    "compute_rule",
    "pyramid_png",
    "pyramid_table_html",
    "readable_table",
    "render_chart",
    "table_html",
    "top_table_html",
]
