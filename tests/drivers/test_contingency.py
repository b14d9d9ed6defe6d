"""The 2×2 statistics against hand computation and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from jkit.drivers import bh_q_values, fisher_p_values, odds_ratios, table_stats
from jkit.errors import ParameterError


def test_odds_ratio_with_posthogs_prior_by_hand():
    # a=9 converted with, b=1 not; c=4 converted without, d=6 not. With +1: (10·7)/(2·5) = 7
    odds, low, high = odds_ratios([9], [1], [4], [6])
    assert odds[0] == pytest.approx(7.0)
    se = math.sqrt(1 / 10 + 1 / 2 + 1 / 5 + 1 / 7)
    assert low[0] == pytest.approx(math.exp(math.log(7) - 1.959964 * se), rel=1e-6)
    assert high[0] == pytest.approx(math.exp(math.log(7) + 1.959964 * se), rel=1e-6)


def test_prior_zero_is_the_plain_odds_ratio_and_a_zero_cell_stays_finite_with_the_prior():
    assert odds_ratios([20], [10], [10], [20], prior=0)[0][0] == pytest.approx(4.0)
    odds, low, high = odds_ratios([5], [0], [5], [5])
    # (6·6)/(1·6) = 6, finite although b = 0
    assert odds[0] == pytest.approx(6.0) and np.isfinite(low[0]) and np.isfinite(high[0])
    with pytest.raises(ParameterError, match="prior"):
        odds_ratios([1], [1], [1], [1], prior=-1)


def test_fisher_p_equals_scipy_on_several_tables():
    tables = [(9, 1, 4, 6), (3, 7, 7, 3), (0, 5, 5, 0), (12, 30, 40, 18)]
    got = fisher_p_values(*zip(*tables, strict=True))
    for (a, b, c, d), p in zip(tables, got, strict=True):
        assert p == pytest.approx(stats.fisher_exact([[a, b], [c, d]])[1])
    # hand: [[9,1],[4,6]] two-sided, hypergeometric tail of tables at least as extreme
    hyper = stats.hypergeom(20, 13, 10)
    p0 = hyper.pmf(9)
    hand = sum(hyper.pmf(k) for k in range(3, 11) if hyper.pmf(k) <= p0 * (1 + 1e-7))
    assert got[0] == pytest.approx(hand)


def test_benjamini_hochberg_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 → ·4/rank: 0.04, 0.06, 0.0533, 0.20 → running min from the top
    expected = np.array([0.04, 0.0533333, 0.0533333, 0.20])
    assert bh_q_values(p) == pytest.approx(expected, rel=1e-5)
    assert bh_q_values([]).size == 0


def test_table_stats_holds_every_column():
    out = table_stats([9, 3], [1, 7], [4, 7], [6, 3])
    assert list(out.columns) == ["odds_ratio", "ci_low", "ci_high", "p_value", "q_value"]
    assert (out["ci_low"] <= out["odds_ratio"]).all() and (out["odds_ratio"] <= out["ci_high"]).all()
