"""Sniffing how a text file is written: its encoding and its field separator.

Real exports arrive as UTF-8, UTF-8 with a byte-order mark (Excel), UTF-16 (Excel's "Unicode
text") or Latin-1/Windows-1252 (older tools), separated by commas, TABs, semicolons (European
spreadsheets), pipes or runs of spaces, whatever their file name says.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from pathlib import Path

__all__ = ["decode_head", "header_fields", "sniff_encoding", "sniff_separator", "read_head", "open_text", "SEPARATORS"]

#: separators jkit recognises, in order of preference when a sample fits several
SEPARATORS = (",", "\t", ";", "|")
WHITESPACE = r"\s+"
_HEAD_BYTES = 1 << 16


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")


def read_head(path: str | Path, size: int = _HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file (decompressed when it ends in ``.gz``)."""
    with _open_binary(Path(path)) as fh:
        return fh.read(size)


def sniff_encoding(path: str | Path, head: bytes | None = None) -> str:
    """The encoding of a text file: ``utf-8-sig``, ``utf-16``, ``utf-8`` or ``cp1252``/``latin-1``.

    A byte-order mark decides; otherwise UTF-8 when the first 64 KiB decode as UTF-8 (a multi-byte
    character cut at the sample's end is allowed), else Windows-1252 when it decodes, else Latin-1
    (which decodes any byte).
    """
    head = read_head(path) if head is None else head
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode_head(head: bytes, encoding: str) -> str:
    """The text of a file's first bytes (a character cut at the end is dropped, bad bytes replaced)."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def header_fields(head: bytes, encoding: str, sep: str) -> list[str]:
    """The column names of a delimited file's header line (quoted fields respected), stripped."""
    text = decode_head(head, encoding).lstrip("\ufeff")
    if sep == WHITESPACE:
        first = text.splitlines()[:1]
        return first[0].split() if first else []
    return [c.strip() for c in next(csv.reader(io.StringIO(text), delimiter=sep), [])]


def sniff_separator(path: str | Path, encoding: str | None = None, head: bytes | None = None) -> str:
    """The field separator of a delimited text file: ``","``, ``"\\t"``, ``";"``, ``"|"`` or ``r"\\s+"``.

    The separator is the candidate that splits the sampled lines (quoted fields respected) into
    the same number of fields, more than one, on the most lines; ties go to the order of
    :data:`SEPARATORS`. A file whose lines split only on runs of spaces is whitespace-separated;
    a file with one column is read with ``","``.
    """
    head = read_head(path) if head is None else head
    text = decode_head(head, encoding or sniff_encoding(path, head))
    lines = text.splitlines()
    if len(head) >= _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    sample = "\n".join(lines[:200])
    if not sample.strip():
        return ","
    best, best_score = None, (0, 0)
    for sep in SEPARATORS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
        if not rows:
            continue
        widths = [len(r) for r in rows]
        header_width = widths[0]
        if header_width < 2:
            continue
        agreeing = sum(w == header_width for w in widths)
        score = (agreeing, header_width)
        if agreeing >= max(1, int(0.9 * len(rows))) and score > best_score:
            best, best_score = sep, score
    if best is not None:
        return best
    widths = [len(line.split()) for line in lines[:200] if line.strip()]
    if widths and widths[0] > 1 and all(w == widths[0] for w in widths):
        return WHITESPACE
    return ","


def open_text(path: str | Path, encoding: str | None = None):
    """Open a (possibly gzipped) text file with its sniffed encoding, universal newlines."""
    path = Path(path)
    encoding = encoding or sniff_encoding(path)
    return io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="")
