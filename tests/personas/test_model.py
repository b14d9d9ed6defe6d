"""PersonaModel: fit, profiles, planted and real personas, seeds, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from jkit.errors import DataValidationError, JkitWarning, NotFittedError, ParameterError
from jkit.personas import (
    PersonaModel,
    customer_features,
)
from tests.personas.planted import LEVEL, PLANTED


def test_model_profiles_of_a_hand_made_table():
    # two obvious groups; the model must find them and describe them with these exact figures
    features = pd.DataFrame({
        "customer_id": list("abcdefgh"),
        "age": [20, 22, 24, 26, 60, 64, 68, 72.0],
        "income": [20e3, 22e3, 24e3, 26e3, 80e3, 84e3, 88e3, 92e3],
        "tp_web": [0.9, 0.8, 0.9, 0.8, 0.1, 0.2, 0.1, 0.2],
        "tp_store": [0.1, 0.2, 0.1, 0.2, 0.9, 0.8, 0.9, 0.8],
        "region": ["n", "n", "n", "s", "s", "s", "s", "s"],
    })
    model = PersonaModel(n_personas=2, n_bootstrap=4, log_cols=None, min_frequency=0).fit(features)
    assert adjusted_rand_score([0] * 4 + [1] * 4, model.labels_) == 1.0
    prof = model.profiles_.set_index("persona")
    young = model.labels_[0]
    old = 1 - young
    assert prof.loc[young, "size"] == 4 and prof.loc[young, "share"] == 0.5
    ages = model.traits_[(model.traits_["feature"] == "age")].set_index("persona")
    assert ages.loc[young, "value"] == 23 and ages.loc[old, "value"] == 66 and ages.loc[young, "population"] == 44.5
    north = model.traits_[model.traits_["level"] == "n"].set_index("persona")
    assert north.loc[young, "value"] == 0.75 and north.loc[young, "lift"] == pytest.approx(0.75 / (3 / 8))
    # names: age range (10th–90th percentile, floor/ceil), income level vs population tertiles, touchpoints
    q = np.quantile([20, 22, 24, 26], [0.10, 0.90])
    assert prof.loc[young, "age_range"] == f"{int(np.floor(q[0]))}–{int(np.ceil(q[1]))}"
    assert prof.loc[young, "income_level"] == "low" and prof.loc[old, "income_level"] == "high"
    assert prof.loc[young, "preferred_touchpoints"] == "web" and prof.loc[old, "preferred_touchpoints"] == "store"
    assert prof.loc[young, "name"].startswith(f"{prof.loc[young, 'age_range']} · low income · web-first")
    assert model.stability_ == 1.0 and len(model.stability_scores_) == 4


def test_planted_personas_are_recovered(planted):
    _, features, truth, model = planted
    assert adjusted_rand_score(truth, model.labels_) >= 0.8
    assert model.stability_ >= 0.9
    prof = model.profiles_.set_index("persona")
    for key, spec in PLANTED.items():
        persona = pd.Series(model.labels_[truth == key]).mode()[0]
        row = prof.loc[persona]
        lo, hi = (int(x) for x in row["age_range"].split("–"))
        assert abs(lo - spec["age"][0]) <= 4 and abs(hi - spec["age"][1]) <= 4, (key, row["age_range"])
        assert row["name"].startswith(row["age_range"])
        if key in LEVEL:
            assert row["income_level"] == LEVEL[key] and f"{LEVEL[key]} income" in row["name"]
        top2 = sorted(spec["tps"], key=spec["tps"].get, reverse=True)[:2]
        assert set(row["preferred_touchpoints"].split(", ")) == set(top2), (key, row["preferred_touchpoints"])


def test_same_seed_same_personas_and_largest_first(planted):
    _, features, _, model = planted
    again = PersonaModel(n_personas=4, n_bootstrap=5, random_state=0).fit(features)
    assert (again.labels_ == model.labels_).all() and again.stability_ == model.stability_
    assert list(np.bincount(model.labels_)) == sorted(np.bincount(model.labels_), reverse=True)


def test_minibatch_path_for_large_data_recovers_the_same_personas(planted):
    _, features, truth, model = planted
    big = PersonaModel(n_personas=4, algorithm="minibatch", max_sample=200, n_bootstrap=3).fit(features)
    assert adjusted_rand_score(model.labels_, big.labels_) >= 0.9
    assert isinstance(big.estimator_, __import__("sklearn.cluster").cluster.MiniBatchKMeans)


def test_real_mall_customers_with_other_column_names(shared_data):
    table = pd.read_csv(shared_data / "customers" / "Mall_Customers.csv")
    model = PersonaModel(
        n_personas="auto", id_col="CustomerID", numeric_cols=["Age", "Annual Income (k$)", "Spending Score (1-100)"],
        categorical_cols=["Genre"], age_col="Age", income_col="Annual Income (k$)", n_bootstrap=10,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)  # an unstable result may warn; the figure is what we check
        model.fit(table)
    prof = model.profiles_
    assert prof["size"].sum() == 200 and prof["share"].sum() == pytest.approx(1)
    assert 0 <= model.stability_ <= 1 and len(model.stability_scores_) == 10
    assert prof["name"].is_unique and prof["age_range"].notna().all()
    assign = model.assign(table)
    assert list(assign.columns) == ["CustomerID", "persona", "persona_name"] and len(assign) == 200


def test_real_mall_customers_income_and_spending_give_five_stable_segments(shared_data):
    # the well-known structure of this table: five groups on income × spending score
    table = pd.read_csv(shared_data / "customers" / "Mall_Customers.csv")
    model = PersonaModel(n_personas="auto", id_col="CustomerID", k_range=(2, 8),
                         numeric_cols=["Annual Income (k$)", "Spending Score (1-100)"], log_cols=None,
                         n_bootstrap=10).fit(table)
    assert model.n_personas_ == 5
    assert model.stability_ >= 0.8


def test_not_fitted_and_bad_parameters(planted):
    _, features, _, _ = planted
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PersonaModel().predict(features)
    for kwargs, message in [
        ({"n_personas": 1}, "n_personas=1 should be 'auto' or a whole number >= 2"),
        ({"n_personas": "four"}, "n_personas='four' should be 'auto'"),
        ({"k_range": (5, 3)}, r"k_range=\(5, 3\) should be two whole numbers"),
        ({"n_bootstrap": -1}, "n_bootstrap=-1 should be a whole number >= 0"),
        ({"criterion": "elbow"}, "criterion='elbow' should be one of"),
        ({"numeric_cols": "age"}, r"numeric_cols='age' should be a list of column names, e.g. \['age'\]"),
        ({"numeric_cols": ["age"], "log_cols": ["income"]}, "log_cols: 'income' is not a numeric feature column"),
    ]:
        with pytest.raises(ParameterError, match=message):
            PersonaModel(**kwargs).fit(features)
    with pytest.raises(ParameterError, match="features should be a pandas DataFrame"):
        PersonaModel().fit(features.to_numpy())


def test_too_few_customers():
    features = pd.DataFrame({"customer_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ParameterError, match="n_samples=3 should be >= n_personas=4"):
        PersonaModel(n_personas=4).fit(features)
    with pytest.raises(ParameterError, match="n_samples=2 is too few to choose the number of personas"):
        PersonaModel().fit(features.head(2))
    dup = pd.DataFrame({"customer_id": list("abcd"), "x": [1.0, 1.0, 2.0, 2.0]})
    with pytest.raises(DataValidationError, match="only 2 distinct customers after preprocessing for n_personas=3"):
        PersonaModel(n_personas=3).fit(dup)


def test_constant_and_empty_columns_are_left_out_with_a_warning():
    rng = np.random.default_rng(0)
    features = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 20), rng.normal(8, 1, 20)], "const": 5.0,
                             "empty": np.nan, "label": "same", "blank": pd.Series([None] * 40, dtype="string")})
    with pytest.warns(JkitWarning) as record:
        model = PersonaModel(n_personas=2, n_bootstrap=2).fit(features)
    text = " ".join(str(w.message) for w in record)
    assert "column 'const' is constant (value 5.0)" in text and "column 'empty' is empty in all 40 rows" in text
    assert "column 'label' is constant" in text and "column 'blank' is empty" in text
    assert model.numeric_cols_ == ["x"] and model.categorical_cols_ == []
    with pytest.raises(DataValidationError, match="no usable feature column"), warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        PersonaModel(n_personas=2).fit(features[["const", "empty"]])


def test_bad_feature_values_and_columns():
    features = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["1", "2", "three", "4"], "z": [1, np.inf, 2, 3]})
    with pytest.raises(DataValidationError, match=r"column 'y' row 3: value 'three' is not a number"):
        PersonaModel(n_personas=2, numeric_cols=["x", "y"]).fit(features)
    with pytest.raises(DataValidationError, match=r"column 'z' row 2: value inf is not a finite number"):
        PersonaModel(n_personas=2, numeric_cols=["z"]).fit(features)
    with pytest.raises(DataValidationError, match="features: no column 'w'"):
        PersonaModel(n_personas=2, numeric_cols=["w"]).fit(features)
    model = PersonaModel(n_personas=2, numeric_cols=["x"], n_bootstrap=0).fit(features)
    with pytest.raises(DataValidationError, match="no column 'x', which the model was fitted on"):
        model.predict(features[["y"]])


def test_sample_planted_personas_recovered(small_sample_dir, small_sample):
    truth = pd.read_csv(small_sample_dir / "personas_truth.csv", dtype=str)
    planted = json.loads((small_sample_dir / "truth.json").read_text())["personas"]
    features = customer_features(small_sample)
    # defaults throughout: profile and touchpoint mix define the personas, outcomes describe them,
    # and "auto" chooses how many
    model = PersonaModel(random_state=0, n_bootstrap=5).fit(features)
    assert model.n_personas_ == len(planted), model.selection_
    labels = features[["customer_id"]].merge(truth, on="customer_id", how="left")["persona"]
    assert adjusted_rand_score(labels, model.labels_) >= 0.8
    assert model.stability_ >= 0.9
    assert "frequency" in model.describe_cols_ and "frequency" not in model.numeric_cols_
    prof = model.profiles_.set_index("persona")
    for key, spec in planted.items():
        persona = pd.Series(model.labels_[(labels == key).to_numpy()]).mode()[0]
        row = prof.loc[persona]
        traits = spec["traits"]
        age = traits["age_range"]
        lo, hi = age if isinstance(age, list) else (float(x) for x in str(age).replace("–", "-").split("-"))
        got_lo, got_hi = (int(x) for x in row["age_range"].split("–"))
        assert abs(got_lo - lo) <= 4 and abs(got_hi - hi) <= 4, (key, row["age_range"], traits["age_range"])
        if traits.get("income_level") in ("low", "middle", "high"):
            assert row["income_level"] == traits["income_level"], (key, row["income_level"])
        want = set(traits["preferred_touchpoints"])
        got = set(row["preferred_touchpoints"].split(", "))
        assert want & got, (key, got, want)
        assert row["name"].startswith(row["age_range"])


def test_outcomes_describe_but_do_not_define_personas_and_weights(planted):
    _, features, _, model = planted
    assert "monetary" in model.describe_cols_ and "monetary" not in model.numeric_cols_
    assert set(model.traits_["feature"]) >= {"monetary", "age", "tp_web", "acquisition_channel"}
    tps = [c for c in model.numeric_cols_ if c.startswith("tp_")]
    assert model.column_weights_[tps[0]] == pytest.approx(1 / np.sqrt(len(tps))) and model.column_weights_["age"] == 1
    # the weights are applied: doubling age's weight doubles its spread in the model's space
    kwargs = {"n_personas": 4, "numeric_cols": ["age", "income"], "n_components": None, "n_bootstrap": 0}
    base = PersonaModel(weights=None, **kwargs).fit(features)
    heavy = PersonaModel(weights={"age": 2.0}, **kwargs).fit(features)
    assert heavy.transform(features)[:, 1].std() == pytest.approx(2 * base.transform(features)[:, 1].std(), rel=1e-4)
    with pytest.raises(ParameterError, match="weights: 'shoe' is not a feature column"):
        PersonaModel(n_personas=2, numeric_cols=["age"], weights={"shoe": 2}).fit(features)
    with pytest.raises(ParameterError, match="column 'age' is both a feature and in describe_cols"):
        PersonaModel(n_personas=2, numeric_cols=["age"], describe_cols=["age"]).fit(features)
