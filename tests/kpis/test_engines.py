"""The KPI engine registry: every engine loads and gives the interface kpi_table reads; no DuckDB engine."""

from __future__ import annotations

import pytest

from jkit._engines import load
from jkit.errors import ParameterError
from jkit.kpis import kpi_table
from jkit.kpis.aggregates import KPISource
from jkit.kpis.engines import ENGINES

METHODS = [name for name in vars(KPISource) if not name.startswith("_")]


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_engine_gives_the_interface(engine):
    source = load(ENGINES, engine)
    assert {"answered", "conversion", "churn", "repeat", "order_values", "annual_revenue", "first_revenue",
            "scores"} <= set(METHODS)
    assert [name for name in METHODS if not callable(getattr(source, name, None))] == []


def test_kpi_table_has_no_duckdb_engine(small_sample):
    with pytest.raises(ParameterError, match="kpi_table: engine='duckdb' is not available"):
        kpi_table(small_sample, engine="duckdb")
