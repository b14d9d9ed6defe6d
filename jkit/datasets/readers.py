"""Reading a sample back: :func:`load_sample` (the study, found from the working folder upwards),
:func:`load_truth` (``truth.json``) and :func:`load_personas_truth` (``personas_truth.csv``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from jkit.errors import MissingResourceError
from jkit.io import JourneyData, load

__all__ = ["load_sample", "load_truth", "load_personas_truth"]


def _find_default_sample() -> Path | None:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "data" / "sample"
        if (candidate / "truth.json").is_file() or (candidate / "customers.csv").is_file():
            return candidate
    return None


def load_sample(path: str | Path | None = None, **load_kwargs) -> JourneyData:
    """Load the sample study (default ``data/sample`` in the working folder or a parent of it).

    Parameters
    ----------
    path : str or Path, optional
        The sample folder; default ``data/sample`` found from the working directory upwards
        (so it works from the project root and from ``notebooks/``).
    **load_kwargs
        Passed on to :func:`jkit.load`.

    Returns
    -------
    JourneyData

    Raises
    ------
    MissingResourceError
        When there is no sample; make it with ``jkit sample-data``.

    Examples
    --------
    >>> data = load_sample()   # doctest: +SKIP
    """
    folder = Path(path) if path is not None else _find_default_sample()
    if folder is None:
        raise MissingResourceError(
            f"no sample data found in data/sample under {Path.cwd()} or its parents; "
            "run `jkit sample-data` (or `make sample`) to make it"
        )
    if not folder.is_dir():
        raise MissingResourceError(f"{folder}: no such folder; run `jkit sample-data --out {folder}` to make it")
    return load(folder, **load_kwargs)


def _truth_file(path: str | Path, name: str) -> Path:
    path = Path(path)
    file = path / name if path.is_dir() else path
    if not file.is_file():
        raise MissingResourceError(f"{file}: no such file; run `jkit sample-data --out {path}` to make the sample")
    return file


def load_truth(path: str | Path) -> dict:
    """The planted truth of a sample: ``truth.json`` in ``path`` (a folder or the file itself).

    Returns
    -------
    dict
        Keys ``seed``, ``n_customers``, ``n_events``, ``n_feedback``, ``stage_model``, ``stages``,
        ``period``, ``personas``, ``stage_conversion``, ``largest_dropoff_stage``,
        ``emotion_dip_stage``, ``pain_points``, ``pii``, ``html_injection``.

    Examples
    --------
    >>> load_truth("data/sample-small")["stage_conversion"]["overall"]["purchase"]  # doctest: +SKIP
    0.397719
    """
    file = _truth_file(path, "truth.json")
    return json.loads(file.read_text(encoding="utf-8"))


def load_personas_truth(path: str | Path) -> pd.DataFrame:
    """The planted persona of every customer: ``personas_truth.csv`` in ``path`` (folder or file).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` and ``persona`` (both ``string``), one row per customer.

    Examples
    --------
    >>> load_personas_truth("data/sample-small").persona.value_counts()  # doctest: +SKIP
    """
    file = _truth_file(path, "personas_truth.csv")
    return pd.read_csv(file, dtype={"customer_id": "string", "persona": "string"}, keep_default_na=False)
