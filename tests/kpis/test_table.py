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
