"""Journey KPIs, each with its definition, a confidence interval and the counts behind it.

Every function takes a tidy table first (events or feedback), keyword-only column names, an
optional ``by`` (one or more columns) and ``period`` (``"W"``, ``"M"``, ``"Q"``: adds a
``period`` column, the start of the period of each row's time), and returns one row per group.

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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import ParameterError
from jkit.formatting import format_duration, format_number
from jkit.stats import mean_interval, wilson_interval, z_value

__all__ = [
    "PURCHASE_EVENTS",
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
    "kpi_table",
    "default_conversion_events",
    "parse_events",
    "REVENUE_KPIS",
]

PURCHASE_EVENTS = ("purchase", "repeat_purchase")
_PERIODS = {"D": "D", "W": "W", "M": "M", "Q": "Q", "Y": "Y", "day": "D", "week": "W", "month": "M",
            "quarter": "Q", "year": "Y"}


#: names of a stage that converts, when the stage model has no ``purchase`` event
CONVERSION_STAGE_NAMES = ("purchase", "conversion", "convert", "subscription", "subscribe", "order", "checkout", "buy")
#: the KPIs measured in the data's currency (n/a when the study has no revenue)
REVENUE_KPIS = ("average_order_value", "annual_revenue_per_customer", "clv", "revenue_per_customer")


def parse_events(text: str | Sequence[str] | None) -> list[str]:
    """Event names from a comma-separated report parameter (``"subscribed, renewed"``) or a list."""
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [str(e).strip() for e in items if str(e).strip()]


def default_conversion_events(stages, given: str | Sequence[str] | None = None) -> list[str]:
    """The events that count as a conversion (a purchase) for the KPIs.

    ``given`` (names, or a comma-separated string) wins. Otherwise: :data:`PURCHASE_EVENTS` that
    the stage model knows; else the events of its stage named like a conversion
    (:data:`CONVERSION_STAGE_NAMES`: purchase, conversion, subscription…); else the events of its
    last stage. A bank campaign ``contacted → interested → subscription`` converts on
    ``subscribed``.
    """
    chosen = parse_events(given)
    if chosen:
        return chosen
    known = list(stages.events) if hasattr(stages, "events") else []
    named = [e for e in PURCHASE_EVENTS if e in known]
    if named:
        return named
    for stage in stages.names:
        if stage.lower() in CONVERSION_STAGE_NAMES:
            return list(stages[stage].events)
    return list(stages[stages.names[-1]].events) if stages.names else list(PURCHASE_EVENTS)


# --------------------------------------------------------------------------- shared helpers


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _prepare(frame: pd.DataFrame, table: str, needed: Sequence[str], by: list[str], period: str | None,
             time_col: str) -> pd.DataFrame:
    """The needed columns (copied), with a ``period`` column when asked; clear errors otherwise."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{table} should be a DataFrame, not {type(frame).__name__}")
    wanted = list(dict.fromkeys([*needed, *[b for b in by if b != "period" or period is None]]))
    if period is not None:
        wanted.append(time_col)
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{table}: no column {missing[0]!r}; found columns {', '.join(map(repr, frame.columns))}"
        )
    out = frame[list(dict.fromkeys(wanted))].copy()
    if period is not None:
        if period not in _PERIODS:
            raise ParameterError(f"period={period!r} should be one of 'D', 'W', 'M', 'Q' or 'Y'")
        times = pd.to_datetime(out[time_col], utc=True).dt.tz_localize(None)
        out["period"] = times.dt.to_period(_PERIODS[period]).dt.start_time.dt.tz_localize("UTC")
    return out


def _groups(by: list[str], period: str | None) -> list[str]:
    cols = list(by)
    if period is not None and "period" not in cols:
        cols.append("period")
    return cols


def _grouped(frame: pd.DataFrame, cols: list[str]):
    if cols:
        return frame.groupby(cols, dropna=False, sort=True, observed=True)
    return frame.assign(__all=0).groupby("__all", sort=True)


def _finish(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    frame = frame.reset_index()
    if not cols:
        frame = frame.drop(columns="__all", errors="ignore")
    return frame.reset_index(drop=True)


def _rate(out: pd.DataFrame, name: str, count: str, base: str, confidence: float) -> pd.DataFrame:
    k, n = out[count].to_numpy(dtype=float), out[base].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[name] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    out[f"{name}_low"], out[f"{name}_high"] = wilson_interval(k, n, confidence)
    return out


def _purchases(events: pd.DataFrame, event_col: str, purchase_events: Sequence[str]) -> np.ndarray:
    if isinstance(purchase_events, str):
        purchase_events = (purchase_events,)
    return events[event_col].isin(list(purchase_events)).fillna(False).to_numpy(dtype=bool)


# --------------------------------------------------------------------------- events KPIs


def conversion_rate(
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
    """
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, event_col], cols, period, time_col)
    frame["__buy"] = _purchases(frame, event_col, purchase_events)
    groups = _groups(cols, period)
    per_customer = _grouped(frame, [*groups, customer_col]) if groups else frame.groupby(customer_col)
    bought = per_customer["__buy"].any().rename("converted").reset_index()
    out = _grouped(bought, groups).agg(customers=(customer_col, "size"), converted=("converted", "sum"))
    out = _finish(out, groups)
    out["converted"] = out["converted"].astype(np.int64)
    return _rate(out, "conversion_rate", "converted", "customers", confidence)


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
    if isinstance(days, bool) or not isinstance(days, (int, float, np.number)) or days <= 0:
        raise ParameterError(f"days={days!r} should be a positive number of days, such as 90")
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, time_col], cols, None, time_col)
    frame[time_col] = pd.to_datetime(frame[time_col], utc=True)
    end = frame[time_col].max() if as_of is None else _utc(as_of)
    frame = frame[frame[time_col] <= end]
    last = frame.sort_values([customer_col, time_col], kind="stable").drop_duplicates(customer_col, keep="last")
    last = last.assign(churned=(last[time_col] < end - pd.Timedelta(days=days)).to_numpy())
    out = _finish(_grouped(last, cols).agg(customers=(customer_col, "size"), churned=("churned", "sum")), cols)
    out["churned"] = out["churned"].astype(np.int64)
    out = _rate(out, "churn_rate", "churned", "customers", confidence)
    out["as_of"] = end
    out["days"] = days
    return out


def repeat_purchase_rate(
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
    """Repeat-purchase rate: among customers who bought, the share who bought at least twice.

    ``repeat_purchase_rate = repeat_buyers / buyers``, counting purchase events in the group.
    Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, ``buyers``, ``repeat_buyers``, ``repeat_purchase_rate`` and its
        ``_low``/``_high`` bounds.
    """
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, event_col], cols, period, time_col)
    frame = frame[_purchases(frame, event_col, purchase_events)]
    groups = _groups(cols, period)
    counts = frame.groupby([*groups, customer_col], dropna=False, sort=True, observed=True).size()
    counts = counts.rename("orders").reset_index()
    counts["repeat"] = counts["orders"] >= 2
    out = _finish(_grouped(counts, groups).agg(buyers=(customer_col, "size"), repeat_buyers=("repeat", "sum")), groups)
    out["repeat_buyers"] = out["repeat_buyers"].astype(np.int64)
    return _rate(out, "repeat_purchase_rate", "repeat_buyers", "buyers", confidence)


def _mean_table(frame: pd.DataFrame, groups: list[str], value: str, name: str, confidence: float,
                count_name: str) -> pd.DataFrame:
    rows = []
    for key, part in (_grouped(frame, groups) if len(frame) else []):
        values = part[value].to_numpy(dtype=float)
        mean, low, high = mean_interval(values, confidence)
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, len(values), mean, low, high))
    names = groups if groups else ["__all"]
    out = pd.DataFrame(rows, columns=[*names, count_name, name, f"{name}_low", f"{name}_high"])
    if not groups:
        out = out.drop(columns="__all")
    out[count_name] = out[count_name].astype(np.int64)
    return out


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
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, event_col, revenue_col], cols, period, time_col)
    frame = frame[_purchases(frame, event_col, purchase_events)]
    frame = frame[frame[revenue_col].notna()]
    frame[revenue_col] = frame[revenue_col].astype(float)
    groups = _groups(cols, period)
    out = _mean_table(frame, groups, revenue_col, "average_order_value", confidence, "orders")
    out.insert(len(groups) + 1, "revenue", out["orders"] * out["average_order_value"])
    return out


# --------------------------------------------------------------------------- feedback KPIs


def _scores(feedback: pd.DataFrame, score_col: str, cols: list[str], period: str | None, time_col: str,
            low: int, high: int) -> pd.DataFrame:
    frame = _prepare(feedback, "feedback", [score_col], cols, period, time_col)
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


def nps(
    feedback: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    score_col: str = "nps",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), from −100 to 100.

    Interval: normal approximation with the variance of a difference of multinomial shares,
    ``var = (p + d − (p − d)²) / n`` (p, d the promoter and detractor shares), clipped to ±100.

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``promoters``, ``passives``, ``detractors``, ``nps``,
        ``nps_low``, ``nps_high``.
    """
    cols = _by_list(by)
    frame = _scores(feedback, score_col, cols, period, time_col, 0, 10)
    frame["__p"] = frame[score_col] >= 9
    frame["__d"] = frame[score_col] <= 6
    groups = _groups(cols, period)
    out = _finish(_grouped(frame, groups).agg(responses=(score_col, "size"), promoters=("__p", "sum"),
                                              detractors=("__d", "sum")), groups)
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


def csat(
    feedback: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    score_col: str = "csat",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer satisfaction: the share of answers of 4 or 5 on the 1–5 scale (Wilson interval).

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``satisfied``, ``csat``, ``csat_low``, ``csat_high``.
    """
    cols = _by_list(by)
    frame = _scores(feedback, score_col, cols, period, time_col, 1, 5)
    frame["__s"] = frame[score_col] >= 4
    groups = _groups(cols, period)
    out = _finish(_grouped(frame, groups).agg(responses=(score_col, "size"), satisfied=("__s", "sum")), groups)
    out["responses"] = out["responses"].astype(np.int64)
    out["satisfied"] = out["satisfied"].astype(np.int64)
    return _rate(out, "csat", "satisfied", "responses", confidence)


def ces(
    feedback: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    score_col: str = "ces",
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Customer effort score: the mean answer on the 1–7 scale (Student-t interval).

    Returns
    -------
    DataFrame
        The group columns, ``responses``, ``ces``, ``ces_low``, ``ces_high``.
    """
    cols = _by_list(by)
    frame = _scores(feedback, score_col, cols, period, time_col, 1, 7)
    return _mean_table(frame, _groups(cols, period), score_col, "ces", confidence, "responses")


# --------------------------------------------------------------------------- value


def clv_formula(annual_revenue_per_customer: Any, expected_lifespan_years: Any, acquisition_cost: Any = 0.0) -> Any:
    """Customer lifetime value by formula: annual revenue per customer × expected lifespan − acquisition cost.

    Works on numbers or arrays. ``clv_formula(120.0, 3, 50)`` is 310.0.
    """
    lifespan = np.asarray(expected_lifespan_years, dtype=float)
    if np.any(lifespan < 0):
        raise ParameterError(f"expected_lifespan_years={expected_lifespan_years!r} should be at least 0")
    value = np.asarray(annual_revenue_per_customer, dtype=float) * lifespan - np.asarray(acquisition_cost, dtype=float)
    return float(value) if value.ndim == 0 else value


def _revenue(frame: pd.DataFrame, event_col: str, revenue_col: str, purchase_events: Sequence[str]) -> np.ndarray:
    buy = _purchases(frame, event_col, purchase_events)
    amount = pd.to_numeric(frame[revenue_col]).fillna(0).to_numpy(dtype=float)
    return np.where(buy, amount, 0.0)


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
) -> pd.DataFrame:
    """CLV by formula with the annual revenue per customer measured on the data.

    ``annual_revenue_per_customer`` is the mean, over the customers with an event in the group,
    of their purchase revenue in the data period scaled to a year (× 365.25 days / days from the
    first to the last event of ``events``). ``clv = annual_revenue_per_customer ×
    expected_lifespan_years − acquisition_cost``; its interval carries the Student-t interval of
    the mean (lifespan and cost are taken as given).

    Returns
    -------
    DataFrame
        The group columns, ``customers``, ``annual_revenue_per_customer`` with ``_low``/``_high``,
        ``clv``, ``clv_low``, ``clv_high``.
    """
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, event_col, revenue_col, time_col], cols, None, time_col)
    times = pd.to_datetime(frame[time_col], utc=True)
    days = max((times.max() - times.min()) / pd.Timedelta(days=1), 1.0) if len(frame) else 1.0
    frame["__rev"] = _revenue(frame, event_col, revenue_col, purchase_events) * (365.25 / days)
    per_customer = frame.groupby([*cols, customer_col], dropna=False, sort=True, observed=True)["__rev"].sum()
    per_customer = per_customer.reset_index()
    out = _mean_table(per_customer, cols, "__rev", "annual_revenue_per_customer", confidence, "customers")
    for suffix in ("", "_low", "_high"):
        out[f"clv{suffix}"] = clv_formula(out[f"annual_revenue_per_customer{suffix}"].to_numpy(),
                                         expected_lifespan_years, acquisition_cost)
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
    try:
        span = pd.Timedelta(horizon)
    except (ValueError, TypeError):
        raise ParameterError(f"horizon={horizon!r} should be a duration such as '365D'") from None
    if span <= pd.Timedelta(0):
        raise ParameterError(f"horizon={horizon!r} should be a positive duration such as '365D'")
    cols = _by_list(by)
    frame = _prepare(events, "events", [customer_col, event_col, revenue_col, time_col], cols, None, time_col)
    frame[time_col] = pd.to_datetime(frame[time_col], utc=True)
    end = frame[time_col].max()
    first = frame.groupby(customer_col, observed=True)[time_col].transform("min")
    frame["__rev"] = np.where(frame[time_col] <= first + span, _revenue(frame, event_col, revenue_col, purchase_events),
                              0.0)
    frame["__full"] = (first + span <= end).to_numpy()
    per_customer = frame.groupby([*cols, customer_col], dropna=False, sort=True, observed=True).agg(
        __rev=("__rev", "sum"), __full=("__full", "first")).reset_index()
    full = per_customer[per_customer["__full"]]
    out = _mean_table(full, cols, "__rev", "revenue_per_customer", confidence, "customers")
    recent = per_customer[~per_customer["__full"]]
    if cols:
        too_recent = recent.groupby(cols, dropna=False, observed=True).size().rename("too_recent")
        out = out.merge(too_recent.reset_index(), on=cols, how="outer")
        out["customers"] = out["customers"].fillna(0).astype(np.int64)
    else:
        if out.empty:
            out = pd.DataFrame({"customers": [0], "revenue_per_customer": [np.nan],
                                "revenue_per_customer_low": [np.nan], "revenue_per_customer_high": [np.nan]})
        out["too_recent"] = len(recent)
    out["too_recent"] = out["too_recent"].fillna(0).astype(np.int64)
    out = out[[*cols, "customers", "too_recent", "revenue_per_customer", "revenue_per_customer_low",
               "revenue_per_customer_high"]]
    out["horizon"] = str(span)
    return out


def _stage_conversion(data, events: pd.DataFrame, others: list[str], window: str, confidence: float) -> pd.DataFrame:
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
    return _rate(out, "conversion", "converted", "customers", confidence)


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


# --------------------------------------------------------------------------- the table


KPI_COLUMNS = ["kpi", "value", "low", "high", "count", "n", "unit", "definition"]

_DEFINITIONS = {
    "conversion_rate": ("share", "customers with a conversion ({events}) / customers with any event"),
    "stage_conversion": ("share", "customers reaching the next stage within {window} / customers reaching this stage"),
    "churn_rate": ("share", "customers with no event in the last {churn_days} days / customers"),
    "repeat_purchase_rate": ("share", "customers with 2+ purchases / customers with a purchase"),
    "average_order_value": ("currency", "mean revenue of purchase events"),
    "nps": ("score", "% answers 9–10 minus % answers 0–6 (−100 to 100)"),
    "csat": ("share", "answers of 4–5 / answers (1–5 scale)"),
    "ces": ("score", "mean answer on the 1–7 effort scale"),
    "annual_revenue_per_customer": ("currency", "purchase revenue per customer, scaled to a year"),
    "clv": ("currency", "annual revenue per customer × {lifespan} years − acquisition cost {cost}"),
    "revenue_per_customer": ("currency", "purchase revenue per customer in their first {horizon}"),
}


def kpi_rows(table: pd.DataFrame, cols: Sequence[str], kpi: str, value: str, n: str, count: str | None = None,
             **fmt: Any) -> pd.DataFrame:
    """One KPI's result table as rows of :func:`kpi_table` (group columns, kpi, value, low, high, count, n…)."""
    unit, definition = _DEFINITIONS[kpi]
    groups = [c for c in table.columns if c in [*cols, "period"]]
    part = table[groups].copy()
    part["kpi"] = kpi
    part["value"] = table[value].to_numpy(dtype=float)
    part["low"] = table[f"{value}_low"].to_numpy(dtype=float)
    part["high"] = table[f"{value}_high"].to_numpy(dtype=float)
    part["count"] = pd.array(table[count].to_numpy() if count else [pd.NA] * len(table), dtype="Int64")
    part["n"] = table[n].to_numpy(dtype=np.int64)
    part["unit"] = unit
    part["definition"] = definition.format(**fmt) if fmt else definition
    return part


def _not_available(kpi: str, why: str) -> pd.DataFrame:
    """One KPI row without a value: the study lacks what it is measured on."""
    unit, _ = _DEFINITIONS[kpi]
    return pd.DataFrame({"kpi": [kpi], "value": [np.nan], "low": [np.nan], "high": [np.nan],
                         "count": pd.array([pd.NA], dtype="Int64"), "n": np.array([0], dtype=np.int64),
                         "unit": [unit], "definition": [why]})


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
) -> pd.DataFrame:
    """Every KPI of a study in one tidy table.

    Parameters
    ----------
    data : JourneyData
        From :func:`jkit.load`.
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
    engine : {"pandas", "spark"} or None
        ``None`` runs on Spark when ``data`` holds Spark DataFrames (:func:`jkit.spark.load`),
        else in pandas; ``"spark"`` sends pandas tables to Spark (:mod:`jkit.spark.kpis`).

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
    from jkit._engines import choose

    if purchase_events is PURCHASE_EVENTS and not set(PURCHASE_EVENTS) & set(data.stages.events):
        purchase_events = None  # the default names are not events of this study: use its conversion stage
    purchase_events = default_conversion_events(data.stages, purchase_events)
    if choose(engine, data, ("pandas", "spark"), analysis="kpi_table") == "spark":
        from jkit.kpis.engines.spark import kpi_table as spark_kpi_table

        return spark_kpi_table(data, by, period=period, attributes=attributes, churn_days=churn_days,
                               purchase_events=purchase_events, expected_lifespan_years=expected_lifespan_years,
                               acquisition_cost=acquisition_cost, horizon=horizon, window=window,
                               confidence=confidence)
    cols = _by_list(by)
    events = data.events_with_stage() if "stage" in cols else data.events
    has_revenue = revenue_col in events.columns and bool(pd.to_numeric(events[revenue_col], errors="coerce").notna().any())
    if has_revenue and revenue_col != "revenue":
        events = events.drop(columns=["revenue"], errors="ignore").rename(columns={revenue_col: "revenue"})
    feedback = data.feedback
    customers = data.customers
    if attributes is not None:
        if "customer_id" not in attributes.columns:
            raise ParameterError("attributes should have a 'customer_id' column")
        extra = [c for c in attributes.columns if c != "customer_id" and c not in customers.columns]
        customers = customers.merge(attributes[["customer_id", *extra]], on="customer_id", how="left")
    known = set(events.columns) | set(feedback.columns) | set(customers.columns)
    missing = [c for c in cols if c not in known]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is not a column of the events, feedback or customers "
            f"(customers have {', '.join(map(repr, customers.columns))})"
        )
    attr_cols = [c for c in cols if c in customers.columns and c != "customer_id"]

    def with_attrs(frame: pd.DataFrame) -> pd.DataFrame:
        join = [c for c in attr_cols if c not in frame.columns]
        if not join or "customer_id" not in frame.columns:
            return frame
        return frame.merge(customers[["customer_id", *join]], on="customer_id", how="left")

    events = with_attrs(events)
    feedback = with_attrs(feedback)
    ev_ok = all(c in events.columns for c in cols)
    fb_ok = all(c in feedback.columns for c in cols) and len(feedback) > 0
    kw = {"by": cols or None, "confidence": confidence}
    pieces: list[pd.DataFrame] = []

    def add(table: pd.DataFrame, kpi: str, value: str, n: str, count: str | None = None, **fmt: Any) -> None:
        pieces.append(kpi_rows(table, cols, kpi, value, n, count, **fmt))

    by_stage = "stage" in cols
    if ev_ok and by_stage and period is None:
        add(_stage_conversion(data, events, [c for c in cols if c != "stage"], window, confidence),
            "stage_conversion", "conversion", "customers", "converted", window=window)
    if ev_ok and not by_stage:
        add(conversion_rate(events, period=period, purchase_events=purchase_events, **kw),
            "conversion_rate", "conversion_rate", "customers", "converted", events=", ".join(purchase_events))
    if ev_ok:
        if period is None:
            add(churn_rate(events, days=churn_days, **kw), "churn_rate", "churn_rate", "customers", "churned",
                churn_days=churn_days)
        add(repeat_purchase_rate(events, period=period, purchase_events=purchase_events, **kw),
            "repeat_purchase_rate", "repeat_purchase_rate", "buyers", "repeat_buyers")
        if not has_revenue:
            for kpi in REVENUE_KPIS:
                if kpi != "average_order_value" and (period is not None or by_stage):
                    continue
                pieces.append(_not_available(kpi, f"n/a: the study has no revenue (column {revenue_col!r})"))
        if has_revenue:
            add(average_order_value(events, period=period, purchase_events=purchase_events, **kw),
                "average_order_value", "average_order_value", "orders")
            if period is None and not by_stage:
                value = clv(events, expected_lifespan_years=expected_lifespan_years,
                            acquisition_cost=acquisition_cost, purchase_events=purchase_events, **kw)
                add(value, "annual_revenue_per_customer", "annual_revenue_per_customer", "customers")
                add(value, "clv", "clv", "customers", lifespan=format_number(expected_lifespan_years),
                    cost=format_number(acquisition_cost))
                add(historical_revenue_per_customer(events, horizon=horizon, purchase_events=purchase_events, **kw),
                    "revenue_per_customer", "revenue_per_customer", "customers", horizon=format_duration(pd.Timedelta(horizon)))
    if fb_ok:
        for func, kpi, count in ((nps, "nps", None), (csat, "csat", "satisfied"), (ces, "ces", None)):
            if kpi in feedback.columns and feedback[kpi].notna().any():
                add(func(feedback, period=period, **kw), kpi, kpi, "responses", count)
    if not pieces:
        return pd.DataFrame(columns=[*cols, *(["period"] if period else []), *KPI_COLUMNS])
    pieces = [p for p in pieces if len(p)] or pieces
    out = pd.concat(pieces, ignore_index=True)
    group_cols = [*cols, *(["period"] if period else [])]
    return out[[*group_cols, *KPI_COLUMNS]]
