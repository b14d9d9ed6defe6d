"""Retention cohorts (:func:`retention`): of the customers who started in a period, the share active k periods on.

The semantics follow PostHog's retention insight (``retention_query_runner.py``):

- ``kind="first_time"``: a customer's cohort is the period of their first ``start_event`` in the
  data; ``kind="recurring"``: a customer enters the cohort of every period in which they do
  ``start_event`` (so one customer can be in several cohorts).
- Period 0 is the cohort itself: every member counts as active there (retention 1).
- For k ≥ 1 a member is active when they do ``return_event`` in the period k periods after the
  cohort's (``criterion="on"``), or in that period or any later one the data holds
  (``criterion="on_or_after"``, PostHog's cumulative retention).
- ``start_event`` / ``return_event`` None means any event.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._rules import as_list, require_columns
from jkit.errors import ParameterError
from jkit.kpis.activity import activity, event_mask, first_values, period_starts
from jkit.stats import wilson_interval

__all__ = ["KINDS", "CRITERIA", "retention", "retention_curve"]

#: cohort kinds (PostHog's "retention type")
KINDS = ("first_time", "recurring")
#: when a cohort member counts as retained in period k
CRITERIA = ("on", "on_or_after")


def _choice(name: str, value, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name}={value!r} should be one of {', '.join(map(repr, allowed))}")


def retention(
    events,
    *,
    period: str = "M",
    start_event: str | Sequence[str] | None = None,
    return_event: str | Sequence[str] | None = None,
    kind: str = "first_time",
    criterion: str = "on",
    by: str | Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    incomplete: str = "drop",
    max_periods: int | None = None,
    as_of: str | pd.Timestamp | None = None,
    customer_col: str = "customer_id",
    event_col: str = "event",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Retention by cohort: the share of a cohort's customers active ``period`` k after the cohort's period.

    Parameters
    ----------
    events : JourneyData or DataFrame
        A study (:func:`jkit.load`; its ``customers`` give the customer attributes) or an events
        table with ``customer_col``, ``event_col`` and ``time_col``.
    period : {"D", "W", "M", "Q", "Y"} (or day, week, month, quarter, year), default "M"
        Calendar periods in UTC (weeks start on Monday).
    start_event, return_event : str or list of str, optional
        The event(s) that put a customer in a cohort and that count as coming back; None: any event.
    kind : {"first_time", "recurring"}, default "first_time"
        The cohort of the first ``start_event`` only, or one cohort per period with a ``start_event``.
    criterion : {"on", "on_or_after"}, default "on"
        Active in exactly period k, or in period k or any later period of the data.
    by : str or list of str, optional
        Customer attributes: columns of ``customers`` (or the study's customers table), else of
        the events, read on the customer's first ``start_event`` of the cohort period.
    customers : DataFrame, optional
        Customer attributes keyed by ``customer_id`` (added to the study's, if any).
    incomplete : {"drop", "mark"}, default "drop"
        Cells whose period k is not observed to its end by the data (the last, partial period)
        are left out ("drop") or kept with ``complete`` False ("mark"). Periods after the data
        end are never shown.
    max_periods : int, optional
        Show periods 0 … ``max_periods`` only.
    as_of : str or Timestamp, optional
        The end of the data (default: the last event); later events are not read.
    customer_col, event_col, time_col : str
        Column names in the events.
    confidence : float, default 0.95
        Of the Wilson interval of each retention.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``cohort`` (UTC start of the cohort's period), ``period`` (0, 1, 2…
        since the cohort's), ``customers`` (cohort size), ``active``, ``retention``
        (``active / customers``), ``ci_low``, ``ci_high`` and ``complete``; sorted by group,
        cohort and period.

    Examples
    --------
    >>> retention(data, period="M", start_event="purchase", return_event="purchase")  # doctest: +SKIP
    """
    _choice("kind", kind, KINDS)
    _choice("criterion", criterion, CRITERIA)
    _choice("incomplete", incomplete, ("drop", "mark"))
    if max_periods is not None and (isinstance(max_periods, bool) or not isinstance(max_periods, (int, np.integer))
                                    or max_periods < 0):
        raise ParameterError(f"max_periods={max_periods!r} should be a whole number of periods, 0 or more")
    act = activity(events, period=period, by=by, customers=customers, as_of=as_of, customer_col=customer_col,
                   event_col=event_col, time_col=time_col)
    starts = event_mask(act, start_event, "start_event")
    returns = event_mask(act, return_event, "return_event")
    entries = act.rows.loc[starts, ["customer", "p"]].drop_duplicates()
    if kind == "first_time":
        entries = entries.groupby("customer", sort=False, as_index=False)["p"].min()
    entries = first_values(act, entries.reset_index(drop=True), starts).rename(columns={"p": "cohort"})
    back = act.rows.loc[returns, ["customer", "p"]].drop_duplicates()
    table = _cells(entries, back, act.by, act.last, criterion)
    table["complete"] = (table["cohort"] + table["period"]).to_numpy() <= act.complete_until
    if incomplete == "drop":
        table = table[table["complete"]]
    if max_periods is not None:
        table = table[table["period"] <= max_periods]
    return _finish(table.reset_index(drop=True), act.by, act.code, confidence)


def _cells(entries: pd.DataFrame, back: pd.DataFrame, by: list[str], last: int, criterion: str) -> pd.DataFrame:
    """Per group, cohort and period 0 … (last − cohort): cohort size and active members."""
    keys = [*by, "cohort"]
    sizes = entries.groupby(keys, dropna=False, sort=True).size().rename("customers").reset_index()
    hits = entries.merge(back, on="customer", how="inner")
    hits = hits[hits["p"] > hits["cohort"]]
    hits = hits.assign(period=(hits["p"] - hits["cohort"]).astype(np.int64))
    if criterion == "on_or_after":
        # a member returning last in period m counts in 1 … m
        hits = hits.groupby([*keys, "customer"], dropna=False, sort=False)["period"].max().reset_index()
    counted = hits.groupby([*keys, "period"], dropna=False, sort=True).size().rename("n").reset_index()
    grid = sizes.loc[sizes.index.repeat((last - sizes["cohort"] + 1).to_numpy())].copy()
    grid["period"] = grid.groupby(keys, dropna=False, sort=False).cumcount().astype(np.int64)
    grid = grid.merge(counted, on=[*keys, "period"], how="left")
    grid["n"] = grid["n"].fillna(0).astype(np.int64)
    if criterion == "on_or_after":
        # members whose last return is in period ≥ k: a reversed running sum within each cohort
        rev = grid.iloc[::-1]
        grid["active"] = rev.groupby(keys, dropna=False, sort=False)["n"].cumsum().iloc[::-1].to_numpy()
    else:
        grid["active"] = grid["n"]
    zero = grid["period"].to_numpy() == 0
    grid.loc[zero, "active"] = grid.loc[zero, "customers"]
    return grid.drop(columns="n")


def _finish(table: pd.DataFrame, by: list[str], code: str, confidence: float) -> pd.DataFrame:
    """Cohorts as dates, the retention and its Wilson interval, the columns in order."""
    k = table["active"].to_numpy(dtype=float)
    n = table["customers"].to_numpy(dtype=float)
    out = table[[*by]].copy()
    out["cohort"] = period_starts(table["cohort"].to_numpy(), code)
    out["period"] = table["period"].to_numpy(dtype=np.int64)
    out["customers"] = table["customers"].to_numpy(dtype=np.int64)
    out["active"] = table["active"].to_numpy(dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(k, n, confidence)
    out["complete"] = table["complete"].to_numpy(dtype=bool)
    return out


def retention_curve(table: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """The cohorts of a :func:`retention` table pooled into one curve per group (PostHog's mean line, weighted).

    For each period k, ``customers`` sums the cohorts observed k periods on (the later cohorts,
    not yet observed that long, stay out of that point) and ``active`` their members active then;
    ``retention`` is their ratio with its Wilson interval.

    Parameters
    ----------
    table : DataFrame
        From :func:`retention` (cells with ``complete`` False are left out).
    by : str or list of str, optional
        Group columns of ``table`` to keep apart (one curve each); None pools every group.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period``, ``cohorts``, ``customers``, ``active``, ``retention``,
        ``ci_low``, ``ci_high``.
    """
    cols = as_list(by)
    require_columns(table, [*cols, "cohort", "period", "customers", "active"], "retention table")
    if "complete" in table.columns:
        table = table[table["complete"].astype(bool)]
    out = (table.groupby([*cols, "period"], dropna=False, sort=True)
           .agg(cohorts=("cohort", "nunique"), customers=("customers", "sum"), active=("active", "sum"))
           .reset_index())
    k = out["active"].to_numpy(dtype=float)
    n = out["customers"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(k, n, confidence)
    return out
