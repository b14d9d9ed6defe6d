"""Running a paths request: checking the input, resolving where sessions come from and what a stage
is, choosing the engine (:func:`jkit._engines.choose`) and loading it."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from jkit._engines import choose, is_path_source, is_spark_frame, load
from jkit.errors import JkitWarning, ParameterError
from jkit.paths.engines import ENGINES
from jkit.paths.spec import PathRequest, Source, make_request
from jkit.stages import StageModel

__all__ = ["LEVELS", "level_mapping", "request_for", "run_request"]

LEVELS = ("event", "stage")


def level_mapping(level: str, stages: StageModel | Mapping[str, str] | None) -> dict[str, str]:
    """The event -> name mapping of ``level``: none for events, event -> stage name for stages."""
    if level not in LEVELS:
        raise ParameterError(f"level={level!r} should be 'event' or 'stage'")
    if level == "event":
        return {}
    if stages is None:
        raise ParameterError("level='stage' needs stages= (the study's stage model, data.stages, or a mapping "
                             "event -> stage)")
    if isinstance(stages, StageModel):
        return stages.stage_of()
    if isinstance(stages, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in stages.items()):
        return dict(stages)
    raise ParameterError("stages= should be a StageModel (data.stages) or a mapping of event names to stage names")


def _session_source(events: Source, session_col: str, wanted: str) -> str:
    if wanted not in ("auto", "column", "gap"):
        raise ParameterError(f"session_source={wanted!r} should be 'auto', 'column' or 'gap'")
    if wanted != "auto":
        return wanted
    if is_spark_frame(events):
        if session_col not in events.columns:
            return "gap"
        quoted = "`" + session_col.replace("`", "``") + "`"  # one Spark aggregation: events, and those with an id
        total, n_filled = events.selectExpr("count(*)", f"count(nullif(cast({quoted} AS STRING), ''))").first()
    elif not isinstance(events, pd.DataFrame):
        return "column" if _file_has(events, session_col) else "gap"
    elif session_col not in events.columns:
        return "gap"
    else:
        values = events[session_col]
        filled = values.notna() & (values.astype("string") != "").fillna(False)
        total, n_filled = len(values), int(filled.sum())
    if not n_filled:
        return "gap"
    if n_filled < total:
        warnings.warn(f"events: {total - n_filled:,} events have no {session_col!r}; they are cut into sessions "
                      "by the inactivity gap among themselves", JkitWarning, stacklevel=4)
    return "column"


def _file_has(source: Source, column: str) -> bool:
    from jkit.funnels.spec import expand_paths, file_kind

    files = expand_paths(source)
    if file_kind(files[0]) != "parquet":
        return False
    import pyarrow.parquet as pq

    return column in pq.read_schema(files[0]).names


def _check_source(events: Any) -> None:
    if not isinstance(events, pd.DataFrame) and not is_path_source(events) and not is_spark_frame(events):
        raise ParameterError(f"events should be a DataFrame (pandas or Spark) or a path to Parquet files, not "
                             f"{type(events).__name__}")


def request_for(kind: str, events: Source, *, session_source: str = "auto", **options: Any) -> PathRequest:
    """A :class:`PathRequest` with the session source resolved against ``events``."""
    _check_source(events)
    request = make_request(kind, **options)
    if request.needs_sessions:
        request = replace(request, session_source=_session_source(events, request.session_col, session_source))
    return request


def run_request(events: Source, request: PathRequest, engine: str | None) -> pd.DataFrame:
    """Run ``request`` on the engine chosen for ``events`` (a Spark DataFrame picks ``"spark"``)."""
    _check_source(events)
    runner = load(ENGINES, choose(engine, events, ENGINES, analysis="paths"))
    return runner(events, request)
