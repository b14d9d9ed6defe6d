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

from jkit._engines import is_spark_frame
from jkit.spark.frames import executor_errors, micros_expr, quiet, to_spark
from jkit.spark.loading import SparkJourneyData, load
from jkit.spark.session import DEFAULT_CONFIG, get_spark, spark_of

__all__ = [
    "DEFAULT_CONFIG",
    "SparkJourneyData",
    "executor_errors",
    "get_spark",
    "is_spark_frame",
    "load",
    "micros_expr",
    "quiet",
    "spark_of",
    "to_spark",
]
