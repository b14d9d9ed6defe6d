from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.paths import paths_after_dropout, paths_before_reaching


def _log() -> pd.DataFrame:
    rows = [  # a converts; b drops at cart then browses; c drops at cart with nothing after; d drops at visit
        ("a", "10:00", "visit"), ("a", "10:05", "search"), ("a", "10:10", "cart"), ("a", "10:20", "purchase"),
        ("b", "09:00", "visit"), ("b", "09:10", "cart"), ("b", "09:15", "support"), ("b", "09:20", "visit"),
        ("c", "08:00", "search"), ("c", "08:01", "visit"), ("c", "08:02", "cart"),
        ("d", "07:00", "visit"), ("d", "07:05", "support"),
    ]
    return pd.DataFrame({"customer_id": [r[0] for r in rows],
                         "timestamp": pd.to_datetime([f"2024-01-01 {r[1]}" for r in rows], utc=True),
                         "event": [r[2] for r in rows]})


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_paths_after_dropping_out_at_cart(engine):
    out = paths_after_dropout(_log(), ["visit", "cart", "purchase"], at="cart", path_steps=3, engine=engine)
    assert dict(zip(out["path"], out["customers"], strict=False)) == {"cart → support → visit": 1, "cart": 1}
    assert out["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_paths_before_reaching_cart(engine):
    out = paths_before_reaching(_log(), ["visit", "cart", "purchase"], at=2, path_steps=3, engine=engine)
    assert dict(zip(out["path"], out["customers"], strict=False)) == {"visit → search → cart": 1, "search → visit → cart": 1,
                                                        "visit → cart": 1}
    assert (out["step_3"] == "cart").all()


def test_a_step_that_is_really_an_event_name_stays_apart_from_the_mark():
    # b visits again after dropping at visit... the mark 'visit' and the later visit event are different steps
    out = paths_after_dropout(_log(), ["visit", "cart", "purchase"], at=1, path_steps=2)
    assert dict(zip(out["path"], out["customers"], strict=False)) == {"visit → support": 1}


def test_bad_steps():
    with pytest.raises(ParameterError, match="last step"):
        paths_after_dropout(_log(), ["visit", "cart", "purchase"], at="purchase")
    with pytest.raises(ParameterError, match="first step"):
        paths_before_reaching(_log(), ["visit", "cart", "purchase"], at=1)
    with pytest.raises(ParameterError):
        paths_after_dropout(_log(), ["visit", "cart", "purchase"], at="checkout")
    with pytest.raises(ParameterError, match="DataFrame"):
        paths_after_dropout("x.parquet", ["visit", "cart"], at=1)
