"""Zendesk ticket exports to the feedback table: one row per ticket (``source="support_ticket"``).

Read are the JSON the Tickets and Incremental Tickets APIs return (``{"tickets": [...]}`` pages,
one ``{"ticket": {...}}``, an array of tickets), the account's full JSON export (NDJSON, one
ticket a line), and CSV: the account's CSV export (``Id``, ``Requester id``, ``Subject``, ``Via``,
``Created at``, ``Satisfaction Score``…), a view export (``ID``, ``Subject``, ``Requester``,
``Requested``…) or tickets flattened to ``id``, ``requester_id``, ``via.channel``… columns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.io.importers._feedback import (
    assemble,
    blank_to_na,
    check_bool,
    check_options,
    check_timezone,
    head_rows,
    is_json,
    json_keys,
    read_csv_frame,
    row_reasons,
    to_utc,
)
from jkit.io.importers.base import BadRecord, FileSample, Imported, Importer, finish, iter_json_records

__all__ = ["read_zendesk", "IMPORTERS"]

OPTIONS = ("timezone", "include_subject", "keep_personal")
#: output name: the vendor's names, normalized (lower case, ``_`` as space)
_FIELDS = {
    "feedback_id": ("id", "ticket id"),
    "customer_id": ("requester id",),
    "created": ("created at", "requested", "created", "created date"),
    "subject": ("subject",),
    "description": ("description",),
    "channel": ("via.channel", "via", "channel"),
    "satisfaction": ("satisfaction rating.score", "satisfaction score", "satisfaction rating", "satisfaction"),
}
_PERSONAL = {"requester", "requester name", "requester email", "submitter", "submitter name", "assignee",
             "assignee name"}
_CHANNELS = {"email": "email", "mail": "email", "web": "web", "web form": "web", "web widget": "web",
             "help center": "web", "mobile": "mobile_app", "mobile sdk": "mobile_app", "twitter": "social",
             "facebook": "social", "facebook post": "social", "facebook message": "social",
             "instagram dm": "social", "x corp": "social"}
_SOCIAL = re.compile(r"twitter|facebook|instagram")


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).replace("_", " ")).strip().lower()


def touchpoint_of(channel: Any) -> Any:
    """The contract touchpoint of a Zendesk ``via.channel`` value or CSV ``Via`` label (missing → missing).

    ``email``/``Mail`` → ``"email"``; ``web`` (web form, help center, web widget) → ``"web"``;
    ``mobile``/``mobile_sdk`` → ``"mobile_app"``; Twitter, Facebook, Instagram → ``"social"``;
    every other channel (chat, messaging, voice, SMS, WhatsApp, API, rules…) → ``"support"``.
    """
    if channel is None or (isinstance(channel, float) and np.isnan(channel)) or channel is pd.NA:
        return pd.NA
    key = _norm(channel)
    if not key:
        return pd.NA
    if key in _CHANNELS:
        return _CHANNELS[key]
    if "mail" in key:
        return "email"
    if "mobile" in key:
        return "mobile_app"
    return "social" if _SOCIAL.search(key) else "support"


def _satisfaction(value: Any) -> Any:
    text = "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip().lower()
    if text.startswith("good"):
        return "good"
    if text.startswith("bad"):
        return "bad"
    return pd.NA  # offered, unoffered, not offered, empty


def _flatten(ticket: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in ticket.items():
        if key == "via" and isinstance(value, dict):
            row["via.channel"] = value.get("channel")
        elif key == "satisfaction_rating" and isinstance(value, dict):
            row["satisfaction_rating.score"] = value.get("score")
            row["satisfaction_comment"] = value.get("comment")
        elif key in ("custom_fields", "fields") and isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and "id" in item:
                    v = item.get("value")
                    row[f"custom_field_{item['id']}"] = " ".join(map(str, v)) if isinstance(v, list) else v
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                row[key] = " ".join(map(str, value))  # tags, follower ids: Zendesk tags hold no spaces
        elif not isinstance(value, dict):
            row[key] = value
    return row


def _read_json(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadRecord]]:
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: list[BadRecord] = []
    counter = 0
    for number, record in iter_json_records(path):
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        if isinstance(record, dict) and isinstance(record.get("tickets"), list):
            tickets = record["tickets"]
        elif isinstance(record, dict) and isinstance(record.get("ticket"), dict):
            tickets = [record["ticket"]]
        else:
            tickets = None
        for ticket in tickets if tickets is not None else [record]:
            counter += 1
            where = counter if tickets is not None else number
            if isinstance(ticket, dict):
                rows.append(_flatten(ticket))
                numbers.append(where)
            else:
                bad.append(BadRecord(where, f"record {where} is not a ticket object but {type(ticket).__name__}"))
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return frame, np.asarray(numbers, dtype=np.int64), bad


def _text(description: pd.Series, subject: pd.Series, include_subject: bool) -> pd.Series:
    if not include_subject:
        return description.fillna(subject)

    def join(subj: Any, desc: Any) -> Any:
        if pd.isna(desc) or pd.isna(subj) or desc.startswith(subj):
            return subj if pd.isna(desc) else desc
        return f"{subj}{' ' if subj[-1] in '.!?:' else '. '}{desc}"

    return pd.Series([join(s, d) for s, d in zip(subject, description, strict=True)], index=description.index,
                     dtype="string")


def parse_zendesk(path: Path, **options: Any) -> Imported:
    """Read one Zendesk ticket export (see :func:`read_zendesk`)."""
    check_options("zendesk", options, OPTIONS)
    timezone = check_timezone("zendesk", options.get("timezone", "UTC"))
    include_subject = check_bool("zendesk", "include_subject", options.get("include_subject", False))
    keep_personal = check_bool("zendesk", "keep_personal", options.get("keep_personal", False))
    frame, nums, bad = _read_json(path) if is_json(path) else read_csv_frame(path)
    found: dict[str, str] = {}
    normalized = {_norm(c): c for c in reversed(list(frame.columns))}
    for out, names in _FIELDS.items():
        match = next((normalized[n] for n in names if n in normalized), None)
        if match is not None:
            found[out] = match
    n = len(frame)

    def column(out: str) -> pd.Series:
        return blank_to_na(frame[found[out]]) if out in found else pd.Series(pd.NA, index=frame.index, dtype="string")

    reasons: dict[int, str] = {}
    columns: dict[str, Any] = {"feedback_id": column("feedback_id")}
    customer = column("customer_id")
    if customer.notna().any():
        columns["customer_id"] = customer
    if "created" in found:
        raw = frame[found["created"]]
        columns["timestamp"], unreadable = to_utc(raw, timezone=timezone)
        row_reasons(reasons, unreadable, raw, found["created"])
    else:
        columns["timestamp"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    subject, description = column("subject"), column("description")
    columns["text"] = _text(description, subject, include_subject)
    columns["source"] = "support_ticket"
    channel = column("channel")
    columns["touchpoint"] = channel.map(touchpoint_of).astype("string")
    columns["subject"] = subject
    columns["channel"] = channel
    raw_score = frame[found["satisfaction"]] if "satisfaction" in found else pd.Series([None] * n, dtype=object)
    columns["satisfaction"] = raw_score.map(_satisfaction).astype("string")
    mapped = set(found.values())
    extra = frame[[c for c in frame.columns if c not in mapped and (keep_personal or _norm(c) not in _PERSONAL)]]
    return assemble(columns, extra, numbers_=nums, reasons=reasons, bad=bad, source=path.name)


def read_zendesk(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Zendesk ticket export (JSON, NDJSON or CSV) as feedback rows, one per ticket.

    ======================  =====================================================================
    column                  from
    ======================  =====================================================================
    ``feedback_id``         ``id`` (CSV ``Id``/``ID``)
    ``customer_id``         ``requester_id`` (CSV ``Requester id``); left out when empty throughout
    ``timestamp``           ``created_at`` (ISO 8601 in UTC, ``…Z``); CSV ``Created at`` or
                            ``Requested``: times without a zone are the account's, read in
                            ``timezone``
    ``text``                ``description`` — the requester's first message, their own words — or
                            ``subject`` when a ticket has no description (CSV exports carry none).
                            With ``include_subject=True``: ``"<subject>. <description>"``, unless
                            the description already starts with the subject
    ``source``              ``"support_ticket"``
    ``touchpoint``          from ``via.channel`` (CSV ``Via``): email → ``"email"``; web form, help
                            center, web widget → ``"web"``; mobile SDK → ``"mobile_app"``; Twitter,
                            Facebook, Instagram → ``"social"``; chat, messaging, voice, SMS, API
                            and the rest → ``"support"``
    ``subject``             ``subject``
    ``channel``             ``via.channel`` as written
    ``satisfaction``        ``satisfaction_rating.score`` (CSV ``Satisfaction Score``): ``"good"`` or
                            ``"bad"``; offered/unoffered → missing. Not mapped to ``csat``: Zendesk
                            asks good/bad, not 1–5, and jkit does not invent a number
    ``satisfaction_comment``  ``satisfaction_rating.comment``
    ``custom_field_<id>``   ``custom_fields`` values (lists joined by spaces)
    ``tags``, ``status``,   the other scalar fields, as read; lists (``tags``) joined by spaces
    ``priority``…
    (left out)              nested objects other than the above; CSV ``Requester``, ``Requester
                            email``, ``Submitter``, ``Assignee`` (names, e-mail: personal data)
                            unless ``keep_personal=True``
    ======================  =====================================================================

    Parameters
    ----------
    path : str or Path
        The export.
    lenient : bool, default False
        Set unreadable records (a JSON line that does not parse, a record that is not an object,
        a CSV row with more fields than the header, an unreadable creation time) aside and list
        them in ``frame.attrs["bad_records"]`` instead of raising.
    **options
        ``timezone`` (default ``"UTC"``), ``include_subject`` (default False), ``keep_personal``
        (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.

    Raises
    ------
    DataValidationError
        When a record cannot be read (file and record named) and ``lenient`` is False.
    """
    return finish(parse_zendesk(Path(path), **options), lenient=lenient)


def _detect(sample: FileSample) -> bool:
    keys = json_keys(sample)
    if keys:
        return {"id", "requester_id", "via"} <= keys and bool({"description", "subject"} & keys)
    rows = head_rows(sample, 1)
    cols = {_norm(c) for c in (rows[0] if rows else sample.columns)}
    return (
        bool({"id", "ticket id"} & cols) and "subject" in cols and bool({"requester", "requester id"} & cols)
        and bool({"created at", "requested", "created"} & cols)
    )


IMPORTERS = (
    Importer("zendesk", "feedback", parse_zendesk, _detect,
             "Zendesk tickets: API or full JSON export, CSV or view export", OPTIONS),
)
