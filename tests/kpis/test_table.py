"""kpi_table on the sample: every KPI, breakdowns by attribute, stage and period."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.kpis import conversion_rate, kpi_table


def test_kpi_table_on_the_sample(small_sample, small_sample_dir):
    data = small_sample
    table = kpi_table(data)
    assert {"conversion_rate", "churn_rate", "repeat_purchase_rate", "average_order_value", "nps", "csat", "ces",
            "clv", "annual_revenue_per_customer", "revenue_per_customer"} <= set(table["kpi"])
    assert list(table.columns) == ["kpi", "value", "low", "high", "count", "n", "unit", "definition"]
    assert (table["low"] <= table["value"] + 1e-12).all() and (table["value"] <= table["high"] + 1e-12).all()
    # the table agrees with the functions it gathers
    conv = conversion_rate(data.events)
    assert table.set_index("kpi").loc["conversion_rate", "value"] == pytest.approx(conv["conversion_rate"].iloc[0])
    personas = pd.read_csv(small_sample_dir / "personas_truth.csv", dtype=str)
    by = kpi_table(data, by="persona", attributes=personas)
    assert set(by["persona"].dropna()) == set(personas["persona"])
    per = by[by["kpi"] == "conversion_rate"]
    assert per["n"].sum() == table.set_index("kpi").loc["conversion_rate", "n"]
    stages = kpi_table(data, by="stage")
    sc = stages[stages["kpi"] == "stage_conversion"]
    assert sc["stage"].tolist() == data.stages.names[:-1]
    assert "clv" not in set(stages["kpi"])
    monthly = kpi_table(data, period="M")
    assert "churn_rate" not in set(monthly["kpi"]) and monthly["period"].nunique() >= 12
    with pytest.raises(ParameterError, match="by='nope' is not a column"):
        kpi_table(data, by="nope")


def test_formula_clv_is_labelled_and_needs_a_minimum_span(small_sample):
    import warnings

    from jkit.errors import JkitWarning

    data = small_sample
    table = kpi_table(data).set_index("kpi")
    assert table.loc["clv", "definition"].startswith("formula CLV (no churn)")
    span = data.events["timestamp"].max() - data.events["timestamp"].min()
    assert span >= pd.Timedelta("90D") and pd.notna(table.loc["clv", "value"])
    # three hours of the same study: no extrapolation, a caveat instead of a number
    start = data.events.loc[data.events["revenue"].notna(), "timestamp"].min()
    times = data.events["timestamp"]
    short = data.events[(times >= start) & (times <= start + pd.Timedelta("3h"))]
    assert short["revenue"].notna().any()
    brief = type(data)(customers=data.customers, events=short, feedback=data.feedback.iloc[0:0], stages=data.stages)
    with pytest.warns(JkitWarning, match=r"data spans .*less than the 90 days they need \(clv_min_span\)"):
        cut = kpi_table(brief).set_index("kpi")
    for kpi in ("clv", "annual_revenue_per_customer"):
        assert pd.isna(cut.loc[kpi, "value"]) and cut.loc[kpi, "n"] == 0
        assert "less than clv_min_span=90 days" in cut.loc[kpi, "definition"]
    assert pd.notna(cut.loc["average_order_value", "value"])     # what is measured, not extrapolated, stays
    # the threshold is a parameter: 0 gives the old number, a span longer than the data none
    with warnings.catch_warnings():
        warnings.simplefilter("error", JkitWarning)
        assert pd.notna(kpi_table(brief, clv_min_span="0D").set_index("kpi").loc["clv", "value"])
    with pytest.warns(JkitWarning):
        assert pd.isna(kpi_table(data, clv_min_span=span + pd.Timedelta("1D")).set_index("kpi").loc["clv", "value"])
    with pytest.raises(ParameterError, match="clv_min_span='ninety days'"):
        kpi_table(data, clv_min_span="ninety days")
