"""Data provenance for the index and ``run.json``: each table's files, row counts and content hashes.

A study is a folder (with any subset of the tables, and perhaps a ``study.yaml``) or a study file;
for a study file, the tables it names are fingerprinted, and the study file itself.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path
from typing import Any

__all__ = ["data_fingerprint"]


def _count_rows(path: Path) -> int | None:
    name = path.name
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        delimiter = "\t" if ".tsv" in name else ","
        with opener(path, "rt", encoding="utf-8", newline="", errors="replace") as fh:
            return max(sum(1 for _ in csv.reader(fh, delimiter=delimiter)) - 1, 0)
    return None


def _rows(path: Path) -> int | None:
    try:
        return _count_rows(path)
    except Exception:  # an unreadable file: the notebook will say why
        return None


def _entry(table: str, files: list[Path], shown: str) -> dict[str, Any]:
    from jkit.io import fingerprint

    if len(files) == 1:
        return {"table": table, "name": shown, "rows": _rows(files[0]), "sha256": fingerprint(files[0])}
    digest = hashlib.sha256()
    counts = []
    for f in files:
        digest.update(fingerprint(f).encode())
        counts.append(_rows(f))
    rows = sum(counts) if all(isinstance(c, int) for c in counts) else None
    return {"table": table, "name": f"{shown} ({len(files)} files)", "rows": rows, "sha256": digest.hexdigest()}


def _study_file_fingerprint(path: Path) -> list[dict[str, Any]]:
    from jkit.io import fingerprint
    from jkit.io.readers import expand_paths
    from jkit.io.study import read_study

    out = []
    try:
        study = read_study(path)
    except Exception:  # an invalid study file: the notebook says why; record the file alone
        study = None
    for table, spec in (study.tables.items() if study is not None else ()):
        try:
            files = expand_paths(spec.read.path, base=study.base)
        except Exception:
            continue
        shown = Path(str(spec.read.path)).name if len(files) == 1 else str(spec.read.path)
        out.append(_entry(table, files, shown))
    if study is not None and isinstance(study.stages, Path) and study.stages.is_file():
        out.append({"table": "stages", "name": study.stages.name, "rows": None, "sha256": fingerprint(study.stages)})
    out.append({"table": "study", "name": path.name, "rows": None, "sha256": fingerprint(path)})
    return out


def data_fingerprint(study: str | Path) -> list[dict[str, Any]]:
    """File name, row count and sha256 of each table (and ``stages.yaml``) of a study.

    Parameters
    ----------
    study : path
        A data folder (any subset of customers, events, feedback; a ``study.yaml`` in it is
        followed), or a study file.

    Returns
    -------
    list of dict
        Keys ``table``, ``name`` (file name only, or a table's pattern and file count), ``rows``
        (None for YAML) and ``sha256``; a study file adds a ``study`` entry for itself.

    Examples
    --------
    >>> [f["name"] for f in data_fingerprint("data/sample")]       # doctest: +SKIP
    ['customers.csv', 'events.parquet', 'feedback.csv', 'stages.yaml']
    """
    from jkit.io import find_table_file, fingerprint
    from jkit.io.study import STUDY_FILE_NAMES

    path = Path(study)
    if path.is_file():
        return _study_file_fingerprint(path)
    for name in STUDY_FILE_NAMES:
        if (path / name).is_file():
            return _study_file_fingerprint(path / name)
    out = []
    for table in ("customers", "events", "feedback"):
        try:
            found = find_table_file(path, table)
        except Exception:  # two files for one table: the notebook says which
            continue
        if found is not None:
            out.append(_entry(table, [found], found.name))
    stages = path / "stages.yaml"
    if stages.is_file():
        out.append({"table": "stages", "name": stages.name, "rows": None, "sha256": fingerprint(stages)})
    return out
