"""The notebooks' shared steps: engine start-up, the quote redactor, list parameters, persona sources,
breakdown columns, KPI cells and the traits worth drawing (hand-made cases)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import jkit
from jkit.errors import ParameterError
from jkit.notebook import (
    breakdown_columns,
    has_persona_truth,
    kpi_bounds,
    kpi_display,
    kpi_value,
    names_list,
    persona_labels,
    quote_redactor,
    start_engine,
    traits_with_data,
)


def test_start_engine_starts_spark_only_for_spark(monkeypatch):
    import jkit.spark

    calls = []
    monkeypatch.setattr(jkit.spark, "get_spark", lambda master=None: calls.append(master))
    start_engine("pandas", "local[2]")
    start_engine("duckdb")
    assert calls == []
    start_engine("spark", "local[2]")
    start_engine("spark", "")
    assert calls == ["local[2]", None]  # empty master: the active session or local[*]


def test_quote_redactor_knows_the_customers_names():
    data = SimpleNamespace(customers=pd.DataFrame({"customer_id": ["1"], "first_name": ["Yuki"],
                                                   "last_name": ["Parker"]}))
    assert quote_redactor(data, redact=False) is False
    redactor = quote_redactor(data)
    assert "Parker" not in redactor.redact("agent yuki parker was rude, mail ann@example.com")
    assert "ann@example.com" not in redactor.redact("mail ann@example.com")


@pytest.mark.parametrize(("text", "expected"), [
    ("reach, actions ,, emotion", ["reach", "actions", "emotion"]),
    ("persona", ["persona"]),
    ("", []),
    (" , ", []),
    (None, []),
])
def test_names_list(text, expected):
    assert names_list(text) == expected


def test_persona_truth_beside_a_folder_or_a_study_file(tmp_path):
    assert not has_persona_truth(tmp_path)
    (tmp_path / "personas_truth.csv").write_text("customer_id,persona\n1,a\n2,b\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text("name: x\n", encoding="utf-8")
    assert has_persona_truth(tmp_path)
    assert has_persona_truth(tmp_path / "study.yaml")


def _study():
    customers = pd.DataFrame({"customer_id": ["1", "2", "3"], "signup_date": "2024-01-01",
                              "segment": ["gold", "silver", "gold"]})
    events = pd.DataFrame({"customer_id": ["1", "2"], "timestamp": ["2024-01-02", "2024-01-03"],
                           "event": ["ad_click", "purchase"]})
    return jkit.load(customers=customers, events=events)


def test_persona_labels_from_each_source(tmp_path):
    data = _study()
    assert persona_labels(data, "") is None
    from_column = persona_labels(data, "segment")
    assert from_column["customer_id"].tolist() == ["1", "2", "3"]
    assert from_column["persona"].tolist() == ["gold", "silver", "gold"]
    (tmp_path / "personas_truth.csv").write_text("customer_id,persona,extra\n1,a,x\n2,b,y\n", encoding="utf-8")
    truth = persona_labels(data, "truth", data_dir=str(tmp_path))
    assert truth.to_dict("list") == {"customer_id": ["1", "2"], "persona": ["a", "b"]}
    with pytest.raises(ParameterError, match="personas='truth' needs personas_truth.csv"):
        persona_labels(data, "truth", data_dir=str(tmp_path / "elsewhere"))
    with pytest.raises(ParameterError, match="personas='tribe' should be"):
        persona_labels(data, "tribe")


def test_breakdown_columns_usable_missing_and_without_data():
    data = SimpleNamespace(
        events=pd.DataFrame(columns=["customer_id", "event", "touchpoint", "device"]),
        customers=pd.DataFrame(columns=["customer_id", "region"]),
        has=lambda table, column=None: column != "touchpoint",  # touchpoint only holds the filled-in default
    )
    attributes = pd.DataFrame(columns=["customer_id", "persona"])
    wanted = ["persona", "touchpoint", "region", "colour", "device"]
    assert breakdown_columns(data, wanted, attributes) == (["persona", "region", "device"], ["colour"], ["touchpoint"])
    assert breakdown_columns(data, wanted) == (["region", "device"], ["persona", "colour"], ["touchpoint"])


KPIS = pd.DataFrame({
    "kpi": ["conversion_rate", "average_order_value", "nps", "clv"],
    "value": [0.123, 12.5, 31.25, float("nan")],
    "low": [0.1, 10.0, 20.0, float("nan")],
    "high": [0.15, 1234.56, 40.0, float("nan")],
    "unit": ["share", "currency", "score", "currency"],
})


def test_kpi_cells_by_hand():
    rows = [row for _, row in KPIS.iterrows()]
    assert [kpi_value(r) for r in rows] == ["12.3%", "12.50", "31.2", "n/a"]
    assert [kpi_bounds(r) for r in rows] == ["10.0% – 15.0%", "10.00 – 1,234.56", "20.0 – 40.0", "n/a"]
    shown = kpi_display(KPIS)
    assert shown["value"].tolist() == ["12.3%", "12.50", "31.2", "n/a"]
    assert shown["interval"].iloc[0] == "10.0% – 15.0%"
    assert KPIS["value"].iloc[0] == 0.123  # the table given is left as it is


def test_traits_with_data_drops_flat_traits_and_spend_without_revenue():
    traits = pd.DataFrame({
        "feature": ["age", "age", "plan", "plan", "monetary", "monetary"],
        "level": ["", "", "pro", "pro", "", ""],
        "persona": [0, 1, 0, 1, 0, 1],
        "value": [30.0, 50.0, 0.4, 0.4, 10.0, 90.0],
        "population": [40.0, 40.0, 0.4, 0.4, 50.0, 50.0],
    })
    kept = traits_with_data(traits, has_revenue=False)
    assert kept["feature"].tolist() == ["age", "age"]  # plan: everyone alike; monetary: no revenue
    assert traits_with_data(traits, has_revenue=True)["feature"].tolist() == ["age", "age", "monetary", "monetary"]
