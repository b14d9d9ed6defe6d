"""The Spark paths engine against the brute-force reference (tests/paths/reference.py), the pandas
engine on Parquet files and Spark DataFrames, the hand-made tie cases, and bad input.

The random logs' times are whole minutes, so whole microseconds: Spark keeps them exactly and the
medians are compared at the reference's precision (1 ns, the rounding of a median of two).
"""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import DataValidationError, MissingColumnError, ParameterError
from jkit.paths import (
    paths,
    paths_after_dropout,
    paths_before_reaching,
    session_summary,
    sessions,
    step_matrix,
    transitions,
)
from tests.paths import reference as ref
from tests.paths.events import small_log

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

GAP = 30 * 60 * 10**9


@pytest.mark.parametrize("use_column", [False, True])
def test_sessions_match_the_reference(spark, use_column):
    log = ref.random_log(1, sessions=use_column)
    out = sessions(log, engine="spark", session_source="column" if use_column else "gap")
    got = {row: (s, n) for row, (s, n) in enumerate(zip(out["session"], out["session_number"], strict=True))}
    assert got == ref.sessions_of(log, GAP, use_column)
    assert out.index.equals(log.index)


def test_transitions_match_the_reference(spark):
    log = ref.random_log(2)
    for unit, collapse, by in [("customer", False, False), ("customer", True, True), ("session", False, False),
                               ("session", True, True)]:
        out = transitions(log, engine="spark", unit=unit, collapse_repeats=collapse, by="touchpoint" if by else None,
                          session_source="gap")
        ref.assert_transitions_match(out, log, unit=unit, collapse=collapse, by=by)


def test_sequences_match_the_reference(spark):
    log = ref.random_log(3)
    for start, end, unit, collapse in [(None, None, "customer", False), ("view", None, "customer", False),
                                       (None, "purchase", "customer", True), ("cart", None, "session", False),
                                       (None, "cart", "session", True)]:
        out = paths(log, engine="spark", steps=4, start=start, end=end, unit=unit, collapse_repeats=collapse, top=None,
                    session_source="gap")
        count = "customers" if unit == "customer" else "sessions"
        got = {tuple(r[f"step_{k}"] for k in range(1, 5)): r[count] for _, r in out.iterrows()}
        assert got == dict(ref.sequences_of(log, 4, start=start, end=end, unit=unit, collapse=collapse))


def test_parquet_files_and_spark_frames_give_what_pandas_gives(spark, tmp_path):
    """Ties across files are broken by the files' order, as the pandas engine reads them."""
    from jkit.spark import to_spark

    log = ref.random_log(4, sessions=True)
    stored = log.astype({"timestamp": "datetime64[ns, UTC]"})  # pandas' usual Parquet times, which Spark reads as numbers
    stored.iloc[: len(log) // 2].to_parquet(tmp_path / "a.parquet")
    stored.iloc[len(log) // 2:].to_parquet(tmp_path / "b.parquet")
    files = str(tmp_path / "*.parquet")
    frame = to_spark(log, spark)
    stages = {"view": "browse", "search": "browse", "cart": "buy", "purchase": "buy"}
    for kwargs in ({}, {"unit": "session", "by": "touchpoint", "tie_order": ["support", "cart"]},
                   {"level": "stage", "stages": stages, "collapse_repeats": True}):
        expected = transitions(log, engine="pandas", **kwargs)
        pd.testing.assert_frame_equal(transitions(files, engine="spark", **kwargs), expected)
        pd.testing.assert_frame_equal(transitions(frame, **kwargs), expected)  # engine=None picks Spark
    for kwargs in ({"start": "view"}, {"end": "purchase", "unit": "session"}):
        pd.testing.assert_frame_equal(paths(files, engine="spark", **kwargs), paths(log, **kwargs))
        pd.testing.assert_frame_equal(paths(frame, **kwargs), paths(log, **kwargs))
    pd.testing.assert_frame_equal(step_matrix(frame, steps=4), step_matrix(log, steps=4))
    from_files = sessions(files, engine="spark", session_source="column")
    in_memory = sessions(log, session_source="column")
    assert from_files["session"].tolist() == in_memory["session"].tolist()
    assert from_files["customer_id"].tolist() == log["customer_id"].tolist()
    assert from_files["timestamp"].tolist() == log["timestamp"].tolist()
    assert spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", "false") == "false"  # restored


def test_sessions_of_a_spark_frame_stay_in_spark(spark):
    from jkit.spark import is_spark_frame, to_spark

    log = small_log()
    log["session_id"] = ["x", "y", "x", "x", "s", "", None, "k"]
    frame = to_spark(log.assign(row=range(len(log))), spark)
    out = sessions(frame)  # auto: the session column, the two id-less events cut by the gap
    assert is_spark_frame(out)
    assert out.columns == [*log.columns, "row", "session", "session_number"]
    got = out.toPandas().sort_values("row")
    assert got["session_number"].tolist() == [1, 2, 1, 1, 1, 2, 3, 1]  # as tests/paths/test_sessionize.py
    assert got["session"].tolist() == [1, 2, 1, 1, 3, 4, 5, 6]
    summary = session_summary(frame)
    pd.testing.assert_frame_equal(summary, session_summary(log))


def test_integer_customer_ids_sort_as_numbers(spark):
    from jkit.spark import to_spark

    log = small_log().replace({"customer_id": {"a": 10, "b": 9, "c": 100}})  # as text: "10" < "100" < "9"
    out = sessions(to_spark(log.assign(row=range(len(log))), spark)).toPandas().sort_values("row")
    assert out["session"].tolist() == [3, 3, 3, 4, 1, 1, 2, 5]
    assert sessions(log, engine="spark")["session"].tolist() == out["session"].tolist()


def test_tie_order_and_names_order_simultaneous_events(spark):
    by_name = paths(small_log(), steps=4, engine="spark")
    assert "visit → cart → view → visit" in set(by_name["path"])  # a's cart and view share 10:10
    ordered = paths(small_log(), steps=4, tie_order=["view"], engine="spark")
    assert "visit → view → cart → visit" in set(ordered["path"])
    assert "visit → cart → view → visit" not in set(ordered["path"])
    # Spark keeps microseconds: 'b' 500 ns before 'a' is at the same instant there, so the names decide
    close = pd.DataFrame({"customer_id": ["p", "p"], "event": ["b", "a"],
                          "timestamp": pd.to_datetime([10**15, 10**15 + 500], unit="ns", utc=True)})
    assert transitions(close)[["source", "target"]].values.tolist() == [["b", "a"]]
    assert transitions(close, engine="spark")[["source", "target"]].values.tolist() == [["a", "b"]]
    log = ref.random_log(11, customers=60)
    for kwargs in ({"tie_order": ["purchase", "cart"]}, {"tie_order": ["support"], "unit": "session"}):
        pd.testing.assert_frame_equal(transitions(log, engine="spark", **kwargs), transitions(log, **kwargs))
        pd.testing.assert_frame_equal(paths(log, engine="spark", top=None, **kwargs), paths(log, top=None, **kwargs))


def test_paths_around_a_funnel_on_a_spark_frame(spark):
    from jkit.spark import to_spark

    rows = [("a", "10:00", "visit"), ("a", "10:05", "search"), ("a", "10:10", "cart"), ("a", "10:20", "purchase"),
            ("b", "09:00", "visit"), ("b", "09:10", "cart"), ("b", "09:15", "support"), ("b", "09:20", "visit"),
            ("c", "08:00", "search"), ("c", "08:01", "visit"), ("c", "08:02", "cart")]
    log = pd.DataFrame({"customer_id": [r[0] for r in rows], "event": [r[2] for r in rows],
                        "timestamp": pd.to_datetime([f"2024-01-01 {r[1]}" for r in rows], utc=True)})
    frame = to_spark(log, spark)
    steps = ["visit", "cart", "purchase"]
    after = paths_after_dropout(frame, steps, at="cart", path_steps=3)
    assert dict(zip(after["path"], after["customers"], strict=True)) == {"cart → support → visit": 1, "cart": 1}
    pd.testing.assert_frame_equal(after, paths_after_dropout(log, steps, at="cart", path_steps=3))
    before = paths_before_reaching(frame, steps, at=2, path_steps=3)
    pd.testing.assert_frame_equal(before, paths_before_reaching(log, steps, at=2, path_steps=3))


def test_ga4_export_in_spark_gives_what_pandas_gives(spark, shared_data):
    """One day of the GA4 sample (times in whole microseconds, as GA4 logs them), as a Spark DataFrame."""
    from jkit.io.importers import ga4
    from jkit.spark import to_spark

    ties = ["first_visit", "session_start", "page_view"]
    events = ga4.read_ga4(shared_data / "exports" / "ga4" / "events_20201101.parquet")
    frame = to_spark(events[["customer_id", "timestamp", "event", "session_id"]], spark)
    assert sessions(frame).select("customer_id", "session").distinct().count() == 2625  # the export's own sessions
    out = transitions(frame, tie_order=ties)
    assert out["transitions"].sum() == len(events) - events["customer_id"].nunique() == 31_272 - 2_365
    pd.testing.assert_frame_equal(out, transitions(events, tie_order=ties))
    kwargs = {"start": "session_start", "unit": "session", "steps": 4, "collapse_repeats": True, "tie_order": ties}
    pd.testing.assert_frame_equal(paths(frame, **kwargs), paths(events, **kwargs))


def test_clean_events_says_what_to_do_with_a_spark_frame(spark):
    from jkit.paths import clean_events
    from jkit.spark import to_spark

    with pytest.raises(ParameterError, match="clean_events works on a pandas DataFrame, not a Spark one"):
        clean_events(to_spark(small_log(), spark))


def test_bad_input_is_named_as_the_other_engines_name_it(spark, tmp_path):
    from jkit.spark import to_spark

    log = small_log()
    frame = to_spark(log, spark)
    with pytest.raises(MissingColumnError, match="customer_col='user'"):
        sessions(frame, customer_col="user")
    with pytest.raises(MissingColumnError, match="by='region'"):
        transitions(log, by="region", engine="spark")
    gaps = log.copy()
    gaps.loc[[1, 3], "timestamp"] = pd.NaT
    gaps.loc[2, "event"] = None
    with pytest.raises(DataValidationError, match=r"'timestamp' \(time_col\) is empty in 2 events \(rows 2, 4\)"):
        transitions(gaps, engine="spark")  # a pandas frame is checked as the pandas engine checks it
    with pytest.raises(DataValidationError, match=r"'timestamp' \(time_col\) is empty in 2 events; every event"):
        transitions(to_spark(gaps, spark))
    gaps.to_parquet(tmp_path / "gaps.parquet")
    with pytest.raises(DataValidationError, match=r"gaps.parquet: column 'timestamp' \(time_col\) is empty in 2"):
        paths(str(tmp_path / "gaps.parquet"), engine="spark")
    with pytest.raises(ParameterError, match="'timestamp' is bigint, not a time"):
        transitions(to_spark(log.assign(timestamp=range(len(log))), spark))
    text = log.assign(timestamp=["2024-01-01 10:00", "x", *["2024-01-01T10:00:00Z"] * 6])
    with pytest.raises(ParameterError, match="row 2"):
        transitions(text, engine="spark")
    with pytest.raises(ParameterError, match=r"cannot read 'x' as a date/time in 1 events"):
        transitions(to_spark(text, spark))
    with pytest.raises(ParameterError, match="engine='pandas' cannot read a Spark DataFrame"):
        transitions(frame, engine="pandas")
    with pytest.raises(ParameterError, match="gap="):
        sessions(frame, gap="0min")
    with pytest.raises(ParameterError, match="start='checkout': no customer"):
        paths(frame, start="checkout")
