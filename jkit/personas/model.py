"""The persona estimator: :class:`PersonaModel`, k-means personas of a customer feature table.

Steps (each in its module, see ``docs/personas.md``): column screening
(:mod:`~jkit.personas.screening`), preprocessing (:mod:`~jkit.personas.preprocessing`), the
components parallel analysis keeps and the number of personas judged against shuffled references
(:mod:`~jkit.personas.selection`), k-means (mini-batch above ``max_sample`` rows), bootstrap
stability (:mod:`~jkit.personas.stability`), profiles and names (:mod:`~jkit.personas.profiles`),
outcome spread against random splits (:mod:`~jkit.personas.outcomes`), model files
(:mod:`~jkit.personas.store`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA

from jkit._rules import column_list
from jkit.errors import DataValidationError, JkitWarning, MissingColumnError, NotFittedError
from jkit.personas.feature_table import OUTCOME_COLUMNS
from jkit.personas.outcomes import outcome_columns, usefulness
from jkit.personas.params import check_params, check_size
from jkit.personas.preprocessing import (
    MISSING,
    build_preprocessor,
    categorical_frame,
    check_frame,
    choose_columns,
    described_columns,
    drop_degenerate,
    input_frame,
    log_columns,
    numeric_frame,
    weight_vector,
)
from jkit.personas.profiles import build_profiles, persona_traits
from jkit.personas.screening import counted_once, duplicate_mask, screen_columns
from jkit.personas.selection import fit_reducer, k_curve, make_estimator, select_n_clusters, warn_no_structure
from jkit.personas.stability import bootstrap_stability, describe_jaccard

__all__ = ["OUTCOME_COLUMNS", "SAVE_FORMAT", "PersonaModel"]

#: Version of the file layout written by :meth:`PersonaModel.save`.
SAVE_FORMAT = 2  # see jkit.personas.store


class PersonaModel(BaseEstimator):
    """Personas as k-means clusters of a customer feature table, with profiles and stability.

    Parameters
    ----------
    n_personas : int or "auto", default "auto"
        Number of personas; ``"auto"`` chooses it over ``k_range`` by ``criterion``.
    k_range : (int, int), default (2, 8)
        Smallest and largest number of personas tried by ``"auto"`` (both included).
    numeric_cols, categorical_cols : list of str, optional
        Columns that define the personas. When both are None they are found by dtype (numbers
        are numeric; text, category and boolean columns categorical, except id-like ones), and
        the outcome columns of :func:`customer_features` (:data:`OUTCOME_COLUMNS`) are left to
        ``describe_cols``: personas are who customers are and how they like to interact, then
        compared on what they do and feel. When one list is given, the other defaults to none.
        Either way :mod:`jkit.personas.screening` leaves out and groups columns first.
    describe_cols : "auto", list of str or None, default "auto"
        Numeric or categorical columns profiled in ``traits_`` and ``profiles_`` without
        defining the personas. ``"auto"``: the outcome columns present when the feature columns
        are found automatically, else none.
    weights : "auto", dict or None, default "auto"
        Weight of each feature column in the distance, applied after scaling (a categorical
        column's weight applies to all its one-hot columns). ``"auto"``: the touchpoint mix
        (``tp_*`` columns) counts as one column — each of its ``m`` columns weighs
        ``1/sqrt(m)`` — and every other column weighs 1. A dict sets weights by column name
        (others 1); None weighs all 1.
    id_col : str, default "customer_id"
        The customer id column (never a feature); when absent the index is the id.
    log_cols : "auto", list of str or None, default "auto"
        Columns transformed with signed ``log1p`` before scaling. ``"auto"``: numeric columns
        whose non-missing values are all >= 0, not all within [0, 1] (shares stay as they are)
        and whose skewness exceeds 1 (money, counts).
    min_frequency : float or int, default 0.01
        Category levels rarer than this share (or count, if an int) are pooled into one
        "infrequent" level; levels unseen at fit are assigned to it at predict.
    n_components : "auto", int or None, default "auto"
        Principal components of the preprocessed, weighted columns that the clustering runs on.
        ``"auto"``: those kept by parallel analysis (Horn 1965; see :mod:`jkit.personas.selection`
        and ``docs/personas.md`` for why), at least two. None clusters on all columns.
    criterion : {"silhouette", "calinski_harabasz"}, default "silhouette"
        How ``"auto"`` scores each candidate number of personas, as its excess over ``n_null``
        shuffled references (same columns, each shuffled on its own), on the ``n_components`` space.
    algorithm : {"auto", "kmeans", "minibatch"}, default "auto"
        ``"auto"``: k-means up to ``max_sample`` rows, mini-batch k-means above.
    n_bootstrap : int, default 20
        Bootstrap refits for ``stability_`` (0 skips it).
    max_sample : int, default 20_000
        Rows used for choosing the number of personas and for each bootstrap refit on large data.
    silhouette_sample : int, default 5_000
        Rows the silhouette is computed on (it is quadratic in rows).
    n_init : int, default 10
        k-means restarts (the best is kept). Candidate fits of ``"auto"`` and bootstrap refits on
        more than 10,000 rows use at most 3, mini-batch k-means on all rows at most 3.
    age_col, income_col : str or None, default "age", "income"
        Columns named in profiles as an age range and an income level (when present).
    outcomes : "auto", list of str or None, default "auto"
        Columns the personas are compared on but not built from (0/1, yes/no or numeric):
        ``profiles_`` gets ``<outcome>_mean/_low/_high`` and ``outcome_spread_`` compares the
        spread with random splits and plain k-means. ``"auto"``: columns named like an outcome
        (:data:`~jkit.personas.outcomes.OUTCOME_NAMES`: churn, response, converted, y, spend,
        nps, sentiment, frequency, monetary…) that are not features.
    max_missing : float, default 0.5
        Feature columns empty in a larger share of rows are left out (with a warning).
    n_null : int, default 3
        Shuffled references the number of personas is judged against (0: raw scores, no
        "no structure" verdict).
    random_state : int or None, default 0
        Seed of every random step; the same seed gives the same personas.

    Attributes
    ----------
    labels_ : ndarray of int
        Persona of each training row; persona 0 is the largest.
    n_personas_ : int
        The number of personas used.
    profiles_ : DataFrame
        One row per persona: ``persona``; ``name`` (from its most distinguishing traits, e.g.
        ``"18–29 · low income · mobile app + social"``); ``size``; ``share``; ``age_range`` and
        ``income_level`` (when those columns are used); ``preferred_touchpoints``; ``top_traits``
        (in words); KPIs read from the features when present (``conversion``, ``repeat_rate``,
        ``mean_spend``, ``mean_nps``, ``mean_sentiment``); ``stability`` (the persona's mean
        bootstrap Jaccard similarity) and ``stability_verdict`` (clusterboot's reading); and
        ``<outcome>_mean``, ``<outcome>_low``, ``<outcome>_high`` per outcome column.
    names_ : dict
        Persona id to name.
    traits_ : DataFrame
        Every trait against the population (see :func:`persona_traits`).
    stability_ : float
        Mean adjusted Rand index between the fit and ``n_bootstrap`` refits on bootstrap
        resamples, compared on the same customers (1 = identical personas, 0 = chance).
    stability_scores_ : ndarray
        The ARI of each refit.
    selection_, k_curve_ : DataFrame
        The candidates: ``n_personas``, ``score`` (silhouette), ``null_score`` and ``null_sd``
        (the same on shuffled references), ``excess`` (the criterion) and ``chosen``.
    has_structure_ : bool or None
        False when no candidate beats the shuffled references: the personas are arbitrary cuts.
    column_groups_ : DataFrame
        What the screening did with each column (see :mod:`jkit.personas.screening`).
    outcome_spread_ : DataFrame
        Per outcome: the spread between personas, its interval, random splits', plain k-means'
        (see :mod:`jkit.personas.outcomes`).
    n_components_ : int
        Dimensions the clustering runs on (principal components, or all columns).
    reducer_ : PCA or None
        The principal components the clustering runs on (None: all columns).
    numeric_cols_, categorical_cols_, log_cols_ : list of str
        Columns that define the personas (constant or empty ones are left out with a warning).
    describe_cols_ : list of str
        Columns only described.
    column_weights_ : dict
        Weight of each feature column.
    preprocessor_ : ColumnTransformer
        The fitted preprocessing.
    estimator_ : KMeans or MiniBatchKMeans
        The fitted clustering.

    Examples
    --------
    >>> model = PersonaModel(n_personas="auto", random_state=0).fit(features)   # doctest: +SKIP
    >>> model.profiles_[["name", "share"]], model.stability_                   # doctest: +SKIP
    """

    def __init__(
        self,
        n_personas: int | str = "auto",
        *,
        k_range: tuple[int, int] = (2, 8),
        numeric_cols: Sequence[str] | None = None,
        categorical_cols: Sequence[str] | None = None,
        describe_cols: str | Sequence[str] | None = "auto",
        weights: str | dict | None = "auto",
        id_col: str = "customer_id",
        log_cols: str | Sequence[str] | None = "auto",
        min_frequency: float | int = 0.01,
        n_components: int | str | None = "auto",
        criterion: str = "silhouette",
        algorithm: str = "auto",
        n_bootstrap: int = 20,
        max_sample: int = 20_000,
        silhouette_sample: int = 5_000,
        n_init: int = 10,
        age_col: str | None = "age",
        income_col: str | None = "income",
        outcomes: str | Sequence[str] | None = "auto",
        max_missing: float = 0.5,
        n_null: int = 3,
        random_state: int | None = 0,
    ):
        self.n_personas = n_personas
        self.k_range = k_range
        self.numeric_cols = numeric_cols
        self.categorical_cols = categorical_cols
        self.describe_cols = describe_cols
        self.weights = weights
        self.id_col = id_col
        self.log_cols = log_cols
        self.min_frequency = min_frequency
        self.n_components = n_components
        self.criterion = criterion
        self.algorithm = algorithm
        self.n_bootstrap = n_bootstrap
        self.max_sample = max_sample
        self.silhouette_sample = silhouette_sample
        self.n_init = n_init
        self.age_col = age_col
        self.income_col = income_col
        self.outcomes = outcomes
        self.max_missing = max_missing
        self.n_null = n_null
        self.random_state = random_state

    # ------------------------------------------------------------------ validation

    def _check_params(self) -> None:
        check_params(self)

    # ------------------------------------------------------------------ fitting

    def fit(self, features: pd.DataFrame, y=None) -> PersonaModel:
        """Preprocess ``features``, choose the number of personas, cluster, profile, measure stability.

        Parameters
        ----------
        features : DataFrame
            One row per customer (e.g. from :func:`customer_features`).
        y : ignored

        Returns
        -------
        PersonaModel
            ``self``, fitted.
        """
        self._check_params()
        features = check_frame(features)
        n = len(features)
        if n == 0:
            raise DataValidationError("features: no rows; need one row per customer")
        rng = np.random.default_rng(self.random_state)
        seed = lambda: int(rng.integers(0, 2**31 - 1))  # noqa: E731

        # the column steps warn about the caller's table, so they are called from here (stacklevel)
        numeric, categorical = choose_columns(features, id_col=self.id_col, numeric_cols=self.numeric_cols,
                                              categorical_cols=self.categorical_cols)
        described = described_columns(features, numeric, categorical, describe_cols=self.describe_cols,
                                      automatic=self.numeric_cols is None and self.categorical_cols is None)
        if self.numeric_cols is None and self.categorical_cols is None:  # an outcome never defines personas
            named = outcome_columns(features, self.outcomes, [], self.id_col)
            described = described + [c for c in named if c not in described and c not in OUTCOME_COLUMNS]
        numeric = [c for c in numeric if c not in described]
        categorical = [c for c in categorical if c not in described]
        num = numeric_frame(features, numeric)
        cat = categorical_frame(features, categorical)
        numeric, categorical = drop_degenerate(num, cat)
        self._check_size(n)
        screen = screen_columns(num[numeric], cat[categorical], missing_token=MISSING, max_missing=self.max_missing,
                                seed=seed())
        numeric, categorical = screen.numeric, screen.categorical
        self.column_groups_ = screen.table
        num = num[numeric]
        log_cols = log_columns(num, numeric, self.log_cols)
        outcomes = outcome_columns(features, self.outcomes, numeric + categorical, self.id_col)

        X, sample, raw = self._embed(num, cat[categorical], numeric, log_cols, categorical, rng, seed, screen)
        Xs = X[sample]
        k = self._choose_k(Xs, raw * self._weights, n, len(sample), seed)
        self._cluster(X, k, seed)
        self.numeric_cols_ = numeric
        self.categorical_cols_ = categorical
        self.log_cols_ = log_cols
        self.feature_names_in_ = np.asarray(numeric + categorical, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.pca_ = PCA(n_components=min(2, X.shape[1]), random_state=0).fit(Xs)
        self.stability_scores_, self.stability_, self.persona_stability_ = bootstrap_stability(
            X, sample, self.labels_[sample], k, n_bootstrap=self.n_bootstrap,
            n_init=self._sample_n_init(len(sample)), seed=seed,
        )
        self._describe(features, described, outcomes)
        self.outcome_cols_ = outcomes
        self.profiles_, self.outcome_spread_ = usefulness(features, outcomes, self.profiles_, self.labels_, raw,
                                                          sample, seed)
        if np.isfinite(self.stability_) and self.stability_ < 0.6:
            warnings.warn(
                f"personas are unstable: mean adjusted Rand index {self.stability_:.2f} over {self.n_bootstrap} "
                "bootstrap refits (below 0.6); treat them as tentative or try another n_personas or other columns",
                JkitWarning,
                stacklevel=2,
            )
        return self

    def _check_size(self, n: int) -> None:
        check_size(self, n)

    def _embed(self, num, cat, numeric, log_cols, categorical, rng, seed, screen):
        """Fit the preprocessing, weights and components: the matrix the clustering sees, the sampled rows and
        their preprocessed, unweighted columns (for the shuffled references and plain k-means)."""
        n = len(num)  # num and cat keep the index of the features, columns or not
        frame = pd.concat([num, cat], axis=1)
        pre = build_preprocessor(numeric, log_cols, categorical, num, self.min_frequency)
        X = np.ascontiguousarray(pre.fit_transform(frame), dtype=np.float32)
        del frame
        weights = self.weights
        if weights == "auto" and screen.numeric_groups:
            weights = {**dict(weight_vector(pre, numeric, categorical, "auto")[2]), **screen.weights()}
        self._weights, self._owners, self.column_weights_ = weight_vector(pre, numeric, categorical, weights)
        self._weights[duplicate_mask(pre, self._owners, screen.duplicate_levels)] = 0.0
        sample = np.sort(rng.choice(n, size=self.max_sample, replace=False)) if n > self.max_sample else np.arange(n)
        raw = X[sample].copy()
        X *= self._weights
        self.preprocessor_ = pre

        self.reducer_ = fit_reducer(X[sample], self._owners, self.n_components, seed)
        if self.reducer_ is not None:
            X = np.ascontiguousarray(self.reducer_.transform(X), dtype=np.float32)
        self.n_components_ = X.shape[1]
        return X, sample, raw

    def _choose_k(self, Xs: np.ndarray, raw: np.ndarray, n: int, n_sample: int, seed) -> int:
        """The number of personas: ``n_personas``, or the best of ``k_range`` (``selection_`` records the scores)."""
        distinct = len(np.unique(Xs, axis=0))
        where = "" if n_sample == n else f" in a sample of {n_sample:,}"
        if self.n_personas == "auto":
            hi = min(self.k_range[1], distinct - 1)
            if hi < self.k_range[0]:
                raise DataValidationError(
                    f"features: only {distinct} distinct customers{where} after preprocessing, too few to choose "
                    f"among k_range={tuple(self.k_range)}; pass a smaller n_personas or columns that vary more"
                )
            return self._select_k(Xs, raw, range(self.k_range[0], hi + 1), seed)
        k = int(self.n_personas)
        if distinct < k:
            raise DataValidationError(
                f"features: only {distinct} distinct customers{where} after preprocessing for "
                f"n_personas={k}; ask for at most {distinct} personas or use columns that vary more"
            )
        self._select_k(Xs, raw, [k], seed)
        return k

    def _cluster(self, X: np.ndarray, k: int, seed) -> None:
        """Fit the clustering on all rows; persona 0 is the largest."""
        est = make_estimator(k, len(X), algorithm=self.algorithm, max_sample=self.max_sample, n_init=self.n_init,
                             seed=seed())
        raw = est.fit_predict(X)
        sizes = np.bincount(raw, minlength=k)
        order = np.argsort(-sizes, kind="stable")  # persona 0 is the largest
        self._relabel = np.empty(k, dtype=np.int64)
        self._relabel[order] = np.arange(k)
        self.labels_ = self._relabel[raw]
        self.estimator_ = est
        self.n_personas_ = k

    def _describe(self, features: pd.DataFrame, described: list[str], outcomes: list[str]) -> None:
        """Traits, profiles and names of the fitted personas (feature and described columns, raw values;
        outcomes are traits but never name a persona: it is judged on them)."""
        numeric, categorical = self.numeric_cols_, self.categorical_cols_
        self.describe_cols_ = described
        d_num = [c for c in described if pd.api.types.is_numeric_dtype(features[c])
                 and not pd.api.types.is_bool_dtype(features[c])]
        d_cat = [c for c in described if c not in d_num]
        self.traits_ = persona_traits(features, self.labels_, numeric_cols=numeric + d_num,
                                      categorical_cols=categorical + d_cat)
        age = self.age_col if self.age_col in numeric else None
        income = self.income_col if self.income_col in numeric else None
        dup, grouped = counted_once(self.column_groups_)
        naming = self.traits_[~self.traits_["feature"].isin(outcomes)]
        self.profiles_ = build_profiles(features, self.labels_, naming, age_col=age, income_col=income,
                                        duplicates=dup, groups=grouped)
        self.profiles_["stability"] = self.persona_stability_.reindex(self.profiles_["persona"]).to_numpy()
        self.profiles_["stability_verdict"] = [describe_jaccard(j) for j in self.profiles_["stability"]]
        self.names_ = dict(zip(self.profiles_["persona"], self.profiles_["name"], strict=True))

    def _sample_n_init(self, rows: int) -> int:
        return self.n_init if rows <= 10_000 else min(self.n_init, 3)

    def _select_k(self, Xs: np.ndarray, raw: np.ndarray, ks, seed) -> int:
        """The best of ``ks`` against shuffled references; sets ``k_curve_``/``selection_`` and ``has_structure_``."""
        kw = dict(criterion=self.criterion, n_init=self._sample_n_init(len(Xs)),
                  silhouette_sample=self.silhouette_sample, seed=seed)
        if self.n_null == 0:
            k, table = select_n_clusters(Xs, ks, **kw)
            structure = None
        else:
            reducer = self.reducer_
            k, structure, table = k_curve(Xs, raw, self._owners, (lambda A: A) if reducer is None else reducer.transform,
                                          ks, n_null=self.n_null, **kw)
        if table["score"].isna().all():
            raise DataValidationError("features: no candidate number of personas gave two or more groups")
        self.k_curve_ = self.selection_ = table
        self.has_structure_ = structure
        if structure is False:
            warn_no_structure(table, k, self.criterion)
        return k

    # ------------------------------------------------------------------ using the fit

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError("this PersonaModel is not fitted yet; call fit(features) first")

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        """The matrix the clustering sees (float32, one row per customer): preprocessed, weighted
        columns, projected on ``reducer_``'s principal components when there is one."""
        self._check_fitted()
        features = check_frame(features)
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise MissingColumnError(
                f"features: no column {column_list(missing)}, which the model was fitted on; "
                f"found {column_list(features.columns)}"
            )
        frame = input_frame(features, self.numeric_cols_, self.categorical_cols_)
        X = np.ascontiguousarray(self.preprocessor_.transform(frame), dtype=np.float32)
        X *= self._weights
        reducer = getattr(self, "reducer_", None)  # models saved before n_components have none
        if reducer is not None:
            X = np.ascontiguousarray(reducer.transform(X), dtype=np.float32)
        return X

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """The persona (0 … n_personas_-1) of each row of ``features``."""
        X = self.transform(features)
        if len(X) == 0:
            return np.zeros(0, dtype=np.int64)
        return self._relabel[self.estimator_.predict(X)]

    def fit_predict(self, features: pd.DataFrame, y=None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(features).labels_

    def _ids(self, features: pd.DataFrame) -> pd.Series:
        if self.id_col in features.columns:
            return features[self.id_col].reset_index(drop=True)
        return pd.Series(features.index, name=self.id_col)

    def assign(self, features: pd.DataFrame) -> pd.DataFrame:
        """Assign customers to the personas: ``<id_col>``, ``persona``, ``persona_name``.

        Works on new customers with a saved-and-loaded model (for nightly persona shares).
        """
        labels = self.predict(features)
        out = pd.DataFrame({self.id_col: self._ids(features)})
        out["persona"] = labels
        out["persona_name"] = pd.Series([self.names_[p] for p in labels], dtype="string")
        return out

    def project(self, features: pd.DataFrame, *, sample: int | None = 5_000) -> pd.DataFrame:
        """A 2-D PCA projection of the preprocessed customers (PCA fitted on the training sample).

        Returns
        -------
        DataFrame
            ``<id_col>``, ``pc1``, ``pc2``, ``persona``, ``persona_name`` for at most ``sample``
            rows (a seeded random sample; None keeps all).
        """
        self._check_fitted()
        if sample is not None and len(features) > sample:
            pick = np.sort(np.random.default_rng(self.random_state).choice(len(features), sample, replace=False))
            features = features.iloc[pick]
        X = self.transform(features)
        pcs = self.pca_.transform(X)
        out = self.assign(features)
        out.insert(1, "pc1", pcs[:, 0])
        out.insert(2, "pc2", pcs[:, 1] if pcs.shape[1] > 1 else 0.0)
        return out

    @property
    def explained_variance_(self) -> np.ndarray:
        """Share of the preprocessed variance on each projection axis."""
        self._check_fitted()
        return self.pca_.explained_variance_ratio_

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> Path:
        """Save the fitted model to ``path`` (a zip of JSON, numpy, Parquet and skops parts that
        cannot carry code; see :mod:`jkit.personas.store`), with the jkit and scikit-learn versions."""
        from jkit.personas.store import save_model

        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def load(cls, path: str | Path) -> PersonaModel:
        """Load a model written by :meth:`save` (nothing is unpickled; warns when scikit-learn's version differs).

        Raises MissingResourceError (no such file) or DataValidationError (not a persona model, a newer
        format, or types a persona model never holds)."""
        from jkit.personas.store import load_model

        return load_model(cls, path)
