"""Journey KPIs, each with its definition, a confidence interval and the counts behind it (pandas tables).

Every function takes a tidy table first (events or feedback), keyword-only column names, an
optional ``by`` (one or more columns) and ``period`` (``"W"``, ``"M"``, ``"Q"``: adds a
``period`` column, the start of the period of each row's time), and returns one row per group.
The counts and moments come from the pandas engine (:mod:`jkit.kpis.engines.pandas`); rates,
means and intervals from :mod:`jkit.kpis.aggregates`, as for every engine.

Groups. A ``by`` column that is a customer attribute (persona, region) puts each customer in
one group. A column that varies along the journey (touchpoint, stage, period) splits the rows:
each group's KPI is computed from that group's rows only — the conversion rate of ``web`` is
the share of customers with a web event who bought on the web — so a customer can count in
several groups. Churn is the exception: a customer falls in the group of their *last* event.

Purchases are the events named in ``purchase_events`` (default ``purchase`` and
``repeat_purchase``), their amount in ``revenue``. Feedback scores are ``nps`` (0–10), ``csat``
(1–5) and ``ces`` (1–7), missing on rows that are not survey answers.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS, as_list
from jkit.errors import JkitWarning
from jkit.formatting import format_duration
from jkit.kpis.aggregates import (
    check_days,
    check_horizon,
    check_span,
    churn_table,
    clv_formula,
    clv_table,
    first_revenue_table,
    group_columns,
    mean_table,
    nps_table,
    order_value_table,
    share_table,
)
from jkit.kpis.engines.pandas import (
    annual_revenue_moments,
    ces_moments,
    churn_counts,
    conversion_counts,
    csat_counts,
    first_revenue_moments,
    nps_counts,
    order_value_moments,
    repeat_counts,
)

__all__ = [
    "conversion_rate",
    "churn_rate",
    "repeat_purchase_rate",
    "average_order_value",
    "nps",
    "csat",
    "ces",
    "clv_formula",
    "clv",
    "historical_revenue_per_customer",
]

# --------------------------------------------------------------------------- events KPIs


def _customer_rate(name: str, counts: Callable[..., pd.DataFrame], count: str, base: str,
                   doc: str) -> Callable[..., pd.DataFrame]:
    """The public function of a share of customers: one parameter list for conversion and repeat purchase."""

    def measure(
        events: pd.DataFrame,
        *,
        by: str | Sequence[str] | None = None,
        period: str | None = None,
        purchase_events: Sequence[str] = PURCHASE_EVENTS,
        customer_col: str = "customer_id",
        event_col: str = "event",
        time_col: str = "timestamp",
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        table = counts(events, as_list(by), period, purchase_events, customer_col, event_col, time_col)
        return share_table(table, name, count, base, confidence)

    measure.__name__ = measure.__qualname__ = name
    measure.__doc__ = doc
    return measure


conversion_rate = _customer_rate(
    "conversion_rate", conversion_counts, "converted", "customers",
    """Conversion rate: the share of active customers who made at least one purchase.

    ``conversion_rate = converted / customers`` where ``customers`` had any event in the group
    and ``converted`` had a purchase event in it. Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, ``customers``, ``converted``, ``conversion_rate``,
        ``conversion_rate_low``, ``conversion_rate_high``.

    Examples
    --------
    >>> conversion_rate(data.events, by="touchpoint")            # doctest: +SKIP
    """,
)

repeat_purchase_rate = _customer_rate(
    "repeat_purchase_rate", repeat_counts, "repeat_buyers", "buyers",
    """Repeat-purchase rate: among customers who bought, the share who bought at least twice.

    ``repeat_purchase_rate = repeat_buyers / buyers``, counting purchase events in the group.
    Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, ``buyers``, ``repeat_buyers``, ``repeat_purchase_rate`` and its
        ``_low``/``_high`` bounds.
    """,
)


def churn_rate(
    events: pd.DataFrame,
    *,
    days: int = 90,
    as_of: str | pd.Timestamp | None = None,
    by: str | Sequence[str] | None = None,
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Churn: the share of customers with no activity in the last ``days`` days.

    A customer active at or before ``as_of`` (default: the last event in ``events``) has
    churned when their last event is more than ``days`` days before ``as_of``. A ``by`` column
    is read on each customer's last event. Wilson interval.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``customers``, ``churned``, ``churn_rate``, ``churn_rate_low``,
        ``churn_rate_high``, ``as_of`` and ``days``.
    """
    check_days(days)
    cols = as_list(by)
    counts, end = churn_counts(events, cols, days, as_of, customer_col, time_col)
    return churn_table(counts, end, days, confidence)


def average_order_value(
    events: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    revenue_col: str = "revenue",
    event_col: str = "event",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Average order value: mean ``revenue`` of purchase events (those with a revenue).

    Student-t interval of the mean.

    Returns
    -------
    DataFrame
        The group columns, ``orders``, ``revenue`` (total), ``average_order_value`` and its
        ``_low``/``_high`` bounds.
    """
    cols = as_list(by)
    values = order_value_moments(events, cols, period, purchase_events, revenue_col, event_col, customer_col, time_col)
    return order_value_table(values, group_columns(cols, period), confidence)


# --------------------------------------------------------------------------- feedback KPIs


def _feedback_kpi(kpi: str, finish: Callable[..., pd.DataFrame], doc: str) -> Callable[..., pd.DataFrame]:
    """The public function of a feedback KPI: one parameter list for NPS, CSAT and CES."""

    def measure(
        feedback: pd.DataFrame,
        *,
        by: str | Sequence[str] | None = None,
        period: str | None = None,
        score_col: str = kpi,
        time_col: str = "timestamp",
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        return finish(feedback, as_list(by), period, score_col, time_col, confidence)

    measure.__name__ = measure.__qualname__ = kpi
    measure.__doc__ = doc
    return measure


def _nps(feedback, by, period, score_col, time_col, confidence) -> pd.DataFrame:
    return nps_table(nps_counts(feedback, by, period, score_col, time_col), confidence)


def _csat(feedback, by, period, score_col, time_col, confidence) -> pd.DataFrame:
    counts = csat_counts(feedback, by, period, score_col, time_col)
    return share_table(counts, "csat", "satisfied", "responses", confidence)


def _ces(feedback, by, period, score_col, time_col, confidence) -> pd.DataFrame:
    values = ces_moments(feedback, by, period, score_col, time_col)
    return mean_table(values, group_columns(by, period), "ces", confidence, "responses")


nps = _feedback_kpi(
    "nps", _nps,
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), from −100 to 100.

    Interval: normal approximation with the variance of a difference of multinomial shares,
    ``var = (p + d − (p − d)²) / n`` (p, d the promoter and detractor shares), clipped to ±100.
    ``feedback`` holds the answers in ``score_col`` (missing on rows that are not answers);
    ``by``, ``period``, ``time_col`` and ``confidence`` as for every KPI.

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``promoters``, ``passives``, ``detractors``, ``nps``,
        ``nps_low``, ``nps_high``.
    """,
)

csat = _feedback_kpi(
    "csat", _csat,
    """Customer satisfaction: the share of answers of 4 or 5 on the 1–5 scale (Wilson interval).

    Parameters as :func:`nps`.

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``satisfied``, ``csat``, ``csat_low``, ``csat_high``.
    """,
)

ces = _feedback_kpi(
    "ces", _ces,
    """Customer effort score: the mean answer on the 1–7 scale (Student-t interval).

    Parameters as :func:`nps`.

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``ces``, ``ces_low``, ``ces_high``.
    """,
)


# --------------------------------------------------------------------------- value


def clv(
    events: pd.DataFrame,
    *,
    expected_lifespan_years: float = 3.0,
    acquisition_cost: float = 0.0,
    by: str | Sequence[str] | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    revenue_col: str = "revenue",
    customer_col: str = "customer_id",
    event_col: str = "event",
    time_col: str = "timestamp",
    confidence: float = 0.95,
    min_span: str | pd.Timedelta = "90D",
) -> pd.DataFrame:
    """Formula CLV (no churn) with the annual revenue per customer measured on the data.

    ``annual_revenue_per_customer`` is the mean, over the customers with an event in the group,
    of their purchase revenue in the data period scaled to a year (× 365.25 days / days from the
    first to the last event of ``events``). ``clv = annual_revenue_per_customer ×
    expected_lifespan_years − acquisition_cost``; its interval carries the Student-t interval of
    the mean (lifespan and cost are taken as given). Nobody churns in this formula; the churn-aware
    model is :mod:`jkit.clv`.

    When the events span less than ``min_span`` (default 90 days) the annual revenue and CLV
    columns are NaN and a :class:`~jkit.errors.JkitWarning` says why: a few hours or days of data
    scaled to years is not a customer value.

    Returns
    -------
    DataFrame
        The group columns, ``customers``, ``annual_revenue_per_customer`` with ``_low``/``_high``,
        ``clv``, ``clv_low``, ``clv_high``.
    """
    cols = as_list(by)
    least = check_span(min_span, "min_span")
    values = annual_revenue_moments(events, cols, purchase_events, revenue_col, customer_col, event_col, time_col)
    out = clv_table(values, cols, expected_lifespan_years, acquisition_cost, confidence)
    times = pd.to_datetime(events[time_col], utc=True)
    span = (times.max() - times.min()) if len(times) else pd.Timedelta(0)
    if span < least:
        warnings.warn(f"Formula CLV not computed: the data spans {format_duration(span)}, less than "
                      f"min_span={format_duration(least)}", JkitWarning, stacklevel=2)
        value_cols = [c for c in out.columns if c.startswith(("annual_revenue_per_customer", "clv"))]
        out[value_cols] = np.nan
    return out


def historical_revenue_per_customer(
    events: pd.DataFrame,
    *,
    horizon: str | pd.Timedelta = "365D",
    by: str | Sequence[str] | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    revenue_col: str = "revenue",
    customer_col: str = "customer_id",
    event_col: str = "event",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Historical CLV: mean purchase revenue per customer in their first ``horizon`` after their first event.

    Only customers observed for the whole horizon count (first event at least ``horizon``
    before the last event of ``events``); the others are reported in ``too_recent``.
    Student-t interval.

    Returns
    -------
    DataFrame
        The group columns, ``customers``, ``too_recent``, ``revenue_per_customer`` with
        ``_low``/``_high`` and ``horizon``.
    """
    span = check_horizon(horizon)
    cols = as_list(by)
    values, too_recent = first_revenue_moments(events, cols, span, purchase_events, revenue_col, customer_col,
                                               event_col, time_col)
    return first_revenue_table(values, too_recent, cols, span, confidence)
