"""The output layout a scheduler can rely on: dated run folders, ``latest/``, atomic moves, a lock.

::

    reports/
      index.html                 the newest good page of every report, its status, links into latest/
      latest -> .latest-XXXX/    a symlink to the folder holding the newest good page of every report
      2026-11-23_081500/         one folder per run (UTC): NAME.html, NAME.ipynb, NAME.failed.html,
                                 index.html, run.json, run.log
      .run-2026-11-23_081500/    a run being written (renamed to its dated name when complete)

Everything is written below ``reports/`` first and moved into place with ``os.rename`` /
``os.replace`` (atomic on one file system), so a crash never leaves a half-written report where
a reader looks. ``latest`` is a relative symlink to a complete hidden folder; a new one is built
beside it and the link is replaced with one ``os.replace``, so ``latest/`` is never missing (a
``latest/`` that is still a real folder, from older versions, is moved aside once: a crash at
that moment is repaired by the next run's lock). A lock file keeps two runs from writing the
same folder at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from jkit.errors import ParameterError, ReportError
from jkit.io.files import write_text_atomic

__all__ = [
    "RUN_NAME_FORMAT",
    "RunLock",
    "new_run_folder",
    "publish_run",
    "replace_latest",
    "latest_target",
    "write_text_atomic",
    "run_folders",
    "prune_runs",
]

RUN_NAME_FORMAT = "%Y-%m-%d_%H%M%S"
_TMP_PREFIX = ".run-"
_LATEST_PREFIX = ".latest-"
_LATEST_OLD = ".latest-old"
_LINK_PREFIX = ".latest-link-"
_COMPLETE = "run.json"


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


def latest_target(reports_dir: str | Path) -> Path | None:
    """The folder ``latest`` shows (the symlink's target, or ``latest/`` itself), if any."""
    latest = Path(reports_dir) / "latest"
    if latest.is_symlink():
        target = latest.parent / os.readlink(latest)
        return target if target.is_dir() else None
    return latest if latest.is_dir() else None


def _recover(reports_dir: Path) -> None:
    """Under the lock: make sure ``latest`` exists, then remove what crashed runs left behind."""
    latest = reports_dir / "latest"
    if latest.is_symlink() and not latest.exists():
        latest.unlink()  # a dangling link: its folder was removed by hand
    if not latest.exists():
        old = reports_dir / _LATEST_OLD
        builds = sorted((p for p in reports_dir.glob(f"{_LATEST_PREFIX}*") if p.is_dir() and not p.is_symlink()
                         and p.name != _LATEST_OLD and (p / _COMPLETE).is_file()),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        if old.is_dir():
            old.rename(latest)  # a swap from a real latest/ folder interrupted between its two renames
        elif builds:
            os.symlink(builds[0].name, latest)
    keep = latest_target(reports_dir)
    for path in reports_dir.iterdir():
        if path.name.startswith(_TMP_PREFIX) or (path.name.startswith(_LATEST_PREFIX) and path != keep):
            if path.is_symlink() or path.is_file():
                path.unlink()
            else:
                shutil.rmtree(path, ignore_errors=True)


def new_run_folder(reports_dir: str | Path, started: dt.datetime) -> tuple[str, Path]:
    """Name of a new run (``2026-11-23_081500``, UTC; ``_2``… when taken) and its temporary folder."""
    reports_dir = Path(reports_dir)
    base = started.astimezone(dt.timezone.utc).strftime(RUN_NAME_FORMAT)  # noqa: UP017 - 3.10 has no dt.UTC
    taken = [0]  # a name is never reused, even after --keep deleted its folder: _n follows the highest taken
    for path in reports_dir.glob(f"*{base}*"):
        rest = path.name.removeprefix(_TMP_PREFIX).removeprefix(base)
        if rest == "":
            taken.append(1)
        elif rest.startswith("_") and rest[1:].isdigit():
            taken.append(int(rest[1:]))
    n = max(taken) + 1
    name = base if n == 1 else f"{base}_{n}"
    tmp = reports_dir / f"{_TMP_PREFIX}{name}"
    tmp.mkdir(parents=True)
    return name, tmp


def publish_run(tmp_dir: Path, reports_dir: str | Path, name: str) -> Path:
    """Move a complete run folder to its dated name (one atomic rename)."""
    final = Path(reports_dir) / name
    os.rename(tmp_dir, final)
    return final


def _point_latest(link: Path, latest: Path) -> None:
    """The one atomic step of publishing ``latest``: the new link replaces the old one."""
    os.replace(link, latest)


def replace_latest(reports_dir: str | Path, files: Iterable[tuple[Path, str]], texts: dict[str, str]) -> Path:
    """Build a new ``latest`` folder from ``(source file or folder, name)`` pairs and texts, then publish it.

    The folder is complete (``run.json`` is written last) before the ``latest`` symlink is
    replaced to point at it in one ``os.replace``; the folder it pointed at before is removed after.
    """
    reports_dir = Path(reports_dir)
    latest = reports_dir / "latest"
    previous = latest_target(reports_dir)
    build = Path(tempfile.mkdtemp(prefix=_LATEST_PREFIX, dir=reports_dir))
    os.chmod(build, 0o755)
    for src, name in files:
        if Path(src).is_dir():
            shutil.copytree(src, build / name)
        else:
            shutil.copy2(src, build / name)
    for name in sorted(texts, key=lambda n: n == _COMPLETE):
        (build / name).write_text(texts[name], encoding="utf-8")
    link = reports_dir / f"{_LINK_PREFIX}{build.name[len(_LATEST_PREFIX):]}"
    try:
        os.symlink(build.name, link)
    except (NotImplementedError, PermissionError, OSError) as exc:
        if getattr(exc, "errno", None) == errno.ENOSPC:
            raise
        return _replace_latest_folder(reports_dir, build)  # a file system without symlinks
    if latest.is_file() or (latest.exists() and not latest.is_symlink()):
        old = reports_dir / _LATEST_OLD
        shutil.rmtree(old, ignore_errors=True)
        if latest.is_file():
            latest.unlink()
        else:
            os.rename(latest, old)  # a real latest/ folder from an older layout: moved aside once
            previous = old
    _point_latest(link, latest)
    if previous is not None and previous.resolve() != build.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return latest


def _replace_latest_folder(reports_dir: Path, build: Path) -> Path:
    """Without symlinks: swap a real ``latest/`` folder with two renames (repaired by :func:`_recover`)."""
    latest, old = reports_dir / "latest", reports_dir / _LATEST_OLD
    shutil.rmtree(old, ignore_errors=True)
    if latest.is_symlink() or latest.is_file():
        latest.unlink()
    elif latest.exists():
        os.rename(latest, old)
    os.rename(build, latest)
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
