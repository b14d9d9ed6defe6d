"""The Spark KPI engine: each KPI reduced in Spark to per-group counts and moments (see :mod:`jkit.kpis.aggregates`).

:func:`jkit.kpis.kpi_table` with ``engine="spark"`` (or Spark tables from :func:`jkit.spark.load`)
reads a study through :class:`SparkKPIs`. Spark computes, per group, the counts behind every
rate (exact) and the count, mean and standard deviation behind every mean (AOV, CES, CLV,
revenue per customer); the driver receives one row per group, and :mod:`jkit.kpis.aggregates`
turns them into rates, Wilson and Student-t intervals with the code the pandas engine uses.
Counts and rates are identical to pandas; means and their intervals are equal up to
floating-point rounding (sums added in another order), about 1e-12 relative.

Ties: churn reads a ``by`` column on each customer's last event. pandas breaks ties in time by
row order; Spark data has no row order, so ties are broken by the largest ``by`` value — unless
the data came from pandas (``engine="spark"`` on a :class:`~jkit.io.JourneyData`), where the row
order is carried along and the result is identical.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit._rules import period_code, require_columns
from jkit.errors import ParameterError
from jkit.kpis.aggregates import SCALES, Moments, check_by, finish, group_columns, grouped
from jkit.spark import spark_of, to_spark
from jkit.spark.frames import executor_errors, micros_expr

__all__ = ["SparkKPIs"]

_ROW = "__row"
_TRUNC = {"D": "DAY", "W": "WEEK", "M": "MONTH", "Q": "QUARTER", "Y": "YEAR"}
_EPOCH = "TIMESTAMP_NTZ'1970-01-01 00:00:00'"


def _purchase(col: str, purchase_events: Sequence[str]):
    from pyspark.sql import functions as F

    events = [purchase_events] if isinstance(purchase_events, str) else list(purchase_events)
    return F.coalesce(F.col(col).isin(events), F.lit(False))


def _with_period(frame, period: str | None, time_col: str, where: str):
    """Add ``period``: the start of the UTC day/week (Monday)/month/quarter/year, in microseconds."""
    from pyspark.sql import functions as F

    if period is None:
        return frame
    code = period_code(period)
    micros = micros_expr(frame, time_col, where)
    wall = F.expr(f"timestampadd(MICROSECOND, __m, {_EPOCH})")
    start = F.expr(f"timestampdiff(MICROSECOND, {_EPOCH}, date_trunc('{_TRUNC[code]}', __w))")
    return (frame.withColumn("__m", micros).withColumn("__w", wall).withColumn("period", start)
            .drop("__m", "__w"))


def _counts(small: pd.DataFrame, groups: list[str], sums: list[str]) -> pd.DataFrame:
    """Per-group counts collected from Spark, grouped and finished as the pandas engine's, as integers."""
    out = finish(grouped(small, groups).agg(**{k: (k, "sum") for k in sums}), groups)
    for col in sums:
        out[col] = out[col].astype(np.int64)
    return out


def _moments(frame, groups: list[str], value: str):
    from pyspark.sql import functions as F

    return frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("__n"), F.avg(value).alias("__mean"),
                                      F.stddev_samp(value).alias("__sd"))


def _moment_rows(stats: pd.DataFrame, groups: list[str]) -> list[Moments]:
    rows = []
    for key, part in (grouped(stats, groups) if len(stats) else []):
        sd = part["__sd"].iloc[0]
        rows.append((key if isinstance(key, tuple) else (key,), int(part["__n"].iloc[0]),
                     float(part["__mean"].iloc[0]), float("nan") if pd.isna(sd) else float(sd)))
    return rows


def _revenue(frame, purchase_events, event_col="event", revenue_col="revenue"):
    from pyspark.sql import functions as F

    amount = F.coalesce(F.col(revenue_col).cast("double"), F.lit(0.0))
    return F.when(_purchase(event_col, purchase_events), amount).otherwise(F.lit(0.0))


def _feedback_checks(fb) -> tuple[int, dict[str, int]]:
    """Rows of feedback, answers per score column; raises on a score outside its scale."""
    from pyspark.sql import functions as F

    present = [c for c in SCALES if c in fb.columns]
    aggs = [F.count(F.lit(1)).alias("__rows")]
    for c in present:
        low, high = SCALES[c]
        aggs.append(F.count(F.col(c)).alias(f"n_{c}"))
        aggs.append(F.first(F.when((F.col(c) < low) | (F.col(c) > high), F.col(c)), ignorenulls=True).alias(f"bad_{c}"))
    with executor_errors():
        row = fb.agg(*aggs).collect()[0].asDict()
    for c in present:
        if row[f"bad_{c}"] is not None:
            low, high = SCALES[c]
            raise ParameterError(f"feedback: column {c!r} holds {float(row[f'bad_{c}']):g}; "
                                 f"expected scores from {low} to {high}")
    return int(row["__rows"]), {c: int(row[f"n_{c}"]) for c in present}


def _has_values(frame, col: str) -> bool:
    """True when ``col`` holds at least one number (text that is not a number counts as missing, as in pandas)."""
    from pyspark.sql import functions as F

    if col not in frame.columns:
        return False
    with executor_errors():
        return bool(frame.agg(F.count(F.col(col).try_cast("double"))).collect()[0][0])


class SparkKPIs:
    """A study's tables in Spark for :func:`jkit.kpis.kpi_table` (the :class:`~jkit.kpis.aggregates.KPISource`).

    Parameters
    ----------
    data : SparkJourneyData or JourneyData
        Spark tables (:func:`jkit.spark.load`), or pandas tables sent to Spark.
    by : list of str
        The group columns; customer attributes among them are joined to events and feedback.
    attributes : DataFrame, optional
        More customer attributes keyed by ``customer_id`` (pandas or Spark).
    revenue_col : str
        The events column with purchase amounts (read as ``revenue``).
    spark : SparkSession, optional
        For pandas tables; default :func:`jkit.spark.get_spark`.
    """

    def __init__(self, data, by: list[str], *, attributes=None, revenue_col: str = "revenue", spark=None):
        self._tables(data, attributes, "stage" in by, spark)
        self.has_revenue = _has_values(self.events, revenue_col)
        if self.has_revenue and revenue_col != "revenue":
            self.events = self.events.drop("revenue").withColumnRenamed(revenue_col, "revenue")
        events, feedback, customers = self.events, self.feedback, self.customers
        known = set(events.columns) | set(feedback.columns if feedback is not None else []) | set(customers.columns)
        check_by(by, known, customers.columns)
        attr_cols = [c for c in by if c in customers.columns and c != "customer_id"]

        def with_attrs(frame):
            if frame is None:
                return None
            join = [c for c in attr_cols if c not in frame.columns]
            if not join or "customer_id" not in frame.columns:
                return frame
            return frame.join(customers.select("customer_id", *join), "customer_id", "left")

        self.events = with_attrs(events)
        self.feedback = with_attrs(feedback)
        self.has_events = all(c in self.events.columns for c in by)
        n_feedback, self._answers = (0, {}) if self.feedback is None else _feedback_checks(self.feedback)
        self.has_feedback = self.feedback is not None and all(c in self.feedback.columns for c in by) and n_feedback > 0
        if self.has_events:
            require_columns(self.events, ["customer_id", "event", "timestamp"], "events")
        self._periods: dict[tuple[str, str | None], Any] = {}

    def _tables(self, data, attributes, need_stage: bool, spark) -> None:
        """The study's tables in Spark, and the pandas dtypes their group columns should come back as."""
        pandas_input = not is_spark_frame(data.events)
        self.spark = spark_of(data.events if not pandas_input else None) if spark is None else spark
        self.dtypes: dict[str, Any] = {}
        if pandas_input:
            events = data.events_with_stage() if need_stage else data.events
            for frame in (events, data.feedback, data.customers):
                for col in frame.columns:
                    self.dtypes.setdefault(col, frame[col].dtype)
            self.events = to_spark(events, self.spark, row_col=_ROW)
            self.feedback = to_spark(data.feedback, self.spark) if len(data.feedback.columns) else None
            self.customers = to_spark(data.customers, self.spark)
        else:
            self.events = data.events_with_stage() if need_stage else data.events
            self.feedback = data.feedback
            self.customers = data.customers
        if attributes is not None:
            if not isinstance(attributes, pd.DataFrame) and not is_spark_frame(attributes):
                raise ParameterError("attributes should be a DataFrame with a 'customer_id' column")
            if "customer_id" not in attributes.columns:
                raise ParameterError("attributes should have a 'customer_id' column")
            extra = [c for c in attributes.columns if c != "customer_id" and c not in self.customers.columns]
            if isinstance(attributes, pd.DataFrame):
                for col in extra:
                    self.dtypes.setdefault(col, attributes[col].dtype)
                attributes = to_spark(attributes[["customer_id", *extra]], self.spark)
            self.customers = self.customers.join(attributes.select("customer_id", *extra), "customer_id", "left")

    def _dtype_of(self, col: str, values: pd.Series):
        if col in self.dtypes:
            return self.dtypes[col]
        if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            return "string"
        return values.dtype

    def _collect(self, frame, groups: list[str], period: bool) -> pd.DataFrame:
        """A small Spark result as pandas, group columns typed like the pandas engine's, sorted like groupby."""
        with executor_errors():
            out = frame.toArrow().to_pandas()
        for col in groups:
            if col == "period" and period:
                out[col] = pd.to_datetime(out[col].astype("int64"), unit="us", utc=True).astype("datetime64[us, UTC]")
            else:
                dtype = self._dtype_of(col, out[col])
                with contextlib.suppress(TypeError, ValueError):
                    out[col] = out[col].astype(dtype)
        if groups:
            out = out.sort_values(groups, na_position="last", kind="stable", ignore_index=True)
        return out

    def _table(self, table: str, period: str | None):
        """Events or feedback with the ``period`` column (computed once per period)."""
        key = (table, period)
        if key not in self._periods:
            frame = self.events if table == "events" else self.feedback
            self._periods[key] = _with_period(frame, period, "timestamp", table)
        return self._periods[key]

    def answered(self, kpi: str) -> bool:
        """True when the feedback has answers in the score column ``kpi``."""
        return self._answers.get(kpi, 0) > 0

    def conversion(self, by, period, purchase_events):
        """Counts behind the conversion rate."""
        from pyspark.sql import functions as F

        groups = group_columns(by, period)
        frame = self._table("events", period).withColumn("__buy", _purchase("event", purchase_events).cast("int"))
        if not groups:  # pandas groups by customer alone with dropna=True
            frame = frame.where(F.col("customer_id").isNotNull())
        per = frame.groupBy(*groups, "customer_id").agg(F.max("__buy").alias("__c"))
        small = per.groupBy(*groups).agg(F.count(F.lit(1)).alias("customers"), F.sum("__c").alias("converted"))
        return _counts(self._collect(small, groups, "period" in groups), groups, ["customers", "converted"])

    def churn(self, by, days):
        """Counts behind churn, and the date it is measured at (None without times)."""
        from pyspark.sql import functions as F

        ev = self.events
        frame = ev.withColumn("__t", micros_expr(ev, "timestamp", "events")).where(F.col("__t").isNotNull())
        with executor_errors():
            end_us = frame.agg(F.max("__t")).collect()[0][0]
        if end_us is None:
            return None
        end = pd.Timestamp(end_us, unit="us", tz="UTC")
        cutoff = end - pd.Timedelta(days=days)
        cutoff_us = cutoff.value // 1000 + (1 if cutoff.value % 1000 else 0)  # t < cutoff  <=>  t_us < ceil(cutoff)
        order = F.struct(F.col("__t"), F.col(_ROW)) if _ROW in frame.columns else \
            F.struct(F.col("__t"), *[F.col(c) for c in by])
        aggs = [F.max("__t").alias("__last")]
        if by:
            aggs.append(F.max_by(F.struct(*[F.col(c) for c in by]), order).alias("__by"))
        last = frame.groupBy("customer_id").agg(*aggs)
        if by:
            last = last.select("customer_id", "__last", *[F.col(f"__by.{c}").alias(c) for c in by])
        last = last.withColumn("__churned", (F.col("__last") < F.lit(cutoff_us)).cast("int"))
        small = last.groupBy(*by).agg(F.count(F.lit(1)).alias("customers"), F.sum("__churned").alias("churned"))
        return _counts(self._collect(small, by, False), by, ["customers", "churned"]), end

    def repeat(self, by, period, purchase_events):
        """Counts behind the repeat-purchase rate."""
        from pyspark.sql import functions as F

        groups = group_columns(by, period)
        frame = self._table("events", period).where(_purchase("event", purchase_events))
        per = frame.groupBy(*groups, "customer_id").agg(F.count(F.lit(1)).alias("__orders"))
        small = per.groupBy(*groups).agg(F.count(F.lit(1)).alias("buyers"),
                                         F.sum((F.col("__orders") >= 2).cast("int")).alias("repeat_buyers"))
        return _counts(self._collect(small, groups, "period" in groups), groups, ["buyers", "repeat_buyers"])

    def order_values(self, by, period, purchase_events):
        """Moments behind the average order value."""
        from pyspark.sql import functions as F

        groups = group_columns(by, period)
        frame = self._table("events", period)
        frame = frame.where(_purchase("event", purchase_events) & F.col("revenue").isNotNull())
        frame = frame.withColumn("__v", F.col("revenue").cast("double"))
        return _moment_rows(self._collect(_moments(frame, groups, "__v"), groups, "period" in groups), groups)

    def annual_revenue(self, by, purchase_events):
        """Moments behind the annual revenue per customer (and CLV)."""
        from pyspark.sql import functions as F

        ev = self.events
        frame = ev.withColumn("__t", micros_expr(ev, "timestamp", "events"))
        with executor_errors():
            lo, hi, n = frame.agg(F.min("__t"), F.max("__t"), F.count(F.lit(1))).collect()[0]
        if n and lo is not None:
            span = pd.Timestamp(hi, unit="us", tz="UTC") - pd.Timestamp(lo, unit="us", tz="UTC")
            days = max(span / pd.Timedelta(days=1), 1.0)
        else:
            days = 1.0
        frame = frame.withColumn("__rev", _revenue(frame, purchase_events) * F.lit(365.25 / days))
        per = frame.groupBy(*by, "customer_id").agg(F.sum("__rev").alias("__rev"))
        return _moment_rows(self._collect(_moments(per, by, "__rev"), by, False), by)

    def span(self):
        """The time from the first to the last event."""
        from pyspark.sql import functions as F

        ev = self.events
        frame = ev.withColumn("__t", micros_expr(ev, "timestamp", "events"))
        with executor_errors():
            lo, hi = frame.agg(F.min("__t"), F.max("__t")).collect()[0]
        if lo is None:
            return pd.Timedelta(0)
        return pd.Timestamp(hi, unit="us", tz="UTC") - pd.Timestamp(lo, unit="us", tz="UTC")

    def first_revenue(self, by, span, purchase_events):
        """Moments behind the revenue per customer in their first ``span``, and the too recent counts."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        span_us = span.value / 1000  # compared with whole microseconds: exact for whole-microsecond horizons
        ev = self.events
        frame = ev.withColumn("__t", micros_expr(ev, "timestamp", "events"))
        with executor_errors():
            end = frame.agg(F.max("__t")).collect()[0][0]
        first = F.when(F.col("customer_id").isNotNull(), F.min("__t").over(Window.partitionBy("customer_id")))
        frame = frame.withColumn("__first", first)
        inside = F.col("__t") <= F.col("__first") + F.lit(span_us)
        frame = frame.withColumn("__rev", F.when(F.coalesce(inside, F.lit(False)), _revenue(frame, purchase_events))
                                 .otherwise(F.lit(0.0)))
        frame = frame.withColumn("__full", F.coalesce(F.col("__first") + F.lit(span_us) <= F.lit(end), F.lit(False)))
        per = frame.groupBy(*by, "customer_id").agg(F.sum("__rev").alias("__rev"),
                                                    F.first("__full", ignorenulls=True).alias("__full"))
        stats = self._collect(_moments(per.where(F.col("__full")), by, "__rev"), by, False)
        recent = self._collect(per.where(~F.col("__full")).groupBy(*by).agg(F.count(F.lit(1)).alias("too_recent")),
                               by, False)
        return _moment_rows(stats, by), recent

    def scores(self, kpi, by, period):
        """Counts (NPS, CSAT) or moments (CES) of the answers in score column ``kpi``."""
        from pyspark.sql import functions as F

        groups = group_columns(by, period)
        frame = self._table("feedback", period).where(F.col(kpi).isNotNull())
        score = F.col(kpi)
        if kpi == "ces":
            stats = _moments(frame.withColumn("__v", score.cast("double")), groups, "__v")
            return _moment_rows(self._collect(stats, groups, "period" in groups), groups)
        if kpi == "csat":
            small = frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("responses"),
                                               F.sum((score >= 4).cast("int")).alias("satisfied"))
            return _counts(self._collect(small, groups, "period" in groups), groups, ["responses", "satisfied"])
        small = frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("responses"),
                                           F.sum((score >= 9).cast("int")).alias("promoters"),
                                           F.sum((score <= 6).cast("int")).alias("detractors"))
        return _counts(self._collect(small, groups, "period" in groups), groups,
                       ["responses", "promoters", "detractors"])
