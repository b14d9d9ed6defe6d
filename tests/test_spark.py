"""The Spark engine gives the pandas and DuckDB engines' results: funnels, KPIs, persona features, sentiment.

One local SparkSession (``local[2]``, 4 shuffle partitions, no UI, 127.0.0.1) serves the whole
module. Skipped when Java or PySpark is missing (a failure in CI: JKIT_REQUIRE_SPARK=1).
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.funnels import funnel, funnel_journeys, stage_funnel, stage_journeys
from jkit.kpis import kpi_table
from jkit.personas import customer_features
from jkit.sentiment import score_sentiment
from tests.conftest import skip_or_fail

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]

STEPS = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed (pip install 'jkit[spark]')", "JKIT_REQUIRE_SPARK")
    if shutil.which("java") is None:
        skip_or_fail("Java is not installed (make java, or apt-get install openjdk-17-jre-headless)",
                     "JKIT_REQUIRE_SPARK")
    from jkit.spark import get_spark

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = get_spark("local[2]", app_name="jkit-tests", config={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


def _three(events, steps, **kwargs):
    """The funnel journeys of the pandas, DuckDB and Spark engines."""
    return [funnel_journeys(events, steps, engine=e, **kwargs) for e in ("pandas", "duckdb", "spark")]


def _same(frames: list[pd.DataFrame]) -> None:
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other, check_exact=True)
        assert frames[0].attrs == other.attrs


# --------------------------------------------------------------------------- funnels


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


# --------------------------------------------------------------------------- KPIs


_MEANS = {"average_order_value", "ces", "annual_revenue_per_customer", "clv", "revenue_per_customer"}


def _same_kpis(local: pd.DataFrame, spark_table: pd.DataFrame) -> None:
    """Counts and rates identical; means equal up to float rounding (sums in another order)."""
    assert local.shape == spark_table.shape
    means = local["kpi"].isin(_MEANS).to_numpy()
    pd.testing.assert_frame_equal(local[~means], spark_table[~means], check_exact=True)
    pd.testing.assert_frame_equal(local[means], spark_table[means], check_exact=False, rtol=1e-9, atol=0)
    assert means.any() and (~means).any()


@pytest.mark.parametrize("kwargs", [{}, {"by": "stage"}, {"by": "touchpoint", "period": "Q"}])
def test_kpi_table_equals_pandas(spark, small_sample, kwargs):
    _same_kpis(kpi_table(small_sample, **kwargs), kpi_table(small_sample, engine="spark", **kwargs))


def test_kpis_from_spark_tables(spark, small_sample, small_sample_dir):
    from jkit.spark import load

    native = kpi_table(load(small_sample_dir, spark), by="region")
    _same_kpis(kpi_table(small_sample, by="region"), native)


# --------------------------------------------------------------------------- persona features


_FLOAT_SUMS = ["monetary", "avg_order_value", "mean_sentiment"]


def _same_features(local: pd.DataFrame, other: pd.DataFrame) -> None:
    exact = [c for c in local.columns if c not in _FLOAT_SUMS]
    pd.testing.assert_frame_equal(local[exact], other[exact], check_exact=True)
    sums = [c for c in _FLOAT_SUMS if c in local.columns]
    pd.testing.assert_frame_equal(local[sums], other[sums], check_exact=False, rtol=1e-12, atol=0)


def test_customer_features_equal_pandas(spark, small_sample, small_sample_dir):
    from jkit.spark import load

    local = customer_features(small_sample, sentiment=True)
    _same_features(local, customer_features(small_sample, sentiment=True, engine="spark"))
    assert {"tp_web", "mean_sentiment", "mean_nps", "days_to_first_purchase"} <= set(local.columns)
    native = customer_features(load(small_sample_dir, spark), as_of="2025-09-30")
    native = native.sort_values("customer_id", ignore_index=True)
    local = customer_features(small_sample, as_of="2025-09-30").sort_values("customer_id", ignore_index=True)
    _same_features(local, native)


# --------------------------------------------------------------------------- sentiment


@pytest.mark.parametrize("rules", ["feedback", "vader"])
def test_sentiment_scores_equal_pandas(spark, small_sample, rules):
    feedback = small_sample.feedback
    local = score_sentiment(feedback, rules=rules, lexicon={"meh": -1.2})
    remote = score_sentiment(feedback, rules=rules, lexicon={"meh": -1.2}, engine="spark")
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_sentiment_bad_input_is_set_aside_alike(spark):
    texts = pd.Series(["Great service!", None, 5, b"caf\xe9 was awful", "   ", "x" * 60,
                       "Das ist nicht gut und sehr schlecht mit dem Service"], dtype=object)
    caught = []
    for engine in ("pandas", "spark"):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            caught.append((score_sentiment(texts, max_chars=50, engine=engine),
                           [str(w.message) for w in seen if "set aside" in str(w.message)]))
    pd.testing.assert_frame_equal(caught[0][0], caught[1][0], check_exact=True)
    assert caught[0][1] == caught[1][1] and caught[0][1]
    assert caught[1][0]["set_aside"].notna().sum() == 5


def test_spark_feedback_is_scored_lazily_on_the_executors(spark, small_sample):
    from jkit.spark import to_spark

    feedback = small_sample.feedback
    scored = score_sentiment(to_spark(feedback, spark))
    assert type(scored).__name__ == "DataFrame"
    assert scored.columns[: len(feedback.columns)] == list(feedback.columns)
    got = scored.select("feedback_id", "compound", "label").toPandas().sort_values("feedback_id", ignore_index=True)
    expected = feedback[["feedback_id"]].join(score_sentiment(feedback)[["compound", "label"]])
    expected = expected.sort_values("feedback_id", ignore_index=True)
    np.testing.assert_array_equal(got["compound"].to_numpy(), expected["compound"].to_numpy())
    assert got["label"].tolist() == expected["label"].astype(object).tolist()
    with pytest.raises(ParameterError, match="engine='pandas' cannot read a Spark DataFrame"):
        score_sentiment(to_spark(feedback, spark), engine="pandas")


def test_journey_map_on_spark_equals_pandas(spark, small_sample):
    """The journey map composes the funnel and sentiment: engine='spark' gives the same map."""
    from jkit.journey_map import journey_map

    local = journey_map(small_sample)
    on_spark = journey_map(small_sample, engine="spark")
    pd.testing.assert_frame_equal(local.reach, on_spark.reach)
    pd.testing.assert_frame_equal(local.emotion, on_spark.emotion)
    pd.testing.assert_frame_equal(local.pain_points, on_spark.pain_points)
