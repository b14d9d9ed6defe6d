"""The loaded study: :class:`JourneyData` (validated tables, stage model, provenance)."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jkit.schema import ValidationReport
from jkit.stages import StageModel

__all__ = ["JourneyData", "SourceInfo", "fingerprint", "frame_hash", "LENIENT_WARN_SHARE"]

#: lenient loading warns when it sets aside more than this share of a table's rows
LENIENT_WARN_SHARE = 0.01


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from: file name, rows read and a content hash (for report provenance)."""

    table: str
    name: str
    rows: int
    sha256: str

    def to_dict(self) -> dict:
        return {"table": self.table, "name": self.name, "rows": self.rows, "sha256": self.sha256}


def fingerprint(path: str | Path) -> str:
    """SHA-256 of a file's bytes (or of every file below a folder), read in 1 MiB blocks."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        digest.update(f.name.encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def frame_hash(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()).hexdigest()


@dataclass
class JourneyData:
    """The validated tables of one journey study and its stage model.

    Attributes
    ----------
    customers, events, feedback : DataFrame
        Validated tables (see ``docs/data-contract.md``); a table the study lacks is empty, with
        the contract's core columns.
    stages : StageModel
        The ordered stages and the events that signal them.
    sources : dict of str to SourceInfo
        File name, row count and hash of each table (shown in reports).
    validation : ValidationReport
        What lenient loading set aside (empty when loading was strict) and which optional columns
        were filled with defaults (``validation.filled``).
    tables : tuple of str
        The tables the study holds (given, not derived or empty).
    derived : dict of str to str
        Tables built from others (``{"customers": "from_events"}``).
    name : str
        The study's name (from the study file), if any.
    """

    customers: pd.DataFrame
    events: pd.DataFrame
    feedback: pd.DataFrame
    stages: StageModel
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    validation: ValidationReport = field(default_factory=ValidationReport)
    tables: tuple[str, ...] = ("customers", "events", "feedback")
    derived: dict[str, str] = field(default_factory=dict)
    name: str = ""

    def has(self, table: str, column: str | None = None) -> bool:
        """Whether the study holds ``table`` (given or derived) with rows, and ``column`` from the data.

        A column filled with its default (``touchpoint: unknown`` when the source has none) does
        not count: ``data.has("events", "touchpoint")`` is False then.
        """
        if table not in self.tables and table not in self.derived:
            return False
        frame = getattr(self, table)
        if frame.empty:
            return False
        if column is None:
            return True
        if column in self.validation.filled.get(table, {}):
            return False
        return column in frame.columns and bool(frame[column].notna().any())

    def warnings(self) -> list[str]:
        """Plain-language notes on what loading set aside or filled in (shown in the summary)."""
        notes = []
        for table, read in self.validation.rows_read.items():
            share = self.validation.share_set_aside(table)
            if share > LENIENT_WARN_SHARE:
                lost = self.validation.rows_set_aside[table]
                notes.append(f"{table}: {lost:,} of {read:,} rows ({share:.1%}) were set aside; see data.validation")
        for table, cols in self.validation.filled.items():
            for col, what in cols.items():
                notes.append(f"{table}: no {col} column in the data; filled with {what}")
        for table, how in self.derived.items():
            notes.append(f"{table}: derived {how.replace('_', ' ')}")
        return notes

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last event time (UTC)."""
        if self.events.empty or self.events["timestamp"].isna().all():
            return None, None
        return self.events["timestamp"].min(), self.events["timestamp"].max()

    def events_with_stage(self) -> pd.DataFrame:
        """The events with two more columns: ``stage`` and ``stage_index`` (0-based)."""
        stage_of = self.stages.stage_of()
        index = self.stages.stage_index()
        out = self.events.copy()
        out["stage"] = out["event"].map(stage_of).astype("string")
        out["stage_index"] = out["stage"].map(index).astype("Int64")
        return out

    def summary(self) -> pd.DataFrame:
        """Rows, columns and source of each table."""
        rows = []
        for name in ("customers", "events", "feedback"):
            frame = getattr(self, name)
            src = self.sources.get(name)
            rows.append(
                {
                    "table": name,
                    "rows": len(frame),
                    "columns": len(frame.columns),
                    "source": src.name if src else "",
                    "set_aside": self.validation.rows_set_aside.get(name, 0),
                }
            )
        return pd.DataFrame(rows)

    def fingerprint(self) -> list[dict]:
        """Provenance of every table, for report headers."""
        return [s.to_dict() for s in self.sources.values()]

    def __repr__(self) -> str:
        start, end = self.period
        period = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" if start is not None else "no events"
        text = (
            f"JourneyData(customers={len(self.customers):,}, events={len(self.events):,}, "
            f"feedback={len(self.feedback):,}, period={period}, stages={self.stages.names})"
        )
        return "\n".join([text, *(f"  ! {n}" for n in self.warnings())])

    def _repr_html_(self) -> str:
        start, end = self.period
        period = f"{start:%Y-%m-%d} → {end:%Y-%m-%d} (UTC)" if start is not None else "no events"
        table = self.summary().to_html(index=False, escape=True)
        stages = " → ".join(html.escape(s) for s in self.stages.names)
        note = "" if self.validation.ok else f"<p>{html.escape(str(self.validation)).replace(chr(10), '<br>')}</p>"
        notes = self.warnings()
        if notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            note = f"<p><b>Check:</b></p><ul>{items}</ul>" + note
        return (
            f"<div><b>JourneyData</b><br>Period: {html.escape(period)}<br>"
            f"Stages ({html.escape(self.stages.name)}): {stages}{table}{note}</div>"
        )
