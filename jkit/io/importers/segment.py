"""Segment messages (track, page, screen, identify, group, alias) as events.

Reads the HTTP/batch API body Segment's libraries send (``{"batch": [...], "context": ...,
"sentAt": ...}``), a JSON array of messages, or NDJSON with one message (or one batch) a line —
the form of Segment's S3/warehouse archives.
"""

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

__all__ = ["IMPORTERS", "detect", "parse_segment", "read_segment"]

OPTIONS = ("encoding", "keep_personal")
CONTRACT = EVENT_COLUMNS
#: the touchpoint of rows whose message does not say, in a file where others do (the contract's default)
#: columns this importer sets itself; a property of one of these names is kept as ``prop_<name>``
RESERVED = frozenset(CONTRACT) | {"message_id", "message_type", "page_name", "page_category", "screen_name",
                                  "group_id", "previous_id"}
EVENT_OF_TYPE = {"page": "page_view", "screen": "screen_view", "identify": "identify", "group": "group",
                 "alias": "alias"}
_MOBILE_LIBRARIES = ("ios", "android", "swift", "kotlin", "react-native", "flutter", "xamarin")
_WEB_LIBRARIES = ("analytics.js", "analytics-next", "analytics-browser")
_TYPES = "track|page|screen|identify|group|alias"


def _check_options(options: Mapping[str, Any]) -> None:
    check_options("read_segment", options, OPTIONS)


def _text(value: Any) -> str | None:
    """An id or label as text; ``None`` for missing or blank values."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _scalar(value: Any) -> Any:
    """A property value for a column: scalars as they are, objects and lists as JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged onto ``base``, nested objects merged key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _sub(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, Mapping) else {}


def _touchpoint(context: Mapping[str, Any]) -> str | None:
    """``mobile_app`` for iOS/Android devices, OSes or libraries; ``web`` for browsers; else ``None``."""
    device = str(_sub(context, "device").get("type") or "").lower()
    os_name = str(_sub(context, "os").get("name") or "").lower()
    library = str(_sub(context, "library").get("name") or "").lower()
    if device in ("ios", "android") or os_name in ("ios", "ipados", "android"):
        return "mobile_app"
    if any(word in library for word in _MOBILE_LIBRARIES):
        return "mobile_app"
    if "page" in context or "userAgent" in context or library in _WEB_LIBRARIES:
        return "web"
    return None


def _number(value: Any) -> tuple[float | None, bool]:
    """``(number, ok)``: a revenue value as a float; ``ok`` is False for text that is not a number."""
    if value is None or value == "":
        return None, True
    if isinstance(value, bool):
        return None, False
    try:
        return float(value), True
    except (TypeError, ValueError):
        return None, False


def _messages(path: Path, encoding: str | None) -> tuple[bool, list[tuple[int, Any, Mapping[str, Any]]]]:
    """``(numbered by line, [(number, message or BadRecord, batch), ...])``.

    Messages of a batch carry the batch (its ``context`` and ``sentAt``). A file that is one batch
    or a JSON array numbers its messages 1, 2, …; NDJSON numbers them by line.
    """
    items = list(iter_json_records(path, encoding=encoding))
    single_batch = len(items) == 1 and isinstance(items[0][1], Mapping) and isinstance(items[0][1].get("batch"), list)
    array = read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
    out: list[tuple[int, Any, Mapping[str, Any]]] = []
    for number, record in items:
        if isinstance(record, Mapping) and isinstance(record.get("batch"), list):
            batch = {k: v for k, v in record.items() if k != "batch"}
            for position, message in enumerate(record["batch"], start=1):
                out.append(((position if single_batch else number), message, batch))
        else:
            out.append((number, record, {}))
    return not (single_batch or array), out


def _record(message: Any, batch: Mapping[str, Any], where: str) -> tuple[dict[str, Any] | None, Any, str]:
    """One message as ``(row, raw time, problem)``; ``row`` is None when the message cannot be read."""
    if not isinstance(message, Mapping):
        return None, None, f"{where} is not a JSON object"
    customer = _text(message.get("userId")) or _text(message.get("anonymousId"))
    if customer is None:
        return None, None, f"{where} has no userId or anonymousId"
    time = next((message.get(k) for k in ("timestamp", "originalTimestamp", "sentAt", "receivedAt")
                 if message.get(k) not in (None, "")), None)
    time = time if time is not None else batch.get("sentAt")
    if time in (None, ""):
        return None, None, f"{where} has no timestamp, originalTimestamp, sentAt or receivedAt"
    kind = (_text(message.get("type")) or ("track" if "event" in message else "")).lower()
    if not kind:
        return None, None, f"{where} has no type"
    if kind == "track":
        event = _text(message.get("event"))
        if event is None:
            return None, None, f"{where} is a track message without an event name"
    else:
        event = EVENT_OF_TYPE.get(kind, kind)
    context = _merge(_sub(batch, "context"), _sub(message, "context"))
    properties = _sub(message, "properties")
    row: dict[str, Any] = {"customer_id": customer, "event": event, "touchpoint": _touchpoint(context)}
    session = _text(context.get("sessionId")) or _text(properties.get("session_id")) or _text(
        properties.get("sessionId"))
    if session is not None:
        row["session_id"] = session
    revenue_raw = properties.get("revenue", properties.get("total"))
    revenue, ok = _number(revenue_raw)
    if not ok:
        return None, None, f"{where}: revenue {revenue_raw!r} is not a number"
    if revenue is not None:
        row["revenue"] = revenue
    row["message_type"] = kind
    row["message_id"] = _text(message.get("messageId"))
    if kind in ("page", "screen"):
        row[f"{kind}_name"] = _text(message.get("name"))
        if kind == "page" and message.get("category") is not None:
            row["page_category"] = _text(message.get("category"))
    if kind == "group":
        row["group_id"] = _text(message.get("groupId"))
    if kind == "alias":
        row["previous_id"] = _text(message.get("previousId"))
    for key, value in properties.items():
        row[f"prop_{key}" if key in RESERVED else key] = _scalar(value)
    traits = _merge(_sub(context, "traits"), _sub(message, "traits"))
    for key, value in traits.items():
        row[f"trait_{key}"] = _scalar(value)
    for key, value in context.items():
        if key == "traits":
            continue
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                row[f"context_{key}_{sub}"] = _scalar(inner)
        else:
            row[f"context_{key}"] = _scalar(value)
    return row, time, ""


@drops_personal
def parse_segment(path: Path, **options: Any) -> Imported:
    """Read one Segment file into contract-named rows; see :func:`read_segment` for the mapping.

    Parameters
    ----------
    path : Path
        A batch body (``{"batch": [...]}``), a JSON array of messages, or NDJSON (``.gz`` too).
    **options
        ``encoding`` (str, default sniffed).

    Returns
    -------
    Imported
        The rows, the messages that could not be read, and each row's record number.
    """
    _check_options(options)
    path = Path(path)
    rows: list[dict[str, Any]] = []
    times: list[Any] = []
    numbers: list[int] = []
    bad: list[BadRecord] = []
    by_line, messages = _messages(path, options.get("encoding"))
    for number, message, batch in messages:
        if isinstance(message, BadRecord):
            bad.append(message)
            continue
        where = f"line {number}" if by_line else f"message {number}"
        row, time, problem = _record(message, batch, where)
        if row is None:
            bad.append(BadRecord(number, problem))
            continue
        rows.append(row)
        times.append(time)
        numbers.append(number)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=["customer_id", "event"])
    stamps = pd.to_datetime(pd.Series([str(t) for t in times], dtype=object), format="ISO8601", utc=True,
                            errors="coerce")
    unreadable = np.flatnonzero(stamps.isna().to_numpy())
    for i in unreadable:
        where = f"line {numbers[i]}" if by_line else f"message {numbers[i]}"
        bad.append(BadRecord(numbers[i], f"{where}: cannot read the time {times[i]!r} (expected ISO 8601)"))
    keep = ~stamps.isna().to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    frame.insert(1, "timestamp", stamps[keep].reset_index(drop=True).astype("datetime64[ns, UTC]"))
    return Imported(_tidy(frame), sorted(bad, key=lambda b: b.row), path.name,
                    np.asarray(numbers, dtype=np.int64)[keep])


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return tidy_events(frame, CONTRACT, UNKNOWN_TOUCHPOINT)


def read_segment(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read Segment messages (batch bodies, JSON arrays or NDJSON) as contract-shaped events.

    Parameters
    ----------
    path : str or Path
        The file: a batch body ``{"batch": [...], "context": ..., "sentAt": ...}`` as Segment's
        libraries send it, a JSON array of messages, or NDJSON (one message or batch a line; ``.gz`` too).
    lenient : bool, default False
        Set unreadable messages aside (counted in ``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``encoding`` : str, the text encoding (sniffed by default).

    Returns
    -------
    DataFrame
        One row per message.

    Raises
    ------
    DataValidationError
        When a message cannot be read (not JSON, no id, no or unreadable time, a non-numeric
        revenue) and ``lenient`` is False; the message names the file and the line or message number.
    ParameterError
        For an unknown option.

    Notes
    -----
    The batch's ``context`` is merged under each message's own ``context``.

    ==================  ===================================================================
    column              from
    ==================  ===================================================================
    ``customer_id``     ``userId``, else ``anonymousId``
    ``timestamp``       ``timestamp``, else ``originalTimestamp``, ``sentAt`` (message, then
                        batch), ``receivedAt``; ISO 8601, converted to UTC (naive = UTC)
    ``event``           track: ``event``; page: ``"page_view"``; screen: ``"screen_view"``;
                        identify, group, alias: the type (``"identify"``…)
    ``touchpoint``      ``"mobile_app"`` when ``context.device.type``/``context.os.name`` is
                        iOS/Android or the library is a mobile one (analytics-ios, -android,
                        -swift, -kotlin, -react-native, -flutter); ``"web"`` when the context
                        has ``page`` or ``userAgent`` or the library is analytics.js; left out
                        when no message says (server libraries such as analytics-go);
                        ``"unknown"`` for the messages that do not say in a file where some do
    ``session_id``      ``context.sessionId``, else ``properties.session_id``/``sessionId``
    ``revenue``         ``properties.revenue``, else ``properties.total``
    ``message_type``    ``type``; ``message_id`` ← ``messageId``
    ``page_name``       page ``name`` (and ``page_category`` ← ``category``); screen ``name``
                        → ``screen_name``; ``group_id`` ← ``groupId``; ``previous_id`` ←
                        ``previousId``
    *property*          each key of ``properties`` (objects and lists as JSON text); a key
                        named like a column above becomes ``prop_<key>``
    ``trait_<key>``     each key of ``traits`` (``context.traits`` under the message's)
    ``context_<key>``   each scalar of the merged ``context``; objects one level down as
                        ``context_<key>_<sub>`` (``context_library_name``)
    ==================  ===================================================================

    ``integrations`` (routing settings, not data) is not kept.
    """
    return finish(parse_segment(Path(path), **options), lenient=lenient)


def detect(sample: FileSample) -> bool:
    """Does the file look like Segment: a ``batch`` body, or messages with a Segment ``type``."""
    text = sample.text.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    if re.search(r'"batch"\s*:\s*\[', text) and re.search(r'"(messageId|sentAt|writeKey)"\s*:', text):
        return True
    return bool(re.search(rf'"type"\s*:\s*"({_TYPES})"', text)
                and re.search(r'"(messageId|anonymousId|userId)"\s*:', text))


IMPORTERS = (
    Importer(
        name="segment",
        table="events",
        parse=parse_segment,
        detect=detect,
        description="Segment track/page/screen/identify messages (batch JSON, JSON array or NDJSON)",
        options=OPTIONS,
    ),
)
