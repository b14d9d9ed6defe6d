"""The importer interface: one vendor export file in, contract-shaped rows out.

An importer maps a vendor's fields onto jkit's contract (``docs/data-contract.md``): it returns
a DataFrame whose columns carry contract names where the vendor has the field (``customer_id``,
``timestamp`` as ``datetime64[ns, UTC]``, ``event``, ``touchpoint``, ``session_id``, ``revenue``;
or ``feedback_id``, ``text``, ``source``, ``nps``…) and keeps the vendor's other fields as
columns. Records it cannot read (a JSON line that does not parse, a TSV line with too few
fields) are returned as :class:`BadRecord` — the loader raises on them, or sets them aside and
counts them with ``lenient=True``. An importer never drops a record silently.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, ParameterError, format_rows
from jkit.io.records import BadRecord, iter_json_records
from jkit.io.sniff import decode_head, header_fields, read_head, sniff_encoding, sniff_separator
from jkit.schema import TABLES

__all__ = [
    "EVENT_COLUMNS",
    "UNKNOWN_TOUCHPOINT",
    "check_options",
    "tidy_events",
    "PERSONAL_COLUMNS",
    "drop_personal",
    "drops_personal",
    "BadRecord",
    "FileSample",
    "Imported",
    "Importer",
    "finish",
    "iter_json_records",
    "sample_file",
]

#: the events table's contract columns, in order: what every event importer returns
EVENT_COLUMNS = tuple(spec.name for spec in TABLES["events"])
#: the touchpoint of events whose export does not say (the contract's default)
UNKNOWN_TOUCHPOINT = next((getattr(s, "default", None) for s in TABLES["events"] if s.name == "touchpoint"), None) or "unknown"


@dataclass
class Imported:
    """What an importer read from one file.

    Attributes
    ----------
    frame : DataFrame
        One row per record read, contract column names where mapped.
    bad : list of BadRecord
        Records that could not be read.
    source : str
        The file's name, for messages.
    row_numbers : ndarray, optional
        1-based record (or line) number of each row of ``frame``; default ``1..len(frame)``.
    """

    frame: pd.DataFrame
    bad: list[BadRecord] = field(default_factory=list)
    source: str = ""
    row_numbers: np.ndarray | None = None


@dataclass(frozen=True)
class FileSample:
    """The start of a file, for format detection: its name, first bytes, decoded text and column names."""

    path: Path
    head: bytes
    text: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Importer:
    """One ``format:`` name of the study file.

    Attributes
    ----------
    name : str
        The format name (``"ga4"``, ``"qualtrics"``…).
    table : {"events", "feedback"}
        The table it produces.
    parse : callable
        ``parse(path, **options) -> Imported`` for one file.
    detect : callable
        ``detect(sample) -> bool``: does a :class:`FileSample` look like this format.
    description : str
        One line for ``jkit init`` and the docs.
    options : tuple of str
        Keyword options ``parse`` accepts (study-file keys passed through).
    """

    name: str
    table: Literal["events", "feedback"]
    parse: Callable[..., Imported]
    detect: Callable[[FileSample], bool]
    description: str
    options: tuple[str, ...] = ()


def finish(imported: Imported, *, lenient: bool = False) -> pd.DataFrame:
    """The frame of an :class:`Imported`, raising on bad records unless ``lenient``.

    With ``lenient=True`` the bad records are left out and their count and numbers are kept in
    ``frame.attrs["bad_records"]`` (a list of :class:`BadRecord`).
    """
    if imported.bad and not lenient:
        first = imported.bad[0]
        raise DataValidationError(
            f"{imported.source}: {format_rows([b.row for b in imported.bad])} cannot be read: {first.reason}. "
            "Fix the file, or load with lenient=True to set these records aside."
        )
    frame = imported.frame
    frame.attrs["bad_records"] = list(imported.bad)
    return frame


def sample_file(path: str | Path) -> FileSample:
    """A :class:`FileSample` of ``path``: Parquet column names, or a text file's head and first-line fields."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            names = tuple(pq.read_schema(path).names)
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise DataValidationError(f"{path.name}: cannot read the Parquet file: {exc}") from None
        return FileSample(path, b"", "", names)
    head = read_head(path)
    encoding = sniff_encoding(path, head)
    text = decode_head(head, encoding)
    columns: tuple[str, ...] = ()
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if first.startswith("{"):
        try:
            record = json.loads(first)
            columns = tuple(record) if isinstance(record, Mapping) else ()
        except json.JSONDecodeError:
            columns = ()
    else:
        columns = tuple(header_fields(head, encoding, sniff_separator(path, encoding, head)))
    return FileSample(path, head, text, columns)


#: vendor fields that identify a person (IP, e-mail, phone, names, street address, exact location,
#: browser fingerprint, advertising ids): left out of event imports unless ``keep_personal=True``
PERSONAL_COLUMNS = re.compile(
    r"(?:^|_)(?:ip|ip_address|ipaddress|user_ipaddress|email|email_address|e_mail|phone|phone_number|"
    r"mobile_number|first_name|last_name|firstname|lastname|full_name|user_name|username|address|street|"
    r"street_address|latitude|longitude|location_lat|location_lng|lat|lng|lon|user_fingerprint|idfa|adid)$"
    r"|^(?:trait_)?name$",
    re.IGNORECASE,
)


def drop_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns :data:`PERSONAL_COLUMNS` names (contract columns are kept)."""
    contract = {"customer_id", "timestamp", "event", "touchpoint", "session_id", "revenue"}
    gone = [c for c in frame.columns if c not in contract and PERSONAL_COLUMNS.search(str(c))]
    return frame.drop(columns=gone) if gone else frame


def drops_personal(parse: Callable[..., Imported]) -> Callable[..., Imported]:
    """Give an importer's ``parse`` the ``keep_personal=False`` option (see :func:`drop_personal`)."""

    @functools.wraps(parse)
    def wrapper(path, *, keep_personal: bool = False, **options) -> Imported:
        imported = parse(path, **options)
        if not keep_personal:
            imported.frame = drop_personal(imported.frame)
        return imported

    return wrapper


def check_options(reader: str, options: Mapping, accepted: tuple[str, ...]) -> None:
    """A :class:`~jkit.errors.ParameterError` naming the first option of ``options`` not in ``accepted``."""
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ParameterError(f"{reader}: unknown option {unknown[0]!r}; accepted options: {', '.join(accepted)}")


def tidy_events(frame: pd.DataFrame, contract: tuple[str, ...], unknown_touchpoint: str = "unknown") -> pd.DataFrame:
    """Contract columns first and typed; ``touchpoint`` left out when no record says it, else filled."""
    if "touchpoint" in frame:
        if frame["touchpoint"].isna().all():
            frame = frame.drop(columns="touchpoint")
        else:
            frame["touchpoint"] = frame["touchpoint"].fillna(unknown_touchpoint)
    for column in ("customer_id", "event", "touchpoint", "session_id"):
        if column in frame:
            frame[column] = frame[column].astype("string")
    if "revenue" in frame:
        frame["revenue"] = frame["revenue"].astype("float64")
    first = [c for c in contract if c in frame]
    return frame[first + [c for c in frame.columns if c not in first]]
