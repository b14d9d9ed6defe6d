"""The interface of a KPI engine, and the one place where aggregates become KPIs.

An engine (:mod:`jkit.kpis.engines`) reduces a study to small per-group *aggregates*, returned
to the driver as pandas tables, the group columns first (typed and sorted as a pandas
``groupby`` gives them):

- counts behind a rate: ``customers``/``converted`` (conversion), ``customers``/``churned``
  (churn), ``buyers``/``repeat_buyers`` (repeat purchase), ``responses``/``satisfied`` (CSAT),
  ``responses``/``promoters``/``detractors`` (NPS);
- moments behind a mean, as rows ``(group key tuple, n, mean, sd)``: order values (AOV), effort
  answers (CES), annual revenue per customer (CLV), revenue per customer in their first horizon.

The functions here turn them into the KPI tables (rates with Wilson intervals, means with
Student-t intervals, NPS with its multinomial interval, CLV by formula), so that a KPI's
definition or interval is written once for every engine. :class:`KPISource` is what an engine
gives :func:`jkit.kpis.kpi_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats as _st

from jkit._rules import column_list
from jkit.errors import ParameterError
from jkit.stats import wilson_interval, z_value

__all__ = [
    "SCALES",
    "KPISource",
    "Moments",
    "check_by",
    "check_days",
    "check_horizon",
    "check_span",
    "churn_table",
    "clv_formula",
    "clv_table",
    "finish",
    "first_revenue_table",
    "group_columns",
    "grouped",
    "mean_table",
    "nps_table",
    "order_value_table",
    "rate",
    "share_table",
]

#: the answer scale of each feedback score column
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

#: one group's moments: (group key tuple, n, mean, sample standard deviation or NaN)
Moments = tuple[tuple, int, float, float]


class KPISource(Protocol):
    """What a KPI engine gives :func:`jkit.kpis.kpi_table`: a study, ready to be aggregated by group.

    ``events`` is the events table (with ``stage`` and the ``by`` attributes joined) that the
    stage funnel reads. ``has_events`` / ``has_feedback``: every ``by`` column is on that table
    (and the feedback has rows); ``has_revenue``: the events carry purchase amounts (in
    ``revenue``); ``answered(kpi)``: the feedback has answers in the score column ``kpi``;
    ``span()``: the time from the first to the last event (what the annual revenue is scaled from).
    The methods return the aggregates described in :mod:`jkit.kpis.aggregates`.
    """

    events: Any
    has_events: bool
    has_feedback: bool
    has_revenue: bool

    def answered(self, kpi: str) -> bool: ...

    def conversion(self, by: list[str], period: str | None, purchase_events: Sequence[str]) -> pd.DataFrame: ...

    def churn(self, by: list[str], days: float) -> tuple[pd.DataFrame, pd.Timestamp] | None: ...

    def repeat(self, by: list[str], period: str | None, purchase_events: Sequence[str]) -> pd.DataFrame: ...

    def order_values(self, by: list[str], period: str | None, purchase_events: Sequence[str]) -> list[Moments]: ...

    def annual_revenue(self, by: list[str], purchase_events: Sequence[str]) -> list[Moments]: ...

    def span(self) -> pd.Timedelta: ...

    def first_revenue(self, by: list[str], span: pd.Timedelta,
                      purchase_events: Sequence[str]) -> tuple[list[Moments], pd.DataFrame]: ...

    def scores(self, kpi: str, by: list[str], period: str | None) -> pd.DataFrame | list[Moments]: ...


# --------------------------------------------------------------------------- checks


def check_days(days: Any) -> None:
    """Raise a ParameterError unless ``days`` (the churn window) is a positive number."""
    if isinstance(days, bool) or not isinstance(days, (int, float, np.number)) or days <= 0:
        raise ParameterError(f"days={days!r} should be a positive number of days, such as 90")


def check_horizon(horizon: Any) -> pd.Timedelta:
    """The revenue horizon as a positive Timedelta; a ParameterError otherwise."""
    try:
        span = pd.Timedelta(horizon)
    except (ValueError, TypeError):
        raise ParameterError(f"horizon={horizon!r} should be a duration such as '365D'") from None
    if span <= pd.Timedelta(0):
        raise ParameterError(f"horizon={horizon!r} should be a positive duration such as '365D'")
    return span


def check_span(value: Any, name: str = "clv_min_span") -> pd.Timedelta:
    """A minimum span of data as a Timedelta of 0 or more (``"90D"``); a ParameterError otherwise."""
    try:
        span = pd.Timedelta(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r} should be a duration such as '90D'") from None
    if pd.isna(span) or span < pd.Timedelta(0):
        raise ParameterError(f"{name}={value!r} should be a duration of 0 or more, such as '90D'")
    return span


def check_by(by: Sequence[str], known: set[str], customer_columns: Iterable[str]) -> None:
    """Raise a ParameterError for a ``by`` column found in no table of the study."""
    missing = [c for c in by if c not in known]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is not a column of the events, feedback or customers "
            f"(customers have {column_list(customer_columns)})"
        )


# --------------------------------------------------------------------------- groups


def group_columns(by: Sequence[str], period: str | None) -> list[str]:
    """The group columns of a KPI: ``by``, then ``period`` when a period is asked."""
    cols = list(by)
    if period is not None and "period" not in cols:
        cols.append("period")
    return cols


def grouped(frame: pd.DataFrame, cols: list[str]):
    """``frame`` grouped by ``cols`` as every KPI groups (missing values kept, sorted); one group without cols."""
    if cols:
        return frame.groupby(cols, dropna=False, sort=True, observed=True)
    return frame.assign(__all=0).groupby("__all", sort=True)


def finish(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """An aggregate of :func:`grouped` with its group columns back as columns."""
    frame = frame.reset_index()
    if not cols:
        frame = frame.drop(columns="__all", errors="ignore")
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- rates


def rate(out: pd.DataFrame, name: str, count: str, base: str, confidence: float) -> pd.DataFrame:
    """Add ``name = count / base`` (NaN for an empty base) and its Wilson interval ``name_low``/``name_high``."""
    k, n = out[count].to_numpy(dtype=float), out[base].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[name] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out[f"{name}_low"], out[f"{name}_high"] = wilson_interval(k, n, confidence)
    return out


def share_table(counts: pd.DataFrame, name: str, count: str, base: str, confidence: float) -> pd.DataFrame:
    """A rate KPI from its per-group counts: the count as integers, the rate and its Wilson interval."""
    counts[count] = counts[count].astype(np.int64)
    return rate(counts, name, count, base, confidence)


def churn_table(counts: pd.DataFrame, end: pd.Timestamp, days: float, confidence: float) -> pd.DataFrame:
    """Churn from per-group ``customers``/``churned``, with the ``as_of`` date and the ``days`` window."""
    out = share_table(counts, "churn_rate", "churned", "customers", confidence)
    out["as_of"] = end
    out["days"] = days
    return out


def nps_table(counts: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """NPS from per-group ``responses``, ``promoters``, ``detractors``: −100 to 100 with its interval.

    Normal approximation with the variance of a difference of multinomial shares,
    ``var = (p + d − (p − d)²) / n``, clipped to ±100.
    """
    out = counts
    for c in ("responses", "promoters", "detractors"):
        out[c] = out[c].astype(np.int64)
    out.insert(out.columns.get_loc("detractors"), "passives", out["responses"] - out["promoters"] - out["detractors"])
    n = out["responses"].to_numpy(dtype=float)
    p = out["promoters"].to_numpy(dtype=float) / n
    d = out["detractors"].to_numpy(dtype=float) / n
    score = p - d
    half = z_value(confidence) * np.sqrt(np.maximum(p + d - score**2, 0) / n)
    out["nps"] = 100 * score
    out["nps_low"] = np.clip(100 * (score - half), -100, 100)
    out["nps_high"] = np.clip(100 * (score + half), -100, 100)
    return out


# --------------------------------------------------------------------------- means


def mean_table(moments: Iterable[Moments], groups: list[str], name: str, confidence: float,
               count_name: str) -> pd.DataFrame:
    """A mean KPI from per-group moments: ``count_name``, ``name`` and its Student-t interval.

    With fewer than two values in a group the interval is NaN.
    """
    rows = []
    for key, n, mean, sd in moments:
        if n < 2:
            low = high = float("nan")
        else:
            half = float(_st.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n))
            low, high = mean - half, mean + half
        rows.append((*key, n, mean, low, high))
    names = groups if groups else ["__all"]
    out = pd.DataFrame(rows, columns=[*names, count_name, name, f"{name}_low", f"{name}_high"])
    if not groups:
        out = out.drop(columns="__all")
    out[count_name] = out[count_name].astype(np.int64)
    return out


def order_value_table(moments: Iterable[Moments], groups: list[str], confidence: float) -> pd.DataFrame:
    """Average order value from the moments of order revenue.

    Columns ``orders``, ``revenue`` (their total), ``average_order_value`` and its Student-t interval.
    """
    out = mean_table(moments, groups, "average_order_value", confidence, "orders")
    out.insert(len(groups) + 1, "revenue", out["orders"] * out["average_order_value"])
    return out


def clv_formula(annual_revenue_per_customer: Any, expected_lifespan_years: Any, acquisition_cost: Any = 0.0) -> Any:
    """Customer lifetime value by formula: annual revenue per customer × expected lifespan − acquisition cost.

    Works on numbers or arrays. ``clv_formula(120.0, 3, 50)`` is 310.0.
    """
    lifespan = np.asarray(expected_lifespan_years, dtype=float)
    if np.any(lifespan < 0):
        raise ParameterError(f"expected_lifespan_years={expected_lifespan_years!r} should be at least 0")
    value = np.asarray(annual_revenue_per_customer, dtype=float) * lifespan - np.asarray(acquisition_cost, dtype=float)
    return float(value) if value.ndim == 0 else value


def clv_table(moments: Iterable[Moments], by: list[str], expected_lifespan_years: Any, acquisition_cost: Any,
              confidence: float) -> pd.DataFrame:
    """Annual revenue per customer (a mean) and CLV by formula, each with its interval."""
    out = mean_table(moments, by, "annual_revenue_per_customer", confidence, "customers")
    for suffix in ("", "_low", "_high"):
        out[f"clv{suffix}"] = clv_formula(out[f"annual_revenue_per_customer{suffix}"].to_numpy(),
                                         expected_lifespan_years, acquisition_cost)
    return out


def first_revenue_table(moments: Iterable[Moments], too_recent: pd.DataFrame, by: list[str], span: pd.Timedelta,
                        confidence: float) -> pd.DataFrame:
    """Revenue per customer in their first ``span`` (a mean over customers observed that long).

    ``too_recent`` counts, per group (``by`` columns and ``too_recent``), the customers first seen
    less than ``span`` before the end of the data.
    """
    out = mean_table(moments, by, "revenue_per_customer", confidence, "customers")
    if by:
        out = out.merge(too_recent, on=by, how="outer")
        out["customers"] = out["customers"].fillna(0).astype(np.int64)
    else:
        if out.empty:
            out = pd.DataFrame({"customers": [0], "revenue_per_customer": [np.nan],
                                "revenue_per_customer_low": [np.nan], "revenue_per_customer_high": [np.nan]})
        out["too_recent"] = int(too_recent["too_recent"].sum()) if len(too_recent) else 0
    out["too_recent"] = out["too_recent"].fillna(0).astype(np.int64)
    out = out[[*by, "customers", "too_recent", "revenue_per_customer", "revenue_per_customer_low",
               "revenue_per_customer_high"]]
    out["horizon"] = str(span)
    return out
