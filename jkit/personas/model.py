"""Data-driven personas: a feature table per customer, a clustering model, profiles and stability.

Three steps::

    features = customer_features(data)                       # one row per customer
    model = PersonaModel(n_personas="auto", random_state=0).fit(features)
    model.profiles_, model.stability_                         # who they are, how much to trust it

:class:`PersonaModel` is a scikit-learn-style estimator. Its preprocessing is explicit (see the
class docstring and ``docs/personas.md``): signed ``log1p`` for skewed non-negative columns (money,
counts), median imputation plus a missing-value indicator per numeric column that has gaps,
standard scaling, and one-hot encoding of categorical columns with rare levels pooled; then the
principal components that parallel analysis keeps (the rest is each column's own noise). Personas
are k-means clusters (mini-batch k-means above ``max_sample`` rows); their number is chosen over
``k_range`` when ``n_personas="auto"`` — by default the largest number whose personas come back
on fresh data (prediction strength, :mod:`jkit._persona_selection`), or by silhouette;
stability is the mean adjusted Rand index between the fit and refits on bootstrap resamples.

The study-level views (stage funnel, KPIs from feedback, pain points with quotes, persona cards)
take the :class:`~jkit.io.JourneyData` and the assignments; RFM segments live in :mod:`jkit.rfm`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from jkit.errors import (
    DataValidationError,
    JkitWarning,
    NotFittedError,
    ParameterError,
    describe_values,
    format_rows,
)
from jkit.personas.features import PROFILE_COLUMNS, PURCHASE_EVENTS, TOUCHPOINT_PREFIX, customer_features
from jkit.personas.profiles import build_profiles, persona_traits
from jkit.personas.selection import CRITERIA, parallel_analysis, select_n_clusters
from jkit.personas.views import (
    PersonaCard,
    compare_segments,
    persona_cards,
    persona_funnel,
    persona_kpis,
    persona_pain_points,
    persona_shares,
)

__all__ = [
    "customer_features",
    "PersonaModel",
    "PersonaCard",
    "persona_traits",
    "persona_funnel",
    "persona_kpis",
    "persona_pain_points",
    "persona_shares",
    "persona_cards",
    "compare_segments",
    "describe_stability",
    "parallel_analysis",
    "PROFILE_COLUMNS",
    "PURCHASE_EVENTS",
    "TOUCHPOINT_PREFIX",
    "OUTCOME_COLUMNS",
]

#: Outcome columns of :func:`customer_features`: with automatic column choice they describe the
#: personas (traits, KPIs) but do not define them (see :class:`PersonaModel`, ``describe_cols``).
OUTCOME_COLUMNS = (
    "n_events", "recency_days", "frequency", "monetary", "avg_order_value", "stage_reached",
    "days_to_first_purchase", "n_feedback", "mean_nps", "mean_sentiment",
)

#: Version of the file layout written by :meth:`PersonaModel.save`.
SAVE_FORMAT = 2  # see jkit.persona_store
_MISSING = "(missing)"
_ALGORITHMS = ("auto", "kmeans", "minibatch")


def describe_stability(ari: float) -> str:
    """A verdict on a mean bootstrap ARI: very stable (>= 0.9), stable (>= 0.75), moderate (>= 0.6), unstable."""
    if ari is None or not np.isfinite(ari):
        return "not measured"
    if ari >= 0.9:
        return "very stable"
    if ari >= 0.75:
        return "stable"
    if ari >= 0.6:
        return "moderate"
    return "unstable"


def _plain(value):
    """A numpy scalar as a plain Python value (for messages)."""
    return value.item() if hasattr(value, "item") else value


def _signed_log1p(x):
    """``sign(x) * log1p(|x|)``: log1p for non-negative values, symmetric for the rare negative one."""
    x = np.asarray(x, dtype="float64")
    return np.sign(x) * np.log1p(np.abs(x))


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
        are numeric; text, category and boolean columns are categorical, except id-like columns
        with more than half of the rows distinct), and the outcome columns of
        :func:`customer_features` (:data:`OUTCOME_COLUMNS`: recency, frequency, money, stage
        reached, NPS, sentiment…) are left to ``describe_cols``: personas are defined by who
        customers are and how they like to interact (profile and touchpoint mix), and then
        compared on what they do and feel — clustering on outcomes finds "buyers and
        non-buyers", which the RFM view already shows. When one list is given, the other
        defaults to none.
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
        ``"auto"``: those kept by parallel analysis (Horn 1965: components whose variance
        beats the same columns shuffled independently; one-hot columns of a category shuffle
        together), at least two. Customers of one persona share several traits at once, so
        personas live in the leading components, while a 50/50 category (gender, a degree)
        adds its own direction in which k-means can always cut a tight persona in two;
        dropping those directions keeps personas whole. None clusters on all columns.
    criterion : {"silhouette", "calinski_harabasz"}, default "silhouette"
        How ``"auto"`` scores each candidate number of personas (higher is better), on the
        ``n_components`` space.
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
    random_state : int or None, default 0
        Seed of every random step; the same seed gives the same personas.

    Attributes
    ----------
    labels_ : ndarray of int
        Persona of each training row; persona 0 is the largest.
    n_personas_ : int
        The number of personas used.
    profiles_ : DataFrame
        One row per persona: ``persona``; ``name``, generated from its top traits — age range,
        income level, preferred touchpoints, then the strongest other traits, e.g.
        ``"18–29 · low income · mobile app + social"``; ``size``; ``share``; ``age_range`` and
        ``income_level`` (when those columns are used); ``preferred_touchpoints`` (touchpoints
        over-represented in its event mix, by share); ``top_traits`` (in words); KPIs read from
        the features when present (``conversion``: share with a purchase, ``repeat_rate``: share
        of buyers with two or more, ``mean_spend``, ``mean_nps``, ``mean_sentiment``); and
        ``stability`` (mean bootstrap Jaccard similarity of the persona).
    names_ : dict
        Persona id to name.
    traits_ : DataFrame
        Every trait against the population (see :func:`persona_traits`).
    stability_ : float
        Mean adjusted Rand index between the fit and ``n_bootstrap`` refits on bootstrap
        resamples, compared on the same customers (1 = identical personas, 0 = chance).
    stability_scores_ : ndarray
        The ARI of each refit.
    selection_ : DataFrame
        ``n_personas`` and ``score`` of each candidate (only with ``"auto"``).
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
        self.random_state = random_state

    # ------------------------------------------------------------------ validation

    def _check_params(self) -> None:
        def whole(name, value, low):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ParameterError(f"{name}={value!r} should be a whole number >= {low}")

        k = self.n_personas
        if k != "auto" and (isinstance(k, (str, bool)) or not isinstance(k, (int, np.integer)) or k < 2):
            raise ParameterError(f"n_personas={k!r} should be 'auto' or a whole number >= 2")
        kr = self.k_range
        if (not isinstance(kr, (tuple, list)) or len(kr) != 2
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in kr)
                or not 2 <= kr[0] <= kr[1]):
            raise ParameterError(f"k_range={kr!r} should be two whole numbers (low, high) with 2 <= low <= high")
        if self.criterion not in CRITERIA:
            raise ParameterError(f"criterion={self.criterion!r} should be one of {', '.join(map(repr, CRITERIA))}")
        nc = self.n_components
        if nc not in ("auto", None) and (isinstance(nc, (str, bool)) or not isinstance(nc, (int, np.integer)) or nc < 1):
            raise ParameterError(f"n_components={nc!r} should be 'auto', None or a whole number >= 1")
        if self.algorithm not in _ALGORITHMS:
            raise ParameterError(f"algorithm={self.algorithm!r} should be one of {', '.join(map(repr, _ALGORITHMS))}")
        whole("n_bootstrap", self.n_bootstrap, 0)
        whole("max_sample", self.max_sample, 100)
        whole("silhouette_sample", self.silhouette_sample, 100)
        whole("n_init", self.n_init, 1)
        mf = self.min_frequency
        if isinstance(mf, bool) or not isinstance(mf, (int, float, np.integer, np.floating)) or mf < 0 or (
            isinstance(mf, (float, np.floating)) and mf >= 1
        ):
            raise ParameterError(f"min_frequency={mf!r} should be a share in [0, 1) or a whole count >= 1")
        if self.random_state is not None and not isinstance(self.random_state, (int, np.integer)):
            raise ParameterError(f"random_state={self.random_state!r} should be a whole number or None")
        if not (self.log_cols in ("auto", None) or (
            isinstance(self.log_cols, (list, tuple)) and all(isinstance(c, str) for c in self.log_cols)
        )):
            raise ParameterError(f"log_cols={self.log_cols!r} should be 'auto', None or a list of column names")

    def _check_frame(self, features) -> pd.DataFrame:
        if not isinstance(features, pd.DataFrame):
            raise ParameterError(
                f"features should be a pandas DataFrame (e.g. from customer_features), got {type(features).__name__}"
            )
        return features

    def _choose_columns(self, features: pd.DataFrame) -> tuple[list[str], list[str]]:
        cols = [c for c in features.columns if c != self.id_col]
        if self.numeric_cols is None and self.categorical_cols is None:
            numeric, categorical = [], []
            n = len(features)
            for c in cols:
                s = features[c]
                if pd.api.types.is_bool_dtype(s):
                    categorical.append(c)
                elif pd.api.types.is_numeric_dtype(s):
                    numeric.append(c)
                elif pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype):
                    continue
                else:
                    distinct = s.nunique(dropna=True)
                    if n >= 10 and distinct > max(50, n // 2):
                        warnings.warn(
                            f"features: column {c!r} has {distinct:,} distinct values in {n:,} rows and looks "
                            "like an identifier or free text; left out (pass categorical_cols to use it)",
                            JkitWarning,
                            stacklevel=3,
                        )
                        continue
                    categorical.append(c)
            return numeric, categorical
        numeric = list(self.numeric_cols or [])
        categorical = list(self.categorical_cols or [])
        for name, given in (("numeric_cols", self.numeric_cols), ("categorical_cols", self.categorical_cols)):
            if isinstance(given, str):
                raise ParameterError(f"{name}={given!r} should be a list of column names, e.g. [{given!r}]")
        missing = [c for c in numeric + categorical if c not in features.columns]
        if missing:
            raise DataValidationError(
                f"features: no column {', '.join(map(repr, missing))}; found {', '.join(map(repr, features.columns))}"
            )
        both = sorted(set(numeric) & set(categorical))
        if both:
            raise ParameterError(f"column {', '.join(map(repr, both))} is in both numeric_cols and categorical_cols")
        if self.id_col in numeric + categorical:
            raise ParameterError(f"the id column {self.id_col!r} cannot be a feature")
        return numeric, categorical

    def _numeric_frame(self, features: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
        out = {}
        for c in numeric:
            s = features[c]
            if pd.api.types.is_bool_dtype(s):
                s = s.astype("float64")
            values = pd.to_numeric(s, errors="coerce")
            bad = values.isna() & s.notna()
            if bad.any():
                pos = np.flatnonzero(bad.to_numpy()) + 1
                raise DataValidationError(
                    f"features: column {c!r} {format_rows(pos)}: value {describe_values(s[bad].tolist())} "
                    "is not a number; pass it in categorical_cols or fix the values"
                )
            values = values.astype("float64")
            inf = np.isinf(values.to_numpy())
            if inf.any():
                pos = np.flatnonzero(inf) + 1
                raise DataValidationError(
                    f"features: column {c!r} {format_rows(pos)}: value {describe_values(values[inf].tolist())} "
                    "is not a finite number"
                )
            out[c] = values.to_numpy()
        return pd.DataFrame(out, index=features.index)

    @staticmethod
    def _categorical_frame(features: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {c: features[c].astype("string").fillna(_MISSING).astype(object).to_numpy() for c in categorical},
            index=features.index,
        )

    def _drop_degenerate(self, num: pd.DataFrame, cat: pd.DataFrame) -> tuple[list[str], list[str]]:
        n = len(num) if len(num.columns) else len(cat)
        keep_num, keep_cat = [], []
        for c in num.columns:
            s = num[c]
            if s.isna().all():
                warnings.warn(f"features: column {c!r} is empty in all {n:,} rows; left out", JkitWarning, stacklevel=3)
            elif s.nunique(dropna=True) <= 1 and not s.isna().any():
                warnings.warn(
                    f"features: column {c!r} is constant (value {_plain(s.iloc[0])!r}) and cannot separate "
                    "personas; left out",
                    JkitWarning,
                    stacklevel=3,
                )
            else:
                keep_num.append(c)
        for c in cat.columns:
            s = cat[c]
            if (s == _MISSING).all():
                warnings.warn(f"features: column {c!r} is empty in all {n:,} rows; left out", JkitWarning, stacklevel=3)
            elif s.nunique() <= 1:
                warnings.warn(
                    f"features: column {c!r} is constant (value {_plain(s.iloc[0])!r}) and cannot separate "
                    "personas; left out",
                    JkitWarning,
                    stacklevel=3,
                )
            else:
                keep_cat.append(c)
        if not keep_num and not keep_cat:
            raise DataValidationError(
                "features: no usable feature column (all were constant or empty); "
                "pass numeric_cols or categorical_cols with columns that vary between customers"
            )
        return keep_num, keep_cat

    def _log_columns(self, num: pd.DataFrame, numeric: list[str]) -> list[str]:
        if self.log_cols is None:
            return []
        if self.log_cols != "auto":
            unknown = [c for c in self.log_cols if c not in numeric]
            if unknown:
                raise ParameterError(
                    f"log_cols: {', '.join(map(repr, unknown))} is not a numeric feature column; "
                    f"numeric columns are {', '.join(map(repr, numeric))}"
                )
            return list(self.log_cols)
        chosen = []
        for c in numeric:
            s = num[c].dropna()
            if len(s) > 2 and s.min() >= 0 and s.max() > 1 and s.std() > 0 and s.skew() > 1:
                chosen.append(c)
        return chosen

    def _described_columns(self, features: pd.DataFrame, numeric: list[str], categorical: list[str]) -> list[str]:
        auto_cols = self.numeric_cols is None and self.categorical_cols is None
        if self.describe_cols is None:
            return []
        if self.describe_cols == "auto":
            return [c for c in OUTCOME_COLUMNS if c in numeric] if auto_cols else []
        if isinstance(self.describe_cols, str):
            raise ParameterError(f"describe_cols={self.describe_cols!r} should be 'auto', None or a list of column names")
        described = list(self.describe_cols)
        missing = [c for c in described if c not in features.columns]
        if missing:
            raise DataValidationError(
                f"features: no column {', '.join(map(repr, missing))} for describe_cols; "
                f"found {', '.join(map(repr, features.columns))}"
            )
        if not auto_cols:
            both = [c for c in described if c in numeric or c in categorical]
            if both:
                raise ParameterError(f"column {', '.join(map(repr, both))} is both a feature and in describe_cols")
        return described

    def _weight_vector(self, pre: ColumnTransformer, numeric: list[str], categorical: list[str]) -> np.ndarray:
        """One weight per output column of the preprocessor (see the ``weights`` parameter)."""
        owners: list[str] = []
        for name, trans, cols in pre.transformers_:
            if name == "remainder" or trans == "drop":
                continue
            if name == "cat":
                for col, cats in zip(cols, trans.categories_, strict=True):
                    n_out = len(cats)
                    infrequent = getattr(trans, "infrequent_categories_", None)
                    if infrequent is not None:
                        idx = list(cols).index(col)
                        if infrequent[idx] is not None:
                            n_out = n_out - len(infrequent[idx]) + 1
                    owners += [col] * n_out
            else:
                owners += list(cols)
        if self.weights is None:
            given: dict = {}
        elif self.weights == "auto":
            tps = [c for c in numeric if str(c).startswith(TOUCHPOINT_PREFIX)]
            given = {c: 1 / np.sqrt(len(tps)) for c in tps}
        elif isinstance(self.weights, dict):
            unknown = [c for c in self.weights if c not in numeric + categorical]
            if unknown:
                raise ParameterError(
                    f"weights: {', '.join(map(repr, unknown))} is not a feature column; "
                    f"features are {', '.join(map(repr, numeric + categorical))}"
                )
            bad = {c: w for c, w in self.weights.items() if not (isinstance(w, (int, float)) and w >= 0)}
            if bad:
                raise ParameterError(f"weights: {bad!r} should be numbers >= 0")
            given = dict(self.weights)
        else:
            raise ParameterError(f"weights={self.weights!r} should be 'auto', None or a dict of column weights")
        self._owners = np.asarray(owners, dtype=object)
        weights = np.array([given.get(o, 1.0) for o in owners], dtype=np.float32)
        n_out = len(pre.get_feature_names_out())
        if len(weights) != n_out:  # should not happen; fail loudly rather than weigh the wrong columns
            raise DataValidationError(f"internal: {len(weights)} weights for {n_out} preprocessed columns")
        self.column_weights_ = dict(zip(numeric + categorical, [given.get(c, 1.0) for c in numeric + categorical],
                                        strict=True))
        return weights

    def _build_preprocessor(self, numeric, log_cols, categorical, num) -> ColumnTransformer:
        plain = [c for c in numeric if c not in log_cols]
        gaps = [c for c in numeric if num[c].isna().any()]
        parts = []
        if log_cols:
            parts.append(("log", Pipeline([
                ("log1p", FunctionTransformer(_signed_log1p, feature_names_out="one-to-one")),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
            ]), log_cols))
        if plain:
            parts.append(("num", Pipeline([
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
            ]), plain))
        if gaps:
            parts.append(("missing", MissingIndicator(features="all"), gaps))
        if categorical:
            mf = self.min_frequency if self.min_frequency else None
            parts.append(("cat", OneHotEncoder(
                handle_unknown="infrequent_if_exist", min_frequency=mf, sparse_output=False, dtype=np.float64,
            ), categorical))
        return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)

    def _input_frame(self, features: pd.DataFrame, numeric, categorical) -> pd.DataFrame:
        num = self._numeric_frame(features, numeric)
        cat = self._categorical_frame(features, categorical)
        return pd.concat([num, cat], axis=1)

    # ------------------------------------------------------------------ fitting

    def _make_estimator(self, k: int, n_rows: int, seed: int):
        minibatch = self.algorithm == "minibatch" or (self.algorithm == "auto" and n_rows > self.max_sample)
        if minibatch:
            return MiniBatchKMeans(n_clusters=k, n_init=min(self.n_init, 3), batch_size=4096, random_state=seed,
                                   max_no_improvement=20)
        return KMeans(n_clusters=k, n_init=self.n_init, random_state=seed)

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
        features = self._check_frame(features)
        n = len(features)
        if n == 0:
            raise DataValidationError("features: no rows; need one row per customer")
        rng = np.random.default_rng(self.random_state)
        seed = lambda: int(rng.integers(0, 2**31 - 1))  # noqa: E731

        numeric, categorical = self._choose_columns(features)
        described = self._described_columns(features, numeric, categorical)
        numeric = [c for c in numeric if c not in described]
        categorical = [c for c in categorical if c not in described]
        num = self._numeric_frame(features, numeric)
        cat = self._categorical_frame(features, categorical)
        numeric, categorical = self._drop_degenerate(num, cat)
        num = num[numeric]
        log_cols = self._log_columns(num, numeric)
        if self.n_personas != "auto" and n < self.n_personas:
            raise ParameterError(f"n_samples={n} should be >= n_personas={self.n_personas}; ask for fewer personas")
        if self.n_personas == "auto" and n < self.k_range[0] + 1:
            raise ParameterError(
                f"n_samples={n} is too few to choose the number of personas; need at least "
                f"{self.k_range[0] + 1} (k_range={tuple(self.k_range)}) or pass n_personas"
            )

        frame = pd.concat([num, cat[categorical]], axis=1)
        pre = self._build_preprocessor(numeric, log_cols, categorical, num)
        X = np.ascontiguousarray(pre.fit_transform(frame), dtype=np.float32)
        del frame
        self._weights = self._weight_vector(pre, numeric, categorical)
        X *= self._weights

        sample = np.sort(rng.choice(n, size=self.max_sample, replace=False)) if n > self.max_sample else np.arange(n)
        self.reducer_ = self._fit_reducer(X[sample], seed)
        if self.reducer_ is not None:
            X = np.ascontiguousarray(self.reducer_.transform(X), dtype=np.float32)
        self.n_components_ = X.shape[1]
        Xs = X[sample]
        distinct = len(np.unique(Xs, axis=0))
        where = "" if len(sample) == n else f" in a sample of {len(sample):,}"
        if self.n_personas == "auto":
            hi = min(self.k_range[1], distinct - 1)
            if hi < self.k_range[0]:
                raise DataValidationError(
                    f"features: only {distinct} distinct customers{where} after preprocessing, too few to choose "
                    f"among k_range={tuple(self.k_range)}; pass a smaller n_personas or columns that vary more"
                )
            k, self.selection_ = self._select_k(Xs, range(self.k_range[0], hi + 1), seed)
        else:
            k = int(self.n_personas)
            if distinct < k:
                raise DataValidationError(
                    f"features: only {distinct} distinct customers{where} after preprocessing for "
                    f"n_personas={k}; ask for at most {distinct} personas or use columns that vary more"
                )
            self.selection_ = pd.DataFrame(columns=["n_personas", "score"])

        est = self._make_estimator(k, n, seed())
        raw = est.fit_predict(X)
        sizes = np.bincount(raw, minlength=k)
        order = np.argsort(-sizes, kind="stable")  # persona 0 is the largest
        self._relabel = np.empty(k, dtype=np.int64)
        self._relabel[order] = np.arange(k)
        self.labels_ = self._relabel[raw]
        self.estimator_ = est
        self.preprocessor_ = pre
        self.n_personas_ = k
        self.numeric_cols_ = numeric
        self.categorical_cols_ = categorical
        self.log_cols_ = log_cols
        self.feature_names_in_ = np.asarray(numeric + categorical, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.pca_ = PCA(n_components=min(2, X.shape[1]), random_state=0).fit(Xs)

        self._stability(X, sample, k, seed)
        self.describe_cols_ = described
        d_num = [c for c in described if pd.api.types.is_numeric_dtype(features[c])
                 and not pd.api.types.is_bool_dtype(features[c])]
        d_cat = [c for c in described if c not in d_num]
        self.traits_ = persona_traits(features, self.labels_, numeric_cols=numeric + d_num,
                                      categorical_cols=categorical + d_cat)
        age = self.age_col if self.age_col in numeric else None
        income = self.income_col if self.income_col in numeric else None
        self.profiles_ = build_profiles(features, self.labels_, self.traits_, age_col=age, income_col=income)
        self.profiles_["stability"] = self.persona_stability_.reindex(self.profiles_["persona"]).to_numpy()
        self.names_ = dict(zip(self.profiles_["persona"], self.profiles_["name"], strict=True))
        if np.isfinite(self.stability_) and self.stability_ < 0.6:
            warnings.warn(
                f"personas are unstable: mean adjusted Rand index {self.stability_:.2f} over {self.n_bootstrap} "
                "bootstrap refits (below 0.6); treat them as tentative or try another n_personas or other columns",
                JkitWarning,
                stacklevel=2,
            )
        return self

    def _fit_reducer(self, Xs: np.ndarray, seed) -> PCA | None:
        """The PCA the clustering runs on, or None to use every preprocessed column."""
        n_cols = Xs.shape[1]
        if self.n_components is None:
            return None
        if self.n_components == "auto":
            kept = max(parallel_analysis(Xs, self._owners, random_state=seed()), 2)
        else:
            kept = int(self.n_components)
            if kept > n_cols:
                raise ParameterError(
                    f"n_components={kept} should be <= the {n_cols} columns after preprocessing "
                    "(numeric columns, missing-value flags and one-hot category levels)"
                )
        if kept >= n_cols or kept >= len(Xs):
            return None
        return PCA(n_components=kept, random_state=0).fit(Xs)

    def _sample_n_init(self, rows: int) -> int:
        return self.n_init if rows <= 10_000 else min(self.n_init, 3)

    def _select_k(self, Xs: np.ndarray, ks, seed) -> tuple[int, pd.DataFrame]:
        k, table = select_n_clusters(Xs, ks, criterion=self.criterion, n_init=self._sample_n_init(len(Xs)),
                                     silhouette_sample=self.silhouette_sample, seed=seed)
        if table["score"].isna().all():
            raise DataValidationError("features: no candidate number of personas gave two or more groups")
        return k, table

    def _stability(self, X: np.ndarray, sample: np.ndarray, k: int, seed) -> None:
        n = len(X)
        ref = self.labels_[sample]
        Xe = X[sample]
        m = len(sample)
        aris, jac = [], []
        sizes = np.bincount(ref, minlength=k).astype("float64")
        for _ in range(self.n_bootstrap):
            draw = np.random.default_rng(seed()).integers(0, n, size=m)
            est = KMeans(n_clusters=k, n_init=self._sample_n_init(m), random_state=seed()).fit(X[draw])
            pred = est.predict(Xe)
            aris.append(adjusted_rand_score(ref, pred))
            cont = np.zeros((k, k))
            np.add.at(cont, (ref, pred), 1)
            union = sizes[:, None] + cont.sum(axis=0)[None, :] - cont
            with np.errstate(invalid="ignore", divide="ignore"):
                jac.append(np.nanmax(np.where(union > 0, cont / union, 0.0), axis=1))
        self.stability_scores_ = np.asarray(aris, dtype="float64")
        self.stability_ = float(np.mean(aris)) if aris else float("nan")
        per = np.mean(jac, axis=0) if jac else np.full(k, np.nan)
        self.persona_stability_ = pd.Series(per, index=pd.RangeIndex(k, name="persona"), name="stability")

    # ------------------------------------------------------------------ using the fit

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError("this PersonaModel is not fitted yet; call fit(features) first")

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        """The matrix the clustering sees (float32, one row per customer): preprocessed, weighted
        columns, projected on ``reducer_``'s principal components when there is one."""
        self._check_fitted()
        features = self._check_frame(features)
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise DataValidationError(
                f"features: no column {', '.join(map(repr, missing))}, which the model was fitted on; "
                f"found {', '.join(map(repr, features.columns))}"
            )
        frame = self._input_frame(features, self.numeric_cols_, self.categorical_cols_)
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
        cannot carry code; see :mod:`jkit.persona_store`), with the jkit and scikit-learn versions."""
        from jkit.personas.store import save_model

        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def load(cls, path: str | Path) -> PersonaModel:
        """Load a model written by :meth:`save`; warns when scikit-learn's version differs.

        Nothing is unpickled: a file in the old joblib/pickle format, or one holding types a
        persona model never holds, is refused.

        Raises
        ------
        MissingResourceError
            No such file.
        DataValidationError
            The file is not a saved persona model, was written by a newer file format, or holds
            anything but plain data and the trusted scikit-learn types.
        """
        from jkit.personas.store import load_model

        return load_model(cls, path)
