"""The steps of the "Retention and value" report (notebook 06), so the notebook holds calls and prose only.

- :func:`events_in_log`: which of the default purchase events a log holds;
- :func:`purchase_summary`: customers with a purchase and the share who bought on a second day;
- :func:`period_one_retention`: the headline retention, period 1 of the latest cohort observed that long
  (of at least 10 customers when one is);
- :func:`fit_value`: the churn-aware :class:`~jkit.clv.CLVModel` fitted on a calibration period and
  checked on the holdout after it; a study it cannot be fitted on gives the reason instead of an error;
- :func:`holdout_miss`, :func:`check_holds` and :func:`clv_headline`: the CLV headline, shown only
  when the holdout check does not reject the model (never the formula CLV, never a NaN);
- :func:`value_by_persona`: the CLV summed per persona with its interval, or why it cannot be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jkit.clv import CLVModel, Evaluation, holdout_split
from jkit.errors import DataValidationError
from jkit.formatting import format_number, format_percent

__all__ = [
    "PERIOD_WORDS", "HOLDOUT_MISS", "SEE_HOLDOUT", "ValueFit", "events_in_log", "purchase_summary", "period_one_retention",
    "fit_value", "holdout_miss", "check_holds", "clv_headline", "value_by_persona",
]

#: period codes of :func:`jkit.kpis.retention` in words
PERIOD_WORDS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
#: the words of the caveat :meth:`jkit.clv.CLVModel.caveats` gives when the holdout total is missed
HOLDOUT_MISS = "missed the holdout purchases"
#: what the CLV headline says when the holdout check rejects the model
SEE_HOLDOUT = "see the holdout check"


def events_in_log(events: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """The ``names`` that occur in the ``event`` column of ``events``, in the order given.

    A stage model's purchase events (``purchase``, ``repeat_purchase``) are defaults: a log that
    holds only ``purchase`` rows keeps that one instead of failing on the other.
    """
    present = set(events["event"].dropna().astype(str).unique()) if "event" in events.columns else set()
    return [n for n in dict.fromkeys(names) if n in present]


def purchase_summary(events: pd.DataFrame, purchase_events: Sequence[str]) -> dict[str, Any]:
    """Customers with a purchase, and those who bought on more than one (UTC) day.

    A repeat buyer is counted as :func:`jkit.clv.rfm_summary` does: purchases on the same day are
    one purchase day, so two orders on one afternoon are not a return.

    Parameters
    ----------
    events : DataFrame
        With ``customer_id``, ``event`` and ``timestamp`` (UTC).
    purchase_events : sequence of str
        The events that are purchases.

    Returns
    -------
    dict
        ``customers`` (with at least one purchase), ``repeat_buyers`` and ``repeat_share``
        (``repeat_buyers / customers``; NaN without customers).
    """
    buys = events[events["event"].isin(list(purchase_events)) & events["customer_id"].notna()
                  & events["timestamp"].notna()]
    days = pd.to_datetime(buys["timestamp"], utc=True).dt.floor("D")
    per_customer = pd.DataFrame({"customer": buys["customer_id"].astype(str), "day": days}).drop_duplicates() \
        .groupby("customer").size()
    customers = int(len(per_customer))
    repeat = int((per_customer > 1).sum())
    return {"customers": customers, "repeat_buyers": repeat, "repeat_share": repeat / customers if customers else math.nan}


def period_one_retention(table: pd.DataFrame, *, min_customers: int = 10) -> pd.Series | None:
    """Period 1 of the latest cohort whose period 1 the data observes to its end (None when no cohort is).

    Of those cohorts, the latest with at least ``min_customers`` members is taken (a headline of
    "0% of 1" says nothing), else the latest of any size.

    Parameters
    ----------
    table : DataFrame
        :func:`jkit.kpis.retention` output for one group (``cohort``, ``period``, ``customers``,
        ``active``, ``retention``, ``ci_low``, ``ci_high``, optionally ``complete``).
    min_customers : int, default 10

    Returns
    -------
    Series or None
        The table's row of that cell.
    """
    cells = table[table["period"] == 1]
    if "complete" in cells.columns:
        cells = cells[cells["complete"].astype(bool)]
    cells = cells[cells["customers"] > 0].sort_values("cohort")
    if cells.empty:
        return None
    large = cells[cells["customers"] >= min_customers]
    return (large if len(large) else cells).iloc[-1]


@dataclass
class ValueFit:
    """The churn-aware value model of a report, or why there is none.

    Attributes
    ----------
    model : CLVModel or None
        Fitted on the purchases up to ``calibration_end``.
    check : Evaluation or None
        The holdout check on the purchases after it.
    caveats : list of str
        :meth:`CLVModel.caveats` of the check, in the reader's words.
    reason : str or None
        Why there is no model (a study of one purchase day per customer, too few repeat buyers,
        a span too short to hold a period out, a fit that does not converge).
    calibration_end : Timestamp or None
    """

    model: CLVModel | None = None
    check: Evaluation | None = None
    caveats: list[str] = field(default_factory=list)
    reason: str | None = None
    calibration_end: pd.Timestamp | None = None


def fit_value(data: Any, *, holdout: float = 1 / 3, purchase_model: str = "bgnbd",
              purchase_events: Sequence[str] | None = None) -> ValueFit:
    """Fit the CLV model on all but the last ``holdout`` share of the purchase span and check it on the rest.

    Parameters
    ----------
    data : JourneyData or DataFrame
        A study or a transactions table (see :func:`jkit.clv.rfm_summary`).
    holdout : float, default 1/3
        Share of the span (first purchase day to the data end) held out for the check.
    purchase_model : {"bgnbd", "paretonbd"}
    purchase_events : sequence of str, optional
        The events that are purchases (default :data:`jkit._rules.PURCHASE_EVENTS`).

    Returns
    -------
    ValueFit
        With ``model`` and ``check``, or with ``reason`` when the data cannot carry the model
        (a :class:`~jkit.errors.DataValidationError` of the split or the fit, in words).
    """
    kw = {"purchase_events": list(purchase_events)} if purchase_events else {}
    try:
        end = holdout_split(data, holdout=holdout, **kw)
        model = CLVModel(purchase_model=purchase_model, **kw).fit(data, calibration_end=end)
    except DataValidationError as exc:
        return ValueFit(reason=str(exc))
    check = model.evaluate(data)
    return ValueFit(model, check, model.caveats(check), None, end)


def holdout_miss(caveats: Sequence[str]) -> str | None:
    """The caveat saying the model missed the holdout total (None when it did not)."""
    return next((c for c in caveats if HOLDOUT_MISS in c), None)


def check_holds(fit: ValueFit) -> bool:
    """Whether the holdout check lets the model's CLV be a headline.

    It does not when :meth:`CLVModel.caveats` says the model missed the holdout total, nor when
    the check could not be made: no calibration customer bought in the holdout, so the relative
    error is undefined and a model predicting any purchases cannot be told right or wrong.
    """
    if fit.model is None or holdout_miss(fit.caveats):
        return False
    if fit.check is None:
        return True  # no check asked for: nothing rejects the model
    return bool(np.isfinite(fit.check.total["relative_error"].iloc[0]))


def clv_headline(fit: ValueFit, by_persona: pd.DataFrame | None, *, interval: float = 0.9) -> str:
    """The churn-aware CLV per customer with its interval, as headline text.

    ``"27.25 (90% interval 25.10 – 29.40)"`` from the ``total`` row of ``by_persona``
    (:func:`value_by_persona`); :data:`SEE_HOLDOUT` when the holdout check rejects the model or
    could not be made (:func:`check_holds`); ``"n/a (see Customer value)"`` when there is no
    model, no spend model or no finite value.
    """
    if fit.model is None or by_persona is None:
        return "n/a (see Customer value)"
    if not check_holds(fit):
        return SEE_HOLDOUT
    total = by_persona[by_persona.iloc[:, 0] == "total"]
    if total.empty:
        return "n/a (see Customer value)"
    row = total.iloc[0]
    n = float(row["customers"])
    values = [float(row["clv"]), float(row["clv_low"]), float(row["clv_high"])]
    if n <= 0 or not all(np.isfinite(values)):
        return "n/a (see Customer value)"
    mean, low, high = (v / n for v in values)
    return f"{format_number(mean, 2)} ({format_percent(interval, 0)} interval {format_number(low, 2)} – " \
           f"{format_number(high, 2)})"


def value_by_persona(fit: ValueFit, horizon: float, discount_rate: float,
                     labels: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str | None]:
    """CLV over ``horizon`` summed per persona with its interval, and a ``total`` row; or why not.

    Parameters
    ----------
    fit : ValueFit
        From :func:`fit_value`.
    horizon : float
        In the model's time unit (weeks).
    discount_rate : float
        Per year.
    labels : DataFrame or None
        ``customer_id`` and ``persona`` (:func:`jkit.notebook.persona_labels`); None: one group,
        ``all customers``.

    Returns
    -------
    (DataFrame or None, str or None)
        :meth:`CLVModel.predict_clv` with ``by="persona"``, or None and the reason (no model, no
        spend model: amounts missing or not identified).
    """
    if fit.model is None:
        return None, fit.reason
    if fit.model.gamma_gamma_ is None:  # the fit's own note says why, in one sentence
        return None, next((n for n in fit.model.notes_ if n.startswith("no spend model")), "no spend model was fitted")
    if labels is None:
        index = fit.model.summary_.index
        labels = pd.DataFrame({"customer_id": index.astype(str), "persona": "all customers"})
    try:
        return fit.model.predict_clv(horizon, discount_rate, by="persona", customers=labels), None
    except DataValidationError as exc:
        return None, str(exc)
