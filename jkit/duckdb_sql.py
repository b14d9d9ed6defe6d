"""What the DuckDB engines share: quoting names and text into SQL, and a connection that spills safely.

A DuckDB query larger than memory spills to a temporary folder; by default that is ``.tmp`` in the
working directory (a report's folder, a notebook's), so :func:`connect` points it at the system's
temporary folder instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

__all__ = ["connect", "quote_name", "quote_text"]


def quote_name(name: str) -> str:
    """A column or table name as a SQL identifier, its double quotes doubled: any text is safe."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """Text as a SQL string literal, its single quotes doubled: any text is safe."""
    return "'" + str(text).replace("'", "''") + "'"


def connect():
    """An in-memory DuckDB connection in UTC, spilling to the system's temporary folder."""
    import duckdb

    spill = Path(tempfile.gettempdir()) / "jkit-duckdb"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = {quote_text(str(spill))}")
    return con
