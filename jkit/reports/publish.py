"""Publishing a run: ``latest/`` holds the newest good page of every report, the indexes say so.

A run renders some reports; the others keep the page an earlier run made. For each report the
new ``latest/run.json`` records the page shown (``html``, ``from_run``, ``started``: when it was
made) and, when the newest attempt did not render (failed or skipped), that attempt
(``last_attempt``: run, status, error or reason). The indexes are built from these entries, after
``--keep`` has pruned old runs, so they never link to a deleted run folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jkit.reports import layout

__all__ = ["previous_entries", "merge_entries", "latest_files", "index_rows", "recent_runs"]

_ATTEMPT_KEYS = ("status", "reason", "error", "cell", "started")


def previous_entries(reports_dir: Path) -> list[dict[str, Any]]:
    """The entries of the current ``latest/run.json`` (pages whose file is missing lose their link)."""
    folder = layout.latest_target(reports_dir)
    if folder is None or not (folder / "run.json").is_file():
        return []
    try:
        data = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    out = []
    for entry in data.get("reports", []):
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        entry = dict(entry)
        if entry.get("status") == "ok" and not (entry.get("html") and (folder / entry["html"]).is_file()):
            continue
        if entry.get("status") != "ok":
            entry["html"] = entry["ipynb"] = entry["files"] = None
            entry["assets"] = []
        out.append(entry)
    return out


def _attempt(entry: dict[str, Any], run_name: str) -> dict[str, Any]:
    attempt = {k: entry.get(k) for k in _ATTEMPT_KEYS}
    attempt["run"] = run_name
    attempt["failure"] = entry.get("html") if entry.get("status") == "failed" else None
    return attempt


def merge_entries(previous: Sequence[dict], current: Sequence[dict], run_name: str) -> list[dict[str, Any]]:
    """The reports of the new ``latest/``: this run's good pages, earlier pages for the rest.

    ``current`` holds this run's entries (``run.json`` rows with ``html``, ``ipynb``, ``files``).
    Order: this run's order when it rendered every report ``latest/`` had, else the previous order
    with new reports appended.
    """
    before = {e["name"]: e for e in previous}
    merged: dict[str, dict[str, Any]] = {}
    for entry in current:
        old = before.get(entry["name"])
        if entry["status"] == "ok":
            merged[entry["name"]] = {**entry, "from_run": run_name}
        elif old is not None and old.get("status") == "ok":
            merged[entry["name"]] = {**old, "last_attempt": _attempt(entry, run_name)}
        else:
            merged[entry["name"]] = {**entry, "html": None, "ipynb": None, "files": None, "from_run": run_name,
                                     "last_attempt": _attempt(entry, run_name)}
    names = [e["name"] for e in current]
    if not set(before) <= set(names):
        names = list(before) + [n for n in names if n not in before]
    return [merged.get(n) or before[n] for n in names]


def latest_files(entries: Sequence[dict], run_dir: Path, run_name: str, latest: Path | None) -> list[tuple[Path, str]]:
    """``(source, name)`` of every file the new ``latest/`` holds: from this run, or the previous ``latest/``."""
    files: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for e in entries:
        if not e.get("html"):
            continue
        source = run_dir if e.get("from_run") == run_name else latest
        if source is None:
            continue
        for key in ("html", "ipynb", "files"):
            name = e.get(key)
            if name and (source / name).exists():
                files.append((source / name, name))
        for name in e.get("assets") or []:  # plotly.js the page loads from beside it, once per folder
            if name not in seen and "/" not in name and (source / name).is_file():
                seen.add(name)
                files.append((source / name, name))
    return files


def _time(iso: str | None) -> str:
    return iso[:19].replace("T", " ") + " UTC" if iso else "an unknown time"


def index_rows(entries: Sequence[dict], *, run_name: str, reports_dir: Path, page_prefix: str,
               run_prefix: str) -> list[dict[str, Any]]:
    """Rows for :func:`~jkit.reports.index.render_index` from ``latest/`` entries.

    ``page_prefix`` leads from the index to ``latest/`` (``"latest/"`` or ``""``), ``run_prefix``
    to the reports folder (``""`` or ``"../"``). A failure page is linked only while its run folder exists.
    """
    rows = []
    for e in entries:
        attempt = e.get("last_attempt")
        row = {k: e.get(k) for k in ("name", "title", "status", "reason", "started", "duration", "parameters",
                                     "data", "error", "cell")}
        row["href"] = f"{page_prefix}{e['html']}" if e.get("html") else None
        row["notebook_href"] = f"{page_prefix}{e['ipynb']}" if e.get("html") and e.get("ipynb") else None
        row["failure_href"] = None
        notes = []
        if attempt:
            row.update(status=attempt["status"], reason=attempt.get("reason") or "", error=attempt.get("error") or "",
                       cell=attempt.get("cell"))
            if attempt.get("failure") and (reports_dir / attempt["run"]).is_dir():
                row["failure_href"] = f"{run_prefix}{attempt['run']}/{attempt['failure']}"
            if e.get("html"):
                notes.append(f"{attempt['status']} in run {attempt['run']}; showing the last good report from run "
                             f"{e.get('from_run', '?')}, made {_time(e.get('started'))}")
            elif attempt["run"] != run_name:
                notes.append(f"{attempt['status']} in run {attempt['run']}")
        elif e.get("from_run") != run_name:
            notes.append(f"not in run {run_name}: the page made in run {e.get('from_run', '?')}, "
                         f"{_time(e.get('started'))}")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def recent_runs(reports_dir: Path, prefix: str, limit: int = 10) -> list[dict[str, Any]]:
    """The newest run folders that still exist, for the "Recent runs" list."""
    runs = []
    for folder in layout.run_folders(reports_dir)[:limit]:
        try:
            data = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        statuses = [r.get("status") for r in data.get("reports", [])]
        runs.append({"name": folder.name, "href": f"{prefix}{folder.name}/index.html", "ok": statuses.count("ok"),
                     "failed": statuses.count("failed"), "skipped": statuses.count("skipped")})
    return runs
