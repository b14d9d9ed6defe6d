"""Google Analytics 4 BigQuery export (``events_YYYYMMDD``) as events: Parquet, NDJSON/JSON or flattened CSV."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import ParameterError
from jkit.io.importers.base import (
    EVENT_COLUMNS,
    UNKNOWN_TOUCHPOINT,
    BadRecord,
    FileSample,
    Imported,
    Importer,
    check_options,
    drops_personal,
    finish,
    iter_json_records,
)
from jkit.io.sniff import open_text, read_head, sniff_encoding, sniff_separator

__all__ = ["IMPORTERS", "detect", "parse_ga4", "read_ga4"]

OPTIONS = ("id_field", "encoding", "keep_personal")
ID_FIELDS = {"user_id_or_pseudo": ("user_id", "user_pseudo_id"), "user_pseudo_id": ("user_pseudo_id",),
             "user_id": ("user_id",)}
CONTRACT = EVENT_COLUMNS
TOP = ("event_timestamp", "event_name", "user_id", "user_pseudo_id", "platform", "event_value_in_usd")
#: columns flattened from the export's records: column -> (record, field)
NESTED = {f"{s}_{f}": (s, f) for s, f in (
    ("device", "category"), ("device", "operating_system"), ("geo", "country"), ("geo", "region"), ("geo", "city"),
    ("traffic_source", "medium"), ("traffic_source", "source"), ("traffic_source", "name"),
    ("ecommerce", "transaction_id"), ("ecommerce", "purchase_revenue"))}
STRUCTS = frozenset(s for s, _ in NESTED.values()) | {"event_params"}
PLATFORMS = {"WEB": "web", "ANDROID": "mobile_app", "IOS": "mobile_app"}
DEVICE_CATEGORIES = {"desktop": "web", "mobile": "mobile", "tablet": "mobile"}
VALUE_FIELDS = ("string_value", "int_value", "float_value", "double_value")
_MAX_US = (2**63 - 1) // 1000


def _check_options(options: Mapping[str, Any]) -> None:
    check_options("read_ga4", options, OPTIONS)
    if options.get("id_field", "user_id_or_pseudo") not in ID_FIELDS:
        raise ParameterError(f"read_ga4: id_field={options['id_field']!r}; expected one of {', '.join(ID_FIELDS)}")


def _int(value: Any) -> int | None:
    """A BigQuery INT64 (a JSON number or, as ``bq extract`` writes it, a JSON string) as an int."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- Parquet (vectorised)


def _int64_series(arr) -> pd.Series:
    """An Arrow integer array as a nullable Int64 series, exactly (no float detour)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.cast(arr, pa.int64())
    values = arr.fill_null(0).to_numpy(zero_copy_only=False)
    mask = arr.is_null().to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), mask.astype(bool)))


def _from_parquet(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Base columns and long-form ``event_params`` (row, key, values) of a Parquet export, vectorised."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    names = set(pq.read_schema(path).names)
    table = pq.read_table(path, columns=[c for c in (*TOP, *sorted(STRUCTS)) if c in names])
    base: dict[str, Any] = {}
    for column in TOP:
        if column not in table.column_names:
            continue
        arr = table[column].combine_chunks()
        if column != "event_timestamp":
            base[column] = arr.to_pandas()
            continue
        if pa.types.is_timestamp(arr.type):
            arr = pc.cast(pc.cast(arr, pa.timestamp("us", tz=arr.type.tz)), pa.int64())
        base[column] = (_int64_series(arr) if pa.types.is_integer(arr.type)
                        else pd.Series([_int(v) for v in arr.to_pylist()], dtype="Int64"))
    for column, (struct, name) in NESTED.items():
        if struct in table.column_names and table.schema.field(struct).type.get_field_index(name) >= 0:
            base[column] = pc.struct_field(table[struct].combine_chunks(), name).to_pandas()
    long = pd.DataFrame(columns=["row", "key", *VALUE_FIELDS])
    if "event_params" in table.column_names:
        params = table["event_params"].combine_chunks()
        flat = pc.list_flatten(params)
        value = pc.struct_field(flat, "value")
        fields = {f.name for f in value.type}
        long = pd.DataFrame({"row": pc.list_parent_indices(params).to_numpy(), "key": pc.struct_field(flat, "key")
                             .to_pandas()})
        for name in VALUE_FIELDS:
            if name not in fields:
                long[name] = None
                continue
            sub = pc.struct_field(value, name)
            long[name] = _int64_series(sub) if pa.types.is_integer(sub.type) else sub.to_pandas()
    return pd.DataFrame(base, index=pd.RangeIndex(table.num_rows)), long


# --------------------------------------------------------------------------- JSON and CSV (record by record)


def _from_records(records: Iterator[tuple[int, Any]], label: str):
    """Base columns and long-form params of JSON-like records; BadRecords for what is not a record."""
    base: dict[str, list[Any]] = {c: [] for c in (*TOP, *NESTED)}
    seen: set[str] = set()
    long: dict[str, list[Any]] = {"row": [], "key": [], **{f: [] for f in VALUE_FIELDS}}
    numbers, bad = [], []
    for number, record in records:
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        if not isinstance(record, Mapping):
            bad.append(BadRecord(number, f"{label} {number} is not a JSON object"))
            continue
        raw_ts = record.get("event_timestamp")
        ts = _int(raw_ts)
        if raw_ts not in (None, "") and ts is None:
            bad.append(BadRecord(number, f"{label} {number}: event_timestamp {raw_ts!r} is not microseconds "
                                         "since the epoch"))
            continue
        row = len(numbers)
        numbers.append(number)
        seen.update(k for k in TOP if k in record)
        for column in TOP:
            base[column].append(ts if column == "event_timestamp" else record.get(column))
        for column, (struct, name) in NESTED.items():
            sub = record.get(struct)
            if isinstance(sub, Mapping) and name in sub:
                seen.add(column)
            base[column].append(sub.get(name) if isinstance(sub, Mapping) else None)
        params = record.get("event_params")
        values = [(param["key"], param.get("value") if isinstance(param.get("value"), Mapping) else {})
                  for param in (params if isinstance(params, list) else ())
                  if isinstance(param, Mapping) and param.get("key") not in (None, "")]
        values += [(key, {"string_value": value}) for key, value in record.get("_flat", {}).items()]  # CSV columns
        for key, value in values:
            for name, item in (("row", row), ("key", str(key)), ("string_value", value.get("string_value")),
                               ("int_value", _int(value.get("int_value"))),
                               ("float_value", _float(value.get("float_value"))),
                               ("double_value", _float(value.get("double_value")))):
                long[name].append(item)
    frame = pd.DataFrame({c: pd.Series(v, dtype="Int64" if c == "event_timestamp" else None)
                          for c, v in base.items() if c in seen or c in ("event_timestamp", "event_name")},
                         index=pd.RangeIndex(len(numbers)))
    long_frame = pd.DataFrame(long)
    long_frame["int_value"] = long_frame["int_value"].astype("Int64")
    return frame, long_frame, numbers, bad


def _csv_records(path: Path, encoding: str | None) -> Iterator[tuple[int, Any]]:
    """Rows of a flattened CSV as nested records: JSON-text columns parsed, ``device.category`` nested."""
    encoding = encoding or sniff_encoding(path)
    with open_text(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=sniff_separator(path, encoding))
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        aliases = {f"{struct}_{name}": (struct, name) for struct, name in NESTED.values()}
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield number, BadRecord(number, f"row {number} has {len(cells)} fields; the header has {len(header)}")
                continue
            record: dict[str, Any] = {"_flat": {}}
            problem = None
            for column, cell in zip(header, cells, strict=True):
                value = cell if cell.strip() else None
                if column in STRUCTS and value is not None and value.lstrip().startswith(("{", "[")):
                    try:
                        record[column] = json.loads(value)
                    except json.JSONDecodeError as exc:
                        problem = f"row {number}: column {column!r} is not valid JSON ({exc.msg})"
                        break
                elif column in TOP:
                    record[column] = value
                elif "." in column and column.split(".", 1)[0] in STRUCTS:
                    struct, name = column.split(".", 1)
                    record.setdefault(struct, {})[name] = value
                elif column in aliases:
                    struct, name = aliases[column]
                    record.setdefault(struct, {})[name] = value
                else:
                    record["_flat"][column] = value
            yield number, (BadRecord(number, problem) if problem else record)


# --------------------------------------------------------------------------- assembly


def _pivot(long: pd.DataFrame, n: int) -> dict[str, pd.Series]:
    """One column per param key, values coalesced from string/int/float/double, typed by what the key holds."""
    out: dict[str, pd.Series] = {}
    long = long.drop_duplicates(["row", "key"], keep="first")
    index = pd.RangeIndex(n)
    for key, group in long.groupby("key", sort=False):
        rows = group["row"].to_numpy()
        s, i = group["string_value"], group["int_value"]
        f = pd.to_numeric(group["float_value"], errors="coerce").fillna(pd.to_numeric(group["double_value"],
                                                                                      errors="coerce"))
        has_s, has_i, has_f = s.notna().any(), i.notna().any(), f.notna().any()
        if has_s and (has_i or has_f):  # text and numbers: each value as it is
            values = s.astype(object).where(s.notna(), i.astype(object).where(i.notna(), f.astype(object)))
        elif has_f:
            values = f.astype("float64").fillna(i.astype("float64"))
        elif has_i:
            values = i.astype("Int64")
        else:
            values = s.astype("string")
        out[str(key)] = values.set_axis(rows).reindex(index)
    return out


def _text(series: pd.Series | None, n: int) -> pd.Series:
    if series is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    out = series.astype("string").str.strip()
    return out.mask(out == "")


def _assemble(base: pd.DataFrame, long: pd.DataFrame, numbers: np.ndarray, bad: list[BadRecord], source: str,
              id_field: str, label: str) -> Imported:
    n = len(base)
    params = _pivot(long, n)
    problems = pd.Series(pd.NA, index=base.index, dtype="object")

    def flag(mask: pd.Series, reason: str) -> None:
        for i in np.flatnonzero((mask & problems.isna()).to_numpy(dtype=bool)):
            problems.iloc[i] = f"{label} {numbers[i]} {reason}"

    ts = base["event_timestamp"] if "event_timestamp" in base else pd.Series(pd.NA, index=base.index, dtype="Int64")
    flag(ts.isna(), "has no event_timestamp")
    flag((ts.abs() > _MAX_US).fillna(False), "has an event_timestamp outside the years 1678-2262")
    user, pseudo = _text(base.get("user_id"), n), _text(base.get("user_pseudo_id"), n)
    fields = ID_FIELDS[id_field]
    customer = {"user_id": user, "user_pseudo_id": pseudo}[fields[0]]
    if len(fields) > 1:
        customer = customer.fillna(pseudo)
    flag(customer.isna(), f"has no {' or '.join(fields)}")
    event = _text(base.get("event_name"), n)
    flag(event.isna(), "has no event_name")
    micros = ts.where(problems.isna(), 0).fillna(0).to_numpy(dtype=np.int64)
    frame = pd.DataFrame({"customer_id": customer,
                          "timestamp": pd.Series((micros * 1000).view("datetime64[ns]")).dt.tz_localize("UTC"),
                          "event": event}, index=base.index)
    platform = _text(base.get("platform"), n)
    device = _text(base.get("device_category"), n).str.lower()
    touchpoint = platform.str.upper().map(PLATFORMS).fillna(platform.str.lower()).fillna(
        device.map(DEVICE_CATEGORIES).fillna(device))
    if touchpoint.notna().any():
        frame["touchpoint"] = touchpoint.fillna(UNKNOWN_TOUCHPOINT).astype("string")
    sources = [c for c in ("ecommerce_purchase_revenue", "event_value_in_usd") if c in base]
    if sources:
        revenue = pd.Series(np.nan, index=base.index)
        for column in sources:  # the first that has a value
            numeric = pd.to_numeric(base[column], errors="coerce").astype("float64")
            flag(numeric.isna() & base[column].notna(), f"has a {column} that is not a number")
            revenue = revenue.fillna(numeric)
        frame["revenue"] = revenue
    if "ga_session_id" in params:
        sid = params["ga_session_id"]
        integral = pd.api.types.is_numeric_dtype(sid) and bool((sid.dropna() % 1 == 0).all())
        sid = sid.astype("Int64").astype("string") if integral else _text(sid, n)
        frame["session_id"] = (pseudo.fillna(user) + "." + sid).astype("string")
    extras = {"user_pseudo_id": pseudo, "user_id": user, "platform": platform}
    extras.update({c: base[c] for c in NESTED if c in base and c != "ecommerce_purchase_revenue"})
    extras = {k: v for k, v in extras.items() if k in base and v.notna().any()}
    taken = set(frame.columns) | set(extras)
    extras.update({(f"prop_{k}" if k in taken else k): v for k, v in params.items()})
    frame = pd.concat([frame, pd.DataFrame(extras, index=base.index)], axis=1)
    keep = problems.isna().to_numpy()
    bad = bad + [BadRecord(int(numbers[i]), problems.iloc[i]) for i in np.flatnonzero(~keep)]
    return Imported(frame.loc[keep].reset_index(drop=True), sorted(bad, key=lambda b: b.row), source,
                    np.asarray(numbers, dtype=np.int64)[keep])


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".parquet") or (not path.name.lower().endswith(".gz") and read_head(path, 4) == b"PAR1"):
        return "parquet"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    head = read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if head.startswith((b"{", b"[")) else "csv"


@drops_personal
def parse_ga4(path: Path, **options: Any) -> Imported:
    """Read one GA4 export file into contract-named rows; see :func:`read_ga4` for the mapping.

    Parameters
    ----------
    path : Path
        Parquet, NDJSON/JSON (``.gz`` too) or flattened CSV of a GA4 ``events_*`` table.
    **options
        ``id_field`` (str), ``encoding`` (str): see :func:`read_ga4`.

    Returns
    -------
    Imported
        The rows, the records that could not be read, and each row's record (line, row) number.
    """
    _check_options(options)
    path = Path(path)
    id_field = options.get("id_field", "user_id_or_pseudo")
    kind = _kind(path)
    if kind == "parquet":
        base, long = _from_parquet(path)
        return _assemble(base, long, np.arange(1, len(base) + 1), [], path.name, id_field, "row")
    if kind == "csv":
        records, label = _csv_records(path, options.get("encoding")), "row"
    else:
        array = read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
        records, label = iter_json_records(path, encoding=options.get("encoding")), "record" if array else "line"
    base, long, numbers, bad = _from_records(records, label)
    return _assemble(base, long, np.asarray(numbers, dtype=np.int64), bad, path.name, id_field, label)


def read_ga4(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Google Analytics 4 BigQuery export (one ``events_YYYYMMDD`` table) as contract-shaped events.

    Parameters
    ----------
    path : str or Path
        The export: Parquet (``bq extract --destination_format PARQUET``), NDJSON
        (``NEWLINE_DELIMITED_JSON``, ``.gz`` too) or a JSON array, or a flattened CSV (a query's
        result: nested ``event_params``, ``device``, ``geo``, ``traffic_source``, ``ecommerce``
        as JSON text, or their fields as ``device.category`` / ``device_category`` columns).
    lenient : bool, default False
        Set unreadable records aside (counted in ``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``id_field`` : {"user_id_or_pseudo", "user_pseudo_id", "user_id"}
            Where ``customer_id`` comes from: ``user_id`` when set, else the
            ``user_pseudo_id`` of the browser or app instance (default); or one of them only.
        ``encoding`` : str, the text encoding of JSON or CSV (sniffed by default).

    Returns
    -------
    DataFrame
        One row per event.

    Raises
    ------
    DataValidationError
        When a record cannot be read (not JSON, no id, no or unreadable ``event_timestamp``,
        no ``event_name``, a CSV row of the wrong width) and ``lenient`` is False; the
        message names the file and the line (row, record).
    ParameterError
        For an unknown option or ``id_field``.

    Notes
    -----
    ==============================  =======================================================
    column                          from
    ==============================  =======================================================
    ``customer_id``                 ``user_id`` when not empty, else ``user_pseudo_id``
                                    (option ``id_field``)
    ``timestamp``                   ``event_timestamp``: microseconds since the epoch, UTC,
                                    exact (integer arithmetic)
    ``event``                       ``event_name``
    ``touchpoint``                  ``platform``: WEB → ``web``, ANDROID/IOS →
                                    ``mobile_app``, others lowercased; without a platform,
                                    ``device.category``: desktop → ``web``, mobile/tablet →
                                    ``mobile``; left out when neither is in the file
    ``session_id``                  ``user_pseudo_id`` (else ``user_id``) + ``"."`` +
                                    the ``ga_session_id`` param (GA4 session ids are unique
                                    per user only)
    ``revenue``                     ``ecommerce.purchase_revenue``, else
                                    ``event_value_in_usd``
    ``user_pseudo_id``, ``user_id``  as exported (when any is set); ``platform`` likewise
    ``device_category``             ``device.category``; ``device_operating_system`` ←
                                    ``device.operating_system``
    ``geo_country``                 ``geo.country``; ``geo_region``, ``geo_city`` likewise
    ``traffic_source_medium``       ``traffic_source.medium``; ``_source``, ``_name``
                                    likewise (the user's first-touch source)
    ``ecommerce_transaction_id``    ``ecommerce.transaction_id``
    *param*                         each ``event_params`` key (``page_title``,
                                    ``ga_session_id``…), the value coalesced from
                                    ``string_value``/``int_value``/``float_value``/
                                    ``double_value`` (integers stay exact; a key holding
                                    both text and numbers keeps each value as it is);
                                    ``prop_<key>`` when a column above has that name
    ==============================  =======================================================

    Not kept: ``items``, ``user_properties``, ``privacy_info``, ``app_info``, the other
    ``device``/``geo``/``ecommerce`` fields and bookkeeping fields (``event_bundle_sequence_id``,
    ``stream_id``…). In a CSV, other columns are kept as text under their own names.
    """
    return finish(parse_ga4(Path(path), **options), lenient=lenient)


def detect(sample: FileSample) -> bool:
    """Does the file look like a GA4 export: ``event_timestamp`` and ``event_name`` with GA4's other fields."""
    columns = set(sample.columns)
    others = {"user_pseudo_id", "event_params", "event_date", "event_bundle_sequence_id"}
    if {"event_timestamp", "event_name"} <= columns:
        return bool(columns & others)
    text = sample.text.lstrip("\ufeff \t\r\n")
    return text.startswith(("{", "[")) and all(re.search(rf'"{k}"\s*:', text) for k in
                                               ("event_timestamp", "event_name", "user_pseudo_id"))


IMPORTERS = (
    Importer(
        name="ga4",
        table="events",
        parse=parse_ga4,
        detect=detect,
        description="Google Analytics 4 BigQuery export (Parquet, NDJSON or flattened CSV)",
        options=OPTIONS,
    ),
)
