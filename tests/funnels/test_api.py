"""Funnels: the hand-checked rules, bad input and the stage model, through the public API (planted truth included)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from jkit.errors import JkitWarning, ParameterError
from jkit.funnels import funnel, funnel_journeys, funnel_table, stage_funnel, stage_journeys
from tests.funnels.events import ENGINES, T0, H, log


def reached(frame: pd.DataFrame, steps, engine: str, **kw) -> dict:
    j = funnel_journeys(frame, steps, engine=engine, **kw)
    return dict(zip(j["customer_id"], j["reached"], strict=True))


@pytest.mark.parametrize("engine", ENGINES)
def test_ordered_basic_counts_and_table(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "p"), ("b", 0, "v"), ("b", 5, "c"), ("c", 0, "v"),
             ("d", 0, "c"), ("d", 1, "p"))  # d never enters
    table = funnel(ev, ["v", "c", "p"], window="7D", engine=engine)
    assert table["customers"].tolist() == [3, 2, 1]
    assert table["dropped"].tolist() == [0, 1, 1]
    assert table["conversion_from_start"].tolist() == pytest.approx([1, 2 / 3, 1 / 3])
    assert table["conversion_from_previous"].tolist() == pytest.approx([1, 2 / 3, 1 / 2])
    assert table["step_name"].tolist() == ["v", "c", "p"]
    # Wilson 95% for 2/3: centre (p + z²/2n)/(1 + z²/n)
    z, n, p = 1.959963984540054, 3, 2 / 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert table.loc[1, "conversion_from_start_low"] == pytest.approx(centre - half)
    assert table.loc[1, "conversion_from_start_high"] == pytest.approx(centre + half)
    # v->c gaps: a 1h, b 5h -> median 3h; c->p: a 1h
    assert table.loc[1, "median_time_from_previous"] == pd.Timedelta("3h")
    assert table.loc[1, "p90_time_from_previous"] == pd.Timedelta("4.6h")
    assert table.loc[2, "median_time_from_previous"] == pd.Timedelta("1h")
    assert pd.isna(table.loc[0, "median_time_from_previous"])


@pytest.mark.parametrize("engine", ENGINES)
def test_ties_in_time_are_allowed_in_any_row_order(engine):
    # c happens at the same instant as v, and p at the same instant as c; rows deliberately reversed
    ev = log(("a", 3, "p"), ("a", 3, "c"), ("a", 3, "v"))
    assert reached(ev, ["v", "c", "p"], engine) == {"a": 3}


@pytest.mark.parametrize("engine", ENGINES)
def test_step_event_before_entry_does_not_count(engine):
    ev = log(("a", 0, "c"), ("a", 1, "v"), ("a", 2, "p"))
    assert reached(ev, ["v", "c", "p"], engine) == {"a": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_step_events_count_once(engine):
    ev = log(("a", 0, "v"), ("a", 1, "v"), ("a", 2, "c"), ("a", 3, "c"), ("b", 0, "p"))
    table = funnel(ev, ["v", "c", "p"], engine=engine)
    assert table["customers"].tolist() == [1, 1, 0]


@pytest.mark.parametrize("engine", ENGINES)
def test_later_entry_that_goes_further_counts(engine):
    # first entry at 0 reaches c at 1 but p only at 200h (outside 7D); second entry at 190h reaches p
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 190, "v"), ("a", 195, "c"), ("a", 200, "p"))
    j = funnel_journeys(ev, ["v", "c", "p"], window="7D", engine=engine)
    assert j["reached"].tolist() == [3]
    assert j["time_1"].tolist() == [T0 + 190 * H]  # the attempt that counts
    assert j["time_2"].tolist() == [T0 + 195 * H]


@pytest.mark.parametrize("engine", ENGINES)
def test_earliest_entry_counts_when_entries_tie(engine):
    ev = log(("a", 0, "v", "email"), ("a", 1, "c"), ("a", 50, "v", "app"), ("a", 51, "c"))
    j = funnel_journeys(ev, ["v", "c"], window="7D", engine=engine, by="touchpoint")
    assert j["time_1"].tolist() == [T0] and j["touchpoint"].tolist() == ["email"]


@pytest.mark.parametrize("engine", ENGINES)
def test_window_boundary_is_inclusive(engine):
    ev = log(("in", 0, "v"), ("in", 24, "c"), ("out", 0, "v"))
    ev = pd.concat([ev, pd.DataFrame({"customer_id": ["out"], "timestamp": [T0 + pd.Timedelta("24h 1ns")],
                                      "event": ["c"], "touchpoint": ["web"]})], ignore_index=True)
    assert reached(ev, ["v", "c"], engine, window="1D") == {"in": 2, "out": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_window_counts_from_the_entry_not_the_previous_step(engine):
    ev = log(("a", 0, "v"), ("a", 20, "c"), ("a", 30, "p"))
    assert reached(ev, ["v", "c", "p"], engine, window="1D") == {"a": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_order_breaks_on_other_events(engine):
    ev = log(("a", 0, "v"), ("a", 1, "x"), ("a", 2, "c"),  # broken by x
             ("b", 0, "v"), ("b", 1, "c"), ("b", 2, "p"),  # consecutive
             ("c", 0, "v"), ("c", 1, "v"), ("c", 2, "c"),  # second v is a new entry: reaches c
             ("d", 0, "v"), ("d", 1, "c"), ("d", 2, "c"), ("d", 3, "p"))  # a repeat of c does not break
    got = reached(ev, ["v", "c", "p"], engine, order="strict")
    assert got == {"a": 1, "b": 3, "c": 2, "d": 3}
    assert reached(ev, ["v", "c", "p"], engine, order="ordered") == {"a": 2, "b": 3, "c": 2, "d": 3}


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_ties_put_step_events_before_other_events(engine):
    ev = log(("a", 0, "v"), ("a", 1, "x"), ("a", 1, "c"))  # c and x simultaneous: c first
    assert reached(ev, ["v", "c", "x"], engine, order="strict") == {"a": 3}
    assert reached(ev, ["v", "c"], engine, order="strict") == {"a": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_any_order(engine):
    ev = log(("a", 0, "p"), ("a", 1, "v"), ("a", 2, "c"),  # all three, any order
             ("b", 0, "c"), ("b", 100, "v"),  # two steps but 100h apart
             ("c", 0, "c"), ("c", 0, "c"))
    got = reached(ev, ["v", "c", "p"], engine, order="any", window="1D")
    assert got == {"a": 3, "b": 1, "c": 1}
    table = funnel(ev, ["v", "c", "p"], order="any", window="1D", engine=engine)
    assert table["step_name"].tolist() == ["1 of 3 steps", "2 of 3 steps", "3 of 3 steps"]


@pytest.mark.parametrize("engine", ENGINES)
def test_exclusions_remove_customers_and_are_counted(engine):
    ev = log(("a", 0, "v"), ("a", 1, "refund"), ("a", 2, "c"),  # excluded between steps
             ("b", 0, "v"), ("b", 1, "c"), ("b", 2, "refund"),  # after the last step reached: kept
             ("c", 0, "refund"), ("c", 0, "v"), ("c", 1, "c"),  # at the entry instant: not between
             ("d", 0, "v"), ("d", 1, "refund"))  # reached step 1 only: nothing between
    table = funnel(ev, ["v", "c"], exclusions=["refund"], engine=engine)
    assert table["customers"].tolist() == [3, 2]
    assert table["excluded"].tolist() == [1, 1]
    j = funnel_journeys(ev, ["v", "c"], exclusions=["refund"], engine=engine)
    assert j.loc[j["excluded"], "customer_id"].tolist() == ["a"]


@pytest.mark.parametrize("engine", ENGINES)
def test_breakdown_by_entering_event_adds_up(engine):
    ev = log(("a", 0, "v", "web"), ("a", 1, "c"), ("b", 0, "v", "app"), ("c", 0, "v", "web"), ("c", 3, "c"),
             ("d", 5, "v", "app"), ("d", 6, "c"), ("d", 7, "p"))
    overall = funnel(ev, ["v", "c", "p"], engine=engine)
    table = funnel(ev, ["v", "c", "p"], by="touchpoint", engine=engine)
    assert table["touchpoint"].unique().tolist() == ["app", "web"]
    assert table.groupby("step")["customers"].sum().tolist() == overall["customers"].tolist()
    web = table[table["touchpoint"] == "web"]["customers"].tolist()
    assert web == [2, 2, 0]


def test_step_sets_and_step_names():
    ev = log(("a", 0, "ad"), ("a", 1, "search"), ("b", 0, "ad"), ("b", 1, "view"), ("b", 2, "buy"))
    table = funnel(ev, ["ad", {"view", "search"}, "buy"])
    assert table["step_name"].tolist() == ["ad", "search or view", "buy"]
    assert table["customers"].tolist() == [2, 2, 1]
    named = funnel(ev, ["ad", {"view", "search"}, "buy"], step_names=["aware", "consider", "buy"])
    assert named["step_name"].tolist() == ["aware", "consider", "buy"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": ["v"]}, "at least two steps"),
        ({"steps": "v"}, "should be a list"),
        ({"steps": ["v", "nope"]}, r"step 2 \('nope'.*matches no event"),
        ({"window": "0D"}, r"window='0D' should be a positive duration"),
        ({"window": "-3h"}, "positive duration"),
        ({"window": 7}, "should be a duration"),
        ({"window": "soon"}, "should be a duration"),
        ({"order": "loose"}, "order='loose' is not known"),
        ({"engine": "spark2"}, "engine='spark2' is not known"),
        ({"time_col": "when"}, "no column time_col='when'"),
        ({"by": "persona"}, "no column by='persona'"),
        ({"steps": ["v", {"c", "v"}]}, "event 'v' is in step 1 and step 2"),
        ({"exclusions": ["v"]}, "also funnel steps"),
    ],
)
def test_bad_parameters_raise_clear_errors(kwargs, match):
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    args = {"steps": ["v", "c"], **kwargs}
    with pytest.raises(ParameterError, match=match):
        funnel(ev, **args)


def test_numeric_times_and_unreadable_times_are_refused():
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.raises(ParameterError, match="holds numbers"):
        funnel(ev.assign(timestamp=np.arange(2)), ["v", "c"])
    with pytest.raises(ParameterError, match=r"row 2: cannot read 'later'"):
        funnel(ev.assign(timestamp=["2024-01-01T00:00:00Z", "later"]), ["v", "c"])


@pytest.mark.parametrize("engine", ENGINES)
def test_mixed_time_zones_and_naive_times_are_utc(engine):
    ev = pd.DataFrame({"customer_id": ["a", "a"], "event": ["v", "c"],
                       "timestamp": ["2024-01-01T10:00:00+02:00", "2024-01-01T08:30:00Z"]})
    j = funnel_journeys(ev, ["v", "c"], window="1h", engine=engine)
    assert j["reached"].tolist() == [2]
    assert j["time_2"].iloc[0] - j["time_1"].iloc[0] == pd.Timedelta("30min")
    naive = ev.assign(timestamp=pd.to_datetime(["2024-01-01 08:00", "2024-01-01 08:30"]))
    j2 = funnel_journeys(naive, ["v", "c"], window="1h", engine=engine)
    assert j2["time_1"].iloc[0] == pd.Timestamp("2024-01-01 08:00", tz="UTC")


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_with_missing_customer_or_time_are_set_aside_with_a_warning(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("b", 0, "v"))
    ev.loc[2, "customer_id"] = None
    ev["customer_id"] = ev["customer_id"].astype("string")
    with pytest.warns(JkitWarning, match=r"set aside 1 events \(missing customer or time\)"):
        table = funnel(ev, ["v", "c"], engine=engine)
    assert table["customers"].tolist() == [1, 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_events_after_end_are_set_aside(engine):
    ev = log(("a", 0, "v"), ("a", 48, "c"))
    with pytest.warns(JkitWarning, match=r"set aside 1 events \(after end\)"):
        table = funnel(ev, ["v", "c"], end=T0 + 24 * H, engine=engine)
    assert table["customers"].tolist() == [1, 0]


def test_unmatched_exclusion_warns():
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.warns(JkitWarning, match="no event matches exclusions"):
        funnel(ev, ["v", "c"], exclusions=["refund"])


def stage_data():
    import jkit

    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01"] * 3,
                              "region": ["north", "south", "north"]})
    events = log(("a", 0, "ad_click", "social"), ("a", 2, "product_view"), ("a", 3, "purchase"),
                 ("a", 800, "repeat_purchase"),  # 33 days later: outside 30D
                 ("b", 0, "email_open", "email"), ("b", 1, "search"),
                 ("c", 0, "landing_visit", "web"))
    return jkit.load(customers=customers, events=events)


def test_stage_funnel_uses_stage_names_and_customer_attributes():
    data = stage_data()
    with pytest.warns(JkitWarning, match=r"step 5 \('advocacy'.*matches no event.*nobody can reach it"):
        table = stage_funnel(data, window="30D")
    assert table["step_name"].tolist() == data.stages.names
    assert table["customers"].tolist() == [3, 2, 1, 0, 0]
    with pytest.warns(JkitWarning):
        by_region = stage_funnel(data, window="30D", by="region")
    assert by_region.groupby("step")["customers"].sum().tolist() == table["customers"].tolist()
    assert by_region[by_region["region"] == "north"]["customers"].tolist() == [2, 1, 1, 0, 0]
    with pytest.warns(JkitWarning):
        by_tp = stage_journeys(data, window="30D", by="touchpoint")
    assert dict(zip(by_tp["customer_id"], by_tp["touchpoint"], strict=True)) == {"a": "social", "b": "email", "c": "web"}
    with pytest.raises(ParameterError, match="by='persona' is neither a column of the events"):
        stage_funnel(data, by="persona")


def test_planted_stage_conversion_is_recovered(small_sample_dir, small_sample):
    truth = json.loads((small_sample_dir / "truth.json").read_text())["stage_conversion"]
    data = small_sample
    journeys = stage_journeys(data, window=truth["window"])
    table = funnel_table(journeys, confidence=0.95)
    names = data.stages.names
    misses = []
    for _, row in table.iloc[1:].iterrows():
        planted = truth["overall"][row["step_name"]] if isinstance(truth["overall"], dict) else \
            truth["overall"][names.index(row["step_name"])]
        if not row["conversion_from_previous_low"] <= planted <= row["conversion_from_previous_high"]:
            misses.append((row["step_name"], planted, row["conversion_from_previous"]))
    assert not misses, misses
    personas_file = small_sample_dir / "personas_truth.csv"
    if "by_persona" in truth and personas_file.exists():
        personas = pd.read_csv(personas_file, dtype=str)
        events = data.events.merge(personas[["customer_id", "persona"]], on="customer_id", how="left")
        n_cells = sum(len(r) for r in truth["by_persona"].values())
        # family-wise 95% over all persona × stage cells (Bonferroni), so one test, one 5% risk
        by = funnel(events, data.stages.steps(), step_names=names, window=truth["window"], by="persona",
                    confidence=1 - 0.05 / n_cells)
        checked = 0
        for persona, rates in truth["by_persona"].items():
            rows = by[by["persona"] == persona].set_index("step_name")
            for stage, planted in (rates.items() if isinstance(rates, dict) else zip(names, rates, strict=False)):
                if stage == names[0] or stage not in rows.index or rows.loc[stage, "customers"] == 0:
                    continue
                row = rows.loc[stage]
                checked += 1
                if not row["conversion_from_previous_low"] <= planted <= row["conversion_from_previous_high"]:
                    misses.append((persona, stage, planted, row["conversion_from_previous"]))
        assert checked > 0
        assert not misses, misses


def test_stage_funnel_with_extra_customer_attributes():
    data = stage_data()
    personas = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["p1", "p2", "p1"]})
    with pytest.warns(JkitWarning):
        table = stage_funnel(data, window="30D", by="persona", attributes=personas)
    assert table[table["persona"] == "p1"]["customers"].tolist() == [2, 1, 1, 0, 0]
    assert "persona" not in data.customers.columns  # the study is not changed
