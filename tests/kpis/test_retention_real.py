"""retention, lifecycle and the formula-CLV guard on the real vendor exports in ../shared/data/exports."""

from __future__ import annotations

import pandas as pd
import pytest

import jkit
from jkit.cli import main
from jkit.errors import JkitWarning
from jkit.io.importers import mixpanel, segment
from jkit.kpis import kpi_table, lifecycle, retention


@pytest.fixture(scope="module")
def ga4_study(shared_data, tmp_path_factory):
    path = shared_data / "exports" / "ga4" / "events_20201101.parquet"
    folder = tmp_path_factory.mktemp("ga4") / "study"
    assert main(["init", str(folder), "--events", str(path)]) == 0
    return jkit.load(folder / "study.yaml")


def test_ga4_day_one_cohort_and_everyone_new(ga4_study):
    events = ga4_study.events
    users = events["customer_id"].nunique()
    table = retention(ga4_study, period="D")
    # one day of data (2020-11-01, observed to 23:59): one cohort of every user, period 0 only
    assert table[["period", "customers", "active"]].values.tolist() == [[0, users, users]]
    assert table["cohort"].tolist() == [pd.Timestamp("2020-11-01", tz="UTC")]
    starts = retention(ga4_study, period="D", start_event="session_start", return_event="purchase")
    assert starts["customers"].iloc[0] == events.loc[events["event"] == "session_start", "customer_id"].nunique()
    life = lifecycle(ga4_study, period="D")
    assert life[["new", "returning", "resurrecting", "dormant", "active"]].values.tolist() == [[users, 0, 0, 0, users]]
    # Sunday 1 November ends the week of Monday 26 October: that week is observed to its end, November is not
    assert retention(ga4_study, period="W")["cohort"].tolist() == [pd.Timestamp("2020-10-26", tz="UTC")]
    assert retention(ga4_study, period="M").empty
    assert not retention(ga4_study, period="M", incomplete="mark")["complete"].any()


def test_ga4_one_day_gets_no_formula_clv(ga4_study):
    with pytest.warns(JkitWarning, match=r"data spans 24 h, less than the 90 days"):
        table = kpi_table(ga4_study).set_index("kpi")
    assert pd.isna(table.loc["clv", "value"]) and "less than clv_min_span=90 days" in table.loc["clv", "definition"]


def test_mixpanel_example_resurrects_on_day_two(shared_data):
    path = shared_data / "exports" / "mixpanel" / "mixpanel_docs_openapi_export_example.jsonl"
    frame = mixpanel.read_mixpanel(path, default_id="anonymous")   # two events: 13 and 15 October 2020
    table = retention(frame, period="D")
    assert table[["period", "customers", "active"]].values.tolist() == [[0, 1, 1], [1, 1, 0], [2, 1, 1]]
    assert lifecycle(frame, period="D")[["new", "returning", "resurrecting", "dormant"]].values.tolist() == [
        [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]]


def test_segment_batches(shared_data):
    frames = [segment.read_segment(p) for p in sorted((shared_data / "exports" / "segment").glob("*.json"))]
    events = pd.concat(frames, ignore_index=True)
    # analytics-go's fixtures: users '123456' and 'B', all at 2009-11-10 23:00 UTC
    table = retention(events, period="D", start_event="Download")
    assert table[["period", "customers", "active"]].values.tolist() == [[0, 1, 1]]
    assert retention(events, period="D")["customers"].tolist() == [events["customer_id"].nunique()] == [2]
