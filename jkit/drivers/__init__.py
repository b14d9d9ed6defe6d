"""Drivers of conversion: what the customers who go on to the next step did, used, are and wrote,
against those who do not — odds ratios with intervals, Fisher p-values and Benjamini–Hochberg
q-values, ranked, with the counts behind every row and a reading in plain words.

These are associations, not effects (see ``docs/drivers.md``).

Layout
------
:mod:`~jkit.drivers.api` (:func:`conversion_drivers`, :func:`theme_dropoff`),
:mod:`~jkit.drivers.cohort` (who is compared and over which span of time),
:mod:`~jkit.drivers.features` (the candidate drivers of each customer),
:mod:`~jkit.drivers.contingency` (odds ratio with PostHog's prior, Wald interval, Fisher, BH).
"""

from __future__ import annotations

from jkit.drivers.api import DRIVER_COLUMNS, DROPOFF_COLUMNS, FEATURES, conversion_drivers, reading, theme_dropoff
from jkit.drivers.cohort import Cohort, step_cohort
from jkit.drivers.contingency import PRIOR, bh_q_values, fisher_p_values, odds_ratios, table_stats

__all__ = [
    "conversion_drivers",
    "theme_dropoff",
    "reading",
    "FEATURES",
    "DRIVER_COLUMNS",
    "DROPOFF_COLUMNS",
    "Cohort",
    "step_cohort",
    "PRIOR",
    "odds_ratios",
    "fisher_p_values",
    "bh_q_values",
    "table_stats",
]
