"""The engines of the persona feature table: ``{engine name: "module:function"}``.

Each engine computes :func:`jkit.personas.customer_features` with the same parameters (without
``engine``) and returns the same pandas table, built with :mod:`jkit.personas.feature_table`;
:func:`jkit._engines.choose` picks one and :func:`jkit._engines.load` imports it on first use, so
pyspark is imported only when Spark is used. Adding an engine is a module here and a line below.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

ENGINES = {
    "pandas": "jkit.personas.engines.pandas:customer_features",
    "spark": "jkit.personas.engines.spark:customer_features",
}
