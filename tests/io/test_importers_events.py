"""The five event importers: GA4, Segment, Mixpanel, Amplitude, Snowplow.

Real vendor files from ../shared/data/exports (through the ``shared_data`` fixture), small fixtures
written from the vendors' published schemas (tests/io/fixtures), round trips through small writers
of each format, malformed input, and format detection.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jkit.errors import DataValidationError, ParameterError
from jkit.io.importers import amplitude, ga4, mixpanel, segment, snowplow
from jkit.io.importers.base import sample_file

FIXTURES = Path(__file__).parent / "fixtures"
READERS = {"ga4": ga4.read_ga4, "segment": segment.read_segment, "mixpanel": mixpanel.read_mixpanel,
           "amplitude": amplitude.read_amplitude, "snowplow": snowplow.read_snowplow}
DETECTORS = {"ga4": ga4.detect, "segment": segment.detect, "mixpanel": mixpanel.detect,
             "amplitude": amplitude.detect, "snowplow": snowplow.detect}
UTC_NS = "datetime64[ns, UTC]"

#: known events every writer below writes in its vendor's format and every importer must give back
KNOWN = pd.DataFrame({
    "customer_id": ["c-001", "c-001", "c-002", "c-003", "c-003"],
    "timestamp": pd.Series(pd.to_datetime([
        "2024-03-01 10:00:00.000001", "2024-03-01 10:05:59.999999", "2024-03-31 23:59:59.123456",
        "2024-10-27 01:30:00.654321", "2030-12-31 23:59:59.999999"])).dt.tz_localize("UTC").astype(UTC_NS),
    "event": ["page_view", "add_to_cart", "purchase", "page_view", "purchase"],
    "session": [1709287200, 1709287200, 1711929599, 1729992600, 1924991999],
    "revenue": [np.nan, np.nan, 19.99, np.nan, 250.0],
})


def _micros(stamps: pd.Series) -> list[int]:
    return ((stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "us")).tolist()


def _check_known(frame: pd.DataFrame, sessions: list[str], *, revenue: bool = True) -> None:
    assert str(frame["timestamp"].dtype) == UTC_NS
    assert frame["customer_id"].tolist() == KNOWN["customer_id"].tolist()
    assert frame["timestamp"].tolist() == KNOWN["timestamp"].tolist()  # to the microsecond
    assert _micros(frame["timestamp"]) == _micros(KNOWN["timestamp"])
    assert frame["event"].tolist() == KNOWN["event"].tolist()
    assert frame["session_id"].tolist() == sessions
    if revenue:
        pd.testing.assert_series_equal(frame["revenue"], KNOWN["revenue"], check_names=False)


def _jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- GA4


def _ga4_param(key: str, string=None, integer=None, double=None) -> dict:
    return {"key": key, "value": {"string_value": string, "int_value": integer, "float_value": None,
                                  "double_value": double}}


def test_ga4_real_parquet_sample(shared_data):
    path = shared_data / "exports" / "ga4" / "events_20201101.parquet"
    start = time.perf_counter()
    imported = ga4.parse_ga4(path)
    elapsed = time.perf_counter() - start
    frame = ga4.read_ga4(path)
    raw = pd.read_parquet(path)
    assert len(frame) == len(raw) == 31_272
    assert imported.bad == [] and frame.attrs["bad_records"] == []
    assert imported.row_numbers.tolist() == list(range(1, 31_273))
    assert elapsed < 5, f"the 31k-event sample took {elapsed:.1f} s"
    # event names and counts as pandas counts them from the file
    assert frame["event"].value_counts().to_dict() == raw["event_name"].value_counts().to_dict()
    assert frame["event"].tolist() == raw["event_name"].tolist()
    assert str(frame["timestamp"].dtype) == UTC_NS
    expected = pd.to_datetime(raw["event_timestamp"], unit="us", utc=True)
    assert (frame["timestamp"] == expected).all()
    assert _micros(frame["timestamp"]) == raw["event_timestamp"].tolist()
    assert frame["customer_id"].tolist() == raw["user_pseudo_id"].tolist()  # user_id is empty in this sample
    assert set(frame["touchpoint"]) == {"web"}  # platform WEB
    # sessions: one per user_pseudo_id + ga_session_id, read straight from the nested params
    session_of = [next((p["value"]["int_value"] for p in params if p["key"] == "ga_session_id"), None)
                  for params in pq.read_table(path, columns=["event_params"]).column(0).to_pylist()]
    pairs = pd.DataFrame({"user": raw["user_pseudo_id"], "ga_session_id": session_of, "session_id": frame["session_id"]})
    with_session = pairs.dropna(subset=["ga_session_id"])
    assert frame["session_id"].notna().sum() == len(with_session)
    assert (with_session["session_id"] == with_session["user"] + "." + with_session["ga_session_id"].astype(int)
            .astype(str)).all()
    assert with_session.groupby("session_id")[["user", "ga_session_id"]].nunique().max().max() == 1
    assert with_session["session_id"].nunique() == len(with_session.drop_duplicates(["user", "ga_session_id"]))
    # revenue where the export has purchase revenue
    purchase_revenue = raw["ecommerce"].map(lambda e: e.get("purchase_revenue") if e else None)
    assert frame["revenue"].notna().sum() == purchase_revenue.notna().sum() > 0
    assert set(frame.loc[frame["revenue"].notna(), "event"]) == {"purchase"}
    # params and flattened records as columns
    assert frame["page_title"].notna().sum() > 0 and frame["geo_country"].notna().all()
    assert frame["device_category"].tolist() == raw["device"].map(lambda d: d["category"]).tolist()


def _write_ga4_parquet(path: Path) -> Path:
    value = pa.struct([("string_value", pa.string()), ("int_value", pa.int64()), ("float_value", pa.float64()),
                       ("double_value", pa.float64())])
    schema = pa.schema([
        ("event_date", pa.string()), ("event_timestamp", pa.int64()), ("event_name", pa.string()),
        ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", value)]))),
        ("user_id", pa.string()), ("user_pseudo_id", pa.string()), ("platform", pa.string()),
        ("ecommerce", pa.struct([("purchase_revenue", pa.float64()), ("transaction_id", pa.string())])),
    ])
    rows = []
    for row, micros in zip(KNOWN.itertuples(), _micros(KNOWN["timestamp"]), strict=True):
        rows.append({
            "event_date": row.timestamp.strftime("%Y%m%d"), "event_timestamp": micros, "event_name": row.event,
            "event_params": [_ga4_param("ga_session_id", integer=row.session), _ga4_param("page_title", "Shop"),
                             _ga4_param("engagement_time_msec", integer=2**40 + 1),
                             _ga4_param("value", double=row.revenue) if not np.isnan(row.revenue) else
                             _ga4_param("value", integer=0),
                             _ga4_param("mixed", "text") if row.event == "purchase" else _ga4_param("mixed", integer=7)],
            "user_id": None, "user_pseudo_id": row.customer_id, "platform": "WEB",
            "ecommerce": {"purchase_revenue": None if np.isnan(row.revenue) else row.revenue, "transaction_id": None},
        })
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def test_ga4_round_trip_parquet(tmp_path):
    frame = ga4.read_ga4(_write_ga4_parquet(tmp_path / "events_20240301.parquet"))
    _check_known(frame, [f"{c}.{s}" for c, s in zip(KNOWN["customer_id"], KNOWN["session"], strict=True)])
    assert frame["engagement_time_msec"].tolist() == [2**40 + 1] * 5  # integers stay exact
    assert str(frame["engagement_time_msec"].dtype) == "Int64" and frame["value"].dtype == "float64"
    assert frame["value"].tolist() == [0.0, 0.0, 19.99, 0.0, 250.0]
    assert frame["mixed"].tolist() == [7, 7, "text", 7, "text"]  # text and numbers: each value as it is
    assert frame["page_title"].tolist() == ["Shop"] * 5
    assert set(frame["touchpoint"]) == {"web"}


def test_ga4_round_trip_bq_extract_json(tmp_path):
    """``bq extract`` NDJSON writes INT64 as JSON strings (event_timestamp, int_value)."""
    records = [{"event_timestamp": str(micros), "event_name": row.event, "user_id": "", "user_pseudo_id": row.customer_id,
                "platform": "ANDROID", "event_value_in_usd": None if np.isnan(row.revenue) else row.revenue,
                "event_params": [_ga4_param("ga_session_id", integer=str(row.session))]}
               for row, micros in zip(KNOWN.itertuples(), _micros(KNOWN["timestamp"]), strict=True)]
    frame = ga4.read_ga4(_jsonl(tmp_path / "events.json", records))
    _check_known(frame, [f"{c}.{s}" for c, s in zip(KNOWN["customer_id"], KNOWN["session"], strict=True)])
    assert set(frame["touchpoint"]) == {"mobile_app"}


@pytest.mark.parametrize("name", ["ga4_bq_extract.jsonl", "ga4_flattened.csv"])
def test_ga4_fixture_variants(name):
    frame = ga4.read_ga4(FIXTURES / name)
    assert frame["customer_id"].tolist() == ["1234567890.1709287200"] * 2 + ["user-9", "AB12CD34EF56"]
    assert frame["event"].tolist() == ["session_start", "page_view", "purchase", "screen_view"]
    assert _micros(frame["timestamp"]) == [1709287200123456, 1709287200123457, 1709287290000001, 1709290800999999]
    assert frame["session_id"].tolist() == ["1234567890.1709287200.1709287200"] * 3 + ["AB12CD34EF56.1709290800"]
    assert frame["touchpoint"].tolist() == ["web", "web", "web", "mobile_app"]
    assert frame["revenue"].tolist()[2] == 42.5 and frame["revenue"].isna().sum() == 3
    assert frame["page_title"].tolist()[:2] == ["Home", "Home"]
    assert frame["device_category"].tolist() == ["desktop"] * 3 + ["mobile"]
    assert frame["traffic_source_source"].tolist() == ["google"] * 4
    assert frame["transaction_id"].tolist()[2] == "T-1"  # the param; geo_country etc. flattened beside it


def test_ga4_id_field_and_bad_records(tmp_path):
    path = FIXTURES / "ga4_bq_extract.jsonl"
    assert ga4.read_ga4(path, id_field="user_pseudo_id")["customer_id"].tolist()[2] == "1234567890.1709287200"
    with pytest.raises(DataValidationError, match=r"ga4_bq_extract\.jsonl: rows 1, 2, 4 .*line 1 has no user_id"):
        ga4.read_ga4(path, id_field="user_id")
    assert ga4.read_ga4(path, id_field="user_id", lenient=True)["event"].tolist() == ["purchase"]
    odd = _jsonl(tmp_path / "odd.jsonl", [{"event_timestamp": "yesterday", "event_name": "x", "user_pseudo_id": "p"},
                                          {"event_name": "y", "user_pseudo_id": "p"},
                                          {"event_timestamp": "1709287200000000", "event_name": "z", "user_pseudo_id": "p"}])
    imported = ga4.parse_ga4(odd)
    assert [b.row for b in imported.bad] == [1, 2] and imported.row_numbers.tolist() == [3]
    assert "'yesterday' is not microseconds" in imported.bad[0].reason and "no event_timestamp" in imported.bad[1].reason
    garbage = tmp_path / "events.jsonl"
    garbage.write_text("not json at all\n")
    with pytest.raises(DataValidationError, match=r"events\.jsonl: row 1 .*line 1 is not valid JSON"):
        ga4.read_ga4(garbage)


# --------------------------------------------------------------------------- Segment


def test_segment_real_batches(shared_data):
    files = sorted((shared_data / "exports" / "segment").glob("*.json"))
    assert len(files) == 6
    for path in files:
        body = json.loads(path.read_text())
        frame = segment.read_segment(path)
        messages = body["batch"]
        assert len(frame) == len(messages), path.name
        assert frame["customer_id"].tolist() == [m.get("userId") or m.get("anonymousId") for m in messages]
        names = {"page": "page_view", "screen": "screen_view", "identify": "identify"}
        assert frame["event"].tolist() == [m["event"] if m["type"] == "track" else names[m["type"]] for m in messages]
        assert frame["timestamp"].tolist() == [pd.Timestamp(m["timestamp"]) for m in messages]
        assert str(frame["timestamp"].dtype) == UTC_NS
        # the batch's context is merged under each message's
        assert frame["context_library_name"].tolist() == [body["context"]["library"]["name"]] * len(messages)
        for key in {k for m in messages for k in m.get("properties", {})}:
            assert frame[key].tolist() == [m["properties"][key] for m in messages]
        assert "touchpoint" not in frame  # a server library (analytics-go) does not say
    page = segment.read_segment(shared_data / "exports" / "segment" / "test-enqueue-page.json")
    assert page["page_name"].tolist() == ["A"]
    context = segment.read_segment(shared_data / "exports" / "segment" / "test-context-track.json")
    assert context["context_whatever"].tolist() == ["here"]


def test_segment_round_trip_ndjson(tmp_path):
    records = [{"type": "track", "event": row.event, "userId": row.customer_id, "messageId": f"m{i}",
                "timestamp": row.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "context": {"sessionId": row.session, "library": {"name": "analytics.js"}},
                "properties": {"revenue": None if np.isnan(row.revenue) else row.revenue, "page_title": "Shop"}}
               for i, row in enumerate(KNOWN.itertuples())]
    frame = segment.read_segment(_jsonl(tmp_path / "segment.jsonl", records))
    _check_known(frame, [str(s) for s in KNOWN["session"]])
    assert set(frame["touchpoint"]) == {"web"} and frame["page_title"].tolist() == ["Shop"] * 5
    assert frame["prop_revenue"].notna().sum() == 2  # a property named like a contract column


def test_segment_types_fallbacks_and_array(tmp_path):
    messages = [
        {"type": "screen", "name": "Cart", "anonymousId": "anon-1", "originalTimestamp": "2024-03-01T10:00:00+02:00",
         "context": {"device": {"type": "ios"}, "traits": {"plan": "pro"}}},
        {"type": "identify", "userId": 42, "sentAt": "2024-03-01T08:00:00.5Z", "traits": {"email": "a@example.com"}},
        {"type": "track", "event": "Order Completed", "userId": "u1", "timestamp": "2024-03-01T09:00:00Z",
         "properties": {"total": "12.50", "event": "x"}},
        {"type": "track", "userId": "u1", "timestamp": "2024-03-01T09:00:00Z"},
        {"type": "page", "timestamp": "2024-03-01T09:00:00Z"},
        {"type": "page", "userId": "u2", "timestamp": "not a time"},
    ]
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(messages, indent=2))
    imported = segment.parse_segment(path)
    assert [(b.row, b.reason) for b in imported.bad] == [
        (4, "message 4 is a track message without an event name"),
        (5, "message 5 has no userId or anonymousId"),
        (6, "message 6: cannot read the time 'not a time' (expected ISO 8601)"),
    ]
    frame = imported.frame
    assert imported.row_numbers.tolist() == [1, 2, 3]
    assert frame["customer_id"].tolist() == ["anon-1", "42", "u1"]
    assert frame["event"].tolist() == ["screen_view", "identify", "Order Completed"]
    assert _micros(frame["timestamp"]) == [1709280000000000, 1709280000500000, 1709283600000000]
    assert frame["touchpoint"].tolist() == ["mobile_app", "unknown", "unknown"]
    assert frame["screen_name"].tolist()[0] == "Cart"
    assert frame["revenue"].tolist()[2] == 12.5 and frame["prop_event"].tolist()[2] == "x"
    assert frame["trait_plan"].tolist()[0] == "pro" and "trait_email" not in frame.columns  # personal: left out
    kept = segment.parse_segment(path, keep_personal=True).frame
    assert kept["trait_email"].tolist()[1] == "a@example.com"


# --------------------------------------------------------------------------- Mixpanel


def test_mixpanel_real_example(shared_data):
    path = shared_data / "exports" / "mixpanel" / "mixpanel_docs_openapi_export_example.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    # the documentation's example has no distinct_id: strict reading says so, naming the lines
    with pytest.raises(DataValidationError, match=r"mixpanel_docs_openapi_export_example\.jsonl: rows 1, 2 .*"
                                                  r"line 1 has no distinct_id"):
        mixpanel.read_mixpanel(path)
    frame = mixpanel.read_mixpanel(path, default_id="anonymous")
    assert frame["customer_id"].tolist() == ["anonymous", "anonymous"]
    assert frame["event"].tolist() == [r["event"] for r in lines]
    assert frame["timestamp"].tolist() == [pd.Timestamp(r["properties"]["time"], unit="s", tz="UTC") for r in lines]
    assert frame["timestamp"].tolist() == [pd.Timestamp("2020-10-13 17:48:31", tz="UTC"),
                                           pd.Timestamp("2020-10-15 18:38:41", tz="UTC")]
    assert frame["insert_id"].tolist() == [r["properties"]["$insert_id"] for r in lines]
    assert frame["mp_processing_time_ms"].tolist() == [r["properties"]["mp_processing_time_ms"] for r in lines]
    # an older project exporting local wall-clock seconds (US/Pacific is UTC-7 in October 2020)
    local = mixpanel.read_mixpanel(path, default_id="anonymous", project_timezone="US/Pacific")
    assert (local["timestamp"] - frame["timestamp"]).tolist() == [pd.Timedelta(hours=7)] * 2


def test_mixpanel_round_trip(tmp_path):
    records = []
    for row, micros in zip(KNOWN.itertuples(), _micros(KNOWN["timestamp"]), strict=True):
        properties = {"time": float(f"{micros // 10**6}.{micros % 10**6:06d}"), "distinct_id": row.customer_id,
                      "$session_id": str(row.session), "$insert_id": f"i{micros}", "mp_lib": "web", "$os": "Android"}
        if not np.isnan(row.revenue):
            properties["$amount"] = row.revenue
        records.append({"event": row.event, "properties": properties})
    frame = mixpanel.read_mixpanel(_jsonl(tmp_path / "export.jsonl", records))
    _check_known(frame, [str(s) for s in KNOWN["session"]])
    assert set(frame["touchpoint"]) == {"web"} and frame["os"].tolist() == ["Android"] * 5
    # milliseconds (above 1e11) and DST: 2024-03-10 02:30 does not exist in US/Pacific
    ms = _jsonl(tmp_path / "ms.jsonl", [
        {"event": "a", "properties": {"time": 1709287200123, "distinct_id": "u", "mp_lib": "swift"}},
        {"event": "b", "properties": {"time": int(pd.Timestamp("2024-03-10 02:30").timestamp()), "distinct_id": "u"}}])
    read = mixpanel.read_mixpanel(ms, project_timezone="US/Pacific", lenient=True)
    assert read["timestamp"].tolist() == [pd.Timestamp("2024-03-01 18:00:00.123", tz="UTC")]
    assert read["touchpoint"].tolist() == ["mobile_app"]
    assert [b.row for b in read.attrs["bad_records"]] == [2]
    assert "does not exist or is ambiguous in US/Pacific" in read.attrs["bad_records"][0].reason


# --------------------------------------------------------------------------- Amplitude


def test_amplitude_fixture():
    path = FIXTURES / "amplitude_export.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    frame = amplitude.read_amplitude(path)
    assert frame["customer_id"].tolist() == [r["user_id"] or r["device_id"] for r in lines]
    assert frame["event"].tolist() == [r["event_type"] for r in lines]
    assert frame["timestamp"].tolist() == [pd.Timestamp(r["event_time"], tz="UTC") for r in lines]
    assert _micros(frame["timestamp"])[:2] == [1709287200123456, 1709287452000001]
    assert frame["session_id"].tolist() == [f"{lines[0]['device_id']}.1709287200123"] * 2 + [
        f"{lines[2]['device_id']}.1709290800000", pd.NA]
    assert frame["touchpoint"].tolist() == ["web", "web", "mobile_app", "mobile_app"]
    assert frame["revenue"].tolist()[1] == 37.5 and frame["revenue"].isna().sum() == 3
    assert frame["insert_id"].tolist() == [r["$insert_id"] for r in lines]
    assert frame["page_title"].tolist()[0] == "Mug" and frame["prop_event"].tolist()[1] == "checkout"
    assert frame["user_prop_plan"].tolist()[:2] == ["free", "free"]
    assert str(frame["server_upload_time"].dtype) == UTC_NS


def test_amplitude_round_trip(tmp_path):
    records = [{"event_time": row.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f"), "user_id": row.customer_id,
                "device_id": f"dev-{row.customer_id}", "event_type": row.event, "session_id": row.session,
                "platform": "iOS", "event_properties": {"$revenue": None if np.isnan(row.revenue) else row.revenue},
                "uuid": f"u{i}", "amplitude_id": 1000 + i} for i, row in enumerate(KNOWN.itertuples())]
    frame = amplitude.read_amplitude(_jsonl(tmp_path / "export.json", records))
    _check_known(frame, [f"dev-{c}.{s}" for c, s in zip(KNOWN["customer_id"], KNOWN["session"], strict=True)])
    assert set(frame["touchpoint"]) == {"mobile_app"}


# --------------------------------------------------------------------------- Snowplow


def _snowplow_line(**values: str) -> str:
    assert set(values) <= set(snowplow.FIELDS)
    return "\t".join(values.get(f, "") for f in snowplow.FIELDS) + "\n"


def test_snowplow_fixture():
    path = FIXTURES / "snowplow_enriched.tsv"
    lines = [dict(zip(snowplow.FIELDS, line.split("\t"), strict=True)) for line in path.read_text().splitlines()]
    frame = snowplow.read_snowplow(path)
    assert frame["customer_id"].tolist() == [r["user_id"] or r["domain_userid"] for r in lines]
    assert frame["timestamp"].tolist() == [pd.Timestamp(r["derived_tstamp"], tz="UTC") for r in lines]
    assert frame["event"].tolist() == ["page_view", "link_click", "video:play", "transaction"]
    assert frame["touchpoint"].tolist() == ["web", "web", "mobile_app", "web"]
    assert frame["session_id"].tolist() == [lines[0]["domain_sessionid"]] * 2 + [pd.NA, lines[3]["domain_sessionid"]]
    assert frame["revenue"].tolist()[3] == 49.9 and frame["revenue"].isna().sum() == 3
    assert frame["event_type"].tolist() == ["page_view", "unstruct", "struct", "transaction"]
    assert frame["targetUrl"].tolist()[1] == "https://shop.example.com/mugs"
    assert str(frame["collector_tstamp"].dtype) == UTC_NS and frame["br_viewwidth"].tolist()[0] == 1440
    assert frame["dvce_ismobile"].tolist() == [False, False, True, False]
    assert "ip_isp" not in frame  # empty on every line
    assert snowplow.read_snowplow(path, struct_event="action")["event"].tolist()[2] == "play"
    by_cookie = snowplow.parse_snowplow(path, id_field="domain_userid")
    assert [b.row for b in by_cookie.bad] == [3] and "line 3 has no domain_userid" in by_cookie.bad[0].reason


def test_snowplow_round_trip(tmp_path):
    text = "".join(_snowplow_line(
        app_id="shop", platform="web", collector_tstamp="2024-01-01 00:00:00.000",
        derived_tstamp=row.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f"), event="struct" if row.event != "page_view" else
        "page_view", event_name="event" if row.event != "page_view" else "page_view",
        se_category="shop" if row.event != "page_view" else "", se_action=row.event if row.event != "page_view" else "",
        user_id=row.customer_id, domain_userid=f"cookie-{i}", domain_sessionid=f"sess-{row.session}",
        tr_total="" if np.isnan(row.revenue) else repr(row.revenue), event_id=f"e{i}", v_collector="c", v_etl="e")
        for i, row in enumerate(KNOWN.itertuples()))
    path = tmp_path / "enriched.tsv"
    path.write_text(text, encoding="utf-8")
    frame = snowplow.read_snowplow(path, struct_event="action")
    _check_known(frame, [f"sess-{s}" for s in KNOWN["session"]])
    assert snowplow.read_snowplow(path)["event"].tolist()[1] == "shop:add_to_cart"


def test_snowplow_fields_are_the_canonical_131():
    fields = snowplow.FIELDS
    assert len(fields) == len(set(fields)) == 131
    anchors = {0: "app_id", 1: "platform", 3: "collector_tstamp", 5: "event", 12: "user_id", 15: "domain_userid",
               52: "contexts", 53: "se_category", 58: "unstruct_event", 61: "tr_total", 122: "derived_contexts",
               123: "domain_sessionid", 124: "derived_tstamp", 126: "event_name", 130: "true_tstamp"}
    assert {i: fields[i] for i in anchors} == anchors


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(("name", "fixture", "bad_lines", "good"), [
    ("ga4", "ga4_malformed.jsonl", [2, 4], 2),
    ("segment", "segment_malformed.jsonl", [2, 4], 2),
    ("mixpanel", "mixpanel_malformed.jsonl", [2, 3], 1),
    ("amplitude", "amplitude_truncated.jsonl", [4], 3),
    ("snowplow", "snowplow_short_line.tsv", [2], 3),
])
def test_malformed_lines(name, fixture, bad_lines, good):
    read = READERS[name]
    with pytest.raises(DataValidationError) as info:
        read(FIXTURES / fixture)
    message = str(info.value)
    assert message.startswith(f"{fixture}: ") and f"line {bad_lines[0]} " in message
    assert ("rows " if len(bad_lines) > 1 else "row ") + ", ".join(map(str, bad_lines)) in message
    frame = read(FIXTURES / fixture, lenient=True)
    assert len(frame) == good
    assert [b.row for b in frame.attrs["bad_records"]] == bad_lines
    assert frame["customer_id"].notna().all() and str(frame["timestamp"].dtype) == UTC_NS


def test_snowplow_names_the_field_count():
    with pytest.raises(DataValidationError, match=r"snowplow_short_line\.tsv: row 2 .*line 2 has 40 fields; .* 131"):
        snowplow.read_snowplow(FIXTURES / "snowplow_short_line.tsv")


def test_ga4_csv_row_of_wrong_width(tmp_path):
    lines = (FIXTURES / "ga4_flattened.csv").read_text().splitlines()
    path = tmp_path / "events.csv"
    path.write_text("\n".join([*lines[:3], lines[3][:40]]) + "\n")
    with pytest.raises(DataValidationError, match=r"events\.csv: row 3 .*row 3 has \d+ fields; the header has 12"):
        ga4.read_ga4(path)
    assert len(ga4.read_ga4(path, lenient=True)) == 2


@pytest.mark.parametrize("name", list(READERS))
def test_unknown_option(name):
    with pytest.raises(ParameterError, match=r"unknown option 'colour'; accepted options: .*encoding"):
        READERS[name](FIXTURES / "amplitude_export.jsonl", colour="red")


def test_bad_option_values():
    with pytest.raises(ParameterError, match="id_field='email'; expected one of user_id_or_pseudo"):
        ga4.read_ga4(FIXTURES / "ga4_bq_extract.jsonl", id_field="email")
    with pytest.raises(ParameterError, match="struct_event='label'; expected one of category_action, action"):
        snowplow.read_snowplow(FIXTURES / "snowplow_enriched.tsv", struct_event="label")
    with pytest.raises(ParameterError, match="project_timezone 'Mars/Olympus' is not a time zone"):
        mixpanel.read_mixpanel(FIXTURES / "mixpanel_malformed.jsonl", project_timezone="Mars/Olympus")


# --------------------------------------------------------------------------- detection


def _detected(path: Path) -> list[str]:
    sample = sample_file(path)
    return [name for name, detect in DETECTORS.items() if detect(sample)]


@pytest.mark.parametrize(("fixture", "name"), [
    ("ga4_bq_extract.jsonl", "ga4"), ("ga4_flattened.csv", "ga4"), ("ga4_malformed.jsonl", "ga4"),
    ("segment_malformed.jsonl", "segment"), ("mixpanel_malformed.jsonl", "mixpanel"),
    ("amplitude_export.jsonl", "amplitude"), ("snowplow_enriched.tsv", "snowplow"),
])
def test_detect_fixtures(fixture, name):
    assert _detected(FIXTURES / fixture) == [name]


def test_detect_leaves_other_fixtures_alone():
    """Files of the other importers beside ours (feedback exports) are not taken for event exports."""
    ours = tuple(DETECTORS)
    for path in sorted(FIXTURES.iterdir()):
        if not path.name.startswith(ours):
            assert _detected(path) == [], path.name


def test_detect_real_files(shared_data):
    exports = shared_data / "exports"
    assert _detected(exports / "ga4" / "events_20201101.parquet") == ["ga4"]
    assert _detected(exports / "mixpanel" / "mixpanel_docs_openapi_export_example.jsonl") == ["mixpanel"]
    for path in sorted((exports / "segment").glob("*.json")):
        assert _detected(path) == ["segment"], path.name
    for path in [*exports.glob("qualtrics/*.csv"), *exports.glob("google_play/*.csv")]:
        assert _detected(path) == [], path.name


def test_detect_rejects_plain_contract_files(tmp_path):
    csv_path = tmp_path / "events.csv"
    csv_path.write_text("customer_id,timestamp,event\nc1,2024-03-01T10:00:00Z,page_view\n")
    tsv_path = tmp_path / "events.tsv"
    tsv_path.write_text("customer_id\ttimestamp\tevent\nc1\t2024-03-01T10:00:00Z\tpage_view\n")
    json_path = _jsonl(tmp_path / "events.jsonl", [{"customer_id": "c1", "timestamp": "2024-03-01T10:00:00Z",
                                                   "event": "page_view", "properties": {"time": 1}}])
    parquet_path = tmp_path / "events.parquet"
    pd.DataFrame({"customer_id": ["c1"], "timestamp": ["2024-03-01"], "event": ["page_view"]}).to_parquet(parquet_path)
    for path in (csv_path, tsv_path, json_path, parquet_path):
        assert _detected(path) == [], path.name
    assert _detected(_write_ga4_parquet(tmp_path / "ga4.parquet")) == ["ga4"]


def test_importer_entries():
    for module, name in ((ga4, "ga4"), (segment, "segment"), (mixpanel, "mixpanel"), (amplitude, "amplitude"),
                         (snowplow, "snowplow")):
        (entry,) = module.IMPORTERS
        assert (entry.name, entry.table) == (name, "events")
        assert entry.parse is getattr(module, f"parse_{name}") and entry.detect is module.detect
        assert "encoding" in entry.options and entry.description


def test_event_imports_leave_personal_fields_out_unless_asked():
    from jkit.io.importers.amplitude import read_amplitude
    from jkit.io.importers.snowplow import read_snowplow

    path = FIXTURES / "amplitude_export.jsonl"
    plain, kept = read_amplitude(path), read_amplitude(path, keep_personal=True)
    assert {"ip_address", "location_lat", "location_lng", "idfa", "adid"} <= set(kept.columns) - set(plain.columns)
    assert {"city", "country", "device_id", "customer_id"} <= set(plain.columns)  # coarse and contract fields stay
    tsv = FIXTURES / "snowplow_enriched.tsv"
    assert "user_ipaddress" in read_snowplow(tsv, keep_personal=True).columns
    assert "user_ipaddress" not in read_snowplow(tsv).columns


def test_amplitude_properties_never_overwrite_fields(tmp_path):
    from jkit.io.importers.amplitude import parse_amplitude

    line = {"event_time": "2024-03-01 10:00:00.000000", "user_id": "u1", "event_type": "buy", "country": "DE",
            "event_properties": {"country": "X", "revenue": 5, "$revenue": 7}}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps({**line, "revenue": True}) + "\n", encoding="utf-8")
    imported = parse_amplitude(path)
    frame = imported.frame
    assert frame["country"].tolist() == ["DE"] and frame["prop_country"].tolist() == ["X"]
    assert frame["prop_revenue"].tolist() == [5] and frame["prop_prop_revenue"].tolist() == [7]
    assert [b.row for b in imported.bad] == [2]  # a boolean revenue is not a number
