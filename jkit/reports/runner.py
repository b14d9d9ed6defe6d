"""Planning and running a batch of reports: discover → validate → execute → render → publish.

Everything that can be checked is checked before the first kernel starts (notebooks exist,
parameters are known, typed and in range, data folders exist, the kernel is installed). Each
report is then executed with papermill and rendered to HTML in a temporary run folder, which is
moved to its dated name when complete; ``latest/`` and ``index.html`` are replaced last.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError, ParameterError
from jkit.reports import layout
from jkit.reports.config import ReportEntry, RunConfig, load_config, slug
from jkit.reports.params import Parameter, read_parameters, validate_overrides

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

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
_PATH_SUFFIXES = ("_dir", "_path", "_file")
logger = logging.getLogger("jkit.reports")


# --------------------------------------------------------------------------- results


@dataclass
class PlannedReport:
    """One report to render, with its validated parameters (nothing has run yet).

    Attributes
    ----------
    name : str
        Output file stem (``02-stage-funnel``, ``funnel-emea``).
    title : str
        Shown in the index and the page title.
    notebook : Path
        The source notebook.
    declared : dict of str to Parameter
        The notebook's parameters.
    values : dict
        Validated overrides passed to papermill (paths absolute).
    shown : dict
        Every parameter's effective value as shown to readers (paths relative to the project).
    data_dir : Path or None
        The absolute data folder, when the notebook has a ``data_dir`` parameter.
    """

    name: str
    title: str
    notebook: Path
    declared: dict[str, Parameter]
    values: dict[str, Any]
    shown: dict[str, Any]
    data_dir: Path | None = None
    path_display: dict[str, str] = field(default_factory=dict)

    @property
    def data_shown(self) -> str | None:
        return self.shown.get("data_dir") if self.data_dir is not None else None


@dataclass
class ReportResult:
    """What happened to one report.

    Attributes
    ----------
    name, title : str
    notebook : Path
        The source notebook.
    status : str
        ``"ok"``, ``"failed"`` or ``"skipped"`` (after a failure with ``fail_fast``).
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
    error : str
        One line, empty when ok.
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
    error: str = ""
    cell: int | None = None

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
        return all(r.ok for r in self.reports)

    @property
    def failures(self) -> list[ReportResult]:
        return [r for r in self.reports if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every report rendered, 1 otherwise."""
        return 0 if self.ok else 1

    def summary(self) -> str:
        """One line for the run, then one line per failure."""
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


# --------------------------------------------------------------------------- discovery and planning


def discover(notebooks_dir: str | Path = "notebooks") -> list[Path]:
    """The report notebooks ``NN-*.ipynb`` of a folder, in name order."""
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise MissingResourceError(f"{folder}: no such notebooks folder")
    return sorted(p for p in folder.glob(NOTEBOOK_PATTERN) if p.is_file())


def _match(selector: str, notebooks: Sequence[Path]) -> Path:
    sel = selector.strip()
    if sel.endswith(".ipynb"):
        sel = sel[: -len(".ipynb")]
    sel = Path(sel).name
    if sel.isdigit() and len(sel) == 1:
        sel = f"0{sel}"
    exact = [p for p in notebooks if p.stem == sel]
    if exact:
        return exact[0]
    prefix = [p for p in notebooks if p.stem.startswith(f"{sel}-")]
    if len(prefix) == 1:
        return prefix[0]
    names = ", ".join(p.stem for p in notebooks) or "none"
    raise ParameterError(f"no notebook matches {selector!r}; the notebooks are: {names}")


def _is_path_param(param: Parameter) -> bool:
    return param.type in ("str", "any") and param.name.endswith(_PATH_SUFFIXES)


def _show_path(path: Path, root: Path, given: str | None = None) -> str:
    """A path as readers may see it: relative to the project, else as given, else its name."""
    try:
        rel = path.relative_to(root)
        return rel.as_posix() or "."
    except ValueError:
        pass
    if given is not None and not Path(given).is_absolute():
        return Path(given).as_posix()
    return path.name


def _title_of(notebook: Path) -> str:
    from jkit.reports.render import notebook_title

    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return notebook.stem
    return notebook_title(nb, notebook.stem)


def plan(
    notebooks: Sequence[str] | None = None,
    *,
    notebooks_dir: str | Path = "notebooks",
    config: str | Path | RunConfig | None = None,
    data: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    parameter_strings: Sequence[str] | None = None,
    base_dir: str | Path | None = None,
    check_data: bool = True,
) -> list[PlannedReport]:
    """Decide which reports to render and validate all their parameters, without running anything.

    Parameters
    ----------
    notebooks : sequence of str, optional
        Notebooks to render (stem, file name or number such as ``"02"``); default every
        ``NN-*.ipynb`` of ``notebooks_dir``, or the configuration's ``reports``.
    notebooks_dir : path, default "notebooks"
        The notebooks folder; its parent is taken as the project folder.
    config : path or RunConfig, optional
        A run configuration file (see :mod:`jkit.reports.config`).
    data : path, optional
        The data folder passed as ``data_dir`` to every notebook that has that parameter.
    parameters : mapping, optional
        Typed overrides for every report whose notebook declares them.
    parameter_strings : sequence of str, optional
        ``"name=value"`` overrides as typed on the command line; they win over everything.
    base_dir : path, optional
        Folder against which relative paths in ``data`` and overrides are read (default: cwd).
    check_data : bool, default True
        Require every ``data_dir`` to be an existing folder (``--list`` does not).

    Returns
    -------
    list of PlannedReport

    Raises
    ------
    ParameterError
        An unknown notebook or parameter, a wrong type, a value out of range.
    MissingResourceError
        A missing notebooks folder, notebook or data folder.
    """
    nb_dir = Path(notebooks_dir).resolve()
    root = nb_dir.parent
    base = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    found = discover(nb_dir)
    cfg = load_config(config) if isinstance(config, (str, Path)) else config
    cfg_folder = cfg.folder if cfg is not None and cfg.folder is not None else base
    cfg_source = cfg.source if cfg is not None else "run config"

    if cfg is not None and cfg.reports is not None:
        entries = list(cfg.reports)
        if notebooks:
            chosen = {_match(s, found) for s in notebooks}
            entries = [e for e in entries if _match(e.notebook, found) in chosen]
            if not entries:
                raise ParameterError(f"{cfg_source}: none of its reports uses the notebooks {', '.join(notebooks)}")
    elif notebooks:
        entries = [ReportEntry(notebook=_match(s, found).stem) for s in notebooks]
    else:
        entries = [ReportEntry(notebook=p.stem) for p in found]
    if not entries:
        raise MissingResourceError(f"{nb_dir.name}/: no report notebooks (files named like {NOTEBOOK_PATTERN})")

    cli: dict[str, str] = {}
    for item in parameter_strings or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE, such as -p window=7D")
        cli[name.strip()] = value
    globals_: dict[str, tuple[Any, str, Path]] = {}
    for name, value in (cfg.parameters if cfg is not None else {}).items():
        globals_[name] = (value, f"{cfg_source} parameters", cfg_folder)
    for name, value in (parameters or {}).items():
        globals_[name] = (value, "parameters", base)
    data_value: tuple[str, str, Path] | None = None
    if data is not None:
        data_value = (str(data), "--data", base)
    elif cfg is not None and cfg.data is not None:
        data_value = (cfg.data, f"{cfg_source} data", cfg_folder)

    declared_cache: dict[Path, dict[str, Parameter]] = {}
    used: set[str] = set()
    planned: list[PlannedReport] = []
    names: dict[str, int] = {}
    for entry in entries:
        nb_path = _match(entry.notebook, found)
        if nb_path not in declared_cache:
            declared_cache[nb_path] = read_parameters(nb_path)
        declared = declared_cache[nb_path]
        nb_name = nb_path.stem
        overrides: dict[str, Any] = {}
        sources: dict[str, str] = {}
        bases: dict[str, Path] = {}
        if data_value is not None and "data_dir" in declared:
            overrides["data_dir"], sources["data_dir"], bases["data_dir"] = data_value
            used.add("data_dir")
        for name, (value, source, where) in globals_.items():
            if name in declared:
                overrides[name], sources[name], bases[name] = value, source, where
                used.add(name)
        for name, value in entry.parameters.items():
            overrides[name], sources[name], bases[name] = value, f"{cfg_source} reports ({nb_name})", cfg_folder
        text = {k: v for k, v in cli.items() if k in declared}
        used.update(text)
        for name in text:
            sources[name], bases[name] = "-p", base
            overrides.pop(name, None)
        values = validate_overrides(nb_name, declared, overrides, text=text, sources=sources)

        shown: dict[str, Any] = {}
        path_display: dict[str, str] = {}
        data_dir: Path | None = None
        for name, param in declared.items():
            value = values.get(name, param.default)
            if _is_path_param(param) and isinstance(value, str) and value:
                given_base = bases.get(name, nb_dir) if name in values else nb_dir
                absolute = (given_base / value).resolve()
                if name in values:
                    values[name] = str(absolute)
                shown[name] = _show_path(absolute, root, value)
                path_display[str(absolute)] = shown[name]
                if name == "data_dir":
                    data_dir = absolute
                    if check_data and not absolute.is_dir():
                        where = sources.get(name, "its default")
                        raise MissingResourceError(
                            f"{nb_name}: data_dir {shown[name]!r} (from {where}) is not a folder; make the sample "
                            "data with `make sample` or pass --data PATH"
                        )
            else:
                shown[name] = value

        base_name = entry.name or nb_name
        if entry.variant:
            base_name += "-" + "-".join(slug(v) for v in entry.variant.values())
        base_name = slug(base_name)
        names[base_name] = names.get(base_name, 0) + 1
        name = base_name if names[base_name] == 1 else f"{base_name}-{names[base_name]}"
        title = entry.title or _title_of(nb_path)
        if entry.variant:
            title += " — " + ", ".join(f"{k}={v}" for k, v in entry.variant.items())
        planned.append(
            PlannedReport(name=name, title=title, notebook=nb_path, declared=declared, values=values,
                          shown=shown, data_dir=data_dir, path_display=path_display)
        )

    unused = [n for n in [*globals_, *cli] if n not in used]
    if data_value is not None and "data_dir" not in used:
        unused.insert(0, "data_dir")
    if unused:
        accepts = "; ".join(
            f"{p.stem}: {', '.join(d) or 'none'}" for p, d in declared_cache.items()
        )
        raise ParameterError(
            f"unknown parameter {unused[0]!r}: none of the selected notebooks has it; their parameters are "
            f"{accepts} (see `jkit run --list`)"
        )
    return planned


# --------------------------------------------------------------------------- data provenance


def _count_rows(path: Path) -> int | None:
    name = path.name
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if name.endswith((".csv", ".csv.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="", errors="replace") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    return None


def data_fingerprint(folder: str | Path) -> list[dict[str, Any]]:
    """File name, row count and sha256 of each table (and ``stages.yaml``) in a data folder.

    Returns
    -------
    list of dict
        Keys ``table``, ``name`` (file name only), ``rows`` (None for YAML) and ``sha256``.

    Examples
    --------
    >>> [f["name"] for f in data_fingerprint("data/sample")]       # doctest: +SKIP
    ['customers.csv', 'events.parquet', 'feedback.csv', 'stages.yaml']
    """
    from jkit.io import find_table_file, fingerprint

    folder = Path(folder)
    out = []
    for table in ("customers", "events", "feedback"):
        path = find_table_file(folder, table)
        if path is None:
            continue
        try:
            rows = _count_rows(path)
        except Exception:  # an unreadable file: the notebook will say why
            rows = None
        out.append({"table": table, "name": path.name, "rows": rows, "sha256": fingerprint(path)})
    stages = folder / "stages.yaml"
    if stages.is_file():
        out.append({"table": "stages", "name": stages.name, "rows": None, "sha256": fingerprint(stages)})
    return out


# --------------------------------------------------------------------------- running


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

    params = ", ".join(
        f"<code>{html.escape(str(k))}={html.escape(shown_value(v))}</code>" for k, v in report.parameters.items()
    )
    started = report.started.strftime("%Y-%m-%d %H:%M:%S UTC") if report.started else ""
    return (
        "<div class='jkit-banner'><a href='index.html'>&larr; All reports</a> · "
        f"run <b>{html.escape(run_name)}</b> ({html.escape(started)}, {report.duration or 0:.1f} s)"
        + (f" · parameters: {params}" if params else "")
        + "</div>"
    )


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _report_row(r: ReportResult) -> dict[str, Any]:
    return {
        "name": r.name,
        "title": r.title,
        "status": r.status,
        "started": _iso(r.started),
        "duration": r.duration,
        "parameters": r.parameters,
        "data": r.data,
        "error": r.error,
        "cell": r.cell,
    }


def _execute_one(
    planned: PlannedReport,
    tmp: Path,
    *,
    run_name: str,
    scrubber,
    kernel: str,
    timeout: float | None,
    show_code: bool,
    progress: dict | bool,
    root: Path,
    kernel_stderr: Any = None,
) -> ReportResult:
    import nbformat

    from jkit.reports.execute import execute
    from jkit.reports.render import render_failure, render_report

    started = dt.datetime.now(dt.timezone.utc)  # noqa: UP017 - Python 3.10 has no datetime.UTC
    t0 = time.monotonic()
    out_nb = tmp / f"{planned.name}.ipynb"
    result = ReportResult(
        name=planned.name, title=planned.title, notebook=planned.notebook, status="ok", started=started,
        parameters=dict(planned.shown), data=planned.data_shown,
    )
    values = dict(planned.values)
    if "output_dir" in planned.declared and not values.get("output_dir"):
        # Files a notebook exports (CSV, JSON) go to NAME_files/ beside its HTML page.
        files_dir = tmp / f"{planned.name}_files"
        files_dir.mkdir(exist_ok=True)
        values["output_dir"] = str(files_dir)
        result.parameters["output_dir"] = files_dir.name
        result.files = files_dir
    logger.info("%s: executing %s with %s", planned.name, planned.notebook.name, result.parameters)
    execution = execute(planned.notebook, out_nb, values, cwd=planned.notebook.parent, kernel=kernel,
                        timeout=timeout, progress=progress, kernel_stderr=kernel_stderr)
    nb = None
    if out_nb.exists():
        nb = scrubber.notebook(nbformat.read(out_nb, as_version=4))
        pm = nb.metadata.get("papermill")
        if pm is not None:
            pm["input_path"] = _show_path(planned.notebook, root)
            pm["output_path"] = out_nb.name
            pm["parameters"] = {k: planned.shown.get(k, v) for k, v in (pm.get("parameters") or {}).items()}
        nbformat.write(nb, out_nb)
        result.ipynb = out_nb
    try:
        if execution.ok:
            result.duration = time.monotonic() - t0
            page = render_report(nb, title=planned.title, banner=_banner(result, run_name), show_code=show_code,
                                 resources_path=planned.notebook.parent)
            result.html = tmp / f"{planned.name}.html"
        else:
            result.status, result.error, result.cell = "failed", scrubber.text(execution.error), execution.cell
            result.duration = time.monotonic() - t0
            page = render_failure(nb, title=planned.title, error=result.error, cell=execution.cell,
                                  traceback=scrubber.text(execution.traceback), banner=_banner(result, run_name),
                                  resources_path=planned.notebook.parent)
            result.html = tmp / f"{planned.name}.failed.html"
    except Exception as exc:  # nbconvert could not render it: keep the notebook, report the failure
        logger.exception("%s: rendering failed", planned.name)
        result.status = "failed"
        result.error = scrubber.text(f"rendering failed: {type(exc).__name__}: {exc}")
        result.duration = time.monotonic() - t0
        page = render_failure(None, title=planned.title, error=result.error, banner=_banner(result, run_name))
        result.html = tmp / f"{planned.name}.failed.html"
    result.html.write_text(scrubber.text(page), encoding="utf-8")
    logger.info("%s: %s in %.1f s%s", planned.name, result.status, result.duration,
                f" ({result.error})" if result.error else "")
    return result


def _previous_latest(reports_dir: Path) -> dict[str, dict]:
    """Reports in the current ``latest/`` that are good, by name (from its run.json)."""
    manifest = reports_dir / "latest" / "run.json"
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    good = {}
    for r in data.get("reports", []):
        if r.get("status") == "ok" and (reports_dir / "latest" / f"{r.get('name')}.html").is_file():
            good[r["name"]] = r
    return good


def _recent_runs(reports_dir: Path, prefix: str, limit: int = 10) -> list[dict]:
    runs = []
    for folder in layout.run_folders(reports_dir)[:limit]:
        try:
            data = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        statuses = [r.get("status") for r in data.get("reports", [])]
        runs.append({"name": folder.name, "href": f"{prefix}{folder.name}/index.html",
                     "ok": statuses.count("ok"), "failed": statuses.count("failed")})
    return runs


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
        Notebooks folder (kernels run with it as working directory).
    reports_dir : path, default "reports"
        Output folder: ``<run>/``, ``latest/``, ``index.html``.
    config : path, optional
        Run configuration YAML.
    data : path, optional
        Data folder for every notebook's ``data_dir``.
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
        Per-report status, paths and durations; ``exit_code`` is 1 when a report failed.

    Raises
    ------
    ParameterError, MissingResourceError
        Before any kernel starts, for bad parameters, missing notebooks, data or kernel.

    Examples
    --------
    >>> result = jkit.reports.run(data="data/sample")          # doctest: +SKIP
    >>> [(r.name, r.status) for r in result.reports]           # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from jkit import __version__
    from jkit.reports.execute import check_kernel
    from jkit.reports.index import render_index
    from jkit.reports.render import Scrubber

    cfg = load_config(config) if config is not None else None
    planned = plan(notebooks, notebooks_dir=notebooks_dir, config=cfg, data=data, parameters=parameters,
                   parameter_strings=parameter_strings)
    if show_code is None:
        show_code = bool(cfg.show_code) if cfg is not None and cfg.show_code is not None else False
    if keep is not None and (not isinstance(keep, int) or keep < 1):
        raise ParameterError(f"keep={keep!r} should be a whole number of at least 1 (run folders to keep)")
    check_kernel(kernel)

    nb_dir = Path(notebooks_dir).resolve()
    root = nb_dir.parent
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    reports_abs = reports_dir.resolve()
    replacements = {str(root): ".", str(reports_abs): _show_path(reports_abs, root, str(reports_dir)),
                    str(Path.cwd()): "."}
    for p in planned:
        replacements.update(p.path_display)
    scrubber = Scrubber(replacements)

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
        results: list[ReportResult] = []
        kernel_log = open(tmp / "run.log", "a", encoding="utf-8")  # noqa: SIM115 - closed in finally
        try:
            logger.info("run %s: jkit %s, %d reports, kernel %r", run_name, __version__, len(planned), kernel)
            fingerprints: dict[str, list] = {}
            for p in planned:
                if p.data_dir is not None and p.data_shown not in fingerprints:
                    fingerprints[p.data_shown] = data_fingerprint(p.data_dir)
            bar = tqdm(total=len(planned), desc="jkit run", unit="report", disable=quiet, position=0)
            failed = False
            for p in planned:
                if failed and fail_fast:
                    results.append(ReportResult(name=p.name, title=p.title, notebook=p.notebook, status="skipped",
                                                parameters=dict(p.shown), data=p.data_shown,
                                                error="not run: an earlier report failed (--fail-fast)"))
                    continue
                bar.set_postfix_str(p.name)
                progress = False if quiet else {"desc": p.name, "leave": False, "position": 1}
                r = _execute_one(p, tmp, run_name=run_name, scrubber=scrubber, kernel=kernel, timeout=timeout,
                                 show_code=show_code, progress=progress, root=root, kernel_stderr=kernel_log)
                results.append(r)
                failed = failed or not r.ok
                if not quiet:
                    tqdm.write(f"{r.status:7s} {r.name}  {r.duration:.1f} s" + (f"  {r.error}" if r.error else ""))
                bar.update(1)
            bar.close()
            duration = time.monotonic() - t0
            run_info = {"name": run_name, "started": started.isoformat(), "duration": duration,
                        "data": fingerprints}
            manifest = {
                "run": run_name,
                "jkit": __version__,
                "started": started.isoformat(),
                "duration": duration,
                "status": "ok" if all(r.ok for r in results) else "failed",
                "data": fingerprints,
                "reports": [
                    {**_report_row(r), "notebook": _show_path(r.notebook, root),
                     "html": r.html.name if r.html else None, "ipynb": r.ipynb.name if r.ipynb else None}
                    for r in results
                ],
            }
            rows = []
            for r in results:
                row = _report_row(r)
                row["href"] = r.html.name if r.ok and r.html else None
                row["failure_href"] = r.html.name if r.status == "failed" and r.html else None
                row["notebook_href"] = r.ipynb.name if r.ipynb else None
                rows.append(row)
            (tmp / "run.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
            (tmp / "index.html").write_text(render_index(rows, run=run_info), encoding="utf-8")
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

        run_dir = layout.publish_run(tmp, reports_dir, run_name)
        for r in results:
            for attr in ("html", "ipynb", "files"):
                path = getattr(r, attr)
                if path is not None:
                    setattr(r, attr, run_dir / path.name)

        previous = _previous_latest(reports_dir)
        files: list[tuple[Path, str]] = []
        latest_reports, latest_rows, top_rows = [], [], []
        for r, entry in zip(results, manifest["reports"], strict=True):
            row = _report_row(r)
            base_entry = {**entry, "from_run": run_name}
            if r.ok:
                files += [(r.html, r.html.name)] + ([(r.ipynb, r.ipynb.name)] if r.ipynb else [])
                files += [(r.files, r.files.name)] if r.files is not None and r.files.is_dir() else []
                latest_reports.append(base_entry)
                local = {"href": r.html.name, "notebook_href": r.ipynb.name if r.ipynb else None}
            else:
                old = previous.get(r.name)
                local = {"href": None, "notebook_href": None}
                if old is not None:
                    files.append((reports_dir / "latest" / f"{r.name}.html", f"{r.name}.html"))
                    if (reports_dir / "latest" / f"{r.name}.ipynb").is_file():
                        files.append((reports_dir / "latest" / f"{r.name}.ipynb", f"{r.name}.ipynb"))
                        local["notebook_href"] = f"{r.name}.ipynb"
                    if (reports_dir / "latest" / f"{r.name}_files").is_dir():
                        files.append((reports_dir / "latest" / f"{r.name}_files", f"{r.name}_files"))
                    latest_reports.append(old)
                    local["href"] = f"{r.name}.html"
                    row["note"] = f"{r.status} in run {run_name}; showing the last good report from run " \
                                  f"{old.get('from_run', '?')}"
            failure = f"{run_name}/{r.html.name}" if r.status == "failed" and r.html else None
            latest_rows.append({**row, **local, "failure_href": f"../{failure}" if failure else None})
            top_rows.append({**row, "href": f"latest/{local['href']}" if local["href"] else None,
                             "notebook_href": f"latest/{local['notebook_href']}" if local["notebook_href"] else None,
                             "failure_href": failure})
        latest_manifest = {**manifest, "reports": latest_reports}
        latest_dir = layout.replace_latest(
            reports_dir,
            files,
            {"run.json": json.dumps(latest_manifest, indent=2, default=str),
             "index.html": render_index(latest_rows, run=run_info, runs=_recent_runs(reports_dir, "../"))},
        )
        index = reports_dir / "index.html"
        layout.write_text_atomic(index, render_index(top_rows, run=run_info, runs=_recent_runs(reports_dir, "")))
        if keep is not None:
            layout.prune_runs(reports_dir, keep)

    return RunResult(name=run_name, run_dir=run_dir, reports=results, started=started, duration=duration,
                     index=index, latest=latest_dir, log=run_dir / "run.log")
