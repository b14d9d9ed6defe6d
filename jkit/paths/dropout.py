"""Paths around a funnel: what customers did after dropping out at a step
(:func:`paths_after_dropout`), and what they did before reaching one (:func:`paths_before_reaching`).
Who dropped and when each step was reached come from :func:`jkit.funnels.funnel_journeys`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit._rules import require_columns
from jkit.errors import ParameterError
from jkit.funnels import funnel_journeys
from jkit.funnels.coding import utc_ns
from jkit.funnels.journeys import journey_steps, step_number
from jkit.funnels.spec import Step
from jkit.paths.flows import path_table
from jkit.paths.running import request_for, run_request

__all__ = ["paths_after_dropout", "paths_before_reaching"]


def _journeys(events: pd.DataFrame, steps: Sequence[Step], at: int | str, window: Any, funnel_options: dict,
              cols: tuple[str, str, str]) -> tuple[pd.DataFrame, int, str]:
    if not isinstance(events, pd.DataFrame) and not is_spark_frame(events):
        raise ParameterError("events should be the events DataFrame, pandas or Spark (for example data.events)")
    require_columns(events, list(cols), "events")
    customer_col, time_col, event_col = cols
    journeys = funnel_journeys(events, steps, window=window, customer_col=customer_col, time_col=time_col,
                               event_col=event_col, **funnel_options)
    names = journey_steps(journeys)
    k = step_number(at, names, "at")
    return journeys, k, names[k - 1]


def _marked(events: pd.DataFrame, who: pd.DataFrame, cols: tuple[str, str, str], label: str, *, after: bool
            ) -> pd.DataFrame:
    """The events of ``who`` strictly after (or before) their step time, with the step itself as one event."""
    customer_col, time_col, event_col = cols
    t = utc_ns(events[time_col], where="events", column=time_col)
    idx = pd.Index(who[customer_col]).get_indexer(events[customer_col])
    cut = who["__at"].to_numpy()[np.maximum(idx, 0)]
    keep = (idx >= 0) & ((t > cut) if after else (t < cut))
    part = events.loc[keep, [customer_col, event_col]]
    part = pd.DataFrame({customer_col: part[customer_col].to_numpy(),
                         "__t": t[keep], event_col: part[event_col].astype(str).to_numpy()})
    marks = pd.DataFrame({customer_col: who[customer_col].to_numpy(), "__t": who["__at"].to_numpy(),
                          event_col: label})
    both = pd.concat([part, marks], ignore_index=True)
    both[time_col] = pd.to_datetime(both.pop("__t"), utc=True)
    return both


def _spark_marked(events, who: pd.DataFrame, cols: tuple[str, str, str], label: str, *, after: bool):
    """:func:`_marked` in Spark: the customers' cut times are joined onto the events there; the step
    marks carry the anchor name already (a Spark frame has no last rows to rename)."""
    from pyspark.sql import functions as F

    from jkit.spark import micros_expr, to_spark

    customer_col, time_col, event_col = cols
    micros = micros_expr(events, time_col, "events")
    if micros is None:
        micros = F.unix_micros(F.try_to_timestamp(F.col(time_col)))
    cuts = to_spark(pd.DataFrame({customer_col: who[customer_col].to_numpy(), "__at": who["__at"].to_numpy() // 1000}),
                    events.sparkSession)
    part = events.select(F.col(customer_col), micros.alias("__t"), F.col(event_col).cast("string").alias(event_col))
    part = part.join(F.broadcast(cuts), on=customer_col)
    part = part.where(F.col("__t") > F.col("__at") if after else F.col("__t") < F.col("__at"))
    marks = cuts.select(customer_col, F.col("__at").alias("__t"), F.lit(f"\x00{label}").alias(event_col))
    both = part.select(customer_col, "__t", event_col).unionByName(marks)
    return both.select(customer_col, F.timestamp_micros("__t").alias(time_col), event_col)


def _around(events, who: pd.DataFrame, cols: tuple[str, str, str], label: str, *, after: bool):
    """The events around the step, with the marks named by the anchor (pandas or Spark, as ``events``)."""
    if is_spark_frame(events):
        return _spark_marked(events, who, cols, label, after=after)
    return _with_anchor(_marked(events, who, cols, label, after=after), cols[2], len(who), label)


def _paths_of(frame: pd.DataFrame, label: str, steps: int, top: int | None, cols: tuple[str, str, str],
              engine: str | None, *, after: bool) -> pd.DataFrame:
    customer_col, time_col, event_col = cols
    # the step mark is the anchor: a prefix no event name can have keeps it apart from real events
    anchor = f"\x00{label}"
    request = request_for("sequences", frame, customer_col=customer_col, time_col=time_col, event_col=event_col,
                          steps=steps, **({"start": anchor} if after else {"end": anchor}))
    sequences = run_request(frame, request, engine)
    for k in range(1, steps + 1):
        sequences[f"step_{k}"] = sequences[f"step_{k}"].map(lambda s: label if s == anchor else s)
    return path_table(sequences, steps, top=top)


def _with_anchor(frame: pd.DataFrame, event_col: str, n_marks: int, label: str) -> pd.DataFrame:
    out = frame.copy()
    out.iloc[len(out) - n_marks:, out.columns.get_loc(event_col)] = f"\x00{label}"
    return out


def paths_after_dropout(events: pd.DataFrame, steps: Sequence[Step], at: int | str, *, path_steps: int = 5,
                        top: int | None = 10, window: Any = "14D", customer_col: str = "customer_id",
                        time_col: str = "timestamp", event_col: str = "event", engine: str | None = None,
                        **funnel_options: Any) -> pd.DataFrame:
    """What customers whose furthest funnel step is ``at`` did next: their paths from that step on.

    Parameters
    ----------
    events : DataFrame (pandas or Spark)
        One row per event. A Spark DataFrame stays in Spark (the funnel, the events around the
        step and the paths are computed there).
    steps : list of str or of sets of str
        The funnel (as :func:`jkit.funnels.funnel`); ``window`` and ``**funnel_options`` go to it.
    at : int or str
        The step they dropped out at (1-based number or name); not the last step.
    path_steps : int, default 5
        Events per path: the step (by its name) then the next ``path_steps - 1`` events, strictly
        after the moment it was reached. A path of the step alone means nothing followed.
    top : int or None, default 10
        Paths kept; the rest are one ``other`` row.

    Returns
    -------
    DataFrame
        As :func:`jkit.paths.paths`: ``path``, ``step_1`` … , ``customers``, ``share`` of the drop-outs.
    """
    cols = (customer_col, time_col, event_col)
    journeys, k, label = _journeys(events, steps, at, window, funnel_options, cols)
    if k == len(journey_steps(journeys)):
        raise ParameterError(f"at={at!r} is the last step; nobody drops out after it")
    who = journeys[(journeys["reached"] == k) & ~journeys["excluded"].astype(bool)]
    if who.empty:
        raise ParameterError(f"at={at!r}: no customer dropped out at step {k} ({label!r})")
    who = pd.DataFrame({customer_col: who[customer_col].to_numpy(),
                        "__at": pd.to_datetime(who[f"time_{k}"], utc=True).array.asi8})
    return _paths_of(_around(events, who, cols, label, after=True), label, path_steps, top, cols, engine, after=True)


def paths_before_reaching(events: pd.DataFrame, steps: Sequence[Step], at: int | str, *, path_steps: int = 5,
                          top: int | None = 10, window: Any = "14D", customer_col: str = "customer_id",
                          time_col: str = "timestamp", event_col: str = "event", engine: str | None = None,
                          **funnel_options: Any) -> pd.DataFrame:
    """What customers who reached funnel step ``at`` did just before: the ``path_steps - 1`` events
    strictly before the moment they reached it, then the step (by its name).

    Takes the arguments of :func:`paths_after_dropout`; ``at`` may be any step after the first.
    Returns the same table, right-aligned (``step_<path_steps>`` is the step).
    """
    cols = (customer_col, time_col, event_col)
    journeys, k, label = _journeys(events, steps, at, window, funnel_options, cols)
    if k == 1:
        raise ParameterError(f"at={at!r} is the first step; give a later step (paths before entering are paths(end=…))")
    who = journeys[(journeys["reached"] >= k) & ~journeys["excluded"].astype(bool)]
    if who.empty:
        raise ParameterError(f"at={at!r}: no customer reached step {k} ({label!r})")
    who = pd.DataFrame({customer_col: who[customer_col].to_numpy(),
                        "__at": pd.to_datetime(who[f"time_{k}"], utc=True).array.asi8})
    return _paths_of(_around(events, who, cols, label, after=False), label, path_steps, top, cols, engine, after=False)
