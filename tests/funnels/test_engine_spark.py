"""The Spark funnel engine gives the pandas and DuckDB engines' journeys, to the row."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.funnels import funnel, funnel_journeys, stage_funnel, stage_journeys

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]


STEPS = ["a", "b", "c", "d"]


def _three(events, steps, **kwargs):
    """The funnel journeys of the pandas, DuckDB and Spark engines."""
    return [funnel_journeys(events, steps, engine=e, **kwargs) for e in ("pandas", "duckdb", "spark")]


def _same(frames: list[pd.DataFrame]) -> None:
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other, check_exact=True)
        assert frames[0].attrs == other.attrs


@pytest.mark.parametrize(
    "kwargs",
    [
        {"window": "30D"},
        {"window": "30D", "order": "strict"},
        {"window": "90D", "order": "any"},
        {"window": "30D", "by": ["touchpoint", "region"], "end": "2025-10-31"},
    ],
)
def test_stage_funnel_on_the_sample_equals_pandas_and_duckdb(spark, small_sample, kwargs):
    frames = [stage_journeys(small_sample, engine=e, **kwargs) for e in ("pandas", "duckdb", "spark")]
    _same(frames)
    tables = [stage_funnel(small_sample, engine=e, **kwargs) for e in ("pandas", "spark")]
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
    assert tables[0].loc[tables[0]["step"] == 1, "customers"].sum() > 500  # not a trivially empty funnel


def test_spark_tables_and_files_give_the_same_funnel(spark, small_sample, small_sample_dir):
    from jkit.spark import load

    data = load(small_sample_dir, spark)
    assert type(data.events).__name__ == "DataFrame"
    native = stage_funnel(data, window="30D", by="region")  # Spark chosen by the input; region joined in Spark
    local = stage_funnel(small_sample, window="30D", by="region")
    pd.testing.assert_frame_equal(local, native, check_exact=True)
    steps = [sorted(s) for s in small_sample.stages.steps()[:3]]
    path = str(small_sample_dir / "events.parquet")
    from_file = funnel(path, steps, window="14D", engine="spark")
    pd.testing.assert_frame_equal(funnel(path, steps, window="14D"), from_file, check_exact=True)
    assert data.period == small_sample.period


def _random_log(seed: int, n: int = 700, integer_ids: bool = False) -> pd.DataFrame:
    """Events with ties in time, repeated steps, window edges, other events and missing breakdowns."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, 60, n)
    start = pd.Timestamp("2025-03-01", tz="UTC")
    seconds = rng.choice(np.arange(0, 6 * 3600, 600), n)  # ten-minute grid: many ties and window edges
    events = rng.choice(["a", "b", "c", "d", "x", "y"], n, p=[0.25, 0.2, 0.15, 0.1, 0.2, 0.1])
    frame = pd.DataFrame({
        "customer_id": customers * 7 + 3 if integer_ids else pd.array([f"c{c:03d}" for c in customers], dtype="string"),
        "timestamp": start + pd.to_timedelta(seconds, unit="s"),
        "event": pd.array(events, dtype="string"),
        "tp": pd.array(rng.choice(["web", "app", None], n), dtype="string"),
    })
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)  # unsorted, as logs arrive


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_logs_equal_across_engines(spark, seed):
    log = _random_log(seed, integer_ids=seed == 2)
    for kwargs in ({"window": "1h"}, {"window": "2h", "order": "strict", "by": "tp"},
                   {"window": "90min", "order": "any"}, {"window": "3h", "exclusions": ["y"], "by": "tp"}):
        _same(_three(log, STEPS, **kwargs))


def test_missing_customers_and_times_are_set_aside_alike(spark):
    log = _random_log(4)
    log.loc[[0, 5], "customer_id"] = pd.NA
    log.loc[[9], "timestamp"] = pd.NaT
    messages = []
    for engine in ("pandas", "spark"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            funnel(log, STEPS, window="2h", engine=engine, end="2025-03-01 04:00")
        messages.append(sorted(str(w.message) for w in caught if "set aside" in str(w.message)))
    assert messages[0] == messages[1] and len(messages[0]) == 2


def test_spark_frames_need_the_spark_engine(spark):
    from jkit.spark import to_spark

    events = to_spark(_random_log(5), spark)
    with pytest.raises(ParameterError, match="engine='duckdb' cannot read a Spark DataFrame"):
        funnel(events, STEPS, engine="duckdb")
    with pytest.raises(ParameterError, match="step 2 .* matches no event"):
        funnel(events, ["a", "nope"])


def _options_log() -> pd.DataFrame:
    rng = np.random.default_rng(20)
    n = 600
    return pd.DataFrame({
        "customer_id": pd.array([f"c{i:02d}" for i in rng.integers(0, 40, n)], dtype="string"),
        "timestamp": pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 48, n), unit="h"),
        "event": pd.array(rng.choice(list("abcdx"), n), dtype="string"),
        "session_id": pd.array([f"s{i}" for i in rng.integers(0, 3, n)], dtype="string"),
    })


@pytest.mark.parametrize(
    "kwargs",
    [
        {"order": "strict", "window": "12h"},
        {"optional": [2], "window": None},
        {"step_windows": {3: "3h"}, "window": "1D"},
        {"count": "total", "window": "6h", "exclusions": ["x"]},
        {"unit": "session", "order": "strict", "optional": [3]},
        {"count": "total", "order": "any", "window": "4h"},
    ],
)
def test_new_funnel_options_agree_across_engines(spark, kwargs):
    _same(_three(_options_log(), STEPS, **kwargs))


def test_strict_repeats_and_huge_window_in_spark(spark):
    ev = pd.DataFrame({
        "customer_id": ["p"] * 4 + ["q"] * 4,
        "timestamp": pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta([0, 1, 2, 3] * 2, unit="h"),
        "event": ["a", "b", "b", "c", "a", "b", "x", "c"],
    })
    frames = _three(ev, ["a", "b", "c"], order="strict", window=pd.Timedelta.max)
    _same(frames)
    assert frames[2]["reached"].tolist() == [3, 2]


def test_nanosecond_parquet_files_read_on_spark(spark, tmp_path):
    """pandas writes nanosecond times by default, which Spark refuses unless it reads them as numbers."""
    import pyarrow.parquet as pq

    log = _random_log(4)
    noise = pd.to_timedelta(np.arange(len(log)) % 997, unit="us")
    log["timestamp"] = (log["timestamp"] + noise).astype("datetime64[ns, UTC]")
    path = tmp_path / "events.parquet"
    log.to_parquet(path, index=False)
    assert pq.read_schema(path).field("timestamp").type.unit == "ns"
    got = funnel(str(path), STEPS, window="1h", engine="spark")
    pd.testing.assert_frame_equal(funnel(str(path), STEPS, window="1h", engine="pandas"), got, check_exact=True)
    assert spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", "false") == "false"  # restored after the run
