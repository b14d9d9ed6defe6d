"""Discounted customer value and its sums by customer attribute, with intervals from parameter draws."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list
from jkit.clv import gamma_gamma
from jkit.errors import MissingColumnError, ParameterError

__all__ = ["discounted_value", "clv_by_group", "unique_pairs", "NO_LABEL"]

NO_LABEL = "(no label)"


def unique_pairs(x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, T) pairs and each customer's pair: the costly term depends on nothing else."""
    codes, uniques = pd.MultiIndex.from_arrays([np.asarray(x, float), np.asarray(T, float)]).factorize()
    return uniques.get_level_values(0).to_numpy(float), uniques.get_level_values(1).to_numpy(float), codes


def discounted_value(purchases: Any, params, x, t_x, T, horizon: float, steps: int, rate: float, unit: float,
                     pairs: tuple | None = None) -> np.ndarray:
    """Discounted expected purchases per customer: ``Σ_k ΔE[Y(t_k)] / (1 + rate)^(t_k in years)``.

    ``purchases`` is the purchase-model module (``bgnbd``, ``paretonbd``); ``pairs`` (from
    :func:`unique_pairs`) saves recomputing the distinct (x, T) pairs across draws.
    """
    ux, uT, inverse = unique_pairs(x, T) if pairs is None else pairs
    grid = horizon * np.arange(1, steps + 1) / steps
    total = np.zeros(len(ux))
    previous = np.zeros(len(ux))
    for t in grid:
        cumulative = purchases.alive_purchases(params, t, ux, uT)
        total += (cumulative - previous) / (1 + rate) ** (t * unit / 365.25)
        previous = cumulative
    return total[inverse] * purchases.p_alive(params, x, t_x, T)


def _labels(model: Any, by: Any, customers: pd.DataFrame | None) -> pd.DataFrame:
    """One label column per ``by`` name, aligned with the model's summary (missing → NO_LABEL)."""
    index = model.summary_.index
    if isinstance(by, pd.Series):
        labels = by.copy()
        labels.index = labels.index.astype("string")
        name = by.name or "group"
        return pd.DataFrame({name: labels.reindex(index).astype("object").fillna(NO_LABEL).astype(str)},
                            index=index)
    names = as_list(by)
    table = customers if customers is not None else getattr(model, "customers_", None)
    out = pd.DataFrame(index=index)
    for name in names:
        if name in model.summary_.columns:
            out[name] = model.summary_[name].astype(str)
            continue
        if table is None or (name not in table.columns):
            found = [] if table is None else list(table.columns)
            raise MissingColumnError(f"by={name!r}: no such column in the customers table (found {found}) or "
                                     "the summary; pass customers=<table with customer_id and the column>")
        keyed = table.set_index("customer_id") if "customer_id" in table.columns else table
        keyed = keyed[~keyed.index.duplicated(keep="first")]
        keyed.index = keyed.index.astype("string")
        out[name] = keyed[name].reindex(index).astype("object").fillna(NO_LABEL).astype(str)
    return out


def clv_by_group(model: Any, by: Any, customers: pd.DataFrame | None, clv: np.ndarray, grid: tuple,
                 interval: float, draws: int, rng: np.random.Generator) -> pd.DataFrame:
    """CLV summed per group with an interval from ``draws`` parameter draws, and a ``total`` row."""
    if not 0 < interval < 1:
        raise ParameterError(f"interval={interval!r} should be between 0 and 1 (0.9 = 90%)")
    if not isinstance(draws, int) or draws < 20:
        raise ParameterError(f"draws={draws!r} should be a whole number of at least 20")
    labels = _labels(model, by, customers)
    keys = list(labels.columns)
    codes, groups = pd.MultiIndex.from_frame(labels).factorize(sort=True)
    k = len(groups)
    x, t_x, T, horizon, steps, rate, unit = grid
    pairs = unique_pairs(x, T)
    m = model.summary_["monetary_value"].to_numpy(float)
    usable = (x > 0) & (m > 0)
    xs = np.where(usable, x, 0)
    sums = np.empty((draws + 1, k))
    sums[0] = np.bincount(codes, weights=clv, minlength=k)
    bg_draws = model.purchases_.draws(draws, rng)
    gg_draws = model.gamma_gamma_.draws(draws, rng)
    for d in range(draws):
        ps = discounted_value(model.purchase_module_, bg_draws[d], x, t_x, T, horizon, steps, rate, unit, pairs)
        gg = gg_draws[d]
        spend = gamma_gamma.expected_spend(gg, xs, m) if gg[1] > 1 else np.full(len(x), np.nan)
        sums[d + 1] = np.bincount(codes, weights=ps * spend, minlength=k)
    return _table(groups, keys, codes, sums, interval, k)


def _table(groups, keys, codes, sums, interval, k) -> pd.DataFrame:
    tail = (1 - interval) / 2
    drawn = sums[1:][np.isfinite(sums[1:]).all(axis=1)]
    total_draws = drawn.sum(axis=1)
    out = pd.DataFrame(list(groups), columns=keys)
    out["customers"] = np.bincount(codes, minlength=k)
    out["clv"] = sums[0]
    out["clv_low"] = np.quantile(drawn, tail, axis=0)
    out["clv_high"] = np.quantile(drawn, 1 - tail, axis=0)
    total = {**{c: "total" for c in keys}, "customers": int(out["customers"].sum()), "clv": float(sums[0].sum()),
             "clv_low": float(np.quantile(total_draws, tail)), "clv_high": float(np.quantile(total_draws, 1 - tail))}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["clv_per_customer"] = out["clv"] / out["customers"]
    out.attrs["draws"] = int(len(drawn))
    return out
