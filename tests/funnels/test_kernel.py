"""The funnel kernel: its packed-key sorts agree with np.lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from jkit.funnels.kernel import sort_events


@pytest.mark.parametrize(("t_span", "cust_max"), [(2**20, 2**10), (2**45, 2**20), (2**61, 2**20)])
def test_kernel_sort_paths_agree_with_lexsort(t_span, cust_max):
    rng = np.random.default_rng(5)
    n = 20000
    cust = rng.integers(0, cust_max, n)
    t = rng.integers(0, t_span, n) + 1_700_000_000 * 10**9
    t[: n // 2] = t[n // 2 :]  # ties
    s = rng.integers(0, 6, n).astype(np.int8)
    g = rng.integers(0, 3, n)
    order = np.lexsort((g, s, t, cust))
    c2, t2, s2, g2, unit, t0 = sort_events(cust.copy(), t.copy(), s, g, 6, 3, overwrite=True)
    assert np.array_equal(c2, cust[order])
    assert np.array_equal(t2 * unit + t0, t[order])
    assert np.array_equal(s2, s[order])
    assert np.array_equal(g2, g[order])
