"""Churn-aware customer value: who is still buying, how much they will buy, and what it is worth.

- :func:`rfm_summary`: per customer repeat purchase days, recency, age and mean spend (``summary``);
  :func:`holdout_split`: the calibration end leaving a share of the span for the holdout check;
- :class:`CLVModel`: a BG/NBD purchase model (``bgnbd``; or Pareto/NBD, ``paretonbd``) and a Gamma-Gamma spend model
  (``gamma_gamma``) fitted by maximum likelihood on scipy (``mle``), with predicted purchases,
  ``p_alive``, discounted CLV by any customer attribute with intervals (``value``) and the
  holdout check against a run-rate baseline (``evaluation``);
- ``simulate``: populations drawn from the models (planted truth for tests and benchmarks).

See docs/clv.md for the models, their assumptions and when they do not fit.
"""

from jkit.clv.evaluation import Evaluation
from jkit.clv.model import CLVModel
from jkit.clv.simulate import simulate_customers, simulate_transactions
from jkit.clv.summary import holdout_split, rfm_summary

__all__ = ["CLVModel", "Evaluation", "holdout_split", "rfm_summary", "simulate_customers", "simulate_transactions"]
