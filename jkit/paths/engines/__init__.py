"""The paths engines: their registry (engine name -> ``"module:function"``, imported on first use).

Each engine is a module of this folder with ``run(source, request) -> DataFrame`` (see
:mod:`jkit.paths.spec`); :func:`jkit._engines.choose` picks one and :func:`jkit._engines.load`
imports it, so DuckDB and PySpark stay optional.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

__all__ = ["ENGINES"]

#: engine name -> "module:function" (imported on first use) or a callable
ENGINES: dict[str, str | Callable[..., pd.DataFrame]] = {
    "pandas": "jkit.paths.engines.pandas:run",
    "duckdb": "jkit.paths.engines.duckdb:run",
    "spark": "jkit.paths.engines.spark:run",
}
