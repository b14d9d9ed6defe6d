"""jkit's exceptions and warnings: one small, flat hierarchy.

Every message names what was wrong and, where there is one, the fix:
``feedback.csv: column 'nps' rows 17, 243: value 11 is outside 0–10``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "JkitError",
    "DataValidationError",
    "ParameterError",
    "MissingResourceError",
    "NotFittedError",
    "ReportError",
    "ReportSkipped",
    "JkitWarning",
    "MissingColumnError",
    "ResourceLimitError",
    "format_rows",
]


class JkitError(Exception):
    """Raised for any error jkit itself detects; the base of the others."""


class DataValidationError(JkitError, ValueError):
    """Raised when input data breaks the data contract (file, column, rows, expected)."""


class ParameterError(JkitError, ValueError):
    """Raised when a function or notebook parameter is unknown, of a wrong type or out of range."""


class MissingColumnError(DataValidationError, ParameterError):
    """Raised when a table lacks a column an analysis needs (the message names it and those found).

    A data error and a parameter error at once: the table may lack it, or the column argument
    may name the wrong one.
    """


class MissingResourceError(JkitError, FileNotFoundError):
    """Raised when a file, lexicon, kernel or other resource jkit needs is not installed or found."""


class NotFittedError(JkitError, AttributeError):
    """Raised when a model is used before ``fit``."""


class ResourceLimitError(JkitError, MemoryError):
    """Raised when a query needs more memory or temporary disk than jkit lets it use (the message says how to allow more)."""


class ReportError(JkitError, RuntimeError):
    """Raised when rendering one or more reports failed."""


class ReportSkipped(JkitError):
    """Raised in a report notebook when the study lacks what the report needs.

    The message is the reason in a reader's words ("needs feedback text"); ``jkit run`` marks the
    report *skipped* with it instead of failed (see :func:`jkit.notebook.require`).
    """


class JkitWarning(UserWarning):
    """Warned when input is degraded but usable (rows set aside, a weak result)."""


def format_rows(rows: Iterable[Any], limit: int = 5) -> str:
    """Format the first ``limit`` row labels: ``'rows 17, 243 (+3 more)'``.

    Row labels are shown 1-based as a spreadsheet or text editor shows data lines
    (the header is line 1, so the first data row is row 2 in an editor); jkit
    reports the 1-based *data* row number, i.e. the pandas position + 1.
    """
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {shown}{more}"


def describe_values(values: Sequence[Any], limit: int = 3) -> str:
    """Format the first few distinct offending values for a message."""
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
        if len(seen) >= limit:
            break
    return ", ".join(repr(v) for v in seen)
