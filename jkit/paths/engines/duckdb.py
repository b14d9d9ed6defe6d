"""The DuckDB paths engine: window functions over the events (sorted per customer in parallel), so
Parquet files are scanned without being loaded into pandas.

DataFrames are checked and their times turned into nanoseconds by the same code as the pandas
engine (:mod:`jkit.paths.frames`), so both engines read them alike; Parquet files are checked in SQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit.duckdb_sql import connect, quote_name, quote_text, reported_limits
from jkit.errors import ParameterError
from jkit.paths.frames import check_frame, empty_values_error, parquet_files, plain_columns, row_offsets, time_ns
from jkit.paths.spec import PathRequest, Source, check_columns, source_name

__all__ = ["run"]


def _frame_source(con, frame: pd.DataFrame, request: PathRequest, where: str) -> None:
    check_frame(frame, request, where)
    part = plain_columns(frame, request.columns)
    part["__t"] = time_ns(frame, request, where)
    part["__row"] = np.arange(len(frame), dtype=np.int64)
    con.register("__frame", part)
    con.execute("CREATE TEMP VIEW src AS SELECT * FROM __frame")


def _time_sql(column: str, kind: str, where: str) -> str:
    upper = kind.upper()
    if upper.startswith("TIMESTAMP"):
        return f"epoch_ns({quote_name(column)})"
    if upper == "DATE":
        return f"epoch_ns({quote_name(column)}::TIMESTAMP)"
    if upper == "VARCHAR":
        return f"epoch_ns({quote_name(column)}::TIMESTAMPTZ)"
    raise ParameterError(f"{where}: column {column!r} is {kind}, not a time; store times as timestamps or ISO 8601 "
                         "text, or read the file with jkit.load() and pass the DataFrame")


def _file_source(con, source: Source, request: PathRequest, where: str) -> None:
    files = parquet_files(source)
    listing = "[" + ", ".join(quote_text(str(f)) for f in files) + "]"
    scan = f"read_parquet({listing}, filename=true, file_row_number=true)"
    # the file's own columns (the scan adds filename and file_row_number, which messages should not list)
    schema = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet({listing})").fetchall()}
    check_columns(list(schema), request, where)
    t = _time_sql(request.time_col, schema[request.time_col], where)
    cols = ", ".join(quote_name(c) for c in request.columns)
    offsets = "[" + ", ".join(str(int(v)) for v in row_offsets(files)) + "]"
    row = f"(list_extract({offsets}, list_position({listing}, filename)) + file_row_number)::BIGINT"
    con.execute(f"CREATE TEMP VIEW src AS SELECT {cols}, {t} AS __t, {row} AS __row FROM {scan}")
    checks = [(request.customer_col, "customer_col", quote_name(request.customer_col)),
              (request.time_col, "time_col", "__t"), (request.event_col, "event_col", quote_name(request.event_col))]
    counts = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {expr} IS NULL)" for *_, expr in checks)
                         + " FROM src").fetchone()  # one scan of the files for the three checks
    for (name, role, _), n in zip(checks, counts, strict=True):
        if n:
            raise empty_values_error(where, name, role, int(n))


def _mapped_event(con, request: PathRequest) -> tuple[str, str]:
    """The event name expression after the mapping, and the join that provides it."""
    ev = f"CAST(src.{quote_name(request.event_col)} AS VARCHAR)"
    if not request.mapping:
        return ev, ""
    con.register("__map", pd.DataFrame({"old": list(request.mapping), "new": list(request.mapping.values())}))
    return f"COALESCE(__map.new, {ev})", f"LEFT JOIN __map ON __map.old = {ev}"


def _tie_rank(request: PathRequest) -> str:
    """Rank of an event among events at the same instant: its place in ``tie_order``, the rest after."""
    if not request.tie_order:
        return "0"
    cases = " ".join(f"WHEN {quote_text(name)} THEN {k}" for k, name in enumerate(request.tie_order))
    return f"CASE e {cases} ELSE {len(request.tie_order)} END"


def _base_sql(con, request: PathRequest) -> str:
    """SELECT c, t, e, row, by… and, when needed, session_number, unit: events as the rules order them."""
    e_expr, join = _mapped_event(con, request)
    cu = quote_name(request.customer_col)
    by = "".join(f", src.{quote_name(b)} AS __by{k}" for k, b in enumerate(request.by))  # no clash with c, t, e…
    base = f"SELECT src.{cu} AS c, src.__t AS t, {e_expr} AS e, src.__row AS row{by}"
    if request.needs_sessions and request.session_source == "column":
        base += f", NULLIF(CAST(src.{quote_name(request.session_col)} AS VARCHAR), '') AS s"
    sql = f"SELECT *, {_tie_rank(request)} AS tr FROM ({base} FROM src {join})"
    order = "ORDER BY t, tr, e, row"
    if request.needs_sessions:
        gap = request.gap_ns
        if request.session_source == "column":
            flag = (f"WITH x AS ({sql}), f AS (SELECT *, CASE WHEN lag(t) OVER (PARTITION BY c, s IS NULL {order}) "
                    f"IS NULL OR t - lag(t) OVER (PARTITION BY c, s IS NULL {order}) > {gap} THEN 1 ELSE 0 END AS nf, "
                    f"row_number() OVER (PARTITION BY c {order}) AS pos FROM x), "
                    f"g AS (SELECT *, COALESCE('v' || s, 'g' || CAST(sum(nf) OVER (PARTITION BY c, s IS NULL {order} "
                    "ROWS UNBOUNDED PRECEDING) AS VARCHAR)) AS k FROM f), "
                    "h AS (SELECT *, min(pos) OVER (PARTITION BY c, k) AS fp FROM g) "
                    "SELECT * EXCLUDE (nf, pos, k, fp, s), dense_rank() OVER (PARTITION BY c ORDER BY fp) AS session_number "
                    "FROM h")
        else:
            flag = (f"WITH x AS ({sql}), f AS (SELECT *, CASE WHEN lag(t) OVER (PARTITION BY c {order}) IS NULL "
                    f"OR t - lag(t) OVER (PARTITION BY c {order}) > {gap} THEN 1 ELSE 0 END AS nf FROM x) "
                    f"SELECT * EXCLUDE (nf), sum(nf) OVER (PARTITION BY c {order} ROWS UNBOUNDED PRECEDING) "
                    "AS session_number FROM f")
        # the table's session index: sessions of the customers before (in id order), plus the number
        sql = (f"WITH s AS ({flag}), k AS (SELECT c, max(session_number) AS n FROM s GROUP BY c), "
               "o AS (SELECT c, COALESCE(sum(n) OVER (ORDER BY c ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) "
               "AS off FROM k) SELECT s.*, (o.off + s.session_number - 1)::BIGINT AS session_index FROM s JOIN o "
               "ON o.c = s.c")
    unit = "session_index" if request.unit == "session" else "c"
    sql = f"SELECT *, {unit} AS unit FROM ({sql})"
    if request.collapse:
        sql = (f"SELECT * EXCLUDE (pe) FROM (SELECT *, lag(e) OVER (PARTITION BY unit {order}) AS pe FROM ({sql})) "
               "WHERE pe IS NULL OR pe <> e")
    return sql


def _transitions(con, request: PathRequest, base: str) -> pd.DataFrame:
    """Pairs of consecutive events, counted, with their customers and the median time between.

    The pairs are a temporary table, aggregated twice: the median as the middle of each group
    sorted by time (DuckDB's ``median`` aggregate spilled over 60 GB at 50M events: its per-group
    states do not spill well, sorts do) and customers as distinct (group, customer) rows.
    """
    by = [f"__by{k}" for k in range(len(request.by))]
    keys = ", ".join(["source", "target", *by])
    by_cols = "".join(f", {b}" for b in by)
    con.execute(f"CREATE TEMP TABLE __pairs AS SELECT * FROM (SELECT c, e AS source, lead(e) OVER w AS target{by_cols}, "
                f"lead(t) OVER w - t AS dt FROM ({base}) WINDOW w AS (PARTITION BY unit ORDER BY t, tr, e, row)) "
                "WHERE target IS NOT NULL")
    same = " AND ".join(f"m.{k} IS NOT DISTINCT FROM u.{k}" for k in ["source", "target", *by])
    named = "".join(f", m.{b} AS {quote_name(name)}" for b, name in zip(by, request.by, strict=True))
    sql = (f"WITH m AS (SELECT {keys}, any_value(n) AS transitions, avg(dt) AS median_ns FROM (SELECT {keys}, dt, "
           f"row_number() OVER (PARTITION BY {keys} ORDER BY dt) AS i, count(*) OVER (PARTITION BY {keys}) AS n "
           f"FROM __pairs) WHERE i = (n + 1) // 2 OR i = n // 2 + 1 GROUP BY {keys}), "
           f"u AS (SELECT {keys}, count(*) AS customers FROM (SELECT DISTINCT {keys}, c FROM __pairs) GROUP BY {keys}) "
           f"SELECT m.source, m.target{named}, m.transitions, u.customers, m.median_ns "
           f"FROM m JOIN u ON {same}")
    return con.execute(sql).df()


def _sequences(con, request: PathRequest, base: str) -> pd.DataFrame:
    n = request.steps
    anchor_event = request.start if request.anchor == "start" else request.end
    hit = "1" if anchor_event is None else f"min(CASE WHEN e = {quote_text(anchor_event)} THEN pos END) OVER (PARTITION BY unit)"
    col = "pos - a + 1" if request.anchor == "start" else f"{n} - (a - pos)"
    steps = ", ".join(f"max(CASE WHEN col = {k} THEN e END) AS step_{k}" for k in range(1, n + 1))
    names = ", ".join(f"step_{k}" for k in range(1, n + 1))
    sql = (f"WITH b AS ({base}), p AS (SELECT unit, c, e, row_number() OVER (PARTITION BY unit ORDER BY t, tr, e, row) "
           f"AS pos FROM b), a AS (SELECT *, {hit} AS a FROM p), k AS (SELECT unit, c, e, {col} AS col FROM a "
           f"WHERE a IS NOT NULL), w AS (SELECT unit, any_value(c) AS c, {steps} FROM k WHERE col BETWEEN 1 AND {n} "
           f"GROUP BY unit) SELECT {names}, count(*) AS units, count(DISTINCT c) AS customers FROM w GROUP BY {names}")
    out = con.execute(sql).df()
    for k in range(1, n + 1):
        out[f"step_{k}"] = out[f"step_{k}"].astype(object).where(out[f"step_{k}"].notna(), None)
    return out


def _sessions(con, request: PathRequest, base: str) -> pd.DataFrame:
    """Sessions in input order: rows are dense positions, so the results are scattered back, not sorted."""
    got = con.execute(f"SELECT row, session_number, session_index FROM ({base})").fetchnumpy()
    cols = ", ".join(quote_name(c) for c in request.columns)
    out = con.execute(f"SELECT {cols}, __row FROM src").df()
    where = np.empty(len(out), dtype=np.int64)
    where[out.pop("__row").to_numpy()] = np.arange(len(out))
    out = out.iloc[where].reset_index(drop=True)
    rows = np.asarray(got["row"], dtype=np.int64)
    for name in ("session_number", "session_index"):
        values = np.empty(len(out), dtype=np.int64)
        values[rows] = np.asarray(got[name], dtype=np.int64)
        out[name] = values
    return out


def run(source: Source, request: PathRequest) -> pd.DataFrame:
    """The DuckDB engine: ``run(source, request) -> DataFrame`` (see :mod:`jkit.paths.spec`)."""
    where = source_name(source)
    con = connect()
    try:
        with reported_limits(con, where):
            if isinstance(source, pd.DataFrame):
                _frame_source(con, source, request, where)
            else:
                _file_source(con, source, request, where)
            base = _base_sql(con, request)
            if request.kind == "sessions":
                return _sessions(con, request, base)
            if request.kind == "transitions":
                return _transitions(con, request, base)
            return _sequences(con, request, base)
    finally:
        con.close()
