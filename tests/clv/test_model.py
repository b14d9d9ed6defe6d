"""CLVModel end to end: CDNOW, planted populations, CLV by attribute, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jkit.clv import CLVModel, simulate_customers
from jkit.errors import DataValidationError, MissingColumnError, NotFittedError, ParameterError


@pytest.fixture(scope="module")
def cdnow_model(cdnow_sample):
    return CLVModel().fit(cdnow_sample, calibration_end="1997-09-30")


def test_cdnow_params_table_holds_both_models_with_standard_errors(cdnow_model):
    params = cdnow_model.params_
    assert list(params.index) == ["r", "alpha", "a", "b", "p", "q", "v"]
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "v": 15.44}
    for name, value in published.items():
        assert params.loc[name, "value"] == pytest.approx(value, rel=0.005), name
    assert (params["se"] > 0).all() and (params["low"] < params["value"]).all()
    assert cdnow_model.excluded_ == {"no_repeat_purchase": 1411, "zero_or_negative_spend": 0, "no_recorded_spend": 0}


def test_clv_by_attribute_sums_to_the_per_customer_total(cdnow_model, cdnow_sample):
    per = cdnow_model.predict_clv(52, discount_rate=0.1)
    first_basket = cdnow_sample.sort_values("timestamp").groupby("customer_id")["cds"].first()
    label = pd.Series(np.where(first_basket > 2, "big first basket", "small first basket"),
                      index=first_basket.index, name="basket")
    grouped = cdnow_model.predict_clv(52, discount_rate=0.1, by=label, draws=50)
    groups = grouped[grouped["basket"] != "total"]
    total = grouped[grouped["basket"] == "total"].iloc[0]
    assert groups["clv"].sum() == pytest.approx(per["clv"].sum(), rel=1e-9)
    assert total["clv"] == pytest.approx(per["clv"].sum(), rel=1e-9)
    assert groups["customers"].sum() == total["customers"] == 2357
    assert (grouped["clv_low"] < grouped["clv"]).all() and (grouped["clv"] < grouped["clv_high"]).all()
    assert np.isfinite(grouped.drop(columns="basket").to_numpy(float)).all()
    # discounting lowers value; a longer horizon raises it
    assert cdnow_model.predict_clv(52)["clv"].sum() > per["clv"].sum()
    assert cdnow_model.predict_clv(72, 0.1)["clv"].sum() > per["clv"].sum()
    print("\nCDNOW 52-week CLV at 10%/year:", grouped.round(2).to_string(index=False))


def test_by_a_customers_column_labels_the_unknown(cdnow_model):
    ids = cdnow_model.summary_.index
    customers = pd.DataFrame({"customer_id": ids[:1000], "channel": ["web", "mail"] * 500})
    grouped = cdnow_model.predict_clv(26, by="channel", customers=customers, draws=30)
    assert set(grouped["channel"]) == {"web", "mail", "(no label)", "total"}
    assert grouped.loc[grouped["channel"] == "(no label)", "customers"].item() == 1357
    with pytest.raises(MissingColumnError, match="by='persona'"):
        cdnow_model.predict_clv(26, by="persona", customers=customers)


def test_planted_population_end_to_end_recovers_both_models():
    truth = simulate_customers(5000, bgnbd_params=(0.5, 5.0, 0.8, 2.5), gamma_gamma_params=(5.0, 4.0, 30.0),
                               T=np.random.default_rng(1).uniform(20, 52, 5000), seed=4)
    model = CLVModel().fit(truth)
    for name, value in {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5, "p": 5.0, "q": 4.0, "v": 30.0}.items():
        row = model.params_.loc[name]
        assert abs(row["value"] - value) < 3 * row["se"], (name, row.to_dict())


def test_a_study_fits_or_says_why(small_sample):
    try:
        model = CLVModel().fit(small_sample)
    except DataValidationError as exc:
        assert "repeat" in str(exc) or "identify" in str(exc)
        return
    per = model.predict_clv(26)
    assert np.isfinite(per["clv"]).all() and len(per) == len(model.summary_)
    # the synthetic sample has one drop-out probability and one price level per customer: the limits
    assert all("ran off together" in note for note in model.notes_)
    by_channel = model.predict_clv(26, 0.1, by="acquisition_channel", draws=30)
    assert by_channel["customers"].iloc[-1] == len(per) and np.isfinite(by_channel["clv_low"]).all()


def _repeat_log(n: int = 40, repeats: int = 3, value: float = 10.0) -> pd.DataFrame:
    rows = []
    for i in range(n):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i % 20)
        gaps = np.random.default_rng(i).integers(5, 60, repeats)
        for t in np.concatenate([[0], np.cumsum(gaps)]):
            rows.append((f"r{i}", start + pd.Timedelta(days=int(t)), value * (1 + (i * 7 + int(t)) % 5)))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "revenue"])


def test_bad_input():
    single = pd.DataFrame({"customer_id": [f"c{i}" for i in range(50)],
                           "timestamp": pd.date_range("2024-01-01", periods=50, freq="D"), "revenue": 5.0})
    with pytest.raises(DataValidationError, match="bought on one day only"):
        CLVModel().fit(single)
    few = pd.concat([single, _repeat_log(n=3)], ignore_index=True)
    with pytest.raises(DataValidationError, match="only 3 of 53 customers bought again"):
        CLVModel().fit(few)
    with pytest.raises(ParameterError, match="calibration_end=2030-01-01 is after the end"):
        CLVModel().fit(_repeat_log(), calibration_end="2030-01-01")
    with pytest.raises(NotFittedError):
        CLVModel().p_alive()
    with pytest.raises(ParameterError, match="horizon"):
        CLVModel().fit(_repeat_log(n=200)).predict_purchases(-1)


def test_zero_or_negative_spend_is_excluded_and_counted_never_nan():
    truth = simulate_customers(3000, T=40.0, seed=2)
    repeaters = truth.index[truth["frequency"] > 0]
    truth.loc[repeaters[:30], "monetary_value"] = 0.0
    truth.loc[repeaters[30:40], "monetary_value"] = -5.0
    truth.loc[repeaters[40:45], "monetary_value"] = np.nan
    model = CLVModel().fit(truth)
    assert model.excluded_["zero_or_negative_spend"] == 40 and model.excluded_["no_recorded_spend"] == 5
    per = model.predict_clv(52, 0.1)
    assert np.isfinite(per["clv"]).all()
    population = model.params_.loc["p", "value"] * model.params_.loc["v", "value"] / (model.params_.loc["q", "value"] - 1)
    assert per.loc[repeaters[:45], "expected_spend"].to_numpy() == pytest.approx(population)


def test_a_fit_the_data_cannot_identify_is_refused():
    # every customer buys every week up to the calibration end: no one ever drops out, b runs away
    truth = pd.DataFrame({"frequency": np.arange(20, 60), "recency": np.arange(20, 60) * 1.0,
                          "T": np.arange(20, 60) * 1.0, "monetary_value": 10.0},
                         index=pd.Index([f"c{i}" for i in range(40)], name="customer_id"))
    with pytest.raises(DataValidationError, match="BG/NBD fit on 40 customers"):
        CLVModel().fit(truth)


def test_one_price_for_everyone_keeps_the_purchase_model_and_says_why_there_is_no_clv():
    rows = []
    rng = np.random.default_rng(0)
    for i in range(300):
        days = np.concatenate([[0], np.cumsum(rng.integers(3, 90, rng.integers(0, 6)))])
        rows += [(f"s{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d) + i % 60), 9.99) for d in days]
    log = pd.DataFrame(rows, columns=["customer_id", "timestamp", "revenue"])
    model = CLVModel().fit(log)
    assert model.gamma_gamma_ is None and "no spend model: Gamma-Gamma fit" in model.notes_[0]
    assert np.isfinite(model.predict_purchases(26)).all()
    assert list(model.params_.index) == ["r", "alpha", "a", "b"]
    with pytest.raises(DataValidationError, match="no spend model"):
        model.predict_clv(26)


def test_a_three_hour_clickstream_gets_an_error_not_a_number_and_long_horizons_warn(cdnow_model):
    hours = pd.DataFrame({"customer_id": [f"c{i % 40}" for i in range(120)],
                          "timestamp": pd.Timestamp("2024-01-01 09:00") + pd.to_timedelta(np.arange(120) * 90, unit="s"),
                          "revenue": 20.0})
    with pytest.raises(DataValidationError, match="bought on one day only"):
        CLVModel().fit(hours)
    from jkit.errors import JkitWarning

    with pytest.warns(JkitWarning, match="more than twice the longest calibration history"):
        cdnow_model.predict_purchases(156)
