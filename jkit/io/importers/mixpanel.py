"""Mixpanel raw event export (the Export API's NDJSON: ``{"event": ..., "properties": {...}}`` a line)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import ParameterError
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

__all__ = ["IMPORTERS", "detect", "parse_mixpanel", "read_mixpanel"]

OPTIONS = ("project_timezone", "default_id", "encoding", "keep_personal")
CONTRACT = EVENT_COLUMNS
#: properties that are mapped onto contract columns and not kept again
MAPPED = ("time", "distinct_id")
ID_KEYS = ("distinct_id", "$user_id", "$device_id")
_MOBILE_LIBS = frozenset({"iphone", "swift", "android", "react-native", "flutter"})
_NS = 1_000_000_000


def _check_options(options: Mapping[str, Any]) -> None:
    check_options("read_mixpanel", options, OPTIONS)
    zone = options.get("project_timezone")
    if zone is not None:
        try:
            pd.Timestamp("2020-01-01").tz_localize(zone)
        except Exception:  # pytz, zoneinfo and dateutil raise different types
            raise ParameterError(f"read_mixpanel: project_timezone {zone!r} is not a time zone name "
                                 "(use an IANA name such as 'US/Pacific' or 'Europe/London')") from None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _epoch_ns(value: Any) -> int | None:
    """Mixpanel ``time`` (seconds, or milliseconds when above 1e11) as integer nanoseconds; exact."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(value) if isinstance(value, (int, str)) else Decimal(repr(float(value)))
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite():
        return None
    scale = 1_000_000 if abs(number) >= Decimal("1e11") else _NS
    ns = int((number * scale).to_integral_value())
    return ns if abs(ns) < 2**63 - 1 else None


def _touchpoint(properties: Mapping[str, Any]) -> str | None:
    lib = str(properties.get("mp_lib") or "").lower()
    if lib == "web":
        return "web"
    if lib in _MOBILE_LIBS or str(properties.get("$os") or "").lower() in ("ios", "android"):
        return "mobile_app"
    return None


def _column_names(keys: set[str]) -> dict[str, str]:
    """Column of each property: ``$`` dropped (``mp_`` instead when the plain name is a key too),
    ``prop_`` before a contract column name."""
    names = {}
    for key in keys:
        name = key
        if key.startswith("$"):
            name = key[1:] if key[1:] not in keys else f"mp_{key[1:]}"
        names[key] = f"prop_{name}" if name in CONTRACT else name
    return names


@drops_personal
def parse_mixpanel(path: Path, **options: Any) -> Imported:
    """Read one Mixpanel export file into contract-named rows; see :func:`read_mixpanel` for the mapping.

    Parameters
    ----------
    path : Path
        NDJSON (``.gz`` too) or a JSON array of ``{"event": ..., "properties": {...}}``.
    **options
        ``project_timezone`` (str), ``default_id`` (str), ``encoding`` (str).

    Returns
    -------
    Imported
        The rows, the records that could not be read, and each row's line number.
    """
    _check_options(options)
    path = Path(path)
    zone = options.get("project_timezone")
    default_id = _text(options.get("default_id"))
    label = "record" if read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else "line"
    kept: list[tuple[int, str, str, int, Mapping[str, Any]]] = []
    bad: list[BadRecord] = []
    for number, record in iter_json_records(path, encoding=options.get("encoding")):
        where = f"{label} {number}"
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        properties = record.get("properties") if isinstance(record, Mapping) else None
        if not isinstance(properties, Mapping):
            bad.append(BadRecord(number, f"{where} has no properties object"))
            continue
        event = _text(record.get("event"))
        customer = next((_text(properties.get(k)) for k in ID_KEYS if _text(properties.get(k))), None) or default_id
        ns = _epoch_ns(properties.get("time"))
        if event is None:
            bad.append(BadRecord(number, f"{where} has no event name"))
        elif customer is None:
            bad.append(BadRecord(number, f"{where} has no distinct_id, $user_id or $device_id "
                                         "(pass default_id='…' to read such events as one anonymous customer)"))
        elif ns is None:
            bad.append(BadRecord(number, f"{where}: cannot read properties.time {properties.get('time')!r} "
                                         "as epoch seconds or milliseconds"))
        else:
            kept.append((number, customer, event, ns, properties))

    names = _column_names({k for *_, p in kept for k in p if k not in MAPPED})
    rows = []
    for _number, customer, event, _ns, properties in kept:
        row: dict[str, Any] = {"customer_id": customer, "event": event, "touchpoint": _touchpoint(properties)}
        if _text(properties.get("$session_id")):
            row["session_id"] = _text(properties["$session_id"])
        revenue = next((properties[k] for k in ("$amount", "revenue") if properties.get(k) not in (None, "")), None)
        if revenue is not None and not isinstance(revenue, bool):
            row["revenue"] = revenue
        for key, value in properties.items():
            if key not in MAPPED:
                row[names[key]] = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
        rows.append(row)
    numbers = np.asarray([k[0] for k in kept], dtype=np.int64)
    local = pd.Series(np.asarray([k[3] for k in kept], dtype=np.int64).view("datetime64[ns]"))
    if zone is None:
        stamps = local.dt.tz_localize("UTC")
    else:
        stamps = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=["customer_id", "event"])
    keep = stamps.notna().to_numpy().copy()
    for i in np.flatnonzero(~keep):
        bad.append(BadRecord(int(numbers[i]), f"{label} {numbers[i]}: the time {local[i]} does not exist or is "
                                              f"ambiguous in {zone} (a daylight-saving change)"))
    if "revenue" in frame:
        revenue = pd.to_numeric(frame["revenue"], errors="coerce")
        unreadable = (revenue.isna() & frame["revenue"].notna()).to_numpy()
        for i in np.flatnonzero(unreadable & keep):
            bad.append(BadRecord(int(numbers[i]), f"{label} {numbers[i]}: revenue {frame['revenue'][i]!r} is not a number"))
        keep &= ~unreadable
        frame["revenue"] = revenue.astype("float64")
    frame = frame.loc[keep].reset_index(drop=True)
    frame.insert(1, "timestamp", stamps[keep].reset_index(drop=True).astype("datetime64[ns, UTC]"))
    return Imported(_tidy(frame), sorted(bad, key=lambda b: b.row), path.name, numbers[keep])


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return tidy_events(frame, CONTRACT, UNKNOWN_TOUCHPOINT)


def read_mixpanel(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Mixpanel raw event export (NDJSON) as contract-shaped events.

    Parameters
    ----------
    path : str or Path
        The export: one ``{"event": ..., "properties": {...}}`` a line (``.gz`` too), or a JSON array.
    lenient : bool, default False
        Set unreadable records aside (counted in ``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``project_timezone`` : str, optional
            Projects created before 2023 may export ``time`` as *local* wall-clock seconds of the
            project's time zone. Name it (``"US/Pacific"``) to read ``time`` as naive local time
            and convert it to UTC; local times a daylight-saving change skips or repeats are
            reported as bad records. Default: ``time`` is UTC epoch time.
        ``default_id`` : str, optional
            The ``customer_id`` of events without any id (for example ``"anonymous"``). Default:
            such events are bad records.
        ``encoding`` : str, the text encoding (sniffed by default).

    Returns
    -------
    DataFrame
        One row per event.

    Raises
    ------
    DataValidationError
        When a record cannot be read (not JSON, no event name, no id, unreadable time,
        non-numeric revenue) and ``lenient`` is False; the message names the file and the line.
    ParameterError
        For an unknown option or time zone.

    Notes
    -----
    ==================  ===================================================================
    column              from
    ==================  ===================================================================
    ``customer_id``     ``properties.distinct_id``, else ``$user_id``, else ``$device_id``,
                        else the ``default_id`` option
    ``timestamp``       ``properties.time``: epoch seconds (milliseconds when above 1e11),
                        UTC unless ``project_timezone`` says otherwise; exact
    ``event``           ``event``
    ``touchpoint``      ``"web"`` when ``mp_lib`` is ``web`` (whatever ``$os``: a phone's
                        browser is web); ``"mobile_app"`` when ``mp_lib`` is a mobile SDK
                        (iphone, swift, android, react-native, flutter) or ``$os`` is iOS or
                        Android; left out when no event says (server libraries),
                        ``"unknown"`` for the events that do not say in a file where some do
    ``session_id``      ``properties.$session_id`` when present
    ``revenue``         ``properties.$amount``, else ``properties.revenue``
    *property*          every other property, named without its leading ``$``
                        (``$insert_id`` → ``insert_id``, ``$os`` → ``os``); ``mp_<name>`` when
                        the file also has a property ``<name>``; ``prop_<name>`` when the name
                        is a contract column (``revenue`` → ``prop_revenue``). Objects and
                        lists as JSON text. ``time`` and ``distinct_id`` are not repeated.
    ==================  ===================================================================
    """
    return finish(parse_mixpanel(Path(path), **options), lenient=lenient)


def detect(sample: FileSample) -> bool:
    """Does the file look like a Mixpanel export: ``event`` and a ``properties`` object with ``time``."""
    text = sample.text.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    if sample.columns and set(sample.columns) != {"event", "properties"}:
        return False  # an export record has these two keys only
    if re.search(r'"(type|messageId|anonymousId|userId|event_type|event_name)"\s*:', text):
        return False  # Segment, Amplitude, GA4
    return bool(re.search(r'"event"\s*:', text) and re.search(r'"properties"\s*:\s*\{', text)
                and re.search(r'"(time|distinct_id|\$insert_id|mp_processing_time_ms)"\s*:', text))


IMPORTERS = (
    Importer(
        name="mixpanel",
        table="events",
        parse=parse_mixpanel,
        detect=detect,
        description="Mixpanel raw event export (NDJSON from the Export API)",
        options=OPTIONS,
    ),
)
