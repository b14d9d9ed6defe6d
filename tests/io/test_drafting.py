"""``jkit init`` (:mod:`jkit.io.drafting`): drafts that load with no edits, and drafts that say what is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import jkit
from jkit.cli import main
from jkit.errors import ParameterError
from jkit.io import drafting
from jkit.io.drafting import draft_study, place_event
from jkit.stages import load_stage_model


def _clickstream(path: Path, n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Rows shaped like Kaggle's "eCommerce behavior data from multi category store" (2019-Oct.csv)."""
    rng = np.random.default_rng(seed)
    times = pd.Timestamp("2019-10-01") + pd.to_timedelta(np.sort(rng.integers(0, 3 * 3600, n)), unit="s")
    users = rng.integers(500_000_000, 600_000_000, n // 5)[rng.integers(0, n // 5, n)]
    sessions = np.array([f"{x:08x}-4a1c-9d2e-{x % 9973:04d}" for x in rng.integers(0, 2**31, n // 3)])
    frame = pd.DataFrame({
        "event_time": times.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "event_type": rng.choice(["view", "cart", "remove_from_cart", "purchase"], n, p=[0.8, 0.1, 0.04, 0.06]),
        "product_id": rng.integers(1_000_000, 60_000_000, n),
        "category_id": rng.integers(2_053_013_552_226_107_603, 2_175_419_595_093_967_522, n),
        "category_code": rng.choice(["electronics.smartphone", "appliances.kitchen.washer", ""], n),
        "brand": rng.choice(["samsung", "apple", "xiaomi", ""], n),
        "price": np.round(rng.uniform(0.8, 2_500, n), 2),
        "user_id": users,
        "user_session": sessions[rng.integers(0, len(sessions), n)],
    })
    frame.to_csv(path, index=False)
    return frame


def test_clickstream_csv_drafts_a_study_that_loads_with_no_edits(tmp_path, capsys):
    raw = _clickstream(tmp_path / "2019-Oct.csv")
    study = tmp_path / "study"
    assert main(["init", str(study), "--events", str(tmp_path / "2019-Oct.csv")]) == 0
    out = capsys.readouterr().out
    users = raw["user_id"].nunique()
    assert f"customer_id ← user_id: {users:,} distinct values" in out
    assert "timestamp ← event_time: 2019-10-01" in out and "ISO 8601 with zone" in out
    assert "event ← event_type: 4 distinct names" in out
    assert "session_id ← user_session" in out
    assert "revenue: not mapped: price" in out and "Check:" in out
    spec = yaml.safe_load((study / "study.yaml").read_text())
    assert spec["events"]["path"] == "../2019-Oct.csv"
    assert spec["events"]["columns"] == {"customer_id": "user_id", "timestamp": "event_time", "event": "event_type",
                                         "session_id": "user_session"}
    assert spec["customers"] == "from_events" and "sep" not in spec["events"]
    stages = yaml.safe_load((study / "stages.yaml").read_text())
    assert [s["name"] for s in stages["stages"]] == ["consideration", "purchase"]
    assert stages["unassigned"] == []

    data = jkit.load(study / "study.yaml")
    events = data.events
    assert len(events) == len(raw) == 2_000
    assert events["customer_id"].tolist() == raw["user_id"].astype(str).tolist()
    expected = pd.to_datetime(raw["event_time"].str.replace(" UTC", ""), utc=True)
    assert (events["timestamp"].to_numpy() == expected.to_numpy()).all()
    assert events["session_id"].tolist() == raw["user_session"].tolist()
    assert events["event"].tolist() == raw["event_type"].tolist()
    assert "revenue" not in events.columns  # price is a product price on views too: not revenue
    assert np.allclose(events["price"].astype(float), raw["price"])
    staged = data.events_with_stage()
    assert set(staged.loc[staged["event"] == "purchase", "stage"]) == {"purchase"}
    assert set(staged.loc[staged["event"] == "view", "stage"]) == {"consideration"}
    assert len(data.customers) == users and data.derived == {"customers": "from_events"}


def test_tab_separated_csv_with_day_first_dates(tmp_path):
    rows = [("u1", "23/04/2024 10:15", "login"), ("u2", "01/05/2024 09:00", "search"),
            ("u1", "02/05/2024 11:30", "purchase"), ("u3", "13/05/2024 08:00", "product_view")] * 5
    path = tmp_path / "export.csv"
    path.write_text("userId\tcreated_at\taction\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    draft = draft_study(tmp_path / "study", events=path)
    assert draft.exit_code == 0, draft.report()
    table = draft.tables["events"]
    assert table.sep == "tab" and table.dayfirst is True
    spec = yaml.safe_load((tmp_path / "study" / "study.yaml").read_text())
    assert spec["events"]["sep"] == "tab" and spec["events"]["dayfirst"] is True
    assert spec["events"]["columns"] == {"customer_id": "userId", "timestamp": "created_at", "event": "action"}
    assert "day/month/year" in draft.report()
    data = jkit.load(tmp_path / "study")
    assert len(data.events) == 20
    assert data.events["timestamp"].iloc[1] == pd.Timestamp("2024-05-01 09:00", tz="UTC")
    assert data.events_with_stage().set_index("event")["stage"].to_dict() == {
        "login": "retention", "search": "consideration", "purchase": "purchase", "product_view": "consideration"}


def test_undecidable_day_month_order_loads_month_first_and_asks(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("customer_id,date,event\na,01/02/2024,purchase\nb,03/04/2024,product_view\n", encoding="utf-8")
    draft = draft_study(tmp_path / "s", events=path)
    assert draft.exit_code == 0 and draft.tables["events"].dayfirst is False
    assert any("could be day-first" in c for c in draft.checks)
    assert jkit.load(tmp_path / "s").events["timestamp"].iloc[0] == pd.Timestamp("2024-01-02", tz="UTC")


def test_unplaced_event_name_is_unassigned_and_the_study_loads(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp,event\n" + "".join(
        f"c{i % 3},2024-03-0{1 + i % 9}T10:00:00Z,{name}\n" for i, name in
        enumerate(["ad_click", "product_view", "purchase", "zzz_custom", "zzz_custom", "purchase"])), encoding="utf-8")
    assert main(["init", str(tmp_path / "s"), "--events", str(path)]) == 0
    out = capsys.readouterr().out
    assert "zzz_custom (2)" in out and "unassigned" in out
    stages = yaml.safe_load((tmp_path / "s" / "stages.yaml").read_text())
    assert stages["unassigned"] == ["zzz_custom"]
    data = jkit.load(tmp_path / "s" / "study.yaml")
    assert len(data.events) == 6 and data.stages.unassigned == ("zzz_custom",)
    staged = data.events_with_stage()
    assert staged.loc[staged["event"] == "zzz_custom", "stage"].isna().all()


def test_no_id_column_exits_1_naming_the_missing_mapping(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("event_time,event_type\n2024-01-01 10:00:00,view\n2024-01-02 10:00:00,purchase\n")
    assert main(["init", str(tmp_path / "s"), "--events", str(path)]) == 1
    captured = capsys.readouterr()
    assert "you must map events.customer_id" in captured.out + captured.err
    text = (tmp_path / "s" / "study.yaml").read_text()
    assert "# customer_id: ???" in text  # the draft is written, with the placeholder to fill in
    assert yaml.safe_load(text)["events"]["columns"] == {"timestamp": "event_time", "event": "event_type"}


def test_ga4_export_is_detected_and_loads(shared_data, tmp_path, capsys):
    path = shared_data / "exports" / "ga4" / "events_20201101.parquet"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    assert main(["init", str(tmp_path / "ga4"), "--events", str(path)]) == 0
    assert "format ga4" in capsys.readouterr().out
    spec = yaml.safe_load((tmp_path / "ga4" / "study.yaml").read_text())
    assert spec["events"]["format"] == "ga4"
    data = jkit.load(tmp_path / "ga4" / "study.yaml")
    assert len(data.events) == 31_272
    staged = data.events_with_stage()
    assert set(staged.loc[staged["event"] == "purchase", "stage"]) == {"purchase"}
    assert set(staged.loc[staged["event"] == "page_view", "stage"]) == {"awareness"}


def test_feedback_only_file_drafts_a_feedback_study(tmp_path):
    sentences = ["So there is no way for me to plug it in here in the US.", "Good case, Excellent value.",
                 "Great for the jawbone.", "Tied to charger for conversations lasting more than 45 minutes."]
    path = tmp_path / "amazon_cells_labelled.txt"
    path.write_bytes(("sentence\tscore\r\n" + "".join(f"{s}\t{i % 2}\r\n" for i, s in enumerate(sentences))).encode())
    draft = draft_study(tmp_path / "fb", feedback=path)
    assert draft.exit_code == 0, draft.report()
    assert draft.stages_path is None and "text ← sentence" in draft.report()
    spec = yaml.safe_load((tmp_path / "fb" / "study.yaml").read_text())
    assert set(spec) == {"name", "feedback"} and spec["feedback"]["columns"] == {"text": "sentence"}
    data = jkit.load(tmp_path / "fb" / "study.yaml")
    assert data.tables == ("feedback",)
    assert data.feedback["text"].tolist() == sentences


def test_real_sentiment_file_as_feedback(shared_data, tmp_path):
    path = shared_data / "sentiment" / "amazon_cells_labelled.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    draft = draft_study(tmp_path / "fb", feedback=path)
    assert draft.exit_code == 0, draft.report()
    assert len(jkit.load(tmp_path / "fb").feedback) == 1_000


def test_refuses_to_overwrite_study_without_force(tmp_path, capsys):
    _clickstream(tmp_path / "e.csv", n=200)
    assert main(["init", str(tmp_path / "s"), "--events", str(tmp_path / "e.csv")]) == 0
    (tmp_path / "s" / "study.yaml").write_text("# edited by hand\n" + (tmp_path / "s" / "study.yaml").read_text())
    assert main(["init", str(tmp_path / "s"), "--events", str(tmp_path / "e.csv")]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "s" / "study.yaml").read_text().startswith("# edited by hand")
    assert main(["init", str(tmp_path / "s"), "--events", str(tmp_path / "e.csv"), "--force"]) == 0
    assert not (tmp_path / "s" / "study.yaml").read_text().startswith("# edited by hand")
    with pytest.raises(ParameterError, match="at least one file"):
        draft_study(tmp_path / "t")


@pytest.mark.parametrize(("name", "stage"), [
    ("purchase", "purchase"), ("Product View", "consideration"), ("page_view", "awareness"),
    ("first_visit", "awareness"), ("view_search_results", "consideration"), ("AddToCart", "consideration"),
    ("begin_checkout", "purchase"), ("repeat_purchase", "retention"), ("session_start", "retention"),
    ("app_open", "retention"), ("order_completed", "purchase"), ("signup", "purchase"),
    ("review_submitted", "advocacy"), ("invite_friend", "advocacy"), ("view", "consideration"),
    ("view_promotion", "awareness"), ("email_opened", "awareness"), ("zzz_custom", None), ("scroll", None),
])
def test_event_names_are_placed_by_the_rules(name, stage):
    assert place_event(name, load_stage_model("five_stage").stage_of())[0] == stage


def test_other_template_and_two_stage_fallback(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("customer_id,timestamp,event\n" + "".join(
        f"c{i},2024-03-01T1{i}:00:00Z,{e}\nc{i},2024-03-01T1{i}:30:00Z,search\n"
        for i, e in enumerate(["product_view", "product_view", "compare"])), encoding="utf-8")
    seven = draft_study(tmp_path / "seven", events=path, stages_template="seven_stage")
    assert [name for name, _ in seven.stages] == ["interest", "evaluation"] and seven.exit_code == 0
    five = draft_study(tmp_path / "five", events=path)  # all three names are consideration in five_stage
    assert [name for name, _ in five.stages] == ["first_seen", "later"]
    assert [e for e, _, _ in five.stages[0][1]] == ["product_view"]
    assert any("two-stage model" in c for c in five.checks) and five.exit_code == 0
    assert jkit.load(tmp_path / "five").stages.names == ["first_seen", "later"]


def test_revenue_is_mapped_when_only_purchases_carry_it_and_odd_names_round_trip(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Customer ID;Order Time;Event: name;amount\n"
                    "a;2024-01-05 10:00;view;\nb;2024-01-06 11:00;purchase;19.90\na;2024-01-07 12:00;purchase;5\n",
                    encoding="utf-8")
    draft = draft_study(tmp_path / "s", events=path)
    assert draft.exit_code == 0, draft.report()
    spec = yaml.safe_load((tmp_path / "s" / "study.yaml").read_text())
    assert spec["events"]["sep"] == ";"
    assert spec["events"]["columns"] == {"customer_id": "Customer ID", "timestamp": "Order Time",
                                         "event": "Event: name", "revenue": "amount"}
    assert jkit.load(tmp_path / "s").events["revenue"].tolist()[1:] == [19.9, 5.0]


def test_decimal_comma_revenue_is_left_unmapped_with_the_reason(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("Kunde ID;date;event;revenue_usd\nK\xe4the;05.01.2024;purchase;19,90\nOla;17.01.2024;purchase;5,00\n"
                     .encode("cp1252"))
    draft = draft_study(tmp_path / "s", events=path)
    table = draft.tables["events"]
    assert table.encoding == "cp1252" and table.sep == ";" and table.dayfirst is True
    assert any("events.revenue is not mapped: revenue_usd (values such as '19,90' are not a number" in c
               for c in draft.checks)
    assert draft.exit_code == 1 and "you must map events.customer_id" in draft.report()  # "Kunde ID" is not English


def test_large_files_are_inferred_from_a_sample_and_counted_whole(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    rows = [f"u{i % 7},2024-02-01T00:{i % 60:02d}:00Z,{('product_view', 'purchase')[i % 2] if i < 950 else 'late_event'}" for i in range(1_000)]
    path.write_text("user_id,event_time,event_name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(drafting, "LARGE_BYTES", 1_000)
    monkeypatch.setattr(drafting, "SAMPLE_ROWS", 100)
    draft = draft_study(tmp_path / "s", events=path)
    assert ("late_event", 50) in draft.unassigned  # not in the sample, still counted and kept
    assert any("first 100 rows" in c for c in draft.checks)
    assert draft.exit_code == 0 and len(jkit.load(tmp_path / "s").events) == 1_000


def test_large_files_with_padded_headers_and_blank_event_names(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    rows = [f"u{i % 7}, 2024-02-01T00:{i % 60:02d}:00Z, {'purchase' if i % 10 else ' '}" for i in range(1_000)]
    path.write_text("user_id, event_time, event_name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(drafting, "LARGE_BYTES", 1_000)
    monkeypatch.setattr(drafting, "SAMPLE_ROWS", 100)
    draft = draft_study(tmp_path / "s", events=path)
    assert not any(name == "" for name, _ in draft.unassigned)  # blank names are not an event
    assert "purchase (900)" in draft.report()
