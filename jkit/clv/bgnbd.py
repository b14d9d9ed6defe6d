"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Assumptions: while active, a customer buys as a Poisson process with rate λ; λ varies across
customers as Gamma(r, α) (shape r, rate α). After each repeat purchase the customer drops out for
good with probability p; p varies as Beta(a, b). λ and p are independent. A customer's data are
``x`` (repeat purchases), ``t_x`` (recency) and ``T`` (age), all from the first purchase.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaincinv, betaln, digamma, gammaln, hyp2f1, roots_legendre

from jkit.clv.mle import Fit, fit_log_params

__all__ = ["NAMES", "log_likelihood", "fit", "p_alive", "expected_purchases", "alive_purchases",
           "expected_purchases_new", "simulate"]

NAMES = ("r", "alpha", "a", "b")


def log_likelihood(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Each customer's log-likelihood (FHL 2005 eq. 6), computed in log space."""
    return _terms(params, x, t_x, T)[0]


def _terms(params, x, t_x, T, codes=None, gradient: bool = False):
    """The log-likelihood per customer and, with ``gradient``, its derivatives by log parameter (n × 4).

    ``ll = A1 + log(e^A2 + e^A3)``; the special functions depend on ``x`` alone and are evaluated
    once per distinct ``x`` (``codes``: the distinct values and each row's index into them).
    """
    r, alpha, a, b = params
    values, inverse = codes if codes is not None else _codes(x)
    log_at, log_atx = np.log(alpha + T), np.log(alpha + t_x)
    a1 = (gammaln(r + values) - gammaln(r) + r * np.log(alpha))[inverse]
    beta_ab = betaln(a, b)
    a2 = (betaln(a, b + values) - beta_ab)[inverse] - (r + x) * log_at
    repeat = values > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        b3 = np.where(repeat, betaln(a + 1, b + values - 1) - beta_ab, -np.inf)[inverse]
    a3 = np.where(x > 0, b3 - (r + x) * log_atx, -np.inf)
    lse = np.logaddexp(a2, a3)
    if not gradient:
        return a1 + lse, None
    w2 = np.exp(a2 - lse)
    w3 = 1 - w2
    d_ab, d_abx = digamma(a + b), digamma(a + b + values)
    with np.errstate(invalid="ignore"):
        b3_b = np.where(repeat, digamma(b + values - 1), 0.0)
    grad = np.empty((len(x), 4))
    grad[:, 0] = (digamma(r + values) - digamma(r) + np.log(alpha))[inverse] - w2 * log_at - w3 * log_atx
    grad[:, 1] = r / alpha - (r + x) * (w2 / (alpha + T) + w3 / (alpha + t_x))
    grad[:, 2] = w2 * (d_ab - d_abx)[inverse] + w3 * (digamma(a + 1) - digamma(a) + d_ab - d_abx)[inverse]
    grad[:, 3] = (w2 * (digamma(b + values) - d_abx - digamma(b) + d_ab)[inverse]
                  + w3 * (b3_b - d_abx - digamma(b) + d_ab)[inverse])
    return a1 + lse, grad * np.asarray(params)  # chain rule to the log parameters


def _codes(x):
    values, inverse = np.unique(np.asarray(x, float), return_inverse=True)
    return values, inverse.ravel()


def fit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None) -> Fit:
    """Maximum-likelihood BG/NBD parameters (``r``, ``alpha``, ``a``, ``b``) with standard errors.

    Identical (x, t_x, T) rows are merged first, weighted by their count; the analytic gradient
    drives L-BFGS-B and the Hessian is its central difference.
    """
    x, t_x, T, w = _compress(x, t_x, T, weights)
    codes = _codes(x)

    def neg_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = _terms(np.exp(log_params), x, t_x, T, codes, gradient=True)
        value = -float(np.dot(w, ll))
        if not np.isfinite(value):
            return 1e300, np.zeros(4)
        return value, -(w @ grad)

    rate = max(float(np.dot(w, x) / np.dot(w, T).clip(1e-12)), 1e-6)
    return fit_log_params("BG/NBD", NAMES, neg_ll, np.array([1.0, 1.0 / rate, 1.0, 1.0]), int(w.sum()),
                          with_gradient=True, limit_pairs=LIMITS)


#: parameter pairs whose joint run to the bound is the model's limit, not a failure
LIMITS = {("r", "alpha"): "the purchase rate is the same for every customer",
          ("a", "b"): "the drop-out probability is the same for every customer"}


def _compress(x, t_x, T, weights):
    """Distinct (x, t_x, T) rows and their summed weights."""
    w = np.ones(len(x)) if weights is None else np.asarray(weights, float)
    codes, uniques = pd.MultiIndex.from_arrays(
        [np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)]).factorize()
    counts = np.bincount(codes, weights=w, minlength=len(uniques))
    return (uniques.get_level_values(0).to_numpy(float), uniques.get_level_values(1).to_numpy(float),
            uniques.get_level_values(2).to_numpy(float), counts)


def p_alive(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Probability each customer is still active at ``T`` (FHL 2005 eq. 11); 1 without a repeat purchase."""
    r, alpha, a, b = params
    x = np.asarray(x, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + t_x))
        out = 1.0 / (1.0 + np.exp(log_ratio))
    return np.where(x > 0, out, 1.0)


def expected_purchases(params, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the ``t`` time units after ``T``, given each customer's history (eq. 10).

    :func:`alive_purchases` (the purchases of a customer still active) times :func:`p_alive`.
    """
    x = np.asarray(x, float)
    if t <= 0:
        return np.zeros_like(x)
    T = np.broadcast_to(np.asarray(T, float), x.shape)
    return alive_purchases(params, t, x, T) * p_alive(params, x, t_x, T)


def alive_purchases(params, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the ``t`` after ``T`` of a customer active at ``T`` with ``x`` repeats.

    ``(a+b+x-1)/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]`` with ``z = t/(α+T+t)``, the
    hypergeometric term taken through Euler's transformation,
    ``(1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, whose
    second parameter does not grow with ``x``. Where it overflows or ``a + b`` is large,
    quadrature over the drop-out probability takes over (:data:`QUADRATURE_ABOVE`).
    """
    r, alpha, a, b = params
    x = np.asarray(x, float)
    T = np.broadcast_to(np.asarray(T, float), x.shape)
    with np.errstate(all="ignore"):
        z = t / (alpha + T + t)
        tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        out = (a + b + x - 1) / (a - 1) * (1 - tail)
    bad = ~np.isfinite(out) | (out < 0) | (a + b > QUADRATURE_ABOVE)
    if bad.any():
        out[bad] = _alive_mean_by_quadrature(params, t, x[bad], T[bad])
    return out


#: a + b above which the hypergeometric term loses precision (large, concentrated Beta): quadrature instead
QUADRATURE_ABOVE = 200.0


def _alive_mean_by_quadrature(params, t: float, x: np.ndarray, T: np.ndarray, nodes: int = 64) -> np.ndarray:
    """``E[(1 - ((α+T)/(α+T+p t))^(r+x)) / p]`` over p ~ Beta(a, b+x): the purchases of a customer alive at T.

    Given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) independently, and an active customer
    makes ``(1 - e^{-λ p t}) / p`` purchases in ``t`` on average; λ integrates in closed form and
    p by Gauss-Legendre quadrature on the Beta quantile scale (``p = F⁻¹(u)``, u in (0, 1)), one
    rule per distinct ``x``; it stays finite where the Beta parameters run into the thousands.
    """
    r, alpha, a, b = params
    u, w = roots_legendre(nodes)
    u, w = (1 + u) / 2, w / 2
    out = np.empty(len(x))
    for value in np.unique(x):
        p = np.clip(betaincinv(a, b + value, u), 1e-300, 1.0)
        sel = x == value
        base = (alpha + T[sel])[None, :]
        g = (1 - (base / (base + p[:, None] * t)) ** (r + value)) / p[:, None]
        out[sel] = w @ g
    return out


def expected_purchases_new(params, t: np.ndarray | float) -> np.ndarray:
    """Expected repeat purchases of a new customer in their first ``t`` time units (FHL 2005 eq. 7)."""
    r, alpha, a, b = params
    t = np.asarray(t, float)
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z))


def simulate(params, T: np.ndarray, horizon: float = 0.0, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Customers drawn from a BG/NBD population, each watched for ``T`` then ``horizon`` more.

    Returns ``frequency``, ``recency`` and ``T`` of the calibration period and
    ``frequency_holdout`` (purchases in the ``horizon`` after it), plus the drawn ``lam``, ``p``
    and ``alive`` (still active at ``T``).
    """
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    T = np.asarray(T, float)
    n = len(T)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    lives = rng.geometric(p)  # the repeat purchase after which each customer drops out
    now, count, last = np.zeros(n), np.zeros(n, int), np.zeros(n)
    hold = np.zeros(n, int)
    dead_at = np.full(n, np.inf)
    active = np.ones(n, bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-300))
        in_cal = now[idx] <= T[idx]
        in_hold = ~in_cal & (now[idx] <= T[idx] + horizon)
        count[idx[in_cal]] += 1
        last[idx[in_cal]] = now[idx[in_cal]]
        hold[idx[in_hold]] += 1
        made = count[idx] + hold[idx]
        died = (in_cal | in_hold) & (made >= lives[idx])
        dead_at[idx[died]] = now[idx[died]]
        active[idx[died | ~(in_cal | in_hold)]] = False
    return {"frequency": count, "recency": last, "T": T, "frequency_holdout": hold, "lam": lam, "p": p,
            "alive": dead_at > T}
