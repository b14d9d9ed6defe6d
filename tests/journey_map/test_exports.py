"""Journey map exports: the JSON that recovers the planted truth, the tidy CSV."""

from __future__ import annotations

import json

import pandas as pd


def test_planted_truth_recovered_from_exported_json(sample_map, truth, tmp_path):
    exported = json.loads(sample_map.to_json(tmp_path / "map.json"))
    assert json.loads((tmp_path / "map.json").read_text()) == exported
    # the largest drop-off is at the planted stage
    reach = pd.DataFrame(exported["reach"]).set_index("stage")
    assert reach["dropoff"].iloc[1:].idxmax() == truth["largest_dropoff_stage"]
    # the emotion curve dips where the planted negative feedback sits
    emotion = pd.DataFrame(exported["emotion"]).set_index("stage")
    assert emotion["mean"].idxmin() == truth["emotion_dip_stage"]
    # every planted pain point shows among its planted stage's pain points
    pains = pd.DataFrame(exported["pain_points"])
    for planted in truth["pain_points"]:
        at_stage = pains.loc[pains["stage"] == planted["stage"], "phrase"].tolist()
        hit = [p for p in at_stage if any(k in p.split() for k in planted["keywords"])]
        assert hit, f"{planted['key']} not among {planted['stage']}'s pain points {at_stage}"


def test_tidy_csv_export(sample_map, tmp_path):
    sample_map.to_csv(tmp_path / "map.csv")
    tidy = pd.read_csv(tmp_path / "map.csv")
    assert list(tidy.columns) == ["lane", "stage", "item", "metric", "value"]
    assert set(tidy["lane"]) == {"reach", "actions", "touchpoints", "emotion", "pain_points", "opportunities"}
    row = tidy[(tidy.lane == "reach") & (tidy.stage == "purchase") & (tidy.metric == "customers")]
    assert int(row["value"].iloc[0]) == int(sample_map.reach.set_index("stage").loc["purchase", "customers"])


def test_exports_create_their_folder_and_leave_no_temporary_file(sample_map, tmp_path):
    out = tmp_path / "new" / "folder"
    text = sample_map.to_json(out / "journey_map.json")
    sample_map.to_csv(out / "journey_map.csv")
    assert sorted(p.name for p in out.iterdir()) == ["journey_map.csv", "journey_map.json"]
    assert (out / "journey_map.json").read_text(encoding="utf-8") == text
    assert json.loads(text) == sample_map.to_dict()
