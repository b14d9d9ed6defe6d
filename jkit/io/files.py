"""Writing files so a reader never sees half of one: jkit's atomic writers, and reading model files.

Report pages, run indexes and analysis exports (the journey map's JSON and CSV) go through
:func:`write_text_atomic`; model files (personas, sentiment) are zips of plain parts written by
:func:`write_zip_atomic` and read part by part, with a size cap, by :func:`zip_member`.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from jkit.errors import DataValidationError

__all__ = ["MAX_MEMBER_BYTES", "write_text_atomic", "write_zip_atomic", "zip_member"]

#: the largest part of a model file jkit reads (a larger one is not a model jkit wrote)
MAX_MEMBER_BYTES = 512 << 20


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then replace ``path`` with it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_zip_atomic(path: str | Path, members: Mapping[str, str | bytes]) -> Path:
    """Write a deflated zip of ``members`` (name -> text or bytes) beside ``path``, then replace ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def zip_member(z: zipfile.ZipFile, name: str, where: str, what: str, kind: str, *,
               max_bytes: int = MAX_MEMBER_BYTES) -> bytes:
    """The bytes of part ``name`` of a model file.

    A DataValidationError names ``where`` when the part is missing ("not a saved jkit ``what``") or
    larger than ``max_bytes`` ("not a ``kind``").
    """
    try:
        info = z.getinfo(name)
    except KeyError:
        raise DataValidationError(f"{where}: not a saved jkit {what} (no {name} in it)") from None
    if info.file_size > max_bytes:
        raise DataValidationError(f"{where}: {name} is {info.file_size:,} bytes; not a {kind}")
    return z.read(name)
