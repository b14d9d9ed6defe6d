"""Populations drawn from BG/NBD + Gamma-Gamma: planted truth for tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit.clv import bgnbd, gamma_gamma
from jkit.errors import ParameterError

__all__ = ["simulate_customers", "simulate_transactions"]


def simulate_customers(n: int, *, bgnbd_params=(0.243, 4.414, 0.793, 2.426), gamma_gamma_params=(6.25, 3.74, 15.44),
                       T: float | np.ndarray = 39.0, horizon: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A summary table of ``n`` customers drawn from the two models (the defaults: CDNOW's fit).

    Parameters
    ----------
    n : int
        Customers.
    bgnbd_params, gamma_gamma_params : tuple of float
        ``(r, alpha, a, b)`` and ``(p, q, v)``.
    T : float or array
        Each customer's age at the calibration end (one value for all, or one each).
    horizon : float
        Holdout length after ``T`` (``frequency_holdout`` counts its purchases).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``frequency``, ``recency``, ``T``, ``monetary_value``,
        ``frequency_holdout``, and the drawn truth ``alive``, ``lam``, ``p``.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r} should be a positive whole number")
    ages = np.broadcast_to(np.asarray(T, float), (n,)).copy()
    sim = bgnbd.simulate(bgnbd_params, ages, horizon, seed=seed)
    spend = gamma_gamma.simulate(gamma_gamma_params, sim["frequency"], seed=seed + 1)
    out = pd.DataFrame({"frequency": sim["frequency"], "recency": sim["recency"], "T": ages,
                        "monetary_value": spend["monetary_value"], "frequency_holdout": sim["frequency_holdout"],
                        "alive": sim["alive"], "lam": sim["lam"], "p": sim["p"]},
                       index=pd.Index([f"c{i:07d}" for i in range(n)], name="customer_id", dtype="string"))
    return out


def simulate_transactions(n: int, *, start: str = "2024-01-01", weeks: int = 78, seed: int = 0,
                          bgnbd_params=(0.243, 4.414, 0.793, 2.426),
                          gamma_gamma_params=(6.25, 3.74, 15.44)) -> pd.DataFrame:
    """A transactions table (``customer_id``, ``timestamp``, ``revenue``) from the two models.

    Customers are born on a uniform day of the first 12 weeks and watched until ``start`` +
    ``weeks``; each transaction's value is Gamma(p, ν) around the customer's own ν.
    """
    rng = np.random.default_rng(seed)
    birth = rng.integers(0, 84, n).astype(float) / 7
    ages = weeks - birth
    sim = bgnbd.simulate(bgnbd_params, ages, 0.0, seed=seed)
    nu = rng.gamma(gamma_gamma_params[1], 1.0 / gamma_gamma_params[2], n)
    counts = sim["frequency"]
    # repeat times: uniform order statistics below the last purchase, which is itself a purchase
    who = np.repeat(np.arange(n), counts)
    last = sim["recency"][who]
    offs = np.concatenate([[0], np.cumsum(counts)[:-1]])
    is_last = np.zeros(len(who), bool)
    is_last[(offs + counts - 1)[counts > 0]] = True
    times = np.where(is_last, last, rng.uniform(0, 1, len(who)) * last)
    ids = np.concatenate([np.arange(n), who])
    weeks_at = np.concatenate([birth, birth[who] + times])
    value = rng.gamma(gamma_gamma_params[0], 1.0 / nu[ids])
    stamp = pd.Timestamp(start) + pd.to_timedelta(np.round(weeks_at * 7 * 86400), unit="s")
    return pd.DataFrame({"customer_id": pd.array([f"c{i:07d}" for i in ids], dtype="string"),
                         "timestamp": stamp, "revenue": value.round(2)})
