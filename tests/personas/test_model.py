"""Personas: feature table, PersonaModel (fit/predict/profiles/stability/save), study views, truth."""

from __future__ import annotations

import json
import warnings

import joblib
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

import jkit
from jkit.errors import DataValidationError, JkitWarning, MissingResourceError, NotFittedError, ParameterError
from jkit.funnels import stage_funnel
from jkit.personas import (
    PersonaModel,
    compare_segments,
    customer_features,
    describe_stability,
    parallel_analysis,
    persona_cards,
    persona_funnel,
    persona_kpis,
    persona_pain_points,
    persona_shares,
    persona_traits,
)

matplotlib.use("Agg")

# --------------------------------------------------------------------------- a planted study

PLANTED = {
    "young_mobile": dict(age=(18, 29), income=(15e3, 35e3), buy=1.5, aov=25, channel="social",
                         tps={"mobile_app": .5, "social": .3, "web": .1, "email": .05, "store": .03, "support": .02}),
    "affluent_professional": dict(age=(35, 55), income=(90e3, 160e3), buy=4, aov=180, channel="search",
                                  tps={"web": .5, "email": .3, "mobile_app": .1, "store": .05, "social": .03,
                                       "support": .02}),
    "family_store": dict(age=(30, 45), income=(45e3, 75e3), buy=3, aov=80, channel="referral",
                         tps={"store": .5, "web": .3, "email": .08, "mobile_app": .06, "social": .03, "support": .03}),
    "senior_support": dict(age=(60, 80), income=(30e3, 60e3), buy=1, aov=60, channel="tv",
                           tps={"store": .45, "support": .3, "web": .1, "email": .1, "mobile_app": .03,
                                "social": .02}),
}
LEVEL = {"young_mobile": "low", "affluent_professional": "high", "family_store": "middle"}


def make_planted(n: int = 600, seed: int = 0):
    """Customers and events with four planted personas (demographics, channels, purchases, spend)."""
    rng = np.random.default_rng(seed)
    keys = list(PLANTED)
    truth = rng.choice(len(keys), size=n, p=[.3, .2, .3, .2])
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    cust, ev = [], []
    for i, k in enumerate(truth):
        p = PLANTED[keys[k]]
        cid = f"C{i:05d}"
        cust.append({"customer_id": cid, "signup_date": t0, "age": rng.uniform(*p["age"]),
                     "income": rng.uniform(*p["income"]), "gender": rng.choice(["f", "m"]),
                     "acquisition_channel": p["channel"] if rng.random() < .7 else rng.choice(["social", "tv"]),
                     "name": f"Person {i}"})
        tps = list(p["tps"])
        pr = np.array(list(p["tps"].values()))
        pr = pr / pr.sum()
        for _ in range(rng.integers(5, 30)):
            ev.append({"customer_id": cid, "timestamp": t0 + pd.Timedelta(days=float(rng.uniform(0, 180))),
                       "event": rng.choice(["ad_impression", "product_view"]), "touchpoint": rng.choice(tps, p=pr),
                       "revenue": None})
        for j in range(rng.poisson(p["buy"])):
            ev.append({"customer_id": cid, "timestamp": t0 + pd.Timedelta(days=float(rng.uniform(0, 180))),
                       "event": "purchase" if j == 0 else "repeat_purchase", "touchpoint": rng.choice(tps, p=pr),
                       "revenue": float(rng.gamma(4, p["aov"] / 4))})
    return pd.DataFrame(cust), pd.DataFrame(ev), np.array(keys)[truth]


@pytest.fixture(scope="module")
def planted():
    customers, events, truth = make_planted()
    data = jkit.load(customers=customers, events=events)
    features = customer_features(data)
    model = PersonaModel(n_personas=4, n_bootstrap=5, random_state=0).fit(features)
    return data, features, truth, model


# --------------------------------------------------------------------------- customer_features


def tiny_study(feedback=True):
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01"] * 3, "age": [20, 40, 60],
        "gender": ["f", "m", None], "name": ["Ann", "Bob", "Cy"],
    })
    events = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "timestamp": ["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-11", "2024-01-02"],
        "event": ["ad_click", "purchase", "repeat_purchase", "review_posted", "product_view"],
        "touchpoint": ["web", "web", "store", "Mobile App", "web"],
        "revenue": [None, "30", "50", None, None],
    })
    fb = pd.DataFrame({
        "feedback_id": ["f1", "f2", "f3", "f4"], "customer_id": ["a", "a", "b", None],
        "timestamp": ["2024-01-05"] * 4, "text": ["great", "slow delivery", "ok", "anon"],
        "source": ["survey"] * 4, "nps": [10, 6, 8, 0],
    })
    return jkit.load(customers=customers, events=events, feedback=fb if feedback else None)


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


# --------------------------------------------------------------------------- trait statistics, exactly


def test_trait_statistics_of_a_hand_made_table():
    features = pd.DataFrame({
        "spend": [10.0, 20.0, 30.0, 100.0, 140.0, 120.0],
        "channel": ["web", "web", "store", "store", "store", "store"],
    })
    labels = [0, 0, 0, 1, 1, 1]
    t = persona_traits(features, labels, numeric_cols=["spend"], categorical_cols=["channel"])
    spend = t[t["feature"] == "spend"].set_index("persona")
    pop, sd = 70.0, np.std([10, 20, 30, 100, 140, 120])  # mean 420/6; population sd
    assert spend.loc[0, "value"] == 20 and spend.loc[1, "value"] == 120 and spend.loc[0, "population"] == pop
    assert spend.loc[1, "difference"] == 50 and spend.loc[1, "ratio"] == pytest.approx(120 / 70)
    assert spend.loc[0, "effect"] == pytest.approx(-50 / sd)
    web = t[(t["feature"] == "channel") & (t["level"] == "web")].set_index("persona")
    assert web.loc[0, "value"] == pytest.approx(2 / 3) and web.loc[0, "population"] == pytest.approx(1 / 3)
    assert web.loc[0, "lift"] == pytest.approx(2.0) and web.loc[1, "lift"] == 0
    assert web.loc[0, "effect"] == pytest.approx((2 / 3 - 1 / 3) / np.sqrt(1 / 3 * 2 / 3))


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


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.floats(-50, 50), st.sampled_from("xyz")), min_size=2, max_size=30))
def test_traits_match_a_brute_force_reference(rows):
    labels = [r[0] for r in rows]
    features = pd.DataFrame({"v": [r[1] for r in rows], "c": [r[2] for r in rows]})
    t = persona_traits(features, labels, numeric_cols=["v"], categorical_cols=["c"])
    values = [r[1] for r in rows]
    mean_all = sum(values) / len(values)
    for p in set(labels):
        mine = [r[1] for r in rows if r[0] == p]
        row = t[(t["persona"] == p) & (t["feature"] == "v")].iloc[0]
        assert row["value"] == pytest.approx(sum(mine) / len(mine), abs=1e-9)
        assert row["difference"] == pytest.approx(sum(mine) / len(mine) - mean_all, abs=1e-9)
        for level in set(r[2] for r in rows):
            share = sum(1 for r in rows if r[0] == p and r[2] == level) / len(mine)
            overall = sum(1 for r in rows if r[2] == level) / len(rows)
            got = t[(t["persona"] == p) & (t["level"] == level)].iloc[0]
            assert got["value"] == pytest.approx(share) and got["lift"] == pytest.approx(share / overall)


# --------------------------------------------------------------------------- planted personas


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


def test_auto_chooses_among_the_range_and_records_scores(planted):
    _, features, truth, _ = planted
    model = PersonaModel(n_personas="auto", k_range=(2, 5), n_bootstrap=0).fit(features)
    assert list(model.selection_["n_personas"]) == [2, 3, 4, 5]
    assert model.n_personas_ == int(model.selection_.loc[model.selection_["score"].idxmax(), "n_personas"])
    assert np.isnan(model.stability_)


def test_parallel_analysis_keeps_the_components_of_related_columns():
    rng = np.random.default_rng(0)
    n = 2_000
    noise = rng.standard_normal((n, 6))
    assert parallel_analysis(noise, random_state=0) == 0
    # three hidden factors, each behind three columns: three components
    factors = rng.standard_normal((n, 3))
    related = np.repeat(factors, 3, axis=1) + 0.5 * rng.standard_normal((n, 9))
    assert parallel_analysis(related, random_state=0) == 3
    # a one-hot category's columns are tied to each other by construction, not by the data:
    # shuffled as one group they add no component; shuffled one by one they would
    level = rng.integers(0, 2, n)
    onehot = np.column_stack([level == 0, level == 1, 0.5 * rng.standard_normal(n)]).astype(float)
    assert parallel_analysis(onehot, groups=np.array(["cat", "cat", "x"]), random_state=0) == 0
    assert parallel_analysis(onehot, random_state=0) >= 1
    with pytest.raises(ValueError, match="groups has"):
        parallel_analysis(noise, groups=np.arange(3))


def test_components_the_clustering_runs_on(planted):
    _, features, truth, model = planted
    # default: the components parallel analysis keeps (at least two), fewer than the columns
    assert model.reducer_ is not None and 2 <= model.n_components_ < len(model.preprocessor_.get_feature_names_out())
    assert model.transform(features).shape == (len(features), model.n_components_)
    three = PersonaModel(n_personas=4, n_components=3, n_bootstrap=0).fit(features)
    assert three.n_components_ == 3 and adjusted_rand_score(truth, three.labels_) >= 0.8
    full = PersonaModel(n_personas=4, n_components=None, n_bootstrap=0).fit(features)
    assert full.reducer_ is None and full.n_components_ == len(full.preprocessor_.get_feature_names_out())
    with pytest.raises(ParameterError, match=r"n_components=500 should be <= the \d+ columns after preprocessing"):
        PersonaModel(n_personas=4, n_components=500).fit(features)
    with pytest.raises(ParameterError, match="n_components=0 should be 'auto', None or a whole number >= 1"):
        PersonaModel(n_components=0).fit(features)


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


def test_predict_assigns_new_customers_and_save_load_round_trip(planted, tmp_path):
    _, features, truth, model = planted
    assert (model.predict(features) == model.labels_).all()
    path = model.save(tmp_path / "personas.jkpm")
    loaded = PersonaModel.load(path)
    new = features.sample(50, random_state=1)
    assign = loaded.assign(new)
    assert list(assign.columns) == ["customer_id", "persona", "persona_name"]
    assert (assign["persona"].to_numpy() == model.predict(new)).all()
    assert assign["persona_name"].iloc[0] == model.names_[assign["persona"].iloc[0]]
    # an unseen category level and a gap in a column that had none at fit are assigned, not crashed on
    odd = new.copy()
    odd["acquisition_channel"] = "carrier_pigeon"
    odd.loc[odd.index[0], "age"] = np.nan
    assert len(loaded.predict(odd)) == 50


def test_load_checks_the_file(planted, tmp_path):
    import json
    import zipfile

    _, _, _, model = planted
    with pytest.raises(MissingResourceError, match="no such file"):
        PersonaModel.load(tmp_path / "nope.jkpm")
    (tmp_path / "other.jkpm").write_text("hello", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a saved jkit PersonaModel"):
        PersonaModel.load(tmp_path / "other.jkpm")
    path = model.save(tmp_path / "good.jkpm")

    def rewrite(name, change):
        with zipfile.ZipFile(path) as z:
            members = {n: z.read(n) for n in z.namelist()}
        change(members)
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
        return tmp_path / name

    def manifest(**changes):
        def change(members):
            m = json.loads(members["manifest.json"])
            m.update(changes)
            members["manifest.json"] = json.dumps(m)
        return change

    with pytest.raises(DataValidationError, match="saved with file format 99 by jkit 9.0"):
        PersonaModel.load(rewrite("newer.jkpm", manifest(format_version=99, jkit_version="9.0")))
    with pytest.warns(JkitWarning, match="saved with scikit-learn 0.1"):
        PersonaModel.load(rewrite("old.jkpm", manifest(sklearn_version="0.1")))


def test_a_crafted_model_file_cannot_run_code(planted, tmp_path):
    """Issue 16.4: a pickled file ran a command before jkit's format check; nothing is unpickled now."""
    import os
    import pickle
    import zipfile

    import skops.io as sio

    _, _, _, model = planted
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (tmp_path / "evil.joblib").write_bytes(pickle.dumps({"format": "jkit.PersonaModel", "model": Exploit()}))
    joblib.dump({"format": "jkit.PersonaModel", "model": Exploit()}, tmp_path / "evil2.joblib")
    for name in ("evil.joblib", "evil2.joblib"):
        with pytest.raises(DataValidationError, match="old pickle/joblib format, which can run code"):
            PersonaModel.load(tmp_path / name)
    # a model file whose scikit-learn part references a function outside the trusted list
    path = model.save(tmp_path / "good.jkpm")
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["sklearn.skops"] = sio.dumps({"preprocessor_": os.system})
    with zipfile.ZipFile(tmp_path / "evil.jkpm", "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(DataValidationError, match="holds types a persona model never holds.*system"):
        PersonaModel.load(tmp_path / "evil.jkpm")
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:events.*nobody can reach it:jkit.errors.JkitWarning")  # no advocacy planted
def test_study_views_by_persona(planted):
    data, features, truth, model = planted
    assign = model.assign(features)
    funnel = persona_funnel(data, assign)
    assert len(funnel) == 4 * 5
    for _, g in funnel.groupby("persona"):
        assert g.sort_values("stage_index")["reach"].is_monotonic_decreasing
    kpis = persona_kpis(data, assign).set_index("persona")
    # independent check of conversion and spend straight from the events
    ev = data.events.merge(assign, on="customer_id")
    buyers = ev[ev["event"].isin(["purchase", "repeat_purchase"])].groupby("persona")["customer_id"].nunique()
    spend = ev.groupby("persona")["revenue"].sum()
    sizes = assign.groupby("persona").size()
    for p in kpis.index:
        assert kpis.loc[p, "conversion"] == pytest.approx(buyers[p] / sizes[p])
        assert kpis.loc[p, "mean_spend"] == pytest.approx(spend[p] / sizes[p])
        # the funnel by persona equals the stage funnel of the persona's customers alone
        members = set(assign.loc[assign["persona"] == p, "customer_id"])
        alone = stage_funnel(jkit.load(customers=data.customers[data.customers["customer_id"].isin(members)],
                                       events=data.events[data.events["customer_id"].isin(members)]), window="90D")
        mine = funnel[funnel["persona"] == p].sort_values("stage_index")
        assert list(mine["reached"]) == list(alone["customers"]) and (mine["customers"] == sizes[p]).all()
        assert mine["reach"].iloc[2] <= kpis.loc[p, "conversion"]  # an ordered purchase is a purchase
    affluent = pd.Series(model.labels_[truth == "affluent_professional"]).mode()[0]
    assert kpis["mean_spend"].idxmax() == affluent
    cards = persona_cards(model, kpis=persona_kpis(data, assign), funnel=funnel)
    assert len(cards) == 4 and "conversion" in cards[0].kpis
    html = cards[0]._repr_html_()
    assert model.names_[0].split(" · ")[0] in html and "Funnel" in html


def test_pain_points_with_quotes_by_persona():
    data = tiny_study()
    fb = pd.DataFrame({
        "feedback_id": [f"f{i}" for i in range(8)], "customer_id": ["a"] * 4 + ["b"] * 4,
        "timestamp": ["2024-01-05"] * 8,
        "text": ["delivery delay again", "awful delivery delay", "delivery delay, so bad", "love it",
                 "checkout broken", "the checkout broken twice", "checkout broken!!", "fine"],
        "source": ["survey"] * 8, "nps": [2, 1, 3, 10, 4, 5, 0, 9],
    })
    data = jkit.load(customers=data.customers, events=data.events, feedback=fb)
    assign = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": [0, 1, 1], "persona_name": ["A", "B", "B"]})
    pains = persona_pain_points(data, assign, top=1)
    assert list(pains["pain_point"]) == ["delivery delay", "checkout broken"]
    assert list(pains["mentions"]) == [3, 3]
    assert pains["quotes"].iloc[1][0] == "checkout broken!!"  # the lowest NPS first


# --------------------------------------------------------------------------- real data


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


# --------------------------------------------------------------------------- bad input


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


def test_customers_without_events_are_segmented_not_crashed(planted):
    data, features, _, _ = planted
    customers = pd.concat([data.customers, data.customers.head(5).assign(customer_id=[f"new{i}" for i in range(5)])])
    study = jkit.load(customers=customers, events=data.events)
    with pytest.warns(JkitWarning, match="5 of 605 customers have no events"):
        f = customer_features(study)
    model = PersonaModel(n_personas=4, n_bootstrap=0).fit(f)
    assert len(model.labels_) == 605 and model.profiles_["size"].sum() == 605


def test_describe_stability():
    assert [describe_stability(v) for v in (0.95, 0.8, 0.65, 0.3, float("nan"))] == [
        "very stable", "stable", "moderate", "unstable", "not measured"]


@pytest.mark.filterwarnings("ignore:events.*nobody can reach it:jkit.errors.JkitWarning")  # no advocacy planted
def test_compare_segments_and_plots(planted):
    import matplotlib.pyplot as plt

    from jkit.personas.rfm import rfm_segments
    from jkit.plotting import (
        plot_persona_funnel,
        plot_persona_projection,
        plot_persona_shares,
        plot_segment_crosstab,
        plot_trait_heatmap,
    )

    data, features, _, model = planted
    assign = model.assign(features)
    rfm = rfm_segments(data)
    table = compare_segments(assign, rfm)
    assert np.allclose(table.sum(axis=1), 1) and len(table) == 4
    counts = compare_segments(assign, rfm, normalize=None)
    assert counts.to_numpy().sum() == len(features)
    fig, axes = plt.subplots(2, 2)
    assert plot_trait_heatmap(model.traits_, names=model.names_, top=10, ax=axes[0, 0]) is axes[0, 0]
    proj = model.project(features, sample=200)
    assert len(proj) == 200 and {"pc1", "pc2", "persona"} <= set(proj.columns)
    assert plot_persona_projection(proj, ax=axes[0, 1]) is axes[0, 1]
    assert plot_persona_funnel(persona_funnel(data, assign), ax=axes[1, 0]) is axes[1, 0]
    assert plot_segment_crosstab(table, ax=axes[1, 1]) is axes[1, 1]
    assert len(axes[0, 0].get_yticklabels()) == 10
    plt.close(fig)
    shares = persona_shares(data, assign, period="M")
    plt.figure()
    ax = plot_persona_shares(shares)  # on the current axes
    assert len(ax.get_lines()) == 4 and ax.get_title() == "Persona shares over time"
    plt.close("all")


# --------------------------------------------------------------------------- the sample data's planted truth


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


def test_persona_shares_over_time_by_hand():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "signup_date": ["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-28", "2024-02-10"],
    })
    events = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "timestamp": ["2024-03-01", "2024-01-21", "2024-02-02", "2024-03-03"],
        "event": ["product_view"] * 4, "touchpoint": ["web"] * 4,
    })
    data = jkit.load(customers=customers, events=events)
    assign = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "persona": [0, 1, 0, 0, 2],
                           "persona_name": ["zero", "one", "zero", "zero", "two"]})
    by_signup = persona_shares(data, assign, period="M")
    # January: a (0), b (1); February: c, d (0), e (2); every persona in every month
    assert list(by_signup["period"].dt.month) == [1, 1, 1, 2, 2, 2]
    assert list(by_signup["customers"]) == [1, 1, 0, 2, 0, 1]
    assert list(by_signup["period_customers"]) == [2, 2, 2, 3, 3, 3]
    assert by_signup["share"].tolist() == pytest.approx([1 / 2, 1 / 2, 0, 2 / 3, 0, 1 / 3])
    assert (by_signup["share_low"] <= by_signup["share"]).all() and (by_signup["share"] <= by_signup["share_high"]).all()
    # by first event: b and c in their signup months, a and d in March; e has no event
    by_event = persona_shares(data, assign, date="first_event")
    assert by_event.attrs["unplaced"] == 1
    assert by_event.groupby(by_event["period"].dt.month)["customers"].sum().to_dict() == {1: 1, 2: 1, 3: 2}
    with pytest.raises(ParameterError, match="period='fortnight' should be a pandas period alias"):
        persona_shares(data, assign, period="fortnight")
    with pytest.raises(DataValidationError, match="customers: no column 'joined' for date"):
        persona_shares(data, assign, date="joined")


def test_sample_persona_funnels_match_the_planted_conversion(small_sample_dir, small_sample):
    truth = pd.read_csv(small_sample_dir / "personas_truth.csv", dtype=str)
    planted = json.loads((small_sample_dir / "truth.json").read_text())["stage_conversion"]["by_persona"]
    # the planted labels as assignments: this checks the funnel, not the clustering
    assign = truth.rename(columns={"persona": "persona_name"}).assign(persona=lambda t: t["persona_name"])
    funnel = persona_funnel(small_sample, assign, window="90D")
    for key, rates in planted.items():
        mine = funnel[funnel["persona"] == key].set_index("stage")
        assert mine.loc["awareness", "reach"] == 1.0  # every generated customer enters the journey
        for stage, rate in rates.items():
            n = mine.loc[stage, "step_conversion"]
            prev = mine["reached"].shift(1).loc[stage]
            # within four binomial standard errors of the planted conditional rate
            assert abs(n - rate) <= 4 * np.sqrt(rate * (1 - rate) / prev), (key, stage, n, rate, prev)
    # and the journey map's overall reach is the sum of the personas' reach
    overall = stage_funnel(small_sample, window="90D").set_index("step_name")["customers"]
    assert (funnel.groupby("stage")["reached"].sum().reindex(overall.index) == overall).all()


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
