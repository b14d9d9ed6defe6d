"""The study file: where each table of a study is and how to read it, described once.

.. code-block:: yaml

    name: bank-app study                 # optional
    events:                              # each table: customers, events, feedback
      path: exports/2019-Oct.csv         # a file, a glob or a folder; relative to this file
      format: csv                        # csv, tsv, parquet, json or an importer name; default: from the file
      sep: auto                          # or ',', tab, ';', '|', whitespace
      header: true                       # false for headerless files, with names: [..]
      quoting: auto                      # csv (quotes group cells) or none (quotes are text)
      columns: {customer_id: user_id, timestamp: event_time, event: event_type}
      constants: {touchpoint: web}       # a contract column the file lacks, as one value
      timestamp_format: auto             # or a strftime pattern, excel, epoch_s/ms/us/ns
      dayfirst: null                     # true/false for 01/02/2024-like dates
      timezone: UTC                      # zone of naive times
    customers: from_events               # or a table spec
    stages: stages.yaml                  # or a template name, or the stage model inline
    lenient: false

A table may also be given as just its path (``feedback: reviews.csv``). Unknown keys are errors,
not ignored: a typo must not silently change how a file is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jkit._rules import column_list
from jkit.errors import DataValidationError, MissingResourceError
from jkit.io.readers import FILE_FORMATS, ReadSpec
from jkit.safe_yaml import read_yaml

__all__ = ["StudySpec", "TableSpec", "read_study", "parse_study", "STUDY_FILE_NAMES"]

STUDY_FILE_NAMES = ("study.yaml", "study.yml")
_TABLE_KEYS = {
    "path", "format", "sep", "encoding", "header", "names", "columns", "constants",
    "timestamp_format", "dayfirst", "timezone", "options", "quoting",
}
_TOP_KEYS = {"name", "description", "customers", "events", "feedback", "stages", "lenient"}


@dataclass
class TableSpec:
    """How to read one table: where, in what format, with which column map and constants."""

    read: ReadSpec
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    timestamp_format: str = "auto"
    dayfirst: bool | None = None
    timezone: str | None = None


@dataclass
class StudySpec:
    """A parsed study file."""

    tables: dict[str, TableSpec]
    customers_from_events: bool = False
    stages: Any = None
    name: str = ""
    description: str = ""
    lenient: bool = False
    base: Path = field(default_factory=Path)
    source: str = "study.yaml"


def _mapping(value: Any, where: str, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataValidationError(f"{where}: '{key}' must be a mapping (name: value), found {value!r}")
    return {str(k): v for k, v in value.items()}


def _table_spec(table: str, value: Any, where: str) -> TableSpec:
    if isinstance(value, str | Path):
        value = {"path": str(value)}
    if not isinstance(value, dict):
        raise DataValidationError(f"{where}: '{table}' must be a path or a mapping with 'path', found {value!r}")
    if "path" not in value:
        raise DataValidationError(f"{where}: '{table}' needs a 'path' (a file, a glob or a folder)")
    fmt = value.get("format")
    importer_options: dict[str, Any] = dict(_mapping(value.get("options"), where, f"{table}.options"))
    unknown = sorted(set(value) - _TABLE_KEYS)
    if unknown:
        if fmt is not None and str(fmt).lower() not in FILE_FORMATS:
            from jkit.io.importers import get_importer

            accepted = set(get_importer(str(fmt).lower()).options)
            bad = [k for k in unknown if k not in accepted]
            if not bad:
                importer_options.update({k: value[k] for k in unknown})
                unknown = []
            else:
                unknown = bad
        if unknown:
            raise DataValidationError(
                f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {column_list(unknown)} under "
                f"'{table}'; expected {', '.join(sorted(_TABLE_KEYS))} (or an importer's options)"
            )
    columns = {str(k): str(v) for k, v in _mapping(value.get("columns"), where, f"{table}.columns").items()}
    constants = _mapping(value.get("constants"), where, f"{table}.constants")
    names = value.get("names")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str | int) for n in names)):
        raise DataValidationError(f"{where}: '{table}.names' must be a list of column names")
    header = value.get("header", True)
    if not isinstance(header, bool):
        raise DataValidationError(f"{where}: '{table}.header' must be true or false, found {header!r}")
    dayfirst = value.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise DataValidationError(f"{where}: '{table}.dayfirst' must be true, false or left out, found {dayfirst!r}")
    return TableSpec(
        read=ReadSpec(
            path=str(value["path"]), format=None if fmt in (None, "auto") else str(fmt).lower(),
            sep=str(value.get("sep", "auto")), encoding=str(value.get("encoding", "auto")), header=header,
            names=[str(n) for n in names] if names else None, options=importer_options,
            quoting=str(value.get("quoting", "auto")),
        ),
        columns=columns,
        constants=constants,
        timestamp_format=str(value.get("timestamp_format", "auto") or "auto"),
        dayfirst=dayfirst,
        timezone=None if value.get("timezone") is None else str(value["timezone"]),
    )


def parse_study(spec: Any, *, base: Path, source: str = "study.yaml") -> StudySpec:
    """A :class:`StudySpec` from the parsed YAML of a study file (paths relative to ``base``)."""
    if not isinstance(spec, dict):
        raise DataValidationError(f"{source}: expected a mapping with customers, events and/or feedback")
    unknown = sorted(set(map(str, spec)) - _TOP_KEYS)
    if unknown:
        raise DataValidationError(
            f"{source}: unknown key{'s' if len(unknown) > 1 else ''} {column_list(unknown)}; "
            f"expected {', '.join(sorted(_TOP_KEYS))}"
        )
    tables: dict[str, TableSpec] = {}
    from_events = False
    for table in ("customers", "events", "feedback"):
        value = spec.get(table)
        if value is None:
            continue
        if table == "customers" and value == "from_events":
            from_events = True
            continue
        tables[table] = _table_spec(table, value, source)
    if not tables:
        raise DataValidationError(f"{source}: names no table; give at least one of customers, events, feedback")
    if from_events and "events" not in tables:
        raise DataValidationError(f"{source}: customers: from_events needs an events table")
    lenient = spec.get("lenient", False)
    if not isinstance(lenient, bool):
        raise DataValidationError(f"{source}: 'lenient' must be true or false, found {lenient!r}")
    stages = spec.get("stages")
    if isinstance(stages, str) and stages.endswith((".yaml", ".yml")):
        stages = base / stages
    return StudySpec(
        tables=tables, customers_from_events=from_events, stages=stages,
        name=str(spec.get("name", "") or ""), description=str(spec.get("description", "") or ""),
        lenient=lenient, base=base, source=source,
    )


def read_study(path: str | Path) -> StudySpec:
    """Read and check a ``study.yaml``."""
    path = Path(path)
    if not path.is_file():
        raise MissingResourceError(f"{path}: no such study file")
    return parse_study(read_yaml(path, "study file"), base=path.parent, source=path.name)
