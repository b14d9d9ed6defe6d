"""The data contract: loading, coercion, and every bad-input case of issue 2."""

from __future__ import annotations

import pandas as pd
import pytest

import jkit
from jkit.errors import DataValidationError, MissingResourceError


def write_study(folder, customers=None, events=None, feedback=None):
    """Write a tiny valid study (CSV) into ``folder``; pass frames to replace a table."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = customers if customers is not None else pd.DataFrame(
        {"customer_id": ["C1", "C2", "C3"], "signup_date": ["2025-01-01", "2025-01-02", "2025-01-03"],
         "age": ["34", "", "61"], "region": ["north", "south", "north"]}
    )
    events = events if events is not None else pd.DataFrame(
        {"customer_id": ["C1", "C1", "C2", "C3"],
         "timestamp": ["2025-01-05T10:00:00Z", "2025-01-06 09:00:00", "1736150400", "2025-01-07T12:00:00+02:00"],
         "event": ["ad_click", "purchase", "product_view", "ad_impression"],
         "touchpoint": ["web", "web", "mobile_app", "social"],
         "revenue": ["", "49.90", "", ""]}
    )
    feedback = feedback if feedback is not None else pd.DataFrame(
        {"feedback_id": ["F1", "F2"], "customer_id": ["C1", ""], "timestamp": ["2025-01-08", "2025-01-09"],
         "text": ["Great service", "Delivery was late"], "source": ["survey", "review"],
         "stage": ["purchase", "retention"], "nps": ["9", ""], "csat": ["5", ""], "ces": ["2", ""]}
    )
    for name, frame in (("customers", customers), ("events", events), ("feedback", feedback)):
        if frame is not False:
            frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_loads_and_coerces_types(tmp_path):
    data = jkit.load(write_study(tmp_path / "s"))
    assert len(data.customers) == 3 and len(data.events) == 4 and len(data.feedback) == 2
    assert str(data.events["timestamp"].dtype) == "datetime64[ns, UTC]"
    # 1736150400 is 2025-01-06T08:00:00Z; +02:00 is converted to UTC
    assert data.events["timestamp"].tolist()[2] == pd.Timestamp("2025-01-06 08:00", tz="UTC")
    assert data.events["timestamp"].tolist()[3] == pd.Timestamp("2025-01-07 10:00", tz="UTC")
    assert data.events["revenue"].tolist()[1] == pytest.approx(49.9)
    assert pd.isna(data.customers["age"][1])
    assert str(data.feedback["nps"].dtype) == "Int64" and data.feedback["nps"][0] == 9
    assert pd.isna(data.feedback["customer_id"][1])  # anonymous feedback is allowed
    assert data.period == (pd.Timestamp("2025-01-05 10:00", tz="UTC"), pd.Timestamp("2025-01-07 10:00", tz="UTC"))
    assert data.stages.name == "five_stage"
    assert {s["name"] for s in data.fingerprint()} == {"customers.csv", "events.csv", "feedback.csv"}


def test_parquet_and_dataframe_inputs(tmp_path):
    folder = write_study(tmp_path / "s")
    events = pd.read_csv(folder / "events.csv", dtype=str)
    events.to_parquet(folder / "events.parquet")
    (folder / "events.csv").unlink()
    data = jkit.load(folder)
    assert data.sources["events"].name == "events.parquet"
    frame = pd.read_csv(folder / "customers.csv", dtype=str)
    data2 = jkit.load(folder, customers=frame)
    assert data2.sources["customers"].name == "customers (DataFrame)"
    assert frame["age"].dtype != "float64"  # the caller's frame is not changed


def test_feedback_is_optional(tmp_path):
    folder = write_study(tmp_path / "s", feedback=False)
    data = jkit.load(folder)
    assert data.feedback.empty and "text" in data.feedback.columns


def test_rich_repr_shows_counts_period_and_stages(tmp_path):
    data = jkit.load(write_study(tmp_path / "s"))
    page = data._repr_html_()
    assert "2025-01-05 → 2025-01-07" in page and "awareness" in page and "<td>4</td>" in page
    assert "events=4" in repr(data)


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(MissingResourceError, match="no such folder"):
        jkit.load(tmp_path / "nope")
    folder = write_study(tmp_path / "s")
    (folder / "events.csv").unlink()
    data = jkit.load(folder)  # a study may hold any subset of the tables
    assert data.tables == ("customers", "feedback") and not data.has("events") and data.events.empty
    assert list(data.events.columns) == ["customer_id", "timestamp", "event", "touchpoint"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MissingResourceError, match="no customers, events or feedback table found"):
        jkit.load(empty)


def test_missing_column(tmp_path):
    folder = write_study(tmp_path / "s")
    ev = pd.read_csv(folder / "events.csv", dtype=str).drop(columns="touchpoint")
    ev.to_csv(folder / "events.csv", index=False)
    data = jkit.load(folder)  # touchpoint is optional: filled with "unknown", and said so
    assert set(data.events["touchpoint"]) == {"unknown"} and not data.has("events", "touchpoint")
    assert data.validation.filled["events"]["touchpoint"] == "'unknown'"
    assert "events: no touchpoint column in the data" in repr(data)
    ev.drop(columns="event").to_csv(folder / "events.csv", index=False)
    with pytest.raises(DataValidationError, match="events.csv: missing required column 'event'"):
        jkit.load(folder)


def test_wrong_type_names_file_column_row_and_value(tmp_path):
    cust = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "signup_date": ["2025-01-01"] * 3,
                         "age": ["34", "thirty", "61"]})
    folder = write_study(tmp_path / "s", customers=cust)
    with pytest.raises(DataValidationError, match=r"customers.csv: column 'age' row 2: value 'thirty' is not a number"):
        jkit.load(folder)


def test_unparseable_date(tmp_path):
    folder = write_study(tmp_path / "s")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[3, "timestamp"] = "next tuesday"
    ev.to_csv(folder / "events.csv", index=False)
    with pytest.raises(DataValidationError, match=r"events.csv: column 'timestamp' row 4: cannot read 'next tuesday'"):
        jkit.load(folder)


def test_duplicate_id(tmp_path):
    cust = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C2"], "signup_date": ["2025-01-01"] * 4})
    folder = write_study(tmp_path / "s", customers=cust)
    with pytest.raises(DataValidationError, match=r"customers.csv: column 'customer_id' row 4: duplicate id 'C2'"):
        jkit.load(folder)


def test_nps_out_of_range(tmp_path):
    folder = write_study(tmp_path / "s")
    fb = pd.read_csv(folder / "feedback.csv", dtype=str)
    fb.loc[1, "nps"] = "11"
    fb.to_csv(folder / "feedback.csv", index=False)
    with pytest.raises(DataValidationError, match=r"feedback.csv: column 'nps' row 2: value '11' is outside the accepted range; expected a whole number from 0 to 10"):
        jkit.load(folder)


def test_unknown_event(tmp_path):
    folder = write_study(tmp_path / "s")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[0, "event"] = "page_scroll"
    ev.to_csv(folder / "events.csv", index=False)
    with pytest.raises(DataValidationError, match=r"events.csv: column 'event' row 1: value 'page_scroll' is not an event of the stage model 'five_stage'"):
        jkit.load(folder)


def test_event_of_unknown_customer(tmp_path):
    folder = write_study(tmp_path / "s")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[2, "customer_id"] = "C99"
    ev.to_csv(folder / "events.csv", index=False)
    with pytest.raises(DataValidationError, match=r"events.csv: column 'customer_id' row 3: value 'C99' is not a customer in customers.csv"):
        jkit.load(folder)


def test_empty_text(tmp_path):
    folder = write_study(tmp_path / "s")
    fb = pd.read_csv(folder / "feedback.csv", dtype=str)
    fb.loc[0, "text"] = "   "
    fb.to_csv(folder / "feedback.csv", index=False)
    with pytest.raises(DataValidationError, match=r"feedback.csv: column 'text' row 1: empty text; expected non-empty text"):
        jkit.load(folder)


def test_unknown_feedback_stage(tmp_path):
    folder = write_study(tmp_path / "s")
    fb = pd.read_csv(folder / "feedback.csv", dtype=str)
    fb.loc[1, "stage"] = "delight"
    fb.to_csv(folder / "feedback.csv", index=False)
    with pytest.raises(DataValidationError, match=r"feedback.csv: column 'stage' row 2: value 'delight' is not a stage"):
        jkit.load(folder)


def test_lenient_sets_aside_and_counts_every_row(tmp_path):
    cust = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C3"], "signup_date": ["2025-01-01"] * 4,
                         "age": ["34", "x", "61", "50"]})
    ev = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C9", "C3"],
                       "timestamp": ["2025-01-05", "bad", "2025-01-05", "2025-01-05", "2025-01-05"],
                       "event": ["ad_click", "purchase", "product_view", "ad_click", "page_scroll"],
                       "touchpoint": ["web"] * 5})
    fb = pd.DataFrame({"feedback_id": ["F1", "F2", "F3"], "customer_id": ["C1", "", ""],
                       "timestamp": ["2025-01-08"] * 3, "text": ["ok", "", "fine"], "source": ["survey"] * 3,
                       "nps": ["11", "", "3"]})
    folder = write_study(tmp_path / "s", customers=cust, events=ev, feedback=fb)
    data = jkit.load(folder, lenient=True)
    report = data.validation
    # customers: row 2 (age 'x') and row 4 (duplicate C3) set aside
    assert report.rows_set_aside == {"customers": 2, "events": 4, "feedback": 2}
    assert len(data.customers) == 2 and len(data.events) == 1 and len(data.feedback) == 1
    # C2 was set aside as a customer, so its event goes too: every drop is reported
    frame = report.to_frame()
    assert frame["rows_set_aside"].sum() == 8
    assert set(frame["column"]) >= {"age", "customer_id", "timestamp", "event", "nps", "text"}
    assert "set aside 8 rows" in str(report)
    assert "Validation report" in report._repr_html_()


def test_stage_model_from_folder_yaml(tmp_path):
    folder = write_study(tmp_path / "s", feedback=False)
    jkit.load_stage_model("seven_stage").to_yaml(folder / "stages.yaml")
    data = jkit.load(folder)
    assert data.stages.name == "seven_stage"
    assert data.events_with_stage()["stage"].tolist() == ["awareness", "purchase", "interest", "awareness"]


def test_unreadable_file_is_named(tmp_path):
    folder = write_study(tmp_path / "s")
    (folder / "events.parquet").write_bytes(b"not parquet")
    (folder / "events.csv").unlink()
    with pytest.raises(DataValidationError, match="events.parquet: cannot read the Parquet file"):
        jkit.load(folder)
