"""Funnel follow-ups: time to convert, cohorts, drop-outs and what they did next, and their figures."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.funnels import (
    cohort_conversion,
    dropped_after,
    funnel_journeys,
    funnel_table,
    next_after_drop,
    time_to_convert,
)
from tests.funnels.events import T0, H, log


def follow_up_log() -> pd.DataFrame:
    return log(("a", 0, "v", "web"), ("a", 2, "c", "web"), ("a", 5, "p", "app"),
               ("b", 0, "v", "web"), ("b", 1, "c", "web"), ("b", 3, "help", "support"),
               ("c", 24 * 8, "v", "email"), ("c", 24 * 8 + 4, "c", "app"), ("c", 24 * 8 + 5, "search", "web"),
               ("d", 24 * 9, "v", "app"), ("d", 24 * 9, "c", "app"))


def test_time_to_convert_between_any_two_steps():
    j = funnel_journeys(follow_up_log(), ["v", "c", "p"], window="2D")
    ttc = time_to_convert(j, from_step="v", to_step="c")
    assert ttc.set_index("customer_id")["hours"].to_dict() == {"a": 2.0, "b": 1.0, "c": 4.0, "d": 0.0}
    full = time_to_convert(j)  # first to last
    assert full["customer_id"].tolist() == ["a"] and full["time_to_convert"].tolist() == [pd.Timedelta("5h")]
    with pytest.raises(ParameterError, match="should come after"):
        time_to_convert(j, from_step=3, to_step=2)
    with pytest.raises(ParameterError, match="step number 1..3 or a step name"):
        time_to_convert(j, to_step="nope")


def test_cohort_conversion_by_week():
    j = funnel_journeys(follow_up_log(), ["v", "c", "p"], window="2D")
    cohorts = cohort_conversion(j, period="W", to_step="c")
    # T0 is Friday 1 March 2024: a, b enter in the week of Monday 26 Feb; c (Sat 9 Mar) and d (Sun 10 Mar)
    # in the week of Monday 4 March. The data end on 10 March: only the first week had its whole 2-day window.
    assert cohorts["cohort"].tolist() == [pd.Timestamp("2024-02-26", tz="UTC"), pd.Timestamp("2024-03-04", tz="UTC")]
    assert cohorts["entered"].tolist() == [2, 2]
    assert cohorts["converted"].tolist() == [2, 2]
    assert cohorts["complete"].tolist() == [True, False]
    monthly = cohort_conversion(j, period="M")
    assert monthly["entered"].tolist() == [4] and monthly["converted"].tolist() == [1]
    with pytest.raises(ParameterError, match="period='fortnight' should be one of"):
        cohort_conversion(j, period="fortnight")


def test_dropped_after_and_what_they_did_next():
    ev = follow_up_log()
    j = funnel_journeys(ev, ["v", "c", "p"], window="2D", by="touchpoint")
    dropped = dropped_after(j, "c")
    assert dropped["customer_id"].tolist() == ["b", "c", "d"]
    assert dropped["last_step_at"].tolist() == [T0 + H, T0 + (24 * 8 + 4) * H, T0 + 24 * 9 * H]
    nxt = next_after_drop(j, ev, "c")
    assert dict(zip(nxt["event"], nxt["customers"], strict=True)) == {"help": 1, "search": 1, "(nothing)": 1}
    assert nxt["share"].sum() == pytest.approx(1.0)
    tp = next_after_drop(j, ev, 2, column="touchpoint", top=1)
    assert tp["customers"].sum() == 3 and tp["touchpoint"].tolist()[-1] == "(nothing)"


def test_funnel_figures_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jkit.plotting import plot_cohort_trend, plot_funnel, plot_funnel_breakdown, plot_time_to_convert

    ev = follow_up_log()
    j = funnel_journeys(ev, ["v", "c", "p"], window="2D", by="touchpoint")
    fig, axes = plt.subplots(2, 2)
    ax = plot_funnel(funnel_table(j), ax=axes[0, 0])
    assert [round(p.get_width()) for p in ax.patches] == [4, 4, 1]
    assert "100.0%" in ax.texts[0].get_text() and "median 1.5 h" in ax.texts[1].get_text()
    ax = plot_funnel_breakdown(funnel_table(j, by="touchpoint"), hue="touchpoint", ax=axes[0, 1])
    assert len(ax.patches) == 3 * 3  # 3 touchpoints × 3 steps
    ax = plot_time_to_convert(time_to_convert(j, to_step=2), ax=axes[1, 0])
    assert sum(p.get_height() for p in ax.patches) == 4
    ax = plot_cohort_trend(cohort_conversion(j, period="W", to_step=2), ax=axes[1, 1])
    assert len(ax.lines[0].get_xdata()) == 2
    with pytest.raises(ParameterError, match="draws one funnel"):
        plot_funnel(funnel_table(j, by="touchpoint"))
    plt.close(fig)
