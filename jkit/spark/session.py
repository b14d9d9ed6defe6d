"""The Spark session: the active one, or a local one with jkit's settings (pyspark imported only here, lazily)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jkit._engines import is_spark_frame
from jkit.errors import MissingResourceError, ParameterError

__all__ = ["DEFAULT_CONFIG", "get_spark", "spark_of"]

#: Settings of the local session :func:`get_spark` creates (a user's own session is left as it is).
DEFAULT_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingResourceError(
            "engine='spark' needs PySpark, which is not installed; install it with "
            "`pip install 'jkit[spark]'` (or `pip install pyspark`)"
        ) from None
    return SparkSession


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def get_spark(master: str | None = None, app_name: str = "jkit", *, config: Mapping[str, str] | None = None):
    """The active SparkSession, or a new local one.

    Parameters
    ----------
    master : str, optional
        Spark master URL (``"local[2]"``, ``"spark://host:7077"``, ``"yarn"``…). ``None`` reuses
        the active session when there is one (a Databricks or EMR notebook, ``spark-submit``),
        else starts ``local[*]``.
    app_name : str, default "jkit"
        Name of a new session.
    config : mapping, optional
        Settings for a new session, over :data:`DEFAULT_CONFIG` (Spark UI off, driver on
        127.0.0.1, 8 shuffle partitions, Arrow on, session time zone UTC, no progress bars,
        log level ERROR).

    Returns
    -------
    pyspark.sql.SparkSession

    Examples
    --------
    >>> spark = get_spark("local[2]", config={"spark.sql.shuffle.partitions": "4"})   # doctest: +SKIP
    """
    SparkSession = _require_pyspark()
    if master is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    if not isinstance(master, (str, type(None))) or master == "":
        raise ParameterError(f"master={master!r} should be a Spark master URL such as 'local[2]' or None")
    url = master or "local[*]"
    if url.startswith("local") and not _java_found():
        raise MissingResourceError(
            "Spark needs Java (11 or later), which was not found (no JAVA_HOME, no `java` on PATH); "
            "install it, e.g. `apt-get install openjdk-17-jre-headless` (the Makefile's `java` target does)"
        )
    if url.startswith("local"):
        # local executors run Python workers: make them use this interpreter (and its packages)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(url).appName(app_name)
    for key, value in {**DEFAULT_CONFIG, **dict(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def spark_of(frame: Any = None):
    """The session of a Spark DataFrame, else :func:`get_spark`."""
    if frame is not None and is_spark_frame(frame):
        return frame.sparkSession
    return get_spark()


