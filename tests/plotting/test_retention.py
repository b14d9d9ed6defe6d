"""The retention and lifecycle figures draw the cells, lines and bars of the tables they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jkit.errors import ParameterError  # noqa: E402
from jkit.kpis import lifecycle, retention, retention_curve  # noqa: E402
from jkit.plotting import (  # noqa: E402
    cohort_label,
    plot_lifecycle,
    plot_retention_curves,
    plot_retention_triangle,
)
from tests.kpis.retention_log import CUSTOMERS, LOG  # noqa: E402


def test_cohort_labels():
    jan = pd.Timestamp("2024-01-08", tz="UTC")
    assert [cohort_label(jan, p) for p in ("D", "W", "M", "Q", "Y")] == ["2024-01-08", "2024-01-08", "2024-01",
                                                                        "2024 Q1", "2024"]


def test_triangle_cells_show_percent_and_count():
    table = retention(LOG, start_event="signup", return_event="buy", criterion="on_or_after")
    fig, ax = plt.subplots()
    assert plot_retention_triangle(table, ax=ax) is ax
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(table) == 12            # the triangle: 5 + 4 + 2 + 1 cells
    assert texts[:5] == ["100%\n(2)", "50%\n(1)", "50%\n(1)", "0%\n(0)", "0%\n(0)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2024-01 (n=2)", "2024-02 (n=1)", "2024-04 (n=1)",
                                                            "2024-05 (n=1)"]
    image = ax.get_images()[0].get_array()
    assert image.shape == (4, 5) and image.mask[3, 1:].all() and image[0, 1] == 0.5
    assert ax.get_xlabel() == "months since the cohort's first month"
    plt.close(fig)


def test_triangle_hatches_partial_cells_and_wants_one_group():
    log = pd.concat([LOG, pd.DataFrame({"customer_id": ["f"], "timestamp": [pd.Timestamp("2024-06-10", tz="UTC")],
                                        "event": ["visit"], "channel": ["ads"]})], ignore_index=True)
    table = retention(log, start_event="signup", return_event="buy", incomplete="mark")
    fig, ax = plt.subplots()
    plot_retention_triangle(table, ax=ax)
    assert sum(p.get_hatch() == "//" for p in ax.patches) == (~table["complete"]).sum() == 4
    plt.close(fig)
    by = retention(LOG, by="plan", customers=CUSTOMERS)
    with pytest.raises(ParameterError, match="select one value of 'plan'"):
        plot_retention_triangle(by)


def test_curves_by_cohort_and_by_group_with_bands():
    table = retention(LOG, start_event="signup", return_event="buy")
    fig, ax = plt.subplots()
    plot_retention_curves(table, ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["2024-01", "2024-02", "2024-04", "2024-05"]
    assert list(ax.get_lines()[0].get_ydata()) == [1.0, 0.0, 0.5, 0.0, 0.0]
    assert len(ax.collections) == 4                  # one band per line
    plt.close(fig)
    pooled = retention_curve(retention(LOG, start_event="signup", return_event="buy", by="plan",
                                       customers=CUSTOMERS), by="plan")
    # free: Jan (c), Feb (b), May (e) cohorts; period 2 observed for Jan and Feb: b returned -> 1/2
    free = pooled[pooled["plan"] == "free"]
    assert free["customers"].tolist()[:3] == [3, 2, 2] and free["active"].tolist()[:3] == [3, 0, 1]
    fig, ax = plt.subplots()
    plot_retention_curves(pooled, hue="plan", ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["free", "pro"]
    assert ax.get_legend().get_title().get_text() == "plan"
    plt.close(fig)


def test_lifecycle_bars_dormant_below_zero():
    table = lifecycle(LOG)
    fig, ax = plt.subplots()
    plot_lifecycle(table, ax=ax)
    heights = [round(p.get_height()) for p in ax.patches]
    # new, returning, resurrecting, dormant: five periods each
    assert heights == [2, 2, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 2, 0, 0, -1, -3, 0, -2]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["new", "returning", "resurrecting", "dormant"]
    assert ax.yaxis.get_major_formatter()(-3, 0) == "3"
    assert not any(t.get_text() == "(partial)" for t in ax.texts)
    plt.close(fig)
    partial = table.assign(complete=np.r_[[True] * 4, False])
    fig, ax = plt.subplots()
    plot_lifecycle(partial, ax=ax)
    assert [t.get_text() for t in ax.texts] == ["(partial)"]
    assert ax.patches[4].get_alpha() == pytest.approx(0.45)
    plt.close(fig)
