"""Frames between pandas and Spark, time columns in Spark, and jkit errors out of the executors."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit.errors import DataValidationError, JkitError, MissingResourceError, ParameterError
from jkit.spark.session import get_spark

__all__ = ["NANOS_AS_LONG", "executor_errors", "is_spark_frame", "micros_expr", "micros_from_nanos", "nanos_as_long",
           "nanosecond_parquet", "quiet", "to_spark"]

#: the Spark setting that reads nanosecond Parquet timestamps (pandas' default) as numbers; Spark refuses them otherwise
NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"


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
        out[str(col)] = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    light = pd.DataFrame(out, index=range(len(frame)))  # values by position: a filtered frame's index is not 0…n-1
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


_ERRORS = {"ParameterError": ParameterError, "DataValidationError": DataValidationError,
           "MissingResourceError": MissingResourceError}
_RAISED = re.compile(r"jkit\.errors\.(ParameterError|DataValidationError|MissingResourceError): (.*)")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence PySpark's notice that it does not yet fully support pandas 3 (jkit's Spark code is tested with it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
        yield


@contextlib.contextmanager
def executor_errors() -> Iterator[None]:
    """Re-raise a jkit error raised inside a Spark executor as the same jkit error on the driver."""
    try:
        with quiet():
            yield
    except JkitError:
        raise
    except Exception as exc:  # pyspark wraps worker exceptions in its own classes
        found = _RAISED.search(str(exc))
        if found is None:
            raise
        raise _ERRORS[found.group(1)](found.group(2).strip()) from None


def micros_expr(frame, column: str, where: str):
    """A Spark expression giving ``column`` as microseconds since the epoch (UTC), or None for text.

    Timestamps are instants; ``TIMESTAMP_NTZ`` and dates are taken as UTC wall-clock times (as
    the pandas engine takes naive times); text is left to the executors, which parse it with
    the same code as the pandas engine. Numbers raise a ParameterError.
    """
    from pyspark.sql import functions as F

    kind = dict(frame.dtypes)[column]
    col = F.col(column)
    if kind == "timestamp":
        return F.unix_micros(col)
    if kind == "timestamp_ntz":
        return F.expr(f"timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', `{column}`)")
    if kind == "date":
        return F.unix_date(col).cast("long") * F.lit(86_400_000_000)
    if kind == "string":
        return None
    raise ParameterError(
        f"{where}: column {column!r} holds {kind} values, not times; store times as timestamps or ISO 8601 text"
    )


def nanosecond_parquet(files, column: str) -> bool:
    """True when the first of the Parquet ``files`` stores ``column`` as nanosecond timestamps (pandas' default)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(str(list(files)[0]))
    if column not in schema.names:
        return False
    kind = schema.field(column).type
    return pa.types.is_timestamp(kind) and kind.unit == "ns"


@contextlib.contextmanager
def nanos_as_long(on: bool) -> Iterator[None]:
    """Let Spark read nanosecond Parquet timestamps (as numbers) inside the block, then restore the setting.

    The setting is the session's, so the block should hold every Spark action on those files.
    """
    if not on:
        yield
        return
    conf = get_spark().conf
    before = conf.get(NANOS_AS_LONG, None)
    conf.set(NANOS_AS_LONG, "true")
    try:
        yield
    finally:
        if before is None:
            conf.unset(NANOS_AS_LONG)
        else:
            conf.set(NANOS_AS_LONG, before)


def micros_from_nanos(column: str):
    """A Spark expression flooring a column of nanoseconds (read with :data:`NANOS_AS_LONG`) to microseconds."""
    from pyspark.sql import functions as F

    q = "`" + column.replace("`", "``") + "`"
    return F.expr(f"({q} - pmod({q}, 1000)) div 1000")
