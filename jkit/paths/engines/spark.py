"""The Spark paths engine: the DuckDB engine's window functions, as Spark DataFrame operations.

The events stay on the cluster: sessions are cut with ``lag`` and running sums over windows
partitioned by customer, transitions with ``lead`` over windows partitioned by unit, sequences
with ``row_number``; only the grouped results (one row per transition or per distinct sequence)
come back to the driver, through Arrow. ``sessions`` of a Spark DataFrame returns a Spark
DataFrame (nothing is collected); of a pandas DataFrame or Parquet files, pandas as the other
engines do.

Sources: a ``pyspark.sql.DataFrame``; a pandas DataFrame (checked and its times read by the
same code as the pandas engine, :mod:`jkit.paths.frames`, then sent with
:func:`jkit.spark.to_spark`); Parquet files (``spark.read.parquet`` of the active or a local
SparkSession).

Input order (the last tie rule): a pandas DataFrame's row; for files, the row's place in the
files in the order :func:`jkit.funnels.spec.expand_paths` lists them (the file's offset plus
Spark's ``_metadata.row_index``), exactly as the pandas and DuckDB engines count it; for a Spark
DataFrame, ``monotonically_increasing_id()`` taken once when the engine reads it (it follows the
partitions' order, so it is the input order of a frame read from files or built from a list).

Times: Spark stores microseconds, so times finer than a microsecond are cut to the microsecond
(floored: a pandas DataFrame's nanoseconds, and Parquet files written with nanosecond timestamps,
pandas' default, which Spark can read only as numbers: the engine turns on
``spark.sql.legacy.parquet.nanosAsLong`` while it reads them and restores it after); ``median_ns`` is Spark's exact ``median``
(interpolating between the two middle values, as pandas does) in nanoseconds. Text times of a
Spark DataFrame or file are read by Spark (``try_to_timestamp``: ISO 8601, with or without an
offset; text without one is in the session time zone, UTC in jkit's local session).

The session index (sessions numbered over the table, customers in id order) is a running sum
over one row per customer, which Spark computes in one partition: the customers, not the events.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jkit.errors import ParameterError, describe_values
from jkit.funnels.spec import expand_paths, file_kind
from jkit.paths.frames import check_frame, empty_values_error, parquet_files, plain_columns, row_offsets, time_ns
from jkit.paths.spec import PathRequest, Source, check_columns, source_name
from jkit.spark import get_spark, is_spark_frame, micros_expr, quiet, to_spark
from jkit.spark.frames import micros_from_nanos, nanos_as_long, nanosecond_parquet

__all__ = ["run"]

_T, _ROW = "__jk_t", "__jk_row"
#: the rules' order of events within a unit: time, tie rank, event name (after mapping), input order
_ORDER = ("__t", "__tr", "__e", "__r")
_NOT_TIME = ("; store times as timestamps or ISO 8601 text, or read the file with jkit.load() and pass the "
             "DataFrame")


def _from_pandas(frame: pd.DataFrame, request: PathRequest, where: str):
    """A checked pandas frame as Spark: the columns read, times as microseconds, the row position."""
    check_frame(frame, request, where)
    part = plain_columns(frame, request.columns)
    part[_T] = time_ns(frame, request, where) // 1000
    return to_spark(part, get_spark(), row_col=_ROW)


def _from_files(source: Source, request: PathRequest, where: str):
    """Parquet files as Spark, with each row's place in the files as the pandas engine counts it."""
    from urllib.parse import unquote, urlparse

    from pyspark.sql import functions as F

    files = parquet_files(source)
    resolved = [Path(f).resolve() for f in files]
    starts = row_offsets(files)
    with quiet():
        frame = get_spark().read.option("mergeSchema", "true").parquet(*[str(f) for f in resolved])
    offsets = []
    for uri in frame.inputFiles():  # Spark's own spelling of each file, as _metadata.file_path spells it
        local = Path(unquote(urlparse(uri).path)).resolve()
        if local not in resolved:  # pragma: no cover - Spark read a file jkit did not list
            raise ParameterError(f"{where}: Spark read {uri}, which is not among the files given")
        offsets += [F.lit(_spark_path(uri)), F.lit(int(starts[resolved.index(local)]))]
    place = F.try_element_at(F.create_map(*offsets), _spark_path(F.col("_metadata.file_path")))
    return frame.select("*", (place + F.col("_metadata.row_index")).cast("long").alias(_ROW))


def _spark_path(uri):
    """A file URI in one spelling (``file:/x`` and ``file:///x`` are the same file); text or a Column."""
    from pyspark.sql import functions as F

    if isinstance(uri, str):
        return uri.replace("file:///", "file:/", 1) if uri.startswith("file:///") else uri
    return F.regexp_replace(uri, "^file:///", "file:/")


def _with_times(frame, request: PathRequest, where: str, nanos: bool = False):
    """The frame with ``__jk_t`` (microseconds), after counting events without customer, time or name."""
    from pyspark.sql import functions as F

    column = request.time_col
    if nanos:  # nanoseconds read as numbers: floored to the microsecond, in exact integer arithmetic
        micros = micros_from_nanos(column)
    elif dict(frame.dtypes)[column] == "string":
        micros = F.unix_micros(F.try_to_timestamp(_col(column)))
    else:
        try:
            micros = micros_expr(frame, column, where)
        except ParameterError:
            kind = dict(frame.dtypes)[column]
            raise ParameterError(f"{where}: column {column!r} is {kind}, not a time{_NOT_TIME}") from None
    roles = [(request.customer_col, "customer_col"), (column, "time_col"), (request.event_col, "event_col")]
    counts = [F.sum(_col(c).isNull().cast("long")) for c, _ in roles]
    counts.append(F.sum((_col(column).isNotNull() & micros.isNull()).cast("long")))
    with quiet():
        found = [int(v or 0) for v in frame.agg(*counts).first()]
    for (col, role), n in zip(roles, found, strict=False):
        if n:
            raise empty_values_error(where, col, role, n)
    if found[3]:
        with quiet():
            bad = [r[0] for r in frame.where(_col(column).isNotNull() & micros.isNull()).select(_col(column)).limit(3).collect()]
        raise ParameterError(f"{where}: column {column!r}: cannot read {describe_values(bad)} as a date/time in "
                             f"{found[3]:,} events; expected ISO 8601 text or datetimes")
    return frame.withColumn(_T, micros)


def _read(source, request: PathRequest, where: str, nanos: bool):
    """The events as a Spark frame holding their columns, ``__jk_t`` and ``__jk_row``."""
    if isinstance(source, pd.DataFrame):
        return _from_pandas(source, request, where)
    if is_spark_frame(source):
        from pyspark.sql import functions as F

        check_columns(list(source.columns), request, where)
        frame = source.select("*", F.monotonically_increasing_id().alias(_ROW))
    else:
        frame = _from_files(source, request, where)
        check_columns(list(frame.columns), request, where)
    return _with_times(frame, request, where, nanos)


def _base(frame, request: PathRequest, carry: list[str]):
    """``__c``, ``__t``, ``__e`` (after mapping), ``__r``, ``__tr`` (tie rank), ``__b<i>`` (by) and ``__s``."""
    from pyspark.sql import functions as F

    event = _col(request.event_col).cast("string")
    if request.mapping:
        pairs = [F.lit(v) for item in sorted(request.mapping.items()) for v in item]
        event = F.coalesce(F.try_element_at(F.create_map(*pairs), event), event)
    rank = F.lit(0)
    if request.tie_order:
        rank = F.lit(len(request.tie_order))
        for k, name in reversed(list(enumerate(request.tie_order))):
            rank = F.when(F.col("__e") == F.lit(name), F.lit(k)).otherwise(rank)
    cols = [_col(c) for c in carry] + [
        _col(request.customer_col).alias("__c"), F.col(_T).alias("__t"), event.alias("__e"), F.col(_ROW).alias("__r"),
        *[_col(b).alias(f"__b{i}") for i, b in enumerate(request.by)],
    ]
    if request.needs_sessions and request.session_source == "column":
        cols.append(F.nullif(_col(request.session_col).cast("string"), F.lit("")).alias("__s"))
    return frame.select(*cols).withColumn("__tr", rank)


def _gap_flag(prev_t, gap_us: int):
    """1 where a new session starts: a customer's first event, or more than the gap after the previous one."""
    from pyspark.sql import functions as F

    return (prev_t.isNull() | ((F.col("__t") - prev_t) > F.lit(gap_us))).cast("long")


def _col(name: str):
    """A user's column by its name (dots and backticks in it taken literally)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _sessions_of(x, request: PathRequest):
    """``__sn``: the session number within the customer (1, 2… by the session's first event)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    gap_us = request.gap_ns // 1000  # times are whole microseconds: a difference above gap_ns/1000 is above its floor
    running = Window.unboundedPreceding, Window.currentRow
    by_customer = Window.partitionBy("__c").orderBy(*_ORDER)
    if request.session_source == "gap":
        x = x.withColumn("__nf", _gap_flag(F.lag("__t").over(by_customer), gap_us))
        return x.withColumn("__sn", F.sum("__nf").over(by_customer.rowsBetween(*running))).drop("__nf")
    # events with a session id are that session; those without are cut by the gap among themselves
    among = Window.partitionBy("__c", F.col("__s").isNull()).orderBy(*_ORDER)
    x = x.withColumn("__nf", _gap_flag(F.lag("__t").over(among), gap_us))
    x = x.withColumn("__pos", F.row_number().over(by_customer))
    key = F.coalesce(F.concat(F.lit("v"), F.col("__s")),
                     F.concat(F.lit("g"), F.sum("__nf").over(among.rowsBetween(*running)).cast("string")))
    x = x.withColumn("__k", key)
    x = x.withColumn("__fp", F.min("__pos").over(Window.partitionBy("__c", "__k")))
    x = x.withColumn("__sn", F.dense_rank().over(Window.partitionBy("__c").orderBy("__fp")).cast("long"))
    return x.drop("__nf", "__pos", "__k", "__fp", "__s")


def _unit(request: PathRequest) -> str:
    """The column of the unit: the customer, or the session over the table. Windows are partitioned by
    it directly, so Spark reuses the customer partitioning instead of shuffling a copy of the column."""
    return "__si" if request.unit == "session" else "__c"


def _ordered(frame, request: PathRequest, carry: list[str]):
    """The events with sessions (``__sn``, ``__si``) when needed, repeats collapsed within the unit."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    x = _base(frame, request, carry)
    if request.needs_sessions:
        x = _sessions_of(x, request)
        per = x.groupBy("__c").agg(F.max("__sn").alias("__n"))
        before = Window.orderBy("__c").rowsBetween(Window.unboundedPreceding, -1)
        offsets = per.select("__c", F.coalesce(F.sum("__n").over(before), F.lit(0)).alias("__off"))
        x = x.join(offsets, on="__c").withColumn("__si", (F.col("__off") + F.col("__sn") - 1).cast("long"))
        x = x.drop("__off")
    if request.collapse:
        previous = F.lag("__e").over(Window.partitionBy(_unit(request)).orderBy(*_ORDER))
        x = x.withColumn("__pe", previous).where(F.col("__pe").isNull() | (F.col("__pe") != F.col("__e")))
        x = x.drop("__pe")
    return x


def _collect(frame) -> pd.DataFrame:
    with quiet():
        return frame.toArrow().to_pandas()


def _transitions(x, request: PathRequest) -> pd.DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    within = Window.partitionBy(_unit(request)).orderBy(*_ORDER)
    by = [f"__b{i}" for i in range(len(request.by))]
    pairs = x.select("__c", "__t", "__e", *by, F.lead("__e").over(within).alias("__ne"),
                     F.lead("__t").over(within).alias("__nt")).where(F.col("__ne").isNotNull())
    grouped = pairs.groupBy("__e", "__ne", *by).agg(
        F.count(F.lit(1)).alias("transitions"), F.countDistinct("__c").alias("customers"),
        (F.median(F.col("__nt") - F.col("__t")) * F.lit(1000.0)).alias("median_ns"))
    out = _collect(grouped).rename(columns={"__e": "source", "__ne": "target",
                                            **{f"__b{i}": b for i, b in enumerate(request.by)}})
    for name in ("transitions", "customers"):
        out[name] = out[name].astype(np.int64)
    return out[["source", "target", *request.by, "transitions", "customers", "median_ns"]]


def _sequences(x, request: PathRequest) -> pd.DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n = request.steps
    unit = _unit(request)
    ranked = F.row_number().over(Window.partitionBy(unit).orderBy(*_ORDER)).alias("__pos")
    p = x.select(*dict.fromkeys([unit, "__c"]), "__e", ranked)
    anchor_event = request.start if request.anchor == "start" else request.end
    if anchor_event is None:
        p = p.where(F.col("__pos") <= n).withColumn("__a", F.lit(1))
    else:
        hit = F.min(F.when(F.col("__e") == F.lit(anchor_event), F.col("__pos"))).over(Window.partitionBy(unit))
        p = p.withColumn("__a", hit).where(F.col("__a").isNotNull())
    col = (F.col("__pos") - F.col("__a") + 1) if request.anchor == "start" else (F.lit(n) - (F.col("__a") - F.col("__pos")))
    p = p.withColumn("__col", col).where(F.col("__col").between(1, n))
    names = [f"step_{k}" for k in range(1, n + 1)]
    wide = p.groupBy(unit).agg(F.min("__c").alias("__cu"),
                                *[F.max(F.when(F.col("__col") == k, F.col("__e"))).alias(f"step_{k}")
                                  for k in range(1, n + 1)])
    counted = wide.groupBy(*names).agg(F.count(F.lit(1)).alias("units"), F.countDistinct("__cu").alias("customers"))
    out = _collect(counted)
    for name in names:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    for name in ("units", "customers"):
        out[name] = out[name].astype(np.int64)
    return out[[*names, "units", "customers"]]


def _sessions(x, source, request: PathRequest, carry: list[str], nanos: bool):
    """Spark in, Spark out (the events with ``session_number`` and ``session_index``); else pandas in input order."""
    from pyspark.sql import functions as F

    if is_spark_frame(source):
        return x.select(*[_col(c) for c in carry], F.col("__sn").cast("long").alias("session_number"),
                        F.col("__si").alias("session_index"))
    got = _collect(x.select(*[_col(c) for c in carry], "__r", "__sn", "__si"))
    got = got.iloc[np.argsort(got["__r"].to_numpy(dtype=np.int64), kind="stable")].reset_index(drop=True)
    out = source[list(request.columns)].reset_index(drop=True).copy() if isinstance(source, pd.DataFrame) \
        else got[carry].copy()
    if nanos:  # files whose times Spark read as nanosecond numbers: give them back as times
        out[request.time_col] = pd.to_datetime(out[request.time_col].to_numpy(dtype=np.int64), unit="ns", utc=True)
    out["session_number"] = got["__sn"].to_numpy(dtype=np.int64)
    out["session_index"] = got["__si"].to_numpy(dtype=np.int64)
    return out


def run(source: Source, request: PathRequest):
    """The Spark engine: ``run(source, request) -> DataFrame`` (see :mod:`jkit.paths.spec` and the module docstring).

    ``source`` is a ``pyspark.sql.DataFrame``, a pandas DataFrame (sent to Spark) or paths to Parquet
    files. Every kind returns pandas, except ``"sessions"`` of a Spark DataFrame, which returns the
    Spark DataFrame of the events with ``session_number`` and ``session_index`` added.
    """
    where = "events" if is_spark_frame(source) else source_name(source)
    files = not isinstance(source, pd.DataFrame) and not is_spark_frame(source)
    listed = expand_paths(source) if files else []
    nanos = bool(listed) and file_kind(listed[0]) == "parquet" and nanosecond_parquet(listed, request.time_col)
    if request.kind == "sessions" and is_spark_frame(source):
        carry = [c for c in source.columns if c not in ("session_number", "session_index")]
    else:
        carry = list(request.columns) if request.kind == "sessions" and files else []
    with nanos_as_long(nanos):
        x = _ordered(_read(source, request, where, nanos), request, carry)
        if request.kind == "sessions":
            return _sessions(x, source, request, carry, nanos)
        if request.kind == "transitions":
            return _transitions(x, request)
        return _sequences(x, request)
