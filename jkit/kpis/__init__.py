"""Journey KPIs (moving to one package: see :mod:`jkit.kpis.measures`)."""

from __future__ import annotations

from jkit.kpis.measures import *  # noqa: F403
from jkit.kpis.measures import CONVERSION_STAGE_NAMES, KPI_COLUMNS, __all__, kpi_rows  # noqa: F401
