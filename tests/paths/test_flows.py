from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.paths import paths, transitions
from tests.paths.events import small_log

STAGES = {"visit": "awareness", "view": "consideration", "cart": "purchase"}


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_transitions_by_hand(engine):
    out = transitions(small_log(), engine=engine)
    got = {(r.source, r.target): (r.transitions, r.customers, r.median_time) for r in out.itertuples()}
    # a: visit -> cart (10 min), cart -> view (0), view -> visit (1h50); b: visit -> view (30 min), view -> view (31 min)
    assert got == {("visit", "cart"): (1, 1, pd.Timedelta("10min")), ("cart", "view"): (1, 1, pd.Timedelta(0)),
                   ("view", "visit"): (1, 1, pd.Timedelta("110min")), ("visit", "view"): (1, 1, pd.Timedelta("30min")),
                   ("view", "view"): (1, 1, pd.Timedelta("31min"))}
    assert out.set_index(["source", "target"]).loc[("view", "view"), "share"] == 0.5


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_transitions_within_sessions_stop_at_the_session_end(engine):
    out = transitions(small_log(), unit="session", engine=engine)
    assert set(zip(out["source"], out["target"], strict=False)) == {("visit", "cart"), ("cart", "view"), ("visit", "view")}


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_stage_level_collapsed_and_by_group(engine):
    out = transitions(small_log(), level="stage", stages=STAGES, collapse_repeats=True, by="touchpoint", engine=engine)
    got = {(r.touchpoint, r.source, r.target): r.transitions for r in out.itertuples()}
    # ties are ordered by the stage name: a's view and cart at 10:10 are consideration before purchase, so
    # a: awareness(web) -> consideration(web) -> purchase(app) -> awareness(web);
    # b: awareness(app) -> consideration(app), then view(web) is a repeat of consideration and is dropped
    assert got == {("web", "awareness", "consideration"): 1, ("web", "consideration", "purchase"): 1,
                   ("app", "purchase", "awareness"): 1, ("app", "awareness", "consideration"): 1}


def test_a_stage_model_maps_events_to_stages(small_sample):
    out = transitions(small_sample.events, level="stage", stages=small_sample.stages, collapse_repeats=True)
    names = set(small_sample.stages.names) | set(small_sample.events["event"]) - set(small_sample.stages.stage_of())
    assert set(out["source"]) <= names and (out["source"] != out["target"]).all()
    assert out["transitions"].sum() > 0


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_paths_from_and_to_an_event_by_hand(engine):
    log = small_log()
    start = paths(log, start="view", steps=2, engine=engine)
    # a: view -> visit; b: view -> view
    assert dict(zip(start["path"], start["customers"], strict=False)) == {"view → view": 1, "view → visit": 1}
    end = paths(log, end="view", steps=3, engine=engine)
    # a: visit, cart, view; b: visit, view (right-aligned)
    assert end[["step_1", "step_2", "step_3"]].values.tolist() == [["visit", "cart", "view"], [None, "visit", "view"]]
    first = paths(log, steps=2, top=1, engine=engine)
    assert first["path"].tolist() == ["visit", "other"]  # three paths of one customer: ties by text and first["customers"].tolist() == [1, 2]
    assert first["share"].tolist() == pytest.approx([1 / 3, 2 / 3])


def test_paths_by_session_count_sessions_and_customers():
    out = paths(small_log(), unit="session", steps=2, top=None)
    assert out["sessions"].sum() == 5
    assert dict(zip(out["path"], out["sessions"], strict=False)) == {"visit": 2, "view": 1, "visit → cart": 1, "visit → view": 1}
    assert dict(zip(out["path"], out["customers"], strict=False))["visit"] == 2


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_start_or_end_nobody_has_is_named(engine):
    with pytest.raises(ParameterError, match="start='checkout': no customer has this event"):
        paths(small_log(), start="checkout", engine=engine)
    with pytest.raises(ParameterError, match="end='refund'"):
        paths(small_log(), end="refund", engine=engine)


def test_bad_arguments():
    log = small_log()
    for kwargs, match in [({"start": "a", "end": "b"}, "not both"), ({"steps": 0}, "steps=0"),
                          ({"top": 0}, "top=0"), ({"unit": "visit"}, "unit="), ({"level": "page"}, "level="),
                          ({"level": "stage"}, "needs stages"), ({"start": 3}, "start=3")]:
        with pytest.raises(ParameterError, match=match):
            paths(log, **kwargs)
    with pytest.raises(ParameterError, match="by='event'"):
        transitions(log, by="event")


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_tie_order_puts_simultaneous_events_in_the_given_order(engine):
    out = paths(small_log(), steps=4, tie_order=["view"], engine=engine)
    # a's view and cart share 10:10: by name cart comes first, with tie_order view does
    assert "visit → view → cart → visit" in set(out["path"])
    assert "visit → cart → view → visit" not in set(out["path"])
    with pytest.raises(ParameterError, match="tie_order"):
        paths(small_log(), tie_order=["view", "view"])


def test_tie_order_gives_the_same_result_on_both_engines():
    from tests.paths.reference import random_log

    log = random_log(11, customers=60)
    for kwargs in ({"tie_order": ["purchase", "cart"]}, {"tie_order": ["support"], "unit": "session"}):
        pd.testing.assert_frame_equal(transitions(log, engine="pandas", **kwargs),
                                      transitions(log, engine="duckdb", **kwargs))
        pd.testing.assert_frame_equal(paths(log, engine="pandas", top=None, **kwargs),
                                      paths(log, engine="duckdb", top=None, **kwargs))


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("name", ["c", "e", "unit", "row", "dt"])
def test_a_group_column_may_share_a_name_the_engines_use_inside(engine, name):
    log = small_log().rename(columns={"touchpoint": name})
    out = transitions(log, by=name, engine=engine)
    expected = transitions(small_log(), by="touchpoint", engine="pandas").rename(columns={"touchpoint": name})
    pd.testing.assert_frame_equal(out, expected)


@pytest.mark.parametrize("name", ["source", "share", "median_time"])
def test_a_group_column_named_like_a_result_column_is_refused(name):
    log = small_log().rename(columns={"touchpoint": name})
    with pytest.raises(ParameterError, match=f"by='{name}' is also a column of the result"):
        transitions(log, by=name)
