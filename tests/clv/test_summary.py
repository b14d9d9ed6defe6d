"""rfm_summary on a hand-computed log, on a study, and on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jkit.clv import rfm_summary
from jkit.errors import DataValidationError, MissingColumnError, ParameterError


def _log() -> pd.DataFrame:
    rows = [("A", "2024-01-01 10:00", 10), ("A", "2024-01-01 15:00", 5), ("A", "2024-01-08", 20),
            ("A", "2024-01-22", 30), ("A", "2024-02-05", 40), ("B", "2024-01-15", 7),
            ("C", "2024-01-29", 12), ("C", "2024-01-29 23:59", 0), ("C", "2024-02-12", 8)]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "revenue"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="ISO8601")
    return frame


def test_hand_computed_summary_merges_same_day_and_cuts_at_calibration_end():
    s = rfm_summary(_log(), calibration_end="2024-01-29", observation_end="2024-02-12")
    assert list(s.index) == ["A", "B", "C"]
    # A: days 01-01 (10+5 merged), 01-08, 01-22 -> 2 repeats; first to last 21 days; age 28 days
    assert s.loc["A", "frequency"] == 2
    assert s.loc["A", "recency"] == pytest.approx(3.0)
    assert s.loc["A", "T"] == pytest.approx(4.0)
    assert s.loc["A", "monetary_value"] == pytest.approx(25.0)  # mean of the repeat days 20 and 30
    assert s.loc["A", "frequency_holdout"] == 1 and s.loc["A", "monetary_value_holdout"] == pytest.approx(40)
    assert (s.loc["B", "frequency"], s.loc["B", "recency"], s.loc["B", "T"]) == (0, 0.0, 2.0)
    assert np.isnan(s.loc["B", "monetary_value"]) and s.loc["B", "frequency_holdout"] == 0
    # C: two purchases on its first day are one purchase day; born on the calibration end
    assert (s.loc["C", "frequency"], s.loc["C", "T"], s.loc["C", "frequency_holdout"]) == (0, 0.0, 1)
    assert (s["duration_holdout"] == 2.0).all()
    assert s.attrs["calibration_end"] == pd.Timestamp("2024-01-29")


def test_default_calibration_end_is_the_last_purchase_and_units_follow_time_unit():
    s = rfm_summary(_log(), time_unit="D")
    assert s.loc["A", "frequency"] == 3 and s.loc["A", "recency"] == 35 and s.loc["A", "T"] == 42
    assert s.loc["C", "frequency"] == 1 and s.loc["C", "monetary_value"] == pytest.approx(8)


def test_matches_the_published_cdnow_summary(cdnow_sample, cdnow_dir):
    s = rfm_summary(cdnow_sample, calibration_end="1997-09-30")
    ref = pd.read_csv(cdnow_dir / "cdnow_customers_summary.csv")
    s.index = s.index.astype(int)
    s = s.sort_index()
    assert len(s) == 2357 and list(s.index) == list(ref["ID"])
    assert (s["frequency"].to_numpy() == ref["frequency"].to_numpy()).all()
    assert s["frequency"].sum() == 2457
    # the published file rounds to 2 decimals
    assert np.abs(s["recency"].to_numpy() - ref["recency"].to_numpy()).max() < 0.006
    assert np.abs(s["T"].to_numpy() - ref["T"].to_numpy()).max() < 0.006


def test_a_study_uses_its_purchase_events_and_revenue(small_sample):
    s = rfm_summary(small_sample)
    events = small_sample.events
    buys = events[events["event"].isin(["purchase", "repeat_purchase"])]
    assert len(s) == buys["customer_id"].nunique() > 0
    days = buys.assign(day=buys["timestamp"].dt.floor("D")).drop_duplicates(["customer_id", "day"])
    assert s["frequency"].sum() == len(days) - len(s)
    assert s.attrs["data_end"] == small_sample.period[1].tz_localize(None).floor("D")
    assert (s["T"] >= s["recency"]).all() and (s["recency"] >= 0).all()


def test_bad_input_gives_clear_errors():
    log = _log()
    with pytest.raises(ParameterError, match="calibration_end=2025-01-01 is after the end of the data"):
        rfm_summary(log, calibration_end="2025-01-01")
    with pytest.raises(DataValidationError, match="no purchase on or before calibration_end=2023-01-01"):
        rfm_summary(log, calibration_end="2023-01-01")
    with pytest.raises(ParameterError, match="observation_end=2024-01-20 should be after"):
        rfm_summary(log, calibration_end="2024-01-29", observation_end="2024-01-20")
    with pytest.raises(MissingColumnError, match="'customer_id'"):
        rfm_summary(log.rename(columns={"customer_id": "who"}))
    bad = log.astype({"revenue": object})
    bad.loc[3, "revenue"] = "ten"
    with pytest.raises(DataValidationError, match=r"column 'revenue' row 4: expected a number, found 'ten'"):
        rfm_summary(bad)
    bad = log.astype({"timestamp": object})
    bad.loc[2, "timestamp"] = "not a date"
    with pytest.raises(DataValidationError, match=r"column 'timestamp' row 3"):
        rfm_summary(bad)
    with pytest.raises(ParameterError, match="time_unit='H'"):
        rfm_summary(log, time_unit="H")
    with pytest.raises(DataValidationError, match="no purchases found"):
        rfm_summary(log.iloc[:0])
    with pytest.raises(ParameterError, match="JourneyData or a transactions DataFrame"):
        rfm_summary([1, 2, 3])


def test_holdout_split_leaves_the_share_asked_for(cdnow_sample):
    from jkit.clv import holdout_split

    # CDNOW: 1997-01-01 .. 1998-06-30 is 545 days; half of it held out ends calibration on day 272 or 273
    end = holdout_split(cdnow_sample, holdout=0.5)
    assert end == pd.Timestamp("1997-01-01") + pd.Timedelta(days=round(545 * 0.5))
    assert holdout_split(cdnow_sample) < holdout_split(cdnow_sample, holdout=0.25)
    with pytest.raises(ParameterError, match="holdout=0.9"):
        holdout_split(cdnow_sample, holdout=0.9)
    hours = pd.DataFrame({"customer_id": ["a", "a", "b"], "timestamp": pd.to_datetime(
        ["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-01 13:00"])})
    with pytest.raises(DataValidationError, match="span 0 day"):
        holdout_split(hours)
