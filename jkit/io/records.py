"""Records of a file: what could not be read (:class:`BadRecord`) and JSON records one by one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jkit.io.sniff import open_text, sniff_encoding

__all__ = ["BadRecord", "iter_json_records"]


@dataclass(frozen=True)
class BadRecord:
    """A record of the file that could not be read: its 1-based number and why."""

    row: int
    reason: str


def iter_json_records(path: str | Path, *, encoding: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(number, record)`` from a JSON file: NDJSON, a JSON array, or one JSON document.

    For NDJSON the number is the 1-based line; a line that does not parse yields
    ``(line, BadRecord)`` instead of a record (blank lines are skipped). A file that starts with
    ``[`` or ``{`` and parses as one document yields its elements (array) or itself (object) with
    numbers from 1.
    """
    path = Path(path)
    encoding = encoding or sniff_encoding(path)
    with open_text(path, encoding) as fh:
        text = fh.read()
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            doc = None  # NDJSON (several objects), or broken: read line by line
        if isinstance(doc, list):
            yield from enumerate(doc, start=1)
            return
        if isinstance(doc, dict):
            yield 1, doc
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadRecord(number, f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})")
