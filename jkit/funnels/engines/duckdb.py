"""The DuckDB engine: DuckDB scans, filters and codes the events; the numpy kernel does the funnel.

From Parquet or CSV files only the needed columns are read, only the rows of step (and
excluded) events are kept (all rows in strict mode), event names become small step codes and
times int64 nanoseconds inside DuckDB (in parallel). What reaches Python is flat numeric arrays.

Customers need integer codes. Integer ids are used as they are (minus their minimum). Text ids
in Parquet files are coded from the files' own dictionary pages, read with pyarrow and matched
to DuckDB's rows by ``file_row_number``, so no customer string is materialised per event; other
text ids (CSV, DataFrames) come back as Arrow strings and are dictionary-encoded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jkit.duckdb_sql import connect, quote_name, quote_text, reported_limits
from jkit.errors import DataValidationError, ParameterError
from jkit.funnels.coding import engine_result, group_codes, set_aside_counts, unit_codes, utc_ns
from jkit.funnels.kernel import solve
from jkit.funnels.spec import EngineResult, FunnelSpec, Source, check_columns, expand_paths, file_kind, source_name

__all__ = ["run"]

_BAD, _LATE = 64, 32  # flags added to the step code of rows set aside (step codes stay below 32)
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")






def _time_sql(column: str, kind: str, where: str) -> str:
    col = quote_name(column)
    upper = kind.upper()
    if upper.startswith("TIMESTAMP"):  # TIMESTAMP, _S/_MS/_NS (naive = UTC) and WITH TIME ZONE
        return f"epoch_ns({col})"
    if upper == "DATE":
        return f"epoch_ns({col}::TIMESTAMP)"
    if upper == "VARCHAR":
        return f"epoch_ns({col}::TIMESTAMPTZ)"  # ISO text; offsets honoured, naive text is UTC
    raise ParameterError(
        f"{where}: column {column!r} is {kind}, not a time; store times as timestamps or ISO 8601 text, "
        "or read the file with jkit.load() and pass the DataFrame"
    )


def _select(spec: FunnelSpec, relation: str, t_expr: str, *, customer: bool = True, row_number: bool | str = False) -> str:
    """The one query: customer, time (ns) and step code (with set-aside flags) of the rows that matter.

    Only the needed columns are named, so DuckDB reads nothing else from the files.
    """
    ev, cu = quote_name(spec.event_col), quote_name(spec.customer_col)
    code_of = spec.code_of
    cases = " ".join(f"WHEN {quote_text(e)} THEN {k}" for e, k in sorted(code_of.items()))
    other = spec.n if spec.order == "strict" else -1
    missing = f"{cu} IS NULL OR __t IS NULL" if customer else "__t IS NULL"
    flags = f"WHEN {missing} THEN __s + {_BAD}"
    if spec.end is not None:
        flags += f" WHEN __t > {int(spec.end.value)} THEN __s + {_LATE}"
    filt = "" if spec.order == "strict" else f"WHERE {ev} IN ({', '.join(quote_text(e) for e in sorted(code_of))})"
    inner = [cu] if customer else []
    extra = [*spec.by, *([spec.session_col] if spec.unit == "session" else [])]
    inner += [quote_name(b) for b in dict.fromkeys(extra) if b != spec.customer_col]
    if row_number:
        inner.append("file_row_number")
    outer = [f"{cu} AS c" if customer else "NULL::TINYINT AS c", "__t AS t",
             f"(CASE {flags} ELSE __s END)::TINYINT AS s", *[quote_name(b) for b in spec.by]]
    if spec.unit == "session":
        outer.append(f"{quote_name(spec.session_col)} AS __session")
    if row_number:
        outer.append("file_row_number::UINTEGER AS r" if row_number == "u32" else "file_row_number AS r")
    inner += [f"{t_expr} AS __t", f"(CASE {ev} {cases} ELSE {other} END) AS __s"]
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {relation} {filt})"


def _run_query(con, sql: str, where: str, *, arrow: bool):
    try:
        rel = con.sql(sql)
        return rel.to_arrow_table() if arrow else rel.fetchnumpy()
    except ParameterError:
        raise
    except Exception as exc:  # duckdb raises its own exception classes
        raise DataValidationError(f"{where}: cannot read the events: {exc}") from None


def _by_frame(table, spec: FunnelSpec) -> pd.DataFrame | None:
    return table.select(list(spec.by)).to_pandas() if spec.by else None


def _fetch(con, sql: str, spec: FunnelSpec, where: str, key: str) -> dict:
    """Arrays ``key`` (customer ``"c"`` or row number ``"r"``), ``"t"``, ``"s"`` and the ``"by"`` frame of a query.

    Without ``by`` columns the result comes as numpy arrays (cheapest); with them through Arrow.
    """
    if not spec.by:
        return {**_run_query(con, sql, where, arrow=False), "by": None}
    table = _run_query(con, sql, where, arrow=True)
    return {key: table.column(key).to_numpy(), "t": table.column("t").to_numpy(),
            "s": table.column("s").to_numpy(), "by": _by_frame(table, spec)}


def run(source: Source, spec: FunnelSpec) -> EngineResult:
    """The DuckDB engine: ``run(source, spec) -> EngineResult`` (the default for files; also takes DataFrames)."""
    where = source_name(source)
    con = connect()
    try:
        with reported_limits(con, where):
            arrays = _read(con, source, spec, where)
    finally:
        con.close()  # DuckDB's buffers go back before the customer codes and the kernel
    if "files" in arrays:
        arrays = _dictionary_codes(arrays, spec)
    return _finish(arrays, spec, where)


def _read(con, source: Source, spec: FunnelSpec, where: str) -> dict:
    """Run DuckDB over the source: coded arrays of the rows that matter."""
    if isinstance(source, pd.DataFrame):
        check_columns(list(source.columns), spec, where)
        light = pd.DataFrame({c: source[c] for c in spec.columns if c != spec.time_col})
        light[spec.time_col] = utc_ns(source[spec.time_col], where=where, column=spec.time_col)
        times = light[spec.time_col].to_numpy()
        light[spec.time_col] = pd.array(times, dtype="Int64")
        light.loc[times == np.iinfo(np.int64).min, spec.time_col] = pd.NA
        con.register("__events", light)
        table = _run_query(con, _select(spec, "__events", quote_name(spec.time_col)), where, arrow=True)
        return _session_arrays(table, spec) if spec.unit == "session" else _arrow_arrays(table, spec)
    files = expand_paths(source)
    parquet = file_kind(files[0]) == "parquet"
    listing = "[" + ", ".join(quote_text(str(f)) for f in files) + "]"
    relation = f"read_parquet({listing}, union_by_name = true)" if parquet else \
        f"read_csv({listing}, union_by_name = true, header = true)"
    try:
        types = {r[0]: str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    except Exception as exc:
        raise DataValidationError(f"{where}: cannot read the file: {exc}") from None
    check_columns(list(types), spec, where)
    t_expr = _time_sql(spec.time_col, types[spec.time_col], where)
    cust_type = types[spec.customer_col].upper()
    if spec.unit == "session":
        return _session_arrays(_run_query(con, _select(spec, relation, t_expr), where, arrow=True), spec)
    if cust_type in _INTEGER_TYPES:
        arrays = _fetch(con, _select(spec, relation, t_expr), spec, where, "c")
        arrays["c"] = np.asarray(arrays["c"])
        return arrays
    if parquet and cust_type == "VARCHAR":
        return _parquet_rows(con, files, spec, t_expr, where)
    table = _run_query(con, _select(spec, relation, t_expr), where, arrow=True)
    return _arrow_arrays(table, spec)


def _arrow_arrays(table, spec: FunnelSpec) -> dict:
    """Text customer ids from an Arrow result, dictionary-encoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = table.column("c")
    if pa.types.is_integer(column.type):
        return {"c": column.to_numpy(), "t": table.column("t").to_numpy(), "s": table.column("s").to_numpy(),
                "by": _by_frame(table, spec)}
    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return {"c": codes, "values": encoded.dictionary.to_pandas().to_numpy(dtype=object),
            "t": table.column("t").to_numpy(), "s": table.column("s").to_numpy(), "by": _by_frame(table, spec)}


def _session_arrays(table, spec: FunnelSpec) -> dict:
    """``unit="session"``: one code per (customer, session) pair, the pairs' values by code."""
    units = pd.DataFrame({spec.customer_col: table.column("c").to_pandas(),
                          spec.session_col: table.column("__session").to_pandas()})
    missing = units[spec.customer_col].isna().to_numpy()
    codes, values = unit_codes(units.fillna({spec.customer_col: units[spec.customer_col].dropna().iloc[0]})
                               if missing.any() and (~missing).any() else units)
    return {"c": codes, "values": values, "t": table.column("t").to_numpy(), "s": table.column("s").to_numpy(),
            "by": _by_frame(table, spec)}


def _parquet_rows(con, files: list[Path], spec: FunnelSpec, t_expr: str, where: str) -> dict:
    """DuckDB part of the Parquet text-id path: time, step code and row number of each kept event."""
    import pyarrow.parquet as pq

    pieces = []
    for f in files:
        small = pq.ParquetFile(f).metadata.num_rows < (1 << 32) - 1
        relation = f"read_parquet({quote_text(str(f))}, file_row_number = true)"
        sql = _select(spec, relation, t_expr, customer=False, row_number="u32" if small else True)
        part = _fetch(con, sql, spec, where, "r")
        part.pop("c", None)
        pieces.append(part)
    return {"files": files, "pieces": pieces}


def _dictionary_codes(pending: dict, spec: FunnelSpec) -> dict:
    """Customer codes of the kept events from the Parquet dictionary pages, matched by row number.

    pyarrow reads the customer column a few row groups at a time as dictionary indices (no
    string per event) into one int32 per row of the file; the per-row-group dictionaries are
    unified at the end.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    files, pieces = pending["files"], pending["pieces"]
    dictionaries: list = []
    size = 0
    total_rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    code_type = np.int32 if total_rows < (1 << 31) - 1 else np.int64  # dictionary entries <= rows
    for f, part in zip(files, pieces, strict=True):
        parquet = pq.ParquetFile(f, read_dictionary=[spec.customer_col])
        full = np.empty(parquet.metadata.num_rows, dtype=code_type)  # every row's dictionary entry
        position = 0
        n_groups = parquet.metadata.num_row_groups
        for g0 in range(0, n_groups, 4):  # a few row groups at a time bounds the memory
            column = parquet.read_row_groups(list(range(g0, min(g0 + 4, n_groups))), columns=[spec.customer_col])
            for chunk in column.column(0).chunks:
                if not pa.types.is_dictionary(chunk.type):
                    chunk = pc.dictionary_encode(chunk)
                indices = chunk.indices if chunk.indices.type in (pa.int32(), pa.int64()) else \
                    chunk.indices.cast(pa.int32())
                idx = pc.fill_null(indices, -1 - size).to_numpy(zero_copy_only=False)
                np.add(idx, size, out=full[position:position + len(chunk)], casting="unsafe")
                dictionaries.append(chunk.dictionary)
                size += len(chunk.dictionary)
                position += len(chunk)
            del column
        rows = np.asarray(part.pop("r"))
        every_row = len(rows) == len(full) and (len(rows) == 0 or (rows[0] == 0 and np.all(rows[1:] > rows[:-1])))
        part["c"] = full if every_row else full[rows]  # -1 marks a missing customer
        del full, rows
    if dictionaries:
        unified = pc.dictionary_encode(pa.chunked_array(dictionaries, type=dictionaries[0].type).combine_chunks())
        transpose = unified.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        values = unified.dictionary.to_pandas().to_numpy(dtype=object)
        del unified, dictionaries
    else:
        transpose, values = np.zeros(1, np.int64), np.zeros(0, dtype=object)
    for part in pieces:
        local = part.pop("c")
        missing = local < 0
        np.maximum(local, 0, out=local)
        part["c"] = transpose[local] if len(transpose) else local.astype(np.int64)
        del local
        if missing.any():
            part["s"] = np.where(missing, np.asarray(part["s"]) | _BAD, part["s"]).astype(np.int8)
    if len(pieces) == 1:
        arrays = {k: np.asarray(pieces[0].pop(k)) for k in ("c", "t", "s")}
    else:
        arrays = {k: np.concatenate([np.asarray(p.pop(k)) for p in pieces]) for k in ("c", "t", "s")}
    arrays["by"] = pd.concat([p["by"] for p in pieces], ignore_index=True) if spec.by else None
    arrays["values"] = values
    pa.default_memory_pool().release_unused()  # hand Arrow's freed buffers back before the kernel
    return arrays


def _finish(arrays: dict, spec: FunnelSpec, where: str) -> EngineResult:
    s = np.asarray(arrays["s"], dtype=np.int8)
    t = np.asarray(arrays["t"])
    c = np.asarray(arrays["c"])
    by_frame = arrays.get("by")
    counts = np.bincount((s & (_LATE - 1)).astype(np.int64), minlength=spec.n + 2) if len(s) \
        else np.zeros(spec.n + 2, np.int64)
    bad = s >= _LATE
    n_bad = int((s >= _BAD).sum())
    n_late = int(bad.sum()) - n_bad
    if bad.any():
        keep = ~bad
        s, t, c = s[keep], t[keep], c[keep]
        if by_frame is not None:
            by_frame = by_frame[keep].reset_index(drop=True)
    t = t.astype(np.int64, copy=False)
    lo = int(c.min()) if len(c) else 0
    if "values" in arrays:
        cust_codes, customers = c.astype(np.int64, copy=False), arrays["values"]
    elif len(c) and (int(c.max()) - lo) < (1 << 40):
        cust_codes = c.astype(np.int64)
        cust_codes -= lo
        customers = None
    else:
        cust_codes, customers = pd.factorize(c)
        cust_codes = cust_codes.astype(np.int64)
    group = groups = None
    n_groups = 1
    if spec.by:
        group, groups = group_codes(by_frame, spec.by)
        n_groups = len(groups)
    del arrays, c
    result = solve(cust_codes, t, s, group=group, n_groups=n_groups, overwrite=True, **spec.kernel_options())
    if customers is None:  # integer ids: code + lo
        customers = result.customer + lo
        result.customer = np.arange(len(result.customer))
    return engine_result(result, customers, groups, spec, counts=counts,
                         set_aside=set_aside_counts(n_bad, n_late), where=where)
