"""Confidence intervals against hand-computed values and independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from jkit.errors import ParameterError
from jkit.stats import (
    mean_difference_interval,
    mean_interval,
    proportion_difference_interval,
    wilson_interval,
)


def test_wilson_hand_computed():
    # 8 of 10 at 95%: centre (0.8 + 1.96^2/20)/(1 + 1.96^2/10), Wilson (1927)
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(0.4902, abs=1e-4)
    assert float(high) == pytest.approx(0.9433, abs=1e-4)


def test_wilson_edges_and_zero_trials():
    low, high = wilson_interval([0, 5, 3], [5, 5, 0])
    assert low[0] == 0 and high[1] == 1 and np.isnan(low[2]) and np.isnan(high[2])
    # exact, not merely close, for any n (n = 3 gave 5.6e-17 by the formula alone)
    low, high = wilson_interval([0, 3, 0, 7], [3, 3, 7, 7])
    assert (low[[0, 2]] == 0).all() and (high[[1, 3]] == 1).all()


def test_wilson_matches_statsmodels_formula_independently():
    # Independent form: roots of (p - phat)^2 = z^2 p (1 - p) / n
    k, n, z = 37, 120, stats.norm.ppf(0.975)
    phat = k / n
    a, b, c = 1 + z**2 / n, -(2 * phat + z**2 / n), phat**2
    roots = sorted(np.roots([a, b, c]))
    low, high = wilson_interval(k, n)
    assert float(low) == pytest.approx(roots[0]) and float(high) == pytest.approx(roots[1])


def test_confidence_validated():
    with pytest.raises(ParameterError, match="confidence=1.5 should be between 0 and 1"):
        wilson_interval(1, 2, confidence=1.5)


def test_mean_interval_matches_scipy():
    x = [1.0, 2.0, 4.0, 7.0, np.nan]
    mean, low, high = mean_interval(x)
    ref = stats.t.interval(0.95, 3, loc=3.5, scale=stats.sem([1, 2, 4, 7]))
    assert mean == 3.5 and (low, high) == pytest.approx(ref)
    assert np.isnan(mean_interval([1.0])[1])


def test_newcombe_hand_computed():
    # Newcombe (1998) table II example: 56/70 vs 48/80 -> difference 0.2 (first minus second),
    # interval 0.0524 to 0.3339; our difference is second minus first.
    d, low, high = proportion_difference_interval(48, 80, 56, 70)
    assert float(d) == pytest.approx(0.2)
    assert float(low) == pytest.approx(0.0524, abs=1e-4) and float(high) == pytest.approx(0.3339, abs=1e-4)


def test_welch_matches_scipy():
    a = np.array([5.1, 4.9, 6.2, 5.8, 6.0, 5.5])
    b = np.array([6.4, 6.8, 7.1, 5.9, 6.6])
    d, low, high = mean_difference_interval(a, b)
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert d == pytest.approx(b.mean() - a.mean())
    assert (low, high) == pytest.approx((ci.low, ci.high))
