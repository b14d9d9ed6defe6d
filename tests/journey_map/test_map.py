"""The journey map: planted truth from the exported JSON, hand-made cases, exports and periods."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

import jkit
from jkit.errors import ParameterError
from jkit.journey_map import compare_periods, feedback_stages, journey_map, journey_maps_by_persona, opportunities

matplotlib.use("Agg")


def test_reach_matches_an_independent_count(small_sample, sample_map):
    # Customers reaching each stage in order (no window needed: the generator's journeys fit in 60 days)
    ev = small_sample.events_with_stage().sort_values("timestamp")
    first = ev.groupby(["customer_id", "stage_index"])["timestamp"].min().unstack()
    reached = pd.Series(True, index=first.index)
    counts = []
    for k in range(len(small_sample.stages.names)):
        reached &= first[k].notna() & (first[k] >= first[k - 1] if k else True)
        counts.append(int(reached.sum()))
    assert sample_map.reach["customers"].tolist() == counts



def test_figure_has_a_lane_per_view(sample_map):
    fig = sample_map.plot()
    assert len(fig.axes) == 6
    fig = sample_map.plot(lanes=["reach", "emotion"])
    assert len(fig.axes) == 2


def test_opportunity_formula_by_hand():
    pains = pd.DataFrame({"stage": ["purchase", "retention", "awareness"], "phrase": ["checkout", "late", "ads"],
                          "count": [30, 20, 50], "mean_sentiment": [-0.5, -0.8, 0.1]})
    reach = pd.DataFrame({"stage": ["awareness", "purchase", "retention"], "dropoff": [0.0, 0.6, 0.2]})
    per_stage = pd.Series({"awareness": 100, "purchase": 100, "retention": 50})
    out = opportunities(pains, reach, per_stage)
    # purchase: 0.30 * 0.5 * 1.6 = 0.24; retention: 0.40 * 0.8 * 1.2 = 0.384; awareness: positive -> left out
    assert out["pain_point"].tolist() == ["late", "checkout"]
    assert out["score"].tolist() == pytest.approx([0.384, 0.24])
    assert out["rank"].tolist() == [1, 2]
    assert out["action"].tolist() == ["late at retention", "checkout at purchase"]


def test_opportunities_read_as_actions_on_themes():
    pains = pd.DataFrame({"stage": ["retention", "consideration", "purchase"], "phrase": ["support", "app", "checkout"],
                          "complaint": ["slow", "crashes", ""], "count": [30, 20, 10],
                          "mean_sentiment": [-0.5, -0.5, -0.5]})
    reach = pd.DataFrame({"stage": ["consideration", "purchase", "retention"], "dropoff": [0.0, 0.0, 0.0]})
    out = opportunities(pains, reach, pd.Series({"consideration": 100, "purchase": 100, "retention": 100}))
    assert out["action"].tolist() == ["slow support at retention", "app crashes at consideration",
                                      "checkout at purchase"]


def test_the_sample_maps_lanes_are_themes(sample_map, truth):
    lane = sample_map.pain_points
    assert list(lane.columns) == ["stage", "phrase", "complaint", "count", "negative", "mean_sentiment", "z"]
    # one theme per planted pain point at its stage (no twins such as "slow" and "support")
    for planted in truth["pain_points"]:
        at_stage = lane[lane["stage"] == planted["stage"]]
        named = [p for p in at_stage["phrase"] if any(k in p.split() for k in planted["keywords"])]
        assert len(named) == 1, (planted["key"], at_stage["phrase"].tolist())
    actions = sample_map.opportunities["action"].tolist()
    assert actions[:2] == ["slow support at retention", "delayed delivery at retention"], actions
    assert all(a.rsplit(" at ", 1)[1] in sample_map.stages for a in actions)


def _tiny_study(tmp_path):
    customers = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": ["2025-01-01"] * 2,
                              "segment": ["x", "y"]})
    events = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "timestamp": ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-01", "2025-01-05"],
        "event": ["ad_click", "product_view", "purchase", "ad_click", "product_view"],
        "touchpoint": ["web", "web", "store", "social", "mobile_app"],
    })
    feedback = pd.DataFrame({
        "feedback_id": ["1", "2", "3", "4"], "customer_id": ["a", "a", "b", ""],
        "timestamp": ["2025-01-02 12:00", "2025-01-04", "2025-01-06", "2025-01-06"],
        "text": ["nice products", "checkout was awful", "love it", "meh"], "source": ["survey"] * 4,
    })
    return jkit.load(customers=customers, events=events, feedback=feedback)


def test_feedback_placed_at_the_customers_stage_at_that_time(tmp_path):
    data = _tiny_study(tmp_path)
    stages = feedback_stages(data)
    # a: after product_view -> consideration; after purchase -> purchase; b -> consideration; anonymous -> NA
    assert stages.tolist()[:3] == ["consideration", "purchase", "consideration"]
    assert pd.isna(stages.iloc[3])


def test_tiny_map_by_hand(tmp_path):
    data = _tiny_study(tmp_path)
    jmap = journey_map(data, min_count=1)
    assert jmap.reach["customers"].tolist() == [2, 2, 1, 0, 0]
    assert jmap.reach["dropoff"].tolist()[:3] == [0.0, 0.0, 0.5]
    acts = jmap.actions.set_index(["stage", "event"])["share"]
    assert acts[("purchase", "purchase")] == 1.0
    tps = jmap.touchpoints.set_index(["stage", "touchpoint"])["share"]
    assert tps[("consideration", "web")] == 0.5 and tps[("consideration", "mobile_app")] == 0.5
    assert jmap.meta["feedback_unplaced"] == 1
    assert jmap.emotion.set_index("stage").loc["purchase", "feedback"] == 1




def test_bad_parameters(small_sample):
    with pytest.raises(ParameterError, match="cut='1999-01-01' should fall inside the data's period"):
        compare_periods(small_sample, "1999-01-01")
    with pytest.raises(ParameterError, match="top_n=0 should be a positive whole number"):
        journey_map(small_sample, top_n=0)
    with pytest.raises(ParameterError, match="personas='tribe' is not a column"):
        journey_maps_by_persona(small_sample, "tribe")


def test_a_pain_point_naming_a_customer_never_reaches_the_map_or_its_exports(tmp_path):
    """Issue 16.5: 'agent yuki parker' was a ranked pain point in report 01 and its exports."""
    import jkit

    n = 60
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "name": ["Yuki Parker"] + ["Ann Lee"] * (n - 1)})
    events = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)] * 2,
                           "timestamp": pd.Timestamp("2024-01-01", tz="UTC"),
                           "event": ["product_view"] * n + ["purchase"] * n})
    texts = ["agent yuki parker was rude and unhelpful"] * 30 + ["lovely shop, great staff"] * 30
    feedback = pd.DataFrame({"feedback_id": [str(i) for i in range(n)], "customer_id": [f"c{i}" for i in range(n)],
                             "text": texts, "stage": "purchase"})
    jmap = journey_map(jkit.load(customers=customers, events=events, feedback=feedback), min_count=3)
    assert not any("yuki" in p or "parker" in p for p in jmap.pain_points["phrase"])
    # the theme is the agent, what is said of it the complaint (opinion words are not themes)
    lane = jmap.pain_points.set_index("phrase")
    assert lane.loc["agent", "complaint"] == "rude"
    assert jmap.opportunities["action"].tolist() == ["rude agent at purchase"]
    jmap.to_csv(tmp_path / "m.csv")
    jmap.to_json(tmp_path / "m.json")
    for f in ("m.csv", "m.json"):
        assert "yuki" not in (tmp_path / f).read_text(encoding="utf-8").lower()
