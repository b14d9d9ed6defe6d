"""jkit._engines: one engine vocabulary, one inference rule, lazy loading."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit._engines import choose, is_path_source, is_spark_frame, load, spark_input
from jkit.errors import MissingResourceError, ParameterError

FUNNEL = {"pandas": "x:y", "duckdb": "x:y", "spark": "x:y"}
KPIS = ("pandas", "spark")


class _FakeSparkFrame:
    pass


_FakeSparkFrame.__name__ = "DataFrame"
_FakeSparkFrame.__module__ = "pyspark.sql.dataframe"


def test_the_input_picks_the_engine_when_none_is_given():
    frame = pd.DataFrame({"a": [1]})
    assert choose(None, frame, FUNNEL, analysis="funnel") == "pandas"
    assert choose(None, "events/*.parquet", FUNNEL, analysis="funnel") == "duckdb"
    assert choose(None, ["a.csv", "b.csv"], KPIS, analysis="kpi_table") == "pandas"  # no DuckDB engine there
    assert choose(None, _FakeSparkFrame(), FUNNEL, analysis="funnel") == "spark"


def test_a_study_with_spark_tables_is_spark_input():
    class Study:
        events = _FakeSparkFrame()
        feedback = None

    assert spark_input(Study()) and not spark_input(pd.DataFrame())
    assert choose(None, Study(), KPIS, analysis="kpi_table") == "spark"


def test_engines_are_refused_with_a_reason():
    with pytest.raises(ParameterError, match=r"engine='spark2' is not known; expected one of 'pandas', 'duckdb'"):
        choose("spark2", pd.DataFrame(), FUNNEL, analysis="funnel")
    with pytest.raises(ParameterError, match=r"kpi_table: engine='duckdb' is not available; kpi_table runs on "
                                             r"'pandas', 'spark'"):
        choose("duckdb", pd.DataFrame(), KPIS, analysis="kpi_table")
    with pytest.raises(ParameterError, match=r"engine='pandas' cannot read a Spark DataFrame"):
        choose("pandas", _FakeSparkFrame(), FUNNEL, analysis="funnel")


def test_a_registered_engine_name_is_selectable():
    assert choose("mine", pd.DataFrame(), {**FUNNEL, "mine": "x:y"}, analysis="funnel") == "mine"


def test_load_imports_on_first_use_and_names_a_missing_dependency():
    registry = {"pandas": "jkit._rules:as_list", "spark": "jkit_not_installed_module:run", "inline": len}
    from jkit._rules import as_list

    assert load(registry, "pandas") is as_list
    assert load(registry, "inline") is len
    with pytest.raises(MissingResourceError, match="engine='spark' needs 'jkit_not_installed_module'"):
        load(registry, "spark")


def test_sources_are_recognised_without_importing_pyspark():
    assert is_path_source("a.parquet") and is_path_source(["a.csv"]) and not is_path_source([])
    assert not is_path_source(pd.DataFrame()) and not is_path_source([1, 2])
    assert is_spark_frame(_FakeSparkFrame()) and not is_spark_frame(pd.DataFrame())
