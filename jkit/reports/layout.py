"""The output layout a scheduler can rely on: dated run folders, ``latest/``, atomic moves, a lock.

::

    reports/
      index.html                 newest run: every report, its status, links into latest/
      latest/                    newest good copy of each report of the newest run (+ its index.html)
      2026-11-23_081500/         one folder per run (UTC): NAME.html, NAME.ipynb, NAME.failed.html,
                                 index.html, run.json, run.log
      .run-2026-11-23_081500/    a run being written (renamed to its dated name when complete)

Everything is written below ``reports/`` first and moved into place with ``os.rename`` /
``os.replace`` (atomic on one file system), so a crash never leaves a half-written report where
a reader looks. A lock file keeps two runs from writing the same folder at once.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from jkit.errors import ParameterError, ReportError

__all__ = [
    "RUN_NAME_FORMAT",
    "RunLock",
    "new_run_folder",
    "publish_run",
    "replace_latest",
    "write_text_atomic",
    "run_folders",
    "prune_runs",
]

RUN_NAME_FORMAT = "%Y-%m-%d_%H%M%S"
_TMP_PREFIX = ".run-"
_LATEST_TMP = ".latest-new"
_LATEST_OLD = ".latest-old"


class RunLock:
    """An exclusive lock on a reports folder (``reports/.jkit-run.lock``), released on exit or crash."""

    def __init__(self, reports_dir: str | Path) -> None:
        self.reports_dir = Path(reports_dir)
        self._fh = None

    def __enter__(self) -> RunLock:
        import fcntl

        self.reports_dir.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.reports_dir / ".jkit-run.lock", "a+")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            raise ReportError(
                f"{self.reports_dir.name}/: another `jkit run` is writing reports here; "
                "wait for it to finish or pass another --out folder"
            ) from None
        _recover(self.reports_dir)
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            import fcntl

            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _recover(reports_dir: Path) -> None:
    """Under the lock: finish an interrupted ``latest`` swap and remove folders of crashed runs."""
    latest, old = reports_dir / "latest", reports_dir / _LATEST_OLD
    if not latest.exists() and old.exists():
        old.rename(latest)
    for path in reports_dir.iterdir():
        if path.name.startswith(_TMP_PREFIX) or path.name in (_LATEST_TMP, _LATEST_OLD):
            shutil.rmtree(path, ignore_errors=True)


def new_run_folder(reports_dir: str | Path, started: dt.datetime) -> tuple[str, Path]:
    """Name of a new run (``2026-11-23_081500``, UTC; ``_2``… when taken) and its temporary folder."""
    reports_dir = Path(reports_dir)
    base = started.astimezone(dt.timezone.utc).strftime(RUN_NAME_FORMAT)  # noqa: UP017 - 3.10 has no dt.UTC
    name, n = base, 1
    while (reports_dir / name).exists() or (reports_dir / f"{_TMP_PREFIX}{name}").exists():
        n += 1
        name = f"{base}_{n}"
    tmp = reports_dir / f"{_TMP_PREFIX}{name}"
    tmp.mkdir(parents=True)
    return name, tmp


def publish_run(tmp_dir: Path, reports_dir: str | Path, name: str) -> Path:
    """Move a complete run folder to its dated name (one atomic rename)."""
    final = Path(reports_dir) / name
    os.rename(tmp_dir, final)
    return final


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


def replace_latest(reports_dir: str | Path, files: Iterable[tuple[Path, str]], texts: dict[str, str]) -> Path:
    """Build a new ``latest/`` from ``(source file, name)`` pairs and texts, then swap it in.

    The old ``latest/`` stays in place until the new one is complete; the swap is two renames
    (a crash between them is repaired by the next run's lock).
    """
    reports_dir = Path(reports_dir)
    new, old, latest = reports_dir / _LATEST_TMP, reports_dir / _LATEST_OLD, reports_dir / "latest"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    for src, name in files:
        if Path(src).is_dir():
            shutil.copytree(src, new / name)
        else:
            shutil.copy2(src, new / name)
    for name, text in texts.items():
        (new / name).write_text(text, encoding="utf-8")
    if latest.is_symlink() or latest.is_file():
        latest.unlink()
    if latest.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.rename(latest, old)
    os.rename(new, latest)
    shutil.rmtree(old, ignore_errors=True)
    return latest


def run_folders(reports_dir: str | Path) -> list[Path]:
    """Completed run folders, newest first."""
    reports_dir = Path(reports_dir)
    if not reports_dir.is_dir():
        return []
    found = []
    for path in reports_dir.iterdir():
        if not path.is_dir() or path.name.startswith("."):
            continue
        try:
            dt.datetime.strptime(path.name[:17], RUN_NAME_FORMAT)
        except ValueError:
            continue
        if (path / "run.json").exists():
            found.append(path)
    return sorted(found, key=lambda p: _sort_key(p.name), reverse=True)


def _sort_key(name: str) -> tuple[str, int]:
    stem, _, n = name[17:].partition("_")
    return name[:17], int(n) if n.isdigit() else 1


def prune_runs(reports_dir: str | Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` run folders; return the names deleted."""
    if keep < 1:
        raise ParameterError(f"keep={keep} should be a whole number of at least 1 (run folders to keep)")
    removed = []
    for path in run_folders(reports_dir)[keep:]:
        shutil.rmtree(path)
        removed.append(path.name)
    return removed
