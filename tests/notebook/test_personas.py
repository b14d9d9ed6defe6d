"""The persona report's headlines and sentence, read from a model's outcome spread and stability."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from jkit.notebook import spread_headline, spread_sentence, stable_headline


def _model(beats=(True, False), stability=(0.9, 0.6, 0.4)):
    profiles = pd.DataFrame({"persona": [0, 1, 2], "name": ["young · app", "older · store", "mixed"],
                             "stability": list(stability), "churn_mean": [0.40, 0.10, 0.25],
                             "spend_mean": [120.0, 80.0, 95.0]})
    spread = pd.DataFrame({"outcome": ["churn", "spend"], "kind": ["binary", "numeric"], "spread": [0.30, 40.0],
                           "spread_low": [0.22, -5.0], "spread_high": [0.38, 85.0], "highest": [0, 0], "lowest": [1, 1],
                           "random_spread": [0.03, 20.0], "random_high": [0.06, 45.0], "p_value": [0.005, 0.3],
                           "kmeans_spread": [0.28, np.nan], "beats_random": list(beats)})
    return SimpleNamespace(profiles_=profiles, outcome_spread_=spread)


def test_headlines_name_the_outcome_beyond_chance_and_the_stable_count():
    model = _model()
    assert spread_headline(model) == "churn: 40% vs 10%"
    assert stable_headline(model) == "1 of 3 (Jaccard ≥ 0.75)"
    assert spread_headline(_model(beats=(False, False))) == "no more than random splits"
    assert stable_headline(_model(stability=(np.nan,) * 3)) == "not measured (n_bootstrap 0)"
    assert spread_headline(SimpleNamespace(outcome_spread_=pd.DataFrame())) == "no outcome to judge them on"


def test_the_sentence_reads_each_outcome_with_its_references():
    text = spread_sentence(_model())
    assert text.startswith("On churn, the personas differ by 30% (95% CI 22%–38%; highest young · app 40%, lowest "
                           "older · store 10%): more than random splits of the same sizes give (95th percentile 6%); "
                           "plain k-means with the same number of groups: 28%.")
    assert "On spend, the personas differ by 40 (95% CI -5–85; highest young · app 120, lowest older · store 80): " \
           "no more than random splits" in text
    assert "k-means" not in text.split("On spend")[1]


def test_a_customers_column_named_as_outcome_is_judged_and_never_names_a_persona(shared_data, tmp_path):
    """Mall_Customers.csv as a new user loads it (`jkit init --customers`): its spending score is not a contract
    column, yet `outcomes=` reaches it, the personas differ on it beyond random splits and no name quotes it."""
    import warnings

    import jkit
    from jkit.io.drafting import draft_study
    from jkit.notebook import fit_personas

    draft_study(tmp_path, customers=shared_data / "customers" / "Mall_Customers.csv")
    data = jkit.load(tmp_path / "study.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, assigned, _ = fit_personas(data, outcomes=["Spending Score (1-100)"], random_state=0)
    spread = model.outcome_spread_.set_index("outcome")
    assert "Spending Score (1-100)" in spread.index and bool(spread.loc["Spending Score (1-100)", "beats_random"])
    assert not any("Spending" in name for name in model.profiles_["name"])
    assert len(assigned) == 200
