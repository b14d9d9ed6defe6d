"""Are the personas useful? How they differ on outcomes they were not built from.

For each outcome column (conversion, churn, response, spend, NPS, sentiment, or any column the
user names): each persona's mean with a 95% interval (Wilson for 0/1 outcomes, normal for
numbers), and the **spread** between personas (highest persona mean minus lowest), with

* its 95% interval: a parametric bootstrap of the persona means (each drawn from its normal
  sampling distribution, 2,000 draws);
* the spread of **random splits of the same sizes**: the labels permuted (200 times, on up to
  50,000 rows; above that the permuted means are drawn from their exact mean and variance
  under permutation) — ``random_spread`` is their mean and ``random_high`` their 95th
  percentile, ``p_value`` the share of random splits at least as spread;
* ``kmeans_spread``: plain k-means with the same number of groups on the same preprocessed
  columns (no screening, no components), for reference.

A persona split is useful for an outcome when ``spread_low > random_high``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from jkit._rules import column_list
from jkit.errors import DataValidationError, JkitWarning, MissingColumnError, ParameterError, describe_values

__all__ = ["OUTCOME_NAMES", "outcome_columns", "usefulness", "outcome_frame", "persona_outcomes", "outcome_spread", "SPREAD_COLUMNS"]

#: column names taken as outcomes by ``outcomes="auto"`` when present and not a feature (lower case)
OUTCOME_NAMES = ("churn", "churned", "response", "responded", "converted", "conversion", "purchased", "y",
                 "spend", "revenue", "nps", "sentiment", "mean_nps", "mean_sentiment", "frequency", "monetary")
SPREAD_COLUMNS = ["outcome", "kind", "spread", "spread_low", "spread_high", "highest", "lowest", "random_spread",
                  "random_high", "p_value", "kmeans_spread", "beats_random"]
_YES = {"1", "yes", "y", "true", "t"}
_NO = {"0", "no", "n", "false", "f"}
_Z = 1.959963984540054


def _binary(name: str, s: pd.Series) -> pd.Series | None:
    """``s`` as 0/1 floats when it has at most two levels (yes/no, true/false, 1/0, or two other labels: the
    rarer is 1), else None. Vectorised: outcome columns have a row per customer."""
    levels = pd.unique(s.dropna())
    if len(levels) > 2:
        return None
    missing = s.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(s):
        if not set(np.asarray(levels, dtype=float).tolist()) <= {0.0, 1.0}:
            return None
        return pd.Series(np.where(missing, np.nan, s.to_numpy(dtype=float, na_value=np.nan)), index=s.index)
    lower = s.astype("string").str.strip().str.lower()
    if set(lower.dropna().unique()) <= _YES | _NO:
        yes = lower.isin(_YES).to_numpy()
    elif len(levels) == 2:
        yes = (s == s.value_counts().idxmin()).to_numpy()
    else:
        return None
    return pd.Series(np.where(missing, np.nan, yes.astype(float)), index=s.index)


def outcome_frame(features: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The outcome columns as floats (0/1 for two-level columns) and each one's kind.

    Raises
    ------
    DataValidationError
        An outcome column that is neither numeric nor has two levels (names the column and levels).
    """
    out, kinds = {}, {}
    for c in columns:
        s = features[c]
        if pd.api.types.is_bool_dtype(s):
            out[c], kinds[c] = s.astype("float64"), "binary"
            continue
        as_binary = _binary(c, s)
        if as_binary is not None:
            out[c] = as_binary.astype("float64")
            yes = s[as_binary.to_numpy() == 1]
            kinds[c] = f"binary ({c} = {yes.iloc[0]!r})" if len(yes) and not pd.api.types.is_numeric_dtype(s) else "binary"
            continue
        if pd.api.types.is_numeric_dtype(s):
            values = s.astype("float64")
            if np.isinf(values).any():
                raise DataValidationError(f"outcomes: column {c!r} holds infinite values; an outcome must be finite")
            out[c], kinds[c] = values, "numeric"
            continue
        raise DataValidationError(
            f"outcomes: column {c!r} is neither numeric nor binary (levels {describe_values(pd.unique(s.dropna()))}, "
            f"{s.nunique()} in all); pass a 0/1, yes/no or numeric column"
        )
    return pd.DataFrame(out, index=features.index), kinds


def _means(values: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ok = np.isfinite(values)
    n = np.bincount(labels[ok], minlength=k).astype("float64")
    s = np.bincount(labels[ok], weights=values[ok], minlength=k)
    ss = np.bincount(labels[ok], weights=values[ok] ** 2, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        var = np.maximum(ss / n - mean**2, 0) * n / np.maximum(n - 1, 1)
    return mean, var, n


def _interval(mean, var, n, binary: bool):
    with np.errstate(invalid="ignore", divide="ignore"):
        if binary:  # Wilson score interval
            centre = (mean + _Z**2 / (2 * n)) / (1 + _Z**2 / n)
            half = _Z * np.sqrt(mean * (1 - mean) / n + _Z**2 / (4 * n**2)) / (1 + _Z**2 / n)
            return centre - half, centre + half
        half = _Z * np.sqrt(var / n)
        return mean - half, mean + half


def persona_outcomes(values: pd.DataFrame, kinds: dict, labels: np.ndarray, k: int) -> pd.DataFrame:
    """Per persona and outcome: ``<outcome>_mean``, ``<outcome>_low``, ``<outcome>_high`` (95% interval)."""
    out = pd.DataFrame({"persona": np.arange(k)})
    for c in values.columns:
        mean, var, n = _means(values[c].to_numpy(), labels, k)
        lo, hi = _interval(mean, var, n, kinds[c].startswith("binary"))
        out[f"{c}_mean"], out[f"{c}_low"], out[f"{c}_high"] = mean, lo, hi
    return out


def _spread(means: np.ndarray) -> float:
    finite = means[np.isfinite(means)]
    return float(finite.max() - finite.min()) if len(finite) > 1 else float("nan")


def _random_spreads(v: np.ndarray, labels: np.ndarray, k: int, rng, n_random: int) -> np.ndarray:
    ok = np.isfinite(v)
    v, labels = v[ok], labels[ok]
    if len(v) <= 50_000:
        return np.array([_spread(_means(v, rng.permutation(labels), k)[0]) for _ in range(n_random)])
    # permutation moments of a group mean: mean mu, variance sigma^2 / n_p * (N - n_p) / (N - 1)
    big_n = len(v)
    n = np.bincount(labels, minlength=k).astype("float64")
    sd = np.sqrt(v.var() / np.maximum(n, 1) * (big_n - n) / (big_n - 1))
    draws = v.mean() + rng.standard_normal((n_random, k)) * sd
    return np.array([_spread(d[n > 0]) for d in draws])


def outcome_spread(
    values: pd.DataFrame,
    kinds: dict,
    labels: np.ndarray,
    k: int,
    *,
    reference: np.ndarray | None = None,
    n_random: int = 200,
    seed: int | None = 0,
) -> pd.DataFrame:
    """The ``outcome_spread_`` summary (see the module docstring); one row per outcome.

    Parameters
    ----------
    values : DataFrame
        Outcomes as floats (from :func:`outcome_frame`), one row per labelled customer.
    kinds : dict
        Outcome name to kind (``"binary…"`` or ``"numeric"``).
    labels : ndarray of int
        Persona of each row (0 … k-1).
    k : int
        Number of personas.
    reference : ndarray of int, optional
        Labels of plain k-means with the same k (``kmeans_spread``).
    n_random : int, default 200
        Random splits.
    seed : int, optional
    """
    rng = np.random.default_rng(seed)
    rows = []
    for c in values.columns:
        v = values[c].to_numpy(dtype="float64")
        mean, var, n = _means(v, labels, k)
        spread = _spread(mean)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(np.where(kinds[c].startswith("binary"), mean * (1 - mean), var) / n)
        draws = mean + rng.standard_normal((2_000, k)) * np.nan_to_num(se)
        boot = np.array([_spread(d[np.isfinite(mean)]) for d in draws])
        rand = _random_spreads(v, labels, k, rng, n_random)
        ref = _spread(_means(v, reference, int(reference.max()) + 1)[0]) if reference is not None else float("nan")
        finite = np.where(np.isfinite(mean), mean, np.nan)
        lo, hi = np.nanpercentile(boot, [2.5, 97.5]) if np.isfinite(boot).any() else (np.nan, np.nan)
        rows.append({
            "outcome": c, "kind": kinds[c], "spread": spread, "spread_low": float(lo), "spread_high": float(hi),
            "highest": int(np.nanargmax(finite)) if np.isfinite(finite).any() else -1,
            "lowest": int(np.nanargmin(finite)) if np.isfinite(finite).any() else -1,
            "random_spread": float(np.nanmean(rand)), "random_high": float(np.nanpercentile(rand, 95)),
            "p_value": float((1 + np.sum(rand >= spread)) / (1 + len(rand))),
            "kmeans_spread": ref, "beats_random": bool(lo > np.nanpercentile(rand, 95)),
        })
    return pd.DataFrame(rows, columns=SPREAD_COLUMNS)


def outcome_columns(features: pd.DataFrame, outcomes, used: list[str], id_col: str) -> list[str]:
    """The outcome columns of ``PersonaModel(outcomes=...)``: named ones (checked), or those named like an outcome."""
    if outcomes is None:
        return []
    if outcomes == "auto":
        named = [c for c in features.columns if str(c).lower() in OUTCOME_NAMES and c not in used and c != id_col]
        usable = []
        for c in named:
            try:
                outcome_frame(features, [c])
            except DataValidationError as exc:
                warnings.warn(f"{exc}; column {c!r} is named like an outcome but not used as one (pass outcomes=)",
                              JkitWarning, stacklevel=4)
                continue
            usable.append(c)
        return usable
    missing = [c for c in outcomes if c not in features.columns]
    if missing:
        raise MissingColumnError(f"outcomes: no column {column_list(missing)}; found {column_list(features.columns)}")
    both = [c for c in outcomes if c in used or c == id_col]
    if both:
        raise ParameterError(f"outcomes: column {column_list(both)} defines the personas; an outcome must not")
    return list(outcomes)


def usefulness(features, outcomes, profiles, labels, raw, sample, seed) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``profiles`` with ``<outcome>_mean/_low/_high`` and the ``outcome_spread_`` table; ``raw``: the preprocessed,
    unweighted columns of the rows ``sample``, on which plain k-means with the same k is the reference."""
    from sklearn.cluster import KMeans

    values, kinds = outcome_frame(features, outcomes)
    k = int(labels.max()) + 1
    profiles = profiles.merge(persona_outcomes(values, kinds, labels, k), on="persona", how="left")
    spread = outcome_spread(values, kinds, labels, k, seed=seed())
    if outcomes:
        ref = KMeans(n_clusters=k, n_init=3, random_state=seed()).fit_predict(raw)
        on_sample = outcome_spread(values.iloc[sample], kinds, labels[sample], k, reference=ref, n_random=1,
                                   seed=seed())
        spread["kmeans_spread"] = on_sample["kmeans_spread"].to_numpy()
    return profiles, spread
