"""What the data overview report counts: events per period and touchpoint, touchpoint totals, stage reach.

Tables only (drawn by :mod:`jkit.plotting.overview`); the report notebook calls these instead of
computing with pandas itself.
"""

from __future__ import annotations

import pandas as pd

from jkit._rules import to_naive_utc
from jkit.notebook.support import period_for_span

__all__ = ["PERIOD_NAMES", "events_per_period", "overview_period", "stage_reach", "touchpoint_totals"]

#: the buckets of the events chart, in words
PERIOD_NAMES = {"h": "hour", "D": "day", "W": "week", "M": "month"}
_PERIOD_CODES = {"day": "D", "week": "W", "month": "M"}


def overview_period(span, period: str) -> str:
    """The bucket of the events chart: ``period`` (day, week or month) as a code, finer (down to hours)
    when the data's ``span`` is too short for several (:func:`jkit.notebook.period_for_span`)."""
    return period_for_span(span, _PERIOD_CODES[period], allowed=("h", "D", "W", "M"))


def events_per_period(events: pd.DataFrame, freq: str, *, top: int = 8, by_touchpoint: bool = True) -> pd.DataFrame:
    """Events per time bucket and touchpoint: one row per bucket start (naive UTC), one column per touchpoint.

    ``freq`` is ``"h"`` or a period code (``"D"``, ``"W"``, ``"M"``). The ``top`` busiest
    touchpoints keep their own column, the rest are summed as ``"other"``; without ``by_touchpoint``
    (or a ``touchpoint`` column) every event counts as ``"all events"``. Columns run from the
    busiest to the quietest.
    """
    frame = events[["timestamp"]].copy()
    frame["touchpoint"] = events["touchpoint"] if by_touchpoint and "touchpoint" in events.columns else "all events"
    busiest = frame["touchpoint"].value_counts().index[:top]
    frame["touchpoint"] = frame["touchpoint"].where(frame["touchpoint"].isin(busiest), "other")
    naive = to_naive_utc(frame["timestamp"])
    frame["bucket"] = naive.dt.floor("h") if freq == "h" else naive.dt.to_period(freq).dt.start_time
    counts = pd.crosstab(frame["bucket"], frame["touchpoint"])
    return counts[counts.sum().sort_values(ascending=False).index]


def touchpoint_totals(events: pd.DataFrame) -> pd.DataFrame:
    """``touchpoint, events, share, customers``: each touchpoint's events, its share of all events and
    its distinct customers, busiest first."""
    totals = events["touchpoint"].value_counts().rename_axis("touchpoint").rename("events").reset_index()
    totals["share"] = totals["events"] / totals["events"].sum()
    totals["customers"] = totals["touchpoint"].map(events.groupby("touchpoint")["customer_id"].nunique())
    return totals


def stage_reach(data) -> pd.DataFrame:
    """``stage, customers, share_of_customers``: customers with at least one event of each stage, in any
    order, and their share of all customers (stages in the model's order, 0 where none)."""
    staged = data.events_with_stage().dropna(subset=["stage"])
    reach = (staged.groupby("stage")["customer_id"].nunique()
             .reindex(data.stages.names, fill_value=0).rename("customers").rename_axis("stage").reset_index())
    reach["share_of_customers"] = reach["customers"] / max(len(data.customers), 1)
    return reach
