"""Sessions: which session each event belongs to (:func:`sessions`), one row per session
(:func:`session_summary`) and per customer (:func:`customer_sessions`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit.errors import ParameterError
from jkit.funnels.coding import utc_ns
from jkit.paths.running import request_for, run_request
from jkit.paths.spec import Source

__all__ = ["customer_sessions", "session_summary", "sessions"]


def sessions(
    events: Source,
    *,
    gap: str | pd.Timedelta = "30min",
    session_col: str = "session_id",
    session_source: str = "auto",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    engine: str | None = None,
) -> pd.DataFrame:
    """The session of every event: from the data's session column, or cut at an inactivity gap.

    Parameters
    ----------
    events : DataFrame, or path / glob / list of paths to Parquet files
        One row per event.
    gap : str or Timedelta, default "30min"
        A new session starts at an event more than ``gap`` after the customer's previous event
        (an event exactly ``gap`` later stays in the session). Must be positive.
    session_col : str, default "session_id"
        The data's session column.
    session_source : {"auto", "column", "gap"}, default "auto"
        ``"auto"`` uses ``session_col`` when it exists and holds at least one non-empty value
        (events without one are cut by ``gap`` among themselves, with a warning), else ``gap``.
        A session of the column is that value within one customer.
    customer_col, time_col, event_col : str
        Column names.
    engine : {"pandas", "duckdb", "spark"} or None
        None picks Spark for a Spark DataFrame, DuckDB for files and pandas for DataFrames;
        results are identical (Spark's times are whole microseconds).

    Returns
    -------
    DataFrame
        The events in their input order (a DataFrame keeps its index; files give the columns
        read) with ``session`` (int, unique over the table: customers in id order, their
        sessions in time order, from 1) and ``session_number`` (1 for a customer's first
        session). The data's ``session_col`` is left as it is. A Spark DataFrame gives a Spark
        DataFrame (all its columns, then ``session`` and ``session_number``), computed on the
        cluster when it is used: no event comes to the driver.

    Notes
    -----
    Events are ordered per customer by time, then event name, then input order (see
    ``docs/paths.md``); only the order of events at the same instant depends on that.
    """
    request = request_for("sessions", events, session_source=session_source, gap=gap, session_col=session_col,
                          customer_col=customer_col, time_col=time_col, event_col=event_col)
    out = run_request(events, request, engine)
    if is_spark_frame(events):
        kept = ["`" + c.replace("`", "``") + "`" for c in out.columns
                if c not in ("session", "session_number", "session_index")]
        return out.select(*kept, (out["session_index"] + 1).alias("session"), "session_number")
    if isinstance(events, pd.DataFrame):
        result = events.copy()
        result["session"] = out["session_index"].to_numpy() + 1
        result["session_number"] = out["session_number"].to_numpy()
        return result
    out["session"] = out.pop("session_index") + 1
    out["session_number"] = out.pop("session_number")
    return out


def session_summary(events: Source, *, customer_col: str = "customer_id", time_col: str = "timestamp",
                    **options: Any) -> pd.DataFrame:
    """One row per session: when it started and ended, how long it lasted, how many events it holds.

    Parameters
    ----------
    events : DataFrame (pandas or Spark) or paths
        Events, or the output of :func:`sessions` (its ``session`` column is used as it is). A
        Spark DataFrame is reduced in Spark; only the table (one row per session) is collected.
    customer_col, time_col : str
        Column names.
    **options
        Keyword arguments of :func:`sessions` (``gap``, ``session_col``, ``engine``…).

    Returns
    -------
    DataFrame
        ``customer_col``, ``session``, ``session_number``, ``start``, ``end`` (UTC), ``length``
        (Timedelta, 0 for a one-event session) and ``events``, by customer and session.
    """
    has_sessions = (isinstance(events, pd.DataFrame) or is_spark_frame(events)) and \
        {"session", "session_number"} <= set(events.columns)
    if not has_sessions:
        events = sessions(events, customer_col=customer_col, time_col=time_col, **options)
    elif options:
        raise ParameterError(f"events already hold sessions; {', '.join(options)} would be ignored")
    if is_spark_frame(events):
        out = _spark_summary(events, customer_col, time_col)
    else:
        times = pd.to_datetime(utc_ns(events[time_col], where="events", column=time_col), utc=True)
        frame = pd.DataFrame({customer_col: events[customer_col].to_numpy(), "session": events["session"].to_numpy(),
                              "session_number": events["session_number"].to_numpy(), "__t": times.to_numpy()})
        grouped = frame.groupby("session", sort=True)
        out = grouped.agg(**{customer_col: (customer_col, "first"), "session_number": ("session_number", "first"),
                             "start": ("__t", "min"), "end": ("__t", "max"), "events": ("__t", "size")}).reset_index()
    out["start"] = pd.to_datetime(out["start"], utc=True)
    out["end"] = pd.to_datetime(out["end"], utc=True)
    out["length"] = out["end"] - out["start"]
    out["events"] = out["events"].astype(np.int64)
    return out[[customer_col, "session", "session_number", "start", "end", "length", "events"]]


def _spark_summary(events, customer_col: str, time_col: str) -> pd.DataFrame:
    """A Spark frame's sessions reduced in Spark: one row per session comes back, not the events."""
    from pyspark.sql import functions as F

    from jkit.spark import micros_expr, quiet

    micros = micros_expr(events, time_col, "events")
    if micros is None:
        micros = F.unix_micros(F.try_to_timestamp(F.col(time_col)))
    grouped = events.groupBy("session").agg(F.first(customer_col).alias(customer_col),
                                            F.first("session_number").alias("session_number"),
                                            F.min(micros).alias("start"), F.max(micros).alias("end"),
                                            F.count(F.lit(1)).alias("events"))
    with quiet():
        out = grouped.toArrow().to_pandas().sort_values("session", ignore_index=True)
    for name in ("start", "end"):
        out[name] = pd.to_datetime(out[name].to_numpy(dtype=np.int64) * 1000, utc=True)
    return out


def customer_sessions(summary: pd.DataFrame, *, customer_col: str = "customer_id") -> pd.DataFrame:
    """Per customer, from :func:`session_summary`: ``sessions``, ``events``, ``median_length``, ``median_events``.

    Returns
    -------
    DataFrame
        One row per customer, in id order.
    """
    missing = [c for c in (customer_col, "session", "length", "events") if c not in summary.columns]
    if missing:
        raise ParameterError(f"summary should be the table of session_summary(); it has no {missing[0]!r} column")
    grouped = summary.groupby(customer_col, sort=True)
    out = grouped.agg(sessions=("session", "size"), events=("events", "sum"),
                      median_length=("length", "median"), median_events=("events", "median")).reset_index()
    out["sessions"] = out["sessions"].astype(np.int64)
    return out
