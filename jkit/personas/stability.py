"""How far to trust personas: bootstrap refits compared with the fit, and a verdict in words.

The stability of a fit is the mean adjusted Rand index between its personas and those of k-means
refits on bootstrap resamples, compared on the same customers; each persona's own stability is its
mean best Jaccard similarity with a persona of the refits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

__all__ = ["bootstrap_stability", "describe_jaccard", "describe_stability"]


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


def bootstrap_stability(
    X: np.ndarray,
    sample: np.ndarray,
    ref: np.ndarray,
    k: int,
    *,
    n_bootstrap: int,
    n_init: int,
    seed: Callable[[], int],
) -> tuple[np.ndarray, float, pd.Series]:
    """Refit k-means ``n_bootstrap`` times on resamples of ``X`` and compare with the labels ``ref`` of
    the rows ``sample``: the ARI of each refit, their mean (NaN without refits) and each persona's mean
    best Jaccard similarity. ``seed`` gives a fresh seed per random step."""
    n = len(X)
    Xe = X[sample]
    m = len(sample)
    aris, jac = [], []
    sizes = np.bincount(ref, minlength=k).astype("float64")
    for _ in range(n_bootstrap):
        draw = np.random.default_rng(seed()).integers(0, n, size=m)
        est = KMeans(n_clusters=k, n_init=n_init, random_state=seed()).fit(X[draw])
        pred = est.predict(Xe)
        aris.append(adjusted_rand_score(ref, pred))
        cont = np.zeros((k, k))
        np.add.at(cont, (ref, pred), 1)
        union = sizes[:, None] + cont.sum(axis=0)[None, :] - cont
        with np.errstate(invalid="ignore", divide="ignore"):
            jac.append(np.nanmax(np.where(union > 0, cont / union, 0.0), axis=1))
    scores = np.asarray(aris, dtype="float64")
    mean = float(np.mean(aris)) if aris else float("nan")
    per = np.mean(jac, axis=0) if jac else np.full(k, np.nan)
    return scores, mean, pd.Series(per, index=pd.RangeIndex(k, name="persona"), name="stability")


def describe_jaccard(jaccard: float) -> str:
    """A persona's verdict from its mean bootstrap Jaccard, as ``fpc::clusterboot`` reads it: >= 0.85 highly
    stable, >= 0.75 stable, > 0.6 doubtful (a pattern, not a firm group), > 0.5 unstable, else dissolved."""
    if jaccard is None or not np.isfinite(jaccard):
        return "not measured"
    if jaccard >= 0.85:
        return "highly stable"
    if jaccard >= 0.75:
        return "stable"
    if jaccard > 0.6:
        return "doubtful"
    return "unstable" if jaccard > 0.5 else "dissolved"
