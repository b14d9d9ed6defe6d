"""Follow-ups of a funnel, read from its journeys table: how long conversion took, conversion by entry
cohort, who dropped out after a step and what they did next."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._rules import column_list, period_code, to_naive_utc
from jkit.errors import MissingColumnError, ParameterError
from jkit.funnels.journeys import by_columns, journey_steps, step_number
from jkit.funnels.spec import parse_window
from jkit.stats import wilson_interval

__all__ = ["cohort_conversion", "dropped_after", "next_after_drop", "time_to_convert"]


def _step_span(journeys: pd.DataFrame, from_step: int | str, to_step: int | str,
               by: str | Sequence[str] | None) -> tuple[list[str], list[str], int, int]:
    """The step names, the ``by`` columns and the numbers of ``from_step`` and ``to_step`` (which must come later)."""
    names = journey_steps(journeys)
    cols = by_columns(by, journeys)
    a = step_number(from_step, names, "from_step")
    b = step_number(to_step, names, "to_step")
    if b <= a:
        raise ParameterError(f"to_step={to_step!r} should come after from_step={from_step!r}")
    return names, cols, a, b


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
    names, cols, a, b = _step_span(journeys, from_step, to_step, by)
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
    freq = period_code(period)
    _, cols, a, b = _step_span(journeys, from_step, to_step, by)
    kept = journeys[(journeys["reached"] >= a) & ~journeys["excluded"].astype(bool)]
    entered_at = to_naive_utc(kept["time_1"])
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
    text = journeys.attrs.get("window", "0D")
    data_end = journeys.attrs.get("data_end")
    period_end = pd.PeriodIndex(out["cohort"]).end_time.tz_localize("UTC")
    if data_end is None or text is None:  # no window: a cohort can always convert later
        out["complete"] = False
    else:  # period_end + window <= data_end, compared as a difference so a huge window cannot overflow
        out["complete"] = (data_end - period_end) >= pd.Timedelta(text)
    out["cohort"] = pd.PeriodIndex(out["cohort"]).start_time.tz_localize("UTC")
    return out[[*cols, "cohort", "entered", "converted", "conversion", "conversion_low", "conversion_high", "complete"]]


def dropped_after(journeys: pd.DataFrame, step: int | str) -> pd.DataFrame:
    """The customers whose furthest step is ``step`` (they reached it and went no further).

    Returns
    -------
    DataFrame
        ``customer_col``, the breakdown columns, ``entered_at`` and ``last_step_at`` (UTC).
    """
    k = step_number(step, journey_steps(journeys), "step")
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
            raise MissingColumnError(f"events: no column {col!r}; found columns {column_list(events.columns)}")
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
        keep &= later["__t"] <= later["last_step_at"] + parse_window(within)
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
