"""Opportunities lifted by the measured drop-out of a theme's writers, where it is significant."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.journey_map import OPPORTUNITY_COLUMNS, dropout_association, opportunities

PAINS = pd.DataFrame({"stage": ["purchase", "retention", "retention"], "phrase": ["checkout", "late", "refund"],
                      "count": [30, 20, 10], "mean_sentiment": [-0.5, -0.8, -0.6]})
REACH = pd.DataFrame({"stage": ["awareness", "purchase", "retention"], "dropoff": [0.0, 0.6, 0.2]})
PER_STAGE = pd.Series({"awareness": 100, "purchase": 100, "retention": 50})


def test_a_significant_dropout_ratio_lifts_the_theme_and_others_keep_the_formula():
    assoc = pd.DataFrame({"stage": ["purchase", "retention", "retention"], "theme": ["checkout", "late", "refund"],
                          "dropoff_with": [0.9, 0.5, 0.4], "dropoff_without": [0.3, 0.5, 0.1],
                          "q_value": [0.001, 0.9, 0.2]})
    out = opportunities(PAINS, REACH, PER_STAGE, association=assoc)
    assert list(out.columns) == OPPORTUNITY_COLUMNS
    out = out.set_index("pain_point")
    # checkout: 0.30 * 0.5 * 1.6 * (0.9 / 0.3) = 0.72, measured; late: 0.40 * 0.8 * 1.2 = 0.384; refund (q 0.2):
    # 0.20 * 0.6 * 1.2 = 0.144 by the formula although its writers left 4x as often
    assert out.loc["checkout", "score"] == pytest.approx(0.72)
    assert out.loc["late", "score"] == pytest.approx(0.384)
    assert out.loc["refund", "score"] == pytest.approx(0.144)
    assert out["basis"].to_dict() == {"checkout": "measured", "late": "formula", "refund": "formula"}
    assert out.loc["refund", "dropout_ratio"] == pytest.approx(4.0) and out.loc["refund", "dropout_q"] == 0.2
    assert out["rank"].tolist() == [1, 2, 3]


def test_without_a_measurement_the_formula_ranks_and_ratios_are_capped():
    plain = opportunities(PAINS, REACH, PER_STAGE)
    assert (plain["basis"] == "formula").all() and plain["dropout_ratio"].isna().all()
    assoc = pd.DataFrame({"stage": ["retention"], "theme": ["refund"], "dropoff_with": [1.0],
                          "dropoff_without": [0.0], "q_value": [1e-6]})
    out = opportunities(PAINS, REACH, PER_STAGE, association=assoc).set_index("pain_point")
    assert out.loc["refund", "dropout_ratio"] == 10.0  # everyone who wrote left, nobody else: capped
    assert out.loc["refund", "score"] == pytest.approx(0.2 * 0.6 * 1.2 * 10)


def test_the_sample_map_is_ranked_with_its_measured_dropout(small_sample):
    from jkit.journey_map import journey_map
    from jkit.sentiment import score_sentiment

    data = small_sample
    scores = score_sentiment(data.feedback, progress=False)
    scored = pd.DataFrame({"feedback_id": data.feedback["feedback_id"], "compound": scores["compound"],
                           "label": scores["label"]})
    assoc = dropout_association(data, scored, window="90D")
    assert assoc is not None and {"stage", "theme", "q_value"} <= set(assoc.columns)
    opps = journey_map(data, scored=scored, window="90D").opportunities
    measured = assoc.drop_duplicates(["stage", "theme"]).set_index(["stage", "theme"])
    matched = 0
    for row in opps.itertuples():
        if (row.stage, row.pain_point) in measured.index:
            m = measured.loc[(row.stage, row.pain_point)]
            assert row.dropout_ratio == pytest.approx(min(m["dropoff_with"] / m["dropoff_without"], 10.0))
            assert row.basis == ("measured" if m["q_value"] < 0.05 else "formula")
            matched += 1
    assert matched >= 3  # the map's top themes are the ones theme_dropoff measures
    assert opps["action"].iloc[0] == "slow support at retention"


def test_a_study_without_events_is_not_measured():
    class NoEvents:
        def has(self, *what):
            return what[0] != "events"

    assert dropout_association(NoEvents(), pd.DataFrame({"feedback_id": [1]})) is None
