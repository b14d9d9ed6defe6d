"""Maximum likelihood on log parameters, shared by the purchase and spend models.

The parameters are all positive, so the optimiser (scipy's L-BFGS-B) works on their logarithms;
standard errors come from the numerical Hessian of the negative log-likelihood at the optimum
(central differences on the log scale), carried to the natural scale by the delta method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from jkit.errors import DataValidationError

__all__ = ["Fit", "fit_log_params", "hessian", "gradient_hessian"]

#: log-parameter bounds: e^-12 … e^12 (a parameter at a bound is reported as not identified)
LOG_BOUND = 12.0
#: both parameters of a limit pair beyond e^±6 (≈ 400): the mixing distribution is practically a point
LIMIT_LOG = 6.0


@dataclass
class Fit:
    """A fitted parameter vector: names, values, covariance of the log values, log-likelihood."""

    model: str
    names: tuple[str, ...]
    values: np.ndarray
    cov_log: np.ndarray
    log_likelihood: float
    n: int
    iterations: int
    notes: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict[str, float]:
        """The parameters by name."""
        return dict(zip(self.names, map(float, self.values), strict=True))

    @property
    def standard_errors(self) -> np.ndarray:
        """Delta-method standard errors on the natural scale (NaN when the Hessian is singular)."""
        return self.values * np.sqrt(np.clip(np.diag(self.cov_log), 0, None))

    def table(self) -> pd.DataFrame:
        """``model``, ``parameter``, ``value``, ``se`` and a 95% interval from the log scale."""
        sd = np.sqrt(np.clip(np.diag(self.cov_log), 0, None))
        return pd.DataFrame({"model": self.model, "parameter": self.names, "value": self.values,
                             "se": self.standard_errors, "low": self.values * np.exp(-1.96 * sd),
                             "high": self.values * np.exp(1.96 * sd)})

    def draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` parameter vectors from the asymptotic normal of the log parameters (n × k)."""
        return np.exp(rng.multivariate_normal(np.log(self.values), self.cov_log, size=n, method="eigh"))


def hessian(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x``."""
    k = len(x)
    h = np.empty((k, k))
    eye = np.eye(k) * step
    f0 = f(x)
    for i in range(k):
        h[i, i] = (f(x + eye[i]) - 2 * f0 + f(x - eye[i])) / step**2
        for j in range(i):
            h[i, j] = h[j, i] = (f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j])
                                 - f(x - eye[i] + eye[j]) + f(x - eye[i] - eye[j])) / (4 * step**2)
    return h


def gradient_hessian(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Hessian as the central difference of an analytic gradient, symmetrised."""
    k = len(x)
    eye = np.eye(k) * step
    h = np.array([(grad(x + eye[i]) - grad(x - eye[i])) / (2 * step) for i in range(k)])
    return (h + h.T) / 2


def _free_covariance(neg_ll: Callable, x: np.ndarray, free: list[int], with_gradient: bool) -> np.ndarray | None:
    """Inverse Hessian over the ``free`` log parameters (the others held where they are); None if singular."""
    if not free:
        return np.zeros((0, 0))
    def restricted(sub: np.ndarray):
        full = x.copy()
        full[free] = sub
        out = neg_ll(full)
        return (out[0], out[1][free]) if with_gradient else out

    with np.errstate(all="ignore"):
        h = (gradient_hessian(lambda v: restricted(v)[1], x[free]) if with_gradient
             else hessian(restricted, x[free]))
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    return cov


def fit_log_params(model: str, names: Sequence[str], neg_ll: Callable, start: np.ndarray, n: int, *,
                   max_iter: int = 2000, with_gradient: bool = False,
                   limit_pairs: dict[tuple[str, str], str] | None = None) -> Fit:
    """Minimise ``neg_ll`` (a function of the log parameters) from ``start`` (natural scale).

    With ``with_gradient``, ``neg_ll`` returns ``(value, gradient)``. ``limit_pairs`` names pairs
    of parameters that may run off together (one to the bound, both beyond e^±6), the model's limit where a mixing
    distribution collapses to a point (BG/NBD: ``a`` and ``b`` → one drop-out probability for
    all); they are kept at the bound with a note and standard errors of 0.

    Raises
    ------
    DataValidationError
        When the optimiser does not converge, a parameter runs to a bound of e^±12 (outside a
        limit pair), the Hessian is singular, or the log-likelihood is not finite: the data do
        not identify the model.
    """
    x0 = np.log(np.asarray(start, dtype=float))
    limit_pairs = limit_pairs or {}
    with np.errstate(all="ignore"):
        res = minimize(neg_ll, x0, method="L-BFGS-B", jac=with_gradient or None,
                       bounds=[(-LOG_BOUND, LOG_BOUND)] * len(x0),
                       options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-8})
    where = f"{model} fit on {n:,} customers"
    if not np.isfinite(res.fun):
        raise DataValidationError(f"{where}: the log-likelihood is not finite at any tried parameters")
    at_bound = [i for i, v in enumerate(res.x) if abs(v) > LOG_BOUND - 1e-3]
    bounded = {names[i] for i in at_bound}
    large = {names[i] for i, v in enumerate(res.x) if abs(v) > LIMIT_LOG}
    limits = [pair for pair in limit_pairs if set(pair) & bounded and set(pair) <= large]
    unexplained = [names[i] for i in at_bound if not any(names[i] in pair for pair in limits)]
    at_bound = sorted({*at_bound, *(names.index(nm) for pair in limits for nm in pair)})
    if unexplained:
        raise DataValidationError(f"{where}: parameter(s) {', '.join(unexplained)} ran to a bound (e^±{LOG_BOUND:g}): "
                                  "the data do not identify the model (too few or too regular repeat purchases)")
    if not res.success and "ABNORMAL" not in str(res.message).upper():
        raise DataValidationError(f"{where} did not converge (L-BFGS-B: {res.message})")
    notes = [f"{model}: {' and '.join(pair)} ran off together (e^±{LOG_BOUND:g}): the limit of the model where "
             f"{limit_pairs[pair]}; kept there, their standard errors are 0" for pair in limits]
    free = [i for i in range(len(x0)) if i not in at_bound]
    cov = np.zeros((len(x0), len(x0)))
    sub = _free_covariance(neg_ll, res.x, free, with_gradient)
    if sub is None:
        raise DataValidationError(f"{where}: the log-likelihood is flat in some direction at its maximum (singular "
                                  f"Hessian at {', '.join(f'{k}={v:.3g}' for k, v in zip(names, np.exp(res.x), strict=True))}): "
                                  "the data do not identify the parameters")
    cov[np.ix_(free, free)] = sub
    return Fit(model, tuple(names), np.exp(res.x), cov, float(-res.fun), n, int(res.nit), notes)
