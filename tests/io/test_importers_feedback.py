"""Feedback importers: Qualtrics, SurveyMonkey, Typeform, Google Forms, Zendesk, Google Play, App Store.

Round trips write a known frame in each vendor's layout (header rows, local times, quoting) and
read it back; the real Qualtrics and Google Play files of ../shared/data check the real shapes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from jkit.errors import DataValidationError, ParameterError
from jkit.io.importers.app_reviews import IMPORTERS as REVIEW_IMPORTERS
from jkit.io.importers.app_reviews import read_app_store, read_google_play
from jkit.io.importers.base import sample_file
from jkit.io.importers.surveys import IMPORTERS as SURVEY_IMPORTERS
from jkit.io.importers.surveys import read_google_forms, read_qualtrics, read_surveymonkey, read_typeform
from jkit.io.importers.zendesk import IMPORTERS as ZENDESK_IMPORTERS
from jkit.io.importers.zendesk import read_zendesk, touchpoint_of

FIXTURES = Path(__file__).parent / "fixtures"
FEEDBACK = {imp.name: imp for imp in (*SURVEY_IMPORTERS, *ZENDESK_IMPORTERS, *REVIEW_IMPORTERS)}
READERS = {"qualtrics": read_qualtrics, "surveymonkey": read_surveymonkey, "typeform": read_typeform,
           "google_forms": read_google_forms, "zendesk": read_zendesk, "google_play": read_google_play,
           "app_store": read_app_store}

IDS = ["r1", "r2", "r3", "r4"]
TEXTS = ["Great app, but slow", 'He said "wow", twice', "Line one\nLine two, with a comma", "Ünïcödé — fine"]
TIMES = pd.to_datetime(["2024-03-01 10:11:12", "2024-03-31 01:30:00", "2024-07-15 23:59:59", "2024-12-31 23:00:00"],
                       utc=True)
NPS, CSAT, CES = [0, 10, 7, 9], [1, 5, 3, 4], [7, 1, 4, 2]
STORES = ["Berlin", "Munich", "Berlin", "Hamburg"]
Q_NPS = "How likely are you to recommend us to a friend?"
Q_CSAT = "How satisfied were you with your visit?"
Q_CES = "How much effort did it take to solve your issue?"


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def local(fmt: str, tz: str) -> list[str]:
    return [t.tz_convert(tz).strftime(fmt) for t in TIMES]


def check_round_trip(df: pd.DataFrame, *, ids=IDS, scores=True) -> None:
    assert df["feedback_id"].tolist() == ids
    assert str(df["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert df["timestamp"].tolist() == TIMES.tolist()
    assert df["text"].tolist() == TEXTS
    if scores:
        assert df["nps"].tolist() == NPS and df["csat"].tolist() == CSAT and df["ces"].tolist() == CES


# --------------------------------------------------------------------------- writers in the vendors' layouts


def write_qualtrics(path: Path, legacy: bool = False, times: list[str] | None = None) -> Path:
    times = times or local("%Y-%m-%d %H:%M:%S", "Europe/Berlin")
    data = [[t, t, "0", "203.0.113.9", "100", "60", "1", t, rid, "x@example.com", f"C{i}", n, c, e, s, text]
            for i, (t, rid, n, c, e, s, text) in enumerate(zip(times, IDS, NPS, CSAT, CES, STORES, TEXTS, strict=True))]
    if legacy:
        head = [[f"V{i}" for i in range(1, 11)] + ["Q1", "Q2", "Q3", "Q4", "Q5"],
                ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
                 "StartDate", "EndDate", "Finished", Q_NPS, Q_CSAT, Q_CES, "Which store did you visit?",
                 "Tell us more"]]
        data = [[r[8], "Default", "Ann", r[10], r[9], r[3], "0", r[0], r[1], "1", *r[11:]] for r in data]
        return write_csv(path, head + data)
    ids = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
           "RecordedDate", "ResponseId", "RecipientEmail", "ExternalReference", "Q1", "Q2", "Q3", "Q4", "Q5"]
    texts = ids[:11] + [Q_NPS, Q_CSAT, Q_CES, "Which store did you visit?", "Tell us more"]
    imports = [json.dumps({"ImportId": i}) for i in [*(x[0].lower() + x[1:] for x in ids[:11]),
                                                      "QID1", "QID2", "QID3", "QID4", "QID5_TEXT"]]
    return write_csv(path, [ids, texts, imports, *data])


def write_surveymonkey(path: Path, dayfirst: bool = False) -> Path:
    times = local("%d/%m/%Y %I:%M:%S %p" if dayfirst else "%m/%d/%Y %I:%M:%S %p", "America/New_York")
    head = [["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
             "Last Name", "Custom Data 1", Q_NPS, "Which features do you use?", "", Q_CSAT, Q_CES,
             "What could we improve?"],
            ["", "", "", "", "", "", "", "", "", "Response", "Reports", "Dashboards", "Response", "Response",
             "Open-Ended Response"]]
    data = [[rid, "42", t, t, "198.51.100.1", "a@example.com", "Ann", "Lee", f"C{i}", n, "Reports", "", c, e, text]
            for i, (rid, t, n, c, e, text) in enumerate(zip(IDS, times, NPS, CSAT, CES, TEXTS, strict=True))]
    return write_csv(path, head + data)


def write_typeform(path: Path, questions=(Q_NPS, Q_CSAT, Q_CES)) -> Path:
    head = ["#", *questions, "What could we improve?", "Which store did you visit?", "user_id", "email",
            "Start Date (UTC)", "Submit Date (UTC)", "Network ID"]
    times = local("%Y-%m-%d %H:%M:%S", "UTC")
    data = [[rid, n, c, e, text, s, f"C{i}", "z@example.com", t, t, "ab12"]
            for i, (rid, n, c, e, text, s, t) in enumerate(zip(IDS, NPS, CSAT, CES, TEXTS, STORES, times, strict=True))]
    return write_csv(path, [head, *data])


def write_google_forms(path: Path) -> Path:
    times = [f"{t.month}/{t.day}/{t.year} {t:%H:%M:%S}" for t in TIMES.tz_convert("Asia/Tokyo")]
    head = ["Timestamp", "Email Address", Q_NPS, Q_CSAT, Q_CES, "Which store did you visit?", "Anything else?"]
    return write_csv(path, [head, *([t, "b@example.com", *rest] for t, *rest in zip(times, NPS, CSAT, CES, STORES,
                                                                                     TEXTS, strict=True))])


def tickets() -> list[dict]:
    return [{"id": 100 + i, "requester_id": 900 + i, "created_at": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "subject": f"Ticket {i}", "description": text, "via": {"channel": ch, "source": {}},
             "satisfaction_rating": {"score": sc}, "tags": ["a", "b"], "status": "open"}
            for i, (t, text, ch, sc) in enumerate(zip(TIMES, TEXTS, ["email", "web", "chat", "mobile_sdk"],
                                                      ["good", "bad", "offered", "unoffered"], strict=True))]


def write_zendesk(path: Path, kind: str) -> Path:
    if kind == "json":
        path.write_text(json.dumps({"tickets": tickets(), "next_page": None, "end_of_stream": True}), encoding="utf-8")
    elif kind == "ndjson":
        path.write_text("\n".join(json.dumps(t) for t in tickets()) + "\n", encoding="utf-8")
    else:
        times = local("%Y-%m-%d %H:%M:%S", "Europe/Berlin")
        rows = [[t["id"], "Ann Lee", t["requester_id"], "ann@example.com", t["description"], "a b", "Open", "Mail",
                 created, "Good"] for t, created in zip(tickets(), times, strict=True)]
        write_csv(path, [["Id", "Requester", "Requester id", "Requester email", "Subject", "Tags", "Status", "Via",
                          "Created at", "Satisfaction Score"], *rows])
    return path


def play_frame() -> pd.DataFrame:
    return pd.DataFrame({"reviewId": IDS, "userName": ["Ann", "Bo", "Cy", "Di"], "userImage": "https://img/x",
                         "content": TEXTS, "score": [1, 5, 3, 4], "thumbsUpCount": [0, 2, 0, 7],
                         "reviewCreatedVersion": "1.2", "at": TIMES.tz_localize(None),
                         "replyContent": ["Thanks!\nThe team", None, None, "Sorry"],
                         "repliedAt": [TIMES[0].tz_localize(None), None, None, TIMES[3].tz_localize(None)],
                         "appVersion": "1.2", "bank": "x"})


def write_google_play(path: Path, kind: str) -> Path:
    frame = play_frame()
    if kind == "csv":
        frame.to_csv(path, index=False)
    else:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        lines = [json.dumps(records, default=str)] if kind == "json" else [json.dumps(r, default=str) for r in records]
        path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_app_store(path: Path, kind: str) -> Path:
    if kind == "connect":
        items = [{"type": "customerReviews", "id": rid, "attributes": {
            "rating": r, "title": f"Title {i}", "body": text, "reviewerNickname": f"nick{i}", "territory": "USA",
            "createdDate": t.tz_convert("America/Los_Angeles").isoformat()}}
            for i, (rid, r, text, t) in enumerate(zip(IDS, CSAT, TEXTS, TIMES, strict=True))]
        path.write_text(json.dumps({"data": items, "links": {}}), encoding="utf-8")
    elif kind == "rss":
        entries = [{"author": {"name": {"label": "u"}, "uri": {"label": "https://itunes/u"}},
                    "im:version": {"label": "2.0"}, "im:rating": {"label": str(r)}, "id": {"label": rid},
                    "title": {"label": "t"}, "content": {"label": text, "attributes": {"type": "text"}},
                    "updated": {"label": t.isoformat()}}
                   for rid, r, text, t in zip(IDS, CSAT, TEXTS, TIMES.tz_convert("Europe/Paris"), strict=True)]
        app = {"im:name": {"label": "The app"}, "id": {"label": "https://apps.apple.com/app/id1"}}
        path.write_text(json.dumps({"feed": {"entry": [app, *entries]}}), encoding="utf-8")
    else:
        pd.DataFrame({"date": TIMES.tz_localize(None), "review": TEXTS, "rating": CSAT, "isEdited": False,
                      "title": "t", "userName": "u", "id": IDS}).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- the real files


def test_qualtrics_real_sample(shared_data):
    path = shared_data / "exports" / "qualtrics" / "qualtRics_sample.csv"
    df = read_qualtrics(path)
    assert len(df) == 1 and df.loc[0, "feedback_id"] == "R_2YPOQ602ER1jkf1" and df.loc[0, "text"] == "Hello World!"
    assert df.loc[0, "timestamp"] == pd.Timestamp("2017-07-18 08:28:48", tz="UTC")  # RecordedDate
    assert df.loc[0, "Q1"] == "2" and df.loc[0, "source"] == "survey" and df.attrs["text_column"] == "Q2"
    assert df.attrs["questions"]["Q1"] == "This is a multiple choice question."
    assert df.attrs["questions"]["Q2"] == "This is a free text question."
    assert "customer_id" not in df  # ExternalReference is empty
    assert not {"IPAddress", "RecipientEmail", "RecipientFirstName", "LocationLatitude"} & set(df.columns)
    kept = read_qualtrics(path, keep_personal=True)
    assert kept.loc[0, "IPAddress"] == "130.92.34.66" and "LocationLongitude" in kept
    assert [n for n, imp in FEEDBACK.items() if imp.detect(sample_file(path))] == ["qualtrics"]


def test_google_play_real_sample(shared_data):
    path = next((shared_data / "exports" / "google_play").glob("*.csv"))
    df = read_google_play(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(df) == 1323 == len(raw)
    assert df["feedback_id"].is_unique and df["feedback_id"].tolist() == raw["reviewId"].tolist()
    assert df["rating"].between(1, 5).all() and df["rating"].tolist() == raw["score"].astype(int).tolist()
    assert df["timestamp"].tolist() == pd.to_datetime(raw["at"], utc=True).tolist()
    assert (df["source"] == "review").all() and (df["touchpoint"] == "mobile_app").all()
    assert df["author_name"].iloc[0] == "lettuce" and "userImage" not in df and "author_image" not in df
    first = df["reply_text"].iloc[0]
    assert first.count("\n") == 3
    assert first.startswith("안녕하세요 신한은행입니다.\n먼저 SOL사용에 불편을 드려 죄송합니다.\n")
    assert first == raw["replyContent"].iloc[0].strip()
    assert df["bank"].iloc[0] == "신한은행"  # extra columns kept
    assert [n for n, imp in FEEDBACK.items() if imp.detect(sample_file(path))] == ["google_play"]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("legacy", [False, True])
def test_qualtrics_round_trip(tmp_path, legacy):
    df = read_qualtrics(write_qualtrics(tmp_path / "q.csv", legacy=legacy), timezone="Europe/Berlin")
    check_round_trip(df)
    assert df["customer_id"].tolist() == ["C0", "C1", "C2", "C3"]
    assert df["Q4"].tolist() == STORES and df.attrs["text_column"] == "Q5"
    assert df.attrs["score_columns"] == {"nps": "Q1", "ces": "Q3", "csat": "Q2"}
    assert not {"IPAddress", "RecipientEmail", "EmailAddress", "Name"} & set(df.columns)
    assert FEEDBACK["qualtrics"].detect(sample_file(tmp_path / "q.csv"))


@pytest.mark.parametrize("dayfirst", [False, True])
def test_surveymonkey_round_trip(tmp_path, dayfirst):
    path = write_surveymonkey(tmp_path / "sm.csv", dayfirst)
    df = read_surveymonkey(path, timezone="America/New_York", dayfirst=dayfirst, customer_column="Custom Data 1")
    check_round_trip(df)
    assert df["customer_id"].tolist() == ["C0", "C1", "C2", "C3"]
    assert df["Q2_1"].tolist() == ["Reports"] * 4 and df["Q2_2"].isna().all()
    assert df.attrs["questions"]["Q2_2"] == "Which features do you use? — Dashboards"
    assert not {"IP Address", "Email Address", "First Name", "Last Name"} & set(df.columns)


def test_typeform_round_trip(tmp_path):
    df = read_typeform(write_typeform(tmp_path / "tf.csv"), customer_column="user_id")
    check_round_trip(df)
    assert df["customer_id"].tolist() == ["C0", "C1", "C2", "C3"]
    assert "email" not in df and df["Q5"].tolist() == STORES  # a hidden field named like personal data is left out


def test_google_forms_round_trip(tmp_path):
    df = read_google_forms(write_google_forms(tmp_path / "forms.csv"), timezone="Asia/Tokyo")
    check_round_trip(df, ids=["forms-1", "forms-2", "forms-3", "forms-4"])
    assert "Email Address" not in df and "customer_id" not in df
    kept = read_google_forms(tmp_path / "forms.csv", keep_personal=True, customer_column="Which store did you visit?")
    assert "Email Address" in kept and kept["customer_id"].tolist() == STORES and "Q4" not in kept


@pytest.mark.parametrize("kind", ["json", "ndjson", "csv"])
def test_zendesk_round_trip(tmp_path, kind):
    df = read_zendesk(write_zendesk(tmp_path / f"tickets.{kind}", kind), timezone="Europe/Berlin")
    assert df["feedback_id"].tolist() == ["100", "101", "102", "103"]
    assert df["customer_id"].tolist() == ["900", "901", "902", "903"]
    assert df["timestamp"].tolist() == TIMES.tolist()
    assert df["text"].tolist() == TEXTS and (df["source"] == "support_ticket").all()
    assert "csat" not in df
    if kind == "csv":
        assert df["satisfaction"].tolist() == ["good"] * 4 and (df["touchpoint"] == "email").all()
        assert not {"Requester", "Requester email"} & set(df.columns)
    else:
        assert df["touchpoint"].tolist() == ["email", "web", "support", "mobile_app"]
        assert df["satisfaction"].tolist()[:2] == ["good", "bad"] and df["satisfaction"].iloc[2:].isna().all()
        assert df["tags"].tolist() == ["a b"] * 4 and df["subject"].iloc[0] == "Ticket 0"


@pytest.mark.parametrize("kind", ["csv", "json", "ndjson"])
def test_google_play_round_trip(tmp_path, kind):
    df = read_google_play(write_google_play(tmp_path / f"play.{kind}", kind))
    check_round_trip(df, scores=False)
    assert df["rating"].tolist() == [1, 5, 3, 4] and df["thumbs_up"].tolist() == [0, 2, 0, 7]
    assert df["reply_text"].iloc[0] == "Thanks!\nThe team" and df["replied_at"].iloc[3] == TIMES[3]
    assert df["replied_at"].iloc[1:3].isna().all() and df["app_version"].iloc[0] == "1.2"
    assert df["author_name"].tolist() == ["Ann", "Bo", "Cy", "Di"] and "author_image" not in df
    assert read_google_play(tmp_path / f"play.{kind}", keep_personal=True)["author_image"].iloc[0] == "https://img/x"


@pytest.mark.parametrize("kind", ["connect", "rss", "scraper"])
def test_app_store_round_trip(tmp_path, kind):
    path = write_app_store(tmp_path / f"store_{kind}.{'csv' if kind == 'scraper' else 'json'}", kind)
    df = read_app_store(path)
    check_round_trip(df, scores=False)  # the RSS feed's first entry (the app itself) is not a review
    assert df["rating"].tolist() == CSAT and (df["touchpoint"] == "mobile_app").all() and "author_uri" not in df
    assert [n for n, imp in FEEDBACK.items() if imp.detect(sample_file(path))] == ["app_store"]


def test_naive_times_follow_the_timezone_option(tmp_path):
    path = write_qualtrics(tmp_path / "q.csv", times=local("%Y-%m-%d %H:%M:%S", "UTC"))
    assert read_qualtrics(path)["timestamp"].tolist() == TIMES.tolist()
    shifted = read_qualtrics(path, timezone="Asia/Kolkata")["timestamp"]
    assert (shifted - TIMES).tolist() == [pd.Timedelta(hours=-5, minutes=-30)] * 4


# --------------------------------------------------------------------------- fixtures of the published formats


def test_vendor_fixtures():
    sm = read_surveymonkey(FIXTURES / "surveymonkey_responses.csv")
    assert sm["nps"].tolist() == [9, 3, 10] and sm["csat"].tolist() == [4, 2, 5]
    assert sm["text"].iloc[1] == "Support took a week to answer.\nTwice." and pd.isna(sm["text"].iloc[2])
    assert sm["timestamp"].iloc[1] == pd.Timestamp("2023-11-28 13:20:59", tz="UTC") and "IP Address" not in sm
    assert read_surveymonkey(FIXTURES / "surveymonkey_responses.csv", keep_personal=True)["Last Name"].iloc[0] == "Lee"
    tf = read_typeform(FIXTURES / "typeform_responses.csv")
    assert tf["timestamp"].iloc[2] == pd.Timestamp("2024-03-03 17:45:10", tz="UTC")  # partial: Start Date
    assert tf["text"].iloc[0] == 'Fast, reliable and the team answers on "Slack".'
    gf = read_google_forms(FIXTURES / "google_forms_responses.csv")
    assert gf["ces"].tolist() == [6, 2, 7] and gf["feedback_id"].iloc[0] == "google_forms_responses-1"
    zd = read_zendesk(FIXTURES / "zendesk_incremental_tickets.json")
    assert zd["satisfaction_comment"].iloc[0] == "Took too long." and zd["custom_field_27642"].iloc[0] == "returns"
    zc = read_zendesk(FIXTURES / "zendesk_tickets_export.csv")
    assert zc["text"].tolist() == ["Refund not received", "Delivery address, again", "App crashes on login"]
    assert zc["touchpoint"].tolist() == ["email", "support", "web"] and zc["satisfaction"].iloc[1] == "good"
    ac = read_app_store(FIXTURES / "app_store_connect_reviews.json")
    assert ac["timestamp"].iloc[0] == pd.Timestamp("2024-03-01 17:11:12", tz="UTC")
    assert ac["reply_text"].iloc[0] == "Thank you, Anne!" and pd.isna(ac["reply_text"].iloc[1])
    assert ac["replied_at"].iloc[0] == pd.Timestamp("2024-03-02 15:00:00", tz="UTC")
    assert ac["title"].iloc[1] == "Crashes"
    sc = read_app_store(FIXTURES / "app_store_scraper_reviews.csv")
    assert sc["reply_text"].iloc[1] == "Sorry! Version 2.3.1 fixes this."
    assert sc["is_edited"].tolist() == [False, True]
    assert sc["replied_at"].iloc[1] == pd.Timestamp("2024-03-03 09:00:00", tz="UTC")


def test_zendesk_text_and_channels(tmp_path):
    path = FIXTURES / "zendesk_incremental_tickets.json"
    assert read_zendesk(path)["text"].iloc[2] == "Since the last update the app closes as soon as I log in."
    joined = read_zendesk(path, include_subject=True)["text"]
    assert joined.iloc[2] == "App crashes on login. Since the last update the app closes as soon as I log in."
    assert [touchpoint_of(c) for c in ("email", "Mail", "web", "Web Widget", "mobile_sdk", "twitter", "Facebook Post",
                                       "chat", "voice", "api", "native_messaging")] == [
        "email", "email", "web", "web", "mobile_app", "social", "social", "support", "support", "support", "support"]
    assert pd.isna(touchpoint_of(None)) and pd.isna(touchpoint_of(""))


# --------------------------------------------------------------------------- scores and text


def test_score_columns_name_the_questions_when_texts_say_nothing(tmp_path):
    path = write_typeform(tmp_path / "tf.csv", questions=("Question A", "Question B", "Question C"))
    plain = read_typeform(path)
    assert not {"nps", "csat", "ces"} & set(plain.columns) and plain["Q1"].tolist() == ["0", "10", "7", "9"]
    df = read_typeform(path, score_columns={"nps": "Q1", "csat": "Question B", "ces": "Q3"})
    check_round_trip(df)
    assert df.attrs["score_columns"] == {"nps": "Q1", "csat": "Q2", "ces": "Q3"} and "Q1" not in df
    assert df.attrs["questions"]["Q2"] == "Question B"
    off = read_typeform(write_typeform(tmp_path / "tf2.csv"), score_columns={"csat": None})
    assert "csat" not in off and "nps" in off and off["Q2"].tolist() == [str(v) for v in CSAT]
    with pytest.raises(ParameterError, match="'Q9'.*Q1, Q2"):
        read_typeform(path, score_columns={"nps": "Q9"})
    with pytest.raises(ParameterError, match="score_columns"):
        read_typeform(path, score_columns={"loyalty": "Q1"})


def test_score_off_its_scale_is_not_detected_but_can_be_mapped(tmp_path):
    rows = [["#", "How satisfied are you? (1-10)", "Comments", "Submit Date (UTC)"],
            ["a", "8", "fine, thanks", "2024-03-01 10:00:00"],
            ["b", "10 - Extremely satisfied", "great", "2024-03-01 11:00:00"]]
    path = write_csv(tmp_path / "tf.csv", rows)
    df = read_typeform(path)
    assert "csat" not in df and df["Q1"].tolist() == ["8", "10 - Extremely satisfied"]
    assert any("score_columns={'csat': 'Q1'}" in note for note in df.attrs["notes"])
    mapped = read_typeform(path, score_columns={"csat": "Q1"})
    assert mapped["csat"].tolist() == [8, 10]  # raw numbers: the loader's contract check rejects them


def test_text_question_choice_and_override(tmp_path):
    rows = [["#", "Favourite colour", "Tell us about your visit", "Submit Date (UTC)"],
            ["a", "blue", "The queue was long, but the staff were lovely.", "2024-03-01 10:00:00"],
            ["b", "blue", "", "2024-03-01 11:00:00"], ["c", "red", "Parking was impossible.", "2024-03-01 12:00:00"]]
    path = write_csv(tmp_path / "tf.csv", rows)
    df = read_typeform(path)
    assert df.attrs["text_column"] == "Q2" and len(df) == 3 and pd.isna(df["text"].iloc[1])  # empty text: still a row
    assert any("other candidates: Q1" in note for note in df.attrs["notes"])
    assert read_typeform(path, text_column="Q1")["text"].tolist() == ["blue", "blue", "red"]
    assert read_typeform(path, text_column="Favourite colour")["Q2"].iloc[2] == "Parking was impossible."


# --------------------------------------------------------------------------- malformed input


def corrupt(path: Path, data_row: int, header_rows: int) -> Path:
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    records[header_rows + data_row - 1] += ["surplus", "fields"]
    return write_csv(path, records)


CSV_WRITERS = {
    "qualtrics": (lambda p: write_qualtrics(p), 3), "surveymonkey": (lambda p: write_surveymonkey(p), 2),
    "typeform": (lambda p: write_typeform(p), 1), "google_forms": (lambda p: write_google_forms(p), 1),
    "zendesk": (lambda p: write_zendesk(p, "csv"), 1), "google_play": (lambda p: write_google_play(p, "csv"), 1),
    "app_store": (lambda p: write_app_store(p, "scraper"), 1),
}


@pytest.mark.parametrize("fmt", list(CSV_WRITERS))
def test_row_with_more_fields_than_the_header(tmp_path, fmt):
    writer, header_rows = CSV_WRITERS[fmt]
    path = corrupt(writer(tmp_path / "export.csv"), 2, header_rows)
    with pytest.raises(DataValidationError, match=r"export\.csv: row 2 cannot be read: it has \d+ fields, the header"):
        READERS[fmt](path)
    df = READERS[fmt](path, lenient=True)
    assert len(df) == 3 and [b.row for b in df.attrs["bad_records"]] == [2]
    assert TEXTS[1] not in df["text"].tolist() and df["text"].iloc[1] == TEXTS[2]


def test_unreadable_date_is_a_bad_row(tmp_path):
    times = local("%Y-%m-%d %H:%M:%S", "UTC")
    times[2] = "31/31/2024 25:00"
    path = write_qualtrics(tmp_path / "q.csv", times=times)
    with pytest.raises(DataValidationError, match=r"q\.csv: row 3 .*column 'RecordedDate'.*31/31/2024"):
        read_qualtrics(path)
    df = read_qualtrics(path, lenient=True)
    assert df["feedback_id"].tolist() == ["r1", "r2", "r4"] and df.attrs["bad_records"][0].row == 3


@pytest.mark.parametrize("fmt", ["zendesk", "google_play"])
def test_json_line_that_does_not_parse(tmp_path, fmt):
    path = write_zendesk(tmp_path / "x.ndjson", "ndjson") if fmt == "zendesk" else write_google_play(
        tmp_path / "x.ndjson", "ndjson")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:25]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"x\.ndjson: row 2 cannot be read: line 2 is not valid JSON"):
        READERS[fmt](path)
    df = READERS[fmt](path, lenient=True)
    assert len(df) == 3 and len(df.attrs["bad_records"]) == 1


def test_star_rating_that_is_not_a_number(tmp_path):
    frame = play_frame()
    frame["score"] = frame["score"].astype(object)
    frame.loc[3, "score"] = "five"
    frame.to_csv(tmp_path / "play.csv", index=False)
    with pytest.raises(DataValidationError, match=r"play\.csv: row 4 .*column 'score'"):
        read_google_play(tmp_path / "play.csv")
    assert len(read_google_play(tmp_path / "play.csv", lenient=True)) == 3


@pytest.mark.parametrize("fmt", list(READERS))
def test_unknown_option_names_the_accepted_ones(fmt):
    accepted = ", ".join(FEEDBACK[fmt].options)
    with pytest.raises(ParameterError, match=rf"^{fmt}: unknown option 'colour'; accepted: {accepted}$"):
        READERS[fmt](FIXTURES / "typeform_responses.csv", colour="red")


def test_bad_option_values():
    with pytest.raises(ParameterError, match="unknown timezone 'Mars/Olympus'"):
        read_zendesk(FIXTURES / "zendesk_tickets_export.csv", timezone="Mars/Olympus")
    with pytest.raises(ParameterError, match="keep_personal must be true or false"):
        read_surveymonkey(FIXTURES / "surveymonkey_responses.csv", keep_personal="yes")
    with pytest.raises(ParameterError, match="text_column 'Q9'"):
        read_surveymonkey(FIXTURES / "surveymonkey_responses.csv", text_column="Q9")


# --------------------------------------------------------------------------- detection


DETECT_CASES = {
    "surveymonkey_responses.csv": "surveymonkey", "typeform_responses.csv": "typeform",
    "google_forms_responses.csv": "google_forms", "zendesk_incremental_tickets.json": "zendesk",
    "zendesk_tickets_export.csv": "zendesk", "app_store_connect_reviews.json": "app_store",
    "app_store_scraper_reviews.csv": "app_store",
}
GENERATED = {
    "q.csv": ("qualtrics", lambda p: write_qualtrics(p)),
    "legacy.csv": ("qualtrics", lambda p: write_qualtrics(p, True)),
    "t.ndjson": ("zendesk", lambda p: write_zendesk(p, "ndjson")),
    "p.json": ("google_play", lambda p: write_google_play(p, "json")),
    "p.csv": ("google_play", lambda p: write_google_play(p, "csv")),
}


@pytest.mark.parametrize("name", [*DETECT_CASES, *GENERATED])
def test_detect_recognises_its_format_only(tmp_path, name):
    if name in DETECT_CASES:
        path, expected = FIXTURES / name, DETECT_CASES[name]
    else:
        expected, writer = GENERATED[name]
        path = writer(tmp_path / name)
    assert [n for n, imp in FEEDBACK.items() if imp.detect(sample_file(path))] == [expected]


def test_detect_rejects_a_plain_contract_csv(tmp_path):
    path = write_csv(tmp_path / "feedback.csv", [["feedback_id", "timestamp", "text", "source"],
                                                 ["f1", "2024-03-01T10:00:00Z", "Great, thanks", "survey"]])
    other = write_csv(tmp_path / "other.csv", [["Timestamp", "feedback_id", "text", "source"],
                                               ["3/1/2024 10:11:12", "f1", "ok", "survey"]])
    for p in (path, other):
        assert not [n for n, imp in FEEDBACK.items() if imp.detect(sample_file(p))]
