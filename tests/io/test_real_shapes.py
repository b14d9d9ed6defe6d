"""Issue 14: every way real files broke the loader is a case here (study files, shapes, dates, bad rows)."""

from __future__ import annotations

import codecs
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import jkit
from jkit.errors import DataValidationError, JkitWarning, MissingResourceError


def write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if encoding != "utf-16" else codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def study(folder, yaml_text):
    return write(folder / "study.yaml", yaml_text)


TRANSACTIONS = "user_id date amount\n1 19970101 11.77\n2 19970112 12.00\n2 19970112 77.00\n3 19980630 20.76\n"


def test_yyyymmdd_dates_are_dates_not_epoch_seconds(tmp_path):
    # CDNOW-style transaction log: whitespace-separated, dates as ISO 8601 basic form
    write(tmp_path / "cdnow.txt", TRANSACTIONS)
    s = study(tmp_path, """
events:
  path: cdnow.txt
  columns: {customer_id: user_id, timestamp: date, revenue: amount}
  constants: {event: purchase}
""")
    data = jkit.load(s)
    assert data.events["timestamp"].tolist() == [pd.Timestamp(d, tz="UTC") for d in
                                                  ("1997-01-01", "1997-01-12", "1997-01-12", "1998-06-30")]
    assert data.events["revenue"].tolist() == [11.77, 12.0, 77.0, 20.76]
    assert data.derived == {"customers": "from_events"} and len(data.customers) == 3
    assert data.customers.set_index("customer_id")["signup_date"]["2"] == pd.Timestamp("1997-01-12", tz="UTC")


def test_digits_that_are_not_all_dates_are_an_error_naming_the_forms(tmp_path):
    write(tmp_path / "t.txt", TRANSACTIONS.replace("19980630", "19981330"))
    s = study(tmp_path, "events:\n  path: t.txt\n  columns: {customer_id: user_id, timestamp: date}\n"
                        "  constants: {event: purchase}\n")
    with pytest.raises(DataValidationError, match=r"t.txt: column 'timestamp'.*'19981330'.*YYYYMMDD.*timestamp_format"):
        jkit.load(s)


@pytest.mark.parametrize("sep", ["\t", ";", "|", ","])
def test_separator_is_sniffed_not_taken_from_the_extension(tmp_path, sep):
    rows = [["customer_id", "timestamp", "event"], ["a", "2024-03-01 10:00:00", "purchase"],
            ["b", "2024-03-02 11:00:00", "ad_click"]]
    write(tmp_path / "events.csv", "\n".join(sep.join(r) for r in rows) + "\n")
    data = jkit.load(tmp_path)
    assert data.events["customer_id"].tolist() == ["a", "b"]
    assert data.events["timestamp"][1] == pd.Timestamp("2024-03-02 11:00:00", tz="UTC")


def test_day_first_dates_decided_by_the_data_or_by_dayfirst(tmp_path):
    write(tmp_path / "events.csv", "customer_id,timestamp,event\na,01-02-2024,purchase\nb,25-12-2024,purchase\n")
    data = jkit.load(tmp_path)
    assert data.events["timestamp"].tolist() == [pd.Timestamp("2024-02-01", tz="UTC"), pd.Timestamp("2024-12-25", tz="UTC")]
    write(tmp_path / "events.csv", "customer_id,timestamp,event\na,01-02-2024,purchase\nb,03-04-2024,purchase\n")
    with pytest.raises(DataValidationError, match=r"events.csv: column 'timestamp'.*day-first or month-first.*dayfirst"):
        jkit.load(tmp_path)
    s = study(tmp_path, "events:\n  path: events.csv\n  dayfirst: true\n")
    assert jkit.load(s).events["timestamp"][1] == pd.Timestamp("2024-04-03", tz="UTC")
    # the table's own dayfirst wins over the call's default
    assert jkit.load(s, dayfirst=False).events["timestamp"][1] == pd.Timestamp("2024-04-03", tz="UTC")
    s = study(tmp_path, "events:\n  path: events.csv\n  timestamp_format: '%m-%d-%Y'\n")
    assert jkit.load(s).events["timestamp"][1] == pd.Timestamp("2024-03-04", tz="UTC")


def test_every_date_form_of_the_docs_table(tmp_path):
    from jkit.timestamps import parse_timestamps

    t = pd.Timestamp("2024-03-01 10:00:00", tz="UTC")
    cases = {
        "2024-03-01T10:00:00Z": t, "2024-03-01 12:00:00+02:00": t, "2024-03-01 10:00:00 UTC": t,
        "20240301T100000Z": t, "2024/03/01 10:00": t, "1709287200": t, "1709287200000": t,
        "1709287200000000": t, "1709287200000000000": t,
    }
    for raw, expected in cases.items():
        assert parse_timestamps(pd.Series([raw]))[0] == expected, raw
    assert parse_timestamps(pd.Series(["20240301"]))[0] == pd.Timestamp("2024-03-01", tz="UTC")
    # microseconds survive exactly from integer epoch values
    us = 1709287200123456
    assert parse_timestamps(pd.Series([us]))[0].value == us * 1000
    # Excel serials only when asked: 45352.4166... is 2024-03-01 10:00
    assert parse_timestamps(pd.Series([45352.41666666666]), timestamp_format="excel")[0].round("s") == t
    assert parse_timestamps(pd.Series(["45352"]))[0] != pd.Timestamp("2024-03-01", tz="UTC")


def test_extra_columns_are_typed_by_content_and_blank_cells_are_missing(tmp_path):
    write(tmp_path / "customers.csv",
          "customer_id,signup_date,tenure,MonthlyCharges,Paperless,zip,Contract,note\n"
          "c1,2024-01-01,12,29.85,Yes,01234,Month-to-month,hello there\n"
          "c2,2024-01-02, ,56.95,No,02111,One year,\n"
          "c3,2024-01-03,NA,null,Yes,99501,Two year,fine\n")
    data = jkit.load(tmp_path)
    c = data.customers
    assert str(c["tenure"].dtype) == "Int64" and c["tenure"].tolist()[0] == 12 and c["tenure"].isna().sum() == 2
    assert str(c["MonthlyCharges"].dtype) == "Float64" and c["MonthlyCharges"][1] == 56.95
    assert c["zip"].tolist() == ["01234", "02111", "99501"]  # leading zeros: an identifier, kept as text
    assert c["note"].isna()[1]


def test_decimal_comma_in_a_semicolon_file(tmp_path):
    write(tmp_path / "customers.csv", "customer_id;signup_date;balance;income\nc1;2024-01-01;1234,50;52000\n"
                                      "c2;2024-01-02;-3,25;48250,5\n")
    customers = jkit.load(tmp_path).customers
    assert customers["balance"].tolist() == [1234.5, -3.25] and customers["income"].tolist() == [52000.0, 48250.5]
    write(tmp_path / "customers.csv", "customer_id,signup_date,income\nc1,2024-01-01,\"52000,5\"\n")
    with pytest.raises(DataValidationError, match="value '52000,5' is not a number"):
        jkit.load(tmp_path)  # a comma-separated file: a comma in a number is not a decimal comma


def test_column_map_and_constants(tmp_path):
    write(tmp_path / "raw" / "2019-Oct.csv",
          "event_time,event_type,user_id,user_session,price\n"
          "2019-10-01 00:00:00 UTC,view,541312140,72d76fde,44.0\n"
          "2019-10-01 00:00:04 UTC,purchase,541312140,72d76fde,44.0\n")
    s = study(tmp_path, """
events:
  path: raw/2019-Oct.csv
  columns: {customer_id: user_id, timestamp: event_time, event: event_type, session_id: user_session}
  constants: {touchpoint: web}
stages:
  name: shop
  stages:
    - {name: consideration, events: [view]}
    - {name: purchase, events: [purchase]}
""")
    data = jkit.load(s)
    assert data.events["customer_id"].tolist() == ["541312140"] * 2
    assert data.events["session_id"].tolist() == ["72d76fde"] * 2
    assert set(data.events["touchpoint"]) == {"web"} and data.has("events", "touchpoint")
    assert data.sources["events"].name == "raw/2019-Oct.csv"
    assert "price" in data.events.columns and data.events["price"].tolist() == [44.0, 44.0]


def test_column_map_names_a_missing_file_column_with_a_suggestion(tmp_path):
    write(tmp_path / "e.csv", "event_time,event_type,user_id\n2024-01-01,view,1\n")
    s = study(tmp_path, "events:\n  path: e.csv\n  columns: {customer_id: userid, timestamp: event_time, event: event_type}\n")
    with pytest.raises(DataValidationError, match=r"e.csv: columns: customer_id: 'userid' is not a column.*'user_id'"):
        jkit.load(s)


def test_unknown_study_keys_are_errors(tmp_path):
    write(tmp_path / "e.csv", "customer_id,timestamp,event\n1,2024-01-01,purchase\n")
    with pytest.raises(DataValidationError, match=r"unknown key 'seperator' under 'events'"):
        jkit.load(study(tmp_path, "events:\n  path: e.csv\n  seperator: ';'\n"))
    with pytest.raises(DataValidationError, match=r"unknown key 'event'"):
        jkit.load(study(tmp_path, "event: e.csv\n"))


def test_any_subset_of_tables(tmp_path):
    write(tmp_path / "ev" / "events.csv", "customer_id,timestamp,event\n1,2024-01-01,purchase\n2,2024-01-02,ad_click\n")
    ev = jkit.load(tmp_path / "ev")
    assert ev.tables == ("events",) and ev.derived == {"customers": "from_events"} and len(ev.customers) == 2
    assert ev.feedback.empty and list(ev.feedback.columns)[:5] == ["feedback_id", "customer_id", "timestamp", "text", "source"]
    write(tmp_path / "cu" / "customers.csv", "customer_id,age\n1,30\n2,41\n")
    cu = jkit.load(tmp_path / "cu")
    assert cu.tables == ("customers",) and cu.events.empty and cu.customers["signup_date"].isna().all()
    write(tmp_path / "fb" / "feedback.csv", "text\nToo slow\nLovely staff\n")
    fb = jkit.load(tmp_path / "fb")
    assert fb.tables == ("feedback",) and fb.feedback["feedback_id"].tolist() == ["1", "2"]
    assert set(fb.feedback["source"]) == {"unknown"} and fb.feedback["timestamp"].isna().all()
    assert not fb.has("feedback", "timestamp") and fb.has("feedback", "text")


def test_feedback_without_customer_id_loads_beside_customers(tmp_path):
    write(tmp_path / "customers.csv", "customer_id,signup_date\n1,2024-01-01\n")
    write(tmp_path / "feedback.csv", "feedback_id,timestamp,text,source\nf1,2024-01-02,ok,survey\n")
    data = jkit.load(tmp_path)
    assert data.feedback["customer_id"].isna().all() and len(data.feedback) == 1


def test_lenient_loading_warns_loudly_when_it_sets_aside_much(tmp_path):
    lines = ["customer_id,timestamp,event"] + [f"{i},2024-01-01,page_scroll" for i in range(80)] + ["1,2024-01-01,purchase"]
    write(tmp_path / "events.csv", "\n".join(lines) + "\n")
    with pytest.warns(JkitWarning, match=r"set aside 80 of 81 rows \(98.8%\) of events.csv.*page_scroll"):
        data = jkit.load(tmp_path, lenient=True)
    assert "80 of 81 rows (98.8%) were set aside" in repr(data) and "set aside" in data._repr_html_()


@pytest.mark.parametrize("bad", ["9999-12-31 23:59:59", "1500-01-01", "0001-01-01T00:00:00Z"])
def test_out_of_range_dates_are_bad_rows(tmp_path, bad):
    write(tmp_path / "events.csv", f"customer_id,timestamp,event\n1,2024-01-01,purchase\n2,{bad},purchase\n")
    with pytest.raises(DataValidationError, match=r"events.csv: column 'timestamp' row 2: cannot read"):
        jkit.load(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        data = jkit.load(tmp_path, lenient=True)
    assert len(data.events) == 1 and data.validation.rows_set_aside["events"] == 1


def test_out_of_range_dates_in_parquet(tmp_path):
    stamps = pa.array([np.datetime64("2024-01-01T00:00:00", "us"), np.datetime64("9999-12-31T23:59:59", "us")])
    pq.write_table(pa.table({"customer_id": ["1", "2"], "timestamp": stamps, "event": ["purchase"] * 2}),
                   tmp_path / "events.parquet")
    with pytest.raises(DataValidationError, match=r"events.parquet: column 'timestamp' row 2"):
        jkit.load(tmp_path)


def test_non_finite_revenue_is_a_bad_row(tmp_path):
    write(tmp_path / "events.csv", "customer_id,timestamp,event,revenue\n1,2024-01-01,purchase,inf\n2,2024-01-01,purchase,5\n")
    with pytest.raises(DataValidationError, match=r"column 'revenue' row 1: value 'inf' is not a finite number"):
        jkit.load(tmp_path)
    frame = pd.DataFrame({"customer_id": ["1"], "timestamp": ["2024-01-01"], "event": ["purchase"], "revenue": [np.inf]})
    with pytest.raises(DataValidationError, match="not a finite number"):
        jkit.load(events=frame)


def test_duplicated_header_is_an_error(tmp_path):
    write(tmp_path / "events.csv", "customer_id,timestamp,event,event\n1,2024-01-01,purchase,ad_click\n")
    with pytest.raises(DataValidationError, match=r"events.csv: column 'event' appear more than once in the header"):
        jkit.load(tmp_path)


def test_two_files_for_one_table_is_an_error(tmp_path):
    write(tmp_path / "events.csv", "customer_id,timestamp,event\n1,2024-01-01,purchase\n")
    pd.read_csv(tmp_path / "events.csv").to_parquet(tmp_path / "events.parquet")
    with pytest.raises(DataValidationError, match="events.parquet and events.csv both hold the events table"):
        jkit.load(tmp_path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_are_sniffed(tmp_path, encoding):
    write(tmp_path / "feedback.csv", "feedback_id,text\nf1,Café crème: très déçu\nf2,naïve façade\n", encoding)
    data = jkit.load(tmp_path)
    assert data.feedback["text"].tolist() == ["Café crème: très déçu", "naïve façade"]
    assert list(data.feedback.columns)[0] == "feedback_id"


def test_headerless_files_with_names_globs_and_folders(tmp_path):
    for i in (1, 2):
        write(tmp_path / "parts" / f"part-{i}.tsv", f"c{i}\t2024-01-0{i}\tpurchase\nd{i}\t2024-01-0{i}\tad_click\n")
    spec = "  header: false\n  names: [customer_id, timestamp, event]\n"
    by_glob = jkit.load(study(tmp_path, "events:\n  path: parts/*.tsv\n" + spec))
    by_folder = jkit.load(study(tmp_path, "events:\n  path: parts\n" + spec))
    for data in (by_glob, by_folder):
        assert data.events["customer_id"].tolist() == ["c1", "d1", "c2", "d2"]
        assert data.sources["events"].rows == 4
    with pytest.raises(MissingResourceError, match="no file matches"):
        jkit.load(study(tmp_path, "events:\n  path: nothing/*.csv\n"))


def test_malformed_csv_line_is_named_or_set_aside(tmp_path):
    write(tmp_path / "events.csv", "customer_id,timestamp,event\n1,2024-01-01,purchase\n2,2024-01-01,purchase,extra\n"
                                   "3,2024-01-02,purchase\n")
    with pytest.raises(DataValidationError, match=r"events.csv: .*line 3"):
        jkit.load(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        data = jkit.load(tmp_path, lenient=True)
    assert data.events["customer_id"].tolist() == ["1", "3"]
    assert data.validation.rows_set_aside["events"] == 1


def test_parquet_timestamps_keep_their_type_and_missing_times_are_named(tmp_path):
    stamps = pd.Series(pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC"))
    stamps[1] = pd.NaT
    pd.DataFrame({"customer_id": ["1", "2", "3"], "timestamp": stamps, "event": ["purchase"] * 3}).to_parquet(
        tmp_path / "events.parquet")
    with pytest.raises(DataValidationError, match=r"events.parquet: column 'timestamp' row 2: missing value"):
        jkit.load(tmp_path)


def test_real_review_sentences_as_a_feedback_only_study(shared_data, tmp_path):
    # imdb holds quote characters: read with quotes as text, all 1,000 sentences (not 748)
    s = study(tmp_path, f"feedback:\n  path: {shared_data / 'sentiment' / 'imdb_labelled.txt'}\n"
                        "  columns: {text: sentence}\n")
    data = jkit.load(s)
    assert len(data.feedback) == 1000 and data.feedback["score"].sum() == 500
    text = (shared_data / "sentiment" / "imdb_labelled.txt").read_text(encoding="utf-8")
    lines = [line for line in text.replace("\r\n", "\n").split("\n")[1:] if line]
    assert data.feedback["text"].tolist() == [line.rsplit("\t", 1)[0].strip() for line in lines]


def test_real_mall_customers_as_a_customers_only_study(shared_data, tmp_path):
    s = study(tmp_path, f"customers:\n  path: {shared_data / 'customers' / 'Mall_Customers.csv'}\n"
                        "  columns: {customer_id: CustomerID, gender: Genre, age: Age, income: 'Annual Income (k$)'}\n")
    data = jkit.load(s)
    raw = pd.read_csv(shared_data / "customers" / "Mall_Customers.csv")
    assert len(data.customers) == 200 and data.customers["age"].tolist() == raw["Age"].tolist()
    assert str(data.customers["Spending Score (1-100)"].dtype) == "Int64"
    assert data.customers["customer_id"].tolist() == raw["CustomerID"].astype(str).str.zfill(4).tolist()
