"""Small helpers shared by the Spark modules: quiet pyspark calls, jkit errors out of executors, time columns."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

from jkit.errors import DataValidationError, JkitError, MissingResourceError, ParameterError

_ERRORS = {"ParameterError": ParameterError, "DataValidationError": DataValidationError,
           "MissingResourceError": MissingResourceError}
_RAISED = re.compile(r"jkit\.errors\.(ParameterError|DataValidationError|MissingResourceError): (.*)")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence PySpark's notice that it does not yet fully support pandas 3 (jkit's Spark code is tested with it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
        yield


@contextlib.contextmanager
def executor_errors() -> Iterator[None]:
    """Re-raise a jkit error raised inside a Spark executor as the same jkit error on the driver."""
    try:
        with quiet():
            yield
    except JkitError:
        raise
    except Exception as exc:  # pyspark wraps worker exceptions in its own classes
        found = _RAISED.search(str(exc))
        if found is None:
            raise
        raise _ERRORS[found.group(1)](found.group(2).strip()) from None


def micros_expr(frame, column: str, where: str):
    """A Spark expression giving ``column`` as microseconds since the epoch (UTC), or None for text.

    Timestamps are instants; ``TIMESTAMP_NTZ`` and dates are taken as UTC wall-clock times (as
    the pandas engine takes naive times); text is left to the executors, which parse it with
    the same code as the pandas engine. Numbers raise a ParameterError.
    """
    from pyspark.sql import functions as F

    kind = dict(frame.dtypes)[column]
    col = F.col(column)
    if kind == "timestamp":
        return F.unix_micros(col)
    if kind == "timestamp_ntz":
        return F.expr(f"timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', `{column}`)")
    if kind == "date":
        return F.unix_date(col).cast("long") * F.lit(86_400_000_000)
    if kind == "string":
        return None
    raise ParameterError(
        f"{where}: column {column!r} holds {kind} values, not times; store times as timestamps or ISO 8601 text"
    )
