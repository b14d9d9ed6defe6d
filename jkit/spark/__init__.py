"""jkit on Apache Spark: the same analyses, computed on a cluster (or Spark's local mode).

The analyses take ``engine="spark"`` (or a ``pyspark.sql.DataFrame``, which selects Spark by
itself) and give the same results as the pandas and DuckDB engines (see ``docs/spark.md`` for
what is identical and what equal only up to floating-point rounding). Only small results —
funnel journeys, per-customer features, per-group aggregates — come back to the driver::

    spark = jkit.spark.get_spark()                      # the active session, or a local one
    data = jkit.spark.load("s3://lake/journeys/")       # Spark DataFrames + the stage model
    funnel(data.events, ["visit", "cart", "purchase"])  # engine "spark" chosen by the input
    kpi_table(data)                                      # KPIs aggregated in Spark
    customer_features(data)                              # features in Spark, returned as pandas
    score_sentiment(data.feedback)                       # a Spark DataFrame, scored on the executors

pyspark (and Java) are needed only when Spark is used: importing :mod:`jkit.spark` does not
import pyspark.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jkit.errors import MissingResourceError, ParameterError

__all__ = [
    "DEFAULT_CONFIG",
    "SparkJourneyData",
    "get_spark",
    "is_spark_frame",
    "load",
    "to_spark",
    "spark_of",
    "use_spark",
]

#: Settings of the local session :func:`get_spark` creates (a user's own session is left as it is).
DEFAULT_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}


def is_spark_frame(obj: Any) -> bool:
    """True for a ``pyspark.sql.DataFrame`` (classic or Spark Connect), without importing pyspark."""
    cls = type(obj)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")


def use_spark(engine: str | None, data: Any, *, engines: tuple[str, ...] = ("pandas", "spark")) -> bool:
    """Whether an analysis should run on Spark: ``engine="spark"``, or Spark input with ``engine=None``.

    ``data`` is a DataFrame or a study (its ``events`` and ``feedback`` are looked at). Raises a
    ParameterError for an engine not in ``engines`` or a non-Spark engine given Spark input.
    """
    if engine is not None and engine not in engines:
        raise ParameterError(f"engine={engine!r} is not known here; expected one of {', '.join(map(repr, engines))}")
    if engine == "spark":
        return True
    frames = [data] if is_spark_frame(data) else [getattr(data, name, None) for name in ("events", "feedback")]
    spark_input = any(is_spark_frame(f) for f in frames)
    if spark_input and engine is not None:
        raise ParameterError(f"engine={engine!r} cannot read Spark DataFrames; use engine='spark' (or leave it None)")
    return spark_input


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingResourceError(
            "engine='spark' needs PySpark, which is not installed; install it with "
            "`pip install 'jkit[spark]'` (or `pip install pyspark`)"
        ) from None
    return SparkSession


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def get_spark(master: str | None = None, app_name: str = "jkit", *, config: Mapping[str, str] | None = None):
    """The active SparkSession, or a new local one.

    Parameters
    ----------
    master : str, optional
        Spark master URL (``"local[2]"``, ``"spark://host:7077"``, ``"yarn"``…). ``None`` reuses
        the active session when there is one (a Databricks or EMR notebook, ``spark-submit``),
        else starts ``local[*]``.
    app_name : str, default "jkit"
        Name of a new session.
    config : mapping, optional
        Settings for a new session, over :data:`DEFAULT_CONFIG` (Spark UI off, driver on
        127.0.0.1, 8 shuffle partitions, Arrow on, session time zone UTC, no progress bars,
        log level ERROR).

    Returns
    -------
    pyspark.sql.SparkSession

    Examples
    --------
    >>> spark = get_spark("local[2]", config={"spark.sql.shuffle.partitions": "4"})   # doctest: +SKIP
    """
    SparkSession = _require_pyspark()
    if master is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    if not isinstance(master, (str, type(None))) or master == "":
        raise ParameterError(f"master={master!r} should be a Spark master URL such as 'local[2]' or None")
    url = master or "local[*]"
    if url.startswith("local") and not _java_found():
        raise MissingResourceError(
            "Spark needs Java (11 or later), which was not found (no JAVA_HOME, no `java` on PATH); "
            "install it, e.g. `apt-get install openjdk-17-jre-headless` (the Makefile's `java` target does)"
        )
    if url.startswith("local"):
        # local executors run Python workers: make them use this interpreter (and its packages)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(url).appName(app_name)
    for key, value in {**DEFAULT_CONFIG, **dict(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def spark_of(frame: Any = None):
    """The session of a Spark DataFrame, else :func:`get_spark`."""
    if frame is not None and is_spark_frame(frame):
        return frame.sparkSession
    return get_spark()


def to_spark(frame: pd.DataFrame, spark=None, *, row_col: str | None = None):
    """A pandas DataFrame as a Spark DataFrame (UTC timestamps; ``string``/``Int64`` kept as text/long).

    ``row_col`` adds the row position (0-based), which lets Spark break ties as pandas does (by
    row order).
    """
    if is_spark_frame(frame):
        return frame
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"expected a pandas or Spark DataFrame, got {type(frame).__name__}")
    spark = spark or get_spark()
    import pyarrow as pa

    out = {}
    for col in frame.columns:
        values = frame[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert("UTC").dt.as_unit("us")
        elif pd.api.types.is_datetime64_dtype(values.dtype):
            values = values.dt.tz_localize("UTC").dt.as_unit("us")
        out[str(col)] = values
    light = pd.DataFrame(out, index=range(len(frame)))
    if row_col is not None:
        light[row_col] = range(len(frame))
    table = pa.Table.from_pandas(light, preserve_index=False)
    fields = []
    for f in table.schema:
        typ = f.type
        if pa.types.is_large_string(typ) or pa.types.is_string_view(typ) or pa.types.is_null(typ):
            typ = pa.string()
        elif pa.types.is_dictionary(typ):
            typ = typ.value_type
        fields.append(pa.field(f.name, typ))
    table = table.cast(pa.schema(fields))
    return spark.createDataFrame(table)


# --------------------------------------------------------------------------- loading


@dataclass
class SparkJourneyData:
    """The tables of a journey study as Spark DataFrames, and its stage model.

    The Spark counterpart of :class:`jkit.io.JourneyData` (same attribute names), accepted by
    :func:`jkit.funnels.stage_funnel`, :func:`jkit.kpis.kpi_table` and
    :func:`jkit.personas.customer_features`.

    Attributes
    ----------
    customers, events, feedback : pyspark.sql.DataFrame
        ``feedback`` may be ``None`` when the study has none.
    stages : StageModel
    sources : dict of str to str
        Where each table was read from.
    """

    customers: Any
    events: Any
    feedback: Any
    stages: Any
    sources: dict[str, str] = field(default_factory=dict)

    def events_with_stage(self):
        """The events with ``stage`` (text) and ``stage_index`` (0-based) columns, computed in Spark."""
        from pyspark.sql import functions as F

        stage_of = self.stages.stage_of()
        index = self.stages.stage_index()
        stage = F.lit(None).cast("string")
        position = F.lit(None).cast("long")
        for event, name in sorted(stage_of.items(), reverse=True):
            hit = F.col("event") == F.lit(event)
            stage = F.when(hit, F.lit(name)).otherwise(stage)
            position = F.when(hit, F.lit(int(index[name]))).otherwise(position)
        return self.events.withColumn("stage", stage).withColumn("stage_index", position)

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last event time (UTC); runs one small Spark aggregation."""
        from pyspark.sql import functions as F

        row = self.events.agg(F.unix_micros(F.min("timestamp")).alias("a"),
                              F.unix_micros(F.max("timestamp")).alias("b")).collect()[0]
        if row["a"] is None:
            return None, None
        return pd.Timestamp(row["a"], unit="us", tz="UTC"), pd.Timestamp(row["b"], unit="us", tz="UTC")

    def __repr__(self) -> str:
        return f"SparkJourneyData(sources={self.sources}, stages={self.stages.names})"


_TABLES = ("customers", "events", "feedback")


def _find(folder: str, table: str, spark) -> tuple[str, str] | None:
    """(path, format) of a table in a folder: ``events.parquet`` (file or folder), ``events/``, ``events.csv``."""
    local = not folder.split("://")[0] or "://" not in folder or folder.startswith("file://")
    candidates = [(f"{table}.parquet", "parquet"), (table, "parquet"), (f"{table}.csv", "csv"),
                  (f"{table}.csv.gz", "csv")]
    for name, fmt in candidates:
        path = f"{folder.rstrip('/')}/{name}"
        if local:
            if Path(path.removeprefix("file://")).exists():
                return path, fmt
            continue
        try:  # remote storage: let Spark look
            reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
            reader.format(fmt).load(path).schema  # noqa: B018
            return path, fmt
        except Exception:  # noqa: BLE001 - Spark raises its own analysis errors
            continue
    return None


def _typed(frame, table: str):
    """Contract types in Spark: timestamps as TIMESTAMP (UTC), ids and labels as text, scores as long."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from jkit.schema import TABLES

    kinds = {s.name: s.kind for s in TABLES[table]}
    for col, typ in frame.dtypes:
        kind = kinds.get(col)
        if kind == "timestamp":
            if typ == "string":
                frame = frame.withColumn(col, F.to_timestamp(F.col(col)))
            elif typ == "timestamp_ntz":  # wall-clock times are taken as UTC, as jkit.load does
                frame = frame.withColumn(col, F.to_utc_timestamp(F.col(col).cast("timestamp"), F.current_timezone()))
            elif typ == "date":
                frame = frame.withColumn(col, F.col(col).cast(T.TimestampType()))
        elif kind == "integer" and typ != "bigint":
            frame = frame.withColumn(col, F.col(col).cast("long"))
        elif kind == "number" and typ != "double":
            frame = frame.withColumn(col, F.col(col).cast("double"))
        elif kind == "id" and typ != "string":
            frame = frame.withColumn(col, F.col(col).cast("string"))
    return frame


def load(path: str | Path, spark=None, *, stages: Any = None) -> SparkJourneyData:
    """Read a journey study into Spark: ``customers``, ``events`` and optionally ``feedback``.

    Parameters
    ----------
    path : str or Path
        A folder (local, ``hdfs://``, ``s3://``, ``abfss://``, ``dbfs:/``…) holding
        ``customers``, ``events`` and ``feedback`` as Parquet (a file or a folder of part files)
        or CSV with a header, and optionally ``stages.yaml`` (local folders only).
    spark : SparkSession, optional
        Default :func:`get_spark` (the active session or a local one).
    stages : template name, path, dict or StageModel, optional
        The stage model; default the folder's ``stages.yaml``, else ``five_stage``.

    Returns
    -------
    SparkJourneyData
        Spark DataFrames with the contract's column types (timestamps as UTC ``TIMESTAMP``,
        ids as text, survey scores as ``BIGINT``). Rows are not validated one by one — run
        :func:`jkit.load` on a sample for the full data-contract check.

    Examples
    --------
    >>> data = jkit.spark.load("s3://lake/journeys/")     # doctest: +SKIP
    """
    from jkit.stages import load_stage_model

    spark = spark or get_spark()
    folder = str(path)
    if stages is None and Path(folder).is_dir() and (Path(folder) / "stages.yaml").exists():
        stages = Path(folder) / "stages.yaml"
    model = load_stage_model(stages)
    tables: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for table in _TABLES:
        found = _find(folder, table, spark)
        if found is None:
            if table == "feedback":
                tables[table] = None
                continue
            raise MissingResourceError(
                f"{folder}: no {table} table; expected {table}.parquet, {table}/ (Parquet parts) or {table}.csv"
            )
        where, fmt = found
        reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
        frame = reader.format(fmt).load(where)
        tables[table] = _typed(frame, table)
        sources[table] = where
    for table, needed in (("customers", ["customer_id"]), ("events", ["customer_id", "timestamp", "event"])):
        missing = [c for c in needed if c not in tables[table].columns]
        if missing:
            raise MissingResourceError(
                f"{sources[table]}: no column {missing[0]!r}; found columns {', '.join(map(repr, tables[table].columns))}"
            )
    return SparkJourneyData(tables["customers"], tables["events"], tables["feedback"], model, sources)
