"""The persona feature table on Spark: behaviour and feelings aggregated per customer in Spark.

:func:`customer_features` returns the pandas table :func:`jkit.personas.customer_features`
returns (same columns, same order, same definitions): Spark reduces the events to one row per
customer (counts, first/last/first-purchase times, revenue, furthest stage) plus one row per
customer and touchpoint, and the feedback to one row per customer; the driver receives those,
so the persona model (scikit-learn) is then fitted on the driver as usual.

Counts, times, shares and stage positions are identical to pandas; ``monetary``,
``avg_order_value`` and ``mean_sentiment`` are sums/means of floats added in another order,
equal up to rounding (about 1e-12 relative).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit._rules import to_utc
from jkit.errors import ParameterError
from jkit.personas.feature_table import (
    DAY,
    PURCHASE_EVENTS,
    assemble_features,
    behaviour_columns,
    check_no_events,
    compound_scores,
    reference_time,
    touchpoint_shares,
)
from jkit.spark.frames import executor_errors, micros_expr, to_spark
from jkit.spark.session import spark_of

__all__ = ["customer_features"]


def _pandas(frame) -> pd.DataFrame:
    """A small Spark result as pandas: text as ``string``, times as UTC nanoseconds."""
    with executor_errors():
        out = frame.toArrow().to_pandas()
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[col] = values.dt.tz_convert("UTC").dt.as_unit("ns")
        elif (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object) and \
                values.dropna().map(lambda v: isinstance(v, str)).all():
            out[col] = values.astype("string")
    return out


def _utc_ns(micros: pd.Series) -> pd.Series:
    return pd.to_datetime(micros.astype("Int64"), unit="us", utc=True).dt.as_unit("ns")


def customer_features(
    data,
    *,
    profile_cols: Sequence[str] | None = None,
    behaviour: bool = True,
    feelings: bool = True,
    sentiment=None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    as_of: str | pd.Timestamp | None = None,
    no_events: str = "keep",
    customer_col: str = "customer_id",
    spark=None,
) -> pd.DataFrame:
    """:func:`jkit.personas.customer_features` with the aggregation in Spark (same parameters, same table).

    Parameters
    ----------
    data : SparkJourneyData or JourneyData
        Spark tables (:func:`jkit.spark.load`), or pandas tables sent to Spark.
    sentiment : DataFrame, Series, bool or None
        As in :func:`jkit.personas.customer_features`; ``True`` scores the feedback on the Spark
        executors. A pandas frame or Series aligned with the feedback works with pandas tables only.
    spark : SparkSession, optional
        For pandas tables; default :func:`jkit.spark.get_spark`.

    Returns
    -------
    DataFrame
        One row per customer, in the order of ``data.customers`` (as collected from Spark for
        Spark tables): see :func:`jkit.personas.customer_features`.

    Examples
    --------
    >>> features = customer_features(jkit.spark.load("s3://lake/journeys/"))   # doctest: +SKIP
    >>> model = PersonaModel().fit(features)                                     # doctest: +SKIP
    """
    check_no_events(no_events)
    pandas_input = not is_spark_frame(data.events)
    spark = spark or spark_of(None if pandas_input else data.events)
    customers = data.customers if isinstance(data.customers, pd.DataFrame) else _pandas(data.customers)
    events = to_spark(data.events, spark) if pandas_input and behaviour else data.events
    return assemble_features(
        customers, events, data.feedback, data.stages,
        behaviour_of=behaviour_table if behaviour else None,
        feelings_of=(lambda fb, sent, col: feelings_table(fb, sent, col, spark)) if feelings else None,
        profile_cols=profile_cols, sentiment=sentiment, purchase_events=purchase_events, as_of=as_of,
        no_events=no_events, customer_col=customer_col,
    )


def behaviour_table(events, stages, purchase_events: list[str], as_of, customer_col: str) -> pd.DataFrame:
    """Behaviour columns indexed by customer id, aggregated in Spark."""
    from pyspark.sql import functions as F

    t = micros_expr(events, "timestamp", "events")
    if t is None:  # text times: as jkit.load would read them
        t = F.unix_micros(F.to_timestamp(F.col("timestamp")))
    frame = events.withColumn("__t", t)
    if as_of is None:
        with executor_errors():
            ref_us = frame.agg(F.max("__t")).collect()[0][0]
        ref = pd.Timestamp(ref_us, unit="us", tz="UTC").as_unit("ns") if ref_us is not None else pd.NaT
    else:
        ref = to_utc(reference_time(as_of))
    if "revenue" in events.columns:
        rev = F.col("revenue").cast("double")
        rev = F.coalesce(F.when(F.isnan(rev), None).otherwise(rev), F.lit(0.0))
    else:
        rev = F.lit(0.0)
    buy = F.coalesce(F.col("event").isin(purchase_events), F.lit(False)) | (rev > 0)
    position = F.lit(0.0)
    for i, stage in reversed(list(enumerate(stages.stages))):
        position = F.when(F.col("event").isin(list(stage.events)), F.lit(float(i + 1))).otherwise(position)
    frame = frame.where(F.col(customer_col).isNotNull()).select(
        F.col(customer_col).alias("c"), "__t", rev.alias("__rev"), buy.alias("__buy"), position.alias("__pos"),
        F.coalesce(F.col("touchpoint").cast("string"), F.lit("unknown")).alias("__tp"),
    )
    per = _pandas(frame.groupBy("c").agg(
        F.count(F.lit(1)).alias("n_events"),
        F.min("__t").alias("first"),
        F.max("__t").alias("last"),
        F.sum(F.col("__buy").cast("long")).alias("frequency"),
        F.sum("__rev").alias("monetary"),
        F.min(F.when(F.col("__buy"), F.col("__t"))).alias("first_buy"),
        F.max("__pos").alias("stage_reached"),
    ))
    per.index = pd.Index(per.pop("c").to_numpy(dtype=object))  # object ids, as the pandas path's index
    out = pd.DataFrame(index=per.index)
    out["n_events"] = per["n_events"].astype("float64")
    out["recency_days"] = (ref - _utc_ns(per["last"])) / DAY
    out["frequency"] = per["frequency"].astype("float64")
    out["monetary"] = per["monetary"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["avg_order_value"] = (out["monetary"] / out["frequency"]).where(out["frequency"] > 0)
    out["days_to_first_purchase"] = (_utc_ns(per["first_buy"]) - _utc_ns(per["first"])) / DAY

    # touchpoint mix: share of the customer's events at each touchpoint
    mix = _pandas(frame.groupBy("c", "__tp").agg(F.count(F.lit(1)).alias("n")))
    counts = mix.pivot_table(index="c", columns="__tp", values="n", aggfunc="sum", fill_value=0).astype(np.int64)
    shares = touchpoint_shares(counts)
    out = out.join(shares.reindex(out.index))
    out["stage_reached"] = per["stage_reached"].astype("float64")
    return out[behaviour_columns(shares)]


def feelings_table(feedback, sentiment, customer_col: str, spark) -> pd.DataFrame | None:
    """n_feedback, mean_nps, mean_sentiment per customer (aggregated in Spark); None when nothing is known."""
    from pyspark.sql import functions as F

    if feedback is None:
        return None
    if isinstance(feedback, pd.DataFrame):
        if feedback.empty or customer_col not in feedback.columns:
            return None
        light = feedback[[c for c in (customer_col, "nps", "text") if c in feedback.columns]].copy()
        if sentiment is True:
            from jkit.sentiment import score_sentiment

            compound = score_sentiment(feedback, engine="spark")["compound"].to_numpy()
        else:
            compound = compound_scores(feedback, sentiment)
        light = light.drop(columns="text", errors="ignore")
        if compound is not None:
            light["compound"] = compound
        fb = to_spark(light, spark)
    else:
        if customer_col not in feedback.columns:
            return None
        fb = feedback
        if sentiment is True:
            from jkit.sentiment import score_sentiment

            fb = score_sentiment(feedback.drop(*[c for c in ("compound",) if c in feedback.columns]))
        elif sentiment is False and "compound" in fb.columns:
            fb = fb.drop("compound")
        elif sentiment is not None and sentiment is not False:
            raise ParameterError(
                "with Spark feedback, sentiment should be True, False or None (a 'compound' column of the "
                "feedback); a pandas frame cannot be aligned with Spark rows"
            )
    fb = fb.where(F.col(customer_col).isNotNull())
    aggs = [F.count(F.lit(1)).alias("n_feedback")]
    has_nps = "nps" in fb.columns
    has_sent = "compound" in fb.columns
    if has_nps:
        aggs += [F.avg(F.col("nps").cast("double")).alias("mean_nps"), F.count("nps").alias("__nps")]
    if has_sent:
        value = F.col("compound").cast("double")
        aggs.append(F.avg(F.when(~F.isnan(value), value)).alias("mean_sentiment"))
    per = _pandas(fb.groupBy(F.col(customer_col).alias("c")).agg(*aggs))
    if per.empty:
        return None
    per.index = pd.Index(per.pop("c").to_numpy(dtype=object))  # object ids, as the pandas path's index
    out = pd.DataFrame({"n_feedback": per["n_feedback"].astype("float64")})
    if has_nps and per["__nps"].sum() > 0:
        out["mean_nps"] = per["mean_nps"].astype("float64")
    if has_sent:
        out["mean_sentiment"] = per["mean_sentiment"].astype("float64")
    return out
