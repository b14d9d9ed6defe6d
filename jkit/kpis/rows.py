"""The rows of :func:`jkit.kpis.kpi_table`: its columns, each KPI's unit and definition, not-available rows.

A KPI's definition is written here once, for every engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DEFINITIONS", "KPI_COLUMNS", "REVENUE_KPIS", "kpi_rows", "not_available"]

#: the columns of the KPI table, after the group columns
KPI_COLUMNS = ["kpi", "value", "low", "high", "count", "n", "unit", "definition"]

#: the KPIs measured in the data's currency (n/a when the study has no revenue)
REVENUE_KPIS = ("average_order_value", "annual_revenue_per_customer", "clv", "revenue_per_customer")

#: kpi -> (unit, definition with ``{placeholders}`` filled by :func:`kpi_rows`)
DEFINITIONS = {
    "conversion_rate": ("share", "customers with a conversion ({events}) / customers with any event"),
    "stage_conversion": ("share", "customers reaching the next stage within {window} / customers reaching this stage"),
    "churn_rate": ("share", "customers with no event in the last {churn_days} days / customers"),
    "repeat_purchase_rate": ("share", "customers with 2+ purchases / customers with a purchase"),
    "average_order_value": ("currency", "mean revenue of purchase events"),
    "nps": ("score", "% answers 9–10 minus % answers 0–6 (−100 to 100)"),
    "csat": ("share", "answers of 4–5 / answers (1–5 scale)"),
    "ces": ("score", "mean answer on the 1–7 effort scale"),
    "annual_revenue_per_customer": ("currency", "purchase revenue per customer, scaled to a year from {span} of data"),
    "clv": ("currency", "formula CLV (no churn): annual revenue per customer × {lifespan} years − acquisition cost "
                        "{cost}, as if every customer stayed"),
    "revenue_per_customer": ("currency", "purchase revenue per customer in their first {horizon}"),
}


def kpi_rows(table: pd.DataFrame, cols: Sequence[str], kpi: str, value: str, n: str, count: str | None = None,
             **fmt: Any) -> pd.DataFrame:
    """One KPI's result table as rows of :func:`kpi_table` (group columns, kpi, value, low, high, count, n…)."""
    unit, definition = DEFINITIONS[kpi]
    groups = [c for c in table.columns if c in [*cols, "period"]]
    part = table[groups].copy()
    part["kpi"] = kpi
    part["value"] = table[value].to_numpy(dtype=float)
    part["low"] = table[f"{value}_low"].to_numpy(dtype=float)
    part["high"] = table[f"{value}_high"].to_numpy(dtype=float)
    part["count"] = pd.array(table[count].to_numpy() if count else [pd.NA] * len(table), dtype="Int64")
    part["n"] = table[n].to_numpy(dtype=np.int64)
    part["unit"] = unit
    part["definition"] = definition.format(**fmt) if fmt else definition
    return part


def not_available(kpi: str, why: str) -> pd.DataFrame:
    """One KPI row without a value: the study lacks what it is measured on."""
    unit, _ = DEFINITIONS[kpi]
    return pd.DataFrame({"kpi": [kpi], "value": [np.nan], "low": [np.nan], "high": [np.nan],
                         "count": pd.array([pd.NA], dtype="Int64"), "n": np.array([0], dtype=np.int64),
                         "unit": [unit], "definition": [why]})
