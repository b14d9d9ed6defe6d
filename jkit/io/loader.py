"""``jkit.load``: a folder, a study file or tables given one by one, read and checked as one study.

The steps, for each table the study holds: read the file(s) as they are
(:mod:`jkit.io.readers`, or an importer), map columns and add constants (the study file's
``columns:`` and ``constants:``), type the extra columns by content (:mod:`jkit.io.infer`), check
the contract (:func:`jkit.schema.validate_table`); then derive what is missing (customers from
events, sign-up from the first event) and check the tables against each other and the stage model.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from jkit._rules import column_list
from jkit.errors import DataValidationError, JkitWarning, MissingResourceError
from jkit.io.infer import decimal_commas, type_columns
from jkit.io.journey_data import LENIENT_WARN_SHARE, JourneyData, SourceInfo, fingerprint, frame_hash
from jkit.io.readers import FILE_FORMATS, RawTable, ReadSpec, read_source
from jkit.io.study import STUDY_FILE_NAMES, StudySpec, TableSpec, read_study
from jkit.schema import TABLES, ValidationIssue, ValidationReport, check_membership, settle_issues, validate_table
from jkit.stages import StageModel, load_stage_model

__all__ = ["load", "read_table", "find_table_file", "TABLE_NAMES"]

TableInput = str | Path | pd.DataFrame | None
TABLE_NAMES = ("customers", "events", "feedback")
SUFFIXES = (".parquet", ".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".json", ".jsonl", ".ndjson")
#: columns every loaded table has, whether the data holds them or not
CORE_COLUMNS = {
    "customers": {"customer_id": "string", "signup_date": "datetime64[ns, UTC]"},
    "events": {"customer_id": "string", "timestamp": "datetime64[ns, UTC]", "event": "string", "touchpoint": "string"},
    "feedback": {"feedback_id": "string", "customer_id": "string", "timestamp": "datetime64[ns, UTC]",
                 "text": "string", "source": "string"},
}


def find_table_file(folder: str | Path, table: str) -> Path | None:
    """The file of ``table`` in ``folder`` (``events.parquet``, ``events.csv``…), if any.

    Two files for one table (``events.csv`` and ``events.parquet``) are an error, not a choice.
    """
    folder = Path(folder)
    found = [folder / f"{table}{suffix}" for suffix in SUFFIXES if (folder / f"{table}{suffix}").is_file()]
    if len(found) > 1:
        raise DataValidationError(
            f"{folder.name}: {' and '.join(p.name for p in found)} both hold the {table} table; "
            "keep one, or name the one to use in a study.yaml"
        )
    return found[0] if found else None


def read_table(path: str | Path, **read_options) -> pd.DataFrame:
    """Read one table's file(s) as they are (separator and encoding sniffed); contract not checked."""
    raw = read_source(ReadSpec(path=path, **read_options))
    if raw.bad:
        raise DataValidationError(f"{raw.source}: line {raw.bad[0].row}: {raw.bad[0].reason}")
    return raw.frame


def _folder_study(folder: Path) -> StudySpec:
    tables = {}
    for table in TABLE_NAMES:
        found = find_table_file(folder, table)
        if found is not None:
            tables[table] = TableSpec(read=ReadSpec(path=found.name))
    stages = folder / "stages.yaml" if (folder / "stages.yaml").is_file() else None
    return StudySpec(tables=tables, stages=stages, base=folder, source=folder.name)


def _study(path: str | Path | None) -> StudySpec:
    if path is None:
        return StudySpec(tables={}, base=Path.cwd(), source="")
    path = Path(path)
    if path.is_file():
        return read_study(path)
    if not path.is_dir():
        raise MissingResourceError(
            f"{path}: no such folder or study file; expected a folder with customers, events or feedback files, "
            "or a study.yaml"
        )
    for name in STUDY_FILE_NAMES:
        if (path / name).is_file():
            return read_study(path / name)
    return _folder_study(path)


def _display(files: list[Path], base: Path, given: str) -> str:
    if len(files) != 1:
        return f"{given} ({len(files)} files)"
    try:
        return files[0].resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return files[0].name


def _apply_columns(frame: pd.DataFrame, table: str, spec: TableSpec, source: str) -> pd.DataFrame:
    known = [s.name for s in TABLES[table]]
    for contract, column in spec.columns.items():
        if contract not in known:
            raise DataValidationError(
                f"{source}: columns: {contract!r} is not a column of the {table} contract; expected one of "
                f"{', '.join(known)} (as contract name: file column)"
            )
        if column not in frame.columns:
            close = difflib.get_close_matches(column, list(map(str, frame.columns)), n=3)
            hint = f" (did you mean {column_list(close)}?)" if close else ""
            raise DataValidationError(
                f"{source}: columns: {contract}: {column!r} is not a column of the file{hint}; "
                f"found {column_list(frame.columns[:30])}"
            )
    if not spec.columns and not spec.constants:
        return frame
    out = frame.copy(deep=False)
    for contract, column in spec.columns.items():
        if contract in out.columns and contract != column and contract not in spec.columns.values():
            out = out.rename(columns={contract: f"{contract}_original"})
    for contract, column in spec.columns.items():
        out[contract] = frame[column]
    mapped_away = {c for c in spec.columns.values() if c not in spec.columns}
    out = out.drop(columns=[c for c in mapped_away if c in out.columns])
    for name, value in spec.constants.items():
        if name not in known:
            raise DataValidationError(
                f"{source}: constants: {name!r} is not a column of the {table} contract; expected one of {', '.join(known)}"
            )
        if name in out.columns:
            raise DataValidationError(
                f"{source}: constants: {name!r} is also a column of the file; remove the constant or map the column away"
            )
        out[name] = pd.Series(str(value) if value is not None else pd.NA, index=out.index, dtype="string")
    return out


def _columns_to_importer(spec: TableSpec, accepted: tuple[str, ...]) -> TableSpec:
    """Survey importers pick their answers themselves: ``columns: {text: Q2}`` becomes ``text_column: Q2``."""
    import copy

    spec = copy.deepcopy(spec)
    options = spec.read.options
    if "text" in spec.columns and "text_column" in accepted:
        options.setdefault("text_column", spec.columns.pop("text"))
    if "customer_id" in spec.columns and "customer_column" in accepted:
        options.setdefault("customer_column", spec.columns.pop("customer_id"))
    scores = {k: spec.columns.pop(k) for k in ("nps", "csat", "ces") if k in spec.columns}
    if scores and "score_columns" in accepted:
        options["score_columns"] = {**scores, **(options.get("score_columns") or {})}
    else:
        spec.columns.update(scores)
    return spec


def _read_one(
    table: str, spec: TableSpec, study: StudySpec, lenient: bool, report: ValidationReport, defaults: dict
) -> tuple[pd.DataFrame, SourceInfo]:
    fmt = spec.read.format
    if fmt is not None and fmt not in FILE_FORMATS:
        from jkit.io.importers import get_importer

        importer = get_importer(fmt)
        if importer.table != table:
            raise DataValidationError(
                f"{study.source}: format {fmt!r} reads a {importer.table} table, but it is given for {table}"
            )
        spec = _columns_to_importer(spec, importer.options)  # a copy: the study's spec stays as parsed
        # the table's reading keys reach the importer when it takes them (naive vendor times, day order)
        given = {"timezone": spec.timezone, "dayfirst": spec.dayfirst,
                 "encoding": None if spec.read.encoding in ("auto", None) else spec.read.encoding}
        for key, value in given.items():
            if value is not None and key in importer.options:
                spec.read.options.setdefault(key, value)
    raw: RawTable = read_source(spec.read, base=study.base, lenient=lenient)
    source = _display(raw.files, study.base, str(spec.read.path))
    frame = _apply_columns(raw.frame, table, spec, source)
    if raw.bad:
        rows = tuple(b.row for b in raw.bad)
        issue = ValidationIssue(table, source, "(record)", rows, f"cannot be read: {raw.bad[0].reason}")
        settle_issues([issue], report, lenient)
        report.rows_read[table] = report.rows_read.get(table, 0) + len(rows)
    if raw.from_text:
        skip = {s.name for s in TABLES[table]}
        comma_ok = raw.sep not in (None, ",")
        type_columns(frame, skip, decimal_comma=comma_ok)
        if comma_ok:
            decimal_commas(frame, [s.name for s in TABLES[table] if s.kind in ("number", "integer")])
    opts = {
        "assume_tz": spec.timezone or defaults["assume_tz"],
        "timestamp_format": spec.timestamp_format if spec.timestamp_format != "auto" else defaults["timestamp_format"],
        "dayfirst": spec.dayfirst if spec.dayfirst is not None else defaults["dayfirst"],
    }
    checked = validate_table(frame, table, source=source, lenient=lenient, report=report,
                             row_numbers=raw.row_numbers, **opts)
    digest = fingerprint(raw.files[0]) if len(raw.files) == 1 else _files_digest(raw.files)
    return checked, SourceInfo(table, source, len(raw.frame) + len(raw.bad), digest)


def _files_digest(files: list[Path]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for f in files:
        digest.update(fingerprint(f).encode())
    return digest.hexdigest()


def _given(table: str, given: TableInput, study: StudySpec) -> TableSpec | pd.DataFrame | None:
    if given is None:
        return study.tables.get(table)
    if isinstance(given, pd.DataFrame):
        return given
    path = Path(given)
    return TableSpec(read=ReadSpec(path=path.resolve() if not path.is_absolute() else path))


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in CORE_COLUMNS[table].items()})


def _ensure_core(frame: pd.DataFrame, table: str, report: ValidationReport, note: bool) -> pd.DataFrame:
    for col, dtype in CORE_COLUMNS[table].items():
        if col not in frame.columns:
            frame[col] = pd.Series(pd.NA if dtype == "string" else pd.NaT, index=frame.index, dtype=dtype)
            if note:
                report.filled.setdefault(table, {})[col] = "missing values"
    return frame


def _customers_from_events(events: pd.DataFrame) -> pd.DataFrame:
    first = events.groupby("customer_id", sort=True, observed=True)["timestamp"].min()
    return pd.DataFrame({"customer_id": first.index.astype("string"), "signup_date": first.to_numpy()}).astype(
        {"customer_id": "string", "signup_date": "datetime64[ns, UTC]"}
    )


def _warn_set_aside(report: ValidationReport, sources: dict[str, SourceInfo]) -> None:
    for table in report.rows_read:
        share = report.share_set_aside(table)
        if share <= LENIENT_WARN_SHARE:
            continue
        mine = sorted((i for i in report.issues if i.table == table), key=lambda i: -i.count)
        why = f"; most for: {mine[0].reason}" if mine else ""
        name = sources[table].name if table in sources else table
        warnings.warn(
            f"lenient loading set aside {report.rows_set_aside[table]:,} of {report.rows_read[table]:,} rows "
            f"({share:.1%}) of {name}{why}. Check the column map and the stage model; data.validation lists every row.",
            JkitWarning,
            stacklevel=3,
        )


def load(
    path: str | Path | None = None,
    *,
    customers: TableInput = None,
    events: TableInput = None,
    feedback: TableInput = None,
    stages: str | Path | StageModel | Mapping | None = None,
    lenient: bool | None = None,
    assume_tz: str = "UTC",
    timestamp_format: str = "auto",
    dayfirst: bool | None = None,
) -> JourneyData:
    """Load, coerce and validate a journey study.

    Parameters
    ----------
    path : str or Path, optional
        A ``study.yaml`` (see ``docs/data-contract.md``), or a folder holding one, or a folder
        holding ``customers``, ``events`` and/or ``feedback`` files (``.csv``, ``.tsv``,
        ``.parquet``, ``.json``) and optionally ``stages.yaml``.
    customers, events, feedback : path or DataFrame, optional
        A table given on its own; overrides the study's. A study may hold any non-empty subset:
        without customers they are derived from the events (sign-up = first event).
    stages : template name, path, dict or StageModel, optional
        The stage model; default the study's, else the folder's ``stages.yaml``, else ``five_stage``.
    lenient : bool, optional
        Set rows that break the contract aside (counted in ``JourneyData.validation``, with a
        :class:`~jkit.errors.JkitWarning` when more than 1% of a table) instead of raising
        :class:`~jkit.errors.DataValidationError`. Default: the study file's ``lenient``, else False.
    assume_tz : str, default "UTC"
        Time zone of timestamps that carry none (a table's ``timezone:`` overrides it).
    timestamp_format : str, default "auto"
        How timestamps are written, for every table (see :func:`jkit.timestamps.parse_timestamps`).
    dayfirst : bool, optional
        Order of ``01/02/2024``-like dates; default: decided by the data.

    Returns
    -------
    JourneyData

    Examples
    --------
    >>> data = jkit.load("data/sample")                      # doctest: +SKIP
    >>> data = jkit.load("my-study/study.yaml")               # doctest: +SKIP
    """
    study = _study(path)
    lenient = study.lenient if lenient is None else bool(lenient)
    stage_model = load_stage_model(stages if stages is not None else study.stages)
    defaults = {"assume_tz": assume_tz, "timestamp_format": timestamp_format, "dayfirst": dayfirst}
    report = ValidationReport()
    sources: dict[str, SourceInfo] = {}
    tables: dict[str, pd.DataFrame] = {}
    for table, given in (("customers", customers), ("events", events), ("feedback", feedback)):
        what = _given(table, given, study)
        if what is None:
            continue
        if isinstance(what, pd.DataFrame):
            info = SourceInfo(table, f"{table} (DataFrame)", len(what), frame_hash(what))
            frame = validate_table(what, table, source=info.name, lenient=lenient, report=report, **defaults)
        else:
            frame, info = _read_one(table, what, study, lenient, report, defaults)
        sources[table] = info
        tables[table] = _ensure_core(frame, table, report, note=True)
    if not tables:
        where = f"{path}: " if path is not None else ""
        raise MissingResourceError(
            f"{where}no customers, events or feedback table found; expected customers.csv, events.csv or "
            "feedback.csv (or .parquet) in the folder, a study.yaml, or tables passed as customers=/events=/feedback="
        )
    present = tuple(t for t in TABLE_NAMES if t in tables)
    derived: dict[str, str] = {}
    common = {"lenient": lenient, "report": report}
    if "events" in tables:
        tables["events"] = check_membership(
            tables["events"], "events", "event", stage_model.known_events, source=sources["events"].name,
            expected=f"an event of the stage model {stage_model.name!r}",
            fix="add the event to a stage in the stage model's YAML (or map the event column in study.yaml)", **common,
        )
    if "customers" in tables:
        cust_name = sources["customers"].name
        known_customers = set(tables["customers"]["customer_id"].dropna())
        if "events" in tables:
            tables["events"] = check_membership(
                tables["events"], "events", "customer_id", known_customers, source=sources["events"].name,
                expected=f"a customer in {cust_name}", fix=f"add the customer to {cust_name}", **common,
            )
        if "feedback" in tables:
            tables["feedback"] = check_membership(
                tables["feedback"], "feedback", "customer_id", known_customers, source=sources["feedback"].name,
                expected=f"a customer in {cust_name}", fix="leave it empty for anonymous feedback", **common,
            )
        if "signup_date" in report.filled.get("customers", {}) and "events" in tables:
            first = tables["events"].groupby("customer_id", observed=True)["timestamp"].min()
            tables["customers"]["signup_date"] = (
                tables["customers"]["customer_id"].map(first).astype("datetime64[ns, UTC]")
            )
            report.filled["customers"]["signup_date"] = "the customer's first event"
    elif "events" in tables:
        tables["customers"] = _customers_from_events(tables["events"])
        derived["customers"] = "from_events"
    if "feedback" in tables and "stage" in tables["feedback"].columns:
        tables["feedback"] = check_membership(
            tables["feedback"], "feedback", "stage", set(stage_model.names), source=sources["feedback"].name,
            expected=f"a stage of {stage_model.name!r} ({', '.join(stage_model.names)})",
            fix="use a stage name from the stage model", **common,
        )
    for table in TABLE_NAMES:
        if table not in tables:
            tables[table] = _empty(table)
        tables[table].attrs.pop("row_numbers", None)
    if lenient:
        _warn_set_aside(report, sources)
    return JourneyData(
        customers=tables["customers"],
        events=tables["events"],
        feedback=tables["feedback"],
        stages=stage_model,
        sources=sources,
        validation=report,
        tables=present,
        derived=derived,
        name=study.name,
    )

