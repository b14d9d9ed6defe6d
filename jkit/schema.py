"""The data contract: the columns of the three tables, type coercion and validation.

Three tables — ``customers``, ``events``, ``feedback`` — described by :data:`TABLES`. Each
column is coerced to its type; a value that cannot be coerced, or is out of range, is a
problem. ``validate_table`` either raises a :class:`~jkit.errors.DataValidationError` that
names the file, column, first bad rows and what was expected, or (``lenient=True``) sets the
rows aside and records them in a :class:`ValidationReport`. Rows are never dropped silently.

Row numbers in messages are 1-based data rows (the first row after a CSV header is row 1).

Timestamps are normalized to UTC by :func:`jkit.timestamps.parse_timestamps`; see that module for
the rules. Optional columns a table lacks are filled with their documented default (``touchpoint``
and ``source`` ``"unknown"``, ``feedback_id`` the row number) and listed in
:attr:`ValidationReport.filled`, so that every analysis can tell data from defaults.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from jkit._rules import column_list
from jkit.errors import DataValidationError, describe_values, format_rows
from jkit.timestamps import parse_timestamps

__all__ = [
    "ColumnSpec",
    "TABLES",
    "ValidationIssue",
    "ValidationReport",
    "parse_timestamps",
    "settle_issues",
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
    default: str | None = None

    @property
    def expected(self) -> str:
        """What the column accepts, in words, for messages and docs."""
        words = {
            "id": "a non-empty identifier",
            "timestamp": "a date/time (ISO 8601, day/month/year, epoch time; see the date-form table)",
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
        ColumnSpec("signup_date", "timestamp", description="when the customer signed up; default: the customer's first event"),
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
        ColumnSpec("touchpoint", "category", nullable=False, default="unknown",
                   description="web, mobile_app, email, store, social, support, …; default: `unknown`"),
        ColumnSpec("revenue", "number", description="revenue of the event (purchases)"),
        ColumnSpec("session_id", "id"),
    ),
    "feedback": (
        ColumnSpec("feedback_id", "id", nullable=False, default="row",
                   description="unique feedback id; default: the row number"),
        ColumnSpec("customer_id", "id", description="author, when known"),
        ColumnSpec("timestamp", "timestamp", description="when it was written, when known (trends need it)"),
        ColumnSpec("text", "text", required=True, nullable=False, description="what the customer wrote"),
        ColumnSpec("source", "category", nullable=False, default="unknown",
                   description="survey, review, support_ticket, social, …; default: `unknown`"),
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
    #: table -> {column: what it was filled with} for optional columns the study lacks
    filled: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def rows_set_aside(self) -> dict[str, int]:
        return {t: self.rows_read[t] - self.rows_kept.get(t, 0) for t in self.rows_read}

    def share_set_aside(self, table: str) -> float:
        """Share of ``table``'s rows that lenient loading set aside (0 when none were read)."""
        read = self.rows_read.get(table, 0)
        return (read - self.rows_kept.get(table, 0)) / read if read else 0.0

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


# --------------------------------------------------------------------------- coercion


def _blank(series: pd.Series) -> pd.Series:
    """Missing or whitespace-only cells (text is only looked at when the column holds text)."""
    missing = series.isna()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        missing |= series.astype("string").str.strip().fillna("") == ""
    return missing


def _coerce(series: pd.Series, spec: ColumnSpec, opts: dict) -> tuple[pd.Series, pd.Series, str]:
    """Coerce one column; return (values, bad-row mask, reason for the bad rows)."""
    missing = _blank(series)
    if spec.kind == "timestamp":
        values = parse_timestamps(series, **opts)
        bad = values.isna() & ~missing
        return values, bad, (
            f"cannot read {describe_values(series[bad].tolist())} as a date/time within 1677-09-22 … 2262-04-11; "
            f"expected {spec.expected}"
        )
    if spec.kind in ("number", "integer"):
        if pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("object")
        values = pd.to_numeric(series, errors="coerce")
        unreadable = values.isna() & ~missing
        if unreadable.any():
            return values, unreadable, f"value {describe_values(series[unreadable].tolist())} is not a number; expected {spec.expected}"
        infinite = values.notna() & ~np.isfinite(values.astype("float64"))
        if infinite.any():
            return values, infinite, f"value {describe_values(series[infinite].tolist())} is not a finite number; expected {spec.expected}"
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
    return values, pd.Series(False, index=series.index), ""


def _fill_defaults(out: pd.DataFrame, table: str, specs: tuple[ColumnSpec, ...], report: ValidationReport) -> None:
    """Add the optional columns with a default that ``out`` lacks, and record what was filled."""
    for spec in specs:
        if spec.name in out.columns or spec.default is None:
            continue
        if spec.default == "row":
            out[spec.name] = pd.Series(np.arange(1, len(out) + 1), index=out.index).astype(str).astype("string")
            what = "the row number"
        else:
            out[spec.name] = pd.Series(spec.default, index=out.index, dtype="string")
            what = repr(spec.default)
        report.filled.setdefault(table, {})[spec.name] = what


def validate_table(
    frame: pd.DataFrame,
    table: str,
    *,
    source: str | None = None,
    lenient: bool = False,
    report: ValidationReport | None = None,
    assume_tz: str = "UTC",
    timestamp_format: str = "auto",
    dayfirst: bool | None = None,
    row_numbers: np.ndarray | None = None,
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
    timestamp_format : str, default "auto"
        How timestamps are written (see :func:`jkit.timestamps.parse_timestamps`).
    dayfirst : bool, optional
        Order of ``01/02/2024``-like dates; default: decided by the data.
    row_numbers : array of int, optional
        1-based row (or line) number of each row in the file, for messages; default ``1..n``.

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
            f"{column_list(missing_cols)}; found columns {column_list(frame.columns)}"
        )
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise DataValidationError(
            f"{source}: column{'s' if len(duplicated) > 1 else ''} {column_list(duplicated)} "
            "appear more than once in the header; rename them so that each column name is unique"
        )
    out = frame.reset_index(drop=True)  # copy-on-write: assigning columns below never touches ``frame``
    report.rows_read[table] = report.rows_read.get(table, 0) + len(out)
    numbers = np.arange(1, len(out) + 1) if row_numbers is None else np.asarray(row_numbers)
    row_no = pd.Series(numbers, index=out.index)
    _fill_defaults(out, table, specs, report)
    opts = {"assume_tz": assume_tz, "timestamp_format": timestamp_format, "dayfirst": dayfirst}
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
        values, bad, reason = _coerce(out[spec.name], spec, {**opts, "where": f"{source}: column {spec.name!r}"})
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

    settle_issues(problems, report, lenient)
    if not keep.all():
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
    codes, uniques = pd.factorize(values)  # test each distinct value once
    known = pd.Index(uniques).isin(list(allowed))
    bad = pd.Series((codes >= 0) & ~known[np.maximum(codes, 0)] if len(uniques) else codes < -1, index=frame.index)
    if not bad.any():
        return frame
    row_no = frame.attrs.get("row_numbers", np.arange(1, len(frame) + 1))
    rows = tuple(int(r) for r in np.asarray(row_no)[bad.to_numpy()])
    found = describe_values(values[bad].tolist(), limit=5)
    issue = ValidationIssue(table, source, column, rows, f"value {found} is not {expected}; {fix}")
    settle_issues([issue], report, lenient)
    kept = frame[~bad].reset_index(drop=True)
    kept.attrs["row_numbers"] = np.asarray(row_no)[~bad.to_numpy()]
    report.rows_kept[table] = report.rows_kept.get(table, len(frame)) - int(bad.sum())
    return kept


def settle_issues(problems: list[ValidationIssue], report: ValidationReport, lenient: bool) -> None:
    """Raise the first problems as one DataValidationError, or (``lenient``) record them in ``report``."""
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
