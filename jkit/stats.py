"""Small statistics shared by the analyses: confidence intervals for rates and means.

All intervals are two-sided at ``confidence`` (default 0.95).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

__all__ = [
    "wilson_interval",
    "mean_interval",
    "z_value",
    "proportion_difference_interval",
    "mean_difference_interval",
]


def z_value(confidence: float = 0.95) -> float:
    """The standard normal quantile for a two-sided interval (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        from jkit.errors import ParameterError

        raise ParameterError(f"confidence={confidence!r} should be between 0 and 1 (exclusive)")
    return float(_st.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``successes / trials`` (vectorised).

    Returns ``(low, high)``; both are NaN where ``trials`` is 0.

    >>> wilson_interval(8, 10)   # doctest: +ELLIPSIS
    (array(0.49...), array(0.94...))
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # exact ends at 0 and n successes (the formula gives them only up to rounding)
        low = np.where(n > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
        high = np.where(n > 0, np.where(k >= n, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    return low, high


def mean_interval(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of ``values`` (NaNs ignored): ``(mean, low, high)``.

    With fewer than two values the interval is NaN.
    """
    x = np.asarray(values, dtype="float64")
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    half = float(_st.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def proportion_difference_interval(
    k1, n1, k2, n2, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference of two proportions ``k2/n2 - k1/n1`` with Newcombe's hybrid score interval.

    Newcombe (1998), method 10: built from the two Wilson intervals, so it behaves well for
    small counts and rates near 0 or 1. Returns ``(difference, low, high)`` (vectorised).
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype="float64") for v in (k1, n1, k2, n2))
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
        d = p2 - p1
        low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, low, high


def mean_difference_interval(a, b, confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of means ``mean(b) - mean(a)`` with Welch's t interval (NaNs ignored)."""
    x = np.asarray(a, dtype="float64")
    y = np.asarray(b, dtype="float64")
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if x.size < 2 or y.size < 2:
        d = float(y.mean() - x.mean()) if x.size and y.size else float("nan")
        return d, float("nan"), float("nan")
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    d = float(y.mean() - x.mean())
    se = np.sqrt(vx + vy)
    if se == 0:
        return d, d, d
    dof = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = float(_st.t.ppf(0.5 + confidence / 2, dof) * se)
    return d, d - half, d + half
