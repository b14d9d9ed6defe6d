"""The funnel and its table: :func:`funnel_journeys` runs an engine over the events, :func:`funnel_table`
counts its journeys step by step, :func:`funnel` does both; :func:`stage_journeys` and
:func:`stage_funnel` do the same over the stage model of a study. The rules are in the docstring of
:mod:`jkit.funnels` (and ``docs/funnels.md``).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._engines import choose, is_path_source, is_spark_frame, load
from jkit._rules import as_list, column_list
from jkit.errors import JkitWarning, ParameterError
from jkit.funnels.engines import ENGINES
from jkit.funnels.journeys import by_columns, journey_steps
from jkit.funnels.spec import EngineResult, FunnelSpec, Source, Step, make_spec
from jkit.stats import wilson_interval

__all__ = [
    "funnel",
    "funnel_journeys",
    "funnel_table",
    "stage_funnel",
    "stage_journeys",
]

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


# --------------------------------------------------------------------------- running an engine


def _run(events, spec: FunnelSpec, engine: str | None, missing_steps: str = "raise") -> EngineResult:
    if not isinstance(events, pd.DataFrame) and not is_path_source(events) and not is_spark_frame(events):
        raise ParameterError(
            f"events should be a DataFrame or a path to Parquet/CSV files, not {type(events).__name__}"
        )
    result = load(ENGINES, choose(engine, events, ENGINES, analysis="funnel"))(events, spec)
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
    events: Source,
    steps: Sequence[Step],
    *,
    window: str | pd.Timedelta | None = "14D",
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
    optional: int | str | Sequence[int | str] = (),
    step_windows: Mapping[int | str, str | pd.Timedelta | None] | Sequence[str | pd.Timedelta | None] | None = None,
    count: str = "unique",
    unit: str = "customer",
    session_col: str = "session_id",
) -> pd.DataFrame:
    """One row per customer who entered the funnel: how far they got and when.

    Takes the same arguments as :func:`funnel`. The other functions of this module
    (:func:`funnel_table`, :func:`time_to_convert`, :func:`cohort_conversion`,
    :func:`dropped_after`, :func:`next_after_drop`) take this table, so a notebook computes it
    once.

    Returns
    -------
    DataFrame
        ``customer_col`` (and ``session_col`` with ``unit="session"``); ``attempt`` (1, 2, … per
        customer, with ``count="total"`` only: one row per attempt); the ``by`` columns (value on
        the entering event of the attempt that counts); ``reached`` (furthest step, 1-based);
        ``excluded`` (removed by an exclusion); ``time_1`` … ``time_n`` (UTC time each step was
        reached, NaT beyond ``reached`` and for optional steps skipped). ``attrs`` hold ``steps``
        (names), ``window``, ``order``, ``by``, ``customer_col``, ``optional`` (1-based step
        numbers), ``count``, ``unit``, ``data_start`` and ``data_end``.

    Examples
    --------
    >>> j = funnel_journeys(events, ["visit", "cart", "purchase"], window="7D")   # doctest: +SKIP
    >>> funnel_table(j)                                                          # doctest: +SKIP
    """
    spec = make_spec(
        steps, window=window, order=order, by=by, exclusions=exclusions, customer_col=customer_col,
        time_col=time_col, event_col=event_col, step_names=step_names, end=end, optional=optional,
        step_windows=step_windows, count=count, unit=unit, session_col=session_col,
    )
    if missing_steps not in ("raise", "warn"):
        raise ParameterError(f"missing_steps={missing_steps!r} should be 'raise' or 'warn'")
    result = _run(events, spec, engine, missing_steps)
    journeys = result.journeys
    journeys.attrs = {
        "steps": list(spec.names),
        "window": None if spec.window is None else str(spec.window),
        "order": spec.order,
        "optional": [k + 1 for k in spec.optional],
        "step_windows": None if spec.step_windows is None else [None if w is None else str(w) for w in spec.step_windows],
        "count": spec.count,
        "unit": spec.unit,
        "by": list(spec.by),
        "customer_col": spec.customer_col,
        "data_start": result.data_start,
        "data_end": result.data_end,
        "source": result.source,
    }
    return journeys


def _keywords_of_journeys(func):
    """Give ``func`` (which passes ``**options`` on to :func:`funnel_journeys`) the signature of
    :func:`funnel_journeys` followed by its own keywords, so help() and editors show every argument."""
    base = inspect.signature(funnel_journeys)
    own = [p for p in inspect.signature(func).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    func.__signature__ = base.replace(parameters=[*base.parameters.values(), *own])
    return func


@_keywords_of_journeys
def funnel(events: Source, steps: Sequence[Step], *, confidence: float = 0.95, **options: Any) -> pd.DataFrame:
    """Count how many customers reach each step of a funnel (the rules are in :mod:`jkit.funnels`).

    Parameters
    ----------
    events : DataFrame, or path / glob / list of paths to Parquet or CSV files
        One row per event.
    steps : list of str or of sets of str
        The funnel steps in order; a step is an event name or a set of event names.
    window : str, Timedelta or None, default "14D"
        How long after entering a customer has to complete the steps (inclusive); None: no limit.
    order : {"ordered", "strict", "any"}, default "ordered"
        See :mod:`jkit.funnels`.
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
    optional : step number(s) or name(s), default ()
        Steps that may be skipped (never step 1): they are counted when done between the steps
        around them, and later steps count customers with or without them.
    step_windows : dict or list, optional
        A window per step, from the previous required step: ``{3: "1h"}`` (step number or name to
        duration) or one duration or None per step after the first. The overall ``window`` still applies.
    count : {"unique", "total"}, default "unique"
        Count each customer once, or every attempt (a new one may start after the last event the
        previous attempt matched).
    unit : {"customer", "session"}, default "customer"
        What is counted: customers, or sessions (the ``session_col`` column, e.g. from
        ``jkit.paths.sessions``); a session funnel runs within each session.
    session_col : str, default "session_id"
        The session column used with ``unit="session"``.
    confidence : float, default 0.95
        Level of the Wilson intervals.
    **options
        The keyword arguments of :func:`funnel_journeys` listed above.

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
    return funnel_table(funnel_journeys(events, steps, **options), by=options.get("by"), confidence=confidence)


def funnel_table(journeys: pd.DataFrame, *, by: str | Sequence[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Summarise :func:`funnel_journeys` into the funnel table of :func:`funnel`.

    ``by`` may be any subset of the breakdown columns the journeys were computed with, so one
    journeys table gives the overall funnel and every breakdown, and the groups add up.
    """
    table = _funnel_table(journeys, by, confidence)
    table.attrs = {"optional": list(journeys.attrs.get("optional", ()) or ())}
    return table


def _funnel_table(journeys: pd.DataFrame, by, confidence: float) -> pd.DataFrame:
    names = journey_steps(journeys)
    cols = by_columns(by, journeys)
    n = len(names)
    optional = tuple(int(k) - 1 for k in journeys.attrs.get("optional", ()) or ())
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
            table = _one_table(kept[mask_k], names, n, confidence, int(mask_r.sum()), optional)
            for i, c in enumerate(cols):
                table.insert(i, c, pd.Series([key[c]] * len(table), dtype=journeys[c].dtype))
            parts.append(table)
        if not parts:
            empty = _one_table(kept.iloc[:0], names, n, confidence, 0, optional).iloc[:0]
            for i, c in enumerate(cols):
                empty.insert(i, c, pd.Series([], dtype=journeys[c].dtype))
            return empty
        return pd.concat(parts, ignore_index=True)
    return _one_table(kept, names, n, confidence, len(removed), optional)


def _equal(values: pd.Series, key: Any) -> np.ndarray:
    if pd.isna(key):
        return values.isna().to_numpy()
    return (values == key).fillna(False).to_numpy(dtype=bool)


def _one_table(kept: pd.DataFrame, names: list[str], n: int, confidence: float, excluded: int,
               optional: tuple[int, ...] = ()) -> pd.DataFrame:
    """The funnel table of one group. Optional steps count the customers who did them; "previous"
    is the previous required step, for conversions, drop-outs and times alike."""
    reached = kept["reached"].to_numpy()
    done = [(reached >= k + 1) & (kept[f"time_{k + 1}"].notna().to_numpy() if k in optional else True)
            for k in range(n)]
    customers = np.array([d.sum() for d in done], dtype=np.int64)
    start = customers[0]
    prev_step = [max((j for j in range(k) if j not in optional), default=0) for k in range(n)]
    previous = np.array([start] + [customers[prev_step[k]] for k in range(1, n)], dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        from_start = np.where(start > 0, customers / max(start, 1), np.nan)
        from_prev = np.where(previous > 0, customers / np.maximum(previous, 1), np.nan)
    s_low, s_high = wilson_interval(customers, np.full(n, start), confidence)
    p_low, p_high = wilson_interval(customers, previous, confidence)
    medians, p90s = [pd.NaT], [pd.NaT]
    for k in range(1, n):
        gaps = (kept[f"time_{k + 1}"] - kept[f"time_{prev_step[k] + 1}"])[done[k]]
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
            f"by={missing[0]!r} is neither a column of the events ({column_list(events.columns)}) "
            f"nor of the customers ({column_list(customers.columns)})"
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
    cols = as_list(by)
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
