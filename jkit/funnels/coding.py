"""What the kernel-based funnel engines share around the kernel: times coded as nanoseconds, customers
and ``by`` groups coded as integers, the kernel run over coded rows, and its result turned back into the
journeys table of an :class:`~jkit.funnels.spec.EngineResult`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit.errors import ParameterError, describe_values, format_rows
from jkit.funnels.kernel import KernelResult, solve
from jkit.funnels.spec import SET_ASIDE_AFTER_END, SET_ASIDE_MISSING, EngineResult, FunnelSpec
from jkit.timestamps import parse_timestamps

__all__ = [
    "engine_result",
    "group_codes",
    "journeys_frame",
    "set_aside_counts",
    "solve_rows",
    "tidy_values",
    "to_timestamp",
    "unit_codes",
    "utc_ns",
]


def utc_ns(values: pd.Series, *, where: str, column: str) -> np.ndarray:
    """Times as int64 nanoseconds since the epoch (UTC); naive times are taken as UTC.

    Text and mixed-zone values go through :func:`jkit.timestamps.parse_timestamps`; values that
    cannot be read raise a :class:`ParameterError` naming the first rows.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        ts = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        ts = values.dt.tz_localize("UTC")
    elif pd.api.types.is_numeric_dtype(values.dtype):
        raise ParameterError(
            f"{where}: column {column!r} holds numbers ({values.dtype}), not times; convert it with "
            "jkit.load() or pandas.to_datetime() first"
        )
    else:
        ts = parse_timestamps(values)
        bad = ts.isna() & values.notna()
        if bad.any():
            rows = np.flatnonzero(bad.to_numpy()) + 1
            raise ParameterError(
                f"{where}: column {column!r} {format_rows(rows)}: cannot read "
                f"{describe_values(values[bad].tolist())} as a date/time; expected ISO 8601 text or datetimes"
            )
    return ts.dt.as_unit("ns").array.asi8.copy()


def to_timestamp(value: int | None) -> pd.Timestamp | None:
    """Nanoseconds since the epoch as a UTC Timestamp (None stays None)."""
    return None if value is None else pd.Timestamp(value, unit="ns", tz="UTC")


def group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the ``by`` value combinations, numbered in sorted order (missing values last)."""
    if not by:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    grouped = frame.groupby(list(by), dropna=False, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    values = grouped.size().index.to_frame(index=False)
    return codes, values


def unit_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the counted unit — the customer, or (customer, session) — numbered in sorted order.

    A missing session is a session of its own for its customer (numbered after the others).
    """
    if frame.shape[1] == 1:
        codes, values = pd.factorize(frame.iloc[:, 0], sort=True)
        return codes.astype(np.int64), pd.DataFrame({frame.columns[0]: np.asarray(values, dtype=object)})
    grouped = frame.groupby(list(frame.columns), dropna=False, sort=True, observed=True)
    return grouped.ngroup().to_numpy(dtype=np.int64), grouped.size().index.to_frame(index=False)


def solve_rows(units: pd.DataFrame | pd.Series, t: np.ndarray, s: np.ndarray, by_frame: pd.DataFrame | None,
               spec: FunnelSpec, *, overwrite: bool = False) -> tuple[KernelResult, pd.DataFrame, pd.DataFrame | None]:
    """Code the units (customers, or customers and sessions; in sorted order) and the ``by`` groups of
    the rows kept, then run the kernel.

    Returns the kernel result, the unit values by code (one column per unit column) and the group
    values by code (None without ``by``).
    """
    frame = units.to_frame() if isinstance(units, pd.Series) else units
    codes, values = unit_codes(frame.reset_index(drop=True))
    group = groups = None
    if by_frame is not None:
        group, groups = group_codes(by_frame, list(by_frame.columns))
    result = solve(codes, t, s, group=group, n_groups=1 if groups is None else len(groups), overwrite=overwrite,
                   **spec.kernel_options())
    return result, values, groups


def set_aside_counts(missing: int, late: int) -> dict[str, int]:
    """The ``set_aside`` of an :class:`EngineResult`: rows with a missing customer or time, rows after ``end``."""
    out: dict[str, int] = {}
    if missing:
        out[SET_ASIDE_MISSING] = int(missing)
    if late:
        out[SET_ASIDE_AFTER_END] = int(late)
    return out


def engine_result(result: KernelResult, customers, groups: pd.DataFrame | None, spec: FunnelSpec, *,
                  counts: np.ndarray, set_aside: dict[str, int], where: str) -> EngineResult:
    """The :class:`EngineResult` of a kernel run; ``counts`` are the events per step code (``n + 2`` of them)."""
    return EngineResult(
        journeys=journeys_frame(result, customers, groups, spec),
        step_events=[int(x) for x in counts[: spec.n]],
        excluded_events=int(counts[spec.n + 1]),
        set_aside=set_aside,
        data_start=to_timestamp(result.data_start),
        data_end=to_timestamp(result.data_end),
        source=where,
    )


def journeys_frame(
    result: KernelResult,
    customers: np.ndarray | pd.Index | pd.Series | pd.DataFrame,
    groups: pd.DataFrame | None,
    spec: FunnelSpec,
) -> pd.DataFrame:
    """Turn a kernel result (codes) into the journeys table (values), sorted by unit (and attempt).

    ``customers`` holds the unit values by code: an array of customer ids, or a DataFrame with
    the customer (and session) columns.
    """
    if isinstance(customers, pd.DataFrame):
        picked_units = customers.iloc[result.customer].reset_index(drop=True)
        out = pd.DataFrame({col: tidy_values(picked_units.iloc[:, i]) for i, col in enumerate(spec.unit_cols)})
    else:
        ids = pd.Series(np.asarray(customers, dtype=object)[result.customer] if len(result.customer) else [],
                        dtype=object)
        out = pd.DataFrame({spec.customer_col: tidy_values(ids)})
    if result.attempt is not None:
        out["attempt"] = result.attempt.astype(np.int64)
    if spec.by:
        assert groups is not None and result.group is not None
        picked = groups.iloc[result.group].reset_index(drop=True)
        for col in spec.by:
            if col not in out.columns:
                out[col] = tidy_values(picked[col])
    out["reached"] = result.reached.astype(np.int64)
    out["excluded"] = result.excluded.astype(bool)
    for k in range(spec.n):
        out[f"time_{k + 1}"] = pd.to_datetime(result.times[:, k].view("datetime64[ns]")).tz_localize("UTC") \
            if len(result.times) else pd.Series([], dtype="datetime64[ns, UTC]")
    keys = [*spec.unit_cols, *(["attempt"] if result.attempt is not None else [])]
    return out.sort_values(keys, kind="stable", ignore_index=True, na_position="last")


def tidy_values(values: pd.Series) -> pd.Series:
    """Text as pandas ``string`` (whatever the source dtype); numbers and other values as they are."""
    values = pd.Series(values).reset_index(drop=True)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        non_null = values.dropna()
        if all(isinstance(v, str) for v in non_null.head(1000)):
            return values.astype("string")
        if len(non_null) and all(isinstance(v, (int, float, np.number)) for v in non_null.head(1000)):
            return pd.to_numeric(values)
    return values.infer_objects()
