"""Reading a table's files as they are: CSV/TSV (separator and encoding sniffed), Parquet, NDJSON.

:func:`read_source` takes a :class:`ReadSpec` (what the study file says about one table) and
returns a :class:`RawTable`: the rows as read, the 1-based row number of each, and the records
that could not be read. Vendor formats (``format: ga4`` …) go through :mod:`jkit.io.importers`.
"""

from __future__ import annotations

import csv
import glob
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jkit._rules import column_list
from jkit.errors import DataValidationError, MissingResourceError, ParameterError
from jkit.io.records import BadRecord, iter_json_records
from jkit.io.sniff import WHITESPACE, header_fields, read_head, sniff_encoding, sniff_separator

__all__ = [
    "BLANK_LIKE",
    "FILE_FORMATS",
    "RawTable",
    "ReadSpec",
    "expand_paths",
    "format_of",
    "read_source",
]

#: cells read as missing in text files (whitespace-only cells too)
BLANK_LIKE = ("", "NA", "N/A", "#N/A", "NaN", "nan", "null", "NULL", "Null")
#: the plain file formats (besides the importer names)
FILE_FORMATS = ("csv", "tsv", "parquet", "json")
_SUFFIX_FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".dat": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".json": "json", ".jsonl": "json", ".ndjson": "json",
}
_SEP_WORDS = {"auto": None, "tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
              "whitespace": WHITESPACE, "space": WHITESPACE}


@dataclass
class ReadSpec:
    """How to read one table (the study file's table keys; see ``docs/data-contract.md``)."""

    path: str | Path
    format: str | None = None
    sep: str = "auto"
    encoding: str = "auto"
    header: bool = True
    names: list[str] | None = None
    quoting: str = "auto"  # "auto", "csv" (quotes group cells) or "none" (quotes are text)
    options: dict = field(default_factory=dict)  # passed to an importer


@dataclass
class RawTable:
    """The rows of one table as read, before the contract is checked."""

    frame: pd.DataFrame
    source: str
    files: list[Path]
    row_numbers: np.ndarray
    bad: list[BadRecord] = field(default_factory=list)
    from_text: bool = True  # cells arrived as text (CSV/TSV): extra columns are typed by content
    sep: str | None = None  # the separator of delimited files


def format_of(path: Path) -> str | None:
    """The plain format of a file from its name (``.csv.gz`` → csv), or None."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIX_FORMATS.get(Path(name).suffix)


def expand_paths(path: str | Path, base: Path | None = None) -> list[Path]:
    """The files of a table: one file, a glob (``exports/*.csv``) or a folder of files, in name order."""
    text = str(path)
    full = Path(text) if base is None or Path(text).is_absolute() else base / text
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
        if not files:
            raise MissingResourceError(f"{text}: no file matches this pattern")
        return files
    if full.is_dir():
        files = sorted(p for p in full.iterdir() if p.is_file() and format_of(p) and not p.name.startswith("."))
        if not files:
            raise MissingResourceError(f"{text}: the folder holds no .csv, .tsv, .parquet or .json file")
        kinds = {format_of(p) for p in files}
        if len(kinds) > 1:
            raise DataValidationError(
                f"{text}: the folder mixes file formats ({', '.join(sorted(kinds))}); keep one format per table folder"
            )
        return files
    if not full.exists():
        raise MissingResourceError(f"{text}: no such file")
    return [full]


def _sep(spec: ReadSpec, path: Path, encoding: str, head: bytes) -> str:
    word = str(spec.sep)
    if word.lower() in _SEP_WORDS:
        chosen = _SEP_WORDS[word.lower()]
        if chosen is not None:
            return chosen
        return sniff_separator(path, encoding, head)
    if len(word) != 1:
        raise ParameterError(f"sep must be one character, 'auto', 'tab' or 'whitespace', not {word!r}")
    return word


def _read_delimited(path: Path, spec: ReadSpec, fmt: str, lenient: bool) -> tuple[pd.DataFrame, list[BadRecord], str]:
    head = read_head(path)
    encoding = sniff_encoding(path, head) if spec.encoding in ("auto", None) else spec.encoding
    sep = "\t" if fmt == "tsv" and spec.sep == "auto" else _sep(spec, path, encoding, head)
    if spec.header:
        fields = header_fields(head, encoding, sep)
        dup = sorted({f for f in fields if fields.count(f) > 1 and f})
        if dup:
            raise DataValidationError(
                f"{path.name}: column{'s' if len(dup) > 1 else ''} {column_list(dup)} appear more than "
                "once in the header; rename them so that each column name is unique"
            )
    elif not spec.names:
        raise ParameterError(f"{path.name}: header: false needs names: [..] for the columns")
    kwargs = {
        "dtype": str, "keep_default_na": False, "na_values": list(BLANK_LIKE), "encoding": encoding,
        "header": 0 if spec.header else None, "names": spec.names, "skipinitialspace": False,
    }
    if sep == WHITESPACE:
        kwargs["sep"] = r"\s+"
    else:
        kwargs["sep"] = sep
    quoting = str(spec.quoting).lower()
    if quoting not in ("auto", "csv", "none"):
        raise ParameterError(f"quoting must be auto, csv or none, not {spec.quoting!r}")
    if quoting == "none":
        kwargs["quoting"] = csv.QUOTE_NONE
    frame, bad = _parse_delimited(path, kwargs, lenient, sep)
    if quoting == "auto" and sep == "\t" and _quotes_swallowed_lines(frame):
        # TAB files rarely quote; a stray quote at a cell's start makes the parser swallow the
        # following lines (1,000 review sentences read as 748). Quotes are text when that reading
        # gives every line the header's fields.
        try:
            plain, plain_bad = _parse_delimited(path, {**kwargs, "quoting": csv.QUOTE_NONE}, False, sep)
        except DataValidationError:
            plain = None
        if plain is not None and len(plain) > len(frame) and not plain_bad:
            frame, bad = plain, []
    if spec.header and len(frame.columns) and str(frame.columns[0]).startswith("\ufeff"):
        frame = frame.rename(columns={frame.columns[0]: str(frame.columns[0]).lstrip("\ufeff")})
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, bad, sep


def _quotes_swallowed_lines(frame: pd.DataFrame) -> bool:
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.dropna().astype(str)
            if text.str.contains("\n", regex=False).any() and text.str.contains("\t", regex=False).any():
                return True
    return False


def _parse_delimited(path: Path, kwargs: dict, lenient: bool, sep: str) -> tuple[pd.DataFrame, list[BadRecord]]:
    bad: list[BadRecord] = []
    encoding = kwargs["encoding"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(path, on_bad_lines="warn" if lenient else "error", **kwargs)
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=kwargs["names"] or []), []
        except pd.errors.ParserError as exc:
            raise DataValidationError(
                f"{path.name}: cannot read the file as {_sep_name(sep)}-separated text: {_parser_detail(exc)}. "
                "Fix the line, set sep: in the study file, or load with lenient=True to set such lines aside."
            ) from None
        except (UnicodeDecodeError, UnicodeError) as exc:
            raise DataValidationError(
                f"{path.name}: cannot decode the file as {encoding}: {exc}; set encoding: in the study file"
            ) from None
    for w in caught:
        if issubclass(w.category, pd.errors.ParserWarning):
            for line in str(w.message).strip().splitlines():
                number = _line_number(line)
                bad.append(BadRecord(number, line.strip().rstrip(".")))
    return frame, bad


def _sep_name(sep: str) -> str:
    return {",": "comma", "\t": "TAB", ";": "semicolon", "|": "pipe", WHITESPACE: "whitespace"}.get(sep, repr(sep))


def _parser_detail(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return text.replace("Error tokenizing data. C error: ", "")


def _line_number(message: str) -> int:
    import re

    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 0


def _read_json(path: Path, spec: ReadSpec) -> tuple[pd.DataFrame, list[BadRecord], np.ndarray]:
    records, numbers, bad = [], [], []
    encoding = None if spec.encoding in ("auto", None) else spec.encoding
    for number, record in iter_json_records(path, encoding=encoding):
        if isinstance(record, BadRecord):
            bad.append(record)
        elif not isinstance(record, dict):
            bad.append(BadRecord(number, f"record {number} is not a JSON object"))
        else:
            records.append(record)
            numbers.append(number)
    frame = pd.json_normalize(records, sep="_") if records else pd.DataFrame()
    return frame, bad, np.asarray(numbers, dtype="int64")


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise DataValidationError(f"{path.name}: cannot read the Parquet file: {exc}") from None


def read_source(spec: ReadSpec, *, base: Path | None = None, lenient: bool = False, label: str = "") -> RawTable:
    """Read the file(s) of one table as they are.

    Parameters
    ----------
    spec : ReadSpec
        Path (file, glob or folder), format, separator, encoding, header.
    base : Path, optional
        Folder relative paths are resolved against (the study file's folder).
    lenient : bool, default False
        Set lines that cannot be parsed aside (returned in ``RawTable.bad``) instead of failing.
    label : str
        How to name the source in messages (default: the path as given).

    Returns
    -------
    RawTable
    """
    files = expand_paths(spec.path, base)
    frames, numbers, bad = [], [], []
    from_text, sep = True, None
    offset = 0
    for path in files:
        fmt = (spec.format or format_of(path) or "csv").lower()
        if fmt in ("csv", "tsv"):
            frame, bad_here, sep = _read_delimited(path, spec, fmt, lenient)
            rows = np.arange(1, len(frame) + 1)
        elif fmt == "parquet":
            frame, bad_here, rows = _read_parquet(path), [], None
            from_text = False
        elif fmt == "json":
            frame, bad_here, rows = _read_json(path, spec)
            from_text = False
        else:
            from jkit.io.importers import get_importer

            importer = get_importer(fmt)
            imported = importer.parse(path, **spec.options)
            frame, bad_here = imported.frame, list(imported.bad)
            rows = imported.row_numbers
            from_text = False
        if rows is None:
            rows = np.arange(1, len(frame) + 1)
        frames.append(frame.reset_index(drop=True))
        numbers.append(np.asarray(rows, dtype="int64") + offset)
        bad += [BadRecord(b.row + offset, f"{path.name}: {b.reason}" if len(files) > 1 else b.reason) for b in bad_here]
        offset += int(max(len(frame), int(np.max(rows)) if len(rows) else 0, max((b.row for b in bad_here), default=0)))
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    source = label or (files[0].name if len(files) == 1 else f"{spec.path} ({len(files)} files)")
    return RawTable(frame, source, files, np.concatenate(numbers) if numbers else np.array([], dtype="int64"),
                    bad, from_text, sep)
