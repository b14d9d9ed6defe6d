"""The funnel's engines: their registry (engine name -> ``"module:function"``, imported on first use).

Each engine is a module of this folder with ``run(source, spec) -> EngineResult`` (see
:mod:`jkit.funnels.spec`); :func:`jkit._engines.choose` picks one and :func:`jkit._engines.load`
imports it, so optional dependencies (DuckDB, PySpark) stay optional.
"""

from __future__ import annotations

from collections.abc import Callable

from jkit.funnels.spec import EngineResult

__all__ = ["ENGINES", "register_engine"]

#: engine name -> "module:function" (imported on first use) or a callable
ENGINES: dict[str, str | Callable[..., EngineResult]] = {
    "pandas": "jkit.funnels.engines.pandas:run",
    "duckdb": "jkit.funnels.engines.duckdb:run",
    "spark": "jkit.funnels.engines.spark:run",
}


def register_engine(name: str, runner: str | Callable[..., EngineResult]) -> None:
    """Make ``runner`` the engine ``name`` of :func:`jkit.funnels.funnel` (added to :data:`ENGINES`).

    ``runner`` is ``run(source, spec) -> EngineResult`` or a ``"module:function"`` string; ``name``
    is one of jkit's engine names (:data:`jkit._engines.ENGINE_NAMES`), the one vocabulary
    :func:`jkit._engines.choose` accepts.
    """
    ENGINES[name] = runner
