"""What the paths engines share: checking a DataFrame, times as nanoseconds, event names coded in name
order, the Parquet files of a source and where each starts in the input order, and the message for
events without a customer, time or name. Engines import this module and :mod:`jkit.paths.spec` only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, ParameterError, format_rows
from jkit.funnels.coding import utc_ns
from jkit.funnels.spec import expand_paths, file_kind
from jkit.paths.spec import PathRequest, Source, check_columns

__all__ = ["check_frame", "customer_values", "empty_values_error", "event_codes", "parquet_files", "plain_columns", "row_offsets",
           "time_ns"]


def empty_values_error(where: str, column: str, role: str, n: int, rows: np.ndarray | None = None) -> DataValidationError:
    """The error for ``n`` events without a value in ``column`` (its role named; 1-based ``rows`` when known)."""
    at = f" ({format_rows(rows)})" if rows is not None else ""
    return DataValidationError(f"{where}: column {column!r} ({role}) is empty in {n:,} events{at}; every event needs "
                               "a customer, a time and an event name — drop or fill those rows first")


def _no_missing(values: pd.Series, column: str, role: str, where: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        raise empty_values_error(where, column, role, int(missing.sum()), np.flatnonzero(missing) + 1)


def parquet_files(source: Source) -> list:
    """The files of a path source (a glob or list expanded); a ParameterError when they are not Parquet."""
    files = expand_paths(source)
    if file_kind(files[0]) != "parquet":
        raise ParameterError(f"{Path(files[0]).name}: the paths engines read Parquet files; read CSV files with "
                             "jkit.load() and pass the DataFrame")
    return files


def row_offsets(files: list) -> np.ndarray:
    """Where each file's first row stands in the input order (the files one after another), from their footers."""
    import pyarrow.parquet as pq

    return np.concatenate([[0], np.cumsum([pq.ParquetFile(f).metadata.num_rows for f in files])[:-1]]).astype(np.int64)


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


def plain_columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """``columns`` of ``frame`` as plain arrays (categoricals as their categories' type), for DuckDB or Spark."""
    return pd.DataFrame({c: frame[c].astype(frame[c].cat.categories.dtype).to_numpy()
                         if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c].to_numpy() for c in columns})


def customer_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Customer codes numbered in id order (as DuckDB sorts them), and the ids."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(values.cat.categories.dtype)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)
