"""Amplitude Export API events (NDJSON: one event a line, as in the export's ``.json.gz`` files)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.io.importers.base import (
    EVENT_COLUMNS,
    UNKNOWN_TOUCHPOINT,
    BadRecord,
    FileSample,
    Imported,
    Importer,
    check_options,
    drops_personal,
    finish,
    iter_json_records,
    tidy_events,
)
from jkit.io.sniff import read_head

__all__ = ["IMPORTERS", "detect", "parse_amplitude", "read_amplitude"]

OPTIONS = ("encoding", "keep_personal")
CONTRACT = EVENT_COLUMNS
TIME_FIELDS = ("event_time", "client_event_time", "server_received_time", "server_upload_time")
#: other times of the export, typed as UTC times when every value reads
OTHER_TIMES = ("client_event_time", "client_upload_time", "server_received_time", "server_upload_time",
               "processed_time", "user_creation_time")
#: top-level fields mapped onto contract columns (``session_id`` is kept as ``amplitude_session_id``)
MAPPED = frozenset({"event_time", "event_type", "revenue", "$revenue", "session_id", "event_properties",
                    "user_properties"})
PLATFORMS = {"web": "web", "ios": "mobile_app", "android": "mobile_app", "ipados": "mobile_app"}


def _check_options(options: Mapping[str, Any]) -> None:
    check_options("read_amplitude", options, OPTIONS)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _scalar(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _session(value: Any) -> str | None:
    """Amplitude's ``session_id`` (ms epoch of the session's start) as text; None for -1 or missing."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return _text(value)
    return None if number < 0 else str(number)


def _row(record: Mapping[str, Any], where: str) -> tuple[dict[str, Any] | None, Any, str]:
    """One event as ``(row, raw time, problem)``."""
    user, device = _text(record.get("user_id")), _text(record.get("device_id"))
    customer = user or device
    if customer is None:
        return None, None, f"{where} has no user_id or device_id"
    event = _text(record.get("event_type"))
    if event is None:
        return None, None, f"{where} has no event_type"
    time = next((record[k] for k in TIME_FIELDS if record.get(k) not in (None, "")), None)
    if time is None:
        return None, None, f"{where} has no event_time"
    properties = record.get("event_properties") if isinstance(record.get("event_properties"), Mapping) else {}
    platform = _text(record.get("platform"))
    row: dict[str, Any] = {"customer_id": customer, "event": event,
                           "touchpoint": PLATFORMS.get(platform.lower(), platform.lower()) if platform else None}
    session = _session(record.get("session_id"))
    if session is not None:
        row["session_id"] = f"{device or user}.{session}"
    revenue = next((source[k] for source in (record, properties) for k in ("revenue", "$revenue")
                    if source.get(k) not in (None, "")), None)
    if revenue is not None:
        if isinstance(revenue, bool):
            return None, None, f"{where}: revenue {revenue!r} is not a number"
        try:
            row["revenue"] = float(revenue)
        except (TypeError, ValueError):
            return None, None, f"{where}: revenue {revenue!r} is not a number"
    if record.get("session_id") is not None:
        row["amplitude_session_id"] = record.get("session_id")
    for key, value in record.items():
        if key not in MAPPED:
            name = key.lstrip("$")
            row[f"prop_{name}" if name in CONTRACT else name] = _scalar(value)
    for key, value in properties.items():
        name = key.lstrip("$")
        name = f"prop_{name}" if name in CONTRACT else name
        while name in row:  # a property never overwrites a top-level field or another property
            name = f"prop_{name}"
        row[name] = _scalar(value)
    user_properties = record.get("user_properties")
    if isinstance(user_properties, Mapping):
        for key, value in user_properties.items():
            row[f"user_prop_{key.lstrip('$')}"] = _scalar(value)
    return row, time, ""


@drops_personal
def parse_amplitude(path: Path, **options: Any) -> Imported:
    """Read one Amplitude export file into contract-named rows; see :func:`read_amplitude` for the mapping.

    Parameters
    ----------
    path : Path
        NDJSON, one event a line (``.json.gz`` as the Export API's zip holds them), or a JSON array.
    **options
        ``encoding`` (str, default sniffed).

    Returns
    -------
    Imported
        The rows, the events that could not be read, and each row's line number.
    """
    _check_options(options)
    path = Path(path)
    label = "record" if read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else "line"
    rows: list[dict[str, Any]] = []
    times: list[Any] = []
    numbers: list[int] = []
    bad: list[BadRecord] = []
    for number, record in iter_json_records(path, encoding=options.get("encoding")):
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        where = f"{label} {number}"
        if not isinstance(record, Mapping):
            bad.append(BadRecord(number, f"{where} is not a JSON object"))
            continue
        row, time, problem = _row(record, where)
        if row is None:
            bad.append(BadRecord(number, problem))
            continue
        rows.append(row)
        times.append(time)
        numbers.append(number)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=["customer_id", "event"])
    # event_time is UTC without a zone ("2024-03-01 10:00:00.123456"); utc=True reads it as UTC
    stamps = pd.to_datetime(pd.Series([str(t) for t in times], dtype=object), format="ISO8601", utc=True,
                            errors="coerce")
    keep = stamps.notna().to_numpy()
    for i in np.flatnonzero(~keep):
        bad.append(BadRecord(numbers[i], f"{label} {numbers[i]}: cannot read the time {times[i]!r} "
                                         "(expected 'YYYY-MM-DD HH:MM:SS.ffffff', UTC)"))
    frame = frame.loc[keep].reset_index(drop=True)
    frame.insert(1, "timestamp", stamps[keep].reset_index(drop=True).astype("datetime64[ns, UTC]"))
    return Imported(_tidy(frame), sorted(bad, key=lambda b: b.row), path.name,
                    np.asarray(numbers, dtype=np.int64)[keep])


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    for column in OTHER_TIMES:
        if column in frame and frame[column].notna().any():
            times = pd.to_datetime(frame[column].astype(object), format="ISO8601", utc=True, errors="coerce")
            if not (times.isna() & frame[column].notna()).any():
                frame[column] = times.astype("datetime64[ns, UTC]")
    return tidy_events(frame, CONTRACT, UNKNOWN_TOUCHPOINT)


def read_amplitude(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read an Amplitude Export API file (NDJSON) as contract-shaped events.

    Parameters
    ----------
    path : str or Path
        One event a line, as in the ``.json.gz`` files of the Export API's zip (``.gz`` is read
        as it is), or a JSON array of events.
    lenient : bool, default False
        Set unreadable events aside (counted in ``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``encoding`` : str, the text encoding (sniffed by default).

    Returns
    -------
    DataFrame
        One row per event.

    Raises
    ------
    DataValidationError
        When an event cannot be read (not JSON, no id, no event_type, unreadable time,
        non-numeric revenue) and ``lenient`` is False; the message names the file and the line.
    ParameterError
        For an unknown option.

    Notes
    -----
    ==========================  ===========================================================
    column                      from
    ==========================  ===========================================================
    ``customer_id``             ``user_id``, else ``device_id``
    ``timestamp``               ``event_time`` (UTC, ``"2024-03-01 10:00:00.123456"``), else
                                ``client_event_time``, ``server_received_time``,
                                ``server_upload_time``; exact to the microsecond
    ``event``                   ``event_type``
    ``touchpoint``              ``platform``: Web → ``"web"``, iOS/Android → ``"mobile_app"``,
                                others lowercased; left out when no event has a platform,
                                ``"unknown"`` for the events without one in a file where
                                others have it
    ``session_id``              ``device_id`` (else ``user_id``) + ``"."`` + ``session_id``,
                                none when ``session_id`` is -1 or missing (Amplitude's session
                                ids are start times, unique per device only)
    ``revenue``                 ``revenue``, else ``$revenue`` (top level, then in
                                ``event_properties``)
    ``amplitude_session_id``    ``session_id`` as exported
    *field*                     every other top-level field (``uuid``, ``user_id``,
                                ``device_id``, ``amplitude_id``, ``os_name``, ``country``…),
                                ``$`` dropped (``$insert_id`` → ``insert_id``); the other
                                ``*_time`` fields as UTC times when every value reads
    *property*                  each key of ``event_properties`` (``$`` dropped)
    ``user_prop_<key>``         each key of ``user_properties`` (``$`` dropped)
    ==========================  ===========================================================

    A field or property named like a contract column becomes ``prop_<name>``; objects and
    lists (``groups``, ``data``…) are kept as JSON text.
    """
    return finish(parse_amplitude(Path(path), **options), lenient=lenient)


def detect(sample: FileSample) -> bool:
    """Does the file look like an Amplitude export: JSON events with ``event_type`` and Amplitude's ids."""
    text = sample.text.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    return bool(re.search(r'"event_type"\s*:', text)
                and re.search(r'"(event_time|amplitude_id|device_id|client_event_time)"\s*:', text)
                and not re.search(r'"(event_name|event_timestamp)"\s*:', text))


IMPORTERS = (
    Importer(
        name="amplitude",
        table="events",
        parse=parse_amplitude,
        detect=detect,
        description="Amplitude Export API events (NDJSON, one event a line)",
        options=OPTIONS,
    ),
)
