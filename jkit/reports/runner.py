"""Running a batch of reports: plan → execute → render → publish.

Everything that can be checked is checked before the first kernel starts (see
:mod:`jkit.reports.planning`). Each report is then executed with papermill and rendered to HTML
in a temporary run folder, which is moved to its dated name when complete; ``latest/`` and
``index.html`` are replaced last (see :mod:`jkit.reports.publish`). A report whose notebook raises
:class:`~jkit.errors.ReportSkipped` is *skipped* with that reason, not failed. Writing the reports
folder is checked up front; an I/O error later ends the run with one line, not a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jkit.errors import ParameterError, ReportError
from jkit.reports import assets, layout
from jkit.reports.config import load_config
from jkit.reports.planning import NOTEBOOK_PATTERN, PlannedReport, discover, plan, show_path
from jkit.reports.provenance import data_fingerprint
from jkit.reports.results import ReportResult, RunResult, report_row

__all__ = [
    "NOTEBOOK_PATTERN",
    "PlannedReport",
    "ReportResult",
    "RunResult",
    "discover",
    "plan",
    "run",
    "data_fingerprint",
]

logger = logging.getLogger("jkit.reports")
_show_path = show_path  # the name older code imports
SKIP_ERROR = "ReportSkipped"
FAIL_FAST_REASON = "not run: an earlier report failed (--fail-fast)"


class _ScrubFilter(logging.Filter):
    def __init__(self, scrubber) -> None:
        super().__init__()
        self.scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrubber.text(record.getMessage())
        record.args = None
        return True


def _banner(report: ReportResult, run_name: str) -> str:
    import html

    from jkit.reports.index import shown_value

    params = " ".join(
        f"<code>{html.escape(str(k))}={html.escape(shown_value(v))}</code>" for k, v in report.parameters.items()
    )
    started = report.started.strftime("%Y-%m-%d %H:%M:%S UTC") if report.started else ""
    return (
        "<div class='jkit-banner'><a href='index.html'>&larr; All reports</a> · "
        f"run <b>{html.escape(run_name)}</b> ({html.escape(started)}, {report.duration or 0:.1f} s)"
        + (f"<div class='jkit-params'>parameters: {params}</div>" if params else "")
        + "</div>"
    )


def _page(planned: PlannedReport, result: ReportResult, nb, execution, *, tmp: Path, run_name: str, scrubber,
          show_code: bool, t0: float) -> str | None:
    """Render the page of one executed report (None for a skipped one); sets the result's status."""
    from jkit.reports.render import render_failure, render_report

    resources = planned.notebook.parent
    if execution.ok:
        result.duration = time.monotonic() - t0
        result.html = tmp / f"{planned.name}.html"
        return render_report(nb, title=planned.title, banner=_banner(result, run_name), show_code=show_code,
                             resources_path=resources)
    if execution.ename == SKIP_ERROR:
        result.status, result.reason = "skipped", scrubber.text(execution.evalue) or "the report skipped itself"
        result.duration = time.monotonic() - t0
        return None
    result.status, result.error, result.cell = "failed", scrubber.text(execution.error), execution.cell
    result.duration = time.monotonic() - t0
    result.html = tmp / f"{planned.name}.failed.html"
    return render_failure(nb, title=planned.title, error=result.error, cell=execution.cell,
                          traceback=scrubber.text(execution.traceback), banner=_banner(result, run_name),
                          resources_path=resources)


def _execute_one(planned: PlannedReport, tmp: Path, *, run_name: str, scrubber, kernel: str, timeout: float | None,
                 show_code: bool, progress: dict | bool, root: Path, kernel_stderr: Any = None) -> ReportResult:
    import nbformat

    from jkit.reports.execute import execute
    from jkit.reports.render import render_failure

    started = dt.datetime.now(dt.timezone.utc)  # noqa: UP017 - Python 3.10 has no datetime.UTC
    t0 = time.monotonic()
    out_nb = tmp / f"{planned.name}.ipynb"
    result = ReportResult(name=planned.name, title=planned.title, notebook=planned.notebook, status="ok",
                          started=started, parameters=dict(planned.shown), data=planned.data_shown)
    values = dict(planned.kernel_values or planned.values)
    if "output_dir" in planned.declared and not planned.values.get("output_dir"):
        # Files a notebook exports (CSV, JSON) go to NAME_files/ beside its HTML page (an absolute path).
        files_dir = (tmp / f"{planned.name}_files").resolve()
        files_dir.mkdir(exist_ok=True)
        values["output_dir"] = str(files_dir)
        result.parameters["output_dir"] = files_dir.name
        result.files = files_dir
        scrubber = type(scrubber)({**dict(scrubber.pairs), str(files_dir): files_dir.name})
    logger.info("%s: executing %s with %s", planned.name, planned.notebook.name, result.parameters)
    execution = execute(planned.notebook, out_nb, values, cwd=planned.notebook.parent, kernel=kernel,
                        timeout=timeout, progress=progress, kernel_stderr=kernel_stderr)
    nb = None
    if out_nb.exists():
        nb = scrubber.notebook(nbformat.read(out_nb, as_version=4))
        pm = nb.metadata.get("papermill")
        if pm is not None:
            pm["input_path"] = show_path(planned.notebook, root)
            pm["output_path"] = out_nb.name
            pm["parameters"] = {k: result.parameters.get(k, v) for k, v in (pm.get("parameters") or {}).items()}
        nbformat.write(nb, out_nb)
        result.ipynb = out_nb
    try:
        page = _page(planned, result, nb, execution, tmp=tmp, run_name=run_name, scrubber=scrubber,
                     show_code=show_code, t0=t0)
    except Exception as exc:  # nbconvert could not render it: keep the notebook, report the failure
        logger.exception("%s: rendering failed", planned.name)
        result.status = "failed"
        result.error = scrubber.text(f"rendering failed: {type(exc).__name__}: {exc}")
        result.duration = time.monotonic() - t0
        page = render_failure(None, title=planned.title, error=result.error, banner=_banner(result, run_name))
        result.html = tmp / f"{planned.name}.failed.html"
    if page is not None:
        page, result.assets = assets.attach(page, tmp)  # plotly.js beside the page, once per run folder
        result.html.write_text(scrubber.text(page), encoding="utf-8")
    logger.info("%s: %s in %.1f s%s", planned.name, result.status, result.duration,
                f" ({result.error or result.reason})" if result.error or result.reason else "")
    return result


def _files_below(folder: Path) -> set[Path]:
    try:
        return {p for p in folder.rglob("*") if ".ipynb_checkpoints" not in p.parts}
    except OSError:
        return set()


def _check_reports_dir(reports_dir: Path, shown: str) -> None:
    """A one-line error unless ``reports_dir`` is (or can be made) a writable folder."""
    if reports_dir.exists() and not reports_dir.is_dir():
        raise ReportError(f"--out {shown}: is a file, not a folder; pass a folder for the reports")
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"--out {shown}: cannot create the reports folder: {exc.strerror or exc}") from None
    if not os.access(reports_dir, os.W_OK | os.X_OK):
        raise ReportError(f"--out {shown}: the reports folder is not writable; fix its permissions or pass "
                          "another --out folder")


def _manifest(results: list[ReportResult], run_info: dict, version: str, root: Path) -> dict:
    return {
        "run": run_info["name"],
        "jkit": version,
        "started": run_info["started"],
        "duration": run_info["duration"],
        "status": "failed" if any(r.status == "failed" for r in results) else "ok",
        "data": run_info["data"],
        "reports": [
            {**report_row(r), "notebook": show_path(r.notebook, root), "html": r.html.name if r.html else None,
             "ipynb": r.ipynb.name if r.ipynb else None, "files": r.files.name if r.files else None,
             "assets": list(r.assets)}
            for r in results
        ],
    }


def _run_rows(results: list[ReportResult]) -> list[dict]:
    rows = []
    for r in results:
        row = report_row(r)
        row["href"] = r.html.name if r.ok and r.html else None
        row["failure_href"] = r.html.name if r.status == "failed" and r.html else None
        row["notebook_href"] = r.ipynb.name if r.ipynb else None
        rows.append(row)
    return rows


def _execute_all(planned: list[PlannedReport], tmp: Path, *, run_name: str, scrubber, kernel: str,
                 timeout: float | None, show_code: bool, quiet: bool, fail_fast: bool, root: Path,
                 kernel_log) -> list[ReportResult]:
    from tqdm.auto import tqdm

    results: list[ReportResult] = []
    bar = tqdm(total=len(planned), desc="jkit run", unit="report", disable=quiet, position=0)
    failed = False
    for p in planned:
        if failed and fail_fast:
            results.append(ReportResult(name=p.name, title=p.title, notebook=p.notebook, status="skipped",
                                        parameters=dict(p.shown), data=p.data_shown, reason=FAIL_FAST_REASON))
            continue
        bar.set_postfix_str(p.name)
        progress = False if quiet else {"desc": p.name, "leave": False, "position": 1}
        r = _execute_one(p, tmp, run_name=run_name, scrubber=scrubber, kernel=kernel, timeout=timeout,
                         show_code=show_code, progress=progress, root=root, kernel_stderr=kernel_log)
        results.append(r)
        failed = failed or r.status == "failed"
        if not quiet:
            note = r.error or r.reason
            tqdm.write(f"{r.status:7s} {r.name}  {r.duration:.1f} s" + (f"  {note}" if note else ""))
        bar.update(1)
    bar.close()
    return results


def _publish(results: list[ReportResult], manifest: dict, run_info: dict, *, tmp: Path, reports_dir: Path,
             run_name: str, keep: int | None) -> Path:
    """Move the run folder into place, prune, then rebuild ``latest/`` and ``index.html``."""
    from jkit.reports import publish
    from jkit.reports.index import render_index

    run_dir = layout.publish_run(tmp, reports_dir, run_name)
    for r in results:
        for attr in ("html", "ipynb", "files"):
            path = getattr(r, attr)
            if path is not None:
                setattr(r, attr, run_dir / path.name)
    if keep is not None:
        layout.prune_runs(reports_dir, keep)
    entries = publish.merge_entries(publish.previous_entries(reports_dir), manifest["reports"], run_name)
    files = publish.latest_files(entries, run_dir, run_name, layout.latest_target(reports_dir))
    latest_rows = publish.index_rows(entries, run_name=run_name, reports_dir=reports_dir, page_prefix="",
                                     run_prefix="../")
    top_rows = publish.index_rows(entries, run_name=run_name, reports_dir=reports_dir, page_prefix="latest/",
                                  run_prefix="")
    latest_manifest = {**manifest, "reports": entries}
    layout.replace_latest(reports_dir, files, {
        "run.json": json.dumps(latest_manifest, indent=2, default=str),
        "index.html": render_index(latest_rows, run=run_info, runs=publish.recent_runs(reports_dir, "../"),
                                   latest=True),
    })
    layout.write_text_atomic(reports_dir / "index.html",
                             render_index(top_rows, run=run_info, runs=publish.recent_runs(reports_dir, ""),
                                          latest=True))
    return run_dir


def _scrubber(planned: list[PlannedReport], root: Path, reports_dir: Path, given: str):
    from jkit.reports.render import Scrubber

    replacements = {str(root): ".", str(reports_dir): show_path(reports_dir, root, given), str(Path.cwd()): "."}
    for p in planned:
        replacements.update(p.path_display)
    return Scrubber(replacements)


def run(
    notebooks: Sequence[str] | None = None,
    *,
    notebooks_dir: str | Path = "notebooks",
    reports_dir: str | Path = "reports",
    config: str | Path | None = None,
    data: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    parameter_strings: Sequence[str] | None = None,
    show_code: bool | None = None,
    fail_fast: bool = False,
    quiet: bool = True,
    kernel: str = "jkit",
    timeout: float | None = 1800,
    keep: int | None = None,
) -> RunResult:
    """Render reports: execute notebooks with papermill, write HTML pages and an index.

    Parameters
    ----------
    notebooks : sequence of str, optional
        Which notebooks (stem, file name or number); default all ``NN-*.ipynb``, or the
        configuration's reports.
    notebooks_dir : path, default "notebooks"
        Notebooks folder (kernels run with it as working directory, with absolute paths only).
    reports_dir : path, default "reports"
        Output folder: ``<run>/``, ``latest/``, ``index.html``.
    config : path, optional
        Run configuration YAML.
    data : path, optional
        The study (a data folder or a ``study.yaml``) for every notebook's ``data_dir``.
    parameters : mapping, optional
        Typed overrides for every notebook that declares them.
    parameter_strings : sequence of str, optional
        Command-line ``"name=value"`` overrides (win over all others).
    show_code : bool, optional
        Keep code cells in the HTML (default False, or the configuration's ``show_code``).
    fail_fast : bool, default False
        Stop at the first failing report (the rest are marked skipped).
    quiet : bool, default True
        No progress bars or status lines (failures are still in the result and the log).
    kernel : str, default "jkit"
        Jupyter kernel for every notebook.
    timeout : float or None, default 1800
        Seconds allowed per cell.
    keep : int, optional
        Keep only the newest ``keep`` run folders.

    Returns
    -------
    RunResult
        Per-report status, paths and durations; ``exit_code`` is 1 when a report failed (a
        skipped report is not a failure).

    Raises
    ------
    ParameterError, MissingResourceError
        Before any kernel starts, for bad parameters, missing notebooks, data or kernel.
    ReportError
        The reports folder is a file or cannot be written (one line, no traceback).

    Examples
    --------
    >>> result = jkit.reports.run(data="data/sample")          # doctest: +SKIP
    >>> [(r.name, r.status) for r in result.reports]           # doctest: +SKIP
    """
    from jkit.reports.execute import check_kernel

    cfg = load_config(config) if config is not None else None
    planned = plan(notebooks, notebooks_dir=notebooks_dir, config=cfg, data=data, parameters=parameters,
                   parameter_strings=parameter_strings)
    if show_code is None:
        show_code = bool(cfg.show_code) if cfg is not None and cfg.show_code is not None else False
    if keep is not None and (not isinstance(keep, int) or keep < 1):
        raise ParameterError(f"keep={keep!r} should be a whole number of at least 1 (run folders to keep)")
    check_kernel(kernel)
    nb_dir = Path(notebooks_dir).resolve()
    given = str(reports_dir)
    reports_abs = Path(reports_dir).resolve()
    shown = show_path(reports_abs, nb_dir.parent, given)
    _check_reports_dir(reports_abs, shown)
    try:
        return _locked_run(planned, reports_abs, given=given, nb_dir=nb_dir, show_code=show_code,
                           fail_fast=fail_fast, quiet=quiet, kernel=kernel, timeout=timeout, keep=keep)
    except OSError as exc:
        where = show_path(Path(os.path.abspath(exc.filename)), nb_dir.parent) if exc.filename else shown
        raise ReportError(f"--out {shown}: cannot write the reports ({where}: {exc.strerror or exc}); "
                          "latest/ and index.html were left as they were") from None


def _locked_run(planned: list[PlannedReport], reports_dir: Path, *, given: str, nb_dir: Path, show_code: bool,
                fail_fast: bool, quiet: bool, kernel: str, timeout: float | None, keep: int | None) -> RunResult:
    from jkit import __version__
    from jkit.reports.index import render_index

    root = nb_dir.parent
    scrubber = _scrubber(planned, root, reports_dir, given)
    before = _files_below(nb_dir)
    with layout.RunLock(reports_dir):
        started = dt.datetime.now(dt.timezone.utc)  # noqa: UP017 - Python 3.10 has no datetime.UTC
        t0 = time.monotonic()
        run_name, tmp = layout.new_run_folder(reports_dir, started)
        handler = logging.FileHandler(tmp / "run.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_ScrubFilter(scrubber))
        loggers = [logger, logging.getLogger("papermill")]
        saved_levels = [lg.level for lg in loggers]
        for lg in loggers:
            lg.addHandler(handler)
            lg.setLevel(logging.INFO)
        kernel_log = open(tmp / "run.log", "a", encoding="utf-8")  # noqa: SIM115 - closed in finally
        try:
            logger.info("run %s: jkit %s, %d reports, kernel %r", run_name, __version__, len(planned), kernel)
            fingerprints: dict[str, list] = {}
            for p in planned:
                if p.data_dir is not None and p.data_shown not in fingerprints:
                    fingerprints[p.data_shown] = data_fingerprint(p.data_dir)
            results = _execute_all(planned, tmp, run_name=run_name, scrubber=scrubber, kernel=kernel,
                                   timeout=timeout, show_code=show_code, quiet=quiet, fail_fast=fail_fast,
                                   root=root, kernel_log=kernel_log)
            new = sorted(_files_below(nb_dir) - before)
            if new:
                logger.warning("run %s: notebooks wrote into %s/: %s", run_name, nb_dir.name,
                               ", ".join(show_path(p, root) for p in new[:10]))
            duration = time.monotonic() - t0
            run_info = {"name": run_name, "started": started.isoformat(), "duration": duration, "data": fingerprints}
            manifest = _manifest(results, run_info, __version__, root)
            (tmp / "run.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
            (tmp / "index.html").write_text(render_index(_run_rows(results), run=run_info), encoding="utf-8")
            logger.info("run %s: %d ok, %d failed, %d skipped in %.1f s", run_name, sum(r.ok for r in results),
                        sum(r.status == "failed" for r in results), sum(r.status == "skipped" for r in results),
                        duration)
        except BaseException:
            logger.exception("run %s: interrupted; no report was replaced", run_name)
            raise
        finally:
            kernel_log.close()
            for lg, level in zip(loggers, saved_levels, strict=True):
                lg.removeHandler(handler)
                lg.setLevel(level)
            handler.close()
        _publish(results, manifest, run_info, tmp=tmp, reports_dir=reports_dir, run_name=run_name, keep=keep)
    out = Path(given)  # paths in the result as the caller gave the reports folder
    for r in results:
        for attr in ("html", "ipynb", "files"):
            if getattr(r, attr) is not None:
                setattr(r, attr, out / run_name / getattr(r, attr).name)
    return RunResult(name=run_name, run_dir=out / run_name, reports=results, started=started, duration=duration,
                     index=out / "index.html", latest=out / "latest", log=out / run_name / "run.log")
