"""Every KPI of a study in one tidy table (:func:`kpi_table`), assembled once for every engine.

The engine (:mod:`jkit.kpis.engines`, chosen by :func:`jkit._engines.choose`) reads the study and
gives per-group aggregates; :mod:`jkit.kpis.aggregates` turns them into KPIs and
:mod:`jkit.kpis.rows` into the table's rows. This module decides which KPIs a breakdown has
(stage conversion by stage, no churn or value KPIs by period, n/a rows without revenue).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jkit._engines import choose, load
from jkit._rules import PURCHASE_EVENTS, as_list
from jkit.errors import JkitWarning
from jkit.formatting import format_duration, format_number
from jkit.kpis.aggregates import (
    KPISource,
    check_days,
    check_horizon,
    check_span,
    churn_table,
    clv_table,
    first_revenue_table,
    group_columns,
    mean_table,
    nps_table,
    order_value_table,
    rate,
    share_table,
)
from jkit.kpis.conversions import default_conversion_events
from jkit.kpis.engines import ENGINES
from jkit.kpis.rows import KPI_COLUMNS, REVENUE_KPIS, kpi_rows, not_available

__all__ = ["kpi_table"]


@dataclass(frozen=True)
class _Ask:
    """What :func:`kpi_table` was asked for, passed to the steps that gather its rows."""

    cols: list[str]
    period: str | None
    purchase_events: list[str]
    confidence: float

    def rows(self, table: pd.DataFrame, kpi: str, value: str, n: str, count: str | None = None,
             **fmt) -> pd.DataFrame:
        return kpi_rows(table, self.cols, kpi, value, n, count, **fmt)


def kpi_table(
    data,
    by: str | Sequence[str] | None = None,
    *,
    period: str | None = None,
    attributes: pd.DataFrame | None = None,
    churn_days: int = 90,
    purchase_events: Sequence[str] | str | None = PURCHASE_EVENTS,
    revenue_col: str = "revenue",
    expected_lifespan_years: float = 3.0,
    acquisition_cost: float = 0.0,
    horizon: str = "180D",
    window: str = "90D",
    confidence: float = 0.95,
    engine: str | None = None,
    clv_min_span: str | pd.Timedelta = "90D",
) -> pd.DataFrame:
    """Every KPI of a study in one tidy table.

    Parameters
    ----------
    data : JourneyData or SparkJourneyData
        From :func:`jkit.load` (or :func:`jkit.spark.load`).
    by : str or list of str, optional
        Columns of the events (``touchpoint``), ``"stage"`` (the stage of each event / feedback
        row), or customer attributes (``region``, ``persona``…, joined from ``data.customers``
        and ``attributes``). A KPI whose table lacks a ``by`` column is left out. By stage,
        the conversion rate is ``stage_conversion`` (share of the customers reaching the stage
        who reach the next one within ``window``, from :func:`jkit.funnels.stage_journeys`)
        and the revenue-per-customer KPIs are left out.
    period : {"W", "M", "Q", "Y"}, optional
        Also break down by period (churn and value KPIs, measured over the whole data, are left
        out then).
    attributes : DataFrame, optional
        More customer attributes keyed by ``customer_id`` (for example personas).
    purchase_events : list of str, str or None
        The conversion events (default ``purchase`` and ``repeat_purchase``, when the stage model
        knows them); a comma-separated string is split; None or empty:
        :func:`default_conversion_events` of the stage model.
    revenue_col : str, default "revenue"
        The events column with the amount of each purchase. When the study has none (or it is
        empty), the currency KPIs (:data:`REVENUE_KPIS`) are kept with a missing value (shown as
        "n/a") instead of a misleading 0.
    churn_days, expected_lifespan_years, acquisition_cost, horizon, confidence
        Passed to the KPI functions.
    window : str, default "90D"
        Funnel window of ``stage_conversion`` (only with ``by="stage"``).
    clv_min_span : str or Timedelta, default "90D"
        The least data (first to last event) the formula CLV and the annual revenue per customer
        are extrapolated from. With less, both are missing ("n/a", the definition says why) and
        a :class:`~jkit.errors.JkitWarning` (a report caveat) is raised: three hours of
        clickstream scaled to three years is not a customer value. The ``clv`` KPI is the
        seeds' *formula* (no churn: every customer is assumed to stay ``expected_lifespan_years``);
        prefer the churn-aware model of :mod:`jkit.clv` when the data has repeat purchases.
    engine : {"pandas", "spark"} or None
        ``None`` runs on Spark when ``data`` holds Spark DataFrames (:func:`jkit.spark.load`),
        else in pandas; ``"spark"`` sends pandas tables to Spark (:mod:`jkit.kpis.engines.spark`).

    Returns
    -------
    DataFrame
        The group columns, then ``kpi``, ``value``, ``low``, ``high``, ``count`` (numerator of
        a rate, else missing), ``n`` (customers, buyers, orders or answers behind the value),
        ``unit`` (``share``, ``score`` or ``currency``) and ``definition``.

    Examples
    --------
    >>> kpi_table(jkit.load("data/sample"), by="touchpoint")   # doctest: +SKIP
    """
    if purchase_events is PURCHASE_EVENTS and not set(PURCHASE_EVENTS) & set(data.stages.events):
        purchase_events = None  # the default names are not events of this study: use its conversion stage
    purchase_events = default_conversion_events(data.stages, purchase_events)
    min_span = check_span(clv_min_span)
    name = choose(engine, data, ENGINES, analysis="kpi_table")
    cols = as_list(by)
    source: KPISource = load(ENGINES, name)(data, cols, attributes=attributes, revenue_col=revenue_col)
    ask = _Ask(cols, period, purchase_events, confidence)
    pieces: list[pd.DataFrame] = []
    if source.has_events:
        pieces += _event_rows(source, data, ask, churn_days, window)
        if source.has_revenue:
            pieces += _revenue_rows(source, ask, expected_lifespan_years, acquisition_cost, horizon, min_span)
        else:
            pieces += [not_available(kpi, f"n/a: the study has no revenue (column {revenue_col!r})")
                       for kpi in REVENUE_KPIS
                       if kpi == "average_order_value" or (period is None and "stage" not in cols)]
    if source.has_feedback:
        pieces += _feedback_rows(source, ask)
    group_cols = [*cols, *(["period"] if period else [])]
    if not pieces:
        return pd.DataFrame(columns=[*group_cols, *KPI_COLUMNS])
    pieces = [p for p in pieces if len(p)] or pieces
    return pd.concat(pieces, ignore_index=True)[[*group_cols, *KPI_COLUMNS]]


def _event_rows(source: KPISource, data, ask: _Ask, churn_days: int, window: str) -> list[pd.DataFrame]:
    """Stage conversion (by stage) or conversion, churn (without period) and repeat purchase."""
    cols, period, confidence = ask.cols, ask.period, ask.confidence
    pieces = []
    by_stage = "stage" in cols
    if by_stage and period is None:
        stages = _stage_conversion(data, source.events, [c for c in cols if c != "stage"], window, confidence)
        pieces.append(ask.rows(stages, "stage_conversion", "conversion", "customers", "converted", window=window))
    if not by_stage:
        counts = source.conversion(cols, period, ask.purchase_events)
        pieces.append(ask.rows(share_table(counts, "conversion_rate", "converted", "customers", confidence),
                               "conversion_rate", "conversion_rate", "customers", "converted",
                               events=", ".join(ask.purchase_events)))
    if period is None:
        check_days(churn_days)
        churned = source.churn(cols, churn_days)
        if churned is not None:
            pieces.append(ask.rows(churn_table(*churned, churn_days, confidence), "churn_rate", "churn_rate",
                                   "customers", "churned", churn_days=churn_days))
    counts = source.repeat(cols, period, ask.purchase_events)
    pieces.append(ask.rows(share_table(counts, "repeat_purchase_rate", "repeat_buyers", "buyers", confidence),
                           "repeat_purchase_rate", "repeat_purchase_rate", "buyers", "repeat_buyers"))
    return pieces


def _revenue_rows(source: KPISource, ask: _Ask, lifespan: float, cost: float, horizon: str,
                  min_span: pd.Timedelta) -> list[pd.DataFrame]:
    """Average order value, then (without period or stage) annual revenue per customer, CLV and revenue per customer."""
    cols, period, events, confidence = ask.cols, ask.period, ask.purchase_events, ask.confidence
    orders = order_value_table(source.order_values(cols, period, events), group_columns(cols, period), confidence)
    pieces = [ask.rows(orders, "average_order_value", "average_order_value", "orders")]
    if period is None and "stage" not in cols:
        pieces += _formula_rows(source, ask, lifespan, cost, min_span)
        span = check_horizon(horizon)
        first = first_revenue_table(*source.first_revenue(cols, span, events), cols, span, confidence)
        pieces.append(ask.rows(first, "revenue_per_customer", "revenue_per_customer", "customers",
                               horizon=format_duration(pd.Timedelta(horizon))))
    return pieces


def _formula_rows(source: KPISource, ask: _Ask, lifespan: float, cost: float,
                  min_span: pd.Timedelta) -> list[pd.DataFrame]:
    """Annual revenue per customer and the formula CLV; n/a with a caveat when the data spans less than ``min_span``."""
    span = source.span()
    if span < min_span:
        why = (f"n/a: the data spans {format_duration(span)}, less than clv_min_span={format_duration(min_span)}; "
               "the formula CLV (no churn) would extrapolate it to years")
        warnings.warn(f"Formula CLV and annual revenue per customer not shown: the data spans {format_duration(span)}, "
                      f"less than the {format_duration(min_span)} they need (clv_min_span) to be scaled to a year",
                      JkitWarning, stacklevel=4)
        return [not_available("annual_revenue_per_customer", why), not_available("clv", why)]
    value = clv_table(source.annual_revenue(ask.cols, ask.purchase_events), ask.cols, lifespan, cost, ask.confidence)
    return [ask.rows(value, "annual_revenue_per_customer", "annual_revenue_per_customer", "customers",
                     span=format_duration(span)),
            ask.rows(value, "clv", "clv", "customers", lifespan=format_number(lifespan), cost=format_number(cost))]


def _feedback_rows(source: KPISource, ask: _Ask) -> list[pd.DataFrame]:
    """NPS, CSAT and CES, each when the feedback has answers."""
    cols, period, confidence = ask.cols, ask.period, ask.confidence
    pieces = []
    if source.answered("nps"):
        pieces.append(ask.rows(nps_table(source.scores("nps", cols, period), confidence), "nps", "nps", "responses"))
    if source.answered("csat"):
        table = share_table(source.scores("csat", cols, period), "csat", "satisfied", "responses", confidence)
        pieces.append(ask.rows(table, "csat", "csat", "responses", "satisfied"))
    if source.answered("ces"):
        table = mean_table(source.scores("ces", cols, period), group_columns(cols, period), "ces", confidence,
                           "responses")
        pieces.append(ask.rows(table, "ces", "ces", "responses"))
    return pieces


def _stage_conversion(data, events, others: list[str], window: str, confidence: float) -> pd.DataFrame:
    """Per stage (but the last): customers reaching it and the share reaching the next stage."""
    from jkit.funnels import funnel_journeys, funnel_table

    journeys = funnel_journeys(events, data.stages.steps(), step_names=data.stages.names, window=window,
                               by=others or None, missing_steps="warn")
    table = funnel_table(journeys, by=others or None, confidence=confidence)
    table = table.sort_values([*others, "step"], kind="stable", ignore_index=True)
    nxt = table.groupby(others, dropna=False, sort=False)["customers"].shift(-1) if others else \
        table["customers"].shift(-1)
    out = table[[*others]].copy()
    out["stage"] = table["step_name"].astype("string")
    out["customers"] = table["customers"].to_numpy()
    out["converted"] = nxt.to_numpy()
    out = out[pd.notna(out["converted"])].reset_index(drop=True)
    out["converted"] = out["converted"].astype(np.int64)
    return rate(out, "conversion", "converted", "customers", confidence)
