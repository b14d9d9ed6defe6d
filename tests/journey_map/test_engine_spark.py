"""The journey map on engine='spark' equals the pandas map."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]


def test_journey_map_on_spark_equals_pandas(spark, small_sample):
    """The journey map composes the funnel and sentiment: engine='spark' gives the same map."""
    from jkit.journey_map import journey_map

    local = journey_map(small_sample)
    on_spark = journey_map(small_sample, engine="spark")
    pd.testing.assert_frame_equal(local.reach, on_spark.reach)
    pd.testing.assert_frame_equal(local.emotion, on_spark.emotion)
    pd.testing.assert_frame_equal(local.pain_points, on_spark.pain_points)
