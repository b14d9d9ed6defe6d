"""Small statistics shared by the analyses: confidence intervals for rates and means.

All intervals are two-sided at ``confidence`` (default 0.95).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

__all__ = ["wilson_interval", "mean_interval", "z_value"]


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
        low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
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
