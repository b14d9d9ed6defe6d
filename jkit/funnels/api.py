"""Stage funnels: who gets how far, how fast, by group and by cohort, and what drop-outs do next.

Semantics (also in ``docs/funnels.md``)
---------------------------------------
A funnel is an ordered list of ``steps``; a step is an event name or a set of event names (a
stage of the stage model is the set of its events). Steps may not share an event.

``order="ordered"`` (default)
    A customer *enters* at any occurrence of step 1. From that entry they reach step k when
    events matching steps 2..k follow in that order, each at a time not before the previous
    one (ties in time allowed), one event per step, all within ``window`` of the entering
    event (an event exactly ``window`` after the entry is inside). Every occurrence of step 1
    is a possible entry; the customer counts once, at the furthest step any entry reaches.
    This is ClickHouse's ``windowFunnel(window)`` in its default mode.
``order="strict"``
    As ordered, but the matched events must be consecutive events of the customer: any
    other event in between breaks the chain. Events at the same instant are ordered step
    events first (in funnel order), then other events.
``order="any"``
    A customer reaches "step" k when k distinct steps occur, in any order, within ``window``
    of the first of them (any step event can start). Step names then read "k of n steps".

*The attempt that counts* is the earliest entry that reaches the customer's furthest step
(among simultaneous entries, the one with the smallest ``by`` value). Its steps are matched to
the earliest qualifying events; times between steps, the entry cohort, the ``by`` values of
the entering event and exclusions are all read from that attempt.

``exclusions``
    Event names. A customer with an excluded event strictly between the entry and the last
    step reached by the attempt that counts is removed from the funnel; the number removed
    is in the ``excluded`` column.
``by``
    Columns of the events table whose value is read on the entering event of the attempt that
    counts: a property of the event (touchpoint) or a customer attribute joined onto the
    events (persona, region). Every customer falls in one group, so the groups add up to the
    funnel without breakdown.

Times are UTC: tz-aware times are converted, naive times are taken as UTC (in DataFrames and
in files alike). Rows with a missing customer or time among the rows a funnel uses are set
aside with a :class:`~jkit.errors.JkitWarning` giving their count; so are events after
``end`` when it is given.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit.errors import JkitWarning, ParameterError
from jkit.funnels.spec import EngineResult, FunnelSpec, get_engine, is_path_source
from jkit.stats import wilson_interval

__all__ = [
    "ORDERS",
    "funnel",
    "funnel_journeys",
    "funnel_table",
    "stage_funnel",
    "stage_journeys",
    "time_to_convert",
    "cohort_conversion",
    "dropped_after",
    "next_after_drop",
]

ORDERS = ("ordered", "strict", "any")
Step = str | Iterable[str]

FUNNEL_COLUMNS = [
    "step",
    "step_name",
    "customers",
    "conversion_from_start",
    "conversion_from_start_low",
    "conversion_from_start_high",
    "conversion_from_previous",
    "conversion_from_previous_low",
    "conversion_from_previous_high",
    "dropped",
    "median_time_from_previous",
    "p90_time_from_previous",
    "excluded",
]


# --------------------------------------------------------------------------- validation


def _parse_window(window: Any) -> pd.Timedelta:
    if isinstance(window, (bool, int, float, np.number)):
        raise ParameterError(f"window={window!r} should be a duration such as '14D', '36h' or pd.Timedelta(days=7)")
    try:
        value = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ParameterError(f"window={window!r} should be a duration such as '14D', '36h' or '90min'") from None
    if pd.isna(value) or value <= pd.Timedelta(0):
        raise ParameterError(f"window={window!r} should be a positive duration such as '14D'")
    return value


def _parse_steps(steps: Sequence[Step], step_names: Sequence[str] | None, order: str) -> tuple:
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        raise ParameterError(
            f"steps={steps!r} should be a list of event names or sets of names, e.g. ['visit', 'cart', 'purchase']"
        )
    parsed: list[frozenset[str]] = []
    for k, step in enumerate(steps, start=1):
        names = frozenset([step]) if isinstance(step, str) else frozenset(step)
        if not names or not all(isinstance(e, str) and e for e in names):
            raise ParameterError(f"step {k} ({step!r}) should be an event name or a non-empty set of event names")
        parsed.append(names)
    if len(parsed) < 2:
        raise ParameterError(f"a funnel needs at least two steps; got {len(parsed)} ({list(steps)!r})")
    if len(parsed) > 30:
        raise ParameterError(f"a funnel takes at most 30 steps; got {len(parsed)}")
    owner: dict[str, int] = {}
    for k, names in enumerate(parsed, start=1):
        for e in sorted(names):
            if e in owner:
                raise ParameterError(
                    f"event {e!r} is in step {owner[e]} and step {k}; each event may belong to one step only"
                )
            owner[e] = k
    if step_names is None:
        names_out = [next(iter(s)) if isinstance(st, str) or len(s) == 1 else " or ".join(sorted(s))
                     for st, s in zip(steps, parsed, strict=True)]
    else:
        names_out = [str(n) for n in step_names]
        if len(names_out) != len(parsed):
            raise ParameterError(f"step_names has {len(names_out)} names for {len(parsed)} steps")
    if order == "any":
        names_out = [f"{k} of {len(parsed)} steps" for k in range(1, len(parsed) + 1)]
    return tuple(parsed), tuple(names_out)


def _spec(steps, *, window, order, by, exclusions, customer_col, time_col, event_col, step_names, end) -> FunnelSpec:
    if order not in ORDERS:
        raise ParameterError(f"order={order!r} is not known; expected one of {', '.join(map(repr, ORDERS))}")
    parsed, names = _parse_steps(steps, step_names, order)
    by_cols = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    for col, role in ((customer_col, "customer_col"), (time_col, "time_col"), (event_col, "event_col")):
        if not isinstance(col, str) or not col:
            raise ParameterError(f"{role}={col!r} should be a column name")
    if isinstance(exclusions, str):
        exclusions = (exclusions,)
    excl = frozenset(exclusions)
    step_events = {e for s in parsed for e in s}
    clash = sorted(excl & step_events)
    if clash:
        raise ParameterError(f"exclusions {clash!r} are also funnel steps; an excluded event cannot be a step")
    end_ts = None
    if end is not None:
        end_ts = pd.Timestamp(end)
        end_ts = end_ts.tz_localize("UTC") if end_ts.tzinfo is None else end_ts.tz_convert("UTC")
    return FunnelSpec(
        steps=parsed, names=names, window=_parse_window(window), order=order, by=by_cols, exclusions=excl,
        customer_col=customer_col, time_col=time_col, event_col=event_col, end=end_ts,
    )


def _run(events, spec: FunnelSpec, engine: str | None, missing_steps: str = "raise") -> EngineResult:
    if engine is None:
        engine = "spark" if is_spark_frame(events) else "duckdb" if is_path_source(events) else "pandas"
    if not isinstance(events, pd.DataFrame) and not is_path_source(events) and not is_spark_frame(events):
        raise ParameterError(
            f"events should be a DataFrame or a path to Parquet/CSV files, not {type(events).__name__}"
        )
    if is_spark_frame(events) and engine != "spark":
        raise ParameterError(f"engine={engine!r} cannot read a Spark DataFrame; use engine='spark' (or None)")
    result = get_engine(engine)(events, spec)
    where = result.source
    missing = [k for k, count in enumerate(result.step_events) if count == 0]
    if missing:
        k = missing[0]
        text = (
            f"{where}: step {k + 1} ({spec.names[k]!r}: {', '.join(sorted(spec.steps[k]))}) matches no event in "
            f"column {spec.event_col!r}"
        )
        if missing_steps == "raise":
            raise ParameterError(f"{text}; check the spelling of the event names")
        more = f" (and {len(missing) - 1} more steps)" if len(missing) > 1 else ""
        warnings.warn(f"{text}{more}; nobody can reach it", JkitWarning, stacklevel=3)
    if spec.exclusions and result.excluded_events == 0:
        warnings.warn(f"{where}: no event matches exclusions {sorted(spec.exclusions)!r}", JkitWarning, stacklevel=3)
    for reason, count in result.set_aside.items():
        warnings.warn(f"{where}: set aside {count:,} events ({reason})", JkitWarning, stacklevel=3)
    return result


# --------------------------------------------------------------------------- public API


def funnel_journeys(
    events: pd.DataFrame | str | Path | Sequence[str | Path],
    steps: Sequence[Step],
    *,
    window: str | pd.Timedelta = "14D",
    order: str = "ordered",
    by: str | Sequence[str] | None = None,
    exclusions: Iterable[str] = (),
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    engine: str | None = None,
    step_names: Sequence[str] | None = None,
    end: str | pd.Timestamp | None = None,
    missing_steps: str = "raise",
) -> pd.DataFrame:
    """One row per customer who entered the funnel: how far they got and when.

    Takes the same arguments as :func:`funnel`. The other functions of this module
    (:func:`funnel_table`, :func:`time_to_convert`, :func:`cohort_conversion`,
    :func:`dropped_after`, :func:`next_after_drop`) take this table, so a notebook computes it
    once.

    Returns
    -------
    DataFrame
        ``customer_col``; the ``by`` columns (value on the entering event of the attempt that
        counts); ``reached`` (furthest step, 1-based); ``excluded`` (removed by an exclusion);
        ``time_1`` … ``time_n`` (UTC time each step was reached, NaT beyond ``reached``).
        ``attrs`` hold ``steps`` (names), ``window``, ``order``, ``by``, ``customer_col``,
        ``data_start`` and ``data_end``.

    Examples
    --------
    >>> j = funnel_journeys(events, ["visit", "cart", "purchase"], window="7D")   # doctest: +SKIP
    >>> funnel_table(j)                                                          # doctest: +SKIP
    """
    spec = _spec(
        steps, window=window, order=order, by=by, exclusions=exclusions, customer_col=customer_col,
        time_col=time_col, event_col=event_col, step_names=step_names, end=end,
    )
    if missing_steps not in ("raise", "warn"):
        raise ParameterError(f"missing_steps={missing_steps!r} should be 'raise' or 'warn'")
    result = _run(events, spec, engine, missing_steps)
    journeys = result.journeys
    journeys.attrs = {
        "steps": list(spec.names),
        "window": str(spec.window),
        "order": spec.order,
        "by": list(spec.by),
        "customer_col": spec.customer_col,
        "data_start": result.data_start,
        "data_end": result.data_end,
        "source": result.source,
    }
    return journeys


def funnel(
    events: pd.DataFrame | str | Path | Sequence[str | Path],
    steps: Sequence[Step],
    *,
    window: str | pd.Timedelta = "14D",
    order: str = "ordered",
    by: str | Sequence[str] | None = None,
    exclusions: Iterable[str] = (),
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    engine: str | None = None,
    step_names: Sequence[str] | None = None,
    end: str | pd.Timestamp | None = None,
    missing_steps: str = "raise",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Count how many customers reach each step of a funnel (see the module docstring for the rules).

    Parameters
    ----------
    events : DataFrame, or path / glob / list of paths to Parquet or CSV files
        One row per event.
    steps : list of str or of sets of str
        The funnel steps in order; a step is an event name or a set of event names.
    window : str or Timedelta, default "14D"
        How long after entering a customer has to complete the steps (inclusive).
    order : {"ordered", "strict", "any"}, default "ordered"
        See the module docstring.
    by : str or list of str, optional
        Columns to break the funnel down by, read on the entering event.
    exclusions : iterable of str, default ()
        Event names that remove a customer when they happen within the attempt that counts.
    customer_col, time_col, event_col : str
        Column names.
    engine : {"pandas", "duckdb", "spark"} or None
        ``None`` picks DuckDB for paths, Spark for a ``pyspark.sql.DataFrame`` and pandas for
        DataFrames. Results are identical (see ``docs/spark.md`` for Spark's microsecond times).
    step_names : list of str, optional
        Names shown for the steps (default: the event names).
    end : str or Timestamp, optional
        Ignore events after this time (counted in a warning).
    missing_steps : {"raise", "warn"}, default "raise"
        What to do when no event at all matches a step (usually a misspelt name):
        raise a ParameterError, or warn and count nobody at that step.
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per group and step: the ``by`` columns, ``step`` (1 for the first step),
        ``step_name``, ``customers`` (reaching the step), ``conversion_from_start`` and
        ``conversion_from_previous`` each with ``_low``/``_high`` Wilson bounds, ``dropped``
        (customers lost since the previous step, 0 at step 1), ``median_time_from_previous``
        and ``p90_time_from_previous`` (Timedelta, among customers reaching the step) and
        ``excluded`` (customers of the group removed by ``exclusions``).

    Examples
    --------
    >>> funnel(events, ["ad_click", {"product_view", "search"}, "purchase"], window="7D")  # doctest: +SKIP
    >>> funnel("events/*.parquet", ["visit", "cart", "purchase"], by="touchpoint")        # doctest: +SKIP
    """
    journeys = funnel_journeys(
        events, steps, window=window, order=order, by=by, exclusions=exclusions, customer_col=customer_col,
        time_col=time_col, event_col=event_col, engine=engine, step_names=step_names, end=end,
        missing_steps=missing_steps,
    )
    return funnel_table(journeys, by=by, confidence=confidence)


def _journey_steps(journeys: pd.DataFrame) -> list[str]:
    times = [c for c in journeys.columns if isinstance(c, str) and c.startswith("time_") and c[5:].isdigit()]
    if "reached" not in journeys.columns or not times:
        raise ParameterError(
            "expected the table funnel_journeys() returns (columns 'reached', 'time_1', …); "
            f"found columns {', '.join(map(repr, journeys.columns))}"
        )
    names = journeys.attrs.get("steps")
    if not names or len(names) != len(times):
        names = [f"step {k}" for k in range(1, len(times) + 1)]
    return list(names)


def _by_list(by, journeys: pd.DataFrame) -> list[str]:
    cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in cols if c not in journeys.columns]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is not a column of the journeys table; compute it with "
            f"funnel_journeys(..., by={missing[0]!r}) (columns: {', '.join(map(repr, journeys.columns))})"
        )
    return cols


def _step_number(step: int | str, names: list[str], what: str) -> int:
    if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
        k = int(step)
        if k < 0:
            k = len(names) + 1 + k
        if 1 <= k <= len(names):
            return k
    elif isinstance(step, str) and step in names:
        return names.index(step) + 1
    raise ParameterError(f"{what}={step!r} should be a step number 1..{len(names)} or a step name ({', '.join(names)})")


def funnel_table(journeys: pd.DataFrame, *, by: str | Sequence[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Summarise :func:`funnel_journeys` into the funnel table of :func:`funnel`.

    ``by`` may be any subset of the breakdown columns the journeys were computed with, so one
    journeys table gives the overall funnel and every breakdown, and the groups add up.
    """
    names = _journey_steps(journeys)
    cols = _by_list(by, journeys)
    n = len(names)
    kept = journeys[~journeys["excluded"].to_numpy(dtype=bool)]
    removed = journeys[journeys["excluded"].to_numpy(dtype=bool)]
    if cols:
        groups = journeys[cols].drop_duplicates().sort_values(cols, na_position="last", ignore_index=True)
        parts = []
        for _, key in groups.iterrows():
            mask_k = np.ones(len(kept), dtype=bool)
            mask_r = np.ones(len(removed), dtype=bool)
            for c in cols:
                mask_k &= _equal(kept[c], key[c])
                mask_r &= _equal(removed[c], key[c])
            table = _one_table(kept[mask_k], names, n, confidence, int(mask_r.sum()))
            for i, c in enumerate(cols):
                table.insert(i, c, pd.Series([key[c]] * len(table), dtype=journeys[c].dtype))
            parts.append(table)
        if not parts:
            empty = _one_table(kept.iloc[:0], names, n, confidence, 0).iloc[:0]
            for i, c in enumerate(cols):
                empty.insert(i, c, pd.Series([], dtype=journeys[c].dtype))
            return empty
        return pd.concat(parts, ignore_index=True)
    return _one_table(kept, names, n, confidence, len(removed))


def _equal(values: pd.Series, key: Any) -> np.ndarray:
    if pd.isna(key):
        return values.isna().to_numpy()
    return (values == key).fillna(False).to_numpy(dtype=bool)


def _one_table(kept: pd.DataFrame, names: list[str], n: int, confidence: float, excluded: int) -> pd.DataFrame:
    reached = kept["reached"].to_numpy()
    customers = np.array([(reached >= k).sum() for k in range(1, n + 1)], dtype=np.int64)
    start = customers[0]
    previous = np.concatenate(([start], customers[:-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        from_start = np.where(start > 0, customers / max(start, 1), np.nan)
        from_prev = np.where(previous > 0, customers / np.maximum(previous, 1), np.nan)
    s_low, s_high = wilson_interval(customers, np.full(n, start), confidence)
    p_low, p_high = wilson_interval(customers, previous, confidence)
    medians, p90s = [pd.NaT], [pd.NaT]
    for k in range(2, n + 1):
        at = kept["reached"].to_numpy() >= k
        gaps = (kept[f"time_{k}"] - kept[f"time_{k - 1}"])[at]
        if len(gaps):
            medians.append(gaps.quantile(0.5))
            p90s.append(gaps.quantile(0.9))
        else:
            medians.append(pd.NaT)
            p90s.append(pd.NaT)
    return pd.DataFrame(
        {
            "step": np.arange(1, n + 1),
            "step_name": pd.array(names, dtype="string"),
            "customers": customers,
            "conversion_from_start": from_start,
            "conversion_from_start_low": s_low,
            "conversion_from_start_high": s_high,
            "conversion_from_previous": from_prev,
            "conversion_from_previous_low": p_low,
            "conversion_from_previous_high": p_high,
            "dropped": previous - customers,
            "median_time_from_previous": pd.to_timedelta(pd.Series(medians, dtype="timedelta64[ns]")),
            "p90_time_from_previous": pd.to_timedelta(pd.Series(p90s, dtype="timedelta64[ns]")),
            "excluded": np.full(n, excluded, dtype=np.int64),
        },
        columns=FUNNEL_COLUMNS,
    )


# --------------------------------------------------------------------------- the stage model


def _stage_events(data, by: Sequence[str], customer_col: str = "customer_id",
                  attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    events = data.events
    extra = [c for c in by if c not in events.columns]
    if not extra:
        return events
    customers = data.customers
    if attributes is not None:
        if customer_col not in attributes.columns:
            raise ParameterError(f"attributes should have a {customer_col!r} column; found {list(attributes.columns)}")
        more = [c for c in attributes.columns if c != customer_col and c not in customers.columns]
        customers = customers.merge(attributes[[customer_col, *more]], on=customer_col, how="left")
    missing = [c for c in extra if c not in customers.columns]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is neither a column of the events ({', '.join(map(repr, events.columns))}) "
            f"nor of the customers ({', '.join(map(repr, customers.columns))})"
        )
    attrs = customers[[customer_col, *extra]]
    if is_spark_frame(events):  # a jkit.spark.SparkJourneyData
        return events.join(attrs, customer_col, "left")
    return events.merge(attrs, on=customer_col, how="left", validate="many_to_one")


def stage_journeys(
    data, *, by: str | Sequence[str] | None = None, attributes: pd.DataFrame | None = None, **kwargs: Any
) -> pd.DataFrame:
    """:func:`funnel_journeys` over the stages of ``data`` (a :class:`~jkit.io.JourneyData`).

    The steps are ``data.stages.steps()`` named by the stage names. ``by`` may name event
    columns (read on the entering event) or customer attributes (joined from
    ``data.customers``, or from ``attributes``: more customer columns keyed by customer id,
    such as personas). A stage without any event gets a warning, not an error. Other keyword
    arguments go to :func:`funnel_journeys`.
    """
    cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    customer_col = kwargs.get("customer_col", "customer_id")
    events = _stage_events(data, cols, customer_col, attributes)
    kwargs.setdefault("step_names", data.stages.names)
    kwargs.setdefault("missing_steps", "warn")
    return funnel_journeys(events, data.stages.steps(), by=cols or None, **kwargs)


def stage_funnel(
    data,
    *,
    by: str | Sequence[str] | None = None,
    attributes: pd.DataFrame | None = None,
    confidence: float = 0.95,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`funnel` over the stages of ``data`` (a :class:`~jkit.io.JourneyData`); see :func:`stage_journeys`.

    Examples
    --------
    >>> stage_funnel(jkit.load("data/sample"), window="30D", by="touchpoint")   # doctest: +SKIP
    """
    return funnel_table(stage_journeys(data, by=by, attributes=attributes, **kwargs), by=by, confidence=confidence)


# --------------------------------------------------------------------------- follow-ups


def time_to_convert(
    journeys: pd.DataFrame, *, from_step: int | str = 1, to_step: int | str = -1, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """How long customers took from one step to a later one (customers who reached ``to_step``).

    Returns
    -------
    DataFrame
        ``customer_col``, the ``by`` columns, ``from_step``, ``to_step`` (names),
        ``time_to_convert`` (Timedelta) and ``hours`` (float).
    """
    names = _journey_steps(journeys)
    cols = _by_list(by, journeys)
    a = _step_number(from_step, names, "from_step")
    b = _step_number(to_step, names, "to_step")
    if b <= a:
        raise ParameterError(f"to_step={to_step!r} should come after from_step={from_step!r}")
    customer_col = journeys.attrs.get("customer_col", journeys.columns[0])
    ok = (journeys["reached"] >= b) & ~journeys["excluded"].astype(bool)
    part = journeys.loc[ok]
    delta = part[f"time_{b}"] - part[f"time_{a}"]
    out = part[[customer_col, *cols]].reset_index(drop=True)
    out["from_step"] = pd.array([names[a - 1]] * len(out), dtype="string")
    out["to_step"] = pd.array([names[b - 1]] * len(out), dtype="string")
    out["time_to_convert"] = delta.reset_index(drop=True)
    out["hours"] = out["time_to_convert"].dt.total_seconds() / 3600
    return out


_PERIODS = {"W": "W", "week": "W", "M": "M", "month": "M", "D": "D", "day": "D", "Q": "Q", "quarter": "Q"}


def cohort_conversion(
    journeys: pd.DataFrame,
    *,
    period: str = "W",
    from_step: int | str = 1,
    to_step: int | str = -1,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Conversion from ``from_step`` to ``to_step`` by entry cohort (the period of entering).

    A cohort is *complete* when every customer in it had the whole window before the data ends
    (``period end + window <= data end``); the last cohorts are usually incomplete and their
    conversion is biased low.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``cohort`` (start of the period, UTC), ``entered`` (customers at
        ``from_step``), ``converted`` (at ``to_step``), ``conversion`` with ``conversion_low`` /
        ``conversion_high`` (Wilson) and ``complete``.
    """
    if period not in _PERIODS:
        raise ParameterError(f"period={period!r} should be one of 'D', 'W' (weeks from Monday), 'M' or 'Q'")
    freq = _PERIODS[period]
    names = _journey_steps(journeys)
    cols = _by_list(by, journeys)
    a = _step_number(from_step, names, "from_step")
    b = _step_number(to_step, names, "to_step")
    if b <= a:
        raise ParameterError(f"to_step={to_step!r} should come after from_step={from_step!r}")
    kept = journeys[(journeys["reached"] >= a) & ~journeys["excluded"].astype(bool)]
    entered_at = kept["time_1"].dt.tz_convert("UTC").dt.tz_localize(None)
    cohort = entered_at.dt.to_period(freq)
    frame = kept[cols].copy()
    frame["cohort"] = cohort.to_numpy()
    frame["converted"] = (kept["reached"] >= b).to_numpy()
    grouped = frame.groupby([*cols, "cohort"], dropna=False, sort=True, observed=True)["converted"]
    out = grouped.agg(entered="size", converted="sum").reset_index()
    out["converted"] = out["converted"].astype(np.int64)
    out["conversion"] = out["converted"] / out["entered"]
    low, high = wilson_interval(out["converted"], out["entered"], confidence)
    out["conversion_low"], out["conversion_high"] = low, high
    window = pd.Timedelta(journeys.attrs.get("window", "0D"))
    data_end = journeys.attrs.get("data_end")
    period_end = pd.PeriodIndex(out["cohort"]).end_time.tz_localize("UTC")
    out["complete"] = (period_end + window <= data_end) if data_end is not None else False
    out["cohort"] = pd.PeriodIndex(out["cohort"]).start_time.tz_localize("UTC")
    return out[[*cols, "cohort", "entered", "converted", "conversion", "conversion_low", "conversion_high", "complete"]]


def dropped_after(journeys: pd.DataFrame, step: int | str) -> pd.DataFrame:
    """The customers whose furthest step is ``step`` (they reached it and went no further).

    Returns
    -------
    DataFrame
        ``customer_col``, the breakdown columns, ``entered_at`` and ``last_step_at`` (UTC).
    """
    names = _journey_steps(journeys)
    k = _step_number(step, names, "step")
    customer_col = journeys.attrs.get("customer_col", journeys.columns[0])
    by = [c for c in journeys.attrs.get("by", []) if c in journeys.columns]
    part = journeys[(journeys["reached"] == k) & ~journeys["excluded"].astype(bool)]
    out = part[[customer_col, *by]].reset_index(drop=True)
    out["entered_at"] = part["time_1"].to_numpy()
    out["last_step_at"] = part[f"time_{k}"].to_numpy()
    out["entered_at"] = pd.to_datetime(out["entered_at"], utc=True)
    out["last_step_at"] = pd.to_datetime(out["last_step_at"], utc=True)
    return out


def next_after_drop(
    journeys: pd.DataFrame,
    events: pd.DataFrame,
    step: int | str,
    *,
    column: str = "event",
    top: int = 10,
    within: str | pd.Timedelta | None = None,
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
) -> pd.DataFrame:
    """What customers who dropped after ``step`` did next: their first later event, counted.

    For each customer of :func:`dropped_after`, the first event strictly later than the step
    they last reached (within ``within`` of it, when given; simultaneous events are ordered by
    ``event_col``), and the value of ``column`` on it (``"event"``, ``"touchpoint"``…).
    Customers with no later event count under ``"(nothing)"``.

    Returns
    -------
    DataFrame
        ``column`` (value, or ``"(other)"`` for what falls beyond ``top``, ``"(nothing)"``),
        ``customers`` and ``share`` of the dropped customers, most frequent first.
    """
    if not isinstance(events, pd.DataFrame):
        raise ParameterError("events should be the events DataFrame (for example data.events)")
    for col in {column, customer_col, time_col, event_col}:
        if col not in events.columns:
            raise ParameterError(f"events: no column {col!r}; found columns {', '.join(map(repr, events.columns))}")
    if top < 1:
        raise ParameterError(f"top={top!r} should be at least 1")
    dropped = dropped_after(journeys, step)
    jcol = journeys.attrs.get("customer_col", customer_col)
    cut = dropped[[jcol, "last_step_at"]].rename(columns={jcol: "__c"})
    ev = events[[customer_col, time_col, *dict.fromkeys([event_col, column])]].copy()
    ev.columns = ["__c", "__t", *ev.columns[2:]]
    ev["__t"] = pd.to_datetime(ev["__t"], utc=True)
    later = ev.merge(cut, on="__c", how="inner")
    keep = later["__t"] > later["last_step_at"]
    if within is not None:
        keep &= later["__t"] <= later["last_step_at"] + _parse_window(within)
    later = later[keep].sort_values(["__c", "__t", event_col], kind="stable")
    first = later.drop_duplicates("__c", keep="first")
    values = first[column].astype("string").fillna("(missing)")
    counts = values.value_counts()
    nothing = len(dropped) - len(first)
    rows = [(str(v), int(c)) for v, c in counts.head(top).items()]
    other = int(counts.iloc[top:].sum()) if len(counts) > top else 0
    if other:
        rows.append(("(other)", other))
    if nothing:
        rows.append(("(nothing)", int(nothing)))
    out = pd.DataFrame(rows, columns=[column, "customers"])
    out[column] = out[column].astype("string")
    out["customers"] = out["customers"].astype(np.int64)
    out["share"] = out["customers"] / len(dropped) if len(dropped) else np.nan
    return out
