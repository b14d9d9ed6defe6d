"""What a run produced: one :class:`ReportResult` per report and the :class:`RunResult` of the run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ReportResult", "RunResult", "report_row"]


@dataclass
class ReportResult:
    """What happened to one report.

    Attributes
    ----------
    name, title : str
    notebook : Path
        The source notebook.
    status : str
        ``"ok"``, ``"failed"`` or ``"skipped"``: the notebook raised
        :class:`~jkit.errors.ReportSkipped` (the study lacks what it needs), or it was not run
        after a failure with ``fail_fast``.
    started : datetime or None
        UTC start of its execution.
    duration : float or None
        Seconds of execution and rendering.
    parameters : dict
        The parameters as shown in the report.
    html : Path or None
        The rendered page (``NAME.html``, or ``NAME.failed.html`` for a failure) in the run folder.
    ipynb : Path or None
        The executed notebook in the run folder.
    files : Path or None
        ``NAME_files/``: what the notebook exported (CSV, JSON), when it has an ``output_dir``
        parameter; the runner passes that folder as ``output_dir``.
    assets : list of str
        Files beside the page that it loads (``plotly-<version>.min.js`` for interactive charts),
        one copy per run folder (:mod:`jkit.reports.assets`).
    error : str
        One line, empty unless failed.
    reason : str
        Why a skipped report was skipped (``"needs feedback text: the study has none"``).
    cell : int or None
        ``In [n]`` of the failing cell.
    """

    name: str
    title: str
    notebook: Path
    status: str
    started: dt.datetime | None = None
    duration: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    data: str | None = None
    html: Path | None = None
    ipynb: Path | None = None
    files: Path | None = None
    assets: list[str] = field(default_factory=list)
    error: str = ""
    cell: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class RunResult:
    """The outcome of :func:`run`.

    Attributes
    ----------
    name : str
        The run's name, its folder's name (``2026-11-23_081500``, UTC).
    run_dir : Path
        ``reports/<name>/``.
    reports : list of ReportResult
    started : datetime
    duration : float
        Seconds.
    index : Path
        ``reports/index.html``.
    latest : Path
        ``reports/latest/``.
    log : Path
        ``reports/<name>/run.log``.
    """

    name: str
    run_dir: Path
    reports: list[ReportResult]
    started: dt.datetime
    duration: float
    index: Path
    latest: Path
    log: Path

    @property
    def ok(self) -> bool:
        """No report failed (skipped reports are not failures)."""
        return not self.failures

    @property
    def failures(self) -> list[ReportResult]:
        return [r for r in self.reports if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when no report failed (rendered or skipped), 1 otherwise."""
        return 0 if self.ok else 1

    def summary(self) -> str:
        """One line for the run, then one line per failure (skips are in :meth:`skip_lines`)."""
        n_ok = sum(r.ok for r in self.reports)
        skipped = sum(r.status == "skipped" for r in self.reports)
        line = (
            f"jkit run {self.name}: {n_ok} of {len(self.reports)} reports ok"
            + (f", {len(self.failures)} failed" if self.failures else "")
            + (f", {skipped} skipped" if skipped else "")
            + f" in {self.duration:.1f} s -> {self.run_dir}"
        )
        lines = [line]
        for r in self.failures:
            where = f" (cell In [{r.cell}])" if r.cell is not None else ""
            lines.append(f"FAILED {r.name}: {r.error}{where} -- see {r.html}")
        return "\n".join(lines)

    def skip_lines(self) -> list[str]:
        """One line per skipped report, with its reason."""
        return [f"skipped {r.name}: {r.reason}" for r in self.reports if r.status == "skipped"]


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def report_row(r: ReportResult) -> dict[str, Any]:
    """The JSON-ready facts of one report (for ``run.json`` and the index)."""
    return {
        "name": r.name,
        "title": r.title,
        "status": r.status,
        "reason": r.reason,
        "started": _iso(r.started),
        "duration": r.duration,
        "parameters": r.parameters,
        "data": r.data,
        "error": r.error,
        "cell": r.cell,
    }
