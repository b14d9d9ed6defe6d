"""The holdout check: predicted against actual purchases per customer, in total and by frequency.

Beside the model sits the run-rate baseline a spreadsheet would use: each customer's calibration
purchase rate (repeat purchases / age) times the horizon — it ignores that customers stop buying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jkit.clv.summary import holdout_counts, purchase_days, purchase_rows, to_day, unit_days
from jkit.errors import ParameterError

__all__ = ["Evaluation", "evaluate_holdout", "frequency_buckets", "model_caveats"]



@dataclass
class Evaluation:
    """The holdout check's tables.

    Attributes
    ----------
    per_customer : DataFrame
        Indexed by customer: ``frequency`` (calibration), ``actual``, ``predicted`` (the purchase model),
        ``baseline`` (run rate) purchases in the holdout.
    total : DataFrame
        One row per method (the purchase model, ``BG/NBD`` or ``Pareto/NBD``, and ``run rate``): ``customers``, ``actual``, ``predicted``,
        ``error`` (predicted − actual), ``relative_error``, ``mae`` and ``rmse`` per customer.
    by_frequency : DataFrame
        Per calibration-frequency bucket (``0`` … ``6``, ``7+``): ``customers``, and the mean
        ``actual``, ``predicted`` and ``baseline`` purchases per customer.
    horizon : float
        Holdout length in the model's time unit.
    new_customers : int
        Customers whose first purchase falls in the holdout (not predicted; their
        ``new_customer_purchases`` are left out of the comparison).
    """

    per_customer: pd.DataFrame
    total: pd.DataFrame
    by_frequency: pd.DataFrame
    horizon: float
    holdout_start: pd.Timestamp
    holdout_end: pd.Timestamp
    new_customers: int = 0
    new_customer_purchases: int = 0
    notes: list[str] = field(default_factory=list)


def frequency_buckets(frequency: pd.Series, top: int = 7) -> pd.Categorical:
    """``0``, ``1``, … ``top-1`` and ``top+`` as an ordered categorical."""
    names = [str(i) for i in range(top)] + [f"{top}+"]
    codes = np.minimum(frequency.to_numpy(int), top)
    return pd.Categorical.from_codes(codes, categories=names, ordered=True)


def _total(per: pd.DataFrame, model_name: str) -> pd.DataFrame:
    rows = []
    actual = per["actual"].to_numpy(float)
    for column, method in {"predicted": model_name, "baseline": "run rate"}.items():
        pred = per[column].to_numpy(float)
        err = pred - actual
        rows.append({"method": method, "customers": len(per), "actual": actual.sum(), "predicted": pred.sum(),
                     "error": err.sum(), "relative_error": err.sum() / actual.sum() if actual.sum() else np.nan,
                     "mae": np.abs(err).mean(), "rmse": float(np.sqrt((err**2).mean()))})
    return pd.DataFrame(rows)


def evaluate_holdout(model: Any, events_after: Any, observation_end: Any = None) -> Evaluation:
    """Compare a fitted CLVModel's predictions with the purchases after its calibration end."""
    frame, study_end = purchase_rows(events_after, model.customer_col, model.time_col, model.value_col,
                                     model.purchase_events, "event")
    days = purchase_days(frame)
    start = model.calibration_end_
    data_end = max([d for d in (days["day"].max() if len(days) else None,
                                study_end.floor("D") if study_end is not None else None) if d is not None],
                   default=start)
    end = data_end if observation_end is None else to_day(observation_end, "observation_end")
    if end <= start:
        raise ParameterError(f"no holdout: the events given end on {end.date()}, not after the calibration end "
                             f"{start.date()}")
    if end > data_end:
        raise ParameterError(f"observation_end={end.date()} is after the end of the events ({data_end.date()})")
    horizon = (end - start).days / unit_days(model.time_unit)
    hold = holdout_counts(days, start, end)
    summary = model.summary_
    per = pd.DataFrame({"frequency": summary["frequency"]})
    per["actual"] = hold["frequency_holdout"].reindex(summary.index).fillna(0).astype("int64")
    per["predicted"] = model.predict_purchases(horizon)
    T = summary["T"].to_numpy(float)
    per["baseline"] = np.where(T > 0, summary["frequency"].to_numpy(float) / np.where(T > 0, T, 1), 0.0) * horizon
    newcomers = hold.index.difference(summary.index)
    buckets = frequency_buckets(per["frequency"])
    by = per.groupby(buckets, observed=False).agg(customers=("actual", "size"), actual=("actual", "mean"),
                                                   predicted=("predicted", "mean"), baseline=("baseline", "mean"))
    by.index.name = "frequency"
    by = by[by["customers"] > 0]
    notes = [f"{len(newcomers):,} customers first bought in the holdout and are not compared"] if len(newcomers) else []
    if per["actual"].sum() == 0:
        notes.append("no calibration customer bought in the holdout: relative errors are undefined (NaN)")
    return Evaluation(per, _total(per, model.purchases_.model), by.reset_index(), horizon, start, end, int(len(newcomers)),
                      int(hold.loc[newcomers, "frequency_holdout"].sum()), notes)


def model_caveats(model: Any, evaluation: Evaluation | None = None, *, tolerance: float = 0.2,
                  max_correlation: float = 0.3) -> list[str]:
    """What a reader must know before trusting a fitted CLVModel, in words (empty when nothing).

    The holdout check missing the total by more than ``tolerance``, or not beating the run rate;
    spend correlated with frequency beyond ``max_correlation`` (Gamma-Gamma assumes independence);
    and the fit's own notes (limits reached, no spend model).
    """
    out: list[str] = []
    if evaluation is not None:
        row = evaluation.total.iloc[0]
        base = evaluation.total.iloc[1]
        if np.isfinite(row["relative_error"]) and abs(row["relative_error"]) > tolerance:
            out.append(f"the {row['method']} model missed the holdout purchases by {row['relative_error']:+.0%} "
                       f"(predicted {row['predicted']:,.0f}, actual {row['actual']:,.0f}): treat its forecasts and "
                       "CLV as indicative only")
        if row["mae"] >= base["mae"]:
            out.append(f"the {row['method']} model does not beat the run-rate baseline per customer "
                       f"(mean absolute error {row['mae']:.2f} against {base['mae']:.2f})")
    s = model.summary_
    repeat = (s["frequency"] > 0) & (s["monetary_value"] > 0)
    if repeat.sum() > 2:
        corr = float(np.corrcoef(s.loc[repeat, "frequency"], s.loc[repeat, "monetary_value"])[0, 1])
        if np.isfinite(corr) and abs(corr) > max_correlation:
            out.append(f"spend and purchase frequency are correlated (r = {corr:+.2f} over {int(repeat.sum()):,} repeat "
                       "buyers); the Gamma-Gamma spend model assumes they are not")
    return out + list(model.notes_)
