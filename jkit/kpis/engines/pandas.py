"""The pandas KPI engine: per-group aggregates of pandas tables (see :mod:`jkit.kpis.aggregates`).

The functions take a tidy table and column names and return the counts or moments behind one
KPI; :mod:`jkit.kpis.measures` finishes them into the public KPI functions, and
:class:`PandasKPIs` gives them to :func:`jkit.kpis.kpi_table`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._rules import period_code, require_columns, to_utc
from jkit.errors import ParameterError
from jkit.kpis.aggregates import SCALES, Moments, check_by, finish, group_columns, grouped

__all__ = [
    "PandasKPIs",
    "annual_revenue_moments",
    "ces_moments",
    "churn_counts",
    "conversion_counts",
    "csat_counts",
    "first_revenue_moments",
    "moments",
    "nps_counts",
    "order_value_moments",
    "prepare",
    "purchases",
    "repeat_counts",
    "scores",
]


def prepare(frame: pd.DataFrame, table: str, needed: Sequence[str], by: list[str], period: str | None,
            time_col: str) -> pd.DataFrame:
    """The needed columns (copied), with a ``period`` column when asked; clear errors otherwise."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{table} should be a DataFrame, not {type(frame).__name__}")
    wanted = list(dict.fromkeys([*needed, *[b for b in by if b != "period" or period is None]]))
    if period is not None:
        wanted.append(time_col)
    require_columns(frame, wanted, table)
    out = frame[list(dict.fromkeys(wanted))].copy()
    if period is not None:
        code = period_code(period)
        times = pd.to_datetime(out[time_col], utc=True).dt.tz_localize(None)
        out["period"] = times.dt.to_period(code).dt.start_time.dt.tz_localize("UTC")
    return out


def purchases(events: pd.DataFrame, event_col: str, purchase_events: Sequence[str]) -> np.ndarray:
    """True on the rows whose event is a purchase."""
    if isinstance(purchase_events, str):
        purchase_events = (purchase_events,)
    return events[event_col].isin(list(purchase_events)).fillna(False).to_numpy(dtype=bool)


def moments(frame: pd.DataFrame, groups: list[str], value: str) -> list[Moments]:
    """Per group of ``frame``: its key, the number of values, their mean and sample standard deviation."""
    out = []
    for key, part in (grouped(frame, groups) if len(frame) else []):
        x = part[value].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        mean = float(x.mean()) if x.size else float("nan")
        sd = x.std(ddof=1) if x.size >= 2 else float("nan")
        out.append((key if isinstance(key, tuple) else (key,), len(x), mean, sd))
    return out


def _revenue(frame: pd.DataFrame, event_col: str, revenue_col: str, purchase_events: Sequence[str]) -> np.ndarray:
    buy = purchases(frame, event_col, purchase_events)
    amount = pd.to_numeric(frame[revenue_col]).fillna(0).to_numpy(dtype=float)
    return np.where(buy, amount, 0.0)


# --------------------------------------------------------------------------- events


def conversion_counts(events: pd.DataFrame, by: list[str], period: str | None, purchase_events: Sequence[str],
                      customer_col: str, event_col: str, time_col: str) -> pd.DataFrame:
    """Per group: ``customers`` with an event, ``converted`` with a purchase event."""
    frame = prepare(events, "events", [customer_col, event_col], by, period, time_col)
    frame["__buy"] = purchases(frame, event_col, purchase_events)
    groups = group_columns(by, period)
    per_customer = grouped(frame, [*groups, customer_col]) if groups else frame.groupby(customer_col)
    bought = per_customer["__buy"].any().rename("converted").reset_index()
    out = grouped(bought, groups).agg(customers=(customer_col, "size"), converted=("converted", "sum"))
    return finish(out, groups)


def churn_counts(events: pd.DataFrame, by: list[str], days: float, as_of, customer_col: str,
                 time_col: str) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Per group of each customer's last event: ``customers``, ``churned``; and the ``as_of`` date."""
    frame = prepare(events, "events", [customer_col, time_col], by, None, time_col)
    frame[time_col] = pd.to_datetime(frame[time_col], utc=True)
    end = frame[time_col].max() if as_of is None else to_utc(as_of)
    frame = frame[frame[time_col] <= end]
    last = frame.sort_values([customer_col, time_col], kind="stable").drop_duplicates(customer_col, keep="last")
    last = last.assign(churned=(last[time_col] < end - pd.Timedelta(days=days)).to_numpy())
    return finish(grouped(last, by).agg(customers=(customer_col, "size"), churned=("churned", "sum")), by), end


def repeat_counts(events: pd.DataFrame, by: list[str], period: str | None, purchase_events: Sequence[str],
                  customer_col: str, event_col: str, time_col: str) -> pd.DataFrame:
    """Per group: ``buyers`` (a purchase event) and ``repeat_buyers`` (two or more)."""
    frame = prepare(events, "events", [customer_col, event_col], by, period, time_col)
    frame = frame[purchases(frame, event_col, purchase_events)]
    groups = group_columns(by, period)
    counts = frame.groupby([*groups, customer_col], dropna=False, sort=True, observed=True).size()
    counts = counts.rename("orders").reset_index()
    counts["repeat"] = counts["orders"] >= 2
    return finish(grouped(counts, groups).agg(buyers=(customer_col, "size"), repeat_buyers=("repeat", "sum")), groups)


def order_value_moments(events: pd.DataFrame, by: list[str], period: str | None, purchase_events: Sequence[str],
                        revenue_col: str, event_col: str, customer_col: str, time_col: str) -> list[Moments]:
    """Per group: the moments of the revenue of purchase events that have one."""
    frame = prepare(events, "events", [customer_col, event_col, revenue_col], by, period, time_col)
    frame = frame[purchases(frame, event_col, purchase_events)]
    frame = frame[frame[revenue_col].notna()]
    frame[revenue_col] = frame[revenue_col].astype(float)
    return moments(frame, group_columns(by, period), revenue_col)


def annual_revenue_moments(events: pd.DataFrame, by: list[str], purchase_events: Sequence[str], revenue_col: str,
                           customer_col: str, event_col: str, time_col: str) -> list[Moments]:
    """Per group: the moments, over customers, of their purchase revenue scaled to a year of the data."""
    frame = prepare(events, "events", [customer_col, event_col, revenue_col, time_col], by, None, time_col)
    times = pd.to_datetime(frame[time_col], utc=True)
    days = max((times.max() - times.min()) / pd.Timedelta(days=1), 1.0) if len(frame) else 1.0
    frame["__rev"] = _revenue(frame, event_col, revenue_col, purchase_events) * (365.25 / days)
    per_customer = frame.groupby([*by, customer_col], dropna=False, sort=True, observed=True)["__rev"].sum()
    return moments(per_customer.reset_index(), by, "__rev")


def first_revenue_moments(events: pd.DataFrame, by: list[str], span: pd.Timedelta, purchase_events: Sequence[str],
                          revenue_col: str, customer_col: str, event_col: str,
                          time_col: str) -> tuple[list[Moments], pd.DataFrame]:
    """Per group: moments of revenue in each customer's first ``span`` (customers seen that long), too recent counts."""
    frame = prepare(events, "events", [customer_col, event_col, revenue_col, time_col], by, None, time_col)
    frame[time_col] = pd.to_datetime(frame[time_col], utc=True)
    end = frame[time_col].max()
    first = frame.groupby(customer_col, observed=True)[time_col].transform("min")
    frame["__rev"] = np.where(frame[time_col] <= first + span, _revenue(frame, event_col, revenue_col, purchase_events),
                              0.0)
    frame["__full"] = (first + span <= end).to_numpy()
    per_customer = frame.groupby([*by, customer_col], dropna=False, sort=True, observed=True).agg(
        __rev=("__rev", "sum"), __full=("__full", "first")).reset_index()
    recent = per_customer[~per_customer["__full"]]
    if by:
        too_recent = recent.groupby(by, dropna=False, observed=True).size().rename("too_recent").reset_index()
    else:
        too_recent = pd.DataFrame({"too_recent": [len(recent)]})
    return moments(per_customer[per_customer["__full"]], by, "__rev"), too_recent


# --------------------------------------------------------------------------- feedback


def scores(feedback: pd.DataFrame, score_col: str, by: list[str], period: str | None, time_col: str,
           low: int, high: int) -> pd.DataFrame:
    """The answered rows of a score column, as floats; a ParameterError names a score off the scale."""
    frame = prepare(feedback, "feedback", [score_col], by, period, time_col)
    values = pd.to_numeric(frame[score_col])
    bad = ((values < low) | (values > high)).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        from jkit.errors import format_rows

        rows = np.flatnonzero(bad) + 1
        first = values[bad].iloc[0]
        raise ParameterError(
            f"feedback: column {score_col!r} {format_rows(rows)} holds {float(first):g}; expected scores from {low} to {high}"
        )
    keep = values.notna().to_numpy()
    frame = frame[keep]
    values = values[keep]
    frame[score_col] = values.astype(float)
    return frame


def nps_counts(feedback: pd.DataFrame, by: list[str], period: str | None, score_col: str,
               time_col: str) -> pd.DataFrame:
    """Per group: ``responses``, ``promoters`` (9–10), ``detractors`` (0–6)."""
    frame = scores(feedback, score_col, by, period, time_col, *SCALES["nps"])
    frame["__p"] = frame[score_col] >= 9
    frame["__d"] = frame[score_col] <= 6
    groups = group_columns(by, period)
    return finish(grouped(frame, groups).agg(responses=(score_col, "size"), promoters=("__p", "sum"),
                                             detractors=("__d", "sum")), groups)


def csat_counts(feedback: pd.DataFrame, by: list[str], period: str | None, score_col: str,
                time_col: str) -> pd.DataFrame:
    """Per group: ``responses`` and ``satisfied`` (answers of 4–5)."""
    frame = scores(feedback, score_col, by, period, time_col, *SCALES["csat"])
    frame["__s"] = frame[score_col] >= 4
    groups = group_columns(by, period)
    out = finish(grouped(frame, groups).agg(responses=(score_col, "size"), satisfied=("__s", "sum")), groups)
    out["responses"] = out["responses"].astype(np.int64)
    return out


def ces_moments(feedback: pd.DataFrame, by: list[str], period: str | None, score_col: str,
                time_col: str) -> list[Moments]:
    """Per group: the moments of the effort answers."""
    frame = scores(feedback, score_col, by, period, time_col, *SCALES["ces"])
    return moments(frame, group_columns(by, period), score_col)


_SCORES = {"nps": nps_counts, "csat": csat_counts, "ces": ces_moments}


# --------------------------------------------------------------------------- the study


class PandasKPIs:
    """A study's pandas tables for :func:`jkit.kpis.kpi_table` (the :class:`~jkit.kpis.aggregates.KPISource`).

    Parameters
    ----------
    data : JourneyData
        The study.
    by : list of str
        The group columns; customer attributes among them are joined to events and feedback.
    attributes : DataFrame, optional
        More customer attributes keyed by ``customer_id``.
    revenue_col : str
        The events column with purchase amounts (read as ``revenue``).
    """

    def __init__(self, data, by: list[str], *, attributes: pd.DataFrame | None = None, revenue_col: str = "revenue"):
        events = data.events_with_stage() if "stage" in by else data.events
        self.has_revenue = revenue_col in events.columns and bool(
            pd.to_numeric(events[revenue_col], errors="coerce").notna().any())
        if self.has_revenue and revenue_col != "revenue":
            events = events.drop(columns=["revenue"], errors="ignore").rename(columns={revenue_col: "revenue"})
        feedback = data.feedback
        customers = data.customers
        if attributes is not None:
            if "customer_id" not in attributes.columns:
                raise ParameterError("attributes should have a 'customer_id' column")
            extra = [c for c in attributes.columns if c != "customer_id" and c not in customers.columns]
            customers = customers.merge(attributes[["customer_id", *extra]], on="customer_id", how="left")
        check_by(by, set(events.columns) | set(feedback.columns) | set(customers.columns), customers.columns)
        attr_cols = [c for c in by if c in customers.columns and c != "customer_id"]

        def with_attrs(frame: pd.DataFrame) -> pd.DataFrame:
            join = [c for c in attr_cols if c not in frame.columns]
            if not join or "customer_id" not in frame.columns:
                return frame
            return frame.merge(customers[["customer_id", *join]], on="customer_id", how="left")

        self.events = with_attrs(events)
        self.feedback = with_attrs(feedback)
        self.has_events = all(c in self.events.columns for c in by)
        self.has_feedback = all(c in self.feedback.columns for c in by) and len(self.feedback) > 0

    def answered(self, kpi: str) -> bool:
        """True when the feedback has answers in the score column ``kpi``."""
        return kpi in self.feedback.columns and bool(self.feedback[kpi].notna().any())

    def conversion(self, by, period, purchase_events):
        """Counts behind the conversion rate."""
        return conversion_counts(self.events, by, period, purchase_events, "customer_id", "event", "timestamp")

    def churn(self, by, days):
        """Counts behind churn, and the date it is measured at."""
        return churn_counts(self.events, by, days, None, "customer_id", "timestamp")

    def repeat(self, by, period, purchase_events):
        """Counts behind the repeat-purchase rate."""
        return repeat_counts(self.events, by, period, purchase_events, "customer_id", "event", "timestamp")

    def order_values(self, by, period, purchase_events):
        """Moments behind the average order value."""
        return order_value_moments(self.events, by, period, purchase_events, "revenue", "event", "customer_id",
                                   "timestamp")

    def annual_revenue(self, by, purchase_events):
        """Moments behind the annual revenue per customer (and CLV)."""
        return annual_revenue_moments(self.events, by, purchase_events, "revenue", "customer_id", "event", "timestamp")

    def span(self):
        """The time from the first to the last event."""
        times = pd.to_datetime(self.events["timestamp"], utc=True)
        return (times.max() - times.min()) if len(times) else pd.Timedelta(0)

    def first_revenue(self, by, span, purchase_events):
        """Moments behind the revenue per customer in their first ``span``, and the too recent counts."""
        return first_revenue_moments(self.events, by, span, purchase_events, "revenue", "customer_id", "event",
                                     "timestamp")

    def scores(self, kpi, by, period):
        """Counts (NPS, CSAT) or moments (CES) of the answers in score column ``kpi``."""
        return _SCORES[kpi](self.feedback, by, period, kpi, "timestamp")
