"""Transitions between consecutive events (:func:`transitions`) and the most common paths from or to an
event (:func:`paths`), by customer or by session; the rules are in ``docs/paths.md``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from jkit.errors import ParameterError
from jkit.paths.running import level_mapping, request_for, run_request
from jkit.paths.spec import Source
from jkit.stages import StageModel

__all__ = ["OTHER", "paths", "path_table", "transitions"]

#: the name of the paths beyond ``top``
OTHER = "other"
ARROW = " → "


def transitions(
    events: Source,
    *,
    level: str = "event",
    stages: StageModel | Mapping[str, str] | None = None,
    by: str | Sequence[str] | None = None,
    collapse_repeats: bool = False,
    unit: str = "customer",
    gap: str | pd.Timedelta = "30min",
    session_col: str = "session_id",
    session_source: str = "auto",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    tie_order: Sequence[str] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Every transition from one event (or stage) to the next, counted.

    A transition is a pair of consecutive events of one customer (``unit="customer"``) or of
    one session (``unit="session"``: the last event of a session does not lead into the next).

    Parameters
    ----------
    events : DataFrame (pandas or Spark), or path / glob / list of paths to Parquet files
        One row per event.
    level : {"event", "stage"}, default "event"
        ``"stage"`` names each event by its stage in ``stages`` (events no stage claims keep their name).
    stages : StageModel or mapping, optional
        The stage model (``data.stages``) or a mapping event -> stage; needed for ``level="stage"``.
    by : str or list of str, optional
        Columns whose value on the *source* event splits the table (touchpoint, persona…).
    collapse_repeats : bool, default False
        Drop an event (or stage) equal to the previous one of its unit first, so ``a a b`` is
        ``a b`` (the run keeps its first event, and its time).
    unit : {"customer", "session"}, default "customer"
        Where transitions are taken; sessions as :func:`jkit.paths.sessions` cuts them
        (``gap``, ``session_col``, ``session_source``).
    customer_col, time_col, event_col : str
        Column names.
    tie_order : list of str, optional
        Events at the same instant come in this order (then the others, by name). Exports often
        log several events at one instant (GA4: ``first_visit``, ``session_start`` and ``page_view``
        share a timestamp); ``tie_order=["first_visit", "session_start"]`` puts them in the order
        they happen. Without it, simultaneous events are ordered by name.
    engine : {"pandas", "duckdb", "spark"} or None
        None picks Spark for a Spark DataFrame, DuckDB for files and pandas for DataFrames; results
        are identical (Spark's times are whole microseconds: see ``docs/paths.md``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``source``, ``target``, ``transitions`` (count), ``customers``
        (distinct customers making it), ``share`` (of the transitions leaving ``source`` in
        the group) and ``median_time`` (Timedelta between the two events); by group, most
        frequent first.
    """
    request = request_for("transitions", events, session_source=session_source, unit=unit, gap=gap,
                          session_col=session_col, customer_col=customer_col, time_col=time_col, event_col=event_col,
                          tie_order=tie_order, mapping=level_mapping(level, stages), collapse=collapse_repeats, by=by)
    out = run_request(events, request, engine)
    cols = list(request.by)
    out["transitions"] = out["transitions"].astype(np.int64)
    out["customers"] = out["customers"].astype(np.int64)
    total = out.groupby([*cols, "source"], dropna=False, observed=True)["transitions"].transform("sum")
    out["share"] = out["transitions"] / total
    out["median_time"] = pd.to_timedelta(np.round(out.pop("median_ns").to_numpy(dtype=float)), unit="ns")
    out["source"] = out["source"].astype(object)
    out["target"] = out["target"].astype(object)
    out = out.sort_values([*cols, "transitions", "source", "target"], ascending=[*[True] * len(cols), False, True, True],
                          na_position="last", ignore_index=True, kind="stable")
    return out[[*cols, "source", "target", "transitions", "customers", "share", "median_time"]]


def path_table(sequences: pd.DataFrame, steps: int, *, unit: str = "customer", top: int | None = 10,
               other: str = OTHER) -> pd.DataFrame:
    """The paths table from an engine's sequences: most common first, those beyond ``top`` as one ``other`` row."""
    names = [f"step_{k}" for k in range(1, steps + 1)]
    out = sequences.copy()
    for n in names:
        out[n] = out[n].astype(object).where(out[n].notna(), None)
    out["path"] = [ARROW.join(s for s in row if s is not None) for row in out[names].itertuples(index=False)]
    out = out.sort_values(["units", "path"], ascending=[False, True], ignore_index=True, kind="stable")
    total = int(out["units"].sum())
    if top is not None and len(out) > top:
        rest = out.iloc[top:]
        row = {**{n: None for n in names}, "path": other, "units": int(rest["units"].sum()),
               "customers": int(rest["customers"].sum()) if unit == "customer" else pd.NA}
        out = pd.concat([out.iloc[:top], pd.DataFrame([row])], ignore_index=True)
    out["share"] = out["units"] / total if total else np.nan
    count = "customers" if unit == "customer" else "sessions"
    if unit == "customer":
        out = out.drop(columns="customers")
    else:
        out["customers"] = out["customers"].astype("Int64")
    out = out.rename(columns={"units": count})
    out[count] = out[count].astype(np.int64)
    for n in names:
        out[n] = out[n].astype(object).where(out[n].notna(), None)
    extra = [] if unit == "customer" else ["customers"]
    return out[["path", *names, count, *extra, "share"]]


def paths(
    events: Source,
    *,
    start: str | None = None,
    end: str | None = None,
    steps: int = 5,
    top: int | None = 10,
    level: str = "event",
    stages: StageModel | Mapping[str, str] | None = None,
    collapse_repeats: bool = False,
    unit: str = "customer",
    gap: str | pd.Timedelta = "30min",
    session_col: str = "session_id",
    session_source: str = "auto",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    tie_order: Sequence[str] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """The most common sequences of ``steps`` events from ``start``, or to ``end``, the rest as ``"other"``.

    Parameters
    ----------
    events : DataFrame or paths to Parquet files
        One row per event.
    start : str, optional
        Paths begin at each unit's *first* ``start`` event (units without one are left out).
    end : str, optional
        Paths end at each unit's first ``end`` event: the ``steps - 1`` events before it, then it.
        Give ``start`` or ``end``, or neither (paths from each unit's first event).
    steps : int, default 5
        Events per path (the anchor included); shorter paths end where the unit's events end
        (or, with ``end``, begin at its first event).
    top : int or None, default 10
        Paths kept; the others are summed into one row ``"other"``. None keeps all.
    level, stages, collapse_repeats, unit, gap, session_col, session_source : see :func:`transitions`
    customer_col, time_col, event_col : str
        Column names.
    tie_order, engine
        As in :func:`transitions`.

    Returns
    -------
    DataFrame
        ``path`` (``"a → b → c"``), ``step_1`` … ``step_<steps>`` (None where the path is
        shorter; with ``end`` the path is right-aligned so ``step_<steps>`` is ``end``),
        ``customers`` (or ``sessions`` and ``customers`` with ``unit="session"``; the
        ``other`` row's customers are then unknown, NA) and ``share`` of the units with a
        path; most common first, ties by path.

    Raises
    ------
    ParameterError
        When no unit has the ``start`` or ``end`` event (naming it), or for bad arguments.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ParameterError(f"top={top!r} should be a whole number of at least 1, or None")
    request = request_for("sequences", events, session_source=session_source, unit=unit, gap=gap,
                          session_col=session_col, customer_col=customer_col, time_col=time_col, event_col=event_col,
                          tie_order=tie_order, mapping=level_mapping(level, stages), collapse=collapse_repeats, steps=steps,
                          start=start, end=end)
    sequences = run_request(events, request, engine)
    anchor = start if start is not None else end
    if anchor is not None and sequences.empty:
        role = "start" if start is not None else "end"
        raise ParameterError(f"{role}={anchor!r}: no customer has this {level} in column {event_col!r}; "
                             "check its spelling (and level=)")
    return path_table(sequences, steps, unit=unit, top=top)
