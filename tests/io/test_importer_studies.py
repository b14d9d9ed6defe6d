"""Every importer through a study file: ``format: <name>`` reads the real sample (or a fixture) and validates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import jkit
from jkit.io.importers import IMPORTERS, detect_format

FIXTURES = Path(__file__).parent / "fixtures"

#: format -> (file, under ../shared/data or the fixtures, extra study keys)
EVENT_SOURCES = {
    "ga4": ("shared", "exports/ga4/events_20201101.parquet", ""),
    "segment": ("shared", "exports/segment/test-many-track.json", ""),
    "mixpanel": ("shared", "exports/mixpanel/mixpanel_docs_openapi_export_example.jsonl", "  default_id: anonymous\n"),
    "amplitude": ("fixtures", "amplitude_export.jsonl", ""),
    "snowplow": ("fixtures", "snowplow_enriched.tsv", ""),
}
FEEDBACK_SOURCES = {
    "qualtrics": ("shared", "exports/qualtrics/qualtRics_sample.csv", ""),
    "google_play": ("shared", "exports/google_play/WinterLimited_google_play_reviews.csv", ""),
    "surveymonkey": ("fixtures", "surveymonkey_responses.csv", ""),
    "typeform": ("fixtures", "typeform_responses.csv", ""),
    "google_forms": ("fixtures", "google_forms_responses.csv", ""),
    "zendesk": ("fixtures", "zendesk_incremental_tickets.json", ""),
    "app_store": ("fixtures", "app_store_connect_reviews.json", ""),
}


def _path(kind: str, rel: str, request) -> Path:
    if kind == "fixtures":
        return FIXTURES / rel
    return request.getfixturevalue("shared_data") / rel


def test_every_format_name_has_a_source_here():
    assert set(IMPORTERS) == set(EVENT_SOURCES) | set(FEEDBACK_SOURCES)


@pytest.mark.parametrize("name", sorted(EVENT_SOURCES))
def test_event_exports_load_as_a_study(name, tmp_path, request):
    kind, rel, extra = EVENT_SOURCES[name]
    path = _path(kind, rel, request)
    direct = IMPORTERS[name].parse(path, **({"default_id": "anonymous"} if name == "mixpanel" else {})).frame
    names = sorted(set(direct["event"]))
    first, rest = names[:1], names[1:] or ["never_seen"]
    (tmp_path / "study.yaml").write_text(
        f"events:\n  path: {path}\n  format: {name}\n{extra}"
        f"stages:\n  name: two\n  stages:\n    - {{name: first, events: {first}}}\n    - {{name: rest, events: {rest}}}\n",
        encoding="utf-8",
    )
    data = jkit.load(tmp_path / "study.yaml")
    assert len(data.events) == len(direct) > 0
    assert data.derived == {"customers": "from_events"}
    assert data.events["timestamp"].dtype == "datetime64[ns, UTC]"
    assert sorted(data.events["customer_id"].unique()) == sorted(direct["customer_id"].astype(str).unique())
    assert (data.events["timestamp"].to_numpy() == direct["timestamp"].to_numpy()).all()
    assert detect_format(path, "events").name == name


@pytest.mark.parametrize("name", sorted(FEEDBACK_SOURCES))
def test_feedback_exports_load_as_a_study(name, tmp_path, request):
    kind, rel, extra = FEEDBACK_SOURCES[name]
    path = _path(kind, rel, request)
    direct = IMPORTERS[name].parse(path).frame
    (tmp_path / "study.yaml").write_text(f"feedback:\n  path: {path}\n  format: {name}\n{extra}", encoding="utf-8")
    data = jkit.load(tmp_path / "study.yaml", lenient=True)
    fb = data.feedback
    kept = direct["text"].notna() & (direct["text"].astype(str).str.strip() != "")
    assert len(fb) == int(kept.sum()) > 0  # rows without text are set aside and counted, never dropped silently
    assert data.validation.rows_set_aside.get("feedback", 0) == len(direct) - int(kept.sum())
    assert fb["feedback_id"].is_unique and fb["text"].notna().all()
    assert detect_format(path, "feedback").name == name


def test_google_play_reviews_keep_ratings_and_times(shared_data, tmp_path):
    path = shared_data / "exports/google_play/WinterLimited_google_play_reviews.csv"
    (tmp_path / "study.yaml").write_text(f"feedback:\n  path: {path}\n  format: google_play\n", encoding="utf-8")
    fb = jkit.load(tmp_path / "study.yaml").feedback
    raw = pd.read_csv(path)
    assert len(fb) == 1323 and fb["rating"].tolist() == raw["score"].tolist()
    assert fb["timestamp"].tolist() == pd.to_datetime(raw["at"], utc=True).tolist()
    assert set(fb["source"]) == {"review"} and set(fb["touchpoint"]) == {"mobile_app"}


def test_survey_text_column_chosen_in_the_column_map(shared_data, tmp_path):
    path = shared_data / "exports/qualtrics/qualtRics_sample.csv"
    (tmp_path / "study.yaml").write_text(
        f"feedback:\n  path: {path}\n  format: qualtrics\n  columns: {{text: Q1}}\n", encoding="utf-8")
    fb = jkit.load(tmp_path / "study.yaml", lenient=True).feedback
    raw = pd.read_csv(path, skiprows=[1, 2], dtype=str)
    assert fb["text"].tolist() == raw["Q1"].dropna().tolist()


def test_a_format_for_the_wrong_table_is_an_error(tmp_path, shared_data):
    path = shared_data / "exports/qualtrics/qualtRics_sample.csv"
    (tmp_path / "study.yaml").write_text(f"events:\n  path: {path}\n  format: qualtrics\n", encoding="utf-8")
    with pytest.raises(jkit.DataValidationError, match="format 'qualtrics' reads a feedback table"):
        jkit.load(tmp_path / "study.yaml")
    (tmp_path / "study.yaml").write_text(f"events:\n  path: {path}\n  format: qualtrix\n", encoding="utf-8")
    with pytest.raises(jkit.ParameterError, match="unknown format 'qualtrix'.*qualtrics"):
        jkit.load(tmp_path / "study.yaml")


def test_importer_options_as_table_keys(tmp_path, shared_data):
    path = shared_data / "exports/mixpanel/mixpanel_docs_openapi_export_example.jsonl"
    body = f"events:\n  path: {path}\n  format: mixpanel\n"
    (tmp_path / "study.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(jkit.DataValidationError, match="distinct_id|line 1"):
        jkit.load(tmp_path / "study.yaml")
    (tmp_path / "study.yaml").write_text(body + "  default_id: anonymous\n  stages: x\n", encoding="utf-8")
    with pytest.raises(jkit.DataValidationError, match="unknown key 'stages' under 'events'"):
        jkit.load(tmp_path / "study.yaml")
    (tmp_path / "study.yaml").write_text(
        body + "  default_id: anonymous\n  project_timezone: US/Pacific\nstages:\n  name: s\n  stages:\n"
        "    - {name: a, events: [Signed up]}\n    - {name: b, events: [other]}\n", encoding="utf-8")
    data = jkit.load(tmp_path / "study.yaml")
    # older projects export local wall-clock seconds: 1602611311 read in US/Pacific (UTC-7 in October)
    utc = pd.Timestamp(1602611311, unit="s")
    assert data.events["timestamp"][0] == (utc.tz_localize("US/Pacific").tz_convert("UTC"))
