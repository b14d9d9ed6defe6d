"""The DuckDB engine: DuckDB scans, filters and codes the events; the numpy kernel does the funnel.

From Parquet or CSV files only the needed columns are read, only the rows of step (and
excluded) events are kept (all rows in strict mode), event names become small step codes
inside DuckDB, and times become int64 nanoseconds. What reaches Python is three flat arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit._funnel_engines import (
    SET_ASIDE_AFTER_END,
    SET_ASIDE_MISSING,
    EngineResult,
    FunnelSpec,
    Source,
    _kind,
    _ts,
    check_columns,
    expand_paths,
    group_codes,
    journeys_frame,
    source_name,
    utc_ns,
)
from jkit._funnel_kernel import solve
from jkit.errors import DataValidationError, ParameterError

__all__ = ["run_duckdb"]

_BAD, _LATE = 64, 32  # flags added to the step code of rows set aside (steps use codes < 32)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _connect():
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _relation_sql(con, source: Source, spec: FunnelSpec) -> tuple[str, str, dict[str, str]]:
    """SQL of the events relation, its display name, and each column's DuckDB type."""
    where = source_name(source)
    if isinstance(source, pd.DataFrame):
        check_columns(list(source.columns), spec, where)
        light = pd.DataFrame({c: source[c] for c in spec.columns if c != spec.time_col})
        light[spec.time_col] = utc_ns(source[spec.time_col], where=where, column=spec.time_col)
        light = light[spec.columns]
        con.register("__events", light)
        sql = "__events"
    else:
        files = expand_paths(source)
        listing = "[" + ", ".join(_literal(str(f)) for f in files) + "]"
        if _kind(files[0]) == "parquet":
            sql = f"read_parquet({listing}, union_by_name = true)"
        else:
            sql = f"read_csv({listing}, union_by_name = true, header = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()
    except Exception as exc:  # duckdb raises its own exception classes
        raise DataValidationError(f"{where}: cannot read the file: {exc}") from None
    types = {row[0]: str(row[1]) for row in described}
    check_columns(list(types), spec, where)
    return sql, where, types


def _time_sql(column: str, kind: str, where: str) -> str:
    col = _quote(column)
    upper = kind.upper()
    if upper in ("BIGINT", "HUGEINT") and column == "__t":
        return col
    if upper.startswith("TIMESTAMP"):  # TIMESTAMP, _S/_MS/_NS (naive = UTC) and WITH TIME ZONE
        return f"epoch_ns({col})"
    if upper == "DATE":
        return f"epoch_ns({col}::TIMESTAMP)"
    if upper == "VARCHAR":
        return f"epoch_ns({col}::TIMESTAMPTZ)"
    raise ParameterError(
        f"{where}: column {column!r} is {kind}, not a time; store times as timestamps or ISO 8601 text, "
        "or read the file with jkit.load() and pass the DataFrame"
    )


def run_duckdb(source: Source, spec: FunnelSpec) -> EngineResult:
    """The DuckDB engine (default for files; also takes DataFrames)."""
    con = _connect()
    try:
        sql, where, types = _relation_sql(con, source, spec)
        if isinstance(source, pd.DataFrame):
            t_expr = _quote(spec.time_col)  # already int64 ns
        else:
            t_expr = _time_sql(spec.time_col, types[spec.time_col], where)
        ev, cu = _quote(spec.event_col), _quote(spec.customer_col)
        code_of = spec.code_of
        cases = " ".join(f"WHEN {_literal(e)} THEN {k}" for e, k in sorted(code_of.items()))
        other = spec.n if spec.order == "strict" else -1
        code = f"(CASE {ev} {cases} ELSE {other} END)"
        flags = f"WHEN {cu} IS NULL OR __t IS NULL THEN __s + {_BAD}"
        if spec.end is not None:
            flags += f" WHEN __t > {int(spec.end.value)} THEN __s + {_LATE}"
        filt = "" if spec.order == "strict" else f"WHERE {ev} IN ({', '.join(_literal(e) for e in sorted(code_of))})"
        by_sql = "".join(f", {_quote(b)}" for b in spec.by)
        cust_type = types[spec.customer_col].upper()
        integer_ids = cust_type in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
        query = (
            f"SELECT {cu} AS c, __t AS t, (CASE {flags} ELSE __s END)::TINYINT AS s{by_sql} FROM ("
            f"SELECT {cu}, {t_expr} AS __t, {code} AS __s{by_sql} FROM {sql} {filt})"
        )
        try:
            if integer_ids and not spec.by:
                arrays = con.sql(query).fetchnumpy()
                frame = None
            else:
                frame = con.sql(query).to_arrow_table()
                arrays = None
        except Exception as exc:
            raise DataValidationError(f"{where}: cannot read the events: {exc}") from None
        if arrays is None:
            arrays, by_frame = _from_arrow(frame, spec)
        else:
            by_frame = None
    finally:
        con.close()
    return _finish(arrays, by_frame, spec, where, integer_ids)


def _from_arrow(table, spec: FunnelSpec):
    import pyarrow as pa

    c = table.column("c")
    cust = c.to_numpy() if pa.types.is_integer(c.type) else c
    arrays = {
        "c": cust,
        "t": table.column("t").to_numpy(zero_copy_only=False),
        "s": table.column("s").to_numpy(zero_copy_only=False),
    }
    by_frame = table.select(list(spec.by)).to_pandas() if spec.by else None
    return arrays, by_frame


def _finish(arrays, by_frame: pd.DataFrame | None, spec: FunnelSpec, where: str, integer_ids: bool) -> EngineResult:
    import pyarrow as pa
    import pyarrow.compute as pc

    s = np.asarray(arrays["s"], dtype=np.int8)
    t = arrays["t"]
    c = arrays["c"]
    set_aside: dict[str, int] = {}
    bad = s >= _LATE
    counts = np.bincount((s & (_LATE - 1)).astype(np.int64), minlength=spec.n + 2) if len(s) else np.zeros(spec.n + 2)
    if bad.any():
        n_bad = int((s >= _BAD).sum())
        n_late = int(((s >= _LATE) & (s < _BAD)).sum())
        if n_bad:
            set_aside[SET_ASIDE_MISSING] = n_bad
        if n_late:
            set_aside[SET_ASIDE_AFTER_END] = n_late
        keep = ~bad
        s, t = s[keep], t[keep]
        c = c.filter(pa.array(keep)) if isinstance(c, (pa.Array, pa.ChunkedArray)) else c[keep]
        if by_frame is not None:
            by_frame = by_frame[keep].reset_index(drop=True)
    t = np.asarray(t, dtype=np.int64)
    if isinstance(c, (pa.Array, pa.ChunkedArray)):
        encoded = pc.dictionary_encode(c).combine_chunks() if isinstance(c, pa.ChunkedArray) else pc.dictionary_encode(c)
        cust_codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        cust_values = encoded.dictionary.to_pandas().to_numpy(dtype=object)
    else:
        c = np.asarray(c)
        if len(c) and integer_ids:
            lo, hi = int(c.min()), int(c.max())
            if hi - lo < (1 << 40):
                cust_codes = c.astype(np.int64) - lo
                cust_values = _IdRange(lo, hi)
            else:
                cust_codes, cust_values = pd.factorize(c)
        else:
            cust_codes, cust_values = pd.factorize(c)
    group = groups = None
    n_groups = 1
    if spec.by:
        assert by_frame is not None
        group, groups = group_codes(by_frame, spec.by)
        n_groups = len(groups)
    result = solve(
        np.asarray(cust_codes, dtype=np.int64), t, s, n_steps=spec.n, window_ns=spec.window_ns, order=spec.order,
        group=group, n_groups=n_groups,
    )
    customers = cust_values.values_for(result.customer) if isinstance(cust_values, _IdRange) else cust_values
    if isinstance(cust_values, _IdRange):
        result.customer = np.arange(len(result.customer))
    return EngineResult(
        journeys=journeys_frame(result, customers, groups, spec),
        step_events=[int(x) for x in counts[: spec.n]],
        excluded_events=int(counts[spec.n + 1]),
        set_aside=set_aside,
        data_start=_ts(result.data_start),
        data_end=_ts(result.data_end),
        source=where,
    )


class _IdRange:
    """Integer customer ids coded as ``id - lo`` (no dictionary needed)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def values_for(self, codes: np.ndarray) -> np.ndarray:
        return codes.astype(np.int64) + self.lo

