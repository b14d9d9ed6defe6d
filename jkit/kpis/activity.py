"""Customers' activity per calendar period: what :mod:`jkit.kpis.retention` and :mod:`jkit.kpis.lifecycle` read.

An events log (a :class:`~jkit.io.journey_data.JourneyData` or an events frame) becomes one row
per event with the customer, the event name, the period's ordinal (consecutive integers, one per
day, week, month, quarter or year, in UTC) and the ``by`` attributes. The rules here are shared by
both analyses: which events are known, what the data's last observed period is, and where a
customer attribute is read.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jkit._rules import as_list, column_list, period_code, require_columns, to_naive_utc, to_utc
from jkit.errors import JkitWarning, ParameterError

__all__ = ["Activity", "activity", "event_mask", "first_values", "period_starts"]


@dataclass(frozen=True)
class Activity:
    """An events log reduced to what period analyses need.

    Attributes
    ----------
    rows : DataFrame
        One row per event: ``customer``, ``event``, ``time`` (naive UTC), ``p`` (period ordinal)
        and the ``by`` columns read on the events (customer attributes are in ``attributes``).
    attributes : DataFrame
        ``customer`` and the ``by`` columns that are customer attributes (one row per customer).
    by : list of str
        The group columns, in the order asked.
    code : str
        The pandas period code (``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``).
    last : int
        The ordinal of the last period the data reaches (the period of ``as_of``).
    complete_until : int
        The last ordinal whose period is observed to its end (``last`` or ``last - 1``).
    """

    rows: pd.DataFrame
    attributes: pd.DataFrame
    by: list[str]
    code: str
    last: int
    complete_until: int


def period_starts(ordinals, code: str) -> pd.DatetimeIndex:
    """The UTC start time of each period ordinal (as the KPI functions' ``period`` column gives it)."""
    index = pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64), freq=code)
    return index.start_time.tz_localize("UTC")


def _split(data, customers: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The events frame and the customers table of ``data`` (a JourneyData or an events frame)."""
    if isinstance(data, pd.DataFrame):
        return data, customers
    if hasattr(data, "events") and isinstance(data.events, pd.DataFrame):
        base = getattr(data, "customers", None)
        if customers is None:
            return data.events, base
        if base is not None and "customer_id" in base.columns and "customer_id" in customers.columns:
            extra = [c for c in customers.columns if c != "customer_id" and c not in base.columns]
            customers = base.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
        return data.events, customers
    raise ParameterError(f"events should be a JourneyData (jkit.load) or an events DataFrame, "
                         f"not {type(data).__name__}")


def _times(frame: pd.DataFrame, time_col: str) -> pd.Series:
    """``time_col`` as naive UTC times; an error naming the first row that is not a time."""
    raw = frame[time_col]
    try:
        mixed = {} if pd.api.types.is_datetime64_any_dtype(raw) else {"format": "mixed"}
        times = pd.to_datetime(raw, utc=True, errors="coerce", **mixed)
    except (TypeError, ValueError):
        times = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    bad = times.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"events: column {time_col!r} row {row} holds {raw.iloc[row]!r}; expected a date and "
                             "time (rows without a time cannot be put in a period)")
    return to_naive_utc(times)


def _attributes(customers: pd.DataFrame | None, wanted: list[str], customer_col: str) -> pd.DataFrame:
    """One row per customer with the ``wanted`` customer attributes (a clear error for duplicates)."""
    if not wanted:
        return pd.DataFrame({"customer": pd.Series([], dtype=object)})
    assert customers is not None
    require_columns(customers, ["customer_id"], "customers")
    table = customers[["customer_id", *wanted]].rename(columns={"customer_id": "customer"})
    dup = table["customer"].duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise ParameterError(f"customers: customer_id {table['customer'].iloc[row]!r} appears twice (row {row}); "
                             f"expected one row per customer to read {column_list(wanted)} from")
    return table


def activity(data, *, period: str, by: str | Sequence[str] | None, customers: pd.DataFrame | None,
             as_of, customer_col: str, event_col: str, time_col: str) -> Activity:
    """The :class:`Activity` of an events log; clear errors for an empty log, missing columns, bad times.

    Events without a customer cannot be followed and are left out, with a :class:`JkitWarning`
    saying how many. ``by`` columns are read from ``customers`` when they are customer
    attributes there, else from the events.
    """
    code = period_code(period)
    events, customers = _split(data, customers)
    cols = as_list(by)
    require_columns(events, [customer_col, event_col, time_col], "events")
    if len(events) == 0:
        raise ParameterError("events is empty: retention and lifecycle need at least one event")
    customer_cols = set(customers.columns) - {"customer_id"} if customers is not None else set()
    from_customers = [c for c in cols if c in customer_cols]
    from_events = [c for c in cols if c not in customer_cols]
    missing = [c for c in from_events if c not in events.columns]
    if missing:
        raise ParameterError(f"by={missing[0]!r} is not a column of the events or customers (events have "
                             f"{column_list(events.columns)}; customers have {column_list(sorted(customer_cols))})")
    rows = events[list(dict.fromkeys([customer_col, event_col, time_col, *from_events]))]
    anonymous = rows[customer_col].isna().to_numpy()
    if anonymous.any():
        warnings.warn(f"{int(anonymous.sum()):,} of {len(rows):,} events have no {customer_col} and are left out of "
                      "retention and lifecycle (they cannot be followed)", JkitWarning, stacklevel=3)
        rows = rows[~anonymous]
        if len(rows) == 0:
            raise ParameterError(f"events: no event has a {customer_col}; retention needs customers to follow")
    out = pd.DataFrame({"customer": rows[customer_col].to_numpy(), "event": rows[event_col].to_numpy(),
                        "time": _times(rows, time_col).to_numpy()})
    for c in from_events:
        out[c] = rows[c].to_numpy()
    out["p"] = pd.PeriodIndex(out["time"], freq=code).asi8
    end = out["time"].max() if as_of is None else to_naive_utc(to_utc(as_of))
    last = int(pd.Period(end, freq=code).ordinal)
    out = out[out["p"] <= last].reset_index(drop=True)
    # a period is observed to its end when the data reaches its last day (the last day counts as observed)
    next_start = pd.Period(ordinal=last + 1, freq=code).start_time
    complete_until = last if end.normalize() + pd.Timedelta(days=1) >= next_start else last - 1
    return Activity(out, _attributes(customers, from_customers, customer_col), cols, code, last, complete_until)


def event_mask(act: Activity, names: str | Sequence[str] | None, parameter: str) -> np.ndarray:
    """True on the rows whose event is one of ``names`` (every row for None); an error for an unknown name."""
    if names is None:
        return np.ones(len(act.rows), dtype=bool)
    wanted = as_list(names)
    known = {str(e) for e in act.rows["event"].dropna().unique()}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        shown = sorted(known)[:12]
        raise ParameterError(f"{parameter}={unknown[0]!r} is not an event of this log; its events include "
                             f"{column_list(shown)}{' …' if len(known) > 12 else ''}")
    return act.rows["event"].isin(wanted).to_numpy(dtype=bool)


def first_values(act: Activity, entries: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``entries`` (``customer``, ``p``) with the ``by`` columns: customer attributes, else the events' values
    on the customer's first ``mask`` event of period ``p``."""
    out = entries
    event_cols = [c for c in act.by if c in act.rows.columns]
    if event_cols:
        firsts = (act.rows.loc[mask, ["customer", "p", "time", *event_cols]]
                  .sort_values(["customer", "p", "time"], kind="stable")
                  .drop_duplicates(["customer", "p"]).drop(columns="time"))
        out = out.merge(firsts, on=["customer", "p"], how="left")
    if len(act.attributes.columns) > 1:
        out = out.merge(act.attributes, on="customer", how="left")
    return out
