from __future__ import annotations

import warnings

import pandas as pd
import pytest

from jkit.errors import DataValidationError, JkitWarning, MissingColumnError, ParameterError
from jkit.paths import customer_sessions, session_summary, sessions
from tests.paths.events import small_log


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_gap_sessions_by_hand(engine):
    out = sessions(small_log(), engine=engine)
    assert out["session"].tolist() == [1, 1, 1, 2, 3, 3, 4, 5]
    assert out["session_number"].tolist() == [1, 1, 1, 2, 1, 1, 2, 1]
    assert out.index.equals(small_log().index) and "session_id" not in out


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_shorter_gap_cuts_more(engine):
    out = sessions(small_log(), gap="10min", engine=engine)
    # a: 10:00 and 10:10 are exactly 10 min apart (same session); b's 30 min steps now cut
    assert out["session_number"].tolist() == [1, 1, 1, 2, 1, 2, 3, 1]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_the_data_session_column_wins_and_blank_ids_are_cut_by_gap(engine):
    log = small_log()
    log["session_id"] = ["x", "y", "x", "x", "s", "", None, "k"]
    with pytest.warns(JkitWarning, match="2 events have no 'session_id'"):
        out = sessions(log, engine=engine)
    # a: x starts at 10:00 (session 1), y at 10:10 (2); b: s (1), the two id-less events 09:30, 10:01 are
    # 31 min apart -> two gap sessions (2, 3)
    assert out["session_number"].tolist() == [1, 2, 1, 1, 1, 2, 3, 1]
    assert out["session"].tolist() == [1, 2, 1, 1, 3, 4, 5, 6]


def test_an_empty_session_column_falls_back_to_the_gap():
    log = small_log()
    log["session_id"] = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sessions(log)
    assert out["session_number"].tolist() == [1, 1, 1, 2, 1, 1, 2, 1]


def test_summary_by_hand():
    summary = session_summary(small_log())
    assert summary["events"].tolist() == [3, 1, 2, 1, 1]
    assert summary["length"].tolist() == [pd.Timedelta("10min"), pd.Timedelta(0), pd.Timedelta("30min"),
                                          pd.Timedelta(0), pd.Timedelta(0)]
    per = customer_sessions(summary)
    assert per.set_index("customer_id")["sessions"].to_dict() == {"a": 2, "b": 2, "c": 1}
    assert per.set_index("customer_id")["events"].to_dict() == {"a": 4, "b": 3, "c": 1}
    again = session_summary(sessions(small_log()))
    pd.testing.assert_frame_equal(summary, again)


@pytest.mark.parametrize("gap", [0, "0min", "-5min", "soon", None])
def test_a_gap_of_zero_or_less_is_refused(gap):
    with pytest.raises(ParameterError, match="gap="):
        sessions(small_log(), gap=gap)


def test_bad_input_is_named():
    log = small_log()
    with pytest.raises(MissingColumnError, match="customer_col='user'"):
        sessions(log, customer_col="user")
    log.loc[3, "timestamp"] = pd.NaT
    with pytest.raises(DataValidationError, match=r"'timestamp' \(time_col\) is empty in 1 events \(row 4\)"):
        sessions(log)
    with pytest.raises(DataValidationError, match="'timestamp'"):
        sessions(log, engine="duckdb")
    with pytest.raises(ParameterError, match="engine='polars' is not known"):
        sessions(small_log(), engine="polars")
    with pytest.raises(ParameterError, match="events should be a DataFrame"):
        sessions({"a": 1})
    text = small_log().assign(timestamp=["2024-01-01 10:00", "x", *["2024-01-01 10:00"] * 6])
    with pytest.raises(ParameterError, match="row 2"):
        sessions(text)
