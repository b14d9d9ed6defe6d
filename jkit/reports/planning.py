"""Planning a batch of reports: which notebooks, with which validated parameters (nothing runs).

Everything that can be checked is checked here, before the first kernel starts: notebooks exist,
parameters are known, typed, in range and of the right shape (durations, dates, names), the data
(a folder or a study file) exists. Every path a kernel receives is absolute; readers see it
relative to the project.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError, ParameterError
from jkit.reports.config import ReportEntry, RunConfig, load_config, slug
from jkit.reports.params import Parameter, read_parameters, validate_overrides
from jkit.reports.rules import is_pathlike

__all__ = ["NOTEBOOK_PATTERN", "PlannedReport", "discover", "plan", "show_path"]

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
_PATH_SUFFIXES = ("_dir", "_path", "_file")
_STUDY_SUFFIXES = (".yaml", ".yml")


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
        Validated overrides (paths absolute).
    shown : dict
        Every parameter's effective value as shown to readers (paths relative to the project).
    data_dir : Path or None
        The absolute data folder or study file, when the notebook has a ``data_dir`` parameter.
    kernel_values : dict
        What papermill passes to the kernel: ``values`` plus every path parameter's default made
        absolute, so that nothing depends on the kernel's working directory.
    """

    name: str
    title: str
    notebook: Path
    declared: dict[str, Parameter]
    values: dict[str, Any]
    shown: dict[str, Any]
    data_dir: Path | None = None
    path_display: dict[str, str] = field(default_factory=dict)
    kernel_values: dict[str, Any] = field(default_factory=dict)

    @property
    def data_shown(self) -> str | None:
        return self.shown.get("data_dir") if self.data_dir is not None else None


def discover(notebooks_dir: str | Path = "notebooks") -> list[Path]:
    """The report notebooks ``NN-*.ipynb`` of a folder, in name order."""
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise MissingResourceError(f"{folder}: no such notebooks folder")
    return sorted(p for p in folder.glob(NOTEBOOK_PATTERN) if p.is_file())


def _match(selector: str, notebooks: Sequence[Path]) -> Path:
    sel = str(selector).strip()
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


def _path_value(param: Parameter, value: Any) -> bool:
    """Whether ``value`` of ``param`` is a path (made absolute for the kernel, shown relative)."""
    if not isinstance(value, str) or not value or value in param.also:
        return False
    if param.kind in ("path", "existing_path"):
        return True
    if param.kind == "stage_model":
        return value.endswith(_STUDY_SUFFIXES)
    if param.kind == "name_or_path":
        return is_pathlike(value)
    return param.type in ("str", "any") and param.name.endswith(_PATH_SUFFIXES)


def _must_exist(param: Parameter) -> bool:
    return param.kind in ("existing_path", "stage_model", "name_or_path")


def show_path(path: Path, root: Path, given: str | None = None) -> str:
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


def _entries(notebooks, cfg: RunConfig | None, found: list[Path], nb_dir: Path) -> list[ReportEntry]:
    if cfg is not None and cfg.reports is not None:
        entries = list(cfg.reports)
        if notebooks:
            chosen = {_match(s, found) for s in notebooks}
            entries = [e for e in entries if _match(e.notebook, found) in chosen]
            if not entries:
                raise ParameterError(f"{cfg.source}: none of its reports uses the notebooks {', '.join(notebooks)}")
    elif notebooks:
        entries = [ReportEntry(notebook=_match(s, found).stem) for s in notebooks]
    else:
        entries = [ReportEntry(notebook=p.stem) for p in found]
    if not entries:
        raise MissingResourceError(f"{nb_dir.name}/: no report notebooks (files named like {NOTEBOOK_PATTERN})")
    return entries


def _cli_strings(parameter_strings: Sequence[str] | None) -> dict[str, str]:
    cli: dict[str, str] = {}
    for item in parameter_strings or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE, such as -p window=7D")
        cli[name.strip()] = value
    return cli


def _check_data(nb_name: str, absolute: Path, shown: str, where: str) -> None:
    if absolute.is_dir() or (absolute.is_file() and absolute.name.endswith(_STUDY_SUFFIXES)):
        return
    if absolute.is_file():
        raise MissingResourceError(
            f"{nb_name}: data_dir {shown!r} (from {where}) is a file but not a study file; give a study.yaml "
            "or a folder with customers, events and/or feedback files"
        )
    raise MissingResourceError(
        f"{nb_name}: data_dir {shown!r} (from {where}) is not a folder or a study file; make the sample "
        "data with `make sample` or pass --data PATH (a folder or a study.yaml)"
    )


def _resolve_paths(nb_name: str, declared: dict[str, Parameter], values: dict[str, Any], *, bases: dict[str, Path],
                   sources: dict[str, str], nb_dir: Path, root: Path, check_data: bool):
    """Make path values absolute; return (shown, path_display, data_dir, kernel_values)."""
    shown: dict[str, Any] = {}
    path_display: dict[str, str] = {}
    kernel_values = dict(values)
    data_dir: Path | None = None
    for name, param in declared.items():
        value = values.get(name, param.default)
        if not _path_value(param, value):
            shown[name] = value
            continue
        base = bases.get(name, nb_dir) if name in values else nb_dir
        absolute = (base / Path(value).expanduser()).resolve()
        kernel_values[name] = str(absolute)
        if name in values:
            values[name] = str(absolute)
        shown[name] = show_path(absolute, root, value)
        path_display[str(absolute)] = shown[name]
        where = sources.get(name, "its default")
        if name == "data_dir":
            data_dir = absolute
            if check_data:
                _check_data(nb_name, absolute, shown[name], where)
        elif check_data and _must_exist(param) and not absolute.exists():
            raise MissingResourceError(
                f"{nb_name}: parameter {name!r} (from {where}): {shown[name]!r} does not exist; "
                f"it accepts {param.accepts()}"
            )
    return shown, path_display, data_dir, kernel_values


def _unused_error(unused: list[str], declared_cache: dict[Path, dict[str, Parameter]]) -> ParameterError:
    accepts = "; ".join(f"{p.stem}: {', '.join(d) or 'none'}" for p, d in declared_cache.items())
    return ParameterError(
        f"unknown parameter {unused[0]!r}: none of the selected notebooks has it; their parameters are "
        f"{accepts} (see `jkit run --list`)"
    )


def _name_and_title(entry: ReportEntry, nb_path: Path, names: dict[str, int]) -> tuple[str, str]:
    base_name = entry.name or nb_path.stem
    if entry.variant:
        base_name += "-" + "-".join(slug(v) for v in entry.variant.values())
    base_name = slug(base_name)
    names[base_name] = names.get(base_name, 0) + 1
    name = base_name if names[base_name] == 1 else f"{base_name}-{names[base_name]}"
    title = entry.title or _title_of(nb_path)
    if entry.variant:
        title += " — " + ", ".join(f"{k}={v}" for k, v in entry.variant.items())
    return name, title


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
        The study (a folder or a ``study.yaml``) passed as ``data_dir`` to every notebook that has
        that parameter.
    parameters : mapping, optional
        Typed overrides for every report whose notebook declares them.
    parameter_strings : sequence of str, optional
        ``"name=value"`` overrides as typed on the command line; they win over everything.
    base_dir : path, optional
        Folder against which relative paths in ``data`` and overrides are read (default: cwd).
    check_data : bool, default True
        Require every ``data_dir`` to be an existing folder or study file, and every existing-path
        parameter to exist (``--list`` does not).

    Returns
    -------
    list of PlannedReport

    Raises
    ------
    ParameterError
        An unknown notebook or parameter, a wrong type, a value out of range or of the wrong shape.
    MissingResourceError
        A missing notebooks folder, notebook, data folder or study file.
    """
    nb_dir = Path(notebooks_dir).resolve()
    base = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    found = discover(nb_dir)
    cfg = load_config(config) if isinstance(config, (str, Path)) else config
    cfg_folder = cfg.folder if cfg is not None and cfg.folder is not None else base
    cfg_source = cfg.source if cfg is not None else "run config"
    cli = _cli_strings(parameter_strings)
    try:
        entries = _entries(notebooks, cfg, found, nb_dir)
    except ParameterError as exc:
        if not cli or not str(exc).startswith("no notebook matches"):
            raise
        example = next(f"-p '{k}={v} {notebooks[-1]}'" for k, v in cli.items())
        raise ParameterError(f"{exc} (a -p value with a space must be quoted, such as {example})") from None
    globals_: dict[str, tuple[Any, str, Path]] = {}
    for name, value in (cfg.parameters if cfg is not None else {}).items():
        globals_[name] = (value, f"{cfg_source} parameters", cfg_folder)
    for name, value in (parameters or {}).items():
        globals_[name] = (value, "parameters", base)
    if data is not None:
        globals_.pop("data_dir", None)
        data_value: tuple[str, str, Path] | None = (str(data), "--data", base)
    elif cfg is not None and cfg.data is not None:
        data_value = (cfg.data, f"{cfg_source} data", cfg_folder)
    else:
        data_value = None

    declared_cache: dict[Path, dict[str, Parameter]] = {}
    used: set[str] = set()
    planned: list[PlannedReport] = []
    names: dict[str, int] = {}
    for entry in entries:
        nb_path = _match(entry.notebook, found)
        declared = declared_cache.setdefault(nb_path, read_parameters(nb_path))
        nb_name = nb_path.stem
        overrides: dict[str, tuple[Any, str, Path]] = {}
        if data_value is not None and "data_dir" in declared:
            overrides["data_dir"] = data_value
        overrides.update({k: v for k, v in globals_.items() if k in declared})
        for name, value in entry.parameters.items():
            overrides[name] = (value, f"{cfg_source} reports ({nb_name})", cfg_folder)
        used.update(overrides)
        text = {k: v for k, v in cli.items() if k in declared}
        used.update(text)
        for name in text:
            overrides[name] = (None, "-p", base)
        sources = {k: v[1] for k, v in overrides.items()}
        bases = {k: v[2] for k, v in overrides.items()}
        typed = {k: v[0] for k, v in overrides.items() if k not in text}
        values = validate_overrides(nb_name, declared, typed, text=text, sources=sources)
        shown, path_display, data_dir, kernel_values = _resolve_paths(
            nb_name, declared, values, bases=bases, sources=sources, nb_dir=nb_dir, root=nb_dir.parent,
            check_data=check_data)
        name, title = _name_and_title(entry, nb_path, names)
        planned.append(PlannedReport(name=name, title=title, notebook=nb_path, declared=declared, values=values,
                                     shown=shown, data_dir=data_dir, path_display=path_display,
                                     kernel_values=kernel_values))

    unused = [n for n in [*globals_, *cli] if n not in used]
    if data_value is not None and "data_dir" not in used:
        unused.insert(0, "data_dir")
    if unused:
        raise _unused_error(unused, declared_cache)
    return planned
