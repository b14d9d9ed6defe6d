"""The time rules of the journey map: the study's span, the funnel window scaled to it, the period cut.

This module owns how a map's times are chosen and shown: :func:`scaled_window` (a window no longer
than the data), :func:`default_period_cut` and :func:`period_comparison_note` (splitting the study
into an earlier and a later period) and :func:`format_instant` (a cut for readers).
"""

from __future__ import annotations

import pandas as pd

from jkit._rules import to_utc
from jkit.errors import ParameterError
from jkit.io import JourneyData

__all__ = ["data_span", "default_period_cut", "format_instant", "period_comparison_note", "scaled_window"]


def data_span(data: JourneyData) -> pd.Timedelta | None:
    """First event to last (a Timedelta), or None without event times."""
    start, end = data.period
    return None if start is None else end - start


def scaled_window(data: JourneyData, window: str | pd.Timedelta = "90D") -> pd.Timedelta:
    """The funnel window, no longer than the data's span (rounded up to the minute, hour or day).

    A 3-hour clickstream gets a 3-hour window rather than "90 days" nobody could observe.
    """
    try:
        wanted = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ParameterError(f"window={window!r} should be a duration such as '90D' or '6h'") from None
    span = data_span(data)
    if span is None or span <= pd.Timedelta(0) or wanted <= span:
        return wanted
    unit = "min" if span < pd.Timedelta(hours=2) else "h" if span < pd.Timedelta(days=2) else "D"
    return max(span.ceil(unit), pd.Timedelta(1, unit=unit))


def period_comparison_note(data: JourneyData) -> str | None:
    """Why the study cannot be split into an earlier and a later period, or None when it can."""
    if not data.has("events"):
        return "the study has no events"
    ts = data.events["timestamp"].dropna()
    if ts.dt.floor("h").nunique() < 2:
        return "the events span less than two distinct hours"
    return None


def default_period_cut(data: JourneyData) -> pd.Timestamp | None:
    """The instant that splits the events in two halves: the median event time, inside the period.

    Rounded to the day when the data spans weeks, to the minute when it spans hours; always
    strictly after the first event and at or before the last (None without event times).
    """
    start, end = data.period
    if start is None or start == end:
        return None
    ts = data.events["timestamp"].dropna()
    cut = ts.quantile(0.5, interpolation="nearest")
    span = end - start
    unit = "D" if span >= pd.Timedelta(days=14) else "h" if span >= pd.Timedelta(days=2) else "min"
    rounded = cut.round(unit)
    if start < rounded <= end:
        cut = rounded
    if not start < cut <= end:
        cut = start + span / 2
    return cut


def format_instant(ts: pd.Timestamp | str, data: JourneyData | None = None) -> str:
    """A cut for readers: the date, with the time (UTC) when the data spans under two days or the cut has one."""
    t = to_utc(ts)
    span = data_span(data) if data is not None else None
    short = span is not None and span < pd.Timedelta(days=2)
    if short or t != t.normalize():
        return f"{t:%Y-%m-%d %H:%M} UTC"
    return f"{t:%Y-%m-%d}"
