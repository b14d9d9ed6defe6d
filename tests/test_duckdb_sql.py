"""jkit.duckdb_sql: names and text quoted for any input; the connection spills outside the working folder,
up to a cap, and running out of room is a clear error."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jkit.duckdb_sql import (
    MEMORY_ENV,
    SPILL_ENV,
    connect,
    default_spill_limit,
    quote_name,
    quote_text,
    reported_limits,
    spill_folder,
)
from jkit.errors import ParameterError, ResourceLimitError
from jkit.funnels import funnel
from jkit.paths import transitions


def test_any_name_and_text_round_trip_through_sql():
    con = connect()
    nasty = ['a "b"', "it's", "x'); DROP TABLE t; --", "日本", ""]
    for text in nasty:
        assert con.execute(f"SELECT {quote_text(text)}").fetchone()[0] == text
    for name in nasty[:4]:
        con.execute(f"CREATE TABLE t AS SELECT 1 AS {quote_name(name)}")
        assert [d[0] for d in con.execute("SELECT * FROM t").description] == [name]
        con.execute("DROP TABLE t")


def test_the_connection_is_utc_and_spills_to_the_system_temporary_folder():
    con = connect()
    assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    assert spill == Path(tempfile.gettempdir()) / "jkit-duckdb"


def test_the_spill_is_capped_by_default_and_by_the_environment(monkeypatch):
    limit = connect().execute("SELECT current_setting('max_temp_directory_size')").fetchone()[0]
    free_half = shutil.disk_usage(spill_folder()).free / 2 / 2**30
    assert limit == "20.0 GiB" if free_half >= 20 else limit.endswith("GiB")
    assert default_spill_limit() == f"{min(20 * 2**30, shutil.disk_usage(spill_folder()).free // 2) // 2**20}MiB"
    monkeypatch.setenv(SPILL_ENV, "1GB")
    monkeypatch.setenv(MEMORY_ENV, "500MB")
    got = connect().execute("SELECT current_setting('memory_limit'), current_setting('max_temp_directory_size')")
    assert got.fetchone() == ("476.8 MiB", "953.6 MiB")  # DuckDB shows 10^9 bytes in GiB


@pytest.mark.parametrize("value", ["lots", "-1GB", "1 parsec", "1GB; SET x=1"])
def test_a_bad_limit_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(SPILL_ENV, value)
    with pytest.raises(ParameterError, match=SPILL_ENV):
        connect()


def _log(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"customer_id": rng.integers(0, 20_000, n), "timestamp": pd.to_datetime(rng.integers(0, 10**15, n)),
                         "event": rng.choice([f"event_{k}" for k in range(30)], n)})


def test_a_query_beyond_the_limits_stops_with_a_clear_error(monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "10MB")
    monkeypatch.setenv(SPILL_ENV, "1MB")
    with pytest.raises(ResourceLimitError, match=rf"events: DuckDB ran out of room .*{SPILL_ENV}"):
        transitions(_log(600_000), engine="duckdb")


def test_the_funnel_engine_reports_the_limits_too(monkeypatch):
    import duckdb

    from jkit.funnels.engines import duckdb as engine

    def out_of_memory(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to offload data block")

    monkeypatch.setattr(engine, "_read", out_of_memory)
    with pytest.raises(ResourceLimitError, match="events: DuckDB ran out of room .*failed to offload"):
        funnel(_log(100), ["event_1", "event_2"], engine="duckdb")


def test_a_full_disk_is_reported_as_such():
    import duckdb

    with pytest.raises(ResourceLimitError, match="is full"), reported_limits(connect(), "events.parquet"):
        raise duckdb.IOException('Could not write file "x.tmp": No space left on device')
    with pytest.raises(duckdb.IOException, match="other"), reported_limits(connect(), "events.parquet"):
        raise duckdb.IOException("some other IO error")
