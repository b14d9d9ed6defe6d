"""The holdout check: CDNOW 39/39 weeks, a planted population, a hand-computed small case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jkit.clv import CLVModel, simulate_customers, simulate_transactions
from jkit.clv.evaluation import frequency_buckets
from jkit.errors import ParameterError


def test_cdnow_39_39_weeks_total_and_buckets(cdnow_sample):
    model = CLVModel().fit(cdnow_sample, calibration_end="1997-09-30")
    ev = model.evaluate(cdnow_sample)
    print("\nCDNOW sample, calibration 39 weeks, holdout 39 weeks\n", ev.total.round(3).to_string(index=False),
          "\n", ev.by_frequency.round(3).to_string(index=False))
    assert ev.horizon == pytest.approx(39.0)
    assert ev.new_customers == 0
    bg, run = ev.total.set_index("method").loc["BG/NBD"], ev.total.set_index("method").loc["run rate"]
    assert bg["actual"] == 1882  # purchase days of the 2,357 customers in weeks 40-78
    assert bg["predicted"] == pytest.approx(1653.4, abs=1.0)
    assert abs(bg["relative_error"]) < 0.15 < abs(run["relative_error"])
    assert bg["mae"] < run["mae"] and bg["rmse"] < run["rmse"]
    buckets = ev.by_frequency.set_index("frequency")
    assert list(buckets.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert buckets["customers"].sum() == 2357 and buckets.loc["0", "customers"] == 1411
    # the model follows the rise of holdout purchases with calibration frequency
    assert buckets["predicted"].is_monotonic_increasing and buckets["actual"].is_monotonic_increasing
    assert np.isfinite(ev.total.drop(columns="method").to_numpy(float)).all()


def test_cdnow_master_first_nine_months_against_the_next_nine(cdnow_master):
    model = CLVModel().fit(cdnow_master, calibration_end="1997-09-30")
    ev = model.evaluate(cdnow_master)
    clv = model.predict_clv(ev.horizon, 0.0)["clv"]
    print("\nCDNOW master (23,570 customers)\n", model.params_.round(3).to_string(), "\n",
          ev.total.round(3).to_string(index=False), f"\nCLV next 39 weeks per customer: {clv.mean():.2f}")
    bg = ev.total.set_index("method").loc["BG/NBD"]
    assert len(model.summary_) == 23570
    assert abs(bg["relative_error"]) < 0.15
    assert bg["mae"] < ev.total.set_index("method").loc["run rate", "mae"]


def test_planted_population_holdout_is_predicted_within_chance():
    truth = simulate_customers(8000, T=np.random.default_rng(3).uniform(13, 39, 8000), horizon=39.0, seed=6)
    model = CLVModel().fit(truth)
    pred = model.predict_purchases(39.0)
    actual = truth["frequency_holdout"]
    assert pred.sum() == pytest.approx(actual.sum(), rel=0.06)


def test_hand_computed_small_case():
    rows = [(f"c{i}", d, 10.0) for i, days in enumerate(
        [["2024-01-01", "2024-01-15", "2024-02-01"], ["2024-01-03", "2024-01-20"], ["2024-01-10"]] * 10)
        for d in days]
    rows += [("c0", "2024-03-10", 5.0), ("c0", "2024-03-10", 5.0), ("c1", "2024-03-20", 7.0),
             ("new", "2024-03-05", 3.0), ("new", "2024-03-25", 3.0)]
    log = pd.DataFrame(rows, columns=["customer_id", "timestamp", "revenue"])
    log["timestamp"] = pd.to_datetime(log["timestamp"])
    # a varied population around them, all of it before the calibration end, so that the fit is identified
    others = simulate_transactions(400, start="2023-10-01", weeks=21, seed=2)
    assert others["timestamp"].max() < pd.Timestamp("2024-02-29")
    log = pd.concat([log, others], ignore_index=True)
    model = CLVModel().fit(log, calibration_end="2024-02-29")
    ev = model.evaluate(log, observation_end="2024-03-25")
    assert ev.horizon == pytest.approx(25 / 7)
    per = ev.per_customer
    assert per.loc["c0", "actual"] == 1 and per.loc["c1", "actual"] == 1 and per.loc["c2", "actual"] == 0
    # run rate: c0 made 2 repeats in its 59 days of age -> 2 / (59/7) × 25/7 weeks
    assert per.loc["c0", "baseline"] == pytest.approx(2 / (59 / 7) * 25 / 7)
    assert per.loc["c2", "baseline"] == 0
    assert ev.new_customers == 1 and ev.new_customer_purchases == 2
    assert ev.total.loc[0, "actual"] == 2
    with pytest.raises(ParameterError, match="no holdout"):
        model.evaluate(log[log["timestamp"] <= "2024-02-20"])
    with pytest.raises(ParameterError, match="observation_end=2024-04-30 is after the end"):
        model.evaluate(log, observation_end="2024-04-30")


def test_frequency_buckets():
    got = frequency_buckets(pd.Series([0, 1, 6, 7, 30]))
    assert list(got.astype(str)) == ["0", "1", "6", "7+", "7+"]


def test_caveats_name_a_holdout_miss_and_correlated_spend(cdnow_sample):
    model = CLVModel().fit(cdnow_sample, calibration_end="1997-09-30")
    ev = model.evaluate(cdnow_sample)
    assert model.caveats(ev) == []  # CDNOW: -12% and corr(frequency, spend) = 0.11
    strict = model.caveats(ev, tolerance=0.1)
    assert len(strict) == 1 and "missed the holdout purchases by -12%" in strict[0]


def test_caveats_on_the_synthetic_sample(small_sample):
    from jkit.clv import holdout_split

    model = CLVModel().fit(small_sample, calibration_end=holdout_split(small_sample))
    caveats = model.caveats(model.evaluate(small_sample))
    assert any("missed the holdout purchases" in c for c in caveats)
    assert any("spend and purchase frequency are correlated" in c for c in caveats)
