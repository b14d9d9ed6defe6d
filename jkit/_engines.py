"""The one engine dispatcher: which engine runs an analysis, and loading it on first use.

Every analysis that has engines keeps a registry ``{engine name: "module:function"}`` in its own
package (``jkit.funnels.engines.ENGINES``, ``jkit.kpis.engines.ENGINES``…) and asks
:func:`choose` which one to use and :func:`load` for its function. One vocabulary
(:data:`ENGINE_NAMES`), one inference rule (a Spark DataFrame picks ``"spark"``, a path picks
``"duckdb"`` where the analysis has it, anything else ``"pandas"``), one set of messages. Modules
are imported only when their engine is used, so optional dependencies stay optional.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jkit._rules import column_list
from jkit.errors import MissingResourceError, ParameterError

__all__ = ["ENGINE_NAMES", "choose", "is_path_source", "is_spark_frame", "load", "spark_input"]

#: every engine jkit knows, in the order they are offered
ENGINE_NAMES = ("pandas", "duckdb", "spark")


def is_spark_frame(obj: Any) -> bool:
    """True for a ``pyspark.sql.DataFrame`` (classic or Spark Connect), without importing pyspark."""
    cls = type(obj)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")


def is_path_source(source: Any) -> bool:
    """True for a path, glob or non-empty list of paths (anything but a DataFrame)."""
    if isinstance(source, (str, Path)):
        return True
    return isinstance(source, (list, tuple)) and len(source) > 0 and all(isinstance(s, (str, Path)) for s in source)


def spark_input(data: Any) -> bool:
    """True when ``data`` is a Spark DataFrame, or a study whose events or feedback are."""
    if is_spark_frame(data):
        return True
    return any(is_spark_frame(getattr(data, name, None)) for name in ("events", "feedback"))


def choose(engine: str | None, data: Any, known: Mapping[str, Any] | tuple[str, ...], *, analysis: str) -> str:
    """The engine that runs ``analysis`` on ``data``.

    Parameters
    ----------
    engine : str or None
        The user's choice; None infers it from ``data``.
    data : object
        The input: a DataFrame, a path or paths, a Spark DataFrame, or a study.
    known : mapping or tuple
        The engines ``analysis`` has (its registry, or their names).
    analysis : str
        The analysis's name, for messages (``"funnel"``).

    Raises
    ------
    ParameterError
        For an engine jkit does not know, one the analysis does not have, or a non-Spark engine
        given Spark input.
    """
    names = tuple(known)
    if engine is not None and engine not in ENGINE_NAMES and engine not in names:  # names: registered engines too
        offered = list(dict.fromkeys([*ENGINE_NAMES, *names]))
        raise ParameterError(f"engine={engine!r} is not known; expected one of {column_list(offered)}")
    if engine is not None and engine not in names:
        raise _not_available(engine, names, analysis)
    on_spark = spark_input(data)
    if engine is None:
        if on_spark:
            engine = "spark"
        elif is_path_source(data) and "duckdb" in names:
            engine = "duckdb"
        else:
            engine = "pandas"
    if on_spark and engine != "spark":
        raise ParameterError(f"engine={engine!r} cannot read a Spark DataFrame (Spark DataFrames need "
                             "engine='spark', or leave it None)")
    if engine not in names:
        raise _not_available(engine, names, analysis)
    return engine


def _not_available(engine: str, names: tuple[str, ...], analysis: str) -> ParameterError:
    return ParameterError(f"{analysis}: engine={engine!r} is not available; {analysis} runs on {column_list(names)}")


def load(registry: Mapping[str, str | Callable[..., Any]], engine: str) -> Callable[..., Any]:
    """The function of ``engine`` in ``registry``, importing its ``"module:function"`` on first use.

    Raises MissingResourceError naming the package when the engine's dependency is not installed.
    """
    if engine not in registry:
        raise ParameterError(f"engine={engine!r} is not known; expected one of {column_list(registry)}")
    runner = registry[engine]
    if isinstance(runner, str):
        module, _, func = runner.partition(":")
        try:
            runner = getattr(importlib.import_module(module), func)
        except ImportError as exc:
            raise MissingResourceError(f"engine={engine!r} needs {exc.name!r}, which is not installed") from None
    return runner
