"""App store reviews to the feedback table: Google Play and the App Store (``source="review"``).

Every review is one row with ``touchpoint="mobile_app"``. Star ratings are kept as ``rating``
(1–5), not mapped to ``csat``: a public star rating is not a satisfaction survey answer. Reviewer
names are personal data: they are kept in ``author_name`` only, the column jkit's reports redact.
"""

from __future__ import annotations

import ast
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
    is_json,
    json_keys,
    json_loads_lenient,
    numbers,
    optional_times,
    read_csv_frame,
    stem_of,
    to_utc,
)
from jkit.io.importers.base import BadRecord, FileSample, Imported, Importer, finish, iter_json_records

__all__ = ["read_google_play", "read_app_store", "IMPORTERS"]

OPTIONS = ("timezone", "keep_personal")
_GOOGLE_PLAY = {"reviewId": "feedback_id", "at": "timestamp", "content": "text", "score": "rating",
                "thumbsUpCount": "thumbs_up", "appVersion": "app_version",
                "reviewCreatedVersion": "review_created_version", "replyContent": "reply_text",
                "repliedAt": "replied_at", "userName": "author_name", "userImage": "author_image"}


def _options(fmt: str, options: dict[str, Any]) -> tuple[str, bool]:
    check_options(fmt, options, OPTIONS)
    return (check_timezone(fmt, options.get("timezone", "UTC")),
            check_bool(fmt, "keep_personal", options.get("keep_personal", False)))


def _json_rows(path: Path, unpack) -> tuple[pd.DataFrame, np.ndarray, list[BadRecord]]:
    """Rows of a JSON/NDJSON file: ``unpack(record)`` gives the review dicts of one record (None: not reviews)."""
    rows: list[dict[str, Any]] = []
    nums: list[int] = []
    bad: list[BadRecord] = []
    counter = 0
    for number, record in iter_json_records(path):
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        reviews = unpack(record)
        if reviews is None:
            bad.append(BadRecord(number, f"record {number} is not a review object"))
            continue
        for review, single in reviews:
            counter += 1
            rows.append(review)
            nums.append(number if single else counter)
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return frame, np.asarray(nums, dtype=np.int64), bad


def _reviews(path: Path, frame: pd.DataFrame, nums: np.ndarray, bad: list[BadRecord], *, time_field: str,
             rating_field: str, timezone: str) -> Imported:
    """Map a frame already named with output names (``timestamp`` raw, ``rating`` raw…) onto the contract."""
    reasons: dict[int, str] = {}
    notes: list[str] = []
    columns: dict[str, Any] = {}
    ids = blank_to_na(frame["feedback_id"]) if "feedback_id" in frame else None
    if ids is None or ids.isna().all():
        ids = pd.Series([f"{stem_of(path)}-{n}" for n in nums], dtype="string")
    columns["feedback_id"] = ids
    raw = frame["timestamp"] if "timestamp" in frame else pd.Series([None] * len(frame), dtype=object)
    columns["timestamp"], unreadable = to_utc(raw, timezone=timezone)
    for pos in np.flatnonzero(unreadable.to_numpy()):
        reasons[int(pos)] = f"column {time_field!r}: cannot read {str(raw.iloc[pos])!r} as a date/time"
    columns["text"] = blank_to_na(frame["text"]) if "text" in frame else pd.Series(pd.NA, index=frame.index,
                                                                                  dtype="string")
    columns["source"], columns["touchpoint"] = "review", "mobile_app"
    if "rating" in frame:
        columns["rating"], bad_rating = numbers(frame["rating"])
        for pos in np.flatnonzero(bad_rating.to_numpy()):
            reasons.setdefault(int(pos), f"column {rating_field!r}: {frame['rating'].iloc[pos]!r} is not a number")
    for name in ("title", "thumbs_up", "app_version", "review_created_version", "reply_text", "replied_at",
                 "author_name", "author_image", "is_edited"):
        if name not in frame:
            continue
        if name == "thumbs_up":
            columns[name] = numbers(frame[name])[0]
        elif name == "is_edited":
            text = blank_to_na(frame[name].astype(object).map(lambda v: v if v is None else str(v)))
            flags = text.str.lower().map({"true": True, "false": False})
            columns[name] = flags.astype("boolean") if flags.notna().sum() == text.notna().sum() else text
        elif name == "replied_at":
            columns[name] = optional_times(frame[name], name, name, notes, nums, timezone=timezone)
        else:
            columns[name] = blank_to_na(frame[name])
    consumed = {"feedback_id", "timestamp", "text", "rating", *columns}
    extra = frame[[c for c in frame.columns if c not in consumed or c in ("source", "touchpoint")]]
    return assemble(columns, extra, numbers_=nums, reasons=reasons, bad=bad, source=path.name,
                    attrs={"notes": notes})


# --------------------------------------------------------------------------- Google Play


def _play_unpack(record: Any) -> list[tuple[dict[str, Any], bool]] | None:
    if isinstance(record, dict) and isinstance(record.get("reviews"), list):
        return [(r, False) for r in record["reviews"] if isinstance(r, dict)]
    return [(record, True)] if isinstance(record, dict) else None


def parse_google_play(path: Path, **options: Any) -> Imported:
    """Read one Google Play reviews file (see :func:`read_google_play`)."""
    timezone, keep_personal = _options("google_play", options)
    frame, nums, bad = _json_rows(path, _play_unpack) if is_json(path) else read_csv_frame(path)
    if not keep_personal:
        frame = frame.drop(columns=[c for c in ("userImage",) if c in frame])
    frame = frame.rename(columns={k: v for k, v in _GOOGLE_PLAY.items() if k in frame})
    return _reviews(path, frame, nums, bad, time_field="at", rating_field="score", timezone=timezone)


def read_google_play(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read Google Play reviews, as google-play-scraper returns them, as feedback rows.

    Read are the review dicts written by pandas to CSV (quoted multi-line cells) and JSON arrays
    or NDJSON of them.

    ==========================  =================================================================
    column                      from
    ==========================  =================================================================
    ``feedback_id``             ``reviewId``
    ``timestamp``               ``at``: a naive time (google-play-scraper converts with the zone of
                                the machine it ran on: UTC on servers), read in ``timezone``
    ``text``                    ``content``
    ``source``, ``touchpoint``  ``"review"``, ``"mobile_app"``
    ``rating``                  ``score`` (stars 1–5)
    ``thumbs_up``               ``thumbsUpCount``
    ``app_version``             ``appVersion``
    ``review_created_version``  ``reviewCreatedVersion``
    ``reply_text``              ``replyContent`` (the developer's reply)
    ``replied_at``              ``repliedAt`` (UTC; an unreadable value is left empty, see
                                ``attrs["notes"]``)
    ``author_name``             ``userName`` (personal data: the column reports redact)
    ``author_image``            ``userImage`` only with ``keep_personal=True`` (a profile picture)
    other columns               kept as read (``platform``, ``bank``…)
    ==========================  =================================================================

    Parameters
    ----------
    path : str or Path
        The reviews file (``.csv``, ``.json``, ``.jsonl``, ``.gz``).
    lenient : bool, default False
        Set unreadable records (more fields than the header, a JSON line that does not parse, an
        unreadable ``at``, a ``score`` that is not a number) aside and list them in
        ``frame.attrs["bad_records"]`` instead of raising.
    **options
        ``timezone`` (default ``"UTC"``), ``keep_personal`` (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.

    Raises
    ------
    DataValidationError
        When a record cannot be read (file and row named) and ``lenient`` is False.
    """
    return finish(parse_google_play(Path(path), **options), lenient=lenient)


def _detect_google_play(sample: FileSample) -> bool:
    need = {"reviewId", "content", "score", "at"}
    return need <= (json_keys(sample) or set(sample.columns))


# --------------------------------------------------------------------------- App Store


def _label(value: Any) -> Any:
    return value.get("label") if isinstance(value, dict) else value


def _connect(item: dict[str, Any], included: dict[str, dict[str, Any]]) -> dict[str, Any]:
    attrs = item.get("attributes") or {}
    row = {"feedback_id": item.get("id"), "timestamp": attrs.get("createdDate"), "text": attrs.get("body"),
           "rating": attrs.get("rating"), "title": attrs.get("title"), "author_name": attrs.get("reviewerNickname"),
           "territory": attrs.get("territory")}
    link = ((item.get("relationships") or {}).get("response") or {}).get("data")
    reply = included.get(link.get("id")) if isinstance(link, dict) else None
    if reply:
        row.update(reply_text=reply.get("responseBody"), replied_at=reply.get("lastModifiedDate"),
                   reply_state=reply.get("state"))
    return row


def _rss(entry: dict[str, Any], keep_personal: bool) -> dict[str, Any]:
    author = entry.get("author") or {}
    row = {"feedback_id": _label(entry.get("id")), "timestamp": _label(entry.get("updated")),
           "text": _label(entry.get("content")), "rating": _label(entry.get("im:rating")),
           "title": _label(entry.get("title")), "author_name": _label(author.get("name")),
           "app_version": _label(entry.get("im:version")), "vote_count": _label(entry.get("im:voteCount")),
           "vote_sum": _label(entry.get("im:voteSum"))}
    if keep_personal:
        row["author_uri"] = _label(author.get("uri"))
    return row


def _scraper(review: dict[str, Any]) -> dict[str, Any]:
    """An app-store-scraper review (``date``, ``review``, ``rating``, ``title``, ``userName``…)."""
    names = {"id": "feedback_id", "reviewId": "feedback_id", "date": "timestamp", "review": "text",
             "userName": "author_name", "isEdited": "is_edited"}
    row = {names.get(k, k): v for k, v in review.items() if k != "developerResponse"}
    response = review.get("developerResponse")
    if isinstance(response, str) and response.strip().startswith("{"):
        parsed = json_loads_lenient(response)
        if parsed is None:
            try:
                parsed = ast.literal_eval(response.strip())  # pandas writes the dict's repr
            except (ValueError, SyntaxError):
                parsed = None
        response = parsed if isinstance(parsed, dict) else response
    if isinstance(response, dict):
        row.update(reply_text=response.get("body"), replied_at=response.get("modified"))
    elif response not in (None, "") and not (isinstance(response, float) and np.isnan(response)):
        row["reply_text"] = response
    return row


def _store_unpack(keep_personal: bool, kinds: set[str]):
    def unpack(record: Any) -> list[tuple[dict[str, Any], bool]] | None:
        if not isinstance(record, dict):
            return None
        if isinstance(record.get("data"), list) or record.get("type") == "customerReviews":
            kinds.add("createdDate")
        elif isinstance(record.get("feed"), dict):
            kinds.add("updated")
        if isinstance(record.get("data"), list):
            included = {i.get("id"): i.get("attributes") or {} for i in record.get("included") or []
                        if isinstance(i, dict)}
            return [(_connect(i, included), False) for i in record["data"] if isinstance(i, dict)]
        if record.get("type") == "customerReviews":
            return [(_connect(record, {}), True)]
        if isinstance(record.get("feed"), dict):
            entries = record["feed"].get("entry") or []
            entries = [entries] if isinstance(entries, dict) else entries
            # the first entry of older feeds describes the app itself: it has no rating
            return [(_rss(e, keep_personal), False) for e in entries if isinstance(e, dict) and "im:rating" in e]
        if {"review", "rating"} <= set(record):
            return [(_scraper(record), True)]
        return None

    return unpack


def parse_app_store(path: Path, **options: Any) -> Imported:
    """Read one App Store reviews file (see :func:`read_app_store`)."""
    timezone, keep_personal = _options("app_store", options)
    if is_json(path):
        kinds: set[str] = set()
        frame, nums, bad = _json_rows(path, _store_unpack(keep_personal, kinds))
        time_field = "/".join(sorted(kinds)) or "date"
    else:
        frame, nums, bad = read_csv_frame(path)
        frame = pd.DataFrame([_scraper(r) for r in frame.to_dict("records")], index=frame.index, dtype=object)
        time_field = "date"
    return _reviews(path, frame, nums, bad, time_field=time_field, rating_field="rating", timezone=timezone)


def read_app_store(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read App Store reviews as feedback rows.

    Read are the App Store Connect API's ``customerReviews`` JSON (pages ``{"data": [...],
    "included": [...]}``, as saved from ``GET /v1/apps/{id}/customerReviews?include=response``,
    or NDJSON of pages or review items), the public RSS reviews feed as JSON (``{"feed":
    {"entry": [...]}}``), and app-store-scraper's reviews (``date``, ``review``, ``rating``,
    ``title``, ``userName``, ``isEdited``, ``developerResponse``) as CSV or JSON.

    ==========================  =================================================================
    column                      from (Connect API / RSS feed / app-store-scraper)
    ==========================  =================================================================
    ``feedback_id``             ``id`` / ``id.label`` / ``id`` if present, else
                                ``"<file stem>-<row>"``
    ``timestamp``               ``createdDate`` (with its offset) / ``updated.label`` / ``date``
                                (UTC without zone); naive times read in ``timezone``
    ``text``                    ``body`` / ``content.label`` / ``review``: the review's body. The
                                title is kept apart, so that a one-word title does not swamp
                                sentiment
    ``title``                   ``title`` / ``title.label`` / ``title``
    ``source``, ``touchpoint``  ``"review"``, ``"mobile_app"``
    ``rating``                  ``rating`` / ``im:rating.label`` / ``rating`` (stars 1–5)
    ``author_name``             ``reviewerNickname`` / ``author.name.label`` / ``userName``
                                (personal data: the column reports redact)
    ``reply_text``              the included ``customerReviewResponses``' ``responseBody`` /
                                — / ``developerResponse.body``
    ``replied_at``              its ``lastModifiedDate`` / — / ``developerResponse.modified``
    ``reply_state``             its ``state`` (``PUBLISHED``, ``PENDING_PUBLISH``)
    ``territory``               ``territory`` (``USA``…)
    ``app_version``, ``vote_count``, ``vote_sum``  RSS ``im:version``, ``im:voteCount``,
                                ``im:voteSum``
    ``is_edited``               app-store-scraper ``isEdited``; its other fields kept as read
    (left out)                  the RSS ``author.uri`` unless ``keep_personal=True``; RSS entries
                                without a rating (older feeds list the app itself first)
    ==========================  =================================================================

    Parameters
    ----------
    path : str or Path
        The reviews file.
    lenient : bool, default False
        Set unreadable records aside (``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``timezone`` (default ``"UTC"``), ``keep_personal`` (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.
    """
    return finish(parse_app_store(Path(path), **options), lenient=lenient)


def _detect_app_store(sample: FileSample) -> bool:
    keys = json_keys(sample)
    if keys:
        connect = "reviewerNickname" in keys and '"customerReviews"' in sample.text
        scraper = {"review", "rating", "date"} <= keys and bool({"userName", "title"} & keys)
        return connect or "im:rating" in keys or scraper
    cols = set(sample.columns)
    return {"date", "review", "rating"} <= cols and bool({"userName", "title"} & cols)


IMPORTERS = (
    Importer("google_play", "feedback", parse_google_play, _detect_google_play,
             "Google Play reviews (google-play-scraper CSV or JSON)", OPTIONS),
    Importer("app_store", "feedback", parse_app_store, _detect_app_store,
             "App Store reviews (App Store Connect API JSON, RSS feed JSON, app-store-scraper CSV)", OPTIONS),
)
