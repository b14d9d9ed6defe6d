"""Typing the columns beyond the contract by their content.

Text files carry every cell as text; jkit types each extra column by what all its non-blank
cells are (blank-like cells — empty, whitespace, ``NA``, ``null`` … — are missing):

==========  =====================================================  ==========================
kind        when every non-blank cell is                           dtype
==========  =====================================================  ==========================
boolean     ``true``/``false`` (any case)                          ``boolean``
integer     a whole number without a leading zero (``"007"`` is    ``Int64``
            an identifier and stays text)
float       a number (decimal comma too when the file is not       ``Float64``
            comma-separated: ``29,85``); ``inf``/``nan`` are text
date        an ISO 8601 date or date-time (``2024-03-01…``)        ``datetime64[ns, UTC]``
category    text with few distinct values (at most 50, or 5% of    ``string``
            the rows when that is more)
text        other text (free text)                                 ``string``
==========  =====================================================  ==========================
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError
from jkit.io.readers import BLANK_LIKE
from jkit.timestamps import parse_timestamps

__all__ = ["decimal_commas", "infer_kind", "type_columns"]

_INT = re.compile(r"^[+-]?(?:0|[1-9]\d*)$")
_FLOAT = re.compile(r"^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?$")
_BOOL = {"true": True, "false": False}


def _clean(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text.isin(BLANK_LIKE) | (text == ""), pd.NA)


def infer_kind(series: pd.Series, *, decimal_comma: bool = False) -> tuple[str, pd.Series]:
    """The kind of a text column (see the module docstring) and the column converted to it."""
    text = _clean(series)
    values = text.dropna()
    if values.empty:
        return "text", text
    lower = values.str.lower()
    if lower.isin(list(_BOOL)).all():
        return "boolean", text.str.lower().map(_BOOL, na_action="ignore").astype("boolean")
    if values.str.match(_INT).all():
        as_int = pd.to_numeric(text, errors="coerce")
        if (np.abs(as_int.dropna()) < 2**53).all():
            return "integer", as_int.astype("Int64")
    if values.str.match(_FLOAT).all():
        return "float", pd.to_numeric(text, errors="coerce").astype("Float64")
    if decimal_comma and values.str.match(_DECIMAL_COMMA).all():
        return "float", pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("Float64")
    if values.str.match(_ISO_DATE).all():
        try:
            parsed = parse_timestamps(text)
        except DataValidationError:
            parsed = None
        if parsed is not None and parsed[text.notna()].notna().all():
            return "date", parsed
    distinct = values.nunique()
    return ("category" if distinct <= max(50, 0.05 * len(text)) else "text"), text


def decimal_commas(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Rewrite ``29,85`` as ``29.85`` in those ``columns`` whose every non-blank cell is a number so written.

    Only for files that are not comma-separated (the caller decides); whole numbers may be mixed in.
    Returns the columns rewritten.
    """
    done = []
    for col in columns:
        if col not in frame.columns or not (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            continue
        values = _clean(frame[col]).dropna()
        commas = values.str.match(_DECIMAL_COMMA)
        if commas.any() and (commas | values.str.match(_INT)).all():
            frame[col] = _clean(frame[col]).str.replace(",", ".", regex=False)
            done.append(col)
    return done


def type_columns(frame: pd.DataFrame, skip: set[str], *, decimal_comma: bool = False) -> dict[str, str]:
    """Type every column of ``frame`` not in ``skip`` by content, in place; return column → kind."""
    kinds = {}
    for col in frame.columns:
        if col in skip:
            continue
        series = frame[col]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        kind, frame[col] = infer_kind(series, decimal_comma=decimal_comma)
        kinds[col] = kind
    return kinds
