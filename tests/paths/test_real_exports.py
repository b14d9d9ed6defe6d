"""The paths functions on real exports (../shared/data/exports: GA4, Segment, Mixpanel), loaded as
tests/io loads them; the expected figures are counted from the files independently."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.io.importers import IMPORTERS, ga4
from jkit.paths import (
    ENDED,
    paths,
    paths_after_dropout,
    session_summary,
    sessions,
    step_matrix,
    transitions,
)

GA4_TIES = ["first_visit", "session_start", "page_view"]


@pytest.fixture(scope="module")
def ga4_events(shared_data):
    return ga4.read_ga4(shared_data / "exports" / "ga4" / "events_20201101.parquet")


def test_ga4_sessions_are_the_exports_own(ga4_events):
    out = sessions(ga4_events)
    pairs = ga4_events.groupby(["customer_id", "session_id"]).ngroups
    assert out["session"].nunique() == pairs == 2625
    summary = session_summary(out)
    assert summary["events"].sum() == len(ga4_events) == 31_272  # no event lost
    # cutting at a 30 min gap instead finds nearly the same sessions on one day of web traffic
    gap = sessions(ga4_events, session_source="gap")["session"].nunique()
    assert 0.95 * pairs <= gap <= 1.05 * pairs


def test_ga4_transitions_count_every_consecutive_pair_on_both_engines(ga4_events):
    out = transitions(ga4_events, tie_order=GA4_TIES)
    assert out["transitions"].sum() == len(ga4_events) - ga4_events["customer_id"].nunique()
    pd.testing.assert_frame_equal(out, transitions(ga4_events, tie_order=GA4_TIES, engine="duckdb"))
    first = out.set_index(["source", "target"])
    # every first visit opens with a session start at the same instant
    assert first.loc[("first_visit", "session_start"), "share"] > 0.99


def test_ga4_paths_from_session_start(ga4_events):
    out = paths(ga4_events, start="session_start", unit="session", steps=4, collapse_repeats=True,
                tie_order=GA4_TIES)
    with_start = ga4_events[ga4_events["event"] == "session_start"].groupby(["customer_id", "session_id"]).ngroups
    assert out["sessions"].sum() == with_start
    assert (out.loc[out["path"] != "other", "step_1"] == "session_start").all()
    pd.testing.assert_frame_equal(out, paths(ga4_events, start="session_start", unit="session", steps=4,
                                             collapse_repeats=True, tie_order=GA4_TIES, engine="duckdb"))


def test_ga4_step_matrix_opens_with_the_first_visit(ga4_events):
    m = step_matrix(ga4_events, steps=5, tie_order=GA4_TIES)
    # customers with a first_visit at their earliest instant (a few have events before their first_visit)
    earliest = ga4_events.groupby("customer_id")["timestamp"].transform("min")
    opening = ga4_events[(ga4_events["timestamp"] == earliest) & (ga4_events["event"] == "first_visit")]
    n = ga4_events["customer_id"].nunique()
    assert m.loc["first_visit", 1] == pytest.approx(opening["customer_id"].nunique() / n)
    assert opening["customer_id"].nunique() < ga4_events.loc[ga4_events["event"] == "first_visit", "customer_id"].nunique()
    assert m.sum(axis=0).round(12).eq(1).all() and m.loc[ENDED].is_monotonic_increasing


def test_ga4_paths_after_dropping_out_at_checkout(ga4_events):
    out = paths_after_dropout(ga4_events, ["view_item", "begin_checkout", "purchase"], at="begin_checkout",
                              window="1D")
    assert (out.loc[out["path"] != "other", "step_1"] == "begin_checkout").all()
    assert out["customers"].sum() > 0 and out["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("name", "file", "options"), [
    ("segment", "segment/test-many-track.json", {}),
    ("mixpanel", "mixpanel/mixpanel_docs_openapi_export_example.jsonl", {"default_id": "anonymous"}),
])
def test_small_vendor_exports(shared_data, name, file, options):
    frame = IMPORTERS[name].parse(shared_data / "exports" / file, **options).frame
    out = sessions(frame)
    assert len(out) == len(frame) and out["session"].min() == 1
    t = transitions(frame)
    assert t["transitions"].sum() == len(frame) - frame["customer_id"].nunique()
    p = paths(frame, steps=3)
    assert p["customers"].sum() == frame["customer_id"].nunique()
