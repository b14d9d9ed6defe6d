"""Choosing the space and the number of personas: parallel analysis, candidates, components."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from jkit.errors import ParameterError
from jkit.personas import (
    PersonaModel,
    parallel_analysis,
)


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
