"""Funnel engines: a registry, the shared specification, and the pandas engine.

An engine turns an events source (a DataFrame, or Parquet/CSV files) and a :class:`FunnelSpec`
into an :class:`EngineResult`: one row per customer who entered the funnel. The semantics are
not the engine's business — kernel-based engines code their events and call
:func:`jkit.funnels.kernel.solve`, then :func:`journeys_frame`.

Adding an engine (e.g. Spark) takes a module with ``run(source, spec) -> EngineResult`` and one
line in :data:`ENGINES` (or a call to :func:`register_engine`); modules are imported only when
their engine is used, so optional dependencies stay optional. A distributed engine can call the
kernel once per partition of customers (each customer's events in one partition) and concatenate.
"""

from __future__ import annotations

import glob
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import MissingResourceError, ParameterError
from jkit.funnels.kernel import KernelResult, solve
from jkit.schema import parse_timestamps

__all__ = ["FunnelSpec", "EngineResult", "ENGINES", "register_engine", "get_engine", "is_path_source"]

Source = pd.DataFrame | str | Path | Sequence[str | Path]

#: engine name -> "module:function" (imported on first use) or a callable
ENGINES: dict[str, str | Callable[..., EngineResult]] = {
    "pandas": "jkit.funnels.spec:run_pandas",
    "duckdb": "jkit.funnels.engines.duckdb:run_duckdb",
    "spark": "jkit.funnels.engines.spark:run",
}

SET_ASIDE_MISSING = "missing customer or time"
SET_ASIDE_AFTER_END = "after end"


@dataclass(frozen=True)
class FunnelSpec:
    """A validated funnel request, as every engine receives it."""

    steps: tuple[frozenset[str], ...]
    names: tuple[str, ...]
    window: pd.Timedelta
    order: str
    by: tuple[str, ...] = ()
    exclusions: frozenset[str] = frozenset()
    customer_col: str = "customer_id"
    time_col: str = "timestamp"
    event_col: str = "event"
    end: pd.Timestamp | None = None

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def window_ns(self) -> int:
        return int(self.window.value)

    @property
    def code_of(self) -> dict[str, int]:
        """Event name -> step code (0..n-1 steps, n+1 exclusions)."""
        codes = {e: k for k, step in enumerate(self.steps) for e in step}
        codes.update({e: self.n + 1 for e in self.exclusions})
        return codes

    @property
    def columns(self) -> list[str]:
        cols = [self.customer_col, self.time_col, self.event_col, *self.by]
        return list(dict.fromkeys(cols))


@dataclass
class EngineResult:
    """What an engine returns.

    ``journeys`` has one row per customer who entered: ``customer_col``, the ``by`` columns
    (values of the counting attempt's entering event), ``reached`` (1..n), ``excluded`` and
    ``time_1`` … ``time_n`` (UTC). ``step_events[k]`` counts the events matching step k+1;
    ``excluded_events`` the excluded events; ``set_aside`` rows not used, by reason.
    """

    journeys: pd.DataFrame
    step_events: list[int]
    excluded_events: int
    set_aside: dict[str, int] = field(default_factory=dict)
    data_start: pd.Timestamp | None = None
    data_end: pd.Timestamp | None = None
    source: str = "events"


def register_engine(name: str, runner: str | Callable[..., EngineResult]) -> None:
    """Make an engine available to :func:`jkit.funnels.funnel` under ``name``.

    ``runner`` is ``run(source, spec) -> EngineResult`` or a ``"module:function"`` string.
    """
    ENGINES[name] = runner


def get_engine(name: str) -> Callable[..., EngineResult]:
    """The runner of engine ``name`` (importing its module on first use)."""
    if name not in ENGINES:
        raise ParameterError(f"engine={name!r} is not known; expected one of {', '.join(map(repr, ENGINES))}")
    runner = ENGINES[name]
    if isinstance(runner, str):
        module, _, func = runner.partition(":")
        try:
            runner = getattr(importlib.import_module(module), func)
        except ImportError as exc:
            raise MissingResourceError(f"engine={name!r} needs {exc.name!r}, which is not installed") from None
    return runner


# --------------------------------------------------------------------------- sources


def is_path_source(source: Any) -> bool:
    """True for a path, glob or list of paths (anything but a DataFrame)."""
    if isinstance(source, (str, Path)):
        return True
    return isinstance(source, (list, tuple)) and all(isinstance(s, (str, Path)) for s in source) and len(source) > 0


def expand_paths(source: str | Path | Sequence[str | Path]) -> list[Path]:
    """Files of a path, folder (its Parquet/CSV files), glob, or list of those; all of one format."""
    items = [source] if isinstance(source, (str, Path)) else list(source)
    files: list[Path] = []
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not found:
                raise MissingResourceError(f"{text}: no file matches this pattern")
            files += found
        elif Path(text).is_dir():
            found = sorted(p for p in Path(text).rglob("*") if p.is_file() and _kind(p) is not None)
            if not found:
                raise MissingResourceError(f"{text}: the folder holds no .parquet or .csv file")
            files += found
        elif Path(text).is_file():
            files.append(Path(text))
        else:
            raise MissingResourceError(f"{text}: no such file")
    kinds = {_kind(f) for f in files}
    if None in kinds:
        bad = next(f for f in files if _kind(f) is None)
        raise ParameterError(f"{bad.name}: unknown file type; expected .parquet, .csv or .csv.gz files")
    if len(kinds) > 1:
        raise ParameterError("events files mix Parquet and CSV; give files of one format")
    return files


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


def source_name(source: Source) -> str:
    if isinstance(source, pd.DataFrame):
        return "events"
    files = [source] if isinstance(source, (str, Path)) else list(source)
    return Path(str(files[0])).name if len(files) == 1 else f"{Path(str(files[0])).name} (+{len(files) - 1} files)"


def check_columns(found: Sequence[str], spec: FunnelSpec, where: str) -> None:
    """Raise ParameterError naming every requested column that ``where`` lacks."""
    roles = [("customer_col", spec.customer_col), ("time_col", spec.time_col), ("event_col", spec.event_col)]
    roles += [("by", b) for b in spec.by]
    missing = [(role, col) for role, col in roles if col not in found]
    if missing:
        what = ", ".join(f"{role}={col!r}" for role, col in missing)
        raise ParameterError(
            f"{where}: no column {what}; found columns {', '.join(map(repr, found))}"
        )


# --------------------------------------------------------------------------- shared coding


def utc_ns(values: pd.Series, *, where: str, column: str) -> np.ndarray:
    """Times as int64 nanoseconds since the epoch (UTC); naive times are taken as UTC.

    Text and mixed-zone values go through :func:`jkit.schema.parse_timestamps`; values that
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
            from jkit.errors import describe_values, format_rows

            rows = np.flatnonzero(bad.to_numpy()) + 1
            raise ParameterError(
                f"{where}: column {column!r} {format_rows(rows)}: cannot read "
                f"{describe_values(values[bad].tolist())} as a date/time; expected ISO 8601 text or datetimes"
            )
    return ts.dt.as_unit("ns").array.asi8.copy()


def group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the ``by`` value combinations, numbered in sorted order (missing values last)."""
    if not by:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    grouped = frame.groupby(list(by), dropna=False, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    values = grouped.size().index.to_frame(index=False)
    return codes, values


def journeys_frame(
    result: KernelResult,
    customers: np.ndarray | pd.Index | pd.Series,
    groups: pd.DataFrame | None,
    spec: FunnelSpec,
) -> pd.DataFrame:
    """Turn a kernel result (codes) into the journeys table (values), sorted by customer."""
    ids = pd.Series(np.asarray(customers, dtype=object)[result.customer] if len(result.customer) else [],
                    dtype=object)
    out = pd.DataFrame({spec.customer_col: _tidy_values(ids)})
    if spec.by:
        assert groups is not None and result.group is not None
        picked = groups.iloc[result.group].reset_index(drop=True)
        for col in spec.by:
            out[col] = _tidy_values(picked[col])
    out["reached"] = result.reached.astype(np.int64)
    out["excluded"] = result.excluded.astype(bool)
    for k in range(spec.n):
        out[f"time_{k + 1}"] = pd.to_datetime(result.times[:, k].view("datetime64[ns]")).tz_localize("UTC") \
            if len(result.times) else pd.Series([], dtype="datetime64[ns, UTC]")
    out = out.sort_values(spec.customer_col, kind="stable", ignore_index=True)
    return out


def _tidy_values(values: pd.Series) -> pd.Series:
    """Text as pandas ``string`` (whatever the source dtype); numbers and other values as they are."""
    values = pd.Series(values).reset_index(drop=True)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        non_null = values.dropna()
        if all(isinstance(v, str) for v in non_null.head(1000)):
            return values.astype("string")
        if len(non_null) and all(isinstance(v, (int, float, np.number)) for v in non_null.head(1000)):
            return pd.to_numeric(values)
    return values.infer_objects()


# --------------------------------------------------------------------------- the pandas engine


def _read_files(files: list[Path], columns: list[str], where: str) -> pd.DataFrame:
    if _kind(files[0]) == "parquet":
        import pyarrow.parquet as pq

        schema_names = pq.read_schema(files[0]).names
        missing = [c for c in columns if c not in schema_names]
        if missing:
            return pd.DataFrame(columns=schema_names)  # check_columns names what is missing
        return pd.concat([pq.read_table(f, columns=columns).to_pandas() for f in files], ignore_index=True)
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files]
    return pd.concat(frames, ignore_index=True)


def run_pandas(source: Source, spec: FunnelSpec) -> EngineResult:
    """The pandas engine: for DataFrames in memory (files are read whole with pyarrow)."""
    where = source_name(source)
    frame = source if isinstance(source, pd.DataFrame) else _read_files(expand_paths(source), spec.columns, where)
    check_columns(list(frame.columns), spec, where)
    events = frame[spec.event_col]
    code_map = spec.code_of
    if spec.order == "strict":
        codes = events.map(code_map).fillna(spec.n).to_numpy(dtype=np.int64)
    else:
        codes = events.map(code_map).fillna(-1).to_numpy(dtype=np.int64)
    keep = codes >= 0
    rows = frame.loc[keep, spec.columns]
    codes = codes[keep].astype(np.int8)
    counts = np.bincount(codes, minlength=spec.n + 2)
    t = utc_ns(rows[spec.time_col], where=where, column=spec.time_col) if len(rows) else np.zeros(0, np.int64)
    cust_missing = rows[spec.customer_col].isna().to_numpy()
    time_missing = t == np.iinfo(np.int64).min
    bad = cust_missing | time_missing
    set_aside: dict[str, int] = {}
    if bad.any():
        set_aside[SET_ASIDE_MISSING] = int(bad.sum())
    if spec.end is not None:
        late = ~bad & (t > spec.end.value)
        if late.any():
            set_aside[SET_ASIDE_AFTER_END] = int(late.sum())
        bad |= late
    if bad.any():
        rows, codes, t = rows[~bad], codes[~bad], t[~bad]
    cust_codes, cust_values = pd.factorize(rows[spec.customer_col], sort=True)
    group = n_groups = None
    groups = None
    if spec.by:
        group, groups = group_codes(rows[list(spec.by)].reset_index(drop=True), spec.by)
        n_groups = len(groups)
    result = solve(
        cust_codes.astype(np.int64), t, codes, n_steps=spec.n, window_ns=spec.window_ns, order=spec.order,
        group=group, n_groups=n_groups or 1, overwrite=True,
    )
    return EngineResult(
        journeys=journeys_frame(result, cust_values, groups, spec),
        step_events=[int(x) for x in counts[: spec.n]],
        excluded_events=int(counts[spec.n + 1]),
        set_aside=set_aside,
        data_start=_ts(result.data_start),
        data_end=_ts(result.data_end),
        source=where,
    )


def _ts(value: int | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value, unit="ns", tz="UTC")
