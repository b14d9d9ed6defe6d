"""Customer features computed in Spark equal the pandas ones."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.personas import customer_features

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]


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
