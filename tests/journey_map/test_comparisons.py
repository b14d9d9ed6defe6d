"""Journey maps per persona and between two periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

import jkit
from jkit.journey_map import compare_periods, journey_map, journey_maps_by_persona


def test_maps_by_persona_partition_the_customers(small_sample, small_sample_dir):
    personas = pd.read_csv(small_sample_dir / "personas_truth.csv", dtype=str)
    maps = journey_maps_by_persona(small_sample, personas)
    assert sorted(maps) == sorted(personas["persona"].unique())
    total = sum(m.reach["customers"].iloc[0] for m in maps.values())
    assert total == journey_map(small_sample).reach["customers"].iloc[0]
    young, senior = maps["young_mobile"], maps["senior_support"]
    assert young.meta["persona"] == "young_mobile"
    # planted: seniors convert rarely, so fewer of them reach purchase from consideration
    conv = {k: m.reach.set_index("stage").loc["purchase", "conversion_from_previous"] for k, m in maps.items()}
    assert conv["senior_support"] == min(conv.values())
    assert senior.touchpoints.groupby("touchpoint")["events"].sum().idxmax() in {"store", "support"}


def test_compare_periods_detects_a_planted_change():
    rng = np.random.default_rng(1)
    rows, fb = [], []
    for i in range(400):
        late = i >= 200
        t0 = pd.Timestamp("2025-03-01" if late else "2025-01-01", tz="UTC") + pd.Timedelta(hours=int(rng.integers(0, 500)))
        rows.append((f"c{i}", t0, "ad_click"))
        rows.append((f"c{i}", t0 + pd.Timedelta("1h"), "product_view"))
        if rng.random() < (0.7 if late else 0.3):  # conversion to purchase improves from 30% to 70%
            rows.append((f"c{i}", t0 + pd.Timedelta("2h"), "purchase"))
        fb.append((f"f{i}", f"c{i}", t0 + pd.Timedelta("90min"), "the product pages are great" if late else
                   "the product pages are awful and confusing"))
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).assign(touchpoint="web")
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(400)], "signup_date": "2025-01-01"})
    feedback = pd.DataFrame(fb, columns=["feedback_id", "customer_id", "timestamp", "text"]).assign(source="survey")
    data = jkit.load(customers=customers, events=events, feedback=feedback)
    cmp = compare_periods(data, "2025-02-15")
    ch = cmp.changes.set_index(["stage", "measure"])
    assert ch.loc[("purchase", "conversion"), "change"] > 0.25 and ch.loc[("purchase", "conversion"), "significant"]
    assert ch.loc[("consideration", "sentiment"), "change"] > 0.5
    assert ch.loc[("consideration", "sentiment"), "significant"]
    assert not ch.loc[("consideration", "conversion"), "significant"]  # everyone views a product in both periods
    assert cmp.to_dict()["cut"].startswith("2025-02-15")


def test_a_period_comparison_counts_every_variant_of_a_theme():
    """A theme is counted by its name and the variants merged into it (whole words, any spacing, any case);
    texts that were not scored do not count."""
    from jkit.journey_map.comparisons import _phrase_counts

    scored = pd.DataFrame({"stage": ["a", "a", "a", "a", "b"], "compound": [0.1, -0.5, None, -0.3, -0.2],
                           "text": ["Battery  life is short", "the batteries died", "battery gone", "a batteryless toy",
                                    "battery bad"]})
    counts = _phrase_counts(scored, [("a", "battery life"), ("b", "battery")],
                            {("a", "battery life"): ("batteries", "battery life")})
    assert counts == {("a", "battery life"): 2, ("b", "battery"): 1}
