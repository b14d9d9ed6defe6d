"""jkit.duckdb_sql: names and text quoted for any input; the connection spills outside the working folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

from jkit.duckdb_sql import connect, quote_name, quote_text


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
