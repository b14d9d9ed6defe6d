"""The data contract: the columns of the three tables, type coercion and validation.

Three tables — ``customers``, ``events``, ``feedback`` — described by :data:`TABLES`. Each
column is coerced to its type; a value that cannot be coerced, or is out of range, is a
problem. ``validate_table`` either raises a :class:`~jkit.errors.DataValidationError` that
names the file, column, first bad rows and what was expected, or (``lenient=True``) sets the
rows aside and records them in a :class:`ValidationReport`. Rows are never dropped silently.

Row numbers in messages are 1-based data rows (the first row after a CSV header is row 1).

Timestamps are normalized to UTC by :func:`parse_timestamps`; see its docstring for the rule.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, describe_values, format_rows

__all__ = [
    "ColumnSpec",
    "TABLES",
    "ValidationIssue",
    "ValidationReport",
    "parse_timestamps",
    "validate_table",
]

Kind = Literal["id", "timestamp", "text", "category", "number", "integer"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract."""

    name: str
    kind: Kind
    required: bool = False
    nullable: bool = True
    low: float | None = None
    high: float | None = None
    description: str = ""

    @property
    def expected(self) -> str:
        """What the column accepts, in words, for messages and docs."""
        words = {
            "id": "a non-empty identifier",
            "timestamp": "a date/time (ISO 8601, epoch seconds or milliseconds)",
            "text": "non-empty text",
            "category": "a label",
            "number": "a number",
            "integer": "a whole number",
        }[self.kind]
        if self.low is not None and self.high is not None:
            words += f" from {self.low:g} to {self.high:g}"
        elif self.low is not None:
            words += f" of at least {self.low:g}"
        return words


TABLES: dict[str, tuple[ColumnSpec, ...]] = {
    "customers": (
        ColumnSpec("customer_id", "id", required=True, nullable=False, description="unique customer id"),
        ColumnSpec("signup_date", "timestamp", required=True, nullable=False, description="when the customer signed up"),
        ColumnSpec("age", "number", low=0, high=120, description="age in years"),
        ColumnSpec("gender", "category"),
        ColumnSpec("income", "number", low=0, description="annual income"),
        ColumnSpec("education", "category"),
        ColumnSpec("region", "category"),
        ColumnSpec("job_title", "category"),
        ColumnSpec("acquisition_channel", "category", description="channel that brought the customer"),
    ),
    "events": (
        ColumnSpec("customer_id", "id", required=True, nullable=False),
        ColumnSpec("timestamp", "timestamp", required=True, nullable=False),
        ColumnSpec("event", "category", required=True, nullable=False, description="event name, known to the stage model"),
        ColumnSpec("touchpoint", "category", required=True, nullable=False, description="web, mobile_app, email, store, social, support, …"),
        ColumnSpec("revenue", "number", description="revenue of the event (purchases)"),
        ColumnSpec("session_id", "id"),
    ),
    "feedback": (
        ColumnSpec("feedback_id", "id", required=True, nullable=False, description="unique feedback id"),
        ColumnSpec("customer_id", "id", description="author, when known"),
        ColumnSpec("timestamp", "timestamp", required=True, nullable=False),
        ColumnSpec("text", "text", required=True, nullable=False, description="what the customer wrote"),
        ColumnSpec("source", "category", required=True, nullable=False, description="survey, review, support_ticket, social, …"),
        ColumnSpec("touchpoint", "category"),
        ColumnSpec("stage", "category", description="journey stage, known to the stage model"),
        ColumnSpec("nps", "integer", low=0, high=10, description="likelihood to recommend, 0–10"),
        ColumnSpec("csat", "integer", low=1, high=5, description="satisfaction, 1–5"),
        ColumnSpec("ces", "integer", low=1, high=7, description="customer effort, 1–7"),
    ),
}

UNIQUE_KEYS = {"customers": "customer_id", "feedback": "feedback_id"}


@dataclass(frozen=True)
class ValidationIssue:
    """Rows of one table that broke one rule."""

    table: str
    source: str
    column: str
    rows: tuple[int, ...]
    reason: str

    @property
    def count(self) -> int:
        return len(self.rows)

    def message(self) -> str:
        return f"{self.source}: column {self.column!r} {format_rows(self.rows)}: {self.reason}"


@dataclass
class ValidationReport:
    """Every row set aside during lenient loading, and why."""

    issues: list[ValidationIssue] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_kept: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def rows_set_aside(self) -> dict[str, int]:
        return {t: self.rows_read[t] - self.rows_kept.get(t, 0) for t in self.rows_read}

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: table, source, column, rows_set_aside, first_rows, reason."""
        return pd.DataFrame(
            [
                {
                    "table": i.table,
                    "source": i.source,
                    "column": i.column,
                    "rows_set_aside": i.count,
                    "first_rows": ", ".join(map(str, i.rows[:5])),
                    "reason": i.reason,
                }
                for i in self.issues
            ],
            columns=["table", "source", "column", "rows_set_aside", "first_rows", "reason"],
        )

    def __str__(self) -> str:
        if self.ok:
            return "validation: no rows set aside"
        lines = [f"validation: set aside {sum(self.rows_set_aside.values())} rows"]
        lines += [f"  - {i.message()}" for i in self.issues]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if self.ok:
            return "<p>Validation: no rows set aside.</p>"
        return "<p><b>Validation report</b></p>" + self.to_frame().to_html(index=False, escape=True)


# --------------------------------------------------------------------------- timestamps

_ZONE_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?|\s*UTC|\s*GMT)$", re.IGNORECASE)
_NUMERIC = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def _epoch_to_utc(values: pd.Series) -> pd.Series:
    """Epoch numbers to UTC; the unit is chosen per value by magnitude."""
    v = values.astype("float64")
    mag = v.abs()
    nanos = np.where(mag < 1e11, v * 1e9, np.where(mag < 1e14, v * 1e6, np.where(mag < 1e17, v * 1e3, v)))
    out = pd.to_datetime(pd.Series(nanos, index=values.index).round(), unit="ns", utc=True, errors="coerce")
    return out


def parse_timestamps(values: pd.Series, *, assume_tz: str = "UTC") -> pd.Series:
    """Normalize timestamps of any common export form to ``datetime64[ns, UTC]``.

    The rule:

    * ISO 8601 strings with a zone (``Z``, ``+02:00``, a trailing ``" UTC"``/``" GMT"``) are
      converted to UTC.
    * Strings or datetimes without a zone are taken as local times in ``assume_tz``
      (default ``"UTC"``) and converted to UTC.
    * Numbers (or all-digit strings) are epoch times; the unit is read from the magnitude:
      below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
    * Values that cannot be read become ``NaT``; the caller reports them.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.tz_localize(assume_tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC").astype(
            "datetime64[ns, UTC]"
        )
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return _epoch_to_utc(values)

    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    present = values.notna()
    if not present.any():
        return out
    text = values[present].astype(str).str.strip()
    numeric = text.str.match(_NUMERIC)
    if numeric.any():
        out.loc[numeric[numeric].index] = _epoch_to_utc(text[numeric].astype("float64"))
    rest = text[~numeric]
    if len(rest):
        zoned = rest.str.contains(_ZONE_SUFFIX)
        if zoned.any():
            z = rest[zoned].str.replace(r"\s*(UTC|GMT)$", "+00:00", regex=True, flags=re.IGNORECASE)
            out.loc[z.index] = _to_datetime(z, utc=True)
        naive = rest[~zoned]
        if len(naive):
            parsed = _to_datetime(naive, utc=False)
            if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # offsets hidden mid-string
                out.loc[parsed.index] = parsed.dt.tz_convert("UTC")
            else:
                local = parsed.dt.tz_localize(assume_tz, ambiguous="NaT", nonexistent="NaT")
                out.loc[naive.index] = local.dt.tz_convert("UTC")
    return out


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    try:
        return pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce")
    except (ValueError, TypeError):
        # Mixed layouts that ISO8601 cannot take in one pass: parse value by value.
        return pd.to_datetime(text, format="mixed", utc=utc, errors="coerce")


# --------------------------------------------------------------------------- coercion


def _coerce(series: pd.Series, spec: ColumnSpec, assume_tz: str) -> tuple[pd.Series, pd.Series, str]:
    """Coerce one column; return (values, bad-row mask, reason for the bad rows)."""
    missing = series.isna() | (series.astype("string").str.strip() == "")
    if spec.kind == "timestamp":
        values = parse_timestamps(series, assume_tz=assume_tz)
        bad = values.isna() & ~missing
        return values, bad, f"cannot read {describe_values(series[bad].tolist())} as a date/time; expected {spec.expected}"
    if spec.kind in ("number", "integer"):
        values = pd.to_numeric(series, errors="coerce")
        unreadable = values.isna() & ~missing
        if unreadable.any():
            return values, unreadable, f"value {describe_values(series[unreadable].tolist())} is not a number; expected {spec.expected}"
        bad = pd.Series(False, index=series.index)
        if spec.kind == "integer":
            bad |= values.notna() & (values != np.round(values))
        if spec.low is not None:
            bad |= values < spec.low
        if spec.high is not None:
            bad |= values > spec.high
        if spec.kind == "integer" and not bad.any():
            values = values.astype("Int64")
        return values, bad, f"value {describe_values(series[bad].tolist())} is outside the accepted range; expected {spec.expected}"
    # id, text, category: strings
    values = series.astype("string").str.strip()
    values = values.mask(missing, pd.NA)
    if spec.kind == "category":
        values = values.astype("string")
    return values, pd.Series(False, index=series.index), ""


def validate_table(
    frame: pd.DataFrame,
    table: str,
    *,
    source: str | None = None,
    lenient: bool = False,
    report: ValidationReport | None = None,
    assume_tz: str = "UTC",
) -> pd.DataFrame:
    """Check ``frame`` against the contract of ``table`` and return a coerced copy.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    table : {"customers", "events", "feedback"}
        Which contract applies.
    source : str, optional
        File name for messages (default: the table name).
    lenient : bool, default False
        Set bad rows aside and record them in ``report`` instead of raising.
    report : ValidationReport, optional
        Where lenient loading records what it set aside.
    assume_tz : str, default "UTC"
        Zone of timestamps that carry none.

    Returns
    -------
    DataFrame
        Contract columns coerced (ids and labels as ``string``, timestamps as UTC, scores as
        ``Int64``), extra columns kept as read, index reset.
    """
    if table not in TABLES:
        raise DataValidationError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
    source = source or table
    report = report if report is not None else ValidationReport()
    specs = TABLES[table]
    missing_cols = [s.name for s in specs if s.required and s.name not in frame.columns]
    if missing_cols:
        raise DataValidationError(
            f"{source}: missing required column{'s' if len(missing_cols) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing_cols)}; found columns {', '.join(map(repr, frame.columns))}"
        )
    out = frame.reset_index(drop=True).copy()
    report.rows_read[table] = report.rows_read.get(table, 0) + len(out)
    row_no = pd.Series(np.arange(1, len(out) + 1), index=out.index)
    keep = pd.Series(True, index=out.index)
    problems: list[ValidationIssue] = []

    def flag(mask: pd.Series, column: str, reason: str) -> None:
        mask = mask & keep
        if mask.any():
            problems.append(ValidationIssue(table, source, column, tuple(row_no[mask].tolist()), reason))
            keep.loc[mask] = False

    for spec in specs:
        if spec.name not in out.columns:
            continue
        values, bad, reason = _coerce(out[spec.name], spec, assume_tz)
        flag(bad, spec.name, reason)
        if not spec.nullable:
            empty = values.isna() & ~bad
            what = "empty text" if spec.kind == "text" else "missing value"
            flag(empty, spec.name, f"{what}; expected {spec.expected}")
        out[spec.name] = values

    key = UNIQUE_KEYS.get(table)
    if key is not None:
        dup = out[key].duplicated(keep="first") & out[key].notna()
        flag(dup, key, f"duplicate id {describe_values(out.loc[dup, key].tolist())}; expected each {key} once")

    _settle(problems, report, lenient)
    out = out[keep].reset_index(drop=True)
    for spec in specs:  # integers whose bad rows are gone can now be whole numbers
        if spec.kind == "integer" and spec.name in out.columns and out[spec.name].dtype != "Int64":
            out[spec.name] = pd.to_numeric(out[spec.name]).round().astype("Int64")
    report.rows_kept[table] = len(out)
    out.attrs["row_numbers"] = row_no[keep].to_numpy()
    return out


def check_membership(
    frame: pd.DataFrame,
    table: str,
    column: str,
    allowed: set,
    *,
    source: str,
    expected: str,
    fix: str,
    lenient: bool,
    report: ValidationReport,
) -> pd.DataFrame:
    """Cross-table check: values of ``column`` must be in ``allowed`` (nulls pass)."""
    values = frame[column]
    bad = values.notna() & ~values.isin(allowed)
    if not bad.any():
        return frame
    row_no = frame.attrs.get("row_numbers", np.arange(1, len(frame) + 1))
    rows = tuple(int(r) for r in np.asarray(row_no)[bad.to_numpy()])
    found = describe_values(values[bad].tolist(), limit=5)
    issue = ValidationIssue(table, source, column, rows, f"value {found} is not {expected}; {fix}")
    _settle([issue], report, lenient)
    kept = frame[~bad].reset_index(drop=True)
    kept.attrs["row_numbers"] = np.asarray(row_no)[~bad.to_numpy()]
    report.rows_kept[table] = report.rows_kept.get(table, len(frame)) - int(bad.sum())
    return kept


def _settle(problems: list[ValidationIssue], report: ValidationReport, lenient: bool) -> None:
    if not problems:
        return
    if not lenient:
        text = "; ".join(p.message() for p in problems[:3])
        more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
        raise DataValidationError(f"{text}{more}. Fix the data, or load with lenient=True to set these rows aside.")
    report.issues.extend(problems)


def contract_markdown() -> str:
    """The contract as Markdown tables (used by docs/data-contract.md and its test)."""
    lines = []
    for table, specs in TABLES.items():
        lines += [f"### {table}", "", "| column | required | accepts | meaning |", "|---|---|---|---|"]
        for s in specs:
            lines.append(f"| `{s.name}` | {'yes' if s.required else 'no'} | {s.expected} | {s.description} |")
        lines.append("")
    return "\n".join(lines)


def _escape(text: object) -> str:
    return html.escape(str(text))
