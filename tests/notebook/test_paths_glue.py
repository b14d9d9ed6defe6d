"""jkit.notebook.paths: the steps of the "Paths and drivers" report, on hand-made logs, planted
drivers and the real GA4 export."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import jkit
from jkit.errors import JkitWarning, ParameterError
from jkit.notebook.paths import (
    driver_features,
    driver_rows,
    driver_span,
    drivers_by_pair,
    dropout_paths,
    largest_dropoff,
    path_options,
    q_text,
    session_figures,
    stage_pairs,
    strongest_driver,
    with_personas,
)
from jkit.paths import session_summary

STAGES = {"name": "t", "stages": [{"name": "visit", "events": ["visit"]}, {"name": "cart", "events": ["cart"]},
                                  {"name": "buy", "events": ["buy"]}],
          "unassigned": ["search", "browse", "leave", "x", "y", "z"]}
T0 = pd.Timestamp("2025-01-01", tz="UTC")


def _events(rows):
    return pd.DataFrame([(c, T0 + pd.Timedelta(hours=h), e) for c, h, e in rows],
                        columns=["customer_id", "timestamp", "event"])


def test_session_figures_by_hand():
    # c1: sessions of 2 events (10 min) and 1 event; c2: one session of 3 events (1 h) — 30-minute gap
    ev = _events([("c1", 0, "visit"), ("c1", 1 / 6, "cart"), ("c1", 5, "visit"),
                  ("c2", 0, "visit"), ("c2", 0.5, "cart"), ("c2", 1, "buy")])
    figures = session_figures(session_summary(ev, gap="30min"))
    assert figures.attrs == {"sessions": 3, "customers": 2, "one_event_share": pytest.approx(1 / 3)}
    assert figures.loc["sessions per customer", "median"] == 1.5
    assert figures.loc["sessions per customer", "max"] == 2
    assert figures.loc["events per session", "median"] == 2
    assert figures.loc["events per session", "mean"] == pytest.approx(2)
    assert figures.loc["session length", "median"] == pd.Timedelta(minutes=10)
    assert figures.loc["session length", "max"] == pd.Timedelta(hours=1)


def test_largest_dropoff_by_hand():
    funnel = pd.DataFrame({"step": [1, 2, 3, 4], "step_name": ["a", "b", "c", "d"], "customers": [100, 60, 30, 15],
                           "conversion_from_previous": [np.nan, 0.6, 0.5, 0.5]})
    drop = largest_dropoff(funnel)
    # b → c and c → d both keep 50%: the earlier one wins
    assert drop == {"at": 2, "from_step": "b", "to_step": "c", "lost": pytest.approx(0.5), "customers": 60}
    assert largest_dropoff(funnel.iloc[:1]) is None
    assert largest_dropoff(funnel.assign(customers=0)) is None


def test_stage_pairs_and_q_text():
    assert stage_pairs(["a", "b", "c"]) == [("a", "b"), ("b", "c")]
    assert stage_pairs(["a"]) == []
    assert [q_text(q) for q in (3e-9, 0.00321, 0.0412, np.nan)] == ["< 0.0001", "0.0032", "0.041", "–"]


def test_path_options():
    data = jkit.load(events=_events([("c1", 0, "cart"), ("c1", 1, "buy")]), stages=STAGES)
    # nobody visited: the automatic start is the first stage anyone reached
    assert path_options(data, "stage") == {"level": "stage", "stages": data.stages, "start": "cart", "end": None}
    assert path_options(data, "event") == {"level": "event", "stages": None, "start": None, "end": None}
    assert path_options(data, "event", end_event="buy")["end"] == "buy"
    with pytest.raises(ParameterError, match="start_event='cart' and end_event='buy'"):
        path_options(data, "event", "cart", "buy")
    with pytest.raises(ParameterError, match="level='page'"):
        path_options(data, "page")


def test_driver_span_is_the_median_time_to_convert_rounded_up_to_days():
    # converters take 10 h, 30 h and 50 h from visit to cart: median 30 h → 2 days; c4 never converts
    ev = _events([("c1", 0, "visit"), ("c1", 10, "cart"), ("c2", 0, "visit"), ("c2", 30, "cart"),
                  ("c3", 0, "visit"), ("c3", 50, "cart"), ("c4", 0, "visit"), ("c4", 60, "buy")])
    data = jkit.load(events=ev, stages=STAGES)
    assert driver_span(data, "visit", "cart") == "2D"
    # a same-instant conversion still gets a span of one day
    same = jkit.load(events=_events([("c1", 0, "visit"), ("c1", 0, "cart"), ("c2", 0, "visit")]), stages=STAGES)
    assert driver_span(same, "visit", "cart") == "1D"
    assert driver_span(data, "cart", "buy") is None  # nobody converts: nothing to compare


def _planted(n: int = 400, seed: int = 0):
    """visit → cart: customers who 'search' convert with odds x4; 'browse' changes nothing."""
    rng = np.random.default_rng(seed)
    rows, converted = [], []
    for i in range(n):
        cid = f"c{i:04d}"
        rows.append((cid, 0.0, "visit"))
        search, browse = rng.random() < 0.5, rng.random() < 0.5
        if search:
            rows.append((cid, 1.0, "search"))
        if browse:
            rows.append((cid, 2.0, "browse"))
        odds = 0.5 * (4 if search else 1)
        conv = rng.random() < odds / (1 + odds)
        converted.append(conv)
        if conv:
            rows.append((cid, 20.0, "cart"))
        rows.append((cid, 200.0, "leave"))  # everyone is seen long after: spans differ without a cap
    return _events(rows), np.array(converted)


def test_drivers_by_pair_finds_the_planted_driver_and_notes_pairs_with_nothing_to_compare():
    ev, converted = _planted()
    data = jkit.load(events=ev, stages=STAGES)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = drivers_by_pair(data, stage_pairs(data.stages.names), features=("events",))
    visit, cart = results
    assert (visit.from_step, visit.to_step, visit.span) == ("visit", "cart", "1D")  # converters take 20 h
    assert visit.table.attrs["cohort"]["converted"] == int(converted.sum())
    sig = visit.significant
    assert list(sig["value"]) == ["search"]
    assert sig["odds_ratio"].iloc[0] > 2
    assert "did search reached cart" in strongest_driver(visit)
    assert "browse" in set(visit.table["value"]) and not visit.table.set_index("value").loc["browse", "significant"]
    # cart → buy: nobody buys, a reason and no error
    assert cart.table is None and "buy" in cart.reason and strongest_driver(cart) == "none significant"
    # 'visit' every compared customer has: filtered, and said in a caveat
    assert visit.filtered["one_sided"] >= 1
    texts = [str(w.message) for w in caught if issubclass(w.category, JkitWarning)]
    assert any(t.startswith("drivers visit → cart: features not tested") and "every compared customer has" in t
               for t in texts), texts
    shown = driver_rows(visit.table)
    assert list(shown.columns) == ["reading", "n_with", "support", "q_value"]
    assert len(shown) == 1 and shown["q_value"].iloc[0] == q_text(sig["q_value"].iloc[0])


def test_no_planted_driver_none_significant():
    rng = np.random.default_rng(4)
    rows = []
    for i in range(300):
        rows += [(f"c{i}", 0.0, "visit")] + [(f"c{i}", 1.0, e) for e in ("x", "y", "z") if rng.random() < 0.5]
        if rng.random() < 0.4:
            rows.append((f"c{i}", 5.0, "cart"))
    data = jkit.load(events=_events(rows), stages=STAGES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        (result,) = drivers_by_pair(data, [("visit", "cart")], features=("events",))
    assert result.significant.empty and strongest_driver(result) == "none significant"


def test_driver_features_and_personas_by_study_shape(small_sample_dir):
    ev = _events([("c1", 0, "visit"), ("c2", 0, "visit")])
    events_only = jkit.load(events=ev, stages=STAGES)
    assert driver_features(events_only) == ("events", "properties")
    labels = pd.DataFrame({"customer_id": ["c1"], "persona": ["keen"]})
    with_p = with_personas(events_only, labels)
    assert with_p.customers.set_index("customer_id")["persona"].to_dict() == {"c1": "keen", "c2": None} or \
        with_p.customers.set_index("customer_id")["persona"].isna().loc["c2"]
    assert "attributes" in driver_features(with_p)
    assert with_personas(events_only, None) is events_only
    full = jkit.load(small_sample_dir)
    assert driver_features(full) == ("events", "properties", "touchpoints", "attributes", "themes")


def test_dropout_paths_on_the_small_sample(small_sample_dir):
    from jkit.funnels import funnel_table, stage_journeys

    data = jkit.load(small_sample_dir)
    journeys = stage_journeys(data, window="90D")
    drop = largest_dropoff(funnel_table(journeys))
    table, why = dropout_paths(data, drop, path_steps=4, top=5, window="90D")
    assert not why
    dropped = int((journeys["reached"] == drop["at"]).sum() - journeys.loc[journeys["reached"] == drop["at"],
                                                                           "excluded"].astype(bool).sum())
    assert table["customers"].sum() == dropped
    assert (table.loc[table["path"] != "other", "step_1"] == drop["from_step"]).all()
    assert dropout_paths(data, None) == (None, "no stage of the funnel loses customers")


def test_real_ga4_export(shared_data):
    """One day of the GA4 sample: sessions are the export's own, spans and drivers follow the definitions."""
    from jkit.funnels import funnel_table, stage_journeys
    from jkit.io.importers import read_ga4

    ev = read_ga4(shared_data / "exports" / "ga4" / "events_20201101.parquet")
    checkout = ["begin_checkout", "add_shipping_info", "add_payment_info"]
    stages = {"name": "ga4", "stages": [{"name": "product", "events": ["view_item"]},
                                        {"name": "checkout", "events": checkout},
                                        {"name": "purchase", "events": ["purchase"]}],
              "unassigned": sorted(set(ev["event"].astype(str)) - {"view_item", "purchase", *checkout})}
    data = jkit.load(events=ev, stages=stages)
    figures = session_figures(session_summary(data.events))
    assert figures.attrs["sessions"] == ev.groupby(["customer_id", "session_id"]).ngroups
    assert figures.loc["sessions per customer", "median"] == 1
    # the span: converters' median time from their first view_item to their first checkout event, in days
    e = data.events
    first = e[e["event"] == "view_item"].groupby("customer_id")["timestamp"].min().rename("t0")
    later = e[e["event"].isin(checkout)].merge(first.reset_index(), on="customer_id")
    later = later[later["timestamp"] >= later["t0"]].groupby("customer_id").agg(t=("timestamp", "min"),
                                                                                t0=("t0", "first"))
    median = (later["t"] - later["t0"]).median()
    assert driver_span(data, "product", "checkout") == f"{max(1, math.ceil(median / pd.Timedelta(days=1)))}D" == "1D"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        product, checkout_pair = drivers_by_pair(data, stage_pairs(data.stages.names), features=("events",))
    assert product.table.attrs["cohort"]["converted"] == len(later)
    assert "view_promotion" in set(product.significant["value"])
    funnel = funnel_table(stage_journeys(data, window="1D"))
    drop = largest_dropoff(funnel)
    # 14 purchase events against 127 checkouts: the checkout step loses the most
    assert (drop["from_step"], drop["to_step"]) == ("checkout", "purchase") and drop["lost"] > 0.8
    assert drop["lost"] == pytest.approx(1 - funnel["customers"].iloc[2] / funnel["customers"].iloc[1])
