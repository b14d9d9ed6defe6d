"""Parameter checks of :class:`~jkit.personas.PersonaModel` (clear errors before any work)."""

from __future__ import annotations

import numpy as np

from jkit._rules import column_list
from jkit.errors import ParameterError
from jkit.personas.selection import CRITERIA

__all__ = ["ALGORITHMS", "check_params", "check_size"]

ALGORITHMS = ("auto", "kmeans", "minibatch")


def check_params(model) -> None:
    """Raise a ParameterError naming the first parameter of ``model`` that is out of range."""
    def whole(name, value, low):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError(f"{name}={value!r} should be a whole number >= {low}")

    k = model.n_personas
    if k != "auto" and (isinstance(k, (str, bool)) or not isinstance(k, (int, np.integer)) or k < 2):
        raise ParameterError(f"n_personas={k!r} should be 'auto' or a whole number >= 2")
    kr = model.k_range
    if (not isinstance(kr, (tuple, list)) or len(kr) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in kr)
            or not 2 <= kr[0] <= kr[1]):
        raise ParameterError(f"k_range={kr!r} should be two whole numbers (low, high) with 2 <= low <= high")
    if model.criterion not in CRITERIA:
        raise ParameterError(f"criterion={model.criterion!r} should be one of {column_list(CRITERIA)}")
    nc = model.n_components
    if nc not in ("auto", None) and (isinstance(nc, (str, bool)) or not isinstance(nc, (int, np.integer)) or nc < 1):
        raise ParameterError(f"n_components={nc!r} should be 'auto', None or a whole number >= 1")
    if model.algorithm not in ALGORITHMS:
        raise ParameterError(f"algorithm={model.algorithm!r} should be one of {column_list(ALGORITHMS)}")
    whole("n_bootstrap", model.n_bootstrap, 0)
    whole("max_sample", model.max_sample, 100)
    whole("silhouette_sample", model.silhouette_sample, 100)
    whole("n_init", model.n_init, 1)
    mf = model.min_frequency
    if isinstance(mf, bool) or not isinstance(mf, (int, float, np.integer, np.floating)) or mf < 0 or (
        isinstance(mf, (float, np.floating)) and mf >= 1
    ):
        raise ParameterError(f"min_frequency={mf!r} should be a share in [0, 1) or a whole count >= 1")
    if model.random_state is not None and not isinstance(model.random_state, (int, np.integer)):
        raise ParameterError(f"random_state={model.random_state!r} should be a whole number or None")
    if not (model.log_cols in ("auto", None) or (
        isinstance(model.log_cols, (list, tuple)) and all(isinstance(c, str) for c in model.log_cols)
    )):
        raise ParameterError(f"log_cols={model.log_cols!r} should be 'auto', None or a list of column names")
    for name in ("max_missing",):
        v = getattr(model, name)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not 0 < v <= 1:
            raise ParameterError(f"{name}={v!r} should be a share in (0, 1]")
    whole("n_null", model.n_null, 0)
    oc = model.outcomes
    if not (oc in ("auto", None) or (isinstance(oc, (list, tuple)) and all(isinstance(c, str) for c in oc))):
        raise ParameterError(f"outcomes={oc!r} should be 'auto', None or a list of column names")


def check_size(model, n: int) -> None:
    """Refuse fewer customers than personas (or than ``"auto"`` needs to compare two numbers)."""
    if model.n_personas != "auto" and n < model.n_personas:
        raise ParameterError(f"n_samples={n} should be >= n_personas={model.n_personas}; ask for fewer personas")
    if model.n_personas == "auto" and n < model.k_range[0] + 1:
        raise ParameterError(
            f"n_samples={n} is too few to choose the number of personas; need at least "
            f"{model.k_range[0] + 1} (k_range={tuple(model.k_range)}) or pass n_personas"
        )
