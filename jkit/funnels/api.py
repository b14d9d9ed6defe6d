"""The funnel and its table: :func:`funnel_journeys` runs an engine over the events, :func:`funnel_table`
counts its journeys step by step, :func:`funnel` does both; :func:`stage_journeys` and
:func:`stage_funnel` do the same over the stage model of a study. The rules are in the docstring of
:mod:`jkit.funnels` (and ``docs/funnels.md``).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable, Sequence
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
    spec = make_spec(
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
    window : str or Timedelta, default "14D"
        How long after entering a customer has to complete the steps (inclusive).
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
    names = journey_steps(journeys)
    cols = by_columns(by, journeys)
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
