"""The statistics of one 2×2 table per feature: odds ratio with a prior, its interval, Fisher's p,
and the Benjamini–Hochberg q-values over all the tables tested together.

For a feature, ``a`` customers have it and convert, ``b`` have it and do not, ``c`` lack it and
convert, ``d`` lack it and do not. The odds ratio is PostHog's (funnel correlation analysis), with
``prior`` (PostHog: 1) added to every cell::

    OR = (a + prior)(d + prior) / ((b + prior)(c + prior))

which is finite when a cell is 0 and pulls thin tables towards 1. The interval is Wald's on
``log OR`` with the same counts, ``se = sqrt(Σ 1 / (cell + prior))``, so it always holds the
estimate. The p-value is Fisher's exact two-sided test on the raw counts (:func:`scipy.stats.fisher_exact`),
the q-values Benjamini–Hochberg's (:func:`scipy.stats.false_discovery_control`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from jkit.errors import ParameterError
from jkit.stats import z_value

__all__ = ["PRIOR", "odds_ratios", "fisher_p_values", "bh_q_values", "table_stats"]

#: PostHog's prior count, added to each cell of the 2×2 table
PRIOR = 1.0


def odds_ratios(a, b, c, d, *, prior: float = PRIOR, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Odds ratios with ``prior`` added to every cell and their Wald interval on the log scale.

    Parameters
    ----------
    a, b, c, d : array-like of int
        Converted with the feature, not converted with it, converted without it, not converted
        without it.
    prior : float, default 1
        Pseudo-count added to each cell (PostHog's ``PRIOR_COUNT``); 0 gives the plain odds
        ratio (infinite or undefined when a cell is 0).
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    odds_ratio, low, high : ndarray

    Examples
    --------
    >>> odds_ratios([9], [1], [4], [6])[0].round(3)
    array([7.])
    """
    if prior < 0:
        raise ParameterError(f"prior={prior!r} should be 0 or more")
    cells = [np.asarray(x, dtype=float) + prior for x in (a, b, c, d)]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(cells[0]) + np.log(cells[3]) - np.log(cells[1]) - np.log(cells[2])
        se = np.sqrt(sum(1.0 / x for x in cells))
    z = z_value(confidence)
    return np.exp(log_or), np.exp(log_or - z * se), np.exp(log_or + z * se)


def fisher_p_values(a, b, c, d) -> np.ndarray:
    """Fisher's exact two-sided p-value of each 2×2 table ``[[a, b], [c, d]]`` (raw counts)."""
    tables = np.stack([np.asarray(x, dtype=np.int64) for x in (a, b, c, d)], axis=-1).reshape(-1, 4)
    out = np.empty(len(tables))
    cache: dict[tuple[int, ...], float] = {}
    for i, row in enumerate(tables):
        key = tuple(int(v) for v in row)
        if key not in cache:
            cache[key] = float(stats.fisher_exact([[key[0], key[1]], [key[2], key[3]]])[1])
        out[i] = cache[key]
    return out


def bh_q_values(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of ``p_values`` taken as one family."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p.copy()
    return stats.false_discovery_control(p, method="bh")


def table_stats(a, b, c, d, *, prior: float = PRIOR, confidence: float = 0.95) -> pd.DataFrame:
    """``odds_ratio, ci_low, ci_high, p_value, q_value`` of the tables, the q-values over all of them."""
    odds, low, high = odds_ratios(a, b, c, d, prior=prior, confidence=confidence)
    p = fisher_p_values(a, b, c, d)
    return pd.DataFrame({"odds_ratio": odds, "ci_low": low, "ci_high": high, "p_value": p, "q_value": bh_q_values(p)})
