"""The data overview's tables: events per period and touchpoint, touchpoint totals, stage reach (by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

import jkit
from jkit.notebook import PERIOD_NAMES, events_per_period, overview_period, stage_reach, touchpoint_totals


def _events():
    rows = [
        ("1", "2024-01-01 09:00", "web"), ("1", "2024-01-02 10:00", "web"), ("2", "2024-01-03 11:00", "app"),
        ("2", "2024-01-09 09:30", "web"), ("3", "2024-01-10 12:00", "store"), ("3", "2024-01-10 12:40", "web"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"])
    return frame.assign(timestamp=pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC"))


def test_events_per_week_with_the_quiet_touchpoints_as_other():
    table = events_per_period(_events(), "W", top=1)
    # weeks start on Monday: 2024-01-01 and 2024-01-08
    assert list(table.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert list(table.columns) == ["web", "other"]  # the busiest first
    assert table["web"].tolist() == [2, 2]
    assert table["other"].tolist() == [1, 1]


def test_events_per_hour_and_without_touchpoints():
    events = _events().iloc[4:]
    table = events_per_period(events, "h", by_touchpoint=False)
    assert list(table.columns) == ["all events"]
    assert list(table.index) == [pd.Timestamp("2024-01-10 12:00")]  # 12:00 and 12:40 share their hour
    assert table["all events"].tolist() == [2]


def test_touchpoint_totals_by_hand():
    totals = touchpoint_totals(_events())
    assert totals["touchpoint"].tolist()[0] == "web"
    got = totals.set_index("touchpoint")
    assert got.loc["web", "events"] == 4 and got.loc["web", "customers"] == 3
    assert got.loc["store", "share"] == pytest.approx(1 / 6)
    assert got["share"].sum() == pytest.approx(1.0)


def test_stage_reach_counts_customers_with_an_event_of_each_stage():
    customers = pd.DataFrame({"customer_id": ["1", "2", "3", "4"], "signup_date": "2024-01-01"})
    events = pd.DataFrame({"customer_id": ["1", "1", "2", "3"],
                           "timestamp": ["2024-01-02", "2024-01-03", "2024-01-02", "2024-01-05"],
                           "event": ["ad_click", "purchase", "purchase", "ad_click"]})
    data = jkit.load(customers=customers, events=events)
    reach = stage_reach(data).set_index("stage")
    assert list(reach.index) == data.stages.names
    assert reach.loc["awareness", "customers"] == 2 and reach.loc["purchase", "customers"] == 2
    assert reach.loc["retention", "customers"] == 0
    assert reach.loc["purchase", "share_of_customers"] == pytest.approx(0.5)  # of all 4 customers


@pytest.mark.parametrize(("span", "period", "expected"), [
    (pd.Timedelta(hours=3), "week", "h"),     # three hours: hours, not one week
    (pd.Timedelta(days=10), "week", "D"),
    (pd.Timedelta(days=400), "week", "W"),
    (pd.Timedelta(days=400), "month", "M"),
    (None, "day", "D"),
])
def test_overview_period_is_finer_when_the_data_spans_too_little(span, period, expected):
    assert overview_period(span, period) == expected
    assert expected in PERIOD_NAMES
