"""Rules every analysis shares, spelled once: lists of columns, UTC times, periods, required columns.

Analyses, engines and plots import these instead of writing their own; a rule changed here changes
everywhere (``by`` given as one name or several, naive times taken as UTC, the period words, the
message for a missing column).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from jkit.errors import MissingColumnError, ParameterError

__all__ = [
    "LANES",
    "PERIODS",
    "PURCHASE_EVENTS",
    "as_list",
    "column_list",
    "period_code",
    "require_columns",
    "require_roles",
    "to_naive_utc",
    "to_utc",
]

#: the events that count as a purchase when the study does not say otherwise
PURCHASE_EVENTS = ("purchase", "repeat_purchase")

#: the lanes of a journey map, top to bottom
LANES = ("reach", "actions", "touchpoints", "emotion", "pain_points", "opportunities")

#: period words users write -> pandas period codes
PERIODS: dict[str, str] = {
    "D": "D", "day": "D",
    "W": "W", "week": "W",
    "M": "M", "month": "M",
    "Q": "Q", "quarter": "Q",
    "Y": "Y", "year": "Y",
}


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """``None`` -> ``[]``, one name -> ``[name]``, several -> a list of them."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def column_list(names: Iterable[Any]) -> str:
    """Names for a message: ``'a', 'b', 'c'``."""
    return ", ".join(map(repr, names))


def to_utc(value: Any) -> Any:
    """A timestamp, DatetimeIndex or datetime Series in UTC; naive times are taken as UTC."""
    if isinstance(value, pd.Series):
        values = value.dt
        return values.tz_localize("UTC") if values.tz is None else values.tz_convert("UTC")
    if isinstance(value, pd.DatetimeIndex):
        return value.tz_localize("UTC") if value.tz is None else value.tz_convert("UTC")
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_naive_utc(value: Any) -> Any:
    """:func:`to_utc`, then the zone dropped (for ``to_period`` and plotting, which want naive times)."""
    utc = to_utc(value)
    if isinstance(utc, pd.Series):
        return utc.dt.tz_localize(None)
    return utc.tz_localize(None)


def period_code(period: str, *, name: str = "period") -> str:
    """The pandas period code of a period word (``"week"`` -> ``"W"``); a ParameterError otherwise."""
    if period not in PERIODS:
        raise ParameterError(f"{name}={period!r} should be one of 'D', 'W', 'M', 'Q' or 'Y' (or day, week, month, "
                             "quarter, year)")
    return PERIODS[period]


def require_roles(found: Sequence[str], roles: Sequence[tuple[str, str]], where: str) -> None:
    """Raise :class:`~jkit.errors.MissingColumnError` naming every ``(role, column)`` whose column is not in ``found``.

    The message gives each as the argument that names it (``time_col='ts'``) and the columns found.
    """
    missing = [(role, col) for role, col in roles if col not in found]
    if missing:
        what = ", ".join(f"{role}={col!r}" for role, col in missing)
        raise MissingColumnError(f"{where}: no column {what}; found columns {column_list(found)}")


def require_columns(frame: Any, columns: Sequence[str], where: str, *, hint: str = "") -> None:
    """Raise :class:`~jkit.errors.MissingColumnError` naming every column of ``columns`` that ``frame`` lacks.

    ``frame`` is anything with ``.columns`` (pandas or Spark); ``where`` names the table in the
    message (``"events"``), ``hint`` says how to fix it.
    """
    found = list(frame.columns)
    missing = [c for c in dict.fromkeys(columns) if c not in found]
    if missing:
        message = f"{where}: no column {column_list(missing)}; found columns {column_list(found)}"
        raise MissingColumnError(f"{message}; {hint}" if hint else message)
