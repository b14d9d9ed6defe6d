from __future__ import annotations

import pytest

from jkit.errors import MissingColumnError, ParameterError
from jkit.paths import clean_events
from tests.paths.events import small_log


def test_mapping_and_collapsing_by_hand():
    out = clean_events(small_log(), mapping={"view": "visit"})
    # a: visit, cart, visit(view), visit -> visit, cart, visit(x2); b: visit x3 -> one; c: visit
    assert out["customer_id"].tolist() == ["a", "a", "a", "b", "c"]
    assert out["event"].tolist() == ["visit", "cart", "visit", "visit", "visit"]
    assert out["repeats"].tolist() == [1, 1, 2, 3, 1]
    assert out.attrs["dropped_repeats"] == 3
    assert out["touchpoint"].tolist() == ["web", "app", "web", "app", "web"]  # the run keeps its first event


def test_top_names_and_other():
    out = clean_events(small_log(), top=1, collapse_repeats=False, other="rest")
    assert sorted(set(out["event"])) == ["rest", "visit"]
    assert (out["event"] == "rest").sum() == 4 and len(out) == 8 and out["repeats"].eq(1).all()


def test_bad_input():
    with pytest.raises(ParameterError, match="top=0"):
        clean_events(small_log(), top=0)
    with pytest.raises(ParameterError, match="mapping"):
        clean_events(small_log(), mapping={"view": ""})
    with pytest.raises(MissingColumnError, match="event_col='name'"):
        clean_events(small_log(), event_col="name")
    with pytest.raises(ParameterError, match="DataFrame"):
        clean_events("events.parquet")
