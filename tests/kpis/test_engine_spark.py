"""The Spark KPI engine gives the pandas KPI table (means up to float rounding)."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.kpis import kpi_table

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]


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


def test_short_data_gets_no_formula_clv_on_spark(spark, small_sample):
    events = small_sample.events
    start = events.loc[events["revenue"].notna(), "timestamp"].min()
    short = events[(events["timestamp"] >= start) & (events["timestamp"] <= start + pd.Timedelta("3h"))]
    assert short.index[0] > 0     # a filtered frame: to_spark once aligned on its index and sent nothing but nulls
    brief = type(small_sample)(customers=small_sample.customers, events=short, feedback=small_sample.feedback.iloc[0:0],
                               stages=small_sample.stages)
    local = kpi_table(brief).set_index("kpi")
    native = kpi_table(brief, engine="spark").set_index("kpi")
    for kpi in ("clv", "annual_revenue_per_customer"):
        assert pd.isna(local.loc[kpi, "value"]) and pd.isna(native.loc[kpi, "value"])
        assert local.loc[kpi, "definition"] == native.loc[kpi, "definition"]
        assert "less than clv_min_span=90 days" in native.loc[kpi, "definition"]
    pd.testing.assert_frame_equal(local, native, check_exact=False, rtol=1e-9)
