"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), an alternative to BG/NBD.

Assumptions: while active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); their
lifetime is exponential with rate μ ~ Gamma(s, β), so a customer may drop out at any moment (not
only after a purchase, as in BG/NBD); λ and μ are independent. Likelihood and expressions from
Fader, Hardie & Lee (2005), "A note on deriving the Pareto/NBD model and related expressions",
in log space.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from jkit.clv.mle import Fit, fit_log_params

__all__ = ["NAMES", "log_likelihood", "fit", "p_alive", "alive_purchases", "expected_purchases"]

NAMES = ("r", "alpha", "s", "beta")
LIMITS = {("r", "alpha"): "the purchase rate is the same for every customer",
          ("s", "beta"): "the drop-out rate is the same for every customer"}


def _log_a0(params, x, t_x, T):
    """log A0 of the note's eq. (19): a difference of two hypergeometric terms, taken in log space."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        big, second = alpha, s + 1
    else:
        big, second = beta, r + x
    diff = abs(alpha - beta)
    with np.errstate(all="ignore"):
        first = np.log(hyp2f1(rsx, second, rsx + 1, diff / (big + t_x))) - rsx * np.log(big + t_x)
        last = np.log(hyp2f1(rsx, second, rsx + 1, diff / (big + T))) - rsx * np.log(big + T)
        return first + np.log1p(-np.exp(last - first))


def log_likelihood(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each customer's log-likelihood (the note's eq. 18)."""
    r, alpha, s, beta = params
    x = np.asarray(x, float)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    stay = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    with np.errstate(all="ignore"):
        gone = np.log(s) - np.log(r + s + x) + _log_a0(params, x, t_x, T)
        # t_x == T: A0 is 0 (log -inf) and the customer contributes the "still active" term only
        gone = np.where(np.isfinite(gone), gone, -np.inf)
    return head + np.logaddexp(stay, gone)


def fit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> Fit:
    """Maximum-likelihood Pareto/NBD parameters (``r``, ``alpha``, ``s``, ``beta``) with standard errors."""
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))

    def neg_ll(log_params: np.ndarray) -> float:
        value = -float(log_likelihood(np.exp(log_params), x, t_x, T).sum())
        return value if np.isfinite(value) else 1e300

    rate = max(float(x.sum() / max(T.sum(), 1e-12)), 1e-6)
    return fit_log_params("Pareto/NBD", NAMES, neg_ll, np.array([1.0, 1.0 / rate, 1.0, 10.0]), len(x),
                          limit_pairs=LIMITS)


def p_alive(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Probability each customer is still active at ``T`` (the note's eq. 20)."""
    r, alpha, s, beta = params
    x = np.asarray(x, float)
    with np.errstate(all="ignore"):
        log_ratio = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                     + _log_a0(params, x, t_x, T))
        out = 1.0 / (1.0 + np.exp(log_ratio))
    return np.where(np.isfinite(log_ratio), out, 1.0)


def alive_purchases(params, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the ``t`` after ``T`` of a customer active at ``T`` (the note's eq. 22 / P(alive)).

    ``(r+x)(β+T) / ((α+T)(s-1)) × [1 - ((β+T)/(β+T+t))^(s-1)]``; at ``s = 1`` its limit
    ``(r+x)(β+T)/(α+T) × log((β+T+t)/(β+T))``.
    """
    r, alpha, s, beta = params
    x = np.asarray(x, float)
    T = np.broadcast_to(np.asarray(T, float), x.shape)
    scale = (r + x) * (beta + T) / (alpha + T)
    if abs(s - 1) < 1e-9:
        return scale * np.log((beta + T + t) / (beta + T))
    return scale / (s - 1) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))


def expected_purchases(params, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the ``t`` time units after ``T``, given each customer's history."""
    x = np.asarray(x, float)
    if t <= 0:
        return np.zeros_like(x)
    return alive_purchases(params, t, x, T) * p_alive(params, x, t_x, T)
