"""The pandas funnel engine: for DataFrames in memory (files are read whole with pyarrow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jkit.funnels.coding import engine_result, set_aside_counts, solve_rows, utc_ns
from jkit.funnels.spec import EngineResult, FunnelSpec, Source, check_columns, expand_paths, file_kind, source_name

__all__ = ["run"]


def _read_files(files: list[Path], columns: list[str]) -> pd.DataFrame:
    if file_kind(files[0]) == "parquet":
        import pyarrow.parquet as pq

        schema_names = pq.read_schema(files[0]).names
        missing = [c for c in columns if c not in schema_names]
        if missing:
            return pd.DataFrame(columns=schema_names)  # check_columns names what is missing
        return pd.concat([pq.read_table(f, columns=columns).to_pandas() for f in files], ignore_index=True)
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files]
    return pd.concat(frames, ignore_index=True)


def run(source: Source, spec: FunnelSpec) -> EngineResult:
    """The pandas engine: ``run(source, spec) -> EngineResult`` for a DataFrame or Parquet/CSV files."""
    where = source_name(source)
    frame = source if isinstance(source, pd.DataFrame) else _read_files(expand_paths(source), spec.columns)
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
    bad = rows[spec.customer_col].isna().to_numpy() | (t == np.iinfo(np.int64).min)
    n_bad = int(bad.sum())
    n_late = 0
    if spec.end is not None:
        late = ~bad & (t > spec.end.value)
        n_late = int(late.sum())
        bad |= late
    if bad.any():
        rows, codes, t = rows[~bad], codes[~bad], t[~bad]
    by_frame = rows[list(spec.by)].reset_index(drop=True) if spec.by else None
    result, customers, groups = solve_rows(rows[spec.unit_cols], t, codes, by_frame, spec, overwrite=True)
    return engine_result(result, customers, groups, spec, counts=counts,
                         set_aside=set_aside_counts(n_bad, n_late), where=where)
