"""Numbers, shares, durations and periods in words readers understand — one style everywhere.

Pure text rules with no display dependency, so analyses (KPI definitions), plots and report
notebooks all format the same way; :mod:`jkit.notebook` re-exports them for notebooks.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import to_utc

__all__ = ["MISSING", "auto_decimals", "format_duration", "format_measure", "format_number", "format_percent", "format_period"]

#: What a table cell shows for a missing value; the text helpers return ``"n/a"`` instead.
MISSING = "–"

_MINUTE, _HOUR, _DAY = 60.0, 3600.0, 86400.0
_YEAR = 365.25 * _DAY


# --------------------------------------------------------------------------------------------
# numbers in words


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _seconds(value: Any) -> float | None:
    """Seconds of a duration: a number (seconds), Timedelta, timedelta or numpy timedelta64."""
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timedelta | _dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).total_seconds()
    if isinstance(value, str):
        return pd.Timedelta(value).total_seconds()
    out = float(value)
    return None if math.isnan(out) else out


def _amount(x: float, unit: str) -> str:
    """``x`` with one decimal below 10 and none from 10 on; a trailing ``.0`` dropped."""
    text = f"{x:.1f}" if x < 9.95 else f"{x:,.0f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text} {unit}"


def format_duration(value: Any) -> str:
    """A duration in the unit its size calls for.

    ``value`` is seconds (a number), a :class:`pandas.Timedelta`, a :class:`datetime.timedelta`
    or missing. Under 2 minutes: seconds (one decimal below 10 s: ``"4.2 s"``, ``"83 s"``); under
    an hour: minutes (``"14 min"``); under 48 hours: hours (``"1.5 h"``, ``"31 h"``); under 2 years: days
    (``"47 days"``); from 2 years: years (``"2.3 years"``). Missing (None, NaN, NaT): ``"n/a"``.
    """
    seconds = _seconds(value)
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    sign, s = ("−", -seconds) if seconds < 0 else ("", seconds)
    if s == 0:
        text = "0 s"
    elif s < 2 * _MINUTE:
        text = _amount(s, "s")
    elif s < _HOUR:
        text = _amount(s / _MINUTE, "min")
    elif s < 48 * _HOUR:
        text = _amount(s / _HOUR, "h")
    elif s < 2 * _YEAR:
        text = _amount(s / _DAY, "days")
    else:
        text = _amount(s / _YEAR, "years")
    return sign + text


def format_percent(value: Any, decimals: int = 1) -> str:
    """A share (a fraction: ``0.043``) as a percentage: ``"4.3%"``; missing: ``"n/a"``."""
    if _is_missing(value):
        return "n/a"
    return f"{float(value) * 100:,.{int(decimals)}f}%"


def auto_decimals(magnitude: float) -> int:
    """Decimals for numbers of this size: 0 from 100, 1 from 10, 2 from 1, two significant below."""
    magnitude = abs(magnitude)
    if not math.isfinite(magnitude) or magnitude == 0 or magnitude >= 100:
        return 0
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    return min(max(2, 1 - math.floor(math.log10(magnitude))), 8)


def format_number(value: Any, decimals: int | None = None) -> str:
    """A number with thousands separators and decimals by its size, never in scientific notation.

    ``134012.3`` -> ``"134,012"``, ``23.14`` -> ``"23.1"``, ``4.567`` -> ``"4.57"``,
    ``0.0431`` -> ``"0.043"``, ``12.0`` -> ``"12"``; missing: ``"n/a"``. ``decimals`` fixes the
    decimals instead.
    """
    if _is_missing(value):
        return "n/a"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    x = float(value)
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if decimals is None:
        decimals = 0 if x.is_integer() else auto_decimals(x)
    text = f"{x:,.{int(decimals)}f}"
    return "0" if text.strip("-0.,") == "" and x != 0 and decimals == 0 else text


#: column-name endings that tell the unit of a measure (see :func:`format_measure`)
_SHARE_HINTS = ("share", "rate", "ratio", "pct_", "tp_")
_DURATION_UNITS = {"_seconds": 1.0, "_secs": 1.0, "_minutes": _MINUTE, "_mins": _MINUTE, "_hours": _HOUR,
                   "_days": _DAY, "_weeks": 7 * _DAY, "_years": _YEAR}


def format_measure(value: Any, column: str = "") -> str:
    """A value in the unit its column name tells: shares as ``"4.3%"``, ``*_days``/``days_*``,
    ``*_hours``/… as durations (``recency_days=47`` -> ``"47 days"``), anything else as
    :func:`format_number`.

    Share columns are those starting ``tp_`` (touchpoint mix) or ``share``/``pct_``, or ending
    ``share``, ``rate`` or ``ratio``.
    """
    name = str(column).lower()
    if _is_missing(value):
        return "n/a"
    if isinstance(value, pd.Timedelta | _dt.timedelta | np.timedelta64):
        return format_duration(value)
    for suffix, seconds in _DURATION_UNITS.items():
        if name.endswith(suffix) or name.startswith(suffix[1:] + "_"):
            return format_duration(float(value) * seconds)
    if name.startswith(("tp_", "share", "pct_")) or name.endswith(("share", "rate", "ratio")):
        return format_percent(value)
    return format_number(value)


# --------------------------------------------------------------------------------------------
# the header



def format_period(start: Any, end: Any) -> str | None:
    """A data period for readers, with its span; None when there is no period.

    Spans under 2 days show times: ``"2019-10-01 00:00 to 02:59 UTC (3 h)"`` (the date repeated
    when the day changes); longer spans show dates: ``"2019-10-01 to 2019-12-31 UTC (91 days)"``.
    """
    if _is_missing(start) or _is_missing(end):
        return None
    start, end = to_utc(start), to_utc(end)
    span = (end - start).total_seconds()
    if span == 0:
        return f"{start:%Y-%m-%d %H:%M} UTC (a single moment)"
    if span < 2 * _DAY:
        to = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        return f"{start:%Y-%m-%d %H:%M} to {to} UTC ({format_duration(span)})"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d} UTC ({format_duration(span)})"
