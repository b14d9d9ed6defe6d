"""Snowplow enriched events: the canonical TSV of the enriched stream (no header, 131 fields a line)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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
)
from jkit.io.sniff import open_text

__all__ = ["FIELDS", "IMPORTERS", "detect", "parse_snowplow", "read_snowplow"]

#: the enriched event's fields in the canonical TSV order (docs.snowplow.io, "Enriched stream TSV file format")
FIELDS = (
    "app_id", "platform", "etl_tstamp", "collector_tstamp", "dvce_created_tstamp", "event", "event_id", "txn_id",
    "name_tracker", "v_tracker", "v_collector", "v_etl", "user_id", "user_ipaddress", "user_fingerprint",
    "domain_userid", "domain_sessionidx", "network_userid", "geo_country", "geo_region", "geo_city", "geo_zipcode",
    "geo_latitude", "geo_longitude", "geo_region_name", "ip_isp", "ip_organization", "ip_domain", "ip_netspeed",
    "page_url", "page_title", "page_referrer", "page_urlscheme", "page_urlhost", "page_urlport", "page_urlpath",
    "page_urlquery", "page_urlfragment", "refr_urlscheme", "refr_urlhost", "refr_urlport", "refr_urlpath",
    "refr_urlquery", "refr_urlfragment", "refr_medium", "refr_source", "refr_term", "mkt_medium", "mkt_source",
    "mkt_term", "mkt_content", "mkt_campaign", "contexts", "se_category", "se_action", "se_label", "se_property",
    "se_value", "unstruct_event", "tr_orderid", "tr_affiliation", "tr_total", "tr_tax", "tr_shipping", "tr_city",
    "tr_state", "tr_country", "ti_orderid", "ti_sku", "ti_name", "ti_category", "ti_price", "ti_quantity",
    "pp_xoffset_min", "pp_xoffset_max", "pp_yoffset_min", "pp_yoffset_max", "useragent", "br_name", "br_family",
    "br_version", "br_type", "br_renderengine", "br_lang", "br_features_pdf", "br_features_flash", "br_features_java",
    "br_features_director", "br_features_quicktime", "br_features_realplayer", "br_features_windowsmedia",
    "br_features_gears", "br_features_silverlight", "br_cookies", "br_colordepth", "br_viewwidth", "br_viewheight",
    "os_name", "os_family", "os_manufacturer", "os_timezone", "dvce_type", "dvce_ismobile", "dvce_screenwidth",
    "dvce_screenheight", "doc_charset", "doc_width", "doc_height", "tr_currency", "tr_total_base", "tr_tax_base",
    "tr_shipping_base", "ti_currency", "ti_price_base", "base_currency", "geo_timezone", "mkt_clickid", "mkt_network",
    "etl_tags", "dvce_sent_tstamp", "refr_domain_userid", "refr_device_tstamp", "derived_contexts",
    "domain_sessionid", "derived_tstamp", "event_vendor", "event_name", "event_format", "event_version",
    "event_fingerprint", "true_tstamp",
)
TIMESTAMPS = ("etl_tstamp", "collector_tstamp", "dvce_created_tstamp", "dvce_sent_tstamp", "refr_device_tstamp",
              "derived_tstamp", "true_tstamp")
NUMBERS = ("txn_id", "domain_sessionidx", "geo_latitude", "geo_longitude", "page_urlport", "refr_urlport", "se_value",
           "tr_total", "tr_tax", "tr_shipping", "ti_price", "ti_quantity", "pp_xoffset_min", "pp_xoffset_max",
           "pp_yoffset_min", "pp_yoffset_max", "br_viewwidth", "br_viewheight", "dvce_screenwidth",
           "dvce_screenheight", "doc_width", "doc_height", "tr_total_base", "tr_tax_base", "tr_shipping_base",
           "ti_price_base")
FLAGS = tuple(f for f in FIELDS if f.startswith("br_features_")) + ("br_cookies", "dvce_ismobile")
PLATFORMS = {"web": "web", "mob": "mobile_app", "pc": "desktop_app", "app": "app", "srv": "server", "tv": "tv",
             "cnsl": "console", "iot": "iot", "headset": "headset"}
ID_FIELDS = {"user_id_or_domain_userid": ("user_id", "domain_userid"), "user_id": ("user_id",),
             "domain_userid": ("domain_userid",), "network_userid": ("network_userid",)}
STRUCT_EVENTS = ("category_action", "action")
OPTIONS = ("id_field", "struct_event", "encoding", "keep_personal")
CONTRACT = EVENT_COLUMNS
_TSTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def _check_options(options: Mapping[str, Any]) -> None:
    check_options("read_snowplow", options, OPTIONS)
    for option, accepted in (("id_field", tuple(ID_FIELDS)), ("struct_event", STRUCT_EVENTS)):
        if option in options and options[option] not in accepted:
            raise ParameterError(f"read_snowplow: {option}={options[option]!r}; expected one of {', '.join(accepted)}")


def _lines(path: Path, encoding: str | None) -> tuple[list[list[str]], list[int], list[BadRecord]]:
    rows, numbers, bad = [], [], []
    with open_text(path, encoding) as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != len(FIELDS):
                bad.append(BadRecord(number, f"line {number} has {len(fields)} fields; a Snowplow enriched event "
                                             f"has {len(FIELDS)} (is the line cut, or not an enriched event?)"))
                continue
            rows.append(fields)
            numbers.append(number)
    return rows, numbers, bad


def _typed(column: pd.Series, name: str) -> pd.Series:
    """A raw field typed when every value reads (times as UTC, numbers, 0/1 flags); else kept as text."""
    present = column.notna()
    if name in TIMESTAMPS:
        out = pd.to_datetime(column, format="ISO8601", utc=True, errors="coerce")
        return out.astype("datetime64[ns, UTC]") if not (out.isna() & present).any() else column
    if name in NUMBERS:
        out = pd.to_numeric(column, errors="coerce")
        return out if not (out.isna() & present).any() else column
    if name in FLAGS and column[present].isin(["0", "1"]).all():
        return column.map({"1": True, "0": False}).astype("boolean")
    return column


def _self_describing(text: Any) -> Mapping[str, Any]:
    """The ``data`` of the event in an ``unstruct_event`` JSON (``{"data": {"schema":…, "data": {…}}}``)."""
    if not isinstance(text, str):
        return {}
    try:
        inner = json.loads(text).get("data", {}).get("data", {})
    except (json.JSONDecodeError, AttributeError):
        return {}
    return inner if isinstance(inner, Mapping) else {}


@drops_personal
def parse_snowplow(path: Path, **options: Any) -> Imported:
    """Read one Snowplow enriched-event TSV into contract-named rows; see :func:`read_snowplow` for the mapping.

    Parameters
    ----------
    path : Path
        Enriched events, one TSV line each, no header (``.gz`` too).
    **options
        ``id_field``, ``struct_event``, ``encoding``: see :func:`read_snowplow`.

    Returns
    -------
    Imported
        The rows, the lines that could not be read, and each row's line number.
    """
    _check_options(options)
    path = Path(path)
    lines, numbers, bad = _lines(path, options.get("encoding"))
    raw = pd.DataFrame(lines, columns=list(FIELDS), dtype=object) if lines else pd.DataFrame(columns=list(FIELDS))
    raw = raw.mask(raw == "").astype("string")
    line_no = np.asarray(numbers, dtype=np.int64)
    problems = pd.Series(pd.NA, index=raw.index, dtype="object")

    def flag(mask: pd.Series, reason) -> None:
        for i in np.flatnonzero((mask & problems.isna()).to_numpy()):
            problems.iloc[i] = reason(i)

    ids = ID_FIELDS[options.get("id_field", "user_id_or_domain_userid")]
    customer = raw[ids[0]]
    for other in ids[1:]:
        customer = customer.fillna(raw[other])
    flag(customer.isna(), lambda i: f"line {line_no[i]} has no {' or '.join(ids)}")
    when = raw["derived_tstamp"].fillna(raw["collector_tstamp"])
    stamps = pd.to_datetime(when, format="ISO8601", utc=True, errors="coerce")
    flag(when.isna(), lambda i: f"line {line_no[i]} has no derived_tstamp or collector_tstamp")
    flag(stamps.isna(), lambda i: f"line {line_no[i]}: cannot read the time {when.iloc[i]!r}")
    structured = (raw["event"] == "struct").fillna(False) | (raw["event_name"] == "event").fillna(False)
    action = raw["se_action"].fillna(raw["se_category"])
    if options.get("struct_event", "category_action") == "category_action":
        action = (raw["se_category"] + ":" + raw["se_action"]).fillna(action)
    event = raw["event_name"].fillna(raw["event"]).mask(structured, action.fillna("event"))
    flag(event.isna(), lambda i: f"line {line_no[i]} has no event_name or event")
    revenue = pd.to_numeric(raw["tr_total"], errors="coerce")
    flag(revenue.isna() & raw["tr_total"].notna(), lambda i: f"line {line_no[i]}: tr_total {raw['tr_total'].iloc[i]!r} "
                                                               "is not a number")
    platform = raw["platform"].str.lower()
    frame = pd.DataFrame({
        "customer_id": customer, "timestamp": stamps.astype("datetime64[ns, UTC]"), "event": event,
        "touchpoint": platform.map(lambda p: PLATFORMS.get(p, p) if isinstance(p, str) else pd.NA).astype("string"),
        "revenue": revenue.astype("float64"), "session_id": raw["domain_sessionid"],
    })
    extras = {"event_type" if name == "event" else name: _typed(raw[name], name)
              for name in FIELDS if raw[name].notna().any()}
    properties = pd.DataFrame.from_records([_self_describing(t) for t in raw["unstruct_event"]], index=raw.index)
    taken = set(frame.columns) | set(extras)
    extras.update({(f"prop_{k}" if k in taken else k): properties[k].map(
        lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k in properties})
    frame = pd.concat([frame, pd.DataFrame(extras, index=raw.index)], axis=1)
    keep = problems.isna().to_numpy()
    bad += [BadRecord(int(line_no[i]), problems.iloc[i]) for i in np.flatnonzero(~keep)]
    frame = frame.loc[keep].reset_index(drop=True)
    if frame["touchpoint"].isna().all():
        frame = frame.drop(columns="touchpoint")
    else:
        frame["touchpoint"] = frame["touchpoint"].fillna(UNKNOWN_TOUCHPOINT)
    return Imported(frame, sorted(bad, key=lambda b: b.row), path.name, line_no[keep])


def read_snowplow(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read Snowplow enriched events (canonical TSV, 131 fields, no header) as contract-shaped events.

    Parameters
    ----------
    path : str or Path
        The enriched stream's TSV (``.gz`` too), one event a line.
    lenient : bool, default False
        Set unreadable lines aside (counted in ``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``id_field`` : {"user_id_or_domain_userid", "user_id", "domain_userid", "network_userid"}
            Where ``customer_id`` comes from; default ``user_id`` (set by the tracker's
            ``setUserId``), else the first-party cookie ``domain_userid``.
        ``struct_event`` : {"category_action", "action"}
            The ``event`` of a structured event: ``"<se_category>:<se_action>"`` (default, so that
            the same action of different categories stays apart) or ``se_action`` alone.
        ``encoding`` : str, the text encoding (sniffed by default).

    Returns
    -------
    DataFrame
        One row per event.

    Raises
    ------
    DataValidationError
        When a line cannot be read (not 131 fields, no id, no or unreadable time, no event name,
        non-numeric ``tr_total``) and ``lenient`` is False; the message names the file and the line.
    ParameterError
        For an unknown option or value.

    Notes
    -----
    =================  =====================================================================
    column             from
    =================  =====================================================================
    ``customer_id``    ``user_id``, else ``domain_userid`` (option ``id_field``)
    ``timestamp``      ``derived_tstamp``, else ``collector_tstamp``
                       (``"2024-03-01 10:00:00.123"``, UTC)
    ``event``          ``event_name`` (``page_view``, ``page_ping``, ``link_click``,
                       ``transaction``…), else ``event``; structured events (``event`` =
                       ``struct``, ``event_name`` = ``event``): ``se_category:se_action``
                       (option ``struct_event``; ``se_category`` alone when there is no action)
    ``touchpoint``     ``platform``: web → ``web``, mob → ``mobile_app``, pc →
                       ``desktop_app``, app → ``app``, srv → ``server``, tv → ``tv``, cnsl →
                       ``console``, iot → ``iot``, headset → ``headset``; others as written
    ``session_id``     ``domain_sessionid``
    ``revenue``        ``tr_total`` (transaction events; items' ``ti_price`` is not revenue)
    ``event_type``     the ``event`` field (page_view, struct, unstruct, transaction…)
    *field*            every other field that has a value in the file, under its own name:
                       ``*_tstamp`` as UTC times, numbers as numbers, ``br_features_*``,
                       ``br_cookies``, ``dvce_ismobile`` as booleans (a field with a value
                       that does not read stays text); ``contexts``, ``unstruct_event`` and
                       ``derived_contexts`` as JSON text
    *property*         each key of the self-describing event's data
                       (``unstruct_event.data.data``: ``targetUrl`` of a link click);
                       ``prop_<key>`` when a column above has that name
    =================  =====================================================================

    Fields empty on every line are left out.
    """
    return finish(parse_snowplow(Path(path), **options), lenient=lenient)


def detect(sample: FileSample) -> bool:
    """Does the file look like Snowplow enriched TSV: 131 TAB-separated fields, a platform, a collector time."""
    first = next((line for line in sample.text.lstrip("\ufeff").splitlines() if line.strip()), "")
    fields = first.rstrip("\r").split("\t")
    return len(fields) == len(FIELDS) and bool(_TSTAMP.match(fields[3])) and bool(re.fullmatch(r"[a-z]{2,8}",
                                                                                                 fields[1]))


IMPORTERS = (
    Importer(
        name="snowplow",
        table="events",
        parse=parse_snowplow,
        detect=detect,
        description="Snowplow enriched events (canonical TSV, 131 fields, no header)",
        options=OPTIONS,
    ),
)
