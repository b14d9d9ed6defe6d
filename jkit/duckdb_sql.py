"""What the DuckDB engines share: quoting names and text into SQL, and a connection that spills safely.

A DuckDB query larger than memory spills to a temporary folder. DuckDB's own defaults put that
folder in the working directory (a report's folder, a notebook's) and let it grow to 90% of the
free disk; :func:`connect` puts it in the system's temporary folder and caps it, and
:func:`reported_limits` turns "out of memory" and "disk full" into a
:class:`~jkit.errors.ResourceLimitError` that says how to allow more.

Limits (environment variables, or :func:`connect`'s arguments)
    ``JKIT_DUCKDB_MEMORY_LIMIT``: DuckDB's ``memory_limit`` (default: DuckDB's, 80% of RAM).
    ``JKIT_DUCKDB_SPILL_LIMIT``: DuckDB's ``max_temp_directory_size`` (default: 20 GiB or half
    the free space of the temporary folder, whichever is smaller). Sizes as DuckDB writes them:
    ``"8GB"``, ``"500MiB"``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jkit.errors import ParameterError, ResourceLimitError

__all__ = ["MEMORY_ENV", "SPILL_ENV", "connect", "default_spill_limit", "quote_name", "quote_text",
           "reported_limits", "spill_folder"]

MEMORY_ENV = "JKIT_DUCKDB_MEMORY_LIMIT"
SPILL_ENV = "JKIT_DUCKDB_SPILL_LIMIT"
_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_MAX_DEFAULT_SPILL = 20 * 2**30


def quote_name(name: str) -> str:
    """A column or table name as a SQL identifier, its double quotes doubled: any text is safe."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """Text as a SQL string literal, its single quotes doubled: any text is safe."""
    return "'" + str(text).replace("'", "''") + "'"


def spill_folder() -> Path:
    """The folder DuckDB spills to: ``jkit-duckdb`` in the system's temporary folder (created)."""
    folder = Path(tempfile.gettempdir()) / "jkit-duckdb"
    folder.mkdir(exist_ok=True)
    return folder


def default_spill_limit(folder: Path | None = None) -> str:
    """20 GiB, or half the free space where ``folder`` is when that is less (as ``"<n>MiB"``)."""
    free = shutil.disk_usage(folder or spill_folder()).free
    return f"{max(min(_MAX_DEFAULT_SPILL, free // 2) // 2**20, 1)}MiB"


def _size(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _SIZE.match(value):
        raise ParameterError(f"{name}={value!r} should be a size such as '8GB' or '500MiB'")
    return value.strip()


def connect(*, memory_limit: str | None = None, spill_limit: str | None = None):
    """An in-memory DuckDB connection in UTC, spilling to :func:`spill_folder` up to a cap.

    Parameters
    ----------
    memory_limit, spill_limit : str, optional
        Sizes (``"8GB"``); default the environment's ``JKIT_DUCKDB_MEMORY_LIMIT`` and
        ``JKIT_DUCKDB_SPILL_LIMIT``, else DuckDB's memory default and :func:`default_spill_limit`.
    """
    import duckdb

    memory = _size(memory_limit, "memory_limit") or _size(os.environ.get(MEMORY_ENV), MEMORY_ENV)
    folder = spill_folder()
    spill = (_size(spill_limit, "spill_limit") or _size(os.environ.get(SPILL_ENV), SPILL_ENV)
             or default_spill_limit(folder))
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = {quote_text(str(folder))}")
    con.execute(f"SET max_temp_directory_size = {quote_text(spill)}")
    if memory:
        con.execute(f"SET memory_limit = {quote_text(memory)}")
    return con


def _limits(con) -> tuple[str, str]:
    try:
        return tuple(con.execute("SELECT current_setting('memory_limit'), "
                                 "current_setting('max_temp_directory_size')").fetchone())
    except Exception:  # the connection may be unusable after the failure
        return ("?", "?")


@contextmanager
def reported_limits(con, where: str) -> Iterator[None]:
    """Turn DuckDB's out-of-memory and disk-full errors inside the block into a :class:`ResourceLimitError`.

    The message names the source, the limits in force, the spill folder and how to allow more.
    """
    import duckdb

    try:
        yield
    except duckdb.OutOfMemoryException as exc:
        memory, spill = _limits(con)
        raise ResourceLimitError(
            f"{where}: DuckDB ran out of room for this query (memory limit {memory}, spill limit {spill} in "
            f"{spill_folder()}): {str(exc).splitlines()[0].rstrip('.')}. Allow more with the environment variables "
            f"{MEMORY_ENV} and {SPILL_ENV} (e.g. {SPILL_ENV}=60GB), or run it on fewer events or with "
            "engine='spark'") from None
    except duckdb.IOException as exc:
        if "No space left" not in str(exc):
            raise
        raise ResourceLimitError(
            f"{where}: the disk holding DuckDB's spill folder {spill_folder()} is full; free space there, lower "
            f"{SPILL_ENV} so the query stops sooner with this message, or point TMPDIR at a larger disk") from None
