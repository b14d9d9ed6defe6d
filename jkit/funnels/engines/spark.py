"""The Spark funnel engine: events coded in Spark, grouped by customer bucket, solved by the numpy kernel.

How it runs (``funnel(spark_df, steps)`` or ``engine="spark"``):

1. Spark reads only the needed columns, keeps only step and excluded events (every event in
   strict mode), codes each event name as a small step code and each time as microseconds.
2. Rows are hashed on the customer into ``B`` buckets (``spark.sql.shuffle.partitions``), so
   every customer's events land in one bucket; ``groupBy(bucket).applyInPandas`` runs
   :func:`jkit.funnels.kernel.solve` once per bucket on the executors — the same kernel as the
   pandas and DuckDB engines, so the semantics cannot differ.
3. Each bucket returns one row per customer who entered (furthest step, step times, ``by``
   values, excluded flag) and one row of counts; only these come back to the driver (through
   Arrow), never the events.

Times: Spark stores microseconds, so times finer than a microsecond are cut to the microsecond
(text times are parsed on the executors with the pandas engine's parser, at full precision).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jkit.errors import ParameterError
from jkit.funnels.coding import engine_result, group_codes, set_aside_counts, solve_rows, utc_ns
from jkit.funnels.kernel import NAT, KernelResult
from jkit.funnels.spec import EngineResult, FunnelSpec, Source, check_columns, expand_paths, file_kind, source_name
from jkit.spark import get_spark, is_spark_frame, to_spark
from jkit.spark.frames import executor_errors, micros_expr, micros_from_nanos, nanos_as_long, nanosecond_parquet, quiet

__all__ = ["run"]

_STATS = "__stats"


def _read(source: Source, spec: FunnelSpec):
    """(Spark DataFrame, display name) of any accepted source."""
    if is_spark_frame(source):
        return source, "events (Spark)"
    if isinstance(source, pd.DataFrame):
        where = source_name(source)
        check_columns(list(source.columns), spec, where)
        return to_spark(source[spec.columns], get_spark()), where
    files = expand_paths(source)
    where = source_name(source)
    spark = get_spark()
    paths = [str(Path(f).resolve()) for f in files]
    with quiet():
        if file_kind(files[0]) == "parquet":
            frame = spark.read.option("mergeSchema", "true").parquet(*paths)
        else:
            frame = spark.read.option("header", "true").csv(paths)
    return frame, where


def _bucket_solver(spec: FunnelSpec, text_time: bool, where: str, by_names: list[str]):
    """The function each bucket runs on the executors (a closure shipped by cloudpickle)."""
    n = spec.n
    end_ns = None if spec.end is None else int(spec.end.value)

    def solve_bucket(frame: pd.DataFrame) -> pd.DataFrame:
        s = frame["__s"].to_numpy(dtype=np.int64)
        counts = np.bincount(s, minlength=n + 2)
        if text_time:
            t = utc_ns(frame["__t"], where=where, column=spec.time_col)
        else:
            micros = frame["__t"]
            missing_t = micros.isna().to_numpy()
            t = micros.fillna(0).to_numpy(dtype=np.int64) * 1000
            t[missing_t] = NAT
        bad = frame["__c"].isna().to_numpy() | (t == NAT)
        n_bad = int(bad.sum())
        n_late = 0
        if end_ns is not None:
            late = ~bad & (t > end_ns)
            n_late = int(late.sum())
            bad |= late
        keep = ~bad
        rows = frame.loc[keep].reset_index(drop=True)
        t, s = t[keep], s[keep]
        cols = {"__c": [], **({"__u": []} if spec.unit == "session" else {}),
                **({"__a": []} if spec.count == "total" else {}), **{g: [] for g in by_names}, "reached": [], "excluded": [],
                **{f"t_{k + 1}": [] for k in range(n)}}
        out = pd.DataFrame(cols)
        start = end = NAT
        if len(rows):
            by_frame = rows[by_names] if by_names else None
            units = rows[["__c", "__u"]] if spec.unit == "session" else rows[["__c"]]
            result, unit_values, groups = solve_rows(units, t, s.astype(np.int8), by_frame, spec)
            start, end = result.data_start, result.data_end
            picked_units = unit_values.iloc[result.customer]
            data = {"__c": picked_units.iloc[:, 0].to_numpy()}
            if spec.unit == "session":
                data["__u"] = picked_units.iloc[:, 1].to_numpy()
            if result.attempt is not None:
                data["__a"] = result.attempt.astype(np.int64)
            if by_names:
                picked = groups.iloc[result.group].reset_index(drop=True)
                for g in by_names:
                    data[g] = picked[g].to_numpy()
            data["reached"] = result.reached.astype(np.int64)
            data["excluded"] = result.excluded.astype(bool)
            for k in range(n):
                col = result.times[:, k]
                arr = pd.array(col, dtype="Int64")
                arr[col == NAT] = pd.NA
                data[f"t_{k + 1}"] = arr
            out = pd.DataFrame(data)
        out[_STATS] = None
        stats = pd.DataFrame({c: [None] for c in out.columns})
        stats.at[0, _STATS] = [*map(int, counts[: n + 2]), n_bad, n_late, int(start), int(end)]
        return pd.concat([out, stats], ignore_index=True) if len(out) else stats

    return solve_bucket


def run(source: Source, spec: FunnelSpec) -> EngineResult:
    """The Spark engine: ``run(source, spec) -> EngineResult`` (see the module docstring).

    ``source`` is a ``pyspark.sql.DataFrame``, a pandas DataFrame (sent to Spark), or paths to
    Parquet/CSV files (read by the active or a local SparkSession).
    """
    files = [] if is_spark_frame(source) or isinstance(source, pd.DataFrame) else expand_paths(source)
    nanos = bool(files) and file_kind(files[0]) == "parquet" and nanosecond_parquet(files, spec.time_col)
    with nanos_as_long(nanos):  # pandas writes nanosecond times, which Spark reads only as numbers
        return _run(source, spec, nanos)


def _run(source: Source, spec: FunnelSpec, nanos: bool) -> EngineResult:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    frame, where = _read(source, spec)
    check_columns(list(frame.columns), spec, where)
    spark = frame.sparkSession
    micros = micros_from_nanos(spec.time_col) if nanos else micros_expr(frame, spec.time_col, where)
    text_time = micros is None
    code_of = spec.code_of
    code = F.lit(spec.n if spec.order == "strict" else -1)
    for event, k in sorted(code_of.items()):
        code = F.when(F.col(spec.event_col) == F.lit(event), F.lit(k)).otherwise(code)
    events = frame
    if spec.order != "strict":
        events = events.where(F.col(spec.event_col).isin(sorted(code_of)))
    by_names = [f"__g{i}" for i in range(len(spec.by))]
    buckets = max(int(spark.conf.get("spark.sql.shuffle.partitions", "8")), 1)
    cust = F.col(spec.customer_col)
    coded = events.select(
        F.pmod(F.hash(cust), F.lit(buckets)).alias("__b"),
        cust.alias("__c"),
        *([F.col(spec.session_col).alias("__u")] if spec.unit == "session" else []),
        (F.col(spec.time_col) if text_time else micros).alias("__t"),
        code.cast("byte").alias("__s"),
        *[F.col(b).alias(g) for b, g in zip(spec.by, by_names, strict=True)],
    )
    types = dict(zip(frame.columns, [f.dataType for f in frame.schema.fields], strict=True))
    schema = T.StructType(
        [T.StructField("__c", types[spec.customer_col])]
        + ([T.StructField("__u", types[spec.session_col])] if spec.unit == "session" else [])
        + ([T.StructField("__a", T.LongType())] if spec.count == "total" else [])
        + [T.StructField(g, types[b]) for b, g in zip(spec.by, by_names, strict=True)]
        + [T.StructField("reached", T.LongType()), T.StructField("excluded", T.BooleanType())]
        + [T.StructField(f"t_{k + 1}", T.LongType()) for k in range(spec.n)]
        + [T.StructField(_STATS, T.ArrayType(T.LongType()))]
    )
    solver = _bucket_solver(spec, text_time, where, by_names)
    with executor_errors():
        table = coded.groupBy("__b").applyInPandas(solver, schema).toArrow()
    return _assemble(table, spec, by_names, where)


def _assemble(table, spec: FunnelSpec, by_names: list[str], where: str) -> EngineResult:
    """Driver side: add up the buckets' counts and turn their journey rows into the journeys table."""
    import pyarrow.compute as pc

    is_stats = pc.is_valid(table.column(_STATS)).to_numpy(zero_copy_only=False)
    stats = np.asarray(table.column(_STATS).filter(is_stats).to_pylist(), dtype=np.int64).reshape(-1, spec.n + 6)
    rows = table.filter(pc.invert(pc.is_valid(table.column(_STATS))))
    counts = stats[:, : spec.n + 2].sum(axis=0) if len(stats) else np.zeros(spec.n + 2, np.int64)
    n_bad = int(stats[:, spec.n + 2].sum()) if len(stats) else 0
    n_late = int(stats[:, spec.n + 3].sum()) if len(stats) else 0
    starts = stats[:, spec.n + 4] if len(stats) else np.zeros(0, np.int64)
    ends = stats[:, spec.n + 5] if len(stats) else np.zeros(0, np.int64)
    seen = starts != NAT
    m = rows.num_rows
    customers = rows.column("__c").to_pandas()
    customers = customers.to_numpy(dtype=np.int64) if pd.api.types.is_integer_dtype(customers.dtype) \
        else customers.to_numpy(dtype=object)
    keys = pd.DataFrame({"c": customers})
    if spec.unit == "session":
        keys["u"] = rows.column("__u").to_pandas().to_numpy(dtype=object)
        customers = pd.DataFrame({spec.customer_col: customers, spec.session_col: keys["u"].to_numpy()})
    if spec.count == "total":
        keys["a"] = rows.column("__a").to_numpy(zero_copy_only=False)
    times = np.full((m, spec.n), NAT, dtype=np.int64)
    for k in range(spec.n):
        col = rows.column(f"t_{k + 1}")
        times[:, k] = pc.fill_null(col, NAT).to_numpy(zero_copy_only=False) if m else []
    group = groups = None
    if spec.by:
        by_frame = rows.select(by_names).to_pandas()
        by_frame.columns = list(spec.by)
        group, groups = group_codes(by_frame, spec.by)
    result = KernelResult(
        customer=np.arange(m, dtype=np.int64),
        reached=rows.column("reached").to_numpy(zero_copy_only=False).astype(np.int8),
        times=times,
        group=group,
        excluded=rows.column("excluded").to_numpy(zero_copy_only=False).astype(bool),
        data_start=int(starts[seen].min()) if seen.any() else None,
        data_end=int(ends[seen].max()) if seen.any() else None,
        attempt=keys["a"].to_numpy(dtype=np.int64) if spec.count == "total" else None,
    )
    if keys.duplicated().any():  # pragma: no cover - a customer split over buckets would be a bug
        raise ParameterError(f"{where}: a customer appears in two buckets; please report this")
    return engine_result(result, customers, groups, spec, counts=counts,
                         set_aside=set_aside_counts(n_bad, n_late), where=where)
