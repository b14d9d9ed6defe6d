"""jkit._rules: the shared spellings every analysis uses."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit._rules import PERIODS, as_list, column_list, period_code, require_columns, to_naive_utc, to_utc
from jkit.errors import DataValidationError, MissingColumnError, ParameterError


def test_as_list_takes_none_one_name_or_several():
    assert as_list(None) == []
    assert as_list("stage") == ["stage"]
    assert as_list(("stage", "touchpoint")) == ["stage", "touchpoint"]
    assert as_list(c for c in "ab") == ["a", "b"]


def test_column_list_quotes_each_name():
    assert column_list(["a", "b c", 3]) == "'a', 'b c', 3"


def test_to_utc_localises_naive_and_converts_aware_times():
    assert to_utc("2025-03-01 12:00") == pd.Timestamp("2025-03-01 12:00", tz="UTC")
    assert to_utc(pd.Timestamp("2025-03-01 12:00", tz="Europe/Berlin")) == pd.Timestamp("2025-03-01 11:00", tz="UTC")
    naive = pd.Series(pd.to_datetime(["2025-01-01 00:00", "2025-07-01 06:30"]))
    assert to_utc(naive).dt.tz is not None and to_utc(naive).iloc[1] == pd.Timestamp("2025-07-01 06:30", tz="UTC")
    aware = naive.dt.tz_localize("America/New_York")
    assert to_utc(aware).iloc[1] == pd.Timestamp("2025-07-01 10:30", tz="UTC")  # EDT is UTC-4
    index = pd.DatetimeIndex(["2025-01-01 05:00"], tz="Asia/Tokyo")
    assert to_utc(index)[0] == pd.Timestamp("2024-12-31 20:00", tz="UTC")


def test_to_naive_utc_drops_the_zone_after_converting():
    aware = pd.Series(pd.to_datetime(["2025-07-01 06:30"]).tz_localize("America/New_York"))
    out = to_naive_utc(aware)
    assert out.dt.tz is None and out.iloc[0] == pd.Timestamp("2025-07-01 10:30")
    assert to_naive_utc(pd.Timestamp("2025-01-01 01:00", tz="Europe/Paris")) == pd.Timestamp("2025-01-01 00:00")


def test_period_words_map_to_one_code_each():
    assert {period_code(w) for w in ("W", "week")} == {"W"}
    assert [period_code(w) for w in ("day", "month", "quarter", "year")] == ["D", "M", "Q", "Y"]
    assert set(PERIODS.values()) == {"D", "W", "M", "Q", "Y"}
    with pytest.raises(ParameterError, match=r"cohort_period='fortnight' should be one of"):
        period_code("fortnight", name="cohort_period")


def test_require_columns_names_every_missing_column_and_those_found():
    frame = pd.DataFrame(columns=["customer_id", "timestamp"])
    require_columns(frame, ["customer_id"], "events")  # nothing missing: no error
    with pytest.raises(MissingColumnError) as caught:
        require_columns(frame, ["event", "customer_id", "revenue", "event"], "events", hint="map them in study.yaml")
    assert str(caught.value) == ("events: no column 'event', 'revenue'; found columns 'customer_id', 'timestamp'; "
                                 "map them in study.yaml")
    # one class, caught as a data error or a parameter error alike
    assert isinstance(caught.value, DataValidationError) and isinstance(caught.value, ParameterError)
