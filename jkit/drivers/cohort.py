"""Who is compared: the customers who reached ``from_step``, whether each reached ``to_step``, and the
span of time in which their events and feedback may count as drivers.

Definitions (also in ``docs/drivers.md``)
-----------------------------------------
* A *step* is a stage of the stage model (any of its events signals it) or one event name.
* A customer *reaches* ``from_step`` at ``start``, the time of their first event of it.
* They *convert* when they have an event of ``to_step`` at or after ``start`` (and, with a ``window``,
  no later than ``start + window``); ``reached_at`` is the first such event.
* The *observed span* is ``[start, reached_at)`` for those who convert — what they did *before* the
  next step, never the conversion itself or what followed it — and ``[start, end]`` for those who do
  not, where ``end`` is ``start + window`` or the last event of the study, whichever comes first.
* ``span`` caps the observed span at ``start + span`` for everyone. Without it the non-converters
  are observed longer than the converters, and anything that accumulates with time (return visits,
  feedback) looks like a driver of *not* converting; :func:`jkit.drivers.conversion_drivers` warns
  when the medians differ more than twice.
* With a ``window``, a customer who has not converted and whose window runs past the last event of
  the study is *still open* (they may convert yet): they are set aside and counted, not taken as
  drop-outs. Without a window every non-converter counts as not converting by the end of the study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import column_list, require_columns
from jkit.errors import ParameterError
from jkit.stages import StageModel, load_stage_model

__all__ = ["Cohort", "resolve_step", "step_cohort", "in_span"]


@dataclass
class Cohort:
    """The customers compared, one row each: ``customer_id, start, limit, converted``.

    ``limit`` is the exclusive end of the observed span (the conversion time, or one nanosecond
    past the end of observation). ``counts``: ``reached``, ``converted``, ``open`` (set aside).
    """

    frame: pd.DataFrame
    from_step: str
    to_step: str
    from_events: frozenset[str]
    to_events: frozenset[str]
    window: pd.Timedelta | None
    counts: dict[str, int] = field(default_factory=dict)
    span: pd.Timedelta | None = None

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def n_converted(self) -> int:
        return int(self.frame["converted"].sum())

    def median_spans(self) -> tuple[pd.Timedelta, pd.Timedelta]:
        """Median observed span of the converters and of the others."""
        length = self.frame["limit"] - self.frame["start"]
        conv = self.frame["converted"].to_numpy(dtype=bool)
        return length[conv].median(), length[~conv].median()


def resolve_step(step: Any, stages: StageModel, present: set[str], what: str) -> frozenset[str]:
    """The events that signal ``step``: a stage's events, or the one event of that name."""
    if not isinstance(step, str) or not step.strip():
        raise ParameterError(f"{what}={step!r} should be the name of a stage or an event")
    if step in stages.names:
        return frozenset(stages[step].events)
    if step in present or step in stages.known_events:
        return frozenset([step])
    raise ParameterError(
        f"{what}={step!r} is neither a stage of the stage model ({column_list(stages.names)}) nor an event of "
        f"the data (e.g. {column_list(sorted(present)[:8])})"
    )


def _window(window: Any, name: str = "window") -> pd.Timedelta | None:
    if window is None:
        return None
    try:
        td = pd.Timedelta(window)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}={window!r} should be a duration such as '30D' or '12h', or None") from exc
    if pd.isna(td) or td <= pd.Timedelta(0):
        raise ParameterError(f"{name}={window!r} should be a positive duration, or None for no limit")
    return td


def step_cohort(data, from_step: str, to_step: str, *, window: Any = None, stage_model: Any = None,
                span: Any = None) -> Cohort:
    """The customers who reached ``from_step``, whether they reached ``to_step`` and their observed span.

    Parameters
    ----------
    data : JourneyData
        The study (:func:`jkit.load`).
    from_step, to_step : str
        A stage of the stage model or an event name each.
    window : str or Timedelta, optional
        Longest time from reaching ``from_step`` to reaching ``to_step``; None: until the study ends.
    stage_model : StageModel, str or dict, optional
        Stage model to read stage names with; default the study's.
    span : str or Timedelta, optional
        Longest observed span: features count in ``[start, min(limit, start + span))``. Without it
        non-converters are observed until the end of observation, converters only until they convert.

    Returns
    -------
    Cohort

    Raises
    ------
    ParameterError
        A step that is unknown or overlaps the other, a step nobody reaches, or a comparison with
        nobody on one side (no customer converts, or every one does).
    """
    stages = data.stages if stage_model is None else load_stage_model(stage_model)
    events = data.events
    require_columns(events, ["customer_id", "timestamp", "event"], "events")
    ev = events[["customer_id", "timestamp", "event"]]
    present = set(ev["event"].dropna().astype(str).unique())
    from_events = resolve_step(from_step, stages, present, "from_step")
    to_events = resolve_step(to_step, stages, present, "to_step")
    shared = from_events & to_events
    if shared:
        raise ParameterError(f"from_step={from_step!r} and to_step={to_step!r} share the events "
                             f"{column_list(sorted(shared))}; the two steps must differ")
    td = _window(window)
    name = ev["event"].astype(str)
    starts = ev[name.isin(from_events).to_numpy()].groupby("customer_id", observed=True)["timestamp"].min()
    if starts.empty:
        raise ParameterError(f"from_step={from_step!r}: no customer reached it (no event "
                             f"{column_list(sorted(from_events))} in the {len(ev):,} events)")
    frame = starts.rename("start").reset_index()
    later = ev[name.isin(to_events).to_numpy()].merge(frame, on="customer_id")
    keep = later["timestamp"] >= later["start"]
    if td is not None:
        keep &= later["timestamp"] <= later["start"] + td
    reached = later[keep.to_numpy()].groupby("customer_id", observed=True)["timestamp"].min().rename("reached_at")
    frame = frame.merge(reached.reset_index(), on="customer_id", how="left")
    frame["converted"] = frame["reached_at"].notna()
    study_end = ev["timestamp"].max()
    end = pd.Series(study_end, index=frame.index) if td is None else np.minimum(frame["start"] + td, study_end)
    still_open = ~frame["converted"] & (frame["start"] + td > study_end) if td is not None else frame["converted"] & False
    frame["limit"] = frame["reached_at"].where(frame["converted"], end + pd.Timedelta(1, "ns"))
    cap = _window(span, "span")
    if cap is not None:
        frame["limit"] = np.minimum(frame["limit"], frame["start"] + cap)
    counts = {"reached": len(frame), "open": int(still_open.sum())}
    frame = frame.loc[~still_open.to_numpy(), ["customer_id", "start", "limit", "converted"]].reset_index(drop=True)
    counts["converted"] = int(frame["converted"].sum())
    _check_sides(frame, from_step, to_step, td, counts)
    return Cohort(frame, from_step, to_step, from_events, to_events, td, counts, span=cap)


def _check_sides(frame: pd.DataFrame, from_step: str, to_step: str, td, counts: dict[str, int]) -> None:
    within = "" if td is None else f" within {td}"
    opened = f" ({counts['open']:,} more are still open: their window runs past the data)" if counts["open"] else ""
    if frame.empty:
        raise ParameterError(f"from_step={from_step!r}: all {counts['reached']:,} customers who reached it are "
                             f"still open{opened}; use a shorter window or later data")
    if counts["converted"] == 0:
        raise ParameterError(f"to_step={to_step!r}: none of the {len(frame):,} customers who reached "
                             f"{from_step!r} reached it afterwards{within}{opened}; nothing to compare")
    if counts["converted"] == len(frame):
        raise ParameterError(f"to_step={to_step!r}: all {len(frame):,} customers who reached {from_step!r} "
                             f"reached it afterwards{within}; with no drop-outs there is nothing to compare")


def in_span(rows: pd.DataFrame, cohort: Cohort, time_col: str = "timestamp") -> pd.DataFrame:
    """The rows of ``rows`` (with ``customer_id`` and ``time_col``) inside their customer's observed span."""
    joined = rows.merge(cohort.frame[["customer_id", "start", "limit"]], on="customer_id", how="inner")
    t = joined[time_col]
    return joined[((t >= joined["start"]) & (t < joined["limit"])).fillna(False).to_numpy(dtype=bool)]
