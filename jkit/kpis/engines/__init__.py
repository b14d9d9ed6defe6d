"""The KPI engines: each reads a study and gives the per-group aggregates of :mod:`jkit.kpis.aggregates`.

:data:`ENGINES` maps an engine name to the ``"module:class"`` of its
:class:`~jkit.kpis.aggregates.KPISource`, loaded on first use by :func:`jkit._engines.load`
(so pyspark is imported only when Spark is used). Adding an engine is adding a module here and
a line to :data:`ENGINES`.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

#: engine name -> the KPISource class that reads a study on it
ENGINES = {
    "pandas": "jkit.kpis.engines.pandas:PandasKPIs",
    "spark": "jkit.kpis.engines.spark:SparkKPIs",
}
