"""Path cleaning: map or group event names, keep the top events and call the rest ``other``, collapse
repeats — before drawing paths with more events than a chart can show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from jkit._engines import is_spark_frame
from jkit.errors import ParameterError
from jkit.paths.frames import check_frame, customer_values, event_codes, time_ns
from jkit.paths.spec import make_request

__all__ = ["clean_events"]


def clean_events(
    events: pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    collapse_repeats: bool = True,
    top: int | None = None,
    other: str = "other",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    tie_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Events with names mapped, rare names grouped and repeats collapsed, in the paths' order.

    Parameters
    ----------
    events : DataFrame
        One row per event.
    mapping : mapping of str to str, optional
        New names (``{"view_item": "product", "view_item_list": "product"}`` groups two events);
        names it does not list are kept.
    collapse_repeats : bool, default True
        Drop an event equal to the previous event of the same customer (after mapping and
        grouping); the run keeps its first event and ``repeats`` counts its events.
    top : int, optional
        Keep the ``top`` most frequent names (by events, ties by name) and call the rest ``other``.
    other : str, default "other"
        The name of the grouped events.
    customer_col, time_col, event_col : str
        Column names.
    tie_order : list of str, optional
        Order of events at the same instant, as in :func:`jkit.paths.transitions`.

    Returns
    -------
    DataFrame
        The kept events (all columns), ordered by customer, time, event name and input order,
        with ``event_col`` cleaned and ``repeats`` (events in the run, 1 without collapsing).
        ``attrs["dropped_repeats"]`` counts the events collapsed away.
    """
    if is_spark_frame(events):
        raise ParameterError("clean_events works on a pandas DataFrame, not a Spark one; transitions, paths and "
                             "step_matrix clean in Spark themselves (level='stage', stages={old: new} maps names, "
                             "collapse_repeats=True), or bring the events to pandas first (events.toPandas())")
    if not isinstance(events, pd.DataFrame):
        raise ParameterError(f"events should be a DataFrame, not {type(events).__name__}")
    if mapping is not None and not (isinstance(mapping, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in mapping.items())):
        raise ParameterError("mapping should map event names to new, non-empty names")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ParameterError(f"top={top!r} should be a whole number of at least 1, or None")
    if not isinstance(other, str) or not other:
        raise ParameterError(f"other={other!r} should be a non-empty name")
    request = make_request("transitions", customer_col=customer_col, time_col=time_col, event_col=event_col,
                           mapping=mapping, tie_order=tie_order)
    check_frame(events, request, "events")
    t = time_ns(events, request, "events")
    e, names = event_codes(events[event_col], request.mapping)
    if top is not None and len(names) > top:
        counts = np.bincount(e, minlength=len(names))
        ranked = sorted(range(len(names)), key=lambda i: (-counts[i], names[i]))
        keep = np.zeros(len(names), dtype=bool)
        keep[ranked[:top]] = True
        names = np.where(keep, names, other).astype(object)
        names, e = _recode(names, e)
    c, _ = customer_values(events[customer_col])
    rank = np.array([request.tie_rank(n) for n in names], dtype=np.int64)
    order = np.lexsort((np.arange(len(events)), e, rank[e] if len(names) else e, t, c))
    c, e = c[order], e[order]
    start = np.ones(len(e), dtype=bool)
    if collapse_repeats and len(e) > 1:
        start[1:] = (c[1:] != c[:-1]) | (e[1:] != e[:-1])
    runs = np.cumsum(start) - 1
    repeats = np.bincount(runs)[runs] if len(e) else np.zeros(0, dtype=np.int64)
    out = events.iloc[order[start]].copy()
    out[event_col] = names[e[start]]
    out["repeats"] = repeats[start].astype(np.int64)
    out.attrs["dropped_repeats"] = int(len(events) - start.sum())
    return out


def _recode(names: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Names made distinct again (grouped ones share a code), still in name order."""
    merged, renumber = np.unique(names, return_inverse=True)
    return merged.astype(object), renumber[codes]
