"""Journey KPIs, each with its definition, a confidence interval and the counts behind it.

- :mod:`jkit.kpis.measures`: the KPI functions on pandas tables (conversion, churn, repeat
  purchase, AOV, NPS, CSAT, CES, CLV, revenue per customer);
- :mod:`jkit.kpis.table`: :func:`kpi_table`, every KPI of a study in one table, on any engine;
- :mod:`jkit.kpis.aggregates`: the engine interface, and aggregates turned into KPIs with intervals;
- :mod:`jkit.kpis.rows`: the table's columns, units and definitions;
- :mod:`jkit.kpis.conversions`: which events count as a conversion;
- :mod:`jkit.kpis.engines`: the pandas and Spark engines;
- :mod:`jkit.kpis.retention`: :func:`retention`, cohorts and the share still active k periods on;
- :mod:`jkit.kpis.lifecycle`: :func:`lifecycle`, new, returning, resurrecting and dormant customers;
- :mod:`jkit.kpis.activity`: the customers' activity per period both read.
"""

from __future__ import annotations

from jkit.kpis.conversions import CONVERSION_STAGE_NAMES as CONVERSION_STAGE_NAMES
from jkit.kpis.conversions import PURCHASE_EVENTS, default_conversion_events, parse_events
from jkit.kpis.lifecycle import lifecycle
from jkit.kpis.measures import (
    average_order_value,
    ces,
    churn_rate,
    clv,
    clv_formula,
    conversion_rate,
    csat,
    historical_revenue_per_customer,
    nps,
    repeat_purchase_rate,
)
from jkit.kpis.retention import retention, retention_curve
from jkit.kpis.rows import KPI_COLUMNS as KPI_COLUMNS  # importable as before, not in __all__
from jkit.kpis.rows import REVENUE_KPIS
from jkit.kpis.rows import kpi_rows as kpi_rows
from jkit.kpis.table import kpi_table

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
    "retention",
    "retention_curve",
    "lifecycle",
]
