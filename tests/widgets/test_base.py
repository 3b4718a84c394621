"""The explorer base class, on a tiny explorer: redraw, error line, static fallback, CSS classes."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import ipywidgets as w
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from crmkit.errors import CrmkitError
from crmkit.widgets.base import Explorer, Rendered, find
from crmkit.widgets.tables import table_html

from html_table import read_table


@dataclass(frozen=True)
class Count:
    n: int = 3


class CountExplorer(Explorer[Count, int]):
    """Shows n as a fake chart and a one-cell table; n < 0 is a learner's mistake, 7 a bug."""

    def make_controls(self) -> dict[str, w.Widget]:
        return {"n": w.IntSlider(value=self.settings.n, min=-5, max=10, description="n")}

    def compute(self, settings: Count) -> int:
        if settings.n < 0:
            raise CrmkitError("n cannot be negative;\n  choose 0 or more")
        if settings.n == 7:
            raise ValueError("a bug, not a mistake of the learner")
        return settings.n

    def render(self, n: int) -> Rendered:
        return Rendered(chart=b"\x89PNG n=%d" % n, table=table_html(pd.DataFrame({"n": [n]})))


class TableFirst(CountExplorer):
    parts = ("table", "chart")


class ChartOnly(CountExplorer):
    parts = ("chart",)


def _parts(root: w.Widget) -> tuple[w.IntSlider, w.Image, w.HTML]:
    slider = find(root, "crmkit-control-n")
    chart = find(root, "crmkit-chart").children[0]
    return slider, chart, find(root, "crmkit-table")


def test_css_classes_the_browser_tests_rely_on():
    explorer = CountExplorer(Count())
    root = explorer.widget()
    assert "crmkit-explorer" in root._dom_classes
    slider, chart, table = _parts(root)
    assert isinstance(slider, w.IntSlider) and slider is explorer.controls["n"]
    assert isinstance(chart, w.Image) and bytes(chart.value) == b"\x89PNG n=3"
    assert read_table(table.value).column("N") == ["3"]
    assert explorer.widget() is root  # built once


def test_a_control_redraws_and_updates_the_settings():
    explorer = CountExplorer(Count())
    slider, chart, table = _parts(explorer.widget())
    slider.value = 5
    assert explorer.settings == Count(5)
    assert bytes(chart.value) == b"\x89PNG n=5" and read_table(table.value).column("N") == ["5"]


def test_a_crmkit_error_is_one_line_and_the_last_view_stays():
    explorer = CountExplorer(Count())
    slider, chart, table = _parts(explorer.widget())
    shown = table.value
    slider.value = -2
    message = explorer.message.value
    assert "crmkit-error" in message and "Traceback" not in message
    assert "n cannot be negative; choose 0 or more" in message and "\n" not in message
    assert bytes(chart.value) == b"\x89PNG n=3" and table.value == shown
    assert explorer.settings == Count(3)  # the settings of the view on screen
    slider.value = 4
    assert explorer.message.value == "" and explorer.settings == Count(4)


def test_other_errors_are_not_hidden():
    slider, _, _ = _parts(CountExplorer(Count()).widget())
    with pytest.raises(ValueError, match="a bug"):
        slider.value = 7


def test_holding_sets_controls_without_redrawing():
    explorer = CountExplorer(Count())
    slider, chart, _ = _parts(explorer.widget())
    with explorer.holding():
        slider.value = 6
    assert bytes(chart.value) == b"\x89PNG n=3"
    explorer.redraw()
    assert bytes(chart.value) == b"\x89PNG n=6"


def _static(explorer: Explorer, settings=None) -> list[str]:
    InteractiveShell.instance()  # display() only publishes rich output inside a shell
    with capture_output() as captured:
        explorer.static(settings)
    assert captured.stdout == "" and captured.stderr == ""
    shown = []
    for output in captured.outputs:
        if "image/png" in output.data:
            shown.append(base64.b64decode(output.data["image/png"]).decode("latin-1"))
        else:
            shown.append(read_table(output.data["text/html"]).rows[0][0])
    return shown


def test_static_fallback_shows_the_parts_in_order_without_widgets():
    explorer = CountExplorer(Count(2))
    assert _static(explorer) == ["\x89PNG n=2", "2"]
    assert _static(explorer, Count(8)) == ["\x89PNG n=8", "8"]
    assert explorer.settings == Count(2) and explorer.controls == {}  # no widget was built
    assert _static(TableFirst(Count(1))) == ["1", "\x89PNG n=1"]
    assert _static(ChartOnly(Count(1))) == ["\x89PNG n=1"]
    with pytest.raises(CrmkitError, match="negative"):
        explorer.static(Count(-1))


def test_parts_decide_the_outputs_shown():
    root = ChartOnly(Count()).widget()
    assert find(root, "crmkit-chart") is not None and find(root, "crmkit-table") is None


def test_ipython_display_shows_the_widget():
    explorer = CountExplorer(Count())
    InteractiveShell.instance()
    with capture_output() as captured:
        explorer._ipython_display_()
    (output,) = captured.outputs
    assert output.data["application/vnd.jupyter.widget-view+json"]["model_id"] == (
        explorer.widget().model_id
    )
