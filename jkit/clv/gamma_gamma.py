"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

Assumptions: each transaction's value is Gamma(p, ν) (shape p, rate ν) around the customer's own
mean p/ν; ν varies across customers as Gamma(q, v) (shape q, rate v); spend is independent of the
purchase process (check: the correlation of frequency and mean spend should be near 0). Only
customers with repeat purchases of positive mean value enter the fit.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from jkit.clv.mle import Fit, fit_log_params

__all__ = ["NAMES", "log_likelihood", "fit", "expected_spend", "simulate"]

NAMES = ("p", "q", "v")


def log_likelihood(params, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Log-likelihood of each customer's mean spend ``m`` over ``x`` transactions (x > 0, m > 0).

    The gamma functions depend on ``x`` alone and are evaluated once per distinct ``x``.
    """
    p, q, v = params
    values, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.ravel()
    by_x = (gammaln(p * values + q) - gammaln(p * values) - gammaln(q) + q * np.log(v)
            + p * values * np.log(values))[inverse]
    px = p * x
    return by_x + (px - 1) * np.log(m) - (px + q) * np.log(x * m + v)


def _gradient(params, x: np.ndarray, m: np.ndarray, codes) -> np.ndarray:
    """Per-customer derivatives of the log-likelihood by log parameter (n × 3)."""
    p, q, v = params
    values, inverse = codes
    d_pxq = digamma(p * values + q)
    log_xmv = np.log(x * m + v)
    grad = np.empty((len(x), 3))
    grad[:, 0] = x * ((d_pxq - digamma(p * values) + np.log(values))[inverse] + np.log(m) - log_xmv)
    grad[:, 1] = (d_pxq - digamma(q))[inverse] + np.log(v) - log_xmv
    grad[:, 2] = q / v - (p * x + q) / (x * m + v)
    return grad * np.asarray(params)


def fit(x: np.ndarray, m: np.ndarray) -> Fit:
    """Maximum-likelihood Gamma-Gamma parameters (``p``, ``q``, ``v``) with standard errors (analytic gradient)."""
    x = np.asarray(x, float)
    m = np.asarray(m, float)
    values, inverse = np.unique(x, return_inverse=True)
    codes = (values, inverse.ravel())

    def neg_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        value = -float(log_likelihood(params, x, m).sum())
        if not np.isfinite(value):
            return 1e300, np.zeros(3)
        return value, -_gradient(params, x, m, codes).sum(axis=0)

    mean = float(np.mean(m))
    return fit_log_params("Gamma-Gamma", NAMES, neg_ll, np.array([1.0, 2.0, mean]), len(x), with_gradient=True,
                          limit_pairs=LIMITS)


#: p → ∞ with p·v fixed: every purchase of a customer is worth their own mean (no spread around it)
LIMITS = {("p", "v"): "every purchase of a customer is worth the customer's own mean"}


def expected_spend(params, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Expected value of a customer's future transactions given ``x`` and mean spend ``m``.

    ``p (v + x m) / (p x + q - 1)``: a weighted mean of the population mean ``p v / (q - 1)`` and
    the customer's own mean; customers with ``x = 0`` (or no usable spend, passed as ``x = 0``)
    get the population mean. Needs ``q > 1``.
    """
    p, q, v = params
    x = np.asarray(x, float)
    m = np.where(x > 0, np.asarray(m, float), 0.0)
    return p * (v + x * m) / (p * x + q - 1)


def simulate(params, x: np.ndarray, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Mean spend of ``x`` transactions per customer drawn from a Gamma-Gamma population.

    Returns ``monetary_value`` (NaN where ``x`` is 0) and the drawn ``nu``.
    """
    p, q, v = params
    rng = np.random.default_rng(seed)
    x = np.asarray(x, int)
    nu = rng.gamma(q, 1.0 / v, len(x))
    # the sum of x Gamma(p, ν) values is Gamma(p x, ν)
    total = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / nu)
    return {"monetary_value": np.where(x > 0, total / np.maximum(x, 1), np.nan), "nu": nu}
