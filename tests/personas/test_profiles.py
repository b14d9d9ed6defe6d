"""Persona traits against the population, exactly and against a brute-force reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jkit.personas import persona_traits


def test_trait_statistics_of_a_hand_made_table():
    features = pd.DataFrame({
        "spend": [10.0, 20.0, 30.0, 100.0, 140.0, 120.0],
        "channel": ["web", "web", "store", "store", "store", "store"],
    })
    labels = [0, 0, 0, 1, 1, 1]
    t = persona_traits(features, labels, numeric_cols=["spend"], categorical_cols=["channel"])
    spend = t[t["feature"] == "spend"].set_index("persona")
    pop, sd = 70.0, np.std([10, 20, 30, 100, 140, 120])  # mean 420/6; population sd
    assert spend.loc[0, "value"] == 20 and spend.loc[1, "value"] == 120 and spend.loc[0, "population"] == pop
    assert spend.loc[1, "difference"] == 50 and spend.loc[1, "ratio"] == pytest.approx(120 / 70)
    assert spend.loc[0, "effect"] == pytest.approx(-50 / sd)
    web = t[(t["feature"] == "channel") & (t["level"] == "web")].set_index("persona")
    assert web.loc[0, "value"] == pytest.approx(2 / 3) and web.loc[0, "population"] == pytest.approx(1 / 3)
    assert web.loc[0, "lift"] == pytest.approx(2.0) and web.loc[1, "lift"] == 0
    assert web.loc[0, "effect"] == pytest.approx((2 / 3 - 1 / 3) / np.sqrt(1 / 3 * 2 / 3))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.floats(-50, 50), st.sampled_from("xyz")), min_size=2, max_size=30))
def test_traits_match_a_brute_force_reference(rows):
    labels = [r[0] for r in rows]
    features = pd.DataFrame({"v": [r[1] for r in rows], "c": [r[2] for r in rows]})
    t = persona_traits(features, labels, numeric_cols=["v"], categorical_cols=["c"])
    values = [r[1] for r in rows]
    mean_all = sum(values) / len(values)
    for p in set(labels):
        mine = [r[1] for r in rows if r[0] == p]
        row = t[(t["persona"] == p) & (t["feature"] == "v")].iloc[0]
        assert row["value"] == pytest.approx(sum(mine) / len(mine), abs=1e-9)
        assert row["difference"] == pytest.approx(sum(mine) / len(mine) - mean_all, abs=1e-9)
        for level in set(r[2] for r in rows):
            share = sum(1 for r in rows if r[0] == p and r[2] == level) / len(mine)
            overall = sum(1 for r in rows if r[2] == level) / len(rows)
            got = t[(t["persona"] == p) & (t["level"] == level)].iloc[0]
            assert got["value"] == pytest.approx(share) and got["lift"] == pytest.approx(share / overall)
