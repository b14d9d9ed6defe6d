"""The data overview's figures draw the tables they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from jkit.plotting import plot_events_over_time, plot_stage_reach  # noqa: E402


def test_events_over_time_draws_one_line_per_touchpoint():
    per_bucket = pd.DataFrame({"web": [2, 2], "other": [1, 1]},
                              index=pd.DatetimeIndex(["2024-01-01", "2024-01-08"], name="bucket"))
    fig, ax = plt.subplots()
    assert plot_events_over_time(per_bucket, unit="week", ax=ax) is ax
    assert [line.get_label() for line in ax.get_lines()] == ["web", "other"]
    assert list(ax.get_lines()[0].get_ydata()) == [2, 2]
    assert ax.get_title() == "Events per week by touchpoint"
    assert ax.get_ylabel() == "events per week"
    assert ax.get_legend() is not None
    plt.close(fig)


def test_events_over_time_without_touchpoints_has_no_legend():
    per_bucket = pd.DataFrame({"all events": [3]}, index=pd.DatetimeIndex(["2024-01-10 12:00"], name="bucket"))
    fig, ax = plt.subplots()
    plot_events_over_time(per_bucket, unit="hour", by_touchpoint=False, ax=ax)
    assert ax.get_title() == "Events per hour"
    assert ax.get_legend() is None
    plt.close(fig)


def test_stage_reach_bars_and_labels():
    reach = pd.DataFrame({"stage": ["awareness", "purchase", "retention"], "customers": [2, 1000, 0],
                          "share_of_customers": [0.5, 0.25, 0.0]})
    fig, ax = plt.subplots()
    plot_stage_reach(reach, ax=ax)
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.5, 0.25, 0.0]
    assert [t.get_text() for t in ax.texts] == ["50.0% (2)", "25.0% (1,000)", "0.0% (0)"]
    assert ax.get_xlim() == (0, 1.12)
    assert ax.yaxis_inverted()
    plt.close(fig)
