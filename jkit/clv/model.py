"""``CLVModel``: churn-aware customer value from transactions (BG/NBD purchases × Gamma-Gamma spend).

Fit on a calibration period, the model predicts each customer's purchases in a horizon after it,
the probability they are still active, and the discounted value of their future purchases; the
holdout check (:meth:`CLVModel.evaluate`) compares predictions with what customers then did.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS
from jkit.clv import bgnbd, gamma_gamma, paretonbd
from jkit.clv.evaluation import Evaluation, evaluate_holdout, model_caveats
from jkit.clv.mle import Fit
from jkit.clv.summary import SUMMARY_COLUMNS, rfm_summary, unit_days
from jkit.clv.value import clv_by_group, discounted_value
from jkit.errors import DataValidationError, JkitWarning, NotFittedError, ParameterError

__all__ = ["CLVModel", "PURCHASE_MODELS"]

#: purchase models by name: modules with fit, p_alive, alive_purchases, expected_purchases
PURCHASE_MODELS = {"bgnbd": bgnbd, "paretonbd": paretonbd}


class CLVModel:
    """Churn-aware customer lifetime value: a BG/NBD purchase model and a Gamma-Gamma spend model.

    Parameters
    ----------
    purchase_model : {"bgnbd", "paretonbd"}, default "bgnbd"
        BG/NBD (drop-out only right after a purchase) or Pareto/NBD (drop-out at any time;
        parameters ``r``, ``alpha``, ``s``, ``beta``).
    time_unit : {"W", "D", "M", "Y"}, default "W"
        Unit of recency, age and every horizon.
    purchase_events : list of str, default ("purchase", "repeat_purchase")
        Events of a JourneyData (or an events table with an ``event`` column) that count as purchases.
    customer_col, time_col, value_col : str
        Column names of the events or transactions.
    min_repeat_buyers : int, default 10
        Fewer customers with a repeat purchase (or, for the spend model, with a positive mean
        repeat spend) and the fit is refused: the model would not be identified.
    seed : int, default 0
        Seed of the parameter draws behind the intervals.

    Attributes
    ----------
    summary_ : DataFrame
        The calibration summary (:func:`jkit.clv.rfm_summary`).
    purchases_ : Fit
        The fitted purchase model (``bgnbd_`` is the same object when it is BG/NBD).
    params_ : DataFrame
        Indexed by parameter (``r``, ``alpha``, ``a``, ``b`` — or ``s``, ``beta`` —, ``p``, ``q``, ``v``): ``model``,
        ``value``, ``se`` (from the Hessian of the log-likelihood), ``low``/``high`` (95%).
    excluded_ : dict of str to int
        Customers left out of the spend fit and why (``no_repeat_purchase``,
        ``zero_or_negative_spend``, ``no_recorded_spend``); they get the population mean spend.
    calibration_end_ : Timestamp
    notes_ : list of str
        What a reader should know (singular Hessian, no spend model for want of amounts).

    Examples
    --------
    >>> model = CLVModel().fit(data, calibration_end="2024-06-30")      # doctest: +SKIP
    >>> model.evaluate(data).total                                      # doctest: +SKIP
    >>> model.predict_clv(52, discount_rate=0.1, by="persona", customers=labels)  # doctest: +SKIP
    """

    def __init__(self, *, purchase_model: str = "bgnbd", time_unit: str = "W", purchase_events: Sequence[str] = PURCHASE_EVENTS,
                 customer_col: str = "customer_id", time_col: str = "timestamp", value_col: str = "revenue",
                 min_repeat_buyers: int = 10, seed: int = 0) -> None:
        unit_days(time_unit)
        if purchase_model not in PURCHASE_MODELS:
            raise ParameterError(f"purchase_model={purchase_model!r} should be one of {', '.join(map(repr, PURCHASE_MODELS))}")
        self.purchase_model = purchase_model
        if not isinstance(min_repeat_buyers, int) or min_repeat_buyers < 2:
            raise ParameterError(f"min_repeat_buyers={min_repeat_buyers!r} should be a whole number of at least 2")
        self.time_unit = time_unit
        self.purchase_events = tuple(purchase_events)
        self.customer_col, self.time_col, self.value_col = customer_col, time_col, value_col
        self.min_repeat_buyers = min_repeat_buyers
        self.seed = seed

    # ------------------------------------------------------------------ fitting

    def fit(self, data_or_events: Any, *, calibration_end: Any = None) -> CLVModel:
        """Fit both models on the purchases up to ``calibration_end``.

        Parameters
        ----------
        data_or_events : JourneyData, DataFrame
            A study, a transactions/events table (see :func:`jkit.clv.rfm_summary`), or a
            summary already made (columns ``frequency``, ``recency``, ``T``, ``monetary_value``,
            indexed by customer).
        calibration_end : date, optional
            Last day of the calibration period; default the end of the data.

        Returns
        -------
        CLVModel
            ``self``, fitted.

        Raises
        ------
        DataValidationError
            When every customer bought on one day only, too few bought again, or a fit does not
            converge (the message names the model).
        """
        self.customers_ = getattr(data_or_events, "customers", None)
        if isinstance(data_or_events, pd.DataFrame) and set(SUMMARY_COLUMNS) <= set(data_or_events.columns):
            summary = data_or_events[SUMMARY_COLUMNS].copy()
            summary.attrs = dict(data_or_events.attrs)
        else:
            summary = rfm_summary(data_or_events, customer_col=self.customer_col, time_col=self.time_col,
                                  value_col=self.value_col, calibration_end=calibration_end,
                                  time_unit=self.time_unit, purchase_events=self.purchase_events)
        self.summary_ = summary
        self.calibration_end_ = summary.attrs.get("calibration_end")
        self.notes_: list[str] = []
        self.purchase_module_ = PURCHASE_MODELS[self.purchase_model]
        self.purchases_ = self._fit_purchases(summary)
        if self.purchase_model == "bgnbd":
            self.bgnbd_ = self.purchases_
        self.gamma_gamma_ = self._fit_spend(summary)
        tables = [self.purchases_.table()] + ([self.gamma_gamma_.table()] if self.gamma_gamma_ is not None else [])
        self.params_ = pd.concat(tables, ignore_index=True).set_index("parameter")
        self.notes_ += self.purchases_.notes + (self.gamma_gamma_.notes if self.gamma_gamma_ is not None else [])
        return self

    def _fit_purchases(self, summary: pd.DataFrame) -> Fit:
        x = summary["frequency"].to_numpy(float)
        repeaters = int((x > 0).sum())
        if repeaters == 0:
            raise DataValidationError(
                f"every one of the {len(x):,} customers bought on one day only (frequency 0): the "
                f"{self.purchase_model} purchase model is not identified without repeat purchases (a longer calibration period may help)")
        if repeaters < self.min_repeat_buyers:
            raise DataValidationError(
                f"only {repeaters} of {len(x):,} customers bought again before the calibration end; the "
                f"{self.purchase_model} fit needs at least min_repeat_buyers={self.min_repeat_buyers}")
        return self.purchase_module_.fit(x, summary["recency"].to_numpy(float), summary["T"].to_numpy(float))

    def _fit_spend(self, summary: pd.DataFrame) -> Fit | None:
        x = summary["frequency"].to_numpy(float)
        m = summary["monetary_value"].to_numpy(float)
        repeat = x > 0
        self.excluded_ = {"no_repeat_purchase": int((~repeat).sum()),
                          "zero_or_negative_spend": int((repeat & (m <= 0)).sum()),
                          "no_recorded_spend": int((repeat & np.isnan(m)).sum())}
        usable = repeat & (m > 0)
        if int(usable.sum()) < self.min_repeat_buyers:
            self.notes_.append(
                f"no spend model: {int(usable.sum())} customers have a positive mean repeat spend (need "
                f"{self.min_repeat_buyers}); predict_clv is not available, purchases and p_alive are")
            return None
        try:
            fit = gamma_gamma.fit(x[usable], m[usable])
        except DataValidationError as exc:  # e.g. one price for everyone: the purchase model still stands
            self.notes_.append(f"no spend model: {exc}; predict_clv is not available, purchases and p_alive are")
            return None
        if fit.params["q"] <= 1:
            self.notes_.append(f"no spend model: the Gamma-Gamma fit gave q = {fit.params['q']:.3g} ≤ 1, an infinite "
                               "expected spend (a few huge spends dominate); cap or check the amounts")
            return None
        return fit

    def _check(self) -> None:
        if not hasattr(self, "purchases_"):
            raise NotFittedError("this CLVModel is not fitted yet: call fit(data) first")

    def _horizon(self, horizon: Any) -> float:
        value = _horizon(horizon)
        watched = float(self.summary_["T"].max())
        if value > 2 * watched:
            warnings.warn(f"a horizon of {value:g} {self.time_unit} is more than twice the longest calibration history "
                          f"({watched:.3g} {self.time_unit}): the forecast extrapolates far beyond the data",
                          JkitWarning, stacklevel=3)
        return value

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self.summary_
        return s["frequency"].to_numpy(float), s["recency"].to_numpy(float), s["T"].to_numpy(float)

    # ------------------------------------------------------------------ predictions

    def predict_purchases(self, horizon: float) -> pd.Series:
        """Expected purchases of each customer in the ``horizon`` time units after the calibration end.

        Returns
        -------
        Series
            Indexed by customer, named ``expected_purchases``.
        """
        self._check()
        horizon = self._horizon(horizon)
        values = self.purchase_module_.expected_purchases(self.purchases_.values, horizon, *self._arrays())
        return pd.Series(values, index=self.summary_.index, name="expected_purchases")

    def p_alive(self) -> pd.Series:
        """Probability that each customer is still active at the calibration end (1 without a repeat purchase)."""
        self._check()
        return pd.Series(self.purchase_module_.p_alive(self.purchases_.values, *self._arrays()), index=self.summary_.index,
                         name="p_alive")

    def expected_spend(self) -> pd.Series:
        """Expected value of each customer's future purchases (Gamma-Gamma; the population mean for the excluded)."""
        self._check()
        if self.gamma_gamma_ is None:
            raise DataValidationError("no spend model was fitted: " + "; ".join(self.notes_))
        x = self.summary_["frequency"].to_numpy(float)
        m = self.summary_["monetary_value"].to_numpy(float)
        usable = (x > 0) & (m > 0)
        values = gamma_gamma.expected_spend(self.gamma_gamma_.values, np.where(usable, x, 0), m)
        return pd.Series(values, index=self.summary_.index, name="expected_spend")

    def predict_clv(self, horizon: float, discount_rate: float = 0.0, *, by: Any = None,
                    customers: pd.DataFrame | None = None, steps: int | None = None,
                    interval: float = 0.9, draws: int = 100) -> pd.DataFrame:
        """Discounted value of each customer's purchases in the ``horizon`` after the calibration end.

        ``CLV = Σ_k (E[Y(t_k)] − E[Y(t_{k-1})]) × E[spend] / (1 + discount_rate)^(t_k in years)``
        over ``steps`` equal steps of the horizon (default: one per month, at least one).

        Parameters
        ----------
        horizon : float
            In the model's time unit (52 = one year in weeks).
        discount_rate : float, default 0
            Annual discount rate (0.1 = 10% a year).
        by : str, Series or list of str, optional
            Sum per group: a column of ``customers`` (default the fitted study's customers
            table) or of the summary, or a Series of labels indexed by customer id. Customers
            without a label are the group ``"(no label)"``.
        customers : DataFrame, optional
            A table with ``customer_id`` (column or index) and the ``by`` column(s).
        interval : float, default 0.9
            Coverage of the group intervals, from ``draws`` parameter draws of the models'
            asymptotic normal (parameter uncertainty, not customer-level chance).

        Returns
        -------
        DataFrame
            Without ``by``: per customer ``frequency``, ``recency``, ``T``, ``p_alive``,
            ``expected_purchases``, ``expected_spend``, ``clv``. With ``by``: per group
            ``customers``, ``clv`` (the sum), ``clv_low``, ``clv_high``, ``clv_per_customer``,
            then a ``total`` row.
        """
        spend = self.expected_spend()
        horizon = self._horizon(horizon)
        if discount_rate is None or not np.isfinite(discount_rate) or discount_rate <= -1:
            raise ParameterError(f"discount_rate={discount_rate!r} should be a yearly rate above -1 (0.1 = 10%)")
        unit = unit_days(self.time_unit)
        steps = steps or max(1, int(np.ceil(horizon * unit / (365.25 / 12))))
        x, t_x, T = self._arrays()
        purchases = discounted_value(self.purchase_module_, self.purchases_.values, x, t_x, T, horizon, steps,
                                     discount_rate, unit)
        clv = purchases * spend.to_numpy()
        if by is None:
            out = self.summary_[["frequency", "recency", "T"]].copy()
            out["p_alive"] = self.p_alive()
            out["expected_purchases"] = self.predict_purchases(horizon)
            out["expected_spend"] = spend
            out["clv"] = clv
            return out
        rng = np.random.default_rng(self.seed)
        return clv_by_group(self, by, customers, clv, (x, t_x, T, horizon, steps, discount_rate, unit),
                            interval, draws, rng)

    # ------------------------------------------------------------------ holdout check

    def evaluate(self, events_after: Any, *, observation_end: Any = None) -> Evaluation:
        """Predicted against actual purchases in the holdout after the calibration end.

        Parameters
        ----------
        events_after : JourneyData or DataFrame
            Purchases after the calibration end (earlier ones are ignored, so the whole study may
            be given), read with the columns the model was fitted with.
        observation_end : date, optional
            Last day of the holdout; default the end of ``events_after``.

        Returns
        -------
        Evaluation
            ``per_customer``, ``total`` and ``by_frequency`` tables (model and run-rate baseline).
        """
        self._check()
        if self.calibration_end_ is None:
            raise ParameterError("evaluate needs the calibration end: fit the model on transactions, not a summary")
        return evaluate_holdout(self, events_after, observation_end)

    def caveats(self, evaluation: Evaluation | None = None, *, tolerance: float = 0.2) -> list[str]:
        """What a reader must know before trusting this model, as sentences (empty when nothing).

        A holdout miss beyond ``tolerance`` (with ``evaluation``, from :meth:`evaluate`), a model
        that does not beat the run rate, spend correlated with frequency (|r| > 0.3), and the
        fit's ``notes_``. A report shows them under the CLV table, and does not headline the CLV
        when the holdout check fails.
        """
        self._check()
        return model_caveats(self, evaluation, tolerance=tolerance)


def _horizon(horizon: Any) -> float:
    try:
        value = float(horizon)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"horizon={horizon!r} should be a positive number of time units") from exc
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"horizon={horizon!r} should be a positive number of time units")
    return value
