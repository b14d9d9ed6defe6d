"""conversion_drivers and theme_dropoff: hand-made studies, planted associations, the null, the sample."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import jkit
from jkit.drivers import DRIVER_COLUMNS, DROPOFF_COLUMNS, conversion_drivers, theme_dropoff
from jkit.errors import JkitWarning, ParameterError

STAGES = {"name": "two", "stages": [{"name": "visit", "events": ["visit"]}, {"name": "buy", "events": ["buy"]}],
          "unassigned": ["x", "y"]}
T0 = pd.Timestamp("2025-01-01", tz="UTC")


def _study(rows, customers=None):
    events = pd.DataFrame(rows, columns=["customer_id", "hours", "event"])
    events["timestamp"] = T0 + pd.to_timedelta(events.pop("hours"), unit="h")
    return jkit.load(events=events, customers=customers, stages=STAGES)


def test_hand_made_table_counts_only_what_happened_before_the_next_step():
    rows = []
    # c1, c2: x then buy (converted with x); c3: buy then x (x after converting: not counted)
    rows += [("c1", 0, "visit"), ("c1", 1, "x"), ("c1", 2, "buy")]
    rows += [("c2", 0, "visit"), ("c2", 1, "x"), ("c2", 2, "buy")]
    rows += [("c3", 0, "visit"), ("c3", 1, "buy"), ("c3", 2, "x")]
    # c4: x, no buy; c5, c6: nothing; c7: x before the visit (not counted)
    rows += [("c4", 0, "visit"), ("c4", 1, "x")]
    rows += [("c5", 0, "visit"), ("c6", 0, "visit"), ("c7", 0, "x"), ("c7", 1, "visit")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        out = conversion_drivers(_study(rows), from_step="visit", to_step="buy", min_support=1,
                                 features=("events",))
    assert list(out.columns) == DRIVER_COLUMNS
    x = out[out["value"] == "x"].iloc[0]
    assert (x["n_with"], x["converted_with"], x["n_without"], x["converted_without"]) == (3, 2, 4, 1)
    # (2+1)(3+1) / ((1+1)(1+1)) = 3
    assert x["odds_ratio"] == pytest.approx(3.0)
    assert x["reading"].startswith("customers who did x reached buy 3 times as often (odds), 95% CI")
    assert x["reading"].endswith("n = 3")
    # "visit" is done by everyone: one-sided, counted, not tested
    assert out.attrs["filtered"]["one_sided"] == 1 and "visit" not in set(out["value"])
    assert out.attrs["cohort"] == {"reached": 7, "open": 0, "converted": 3}


def test_steps_nobody_reaches_and_one_sided_outcomes_are_clear_errors():
    rows = [("c1", 0, "visit"), ("c1", 1, "buy"), ("c2", 0, "visit")]
    data = _study(rows)
    with pytest.raises(ParameterError, match="from_step='nope' is neither a stage"):
        conversion_drivers(data, from_step="nope", to_step="buy")
    with pytest.raises(ParameterError, match="from_step='y': no customer reached it"):
        conversion_drivers(data, from_step="y", to_step="buy")
    with pytest.raises(ParameterError, match="to_step='y': none of the 2 customers"):
        conversion_drivers(data, from_step="visit", to_step="y")
    with pytest.raises(ParameterError, match="all 1 customers who reached 'buy' reached it"):
        conversion_drivers(_study([("c1", 0, "buy"), ("c1", 1, "visit")]), from_step="buy", to_step="visit")
    with pytest.raises(ParameterError, match="share the events"):
        conversion_drivers(data, from_step="visit", to_step="visit")
    with pytest.raises(ParameterError, match="window"):
        conversion_drivers(data, from_step="visit", to_step="buy", window="-1D")
    with pytest.raises(ParameterError, match="features: unknown kind 'colours'"):
        conversion_drivers(data, from_step="visit", to_step="buy", features=("colours",))


def test_window_sets_open_customers_aside_and_min_support_is_counted():
    rows = [("c1", 0, "visit"), ("c1", 1, "x"), ("c1", 2, "buy"),   # converts within 5h
            ("c2", 0, "visit"), ("c2", 30, "buy"),                  # too late: not converted
            ("c3", 0, "visit"), ("c4", 0, "visit"), ("c4", 1, "y"),
            ("c5", 99, "visit")]                                   # window runs past the data: open
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        out = conversion_drivers(_study(rows), from_step="visit", to_step="buy", window="5h", min_support=2,
                                 features=("events",))
    assert out.attrs["cohort"] == {"reached": 5, "open": 1, "converted": 1}
    # x and y (1 customer each) fall below min_support=2; visit is one-sided
    assert out.empty and out.attrs["filtered"] == {"one_sided": 1, "below_support": 2}


def _planted(seed: int, n: int = 1000, n_true: int = 5, n_null: int = 45, effect: bool = True):
    """Customers who reach 'visit'; each of x0..x4 (done by half of them) doubles conversion from 0.15
    (odds ×2.4); z0..z44 are done by 30% and change nothing."""
    rng = np.random.default_rng(seed)
    did_x = rng.random((n, n_true)) < 0.5
    did_z = rng.random((n, n_null)) < 0.3
    odds = (0.15 / 0.85) * np.prod(np.where(did_x & effect, 2.4, 1.0), axis=1)
    buys = rng.random(n) < odds / (1 + odds)
    ids = np.array([f"c{i}" for i in range(n)], dtype=object)
    names = np.array([*(f"x{k}" for k in range(n_true)), *(f"z{k}" for k in range(n_null))], dtype=object)
    who, what = np.nonzero(np.hstack([did_x, did_z]))
    frames = [pd.DataFrame({"customer_id": ids, "hours": 0.0, "event": "visit"}),
              pd.DataFrame({"customer_id": ids[who], "hours": 1.0 + rng.random(len(who)), "event": names[what]}),
              pd.DataFrame({"customer_id": ids[buys], "hours": 3.0, "event": "buy"})]
    events = pd.concat(frames, ignore_index=True)
    events["timestamp"] = T0 + pd.to_timedelta(events.pop("hours"), unit="h")
    stages = {**STAGES, "unassigned": [str(e) for e in names]}
    return jkit.load(events=events, stages=stages)


def test_planted_drivers_are_found_and_false_discoveries_stay_within_the_rate():
    shares, power = [], []
    for seed in range(20):
        out = conversion_drivers(_planted(seed), from_step="visit", to_step="buy", span="2h", features=("events",))
        planted = out["value"].str.startswith("x")
        found = out[out["significant"]]
        power.append(int((planted & out["significant"]).sum()) / 5)
        shares.append(float((~found["value"].str.startswith("x")).mean()) if len(found) else 0.0)
        x0 = out[out["value"] == "x0"].iloc[0]
        assert x0["odds_ratio"] > 1.3
    assert np.mean(power) >= 0.9
    # BH promises an expected false-discovery proportion ≤ 5% · 45/50; the mean of 20 runs may
    # sit above it by sampling error (each run's proportion is 0 or about 1/6), not by more
    assert np.mean(shares) <= 0.05 + 2 * np.std(shares, ddof=1) / np.sqrt(len(shares))


def test_with_nothing_planted_nothing_is_found_at_the_stated_rate():
    discoveries = 0
    for seed in range(10, 20):
        out = conversion_drivers(_planted(seed, effect=False), from_step="visit", to_step="buy", span="2h",
                                 features=("events",))
        discoveries += int(out["significant"].sum())
    # under the global null BH's false-discovery rate is its family-wise rate: ≤ 5% of runs
    assert discoveries <= 1


def test_unequal_spans_are_warned_about_and_span_caps_them():
    rows = []
    for i in range(40):
        rows += [(f"a{i}", 0, "visit"), (f"a{i}", 1, "buy")]
        rows += [(f"b{i}", 0, "visit"), (f"b{i}", 200, "x")]   # x long after: only non-converters see it
    data = _study(rows)
    with pytest.warns(JkitWarning, match="observed for"):
        out = conversion_drivers(data, from_step="visit", to_step="buy", min_support=1, features=("events",))
    assert out.loc[out["value"] == "x", "converted_with"].iloc[0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", JkitWarning)
        capped = conversion_drivers(data, from_step="visit", to_step="buy", span="2h", min_support=1,
                                    features=("events",))
    assert "x" not in set(capped["value"])


def test_sample_themes_at_each_stage_and_no_planted_dropoff(small_sample):
    """The generator plants pain points by stage and touchpoint, and conversion by persona, but no
    link between a theme and dropping out: the themes are found, none is significant."""
    out = theme_dropoff(small_sample, placement="stage")
    assert list(out.columns) == DROPOFF_COLUMNS
    found = set(zip(out["stage"], out["theme"], strict=True))
    assert ("purchase", "checkout") in found and ("retention", "support") in found
    assert ("retention", "delivery") in found
    assert not out["significant"].any()
    row = out[(out["stage"] == "purchase") & (out["theme"] == "checkout")].iloc[0]
    reached = small_sample.events.loc[small_sample.events["event"].isin(["checkout_start", "purchase"]),
                                      "customer_id"].nunique()
    assert row["n_with"] + row["n_without"] == reached
    assert row["odds_ratio"] == pytest.approx(1 / conversion_drivers(
        small_sample, from_step="purchase", to_step="retention", features=("themes",), min_support=10,
        theme_stage="purchase").set_index("value").loc["checkout", "odds_ratio"])


def test_sample_attributes_recover_the_planted_persona_conversion(small_sample):
    """Seniors (60–80) convert to purchase least in the planted truth: the top age quartile goes with
    not reaching purchase."""
    out = conversion_drivers(small_sample, from_step="consideration", to_step="purchase",
                             features=("attributes",))
    age = out[out["feature"] == "age"].set_index("value")
    oldest = max(age.index, key=lambda v: float(v.split("–")[0]))
    assert age.loc[oldest, "odds_ratio"] < 1 and age.loc[oldest, "significant"]


def test_properties_touchpoints_attributes_and_a_persona_model_by_hand():
    rows = [("c1", 0, "visit", "app", "red"), ("c1", 1, "buy", "web", "blue"),
            ("c2", 0, "visit", "app", "red"), ("c2", 1, "buy", "app", None),
            ("c3", 0, "visit", "web", "blue"), ("c4", 0, "visit", "web", None)]
    events = pd.DataFrame(rows, columns=["customer_id", "hours", "event", "touchpoint", "colour"])
    events["timestamp"] = T0 + pd.to_timedelta(events.pop("hours"), unit="h")
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"], "region": ["n", "n", "s", "n"],
                              "name": ["Ann", "Bo", "Cy", "Di"]})

    class Model:  # what conversion_drivers needs of a fitted PersonaModel
        id_col = "customer_id"

        def assign(self, features):
            ids = features["customer_id"]
            return pd.DataFrame({"customer_id": ids, "persona_name": ["keen" if i in ("c1", "c3") else "calm" for i in ids]})

    data = jkit.load(events=events, customers=customers, stages=STAGES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        out = conversion_drivers(data, from_step="visit", to_step="buy", min_support=1, personas=Model(),
                                 features=("properties", "touchpoints", "attributes"))
    got = {(r.kind, r.feature, r.value): (r.n_with, r.converted_with) for r in out.itertuples()}
    # c1's "blue" and "web" are on the buy event itself: not counted
    assert got[("property", "colour", "red")] == (2, 2)
    assert got[("property", "colour", "blue")] == (1, 0)
    assert got[("touchpoint", "touchpoint", "app")] == (2, 2)
    assert got[("attribute", "region", "n")] == (3, 2)
    assert got[("attribute", "persona", "keen")] == (2, 1)
    assert not any(f == "name" for _, f, _ in got)


def test_real_ga4_export_counts_match_a_direct_count(shared_data):
    from jkit.io.importers import read_ga4

    ev = read_ga4(shared_data / "exports" / "ga4" / "events_20201101.parquet")
    checkout = ["begin_checkout", "add_shipping_info", "add_payment_info"]
    known = {"view_item", *checkout}
    stages = {"name": "ga4", "stages": [{"name": "product", "events": ["view_item"]},
                                        {"name": "checkout", "events": checkout}],
              "unassigned": sorted(set(ev["event"].astype(str)) - known)}
    data = jkit.load(events=ev, stages=stages)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        out = conversion_drivers(data, from_step="product", to_step="checkout", span="1h", features=("events",))
    e = data.events
    first = e[e["event"] == "view_item"].groupby("customer_id")["timestamp"].min()
    later = e[e["event"].isin(checkout)].merge(first.rename("t0").reset_index(), on="customer_id")
    converted = later.loc[later["timestamp"] >= later["t0"], "customer_id"].nunique()
    assert out.attrs["cohort"] == {"reached": len(first), "open": 0, "converted": converted}
    promo = out[out["value"] == "view_promotion"].iloc[0]
    assert promo["n_with"] + promo["n_without"] == len(first)
    assert promo["significant"] and promo["odds_ratio"] > 1


def test_readings_are_plain_words_for_every_kind():
    from jkit.drivers import reading

    args = ("reached retention", 0.62, 0.5, 0.7, 205)
    assert reading("theme", "theme", "slow support replies", *args) == (
        "customers who wrote about slow support replies reached retention 0.62 times as often (odds), "
        "95% CI 0.5–0.7, n = 205")
    assert reading("attribute", "persona", "young mobile", *args).startswith(
        "customers whose persona is young mobile reached retention")
    assert reading("event", "event", "search", *args).startswith("customers who did search reached")
    assert reading("touchpoint", "touchpoint", "app", *args).startswith("customers who used app reached")


def test_numbers_are_binned_by_the_values_each_quartile_holds():
    from jkit.drivers.features import _bins

    ages = pd.Series([18, 19, 25, 29, 30, 35, 40, 44, 50, 60, 61, 70])
    assert _bins(ages).drop_duplicates().tolist() == ["18–25", "29–35", "40–50", "60–70"]
    assert _bins(pd.Series([1, 1, 1, 1, 1, 2, 3])).drop_duplicates().tolist() == ["1", "2–3"]
