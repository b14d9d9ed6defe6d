"""Choosing the space and the number of personas: parallel analysis, then silhouette.

Parallel analysis (Horn, "A rationale and test for the number of factors in factor analysis",
Psychometrika 30, 1965) keeps the principal components whose variance exceeds what the same
columns give once each is shuffled on its own (which keeps every column's distribution and
breaks only the relations between columns). Customers of one persona share several traits at
once, so personas live in those leading components; the rest is each column's own noise — a
50/50 category such as gender or a degree adds a direction in which k-means can always cut a
tight persona in two. Clustering on the kept components removes that noise.

The number of personas is then the candidate whose silhouette (or Calinski–Harabasz score) on
those components beats a **null reference** by the most: the same rows with every source column
shuffled on its own (same marginals, no dependence; the one-hot columns of a category move
together), projected on the same components and clustered with the same k. A raw silhouette
rewards splitting tied points (a few discrete columns give 0.98 at k = 8); the shuffled copy has
the same ties, so only structure *between* columns counts. When no candidate beats the null by
more than :data:`MIN_EXCESS` (and three of its standard deviations), there is no real structure.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, silhouette_score

from jkit.errors import JkitWarning, ParameterError

__all__ = ["CRITERIA", "MIN_EXCESS", "fit_reducer", "k_curve", "make_estimator", "parallel_analysis", "select_n_clusters",
           "warn_no_structure"]

CRITERIA = ("silhouette", "calinski_harabasz")
#: how far the best candidate must beat the shuffled reference (silhouette difference; for
#: Calinski–Harabasz the log of the ratio) to count as structure
MIN_EXCESS = {"silhouette": 0.05, "calinski_harabasz": 0.1}
_NULL_ROWS = 5_000


def parallel_analysis(
    X: np.ndarray,
    groups: np.ndarray | None = None,
    *,
    n_shuffles: int = 20,
    quantile: float = 0.95,
    random_state: int | None = None,
) -> int:
    """Number of leading principal components of ``X`` whose variance beats shuffled data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        The scaled, weighted data.
    groups : array of shape (n_columns,), optional
        The source column of each column of ``X``; columns of one group (the one-hot columns of
        one category) are shuffled together so each row keeps exactly one level. Default: each
        column its own group.
    n_shuffles : int, default 20
        Shuffled copies; the null variance of each component is their ``quantile``.
    quantile : float, default 0.95
    random_state : int, optional

    Returns
    -------
    int
        Components kept: the leading run whose variance exceeds the null (0 when the columns
        are unrelated).
    """
    X = np.asarray(X, dtype=np.float64)
    groups = np.arange(X.shape[1]) if groups is None else np.asarray(groups)
    if groups.shape != (X.shape[1],):
        raise ValueError(f"groups has {groups.shape} entries for {X.shape[1]} columns")
    rng = np.random.default_rng(random_state)
    observed = _component_variances(X)
    blocks = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    null = []
    for _ in range(n_shuffles):
        shuffled = np.empty_like(X)
        for cols in blocks:
            shuffled[:, cols] = X[:, cols][rng.permutation(len(X))]
        null.append(_component_variances(shuffled))
    threshold = np.quantile(np.asarray(null), quantile, axis=0)
    beats = observed > threshold
    return int(len(beats) if beats.all() else np.argmin(beats))


def _component_variances(X: np.ndarray) -> np.ndarray:
    centred = X - X.mean(axis=0)
    # the singular values of the centred data give the component variances without a full PCA
    return np.linalg.svd(centred, compute_uv=False) ** 2 / max(len(X) - 1, 1)


def fit_reducer(Xs: np.ndarray, groups: np.ndarray, n_components: int | str | None, seed: Callable[[], int]) -> PCA | None:
    """The PCA the clustering runs on (``PersonaModel``'s ``n_components``), or None to use every
    preprocessed column; ``groups`` is the source column of each column of ``Xs``."""
    n_cols = Xs.shape[1]
    if n_components is None:
        return None
    if n_components == "auto":
        kept = max(parallel_analysis(Xs, groups, random_state=seed()), 2)
    else:
        kept = int(n_components)
        if kept > n_cols:
            raise ParameterError(
                f"n_components={kept} should be <= the {n_cols} columns after preprocessing "
                "(numeric columns, missing-value flags and one-hot category levels)"
            )
    if kept >= n_cols or kept >= len(Xs):
        return None
    return PCA(n_components=kept, random_state=0).fit(Xs)


def make_estimator(k: int, n_rows: int, *, algorithm: str, max_sample: int, n_init: int, seed: int):
    """The unfitted clustering of ``PersonaModel``: k-means, or mini-batch k-means (``algorithm``) above ``max_sample`` rows."""
    minibatch = algorithm == "minibatch" or (algorithm == "auto" and n_rows > max_sample)
    if minibatch:
        return MiniBatchKMeans(n_clusters=k, n_init=min(n_init, 3), batch_size=4096, random_state=seed,
                               max_no_improvement=20)
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def select_n_clusters(
    X: np.ndarray,
    ks: Iterable[int],
    *,
    criterion: str = "silhouette",
    n_init: int = 3,
    silhouette_sample: int = 5_000,
    seed: Callable[[], int],
) -> tuple[int, pd.DataFrame]:
    """Fit k-means for each candidate ``k``, score it by ``criterion`` and return the best ``k``
    with the table of ``n_personas`` and ``score`` (higher is better; NaN when a fit collapsed
    into one group). ``seed`` gives a fresh seed per random step."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion={criterion!r} should be one of {CRITERIA}")
    rows = []
    m = len(X)
    for k in ks:
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed()).fit_predict(X)
        if len(np.unique(labels)) < 2:
            score = np.nan
        elif criterion == "silhouette":
            size = min(m, silhouette_sample)
            score = float(silhouette_score(X, labels, sample_size=size if size < m else None, random_state=seed()))
        else:
            score = float(calinski_harabasz_score(X, labels))
        rows.append({"n_personas": k, "score": score})
    table = pd.DataFrame(rows, columns=["n_personas", "score"])
    if table["score"].isna().all():
        return int(table["n_personas"].iloc[0]), table
    return int(table.loc[table["score"].idxmax(), "n_personas"]), table


def _score(X: np.ndarray, k: int, criterion: str, n_init: int, silhouette_sample: int, seed) -> float:
    labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed()).fit_predict(X)
    if len(np.unique(labels)) < 2:
        return float("nan")
    if criterion == "silhouette":
        size = min(len(X), silhouette_sample)
        return float(silhouette_score(X, labels, sample_size=size if size < len(X) else None, random_state=seed()))
    return float(calinski_harabasz_score(X, labels))


def k_curve(
    X: np.ndarray,
    X_raw: np.ndarray,
    groups: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
    ks: Iterable[int],
    *,
    criterion: str = "silhouette",
    n_null: int = 5,
    n_init: int = 3,
    silhouette_sample: int = 5_000,
    seed: Callable[[], int],
) -> tuple[int, bool, pd.DataFrame]:
    """Score each candidate ``k`` on ``X`` and on shuffled references (see the module docstring).

    Parameters
    ----------
    X : ndarray
        The rows the clustering sees (components).
    X_raw : ndarray
        The same rows before ``project`` (preprocessed, weighted columns); each source column
        (``groups``) is shuffled on its own to build a reference, then projected.
    groups : ndarray
        The source column of each column of ``X_raw``.
    project : callable
        ``X_raw``-shaped rows to ``X``'s space.
    ks : iterable of int
        Candidates.
    criterion, n_null, n_init, silhouette_sample, seed
        Score, number of references, k-means restarts, silhouette rows, fresh seeds.

    Returns
    -------
    (int, bool, DataFrame)
        The chosen ``k`` (largest excess), whether it beats the references (structure), and the
        tidy curve: ``n_personas``, ``score``, ``null_score`` (mean over references),
        ``null_sd``, ``excess`` and ``chosen``.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion={criterion!r} should be one of {CRITERIA}")
    rng = np.random.default_rng(seed())
    m = len(X_raw)
    rows_null = np.sort(rng.choice(m, _NULL_ROWS, replace=False)) if m > _NULL_ROWS else np.arange(m)
    base = X_raw[rows_null]
    blocks = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    refs = []
    for _ in range(n_null):
        shuffled = np.empty_like(base)
        for cols in blocks:
            shuffled[:, cols] = base[rng.permutation(len(base))][:, cols]
        refs.append(np.ascontiguousarray(project(shuffled), dtype=np.float32))
    rows = []
    for k in ks:
        score = _score(X, k, criterion, n_init, silhouette_sample, seed)
        # references only need their average: fewer restarts and silhouette rows keep them cheap
        null = np.array([_score(R, k, criterion, min(n_init, 2), min(silhouette_sample, 3_000), seed) for R in refs])
        mean = float(np.nanmean(null)) if np.isfinite(null).any() else float("nan")
        sd = float(np.nanstd(null)) if np.isfinite(null).any() else float("nan")
        if criterion == "silhouette":
            excess = score - mean
        else:
            excess = float(np.log(score / mean)) if mean > 0 and score > 0 else float("nan")
        rows.append({"n_personas": int(k), "score": score, "null_score": mean, "null_sd": sd, "excess": excess})
    table = pd.DataFrame(rows, columns=["n_personas", "score", "null_score", "null_sd", "excess"])
    if table["excess"].isna().all():
        table["chosen"] = False
        return int(table["n_personas"].iloc[0]), False, table
    best = int(table["excess"].idxmax())
    table["chosen"] = table.index == best
    row = table.loc[best]
    sd = row["null_sd"] if np.isfinite(row["null_sd"]) else 0.0
    if criterion == "calinski_harabasz":
        sd = sd / row["null_score"] if row["null_score"] > 0 else 0.0
    structure = bool(row["excess"] > max(MIN_EXCESS[criterion], 3 * sd))
    # one source column shuffled is the same column: the reference then cannot judge structure
    return int(row["n_personas"]), structure if len(blocks) > 1 else None, table


def warn_no_structure(table: pd.DataFrame, k: int, criterion: str) -> None:
    """Warn (JkitWarning, so it reaches the report's caveats) that no candidate beat the shuffled references."""
    row = table[table["n_personas"] == k].iloc[0]
    warnings.warn(
        f"personas: no real structure — no number of personas in {table['n_personas'].tolist()} beats the same "
        f"columns shuffled independently (best: {k} personas, {criterion} {row['score']:.2f} against "
        f"{row['null_score']:.2f} shuffled); the personas are arbitrary cuts of the columns' own spread",
        JkitWarning, stacklevel=5,
    )
