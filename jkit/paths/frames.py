"""What the paths engines share around a DataFrame: checking it, times as nanoseconds, event names coded
in name order. Engines import this module and :mod:`jkit.paths.spec` only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, format_rows
from jkit.funnels.coding import utc_ns
from jkit.paths.spec import PathRequest, check_columns

__all__ = ["check_frame", "customer_values", "event_codes", "time_ns"]


def _no_missing(values: pd.Series, column: str, role: str, where: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        rows = np.flatnonzero(missing) + 1
        raise DataValidationError(
            f"{where}: column {column!r} ({role}) is empty in {int(missing.sum()):,} events ({format_rows(rows)}); "
            "every event needs a customer, a time and an event name — drop or fill those rows first"
        )


def check_frame(frame: pd.DataFrame, request: PathRequest, where: str) -> None:
    """Raise a clear error for a missing column or an event without customer, time or name."""
    check_columns(list(frame.columns), request, where)
    _no_missing(frame[request.customer_col], request.customer_col, "customer_col", where)
    _no_missing(frame[request.time_col], request.time_col, "time_col", where)
    _no_missing(frame[request.event_col], request.event_col, "event_col", where)


def time_ns(frame: pd.DataFrame, request: PathRequest, where: str) -> np.ndarray:
    """The time column as int64 nanoseconds since the epoch, UTC (naive times are UTC)."""
    t = utc_ns(frame[request.time_col], where=where, column=request.time_col)
    bad = t == np.iinfo(np.int64).min
    if bad.any():
        raise DataValidationError(f"{where}: column {request.time_col!r} {format_rows(np.flatnonzero(bad) + 1)}: "
                                  "no time; every event needs one")
    return t


def event_codes(values: pd.Series, mapping: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the event names after ``mapping``, numbered in name order, and the names.

    Only the distinct values are mapped and sorted, so 50 million events cost one hash pass.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = np.array([mapping.get(str(u), str(u)) for u in uniques], dtype=object)
    ordered, renumber = np.unique(names, return_inverse=True) if len(names) else (names, np.zeros(0, np.int64))
    return renumber.astype(np.int64)[codes], ordered


def customer_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Customer codes numbered in id order (as DuckDB sorts them), and the ids."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(values.cat.categories.dtype)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)
