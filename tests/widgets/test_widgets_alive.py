"""The P(alive) explorer follows its controls and agrees with the alive module."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from crmkit import alive as al
from crmkit import lifecycle as lc
from crmkit import widgets
from crmkit.datasets import load_sample
from crmkit.widgets.base import find


@pytest.fixture(scope="module")
def data():
    return load_sample()


@pytest.fixture(scope="module")
def fits(data):
    return al.fit_models(al.model_data(data, holdout_months=0).summary)


@pytest.fixture(scope="module")
def explorer(data, fits):
    return widgets.AliveExplorer(data, fits, "C00097")


def test_the_controls_move_the_history_and_the_score(data, fits, explorer):
    explorer.widget()
    explorer.controls["threshold"].value = 0.7
    explorer.controls["model"].value = "BG/NBD"
    assert explorer.settings == widgets.AliveSettings("C00097", "BG/NBD", 0.7)
    view = explorer.view()
    monthly = al.alive_by_month(data, fits.bgnbd)
    expected = al.customer_history(data, monthly, "C00097")
    assert np.allclose(view.history["p_alive"], expected["p_alive"])
    score = al.early_warning(lc.detect_stages(data), monthly, data.lifecycle_truth, 0.7).table
    assert list(view.score.index) == ["stage rules", "P(alive) below 70%"]
    assert np.allclose(
        view.score.to_numpy(dtype=float), score.to_numpy(dtype=float), equal_nan=True
    )
    now = expected["p_alive"].iloc[-1]
    assert view.headline.startswith(f"C00097: {now:.0%} likely still a customer")
    truth = lc.true_stages(expected.assign(customer_id="C00097"), data.lifecycle_truth)
    assert list(view.truth) == list(truth.astype(str))
    explorer.controls["model"].value = "Pareto/NBD"
    assert not np.allclose(explorer.view().history["p_alive"], view.history["p_alive"])


def test_the_search_box_and_the_static_view(explorer):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    root = explorer.widget()
    find(root, "crmkit-control-customer").box.value = "C00042"
    assert explorer.settings.customer_id == "C00042"
    InteractiveShell.instance()
    with capture_output() as captured:
        explorer.static("C00010")
    image, html = captured.outputs
    assert "image/png" in image.data
    assert "Decline months caught" in html.data["text/html"]


def test_without_a_truth_table_it_draws_the_history_but_no_score(data, fits):
    no_truth = dataclasses.replace(data, lifecycle_truth=data.lifecycle_truth.iloc[:0])
    explorer = widgets.AliveExplorer(no_truth, fits, "C00007")
    view = explorer.view()
    assert view.score is None and view.truth is None
    assert "alarm" not in view.headline
    assert explorer.render(view).chart.startswith(b"\x89PNG")


def test_a_timeline_alone_draws_the_customers_history(data, explorer):
    fig = explorer.timeline("C00042")
    line = fig.axes[0].lines[0]
    view = explorer.compute(widgets.AliveSettings("C00042", explorer.settings.model, 0.5))
    assert np.allclose(line.get_ydata(), view.history["p_alive"])
    assert fig.axes[0].get_title(loc="left").startswith("C00042")
