"""The step matrix: the share of customers (or sessions) at each event at step k of their path, with
``ENDED`` for those whose path has already ended (retentioneering's step matrix)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from jkit.paths.running import level_mapping, request_for, run_request
from jkit.paths.spec import Source
from jkit.stages import StageModel

__all__ = ["ENDED", "step_matrix"]

#: the row of units whose path has ended before step k
ENDED = "ENDED"


def step_matrix(
    events: Source,
    *,
    steps: int = 10,
    start: str | None = None,
    level: str = "event",
    stages: StageModel | Mapping[str, str] | None = None,
    collapse_repeats: bool = False,
    unit: str = "customer",
    gap: str | pd.Timedelta = "30min",
    session_col: str = "session_id",
    session_source: str = "auto",
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    tie_order: Sequence[str] | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Share of units at each event at steps 1 … ``steps`` of their path.

    Step k of a unit is its k-th event (from its first ``start`` event when given, which is then
    step 1). A unit with fewer than k events counts under ``ENDED`` at step k and every later step,
    so each column sums to 1 (retentioneering's definition, with its ``ENDED`` row).

    Parameters
    ----------
    events : DataFrame or paths to Parquet files
        One row per event.
    steps : int, default 10
        Columns of the matrix.
    start : str, optional
        Begin each path at the unit's first ``start`` event (units without one are left out).
    level, stages, collapse_repeats, unit, gap, session_col, session_source, customer_col, time_col, event_col
        As in :func:`jkit.paths.transitions`.
    tie_order, engine
        As in :func:`jkit.paths.transitions`.

    Returns
    -------
    DataFrame
        Index: event (or stage) names, then ``ENDED``; columns 1 … ``steps``; values: shares.
        Events are ordered by the step where they are most common, then by that share.
        ``attrs["units"]`` holds the number of units.
    """
    request = request_for("sequences", events, session_source=session_source, unit=unit, gap=gap,
                          session_col=session_col, customer_col=customer_col, time_col=time_col, event_col=event_col,
                          tie_order=tie_order, mapping=level_mapping(level, stages), collapse=collapse_repeats,
                          steps=steps, start=start)
    sequences = run_request(events, request, engine)
    if start is not None and sequences.empty:
        from jkit.errors import ParameterError

        raise ParameterError(f"start={start!r}: no customer has this {level} in column {event_col!r}; check its spelling")
    units = int(sequences["units"].sum())
    counts: dict[str, np.ndarray] = {}
    weights = sequences["units"].to_numpy()
    for k in range(steps):
        values = sequences[f"step_{k + 1}"].to_numpy(dtype=object)
        for name, n in pd.Series(weights).groupby(values, dropna=True).sum().items():
            counts.setdefault(str(name), np.zeros(steps, dtype=np.int64))[k] += int(n)
    matrix = pd.DataFrame(counts, index=range(1, steps + 1)).T if counts else pd.DataFrame(columns=range(1, steps + 1))
    ended = units - matrix.sum(axis=0).to_numpy() if len(matrix) else np.full(steps, units)
    if len(matrix):
        best = matrix.to_numpy().argmax(axis=1)
        order = sorted(range(len(matrix)), key=lambda i: (best[i], -matrix.iat[i, best[i]], matrix.index[i]))
        matrix = matrix.iloc[order]
    matrix.loc[ENDED] = ended
    shares = matrix.astype(float) / units if units else matrix.astype(float)
    shares.columns = list(range(1, steps + 1))
    shares.index.name = level
    shares.attrs["units"] = units
    return shares
