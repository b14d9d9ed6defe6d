"""Personas on customer tables as users bring them: planted structure, a derived fact, a noise column,
an outcome the personas are not built from; a table with no structure; the real Mall customers table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from jkit.datasets import customer_tables
from jkit.errors import JkitWarning
from jkit.personas import PersonaModel

FAST = dict(k_range=(2, 6), n_bootstrap=4, n_null=3)


def _cramers_v(a, b) -> float:
    table = pd.crosstab(np.asarray(a), np.asarray(b)).to_numpy().astype(float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / table.sum() / (min(table.shape) - 1)))


def _fit(table, **kw):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", JkitWarning)
        model = PersonaModel(**FAST, **kw).fit(table)
    return model, [str(w.message) for w in seen]


@pytest.fixture(scope="module")
def telecom():
    table, truth = customer_tables.telecom(1_500)
    return table, truth, *_fit(table, id_col="customerID")


def test_telecom_segments_recovered_noise_not_split_derived_fact_counted_once(telecom):
    table, truth, model, messages = telecom
    assert model.n_personas_ == 3 and model.has_structure_ is True
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    assert _cramers_v(model.labels_, table["gender"]) < 0.1  # the 50/50 coin splits no persona
    once = model.column_groups_[model.column_groups_["action"] == "counted once"]
    assert sorted(once["column"]) == sorted(["OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport",
                                             "StreamingTV", "StreamingMovies"])
    assert set(once["with"]) == {"InternetService"} and set(once["level"]) == {"No internet service"}
    names = model.profiles_["name"]
    assert not names.str.contains("No internet service").any() and not names.str.contains(r"\(#").any()
    assert names.is_unique and any("PhoneService" in m and "MultipleLines" in m for m in messages)


def test_telecom_churn_spread_beats_random_splits_and_matches_plain_kmeans(telecom):
    _, truth, model, _ = telecom
    assert model.outcome_cols_ == ["Churn"]  # found by name; never a feature
    churn = model.outcome_spread_.set_index("outcome").loc["Churn"]
    # planted churn 45% (fiber) vs 5% (phone only): spread about 0.40
    assert churn["spread"] == pytest.approx(0.40, abs=0.06) and churn["beats_random"]
    assert churn["random_high"] < 0.1 and churn["spread_low"] > churn["random_high"]
    assert churn["spread"] >= churn["kmeans_spread"] - 0.02
    prof = model.profiles_
    assert {"Churn_mean", "Churn_low", "Churn_high", "stability", "stability_verdict"} <= set(prof.columns)
    assert (prof["Churn_low"] <= prof["Churn_mean"]).all() and (prof["stability"] >= 0.75).all()


def test_marketing_total_counted_once_response_spread_at_least_plain_kmeans():
    table, truth = customer_tables.marketing(1_500)
    model, messages = _fit(table, id_col="ID")
    groups = model.column_groups_.set_index("column")
    assert groups.loc["MntTotal", "action"] == "left out"  # the sum of the amounts beside them
    assert any("'Z_CostContact' is constant" in m for m in messages)
    assert _cramers_v(model.labels_, table["Email"]) < 0.1  # the 50/50 opt-in splits no persona
    response = model.outcome_spread_.set_index("outcome").loc["Response"]
    assert response["beats_random"] and response["spread"] >= response["kmeans_spread"] - 0.01
    assert adjusted_rand_score(truth, model.labels_) >= 0.5  # affluent vs the rest; family and middle may merge
    assert not model.profiles_["name"].str.contains("2.0k").any()


def test_bank_never_contacted_fact_counted_once_and_y_spread():
    table, truth = customer_tables.bank(1_500)
    model, _ = _fit(table)
    groups = model.column_groups_
    assert {("poutcome", "unknown")} <= set(zip(groups["column"], groups["level"], strict=True))
    assert set(groups.loc[groups["action"] == "grouped", "column"]) == {"pdays", "previous"}
    assert _cramers_v(model.labels_, table["contact"]) < 0.1
    y = model.outcome_spread_.set_index("outcome").loc["y"]
    assert y["beats_random"] and y["spread"] >= y["kmeans_spread"] - 0.01
    assert model.n_personas_ == 3 and adjusted_rand_score(truth, model.labels_) >= 0.6


def test_no_structure_is_said_and_warned():
    table, _ = customer_tables.no_structure(1_500)
    model, messages = _fit(table)
    assert model.has_structure_ is False
    assert any("no real structure" in m for m in messages)
    curve = model.k_curve_
    assert list(curve.columns) == ["n_personas", "score", "null_score", "null_sd", "excess", "chosen"]
    assert curve["excess"].max() < 0.05 and curve["chosen"].sum() == 1
    converted = model.outcome_spread_.set_index("outcome").loc["converted"]
    assert not converted["beats_random"]


def test_real_mall_customers_spending_spread_at_least_plain_kmeans(shared_data):
    # personas from who the customers are (age, income, gender); spending score is the outcome they are judged on
    table = pd.read_csv(shared_data / "customers" / "Mall_Customers.csv")
    model, _ = _fit(table, id_col="CustomerID", numeric_cols=["Age", "Annual Income (k$)"], categorical_cols=["Genre"],
                    outcomes=["Spending Score (1-100)"], age_col="Age", income_col="Annual Income (k$)")
    spread = model.outcome_spread_.iloc[0]
    assert spread["outcome"] == "Spending Score (1-100)" and spread["kind"] == "numeric"
    assert spread["spread"] >= spread["kmeans_spread"] - 1.0 and spread["beats_random"]
    assert model.profiles_["stability"].notna().all() and model.profiles_["name"].is_unique
