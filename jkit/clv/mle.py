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

__all__ = ["Fit", "fit_log_params", "hessian"]

#: log-parameter bounds: e^-12 … e^12 (a parameter at a bound is reported as not identified)
LOG_BOUND = 12.0


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


def fit_log_params(model: str, names: Sequence[str], neg_ll: Callable[[np.ndarray], float],
                   start: np.ndarray, n: int, *, max_iter: int = 2000) -> Fit:
    """Minimise ``neg_ll`` (a function of the log parameters) from ``start`` (natural scale).

    Raises
    ------
    DataValidationError
        When the optimiser does not converge, a parameter runs to a bound of e^±12, or the
        log-likelihood is not finite: the data do not identify the model.
    """
    x0 = np.log(np.asarray(start, dtype=float))
    with np.errstate(all="ignore"):
        res = minimize(neg_ll, x0, method="L-BFGS-B", bounds=[(-LOG_BOUND, LOG_BOUND)] * len(x0),
                       options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-8})
    where = f"{model} fit on {n:,} customers"
    if not np.isfinite(res.fun):
        raise DataValidationError(f"{where}: the log-likelihood is not finite at any tried parameters")
    at_bound = [nm for nm, v in zip(names, res.x, strict=True) if abs(v) > LOG_BOUND - 1e-3]
    if at_bound:
        raise DataValidationError(f"{where}: parameter(s) {', '.join(at_bound)} ran to a bound (e^±{LOG_BOUND:g}): "
                                  "the data do not identify the model (too few or too regular repeat purchases)")
    if not res.success and "ABNORMAL" not in str(res.message).upper():
        raise DataValidationError(f"{where} did not converge (L-BFGS-B: {res.message})")
    with np.errstate(all="ignore"):
        h = hessian(neg_ll, res.x)
    notes = []
    try:
        cov = np.linalg.inv(h)
        if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((len(x0), len(x0)), np.nan)
        notes.append(f"{model}: the Hessian is singular at the optimum; standard errors are not available")
    return Fit(model, tuple(names), np.exp(res.x), cov, float(-res.fun), n, int(res.nit), notes)
