"""A journey map as data for other tools: a JSON-ready dict, one tidy table, JSON and CSV text.

This module owns the export formats of :class:`~jkit.journey_map.JourneyMap`; files are written
through the one atomic writer, :func:`jkit.io.files.write_text_atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jkit.io.files import write_text_atomic
from jkit.safe_csv import to_csv_text

if TYPE_CHECKING:  # pragma: no cover
    from jkit.journey_map.map import JourneyMap

__all__ = ["jsonable", "map_to_dict", "map_to_frame", "map_to_json", "map_to_csv", "write_export"]

#: the column naming the item of each lane's rows in the tidy table (lanes without one: "")
ITEM_COLUMNS = {"actions": "event", "touchpoints": "touchpoint", "pain_points": "phrase",
                "opportunities": "pain_point"}


def jsonable(value: Any) -> Any:
    """``value`` with its timestamps, durations and numpy scalars as JSON types (dicts and lists recursively)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.isoformat()  # ISO 8601 duration, e.g. P0DT3H0M0S
    if isinstance(value, np.generic):
        return value.item()
    return value


def map_to_dict(jmap: JourneyMap) -> dict[str, Any]:
    """A JSON-ready dict: ``meta``, ``stages`` and one list of records per lane."""
    out: dict[str, Any] = {"meta": jsonable(jmap.meta), "stages": list(jmap.stages)}
    for lane in jmap.LANE_TABLES:
        frame = getattr(jmap, lane)
        out[lane] = json.loads(frame.to_json(orient="records", date_format="iso", double_precision=6))
    return out


def map_to_json(jmap: JourneyMap) -> str:
    """The map as indented JSON text (:func:`map_to_dict`)."""
    return json.dumps(map_to_dict(jmap), indent=2, ensure_ascii=False)


def map_to_frame(jmap: JourneyMap) -> pd.DataFrame:
    """The map as one tidy table: ``lane, stage, item, metric, value``."""
    rows = []
    for lane in jmap.LANE_TABLES:
        frame = getattr(jmap, lane)
        key = ITEM_COLUMNS.get(lane)
        for rec in frame.to_dict(orient="records"):
            item = rec.get(key, "") if key else ""
            for metric, value in rec.items():
                if metric in ("stage", key):
                    continue
                rows.append({"lane": lane, "stage": rec.get("stage"), "item": item, "metric": metric,
                             "value": value})
    return pd.DataFrame(rows, columns=["lane", "stage", "item", "metric", "value"])


def map_to_csv(jmap: JourneyMap) -> str:
    """:func:`map_to_frame` as CSV text; cells a spreadsheet would run as formulas are neutralised."""
    return to_csv_text(map_to_frame(jmap))


def write_export(path: str | Path, text: str) -> None:
    """Write an export's ``text`` to ``path`` atomically, creating its folder when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
