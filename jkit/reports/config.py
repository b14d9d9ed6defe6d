"""The run configuration file (YAML): which notebooks to render, with which parameters.

::

    data: data/sample              # data folder for every report (relative to this file); --data wins
    parameters:                    # for every report whose notebook declares them
      min_customers: 20
    reports:                       # default: every notebooks/NN-*.ipynb
      - notebook: 05-data-overview
      - notebook: 02-stage-funnel  # a stem, a file name or its number ("02")
        name: funnel-by-region     # output name (default: the notebook's stem)
        title: Stage funnel        # default: the notebook's first heading
        parameters: {window: 7D}
        each:                      # one report per value: funnel-by-region-emea, funnel-by-region-apac
          region: [EMEA, APAC]

Command-line ``-p name=value`` wins over both ``parameters`` sections.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError, ParameterError

__all__ = ["ReportEntry", "RunConfig", "load_config", "slug"]

_TOP_KEYS = {"data", "parameters", "reports", "show_code"}
_REPORT_KEYS = {"notebook", "name", "title", "parameters", "each"}


def slug(text: Any) -> str:
    """A file-name-safe form of ``text``: ``"EMEA / North"`` -> ``"emea-north"``."""
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-.").lower()
    return out or "x"


@dataclass
class ReportEntry:
    """One report a configuration asks for (after ``each`` is expanded)."""

    notebook: str
    name: str | None = None
    title: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    variant: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunConfig:
    """A parsed run configuration; see the module docstring for the format."""

    source: str = "run config"
    folder: Path | None = None
    data: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    reports: list[ReportEntry] | None = None
    show_code: bool | None = None


def _mapping(value: Any, what: str, source: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ParameterError(f"{source}: {what} should be a mapping of parameter names to values, got {value!r}")
    return dict(value)


def _expand(item: dict, index: int, source: str) -> list[ReportEntry]:
    where = f"{source}: reports[{index}]"
    unknown = sorted(set(item) - _REPORT_KEYS)
    if unknown:
        raise ParameterError(f"{where}: unknown key {unknown[0]!r}; a report accepts {', '.join(sorted(_REPORT_KEYS))}")
    notebook = item.get("notebook")
    if not isinstance(notebook, (str, int)) or not str(notebook).strip():
        raise ParameterError(f"{where}: 'notebook' is required: a notebook's stem, file name or number such as '02'")
    notebook = str(notebook)
    if notebook.isdigit() and len(notebook) == 1:
        notebook = f"0{notebook}"
    name = item.get("name")
    title = item.get("title")
    for key, value in (("name", name), ("title", title)):
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"{where}: {key!r} should be text, got {value!r}")
    params = _mapping(item.get("parameters"), "'parameters'", where)
    each = _mapping(item.get("each"), "'each'", where)
    for key, values in each.items():
        if not isinstance(values, list) or not values:
            raise ParameterError(f"{where}: each.{key} should be a non-empty list of values, got {values!r}")
    if not each:
        return [ReportEntry(notebook=notebook, name=name, title=title, parameters=params)]
    keys = list(each)
    entries = []
    for combo in itertools.product(*(each[k] for k in keys)):
        variant = dict(zip(keys, combo, strict=True))
        entries.append(
            ReportEntry(notebook=notebook, name=name, title=title, parameters={**params, **variant}, variant=variant)
        )
    return entries


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run configuration file.

    Parameters
    ----------
    path : str or Path
        A YAML file (see ``reports.example.yaml``).

    Returns
    -------
    RunConfig

    Raises
    ------
    MissingResourceError
        When the file does not exist.
    ParameterError
        When the file is not valid YAML or has an unknown key or a value of the wrong shape
        (parameter values themselves are checked against each notebook later).

    Examples
    --------
    >>> cfg = load_config("reports.example.yaml")       # doctest: +SKIP
    >>> [r.notebook for r in cfg.reports]               # doctest: +SKIP
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise MissingResourceError(f"{path.name}: no such run configuration file")
    source = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{source}: not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{source}: expected a mapping with keys {', '.join(sorted(_TOP_KEYS))}")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ParameterError(f"{source}: unknown key {unknown[0]!r}; a run configuration accepts "
                             f"{', '.join(sorted(_TOP_KEYS))}")
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        raise ParameterError(f"{source}: 'data' should be a folder path, got {data!r}")
    show_code = raw.get("show_code")
    if show_code is not None and not isinstance(show_code, bool):
        raise ParameterError(f"{source}: 'show_code' should be true or false, got {show_code!r}")
    reports = raw.get("reports")
    entries = None
    if reports is not None:
        if not isinstance(reports, list) or not reports:
            raise ParameterError(f"{source}: 'reports' should be a non-empty list of {{notebook: …}} entries")
        entries = []
        for i, item in enumerate(reports):
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                item = {"notebook": item}
            if not isinstance(item, dict):
                raise ParameterError(f"{source}: reports[{i}] should be a mapping such as {{notebook: 02-stage-funnel}}")
            entries.extend(_expand(item, i, source))
    return RunConfig(
        source=source,
        folder=path.resolve().parent,
        data=data,
        parameters=_mapping(raw.get("parameters"), "'parameters'", source),
        reports=entries,
        show_code=show_code,
    )
