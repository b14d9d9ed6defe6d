"""Journey KPIs on Spark: each KPI reduced in Spark to per-group counts and moments, finished on the driver.

:func:`kpi_table` gives the table :func:`jkit.kpis.kpi_table` gives, with the same definitions
(see :mod:`jkit.kpis`). Spark computes, per group, the counts behind every rate (exact) and the
count, mean and standard deviation behind every mean (AOV, CES, CLV, revenue per customer);
the driver receives one row per group and computes rates, Wilson and Student-t intervals with
the same code as the pandas path. Counts and rates are identical to pandas; means and their
intervals are equal up to floating-point rounding (sums added in another order), about 1e-12
relative.

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
from scipy import stats as _st

from jkit.errors import ParameterError
from jkit.formatting import format_duration, format_number
from jkit.kpis import measures as _k
from jkit.spark import is_spark_frame, spark_of, to_spark
from jkit.spark.frames import executor_errors, micros_expr

__all__ = ["kpi_table"]

_ROW = "__row"
_TRUNC = {"D": "DAY", "W": "WEEK", "M": "MONTH", "Q": "QUARTER", "Y": "YEAR"}
_EPOCH = "TIMESTAMP_NTZ'1970-01-01 00:00:00'"


class _Tables:
    """Spark tables of a study and the pandas dtypes their group columns should come back as."""

    def __init__(self, data, attributes: pd.DataFrame | None, need_stage: bool, spark=None):
        self.stages = data.stages
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

    def dtype_of(self, col: str, values: pd.Series):
        if col in self.dtypes:
            return self.dtypes[col]
        if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            return "string"
        return values.dtype


# --------------------------------------------------------------------------- shared steps


def _purchase(col: str, purchase_events: Sequence[str]):
    from pyspark.sql import functions as F

    events = [purchase_events] if isinstance(purchase_events, str) else list(purchase_events)
    return F.coalesce(F.col(col).isin(events), F.lit(False))


def _with_period(frame, period: str | None, time_col: str, where: str):
    """Add ``period``: the start of the UTC day/week (Monday)/month/quarter/year, in microseconds."""
    from pyspark.sql import functions as F

    if period is None:
        return frame
    if period not in _k._PERIODS:
        raise ParameterError(f"period={period!r} should be one of 'D', 'W', 'M', 'Q' or 'Y'")
    micros = micros_expr(frame, time_col, where)
    wall = F.expr(f"timestampadd(MICROSECOND, __m, {_EPOCH})")
    start = F.expr(f"timestampdiff(MICROSECOND, {_EPOCH}, date_trunc('{_TRUNC[_k._PERIODS[period]]}', __w))")
    return (frame.withColumn("__m", micros).withColumn("__w", wall).withColumn("period", start)
            .drop("__m", "__w"))


def _collect(frame, groups: list[str], tables: _Tables, period: bool) -> pd.DataFrame:
    """A small Spark result as pandas, group columns typed like the pandas path's, sorted like groupby."""
    with executor_errors():
        out = frame.toArrow().to_pandas()
    for col in groups:
        if col == "period" and period:
            out[col] = pd.to_datetime(out[col].astype("int64"), unit="us", utc=True).astype("datetime64[us, UTC]")
        else:
            dtype = tables.dtype_of(col, out[col])
            with contextlib.suppress(TypeError, ValueError):
                out[col] = out[col].astype(dtype)
    if groups:
        out = out.sort_values(groups, na_position="last", kind="stable", ignore_index=True)
    return out


def _counts_table(small: pd.DataFrame, groups: list[str], sums: dict[str, str]) -> pd.DataFrame:
    """Finish per-group counts the way the pandas KPI functions do (same groupby, same dtypes)."""
    out = _k._finish(_k._grouped(small, groups).agg(**{k: (v, "sum") for k, v in sums.items()}), groups)
    for col in sums:
        out[col] = out[col].astype(np.int64)
    return out


def _mean_table(stats: pd.DataFrame, groups: list[str], name: str, confidence: float, count_name: str) -> pd.DataFrame:
    """:func:`jkit.kpis._mean_table` from per-group ``__n``, ``__mean``, ``__sd``."""
    rows = []
    for key, part in (_k._grouped(stats, groups) if len(stats) else []):
        n = int(part["__n"].iloc[0])
        mean = float(part["__mean"].iloc[0])
        if n < 2:
            low = high = float("nan")
        else:
            half = float(_st.t.ppf(0.5 + confidence / 2, n - 1) * float(part["__sd"].iloc[0]) / np.sqrt(n))
            low, high = mean - half, mean + half
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, n, mean, low, high))
    names = groups if groups else ["__all"]
    out = pd.DataFrame(rows, columns=[*names, count_name, name, f"{name}_low", f"{name}_high"])
    if not groups:
        out = out.drop(columns="__all")
    out[count_name] = out[count_name].astype(np.int64)
    return out


def _moments(frame, groups: list[str], value: str):
    from pyspark.sql import functions as F

    return frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("__n"), F.avg(value).alias("__mean"),
                                      F.stddev_samp(value).alias("__sd"))


def _check_columns(frame, table: str, needed: list[str]) -> None:
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise ParameterError(f"{table}: no column {missing[0]!r}; found columns {', '.join(map(repr, frame.columns))}")


# --------------------------------------------------------------------------- the KPIs


def _conversion(t: _Tables, ev, groups, purchase_events, confidence, customer_col="customer_id", event_col="event"):
    from pyspark.sql import functions as F

    frame = ev.withColumn("__buy", _purchase(event_col, purchase_events).cast("int"))
    if not groups:  # pandas groups by customer alone with dropna=True
        frame = frame.where(F.col(customer_col).isNotNull())
    per = frame.groupBy(*groups, customer_col).agg(F.max("__buy").alias("__c"))
    small = per.groupBy(*groups).agg(F.count(F.lit(1)).alias("customers"), F.sum("__c").alias("converted"))
    out = _counts_table(_collect(small, groups, t, "period" in groups), groups,
                        {"customers": "customers", "converted": "converted"})
    return _k._rate(out, "conversion_rate", "converted", "customers", confidence)


def _churn(t: _Tables, ev, cols, days, confidence, customer_col="customer_id", time_col="timestamp"):
    from pyspark.sql import functions as F

    if isinstance(days, bool) or not isinstance(days, (int, float, np.number)) or days <= 0:
        raise ParameterError(f"days={days!r} should be a positive number of days, such as 90")
    frame = ev.withColumn("__t", micros_expr(ev, time_col, "events")).where(F.col("__t").isNotNull())
    with executor_errors():
        end_us = frame.agg(F.max("__t")).collect()[0][0]
    if end_us is None:
        return None
    end = pd.Timestamp(end_us, unit="us", tz="UTC")
    cutoff = end - pd.Timedelta(days=days)
    cutoff_us = cutoff.value // 1000 + (1 if cutoff.value % 1000 else 0)  # t < cutoff  <=>  t_us < ceil(cutoff)
    order = F.struct(F.col("__t"), F.col(_ROW)) if _ROW in frame.columns else \
        F.struct(F.col("__t"), *[F.col(c) for c in cols])
    aggs = [F.max("__t").alias("__last")]
    if cols:
        aggs.append(F.max_by(F.struct(*[F.col(c) for c in cols]), order).alias("__by"))
    last = frame.groupBy(customer_col).agg(*aggs)
    if cols:
        last = last.select(customer_col, "__last", *[F.col(f"__by.{c}").alias(c) for c in cols])
    last = last.withColumn("__churned", (F.col("__last") < F.lit(cutoff_us)).cast("int"))
    small = last.groupBy(*cols).agg(F.count(F.lit(1)).alias("customers"), F.sum("__churned").alias("churned"))
    out = _counts_table(_collect(small, cols, t, False), cols, {"customers": "customers", "churned": "churned"})
    return _k._rate(out, "churn_rate", "churned", "customers", confidence)


def _repeat(t: _Tables, ev, groups, purchase_events, confidence, customer_col="customer_id", event_col="event"):
    from pyspark.sql import functions as F

    frame = ev.where(_purchase(event_col, purchase_events))
    per = frame.groupBy(*groups, customer_col).agg(F.count(F.lit(1)).alias("__orders"))
    small = per.groupBy(*groups).agg(F.count(F.lit(1)).alias("buyers"),
                                     F.sum((F.col("__orders") >= 2).cast("int")).alias("repeat_buyers"))
    out = _counts_table(_collect(small, groups, t, "period" in groups), groups,
                        {"buyers": "buyers", "repeat_buyers": "repeat_buyers"})
    return _k._rate(out, "repeat_purchase_rate", "repeat_buyers", "buyers", confidence)


def _aov(t: _Tables, ev, groups, purchase_events, confidence, revenue_col="revenue", event_col="event"):
    from pyspark.sql import functions as F

    frame = ev.where(_purchase(event_col, purchase_events) & F.col(revenue_col).isNotNull())
    frame = frame.withColumn("__v", F.col(revenue_col).cast("double"))
    stats = _collect(_moments(frame, groups, "__v"), groups, t, "period" in groups)
    out = _mean_table(stats, groups, "average_order_value", confidence, "orders")
    out.insert(len(groups) + 1, "revenue", out["orders"] * out["average_order_value"])
    return out


def _revenue(frame, purchase_events, event_col="event", revenue_col="revenue"):
    from pyspark.sql import functions as F

    amount = F.coalesce(F.col(revenue_col).cast("double"), F.lit(0.0))
    return F.when(_purchase(event_col, purchase_events), amount).otherwise(F.lit(0.0))


def _clv(t: _Tables, ev, cols, purchase_events, lifespan, cost, confidence, customer_col="customer_id",
         time_col="timestamp"):
    from pyspark.sql import functions as F

    frame = ev.withColumn("__t", micros_expr(ev, time_col, "events"))
    with executor_errors():
        lo, hi, n = frame.agg(F.min("__t"), F.max("__t"), F.count(F.lit(1))).collect()[0]
    if n and lo is not None:
        span = pd.Timestamp(hi, unit="us", tz="UTC") - pd.Timestamp(lo, unit="us", tz="UTC")
        days = max(span / pd.Timedelta(days=1), 1.0)
    else:
        days = 1.0
    frame = frame.withColumn("__rev", _revenue(frame, purchase_events) * F.lit(365.25 / days))
    per = frame.groupBy(*cols, customer_col).agg(F.sum("__rev").alias("__rev"))
    stats = _collect(_moments(per, cols, "__rev"), cols, t, False)
    out = _mean_table(stats, cols, "annual_revenue_per_customer", confidence, "customers")
    for suffix in ("", "_low", "_high"):
        out[f"clv{suffix}"] = _k.clv_formula(out[f"annual_revenue_per_customer{suffix}"].to_numpy(), lifespan, cost)
    return out


def _historical(t: _Tables, ev, cols, horizon, purchase_events, confidence, customer_col="customer_id",
                time_col="timestamp"):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    try:
        span = pd.Timedelta(horizon)
    except (ValueError, TypeError):
        raise ParameterError(f"horizon={horizon!r} should be a duration such as '365D'") from None
    if span <= pd.Timedelta(0):
        raise ParameterError(f"horizon={horizon!r} should be a positive duration such as '365D'")
    span_us = span.value / 1000  # compared with whole microseconds: exact for whole-microsecond horizons
    frame = ev.withColumn("__t", micros_expr(ev, time_col, "events"))
    with executor_errors():
        end = frame.agg(F.max("__t")).collect()[0][0]
    first = F.when(F.col(customer_col).isNotNull(), F.min("__t").over(Window.partitionBy(customer_col)))
    frame = frame.withColumn("__first", first)
    inside = F.col("__t") <= F.col("__first") + F.lit(span_us)
    frame = frame.withColumn("__rev", F.when(F.coalesce(inside, F.lit(False)), _revenue(frame, purchase_events))
                             .otherwise(F.lit(0.0)))
    frame = frame.withColumn("__full", F.coalesce(F.col("__first") + F.lit(span_us) <= F.lit(end), F.lit(False)))
    per = frame.groupBy(*cols, customer_col).agg(F.sum("__rev").alias("__rev"),
                                                 F.first("__full", ignorenulls=True).alias("__full"))
    stats = _collect(_moments(per.where(F.col("__full")), cols, "__rev"), cols, t, False)
    out = _mean_table(stats, cols, "revenue_per_customer", confidence, "customers")
    recent = _collect(per.where(~F.col("__full")).groupBy(*cols).agg(F.count(F.lit(1)).alias("too_recent")),
                      cols, t, False)
    if cols:
        out = out.merge(recent, on=cols, how="outer")
        out["customers"] = out["customers"].fillna(0).astype(np.int64)
    else:
        if out.empty:
            out = pd.DataFrame({"customers": [0], "revenue_per_customer": [np.nan],
                                "revenue_per_customer_low": [np.nan], "revenue_per_customer_high": [np.nan]})
        out["too_recent"] = int(recent["too_recent"].sum()) if len(recent) else 0
    out["too_recent"] = out["too_recent"].fillna(0).astype(np.int64)
    out = out[[*cols, "customers", "too_recent", "revenue_per_customer", "revenue_per_customer_low",
               "revenue_per_customer_high"]]
    out["horizon"] = str(span)
    return out


_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _feedback_checks(fb) -> tuple[int, dict[str, int]]:
    """Rows of feedback, answers per score column; raises on a score outside its scale."""
    from pyspark.sql import functions as F

    present = [c for c in _SCALES if c in fb.columns]
    aggs = [F.count(F.lit(1)).alias("__rows")]
    for c in present:
        low, high = _SCALES[c]
        aggs.append(F.count(F.col(c)).alias(f"n_{c}"))
        aggs.append(F.first(F.when((F.col(c) < low) | (F.col(c) > high), F.col(c)), ignorenulls=True).alias(f"bad_{c}"))
    with executor_errors():
        row = fb.agg(*aggs).collect()[0].asDict()
    for c in present:
        if row[f"bad_{c}"] is not None:
            low, high = _SCALES[c]
            raise ParameterError(f"feedback: column {c!r} holds {float(row[f'bad_{c}']):g}; "
                                 f"expected scores from {low} to {high}")
    return int(row["__rows"]), {c: int(row[f"n_{c}"]) for c in present}


def _score_kpi(t: _Tables, fb, kpi: str, groups: list[str], confidence: float) -> pd.DataFrame:
    from pyspark.sql import functions as F

    frame = fb.where(F.col(kpi).isNotNull())
    score = F.col(kpi)
    if kpi == "ces":
        stats = _collect(_moments(frame.withColumn("__v", score.cast("double")), groups, "__v"), groups, t,
                         "period" in groups)
        return _mean_table(stats, groups, "ces", confidence, "responses")
    if kpi == "csat":
        small = frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("responses"),
                                           F.sum((score >= 4).cast("int")).alias("satisfied"))
        out = _counts_table(_collect(small, groups, t, "period" in groups), groups,
                            {"responses": "responses", "satisfied": "satisfied"})
        return _k._rate(out, "csat", "satisfied", "responses", confidence)
    small = frame.groupBy(*groups).agg(F.count(F.lit(1)).alias("responses"),
                                       F.sum((score >= 9).cast("int")).alias("promoters"),
                                       F.sum((score <= 6).cast("int")).alias("detractors"))
    out = _counts_table(_collect(small, groups, t, "period" in groups), groups,
                        {"responses": "responses", "promoters": "promoters", "detractors": "detractors"})
    out.insert(out.columns.get_loc("detractors"), "passives", out["responses"] - out["promoters"] - out["detractors"])
    n = out["responses"].to_numpy(dtype=float)
    p = out["promoters"].to_numpy(dtype=float) / n
    d = out["detractors"].to_numpy(dtype=float) / n
    value = p - d
    half = _k.z_value(confidence) * np.sqrt(np.maximum(p + d - value**2, 0) / n)
    out["nps"] = 100 * value
    out["nps_low"] = np.clip(100 * (value - half), -100, 100)
    out["nps_high"] = np.clip(100 * (value + half), -100, 100)
    return out


# --------------------------------------------------------------------------- the table


def kpi_table(
    data,
    by: str | Sequence[str] | None = None,
    *,
    period: str | None = None,
    attributes: pd.DataFrame | None = None,
    churn_days: int = 90,
    purchase_events: Sequence[str] = _k.PURCHASE_EVENTS,
    expected_lifespan_years: float = 3.0,
    acquisition_cost: float = 0.0,
    horizon: str = "180D",
    window: str = "90D",
    confidence: float = 0.95,
    spark=None,
) -> pd.DataFrame:
    """:func:`jkit.kpis.kpi_table` computed in Spark (same parameters, same table).

    Parameters
    ----------
    data : SparkJourneyData or JourneyData
        Spark tables (:func:`jkit.spark.load`), or pandas tables sent to Spark.
    spark : SparkSession, optional
        For pandas tables; default :func:`jkit.spark.get_spark`.

    Returns
    -------
    DataFrame
        As :func:`jkit.kpis.kpi_table`: the group columns, ``kpi``, ``value``, ``low``, ``high``,
        ``count``, ``n``, ``unit``, ``definition``.

    Examples
    --------
    >>> kpi_table(jkit.spark.load("s3://lake/journeys/"), by="touchpoint")   # doctest: +SKIP
    """
    cols = _k._by_list(by)
    t = _Tables(data, attributes, "stage" in cols, spark)
    events, feedback, customers = t.events, t.feedback, t.customers
    known = set(events.columns) | set(feedback.columns if feedback is not None else []) | set(customers.columns)
    missing = [c for c in cols if c not in known]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is not a column of the events, feedback or customers "
            f"(customers have {', '.join(map(repr, customers.columns))})"
        )
    attr_cols = [c for c in cols if c in customers.columns and c != "customer_id"]

    def with_attrs(frame):
        if frame is None:
            return None
        join = [c for c in attr_cols if c not in frame.columns]
        if not join or "customer_id" not in frame.columns:
            return frame
        return frame.join(customers.select("customer_id", *join), "customer_id", "left")

    events = with_attrs(events)
    feedback = with_attrs(feedback)
    ev_ok = all(c in events.columns for c in cols)
    n_feedback, answers = (0, {}) if feedback is None else _feedback_checks(feedback)
    fb_ok = feedback is not None and all(c in feedback.columns for c in cols) and n_feedback > 0
    groups = [*cols, *(["period"] if period is not None and "period" not in cols else [])]
    pieces: list[pd.DataFrame] = []

    def add(table: pd.DataFrame | None, kpi: str, value: str, n: str, count: str | None = None, **fmt: Any) -> None:
        if table is not None:
            pieces.append(_k.kpi_rows(table, cols, kpi, value, n, count, **fmt))

    if ev_ok:
        for col in ("customer_id", "event", "timestamp"):
            _check_columns(events, "events", [col])
    ev_p = _with_period(events, period, "timestamp", "events") if ev_ok else None
    by_stage = "stage" in cols
    if ev_ok and by_stage and period is None:
        others = [c for c in cols if c != "stage"]
        add(_k._stage_conversion(data, events, others, window, confidence),
            "stage_conversion", "conversion", "customers", "converted", window=window)
    if ev_ok and not by_stage:
        add(_conversion(t, ev_p, groups, purchase_events, confidence),
            "conversion_rate", "conversion_rate", "customers", "converted", events=", ".join(purchase_events))
    if ev_ok:
        if period is None:
            add(_churn(t, events, cols, churn_days, confidence), "churn_rate", "churn_rate", "customers", "churned",
                churn_days=churn_days)
        add(_repeat(t, ev_p, groups, purchase_events, confidence),
            "repeat_purchase_rate", "repeat_purchase_rate", "buyers", "repeat_buyers")
        if "revenue" in events.columns:
            add(_aov(t, ev_p, groups, purchase_events, confidence), "average_order_value", "average_order_value",
                "orders")
            if period is None and not by_stage:
                value = _clv(t, events, cols, purchase_events, expected_lifespan_years, acquisition_cost, confidence)
                add(value, "annual_revenue_per_customer", "annual_revenue_per_customer", "customers")
                add(value, "clv", "clv", "customers", lifespan=format_number(expected_lifespan_years),
                    cost=format_number(acquisition_cost))
                add(_historical(t, events, cols, horizon, purchase_events, confidence),
                    "revenue_per_customer", "revenue_per_customer", "customers", horizon=format_duration(pd.Timedelta(horizon)))
    if fb_ok:
        fb_p = _with_period(feedback, period, "timestamp", "feedback")
        for kpi, count in (("nps", None), ("csat", "satisfied"), ("ces", None)):
            if answers.get(kpi, 0) > 0:
                add(_score_kpi(t, fb_p, kpi, groups, confidence), kpi, kpi, "responses", count)
    if not pieces:
        return pd.DataFrame(columns=[*cols, *(["period"] if period else []), *_k.KPI_COLUMNS])
    out = pd.concat(pieces, ignore_index=True)
    group_cols = [*cols, *(["period"] if period else [])]
    return out[[*group_cols, *_k.KPI_COLUMNS]]

