"""Reading timestamps in every form real exports use, to ``datetime64[ns, UTC]``.

The rules (the table in ``docs/data-contract.md`` is generated from the same cases):

* ISO 8601 extended (``2024-03-01T10:00:00Z``, ``2024-03-01 10:00:00+02:00``, ``2024-03-01``) and
  basic (``20240301``, ``20240301T100000Z``) forms; a trailing ``UTC``/``GMT`` means UTC.
* Day-month-year and month-day-year with ``/``, ``-`` or ``.`` (``01/02/2024``, ``31-12-2024``): the
  order is decided by the data (a first field above 12 means day-first, a second field above 12
  month-first); when the data cannot decide, an error asks for ``dayfirst`` or ``timestamp_format``.
* Digits only: a column whose values are all 8 digits is ``YYYYMMDD`` when every value is a valid
  date of that form, else an error naming the forms it could be; 14 digits are ``YYYYMMDDHHMMSS``;
  other numbers are epoch times with the unit read from the magnitude (below 1e11 seconds, below
  1e14 milliseconds, below 1e17 microseconds, else nanoseconds).
* Excel serial dates (days since 1899-12-30) only when asked: ``timestamp_format="excel"``.
* Times without a zone are local times in ``assume_tz`` (default UTC).
* A value that cannot be read, or lies outside 1677-09-22 … 2262-04-11 (what ``datetime64[ns]``
  holds; ``9999-12-31`` is a common "no end" value), becomes ``NaT``: the caller reports it as a
  bad row. Non-finite numbers too.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, ParameterError, describe_values

__all__ = ["parse_timestamps", "EPOCH_FORMATS", "NAMED_FORMATS"]

#: explicit epoch units a ``timestamp_format`` may name
EPOCH_FORMATS = {"epoch_s": 1e9, "epoch_ms": 1e6, "epoch_us": 1e3, "epoch_ns": 1.0}
#: every non-strftime value ``timestamp_format`` accepts
NAMED_FORMATS = ("auto", "iso8601", "excel", *EPOCH_FORMATS)

_ZONE_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?|\s*UTC|\s*GMT)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_BASIC_DATETIME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[ T])(.*)$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?=$|[ T])(.*)$")
_NS_MIN = pd.Timestamp.min.value
_NS_MAX = pd.Timestamp.max.value
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _empty(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")


def _epoch(values: pd.Series, scale: float | None = None) -> pd.Series:
    """Epoch numbers to UTC; ``scale`` nanoseconds per unit, or per value by magnitude when None."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    finite = np.isfinite(v)
    if scale is None:
        mag = np.abs(v)
        nanos = np.where(mag < 1e11, v * 1e9, np.where(mag < 1e14, v * 1e6, np.where(mag < 1e17, v * 1e3, v)))
    else:
        nanos = v * scale
    ok = finite & (nanos >= _NS_MIN) & (nanos <= _NS_MAX)
    out = _empty(values.index)
    if ok.any():
        ints = np.round(nanos[ok]).astype("int64")
        out.loc[ok] = pd.to_datetime(ints, unit="ns", utc=True)
    return out


def _integer_epoch(values: pd.Series) -> pd.Series:
    """Integer epoch values (exact, no float rounding), unit by magnitude."""
    v = values.astype("int64")
    mag = np.abs(v.to_numpy())
    factor = np.where(mag < 10**11, 10**9, np.where(mag < 10**14, 10**6, np.where(mag < 10**17, 10**3, 1)))
    limit = np.iinfo("int64").max // factor
    ok = mag <= limit
    nanos = np.where(ok, v.to_numpy() * np.where(ok, factor, 1), 0)
    ok &= (nanos >= _NS_MIN) & (nanos <= _NS_MAX)
    out = _empty(values.index)
    if ok.any():
        out.loc[ok] = pd.to_datetime(nanos[ok], unit="ns", utc=True)
    return out


def _localize(naive: pd.Series, assume_tz: str) -> pd.Series:
    return naive.dt.tz_localize(assume_tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")


def _datetime_dtype(values: pd.Series, assume_tz: str) -> pd.Series:
    """Datetime columns (any unit, zone or not) to ns UTC; values outside the ns range become NaT."""
    dtype = values.dtype
    aware = isinstance(dtype, pd.DatetimeTZDtype)
    unit = dtype.unit if aware else np.datetime_data(dtype)[0]
    if unit != "ns":
        lo, hi = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")
        if aware:
            lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
        inside = values.notna() & (values >= lo) & (values <= hi)
        values = values.where(inside).astype(pd.DatetimeTZDtype("ns", dtype.tz) if aware else "datetime64[ns]")
    if aware:
        return values.dt.tz_convert("UTC")
    return _localize(values, assume_tz)


def _parse_text(text: pd.Series, fmt: str | None, *, utc: bool, dayfirst: bool = False) -> pd.Series:
    """``pd.to_datetime`` that never raises: out-of-range and unreadable values become NaT."""
    try:
        if fmt is None:
            return pd.to_datetime(text, format="mixed", utc=utc, errors="coerce", dayfirst=dayfirst)
        return pd.to_datetime(text, format=fmt, utc=utc, errors="coerce")
    except (ValueError, TypeError, OverflowError, AssertionError, pd.errors.OutOfBoundsDatetime):
        pass
    parsed = []
    for value in text:  # slow path, value by value: a value pandas cannot take becomes NaT
        try:
            if fmt is None:
                parsed.append(pd.to_datetime(value, format="mixed", utc=utc, dayfirst=dayfirst))
            else:
                parsed.append(pd.to_datetime(value, format=fmt, utc=utc))
        except (ValueError, TypeError, OverflowError, AssertionError, pd.errors.OutOfBoundsDatetime):
            parsed.append(pd.NaT)
    try:
        return pd.Series(pd.to_datetime(parsed, utc=True), index=text.index) if utc else pd.Series(
            pd.to_datetime(parsed), index=text.index
        )
    except (ValueError, TypeError):  # naive and aware values mixed: take all as UTC
        return pd.Series(pd.to_datetime(parsed, utc=True), index=text.index)


def _iso(text: pd.Series, assume_tz: str, dayfirst: bool) -> pd.Series:
    """ISO-like strings (after rewriting) to UTC: zoned ones converted, naive ones localized."""
    out = _empty(text.index)
    zoned = text.str.contains(_ZONE_SUFFIX)
    if zoned.any():
        z = text[zoned].str.replace(r"\s*(UTC|GMT)$", "+00:00", regex=True, flags=re.IGNORECASE)
        parsed = _parse_text(z, "ISO8601", utc=True)
        retry = parsed.isna()
        if retry.any():
            parsed.loc[retry] = _parse_text(z[retry], None, utc=True, dayfirst=dayfirst)
        out.loc[z.index] = _datetime_dtype(parsed, "UTC") if pd.api.types.is_datetime64_any_dtype(parsed) else parsed
    naive = text[~zoned]
    if len(naive):
        parsed = _parse_text(naive, "ISO8601", utc=False)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            out.loc[naive.index] = _datetime_dtype(parsed, "UTC")
            return out
        retry = parsed.isna()
        if retry.any():
            other = _parse_text(naive[retry], None, utc=False, dayfirst=dayfirst)
            if isinstance(other.dtype, pd.DatetimeTZDtype):  # offsets hidden mid-string
                out.loc[other.index] = _datetime_dtype(other, "UTC")
                naive, parsed = naive[~retry], parsed[~retry]
            elif pd.api.types.is_datetime64_any_dtype(other.dtype):
                parsed = _datetime_dtype(parsed, assume_tz)
                parsed.loc[retry] = _datetime_dtype(other, assume_tz)
                out.loc[parsed.index] = parsed
                return out
        if len(parsed):
            out.loc[parsed.index] = _datetime_dtype(parsed, assume_tz)
    return out


def _decide_dayfirst(parts: pd.DataFrame, where: str, sample: pd.Series) -> bool:
    first_big = (parts[0].astype(int) > 12).any()
    second_big = (parts[2].astype(int) > 12).any()
    if first_big and second_big:
        raise DataValidationError(
            f"{where}: dates such as {describe_values(sample.tolist())} mix day-first and month-first forms; "
            "set timestamp_format (e.g. '%d/%m/%Y') and fix the rows that differ"
        )
    if first_big or second_big:
        return bool(first_big)
    raise DataValidationError(
        f"{where}: cannot tell whether dates such as {describe_values(sample.tolist())} are day-first or "
        "month-first (no day above 12); set dayfirst: true or false (or timestamp_format, e.g. '%d/%m/%Y') "
        "for this table in study.yaml, or pass dayfirst= to jkit.load"
    )


def _rewrite_dmy(text: pd.Series, dayfirst: bool | None, where: str) -> pd.Series:
    """``dd/mm/yyyy``-like values rewritten to ISO ``yyyy-mm-dd`` + the rest."""
    parts = text.str.extract(_DMY)
    has = parts[0].notna()
    if not has.any():
        return text
    found = parts[has]
    if dayfirst is None:
        dayfirst = _decide_dayfirst(found, where, text[has].head(3))
    day, month = (found[0], found[2]) if dayfirst else (found[2], found[0])
    year = found[3].astype(int)
    year = year.where(found[3].str.len() == 4, np.where(year <= 68, 2000 + year, 1900 + year))
    iso = (
        year.astype(str).str.zfill(4) + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + found[4].fillna("")
    )
    out = text.copy()
    out.loc[has] = iso
    return out


def _digits(text: pd.Series, where: str) -> pd.Series:
    """All-digit strings: YYYYMMDD (8), YYYYMMDDHHMMSS (14), else epoch by magnitude."""
    lengths = text.str.len()
    if (lengths == 8).all() or (lengths == 14).all():
        fmt = "%Y%m%d" if (lengths == 8).all() else "%Y%m%d%H%M%S"
        parsed = _parse_text(text, fmt, utc=False)
        if parsed.isna().any():
            bad = text[parsed.isna()]
            raise DataValidationError(
                f"{where}: digits-only values such as {describe_values(bad.tolist())} are not valid dates of "
                f"the form {'YYYYMMDD' if fmt == '%Y%m%d' else 'YYYYMMDDHHMMSS'} and are unlikely epoch times; "
                f"set timestamp_format to '{fmt}' (unreadable values become bad rows) or to epoch_s / epoch_ms"
            )
        return parsed
    return _integer_epoch(text.astype("int64")) if (lengths <= 18).all() else _epoch(text)


_ARROW_STRING = pd.StringDtype("pyarrow")
_ZONE_AT_END = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?|\s*(?:UTC|GMT|utc|gmt))$"


def _fast_iso(text: pd.Series, out: pd.Series, assume_tz: str) -> pd.Series:
    """Parse what ISO 8601 parsing takes in one pass into ``out``; return the values left for the slow path."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if assume_tz == "UTC":  # naive times are UTC too: one pass for all
        groups = [(pd.Series(True, index=text.index), True)]
    else:
        zoned = text.str.contains(_ZONE_AT_END)
        groups = [(zoned, True), (~zoned, False)]
    for mask, utc in groups:
        if not mask.any():
            continue
        part = text[mask]
        named = part.str.contains(r"(?:UTC|GMT|utc|gmt)$")
        if named.any():  # (replace with an anchor runs in Python: only where needed)
            part = part.copy()
            part[named] = part[named].str.replace(r"\s*(?:UTC|GMT|utc|gmt)$", "+00:00", regex=True)
        try:
            got = pd.to_datetime(part, format="ISO8601", utc=utc, errors="coerce")
        except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
            continue  # mixed forms: the slow path sorts them out
        if not pd.api.types.is_datetime64_any_dtype(got.dtype):
            continue
        if not utc and isinstance(got.dtype, pd.DatetimeTZDtype):
            continue
        parsed.loc[got.index] = _datetime_dtype(got, assume_tz)
    ok = parsed.notna()
    if ok.any():
        out.loc[ok[ok].index] = parsed[ok]
    return text[~ok]


def _digits_to_utc(text: pd.Series, where: str, assume_tz: str) -> pd.Series:
    parsed = _digits(text, where)
    return _datetime_dtype(parsed, assume_tz)


def parse_timestamps(
    values: pd.Series,
    *,
    assume_tz: str = "UTC",
    timestamp_format: str = "auto",
    dayfirst: bool | None = None,
    where: str = "",
) -> pd.Series:
    """Read timestamps of any common export form as ``datetime64[ns, UTC]``.

    Parameters
    ----------
    values : Series
        Text, numbers or datetimes, as read.
    assume_tz : str, default "UTC"
        Zone of times that carry none.
    timestamp_format : str, default "auto"
        ``"auto"`` (the rules of this module), ``"iso8601"``, ``"excel"`` (serial days),
        ``"epoch_s"``/``"epoch_ms"``/``"epoch_us"``/``"epoch_ns"``, or a strftime pattern such as
        ``"%d.%m.%Y %H:%M"``.
    dayfirst : bool, optional
        Order of ``01/02/2024``-like dates; default: decided by the data.
    where : str
        ``"file: column 'x'"`` for messages.

    Returns
    -------
    Series
        UTC times; ``NaT`` where a present value could not be read (the caller reports it).

    Raises
    ------
    DataValidationError
        When the data cannot decide between forms (day/month order, ``YYYYMMDD`` vs epoch).
    """
    where = where or "timestamps"
    if timestamp_format is None:
        timestamp_format = "auto"
    if not isinstance(timestamp_format, str) or not timestamp_format:
        raise ParameterError(f"timestamp_format must be text such as 'auto' or '%d/%m/%Y', not {timestamp_format!r}")
    fmt = timestamp_format.lower() if timestamp_format.lower() in NAMED_FORMATS else timestamp_format
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _datetime_dtype(values, assume_tz)
    if pd.api.types.is_bool_dtype(values.dtype):
        return _empty(values.index)
    out = _empty(values.index)
    if pd.api.types.is_numeric_dtype(values.dtype):
        present = values.notna()
        if not present.any():
            return out
        nums = values[present]
        if fmt in EPOCH_FORMATS:
            out.loc[nums.index] = _epoch(nums, EPOCH_FORMATS[fmt])
        elif fmt == "excel":
            out.loc[nums.index] = _excel(nums, assume_tz)
        elif fmt != "auto" and fmt != "iso8601":
            text = nums.map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
            out.loc[nums.index] = _strftime(text, fmt, assume_tz)
        else:
            finite = nums[np.isfinite(nums.astype("float64"))]
            if len(finite) and (finite == np.round(finite)).all():
                ints = finite.astype("int64")
                eight, fourteen = ints.between(10**7, 10**8 - 1), ints.between(10**13, 10**14 - 1)
                if eight.all() or fourteen.all():  # YYYYMMDD / YYYYMMDDHHMMSS: the text rule decides
                    out.loc[finite.index] = _digits_to_utc(ints.astype(str), where, assume_tz)
                else:  # plain epoch numbers: no detour through text
                    out.loc[finite.index] = _integer_epoch(ints)
            else:
                out.loc[finite.index] = _epoch(finite)
        return out

    present = values.notna()
    if not present.any():
        return out
    text = values[present]
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"):
        text = text.astype(str).astype(_ARROW_STRING)  # vectorised string kernels (RE2), not Python loops
    text = text.str.strip()
    text = text[text != ""]
    if text.empty:
        return out
    if fmt in EPOCH_FORMATS:
        out.loc[text.index] = _epoch(text, EPOCH_FORMATS[fmt])
        return out
    if fmt == "excel":
        out.loc[text.index] = _excel(text, assume_tz)
        return out
    if fmt not in ("auto", "iso8601"):
        out.loc[text.index] = _strftime(text, fmt, assume_tz)
        return out

    digits = text.str.fullmatch(r"\d+")
    if digits.any():
        out.loc[text[digits].index] = _digits_to_utc(text[digits], where, assume_tz)
    rest = text[~digits]
    if rest.empty:
        return out
    rest = _fast_iso(rest, out, assume_tz)  # the common case, in one vectorised pass
    if rest.empty:
        return out
    rest = rest.astype(object)
    number = rest.str.match(_NUMBER)
    if number.any():  # fractional or signed epoch values
        out.loc[rest[number].index] = _epoch(rest[number])
        rest = rest[~number]
    basic = rest.str.extract(_BASIC_DATETIME)
    is_basic = basic[0].notna()
    if is_basic.any():
        b = basic[is_basic]
        rewritten = (
            b[0] + "-" + b[1] + "-" + b[2] + "T" + b[3] + ":" + b[4] + ":" + b[5].fillna("00") + b[6].fillna("")
            + b[7].fillna("")
        )
        rest = rest.copy()
        rest.loc[is_basic] = rewritten
    rest = rest.str.replace(_YMD_SLASH, lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}{m[4]}", regex=True)
    rest = _rewrite_dmy(rest, dayfirst, where)
    out.loc[rest.index] = _iso(rest, assume_tz, bool(dayfirst))
    return out


def _strftime(text: pd.Series, fmt: str, assume_tz: str) -> pd.Series:
    parsed = _parse_text(text, fmt, utc="%z" in fmt or "%Z" in fmt)
    return _datetime_dtype(parsed, assume_tz)


def _excel(values: pd.Series, assume_tz: str) -> pd.Series:
    days = pd.to_numeric(values, errors="coerce").astype("float64")
    ok = np.isfinite(days) & (days > 0) & (days < 2_958_466)  # 9999-12-31; NaT past 2262 below
    out = _empty(values.index)
    if ok.any():
        nanos = _EXCEL_EPOCH.value + np.round(days[ok] * 86_400e9)
        inside = (nanos >= _NS_MIN) & (nanos <= _NS_MAX)
        naive = pd.Series(pd.to_datetime(nanos[inside].astype("int64"), unit="ns"), index=nanos[inside].index)
        out.loc[naive.index] = _localize(naive, assume_tz)
    return out
