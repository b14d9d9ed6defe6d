"""Reading the user's files into validated tables: :func:`load` returns a :class:`JourneyData`.

A data folder holds ``customers``, ``events`` and (optionally) ``feedback`` as ``.csv`` or
``.parquet`` files, and optionally a ``stages.yaml``. Each table may also be given on its own,
as a path or a DataFrame.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jkit.errors import DataValidationError, MissingResourceError
from jkit.schema import TABLES, ValidationReport, check_membership, validate_table
from jkit.stages import StageModel, load_stage_model

__all__ = ["JourneyData", "SourceInfo", "load", "read_table", "find_table_file", "fingerprint"]

TableInput = str | Path | pd.DataFrame | None
SUFFIXES = (".parquet", ".csv", ".csv.gz")


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


def _frame_hash(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()).hexdigest()


def find_table_file(folder: str | Path, table: str) -> Path | None:
    """The file of ``table`` in ``folder`` (``events.parquet``, ``events.csv``…), if any."""
    folder = Path(folder)
    for suffix in SUFFIXES:
        candidate = folder / f"{table}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one CSV or Parquet file as read (CSV cells as text), with errors that name the file."""
    path = Path(path)
    if not path.exists():
        raise MissingResourceError(f"{path}: no such file")
    name = path.name
    try:
        if path.suffix == ".parquet" or path.is_dir():
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            sep = "\t" if name.endswith((".tsv", ".txt")) else ","
            return pd.read_csv(path, dtype=str, sep=sep, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise DataValidationError(f"{name}: cannot read the file: {exc}") from None
    raise DataValidationError(f"{name}: unknown file type; expected .csv, .csv.gz or .parquet")


@dataclass
class JourneyData:
    """The validated tables of one journey study and its stage model.

    Attributes
    ----------
    customers, events, feedback : DataFrame
        Validated tables (see ``docs/data-contract.md``); ``feedback`` may be empty.
    stages : StageModel
        The ordered stages and the events that signal them.
    sources : dict of str to SourceInfo
        File name, row count and hash of each table (shown in reports).
    validation : ValidationReport
        What lenient loading set aside (empty when loading was strict).
    """

    customers: pd.DataFrame
    events: pd.DataFrame
    feedback: pd.DataFrame
    stages: StageModel
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    validation: ValidationReport = field(default_factory=ValidationReport)

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last event time (UTC)."""
        if self.events.empty:
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
        return (
            f"JourneyData(customers={len(self.customers):,}, events={len(self.events):,}, "
            f"feedback={len(self.feedback):,}, period={period}, stages={self.stages.names})"
        )

    def _repr_html_(self) -> str:
        start, end = self.period
        period = f"{start:%Y-%m-%d} → {end:%Y-%m-%d} (UTC)" if start is not None else "no events"
        table = self.summary().to_html(index=False, escape=True)
        stages = " → ".join(html.escape(s) for s in self.stages.names)
        note = "" if self.validation.ok else f"<p>{html.escape(str(self.validation)).replace(chr(10), '<br>')}</p>"
        return (
            f"<div><b>JourneyData</b><br>Period: {html.escape(period)}<br>"
            f"Stages ({html.escape(self.stages.name)}): {stages}{table}{note}</div>"
        )


def _resolve(table: str, given: TableInput, folder: Path | None, required: bool) -> tuple[pd.DataFrame | None, SourceInfo | None]:
    if given is None and folder is not None:
        given = find_table_file(folder, table)
        if given is None and required:
            raise MissingResourceError(
                f"{folder}: no {table} file; expected {table}.csv or {table}.parquet in that folder"
            )
    if given is None:
        if required:
            raise MissingResourceError(f"no {table} table given; pass {table}=PATH or a DataFrame")
        return None, None
    if isinstance(given, pd.DataFrame):
        return given, SourceInfo(table, f"{table} (DataFrame)", len(given), _frame_hash(given))
    path = Path(given)
    frame = read_table(path)
    return frame, SourceInfo(table, path.name, len(frame), fingerprint(path))


def load(
    path: str | Path | None = None,
    *,
    customers: TableInput = None,
    events: TableInput = None,
    feedback: TableInput = None,
    stages: str | Path | StageModel | Mapping | None = None,
    lenient: bool = False,
    assume_tz: str = "UTC",
) -> JourneyData:
    """Load, coerce and validate a journey study.

    Parameters
    ----------
    path : str or Path, optional
        A folder holding ``customers``, ``events`` and optionally ``feedback`` files
        (``.csv`` or ``.parquet``) and optionally ``stages.yaml``.
    customers, events, feedback : path or DataFrame, optional
        A table given on its own; overrides the folder's file.
    stages : template name, path, dict or StageModel, optional
        The stage model; default the folder's ``stages.yaml``, else the ``five_stage`` template.
    lenient : bool, default False
        Set rows that break the contract aside (counted in ``JourneyData.validation``)
        instead of raising :class:`~jkit.errors.DataValidationError`.
    assume_tz : str, default "UTC"
        Time zone of timestamps that carry none.

    Returns
    -------
    JourneyData

    Examples
    --------
    >>> data = jkit.load("data/sample")                      # doctest: +SKIP
    >>> data.events.groupby("touchpoint").size()             # doctest: +SKIP
    """
    folder = Path(path) if path is not None else None
    if folder is not None and not folder.is_dir():
        raise MissingResourceError(f"{folder}: no such folder; expected a folder with customers and events files")
    if stages is None and folder is not None and (folder / "stages.yaml").exists():
        stages = folder / "stages.yaml"
    stage_model = load_stage_model(stages)
    report = ValidationReport()
    sources: dict[str, SourceInfo] = {}
    tables: dict[str, pd.DataFrame] = {}
    for table, given, required in (
        ("customers", customers, True),
        ("events", events, True),
        ("feedback", feedback, False),
    ):
        frame, info = _resolve(table, given, folder, required)
        if frame is None:
            frame = pd.DataFrame({s.name: pd.Series(dtype="string") for s in TABLES[table] if s.required})
            tables[table] = validate_table(frame, table)
            continue
        assert info is not None
        sources[table] = info
        tables[table] = validate_table(frame, table, source=info.name, lenient=lenient, report=report, assume_tz=assume_tz)

    known_customers = set(tables["customers"]["customer_id"].dropna())
    cust_name = sources["customers"].name
    common = {"lenient": lenient, "report": report}
    tables["events"] = check_membership(
        tables["events"], "events", "customer_id", known_customers, source=sources["events"].name,
        expected=f"a customer in {cust_name}", fix=f"add the customer to {cust_name}", **common,
    )
    tables["events"] = check_membership(
        tables["events"], "events", "event", set(stage_model.events), source=sources["events"].name,
        expected=f"an event of the stage model {stage_model.name!r}",
        fix="add the event to a stage in the stage model's YAML", **common,
    )
    if "feedback" in sources:
        fb_name = sources["feedback"].name
        tables["feedback"] = check_membership(
            tables["feedback"], "feedback", "customer_id", known_customers, source=fb_name,
            expected=f"a customer in {cust_name}", fix="leave it empty for anonymous feedback", **common,
        )
        if "stage" in tables["feedback"].columns:
            tables["feedback"] = check_membership(
                tables["feedback"], "feedback", "stage", set(stage_model.names), source=fb_name,
                expected=f"a stage of {stage_model.name!r} ({', '.join(stage_model.names)})",
                fix="use a stage name from the stage model", **common,
            )
    for frame in tables.values():
        frame.attrs.pop("row_numbers", None)
    return JourneyData(
        customers=tables["customers"],
        events=tables["events"],
        feedback=tables["feedback"],
        stages=stage_model,
        sources=sources,
        validation=report,
    )
