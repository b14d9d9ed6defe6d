"""Outcome spread: hand-computed means, Wilson intervals, random splits, bad outcome columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jkit.errors import DataValidationError
from jkit.personas.outcomes import outcome_frame, outcome_spread, persona_outcomes


def test_outcome_frame_reads_yes_no_and_numbers_and_refuses_other_text():
    t = pd.DataFrame({"Churn": ["Yes", "No", "No", None], "spend": [1.0, 2.5, 0, 4], "flag": [True, False, True, True]})
    values, kinds = outcome_frame(t, ["Churn", "spend", "flag"])
    assert values["Churn"].tolist()[:3] == [1.0, 0.0, 0.0] and np.isnan(values["Churn"].iloc[3])
    assert kinds["Churn"].startswith("binary") and kinds["spend"] == "numeric" and kinds["flag"] == "binary"
    floats = outcome_frame(pd.DataFrame({"converted": [1.0, 0.0, 0.0, np.nan]}), ["converted"])
    assert floats[1]["converted"] == "binary" and floats[0]["converted"].tolist()[:3] == [1.0, 0.0, 0.0]
    labels = outcome_frame(pd.DataFrame({"status": ["stayed", "left", "stayed", "stayed"]}), ["status"])
    assert labels[0]["status"].tolist() == [0.0, 1.0, 0.0, 0.0] and labels[1]["status"] == "binary (status = 'left')"
    bad = pd.DataFrame({"plan": ["gold", "silver", "bronze", "gold"]})
    with pytest.raises(DataValidationError, match="outcomes: column 'plan' is neither numeric nor binary"):
        outcome_frame(bad, ["plan"])


def test_persona_means_and_wilson_intervals_by_hand():
    values = pd.DataFrame({"y": [1, 1, 0, 0, 1, 0.0]})
    labels = np.array([0, 0, 0, 1, 1, 1])
    per = persona_outcomes(values, {"y": "binary"}, labels, 2).set_index("persona")
    assert per.loc[0, "y_mean"] == pytest.approx(2 / 3) and per.loc[1, "y_mean"] == pytest.approx(1 / 3)
    z, p, n = 1.959963984540054, 2 / 3, 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert per.loc[0, "y_low"] == pytest.approx(centre - half) and per.loc[0, "y_high"] == pytest.approx(centre + half)
    spread = outcome_spread(values, {"y": "binary"}, labels, 2, n_random=50).iloc[0]
    assert spread["spread"] == pytest.approx(1 / 3) and spread["highest"] == 0 and spread["lowest"] == 1


def test_a_related_split_beats_random_splits_and_an_unrelated_one_does_not():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 3_000)
    related = pd.DataFrame({"churn": (rng.random(3_000) < np.array([0.1, 0.3, 0.5])[labels]).astype(float)})
    unrelated = pd.DataFrame({"churn": (rng.random(3_000) < 0.3).astype(float)})
    good = outcome_spread(related, {"churn": "binary"}, labels, 3, seed=1).iloc[0]
    assert good["spread"] == pytest.approx(0.4, abs=0.06) and good["beats_random"] and good["p_value"] < 0.01
    assert good["spread_low"] < good["spread"] < good["spread_high"]
    null = outcome_spread(unrelated, {"churn": "binary"}, labels, 3, seed=1).iloc[0]
    assert not null["beats_random"] and null["p_value"] > 0.01
    assert null["random_spread"] == pytest.approx(good["random_spread"], rel=0.5)  # same sizes, same base rate scale


def test_large_tables_use_the_permutation_moments_and_agree_with_permutations():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 4, 60_000)
    values = pd.DataFrame({"spend": rng.gamma(2, 50, 60_000)})
    big = outcome_spread(values, {"spend": "numeric"}, labels, 4, seed=0).iloc[0]
    small = outcome_spread(values.iloc[:40_000], {"spend": "numeric"}, labels[:40_000], 4, seed=0).iloc[0]
    # the random spread shrinks as 1/sqrt(n): compare on the same scale
    assert big["random_spread"] * np.sqrt(60_000) == pytest.approx(small["random_spread"] * np.sqrt(40_000), rel=0.15)


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n)
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "x": g * 5 + rng.normal(size=n),
                         "z": g * 5 + rng.normal(size=n), "plan": rng.choice(["gold", "silver", "bronze"], n),
                         "churn": np.where(g == 1, "yes", "no")})


def test_model_refuses_bad_outcome_columns_with_clear_errors():
    from jkit.errors import MissingColumnError, ParameterError
    from jkit.personas import PersonaModel

    t = _table()
    kw = dict(n_personas=2, numeric_cols=["x", "z"], n_bootstrap=0, n_null=0)
    with pytest.raises(DataValidationError, match="outcomes: column 'plan' is neither numeric nor binary"):
        PersonaModel(outcomes=["plan"], **kw).fit(t)
    with pytest.raises(MissingColumnError, match="outcomes: no column 'nps'"):
        PersonaModel(outcomes=["nps"], **kw).fit(t)
    with pytest.raises(ParameterError, match="outcomes: column 'x' defines the personas"):
        PersonaModel(outcomes=["x"], **kw).fit(t)
    with pytest.raises(ParameterError, match="outcomes='churn' should be 'auto', None or a list"):
        PersonaModel(outcomes="churn", **kw).fit(t)
    model = PersonaModel(**kw).fit(t)  # "auto" finds churn by its name
    row = model.outcome_spread_.iloc[0]
    assert row["outcome"] == "churn" and row["spread"] == pytest.approx(1.0) and row["beats_random"]
    assert model.profiles_["churn_mean"].tolist() in ([0.0, 1.0], [1.0, 0.0])
