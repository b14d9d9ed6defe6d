"""Reading a journey study into Spark DataFrames (:func:`load`) and the study they make (:class:`SparkJourneyData`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jkit._rules import require_columns
from jkit.errors import MissingResourceError
from jkit.spark.session import get_spark

__all__ = ["SparkJourneyData", "load"]


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
        require_columns(tables[table], needed, sources[table])
    return SparkJourneyData(tables["customers"], tables["events"], tables["feedback"], model, sources)
