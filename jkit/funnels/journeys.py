"""Reading a journeys table (what :func:`jkit.funnels.funnel_journeys` returns): its step names, the
breakdown columns asked of it and step numbers, for the funnel table and the follow-ups alike."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._rules import as_list, column_list
from jkit.errors import ParameterError

__all__ = ["by_columns", "journey_steps", "step_number"]


def journey_steps(journeys: pd.DataFrame) -> list[str]:
    """The step names of a journeys table (``step 1`` … when its ``attrs`` do not name them)."""
    times = [c for c in journeys.columns if isinstance(c, str) and c.startswith("time_") and c[5:].isdigit()]
    if "reached" not in journeys.columns or not times:
        raise ParameterError(
            "expected the table funnel_journeys() returns (columns 'reached', 'time_1', …); "
            f"found columns {column_list(journeys.columns)}"
        )
    names = journeys.attrs.get("steps")
    if not names or len(names) != len(times):
        names = [f"step {k}" for k in range(1, len(times) + 1)]
    return list(names)


def by_columns(by: str | Sequence[str] | None, journeys: pd.DataFrame) -> list[str]:
    """``by`` as a list of columns of the journeys table; a ParameterError for one it was not computed with."""
    cols = as_list(by)
    missing = [c for c in cols if c not in journeys.columns]
    if missing:
        raise ParameterError(
            f"by={missing[0]!r} is not a column of the journeys table; compute it with "
            f"funnel_journeys(..., by={missing[0]!r}) (columns: {column_list(journeys.columns)})"
        )
    return cols


def step_number(step: int | str, names: list[str], what: str) -> int:
    """The 1-based number of ``step``: a number (negative counts from the end) or a step name."""
    if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
        k = int(step)
        if k < 0:
            k = len(names) + 1 + k
        if 1 <= k <= len(names):
            return k
    elif isinstance(step, str) and step in names:
        return names.index(step) + 1
    raise ParameterError(f"{what}={step!r} should be a step number 1..{len(names)} or a step name ({', '.join(names)})")
