"""customer_features: the per-customer feature table (pandas engine; the Spark engine's equality is in tests/test_spark.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jkit
from jkit.errors import DataValidationError, JkitWarning, ParameterError
from jkit.personas import (
    PersonaModel,
    customer_features,
)
from tests.personas.planted import tiny_study


def test_customer_features_hand_computed():
    data = tiny_study()
    sentiment = pd.DataFrame({"compound": [0.8, -0.4, 0.1, -0.9]})
    with pytest.warns(JkitWarning, match="1 of 3 customers have no events"):
        f = customer_features(data, sentiment=sentiment)
    f = f.set_index("customer_id")
    assert "name" not in f.columns and "signup_date" not in f.columns
    assert list(f.index) == ["a", "b", "c"]
    a = f.loc["a"]
    assert a["n_events"] == 4 and a["frequency"] == 2 and a["monetary"] == 80 and a["avg_order_value"] == 40
    assert a["recency_days"] == 0  # a's last event is the last event of the study
    assert a["days_to_first_purchase"] == 2
    assert a["stage_reached"] == 5  # review_posted is advocacy
    assert (a["tp_web"], a["tp_store"], a["tp_mobile_app"]) == (0.5, 0.25, 0.25)
    assert a["n_feedback"] == 2 and a["mean_nps"] == 8 and a["mean_sentiment"] == pytest.approx(0.2)
    b = f.loc["b"]
    assert b["recency_days"] == 9 and b["frequency"] == 0 and b["monetary"] == 0
    assert np.isnan(b["avg_order_value"]) and np.isnan(b["days_to_first_purchase"])
    assert b["stage_reached"] == 2 and b["tp_web"] == 1 and b["mean_sentiment"] == pytest.approx(0.1)
    c = f.loc["c"]  # no events: kept with zero activity, missing recency and mix
    assert c["n_events"] == 0 and c["frequency"] == 0 and c["stage_reached"] == 0
    assert np.isnan(c["recency_days"]) and np.isnan(c["tp_web"]) and c["n_feedback"] == 0


def test_customer_features_drop_customers_without_events_and_choose_columns():
    data = tiny_study(feedback=False)
    with pytest.warns(JkitWarning, match=r"1 of 3 customers have no events \(first: c\); set aside"):
        f = customer_features(data, profile_cols=["age"], no_events="drop")
    assert list(f["customer_id"]) == ["a", "b"]
    assert "gender" not in f.columns and "mean_nps" not in f.columns


@pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning")
def test_customer_features_bad_input():
    data = tiny_study()
    with pytest.raises(ParameterError, match="no_events='skip' should be one of 'keep', 'drop'"):
        customer_features(data, no_events="skip")
    with pytest.raises(DataValidationError, match="customers: no column 'shoe_size' for profile_cols"):
        customer_features(data, profile_cols=["shoe_size"])
    with pytest.raises(DataValidationError, match="sentiment has 2 rows but feedback has 4"):
        customer_features(data, sentiment=pd.DataFrame({"compound": [0.1, 0.2]}))
    with pytest.raises(DataValidationError, match="sentiment: no column 'compound'"):
        customer_features(data, sentiment=pd.DataFrame({"score": [0.1] * 4}))


def test_customers_without_events_are_segmented_not_crashed(planted):
    data, features, _, _ = planted
    customers = pd.concat([data.customers, data.customers.head(5).assign(customer_id=[f"new{i}" for i in range(5)])])
    study = jkit.load(customers=customers, events=data.events)
    with pytest.warns(JkitWarning, match="5 of 605 customers have no events"):
        f = customer_features(study)
    model = PersonaModel(n_personas=4, n_bootstrap=0).fit(f)
    assert len(model.labels_) == 605 and model.profiles_["size"].sum() == 605
