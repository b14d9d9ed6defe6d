"""The per-customer summary the BTYD models read: repeat purchase days, recency, age and mean spend.

``rfm_summary`` follows the buy-till-you-die literature (Fader, Hardie & Lee 2005) and lifetimes'
``summary_data_from_transaction_data``: purchases on the same (UTC) day are merged into one
purchase day whose value is their sum; the first purchase day is the customer's birth, so

- ``frequency``: purchase days after the first (repeat purchases), up to the calibration end;
- ``recency``: time from the first to the last purchase day (0 without a repeat);
- ``T``: time from the first purchase day to the calibration end (the customer's age);
- ``monetary_value``: mean value of the repeat purchase days (NaN without a repeat, or when
  no repeat day has a recorded value).

Times are in ``time_unit`` (weeks by default) and measured between calendar days.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS, require_columns, to_naive_utc
from jkit.errors import DataValidationError, ParameterError, describe_values, format_rows
from jkit.timestamps import parse_timestamps

__all__ = ["TIME_UNITS", "SUMMARY_COLUMNS", "rfm_summary", "purchase_rows", "purchase_days", "unit_days", "holdout_counts",
           "holdout_split", "to_day"]

#: time units -> their length in days
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}
SUMMARY_COLUMNS = ["frequency", "recency", "T", "monetary_value"]


def unit_days(time_unit: str) -> float:
    """Days in one ``time_unit`` (``"D"``, ``"W"``, ``"M"`` = 1/12 year, ``"Y"``); a ParameterError otherwise."""
    if time_unit not in TIME_UNITS:
        raise ParameterError(f"time_unit={time_unit!r} should be one of {', '.join(map(repr, TIME_UNITS))}")
    return TIME_UNITS[time_unit]


def _parse_times(values: pd.Series, time_col: str) -> pd.Series:
    times = parse_timestamps(values, where=f"transactions: column {time_col!r}")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        raise DataValidationError(
            f"transactions: column {time_col!r} {format_rows(bad + 1)}: expected a date/time, found "
            f"{describe_values(values.iloc[bad].tolist())}")
    return to_naive_utc(times)


def _parse_values(values: pd.Series, value_col: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = np.flatnonzero(numbers.isna().to_numpy() & values.notna().to_numpy())
    if bad.size:
        raise DataValidationError(
            f"transactions: column {value_col!r} {format_rows(bad + 1)}: expected a number, found "
            f"{describe_values(values.iloc[bad].tolist())}")
    inf = np.flatnonzero(~np.isfinite(numbers.fillna(0).to_numpy()))
    if inf.size:
        raise DataValidationError(f"transactions: column {value_col!r} {format_rows(inf + 1)}: infinite amount")
    return numbers


def purchase_rows(data: Any, customer_col: str, time_col: str, value_col: str,
                  purchase_events: Sequence[str], event_col: str) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """(customer, time, value) of each purchase, and the end of observation a JourneyData states."""
    study_end = None
    if hasattr(data, "events") and hasattr(data, "stages"):
        events = data.events
        study_end = data.period[1]
        require_columns(events, [customer_col, time_col, event_col], "events")
        events = events[events[event_col].isin(list(purchase_events)).to_numpy()]
    elif isinstance(data, pd.DataFrame):
        events = data
        require_columns(events, [customer_col, time_col], "transactions")
        if event_col in events.columns:
            events = events[events[event_col].isin(list(purchase_events)).to_numpy()]
    else:
        raise ParameterError(f"data should be a JourneyData or a transactions DataFrame, got {type(data).__name__}")
    ids = events[customer_col]
    missing = np.flatnonzero(ids.isna().to_numpy())
    if missing.size:
        raise DataValidationError(f"transactions: column {customer_col!r} {format_rows(missing + 1)}: no customer id")
    value = (_parse_values(events[value_col].reset_index(drop=True), value_col) if value_col in events.columns
             else pd.Series(np.nan, index=range(len(events))))
    frame = pd.DataFrame({"customer": ids.astype("string").to_numpy(),
                          "time": _parse_times(events[time_col].reset_index(drop=True), time_col).to_numpy(),
                          "value": value.to_numpy()})
    if study_end is not None:
        study_end = to_naive_utc(study_end)
    return frame, study_end


def purchase_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Purchases merged by customer and UTC day: ``customer``, ``day``, ``value`` (NaN when no purchase had one)."""
    day = frame["time"].dt.floor("D")
    g = pd.DataFrame({"customer": frame["customer"], "day": day, "value": frame["value"]}).groupby(
        ["customer", "day"], sort=True, observed=True)["value"]
    return g.sum(min_count=1).reset_index()


def to_day(end: Any, name: str) -> pd.Timestamp:
    """A date parameter as a naive UTC day; a ParameterError naming ``name`` otherwise."""
    try:
        ts = to_naive_utc(pd.Timestamp(end))
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name}={end!r} should be a date (e.g. '1997-09-30')") from exc
    return ts.floor("D")


def _per_customer(days: pd.DataFrame, end: pd.Timestamp, unit: float) -> pd.DataFrame:
    g = days.groupby("customer", sort=True)
    first, last, n = g["day"].min(), g["day"].max(), g["day"].size()
    repeat = days[days["day"] > days["customer"].map(first)]
    spend = repeat.groupby("customer")["value"].mean()
    out = pd.DataFrame({
        "frequency": (n - 1).astype("int64"),
        "recency": (last - first).dt.days / unit,
        "T": (end - first).dt.days / unit,
        "monetary_value": spend.reindex(first.index).astype("float64"),
    })
    out.index.name = "customer_id"
    return out


def holdout_counts(days: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Purchase days and their mean value per customer after ``start`` and up to ``end`` (both days)."""
    after = days[(days["day"] > start) & (days["day"] <= end)]
    g = after.groupby("customer")
    out = pd.DataFrame({"frequency_holdout": g["day"].size().astype("int64"),
                        "monetary_value_holdout": g["value"].mean().astype("float64")})
    out.index.name = "customer_id"
    return out


def rfm_summary(
    events_or_transactions: Any,
    *,
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    value_col: str = "revenue",
    calibration_end: Any = None,
    observation_end: Any = None,
    time_unit: str = "W",
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    event_col: str = "event",
) -> pd.DataFrame:
    """Per-customer frequency, recency, age and mean spend, as the BTYD models read them.

    Parameters
    ----------
    events_or_transactions : JourneyData or DataFrame
        A loaded study (its events named in ``purchase_events``, their ``revenue``), or a
        transactions table (one row per purchase: ``customer_col``, ``time_col`` and optionally
        ``value_col``; when it has an ``event_col`` only ``purchase_events`` rows count).
    customer_col, time_col, value_col : str
        Column names.
    calibration_end : date, optional
        Last day of the calibration period (inclusive). Default: the end of the data (the last
        event of a study, the last transaction of a table).
    observation_end : date, optional
        Last day of a holdout period after ``calibration_end``; adds ``frequency_holdout``,
        ``monetary_value_holdout`` and ``duration_holdout`` (customers born in the holdout are not rows).
    time_unit : {"W", "D", "M", "Y"}, default "W"
        Unit of ``recency``, ``T`` and ``duration_holdout`` (M is 1/12 of a 365.25-day year).
    purchase_events : list of str, default ("purchase", "repeat_purchase")
        Events that count as purchases.
    event_col : str, default "event"
        The event-name column.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (text), one row per customer with a purchase on or before
        ``calibration_end``: ``frequency`` (int), ``recency``, ``T``, ``monetary_value``.
        ``attrs`` holds ``calibration_end``, ``time_unit`` and ``purchases`` (rows read).

    Raises
    ------
    DataValidationError
        When there is no purchase, a time or amount cannot be read, or no purchase falls on or
        before ``calibration_end``.
    ParameterError
        When ``calibration_end`` lies after the end of the data, or ``observation_end`` before it.

    Examples
    --------
    >>> rfm_summary(tx, calibration_end="1997-09-30")           # doctest: +SKIP
    """
    unit = unit_days(time_unit)
    frame, study_end = purchase_rows(events_or_transactions, customer_col, time_col, value_col,
                                     purchase_events, event_col)
    if frame.empty:
        raise DataValidationError(f"no purchases found (events named {', '.join(map(repr, purchase_events))} "
                                  f"or rows of a transactions table): a customer-value model needs transactions")
    days = purchase_days(frame)
    data_end = max(days["day"].max(), study_end.floor("D") if study_end is not None else days["day"].max())
    end = data_end if calibration_end is None else to_day(calibration_end, "calibration_end")
    if end > data_end:
        raise ParameterError(f"calibration_end={end.date()} is after the end of the data ({data_end.date()}): "
                             "customers would be counted as watched when nobody watched them")
    calib = days[days["day"] <= end]
    if calib.empty:
        raise DataValidationError(f"no purchase on or before calibration_end={end.date()} (the first is on "
                                  f"{days['day'].min().date()})")
    out = _per_customer(calib, end, unit)
    if observation_end is not None:
        obs = to_day(observation_end, "observation_end")
        if obs <= end:
            raise ParameterError(f"observation_end={obs.date()} should be after calibration_end={end.date()}")
        if obs > data_end:
            raise ParameterError(f"observation_end={obs.date()} is after the end of the data ({data_end.date()})")
        hold = holdout_counts(days, end, obs).reindex(out.index)
        out["frequency_holdout"] = hold["frequency_holdout"].fillna(0).astype("int64")
        out["monetary_value_holdout"] = hold["monetary_value_holdout"]
        out["duration_holdout"] = (obs - end).days / unit
    out.attrs.update({"calibration_end": end, "time_unit": time_unit, "purchases": len(frame),
                      "data_end": data_end})
    return out


def holdout_split(
    events_or_transactions: Any,
    holdout: float = 1 / 3,
    *,
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    event_col: str = "event",
) -> pd.Timestamp:
    """The calibration end that leaves the last ``holdout`` share of the purchase span for checking.

    The span runs from the first purchase day to the end of the data (a study's last event);
    the result is a day, to pass as ``calibration_end`` to :meth:`CLVModel.fit` before
    :meth:`CLVModel.evaluate` on the same data.

    Raises
    ------
    ParameterError
        When ``holdout`` is not between 0.05 and 0.75.
    DataValidationError
        When the purchases span fewer than 14 days (no period to hold out).
    """
    if not isinstance(holdout, (int, float)) or not 0.05 <= holdout <= 0.75:
        raise ParameterError(f"holdout={holdout!r} should be a share of the span between 0.05 and 0.75")
    frame, study_end = purchase_rows(events_or_transactions, customer_col, time_col, "\0no value column",
                                     purchase_events, event_col)
    if frame.empty:
        raise DataValidationError("no purchases found: there is no span to split")
    first = frame["time"].min().floor("D")
    end = max(frame["time"].max(), study_end if study_end is not None else frame["time"].max()).floor("D")
    days = (end - first).days
    if days < 14:
        raise DataValidationError(f"the purchases span {days} day(s) ({first.date()} to {end.date()}): too short to "
                                  "hold a period out, and to fit a model of repeat buying")
    return first + pd.Timedelta(days=round(days * (1 - holdout)))
