"""Helpers shared by the feedback importers (:mod:`.surveys`, :mod:`.zendesk`, :mod:`.app_reviews`).

Reading a vendor CSV record by record (quoted multi-line cells, header rows, rows with more fields
than the header as :class:`~jkit.io.importers.base.BadRecord`), reading vendor times to UTC,
checking options, and putting the output frame together in the contract's column order.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from jkit._rules import column_list
from jkit.errors import DataValidationError, ParameterError
from jkit.io.importers.base import BadRecord, FileSample, Imported
from jkit.io.sniff import open_text, read_head, sniff_encoding, sniff_separator
from jkit.schema import parse_timestamps

#: contract columns first, in this order; the vendor's other fields follow
LEADING = ("feedback_id", "customer_id", "timestamp", "text", "source", "touchpoint", "stage", "nps", "csat", "ces")
_GMT_OFFSET = re.compile(r"\s*(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)(?![\d.])")
_HTML_TAG = re.compile(r"<[^>]+>")


# --------------------------------------------------------------------------- options


def check_options(fmt: str, options: Mapping[str, Any], accepted: Iterable[str]) -> None:
    """Raise a :class:`ParameterError` naming an unknown option of format ``fmt`` and the accepted ones."""
    accepted = tuple(accepted)
    unknown = [k for k in options if k not in accepted]
    if unknown:
        word = "option" if len(unknown) == 1 else "options"
        raise ParameterError(
            f"{fmt}: unknown {word} {column_list(unknown)}; "
            f"accepted: {', '.join(accepted) if accepted else 'none'}"
        )


def check_timezone(fmt: str, value: Any) -> str:
    """``value`` when it is an IANA zone name (``"Europe/Berlin"``, ``"UTC"``); a :class:`ParameterError` else."""
    if not isinstance(value, str) or not value:
        raise ParameterError(f"{fmt}: timezone must be a zone name such as 'UTC' or 'Europe/Berlin', not {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(
            f"{fmt}: unknown timezone {value!r}; expected a zone name such as 'Europe/Berlin'"
        ) from None
    return value


def check_bool(fmt: str, name: str, value: Any) -> bool:
    """``value`` when it is ``True`` or ``False``; a :class:`ParameterError` else."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{fmt}: {name} must be true or false, not {value!r}")
    return bool(value)


# --------------------------------------------------------------------------- CSV


@dataclass
class CsvTable:
    """A delimited file read record by record.

    Attributes
    ----------
    header : list of list of str
        The header rows, each as wide as the first.
    frame : DataFrame
        The data rows as text (``""`` for empty cells), one column per header position, columns
        numbered from 0.
    numbers : ndarray
        1-based data row number of each row of ``frame`` (the first row after the header rows is 1).
    bad : list of BadRecord
        Rows with more (non-empty) fields than the header.
    """

    header: list[list[str]]
    frame: pd.DataFrame
    numbers: np.ndarray
    bad: list[BadRecord] = field(default_factory=list)


def _raise_field_limit() -> None:
    limit = csv.field_size_limit()
    if limit < 1 << 28:  # long review texts and ticket descriptions: allow cells up to 256 MiB
        csv.field_size_limit(min(sys.maxsize, 1 << 28))


def read_csv_table(path: Path, header_rows: int) -> CsvTable:
    """Read ``path`` (sniffed encoding and separator) as ``header_rows`` header rows and data rows.

    Quoted cells may hold separators, quotes and newlines. A data row with fewer fields than the
    first header row is padded with empty cells; one with more non-empty fields is a bad record.
    Blank lines are skipped (they still count as rows, as in a spreadsheet).
    """
    _raise_field_limit()
    encoding = sniff_encoding(path)
    sep = sniff_separator(path, encoding)
    if sep not in (",", "\t", ";", "|"):
        sep = ","
    header: list[list[str]] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: list[BadRecord] = []
    width = 0
    with open_text(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=sep)
        number = 0
        try:
            for record in reader:
                if len(header) < header_rows:
                    if not header:
                        if record and record[0].startswith("\ufeff"):
                            record[0] = record[0][1:]
                        width = len(record)
                    header.append((record + [""] * width)[:width])
                    continue
                number += 1
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > width and any(cell.strip() for cell in record[width:]):
                    bad.append(BadRecord(number, f"it has {len(record)} fields, the header has {width}"))
                    continue
                rows.append((record + [""] * width)[:width])
                numbers.append(number)
        except csv.Error as exc:
            raise DataValidationError(f"{path.name}: cannot read the file after data row {number}: {exc}") from None
    if len(header) < header_rows:
        raise DataValidationError(
            f"{path.name}: expected {header_rows} header row{'s' if header_rows > 1 else ''}, "
            f"found {len(header)}; is this the vendor's export?"
        )
    frame = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else pd.DataFrame(columns=range(width))
    return CsvTable(header, frame, np.asarray(numbers, dtype=np.int64), bad)


def read_csv_frame(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadRecord]]:
    """A one-header-row CSV as a frame of text named by its header, its data row numbers and bad rows.

    A column without a header is kept as ``column_<n>`` unless it is empty throughout.
    """
    table = read_csv_table(path, 1)
    frame = table.frame.copy()
    heads = [h.strip() for h in table.header[0]]
    frame.columns = [h or f"column_{i + 1}" for i, h in enumerate(heads)]
    empty = [c for c, h in zip(frame.columns, heads, strict=True) if not h and blank_to_na(frame[c]).isna().all()]
    return frame.drop(columns=empty), table.numbers, table.bad


def is_json(path: Path) -> bool:
    """Whether a file's first non-blank character opens a JSON object or array."""
    head = read_head(path, 4096)
    text = head.decode(sniff_encoding(path, head), errors="replace")
    return text.lstrip("\ufeff \t\r\n").startswith(("{", "["))


def head_rows(sample: FileSample, n: int) -> list[list[str]]:
    """The first ``n`` records of a text sample (quoted multi-line cells respected), for ``detect``."""
    if not sample.text:
        return []
    try:
        sep = sniff_separator(sample.path, head=sample.head)
    except OSError:
        sep = ","
    if sep not in (",", "\t", ";", "|"):
        sep = ","
    text = sample.text.lstrip("\ufeff")
    out: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text), delimiter=sep):
            out.append([c.strip() for c in record])
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


def json_keys(sample: FileSample) -> set[str]:
    """Keys of JSON objects in the first bytes of a sample (any nesting), for ``detect``."""
    text = sample.text.lstrip("\ufeff").lstrip()
    if not text.startswith(("{", "[")):
        return set()
    return set(re.findall(r'"([^"\\]{1,64})"\s*:', text))


def stem_of(path: Path) -> str:
    """The file name without ``.gz`` and its extension: ``responses.csv.gz`` → ``responses``."""
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return Path(name).stem


def json_loads_lenient(value: str) -> Any:
    """A JSON value from text, or ``None``."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- values


def blank_to_na(values: pd.Series) -> pd.Series:
    """Text with surrounding blanks removed; empty cells as missing (``string`` dtype)."""
    out = values.astype("string").str.strip()
    return out.mask(out == "", pd.NA)


def strip_html(text: str) -> str:
    """Question text without HTML tags (Typeform and Qualtrics allow formatting in questions)."""
    return re.sub(r"\s+", " ", _HTML_TAG.sub("", text)).strip()


def numbers(values: pd.Series, *, leading: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column and a mask of present values that are not numbers.

    With ``leading=True`` a number that starts a label is read (``"10 - Extremely likely"`` → 10).
    The values are ``Int64`` when all are whole numbers, else ``float64``; values that are not
    numbers are kept as their text (``object`` column) so that the contract check reports them.
    """
    text = blank_to_na(values)
    present = text.notna()
    num = pd.to_numeric(text, errors="coerce")
    if leading:
        lead = pd.to_numeric(text.str.extract(_LEADING_NUMBER, expand=False), errors="coerce")
        num = num.fillna(lead)
    num = num.astype("float64")
    unreadable = present & num.isna()
    if unreadable.any():
        mixed = num.astype(object).where(~unreadable, text.astype(object))
        return mixed.where(present, None), unreadable
    finite = num.dropna()
    if len(finite) and bool(np.all(finite == np.round(finite))):
        return num.round().astype("Int64"), unreadable
    return num, unreadable


def to_utc(
    values: pd.Series,
    *,
    timezone: str = "UTC",
    formats: Iterable[str] = (),
) -> tuple[pd.Series, pd.Series]:
    """Vendor times as ``datetime64[ns, UTC]`` and a mask of present values that could not be read.

    Each of ``formats`` (strftime patterns of naive local times) is tried in turn; the rest is read
    by :func:`jkit.schema.parse_timestamps` (ISO 8601 with or without zone, epoch numbers…). Times
    without a zone are local times in ``timezone``. A trailing ``GMT+1``/``UTC-05:30`` is an offset.
    """
    text = blank_to_na(values)
    present = text.notna()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    rest = text[present].str.replace(
        _GMT_OFFSET, lambda m: f" {m[1]}{int(m[2]):02d}:{m[3] or '00'}", regex=True
    ).astype(object)
    for fmt in formats:
        if rest.empty:
            break
        parsed = pd.to_datetime(rest, format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            local = parsed[ok].dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
            out.loc[local.index] = local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
            rest = rest[~ok]
    if not rest.empty:
        try:
            parsed = parse_timestamps(pd.Series(rest, dtype=object), assume_tz=timezone)
        except DataValidationError:  # forms the values cannot decide between: read each on its own
            parsed = pd.Series([_one_time(v, timezone) for v in rest], index=rest.index, dtype="datetime64[ns, UTC]")
        out.loc[parsed.index] = pd.Series(parsed).astype("datetime64[ns, UTC]")
    return out.astype("datetime64[ns, UTC]"), present & out.isna()


def _one_time(value: str, timezone: str) -> pd.Timestamp:
    try:
        return parse_timestamps(pd.Series([value], dtype=object), assume_tz=timezone).iloc[0]
    except DataValidationError:
        return pd.NaT


def row_reasons(reasons: dict[int, str], mask: pd.Series, values: pd.Series, column: str) -> None:
    """Record ``column: cannot read 'x' as a date/time`` for the rows of ``mask`` (positions)."""
    for pos in np.flatnonzero(mask.to_numpy()):
        reasons.setdefault(int(pos), f"column {column!r}: cannot read {str(values.iloc[pos])!r} as a date/time")


def optional_times(
    values: pd.Series, column: str, out_name: str, notes: list[str], numbers_: np.ndarray, **kwargs: Any
) -> pd.Series:
    """Times of an optional column: unreadable values become missing and are listed in ``notes``."""
    times, bad = to_utc(values, **kwargs)
    if bad.any():
        rows = numbers_[bad.to_numpy()]
        shown = ", ".join(map(str, rows[:5])) + (f" (+{len(rows) - 5} more)" if len(rows) > 5 else "")
        notes.append(f"{out_name}: {len(rows)} value(s) of {column!r} could not be read as dates and were left "
                     f"empty (rows {shown})")
    return times


# --------------------------------------------------------------------------- output


def _tidy(values: pd.Series) -> pd.Series:
    """A vendor field as kept: text as ``string`` (empty → missing); other values as read, missing as ``None``."""
    if values.dtype != object:
        return values
    present = values.dropna()
    if present.map(lambda v: isinstance(v, str)).all():
        return blank_to_na(values)
    return values.astype(object).where(values.notna(), None)


def assemble(
    columns: Mapping[str, Any],
    extra: pd.DataFrame | None,
    *,
    numbers_: np.ndarray,
    reasons: Mapping[int, str],
    bad: list[BadRecord],
    source: str,
    attrs: Mapping[str, Any] | None = None,
) -> Imported:
    """The :class:`Imported` of mapped ``columns`` (contract names first) and the vendor's ``extra`` fields.

    ``reasons`` maps row positions to why the row cannot be read: those rows go to ``bad``. Extra
    columns whose name is already taken get a ``_raw`` suffix.
    """
    n = len(numbers_)
    index = pd.RangeIndex(n)
    data: dict[str, Any] = {}
    for name, value in columns.items():
        if isinstance(value, pd.Series):
            data[name] = value.reset_index(drop=True)
        else:
            data[name] = pd.Series([value] * n, index=index, dtype="string" if isinstance(value, str) else None)
    if extra is not None:
        for name in extra.columns:
            key = str(name)
            while key in data:
                key = f"{key}_raw"
            data[key] = _tidy(extra[name].reset_index(drop=True))
    order = [c for c in LEADING if c in data] + [c for c in data if c not in LEADING]
    frame = pd.DataFrame({c: data[c] for c in order}, index=index)
    keep = np.ones(n, dtype=bool)
    all_bad = list(bad)
    for pos, reason in reasons.items():
        keep[pos] = False
        all_bad.append(BadRecord(int(numbers_[pos]), reason))
    all_bad.sort(key=lambda b: b.row)
    frame = frame[keep].reset_index(drop=True)
    frame.attrs.update(dict(attrs or {}))
    frame.attrs.setdefault("notes", [])
    return Imported(frame=frame, bad=all_bad, source=source, row_numbers=np.asarray(numbers_)[keep])
