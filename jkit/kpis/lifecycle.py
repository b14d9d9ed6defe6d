"""Lifecycle (:func:`lifecycle`): per period, the customers who are new, returning, resurrecting or dormant.

PostHog's lifecycle definitions, with "new" read on the data (a customer's first active period in
the log, not a sign-up date):

- **new**: active in the period, and never active before it;
- **returning**: active in the period and in the one before;
- **resurrecting**: active in the period, not in the one before, but in some earlier one;
- **dormant**: active in the period before, not in this one — counted as a *negative* number, as
  PostHog draws it below zero.

``new + returning + resurrecting`` is the period's active customers (``active``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit.kpis.activity import activity, event_mask, first_values, period_starts

__all__ = ["STATUSES", "lifecycle"]

#: the lifecycle statuses, in the order of the table's columns
STATUSES = ("new", "returning", "resurrecting", "dormant")


def lifecycle(
    events,
    *,
    period: str = "M",
    event: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    as_of: str | pd.Timestamp | None = None,
    customer_col: str = "customer_id",
    event_col: str = "event",
    time_col: str = "timestamp",
) -> pd.DataFrame:
    """Per period: new, returning, resurrecting and (negative) dormant customers, and the active total.

    Parameters
    ----------
    events : JourneyData or DataFrame
        A study (:func:`jkit.load`) or an events table with ``customer_col``, ``event_col`` and
        ``time_col``.
    period : {"D", "W", "M", "Q", "Y"} (or day, week, month, quarter, year), default "M"
        Calendar periods in UTC (weeks start on Monday).
    event : str or list of str, optional
        The event(s) that make a customer active; None: any event.
    by : str or list of str, optional
        Customer attributes: columns of ``customers`` (or the study's customers table), else of
        the events, read on the customer's first active event (one group per customer).
    customers : DataFrame, optional
        Customer attributes keyed by ``customer_id`` (added to the study's, if any).
    as_of : str or Timestamp, optional
        The end of the data (default: the last event); later events are not read.
    customer_col, event_col, time_col : str
        Column names in the events.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (UTC start), ``new``, ``returning``, ``resurrecting``,
        ``dormant`` (0 or negative), ``active`` (``new + returning + resurrecting``) and
        ``complete`` (False for the last period when the data ends before it does: its dormant
        count is then too high). One row per period from the first active one to the data end.
        In the first period every active customer is new: customers seen before the log starts
        cannot be told apart.

    Examples
    --------
    >>> lifecycle(data, period="W", event="purchase")  # doctest: +SKIP
    """
    act = activity(events, period=period, by=by, customers=customers, as_of=as_of, customer_col=customer_col,
                   event_col=event_col, time_col=time_col)
    mask = event_mask(act, event, "event")
    active = act.rows.loc[mask, ["customer", "p"]].drop_duplicates().sort_values(["customer", "p"], kind="stable")
    groups = first_values(act, active.groupby("customer", as_index=False)["p"].min(), mask).drop(columns="p")
    active = active.merge(groups, on="customer", how="left")
    before = active.groupby("customer", sort=False)["p"].shift(1)
    gap = (active["p"] - before).to_numpy(dtype=float)
    status = np.where(np.isnan(gap), "new", np.where(gap == 1, "returning", "resurrecting"))
    after = active.groupby("customer", sort=False)["p"].shift(-1).to_numpy(dtype=float)
    # dormant in the period after an active one that is not followed by the next period
    leaves = active[(np.isnan(after) | (after > active["p"].to_numpy() + 1)) & (active["p"].to_numpy() < act.last)]
    rows = pd.concat([active.assign(status=status),
                      leaves.assign(p=leaves["p"] + 1, status="dormant")], ignore_index=True)
    keys = [*act.by, "p"]
    counts = (rows.groupby([*keys, "status"], dropna=False, sort=True).size().unstack("status", fill_value=0)
              .reindex(columns=list(STATUSES), fill_value=0))
    counts = _full_periods(counts.reset_index(), act.by, int(active["p"].min()) if len(active) else act.last,
                           act.last)
    out = counts[act.by].copy()
    out["period"] = period_starts(counts["p"].to_numpy(), act.code)
    for name in STATUSES:
        values = counts[name].to_numpy(dtype=np.int64)
        out[name] = -values if name == "dormant" else values
    out["active"] = out["new"] + out["returning"] + out["resurrecting"]
    out["complete"] = counts["p"].to_numpy() <= act.complete_until
    return out


def _full_periods(counts: pd.DataFrame, by: list[str], first: int, last: int) -> pd.DataFrame:
    """Every period ``first`` … ``last`` for every group (zeros where nothing happened)."""
    periods = pd.DataFrame({"p": np.arange(first, last + 1, dtype=np.int64)})
    frame = periods if not by else counts[by].drop_duplicates().merge(periods, how="cross")
    out = frame.merge(counts, on=[*by, "p"], how="left")
    for name in STATUSES:
        out[name] = out[name].fillna(0).astype(np.int64)
    return out.sort_values([*by, "p"], kind="stable", ignore_index=True)
